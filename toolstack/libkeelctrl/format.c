// SPDX-License-Identifier: GPL-2.0-only
/* Output in xl's formats (list, list -l, info, vcpu-list, uptime), so that
 * scripts written for xl read keel's output unchanged. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "public/version.h"
#include "ctrl_internal.h"

void keel_format_list_header(FILE *f)
{
	fputs("Name                                        ID   Mem VCPUs\tState\tTime(s)\n", f);
}

void keel_format_state(const struct xen_domctl_getdomaininfo *info, char buf[7])
{
	uint32_t fl = info->flags;
	bool shutdown = fl & XEN_DOMINF_shutdown;
	unsigned reason = (fl >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;

	buf[0] = fl & XEN_DOMINF_running ? 'r' : '-';
	buf[1] = fl & XEN_DOMINF_blocked ? 'b' : '-';
	buf[2] = fl & XEN_DOMINF_paused ? 'p' : '-';
	buf[3] = shutdown ? 's' : '-';
	buf[4] = shutdown && reason == KEEL_SHUTDOWN_crash ? 'c' : '-';
	buf[5] = fl & XEN_DOMINF_dying ? 'd' : '-';
	buf[6] = 0;
}

void keel_format_list_row(FILE *f, const struct keel_list_row *r)
{
	const struct xen_domctl_getdomaininfo *i = r->info;
	char st[7];

	keel_format_state(i, st);
	fprintf(f, "%-40s %5u %5lu %5u     %s  %8.1f\n", r->name, i->domain,
		(unsigned long)((i->tot_pages + i->outstanding_pages) * 4 / 1024),
		i->nr_online_vcpus, st, (double)i->cpu_time / 1e9);
}

static bool wanted(domid_t d, const domid_t *doms, size_t n)
{
	if (!n)
		return true;
	for (size_t i = 0; i < n; i++)
		if (doms[i] == d)
			return true;
	return false;
}

/* The saved JSON config, or a minimal one for domains keel did not create. */
static void print_config_json(struct keel_ctl *k, FILE *f, domid_t d,
			      const char *name,
			      const struct xen_domctl_getdomaininfo *info)
{
	char *uuid = NULL, *path = NULL, *text = NULL;
	size_t len = 0;

	if (d && !keel_store_get(k, d, "uuid", &uuid) &&
	    (path = keel_state_path(k, uuid, "json")) &&
	    !keel_read_file(k, "saved config", path, (uint8_t **)&text, &len)) {
		while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
			len--;
		fwrite(text, 1, len, f);
	} else {
		fprintf(f, "{\n        \"c_info\": {\n            \"type\": \"pvh\",\n            \"name\": \"%s\"\n        },\n"
			   "        \"b_info\": {\n            \"max_vcpus\": %u,\n            \"max_memkb\": %llu,\n            \"target_memkb\": %llu\n        }\n    }",
			name, info->max_vcpu_id + 1,
			(unsigned long long)info->max_pages * 4,
			(unsigned long long)info->tot_pages * 4);
	}
	free(uuid);
	free(path);
	free(text);
}

int keel_print_list(struct keel_ctl *k, FILE *f, bool json,
		    const domid_t *doms, size_t n)
{
	struct xen_domctl_getdomaininfo *v;
	unsigned count;
	bool first = true;
	int ret;

	ret = keel_domain_list(k, &v, &count);
	if (ret)
		return ret;
	if (json)
		fputs("[\n", f);
	else
		keel_format_list_header(f);
	for (unsigned i = 0; i < count; i++) {
		char *name = NULL;
		struct keel_list_row r;

		if (!wanted(v[i].domain, doms, n))
			continue;
		if (keel_domain_name(k, v[i].domain, &name))
			name = NULL;
		r.name = name ? name : "(null)";
		r.info = &v[i];
		if (json) {
			fprintf(f, "%s    {\n        \"domid\": %u,\n        \"config\": ",
				first ? "" : ",\n", v[i].domain);
			print_config_json(k, f, v[i].domain, r.name, &v[i]);
			fputs("\n    }", f);
		} else {
			keel_format_list_row(f, &r);
		}
		first = false;
		free(name);
	}
	if (json)
		fputs("\n]\n", f);
	free(v);
	return 0;
}

