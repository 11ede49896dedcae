// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for v1 grant tables: table frames, sizes and versions, map and
 * unmap with their flags and errors, copy in every direction, revocation,
 * domain destroy with orphaned tables, and a random run against a model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* White-box: the tests look at pins, locks and the maptrack from inside. */
#include "../../hypervisor/common/grant_table.c"

/* ---- the hypervisor environment, faked ---- */

/* Each fake domain's guest-physical space: RAM, table frames, map slots. */
#define P2M_SLOTS 0x2000
#define RAM_GFN 0x100 /* RAM_PAGES pages of ordinary RAM from here */
#define RAM_PAGES 16
#define TABLE_GFN 0x800 /* where tests map table frames */
#define SLOT_GFN 0x1000 /* empty space for grant maps */

struct fake_p2m {
	paddr_t hpa[P2M_SLOTS];
	u8 type[P2M_SLOTS];
};

static struct domain *doms[MAX_DOMAINS];
static struct fake_p2m p2m[MAX_DOMAINS];
static u8 *ram[MAX_DOMAINS][RAM_PAGES];
static int fail_copy_from, fail_copy_to, fail_alloc, fail_page, fail_p2m_map;
static long live_pages, live_objs;
static unsigned int p2m_unmaps;

static void assert_no_grant_lock_held(void)
{
	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		if (doms[i] && doms[i]->grant_table)
			assert_false(doms[i]->grant_table->lock.held);
}

static bool fail_now(int *countdown)
{
	return *countdown && --*countdown == 0;
}

/* Guest addresses are host pointers here. */
int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
	(void)v;
	assert_no_grant_lock_held();
	if (fail_now(&fail_copy_from))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
	(void)v;
	assert_no_grant_lock_held();
	if (fail_now(&fail_copy_to))
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

void *xmalloc(size_t size)
{
	void *p = fail_now(&fail_alloc) ? NULL : malloc(size ? size : 1);

	live_objs += !!p;
	return p;
}

void *xzalloc(size_t size)
{
	void *p = fail_now(&fail_alloc) ? NULL : calloc(1, size ? size : 1);

	live_objs += !!p;
	return p;
}

void xfree(void *p)
{
	live_objs -= !!p;
	free(p);
}

void *alloc_page(void)
{
	void *p;

	if (fail_now(&fail_page))
		return NULL;
	p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(p);
	memset(p, 0, PAGE_SIZE);
	live_pages++;
	return p;
}

void free_page(void *va)
{
	if (!va)
		return;
	live_pages--;
	free(va);
}

int arch_p2m_map(struct domain *d, u64 gfn, paddr_t hpa, u64 nr, enum p2m_type t)
{
	assert_int_equal(nr, 1);
	assert_true(IS_ALIGNED(hpa, PAGE_SIZE));
	if (fail_now(&fail_p2m_map) || gfn >= P2M_SLOTS)
		return -ENOMEM;
	p2m[d->domid].hpa[gfn] = hpa;
	p2m[d->domid].type[gfn] = (u8)t;
	return 0;
}

int arch_p2m_unmap(struct domain *d, u64 gfn, u64 nr)
{
	assert_int_equal(nr, 1);
	p2m_unmaps++;
	if (gfn < P2M_SLOTS)
		p2m[d->domid].type[gfn] = P2M_INVALID;
	return 0;
}

/* GNTTABOP_copy brackets its batch with these; every exit path must close it. */
static bool walk_cache_on;

void guest_walk_cache_begin(struct vcpu *v)
{
	(void)v;
	assert_false(walk_cache_on);
	walk_cache_on = true;
}

void guest_walk_cache_end(struct vcpu *v)
{
	(void)v;
	assert_true(walk_cache_on);
	walk_cache_on = false;
}

/* A clock that moves 1 us per reading: every timed span is positive. */
u64 arch_now_ns(void)
{
	static u64 t;

	return t += 1000;
}

paddr_t arch_p2m_lookup(struct domain *d, u64 gfn, enum p2m_type *t)
{
	if (gfn >= P2M_SLOTS || p2m[d->domid].type[gfn] == P2M_INVALID)
		return PADDR_INVALID;
	*t = (enum p2m_type)p2m[d->domid].type[gfn];
	return p2m[d->domid].hpa[gfn];
}

struct domain *domain_lookup(domid_t domid)
{
	return domid < MAX_DOMAINS ? doms[domid] : NULL;
}

struct domain *domain_from_arg(struct domain *caller, domid_t domid)
{
	if (domid == DOMID_SELF || domid == caller->domid)
		return caller;
	return domain_lookup(domid);
}

static struct domain *mkdom(domid_t id, bool priv)
{
	struct domain *d = calloc(1, sizeof(*d));
	struct vcpu *v = calloc(1, sizeof(*v));

	assert_non_null(d);
	assert_non_null(v);
	assert_null(doms[id]);
	d->domid = id;
	d->is_privileged = priv;
	d->max_vcpus = 1;
	v->domain = d;
	v->state = VCPU_RUNNABLE;
	d->vcpus[0] = v;
	memset(&p2m[id], 0, sizeof(p2m[id]));
	for (unsigned int i = 0; i < RAM_PAGES; i++) {
		ram[id][i] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		assert_non_null(ram[id][i]);
		memset(ram[id][i], 0, PAGE_SIZE);
		p2m[id].hpa[RAM_GFN + i] = virt_to_phys(ram[id][i]);
		p2m[id].type[RAM_GFN + i] = P2M_RAM;
	}
	assert_int_equal(gnttab_domain_init(d), 0);
	doms[id] = d;
	return d;
}

/*
 * The destroy path: the domain leaves the list, its grant state goes. RAM
 * stays allocated while another domain may still map it (an orphan table);
 * the test frees it at the end, as the future page refcounts will.
 */
static u8 *orphan_ram[MAX_DOMAINS * 4][RAM_PAGES];
static unsigned int nr_orphan_ram;

static void rmdom(struct domain *d)
{
	domid_t id = d->domid;

	gnttab_domain_destroy(d);
	assert_null(d->grant_table);
	doms[id] = NULL;
	assert_true(nr_orphan_ram < ARRAY_SIZE(orphan_ram));
	memcpy(orphan_ram[nr_orphan_ram++], ram[id], sizeof(ram[id]));
	memset(ram[id], 0, sizeof(ram[id]));
	free(d->vcpus[0]);
	free(d);
}

static int setup(void **state)
{
	(void)state;
	live_pages = live_objs = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fail_copy_from = fail_copy_to = fail_alloc = fail_page = fail_p2m_map = 0;
	/* Grantees first would also work; any order must free everything. */
	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		if (doms[i])
			rmdom(doms[i]);
	for (unsigned int i = 0; i < nr_orphan_ram; i++)
		for (unsigned int j = 0; j < RAM_PAGES; j++)
			free(orphan_ram[i][j]);
	nr_orphan_ram = 0;
	assert_int_equal(live_pages, 0);
	assert_int_equal(live_objs, 0);
	return 0;
}

/* ---- hypercall wrappers ---- */

static long gop(struct domain *d, unsigned int cmd, void *arg, u64 count)
{
	long rc = do_grant_table_op(d->vcpus[0], cmd, (u64)(uintptr_t)arg, count, 0, 0);

	assert_no_grant_lock_held();
	return rc;
}

static grant_entry_v1_t *gent(struct domain *d, grant_ref_t ref)
{
	return shared_entry(d->grant_table, ref);
}

/* The granter's side, as Linux's gnttab_update_entry_v1 writes it. */
static void grant(struct domain *d, grant_ref_t ref, domid_t to, u32 gfn, u16 flags)
{
	grant_entry_v1_t *e = gent(d, ref);

	e->frame = gfn;
	e->domid = to;
	__atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
}

