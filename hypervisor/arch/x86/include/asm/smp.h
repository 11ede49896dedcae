/* SPDX-License-Identifier: GPL-2.0-only */
/* Starting secondary CPUs and calling functions on them. */
#ifndef ASM_SMP_H
#define ASM_SMP_H

#include <keel/types.h>

void smp_boot_cpus(unsigned int max_cpus);
/* Run fn(arg) on every other online CPU and wait for all of them. */
void smp_call_others(void (*fn)(void *), void *arg);
/* Interrupt a CPU so it leaves the guest or wakes from HLT. */
void smp_send_kick(unsigned int cpu);

/* Provided by setup code: per-CPU init after tables, and the idle loop. */
u64 cpu_alloc_stack(void);
void cpu_secondary_init(void);
__attribute__((noreturn)) void secondary_cpu_idle(void);

#endif
