/* SPDX-License-Identifier: GPL-2.0-only */
/* What the hypervisor takes from the firmware's ACPI tables. */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <keel/types.h>
#include <asm/percpu.h>

struct acpi_gas {
	u8 space_id; /* 0 memory, 1 I/O */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __attribute__((packed));

struct acpi_info {
	paddr_t rsdp; /* physical address of the firmware's RSDP */
	unsigned int nr_cpus;
	u32 cpu_apic_id[MAX_CPUS];
	u32 cpu_acpi_uid[MAX_CPUS];
	u32 pm1a_cnt, pm1b_cnt; /* I/O ports, 0 if absent */
	u32 pm_timer; /* PM timer I/O port, 0 if absent */
	u8 slp_typ_s5a, slp_typ_s5b;
	bool have_s5;
	bool have_reset_reg;
	struct acpi_gas reset_reg;
	u8 reset_value;
	paddr_t hpet_base;
	paddr_t madt, fadt, dsdt;
};

extern struct acpi_info acpi_info;

/* Find and parse the tables; missing tables give defaults, never a crash. */
void acpi_init(void);
size_t acpi_build_dom0_tables(u8 *buf, size_t size, u64 gpa, const u32 *vcpu_apic_ids,
			      unsigned int nr_vcpus);

#endif
