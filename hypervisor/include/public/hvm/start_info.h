/* SPDX-License-Identifier: MIT */
/* The PVH start-of-day block handed to a guest in EBX (version 1). */
#ifndef KEEL_PUBLIC_START_INFO_H
#define KEEL_PUBLIC_START_INFO_H

#include "../xen.h"

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578U

#define SIF_PRIVILEGED (1U << 0)
#define SIF_INITDOMAIN (1U << 1)

#define XEN_HVM_MEMMAP_TYPE_RAM 1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI 3
#define XEN_HVM_MEMMAP_TYPE_NVS 4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM 7

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};
KEEL_ABI_ASSERT_SIZE(struct hvm_start_info, 56);

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};
KEEL_ABI_ASSERT_SIZE(struct hvm_modlist_entry, 32);

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};
KEEL_ABI_ASSERT_SIZE(struct hvm_memmap_table_entry, 24);

#endif
