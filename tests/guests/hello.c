// SPDX-License-Identifier: MIT
/*
 * hello: the PVH start of day as dom0 sees it: hvm_start_info magic, version,
 * SIF_INITDOMAIN, and a memory map that can hold us and a Linux.
 */
#include "guest.h"

extern const uint8_t pvh_entry[], __bss_end[];

static const char *const memmap_type_names[] = {
	"?", "RAM", "RESERVED", "ACPI", "NVS", "UNUSABLE", "DISABLED", "PMEM",
};

static int ram_covers(const struct hvm_memmap_table_entry *map, unsigned int n,
		      uint64_t start, uint64_t end)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    map[i].addr <= start && end <= map[i].addr + map[i].size)
			return 1;
	return 0;
}

static void check_memmap(const struct hvm_memmap_table_entry *map,
			 unsigned int n)
{
	uint64_t si_page = (uint64_t)(uintptr_t)start_info & ~0xfffULL;
	unsigned int i, j, overlaps = 0;

	for (i = 0; i < n; i++) {
		printf("  memmap[%u] %#018llx-%#018llx %s\n", i,
		       (unsigned long long)map[i].addr,
		       (unsigned long long)(map[i].addr + map[i].size - 1),
		       map[i].type < ARRAY_SIZE(memmap_type_names) ?
			       memmap_type_names[map[i].type] : "?");
		for (j = 0; j < i; j++)
			if (map[j].addr < map[i].addr + map[i].size &&
			    map[i].addr < map[j].addr + map[j].size)
				overlaps++;
	}
	check_eq(overlaps, 0, "memmap entries do not overlap");
	check(ram_covers(map, n, (uint64_t)(uintptr_t)pvh_entry,
			 (uint64_t)(uintptr_t)__bss_end),
	      "one RAM entry covers the whole guest image (loaded at its p_paddr)");
	check(memmap_overlaps_ram(0, 0x100000) == 1,
	      "there is RAM below 1 MiB (Linux needs it for its real-mode trampoline)");
	check(memmap_overlaps_ram(si_page, si_page + PAGE_SIZE) == 0,
	      "the start_info page is not RAM (the guest must not reuse it)");
}

void test_main(void)
{
	const struct hvm_start_info *si = start_info;

	printf("hello from a Keel test guest; hypervisor CPUID base %#x\n",
	       xen_cpuid_base);
	check(si != NULL, "EBX held a start_info address");
	if (!si)
		return;
	printf("start_info at %p: magic %#x version %u flags %#x nr_modules %u\n",
	       si, si->magic, si->version, si->flags, si->nr_modules);
	printf("  modlist %#llx cmdline %#llx rsdp %#llx memmap %#llx entries %u\n",
	       (unsigned long long)si->modlist_paddr,
	       (unsigned long long)si->cmdline_paddr,
	       (unsigned long long)si->rsdp_paddr,
	       (unsigned long long)si->memmap_paddr, si->memmap_entries);
	if (si->cmdline_paddr)
		printf("  cmdline \"%s\"\n",
		       (const char *)(uintptr_t)si->cmdline_paddr);

	check_eq(si->magic, XEN_HVM_START_MAGIC_VALUE, "start_info magic");
	check_eq(si->version, 1, "start_info version (1: has a memmap)");
	check(si->flags & SIF_INITDOMAIN, "SIF_INITDOMAIN: we run as dom0");
	check_eq(si->reserved, 0, "start_info reserved field");
	check(si->memmap_paddr && si->memmap_entries,
	      "start_info carries a memory map");
	if (si->magic != XEN_HVM_START_MAGIC_VALUE || !si->memmap_paddr)
		return;
	check(si->memmap_paddr < (1ULL << 30),
	      "memmap below 1 GiB (Linux reads it through its first-1-GiB map)");
	check_memmap((const void *)(uintptr_t)si->memmap_paddr,
		     si->memmap_entries);
}
