// SPDX-License-Identifier: GPL-2.0-only
/* Domain lifecycle: create from a checked config, destroy, shutdown, pause,
 * rename, memory and vCPU settings, lookups by name. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"
#include "ctrl_internal.h"

/* Grant and event-channel limits libxl gives a domU by default. */
#define DEFAULT_MAX_EVTCHN_PORT 1023
#define DEFAULT_MAX_GRANT_FRAMES 64
#define DEFAULT_MAX_MAPTRACK_FRAMES 1024

int keel_domain_name(struct keel_ctl *k, domid_t dom, char **name)
{
	struct ks_handle *h;
	char path[64];

	snprintf(path, sizeof(path), "/local/domain/%u/name", dom);
	if (!keel_store(k, &h) && !ks_read(h, KS_NO_TXN, path, name, NULL))
		return 0;
	if (dom == 0) {
		*name = strdup("Domain-0");
		return *name ? 0 : -ENOMEM;
	}
	*name = NULL;
	return -ENOENT;
}

int keel_domain_lookup(struct keel_ctl *k, const char *spec, domid_t *dom)
{
	struct xen_domctl_getdomaininfo info;
	char *end;
	unsigned long v;
	int ret;

	if (*spec && isdigit((unsigned char)*spec)) {
		v = strtoul(spec, &end, 10);
		if (!*end && v < DOMID_FIRST_RESERVED) {
			if (keel_domain_info(k, v, &info))
				return keel_fail(k, -ESRCH, "domain %lu does not exist: see 'keel list'", v);
			*dom = v;
			return 0;
		}
	}
	if (!strcmp(spec, "Domain-0")) {
		*dom = 0;
		return 0;
	}
	ret = keel_store_find_name(k, spec, dom);
	if (ret == -ENOENT)
		return keel_fail(k, -ESRCH, "no domain is named '%s': see 'keel list'", spec);
	return ret;
}

static int save_state(struct keel_ctl *k, const struct keel_domain_config *c,
		      const struct keel_create_opts *o, const char *uuid)
{
	char *path;
	FILE *f;
	int ret = 0;

	if (!o || !o->config_text)
		return 0;
	if (mkdir(k->state_dir, 0700) && errno != EEXIST)
		return keel_fail(k, -errno, "cannot create %s for the domain's saved config: %s",
				 k->state_dir, strerror(errno));
	path = keel_state_path(k, uuid, "cfg");
	f = path ? fopen(path, "w") : NULL;
	if (!f || fwrite(o->config_text, 1, o->config_len, f) != o->config_len)
		ret = -EIO;
	if (f && fclose(f))
		ret = -EIO;
	free(path);
	path = keel_state_path(k, uuid, "args");
	f = path && !ret ? fopen(path, "w") : NULL;
	if (f) {
		fprintf(f, "%s\n", o->config_name ? o->config_name : c->source);
		for (size_t i = 0; i < o->nr_overrides; i++)
			fprintf(f, "%s\n", o->overrides[i]);
		if (fclose(f))
			ret = -EIO;
	} else {
		ret = -EIO;
	}
	free(path);
	path = keel_state_path(k, uuid, "json");
	f = path && !ret ? fopen(path, "w") : NULL;
	if (f) {
		keel_config_write_json(c, f);
		if (fclose(f))
			ret = -EIO;
	} else {
		ret = -EIO;
	}
	free(path);
	if (ret)
		return keel_fail(k, ret, "cannot save the config of domain '%s' under %s: check that it is writable",
				 c->name, k->state_dir);
	return 0;
}

static void remove_state(struct keel_ctl *k, const char *uuid)
{
	static const char *const ext[] = { "cfg", "args", "json" };

	for (size_t i = 0; i < 3; i++) {
		char *p = keel_state_path(k, uuid, ext[i]);

		if (p)
			unlink(p);
		free(p);
	}
}

