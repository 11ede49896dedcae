// SPDX-License-Identifier: GPL-2.0-only
/*
 * Minimal ACPI table reading: the CPUs in the MADT, the power-off and reset
 * registers of the FADT (with \_S5 from the DSDT), and the HPET address.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <asm/acpi.h>
#include <asm/bootinfo.h>

struct acpi_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

struct acpi_rsdp {
	char signature[8];
	u8 checksum;
	char oem_id[6];
	u8 revision;
	u32 rsdt;
	u32 length;
	u64 xsdt;
	u8 ext_checksum;
	u8 reserved[3];
} __packed;

struct acpi_info acpi_info;

static bool checksum_ok(const void *p, size_t len)
{
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const u8 *)p)[i];
	return sum == 0;
}

static paddr_t scan_rsdp(paddr_t start, paddr_t end)
{
	for (paddr_t p = start; p + 20 <= end; p += 16) {
		const struct acpi_rsdp *r = phys_to_virt(p);

		if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20))
			return p;
	}
	return 0;
}

static paddr_t find_rsdp(void)
{
	paddr_t ebda = (paddr_t)(*(const u16 *)phys_to_virt(0x40e)) << 4;
	paddr_t p = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		p = scan_rsdp(ebda, ebda + 1024);
	if (!p)
		p = scan_rsdp(0xe0000, 0x100000);
	return p;
}

static const struct acpi_header *map_table(paddr_t pa)
{
	const struct acpi_header *h;

	if (!pa || pa >= (1ULL << 32))
		return NULL; /* beyond what the boot page tables map */
	h = phys_to_virt(pa);
	if (h->length < sizeof(*h) || !checksum_ok(h, h->length)) {
		pr_warn("acpi: table at %#llx (%.4s) has a bad checksum; ignored\n",
			pa, h->signature);
		return NULL;
	}
	return h;
}

static void parse_madt(const struct acpi_header *h)
{
	const u8 *p = (const u8 *)h + 44;
	const u8 *end = (const u8 *)h + h->length;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		u32 uid = 0, apic = 0, flags = 0;
		bool cpu = false;

		if (p[0] == 0 && p[1] >= 8) { /* processor local APIC */
			uid = p[2];
			apic = p[3];
			flags = *(const u32 *)(p + 4);
			cpu = true;
		} else if (p[0] == 9 && p[1] >= 16) { /* processor local x2APIC */
			apic = *(const u32 *)(p + 4);
			flags = *(const u32 *)(p + 8);
			uid = *(const u32 *)(p + 12);
			cpu = true;
		}
		if (cpu && (flags & 1)) {
			if (acpi_info.nr_cpus < MAX_CPUS) {
				acpi_info.cpu_apic_id[acpi_info.nr_cpus] = apic;
				acpi_info.cpu_acpi_uid[acpi_info.nr_cpus] = uid;
				acpi_info.nr_cpus++;
			} else {
				pr_warn("acpi: more than %d CPUs; APIC ID %u not used\n",
					MAX_CPUS, apic);
			}
		}
		p += p[1];
	}
}

/* Decode an AML integer (ZeroOp/OneOp/BytePrefix/...) at p; returns bytes used. */
static int aml_int(const u8 *p, const u8 *end, u8 *out)
{
	if (p >= end)
		return 0;
	switch (p[0]) {
	case 0x00: *out = 0; return 1;
	case 0x01: *out = 1; return 1;
	case 0x0a: if (p + 1 < end) { *out = p[1]; return 2; } return 0;
	case 0x0b: if (p + 2 < end) { *out = p[1]; return 3; } return 0;
	case 0x0c: if (p + 4 < end) { *out = p[1]; return 5; } return 0;
	default: return 0;
	}
}

