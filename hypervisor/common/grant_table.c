// SPDX-License-Identifier: GPL-2.0-only
/*
 * Grant tables, version 1: the table frames a guest fills with grants, pin
 * state for granted frames, and grant_table_op (20): map, unmap, copy, sizes.
 */
#include <keel/grant_table.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>

/* Guest frame numbers a 4-level NPT can map (52-bit guest-physical). */
#define MAX_GFN ((1ULL << 40) - 1)
/* A grantee may pin one entry this often per kind before it is refused. */
#define MAX_PINS 0xffffU
/* A granter rewriting an entry under us gets this many tries, then an error. */
#define ENTRY_RETRIES 4
#define MAPTRACK_PER_CHUNK 256
#define MAPTRACK_CHUNKS (GNTTAB_MAX_MAPTRACK / MAPTRACK_PER_CHUNK)
#define MAPTRACK_NONE (~0U)

/* Hypervisor-side state of one grant entry, meaningful while pinned. */
struct active_grant {
	u32 pins_ro; /* read-only maps, and copies reading it now */
	u32 pins_rw; /* writable maps, and copies writing it now */
	domid_t domid; /* the grantee holding the pins */
	paddr_t hpa; /* the granted frame, resolved at the first pin */
};

enum maptrack_state {
	MT_FREE = 0,
	MT_RESERVED, /* a map in progress owns it; unmap says bad_handle */
	MT_INUSE,
};

/* One grant mapping this domain holds; its index is the guest's handle. */
struct maptrack {
	struct grant_table *rgt; /* the granter's table: outlives the granter */
	u64 gfn; /* where it is host-mapped here, or INVALID_GFN */
	paddr_t hpa;
	grant_ref_t ref;
	u32 flags; /* GNTMAP_host_map/device_map still held, GNTMAP_readonly */
	u32 next_free;
	u8 state; /* enum maptrack_state */
};

/*
 * lock protects everything in the table: frames, pin state, maptrack, the
 * dying/orphan marks. It nests outside the p2m lock (arch_p2m_*) and the
 * heap's locks, and inside no other lock.
 *
 * No operation holds two grant-table locks at once: map, unmap and copy pin
 * the granter's entry under the granter's lock, drop it, then touch their
 * own table under their own lock. A future operation that must hold two
 * takes them in ascending domid order.
 *
 * Lifetime: a granter that dies while others still map its grants leaves
 * its table behind as an "orphan", detached from the domain and reachable
 * only from the grantees' maptrack entries; the unpin that drops the last
 * pin frees it. The granted RAM frames are not refcounted (Keel has no page
 * refcounts yet): nothing frees domain RAM today, and the code that will
 * must first gain a page refcount that grant pins take.
 */
struct grant_table {
	spinlock_t lock;
	bool dying; /* destroy started: no new pins, no new frames */
	bool orphan; /* the domain is gone; freed when pins reaches 0 */
	unsigned int nr_frames;
	unsigned long pins; /* sum of all entries' pins_ro + pins_rw */
	grant_entry_v1_t *shared[GNTTAB_MAX_FRAMES]; /* hypervisor pages */
	struct active_grant *active[GNTTAB_MAX_FRAMES];
	u64 frame_gfn[GNTTAB_MAX_FRAMES]; /* where the owner mapped each frame */
	struct maptrack *maptrack[MAPTRACK_CHUNKS];
	unsigned int maptrack_chunks;
	u32 maptrack_free; /* free-list head, MAPTRACK_NONE if empty */
};

