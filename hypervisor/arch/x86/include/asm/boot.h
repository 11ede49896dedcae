/* SPDX-License-Identifier: GPL-2.0-only */
/* Constants shared by the boot assembly and C: selectors, control bits. */
#ifndef ASM_BOOT_H
#define ASM_BOOT_H

#define KEEL_CS 0x08
#define KEEL_DS 0x10
#define KEEL_CS32 0x18
#define KEEL_TSS 0x20

#define BOOT_STACK_SIZE 16384
#define STACK_SIZE 16384

#define X86_CR0_PE (1 << 0)
#define X86_CR0_MP (1 << 1)
#define X86_CR0_EM (1 << 2)
#define X86_CR0_TS (1 << 3)
#define X86_CR0_ET (1 << 4)
#define X86_CR0_NE (1 << 5)
#define X86_CR0_WP (1 << 16)
#define X86_CR0_AM (1 << 18)
#define X86_CR0_NW (1 << 29)
#define X86_CR0_CD (1 << 30)
#define X86_CR0_PG (1 << 31)

#define X86_CR4_PSE (1 << 4)
#define X86_CR4_PAE (1 << 5)
#define X86_CR4_PGE (1 << 7)
#define X86_CR4_OSFXSR (1 << 9)
#define X86_CR4_OSXMMEXCPT (1 << 10)
#define X86_CR4_OSXSAVE (1 << 18)

#define MSR_EFER 0xC0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_LMA (1 << 10)
#define EFER_NXE (1 << 11)
#define EFER_SVME (1 << 12)

/* Where the AP start-up code is copied (SIPI vector = address >> 12). */
#define TRAMPOLINE_BASE 0x8000

#endif
