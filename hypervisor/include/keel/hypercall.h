/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypercall table and the handlers it dispatches to. */
#ifndef KEEL_HYPERCALL_H
#define KEEL_HYPERCALL_H

#include <keel/types.h>

struct vcpu;

typedef long (*hypercall_fn_t)(struct vcpu *v, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

/* Who may make a hypercall; checked once, in hypercall_dispatch(). */
#define HC_ANY_DOMAIN (1U << 0) /* every domain */
#define HC_PRIVILEGED (1U << 1) /* dom0 only; others get -EPERM */

struct hypercall {
	hypercall_fn_t handler;
	unsigned int flags;
};

long hypercall_dispatch(struct vcpu *v, u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5);

/*
 * A long hypercall stops after a slice of work and returns
 * HYPERCALL_RESTART after hypercall_set_arg() recorded its progress in its
 * arguments: the guest re-executes the same call (taking any interrupt in
 * between) and it goes on from there, as Xen's continuations do. Never
 * returned to the guest.
 */
#define HYPERCALL_RESTART (-4095L)
void hypercall_set_arg(struct vcpu *v, unsigned int idx, u64 value);

long do_console_io(struct vcpu *v, u64 cmd, u64 count, u64 buffer, u64 a4, u64 a5);
long do_xen_version(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);
long do_memory_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);
long do_sched_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);
long do_hvm_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);
long do_vcpu_op(struct vcpu *v, u64 cmd, u64 vcpuid, u64 arg, u64 a4, u64 a5);
long do_platform_op(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5);
long do_physdev_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);
long do_domctl(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5);
long do_sysctl(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5);
long do_vm_assist(struct vcpu *v, u64 cmd, u64 type, u64 a3, u64 a4, u64 a5);

/* Scheduler hooks used by hypercalls and exits. */
void vcpu_block_on_hlt(struct vcpu *v, bool interrupts_enabled);
void vcpu_block_on_poll(struct vcpu *v, unsigned int nr_ports, u64 deadline);
void vcpu_yield(struct vcpu *v);

#endif
