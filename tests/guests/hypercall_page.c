// SPDX-License-Identifier: MIT
/*
 * hypercall_page: WRMSR 0x40000000 fills a guest page with 32-byte stubs
 * "mov $i, %eax; vmmcall; ret", and calling through one is a hypercall.
 */
#include <public/arch-x86/cpuid.h>
#include <public/version.h>

#include "guest.h"

static uint8_t hc_page[PAGE_SIZE] __aligned(PAGE_SIZE);

static int stub_ok(const uint8_t *p, uint32_t nr)
{
	static const uint8_t tail[] = { 0x0f, 0x01, 0xd9, 0xc3 };

	return p[0] == 0xb8 && !memcmp(p + 1, &nr, 4) &&
	       !memcmp(p + 5, tail, sizeof(tail));
}

void test_main(void)
{
	long (*xen_version_stub)(unsigned long, void *);
	unsigned int i, bad = 0;

	/* Poison, so a page that is never written cannot pass. */
	memset(hc_page, 0x90, sizeof(hc_page));
	wrmsr(XEN_HYPERCALL_PAGE_MSR, (uintptr_t)hc_page);

	for (i = 0; i < PAGE_SIZE / 32; i++) {
		const uint8_t *p = hc_page + 32 * i;

		/* Xen puts ud2 in the (PV-only) iret slot; accept either. */
		if (i == __HYPERVISOR_iret && p[0] == 0x0f && p[1] == 0x0b)
			continue;
		if (!stub_ok(p, i)) {
			if (bad++ < 4)
				printf("stub %u: %02x %02x %02x %02x %02x %02x %02x %02x %02x\n",
				       i, p[0], p[1], p[2], p[3], p[4], p[5],
				       p[6], p[7], p[8]);
		}
	}
	check_eq(bad, 0, "every stub is mov $i,%eax; vmmcall; ret");

	if (stub_ok(hc_page + 32 * __HYPERVISOR_xen_version,
		    __HYPERVISOR_xen_version)) {
		xen_version_stub = (void *)(hc_page +
					    32 * __HYPERVISOR_xen_version);
		check_eq(xen_version_stub(XENVER_version, NULL), 0x00040011,
			 "xen_version through the hypercall page");
	}
}