static int set_affinity(struct keel_ctl *k, domid_t dom, unsigned vcpu,
			const struct keel_cpumap *map)
{
	uint8_t bits[KEEL_MAX_CPUS / 8];
	struct xen_domctl op;
	int ret;

	for (unsigned i = 0; i < KEEL_MAX_CPUS; i++)
		if (i % 8 == 0)
			bits[i / 8] = 0;
	for (unsigned i = 0; i < KEEL_MAX_CPUS; i++)
		if (keel_cpumap_test(map, i))
			bits[i / 8] |= 1U << (i % 8);
	memset(&op, 0, sizeof(op));
	op.u.vcpuaffinity.vcpu = vcpu;
	op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
	op.u.vcpuaffinity.cpumap_hard.bitmap = (uintptr_t)bits;
	op.u.vcpuaffinity.cpumap_hard.nr_bits = KEEL_MAX_CPUS;
	ret = keel_domctl(k, XEN_DOMCTL_setvcpuaffinity, dom, &op);
	if (ret) {
		char *s = keel_cpumap_format(map);

		ret = keel_fail(k, ret, "cannot pin vCPU %u of domain %u to CPUs %s: %s: name CPUs the host has (see 'keel info')",
				vcpu, dom, s ? s : "?", strerror(-ret));
		free(s);
	}
	return ret;
}

int keel_vcpu_pin(struct keel_ctl *k, domid_t dom, unsigned vcpu,
		  const struct keel_cpumap *map)
{
	return set_affinity(k, dom, vcpu, map);
}

static int pin_all(struct keel_ctl *k, domid_t dom,
		   const struct keel_domain_config *c)
{
	const struct keel_cpu_affinity *a = &c->cpus;
	int ret = 0;

	for (unsigned v = 0; v < c->maxvcpus && !ret; v++) {
		if (a->mode == KEEL_CPUS_SAME)
			ret = set_affinity(k, dom, v, &a->same);
		else if (a->mode == KEEL_CPUS_PER_VCPU && v < a->nr_per_vcpu)
			ret = set_affinity(k, dom, v, &a->per_vcpu[v]);
	}
	return ret;
}

static int check_host(struct keel_ctl *k, const struct keel_domain_config *c)
{
	struct xen_sysctl_physinfo pi;
	domid_t other;
	uint64_t free_mib;
	int ret;

	ret = keel_store_find_name(k, c->name, &other);
	if (!ret || !strcmp(c->name, "Domain-0"))
		return keel_fail(k, -EEXIST, "a domain named '%s' already exists (domain %u): choose another name= or destroy that domain first",
				 c->name, ret ? 0 : other);
	if (ret != -ENOENT)
		return ret;
	ret = keel_physinfo(k, &pi);
	if (ret)
		return ret;
	free_mib = pi.free_pages >> (20 - KEEL_PAGE_SHIFT);
	if (c->memory_mib > free_mib)
		return keel_fail(k, -ENOMEM, "memory=%lu MiB is more than the host's free memory (%llu MiB): lower memory= or destroy other domains",
				 c->memory_mib, (unsigned long long)free_mib);
	return 0;
}

void keel_phase(const char *step)
{
	static struct timespec last;
	struct timespec now;

	if (!getenv("KEEL_TIMING"))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (step && (last.tv_sec || last.tv_nsec))
		fprintf(stderr, "keel: %.3f s  %s\n",
			(now.tv_sec - last.tv_sec) + (now.tv_nsec - last.tv_nsec) / 1e9, step);
	last = now;
}

