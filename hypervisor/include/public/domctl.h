/* SPDX-License-Identifier: MIT */
/*
 * domctl hypercall (36): the subset of Xen 4.17's domain-control interface
 * (XEN_DOMCTL_INTERFACE_VERSION 0x15) that Keel implements, with Xen's
 * numbers and layouts so that libxenctrl-style tools stay possible. Issued
 * by dom0's toolstack only, through privcmd.
 */
#ifndef KEEL_PUBLIC_DOMCTL_H
#define KEEL_PUBLIC_DOMCTL_H

#include "xen.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015U

/* A domain's UUID, as the toolstack chose it. */
typedef uint8_t xen_domain_handle_t[16];

/* A bitmap the hypervisor reads or writes in the caller's memory. */
struct xenctl_bitmap {
	uint64_t bitmap; /* guest handle: uint8_t[(nr_bits + 7) / 8] */
	uint32_t nr_bits;
	uint32_t pad;
};
KEEL_ABI_ASSERT_SIZE(struct xenctl_bitmap, 16);

#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_setvcpuaffinity 9
#define XEN_DOMCTL_max_mem 11
#define XEN_DOMCTL_setvcpucontext 12
#define XEN_DOMCTL_getvcpucontext 13
#define XEN_DOMCTL_getvcpuinfo 14
#define XEN_DOMCTL_max_vcpus 15
#define XEN_DOMCTL_scheduler_op 16
#define XEN_DOMCTL_setdomainhandle 17
#define XEN_DOMCTL_getvcpuaffinity 25

/* x86 arch part of createdomain / getdomaininfo: what the hypervisor emulates. */
#define XEN_X86_EMU_LAPIC (1U << 0)
#define XEN_X86_EMU_HPET (1U << 1)
#define XEN_X86_EMU_PM (1U << 2)
#define XEN_X86_EMU_RTC (1U << 3)
#define XEN_X86_EMU_IOAPIC (1U << 4)
#define XEN_X86_EMU_PIC (1U << 5)
#define XEN_X86_EMU_VGA (1U << 6)
#define XEN_X86_EMU_IOMMU (1U << 7)
#define XEN_X86_EMU_PIT (1U << 8)
#define XEN_X86_EMU_USE_PIRQ (1U << 9)
#define XEN_X86_EMU_VPCI (1U << 10)

/* misc_flags: unknown MSR reads return 0 instead of #GP (Xen's msr_relaxed). */
#define XEN_X86_MSR_RELAXED (1U << 0)

struct xen_arch_domainconfig {
	uint32_t emulation_flags; /* XEN_X86_EMU_*; PVH is LAPIC only */
	uint32_t misc_flags; /* XEN_X86_MSR_* */
};
KEEL_ABI_ASSERT_SIZE(struct xen_arch_domainconfig, 8);

/* XEN_DOMCTL_createdomain: flags */
#define XEN_DOMCTL_CDF_hvm (1U << 0)
#define XEN_DOMCTL_CDF_hap (1U << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1U << 2)
#define XEN_DOMCTL_CDF_oos_off (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)
#define XEN_DOMCTL_CDF_iommu (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt (1U << 6)
#define XEN_DOMCTL_CDF_vpmu (1U << 7)

#define XEN_DOMCTL_GRANT_version_mask 0xfU

/*
 * XEN_DOMCTL_createdomain. xen_domctl.domain is IN (0 or >= DOMID_FIRST_RESERVED:
 * the hypervisor picks a free id) and OUT (the new domain's id). The domain
 * starts paused with max_vcpus offline vCPUs.
 */
struct xen_domctl_createdomain {
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t flags; /* XEN_DOMCTL_CDF_* */
	uint32_t iommu_opts;
	uint32_t max_vcpus;
	uint32_t max_evtchn_port;
	int32_t max_grant_frames; /* -1: the hypervisor's default */
	int32_t max_maptrack_frames; /* -1: the hypervisor's default */
	uint32_t grant_opts; /* low 4 bits: highest grant version allowed */
	uint32_t vmtrace_size;
	uint32_t cpupool_id;
	struct xen_arch_domainconfig arch;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_createdomain, 64);
_Static_assert(__builtin_offsetof(struct xen_domctl_createdomain, flags) == 20,
	       "createdomain.flags offset");
_Static_assert(__builtin_offsetof(struct xen_domctl_createdomain, max_vcpus) == 28,
	       "createdomain.max_vcpus offset");
_Static_assert(__builtin_offsetof(struct xen_domctl_createdomain, arch) == 56,
	       "createdomain.arch offset");

/* XEN_DOMCTL_getdomaininfo: flags */
#define XEN_DOMINF_dying (1U << 0)
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown (1U << 2)
#define XEN_DOMINF_paused (1U << 3)
#define XEN_DOMINF_blocked (1U << 4)
#define XEN_DOMINF_running (1U << 5)
#define XEN_DOMINF_debugged (1U << 6)
#define XEN_DOMINF_xs_domain (1U << 7)
#define XEN_DOMINF_hap (1U << 8)
/* With XEN_DOMINF_shutdown: the guest's SHUTDOWN_* reason in bits 16..23. */
#define XEN_DOMINF_shutdownmask 255U
#define XEN_DOMINF_shutdownshift 16

