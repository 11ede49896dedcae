/* SPDX-License-Identifier: MIT */
/*
 * The record domu_child keeps at the guest-physical address its command line
 * names (result=N) and the domctl guest reads through a foreign mapping after
 * the child shut down: how far it got and its verdict.
 */
#ifndef GUEST_DOMU_RESULT_H
#define GUEST_DOMU_RESULT_H

#include <stdint.h>

#define DOMU_RESULT_MAGIC 0x4b524553U /* "SERK" */

/* DOMU_WILD: checks done, about to touch guest-physical memory it does not have. */
enum domu_state { DOMU_RUNNING = 1, DOMU_SPINNING = 2, DOMU_DONE = 3, DOMU_WILD = 4 };

struct domu_result {
	uint32_t magic;
	uint32_t state; /* enum domu_state */
	uint32_t result; /* enum test_result, once DOMU_DONE */
	uint32_t checks_failed;
};

#endif
