// SPDX-License-Identifier: GPL-2.0-only
/*
 * memory_op (12): a domain's guest-physical map. Guests map shared_info and
 * grant frames, read their memory map and balloon (populate_physmap,
 * decrease_reservation); dom0 also populates other domains, sets their memory
 * map and maps their frames into its own space (gmfn_foreign) to build them.
 */
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/grant_table.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/page_owner.h>
#include <keel/xmalloc.h>
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

static bool release_ram_page(struct domain *d, u64 gfn);

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
	/* A frame mapped over the domain's own RAM replaces it: the RAM page
	 * goes back to the pool, as in Xen (Linux maps shared_info that way). */
	if ((xatp.space == XENMAPSPACE_shared_info || xatp.space == XENMAPSPACE_grant_table) &&
	    xatp.gpfn <= MAX_GFN)
		release_ram_page(d, xatp.gpfn);
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

/* The domain a memory_op names: the caller, or any other if it is dom0. */
static struct domain *target(struct vcpu *v, domid_t domid, long *rc)
{
	struct domain *d = domain_from_arg(v->domain, domid);

	*rc = 0;
	if (!d)
		*rc = -ESRCH;
	else if (d != v->domain && !v->domain->is_privileged)
		*rc = -EPERM;
	else if (d->is_dying)
		*rc = -EINVAL;
	return *rc ? NULL : d;
}

/* Free one guest RAM page at gfn (decrease_reservation, destroy). */
static bool release_ram_page(struct domain *d, u64 gfn)
{
	enum p2m_type t;
	paddr_t hpa = arch_p2m_lookup(d, gfn, &t);

	if (hpa == PADDR_INVALID || t != P2M_RAM || page_get_owner(hpa) != d->domid)
		return false;
	arch_p2m_unmap(d, gfn, 1);
	page_set_owner(hpa, PAGE_OWNER_NONE);
	free_pages(hpa, 0);
	__atomic_fetch_sub(&d->tot_pages, 1, __ATOMIC_RELAXED);
	return true;
}

/* Give d a zeroed page of RAM at gfn; the page is d's until released. */
static int populate_page(struct domain *d, u64 gfn)
{
	enum p2m_type t;
	void *page;
	int rc;

	if (gfn > MAX_GFN)
		return -EINVAL;
	if (arch_p2m_lookup(d, gfn, &t) != PADDR_INVALID)
		return -EEXIST;
	if (__atomic_add_fetch(&d->tot_pages, 1, __ATOMIC_RELAXED) > d->max_pages) {
		__atomic_fetch_sub(&d->tot_pages, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	page = alloc_page();
	if (!page) {
		__atomic_fetch_sub(&d->tot_pages, 1, __ATOMIC_RELAXED);
		return -ENOMEM;
	}
	page_set_owner(virt_to_phys(page), d->domid);
	rc = arch_p2m_map(d, gfn, virt_to_phys(page), 1, P2M_RAM);
	if (rc) {
		page_set_owner(virt_to_phys(page), PAGE_OWNER_NONE);
		free_page(page);
		__atomic_fetch_sub(&d->tot_pages, 1, __ATOMIC_RELAXED);
	}
	return rc;
}

/*
 * populate_physmap / decrease_reservation: extents of 2^order frames at the
 * GFNs listed. Returns how many extents were done (Xen's convention: the
 * caller compares with nr_extents), or -errno if none could be.
 */
/* Extents done so far ride in the command's upper bits (Xen's encoding). */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1ULL << MEMOP_EXTENT_SHIFT) - 1)
#define MEMOP_SLICE_NS 2000000ULL /* then let the caller take its interrupts */

