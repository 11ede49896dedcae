/* SPDX-License-Identifier: GPL-2.0-only */
/* Boot options every part of the hypervisor may consult. */
#ifndef KEEL_SETUP_H
#define KEEL_SETUP_H

#include <keel/types.h>

extern bool opt_noreboot;
extern u64 opt_debug_exit_port;

/* Codes for arch_machine_halt(); with debug_exit= they become QEMU's exit status. */
#define KEEL_EXIT_POWEROFF 0
#define KEEL_EXIT_REBOOT 1
#define KEEL_HALT_CRASH 2
#define KEEL_HALT_PANIC 3

#endif
