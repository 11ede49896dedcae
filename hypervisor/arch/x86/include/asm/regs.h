/* SPDX-License-Identifier: GPL-2.0-only */
/* Register frames: the one pushed on a hypervisor trap, and a guest's GPRs. */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <keel/types.h>

/* Layout matches the push order in entry.S. */
struct cpu_regs {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss;
};

/* A guest's general registers not kept in the VMCB (RAX, RSP are there). */
struct guest_regs {
	u64 rax; /* unused slot: RAX lives in the VMCB */
	u64 rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
};

#define GREG_RBX 8
#define GREG_RCX 16
#define GREG_RDX 24
#define GREG_RSI 32
#define GREG_RDI 40
#define GREG_RBP 48
#define GREG_R8 56
#define GREG_R9 64
#define GREG_R10 72
#define GREG_R11 80
#define GREG_R12 88
#define GREG_R13 96
#define GREG_R14 104
#define GREG_R15 112

#endif
