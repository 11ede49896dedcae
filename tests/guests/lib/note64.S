/* SPDX-License-Identifier: MIT */
/* The PVH entry note with an 8-byte descriptor, as Linux emits it (_ASM_PTR). */
#include <public/elfnote.h>

	.section .note.Xen, "a", @note
	.p2align 2
	.long	4			/* namesz: "Xen\0" */
	.long	8			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.p2align 2
	.quad	pvh_entry