int keel_print_info(struct keel_ctl *k, FILE *f)
{
	struct xen_sysctl_physinfo pi;
	struct xen_sysctl op;
	struct utsname u;
	char extra[XEN_EXTRAVERSION_LEN + 1] = "";
	const char *sched = "credit";
	long ver;
	int ret;

	ret = keel_physinfo(k, &pi);
	if (ret)
		return ret;
	ver = k->ops->xen_version(k->hv, XENVER_version, NULL);
	if (ver < 0)
		return keel_fail(k, (int)ver, "cannot read the hypervisor's version: %s",
				 strerror((int)-ver));
	k->ops->xen_version(k->hv, XENVER_extraversion, extra);
	extra[XEN_EXTRAVERSION_LEN] = 0;
	memset(&op, 0, sizeof(op));
	if (!keel_sysctl(k, XEN_SYSCTL_sched_id, &op) &&
	    op.u.sched_id.sched_id != XEN_SCHEDULER_CREDIT)
		sched = op.u.sched_id.sched_id == XEN_SCHEDULER_CREDIT2 ? "credit2" :
			op.u.sched_id.sched_id == XEN_SCHEDULER_NULL	 ? "null" :
									   "unknown";
	uname(&u);
#define KV(key, fmt, ...) fprintf(f, "%-23s: " fmt "\n", key, __VA_ARGS__)
	KV("host", "%s", u.nodename);
	KV("release", "%s", u.release);
	KV("version", "%s", u.version);
	KV("machine", "%s", u.machine);
	KV("nr_cpus", "%u", pi.nr_cpus);
	KV("max_cpu_id", "%u", pi.max_cpu_id);
	KV("nr_nodes", "%u", pi.nr_nodes);
	KV("cores_per_socket", "%u", pi.cores_per_socket);
	KV("threads_per_core", "%u", pi.threads_per_core);
	KV("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
	KV("hw_caps", "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", pi.hw_cap[0],
	   pi.hw_cap[1], pi.hw_cap[2], pi.hw_cap[3], pi.hw_cap[4], pi.hw_cap[5],
	   pi.hw_cap[6], pi.hw_cap[7]);
	KV("virt_caps", "%s%s", pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm ? "hvm" : "",
	   pi.capabilities & XEN_SYSCTL_PHYSCAP_hap ? " hap" : "");
	KV("total_memory", "%llu", (unsigned long long)pi.total_pages / 256);
	KV("free_memory", "%llu", (unsigned long long)pi.free_pages / 256);
	KV("sharing_freed_memory", "%d", 0);
	KV("sharing_used_memory", "%d", 0);
	KV("outstanding_claims", "%llu", (unsigned long long)pi.outstanding_pages / 256);
	KV("free_cpus", "%d", 0);
	KV("xen_major", "%ld", ver >> 16);
	KV("xen_minor", "%ld", ver & 0xffff);
	KV("xen_extra", "%s", extra);
	KV("xen_version", "%ld.%ld%s", ver >> 16, ver & 0xffff, extra);
	KV("xen_caps", "%s", "hvm-3.0-x86_64");
	KV("xen_scheduler", "%s", sched);
	KV("xen_pagesize", "%lu", KEEL_PAGE_SIZE);
	KV("xend_config_format", "%d", 4);
#undef KV
	return 0;
}

/* xl's affinity form: "all", or "0-3,5". */
static void print_affinity(FILE *f, const uint8_t *bits, unsigned nr_cpus)
{
	struct keel_cpumap m;
	unsigned set = 0;
	char *s;

	memset(&m, 0, sizeof(m));
	for (unsigned c = 0; c < nr_cpus && c < KEEL_MAX_CPUS; c++)
		if (bits[c / 8] & (1U << (c % 8))) {
			keel_cpumap_set(&m, c);
			set++;
		}
	if (set == nr_cpus) {
		fputs("all", f);
		return;
	}
	s = keel_cpumap_format(&m);
	fputs(s && *s ? s : "none", f);
	free(s);
}

int keel_print_vcpu_list(struct keel_ctl *k, FILE *f, const domid_t *doms,
			 size_t n)
{
	struct xen_domctl_getdomaininfo *v;
	struct xen_sysctl_physinfo pi;
	unsigned count;
	int ret;

	ret = keel_physinfo(k, &pi);
	if (!ret)
		ret = keel_domain_list(k, &v, &count);
	if (ret)
		return ret;
	fprintf(f, "%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU",
		"State", "Time(s)", "Affinity (Hard / Soft)");
	for (unsigned i = 0; i < count; i++) {
		char *name = NULL;

		if (!wanted(v[i].domain, doms, n))
			continue;
		keel_domain_name(k, v[i].domain, &name);
		for (uint32_t c = 0; v[i].max_vcpu_id != XEN_INVALID_MAX_VCPU_ID &&
				     c <= v[i].max_vcpu_id; c++) {
			uint8_t hard[KEEL_MAX_CPUS / 8], soft[KEEL_MAX_CPUS / 8];
			struct xen_domctl op;
			struct xen_domctl_getvcpuinfo vi;

			memset(&op, 0, sizeof(op));
			op.u.getvcpuinfo.vcpu = c;
			if (keel_domctl(k, XEN_DOMCTL_getvcpuinfo, v[i].domain, &op))
				continue;
			vi = op.u.getvcpuinfo;
			memset(hard, 0xff, sizeof(hard));
			memset(soft, 0xff, sizeof(soft));
			memset(&op, 0, sizeof(op));
			op.u.vcpuaffinity.vcpu = c;
			op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT;
			op.u.vcpuaffinity.cpumap_hard.bitmap = (uintptr_t)hard;
			op.u.vcpuaffinity.cpumap_hard.nr_bits = KEEL_MAX_CPUS;
			op.u.vcpuaffinity.cpumap_soft.bitmap = (uintptr_t)soft;
			op.u.vcpuaffinity.cpumap_soft.nr_bits = KEEL_MAX_CPUS;
			keel_domctl(k, XEN_DOMCTL_getvcpuaffinity, v[i].domain, &op);
			fprintf(f, "%-32s %5u %5u", name ? name : "(null)", v[i].domain, c);
			if (!vi.online)
				fprintf(f, "%5c %3c%cp ", '-', '-', '-');
			else
				fprintf(f, "%5u %3c%c- ", vi.cpu, vi.running ? 'r' : '-',
					vi.blocked ? 'b' : '-');
			fprintf(f, "%9.1f  ", (double)vi.cpu_time / 1e9);
			print_affinity(f, hard, pi.nr_cpus);
			fputs(" / ", f);
			print_affinity(f, soft, pi.nr_cpus);
			fputc('\n', f);
		}
		free(name);
	}
	free(v);
	return 0;
}

static void uptime_string(char *buf, size_t len, unsigned long s)
{
	unsigned long days = s / 86400;

	s %= 86400;
	if (days)
		snprintf(buf, len, "%lu day%s, %2lu:%02lu:%02lu", days,
			 days == 1 ? "" : "s", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%2lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
}

int keel_print_uptime(struct keel_ctl *k, FILE *f, const domid_t *doms,
		      size_t n)
{
	struct xen_domctl_getdomaininfo *v;
	unsigned count;
	int ret;

	ret = keel_domain_list(k, &v, &count);
	if (ret)
		return ret;
	fprintf(f, "%-33s %4s %s\n", "Name", "ID", "Uptime");
	for (unsigned i = 0; i < count; i++) {
		char *name = NULL, *start = NULL, up[64];
		unsigned long secs = 0;

		if (!wanted(v[i].domain, doms, n))
			continue;
		keel_domain_name(k, v[i].domain, &name);
		if (v[i].domain == 0) {
			FILE *u = fopen("/proc/uptime", "r");
			double d = 0;

			if (u) {
				if (fscanf(u, "%lf", &d) != 1)
					d = 0;
				fclose(u);
			}
			secs = (unsigned long)d;
		} else if (!keel_store_get(k, v[i].domain, "start_time", &start)) {
			long long t0 = strtoll(start, NULL, 10), now = time(NULL);

			secs = now > t0 ? now - t0 : 0;
		}
		uptime_string(up, sizeof(up), secs);
		fprintf(f, "%-33s %4u %s\n", name ? name : "(null)", v[i].domain, up);
		free(name);
		free(start);
	}
	free(v);
	return 0;
}
