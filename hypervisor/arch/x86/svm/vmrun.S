/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * svm_vmrun(guest_regs, vmcb_pa, host_vmcb_pa): enter the guest once.
 * The host's FS/GS/TR/LDTR/KERNEL_GS_BASE/STAR family are saved with VMSAVE
 * to a per-CPU area and restored with VMLOAD, so a guest's bases never leak
 * into the hypervisor (or into another guest; qemu-tcg-notes.md).
 * Called with GIF clear; the caller sets it again.
 */
#include <asm/boot.h>

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

	.text
	.globl svm_vmrun
svm_vmrun:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx		/* host save area */
	pushq %rdi		/* guest_regs */

	movq %rdx, %rax
	vmsave %rax

	movq %rsi, %rax
	movq GREG_RBX(%rdi), %rbx
	movq GREG_RCX(%rdi), %rcx
	movq GREG_RDX(%rdi), %rdx
	movq GREG_RSI(%rdi), %rsi
	movq GREG_RBP(%rdi), %rbp
	movq GREG_R8(%rdi), %r8
	movq GREG_R9(%rdi), %r9
	movq GREG_R10(%rdi), %r10
	movq GREG_R11(%rdi), %r11
	movq GREG_R12(%rdi), %r12
	movq GREG_R13(%rdi), %r13
	movq GREG_R14(%rdi), %r14
	movq GREG_R15(%rdi), %r15
	movq GREG_RDI(%rdi), %rdi

	vmload %rax
	vmrun %rax
	vmsave %rax

	pushq %rdi
	movq 8(%rsp), %rdi
	movq %rbx, GREG_RBX(%rdi)
	movq %rcx, GREG_RCX(%rdi)
	movq %rdx, GREG_RDX(%rdi)
	movq %rsi, GREG_RSI(%rdi)
	movq %rbp, GREG_RBP(%rdi)
	movq %r8, GREG_R8(%rdi)
	movq %r9, GREG_R9(%rdi)
	movq %r10, GREG_R10(%rdi)
	movq %r11, GREG_R11(%rdi)
	movq %r12, GREG_R12(%rdi)
	movq %r13, GREG_R13(%rdi)
	movq %r14, GREG_R14(%rdi)
	movq %r15, GREG_R15(%rdi)
	popq GREG_RDI(%rdi)

	popq %rdi
	popq %rax
	vmload %rax

	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
