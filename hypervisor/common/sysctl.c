// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysctl (35): what dom0's toolstack asks about the machine as a whole —
 * the domain list, CPUs and memory, the hypervisor's log ring. Xen 4.17's
 * numbers and layouts (public/sysctl.h); only dom0 gets in.
 */
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/page_alloc.h>
#include <public/sysctl.h>

static long readconsole(struct vcpu *v, struct xen_sysctl_readconsole *rc)
{
	char buf[256];
	u64 pos = rc->incremental ? rc->index : 0;
	u32 done = 0;

	while (done < rc->count) {
		size_t n = console_log_read(buf, MIN(sizeof(buf), (size_t)(rc->count - done)), &pos,
					    false);

		if (!n)
			break;
		if (copy_to_guest(v, rc->buffer + done, buf, n))
			return -EFAULT;
		done += (u32)n;
	}
	if (rc->clear)
		console_log_read(buf, 0, &pos, true);
	rc->count = done;
	rc->index = (u32)pos;
	return 0;
}

static long getdomaininfolist(struct vcpu *v, struct xen_sysctl_getdomaininfolist *l)
{
	struct xen_domctl_getdomaininfo info;
	u32 n = 0;
	unsigned int id = l->first_domain;

	while (n < l->max_domains && id < MAX_DOMAINS) {
		struct domain *d = domain_next((domid_t)id);

		if (!d)
			break;
		domain_getinfo(d, &info);
		if (copy_to_guest(v, l->buffer + n * sizeof(info), &info, sizeof(info)))
			return -EFAULT;
		n++;
		id = d->domid + 1U;
	}
	l->num_domains = n;
	return 0;
}

static void physinfo(struct xen_sysctl_physinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->threads_per_core = 1;
	pi->cores_per_socket = arch_nr_cpus();
	pi->nr_cpus = arch_nr_cpus();
	pi->max_cpu_id = arch_nr_cpus() - 1;
	pi->nr_nodes = 1;
	pi->cpu_khz = (u32)arch_cpu_khz();
	pi->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap |
			   XEN_SYSCTL_PHYSCAP_directio | XEN_SYSCTL_PHYSCAP_gnttab_v1;
	pi->total_pages = page_alloc_total_count();
	pi->free_pages = page_alloc_free_count();
	pi->max_mfn = page_alloc_end_pfn() - 1;
}

long do_sysctl(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct xen_sysctl op;
	long rc;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;
	switch (op.cmd) {
	case XEN_SYSCTL_readconsole:
		rc = readconsole(v, &op.u.readconsole);
		break;
	case XEN_SYSCTL_physinfo:
		physinfo(&op.u.physinfo);
		rc = 0;
		break;
	case XEN_SYSCTL_sched_id:
		op.u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;
		rc = 0;
		break;
	case XEN_SYSCTL_getdomaininfolist:
		rc = getdomaininfolist(v, &op.u.getdomaininfolist);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!rc && copy_to_guest(v, arg, &op, sizeof(op)))
		rc = -EFAULT;
	return rc;
}
