/* SPDX-License-Identifier: MIT */
/* memory_op hypercall (12): sub-commands and argument layouts. */
#ifndef KEEL_PUBLIC_MEMORY_H
#define KEEL_PUBLIC_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_populate_physmap 6
#define XENMEM_add_to_physmap 7
#define XENMEM_memory_map 9
#define XENMEM_machine_memory_map 10
#define XENMEM_set_memory_map 13
#define XENMEM_maximum_gpfn 14
#define XENMEM_remove_from_physmap 15
#define XENMEM_add_to_physmap_batch 23
#define XENMEM_acquire_resource 28

#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3
#define XENMAPSPACE_gmfn_foreign 4

struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;
	uint32_t space;
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
KEEL_ABI_ASSERT_SIZE(struct xen_add_to_physmap, 24);

struct xen_remove_from_physmap {
	domid_t domid;
	uint8_t pad[6];
	xen_pfn_t gpfn;
};
KEEL_ABI_ASSERT_SIZE(struct xen_remove_from_physmap, 16);

struct xen_memory_map {
	uint32_t nr_entries;
	uint32_t pad;
	uint64_t buffer; /* guest handle: array of packed e820 entries */
};
KEEL_ABI_ASSERT_SIZE(struct xen_memory_map, 16);

/* increase/decrease_reservation, populate_physmap (xen/memory.h). */
struct xen_memory_reservation {
	uint64_t extent_start; /* guest handle: xen_pfn_t[nr_extents] (GFNs) */
	xen_ulong_t nr_extents;
	uint32_t extent_order;
	uint32_t mem_flags;
	domid_t domid;
	uint8_t pad[6];
};
KEEL_ABI_ASSERT_SIZE(struct xen_memory_reservation, 32);

/* XENMEM_set_memory_map: the e820 another domain's XENMEM_memory_map returns. */
struct xen_foreign_memory_map {
	domid_t domid;
	uint8_t pad[6];
	struct xen_memory_map map;
};
KEEL_ABI_ASSERT_SIZE(struct xen_foreign_memory_map, 24);

/* XENMEM_add_to_physmap_batch (also called add_to_physmap_range). */
struct xen_add_to_physmap_batch {
	domid_t domid;
	uint16_t space; /* XENMAPSPACE_* */
	uint16_t size; /* entries in the three arrays */
	domid_t foreign_domid; /* XENMAPSPACE_gmfn_foreign: whose frames */
	uint64_t idxs; /* guest handle: xen_ulong_t[size] (frames of foreign_domid) */
	uint64_t gpfns; /* guest handle: xen_pfn_t[size] (where they appear) */
	uint64_t errs; /* guest handle: int[size], 0 or -errno per entry */
};
KEEL_ABI_ASSERT_SIZE(struct xen_add_to_physmap_batch, 32);

#endif