static unsigned int nr_entries(const struct grant_table *gt)
{
	return gt->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

static grant_entry_v1_t *shared_entry(struct grant_table *gt, grant_ref_t ref)
{
	return &gt->shared[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

static struct active_grant *active_entry(struct grant_table *gt, grant_ref_t ref)
{
	return &gt->active[ref / GNTTAB_ENTRIES_PER_FRAME][ref % GNTTAB_ENTRIES_PER_FRAME];
}

static struct maptrack *maptrack_entry(struct grant_table *gt, u32 handle)
{
	return &gt->maptrack[handle / MAPTRACK_PER_CHUNK][handle % MAPTRACK_PER_CHUNK];
}

/* ---- table frames ---- */

/* Grow to n frames (n <= GNTTAB_MAX_FRAMES). Frames made stay on failure. */
static int grow_table(struct grant_table *gt, unsigned int n)
{
	while (gt->nr_frames < n) {
		unsigned int i = gt->nr_frames;

		gt->shared[i] = alloc_page();
		gt->active[i] = xzalloc(GNTTAB_ENTRIES_PER_FRAME * sizeof(struct active_grant));
		if (!gt->shared[i] || !gt->active[i]) {
			free_page(gt->shared[i]);
			xfree(gt->active[i]);
			gt->shared[i] = NULL;
			gt->active[i] = NULL;
			return -ENOMEM;
		}
		gt->frame_gfn[i] = INVALID_GFN;
		gt->nr_frames++;
	}
	return 0;
}

static void free_table(struct grant_table *gt)
{
	for (unsigned int i = 0; i < gt->nr_frames; i++) {
		free_page(gt->shared[i]);
		xfree(gt->active[i]);
	}
	for (unsigned int i = 0; i < gt->maptrack_chunks; i++)
		xfree(gt->maptrack[i]);
	xfree(gt);
}

int gnttab_domain_init(struct domain *d)
{
	struct grant_table *gt = xzalloc(sizeof(*gt));

	if (!gt)
		return -ENOMEM;
	spin_lock_init(&gt->lock);
	gt->maptrack_free = MAPTRACK_NONE;
	if (grow_table(gt, GNTTAB_INITIAL_FRAMES)) {
		free_table(gt);
		return -ENOMEM;
	}
	d->grant_table = gt;
	return 0;
}

int gnttab_map_frame(struct domain *d, unsigned long idx, u64 gfn)
{
	struct grant_table *gt = d->grant_table;
	int rc;

	if (!gt || idx >= GNTTAB_MAX_FRAMES || gfn > MAX_GFN)
		return -EINVAL;
	spin_lock(&gt->lock);
	rc = gt->dying ? -EINVAL : grow_table(gt, idx + 1);
	if (rc)
		goto out;
	if (gt->frame_gfn[idx] != INVALID_GFN) {
		enum p2m_type t;
		u64 old = gt->frame_gfn[idx];

		/* Unless the guest mapped something else over it meanwhile. */
		if (arch_p2m_lookup(d, old, &t) == virt_to_phys(gt->shared[idx]) &&
		    t == P2M_GRANT)
			arch_p2m_unmap(d, old, 1);
	}
	/* Mapping over another table frame evicts it from that gfn. */
	for (unsigned int i = 0; i < gt->nr_frames; i++)
		if (gt->frame_gfn[i] == gfn)
			gt->frame_gfn[i] = INVALID_GFN;
	rc = arch_p2m_map(d, gfn, virt_to_phys(gt->shared[idx]), 1, P2M_GRANT);
	gt->frame_gfn[idx] = rc ? INVALID_GFN : gfn;
out:
	spin_unlock(&gt->lock);
	return rc;
}

/* ---- pinning granted entries ---- */

/*
 * The granter may rewrite its entry at any moment, so the type and grantee
 * are checked and our status bits set in one 32-bit cmpxchg over flags and
 * domid (x86 is little-endian: flags are the low half). An entry that keeps
 * changing under us is refused rather than waited for.
 *
 * An entry of another type or grantee, or a write to a read-only grant, is
 * GNTST_general_error, as Xen answers (its _set_status_v1 in
 * common/grant_table.c); xen-pvh-abi.md §7.3 says permission_denied there.
 * Linux's backends only test for GNTST_okay, so either would do; we keep
 * Xen's, which tools and guests written against Xen have seen.
 */
static s16 entry_set_status(grant_entry_v1_t *e, domid_t ldomid, bool readonly)
{
	u32 *word = (u32 *)(void *)e;
	u32 old = __atomic_load_n(word, __ATOMIC_ACQUIRE);

	for (int tries = 0; tries < ENTRY_RETRIES; tries++) {
		u16 flags = (u16)old;
		u32 new = old | GTF_reading | (readonly ? 0 : GTF_writing);

		if ((flags & GTF_type_mask) != GTF_permit_access || (domid_t)(old >> 16) != ldomid)
			return GNTST_general_error;
		if (!readonly && (flags & GTF_readonly))
			return GNTST_general_error;
		if (__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return GNTST_okay;
	}
	return GNTST_general_error;
}

/* Drop the status bits no pin needs any more. Called with gt->lock held. */
static void entry_clear_status(grant_entry_v1_t *e, const struct active_grant *act)
{
	u16 clear = 0;

	if (!act->pins_rw)
		clear |= GTF_writing;
	if (!act->pins_rw && !act->pins_ro)
		clear |= GTF_reading;
	if (clear)
		__atomic_fetch_and(&e->flags, (u16)~clear, __ATOMIC_RELEASE);
}

/*
 * Pin entry ref of rd's table gt (rd->grant_table, read once by the caller,
 * as rd's destroy may clear it) for domain ldomid (read-only or writable) and return the
 * granted host frame. The first pin resolves entry.frame through rd's p2m;
 * later pins reuse that frame, so a granter changing .frame under a mapping
 * changes nothing. GNTST_okay or the op's status.
 */
static s16 pin_grant(struct domain *rd, struct grant_table *gt, grant_ref_t ref,
		     domid_t ldomid, bool readonly, paddr_t *hpa)
{
	struct active_grant *act;
	grant_entry_v1_t *e;
	s16 rc;

	spin_lock(&gt->lock);
	if (gt->dying) {
		rc = GNTST_bad_domain;
		goto out;
	}
	if (ref >= nr_entries(gt)) {
		rc = GNTST_bad_gntref;
		goto out;
	}
	act = active_entry(gt, ref);
	e = shared_entry(gt, ref);
	if ((act->pins_ro || act->pins_rw) &&
	    (act->domid != ldomid || act->pins_ro >= MAX_PINS || act->pins_rw >= MAX_PINS)) {
		rc = GNTST_general_error;
		goto out;
	}
	rc = entry_set_status(e, ldomid, readonly);
	if (rc)
		goto out;
	if (!act->pins_ro && !act->pins_rw) {
		u32 gfn = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
		enum p2m_type t;
		paddr_t pa = arch_p2m_lookup(rd, gfn, &t);

		if (pa == PADDR_INVALID || t != P2M_RAM) {
			entry_clear_status(e, act);
			rc = GNTST_bad_page;
			goto out;
		}
		act->hpa = pa & PAGE_MASK;
		act->domid = ldomid;
	}
	if (readonly)
		act->pins_ro++;
	else
		act->pins_rw++;
	gt->pins++;
	*hpa = act->hpa;
out:
	spin_unlock(&gt->lock);
	return rc;
}

/* Undo one pin_grant(); frees an orphaned table with its last pin. */
static void unpin_grant(struct grant_table *gt, grant_ref_t ref, bool readonly)
{
	struct active_grant *act;
	bool last;

	spin_lock(&gt->lock);
	act = active_entry(gt, ref);
	BUG_ON(readonly ? !act->pins_ro : !act->pins_rw);
	if (readonly)
		act->pins_ro--;
	else
		act->pins_rw--;
	gt->pins--;
	entry_clear_status(shared_entry(gt, ref), act);
	last = gt->orphan && !gt->pins;
	spin_unlock(&gt->lock);
	if (last)
		free_table(gt);
}

/* ---- maptrack: the handles of the mappings a domain holds ---- */

static u32 maptrack_reserve(struct grant_table *gt)
{
	struct maptrack *mt;
	u32 handle = MAPTRACK_NONE;

	spin_lock(&gt->lock);
	if (gt->maptrack_free == MAPTRACK_NONE && gt->maptrack_chunks < MAPTRACK_CHUNKS) {
		struct maptrack *chunk = xzalloc(MAPTRACK_PER_CHUNK * sizeof(*chunk));
		u32 base = gt->maptrack_chunks * MAPTRACK_PER_CHUNK;

		if (chunk) {
			gt->maptrack[gt->maptrack_chunks++] = chunk;
			/* Hand out the new handles lowest first. */
			for (u32 i = MAPTRACK_PER_CHUNK; i-- > 0;) {
				chunk[i].next_free = gt->maptrack_free;
				gt->maptrack_free = base + i;
			}
		}
	}
	if (gt->maptrack_free != MAPTRACK_NONE) {
		handle = gt->maptrack_free;
		mt = maptrack_entry(gt, handle);
		gt->maptrack_free = mt->next_free;
		mt->state = MT_RESERVED;
	}
	spin_unlock(&gt->lock);
	return handle;
}

/* Called with gt->lock held. */
static void maptrack_put(struct grant_table *gt, u32 handle)
{
	struct maptrack *mt = maptrack_entry(gt, handle);

	mt->state = MT_FREE;
	mt->flags = 0;
	mt->rgt = NULL;
	mt->next_free = gt->maptrack_free;
	gt->maptrack_free = handle;
}

static void maptrack_release(struct grant_table *gt, u32 handle)
{
	spin_lock(&gt->lock);
	maptrack_put(gt, handle);
	spin_unlock(&gt->lock);
}

/* Does ld's p2m still show the grant of mt at mt->gfn? */
static bool p2m_holds_grant(struct domain *ld, const struct maptrack *mt)
{
	enum p2m_type t;
	paddr_t pa = arch_p2m_lookup(ld, mt->gfn, &t);

	return pa != PADDR_INVALID && (pa & PAGE_MASK) == mt->hpa &&
	       t == ((mt->flags & GNTMAP_readonly) ? P2M_GRANT_RO : P2M_GRANT);
}

/*
 * Drop a whole mapping of ld: its p2m entry (when edit_p2m and the guest
 * did not map something else over it meanwhile) and its pin.
 */
static void mapping_release(struct domain *ld, u32 handle, bool edit_p2m)
{
	struct grant_table *lgt = ld->grant_table, *rgt;
	struct maptrack *mt;
	grant_ref_t ref;
	bool readonly;

	spin_lock(&lgt->lock);
	mt = maptrack_entry(lgt, handle);
	if (mt->state != MT_INUSE) {
		spin_unlock(&lgt->lock);
		return;
	}
	if (edit_p2m && (mt->flags & GNTMAP_host_map) && p2m_holds_grant(ld, mt))
		arch_p2m_unmap(ld, mt->gfn, 1);
	rgt = mt->rgt;
	ref = mt->ref;
	readonly = mt->flags & GNTMAP_readonly;
	maptrack_put(lgt, handle);
	spin_unlock(&lgt->lock);
	unpin_grant(rgt, ref, readonly);
}

void gnttab_domain_destroy(struct domain *d)
{
	struct grant_table *gt = d->grant_table;
	unsigned long pins;

	if (!gt)
		return;
	spin_lock(&gt->lock);
	gt->dying = true;
	spin_unlock(&gt->lock);
	for (u32 h = 0; h < gt->maptrack_chunks * MAPTRACK_PER_CHUNK; h++)
		mapping_release(d, h, false);

	spin_lock(&gt->lock);
	for (unsigned int i = 0; i < gt->maptrack_chunks; i++)
		xfree(gt->maptrack[i]);
	gt->maptrack_chunks = 0;
	gt->maptrack_free = MAPTRACK_NONE;
	gt->orphan = true;
	pins = gt->pins;
	d->grant_table = NULL;
	spin_unlock(&gt->lock);
	/* With pins left, the last unpin may free gt the moment the lock drops. */
	if (!pins)
		free_table(gt);
	else
		pr_info("d%u: grant table kept for %lu foreign pin(s)\n", d->domid, pins);
}

/* ---- GNTTABOP_map_grant_ref / unmap_grant_ref ---- */

static s16 map_one(struct vcpu *v, struct gnttab_map_grant_ref *op)
{
	struct domain *ld = v->domain, *rd;
	struct grant_table *lgt = ld->grant_table, *rgt;
	bool readonly = op->flags & GNTMAP_readonly;
	struct maptrack *mt;
	paddr_t hpa;
	u32 handle;
	s16 rc;

	if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map)))
		return GNTST_bad_gntref;
	/* PTE-based maps are PV-only; device maps only make sense for dom0. */
	if ((op->flags & (GNTMAP_application_map | GNTMAP_contains_pte)) ||
	    ((op->flags & GNTMAP_device_map) && !ld->is_privileged))
		return GNTST_general_error;
	rd = domain_lookup(op->dom);
	rgt = rd ? rd->grant_table : NULL;
	if (!rgt)
		return GNTST_bad_domain;
	handle = maptrack_reserve(lgt);
	if (handle == MAPTRACK_NONE)
		return GNTST_no_device_space;
	rc = pin_grant(rd, rgt, op->ref, ld->domid, readonly, &hpa);
	if (rc)
		goto err_handle;

	spin_lock(&lgt->lock);
	mt = maptrack_entry(lgt, handle);
	mt->gfn = INVALID_GFN;
	if (op->flags & GNTMAP_host_map) {
		u64 gfn = op->host_addr >> PAGE_SHIFT;
		enum p2m_type t;

		/*
		 * Only an empty slot: replacing RAM (or anything else) would
		 * silently take it from the guest, which Linux never asks for.
		 */
		if (gfn > MAX_GFN || arch_p2m_lookup(ld, gfn, &t) != PADDR_INVALID ||
		    arch_p2m_map(ld, gfn, hpa, 1, readonly ? P2M_GRANT_RO : P2M_GRANT)) {
			rc = GNTST_general_error;
			goto err_unlock;
		}
		mt->gfn = gfn;
	}
	mt->rgt = rgt;
	mt->ref = op->ref;
	mt->hpa = hpa;
	mt->flags = op->flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly);
	mt->state = MT_INUSE;
	spin_unlock(&lgt->lock);
	op->handle = handle;
	/* A host address means something only to identity-mapped dom0. */
	op->dev_bus_addr = ld->is_privileged ? hpa : 0;
	return GNTST_okay;

err_unlock:
	spin_unlock(&lgt->lock);
	unpin_grant(rgt, op->ref, readonly);
err_handle:
	maptrack_release(lgt, handle);
	return rc;
}

