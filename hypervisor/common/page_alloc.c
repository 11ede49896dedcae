// SPDX-License-Identifier: GPL-2.0-only
/* Buddy allocator for host physical pages, with one state byte per page. */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/spinlock.h>

/*
 * State byte of each page in [base_pfn, end_pfn). Only the first page of a
 * block says anything: whether the block is free or allocated, and its
 * order; interior pages, holes and the metadata itself read 0. Keeping the
 * order of allocated blocks lets free_pages() catch double and mismatched
 * frees in O(1).
 */
#define PS_FREE 0x80
#define PS_ALLOC 0x40
#define PS_PRESENT 0x20 /* only during init: page given to us */

/* Free-list links live in the first page of each free block. */
struct free_block {
	struct free_block *next, *prev;
};

/* Protects every variable below; a leaf lock (xmalloc's heap_lock nests outside it). */
static spinlock_t page_alloc_lock = SPINLOCK_INIT;
static struct free_block free_lists[PAGE_ALLOC_MAX_ORDER + 1];
static u8 *page_state;
static u64 base_pfn, end_pfn;
static u64 nr_free, nr_total;

static void list_push(unsigned int order, struct free_block *b)
{
	struct free_block *head = &free_lists[order];

	b->next = head->next;
	b->prev = head;
	head->next->prev = b;
	head->next = b;
}

static void list_del(struct free_block *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static struct free_block *pfn_block(u64 pfn)
{
	return phys_to_virt(pfn << PAGE_SHIFT);
}

static void make_free(u64 pfn, unsigned int order)
{
	page_state[pfn - base_pfn] = PS_FREE | order;
	list_push(order, pfn_block(pfn));
}

/* The whole pages inside [start, end), never page 0. */
static bool range_pfns(const struct mem_range *r, u64 *s, u64 *e)
{
	*s = (r->start >> PAGE_SHIFT) + !!(r->start & ~PAGE_MASK);
	*e = r->end >> PAGE_SHIFT;
	if (*s == 0)
		*s = 1;
	return r->end > r->start && *s < *e;
}

/* Split a run of pages into the largest naturally aligned free blocks. */
static void add_run(u64 s, u64 e)
{
	memset(page_state + (s - base_pfn), 0, e - s);
	while (s < e) {
		unsigned int order = 0;

		while (order < PAGE_ALLOC_MAX_ORDER &&
		       IS_ALIGNED(s, 2ULL << order) && s + (2ULL << order) <= e)
			order++;
		make_free(s, order);
		nr_free += 1ULL << order;
		s += 1ULL << order;
	}
}

int page_alloc_init(const struct mem_range *ranges, unsigned int nr)
{
	u64 lo = ~0ULL, hi = 0, meta_pages, meta_pfn = 0, s, e, pfn;
	unsigned long flags;
	unsigned int i;

	flags = spin_lock_irqsave(&page_alloc_lock);
	for (i = 0; i <= PAGE_ALLOC_MAX_ORDER; i++)
		free_lists[i].next = free_lists[i].prev = &free_lists[i];
	page_state = NULL;
	base_pfn = end_pfn = nr_free = nr_total = 0;

	for (i = 0; i < nr; i++) {
		if (!range_pfns(&ranges[i], &s, &e))
			continue;
		lo = MIN(lo, s);
		hi = MAX(hi, e);
	}
	if (lo >= hi)
		goto out;

	meta_pages = PFN_UP(hi - lo);
	for (i = 0; i < nr; i++)
		if (range_pfns(&ranges[i], &s, &e) && e - s >= meta_pages &&
		    e > meta_pfn + meta_pages)
			meta_pfn = e - meta_pages;
	if (!meta_pfn) {
		spin_unlock_irqrestore(&page_alloc_lock, flags);
		return -ENOMEM;
	}

	/* Mark first, then scan: overlapping or unsorted ranges need no care. */
	page_state = phys_to_virt(meta_pfn << PAGE_SHIFT);
	base_pfn = lo;
	end_pfn = hi;
	memset(page_state, 0, hi - lo);
	for (i = 0; i < nr; i++)
		if (range_pfns(&ranges[i], &s, &e))
			memset(page_state + (s - lo), PS_PRESENT, e - s);
	memset(page_state + (meta_pfn - lo), 0, meta_pages);

	for (pfn = lo; pfn < hi;) {
		u64 run = pfn;

		while (run < hi && page_state[run - lo] == PS_PRESENT)
			run++;
		if (run > pfn) {
			add_run(pfn, run);
			pfn = run;
		} else {
			pfn++;
		}
	}
	nr_total = nr_free;
out:
	spin_unlock_irqrestore(&page_alloc_lock, flags);
	return 0;
}

paddr_t alloc_pages(unsigned int order)
{
	struct free_block *b;
	unsigned long flags;
	unsigned int o;
	u64 pfn;

	if (order > PAGE_ALLOC_MAX_ORDER)
		return PADDR_INVALID;

	flags = spin_lock_irqsave(&page_alloc_lock);
	for (o = order; o <= PAGE_ALLOC_MAX_ORDER; o++)
		if (free_lists[o].next != &free_lists[o])
			break;
	if (o > PAGE_ALLOC_MAX_ORDER) {
		spin_unlock_irqrestore(&page_alloc_lock, flags);
		return PADDR_INVALID;
	}
	b = free_lists[o].next;
	list_del(b);
	pfn = virt_to_phys(b) >> PAGE_SHIFT;
	/* Give back the upper halves until the block has the size asked for. */
	while (o > order) {
		o--;
		make_free(pfn + (1ULL << o), o);
	}
	page_state[pfn - base_pfn] = PS_ALLOC | order;
	nr_free -= 1ULL << order;
	spin_unlock_irqrestore(&page_alloc_lock, flags);
	return pfn << PAGE_SHIFT;
}

void free_pages(paddr_t pa, unsigned int order)
{
	u64 pfn = pa >> PAGE_SHIFT;
	unsigned long flags;

	BUG_ON(order > PAGE_ALLOC_MAX_ORDER);
	BUG_ON(pa & ~PAGE_MASK);
	BUG_ON(!IS_ALIGNED(pfn, 1ULL << order));

	flags = spin_lock_irqsave(&page_alloc_lock);
	BUG_ON(pfn < base_pfn || pfn >= end_pfn);
	BUG_ON(page_state[pfn - base_pfn] != (PS_ALLOC | order));
	page_state[pfn - base_pfn] = 0;
	nr_free += 1ULL << order;

	while (order < PAGE_ALLOC_MAX_ORDER) {
		u64 buddy = pfn ^ (1ULL << order);

		if (buddy < base_pfn || buddy >= end_pfn ||
		    page_state[buddy - base_pfn] != (PS_FREE | order))
			break;
		list_del(pfn_block(buddy));
		page_state[buddy - base_pfn] = 0;
		pfn &= ~(1ULL << order);
		order++;
	}
	make_free(pfn, order);
	spin_unlock_irqrestore(&page_alloc_lock, flags);
}

void *alloc_page(void)
{
	paddr_t pa = alloc_pages(0);
	void *va;

	if (pa == PADDR_INVALID)
		return NULL;
	va = phys_to_virt(pa);
	memset(va, 0, PAGE_SIZE);
	return va;
}

void free_page(void *va)
{
	if (va)
		free_pages(virt_to_phys(va), 0);
}

u64 page_alloc_free_count(void)
{
	return nr_free;
}

u64 page_alloc_total_count(void)
{
	return nr_total;
}

u64 page_alloc_end_pfn(void)
{
	return end_pfn;
}
