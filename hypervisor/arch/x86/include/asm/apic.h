/* SPDX-License-Identifier: GPL-2.0-only */
/* The physical local APIC (xAPIC MMIO) the hypervisor keeps for itself. */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <keel/types.h>

#define APIC_DEFAULT_BASE 0xfee00000ULL

void lapic_init(void);
u32 lapic_id(void);
void lapic_eoi(void);
/* Is `vector` in service? (An ExtINT from the 8259 never is.) */
bool lapic_in_service(u8 vector);
void lapic_send_ipi(u32 apic_id, u8 vector);
void lapic_send_init(u32 apic_id);
void lapic_send_sipi(u32 apic_id, u8 page);
/* One-shot timer interrupt on VECTOR_TIMER after ns nanoseconds. */
void lapic_timer_oneshot(u64 ns);
void lapic_timer_periodic(u64 ns);
void lapic_timer_stop(void);
/* Measure the LAPIC timer against the TSC (after time_init). */
void lapic_timer_calibrate(void);
/* NMI to another CPU; used only to stop CPUs when the machine goes down. */
void lapic_send_nmi_stop(unsigned int cpu);
void legacy_pic_disable(void);

#endif