/*
 * As in Xen, host_addr 0 leaves a host mapping in place and dev_bus_addr 0 a
 * device mapping; the handle (and the pin) go when neither is left.
 */
static s16 unmap_one(struct vcpu *v, const struct gnttab_unmap_grant_ref *op)
{
	struct domain *ld = v->domain;
	struct grant_table *lgt = ld->grant_table, *rgt = NULL;
	struct maptrack *mt;
	grant_ref_t ref = 0;
	bool readonly = false;
	s16 rc = GNTST_okay;

	spin_lock(&lgt->lock);
	if (op->handle >= lgt->maptrack_chunks * MAPTRACK_PER_CHUNK) {
		rc = GNTST_bad_handle;
		goto out;
	}
	mt = maptrack_entry(lgt, op->handle);
	if (mt->state != MT_INUSE) {
		rc = GNTST_bad_handle;
		goto out;
	}
	if (op->dev_bus_addr && op->dev_bus_addr != mt->hpa) {
		rc = GNTST_general_error;
		goto out;
	}
	if (op->host_addr && (mt->flags & GNTMAP_host_map)) {
		if (op->host_addr >> PAGE_SHIFT != mt->gfn) {
			rc = GNTST_general_error;
			goto out;
		}
		/* The guest may have mapped something else there since. */
		if (p2m_holds_grant(ld, mt))
			arch_p2m_unmap(ld, mt->gfn, 1);
		mt->flags &= ~GNTMAP_host_map;
		mt->gfn = INVALID_GFN;
	}
	if (op->dev_bus_addr)
		mt->flags &= ~GNTMAP_device_map;
	if (!(mt->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
		rgt = mt->rgt;
		ref = mt->ref;
		readonly = mt->flags & GNTMAP_readonly;
		maptrack_put(lgt, op->handle);
	}
out:
	spin_unlock(&lgt->lock);
	/* arch_p2m_unmap() returned: no vCPU of ld reaches the frame any more. */
	if (rgt)
		unpin_grant(rgt, ref, readonly);
	return rc;
}

static long map_grant_refs(struct vcpu *v, u64 uop, u32 count)
{
	for (u32 i = 0; i < count; i++) {
		struct gnttab_map_grant_ref op;
		u64 addr = uop + (u64)i * sizeof(op);

		if (copy_from_guest(v, &op, addr, sizeof(op)))
			return -EFAULT;
		op.status = map_one(v, &op);
		if (copy_to_guest(v, addr, &op, sizeof(op))) {
			/* The guest can never learn this handle: undo the map. */
			if (op.status == GNTST_okay)
				mapping_release(v->domain, op.handle, true);
			return -EFAULT;
		}
	}
	return 0;
}

static long unmap_grant_refs(struct vcpu *v, u64 uop, u32 count)
{
	for (u32 i = 0; i < count; i++) {
		struct gnttab_unmap_grant_ref op;
		u64 addr = uop + (u64)i * sizeof(op);

		if (copy_from_guest(v, &op, addr, sizeof(op)))
			return -EFAULT;
		op.status = unmap_one(v, &op);
		if (copy_to_guest(v, addr + offsetof(struct gnttab_unmap_grant_ref, status),
				  &op.status, sizeof(op.status)))
			return -EFAULT;
	}
	return 0;
}

/* ---- GNTTABOP_copy ---- */

/* One side of a copy: where its bytes are, and the pin to drop after. */
struct copy_side {
	u8 *va;
	struct grant_table *gt; /* NULL: a frame of the caller, nothing pinned */
	grant_ref_t ref;
	bool readonly;
};

static s16 copy_side_get(struct vcpu *v, const struct gnttab_copy_ptr *p, bool is_gref,
			 bool write, struct copy_side *s)
{
	struct domain *ld = v->domain;
	paddr_t hpa;

	s->gt = NULL;
	if (is_gref) {
		struct domain *rd = domain_from_arg(ld, p->domid);
		struct grant_table *rgt = rd ? rd->grant_table : NULL;
		s16 rc;

		if (!rgt)
			return GNTST_bad_domain;
		rc = pin_grant(rd, rgt, p->u.ref, ld->domid, !write, &hpa);
		if (rc)
			return rc;
		s->gt = rgt;
		s->ref = p->u.ref;
		s->readonly = !write;
	} else {
		enum p2m_type t;

		/* Frames by number only of the caller's own memory. */
		if (p->domid != DOMID_SELF && p->domid != ld->domid)
			return GNTST_permission_denied;
		hpa = arch_p2m_lookup(ld, p->u.gmfn, &t);
		if (hpa == PADDR_INVALID || t != P2M_RAM)
			return GNTST_bad_page;
		hpa &= PAGE_MASK;
	}
	s->va = (u8 *)phys_to_virt(hpa) + p->offset;
	return GNTST_okay;
}

static void copy_side_put(const struct copy_side *s)
{
	if (s->gt)
		unpin_grant(s->gt, s->ref, s->readonly);
}

/* The domain whose grant an op names (the one charged for it), or NULL. */
static struct domain *copy_owner(struct vcpu *v, const struct gnttab_copy *op)
{
	if (op->flags & GNTCOPY_source_gref)
		return domain_from_arg(v->domain, op->source.domid);
	if (op->flags & GNTCOPY_dest_gref)
		return domain_from_arg(v->domain, op->dest.domid);
	return NULL;
}

static void charge_copy(struct domain *d, u64 bytes, u64 ns, u64 move_ns)
{
	__atomic_fetch_add(&d->gcopy_ops, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&d->gcopy_bytes, bytes, __ATOMIC_RELAXED);
	__atomic_fetch_add(&d->gcopy_ns, ns, __ATOMIC_RELAXED);
	__atomic_fetch_add(&d->gcopy_move_ns, move_ns, __ATOMIC_RELAXED);
}

static s16 copy_one(struct vcpu *v, const struct gnttab_copy *op, u64 *move_ns)
{
	struct copy_side src, dst;
	s16 rc;

	if ((u32)op->source.offset + op->len > PAGE_SIZE ||
	    (u32)op->dest.offset + op->len > PAGE_SIZE)
		return GNTST_bad_copy_arg;
	rc = copy_side_get(v, &op->source, op->flags & GNTCOPY_source_gref, false, &src);
	if (rc)
		return rc;
	rc = copy_side_get(v, &op->dest, op->flags & GNTCOPY_dest_gref, true, &dst);
	if (!rc) {
		u64 t0 = arch_now_ns();

		/* Both sides may be the same frame. */
		memmove(dst.va, src.va, op->len);
		*move_ns = arch_now_ns() - t0;
		copy_side_put(&dst);
	}
	copy_side_put(&src);
	return rc;
}

/* One op of a GNTTABOP_copy batch, at addr in the caller's memory. */
static long grant_copy_at(struct vcpu *v, u64 addr)
{
	struct gnttab_copy op;
	u64 t0 = arch_now_ns(), move_ns = 0;
	struct domain *owner;
	int rc;

	if (copy_from_guest(v, &op, addr, sizeof(op)))
		return -EFAULT;
	op.status = copy_one(v, &op, &move_ns);
	rc = copy_to_guest(v, addr + offsetof(struct gnttab_copy, status), &op.status,
			   sizeof(op.status));
	owner = copy_owner(v, &op);
	if (owner)
		charge_copy(owner, op.status == GNTST_okay ? op.len : 0, arch_now_ns() - t0,
			    move_ns);
	return rc ? -EFAULT : 0;
}

static long grant_copies(struct vcpu *v, u64 uop, u32 count)
{
	long rc = 0;

	/* A backend's batch: each op's read and status write would walk the
	 * guest's page tables again for the same page of the array. */
	guest_walk_cache_begin(v);
	for (u32 i = 0; i < count && !rc; i++)
		rc = grant_copy_at(v, uop + (u64)i * sizeof(struct gnttab_copy));
	guest_walk_cache_end(v);
	return rc;
}

/* ---- table size and version ---- */

/* The domain a size/setup op names, or a GNTST_* status in *status. */
static struct domain *sized_domain(struct vcpu *v, domid_t dom, s16 *status)
{
	struct domain *d = domain_from_arg(v->domain, dom);

	if (!d || !d->grant_table) {
		*status = GNTST_bad_domain;
		return NULL;
	}
	if (d != v->domain && !v->domain->is_privileged) {
		*status = GNTST_permission_denied;
		return NULL;
	}
	*status = GNTST_okay;
	return d;
}

static long query_size(struct vcpu *v, u64 uop, u32 count)
{
	struct gnttab_query_size q;
	struct domain *d;

	if (count != 1)
		return -EINVAL;
	if (copy_from_guest(v, &q, uop, sizeof(q)))
		return -EFAULT;
	d = sized_domain(v, q.dom, &q.status);
	if (d) {
		spin_lock(&d->grant_table->lock);
		q.nr_frames = d->grant_table->nr_frames;
		spin_unlock(&d->grant_table->lock);
		q.max_nr_frames = GNTTAB_MAX_FRAMES;
	}
	return copy_to_guest(v, uop, &q, sizeof(q)) ? -EFAULT : 0;
}

/*
 * PV guests learn their frames here; an auto-translated one maps them with
 * add_to_physmap instead, so it gets the GFN where each frame is mapped
 * (INVALID_GFN where it is not), as Xen answers translated callers.
 */
static long setup_table(struct vcpu *v, u64 uop, u32 count)
{
	struct gnttab_setup_table op;
	u64 gfns[GNTTAB_MAX_FRAMES];
	struct domain *d;

	if (count != 1)
		return -EINVAL;
	if (copy_from_guest(v, &op, uop, sizeof(op)))
		return -EFAULT;
	d = sized_domain(v, op.dom, &op.status);
	if (d && op.nr_frames > GNTTAB_MAX_FRAMES)
		op.status = GNTST_general_error;
	if (d && op.status == GNTST_okay) {
		struct grant_table *gt = d->grant_table;
		int rc;

		spin_lock(&gt->lock);
		rc = gt->dying ? -EINVAL : grow_table(gt, op.nr_frames);
		for (unsigned int i = 0; i < op.nr_frames && !rc; i++)
			gfns[i] = gt->frame_gfn[i];
		spin_unlock(&gt->lock);
		if (rc)
			op.status = GNTST_general_error;
		for (unsigned int i = 0; i < op.nr_frames && !rc; i++)
			if (copy_to_guest(v, op.frame_list + i * sizeof(u64), &gfns[i],
					  sizeof(u64)))
				op.status = GNTST_bad_virt_addr;
	}
	return copy_to_guest(v, uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/* Only version 1 exists here; asking for 2 answers as a Xen limited to v1 does. */
static long set_version(struct vcpu *v, u64 uop)
{
	struct gnttab_set_version op;
	long rc;

	if (copy_from_guest(v, &op, uop, sizeof(op)))
		return -EFAULT;
	if (op.version == 1)
		rc = 0;
	else if (op.version == 2)
		rc = -ENOSYS;
	else
		rc = -EINVAL;
	op.version = 1;
	return copy_to_guest(v, uop, &op, sizeof(op)) ? -EFAULT : rc;
}

static long get_version(struct vcpu *v, u64 uop)
{
	struct gnttab_get_version op;
	struct domain *d;

	if (copy_from_guest(v, &op, uop, sizeof(op)))
		return -EFAULT;
	d = domain_from_arg(v->domain, op.dom);
	if (!d || !d->grant_table)
		return -ESRCH;
	if (d != v->domain && !v->domain->is_privileged)
		return -EPERM;
	op.version = 1;
	return copy_to_guest(v, uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/*
 * Batches are processed whole, without continuations: a long batch keeps
 * this pCPU (the caller's own, vCPUs being pinned) busy but holds no lock
 * across guest copies. Per-op errors go to each op's status; the call
 * itself fails only when the op array cannot be read or written.
 */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 uop, u64 count, u64 a4, u64 a5)
{
	u32 n = (u32)count; /* the ABI's unsigned int */

	(void)a4, (void)a5;
	if (!v->domain->grant_table)
		return -ENOSYS;
	if (n > 0x7fffffffU) /* Xen refuses counts negative as an int */
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_map_grant_ref:
		return map_grant_refs(v, uop, n);
	case GNTTABOP_unmap_grant_ref:
		return unmap_grant_refs(v, uop, n);
	case GNTTABOP_copy:
		return grant_copies(v, uop, n);
	case GNTTABOP_setup_table:
		return setup_table(v, uop, n);
	case GNTTABOP_query_size:
		return query_size(v, uop, n);
	case GNTTABOP_set_version:
		return set_version(v, uop);
	case GNTTABOP_get_version:
		return get_version(v, uop);
	default:
		return -ENOSYS;
	}
}