static long reservation(struct vcpu *v, u64 cmd, u64 arg)
{
	struct xen_memory_reservation r;
	struct domain *d;
	long rc;
	u64 done = cmd >> MEMOP_EXTENT_SHIFT, t0 = arch_now_ns();

	if (copy_from_guest(v, &r, arg, sizeof(r)))
		return -EFAULT;
	d = target(v, r.domid, &rc);
	if (!d)
		return rc;
	if (r.extent_order > 9 || r.nr_extents > (1ULL << 20))
		return -EINVAL;
	cmd &= MEMOP_CMD_MASK;
	if (d->is_privileged && cmd == XENMEM_populate_physmap)
		return -EPERM; /* dom0's RAM is the machine's, identity-mapped */
	if (done > r.nr_extents)
		return -EINVAL;
	for (; done < r.nr_extents; done++) {
		xen_pfn_t gfn;
		u64 n = 1ULL << r.extent_order;

		if (arch_now_ns() - t0 > MEMOP_SLICE_NS && done < (1ULL << (64 - MEMOP_EXTENT_SHIFT))) {
			hypercall_set_arg(v, 0, cmd | (done << MEMOP_EXTENT_SHIFT));
			return HYPERCALL_RESTART;
		}

		if (copy_from_guest(v, &gfn, r.extent_start + done * sizeof(gfn), sizeof(gfn)))
			return done ? (long)done : -EFAULT;
		if (gfn & (n - 1))
			return done ? (long)done : -EINVAL;
		for (u64 i = 0; i < n; i++) {
			if (cmd == XENMEM_populate_physmap) {
				rc = populate_page(d, gfn + i);
				if (rc) {
					/* undo the partial extent: all or nothing per extent */
					while (i--)
						release_ram_page(d, gfn + i);
					return done ? (long)done : rc;
				}
			} else if (!release_ram_page(d, gfn + i) && !d->is_privileged) {
				return done ? (long)done : -EINVAL;
			}
		}
	}
	return (long)done;
}

static long reservation_size(struct vcpu *v, u64 cmd, u64 arg)
{
	domid_t domid;
	struct domain *d;
	long rc;

	if (copy_from_guest(v, &domid, arg, sizeof(domid)))
		return -EFAULT;
	d = target(v, domid, &rc);
	if (!d)
		return rc;
	return (long)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
}

#define MAX_MEMMAP_ENTRIES 128

static long set_memory_map(struct vcpu *v, u64 arg)
{
	struct xen_foreign_memory_map fmap;
	struct e820_packed *map, *old;
	struct domain *d;
	long rc;

	if (!v->domain->is_privileged)
		return -EPERM;
	if (copy_from_guest(v, &fmap, arg, sizeof(fmap)))
		return -EFAULT;
	d = target(v, fmap.domid, &rc);
	if (!d)
		return rc;
	if (d == v->domain || !fmap.map.nr_entries || fmap.map.nr_entries > MAX_MEMMAP_ENTRIES)
		return -EINVAL;
	map = xmalloc(fmap.map.nr_entries * sizeof(*map));
	if (!map)
		return -ENOMEM;
	if (copy_from_guest(v, map, fmap.map.buffer, fmap.map.nr_entries * sizeof(*map))) {
		xfree(map);
		return -EFAULT;
	}
	spin_lock(&d->lock);
	old = d->memmap;
	d->memmap = map;
	d->nr_memmap = fmap.map.nr_entries;
	spin_unlock(&d->lock);
	xfree(old);
	return 0;
}

/* dom0 maps frames of another domain at its own GFNs (building it, consoles). */
static int map_foreign_frame(struct domain *self, struct domain *fd, u64 idx, u64 gpfn)
{
	enum p2m_type t;
	paddr_t hpa, cur;

	if (gpfn > MAX_GFN)
		return -EINVAL;
	hpa = arch_p2m_lookup(fd, idx, &t);
	if (hpa == PADDR_INVALID || t != P2M_RAM)
		return -ENOENT;
	cur = arch_p2m_lookup(self, gpfn, &t);
	if (cur != PADDR_INVALID && t == P2M_RAM)
		return -EBUSY; /* never hide dom0's own RAM behind a foreign frame */
	return arch_p2m_map(self, gpfn, hpa, 1, P2M_FOREIGN);
}

