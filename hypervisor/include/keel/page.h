/* SPDX-License-Identifier: GPL-2.0-only */
/* Page sizes and the hypervisor's direct map of host physical memory. */
#ifndef KEEL_PAGE_H
#define KEEL_PAGE_H

#include <keel/types.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_DOWN(pa) ((pa) >> PAGE_SHIFT)
#define PFN_UP(pa) (((pa) + PAGE_SIZE - 1) >> PAGE_SHIFT)

/*
 * All host physical memory is mapped 1:1 in the hypervisor's address space,
 * so the conversions are identities; host unit tests replace this header.
 */
static inline void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}

#endif
