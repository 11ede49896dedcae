// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for copies by guest virtual address: page-crossing copies, the
 * access checks of the walk and of the p2m type, and the walk cache that a
 * batch hypercall (GNTTABOP_copy) opens: within it one walk serves a page,
 * a write still needs a writable mapping, the p2m is looked up every time,
 * and nothing is remembered outside it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/page.h>

/* ---- a guest of four pages, faked ---- */

#define GFNS 4
#define GVA_BASE 0x7000000000ULL /* virtual page n maps gfn n ^ 1 */

static u8 frames[GFNS][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static enum p2m_type frame_type[GFNS];
static bool frame_present[GFNS];
static bool va_writable[GFNS];
static unsigned int walks, lookups;

paddr_t arch_p2m_lookup(struct domain *d, u64 gfn, enum p2m_type *t)
{
	(void)d;
	lookups++;
	if (gfn >= GFNS || !frame_present[gfn])
		return PADDR_INVALID;
	if (t)
		*t = frame_type[gfn];
	return virt_to_phys(frames[gfn]);
}

int arch_gva_to_gpa(struct vcpu *v, gvaddr_t gva, bool write, gpaddr_t *gpa, bool *writable)
{
	u64 page = (gva - GVA_BASE) >> PAGE_SHIFT;

	(void)v;
	walks++;
	if (gva < GVA_BASE || page >= GFNS || (write && !va_writable[page]))
		return -EFAULT;
	*gpa = ((page ^ 1) << PAGE_SHIFT) | (gva & (PAGE_SIZE - 1));
	if (writable)
		*writable = va_writable[page];
	return 0;
}

static struct domain dom;
static struct vcpu vcpu = { .domain = &dom };

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < GFNS; i++) {
		memset(frames[i], 0x10 + i, PAGE_SIZE);
		frame_type[i] = P2M_RAM;
		frame_present[i] = true;
		va_writable[i] = true;
	}
	memset(&vcpu.walk_cache, 0, sizeof(vcpu.walk_cache));
	walks = lookups = 0;
	return 0;
}

static gvaddr_t va(unsigned int page, unsigned int off)
{
	return GVA_BASE + ((u64)page << PAGE_SHIFT) + off;
}

/* ---- tests ---- */

static void test_copies_cross_pages(void **state)
{
	u8 buf[64], back[64];

	(void)state;
	/* The last 32 bytes of virtual page 0 (gfn 1), the first 32 of page 1 (gfn 0). */
	assert_int_equal(copy_from_guest(&vcpu, buf, va(0, PAGE_SIZE - 32), sizeof(buf)), 0);
	for (int i = 0; i < 64; i++)
		assert_int_equal(buf[i], i < 32 ? 0x11 : 0x10);
	for (int i = 0; i < 64; i++)
		back[i] = (u8)i;
	assert_int_equal(copy_to_guest(&vcpu, va(0, PAGE_SIZE - 32), back, sizeof(back)), 0);
	assert_memory_equal(frames[1] + PAGE_SIZE - 32, back, 32);
	assert_memory_equal(frames[0], back + 32, 32);
	assert_int_equal(walks, 4);
}

static void test_access_checks(void **state)
{
	u8 b = 0x55;

	(void)state;
	va_writable[2] = false;
	assert_int_equal(copy_to_guest(&vcpu, va(2, 0), &b, 1), -EFAULT);
	assert_int_equal(frames[3][0], 0x13);
	assert_int_equal(copy_from_guest(&vcpu, &b, va(2, 0), 1), 0);
	assert_int_equal(b, 0x13);
	/* Past the guest's mappings, or onto a frame it has no RAM behind. */
	assert_int_equal(copy_from_guest(&vcpu, &b, va(GFNS, 0), 1), -EFAULT);
	frame_type[0] = P2M_MMIO;
	assert_int_equal(copy_from_guest(&vcpu, &b, va(1, 0), 1), -EFAULT);
	/* A read-only grant mapping can be read, not written. */
	frame_type[0] = P2M_GRANT_RO;
	assert_int_equal(copy_from_guest(&vcpu, &b, va(1, 0), 1), 0);
	assert_int_equal(copy_to_guest(&vcpu, va(1, 0), &b, 1), -EFAULT);
}

static void test_walk_cache(void **state)
{
	u8 b;
	u16 status = 0x1234;

	(void)state;
	/* Off: every copy walks. */
	copy_from_guest(&vcpu, &b, va(0, 0), 1);
	copy_from_guest(&vcpu, &b, va(0, 8), 1);
	assert_int_equal(walks, 2);

	/* On: one walk per page, for reads and writes alike... */
	guest_walk_cache_begin(&vcpu);
	walks = lookups = 0;
	for (unsigned int off = 0; off < 400; off += 40) {
		assert_int_equal(copy_from_guest(&vcpu, &b, va(0, off), 1), 0);
		assert_int_equal(copy_to_guest(&vcpu, va(0, off + 2), &status, 2), 0);
	}
	assert_int_equal(walks, 1);
	assert_int_equal(lookups, 20); /* ...but the p2m every time */
	assert_int_equal(frames[1][42] | frames[1][43] << 8, 0x1234);

	/* Another page walks again; so does going back. */
	copy_from_guest(&vcpu, &b, va(1, 0), 1);
	assert_int_equal(b, 0x10);
	copy_from_guest(&vcpu, &b, va(0, 0), 1);
	assert_int_equal(walks, 3);

	/* A p2m change inside the window is seen at once. */
	frame_present[1] = false;
	assert_int_equal(copy_from_guest(&vcpu, &b, va(0, 0), 1), -EFAULT);
	frame_present[1] = true;

	/* A page cached by a read of a read-only mapping still refuses writes. */
	va_writable[2] = false;
	walks = 0;
	assert_int_equal(copy_from_guest(&vcpu, &b, va(2, 0), 1), 0);
	assert_int_equal(copy_to_guest(&vcpu, va(2, 0), &status, 2), -EFAULT);
	assert_int_equal(copy_from_guest(&vcpu, &b, va(2, 1), 1), 0);
	assert_int_equal(walks, 2);
	assert_int_equal(frames[3][0], 0x13);

	/* A failed walk leaves nothing behind. */
	assert_int_equal(copy_from_guest(&vcpu, &b, va(GFNS, 0), 1), -EFAULT);
	walks = 0;
	assert_int_equal(copy_from_guest(&vcpu, &b, va(GFNS, 0), 1), -EFAULT);
	assert_int_equal(walks, 1);

	/* Closed: forgotten, and copies walk every time again. */
	guest_walk_cache_end(&vcpu);
	walks = 0;
	copy_from_guest(&vcpu, &b, va(2, 0), 1);
	copy_from_guest(&vcpu, &b, va(2, 0), 1);
	assert_int_equal(walks, 2);
	assert_false(vcpu.walk_cache.valid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_copies_cross_pages, setup),
		cmocka_unit_test_setup(test_access_checks, setup),
		cmocka_unit_test_setup(test_walk_cache, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
