// SPDX-License-Identifier: GPL-2.0-only
/* The ACPI tables a PVH guest with several vCPUs needs to find them:
 * RSDP -> XSDT -> { FADT (hardware-reduced) -> DSDT, MADT }. */
#include <string.h>

#include "keelctrl.h"
#include "public/arch-x86/keel-platform.h"

#define SDT_HEADER 36
#define RSDP_LEN 36
#define XSDT_OFF 64
#define FADT_OFF 128
#define FADT_LEN 276
#define DSDT_OFF 448
#define MADT_OFF 512
#define MADT_LAPIC_LEN 8

/* FADT flags and IA-PC boot architecture bits (ACPI 6.x, 5.2.9). */
#define FADT_RESET_REG_SUP (1U << 10)
#define FADT_APIC_PHYSICAL (1U << 19)
#define FADT_HW_REDUCED_ACPI (1U << 20)
#define BOOT_ARCH_NO_VGA (1U << 2)
#define BOOT_ARCH_NO_CMOS_RTC (1U << 5)

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

/* NameOp "\_S5_" PackageOp(length 8, 4 elements: BytePrefix 7, BytePrefix 7, Zero, Zero) */
static const uint8_t s5_aml[] = { 0x08, 0x5c, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				  0x0a, KEEL_DOMU_SLP_TYP_S5, 0x0a, KEEL_DOMU_SLP_TYP_S5, 0x00, 0x00 };

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

/* A Generic Address Structure for one byte in I/O space. */
static void put_gas_io(uint8_t *p, uint16_t port)
{
	p[0] = 1; /* SystemIO */
	p[1] = 8; /* bit width */
	p[2] = 0; /* bit offset */
	p[3] = 1; /* byte access */
	put64(p + 4, port);
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return -sum;
}

static void sdt_header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(p, sig, 4);
	put32(p + 4, len);
	p[8] = rev;
	memcpy(p + 10, "KEEL  ", 6); /* OEM ID */
	memcpy(p + 16, "KEELPVH ", 8); /* OEM table ID */
	put32(p + 24, 1); /* OEM revision */
	memcpy(p + 28, "KEEL", 4); /* creator ID */
	put32(p + 32, 1); /* creator revision */
}

static void sdt_finish(uint8_t *p, uint32_t len)
{
	p[9] = 0;
	p[9] = checksum(p, len);
}

size_t keel_acpi_build(uint8_t *buf, size_t cap, uint64_t base,
		       unsigned vcpus, unsigned maxvcpus)
{
	size_t madt_len = 44 + (size_t)maxvcpus * MADT_LAPIC_LEN;
	size_t total = MADT_OFF + madt_len;
	uint8_t *rsdp = buf, *xsdt = buf + XSDT_OFF, *fadt = buf + FADT_OFF;
	uint8_t *dsdt = buf + DSDT_OFF, *madt = buf + MADT_OFF;

	if (total > cap || maxvcpus > 255 || vcpus > maxvcpus)
		return 0;
	memset(buf, 0, total);

	/* RSDP, revision 2: only the XSDT pointer is used. */
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "KEEL  ", 6);
	rsdp[15] = 2;
	put32(rsdp + 20, RSDP_LEN);
	put64(rsdp + 24, base + XSDT_OFF);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, RSDP_LEN);

	sdt_header(xsdt, "XSDT", SDT_HEADER + 16, 1);
	put64(xsdt + SDT_HEADER, base + FADT_OFF);
	put64(xsdt + SDT_HEADER + 8, base + MADT_OFF);
	sdt_finish(xsdt, SDT_HEADER + 16);

	/*
	 * FADT 6.0: hardware-reduced (no PM blocks, SCI, PIT/HPET probing, the
	 * legacy PIC), physical x2APIC destination mode, no VGA and no CMOS RTC.
	 */
	sdt_header(fadt, "FACP", FADT_LEN, 6);
	put32(fadt + 40, base + DSDT_OFF); /* DSDT */
	put16(fadt + 109, BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_CMOS_RTC);
	fadt[131] = 0; /* minor version */
	put64(fadt + 140, base + DSDT_OFF); /* X_DSDT */
	/*
	 * How the guest powers off and resets (Keel traps these ports for a
	 * domU): the sleep control register takes SLP_TYP 7 (\_S5 below) with
	 * SLP_EN; the reset register takes 6 at its port.
	 */
	put32(fadt + 112, FADT_HW_REDUCED_ACPI | FADT_APIC_PHYSICAL | FADT_RESET_REG_SUP);
	put_gas_io(fadt + 116, KEEL_DOMU_RESET_PORT); /* RESET_REG */
	fadt[128] = KEEL_DOMU_RESET_VALUE;
	put_gas_io(fadt + 244, KEEL_DOMU_SLEEP_CONTROL_PORT); /* SLEEP_CONTROL_REG */
	put_gas_io(fadt + 256, KEEL_DOMU_SLEEP_STATUS_PORT); /* SLEEP_STATUS_REG */
	memcpy(fadt + 268, "KeelKeel", 8); /* hypervisor vendor identity */
	sdt_finish(fadt, FADT_LEN);

	/* The DSDT's only object: Name (\_S5, Package () { 7, 7, 0, 0 }), the
	 * sleep type the guest writes to power off. Revision 2 = 64-bit integers. */
	sdt_header(dsdt, "DSDT", SDT_HEADER + sizeof(s5_aml), 2);
	memcpy(dsdt + SDT_HEADER, s5_aml, sizeof(s5_aml));
	sdt_finish(dsdt, SDT_HEADER + sizeof(s5_aml));

	/* MADT: the local APIC address, no PC-AT 8259s, one LAPIC per vCPU.
	 * Linux takes the Xen vcpu_id from the ACPI processor UID. */
	sdt_header(madt, "APIC", madt_len, 4);
	put32(madt + 36, 0xfee00000U);
	put32(madt + 40, 0);
	for (unsigned i = 0; i < maxvcpus; i++) {
		uint8_t *e = madt + 44 + i * MADT_LAPIC_LEN;

		e[0] = 0; /* processor local APIC */
		e[1] = MADT_LAPIC_LEN;
		e[2] = i; /* ACPI processor UID */
		e[3] = i; /* APIC ID */
		put32(e + 4, i < vcpus ? 1 : 0); /* enabled */
	}
	sdt_finish(madt, madt_len);
	return total;
}
