/* SPDX-License-Identifier: MIT */
/*
 * long usermode_call(void (*fn)(void), void *stack_top): run fn at CPL 3.
 * fn ends with "int $USER_RETURN_VECTOR"; its RAX becomes our return value.
 */
#include "arch.h"

	.text
	.globl	usermode_call
usermode_call:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, usermode_saved_rsp(%rip)
	/* The return gate switches to TSS.RSP0 (offset 4): below our saved regs. */
	movq	%rsp, tss + 4(%rip)
	pushq	$GDT_USER_DS + 3
	pushq	%rsi
	pushq	$0x2			/* RFLAGS: IF off, nothing can interrupt us */
	pushq	$GDT_USER_CS + 3
	pushq	%rdi
	iretq

	.globl	usermode_return
usermode_return:
	movq	usermode_saved_rsp(%rip), %rsp
	movl	$GDT_KERNEL_DS, %ecx
	movl	%ecx, %ss
	movl	%ecx, %ds
	movl	%ecx, %es
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret

	.bss
	.p2align 3
usermode_saved_rsp:
	.quad	0
