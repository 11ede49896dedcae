/* SPDX-License-Identifier: MIT */
/*
 * PVH entry of every test guest: from 32-bit protected mode with paging off
 * (EBX = struct hvm_start_info) to 64-bit C with the first 4 GiB identity-mapped.
 */
#include "arch.h"

#define PTE_P_W_U 0x7		/* present, writable, user: CPL3 tests share the map */
#define PTE_PS 0x80		/* 2 MiB page */
#define CR0_PE 0x1
#define CR0_PG 0x80000000
#define CR4_PAE 0x20
#define MSR_EFER 0xc0000080
#define EFER_LME 0x100

	.code32
	.section .text.head, "ax"
	.globl pvh_entry
pvh_entry:
	cld
	/*
	 * Zero .bss ourselves before anything lives there (page tables, stack):
	 * a loader that forgets the memsz-filesz tail must not turn into
	 * garbage page tables. EBX survives (rep stos uses EDI/ECX/EAX).
	 */
	movl	$__bss_start, %edi
	movl	$__bss_end, %ecx
	subl	%edi, %ecx
	shrl	$2, %ecx
	xorl	%eax, %eax
	rep stosl
	movl	%ebx, start_info_paddr
	/* fill_pt is called: a stack, in the image, for the 32-bit part. */
	movl	$boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories (4 GiB). */
	movl	$pdpt + PTE_P_W_U, pml4
	movl	$pdpt, %edi
	movl	$pd + PTE_P_W_U, %eax
	movl	$4, %ecx
1:	movl	%eax, (%edi)
	addl	$PAGE_SIZE, %eax
	addl	$8, %edi
	loop	1b

	/* 2048 identity 2 MiB pages; addresses fit 32 bits, high halves stay 0. */
	movl	$pd, %edi
	movl	$PTE_PS + PTE_P_W_U, %eax
	movl	$2048, %ecx
1:	movl	%eax, (%edi)
	addl	$0x200000, %eax
	addl	$8, %edi
	loop	1b

	/*
	 * The 2 MiB around the image get 4 KiB pages so that unmapped_page can be
	 * left non-present. (Page 0 stays mapped: loaders may put the memmap
	 * there, QEMU's does.)
	 */
	movl	$pvh_entry, %eax
	andl	$~0x1fffff, %eax
	movl	$pt_image, %edi
	call	fill_pt
	movl	$pvh_entry, %eax
	shrl	$21, %eax
	movl	$pt_image + PTE_P_W_U, pd(, %eax, 8)
	movl	$unmapped_page, %eax
	shrl	$12, %eax
	andl	$511, %eax
	movl	$0, pt_image(, %eax, 8)

	lgdt	gdt_ptr
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG + CR0_PE, %eax
	movl	%eax, %cr0
	ljmp	$GDT_KERNEL_CS, $long_entry

/* fill_pt: EDI = page table, EAX = physical base of its 2 MiB; uses ECX. */
fill_pt:
	orl	$PTE_P_W_U, %eax
	movl	$512, %ecx
1:	movl	%eax, (%edi)
	addl	$PAGE_SIZE, %eax
	addl	$8, %edi
	loop	1b
	ret

	.code64
long_entry:
	movl	$GDT_KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$boot_stack_top, %rsp
	xorl	%ebp, %ebp
	call	lib_start
1:	cli
	hlt
	jmp	1b

	.data
	.globl start_info_paddr
	.p2align 3
start_info_paddr:
	.quad	0

	/* The TSS descriptor (two slots at GDT_TSS) is filled in by traps.c. */
	.globl gdt
	.p2align 4
gdt:
	.quad	0
	.quad	0x00af9a000000ffff	/* GDT_KERNEL_CS: 64-bit code, DPL 0 */
	.quad	0x00cf92000000ffff	/* GDT_KERNEL_DS */
	.quad	0x00cff2000000ffff	/* GDT_USER_DS: DPL 3 */
	.quad	0x00affa000000ffff	/* GDT_USER_CS: 64-bit code, DPL 3 */
	.quad	0, 0			/* GDT_TSS */
gdt_end:

	.p2align 3
gdt_ptr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.p2align 12
pml4:	.skip	PAGE_SIZE
pdpt:	.skip	PAGE_SIZE
pd:	.skip	4 * PAGE_SIZE
pt_image:
	.skip	PAGE_SIZE
	.globl unmapped_page
unmapped_page:
	.skip	PAGE_SIZE
	.p2align 4
boot_stack:
	.skip	16384
boot_stack_top:
