/* SPDX-License-Identifier: GPL-2.0-only */
/* Trap and interrupt entry stubs: build a struct cpu_regs, call do_trap(). */


	.text
	.align 16
	.globl trap_entry_table
	.section .rodata
	.align 8
trap_entry_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_\v
	.endr
	.set v, 32
	.rept 224
	.quad irq_stub_start + (v - 32) * 16
	.set v, v + 1
	.endr

	.text
	/* Vectors where the CPU pushes no error code: push a zero in its place. */
	.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
	.align 16
trap_\v:
	pushq $0
	pushq $\v
	jmp trap_common
	.endr

	/* Vectors where the CPU pushes an error code itself. */
	.irp v, 8,10,11,12,13,14,17,21,29,30
	.align 16
trap_\v:
	pushq $\v
	jmp trap_common
	.endr

	/* Interrupt stubs, 16 bytes each so the table above can compute them. */
	.align 16
irq_stub_start:
	.set v, 32
	.rept 224
	.align 16
	pushq $0
	pushq $v
	jmp trap_common
	.set v, v + 1
	.endr

trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi
	/* Keep the stack 16-byte aligned for C. */
	movq %rsp, %rbx
	andq $-16, %rsp
	call do_trap
	movq %rbx, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq
