/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keel's first instructions: multiboot1 and multiboot2 headers, the 32-bit
 * entry both loaders jump to, and the switch to long mode with boot page
 * tables that map the first 4 GiB 1:1.
 */
#include <asm/boot.h>

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS ((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC 0xE85250D6

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header	/* header_addr */
	.long _start		/* load_addr */
	.long _edata		/* load_end_addr */
	.long _end		/* bss_end_addr */
	.long start32		/* entry_addr */

	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0			/* i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
	/* address tag: load the image exactly as multiboot1 does */
	.align 8
	.short 2, 0
	.long 24
	.long mb2_header, _start, _edata, _end
	/* entry address tag */
	.align 8
	.short 3, 0
	.long 12
	.long start32
	/* module alignment tag: modules on page boundaries */
	.align 8
	.short 6, 0
	.long 8
	/* end tag */
	.align 8
	.short 0, 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl start32
start32:
	cli
	cld
	movl %eax, boot_loader_magic
	movl %ebx, boot_loader_info
	movl $boot_stack_top, %esp

	/* Long mode is the one thing we cannot live without before C. */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs of 2 MiB pages = 0..4 GiB */
	movl $boot_pdpt + 3, boot_pml4
	movl $boot_pd, %eax
	orl $3, %eax
	xorl %ecx, %ecx
1:	movl %eax, boot_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	cmpl $(3 * 512), %ecx		/* 3..4 GiB: device memory, uncached */
	jb 3f
	orl $0x18, %eax			/* PCD | PWT */
3:	movl %eax, boot_pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* bits 32+ of the address */
	movl %eax, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $(4 * 512), %ecx
	jb 2b

	movl %cr4, %eax
	orl $(X86_CR4_PAE | X86_CR4_PGE), %eax
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_PE | X86_CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_ptr
	ljmp $KEEL_CS, $start64

no_long_mode:
	movl $no_lm_msg, %esi
4:	lodsb
	testb %al, %al
	jz 5f
	movw $0x3f8, %dx
	outb %al, %dx
	jmp 4b
5:	hlt
	jmp 5b

	.code64
start64:
	movl $KEEL_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_loader_magic(%rip), %edi
	movl boot_loader_info(%rip), %esi
	call start_keel
6:	cli
	hlt
	jmp 6b

	.section .rodata
no_lm_msg:
	.asciz "Keel: this CPU has no long mode (x86-64); Keel needs a 64-bit AMD CPU with SVM.\r\n"

	.section .data
	.align 16
	.globl boot_gdt
boot_gdt:
	.quad 0				/* null */
	.quad 0x00af9a000000ffff	/* KEEL_CS: 64-bit code */
	.quad 0x00cf92000000ffff	/* KEEL_DS: data */
	.quad 0x00cf9a000000ffff	/* KEEL_CS32: 32-bit code (AP start) */
boot_gdt_end:
	.globl boot_gdt_ptr
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.globl boot_loader_magic, boot_loader_info
boot_loader_magic:
	.long 0
boot_loader_info:
	.long 0

	.section .bss.page_aligned, "aw", @nobits
	.align 4096
	.globl boot_pml4, boot_pdpt, boot_pd
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.globl boot_stack_top
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:
