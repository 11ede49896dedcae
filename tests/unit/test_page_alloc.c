// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for the buddy allocator: storms against a shadow model, holes, exhaustion, misuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>

/* "Physical" memory for the tests: a lazily backed mapping, offset 0 = phys 0. */
#define ARENA_SIZE (4ULL << 30)
static u8 *arena;

static int setup(void **state)
{
	(void)state;
	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (arena == MAP_FAILED)
		return -1;
	harness_phys_base = (uintptr_t)arena;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(arena, ARENA_SIZE);
	return 0;
}

/* Test-side model: which pages the ranges give, which the test holds now. */
struct model {
	u64 npages;
	u8 *given; /* page lies wholly inside some range */
	u8 *held;
};

static void model_init(struct model *m, const struct mem_range *r, unsigned int nr, u64 limit)
{
	unsigned int i;
	u64 p;

	m->npages = limit >> PAGE_SHIFT;
	m->given = calloc(m->npages, 1);
	m->held = calloc(m->npages, 1);
	assert_non_null(m->given);
	assert_non_null(m->held);
	for (i = 0; i < nr; i++)
		for (p = PFN_UP(r[i].start); p < PFN_DOWN(r[i].end) && p < m->npages; p++)
			m->given[p] = p != 0;
}

static void model_free(struct model *m)
{
	free(m->given);
	free(m->held);
}

static u64 model_given(const struct model *m)
{
	u64 p, n = 0;

	for (p = 0; p < m->npages; p++)
		n += m->given[p];
	return n;
}

/* Take a block: it must be aligned, given to the allocator and not already held. */
static void model_take(struct model *m, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT, i;

	assert_true(IS_ALIGNED(pa, PAGE_SIZE << order));
	assert_true(pfn + (1ULL << order) <= m->npages);
	for (i = 0; i < (1ULL << order); i++) {
		if (!m->given[pfn + i] || m->held[pfn + i])
			fail_msg("page 0x%llx (block 0x%llx order %u) %s",
				 (unsigned long long)(pfn + i), (unsigned long long)pa, order,
				 m->held[pfn + i] ? "handed out twice" : "was never given");
		m->held[pfn + i] = 1;
	}
	/* A stamp in every held block: the allocator must not write into it. */
	*(u64 *)phys_to_virt(pa) = pa ^ 0x5eed;
	*(u64 *)((u8 *)phys_to_virt(pa) + (PAGE_SIZE << order) - 8) = ~pa;
}

static void model_drop(struct model *m, paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT, i;

	assert_int_equal(*(u64 *)phys_to_virt(pa), pa ^ 0x5eed);
	assert_int_equal(*(u64 *)((u8 *)phys_to_virt(pa) + (PAGE_SIZE << order) - 8), ~pa);
	for (i = 0; i < (1ULL << order); i++)
		m->held[pfn + i] = 0;
	free_pages(pa, order);
}

struct block {
	paddr_t pa;
	unsigned int order;
};

static int cmp_block(const void *a, const void *b)
{
	const struct block *x = a, *y = b;

	return x->pa < y->pa ? -1 : x->pa > y->pa;
}

/*
 * Drain all memory largest blocks first and return the sorted list: after
 * everything is freed, full coalescing gives back exactly the same list.
 */
static struct block *drain(struct model *m, size_t *n)
{
	struct block *v = malloc(sizeof(*v) * (m->npages + 1));
	int order;

	*n = 0;
	for (order = PAGE_ALLOC_MAX_ORDER; order >= 0; order--) {
		paddr_t pa;

		while ((pa = alloc_pages(order)) != PADDR_INVALID) {
			model_take(m, pa, order);
			v[(*n)++] = (struct block){ pa, order };
		}
	}
	assert_int_equal(page_alloc_free_count(), 0);
	qsort(v, *n, sizeof(*v), cmp_block);
	return v;
}

static void release(struct model *m, const struct block *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		model_drop(m, v[i].pa, v[i].order);
}

