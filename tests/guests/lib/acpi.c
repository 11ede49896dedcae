// SPDX-License-Identifier: MIT
/*
 * Find the ACPI PM timer through RSDP -> RSDT/XSDT -> FADT: a clock that does
 * not come from the hypervisor, to check its pvclock against.
 */
#include "guest.h"

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

#define FADT_PM_TMR_BLK 76 /* u32 I/O port of the PM timer */

static int checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

static const uint8_t *find_rsdp(void)
{
	uintptr_t p;

	if (start_info && start_info->rsdp_paddr)
		return (const uint8_t *)(uintptr_t)start_info->rsdp_paddr;
	/* The legacy place when start_info names none. */
	for (p = 0xe0000; p < 0x100000; p += 16)
		if (!memcmp((const void *)p, "RSD PTR ", 8) &&
		    checksum_ok((const void *)p, 20))
			return (const uint8_t *)p;
	return NULL;
}

uint16_t acpi_pm_timer_port(void)
{
	const uint8_t *rsdp = find_rsdp();
	const struct acpi_header *root;
	unsigned int i, n, entry_size;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8))
		return 0;
	if (rsdp[15] >= 2 && *(const uint64_t *)(rsdp + 24)) {
		root = (const void *)(uintptr_t)*(const uint64_t *)(rsdp + 24);
		entry_size = 8;
	} else {
		root = (const void *)(uintptr_t)*(const uint32_t *)(rsdp + 16);
		entry_size = 4;
	}
	/* Tables must be in the identity-mapped 4 GiB for us to read them. */
	if ((uintptr_t)root >= (1ULL << 32) || !checksum_ok(root, root->length))
		return 0;
	n = (root->length - sizeof(*root)) / entry_size;
	for (i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t addr = entry_size == 8 ? *(const uint64_t *)e :
						  *(const uint32_t *)e;
		const struct acpi_header *t = (const void *)(uintptr_t)addr;

		if (addr >= (1ULL << 32) || memcmp(t->signature, "FACP", 4))
			continue;
		if (t->length < FADT_PM_TMR_BLK + 4)
			return 0;
		return (uint16_t)*(const uint32_t *)((const uint8_t *)t +
						     FADT_PM_TMR_BLK);
	}
	return 0;
}
