/* SPDX-License-Identifier: MIT */
/* sched_op hypercall (29): sub-commands, shutdown reasons, argument layouts. */
#ifndef KEEL_PUBLIC_SCHED_H
#define KEEL_PUBLIC_SCHED_H

#include "xen.h"

#define SCHEDOP_yield 0
#define SCHEDOP_block 1
#define SCHEDOP_shutdown 2
#define SCHEDOP_poll 3
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code 5
#define SCHEDOP_watchdog 6
#define SCHEDOP_pin_override 7

#define SHUTDOWN_poweroff 0
#define SHUTDOWN_reboot 1
#define SHUTDOWN_suspend 2
#define SHUTDOWN_crash 3
#define SHUTDOWN_watchdog 4
#define SHUTDOWN_soft_reset 5

struct sched_shutdown {
	uint32_t reason;
};
KEEL_ABI_ASSERT_SIZE(struct sched_shutdown, 4);

struct sched_poll {
	uint64_t ports; /* guest handle: evtchn_port_t[] */
	uint32_t nr_ports;
	uint32_t pad;
	uint64_t timeout;
};
KEEL_ABI_ASSERT_SIZE(struct sched_poll, 24);

#endif
