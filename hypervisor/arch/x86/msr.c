// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest MSR emulation. MSRs the VMCB swaps pass straight through (svm.c);
 * these are the ones a PVH Linux touches that need Keel's attention. Anything
 * else raises #GP, which Linux's rdmsr_safe/wrmsr_safe expect.
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <public/xen.h>
#include <public/arch-x86/cpuid.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <asm/svm.h>
#include <asm/vmexit.h>
#include <asm/vlapic.h>

#define EFER_ALLOWED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE | (1ULL << 14) /* FFXSR */)

static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (pat >> (8 * i)) & 0xff;

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

/* Fill the page at gpa with one VMMCALL stub per hypercall number. */
static int write_hypercall_page(struct vcpu *v, u64 gpa)
{
	u8 page[4096];
	int rc;

	memset(page, 0xcc, sizeof(page));
	for (unsigned int i = 0; i < sizeof(page) / 32; i++) {
		u8 *stub = &page[i * 32];

		stub[0] = 0xb8; /* mov $i, %eax */
		memcpy(&stub[1], &i, 4);
		stub[5] = 0x0f; /* vmmcall */
		stub[6] = 0x01;
		stub[7] = 0xd9;
		stub[8] = 0xc3; /* ret */
	}
	rc = copy_to_guest_phys(v->domain, gpa, page, sizeof(page));
	if (!rc)
		v->domain->arch.hypercall_page_gpa = gpa;
	return rc;
}

int guest_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	struct vmcb *vmcb = v->arch.vmcb;

	switch (msr) {
	case MSR_EFER:
		*val = vmcb->save.efer & ~(u64)EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = vmcb->save.g_pat;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + vmcb->control.tsc_offset;
		return 0;
	case MSR_TSC_AUX:
		*val = v->arch.msr_tsc_aux;
		return 0;
	case MSR_IA32_APICBASE:
		*val = v->arch.apic_base;
		return 0;
	case MSR_IA32_MTRRCAP:
		*val = 0x508; /* 8 variable ranges, fixed ranges, WC */
		return 0;
	case MSR_MTRR_DEF_TYPE:
		*val = v->arch.mtrr_def_type;
		return 0;
	case MSR_MTRR_PHYSBASE0 ... MSR_MTRR_PHYSMASK7:
		*val = v->arch.mtrr_var[msr - MSR_MTRR_PHYSBASE0];
		return 0;
	case MSR_MTRR_FIX64K_00000:
		*val = v->arch.mtrr_fixed[0];
		return 0;
	case MSR_MTRR_FIX16K_80000:
	case MSR_MTRR_FIX16K_A0000:
		*val = v->arch.mtrr_fixed[1 + msr - MSR_MTRR_FIX16K_80000];
		return 0;
	case MSR_MTRR_FIX4K_C0000 ... MSR_MTRR_FIX4K_F8000:
		*val = v->arch.mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_C0000];
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_AMD64_PATCH_LEVEL:
	case MSR_IA32_DEBUGCTL:
		*val = 0;
		return 0;
	case MSR_K7_HWCR:
		*val = rdmsr(MSR_K7_HWCR);
		return 0;
	case MSR_AMD64_SYSCFG:
	case MSR_AMD64_NB_CFG:
		*val = 0; /* no fixed-MTRR DRAM bits, no northbridge quirks */
		return 0;
	case XEN_HYPERCALL_PAGE_MSR:
		*val = v->domain->arch.hypercall_page_gpa;
		return 0;
	case MSR_X2APIC_FIRST ... MSR_X2APIC_LAST:
		return vlapic_rdmsr(v, msr, val);
	default:
		return -1;
	}
}

int guest_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	struct vmcb *vmcb = v->arch.vmcb;

	switch (msr) {
	case MSR_EFER:
		if (val & ~(u64)EFER_ALLOWED)
			return -1;
		/* LMA is the CPU's to set; SVME must stay on under SVM. */
		vmcb->save.efer = (val & ~(u64)EFER_LMA) | (vmcb->save.efer & EFER_LMA) | EFER_SVME;
		v->arch.guest_efer = val;
		return 0;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(val))
			return -1;
		vmcb->save.g_pat = val;
		return 0;
	case MSR_IA32_TSC:
		vmcb->control.tsc_offset = val - rdtsc();
		return 0;
	case MSR_TSC_AUX:
		v->arch.msr_tsc_aux = (u32)val;
		return 0;
	case MSR_IA32_APICBASE:
		/* x2APIC is the only mode offered: it cannot be left */
		if ((val & (APICBASE_ENABLE | APICBASE_X2APIC)) != (APICBASE_ENABLE | APICBASE_X2APIC))
			return -1;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		v->arch.mtrr_def_type = val & 0xcff;
		return 0;
	case MSR_MTRR_PHYSBASE0 ... MSR_MTRR_PHYSMASK7:
		v->arch.mtrr_var[msr - MSR_MTRR_PHYSBASE0] = val;
		return 0;
	case MSR_MTRR_FIX64K_00000:
		v->arch.mtrr_fixed[0] = val;
		return 0;
	case MSR_MTRR_FIX16K_80000:
	case MSR_MTRR_FIX16K_A0000:
		v->arch.mtrr_fixed[1 + msr - MSR_MTRR_FIX16K_80000] = val;
		return 0;
	case MSR_MTRR_FIX4K_C0000 ... MSR_MTRR_FIX4K_F8000:
		v->arch.mtrr_fixed[3 + msr - MSR_MTRR_FIX4K_C0000] = val;
		return 0;
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_DEBUGCTL:
	case MSR_K7_HWCR:
	case MSR_AMD64_SYSCFG:
	case MSR_AMD64_NB_CFG:
		return 0; /* accepted and ignored: machine-wide settings stay Keel's */
	case MSR_X2APIC_FIRST ... MSR_X2APIC_LAST:
		return vlapic_wrmsr(v, msr, val);
	case XEN_HYPERCALL_PAGE_MSR:
		if (val & 0xfff) /* page index: Keel has exactly one page */
			return -1;
		return write_hypercall_page(v, val & ~0xfffULL) ? -1 : 0;
	default:
		return -1;
	}
}
