// SPDX-License-Identifier: MIT
/* Questions about the start_info memory map that several guests ask. */
#include "guest.h"

int memmap_overlaps_ram(uint64_t start, uint64_t end)
{
	const struct hvm_memmap_table_entry *map;
	unsigned int i;

	if (!start_info || !start_info->memmap_paddr)
		return -1;
	map = (const void *)(uintptr_t)start_info->memmap_paddr;
	for (i = 0; i < start_info->memmap_entries; i++)
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM &&
		    map[i].addr < end && start < map[i].addr + map[i].size)
			return 1;
	return 0;
}

/*
 * A page below 4 GiB (so head.S identity-maps it) that the memory map does not
 * call RAM: 3.5 GiB if possible, else lower 256 MiB steps. 0 if none.
 */
uint64_t non_ram_address(void)
{
	uint64_t a;

	for (a = 0xe0000000; a >= 0x10000000; a -= 0x10000000)
		if (memmap_overlaps_ram(a, a + PAGE_SIZE) == 0)
			return a;
	return 0;
}
