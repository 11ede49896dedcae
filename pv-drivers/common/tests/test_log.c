// SPDX-License-Identifier: GPL-2.0-only
/* libkeelback unit tests: the rate limit on log lines about a misbehaving
 * peer (a burst, then one line per interval, the held-back count handed to
 * the next line that goes out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kb_log.h"

static void test_burst_then_interval(void **state)
{
	struct kb_ratelimit rl;
	uint64_t held = 99;

	(void)state;
	kb_ratelimit_init(&rl, 3, 1000, 5000);
	for (int i = 0; i < 3; i++) {
		assert_true(kb_ratelimit_allow(&rl, 5000, &held));
		assert_int_equal(held, 0);
	}
	for (int i = 0; i < 10; i++)
		assert_false(kb_ratelimit_allow(&rl, 5999, &held));
	/* One interval later, one line, which learns of the ten held back. */
	assert_true(kb_ratelimit_allow(&rl, 6000, &held));
	assert_int_equal(held, 10);
	assert_false(kb_ratelimit_allow(&rl, 6500, &held));
	assert_true(kb_ratelimit_allow(&rl, 7000, &held));
	assert_int_equal(held, 1);
	assert_false(kb_ratelimit_allow(&rl, 7000, &held));
}

static void test_refill_is_capped(void **state)
{
	struct kb_ratelimit rl;
	uint64_t held;
	int allowed = 0;

	(void)state;
	kb_ratelimit_init(&rl, 4, 100, 0);
	for (int i = 0; i < 4; i++)
		assert_true(kb_ratelimit_allow(&rl, 0, &held));
	/* An hour of quiet earns a full burst again, not 36000 lines. */
	for (int i = 0; i < 100; i++)
		allowed += kb_ratelimit_allow(&rl, 3600000, &held);
	assert_int_equal(allowed, 4);
	/* Partial intervals add up across calls. */
	assert_false(kb_ratelimit_allow(&rl, 3600050, &held));
	assert_true(kb_ratelimit_allow(&rl, 3600100, &held));
	assert_int_equal(held, 97);
}

static void test_clock_going_nowhere(void **state)
{
	struct kb_ratelimit rl;
	uint64_t held;

	(void)state;
	/* A time before the start (a caller's stale reading) earns nothing. */
	kb_ratelimit_init(&rl, 1, 1000, 10000);
	assert_true(kb_ratelimit_allow(&rl, 10000, &held));
	assert_false(kb_ratelimit_allow(&rl, 9000, &held));
	assert_true(kb_ratelimit_allow(&rl, 11000, &held));
	assert_int_equal(held, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_interval),
		cmocka_unit_test(test_refill_is_capped),
		cmocka_unit_test(test_clock_going_nowhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
