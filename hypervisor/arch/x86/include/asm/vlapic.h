/* SPDX-License-Identifier: GPL-2.0-only */
/* A vCPU's virtual local APIC: x2APIC mode only, reached through MSRs. */
#ifndef ASM_VLAPIC_H
#define ASM_VLAPIC_H

#include <keel/types.h>

struct vcpu;

struct vlapic {
	u32 id;
	u32 tpr;
	u32 svr;
	u32 esr;
	u32 lvt[7]; /* CMCI, timer, thermal, PMC, LINT0, LINT1, error */
	u32 timer_icr, timer_dcr;
	u32 isr[8], irr[8], tmr[8];
	/* vectors that are physical interrupts passed through to dom0: their
	 * physical EOI waits for the guest's */
	u32 passthrough[8];
	bool nmi_pending;
	int extint_vector; /* from the 8259 through LINT0, or -1 */
	/* INIT received, waiting for a STARTUP (an AP before it is started) */
	bool wait_for_sipi;
};

void vlapic_init(struct vcpu *v, u32 apic_id);
/* 0 handled, -1 to raise #GP. */
int vlapic_rdmsr(struct vcpu *v, u32 msr, u64 *val);
int vlapic_wrmsr(struct vcpu *v, u32 msr, u64 val);
/* Raise `vector` on this vLAPIC (fixed delivery); passthrough marks a
 * physical interrupt whose physical EOI is deferred to the guest's EOI. */
void vlapic_set_irq(struct vcpu *v, u8 vector, bool passthrough);
/* An 8259 interrupt arriving on LINT0 (delivered only if LINT0 is ExtINT). */
void vlapic_extint(struct vcpu *v, u8 vector);
/* An ExtINT vector waiting, or -1; taking it clears it. */
int vlapic_take_extint(struct vcpu *v, bool take);
/* The highest vector that may be delivered now, or -1. */
int vlapic_pending_vector(struct vcpu *v);
/* The guest took `vector`: move it from IRR to ISR. */
void vlapic_ack(struct vcpu *v, u8 vector);
/* An acknowledged `vector` was not delivered after all: back from ISR to IRR. */
void vlapic_unack(struct vcpu *v, u8 vector);
/* An ExtINT vector taken but not delivered after all: pending again, unless
 * a newer one has arrived meanwhile. */
void vlapic_untake_extint(struct vcpu *v, u8 vector);

void arch_vcpu_set_real_mode_entry(struct vcpu *v, u8 vector);

#endif
