/* SPDX-License-Identifier: GPL-2.0-only */
/* The buddy allocator of host physical pages: every other allocator sits on it. */
#ifndef KEEL_PAGE_ALLOC_H
#define KEEL_PAGE_ALLOC_H

#include <keel/types.h>

/* Largest block: 2^18 pages = 1 GiB, the biggest page a 4-level NPT maps. */
#define PAGE_ALLOC_MAX_ORDER 18

struct mem_range {
	paddr_t start, end; /* [start, end) */
};

/*
 * Hand over all free memory once at boot. Ranges may be unsorted, unaligned
 * and overlapping; partial pages and page 0 (phys_to_virt(0) is NULL) are
 * dropped. One byte of state per page of the spanned range is carved from
 * the top of the highest range that holds it. -ENOMEM if nothing does.
 */
int page_alloc_init(const struct mem_range *ranges, unsigned int nr);

/* 2^order contiguous pages, naturally aligned; PADDR_INVALID if none. */
paddr_t alloc_pages(unsigned int order);

/*
 * Free a block exactly as it was allocated (same address, same order);
 * buddies coalesce. A double free, a wrong order or a misaligned or foreign
 * address is a hypervisor bug and panics.
 */
void free_pages(paddr_t pa, unsigned int order);

/* One zeroed page through the direct map, NULL if none; free_page(NULL) is a no-op. */
void *alloc_page(void);
void free_page(void *va);

u64 page_alloc_free_count(void);
u64 page_alloc_total_count(void);
/* One past the highest frame the allocator manages. */
u64 page_alloc_end_pfn(void);

#endif
