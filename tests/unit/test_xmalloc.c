// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for the hypervisor heap: storms against a model, integrity, pages given back, misuse. */
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

#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/xmalloc.h>

#define ARENA_SIZE (256ULL << 20)
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

/* Each test starts on a fresh page allocator of the given size. */
static void fresh(u64 bytes)
{
	struct mem_range r = { 0x100000, 0x100000 + bytes };

	assert_int_equal(page_alloc_init(&r, 1), 0);
}

struct obj {
	u8 *p;
	size_t size;
	u8 seed;
};

static void stamp(struct obj *o)
{
	size_t i;

	for (i = 0; i < o->size; i++)
		o->p[i] = (u8)(o->seed + i * 13);
}

static void verify(const struct obj *o)
{
	size_t i;

	for (i = 0; i < o->size; i++)
		if (o->p[i] != (u8)(o->seed + i * 13))
			fail_msg("object %p (%zu bytes) corrupted at byte %zu", (void *)o->p,
				 o->size, i);
}

static int cmp_obj(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* No two live objects overlap, and all lie in the arena. */
static void check_disjoint(struct obj *v, size_t n)
{
	struct obj *s = malloc(sizeof(*s) * (n + 1));
	size_t i;

	memcpy(s, v, sizeof(*s) * n);
	qsort(s, n, sizeof(*s), cmp_obj);
	for (i = 0; i < n; i++) {
		assert_true(s[i].p >= arena && s[i].p + s[i].size <= arena + ARENA_SIZE);
		if (i && s[i - 1].p + s[i - 1].size > s[i].p)
			fail_msg("objects %p+%zu and %p overlap", (void *)s[i - 1].p,
				 s[i - 1].size, (void *)s[i].p);
	}
	free(s);
}

static size_t random_size(void)
{
	switch (rand() % 8) {
	case 0:
		return rand() % 17;
	case 1:
		return 2000 + rand() % 40; /* around the slab/page boundary */
	case 2:
		return 4080 + rand() % 40; /* around one page with its header */
	case 3:
		return rand() % 70000;
	default:
		return 1 + rand() % 600;
	}
}

static void test_storm(void **state)
{
	enum { MAX_LIVE = 3000, ROUNDS = 60000 };
	struct obj *live = calloc(MAX_LIVE, sizeof(*live));
	u64 free0;
	size_t n = 0;
	int r;

	(void)state;
	fresh(64 << 20);
	free0 = page_alloc_free_count();
	srand(7);
	for (r = 0; r < ROUNDS; r++) {
		if (n < MAX_LIVE && (n == 0 || rand() % 100 < 55)) {
			struct obj o = { NULL, random_size(), (u8)rand() };

			o.p = rand() % 2 ? xmalloc(o.size) : xzalloc(o.size);
			assert_non_null(o.p);
			assert_true(IS_ALIGNED((uintptr_t)o.p, 16));
			stamp(&o);
			live[n++] = o;
		} else {
			size_t k = rand() % n;

			verify(&live[k]);
			xfree(live[k].p);
			live[k] = live[--n];
		}
		if (r % 5000 == 0)
			check_disjoint(live, n);
	}
	check_disjoint(live, n);
	while (n) {
		n--;
		verify(&live[n]);
		xfree(live[n].p);
	}
	/* Every slab and big block went back to the page allocator. */
	assert_int_equal(page_alloc_free_count(), free0);
	free(live);
}

static void test_zero_and_edges(void **state)
{
	u8 *p, *q;
	size_t i, j;

	(void)state;
	fresh(16 << 20);
	xfree(NULL);
	p = xmalloc(0);
	assert_non_null(p);
	q = xmalloc(0);
	assert_ptr_not_equal(p, q);
	xfree(p);
	xfree(q);

	for (i = 1; i < 9000; i += 97) {
		p = xmalloc(i);
		memset(p, 0xa5, i);
		xfree(p);
		p = xzalloc(i);
		assert_true(IS_ALIGNED((uintptr_t)p, 16));
		for (j = 0; j < i; j++)
			assert_int_equal(p[j], 0);
		xfree(p);
	}
	assert_null(xmalloc(SIZE_MAX));
	assert_null(xmalloc(SIZE_MAX - 8));
	assert_null(xzalloc((size_t)1 << 40));
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
}

/* Slabs are whole pages: objects fill one before the next, and empty ones go back. */
static void test_slab_pages(void **state)
{
	void *p[600];
	u64 free0;
	size_t per_page = 0, i;

	(void)state;
	fresh(16 << 20);
	free0 = page_alloc_free_count();
	p[0] = xmalloc(16);
	assert_int_equal(page_alloc_free_count(), free0 - 1);
	for (i = 1; page_alloc_free_count() == free0 - 1; i++)
		p[i] = xmalloc(16);
	per_page = i - 1;
	assert_true(per_page >= 200); /* at most a small header per page */
	assert_int_equal(page_alloc_free_count(), free0 - 2);
	xfree(p[per_page]);
	assert_int_equal(page_alloc_free_count(), free0 - 1);
	for (i = 0; i < per_page; i++)
		xfree(p[i]);
	assert_int_equal(page_alloc_free_count(), free0);

	/* A 3000-byte object takes exactly one page, a 5000-byte one two. */
	p[0] = xmalloc(3000);
	assert_int_equal(page_alloc_free_count(), free0 - 1);
	p[1] = xmalloc(5000);
	assert_int_equal(page_alloc_free_count(), free0 - 3);
	xfree(p[0]);
	xfree(p[1]);
	assert_int_equal(page_alloc_free_count(), free0);
}

static void test_out_of_memory(void **state)
{
	void **v = calloc(100000, sizeof(*v));
	size_t n = 0, big = 0;

	(void)state;
	fresh(1 << 20); /* 256 pages */
	while ((v[big] = xmalloc(20000)))
		big++;
	assert_true(big > 0 && big < 64);
	n = big;
	while ((v[n] = xmalloc(100)))
		n++;
	assert_true(n > big);
	assert_int_equal(page_alloc_free_count(), 0);
	while (n)
		xfree(v[--n]);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
	free(v);
}

static void expect_panic(void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void *small_obj, *big_obj, *other_small;

static void double_free_small(void)
{
	xfree(small_obj);
	xfree(small_obj);
}

static void double_free_big(void)
{
	xfree(big_obj);
	xfree(big_obj);
}

static void interior_pointer(void)
{
	xfree((u8 *)small_obj + 16);
}

static void interior_big(void)
{
	xfree((u8 *)big_obj + 64);
}

static void not_heap(void)
{
	xfree((u8 *)alloc_page() + 64);
}

static void test_misuse_panics(void **state)
{
	(void)state;
	fresh(4 << 20);
	small_obj = xmalloc(40);
	other_small = xmalloc(40); /* keeps the slab alive after the first free */
	big_obj = xmalloc(10000);
	expect_panic(double_free_small);
	expect_panic(double_free_big);
	expect_panic(interior_pointer);
	expect_panic(interior_big);
	expect_panic(not_heap);
	xfree(small_obj);
	xfree(other_small);
	xfree(big_obj);
	assert_int_equal(page_alloc_free_count(), page_alloc_total_count());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_storm),	      cmocka_unit_test(test_zero_and_edges),
		cmocka_unit_test(test_slab_pages),    cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_misuse_panics),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
