/* SPDX-License-Identifier: MIT */
/*
 * grant_table_op hypercall (20), version 1 grant entries: sub-commands, entry
 * flags, map flags, per-op statuses and argument layouts of the Xen 4.17 ABI.
 */
#ifndef KEEL_PUBLIC_GRANT_TABLE_H
#define KEEL_PUBLIC_GRANT_TABLE_H

#include "xen.h"

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

#define GNTTABOP_map_grant_ref 0
#define GNTTABOP_unmap_grant_ref 1
#define GNTTABOP_setup_table 2
#define GNTTABOP_dump_table 3
#define GNTTABOP_transfer 4
#define GNTTABOP_copy 5
#define GNTTABOP_query_size 6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version 8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version 10
#define GNTTABOP_swap_grant_ref 11
#define GNTTABOP_cache_flush 12

/*
 * A version 1 entry, written by the granting guest: it lets `domid` use the
 * granter's guest frame `frame`. 512 of them fill a 4 KiB table frame.
 */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_*: type and permissions (guest), status (hypervisor) */
	domid_t domid; /* the grantee */
	uint32_t frame; /* the granter's GFN */
};
KEEL_ABI_ASSERT_SIZE(struct grant_entry_v1, 8);
typedef struct grant_entry_v1 grant_entry_v1_t;

/*
 * XENMEM_add_to_physmap(space = XENMAPSPACE_grant_table): this bit in idx
 * asks for a version 2 status frame instead of a shared frame.
 */
#define XENMAPIDX_grant_table_status (1U << 31)

/* Entries 0..7 belong to the toolstack (0 console ring, 1 xenstore ring). */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE 0
#define GNTTAB_RESERVED_XENSTORE 1

/* Entry type, bits 1:0. */
#define GTF_invalid (0U << 0)
#define GTF_permit_access (1U << 0)
#define GTF_accept_transfer (2U << 0)
#define GTF_transitive (3U << 0)
#define GTF_type_mask (3U << 0)
/* Set by the granter: the grantee may only read. */
#define GTF_readonly (1U << 2)
/* Set by the hypervisor while the frame is mapped or being copied. */
#define GTF_reading (1U << 3)
#define GTF_writing (1U << 4)
/* Cache attributes of the mapping (granter's choice). */
#define GTF_PWT (1U << 5)
#define GTF_PCD (1U << 6)
#define GTF_PAT (1U << 7)
#define GTF_sub_page (1U << 8) /* version 2 only */
/* accept_transfer entries. */
#define GTF_transfer_committed (1U << 2)
#define GTF_transfer_completed (1U << 3)

/* GNTTABOP_map_grant_ref flags. */
#define GNTMAP_device_map (1U << 0)
#define GNTMAP_host_map (1U << 1)
#define GNTMAP_readonly (1U << 2)
#define GNTMAP_application_map (1U << 3)
#define GNTMAP_contains_pte (1U << 4)
#define GNTMAP_guest_avail_mask (~0U << 16)

/* Per-op statuses (the `status` field of each op). */
#define GNTST_okay 0
#define GNTST_general_error (-1)
#define GNTST_bad_domain (-2)
#define GNTST_bad_gntref (-3)
#define GNTST_bad_handle (-4)
#define GNTST_bad_virt_addr (-5)
#define GNTST_bad_dev_addr (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page (-9)
#define GNTST_bad_copy_arg (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain (-12)
#define GNTST_no_space (-13)

/*
 * GNTTABOP_map_grant_ref: an array of these. For an auto-translated caller
 * host_addr is the guest-physical address where the frame appears.
 */
struct gnttab_map_grant_ref {
	uint64_t host_addr;
	uint32_t flags; /* GNTMAP_* */
	grant_ref_t ref;
	domid_t dom; /* the granter */
	int16_t status; /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT */
	uint64_t dev_bus_addr; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_map_grant_ref, 32);

/* GNTTABOP_unmap_grant_ref: an array of these. */
struct gnttab_unmap_grant_ref {
	uint64_t host_addr;
	uint64_t dev_bus_addr;
	grant_handle_t handle;
	int16_t status; /* OUT */
	uint16_t pad;
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_unmap_grant_ref, 24);

/* GNTTABOP_setup_table: count must be 1. */
struct gnttab_setup_table {
	domid_t dom;
	uint16_t pad0;
	uint32_t nr_frames;
	int16_t status; /* OUT */
	uint16_t pad1[3];
	uint64_t frame_list; /* guest handle: xen_pfn_t[nr_frames], OUT */
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_setup_table, 24);

/* GNTTABOP_copy flags: which side names a grant rather than a local frame. */
#define GNTCOPY_source_gref (1U << 0)
#define GNTCOPY_dest_gref (1U << 1)

struct gnttab_copy_ptr {
	union {
		grant_ref_t ref; /* with the side's GNTCOPY_*_gref flag */
		xen_pfn_t gmfn; /* without: a frame of the caller */
	} u;
	domid_t domid;
	uint16_t offset;
	uint32_t pad;
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_copy_ptr, 16);

/* GNTTABOP_copy: an array of these. */
struct gnttab_copy {
	struct gnttab_copy_ptr source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_* */
	int16_t status; /* OUT */
	uint16_t pad;
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_copy, 40);

/* GNTTABOP_query_size: count must be 1. */
struct gnttab_query_size {
	domid_t dom;
	uint16_t pad0;
	uint32_t nr_frames; /* OUT */
	uint32_t max_nr_frames; /* OUT */
	int16_t status; /* OUT */
	uint16_t pad1;
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_query_size, 16);

/* GNTTABOP_set_version: IN the version wanted, OUT the version in force. */
struct gnttab_set_version {
	uint32_t version;
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_set_version, 4);

/* GNTTABOP_get_version. */
struct gnttab_get_version {
	domid_t dom;
	uint16_t pad;
	uint32_t version; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct gnttab_get_version, 8);

#endif
