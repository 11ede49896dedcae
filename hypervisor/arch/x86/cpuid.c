// SPDX-License-Identifier: GPL-2.0-only
/*
 * What CPUID tells a guest: the host's CPU minus what Keel does not
 * virtualise (SVM itself, MONITOR/MWAIT, the core PMU), plus the hypervisor
 * leaves 0x40000000-0x40000005 that identify Keel as Xen 4.17.
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <public/arch-x86/cpuid.h>
#include <asm/processor.h>
#include <asm/percpu.h>
#include <asm/vmexit.h>
#include <asm/svm.h>
#include <asm/boot.h>

#define XEN_CPUID_MAX_LEAF 0x40000005U
#define XEN_VERSION_LEAF_VALUE 0x00040011U /* 4.17 */

static void hypervisor_leaf(struct vcpu *v, u32 leaf, u32 out[4])
{
	out[0] = out[1] = out[2] = out[3] = 0;
	switch (leaf) {
	case 0x40000000:
		out[0] = XEN_CPUID_MAX_LEAF;
		out[1] = XEN_CPUID_SIGNATURE_EBX;
		out[2] = XEN_CPUID_SIGNATURE_ECX;
		out[3] = XEN_CPUID_SIGNATURE_EDX;
		break;
	case 0x40000001:
		out[0] = XEN_VERSION_LEAF_VALUE;
		break;
	case 0x40000002:
		out[0] = 1; /* hypercall pages */
		out[1] = XEN_HYPERCALL_PAGE_MSR;
		break;
	case 0x40000004:
		out[0] = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT;
		out[1] = v->vcpu_id;
		out[2] = v->domain->domid;
		break;
	default:
		break; /* 0x40000003 (TSC info) and 0x40000005 (PV only): zeros */
	}
}

void guest_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4])
{
	struct cpuid_regs r;

	if ((leaf & 0xffff0000U) == 0x40000000U) {
		hypervisor_leaf(v, leaf, out);
		return;
	}
	cpuid_count(leaf, subleaf, &r);
	switch (leaf) {
	case 0x1:
		r.ecx |= 1U << 31; /* running under a hypervisor */
		r.ecx &= ~(1U << 3); /* MONITOR/MWAIT: MWAIT faults under TCG */
		r.ecx &= ~(1U << 5); /* VMX */
		r.ecx &= ~(1U << 24); /* TSC-deadline: no virtual LAPIC timer yet */
		r.ecx |= 1U << 21; /* x2APIC: the only mode of the virtual LAPIC */
		r.ebx = (r.ebx & 0x00ffffff) | ((v->arch.vlapic.id & 0xff) << 24);
		/* OSXSAVE mirrors the guest's CR4, not the hypervisor's */
		r.ecx &= ~(1U << 27);
		if (v->arch.vmcb->save.cr4 & X86_CR4_OSXSAVE)
			r.ecx |= 1U << 27;
		break;
	case 0xb:
		/* extended topology: report this vCPU's own x2APIC ID */
		r.edx = v->arch.vlapic.id;
		break;
	case 0x5:
		r.eax = r.ebx = r.ecx = r.edx = 0;
		break;
	case 0x80000001:
		r.ecx &= ~(1U << 2); /* SVM: no nested virtualisation */
		r.ecx &= ~(1U << 23); /* core performance counters */
		break;
	case 0x8000000a:
		r.eax = r.ebx = r.ecx = r.edx = 0;
		break;
	default:
		break;
	}
	out[0] = r.eax;
	out[1] = r.ebx;
	out[2] = r.ecx;
	out[3] = r.edx;
}
