// SPDX-License-Identifier: GPL-2.0-only
/* Domains and vCPUs: creation, lookup, shutdown and crash. */
#include <keel/domain.h>
#include <keel/arch.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/sched.h>
#include <keel/xmalloc.h>
#include <public/sched.h>

/* domlist_lock protects domain_list; nests outside domain.lock. */
static spinlock_t domlist_lock = SPINLOCK_INIT;
static struct domain *domain_list[MAX_DOMAINS];

static const char *const shutdown_names[] = {
	[SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
	[SHUTDOWN_suspend] = "suspend", [SHUTDOWN_crash] = "crash",
	[SHUTDOWN_watchdog] = "watchdog", [SHUTDOWN_soft_reset] = "soft_reset",
};

struct domain *domain_create(domid_t domid, unsigned int max_vcpus, bool privileged)
{
	struct domain *d;
	int rc;

	if (domid >= MAX_DOMAINS || !max_vcpus || max_vcpus > MAX_VCPUS)
		return NULL;
	d = xzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->is_privileged = privileged;
	d->max_vcpus = max_vcpus;
	d->shared_info_gfn = INVALID_GFN;
	d->sched_weight = SCHED_DEFAULT_WEIGHT;
	d->create_time_ns = arch_now_ns();
	spin_lock_init(&d->lock);
	d->shared_info = alloc_page();
	if (!d->shared_info)
		goto err_free_domain;
	rc = evtchn_domain_init(d);
	if (rc)
		goto err_free_shared;
	rc = gnttab_domain_init(d);
	if (rc)
		goto err_evtchn;
	rc = arch_domain_create(d);
	if (rc)
		goto err_gnttab;

	spin_lock(&domlist_lock);
	if (domain_list[domid]) {
		spin_unlock(&domlist_lock);
		goto err_arch;
	}
	domain_list[domid] = d;
	spin_unlock(&domlist_lock);
	return d;

err_arch:
	arch_domain_destroy(d);
err_gnttab:
	gnttab_domain_destroy(d);
err_evtchn:
	evtchn_domain_destroy(d);
err_free_shared:
	free_page(d->shared_info);
err_free_domain:
	xfree(d);
	return NULL;
}

struct domain *domain_lookup(domid_t domid)
{
	struct domain *d;

	if (domid >= MAX_DOMAINS)
		return NULL;
	spin_lock(&domlist_lock);
	d = domain_list[domid];
	spin_unlock(&domlist_lock);
	return d;
}

struct domain *domain_next(domid_t from)
{
	struct domain *d = NULL;

	spin_lock(&domlist_lock);
	for (unsigned int id = from; id < MAX_DOMAINS && !d; id++)
		d = domain_list[id];
	spin_unlock(&domlist_lock);
	return d;
}

int domain_free_domid(domid_t *domid)
{
	static domid_t last = 0; /* under domlist_lock: ids are not reused at once */
	int rc = -ENOSPC;

	spin_lock(&domlist_lock);
	for (unsigned int n = 1; n < MAX_DOMAINS; n++) {
		domid_t id = (domid_t)(1 + (last + n - 1) % (MAX_DOMAINS - 1));

		if (!domain_list[id]) {
			*domid = last = id;
			rc = 0;
			break;
		}
	}
	spin_unlock(&domlist_lock);
	return rc;
}

struct domain *domain_from_arg(struct domain *caller, domid_t domid)
{
	if (domid == DOMID_SELF || domid == caller->domid)
		return caller;
	return domain_lookup(domid);
}

struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id)
{
	struct vcpu *v;

	if (vcpu_id >= d->max_vcpus || d->vcpus[vcpu_id])
		return NULL;
	v = xzalloc(sizeof(*v));
	if (!v)
		return NULL;
	v->domain = d;
	v->vcpu_id = vcpu_id;
	v->state = VCPU_OFFLINE;
	if (vcpu_id < XEN_LEGACY_MAX_VCPUS)
		v->vcpu_info = &d->shared_info->vcpu_info[vcpu_id];
	if (arch_vcpu_create(v)) {
		xfree(v);
		return NULL;
	}
	d->vcpus[vcpu_id] = v;
	return v;
}

static void stop_all_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			d->vcpus[i]->state = VCPU_DEAD;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	spin_lock(&d->lock);
	if (d->is_shutting_down) {
		spin_unlock(&d->lock);
		return;
	}
	d->is_shutting_down = true;
	d->shutdown_code = reason;
	spin_unlock(&d->lock);
	stop_all_vcpus(d);
	sched_domain_stopped(d);
	/* before the (slow, serial) log line: dom0 may already see the flag */
	if (!d->is_privileged)
		domain_notify_dom0();
	printk("d%u: shutting down (%s)\n", d->domid,
	       reason < ARRAY_SIZE(shutdown_names) && shutdown_names[reason] ?
		       shutdown_names[reason] : "unknown reason");
}