int keel_domain_create(struct keel_ctl *k, struct keel_domain_config *c,
		       const struct keel_create_opts *o, domid_t *domid)
{
	struct keel_kernel kern;
	struct keel_build b;
	struct xen_domctl op;
	uint8_t *ramdisk = NULL;
	size_t ramdisk_len = 0;
	char uuid[37];
	domid_t dom;
	int ret;

	if (!c->kernel)
		return keel_fail(k, -EINVAL, "domain '%s' has no kernel: set kernel= in the config",
				 c->name);
	/* The image first: its errors need no hypervisor and are the commonest. */
	ret = keel_kernel_load(k, c->kernel, &kern);
	if (ret)
		return ret;
	keel_phase("load the kernel");
	if (c->ramdisk) {
		ret = keel_read_file(k, "ramdisk", c->ramdisk, &ramdisk, &ramdisk_len);
		if (ret)
			goto err_kernel;
		keel_phase("read the ramdisk");
	}
	memset(&b, 0, sizeof(b));
	b.mem_pages = (uint64_t)c->memory_mib << (20 - KEEL_PAGE_SHIFT);
	b.vcpus = c->vcpus;
	b.maxvcpus = c->maxvcpus;
	b.kernel = &kern;
	b.ramdisk = ramdisk;
	b.ramdisk_len = ramdisk_len;
	b.cmdline = c->cmdline;
	/* Layout errors before the hypervisor holds anything. */
	ret = keel_build_layout(k, &b);
	if (!ret)
		ret = check_host(k, c);
	if (ret)
		goto err_ramdisk;

	memset(&op, 0, sizeof(op));
	memcpy(op.u.createdomain.handle, c->uuid, sizeof(c->uuid));
	op.u.createdomain.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	op.u.createdomain.max_vcpus = c->maxvcpus;
	op.u.createdomain.max_evtchn_port = DEFAULT_MAX_EVTCHN_PORT;
	op.u.createdomain.max_grant_frames = DEFAULT_MAX_GRANT_FRAMES;
	op.u.createdomain.max_maptrack_frames = DEFAULT_MAX_MAPTRACK_FRAMES;
	op.u.createdomain.grant_opts = 1; /* grant tables v1 only */
	op.u.createdomain.arch.emulation_flags = XEN_X86_EMU_LAPIC;
	ret = keel_domctl(k, XEN_DOMCTL_createdomain, 0, &op);
	if (ret) {
		ret = keel_fail(k, ret, "the hypervisor refused to create domain '%s': %s",
				c->name, strerror(-ret));
		goto err_ramdisk;
	}
	dom = op.domain;
	b.domid = dom;
	keel_phase("createdomain");

	memset(&op, 0, sizeof(op));
	op.u.max_mem.max_memkb = (uint64_t)c->maxmem_mib * 1024;
	ret = keel_domctl(k, XEN_DOMCTL_max_mem, dom, &op);
	if (ret) {
		ret = keel_fail(k, ret, "cannot set domain %u's memory limit to %lu MiB: %s",
				dom, c->maxmem_mib, strerror(-ret));
		goto err_domain;
	}
	ret = pin_all(k, dom, c);
	if (ret)
		goto err_domain;
	ret = keel_build_pvh(k, &b);
	/* The images are in the guest now. Freed before it runs: unmapping a
	 * 66 MB vmlinux took dom0 seconds under QEMU once the guest competed
	 * for the CPU. */
	free(ramdisk);
	ramdisk = NULL;
	keel_kernel_free(&kern);
	keel_phase("build, free the images");
	if (ret)
		goto err_domain;
	uuid_unparse_lower(c->uuid, uuid);
	ret = save_state(k, c, o, uuid);
	if (ret)
		goto err_domain;
	keel_phase("save the config");
	ret = keel_store_write_domain(k, dom, c, &b);
	if (ret)
		goto err_state;
	keel_phase("store entries and introduce");
	if (!o || !o->paused) {
		ret = keel_domain_pause(k, dom, false);
		if (ret)
			goto err_state;
		keel_phase("unpause");
	}
	*domid = dom;
	return 0;

err_state:
	remove_state(k, uuid);
err_domain:
	{
		/* Keep the first error's message: it is the one that matters. */
		char msg[sizeof(k->err)];

		memcpy(msg, k->err, sizeof(msg));
		keel_store_remove_domain(k, dom);
		memset(&op, 0, sizeof(op));
		keel_domctl(k, XEN_DOMCTL_destroydomain, dom, &op);
		memcpy(k->err, msg, sizeof(msg));
	}
err_ramdisk:
	free(ramdisk);
err_kernel:
	keel_kernel_free(&kern);
	return ret;
}