#define XEN_INVALID_MAX_VCPU_ID (~0U)

struct xen_domctl_getdomaininfo {
	domid_t domain;
	uint16_t pad1;
	uint32_t flags; /* XEN_DOMINF_* */
	uint64_t tot_pages;
	uint64_t max_pages;
	uint64_t outstanding_pages;
	uint64_t shr_pages;
	uint64_t paged_pages;
	uint64_t shared_info_frame;
	uint64_t cpu_time; /* ns, all vCPUs together */
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t cpupool;
	uint8_t gpaddr_bits;
	uint8_t pad2[7];
	struct xen_arch_domainconfig arch_config;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_getdomaininfo, 112);
_Static_assert(__builtin_offsetof(struct xen_domctl_getdomaininfo, tot_pages) == 8,
	       "getdomaininfo.tot_pages offset");
_Static_assert(__builtin_offsetof(struct xen_domctl_getdomaininfo, cpu_time) == 56,
	       "getdomaininfo.cpu_time offset");
_Static_assert(__builtin_offsetof(struct xen_domctl_getdomaininfo, handle) == 76,
	       "getdomaininfo.handle offset");
_Static_assert(__builtin_offsetof(struct xen_domctl_getdomaininfo, arch_config) == 104,
	       "getdomaininfo.arch_config offset");

/* XEN_DOMCTL_max_mem: the most RAM the domain may hold, in KiB. */
struct xen_domctl_max_mem {
	uint64_t max_memkb;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_max_mem, 8);

/* x86_64 register frame, as in Xen's arch-x86/xen-x86_64.h. */
struct cpu_user_regs {
	uint64_t r15;
	uint64_t r14;
	uint64_t r13;
	uint64_t r12;
	uint64_t rbp;
	uint64_t rbx;
	uint64_t r11;
	uint64_t r10;
	uint64_t r9;
	uint64_t r8;
	uint64_t rax;
	uint64_t rcx;
	uint64_t rdx;
	uint64_t rsi;
	uint64_t rdi;
	uint32_t error_code;
	uint32_t entry_vector;
	uint64_t rip;
	uint16_t cs;
	uint16_t pad0[1];
	uint8_t saved_upcall_mask;
	uint8_t pad1[3];
	uint64_t rflags;
	uint64_t rsp;
	uint16_t ss;
	uint16_t pad2[3];
	uint16_t es;
	uint16_t pad3[3];
	uint16_t ds;
	uint16_t pad4[3];
	uint16_t fs;
	uint16_t pad5[3];
	uint16_t gs;
	uint16_t pad6[3];
};
KEEL_ABI_ASSERT_SIZE(struct cpu_user_regs, 200);
_Static_assert(__builtin_offsetof(struct cpu_user_regs, rbx) == 40, "cpu_user_regs.rbx offset");
_Static_assert(__builtin_offsetof(struct cpu_user_regs, rip) == 128, "cpu_user_regs.rip offset");
_Static_assert(__builtin_offsetof(struct cpu_user_regs, rflags) == 144,
	       "cpu_user_regs.rflags offset");

/* One entry of a PV guest's virtual IDT (unused by PVH; kept for the layout). */
struct trap_info {
	uint8_t vector;
	uint8_t flags;
	uint16_t cs;
	uint32_t pad;
	uint64_t address;
};
KEEL_ABI_ASSERT_SIZE(struct trap_info, 16);

/* vcpu_guest_context.flags */
#define VGCF_i387_valid (1U << 0)
#define VGCF_in_kernel (1U << 2)
#define VGCF_failsafe_disables_events (1U << 3)
#define VGCF_syscall_disables_events (1U << 4)
#define VGCF_online (1U << 5)

/*
 * x86_64 vcpu_guest_context. For a PVH vCPU Keel reads user_regs.rip (the
 * PHYS32 entry point) and user_regs.rbx (hvm_start_info's address) and starts
 * the vCPU in the 32-bit flat state of the PVH boot ABI; the rest is PV-only.
 */
struct vcpu_guest_context {
	uint8_t fpu_ctxt[512];
	uint64_t flags; /* VGCF_* */
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];
	uint64_t ldt_base;
	uint64_t ldt_ents;
	uint64_t gdt_frames[16];
	uint64_t gdt_ents;
	uint64_t kernel_ss;
	uint64_t kernel_sp;
	uint64_t ctrlreg[8];
	uint64_t debugreg[8];
	uint64_t event_callback_eip;
	uint64_t failsafe_callback_eip;
	uint64_t syscall_callback_eip;
	uint64_t vm_assist;
	uint64_t fs_base;
	uint64_t gs_base_kernel;
	uint64_t gs_base_user;
};
KEEL_ABI_ASSERT_SIZE(struct vcpu_guest_context, 5168);
_Static_assert(__builtin_offsetof(struct vcpu_guest_context, flags) == 512,
	       "vcpu_guest_context.flags offset");
