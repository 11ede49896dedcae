/* SPDX-License-Identifier: GPL-2.0-only */
/* What the boot loader told us, copied out of its structures (multiboot 1/2). */
#ifndef ASM_BOOTINFO_H
#define ASM_BOOTINFO_H

#include <keel/types.h>

#define MAX_E820 128
#define MAX_MODULES 8
#define BOOT_CMDLINE_LEN 1024
#define MODULE_CMDLINE_LEN 2048

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

struct e820_entry {
	u64 addr, size;
	u32 type;
};

struct boot_module {
	paddr_t start, end;
	char cmdline[MODULE_CMDLINE_LEN];
};

struct boot_info {
	const char *loader; /* "multiboot1" or "multiboot2" */
	char cmdline[BOOT_CMDLINE_LEN];
	unsigned int nr_e820;
	struct e820_entry e820[MAX_E820];
	unsigned int nr_modules;
	struct boot_module modules[MAX_MODULES];
	paddr_t rsdp; /* 0 if the loader gave none; ACPI code scans then */
	u8 rsdp_copy[36]; /* the RSDP as a multiboot2 tag carried it */
	bool has_rsdp_copy;
};

extern struct boot_info boot_info;

/* Parse the loader's structures; returns -1 if the magic is unknown. */
int bootinfo_parse(u32 magic, paddr_t info);
u64 e820_total_ram(void);
paddr_t e820_top_of_ram(void);
bool e820_is_ram(paddr_t start, paddr_t end);
bool e820_is_ram_range(paddr_t start, paddr_t end);

#endif