static void storm(struct model *m, unsigned int seed, int rounds, unsigned int max_order)
{
	struct block *held = malloc(sizeof(*held) * m->npages);
	size_t nheld = 0, i, n0, n1;
	u64 total = page_alloc_total_count(), out = 0;
	struct block *before, *after;
	int r;

	assert_int_equal(page_alloc_free_count(), total);
	before = drain(m, &n0);
	release(m, before, n0);

	srand(seed);
	for (r = 0; r < rounds; r++) {
		/* Bias towards allocation until a third of memory is out, then balance. */
		bool do_alloc = nheld == 0 || (rand() % 100) < (out * 3 < total ? 70 : 45);

		if (do_alloc) {
			unsigned int order = rand() % 4 ? (unsigned int)rand() % 3 :
							 (unsigned int)rand() % (max_order + 1);
			paddr_t pa = alloc_pages(order);

			if (pa == PADDR_INVALID)
				continue;
			model_take(m, pa, order);
			held[nheld++] = (struct block){ pa, order };
			out += 1ULL << order;
		} else {
			size_t k = rand() % nheld;

			model_drop(m, held[k].pa, held[k].order);
			out -= 1ULL << held[k].order;
			held[k] = held[--nheld];
		}
		assert_int_equal(page_alloc_free_count(), total - out);
	}
	while (nheld) {
		nheld--;
		model_drop(m, held[nheld].pa, held[nheld].order);
	}
	free(held);
	assert_int_equal(page_alloc_free_count(), total);

	after = drain(m, &n1);
	assert_int_equal(n1, n0);
	for (i = 0; i < n0; i++) {
		assert_int_equal(after[i].pa, before[i].pa);
		assert_int_equal(after[i].order, before[i].order);
	}
	release(m, after, n1);
	free(after);
	free(before);
	assert_int_equal(page_alloc_free_count(), total);
}

/* One aligned 64 MiB range from 0: page 0 and the metadata page are kept back. */
static void test_simple(void **state)
{
	struct mem_range r = { 0, 64 << 20 };
	struct model m;
	paddr_t a, b;

	(void)state;
	assert_int_equal(page_alloc_init(&r, 1), 0);
	/* 16384 pages spanned from pfn 1: 16383 bytes of state = 4 pages at the top. */
	assert_int_equal(page_alloc_total_count(), 16384 - 1 - 4);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
	model_init(&m, &r, 1, r.end);
	a = alloc_pages(0);
	b = alloc_pages(3);
	model_take(&m, a, 0);
	model_take(&m, b, 3);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count() - 9);
	model_drop(&m, a, 0);
	model_drop(&m, b, 3);
	assert_int_equal(alloc_pages(PAGE_ALLOC_MAX_ORDER + 1), PADDR_INVALID);
	storm(&m, 1, 20000, 10);
	model_free(&m);
}

/* Unaligned, unsorted, overlapping ranges with holes and partial pages. */
static void test_holes(void **state)
{
	static const struct mem_range r[] = {
		{ 0x3000000, 0x3800123 },	/* end rounds down */
		{ 0x1234, 0x9f000 },		/* start rounds up */
		{ 0x100000, 0x1000000 },
		{ 0x500800, 0x500f00 },		/* no whole page */
		{ 0x800000, 0x1200000 },	/* overlaps the one above */
		{ 0x2345678, 0x2345678 },	/* empty */
		{ 0x6000000, 0x5000000 },	/* inverted: ignored */
		{ 0x7ff0000, 0x7ffffff },
	};
	struct model m;
	u64 meta;

	(void)state;
	assert_int_equal(page_alloc_init(r, ARRAY_SIZE(r)), 0);
	model_init(&m, r, ARRAY_SIZE(r), 0x8000000);
	/* Span pfn 2 .. 0x7fff: state bytes take 8 pages from the top of the highest range. */
	meta = PFN_UP(0x7fff - 2);
	assert_int_equal(page_alloc_total_count(), model_given(&m) - meta);
	memset(m.given + 0x7fff - meta, 0, meta);
	storm(&m, 2, 30000, 8);
	storm(&m, 3, 5000, PAGE_ALLOC_MAX_ORDER);
	model_free(&m);
}

/* A whole aligned GiB is one order-18 block (the state bytes go to the top range). */
static void test_max_order(void **state)
{
	struct mem_range r[] = { { 0x10000, 0x200000 },
				 { 1ULL << 30, 2ULL << 30 },
				 { 3ULL << 30, (3ULL << 30) + (1 << 20) } };
	paddr_t pa;

	(void)state;
	assert_int_equal(page_alloc_init(r, 3), 0);
	pa = alloc_pages(PAGE_ALLOC_MAX_ORDER);
	assert_int_equal(pa, 1ULL << 30);
	assert_int_equal(alloc_pages(PAGE_ALLOC_MAX_ORDER), PADDR_INVALID);
	free_pages(pa, PAGE_ALLOC_MAX_ORDER);
	assert_int_equal(alloc_pages(PAGE_ALLOC_MAX_ORDER), 1ULL << 30);
	free_pages(1ULL << 30, PAGE_ALLOC_MAX_ORDER);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
}

