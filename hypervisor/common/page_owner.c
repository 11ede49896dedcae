// SPDX-License-Identifier: GPL-2.0-only
/* The owner of each guest RAM page: two bytes per frame of the allocator's span. */
#include <keel/page_owner.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>

static domid_t *owners;
static u64 nr_frames;

int page_owner_init(void)
{
	u64 frames = page_alloc_end_pfn();
	u64 bytes = frames * sizeof(*owners);
	unsigned int order = 0;
	paddr_t pa;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	pa = alloc_pages(order);
	if (pa == PADDR_INVALID)
		return -ENOMEM;
	owners = phys_to_virt(pa);
	for (u64 i = 0; i < frames; i++)
		owners[i] = PAGE_OWNER_NONE;
	nr_frames = frames;
	return 0;
}

void page_set_owner(paddr_t pa, domid_t owner)
{
	u64 pfn = pa >> PAGE_SHIFT;

	BUG_ON(pfn >= nr_frames);
	owners[pfn] = owner;
}

domid_t page_get_owner(paddr_t pa)
{
	u64 pfn = pa >> PAGE_SHIFT;

	return pfn < nr_frames ? owners[pfn] : PAGE_OWNER_NONE;
}