/* Linux's gnttab_end_foreign_access_ref_v1: revoke only if not in use. */
static bool end_access(struct domain *d, grant_ref_t ref)
{
	u16 *pflags = &gent(d, ref)->flags;
	u16 flags = __atomic_load_n(pflags, __ATOMIC_ACQUIRE);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(pflags, &flags, 0, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return true;
}

static u16 gflags(struct domain *d, grant_ref_t ref)
{
	return gent(d, ref)->flags;
}

static struct gnttab_map_grant_ref map_op(domid_t dom, grant_ref_t ref, u32 flags, u64 gfn)
{
	struct gnttab_map_grant_ref m = {
		.host_addr = gfn << PAGE_SHIFT, .flags = flags, .ref = ref, .dom = dom,
		.status = 0x55, .handle = 0xdeadbeef, .dev_bus_addr = 0x1234,
	};

	return m;
}

/* One map op; returns its status, the handle through *handle. */
static s16 map1(struct domain *c, domid_t dom, grant_ref_t ref, u32 flags, u64 gfn,
		u32 *handle)
{
	struct gnttab_map_grant_ref m = map_op(dom, ref, flags, gfn);

	assert_int_equal(gop(c, GNTTABOP_map_grant_ref, &m, 1), 0);
	if (handle)
		*handle = m.handle;
	if (m.status)
		assert_int_equal(m.handle, 0xdeadbeef); /* untouched on failure */
	return m.status;
}

static u32 map_ok(struct domain *c, domid_t dom, grant_ref_t ref, u32 flags, u64 gfn)
{
	u32 h;

	assert_int_equal(map1(c, dom, ref, flags, gfn, &h), GNTST_okay);
	return h;
}

static s16 unmap1(struct domain *c, u32 handle, u64 gfn, u64 bus)
{
	struct gnttab_unmap_grant_ref u = {
		.host_addr = gfn << PAGE_SHIFT, .dev_bus_addr = bus, .handle = handle,
		.status = 0x55,
	};

	assert_int_equal(gop(c, GNTTABOP_unmap_grant_ref, &u, 1), 0);
	return u.status;
}

static struct gnttab_copy_ptr gref_ptr(domid_t dom, grant_ref_t ref, u16 off)
{
	struct gnttab_copy_ptr p = { .u.ref = ref, .domid = dom, .offset = off };

	return p;
}

static struct gnttab_copy_ptr gmfn_ptr(u64 gmfn, u16 off)
{
	struct gnttab_copy_ptr p = { .u.gmfn = gmfn, .domid = DOMID_SELF, .offset = off };

	return p;
}

static s16 copy1(struct domain *c, struct gnttab_copy_ptr src, struct gnttab_copy_ptr dst,
		 u16 len, u16 flags)
{
	struct gnttab_copy op = { .source = src, .dest = dst, .len = len, .flags = flags,
				  .status = 0x55 };

	assert_int_equal(gop(c, GNTTABOP_copy, &op, 1), 0);
	return op.status;
}

static unsigned int pins(struct domain *d, grant_ref_t ref)
{
	struct active_grant *a = active_entry(d->grant_table, ref);

	return a->pins_ro + a->pins_rw;
}

static bool slot_is(struct domain *d, u64 gfn, enum p2m_type t, const void *page)
{
	return p2m[d->domid].type[gfn] == t && p2m[d->domid].hpa[gfn] == virt_to_phys(page);
}

static unsigned int nr_frames_of(struct domain *d)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	assert_int_equal(gop(d, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	return q.nr_frames;
}

/* ---- table frames, sizes, versions ---- */

static void test_query_size(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	(void)state;
	assert_int_equal(gop(d1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.nr_frames, 1);
	assert_int_equal(q.max_nr_frames, 32);

	/* Someone else's: only the privileged may ask. */
	q = (struct gnttab_query_size){ .dom = 0, .status = 0x55 };
	assert_int_equal(gop(d1, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_permission_denied);
	q = (struct gnttab_query_size){ .dom = 1, .status = 0x55 };
	assert_int_equal(gop(d0, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_okay);
	assert_int_equal(q.nr_frames, 1);
	q = (struct gnttab_query_size){ .dom = 7, .status = 0x55 };
	assert_int_equal(gop(d0, GNTTABOP_query_size, &q, 1), 0);
	assert_int_equal(q.status, GNTST_bad_domain);

	assert_int_equal(gop(d0, GNTTABOP_query_size, &q, 2), -EINVAL);
	fail_copy_from = 1;
	assert_int_equal(gop(d0, GNTTABOP_query_size, &q, 1), -EFAULT);
	fail_copy_to = 1;
	assert_int_equal(gop(d0, GNTTABOP_query_size, &q, 1), -EFAULT);
}

static void test_versions(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };

	(void)state;
	assert_int_equal(gop(d1, GNTTABOP_set_version, &sv, 1), 0);
	assert_int_equal(sv.version, 1);
	/* v2 is refused the way a Xen limited to v1 refuses it; Linux falls back. */
	sv.version = 2;
	assert_int_equal(gop(d1, GNTTABOP_set_version, &sv, 1), -ENOSYS);
	assert_int_equal(sv.version, 1);
	sv.version = 3;
	assert_int_equal(gop(d1, GNTTABOP_set_version, &sv, 1), -EINVAL);
	assert_int_equal(sv.version, 1);
	fail_copy_from = 1;
	assert_int_equal(gop(d1, GNTTABOP_set_version, &sv, 1), -EFAULT);

	assert_int_equal(gop(d1, GNTTABOP_get_version, &gv, 1), 0);
	assert_int_equal(gv.version, 1);
	gv = (struct gnttab_get_version){ .dom = 0 };
	assert_int_equal(gop(d1, GNTTABOP_get_version, &gv, 1), -EPERM);
	gv = (struct gnttab_get_version){ .dom = 1 };
	assert_int_equal(gop(d0, GNTTABOP_get_version, &gv, 1), 0);
	assert_int_equal(gv.version, 1);
	gv = (struct gnttab_get_version){ .dom = 9 };
	assert_int_equal(gop(d0, GNTTABOP_get_version, &gv, 1), -ESRCH);
	fail_copy_to = 1;
	gv.dom = DOMID_SELF;
	assert_int_equal(gop(d0, GNTTABOP_get_version, &gv, 1), -EFAULT);
}

static void test_unsupported_ops(void **state)
{
	struct domain *d = mkdom(1, false);
	u8 buf[64] = { 0 };
	static const unsigned int nosys[] = {
		GNTTABOP_dump_table, GNTTABOP_transfer, GNTTABOP_unmap_and_replace,
		GNTTABOP_get_status_frames, GNTTABOP_swap_grant_ref, GNTTABOP_cache_flush, 13, 99,
	};

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(nosys); i++)
		assert_int_equal(gop(d, nosys[i], buf, 1), -ENOSYS);
	/* Negative counts, as Xen reads the unsigned int argument. */
	assert_int_equal(gop(d, GNTTABOP_copy, buf, 0x80000000ULL), -EINVAL);
	assert_int_equal(gop(d, GNTTABOP_map_grant_ref, buf, ~0ULL), -EINVAL);
	/* Only the low 32 bits count: 2^32 is an empty batch. */
	assert_int_equal(gop(d, GNTTABOP_copy, NULL, 1ULL << 32), 0);
	assert_int_equal(gop(d, GNTTABOP_map_grant_ref, NULL, 0), 0);
}

static void test_map_frame(void **state)
{
	struct domain *d = mkdom(1, false);
	struct grant_table *gt = d->grant_table;

	(void)state;
	assert_int_equal(gnttab_map_frame(d, 0, TABLE_GFN), 0);
	assert_true(slot_is(d, TABLE_GFN, P2M_GRANT, gt->shared[0]));
	assert_int_equal(nr_frames_of(d), 1);

	/* Linux maps the highest new frame first: the table grows once. */
	assert_int_equal(gnttab_map_frame(d, 3, TABLE_GFN + 3), 0);
	assert_int_equal(nr_frames_of(d), 4);
	assert_int_equal(live_pages, 4);
	for (unsigned int i = 1; i < 3; i++)
		assert_int_equal(gt->frame_gfn[i], INVALID_GFN);
	assert_true(slot_is(d, TABLE_GFN + 3, P2M_GRANT, gt->shared[3]));

	/* The guest fills entries through its own mapping of the frame. */
	grant_entry_v1_t *guest_view = phys_to_virt(p2m[1].hpa[TABLE_GFN + 3]);
	guest_view[5].frame = 42;
	assert_int_equal(gent(d, 3 * 512 + 5)->frame, 42);

	/* Moving a frame unmaps its old place. */
	assert_int_equal(gnttab_map_frame(d, 0, TABLE_GFN + 10), 0);
	assert_int_equal(p2m[1].type[TABLE_GFN], P2M_INVALID);
	assert_true(slot_is(d, TABLE_GFN + 10, P2M_GRANT, gt->shared[0]));
	/* ... unless the guest put something else there since. */
	p2m[1].type[TABLE_GFN + 10] = P2M_RAM;
	p2m[1].hpa[TABLE_GFN + 10] = virt_to_phys(ram[1][0]);
	assert_int_equal(gnttab_map_frame(d, 0, TABLE_GFN), 0);
	assert_true(slot_is(d, TABLE_GFN + 10, P2M_RAM, ram[1][0]));
	p2m[1].type[TABLE_GFN + 10] = P2M_INVALID;

	/* Mapping over another frame's gfn evicts that frame's record. */
	assert_int_equal(gnttab_map_frame(d, 1, TABLE_GFN + 3), 0);
	assert_int_equal(gt->frame_gfn[3], INVALID_GFN);
	assert_int_equal(gt->frame_gfn[1], TABLE_GFN + 3);
	unsigned int unmaps = p2m_unmaps;
	assert_int_equal(gnttab_map_frame(d, 3, TABLE_GFN + 4), 0);
	assert_int_equal(p2m_unmaps, unmaps); /* frame 1's slot left alone */
	assert_true(slot_is(d, TABLE_GFN + 3, P2M_GRANT, gt->shared[1]));

	/* Limits. */
	assert_int_equal(gnttab_map_frame(d, 31, TABLE_GFN + 31), 0);
	assert_int_equal(nr_frames_of(d), 32);
	assert_int_equal(gnttab_map_frame(d, 32, TABLE_GFN + 32), -EINVAL);
	assert_int_equal(gnttab_map_frame(d, ~0UL, TABLE_GFN), -EINVAL);
	assert_int_equal(gnttab_map_frame(d, 2, MAX_GFN + 1), -EINVAL);
	assert_int_equal(nr_frames_of(d), 32);

	/* A failing p2m leaves the frame unmapped, not half-recorded. */
	fail_p2m_map = 1;
	assert_int_equal(gnttab_map_frame(d, 2, TABLE_GFN + 2), -ENOMEM);
	assert_int_equal(gt->frame_gfn[2], INVALID_GFN);
}

static void test_map_frame_out_of_memory(void **state)
{
	struct domain *d = mkdom(1, false);

	(void)state;
	fail_page = 3; /* frames 1 and 2 come, frame 3 does not */
	assert_int_equal(gnttab_map_frame(d, 5, TABLE_GFN), -ENOMEM);
	assert_int_equal(nr_frames_of(d), 3);
	assert_int_equal(p2m[1].type[TABLE_GFN], P2M_INVALID);
	fail_alloc = 1; /* the pin state of the next frame */
	assert_int_equal(gnttab_map_frame(d, 3, TABLE_GFN), -ENOMEM);
	assert_int_equal(nr_frames_of(d), 3);
	assert_int_equal(gnttab_map_frame(d, 3, TABLE_GFN), 0);
	assert_int_equal(nr_frames_of(d), 4);

	/* Domain creation itself. */
	struct domain fake = { .domid = 5 };
	fail_alloc = 1;
	assert_int_equal(gnttab_domain_init(&fake), -ENOMEM);
	fail_page = 1;
	assert_int_equal(gnttab_domain_init(&fake), -ENOMEM);
	assert_null(fake.grant_table);
	gnttab_domain_destroy(&fake); /* nothing to do, no crash */
}

static void test_setup_table(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	u64 list[40];
	struct gnttab_setup_table st = {
		.dom = DOMID_SELF, .nr_frames = 3, .frame_list = (u64)(uintptr_t)list,
	};

	(void)state;
	assert_int_equal(gnttab_map_frame(d1, 0, TABLE_GFN), 0);
	memset(list, 0xa5, sizeof(list));
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_okay);
	assert_int_equal(nr_frames_of(d1), 3);
	assert_int_equal(list[0], TABLE_GFN);
	assert_int_equal(list[1], INVALID_GFN);
	assert_int_equal(list[2], INVALID_GFN);
	assert_int_equal(list[3], 0xa5a5a5a5a5a5a5a5ULL);

	st.nr_frames = 33;
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_general_error);
	assert_int_equal(nr_frames_of(d1), 3);

	st = (struct gnttab_setup_table){ .dom = 0, .nr_frames = 1,
					  .frame_list = (u64)(uintptr_t)list };
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_permission_denied);
	st.dom = 1;
	assert_int_equal(gop(d0, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_okay);
	st.dom = 3;
	assert_int_equal(gop(d0, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_bad_domain);

	st.dom = DOMID_SELF;
	fail_copy_to = 1; /* the frame list */
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_bad_virt_addr);
	fail_page = 1;
	st.nr_frames = 4;
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), 0);
	assert_int_equal(st.status, GNTST_general_error);
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 2), -EINVAL);
	fail_copy_from = 1;
	assert_int_equal(gop(d1, GNTTABOP_setup_table, &st, 1), -EFAULT);
}