/* Find Name(_S5, Package(){a, b, ...}) in the DSDT's AML. */
static void find_s5(const struct acpi_header *dsdt)
{
	const u8 *p = (const u8 *)dsdt + sizeof(*dsdt);
	const u8 *end = (const u8 *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		const u8 *q;
		int n;

		if (memcmp(p, "_S5_", 4) || (p[-1] != 0x08 && !(p[-2] == 0x08 && p[-1] == '\\')))
			continue;
		q = p + 4;
		if (*q != 0x12) /* PackageOp */
			continue;
		q++;
		q += ((*q >> 6) & 3) + 1; /* PkgLength */
		q++; /* NumElements */
		n = aml_int(q, end, &acpi_info.slp_typ_s5a);
		if (!n)
			continue;
		q += n;
		if (!aml_int(q, end, &acpi_info.slp_typ_s5b))
			acpi_info.slp_typ_s5b = acpi_info.slp_typ_s5a;
		acpi_info.have_s5 = true;
		return;
	}
}

static void parse_fadt(const struct acpi_header *h)
{
	const u8 *f = (const u8 *)h;
	paddr_t dsdt;
	const struct acpi_header *d;

	acpi_info.pm1a_cnt = *(const u32 *)(f + 64);
	acpi_info.pm1b_cnt = *(const u32 *)(f + 68);
	acpi_info.pm_timer = *(const u32 *)(f + 76);
	if (h->length >= 129 && (*(const u32 *)(f + 112) & (1 << 10))) {
		memcpy(&acpi_info.reset_reg, f + 116, sizeof(acpi_info.reset_reg));
		acpi_info.reset_value = f[128];
		acpi_info.have_reset_reg = acpi_info.reset_reg.address != 0;
	}
	dsdt = *(const u32 *)(f + 40);
	if (h->length >= 148 && *(const u64 *)(f + 140))
		dsdt = *(const u64 *)(f + 140);
	acpi_info.dsdt = dsdt;
	d = map_table(dsdt);
	if (d)
		find_s5(d);
}

static void parse_table(paddr_t pa)
{
	const struct acpi_header *h = map_table(pa);

	if (!h)
		return;
	if (!memcmp(h->signature, "APIC", 4)) {
		acpi_info.madt = pa;
		parse_madt(h);
	} else if (!memcmp(h->signature, "FACP", 4)) {
		acpi_info.fadt = pa;
		parse_fadt(h);
	} else if (!memcmp(h->signature, "HPET", 4) && h->length >= 56) {
		acpi_info.hpet_base = *(const u64 *)((const u8 *)h + 44);
	}
}

void acpi_init(void)
{
	const struct acpi_rsdp *r;
	paddr_t rsdp = find_rsdp();

	if (!rsdp && boot_info.has_rsdp_copy) {
		/* The loader's copy tells us where the tables are, not the RSDP. */
		r = (const struct acpi_rsdp *)boot_info.rsdp_copy;
	} else if (rsdp) {
		r = phys_to_virt(rsdp);
	} else {
		pr_warn("acpi: no RSDP found; assuming one CPU and no ACPI power-off\n");
		return;
	}
	acpi_info.rsdp = rsdp;
	if (r->revision >= 2 && r->xsdt) {
		const struct acpi_header *x = map_table(r->xsdt);
		unsigned int n = x ? (x->length - sizeof(*x)) / 8 : 0;

		for (unsigned int i = 0; i < n; i++)
			parse_table(((const u64 *)(x + 1))[i]);
	} else {
		const struct acpi_header *x = map_table(r->rsdt);
		unsigned int n = x ? (x->length - sizeof(*x)) / 4 : 0;

		for (unsigned int i = 0; i < n; i++)
			parse_table(((const u32 *)(x + 1))[i]);
	}
	printk("acpi: RSDP %#llx, %u CPUs in the MADT, PM1a_CNT %#x, S5 %s, reset register %s, HPET %s\n",
	       rsdp, acpi_info.nr_cpus, acpi_info.pm1a_cnt,
	       acpi_info.have_s5 ? "found" : "not found",
	       acpi_info.have_reset_reg ? "found" : "absent",
	       acpi_info.hpet_base ? "present" : "absent");
}

/* ---- dom0's copy of the tables ---- */

static void set_checksum(u8 *table, size_t len, u8 *field)
{
	u8 sum = 0;

	*field = 0;
	for (size_t i = 0; i < len; i++)
		sum += table[i];
	*field = (u8)-sum;
}

