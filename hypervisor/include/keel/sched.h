/* SPDX-License-Identifier: GPL-2.0-only */
/* The scheduler: which vCPU runs on which CPU, blocking and waking. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/types.h>

struct domain;
struct vcpu;

#define SCHED_DEFAULT_WEIGHT 256

/* Put a vCPU on a CPU's run queue (pinned there); -1 if full. */
int sched_add_vcpu(struct vcpu *v, unsigned int cpu);
/* The CPU in `affinity` (bit n = CPU n, n < nr_cpus) with the fewest vCPUs,
 * or ARCH_MAX_CPUS if the mask names none. */
unsigned int sched_pick_cpu(u64 affinity, unsigned int nr_cpus);
/* Take a vCPU off its run queue for good (it must be paused). */
void sched_remove_vcpu(struct vcpu *v);
/* Move a vCPU to another CPU's run queue; -1 if that queue is full. */
int sched_move_vcpu(struct vcpu *v, unsigned int cpu);
/* Keep a vCPU (or every vCPU of a domain) off the CPUs. Pauses nest; when
 * vcpu_pause() returns the vCPU is not running anywhere. */
void vcpu_pause(struct vcpu *v);
void vcpu_unpause(struct vcpu *v);
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);
/* Called by the architecture after each exit: give the CPU back now? */
bool sched_should_leave(struct vcpu *v);
/* CPU time used so far (ns), and whether it is on a CPU now. */
void vcpu_runstate(struct vcpu *v, u64 *cpu_time, bool *running);
/*
 * Quiescent points: the architecture calls sched_quiescent() on each guest
 * entry (no hypercall of this CPU is in progress then). sched_synchronize()
 * returns once every other CPU has passed one, so no CPU still uses a domain
 * that was unlisted before the call. Call it holding no lock.
 */
void sched_quiescent(void);
void sched_synchronize(void);
/* Make a vCPU runnable on its CPU (it is pinned there). */
void vcpu_wake(struct vcpu *v);
/* This CPU's scheduling loop; never returns. */
__attribute__((noreturn)) void scheduler_run(void);
/* A domain stopped (shutdown or crash); the owner of dom0's fate acts. */
void sched_domain_stopped(struct domain *d);

/* The vCPU's singleshot timer (system time, ns; 0 stops it). */
void vcpu_set_timer(struct vcpu *v, u64 deadline);
/* Called by the architecture's timer interrupt on every CPU. */
void sched_timer_interrupt(void);

#endif