/* ---- map and unmap ---- */

static void test_map_rw_ro(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);
	u32 h_rw, h_ro, h2;

	(void)state;
	grant(d1, 8, 0, RAM_GFN + 2, GTF_permit_access);
	memset(ram[1][2], 0x11, PAGE_SIZE);

	struct gnttab_map_grant_ref m = map_op(1, 8, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(gop(d0, GNTTABOP_map_grant_ref, &m, 1), 0);
	assert_int_equal(m.status, GNTST_okay);
	h_rw = m.handle;
	assert_int_equal(h_rw, 0);
	/* dom0 is identity-mapped: the bus address is the host frame. */
	assert_int_equal(m.dev_bus_addr, virt_to_phys(ram[1][2]));
	assert_true(slot_is(d0, SLOT_GFN, P2M_GRANT, ram[1][2]));
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading | GTF_writing);

	/* The mapping is the granter's page. */
	u8 *seen = phys_to_virt(p2m[0].hpa[SLOT_GFN]);
	assert_int_equal(seen[100], 0x11);
	seen[100] = 0x22;
	assert_int_equal(ram[1][2][100], 0x22);

	h_ro = map_ok(d0, 1, 8, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN + 1);
	assert_int_equal(h_ro, 1);
	assert_true(slot_is(d0, SLOT_GFN + 1, P2M_GRANT_RO, ram[1][2]));
	assert_int_equal(pins(d1, 8), 2);

	/* Dropping the writer keeps the reader's bit. */
	assert_int_equal(unmap1(d0, h_rw, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(p2m[0].type[SLOT_GFN], P2M_INVALID);
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading);
	assert_false(end_access(d1, 8));
	assert_int_equal(unmap1(d0, h_ro, SLOT_GFN + 1, 0), GNTST_okay);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(pins(d1, 8), 0);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_true(end_access(d1, 8));

	/* Handles are reused; an unprivileged grantee learns no host address. */
	grant(d1, 9, 2, RAM_GFN + 3, GTF_permit_access | GTF_readonly);
	m = map_op(1, 9, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN);
	assert_int_equal(gop(d2, GNTTABOP_map_grant_ref, &m, 1), 0);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.dev_bus_addr, 0);
	h2 = m.handle;
	assert_int_equal(h2, 0);
	assert_int_equal(gflags(d1, 9), GTF_permit_access | GTF_readonly | GTF_reading);
	assert_int_equal(unmap1(d2, h2, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(gflags(d1, 9), GTF_permit_access | GTF_readonly);

	/* Granting to oneself works too. */
	grant(d1, 10, 1, RAM_GFN, GTF_permit_access);
	h2 = map_ok(d1, 1, 10, GNTMAP_host_map, SLOT_GFN);
	assert_true(slot_is(d1, SLOT_GFN, P2M_GRANT, ram[1][0]));
	assert_int_equal(unmap1(d1, h2, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(gflags(d1, 10), GTF_permit_access);
}

static void test_device_map(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	paddr_t bus = virt_to_phys(ram[1][4]);
	u32 h;

	(void)state;
	grant(d1, 8, 0, RAM_GFN + 4, GTF_permit_access);
	struct gnttab_map_grant_ref m = map_op(1, 8, GNTMAP_device_map, 0);
	assert_int_equal(gop(d0, GNTTABOP_map_grant_ref, &m, 1), 0);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.dev_bus_addr, bus);
	h = m.handle;
	assert_int_equal(p2m[0].type[0], P2M_INVALID); /* no host mapping */
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading | GTF_writing);

	assert_int_equal(unmap1(d0, h, 0, bus + PAGE_SIZE), GNTST_general_error);
	assert_int_equal(pins(d1, 8), 1);
	assert_int_equal(unmap1(d0, h, 0, bus), GNTST_okay);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);

	/* Both at once: the handle lives until both are unmapped. */
	h = map_ok(d0, 1, 8, GNTMAP_device_map | GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(p2m[0].type[SLOT_GFN], P2M_INVALID);
	assert_int_equal(pins(d1, 8), 1);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, bus), GNTST_okay);
	assert_int_equal(pins(d1, 8), 0);
	assert_int_equal(unmap1(d0, h, 0, bus), GNTST_bad_handle);

	/* Not for ordinary guests. */
	grant(d1, 9, 1, RAM_GFN, GTF_permit_access);
	assert_int_equal(map1(d1, 1, 9, GNTMAP_device_map, 0, NULL), GNTST_general_error);
	assert_int_equal(gflags(d1, 9), GTF_permit_access);
}

