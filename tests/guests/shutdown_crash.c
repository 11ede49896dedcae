// SPDX-License-Identifier: MIT
/*
 * shutdown_crash: SCHEDOP_shutdown(SHUTDOWN_crash) from dom0 must not return;
 * the harness checks the hypervisor's report of the crashed domain.
 */
#include <public/sched.h>

#include "guest.h"

void test_main(void)
{
	struct sched_shutdown arg = { .reason = SHUTDOWN_crash };
	long rc;

	printf("about to crash\n");
	rc = hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			(unsigned long)&arg);
	report(TEST_FAILURE, "SCHEDOP_shutdown(crash) returned %ld", rc);
}
