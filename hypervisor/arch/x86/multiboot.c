// SPDX-License-Identifier: GPL-2.0-only
/*
 * Multiboot 1 (QEMU -kernel) and multiboot 2 (GRUB) information parsing.
 * Everything is copied into boot_info so the loader's memory can be reused.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <asm/bootinfo.h>

#define MB1_LOADER_MAGIC 0x2BADB002
#define MB2_LOADER_MAGIC 0x36d76289

#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MODS (1 << 3)
#define MB1_INFO_MMAP (1 << 6)

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

struct boot_info boot_info;

static void add_e820(u64 addr, u64 size, u32 type)
{
	struct e820_entry *e;

	if (!size)
		return;
	if (boot_info.nr_e820 >= MAX_E820) {
		pr_warn("boot: memory map has more than %d entries; ignoring the rest\n",
			MAX_E820);
		return;
	}
	e = &boot_info.e820[boot_info.nr_e820++];
	e->addr = addr;
	e->size = size;
	e->type = type;
}

static void add_module(paddr_t start, paddr_t end, const char *cmdline)
{
	struct boot_module *m;

	if (boot_info.nr_modules >= MAX_MODULES) {
		pr_warn("boot: more than %d modules; ignoring the rest\n", MAX_MODULES);
		return;
	}
	m = &boot_info.modules[boot_info.nr_modules++];
	m->start = start;
	m->end = end;
	strlcpy(m->cmdline, cmdline ? cmdline : "", sizeof(m->cmdline));
}

static int parse_mb1(paddr_t info)
{
	const u32 *mbi = phys_to_virt(info);
	u32 flags = mbi[0];

	boot_info.loader = "multiboot1";
	if (flags & MB1_INFO_CMDLINE)
		strlcpy(boot_info.cmdline, phys_to_virt(mbi[4]), sizeof(boot_info.cmdline));
	if (flags & MB1_INFO_MODS) {
		const u32 *mod = phys_to_virt(mbi[6]);

		for (u32 i = 0; i < mbi[5]; i++, mod += 4)
			add_module(mod[0], mod[1], mod[2] ? phys_to_virt(mod[2]) : "");
	}
	if (flags & MB1_INFO_MMAP) {
		const u8 *p = phys_to_virt(mbi[12]);
		const u8 *end = p + mbi[11];

		while (p < end) {
			u32 size = *(const u32 *)p;
			u64 addr = *(const u64 *)(p + 4);
			u64 len = *(const u64 *)(p + 12);
			u32 type = *(const u32 *)(p + 20);

			add_e820(addr, len, type);
			p += size + 4;
		}
	} else {
		/* mem_lower / mem_upper in KiB: the bare minimum a loader gives. */
		add_e820(0, (u64)mbi[1] * 1024, E820_RAM);
		add_e820(0x100000, (u64)mbi[2] * 1024, E820_RAM);
	}
	return 0;
}

static int parse_mb2(paddr_t info)
{
	const u8 *base = phys_to_virt(info);
	u32 total = *(const u32 *)base;
	const u8 *p = base + 8;

	boot_info.loader = "multiboot2";
	while (p + 8 <= base + total) {
		u32 type = *(const u32 *)p;
		u32 size = *(const u32 *)(p + 4);

		if (type == MB2_TAG_END || size < 8)
			break;
		switch (type) {
		case MB2_TAG_CMDLINE:
			strlcpy(boot_info.cmdline, (const char *)(p + 8), sizeof(boot_info.cmdline));
			break;
		case MB2_TAG_MODULE:
			add_module(*(const u32 *)(p + 8), *(const u32 *)(p + 12),
				   (const char *)(p + 16));
			break;
		case MB2_TAG_MMAP: {
			u32 esz = *(const u32 *)(p + 8);
			const u8 *e = p + 16;

			for (; esz && e + esz <= p + size; e += esz)
				add_e820(*(const u64 *)e, *(const u64 *)(e + 8),
					 *(const u32 *)(e + 16));
			break;
		}
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			u32 n = MIN(size - 8, (u32)sizeof(boot_info.rsdp_copy));

			/* Prefer the ACPI 2.0+ copy when both are given. */
			if (!boot_info.has_rsdp_copy || type == MB2_TAG_ACPI_NEW) {
				memcpy(boot_info.rsdp_copy, p + 8, n);
				boot_info.has_rsdp_copy = true;
			}
			break;
		}
		default:
			break;
		}
		p += ALIGN_UP(size, 8);
	}
	return 0;
}

int bootinfo_parse(u32 magic, paddr_t info)
{
	if (magic == MB1_LOADER_MAGIC)
		return parse_mb1(info);
	if (magic == MB2_LOADER_MAGIC)
		return parse_mb2(info);
	return -1;
}

u64 e820_total_ram(void)
{
	u64 total = 0;

	for (unsigned int i = 0; i < boot_info.nr_e820; i++)
		if (boot_info.e820[i].type == E820_RAM)
			total += boot_info.e820[i].size;
	return total;
}

paddr_t e820_top_of_ram(void)
{
	paddr_t top = 0;

	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];

		if (e->type == E820_RAM && e->addr + e->size > top)
			top = e->addr + e->size;
	}
	return top;
}

bool e820_is_ram(paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];

		if (e->type == E820_RAM && start >= e->addr && end <= e->addr + e->size)
			return true;
	}
	return false;
}

bool e820_is_ram_range(paddr_t start, paddr_t end)
{
	/* true if any byte of [start, end) is RAM */
	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];

		if (e->type == E820_RAM && start < e->addr + e->size && e->addr < end)
			return true;
	}
	return false;
}