static void test_exhaustion(void **state)
{
	struct mem_range r = { 0x100000, 0x180000 }; /* 128 pages */
	u64 n = 0, total;
	paddr_t pa, last = 0;
	u8 *p;

	(void)state;
	assert_int_equal(page_alloc_init(&r, 1), 0);
	total = page_alloc_total_count();
	assert_int_equal(total, 127);
	assert_int_equal(alloc_pages(7), PADDR_INVALID); /* 128 pages minus metadata */
	p = alloc_page();
	memset(p, 0xee, PAGE_SIZE);
	free_page(p);
	free_page(NULL);
	while ((pa = alloc_pages(0)) != PADDR_INVALID) {
		assert_true(pa >= r.start && pa < r.end);
		last = pa;
		n++;
	}
	assert_int_equal(n, total);
	assert_int_equal(page_alloc_free_count(), 0);
	assert_null(alloc_page());
	free_pages(last, 0);
	/* Pages come back zeroed, whatever was there before. */
	p = alloc_page();
	assert_non_null(p);
	assert_int_equal(virt_to_phys(p), last);
	for (n = 0; n < PAGE_SIZE; n++)
		assert_int_equal(p[n], 0);
}

static void test_init_errors(void **state)
{
	/* 2 usable pages cannot hold the state of a 1 TiB span. */
	struct mem_range big[] = { { 0x1000, 0x3000 }, { 1ULL << 40, (1ULL << 40) + 0x1000 } };
	struct mem_range none[] = { { 0, 0x1000 }, { 0x2000, 0x2fff } };

	(void)state;
	assert_int_equal(page_alloc_init(big, 2), -ENOMEM);
	assert_int_equal(page_alloc_total_count(), 0);
	assert_int_equal(alloc_pages(0), PADDR_INVALID);
	assert_int_equal(page_alloc_init(none, 2), 0);
	assert_int_equal(page_alloc_total_count(), 0);
	assert_int_equal(alloc_pages(0), PADDR_INVALID);
	assert_int_equal(page_alloc_init(NULL, 0), 0);
	assert_null(alloc_page());
}

/* Run fn in a child: it must die by the panic (abort) of a BUG_ON. */
static void expect_panic(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		/* Keep the expected panic message out of the test log. */
		freopen("/dev/null", "w", stderr);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static paddr_t misuse_pa;

static void double_free(void)
{
	free_pages(misuse_pa, 2);
	free_pages(misuse_pa, 2);
}

static void double_free_after_merge(void)
{
	paddr_t b = alloc_pages(0);

	free_pages(b, 0);
	free_pages(b, 0);
}

static void wrong_order(void)
{
	free_pages(misuse_pa, 3);
}

static void misaligned(void)
{
	free_pages(misuse_pa + 0x1000, 1);
}

static void unaligned_pa(void)
{
	free_pages(misuse_pa + 0x10, 2);
}

static void never_allocated(void)
{
	free_pages(0x10000, 0); /* free memory, or metadata: never handed out */
}

static void outside(void)
{
	free_pages(1ULL << 40, 0);
}

static void test_misuse_panics(void **state)
{
	struct mem_range r = { 0x10000, 0x400000 };

	(void)state;
	assert_int_equal(page_alloc_init(&r, 1), 0);
	misuse_pa = alloc_pages(2);
	assert_int_not_equal(misuse_pa, PADDR_INVALID);
	expect_panic(double_free);
	expect_panic(double_free_after_merge);
	expect_panic(wrong_order);
	expect_panic(misaligned);
	expect_panic(unaligned_pa);
	expect_panic(never_allocated);
	expect_panic(outside);
	/* The parent's allocator is untouched by what the children did. */
	free_pages(misuse_pa, 2);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),	     cmocka_unit_test(test_holes),
		cmocka_unit_test(test_max_order),    cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_init_errors),  cmocka_unit_test(test_misuse_panics),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
