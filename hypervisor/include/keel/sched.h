/* SPDX-License-Identifier: GPL-2.0-only */
/* The scheduler: which vCPU runs on which CPU, blocking and waking. */
#ifndef KEEL_SCHED_H
#define KEEL_SCHED_H

#include <keel/types.h>

struct domain;
struct vcpu;

/* Put a vCPU on a CPU's run queue (pinned there); -1 if full. */
int sched_add_vcpu(struct vcpu *v, unsigned int cpu);
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
