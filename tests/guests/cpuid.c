// SPDX-License-Identifier: MIT
/*
 * cpuid: the hypervisor leaves 0x40000000-0x40000004 as Xen 4.17 presents them
 * to a PVH dom0, the hypervisor bit, and SVM hidden (no nested virtualisation).
 */
#include <public/arch-x86/cpuid.h>

#include "guest.h"

#define CPUID1_ECX_HYPERVISOR (1U << 31)
#define CPUID80000001_ECX_SVM (1U << 2)

void test_main(void)
{
	struct cpuid_regs r;
	char sig[13];

	check_eq(xen_cpuid_base, XEN_CPUID_FIRST_LEAF,
		 "Xen leaves at the first base, 0x40000000");

	r = cpuid(XEN_CPUID_FIRST_LEAF);
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	printf("leaf 0x40000000: max %#x signature \"%s\"\n", r.eax, sig);
	check(!memcmp(sig, "XenVMMXenVMM", 12), "signature XenVMMXenVMM");
	check(r.eax >= XEN_CPUID_FIRST_LEAF + 2,
	      "max leaf >= 0x40000002 (Linux requires leaves 1 and 2)");
	check(r.eax >= XEN_CPUID_FIRST_LEAF + 4,
	      "max leaf >= 0x40000004 (Linux reads the HVM leaf)");
	check(r.eax < XEN_CPUID_FIRST_LEAF + 0x100,
	      "max leaf stays within this base's 256 leaves");

	r = cpuid(XEN_CPUID_FIRST_LEAF + 1);
	printf("leaf 0x40000001: %#x %#x %#x %#x\n", r.eax, r.ebx, r.ecx,
	       r.edx);
	check_eq(r.eax, 0x00040011, "version 4.17");
	check_eq(r.ebx | r.ecx | r.edx, 0, "leaf 1 EBX-EDX reserved as zero");

	r = cpuid(XEN_CPUID_FIRST_LEAF + 2);
	printf("leaf 0x40000002: %#x %#x %#x %#x\n", r.eax, r.ebx, r.ecx,
	       r.edx);
	check_eq(r.eax, 1, "one hypercall page");
	check_eq(r.ebx, XEN_HYPERCALL_PAGE_MSR,
		 "hypercall page MSR at 0x40000000");

	r = cpuid(XEN_CPUID_FIRST_LEAF + 4);
	printf("leaf 0x40000004: %#x %#x %#x %#x\n", r.eax, r.ebx, r.ecx,
	       r.edx);
	check(r.eax & XEN_HVM_CPUID_VCPU_ID_PRESENT, "VCPU_ID_PRESENT");
	check(r.eax & XEN_HVM_CPUID_DOMID_PRESENT, "DOMID_PRESENT");
	check_eq(r.ebx, 0, "we run on vCPU 0");
	check_eq(r.ecx, 0, "we are domain 0");

	r = cpuid(1);
	check(r.ecx & CPUID1_ECX_HYPERVISOR, "CPUID.1:ECX.hypervisor set");

	/* Keel does not nest: SVM must not be offered to the guest. */
	r = cpuid(0x80000000);
	if (r.eax >= 0x80000001)
		check(!(cpuid(0x80000001).ecx & CPUID80000001_ECX_SVM),
		      "CPUID.80000001:ECX.SVM hidden");
	if (r.eax >= 0x8000000a) {
		r = cpuid(0x8000000a);
		printf("leaf 0x8000000a: %#x %#x %#x %#x\n", r.eax, r.ebx,
		       r.ecx, r.edx);
		check_eq(r.eax | r.ebx | r.ecx | r.edx, 0,
			 "CPUID 0x8000000A (SVM features) all zero");
	}
}
