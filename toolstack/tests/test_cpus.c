// SPDX-License-Identifier: GPL-2.0-only
/* CPU lists for pinning ("0-3,5,^1", "all"): parse, normalise, reject. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

static const struct keel_where W = { "t.cfg", 2, "cpus" };

static void test_good_lists(void **state)
{
	static const struct {
		const char *in;
		const char *out;
		unsigned int weight;
		bool all;
	} cases[] = {
		{ "0", "0", 1, false },
		{ "0-3", "0-3", 4, false },
		{ "0-3,5", "0-3,5", 5, false },
		{ "3,2,1,0", "0-3", 4, false },
		{ "0-7,^2-3", "0-1,4-7", 6, false },
		{ "0-3,^1,1", "0-3", 4, false },
		{ " 4 , 6-7 ", "4,6-7", 3, false },
		{ "511", "511", 1, false },
		{ "all", "0-511", 512, true },
		{ "all,^0", "1-511", 511, false },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keel_diags d;
		struct keel_cpumap map;
		bool all;
		char *s;

		keel_diags_init(&d);
		if (keel_cpumap_parse(cases[i].in, &map, &all, &d, &W))
			fail_msg("\"%s\" rejected: %s", cases[i].in,
				 keel_diags_first(&d, KEEL_DIAG_ERROR));
		s = keel_cpumap_format(&map);
		assert_string_equal(s, cases[i].out);
		assert_int_equal(keel_cpumap_weight(&map), cases[i].weight);
		assert_int_equal(all, cases[i].all);
		free(s);
		keel_diags_free(&d);
	}
}

static void test_bad_lists(void **state)
{
	static const struct {
		const char *in;
		const char *msg;
	} cases[] = {
		{ "", "t.cfg:2: cpus: empty CPU list: give CPUs such as \"0-3,5\", or \"all\"" },
		{ "x", "t.cfg:2: cpus: invalid CPU list \"x\" at \"x\": expected CPU numbers and ranges such as \"0-3,5,^1\", or \"all\"" },
		{ "1-", "t.cfg:2: cpus: invalid CPU list \"1-\" at \"1-\": expected CPU numbers and ranges such as \"0-3,5,^1\", or \"all\"" },
		{ "0-3,-1", "t.cfg:2: cpus: invalid CPU list \"0-3,-1\" at \"-1\": expected CPU numbers and ranges such as \"0-3,5,^1\", or \"all\"" },
		{ "5-3", "t.cfg:2: cpus: range \"5-3\" in \"5-3\" runs backwards: write the lower CPU first" },
		{ "512", "t.cfg:2: cpus: CPU 512 in \"512\" is beyond the largest CPU number Keel supports (511)" },
		{ "0-99999999999999999999999", "t.cfg:2: cpus: CPU 0-99999999999999999999999 in \"0-99999999999999999999999\" is beyond the largest CPU number Keel supports (511)" },
		{ "^3", "t.cfg:2: cpus: \"^3\" leaves no CPU to run on" },
		{ "nodes:0-1", "t.cfg:2: cpus: \"nodes:0-1\": pinning to NUMA nodes is not supported by Keel: list CPUs instead, e.g. \"0-3\"" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keel_diags d;
		struct keel_cpumap map;
		bool all;

		keel_diags_init(&d);
		if (!keel_cpumap_parse(cases[i].in, &map, &all, &d, &W))
			fail_msg("\"%s\" accepted", cases[i].in);
		assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
				    cases[i].msg);
		keel_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_lists),
		cmocka_unit_test(test_bad_lists),
	};

	return cmocka_run_group_tests_name("CPU lists", tests, NULL, NULL);
}
