// SPDX-License-Identifier: MIT
/*
 * idle: a dom0 that boots, says so, and then halts with interrupts enabled
 * forever, leaving the machine to the hypervisor. The integration tests use
 * it to drive Keel's serial debug keys; it never prints a result itself.
 */
#include "guest.h"

void test_main(void)
{
	if (!xen_detect())
		report(TEST_SKIP, "not running on a Xen-compatible hypervisor");
	printf("idle: dom0 is up and idling\n");
	for (;;)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}
