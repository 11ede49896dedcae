/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Application processor start-up. This blob is copied to TRAMPOLINE_BASE;
 * a SIPI starts the AP in real mode there. It climbs to long mode with the
 * BSP's page tables and jumps to ap_entry64 with the stack the BSP set.
 */
#include <asm/boot.h>

#define REL(x) ((x) - trampoline_start)
#define ABS(x) (TRAMPOLINE_BASE + REL(x))

	.section .rodata
	.code16
	.globl trampoline_start, trampoline_end
	.globl trampoline_cr3, trampoline_stack, trampoline_entry
	.align 16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl REL(tr_gdt_ptr)
	movl %cr0, %eax
	orl $X86_CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $KEEL_CS32, $ABS(tr_32)

	.code32
tr_32:
	movl $KEEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $(X86_CR4_PAE | X86_CR4_PGE), %eax
	movl %eax, %cr4
	movl ABS(trampoline_cr3), %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_WP), %eax
	movl %eax, %cr0
	ljmpl $KEEL_CS, $ABS(tr_64)

	.code64
tr_64:
	movq ABS(trampoline_stack), %rsp
	movq ABS(trampoline_entry), %rax
	jmpq *%rax

	.align 16
tr_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* KEEL_CS */
	.quad 0x00cf92000000ffff	/* KEEL_DS */
	.quad 0x00cf9a000000ffff	/* KEEL_CS32 */
tr_gdt_end:
tr_gdt_ptr:
	.short tr_gdt_end - tr_gdt - 1
	.long ABS(tr_gdt)
	.align 8
trampoline_cr3:
	.quad 0
trampoline_stack:
	.quad 0
trampoline_entry:
	.quad 0
trampoline_end:
