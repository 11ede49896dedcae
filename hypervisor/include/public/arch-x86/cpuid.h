/* SPDX-License-Identifier: MIT */
/* The hypervisor CPUID leaves (0x40000000 + n) a Xen guest probes. */
#ifndef KEEL_PUBLIC_CPUID_H
#define KEEL_PUBLIC_CPUID_H

#define XEN_CPUID_FIRST_LEAF 0x40000000U
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558U /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4dU /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566eU /* "nVMM" */

/* Leaf 4 EAX flags */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1U << 0)
#define XEN_HVM_CPUID_X2APIC_VIRT (1U << 1)
#define XEN_HVM_CPUID_IOMMU_MAPPINGS (1U << 2)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT (1U << 3)
#define XEN_HVM_CPUID_DOMID_PRESENT (1U << 4)
#define XEN_HVM_CPUID_UPCALL_VECTOR (1U << 6)

/* The MSR a guest writes to have the hypercall page filled in. */
#define XEN_HYPERCALL_PAGE_MSR 0x40000000U

#endif
