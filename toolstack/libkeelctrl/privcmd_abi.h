// SPDX-License-Identifier: GPL-2.0-only
/* The Linux UAPI of /dev/xen/privcmd and /dev/xen/evtchn that libkeelctrl
 * uses (include/uapi/xen/privcmd.h, evtchn.h), written out; compared with
 * libxen-dev's copies in tests/abi/. */
#ifndef KEEL_PRIVCMD_ABI_H
#define KEEL_PRIVCMD_ABI_H

#include <stdint.h>
#include <sys/ioctl.h>

struct keel_privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

struct keel_privcmd_mmapbatch_v2 {
	uint32_t num;
	uint16_t dom;
	uint16_t pad;
	uint64_t addr;
	uint64_t arr; /* const xen_pfn_t * */
	uint64_t err; /* int * */
};

struct keel_ioctl_evtchn_bind_interdomain {
	uint32_t remote_domain;
	uint32_t remote_port;
};

#define KEEL_IOCTL_PRIVCMD_HYPERCALL \
	_IOC(_IOC_NONE, 'P', 0, sizeof(struct keel_privcmd_hypercall))
#define KEEL_IOCTL_PRIVCMD_MMAPBATCH_V2 \
	_IOC(_IOC_NONE, 'P', 4, sizeof(struct keel_privcmd_mmapbatch_v2))
#define KEEL_IOCTL_EVTCHN_BIND_VIRQ _IOC(_IOC_NONE, 'E', 0, sizeof(uint32_t))
#define KEEL_IOCTL_EVTCHN_BIND_INTERDOMAIN \
	_IOC(_IOC_NONE, 'E', 1, sizeof(struct keel_ioctl_evtchn_bind_interdomain))
#define KEEL_IOCTL_EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(uint32_t))
#define KEEL_IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(uint32_t))

#endif
