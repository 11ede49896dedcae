// SPDX-License-Identifier: GPL-2.0-only
/*
 * memory_op (12): what a PVH guest needs of its guest-physical map so far —
 * mapping the shared_info page (add_to_physmap) and reading its memory map.
 */
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <public/memory.h>

/* Guest frame numbers above this cannot be mapped by a 4-level NPT (52-bit). */
#define MAX_GFN ((1ULL << 40) - 1)

static long map_shared_info(struct domain *d, u64 idx, u64 gfn)
{
	int rc;

	if (idx != 0 || gfn > MAX_GFN)
		return -EINVAL;
	spin_lock(&d->lock);
	if (d->shared_info_gfn != INVALID_GFN)
		arch_p2m_unmap(d, d->shared_info_gfn, 1);
	rc = arch_p2m_map(d, gfn, virt_to_phys(d->shared_info), 1, P2M_SHARED_INFO);
	d->shared_info_gfn = rc ? INVALID_GFN : gfn;
	spin_unlock(&d->lock);
	if (rc)
		return rc;
	/* The guest reads vCPU 0's pvclock the moment this returns. */
	domain_update_wallclock(d);
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			arch_update_vcpu_time(d->vcpus[i]);
	return 0;
}

static long add_to_physmap(struct vcpu *v, u64 arg)
{
	struct xen_add_to_physmap xatp;
	struct domain *d;

	if (copy_from_guest(v, &xatp, arg, sizeof(xatp)))
		return -EFAULT;
	d = domain_from_arg(v->domain, xatp.domid);
	if (!d)
		return -ESRCH;
	if (d != v->domain && !v->domain->is_privileged)
		return -EPERM;
	switch (xatp.space) {
	case XENMAPSPACE_shared_info:
		return map_shared_info(d, xatp.idx, xatp.gpfn);
	case XENMAPSPACE_grant_table:
		/* v2 status frames: only version 1 tables exist here. */
		if (xatp.idx & XENMAPIDX_grant_table_status)
			return -EINVAL;
		return gnttab_map_frame(d, xatp.idx, xatp.gpfn);
	default:
		return -EINVAL;
	}
}

static long memory_map(struct vcpu *v, u64 arg)
{
	struct xen_memory_map map;
	const struct e820_packed *e820;
	unsigned int nr = domain_memory_map(v->domain, &e820);

	if (copy_from_guest(v, &map, arg, sizeof(map)))
		return -EFAULT;
	if (map.nr_entries < nr)
		return -ENOBUFS;
	if (copy_to_guest(v, map.buffer, e820, nr * sizeof(*e820)))
		return -EFAULT;
	map.nr_entries = nr;
	return copy_to_guest(v, arg, &map, sizeof(map)) ? -EFAULT : 0;
}

long do_memory_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	(void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, arg);
	case XENMEM_memory_map:
		return memory_map(v, arg);
	default:
		return -ENOSYS;
	}
}
