/* SPDX-License-Identifier: GPL-2.0-only */
/* x86 (SVM) state of a domain and of a vCPU. */
#ifndef ASM_DOMAIN_H
#define ASM_DOMAIN_H

#include <keel/types.h>
#include <keel/spinlock.h>
#include <asm/regs.h>
#include <asm/vlapic.h>

struct vmcb;

struct arch_domain {
	/* p2m_lock protects the nested page tables; nests inside domain.lock. */
	spinlock_t p2m_lock;
	paddr_t npt_root;
	paddr_t iopm_pa, msrpm_pa;
	u32 asid;
	bool cpuid_hide_svm;
	paddr_t hypercall_page_gpa;
};

struct arch_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	struct guest_regs regs;
	u64 guest_efer; /* what the guest believes EFER is (SVME hidden) */
	u64 msr_pat;
	u64 msr_tsc_aux;
	u64 mtrr_def_type;
	u64 mtrr_var[16];
	u64 mtrr_fixed[11];
	u64 apic_base;
	bool flush_tlb;
	bool hcall_32bit; /* the hypercall in progress came from 32-bit code */
	void *fpu_area; /* XSAVE (or FXSAVE) image while it is off the CPU */
	u64 xcr0;
	unsigned int fpu_cpu; /* the CPU that last loaded it */
	struct vlapic vlapic;
	/* the interrupt offered through V_IRQ at the last entry (-1: none) and
	 * where it came from; svm.c settles it at the next exit */
	int virq_vector;
	u8 virq_source;
};

#endif