int keel_domain_destroy(struct keel_ctl *k, domid_t dom)
{
	char store_err[sizeof(k->err)];
	struct xen_domctl op;
	char *uuid = NULL;
	int ret, store_ret;

	if (dom == 0)
		return keel_fail(k, -EPERM, "domain 0 cannot be destroyed");
	keel_store_get(k, dom, "uuid", &uuid);
	/* A dead store must not keep a domain alive: destroy it regardless,
	 * then report what could not be cleaned up. */
	store_ret = keel_store_remove_domain(k, dom);
	if (store_ret)
		memcpy(store_err, k->err, sizeof(store_err));
	memset(&op, 0, sizeof(op));
	ret = keel_domctl(k, XEN_DOMCTL_destroydomain, dom, &op);
	if (ret) {
		ret = keel_fail(k, ret, "cannot destroy domain %u: %s", dom, strerror(-ret));
		goto out;
	}
	if (uuid)
		remove_state(k, uuid);
	if (store_ret)
		ret = keel_fail(k, store_ret, "domain %u destroyed, but its store entries remain: %s",
				dom, store_err);
out:
	free(uuid);
	return ret;
}

int keel_domain_shutdown(struct keel_ctl *k, domid_t dom, const char *how)
{
	struct ks_handle *h;
	char path[64];
	int ret;

	if (dom == 0)
		return keel_fail(k, -EPERM, "keel cannot %s domain 0: do that from inside dom0",
				 !strcmp(how, "reboot") ? "reboot" : "shut down");
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", dom);
	ret = ks_write(h, KS_NO_TXN, path, how, strlen(how));
	if (ret)
		return keel_fail(k, ret, "cannot ask domain %u to %s (writing %s): %s",
				 dom, how, path, strerror(-ret));
	return 0;
}

int keel_domain_pause(struct keel_ctl *k, domid_t dom, bool pause)
{
	struct xen_domctl op;
	int ret;

	memset(&op, 0, sizeof(op));
	ret = keel_domctl(k, pause ? XEN_DOMCTL_pausedomain : XEN_DOMCTL_unpausedomain,
			  dom, &op);
	if (ret)
		return keel_fail(k, ret, "cannot %s domain %u: %s",
				 pause ? "pause" : "unpause", dom, strerror(-ret));
	return 0;
}

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) >= KEEL_DOMAIN_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

int keel_domain_rename(struct keel_ctl *k, domid_t dom, const char *name)
{
	struct ks_handle *h;
	char path[96], *vm = NULL;
	domid_t other;
	int ret;

	if (dom == 0)
		return keel_fail(k, -EPERM, "domain 0 keeps its name");
	if (!name_ok(name) || !strcmp(name, "Domain-0"))
		return keel_fail(k, -EINVAL, "'%s' is not a usable domain name: use letters, digits, '-', '_' and '.' (at most %d)",
				 name, KEEL_DOMAIN_NAME_MAX - 1);
	ret = keel_store_find_name(k, name, &other);
	if (!ret && other != dom)
		return keel_fail(k, -EEXIST, "a domain named '%s' already exists (domain %u): choose another name",
				 name, other);
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/local/domain/%u/name", dom);
	ret = ks_write(h, KS_NO_TXN, path, name, strlen(name));
	if (!ret)
		ret = keel_store_set(k, dom, "name", name);
	snprintf(path, sizeof(path), "/local/domain/%u/vm", dom);
	if (!ret && !ks_read(h, KS_NO_TXN, path, &vm, NULL)) {
		snprintf(path, sizeof(path), "%s/name", vm);
		ret = ks_write(h, KS_NO_TXN, path, name, strlen(name));
	}
	free(vm);
	if (ret)
		return keel_fail(k, ret, "cannot rename domain %u: %s", dom, strerror(-ret));
	return 0;
}

int keel_domain_set_memmax(struct keel_ctl *k, domid_t dom, uint64_t kib)
{
	struct xen_domctl op;
	int ret;

	memset(&op, 0, sizeof(op));
	op.u.max_mem.max_memkb = kib;
	ret = keel_domctl(k, XEN_DOMCTL_max_mem, dom, &op);
	if (ret)
		return keel_fail(k, ret, "cannot set domain %u's maximum memory: %s",
				 dom, strerror(-ret));
	return 0;
}