static void test_map_errors(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);
	u32 h;

	(void)state;
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	grant(d1, 9, 0, RAM_GFN + 1, GTF_permit_access | GTF_readonly);

	assert_int_equal(map1(d0, 1, 8, 0, SLOT_GFN, NULL), GNTST_bad_gntref);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_readonly, SLOT_GFN, NULL), GNTST_bad_gntref);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map | GNTMAP_contains_pte, SLOT_GFN, NULL),
			 GNTST_general_error);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map | GNTMAP_application_map, SLOT_GFN,
			      NULL),
			 GNTST_general_error);
	assert_int_equal(map1(d0, 5, 8, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_bad_domain);
	assert_int_equal(map1(d0, DOMID_SELF, 8, GNTMAP_host_map, SLOT_GFN, NULL),
			 GNTST_bad_domain);
	assert_int_equal(map1(d0, 0x7ff2, 8, GNTMAP_host_map, SLOT_GFN, NULL),
			 GNTST_bad_domain);
	assert_int_equal(map1(d0, 1, 512, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_bad_gntref);
	assert_int_equal(map1(d0, 1, ~0U, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_bad_gntref);
	/* Not the grantee. */
	assert_int_equal(map1(d2, 1, 8, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_general_error);
	/* Writable map of a read-only grant; the read-only map is fine. */
	assert_int_equal(map1(d0, 1, 9, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_general_error);
	assert_int_equal(gflags(d1, 9), GTF_permit_access | GTF_readonly);
	h = map_ok(d0, 1, 9, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	/* Entry types other than permit_access. */
	static const u16 bad_types[] = { GTF_invalid, GTF_accept_transfer, GTF_transitive };
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_types); i++) {
		grant(d1, 10, 0, RAM_GFN, bad_types[i]);
		assert_int_equal(map1(d0, 1, 10, GNTMAP_host_map, SLOT_GFN, NULL),
				 GNTST_general_error);
		assert_int_equal(gflags(d1, 10), bad_types[i]);
	}
	/* A frame that is not the granter's RAM: unpopulated, its table, too big. */
	static const u32 bad_frames[] = { RAM_GFN + RAM_PAGES, TABLE_GFN, 0xffffffffU };
	assert_int_equal(gnttab_map_frame(d1, 0, TABLE_GFN), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(bad_frames); i++) {
		grant(d1, 11, 0, bad_frames[i], GTF_permit_access);
		assert_int_equal(map1(d0, 1, 11, GNTMAP_host_map, SLOT_GFN, NULL),
				 GNTST_bad_page);
		assert_int_equal(gflags(d1, 11), GTF_permit_access);
		assert_int_equal(pins(d1, 11), 0);
	}
	/* host_addr over RAM: refused, the RAM stays mapped. */
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, RAM_GFN + 5, NULL),
			 GNTST_general_error);
	assert_true(slot_is(d0, RAM_GFN + 5, P2M_RAM, ram[0][5]));
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(pins(d1, 8), 0);
	/* ... over an existing grant map, beyond the p2m, or the p2m failing. */
	h = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_general_error);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, MAX_GFN + 1, NULL),
			 GNTST_general_error);
	fail_p2m_map = 1;
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, SLOT_GFN + 1, NULL),
			 GNTST_general_error);
	assert_int_equal(pins(d1, 8), 1);
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading | GTF_writing);
	/* Failed maps gave their handles back. */
	assert_int_equal(map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN + 1), h + 1);

	/* A pinned entry stays with the grantee that pinned it. */
	grant(d1, 8, 2, RAM_GFN, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(map1(d2, 1, 8, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_general_error);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, SLOT_GFN + 2, NULL),
			 GNTST_general_error);

	/* Out of memory for the maptrack (d3 has none yet). */
	struct domain *d3 = mkdom(3, false);
	grant(d1, 12, 3, RAM_GFN, GTF_permit_access);
	fail_alloc = 1;
	assert_int_equal(map1(d3, 1, 12, GNTMAP_host_map, SLOT_GFN, NULL),
			 GNTST_no_device_space);
	assert_int_equal(gflags(d1, 12), GTF_permit_access);
	map_ok(d3, 1, 12, GNTMAP_host_map, SLOT_GFN);

	/* The op array must be readable and writable. */
	struct gnttab_map_grant_ref m = map_op(1, 12, GNTMAP_host_map, SLOT_GFN + 1);
	fail_copy_from = 1;
	assert_int_equal(gop(d3, GNTTABOP_map_grant_ref, &m, 1), -EFAULT);
	assert_int_equal(pins(d1, 12), 1);
	/* A map whose handle cannot be written back is undone. */
	fail_copy_to = 1;
	assert_int_equal(gop(d3, GNTTABOP_map_grant_ref, &m, 1), -EFAULT);
	assert_int_equal(pins(d1, 12), 1);
	assert_int_equal(p2m[3].type[SLOT_GFN + 1], P2M_INVALID);
	assert_int_equal(map_ok(d3, 1, 12, GNTMAP_host_map, SLOT_GFN + 1), 1);
}

static void test_map_batch(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	struct gnttab_map_grant_ref m[4] = {
		map_op(1, 8, GNTMAP_host_map, SLOT_GFN),
		map_op(1, 9, GNTMAP_host_map, SLOT_GFN + 1), /* not granted */
		map_op(1, 10, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN + 2),
		map_op(3, 10, GNTMAP_host_map, SLOT_GFN + 3),
	};
	struct gnttab_unmap_grant_ref u[3];

	(void)state;
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	grant(d1, 10, 0, RAM_GFN + 1, GTF_permit_access | GTF_readonly);
	assert_int_equal(gop(d0, GNTTABOP_map_grant_ref, m, 4), 0);
	assert_int_equal(m[0].status, GNTST_okay);
	assert_int_equal(m[1].status, GNTST_general_error);
	assert_int_equal(m[2].status, GNTST_okay);
	assert_int_equal(m[3].status, GNTST_bad_domain);
	assert_int_not_equal(m[0].handle, m[2].handle);

	u[0] = (struct gnttab_unmap_grant_ref){ .host_addr = SLOT_GFN << PAGE_SHIFT,
						.handle = m[0].handle };
	u[1] = (struct gnttab_unmap_grant_ref){ .host_addr = SLOT_GFN << PAGE_SHIFT,
						.handle = m[0].handle };
	u[2] = (struct gnttab_unmap_grant_ref){ .host_addr = (SLOT_GFN + 2) << PAGE_SHIFT,
						.handle = m[2].handle };
	assert_int_equal(gop(d0, GNTTABOP_unmap_grant_ref, u, 3), 0);
	assert_int_equal(u[0].status, GNTST_okay);
	assert_int_equal(u[1].status, GNTST_bad_handle); /* double unmap */
	assert_int_equal(u[2].status, GNTST_okay);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(gflags(d1, 10), GTF_permit_access | GTF_readonly);

	/* A fault stops the batch after the ops before it. */
	m[0] = map_op(1, 8, GNTMAP_host_map, SLOT_GFN);
	m[1] = map_op(1, 8, GNTMAP_host_map, SLOT_GFN + 1);
	fail_copy_from = 2;
	assert_int_equal(gop(d0, GNTTABOP_map_grant_ref, m, 2), -EFAULT);
	assert_int_equal(m[0].status, GNTST_okay);
	assert_int_equal(pins(d1, 8), 1);
	u[0] = (struct gnttab_unmap_grant_ref){ .host_addr = SLOT_GFN << PAGE_SHIFT,
						.handle = m[0].handle };
	fail_copy_to = 1;
	assert_int_equal(gop(d0, GNTTABOP_unmap_grant_ref, u, 1), -EFAULT);
	assert_int_equal(pins(d1, 8), 0); /* done, just not reported */
	fail_copy_from = 1;
	assert_int_equal(gop(d0, GNTTABOP_unmap_grant_ref, u, 1), -EFAULT);
}

static void test_unmap_errors(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	u32 h;

	(void)state;
	assert_int_equal(unmap1(d0, 0, SLOT_GFN, 0), GNTST_bad_handle); /* no maptrack yet */
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	h = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(unmap1(d0, h + 1, SLOT_GFN, 0), GNTST_bad_handle); /* free */
	assert_int_equal(unmap1(d0, MAPTRACK_PER_CHUNK, SLOT_GFN, 0), GNTST_bad_handle);
	assert_int_equal(unmap1(d0, ~0U, SLOT_GFN, 0), GNTST_bad_handle);
	/* Wrong place, wrong bus address: nothing changes. */
	assert_int_equal(unmap1(d0, h, SLOT_GFN + 1, 0), GNTST_general_error);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0x1000), GNTST_general_error);
	assert_true(slot_is(d0, SLOT_GFN, P2M_GRANT, ram[1][0]));
	assert_int_equal(pins(d1, 8), 1);
	/* host_addr 0 leaves the host mapping (Xen does the same). */
	assert_int_equal(unmap1(d0, h, 0, 0), GNTST_okay);
	assert_true(slot_is(d0, SLOT_GFN, P2M_GRANT, ram[1][0]));
	assert_int_equal(pins(d1, 8), 1);

	/* The guest replaced the slot: the unmap does not touch the new page. */
	p2m[0].type[SLOT_GFN] = P2M_RAM;
	p2m[0].hpa[SLOT_GFN] = virt_to_phys(ram[0][3]);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	assert_true(slot_is(d0, SLOT_GFN, P2M_RAM, ram[0][3]));
	assert_int_equal(pins(d1, 8), 0);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_bad_handle);
}