_Static_assert(__builtin_offsetof(struct vcpu_guest_context, user_regs) == 520,
	       "vcpu_guest_context.user_regs offset");
_Static_assert(__builtin_offsetof(struct vcpu_guest_context, trap_ctxt) == 720,
	       "vcpu_guest_context.trap_ctxt offset");
_Static_assert(__builtin_offsetof(struct vcpu_guest_context, ctrlreg) == 4984,
	       "vcpu_guest_context.ctrlreg offset");
_Static_assert(__builtin_offsetof(struct vcpu_guest_context, fs_base) == 5144,
	       "vcpu_guest_context.fs_base offset");

/* XEN_DOMCTL_setvcpucontext / getvcpucontext */
struct xen_domctl_vcpucontext {
	uint32_t vcpu;
	uint32_t pad;
	uint64_t ctxt; /* guest handle: struct vcpu_guest_context */
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_vcpucontext, 16);

/* XEN_DOMCTL_getvcpuinfo */
struct xen_domctl_getvcpuinfo {
	uint32_t vcpu; /* IN */
	uint8_t online;
	uint8_t blocked;
	uint8_t running;
	uint8_t pad0;
	uint64_t cpu_time; /* ns */
	uint32_t cpu; /* the physical CPU it runs or last ran on */
	uint32_t pad1;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_getvcpuinfo, 24);
_Static_assert(__builtin_offsetof(struct xen_domctl_getvcpuinfo, cpu_time) == 8,
	       "getvcpuinfo.cpu_time offset");

/* XEN_DOMCTL_setvcpuaffinity / getvcpuaffinity */
#define XEN_VCPUAFFINITY_HARD (1U << 0)
#define XEN_VCPUAFFINITY_SOFT (1U << 1)
#define XEN_VCPUAFFINITY_FORCE (1U << 2)

struct xen_domctl_vcpuaffinity {
	uint32_t vcpu;
	uint32_t flags; /* XEN_VCPUAFFINITY_* */
	struct xenctl_bitmap cpumap_hard;
	struct xenctl_bitmap cpumap_soft;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_vcpuaffinity, 40);
_Static_assert(__builtin_offsetof(struct xen_domctl_vcpuaffinity, cpumap_hard) == 8,
	       "vcpuaffinity.cpumap_hard offset");

/* XEN_DOMCTL_max_vcpus */
struct xen_domctl_max_vcpus {
	uint32_t max;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_max_vcpus, 4);

/* XEN_DOMCTL_scheduler_op */
#define XEN_SCHEDULER_CREDIT 5
#define XEN_SCHEDULER_CREDIT2 6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS 8
#define XEN_SCHEDULER_NULL 9

#define XEN_DOMCTL_SCHEDOP_putinfo 0
#define XEN_DOMCTL_SCHEDOP_getinfo 1

struct xen_domctl_sched_credit {
	uint16_t weight; /* 1..65535, default 256 */
	uint16_t cap; /* percent of one CPU, 0 = no cap */
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_sched_credit, 4);

struct xen_domctl_scheduler_op {
	uint32_t sched_id; /* XEN_SCHEDULER_* */
	uint32_t cmd; /* XEN_DOMCTL_SCHEDOP_* */
	union {
		struct xen_domctl_sched_credit credit;
		/* Xen's per-vCPU form; sizes the union. Keel: -EOPNOTSUPP. */
		struct {
			uint64_t vcpus;
			uint32_t nr_vcpus;
			uint32_t padding;
		} v;
	} u;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_scheduler_op, 24);
_Static_assert(__builtin_offsetof(struct xen_domctl_scheduler_op, u) == 8,
	       "scheduler_op.u offset");

/* XEN_DOMCTL_setdomainhandle */
struct xen_domctl_setdomainhandle {
	xen_domain_handle_t handle;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl_setdomainhandle, 16);

struct xen_domctl {
	uint32_t cmd; /* XEN_DOMCTL_* */
	uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
	domid_t domain;
	uint16_t pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_getdomaininfo getdomaininfo;
		struct xen_domctl_vcpuaffinity vcpuaffinity;
		struct xen_domctl_max_mem max_mem;
		struct xen_domctl_vcpucontext vcpucontext;
		struct xen_domctl_getvcpuinfo getvcpuinfo;
		struct xen_domctl_max_vcpus max_vcpus;
		struct xen_domctl_scheduler_op scheduler_op;
		struct xen_domctl_setdomainhandle setdomainhandle;
		uint8_t pad[128];
	} u;
};
KEEL_ABI_ASSERT_SIZE(struct xen_domctl, 144);
_Static_assert(__builtin_offsetof(struct xen_domctl, domain) == 8, "xen_domctl.domain offset");
_Static_assert(__builtin_offsetof(struct xen_domctl, u) == 16, "xen_domctl.u offset");

#endif
