/* SPDX-License-Identifier: GPL-2.0-only */
/* AMD SVM: the VMCB layout, intercept bits and exit codes (AMD APM vol. 2). */
#ifndef ASM_SVM_H
#define ASM_SVM_H

#include <keel/types.h>

struct vmcb_seg {
	u16 selector;
	u16 attrib;
	u32 limit;
	u64 base;
} __attribute__((packed));

struct vmcb_control {
	u32 intercept_cr; /* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;
	u32 intercept_exceptions;
	u32 intercept_misc1; /* 0x00c */
	u32 intercept_misc2; /* 0x010 */
	u32 intercept_misc3;
	u8 reserved1[0x03c - 0x018];
	u16 pause_filter_thresh;
	u16 pause_filter_count;
	u64 iopm_base_pa; /* 0x040 */
	u64 msrpm_base_pa;
	u64 tsc_offset;
	u32 asid; /* 0x058 */
	u8 tlb_control;
	u8 reserved2[3];
	u32 int_ctl; /* 0x060 */
	u32 int_vector;
	u64 int_state; /* 0x068: interrupt shadow */
	u64 exit_code; /* 0x070 */
	u64 exit_info_1;
	u64 exit_info_2;
	u64 exit_int_info; /* 0x088 */
	u64 np_enable; /* 0x090 */
	u64 avic_apic_bar;
	u64 ghcb_gpa;
	u64 event_inj; /* 0x0a8 */
	u64 n_cr3; /* 0x0b0 */
	u64 virt_ext;
	u32 clean_bits; /* 0x0c0 */
	u32 reserved3;
	u64 next_rip; /* 0x0c8 */
	u8 insn_len; /* 0x0d0 */
	u8 insn_bytes[15];
	u8 reserved4[0x400 - 0x0e0];
} __attribute__((packed));

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 */
	u8 reserved1[0x4cb - 0x4a0];
	u8 cpl; /* 0x4cb */
	u32 reserved2;
	u64 efer; /* 0x4d0 */
	u8 reserved3[0x548 - 0x4d8];
	u64 cr4, cr3, cr0, dr7, dr6, rflags, rip; /* 0x548 */
	u8 reserved4[0x5d8 - 0x580];
	u64 rsp; /* 0x5d8 */
	u64 s_cet, ssp, isst_addr;
	u64 rax; /* 0x5f8 */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 cr2; /* 0x640 */
	u8 reserved5[0x668 - 0x648];
	u64 g_pat; /* 0x668 */
	u64 dbgctl, br_from, br_to, last_excp_from, last_excp_to;
} __attribute__((packed));