static void test_maptrack_exhaustion(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	struct gnttab_map_grant_ref *m = calloc(GNTTAB_MAX_MAPTRACK, sizeof(*m));
	struct gnttab_unmap_grant_ref *u = calloc(GNTTAB_MAX_MAPTRACK, sizeof(*u));
	paddr_t bus8 = virt_to_phys(ram[1][0]), bus9 = virt_to_phys(ram[1][1]);

	(void)state;
	assert_non_null(m);
	assert_non_null(u);
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	grant(d1, 9, 0, RAM_GFN + 1, GTF_permit_access);

	/* One entry takes MAX_PINS pins of a kind, then no more. */
	for (u32 i = 0; i < MAX_PINS; i++)
		m[i] = map_op(1, 8, GNTMAP_device_map | GNTMAP_readonly, 0);
	assert_int_equal(gop(d0, GNTTABOP_map_grant_ref, m, MAX_PINS), 0);
	for (u32 i = 0; i < MAX_PINS; i++) {
		assert_int_equal(m[i].status, GNTST_okay);
		assert_int_equal(m[i].handle, i);
	}
	assert_int_equal(map1(d0, 1, 8, GNTMAP_device_map | GNTMAP_readonly, 0, NULL),
			 GNTST_general_error);
	assert_int_equal(pins(d1, 8), MAX_PINS);

	/* The rest of the maptrack, then exhaustion. */
	assert_int_equal(map_ok(d0, 1, 9, GNTMAP_device_map, 0), MAX_PINS);
	assert_int_equal(map1(d0, 1, 9, GNTMAP_device_map, 0, NULL), GNTST_no_device_space);
	assert_int_equal(pins(d1, 9), 1);

	/* Everything comes back. */
	for (u32 i = 0; i < GNTTAB_MAX_MAPTRACK; i++)
		u[i] = (struct gnttab_unmap_grant_ref){ .handle = i,
							.dev_bus_addr = i < MAX_PINS ? bus8 :
										       bus9 };
	assert_int_equal(gop(d0, GNTTABOP_unmap_grant_ref, u, GNTTAB_MAX_MAPTRACK), 0);
	for (u32 i = 0; i < GNTTAB_MAX_MAPTRACK; i++)
		assert_int_equal(u[i].status, GNTST_okay);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(gflags(d1, 9), GTF_permit_access);
	assert_int_equal(map_ok(d0, 1, 9, GNTMAP_device_map, 0), GNTTAB_MAX_MAPTRACK - 1);
	free(m);
	free(u);
}

/* ---- copy ---- */

static void fill(u8 *page, u8 seed)
{
	for (unsigned int i = 0; i < PAGE_SIZE; i++)
		page[i] = (u8)(seed + i * 7);
}

static void test_copy_directions(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);
	u8 expect[PAGE_SIZE];

	(void)state;
	grant(d1, 8, 0, RAM_GFN + 1, GTF_permit_access);
	grant(d2, 8, 0, RAM_GFN + 2, GTF_permit_access);
	fill(ram[0][0], 1);
	fill(ram[1][1], 2);
	fill(ram[2][2], 3);

	/* local -> grant (netback rx, blkback read). */
	memcpy(expect, ram[1][1], PAGE_SIZE);
	memcpy(expect + 100, ram[0][0] + 10, 300);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 10), gref_ptr(1, 8, 100), 300,
			       GNTCOPY_dest_gref),
			 GNTST_okay);
	assert_memory_equal(ram[1][1], expect, PAGE_SIZE);

	/* grant -> local, the whole page, by the caller's own domid too. */
	struct gnttab_copy_ptr self = gmfn_ptr(RAM_GFN + 3, 0);
	self.domid = 0;
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), self, PAGE_SIZE, GNTCOPY_source_gref),
			 GNTST_okay);
	assert_memory_equal(ram[0][3], ram[1][1], PAGE_SIZE);

	/* grant -> grant across two granters. */
	memcpy(expect, ram[2][2], PAGE_SIZE);
	memcpy(expect + 4000, ram[1][1], 96);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gref_ptr(2, 8, 4000), 96,
			       GNTCOPY_source_gref | GNTCOPY_dest_gref),
			 GNTST_okay);
	assert_memory_equal(ram[2][2], expect, PAGE_SIZE);

	/* Within one granted page, overlapping. */
	memcpy(expect, ram[1][1], PAGE_SIZE);
	memmove(expect + 8, expect, 1000);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gref_ptr(1, 8, 8), 1000,
			       GNTCOPY_source_gref | GNTCOPY_dest_gref),
			 GNTST_okay);
	assert_memory_equal(ram[1][1], expect, PAGE_SIZE);

	/* local -> local (gntdev refuses it, the hypervisor need not). */
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gmfn_ptr(RAM_GFN + 4, 0), 16, 0),
			 GNTST_okay);
	assert_memory_equal(ram[0][4], ram[0][0], 16);

	/* Zero length is fine; the end of the page is the limit. */
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 4096), gmfn_ptr(RAM_GFN, 4096), 0,
			       GNTCOPY_source_gref),
			 GNTST_okay);

	/* Transient: nothing stays pinned, the granter may revoke. */
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(gflags(d2, 8), GTF_permit_access);
	assert_int_equal(d1->grant_table->pins + d2->grant_table->pins, 0);
	assert_true(end_access(d1, 8));

	/* Read-only grants can be copied from. */
	grant(d2, 9, 0, RAM_GFN + 5, GTF_permit_access | GTF_readonly);
	fill(ram[2][5], 9);
	assert_int_equal(copy1(d0, gref_ptr(2, 9, 0), gmfn_ptr(RAM_GFN + 6, 0), PAGE_SIZE,
			       GNTCOPY_source_gref),
			 GNTST_okay);
	assert_memory_equal(ram[0][6], ram[2][5], PAGE_SIZE);
	assert_int_equal(gflags(d2, 9), GTF_permit_access | GTF_readonly);

	/* Each op is charged to the domain whose grant it names (the source's
	 * when both are grants), with its bytes and its time; local -> local
	 * to nobody. */
	assert_int_equal(d1->gcopy_ops, 5);
	assert_int_equal(d1->gcopy_bytes, 300 + PAGE_SIZE + 96 + 1000 + 0);
	assert_int_equal(d2->gcopy_ops, 1);
	assert_int_equal(d2->gcopy_bytes, PAGE_SIZE);
	assert_int_equal(d0->gcopy_ops, 0);
	assert_true(d1->gcopy_move_ns > 0 && d1->gcopy_move_ns < d1->gcopy_ns);
	assert_true(d2->gcopy_move_ns > 0 && d2->gcopy_move_ns < d2->gcopy_ns);
}

