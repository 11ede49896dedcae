/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for <keel/page.h>: "physical" addresses are offsets into an
 * arena the test sets up (harness_phys_base), so allocator code that writes
 * into free pages works on ordinary host memory.
 */
#ifndef KEEL_PAGE_H
#define KEEL_PAGE_H

#include <keel/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_DOWN(pa) ((pa) >> PAGE_SHIFT)
#define PFN_UP(pa) (((pa) + PAGE_SIZE - 1) >> PAGE_SHIFT)

extern uintptr_t harness_phys_base;

static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(harness_phys_base + (uintptr_t)pa);
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)((uintptr_t)va - harness_phys_base);
}

#endif
