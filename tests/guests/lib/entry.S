/* SPDX-License-Identifier: MIT */
/* Exception entry stubs (vectors 0-31) and the fault-tolerant probe_read. */
#include "arch.h"

	.text
/* Vectors where the CPU pushes an error code: #DF #TS #NP #SS #GP #PF #AC #CP #VC #SX. */
#define HAS_ERR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
		    (v) == 21 || (v) == 29 || (v) == 30)

	.macro	trap_stub vec
	.p2align 4
	.if	!HAS_ERR(\vec)
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
	.endm

	.globl	trap_stubs
	.p2align 4
trap_stubs:
	.set	vec, 0
	.rept	32
	trap_stub vec
	.set	vec, vec + 1
	.endr

/* Frame layout must match struct trap_frame in traps.c. */
trap_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	cld
	call	trap_handler
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector and error code */
	iretq

/*
 * int probe_read(const volatile void *addr): trap_handler resumes a fault at
 * probe_read_insn at probe_read_fixup, which is how tests check that a page
 * really is unmapped before handing its address to the hypervisor.
 */
	.globl	probe_read, probe_read_insn, probe_read_fixup
probe_read:
probe_read_insn:
	movb	(%rdi), %al
	xorl	%eax, %eax
	ret
probe_read_fixup:
	movl	$1, %eax
	ret
