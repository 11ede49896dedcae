/* SPDX-License-Identifier: MIT */
/*
 * sysctl hypercall (35): the subset of Xen 4.17's system-control interface
 * (XEN_SYSCTL_INTERFACE_VERSION 0x15) that Keel implements, with Xen's
 * numbers and layouts. Issued by dom0's toolstack only, through privcmd.
 */
#ifndef KEEL_PUBLIC_SYSCTL_H
#define KEEL_PUBLIC_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015U

#define XEN_SYSCTL_readconsole 1
#define XEN_SYSCTL_physinfo 3
#define XEN_SYSCTL_sched_id 4
#define XEN_SYSCTL_getdomaininfolist 6

/*
 * XEN_SYSCTL_readconsole: copy the hypervisor's log ring. Without
 * incremental, the newest count bytes; with it, from index on (index is
 * updated to where the next incremental read starts). clear empties the ring
 * after reading. count is IN (buffer size) and OUT (bytes copied).
 */
struct xen_sysctl_readconsole {
	uint8_t clear;
	uint8_t incremental;
	uint8_t pad0;
	uint8_t pad1;
	uint32_t index;
	uint64_t buffer; /* guest handle: char[count] */
	uint32_t count;
	uint32_t pad2;
};
KEEL_ABI_ASSERT_SIZE(struct xen_sysctl_readconsole, 24);
_Static_assert(__builtin_offsetof(struct xen_sysctl_readconsole, buffer) == 8,
	       "readconsole.buffer offset");

/* XEN_SYSCTL_physinfo: capabilities */
#define XEN_SYSCTL_PHYSCAP_hvm (1U << 0)
#define XEN_SYSCTL_PHYSCAP_pv (1U << 1)
#define XEN_SYSCTL_PHYSCAP_directio (1U << 2)
#define XEN_SYSCTL_PHYSCAP_hap (1U << 3)
#define XEN_SYSCTL_PHYSCAP_shadow (1U << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1U << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace (1U << 6)
#define XEN_SYSCTL_PHYSCAP_vpmu (1U << 7)
#define XEN_SYSCTL_PHYSCAP_gnttab_v1 (1U << 8)
#define XEN_SYSCTL_PHYSCAP_gnttab_v2 (1U << 9)

struct xen_sysctl_physinfo {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_cpus; /* online */
	uint32_t max_cpu_id;
	uint32_t nr_nodes;
	uint32_t max_node_id;
	uint32_t cpu_khz;
	uint32_t capabilities; /* XEN_SYSCTL_PHYSCAP_* */
	uint32_t arch_capabilities;
	uint32_t pad;
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t scrub_pages;
	uint64_t outstanding_pages;
	uint64_t max_mfn;
	uint32_t hw_cap[8];
};
KEEL_ABI_ASSERT_SIZE(struct xen_sysctl_physinfo, 112);
_Static_assert(__builtin_offsetof(struct xen_sysctl_physinfo, cpu_khz) == 24,
	       "physinfo.cpu_khz offset");
_Static_assert(__builtin_offsetof(struct xen_sysctl_physinfo, total_pages) == 40,
	       "physinfo.total_pages offset");
_Static_assert(__builtin_offsetof(struct xen_sysctl_physinfo, free_pages) == 48,
	       "physinfo.free_pages offset");

/* XEN_SYSCTL_sched_id: the scheduler in use (XEN_SCHEDULER_*). */
struct xen_sysctl_sched_id {
	uint32_t sched_id;
};
KEEL_ABI_ASSERT_SIZE(struct xen_sysctl_sched_id, 4);

/*
 * XEN_SYSCTL_getdomaininfolist: up to max_domains entries for the domains
 * whose id is >= first_domain, in id order.
 */
struct xen_sysctl_getdomaininfolist {
	domid_t first_domain;
	uint16_t pad0;
	uint32_t max_domains;
	uint64_t buffer; /* guest handle: struct xen_domctl_getdomaininfo[] */
	uint32_t num_domains; /* OUT */
	uint32_t pad1;
};
KEEL_ABI_ASSERT_SIZE(struct xen_sysctl_getdomaininfolist, 24);
_Static_assert(__builtin_offsetof(struct xen_sysctl_getdomaininfolist, num_domains) == 16,
	       "getdomaininfolist.num_domains offset");

struct xen_sysctl {
	uint32_t cmd; /* XEN_SYSCTL_* */
	uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
	union {
		struct xen_sysctl_readconsole readconsole;
		struct xen_sysctl_physinfo physinfo;
		struct xen_sysctl_sched_id sched_id;
		struct xen_sysctl_getdomaininfolist getdomaininfolist;
		uint8_t pad[128];
	} u;
};
KEEL_ABI_ASSERT_SIZE(struct xen_sysctl, 136);
_Static_assert(__builtin_offsetof(struct xen_sysctl, u) == 8, "xen_sysctl.u offset");

#endif
