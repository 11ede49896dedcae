// SPDX-License-Identifier: MIT
/*
 * shutdown_reboot: SCHEDOP_shutdown(SHUTDOWN_reboot) from dom0 must not return;
 * the harness checks that the hypervisor reset the machine.
 */
#include <public/sched.h>

#include "guest.h"

void test_main(void)
{
	struct sched_shutdown arg = { .reason = SHUTDOWN_reboot };
	long rc;

	printf("about to reboot\n");
	rc = hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			(unsigned long)&arg);
	report(TEST_FAILURE, "SCHEDOP_shutdown(reboot) returned %ld", rc);
}
