// SPDX-License-Identifier: MIT
/*
 * no_pvh_note: a valid ELF without XEN_ELFNOTE_PHYS32_ENTRY (see the Makefile).
 * The hypervisor must refuse it; reaching this code means it did not.
 */
#include "guest.h"

void test_main(void)
{
	report(TEST_FAILURE,
	       "booted without a PVH entry note: the loader must refuse this image");
}
