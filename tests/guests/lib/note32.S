/* SPDX-License-Identifier: MIT */
/* The PVH entry note with a 4-byte descriptor, as Xen's pvh.pandoc shows it. */
#include <public/elfnote.h>

	.section .note.Xen, "a", @note
	.p2align 2
	.long	4			/* namesz: "Xen\0" */
	.long	4			/* descsz */
	.long	XEN_ELFNOTE_PHYS32_ENTRY
	.asciz	"Xen"
	.p2align 2
	.long	pvh_entry