int keel_domain_set_memtarget(struct keel_ctl *k, domid_t dom, uint64_t kib)
{
	struct xen_domctl_getdomaininfo info;
	struct ks_handle *h;
	char path[64], v[32];
	int ret;

	ret = keel_domain_info(k, dom, &info);
	if (ret)
		return ret;
	if (info.max_pages && kib > info.max_pages * 4)
		return keel_fail(k, -EINVAL, "%llu KiB is above domain %u's maximum of %llu KiB: raise it with 'keel mem-max' first",
				 (unsigned long long)kib, dom,
				 (unsigned long long)info.max_pages * 4);
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/local/domain/%u/memory/target", dom);
	snprintf(v, sizeof(v), "%llu", (unsigned long long)kib);
	ret = ks_write(h, KS_NO_TXN, path, v, strlen(v));
	if (ret)
		return keel_fail(k, ret, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

int keel_domain_set_vcpus(struct keel_ctl *k, domid_t dom, unsigned n)
{
	struct xen_domctl_getdomaininfo info;
	struct ks_handle *h;
	int ret;

	ret = keel_domain_info(k, dom, &info);
	if (ret)
		return ret;
	if (!n || n > info.max_vcpu_id + 1)
		return keel_fail(k, -EINVAL, "domain %u can have 1 to %u vCPUs online (its maxvcpus): choose a count in that range",
				 dom, info.max_vcpu_id + 1);
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	/* As xl does: the guest's xenbus hotplugs cpu/N by availability. */
	for (unsigned v = 0; v <= info.max_vcpu_id; v++) {
		char path[80];
		const char *val = v < n ? "online" : "offline";

		snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", dom, v);
		ret = ks_write(h, KS_NO_TXN, path, val, strlen(val));
		if (ret)
			return keel_fail(k, ret, "cannot write %s: %s", path, strerror(-ret));
	}
	return 0;
}

int keel_sched_credit(struct keel_ctl *k, domid_t dom, bool set,
		      struct xen_domctl_sched_credit *c)
{
	struct xen_domctl op;
	int ret;

	memset(&op, 0, sizeof(op));
	op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
	op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getinfo;
	ret = keel_domctl(k, XEN_DOMCTL_scheduler_op, dom, &op);
	if (ret)
		return keel_fail(k, ret, "cannot read domain %u's credit scheduler settings: %s",
				 dom, strerror(-ret));
	if (!set) {
		*c = op.u.scheduler_op.u.credit;
		return 0;
	}
	op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putinfo;
	op.u.scheduler_op.u.credit = *c;
	ret = keel_domctl(k, XEN_DOMCTL_scheduler_op, dom, &op);
	if (ret)
		return keel_fail(k, ret, "cannot set domain %u's weight %u, cap %u: %s (weight 1-65535, cap 0-100 per vCPU)",
				 dom, c->weight, c->cap, strerror(-ret));
	return 0;
}

int keel_domain_recreate(struct keel_ctl *k, domid_t old, domid_t *domid)
{
	struct keel_domain_config c;
	struct keel_create_opts o;
	struct keel_saved s;
	int ret;

	keel_config_init(&c);
	ret = keel_saved_load(k, old, &s, &c);
	if (ret) {
		if (ret == -ENOENT)
			keel_fail(k, ret, "domain %u has no saved config (not created by keel?): cannot restart it", old);
		goto out;
	}
	keel_config_generate(&c, NULL);
	ret = keel_domain_destroy(k, old);
	if (ret)
		goto out_saved;
	memset(&o, 0, sizeof(o));
	o.config_text = s.text;
	o.config_len = s.len;
	o.config_name = s.lines[0];
	o.overrides = (const char *const *)s.lines + 1;
	o.nr_overrides = s.nr_lines - 1;
	ret = keel_domain_create(k, &c, &o, domid);
out_saved:
	keel_saved_free(&s);
out:
	keel_config_free(&c);
	return ret;
}
