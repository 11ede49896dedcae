/* SPDX-License-Identifier: MIT */
/* platform_op (7) and physdev_op (33): the subset a PVH dom0 issues. */
#ifndef KEEL_PUBLIC_PLATFORM_H
#define KEEL_PUBLIC_PLATFORM_H

#include "xen.h"

#define XENPF_INTERFACE_VERSION 0x03000001U
#define XENPF_settime32 17
#define XENPF_firmware_info 50
#define XENPF_get_cpuinfo 55
#define XENPF_settime64 62
#define XENPF_get_dom0_console 64

struct xenpf_settime32 {
	uint32_t secs;
	uint32_t nsecs;
	uint64_t system_time;
};
KEEL_ABI_ASSERT_SIZE(struct xenpf_settime32, 16);

struct xenpf_settime64 {
	uint64_t secs;
	uint32_t nsecs;
	uint32_t mbz;
	uint64_t system_time;
};
KEEL_ABI_ASSERT_SIZE(struct xenpf_settime64, 24);

struct xen_platform_op {
	uint32_t cmd;
	uint32_t interface_version;
	union {
		struct xenpf_settime32 settime32;
		struct xenpf_settime64 settime64;
		uint8_t pad[128];
	} u;
};
KEEL_ABI_ASSERT_SIZE(struct xen_platform_op, 136);

#define PHYSDEVOP_manage_pci_add 15
#define PHYSDEVOP_manage_pci_remove 16
#define PHYSDEVOP_manage_pci_add_ext 20
#define PHYSDEVOP_pci_mmcfg_reserved 24
#define PHYSDEVOP_pci_device_add 25
#define PHYSDEVOP_pci_device_remove 26

#endif