static void test_copy_errors(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);
	u8 before[PAGE_SIZE];

	(void)state;
	grant(d1, 8, 0, RAM_GFN + 1, GTF_permit_access);
	grant(d1, 9, 0, RAM_GFN + 2, GTF_permit_access | GTF_readonly);
	grant(d1, 10, 2, RAM_GFN + 3, GTF_permit_access);
	fill(ram[1][1], 4);
	memcpy(before, ram[1][1], PAGE_SIZE);

	/* Bounds, on either side. */
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 4000), gref_ptr(1, 8, 0), 97,
			       GNTCOPY_dest_gref),
			 GNTST_bad_copy_arg);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 8, 4095), 2,
			       GNTCOPY_dest_gref),
			 GNTST_bad_copy_arg);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0xffff), gref_ptr(1, 8, 0), 0xffff,
			       GNTCOPY_dest_gref),
			 GNTST_bad_copy_arg);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 8, 0), 4097,
			       GNTCOPY_dest_gref),
			 GNTST_bad_copy_arg);
	/* Read-only grant as destination; ungranted, foreign, bad refs. */
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 9, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_general_error);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 10, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_general_error);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 11, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_general_error);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 512, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_bad_gntref);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(6, 8, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_bad_domain);
	/* Frames by number: only the caller's own RAM. */
	struct gnttab_copy_ptr other = gmfn_ptr(RAM_GFN, 0);
	other.domid = 1;
	assert_int_equal(copy1(d0, other, gref_ptr(1, 8, 0), 8, GNTCOPY_dest_gref),
			 GNTST_permission_denied);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), other, 8, GNTCOPY_source_gref),
			 GNTST_permission_denied);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN + RAM_PAGES, 0), gref_ptr(1, 8, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_bad_page);
	assert_int_equal(copy1(d0, gmfn_ptr(~0ULL, 0), gref_ptr(1, 8, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_bad_page);
	/* Not into a grant map or a table frame of one's own either. */
	assert_int_equal(gnttab_map_frame(d0, 0, TABLE_GFN), 0);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gmfn_ptr(TABLE_GFN, 0), 8,
			       GNTCOPY_source_gref),
			 GNTST_bad_page);
	u32 h = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(copy1(d0, gmfn_ptr(SLOT_GFN, 0), gref_ptr(1, 8, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_bad_page);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	/* The granted frame must be the granter's RAM. */
	grant(d1, 12, 0, RAM_GFN + RAM_PAGES + 1, GTF_permit_access);
	assert_int_equal(copy1(d0, gref_ptr(1, 12, 0), gmfn_ptr(RAM_GFN, 0), 8,
			       GNTCOPY_source_gref),
			 GNTST_bad_page);
	assert_int_equal(gflags(d1, 12), GTF_permit_access);

	/* A good source with a bad destination leaves no pin behind. */
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gref_ptr(1, 9, 0), 8,
			       GNTCOPY_source_gref | GNTCOPY_dest_gref),
			 GNTST_general_error);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gmfn_ptr(RAM_GFN + 99, 0), 8,
			       GNTCOPY_source_gref),
			 GNTST_bad_page);
	assert_int_equal(gflags(d1, 8), GTF_permit_access);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_memory_equal(ram[1][1], before, PAGE_SIZE);

	/* A copy while mapped leaves the mapping's bits alone. */
	h = map_ok(d0, 1, 8, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN);
	assert_int_equal(copy1(d0, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 8, 0), 8,
			       GNTCOPY_dest_gref),
			 GNTST_okay);
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading);
	assert_int_equal(pins(d1, 8), 1);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);

	/* Batches: per-op statuses, 0 from the call; faults stop it. */
	struct gnttab_copy ops[3] = {
		{ .source = gmfn_ptr(RAM_GFN, 0), .dest = gref_ptr(1, 8, 0), .len = 4,
		  .flags = GNTCOPY_dest_gref },
		{ .source = gmfn_ptr(RAM_GFN, 0), .dest = gref_ptr(1, 9, 0), .len = 4,
		  .flags = GNTCOPY_dest_gref },
		{ .source = gref_ptr(1, 9, 0), .dest = gmfn_ptr(RAM_GFN, 0), .len = 4,
		  .flags = GNTCOPY_source_gref },
	};
	assert_int_equal(gop(d0, GNTTABOP_copy, ops, 3), 0);
	assert_int_equal(ops[0].status, GNTST_okay);
	assert_int_equal(ops[1].status, GNTST_general_error);
	assert_int_equal(ops[2].status, GNTST_okay);
	/* Only the status is written back. */
	assert_int_equal(ops[0].len, 4);
	assert_int_equal(ops[0].dest.u.ref, 8);
	fail_copy_from = 2;
	ops[1].status = 0x55;
	assert_int_equal(gop(d0, GNTTABOP_copy, ops, 3), -EFAULT);
	assert_int_equal(ops[1].status, 0x55);
	fail_copy_to = 1;
	assert_int_equal(gop(d0, GNTTABOP_copy, ops, 1), -EFAULT);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_false(walk_cache_on);

	/* An unprivileged guest copies to and from its grantor as well. */
	fill(ram[2][0], 77);
	assert_int_equal(copy1(d2, gmfn_ptr(RAM_GFN, 0), gref_ptr(1, 10, 0), PAGE_SIZE,
			       GNTCOPY_dest_gref),
			 GNTST_okay);
	assert_memory_equal(ram[1][3], ram[2][0], PAGE_SIZE);
}

/* ---- the granter misbehaving or going away ---- */

static void test_revocation_while_mapped(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false);
	u32 h;

	(void)state;
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	h = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	/* Linux's revoke defers while mapped. */
	assert_false(end_access(d1, 8));
	assert_int_equal(gflags(d1, 8), GTF_permit_access | GTF_reading | GTF_writing);

	/* A hostile granter rewrites the entry anyway. */
	gent(d1, 8)->frame = RAM_GFN + 1;
	u32 h2 = map_ok(d0, 1, 8, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN + 1);
	/* The pinned frame, not the new one. */
	assert_true(slot_is(d0, SLOT_GFN + 1, P2M_GRANT_RO, ram[1][0]));
	assert_int_equal(unmap1(d0, h2, SLOT_GFN + 1, 0), GNTST_okay);
	__atomic_store_n(&gent(d1, 8)->flags, 0, __ATOMIC_RELEASE);
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, SLOT_GFN + 1, NULL),
			 GNTST_general_error);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gmfn_ptr(RAM_GFN, 0), 8,
			       GNTCOPY_source_gref),
			 GNTST_general_error);
	assert_int_equal(pins(d1, 8), 1);
	/* The mapping is unaffected and still comes down cleanly. */
	assert_true(slot_is(d0, SLOT_GFN, P2M_GRANT, ram[1][0]));
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(pins(d1, 8), 0);
	assert_int_equal(gflags(d1, 8), 0);

	/* After a proper unmap, revocation works. */
	grant(d1, 9, 0, RAM_GFN, GTF_permit_access);
	h = map_ok(d0, 1, 9, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(unmap1(d0, h, SLOT_GFN, 0), GNTST_okay);
	assert_true(end_access(d1, 9));
	assert_int_equal(map1(d0, 1, 9, GNTMAP_host_map, SLOT_GFN, NULL), GNTST_general_error);
}

static void test_destroy_grantee(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);

	(void)state;
	for (grant_ref_t r = 8; r < 12; r++) {
		grant(d1, r, 2, RAM_GFN + r - 8, GTF_permit_access);
		map_ok(d2, 1, r, GNTMAP_host_map | (r & 1 ? GNTMAP_readonly : 0),
		       SLOT_GFN + r);
	}
	grant(d0, 8, 2, RAM_GFN, GTF_permit_access | GTF_readonly);
	map_ok(d2, 0, 8, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN);
	/* A map of its own grant, too. */
	grant(d2, 8, 2, RAM_GFN, GTF_permit_access);
	map_ok(d2, 2, 8, GNTMAP_host_map, SLOT_GFN + 1);
	assert_int_equal(d1->grant_table->pins, 4);
	assert_false(end_access(d1, 8));

	rmdom(d2);
	assert_int_equal(d1->grant_table->pins, 0);
	assert_int_equal(d0->grant_table->pins, 0);
	for (grant_ref_t r = 8; r < 12; r++)
		assert_int_equal(gflags(d1, r), GTF_permit_access);
	assert_int_equal(gflags(d0, 8), GTF_permit_access | GTF_readonly);
	assert_true(end_access(d1, 8));
	/* d2's table went entirely: only d0's and d1's frames are left. */
	assert_int_equal(live_pages, 2);
}

