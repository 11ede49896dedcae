/* SPDX-License-Identifier: MIT */
/* xen_version hypercall (17): sub-commands and their argument layouts. */
#ifndef KEEL_PUBLIC_VERSION_H
#define KEEL_PUBLIC_VERSION_H

#include "xen.h"

#define XENVER_version 0
#define XENVER_extraversion 1
#define XENVER_compile_info 2
#define XENVER_capabilities 3
#define XENVER_changeset 4
#define XENVER_platform_parameters 5
#define XENVER_get_features 6
#define XENVER_pagesize 7
#define XENVER_guest_handle 8
#define XENVER_commandline 9
#define XENVER_build_id 10

#define XEN_EXTRAVERSION_LEN 16
#define XEN_CAPABILITIES_INFO_LEN 1024
#define XEN_CHANGESET_INFO_LEN 64
#define XEN_COMMANDLINE_LEN 1024

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
KEEL_ABI_ASSERT_SIZE(struct xen_compile_info, 144);

struct xen_platform_parameters {
	xen_ulong_t virt_start;
};

struct xen_feature_info {
	uint32_t submap_idx;
	uint32_t submap;
};
KEEL_ABI_ASSERT_SIZE(struct xen_feature_info, 8);

/* Feature bits of submap 0 */
#define XENFEAT_writable_page_tables 0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap 2
#define XENFEAT_supervisor_mode_kernel 3
#define XENFEAT_pae_pgdir_above_4gb 4
#define XENFEAT_hvm_callback_vector 8
#define XENFEAT_hvm_safe_pvclock 9
#define XENFEAT_hvm_pirqs 10
#define XENFEAT_dom0 11
#define XENFEAT_memory_op_vnode_supported 13
#define XENFEAT_linux_rsdp_unrestricted 15

#endif