static long add_to_physmap_batch(struct vcpu *v, u64 arg)
{
	struct xen_add_to_physmap_batch b;
	struct domain *d, *fd;
	long rc;

	if (copy_from_guest(v, &b, arg, sizeof(b)))
		return -EFAULT;
	d = target(v, b.domid, &rc);
	if (!d)
		return rc;
	if (b.space != XENMAPSPACE_gmfn_foreign)
		return -EOPNOTSUPP;
	if (d != v->domain || !d->is_privileged)
		return -EPERM;
	fd = domain_lookup(b.foreign_domid);
	if (!fd)
		return -ESRCH;
	if (fd == d || fd->is_dying)
		return -EINVAL;
	for (unsigned int i = 0; i < b.size; i++) {
		xen_ulong_t idx;
		xen_pfn_t gpfn;
		int err;

		if (copy_from_guest(v, &idx, b.idxs + i * sizeof(idx), sizeof(idx)) ||
		    copy_from_guest(v, &gpfn, b.gpfns + i * sizeof(gpfn), sizeof(gpfn)))
			return -EFAULT;
		err = map_foreign_frame(d, fd, idx, gpfn);
		if (copy_to_guest(v, b.errs + i * sizeof(err), &err, sizeof(err)))
			return -EFAULT;
	}
	return 0;
}

static long remove_from_physmap(struct vcpu *v, u64 arg)
{
	struct xen_remove_from_physmap xrfp;
	struct domain *d;
	enum p2m_type t;
	long rc;

	if (copy_from_guest(v, &xrfp, arg, sizeof(xrfp)))
		return -EFAULT;
	d = target(v, xrfp.domid, &rc);
	if (!d)
		return rc;
	if (xrfp.gpfn > MAX_GFN)
		return -EINVAL;
	spin_lock(&d->lock);
	if (arch_p2m_lookup(d, xrfp.gpfn, &t) == PADDR_INVALID) {
		rc = 0; /* already gone (e.g. revoked when its owner died) */
	} else if (t == P2M_FOREIGN) {
		rc = arch_p2m_unmap(d, xrfp.gpfn, 1);
	} else if (t == P2M_SHARED_INFO) {
		rc = arch_p2m_unmap(d, xrfp.gpfn, 1);
		d->shared_info_gfn = INVALID_GFN;
	} else {
		rc = -EINVAL; /* RAM goes through decrease_reservation */
	}
	spin_unlock(&d->lock);
	return rc;
}

static bool free_owned_ram(void *ctx, u64 gfn, paddr_t hpa, u64 nr, enum p2m_type t)
{
	struct domain *d = ctx;

	(void)gfn;
	if (t != P2M_RAM || nr != 1 || page_get_owner(hpa) != d->domid)
		return false;
	page_set_owner(hpa, PAGE_OWNER_NONE);
	free_pages(hpa, 0);
	d->tot_pages--;
	return true;
}

/* Another domain's mapping of one of the dying domain's pages. */
static bool revoke_mapping(void *ctx, u64 gfn, paddr_t hpa, u64 nr, enum p2m_type t)
{
	struct domain *dying = ctx;

	(void)gfn;
	return nr == 1 && (t == P2M_FOREIGN || t == P2M_GRANT || t == P2M_GRANT_RO) &&
	       page_get_owner(hpa) == dying->domid;
}

void domain_release_memory(struct domain *d)
{
	/* First nobody else may reach the pages, then they go back to the pool. */
	for (domid_t id = 0; id < MAX_DOMAINS; id++) {
		struct domain *o = domain_lookup(id);

		if (o && o != d)
			arch_p2m_walk(o, revoke_mapping, d);
	}
	arch_p2m_walk(d, free_owned_ram, d);
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
	switch (cmd & MEMOP_CMD_MASK) {
	case XENMEM_populate_physmap:
	case XENMEM_decrease_reservation:
		return reservation(v, cmd, arg);
	default:
		break;
	}
	if (cmd >> MEMOP_EXTENT_SHIFT)
		return -ENOSYS; /* only the reservation ops take a start extent */
	switch (cmd) {
	case XENMEM_add_to_physmap:
		return add_to_physmap(v, arg);
	case XENMEM_memory_map:
		return memory_map(v, arg);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
		return reservation_size(v, cmd, arg);
	case XENMEM_set_memory_map:
		return set_memory_map(v, arg);
	case XENMEM_add_to_physmap_batch:
		return add_to_physmap_batch(v, arg);
	case XENMEM_remove_from_physmap:
		return remove_from_physmap(v, arg);
	default:
		return -ENOSYS;
	}
}
