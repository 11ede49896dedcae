/* SPDX-License-Identifier: GPL-2.0-only */
/* How host RAM is split between the hypervisor, its modules and dom0. */
#ifndef ASM_MEMLAYOUT_H
#define ASM_MEMLAYOUT_H

#include <keel/types.h>
#include <keel/page_alloc.h>
#include <asm/bootinfo.h>

#define MAX_RANGES (2 * MAX_E820 + 8)

/* dom0's start_info and memory map live here, outside its RAM in its map. */
#define DOM0_START_INFO_GPA 0x6000ULL
#define DOM0_START_INFO_PAGES 3 /* start_info + cmdline, memmap, ACPI */
#define DOM0_ACPI_GPA (DOM0_START_INFO_GPA + 0x2000)

struct mem_layout {
	unsigned int nr_dom0;
	struct mem_range dom0[MAX_RANGES]; /* dom0 RAM, identity-mapped */
	unsigned int nr_free;
	struct mem_range free[MAX_RANGES]; /* the hypervisor's pool */
	struct mem_range image; /* Keel itself */
	struct mem_range modules; /* where the boot modules were moved to */
	u64 dom0_bytes;
};

extern struct mem_layout mem_layout;

/* Move the boot modules to the top of low RAM, out of dom0's way. */
void relocate_modules(void);
/* Split RAM: dom0 gets dom0_mem bytes from the bottom, Keel the rest. */
void plan_memory(u64 dom0_mem);
bool dom0_owns(paddr_t start, paddr_t end);

#endif