static void test_destroy_granter_orphan(void **state)
{
	struct domain *d0 = mkdom(0, true), *d1 = mkdom(1, false), *d2 = mkdom(2, false);
	struct grant_table *orphan;
	u32 h0, h2;

	(void)state;
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	grant(d1, 9, 2, RAM_GFN + 1, GTF_permit_access);
	h0 = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	h2 = map_ok(d2, 1, 9, GNTMAP_host_map | GNTMAP_readonly, SLOT_GFN);
	assert_int_equal(gnttab_map_frame(d1, 2, TABLE_GFN), 0);
	orphan = d1->grant_table;
	assert_int_equal(live_pages, 3 + 2);

	rmdom(d1);
	/* The mappings stay valid and the table's frames stay allocated. */
	assert_int_equal(live_pages, 5);
	assert_true(orphan->orphan);
	assert_int_equal(orphan->pins, 2);
	assert_true(slot_is(d0, SLOT_GFN, P2M_GRANT, orphan_ram[0][0]));
	/* Nothing new of a dead granter. */
	assert_int_equal(map1(d0, 1, 8, GNTMAP_host_map, SLOT_GFN + 1, NULL), GNTST_bad_domain);
	assert_int_equal(copy1(d0, gref_ptr(1, 8, 0), gmfn_ptr(RAM_GFN, 0), 8,
			       GNTCOPY_source_gref),
			 GNTST_bad_domain);

	assert_int_equal(unmap1(d0, h0, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(orphan->pins, 1);
	assert_int_equal(live_pages, 5);
	assert_int_equal(shared_entry(orphan, 8)->flags, GTF_permit_access);
	/* The last mapping frees it: by unmap here, by destroy below. */
	rmdom(d2);
	(void)h2;
	assert_int_equal(live_pages, 1); /* d0's own frame */

	/* And by unmap. */
	d1 = mkdom(1, false);
	grant(d1, 8, 0, RAM_GFN, GTF_permit_access);
	h0 = map_ok(d0, 1, 8, GNTMAP_host_map, SLOT_GFN);
	rmdom(d1);
	assert_int_equal(live_pages, 2);
	assert_int_equal(unmap1(d0, h0, SLOT_GFN, 0), GNTST_okay);
	assert_int_equal(live_pages, 1);
	assert_int_equal(unmap1(d0, h0, SLOT_GFN, 0), GNTST_bad_handle);

	/* A domain whose grants nobody maps goes at once. */
	d2 = mkdom(2, false);
	grant(d2, 8, 0, RAM_GFN, GTF_permit_access);
	h0 = map_ok(d0, 2, 8, GNTMAP_host_map, SLOT_GFN);
	assert_int_equal(unmap1(d0, h0, SLOT_GFN, 0), GNTST_okay);
	rmdom(d2);
	assert_int_equal(live_pages, 1);
}

/* ---- the random run against a model ---- */

#define M_DOMS 4
#define M_REFS 16 /* refs 8..23 are modelled */
#define M_REF0 8
#define M_SLOTS 16
#define M_TABLES 128

struct m_entry {
	u16 flags;
	domid_t domid;
	u32 frame;
	u32 ro, rw;
	domid_t by;
	paddr_t hpa;
};

struct m_table {
	struct grant_table *gt; /* NULL once freed */
	struct domain *d; /* NULL once the domain is gone */
	struct m_entry e[M_REFS];
};

struct m_map {
	bool used;
	u32 handle;
	struct m_table *t;
	unsigned int idx; /* modelled ref index */
	bool ro;
};

static struct m_table m_tables[M_TABLES];
static unsigned int m_nr_tables;
static struct m_table *m_cur[M_DOMS]; /* the live domain's table, or NULL */
static struct m_map m_maps[M_DOMS][M_SLOTS]; /* by slot */
static u8 m_ram[M_DOMS][RAM_PAGES][PAGE_SIZE];
static u64 rng_state;
/* What the run exercised, so that it cannot silently test nothing. */
static unsigned int m_map_st[16], m_copy_st[16], m_destroys, m_orphans;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int rn(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static void m_create(domid_t id)
{
	struct m_table *t;

	assert_true(m_nr_tables < M_TABLES);
	t = &m_tables[m_nr_tables++];
	t->d = mkdom(id, id == 0);
	t->gt = t->d->grant_table;
	m_cur[id] = t;
	for (unsigned int i = 0; i < RAM_PAGES; i++) {
		fill(ram[id][i], (u8)rnd());
		memcpy(m_ram[id][i], ram[id][i], PAGE_SIZE);
	}
}

static unsigned int m_table_pins(const struct m_table *t)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < M_REFS; i++)
		n += t->e[i].ro + t->e[i].rw;
	return n;
}

static void m_unpin(struct m_table *t, unsigned int idx, bool ro)
{
	struct m_entry *e = &t->e[idx];

	if (ro)
		e->ro--;
	else
		e->rw--;
	if (!e->rw)
		e->flags &= ~GTF_writing;
	if (!e->rw && !e->ro)
		e->flags &= ~GTF_reading;
	/* An orphan goes with its last pin. */
	if (!t->d && !m_table_pins(t))
		t->gt = NULL;
}

/* Predict pin_grant() on the model; apply it when it succeeds. */
static s16 m_pin(domid_t c, struct m_table *t, u32 ref, bool ro, domid_t g)
{
	struct m_entry *e;
	u32 frame;

	if (!t)
		return GNTST_bad_domain;
	if (ref < M_REF0 || ref >= M_REF0 + M_REFS)
		return ref >= 512 ? GNTST_bad_gntref : GNTST_general_error;
	e = &t->e[ref - M_REF0];
	if ((e->ro || e->rw) && e->by != c)
		return GNTST_general_error;
	if ((e->flags & GTF_type_mask) != GTF_permit_access || e->domid != c ||
	    (!ro && (e->flags & GTF_readonly)))
		return GNTST_general_error;
	e->flags |= GTF_reading | (ro ? 0 : GTF_writing);
	if (!e->ro && !e->rw) {
		frame = e->frame;
		if (frame < RAM_GFN || frame >= RAM_GFN + RAM_PAGES) {
			e->flags &= ~(GTF_reading | GTF_writing);
			return GNTST_bad_page;
		}
		e->hpa = virt_to_phys(ram[g][frame - RAM_GFN]);
		e->by = c;
	}
	if (ro)
		e->ro++;
	else
		e->rw++;
	return GNTST_okay;
}

/* Pins, flags and p2m slots every step; RAM contents when full. */
static void m_check(bool full)
{
	for (unsigned int i = 0; i < m_nr_tables; i++) {
		struct m_table *t = &m_tables[i];

		if (!t->gt)
			continue;
		assert_int_equal(t->gt->pins, m_table_pins(t));
		for (unsigned int r = 0; r < M_REFS; r++) {
			struct active_grant *a = active_entry(t->gt, M_REF0 + r);

			assert_int_equal(shared_entry(t->gt, M_REF0 + r)->flags, t->e[r].flags);
			assert_int_equal(a->pins_ro, t->e[r].ro);
			assert_int_equal(a->pins_rw, t->e[r].rw);
		}
	}
	for (domid_t c = 0; c < M_DOMS; c++) {
		if (!m_cur[c])
			continue;
		for (unsigned int s = 0; s < M_SLOTS; s++) {
			struct m_map *m = &m_maps[c][s];

			if (!m->used) {
				assert_int_equal(p2m[c].type[SLOT_GFN + s], P2M_INVALID);
				continue;
			}
			assert_int_equal(p2m[c].type[SLOT_GFN + s], m->ro ? P2M_GRANT_RO : P2M_GRANT);
			assert_int_equal(p2m[c].hpa[SLOT_GFN + s], m->t->e[m->idx].hpa);
		}
		if (full)
			for (unsigned int i = 0; i < RAM_PAGES; i++)
				assert_memory_equal(ram[c][i], m_ram[c][i], PAGE_SIZE);
	}
	assert_no_grant_lock_held();
}

static domid_t rnd_dom(void)
{
	return rn(8) ? (domid_t)rn(M_DOMS) : (domid_t)(M_DOMS + rn(3));
}

static u32 rnd_ref(void)
{
	return rn(16) ? M_REF0 + rn(M_REFS) : (rn(2) ? 600 : 100);
}

/* Mostly a grant meant for c (so that most ops can succeed), else anything. */
static void m_pick(domid_t c, domid_t *g, u32 *ref)
{
	unsigned int start = rn(M_DOMS * M_REFS);

	*g = rnd_dom();
	*ref = rnd_ref();
	if (!rn(4))
		return;
	for (unsigned int i = 0; i < M_DOMS * M_REFS; i++) {
		unsigned int k = (start + i) % (M_DOMS * M_REFS);
		struct m_table *t = m_cur[k / M_REFS];
		struct m_entry *e = t ? &t->e[k % M_REFS] : NULL;

		if (e && e->domid == c && (e->flags & GTF_type_mask) == GTF_permit_access) {
			*g = (domid_t)(k / M_REFS);
			*ref = M_REF0 + k % M_REFS;
			return;
		}
	}
}

static void m_step_grant(domid_t g)
{
	struct m_entry *e = &m_cur[g]->e[rn(M_REFS)];
	unsigned int r = (unsigned int)(e - m_cur[g]->e) + M_REF0;
	bool pinned = e->ro || e->rw;

	/* Linux rewrites free entries only; a hostile granter any, sometimes. */
	if (pinned && rn(8))
		return;
	e->frame = rn(8) ? RAM_GFN + rn(RAM_PAGES) : RAM_GFN + RAM_PAGES + rn(4);
	e->domid = rn(6) ? (domid_t)rn(M_DOMS) : DOMID_SELF;
	e->flags = rn(8) ? GTF_permit_access : (u16)rn(4);
	if (!rn(3))
		e->flags |= GTF_readonly;
	grant(m_cur[g]->d, r, e->domid, e->frame, e->flags);
}

static void m_step_revoke(domid_t g)
{
	unsigned int idx = rn(M_REFS);
	struct m_entry *e = &m_cur[g]->e[idx];
	bool expect = !(e->flags & (GTF_reading | GTF_writing));

	assert_int_equal(end_access(m_cur[g]->d, M_REF0 + idx), expect);
	if (expect)
		e->flags = 0;
}

static void m_step_map(domid_t c)
{
	domid_t g;
	u32 ref;
	bool ro = rn(2);
	unsigned int slot = rn(M_SLOTS);
	struct m_table *t;
	u32 h;
	s16 expect, rc;

	m_pick(c, &g, &ref);
	t = g < M_DOMS ? m_cur[g] : NULL;
	expect = m_pin(c, t, ref, ro, g);

	if (expect == GNTST_okay && m_maps[c][slot].used) {
		expect = GNTST_general_error;
		m_unpin(t, ref - M_REF0, ro);
	}
	rc = map1(m_cur[c]->d, g, ref, GNTMAP_host_map | (ro ? GNTMAP_readonly : 0),
		  SLOT_GFN + slot, &h);
	assert_int_equal(rc, expect);
	m_map_st[-rc]++;
	if (rc == GNTST_okay)
		m_maps[c][slot] = (struct m_map){ .used = true, .handle = h, .t = t,
						  .idx = ref - M_REF0, .ro = ro };
}

static void m_step_unmap(domid_t c)
{
	unsigned int slot = rn(M_SLOTS);
	struct m_map *m = &m_maps[c][slot];

	if (!m->used) {
		/* Handles never handed out, or handed out and gone. */
		u32 h = rn(2) ? 1000 + rn(100) : rn(M_SLOTS);
		bool live = false;

		for (unsigned int s = 0; s < M_SLOTS; s++)
			live |= m_maps[c][s].used && m_maps[c][s].handle == h;
		if (!live)
			assert_int_equal(unmap1(m_cur[c]->d, h, SLOT_GFN + slot, 0),
					 GNTST_bad_handle);
		return;
	}
	if (!rn(6)) {
		assert_int_equal(unmap1(m_cur[c]->d, m->handle, SLOT_GFN + M_SLOTS, 0),
				 GNTST_general_error);
		return;
	}
	assert_int_equal(unmap1(m_cur[c]->d, m->handle, SLOT_GFN + slot, 0), GNTST_okay);
	m->used = false;
	m_unpin(m->t, m->idx, m->ro);
}

struct m_side {
	struct gnttab_copy_ptr p;
	bool gref;
	struct m_table *t; /* pinned side */
	u8 *host, *model;
};

static void m_rnd_side(domid_t c, struct m_side *s)
{
	s->gref = rn(3);
	s->t = NULL;
	if (s->gref) {
		domid_t g;
		u32 ref;

		m_pick(c, &g, &ref);
		s->p = gref_ptr(g == c && !rn(4) ? DOMID_SELF : g, ref, 0);
	} else {
		s->p = gmfn_ptr(rn(10) ? RAM_GFN + rn(RAM_PAGES) : SLOT_GFN + rn(M_SLOTS), 0);
		if (!rn(10))
			s->p.domid = rn(2) ? c : (domid_t)rn(M_DOMS);
	}
}

/* Predict one side of a copy; on success pin it and find its bytes. */
static s16 m_claim(domid_t c, struct m_side *s, bool write)
{
	if (s->gref) {
		domid_t g = s->p.domid == DOMID_SELF ? c : s->p.domid;
		struct m_table *t = g < M_DOMS ? m_cur[g] : NULL;
		s16 rc = m_pin(c, t, s->p.u.ref, !write, g);
		struct m_entry *e;

		if (rc)
			return rc;
		s->t = t;
		e = &t->e[s->p.u.ref - M_REF0];
		for (unsigned int i = 0; i < RAM_PAGES; i++)
			if (virt_to_phys(ram[g][i]) == e->hpa) {
				s->host = ram[g][i];
				s->model = m_ram[g][i];
			}
		return GNTST_okay;
	}
	if (s->p.domid != DOMID_SELF && s->p.domid != c)
		return GNTST_permission_denied;
	if (s->p.u.gmfn < RAM_GFN || s->p.u.gmfn >= RAM_GFN + RAM_PAGES)
		return GNTST_bad_page;
	s->host = ram[c][s->p.u.gmfn - RAM_GFN];
	s->model = m_ram[c][s->p.u.gmfn - RAM_GFN];
	return GNTST_okay;
}

static void m_release(struct m_side *s, bool write)
{
	if (s->t)
		m_unpin(s->t, s->p.u.ref - M_REF0, !write);
}

static void m_step_copy(domid_t c)
{
	struct m_side src, dst;
	u16 len = (u16)(rn(4) ? rn(PAGE_SIZE + 1) : rn(64));
	s16 expect;

	m_rnd_side(c, &src);
	m_rnd_side(c, &dst);
	src.p.offset = (u16)rn(PAGE_SIZE - len + 1 + (rn(8) ? 0 : 64));
	dst.p.offset = (u16)rn(PAGE_SIZE - len + 1 + (rn(8) ? 0 : 64));
	if (src.p.offset + len > PAGE_SIZE || dst.p.offset + len > PAGE_SIZE) {
		expect = GNTST_bad_copy_arg;
	} else {
		expect = m_claim(c, &src, false);
		if (!expect) {
			expect = m_claim(c, &dst, true);
			if (!expect) {
				memmove(dst.model + dst.p.offset, src.model + src.p.offset, len);
				m_release(&dst, true);
			}
			m_release(&src, false);
		}
	}
	assert_int_equal(copy1(m_cur[c]->d, src.p, dst.p, len,
			       (src.gref ? GNTCOPY_source_gref : 0) |
				       (dst.gref ? GNTCOPY_dest_gref : 0)),
			 expect);
	m_copy_st[-expect]++;
}

static void m_step_destroy(domid_t c)
{
	struct m_table *t = m_cur[c];

	for (unsigned int s = 0; s < M_SLOTS; s++) {
		struct m_map *m = &m_maps[c][s];

		if (m->used) {
			m->used = false;
			m_unpin(m->t, m->idx, m->ro);
		}
	}
	t->d = NULL;
	m_cur[c] = NULL;
	if (!m_table_pins(t))
		t->gt = NULL;
	else
		m_orphans++;
	m_destroys++;
	rmdom(doms[c]);
	memset(&p2m[c], 0, sizeof(p2m[c]));
}

static void test_model_random(void **state)
{
	const char *seed_env = getenv("KEEL_GNTTAB_SEED");
	const char *steps_env = getenv("KEEL_GNTTAB_STEPS");
	u64 seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x9a7e5eedULL;
	unsigned long steps = steps_env ? strtoul(steps_env, NULL, 0) : 200000;

	(void)state;
	rng_state = seed ? seed : 1;
	memset(m_tables, 0, sizeof(m_tables));
	memset(m_maps, 0, sizeof(m_maps));
	m_nr_tables = 0;
	memset(m_map_st, 0, sizeof(m_map_st));
	memset(m_copy_st, 0, sizeof(m_copy_st));
	m_destroys = m_orphans = 0;
	for (domid_t id = 0; id < M_DOMS; id++)
		m_create(id);
	for (unsigned long i = 0; i < steps; i++) {
		domid_t c = (domid_t)rn(M_DOMS);
		unsigned int what = rn(100);

		if (!m_cur[c]) {
			if (m_nr_tables < M_TABLES && !rn(4))
				m_create(c);
			continue;
		}
		if (what < 25)
			m_step_grant(c);
		else if (what < 32)
			m_step_revoke(c);
		else if (what < 57)
			m_step_map(c);
		else if (what < 77)
			m_step_unmap(c);
		else if (what < 99)
			m_step_copy(c);
		else if (!rn(50))
			m_step_destroy(c);
		m_check(what >= 77 && what < 99);
	}
	m_check(true);
	if (getenv("KEEL_GNTTAB_STATS"))
		for (unsigned int i = 0; i < 14; i++)
			fprintf(stderr, "status %d: map %u copy %u\n", -(int)i, m_map_st[i],
				m_copy_st[i]);
	if (steps < 200000)
		return;
	assert_in_range(m_map_st[0], 5000, steps);
	assert_in_range(m_copy_st[0], 5000, steps);
	static const s16 map_errors[] = { GNTST_bad_domain, GNTST_bad_gntref,
					  GNTST_general_error, GNTST_bad_page };
	for (unsigned int i = 0; i < ARRAY_SIZE(map_errors); i++) {
		assert_true(m_map_st[-map_errors[i]] > 100);
		assert_true(m_copy_st[-map_errors[i]] > 100);
	}
	assert_true(m_copy_st[-GNTST_bad_copy_arg] > 100);
	assert_true(m_copy_st[-GNTST_permission_denied] > 100);
	assert_true(m_destroys >= 5);
	assert_true(m_orphans >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_query_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsupported_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_frame, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_frame_out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_rw_ro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmap_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maptrack_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_directions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revocation_while_mapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_grantee, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_granter_orphan, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model_random, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