/*
 * dom0 must see only its own vCPUs, with ACPI processor UID == vcpu_id
 * (Linux derives its Xen vCPU id from the UID): build an RSDP, XSDT and MADT
 * of its own in `buf` (which will sit at guest-physical `gpa`), pointing at
 * the firmware's other tables, and leaving out the IOMMU tables (DMAR, IVRS)
 * since Keel keeps the IOMMU. Returns the bytes used, or 0 if the firmware
 * has no usable tables (dom0 then scans for the firmware's own).
 */
size_t acpi_build_dom0_tables(u8 *buf, size_t size, u64 gpa, const u32 *vcpu_apic_ids,
			      unsigned int nr_vcpus)
{
	const struct acpi_rsdp *r;
	const struct acpi_header *root, *madt;
	struct acpi_rsdp *rsdp = (struct acpi_rsdp *)buf;
	struct acpi_header *xsdt = (struct acpi_header *)(buf + 64);
	u8 *m = buf + 1024;
	bool wide;
	unsigned int n, out = 0;
	size_t mlen;

	if (!acpi_info.rsdp || !acpi_info.madt)
		return 0;
	r = phys_to_virt(acpi_info.rsdp);
	wide = r->revision >= 2 && r->xsdt;
	root = map_table(wide ? r->xsdt : r->rsdt);
	madt = map_table(acpi_info.madt);
	if (!root || !madt || madt->length > size - 1024 - 16 * nr_vcpus)
		return 0;
	n = (root->length - sizeof(*root)) / (wide ? 8 : 4);
	if (64 + sizeof(*root) + 8 * n > 1024)
		return 0;

	/* MADT: everything but the processors, then one enabled entry per vCPU */
	memcpy(m, madt, 44);
	mlen = 44;
	for (const u8 *p = (const u8 *)madt + 44, *end = (const u8 *)madt + madt->length;
	     p + 2 <= end && p[1] >= 2 && p + p[1] <= end; p += p[1]) {
		if (p[0] == 0 || p[0] == 9)
			continue;
		memcpy(m + mlen, p, p[1]);
		mlen += p[1];
	}
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		u8 *e = m + mlen;

		if (vcpu_apic_ids[i] < 255) {
			e[0] = 0; /* processor local APIC */
			e[1] = 8;
			e[2] = (u8)i; /* ACPI UID == vcpu_id */
			e[3] = (u8)vcpu_apic_ids[i];
			*(u32 *)(e + 4) = 1; /* enabled */
			mlen += 8;
		} else {
			memset(e, 0, 16);
			e[0] = 9; /* processor local x2APIC */
			e[1] = 16;
			*(u32 *)(e + 4) = vcpu_apic_ids[i];
			*(u32 *)(e + 8) = 1;
			*(u32 *)(e + 12) = i;
			mlen += 16;
		}
	}
	((struct acpi_header *)m)->length = mlen;
	set_checksum(m, mlen, &((struct acpi_header *)m)->checksum);

	/* XSDT: the firmware's entries, our MADT instead of its own */
	memcpy(xsdt, root, sizeof(*root));
	memcpy(xsdt->signature, "XSDT", 4);
	xsdt->revision = 1;
	for (unsigned int i = 0; i < n; i++) {
		u64 t = wide ? ((const u64 *)(root + 1))[i] : ((const u32 *)(root + 1))[i];
		const struct acpi_header *h = map_table(t);

		if (h && (!memcmp(h->signature, "DMAR", 4) || !memcmp(h->signature, "IVRS", 4)))
			continue;
		if (t == acpi_info.madt)
			t = gpa + 1024;
		((u64 *)(xsdt + 1))[out++] = t;
	}
	xsdt->length = sizeof(*xsdt) + 8 * out;
	set_checksum((u8 *)xsdt, xsdt->length, &xsdt->checksum);

	/* RSDP 2.0 pointing at the XSDT */
	memcpy(rsdp, r, 20);
	rsdp->revision = 2;
	rsdp->rsdt = 0;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt = gpa + 64;
	memset(rsdp->reserved, 0, sizeof(rsdp->reserved));
	set_checksum((u8 *)rsdp, 20, &rsdp->checksum);
	set_checksum((u8 *)rsdp, sizeof(*rsdp), &rsdp->ext_checksum);
	return 1024 + mlen;
}
