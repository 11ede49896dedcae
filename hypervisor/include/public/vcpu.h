/* SPDX-License-Identifier: MIT */
/* vcpu_op hypercall (24): sub-commands and argument layouts. */
#ifndef KEEL_PUBLIC_VCPU_H
#define KEEL_PUBLIC_VCPU_H

#include "xen.h"

#define VCPUOP_initialise 0
#define VCPUOP_up 1
#define VCPUOP_down 2
#define VCPUOP_is_up 3
#define VCPUOP_get_runstate_info 4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer 6
#define VCPUOP_stop_periodic_timer 7
#define VCPUOP_set_singleshot_timer 8
#define VCPUOP_stop_singleshot_timer 9
#define VCPUOP_register_vcpu_info 10
#define VCPUOP_send_nmi 11
#define VCPUOP_get_physid 12
#define VCPUOP_register_vcpu_time_memory_area 13

#define RUNSTATE_running 0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked 2
#define RUNSTATE_offline 3

struct vcpu_runstate_info {
	int32_t state;
	uint32_t pad;
	uint64_t state_entry_time;
	uint64_t time[4];
};
KEEL_ABI_ASSERT_SIZE(struct vcpu_runstate_info, 48);

struct vcpu_register_runstate_memory_area {
	uint64_t addr; /* guest virtual address */
};

struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags;
	uint32_t pad;
};
KEEL_ABI_ASSERT_SIZE(struct vcpu_set_singleshot_timer, 16);
#define VCPU_SSHOTTMR_future (1U << 0)

struct vcpu_register_vcpu_info {
	uint64_t mfn; /* a GFN for translated guests */
	uint32_t offset;
	uint32_t rsvd;
};
KEEL_ABI_ASSERT_SIZE(struct vcpu_register_vcpu_info, 16);

#endif