void domain_notify_dom0(void)
{
	struct domain *dom0 = domain_lookup(0);

	/* the toolstack rescans the domain list on VIRQ_DOM_EXC */
	if (dom0)
		send_guest_global_virq(dom0, VIRQ_DOM_EXC);
}

/*
 * destroydomain: stop it, close its channels and grants, revoke every other
 * domain's mappings of its pages, give its memory back, and free it once no
 * CPU can still be looking at it.
 */
/* One line on where the guest's exits went: by kind, and the hypercalls
 * that were most of them. */
static void log_exit_counts(const struct domain *d)
{
	static const char *const kinds[EXIT_KINDS] = {
		"interrupt", "hypercall", "MSR", "I/O port", "HLT", "nested page fault", "other",
	};
	static const struct { unsigned int nr; const char *name; } names[] = {
		{ 12, "memory_op" }, { 15, "set_timer_op" }, { 18, "console_io" },
		{ 20, "grant_table_op" }, { 24, "vcpu_op" }, { 29, "sched_op" },
		{ 32, "event_channel_op" }, { 34, "hvm_op" }, { 35, "sysctl" }, { 36, "domctl" },
	};
	char line[480]; /* printk takes 511 */
	size_t n = 0;
	u64 total = 0;

	for (int k = 0; k < EXIT_KINDS; k++)
		total += d->exit_count[k];
	n += snprintf(line + n, sizeof(line) - n, "d%u: %llu exits:", d->domid,
		      (unsigned long long)total);
	for (int k = 0; k < EXIT_KINDS && n < sizeof(line); k++)
		if (d->exit_count[k])
			n += snprintf(line + n, sizeof(line) - n, " %s %llu,", kinds[k],
				      (unsigned long long)d->exit_count[k]);
	if (n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, " hypercalls:");
	for (unsigned int h = 0; h < HYPERCALL_COUNTED && n < sizeof(line); h++) {
		const char *name = NULL;

		if (!d->hypercall_count[h])
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (names[i].nr == h)
				name = names[i].name;
		if (name)
			n += snprintf(line + n, sizeof(line) - n, " %s %llu", name,
				      (unsigned long long)d->hypercall_count[h]);
		else
			n += snprintf(line + n, sizeof(line) - n, " #%u %llu", h,
				      (unsigned long long)d->hypercall_count[h]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(d->io_port_count) && n < sizeof(line); i++)
		if (d->io_port_count[i].key)
			n += snprintf(line + n, sizeof(line) - n, "%s port %#x %llu",
				      i ? "," : "; I/O:", d->io_port_count[i].key - 1,
				      (unsigned long long)d->io_port_count[i].n);
	printk("%s\n", line);
	if (d->gcopy_ops)
		printk("d%u: grant copies by backends: %llu ops, %llu KiB, %llu us in all, %llu us "
		       "of it moving bytes\n",
		       d->domid, (unsigned long long)d->gcopy_ops,
		       (unsigned long long)(d->gcopy_bytes >> 10),
		       (unsigned long long)(d->gcopy_ns / 1000),
		       (unsigned long long)(d->gcopy_move_ns / 1000));
}

int domain_destroy(struct domain *d)
{
	spin_lock(&d->lock);
	if (d->is_privileged || d->is_dying) {
		spin_unlock(&d->lock);
		return d->is_dying ? -ESRCH : -EINVAL;
	}
	d->is_dying = true;
	d->is_shutting_down = true;
	spin_unlock(&d->lock);

	domain_pause(d);
	stop_all_vcpus(d);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			sched_remove_vcpu(d->vcpus[i]);
	evtchn_domain_destroy(d);
	gnttab_domain_destroy(d);
	spin_lock(&domlist_lock);
	domain_list[d->domid] = NULL;
	spin_unlock(&domlist_lock);
	domain_release_memory(d);
	printk("d%u: destroyed\n", d->domid);
	log_exit_counts(d);
	return 0;
}

void domain_free(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		if (d->vcpus[i]) {
			arch_vcpu_destroy(d->vcpus[i]);
			xfree(d->vcpus[i]);
		}
	}
	arch_domain_destroy(d);
	free_page(d->shared_info);
	xfree(d->memmap);
	xfree(d);
}

void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	pr_err("*** d%u crashed: %s ***\n", d->domid, reason);
	if (v)
		arch_vcpu_dump(v);
	domain_shutdown(d, SHUTDOWN_crash);
}
