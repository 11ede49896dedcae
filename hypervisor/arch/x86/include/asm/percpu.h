/* SPDX-License-Identifier: GPL-2.0-only */
/* Per-CPU data, reached through the GS base (gs:0 points at itself). */
#ifndef ASM_PERCPU_H
#define ASM_PERCPU_H

#include <keel/types.h>
#include <asm/boot.h>

#define MAX_CPUS 64

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS size");

#define IST_NMI 1
#define IST_DF 2
#define IST_MC 3
#define NR_IST 3

struct vcpu;

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads gs:0 */
	unsigned int cpu_id;
	u32 apic_id;
	u64 stack_top;
	struct vcpu *current;
	struct vcpu *last_vcpu; /* the last one run here (TLB flush on change) */
	struct vcpu *fpu_owner; /* whose FPU registers this CPU holds */
	struct vcpu *dom0_vcpu; /* receives device interrupts taken here */
	paddr_t host_vmcb_pa; /* VMSAVE/VMLOAD area for the host's own state */
	paddr_t hsave_pa; /* MSR_VM_HSAVE_PA area */
	u32 next_asid;
	volatile bool online;
	volatile bool in_guest;
	u64 vmexits; /* counts exits, so others can wait for one */
	u64 lapic_timer_deadline_ns;
	u64 gdt[8] __attribute__((aligned(16)));
	struct tss64 tss __attribute__((aligned(16)));
};

extern struct percpu percpu_area[MAX_CPUS];
extern unsigned int nr_cpus_online;
extern unsigned int nr_cpus_possible;

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

static inline unsigned int smp_processor_id(void)
{
	return this_cpu()->cpu_id;
}

/* Load the CPU's GDT, TSS, IDT and GS base. */
void cpu_tables_init(struct percpu *pc);

#endif