struct vmcb {
	struct vmcb_control control;
	struct vmcb_save save;
	u8 reserved[4096 - 0x400 - sizeof(struct vmcb_save)];
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb_control) == 0x400, "VMCB control area");
_Static_assert(__builtin_offsetof(struct vmcb, save.cpl) == 0x4cb, "VMCB CPL");
_Static_assert(__builtin_offsetof(struct vmcb, save.rsp) == 0x5d8, "VMCB RSP");
_Static_assert(__builtin_offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB PAT");
_Static_assert(sizeof(struct vmcb) == 4096, "VMCB size");

/* intercept_misc1 */
#define INTERCEPT_INTR (1U << 0)
#define INTERCEPT_NMI (1U << 1)
#define INTERCEPT_SMI (1U << 2)
#define INTERCEPT_INIT (1U << 3)
#define INTERCEPT_VINTR (1U << 4)
#define INTERCEPT_RDPMC (1U << 15)
#define INTERCEPT_CPUID (1U << 18)
#define INTERCEPT_INVD (1U << 22)
#define INTERCEPT_HLT (1U << 24)
#define INTERCEPT_INVLPGA (1U << 26)
#define INTERCEPT_IOIO_PROT (1U << 27)
#define INTERCEPT_MSR_PROT (1U << 28)
#define INTERCEPT_TASK_SWITCH (1U << 29)
#define INTERCEPT_SHUTDOWN (1U << 31)
/* intercept_misc2 */
#define INTERCEPT_VMRUN (1U << 0)
#define INTERCEPT_VMMCALL (1U << 1)
#define INTERCEPT_VMLOAD (1U << 2)
#define INTERCEPT_VMSAVE (1U << 3)
#define INTERCEPT_STGI (1U << 4)
#define INTERCEPT_CLGI (1U << 5)
#define INTERCEPT_SKINIT (1U << 6)
#define INTERCEPT_ICEBP (1U << 8)
#define INTERCEPT_MONITOR (1U << 10)
#define INTERCEPT_MWAIT (1U << 11)
#define INTERCEPT_XSETBV (1U << 13)

/* int_ctl */
#define V_IRQ (1U << 8)
#define V_INTR_PRIO_SHIFT 16
#define V_IGN_TPR (1U << 20)
#define V_INTR_MASKING (1U << 24)

/* event_inj */
#define EVENTINJ_VALID (1ULL << 31)
#define EVENTINJ_TYPE_INTR (0ULL << 8)
#define EVENTINJ_TYPE_NMI (2ULL << 8)
#define EVENTINJ_TYPE_EXCEPTION (3ULL << 8)
#define EVENTINJ_ERROR_VALID (1ULL << 11)

#define TLB_CONTROL_FLUSH_ALL 1
#define TLB_CONTROL_FLUSH_ASID 3
/* Flush-by-ASID only where the CPU offers it (QEMU's TCG does not). */
#define TLB_CONTROL_FLUSH_GUEST \
	((svm_caps.features & SVM_FEATURE_FLUSH_ASID) ? TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL)

/* Exit codes */
#define VMEXIT_CR0_READ 0x000
#define VMEXIT_CR0_WRITE 0x010
#define VMEXIT_EXCEPTION_BASE 0x040
#define VMEXIT_INTR 0x060
#define VMEXIT_NMI 0x061
#define VMEXIT_SMI 0x062
#define VMEXIT_INIT 0x063
#define VMEXIT_VINTR 0x064
#define VMEXIT_RDTSC 0x06e
#define VMEXIT_RDPMC 0x06f
#define VMEXIT_CPUID 0x072
#define VMEXIT_INVD 0x076
#define VMEXIT_PAUSE 0x077
#define VMEXIT_HLT 0x078
#define VMEXIT_INVLPGA 0x07a
#define VMEXIT_IOIO 0x07b
#define VMEXIT_MSR 0x07c
#define VMEXIT_TASK_SWITCH 0x07d
#define VMEXIT_SHUTDOWN 0x07f
#define VMEXIT_VMRUN 0x080
#define VMEXIT_VMMCALL 0x081
#define VMEXIT_VMLOAD 0x082
#define VMEXIT_VMSAVE 0x083
#define VMEXIT_STGI 0x084
#define VMEXIT_CLGI 0x085
#define VMEXIT_SKINIT 0x086
#define VMEXIT_RDTSCP 0x087
#define VMEXIT_ICEBP 0x088
#define VMEXIT_MONITOR 0x08a
#define VMEXIT_MWAIT 0x08b
#define VMEXIT_XSETBV 0x08d
#define VMEXIT_NPF 0x400
#define VMEXIT_INVALID (~0ULL)

/* CPUID 0x8000000A EDX features */
#define SVM_FEATURE_NPT (1U << 0)
#define SVM_FEATURE_LBRV (1U << 1)
#define SVM_FEATURE_SVML (1U << 2)
#define SVM_FEATURE_NRIPS (1U << 3)
#define SVM_FEATURE_TSC_RATE (1U << 4)
#define SVM_FEATURE_VMCB_CLEAN (1U << 5)
#define SVM_FEATURE_FLUSH_ASID (1U << 6)
#define SVM_FEATURE_DECODE_ASSISTS (1U << 7)
#define SVM_FEATURE_PAUSE_FILTER (1U << 10)
#define SVM_FEATURE_AVIC (1U << 13)
#define SVM_FEATURE_VGIF (1U << 16)

struct svm_caps {
	u32 features; /* CPUID 0x8000000A EDX */
	u32 nr_asids;
	u32 revision;
};
extern struct svm_caps svm_caps;

/* Returns NULL if the CPU can run guests, else what is missing. */
const char *svm_check_support(void);
void svm_cpu_init(void); /* enable SVM on this CPU */

void svm_vmrun(void *guest_regs, paddr_t vmcb_pa, paddr_t host_vmcb_pa);

static inline void svm_clgi(void) { __asm__ volatile("clgi" ::: "memory"); }
static inline void svm_stgi(void) { __asm__ volatile("stgi" ::: "memory"); }

#endif
