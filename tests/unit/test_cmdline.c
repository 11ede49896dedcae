// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for the command-line parser, including the exact warnings a user sees. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>

static bool opt_noreboot, opt_flag;
static u64 opt_vcpus, opt_mem;
static char opt_console[8];

static const struct cmdline_param params[] = {
	{ "noreboot", CMDLINE_BOOL, &opt_noreboot, 0 },
	{ "flag", CMDLINE_BOOL, &opt_flag, 0 },
	{ "dom0_max_vcpus", CMDLINE_UINT, &opt_vcpus, 0 },
	{ "dom0_mem", CMDLINE_SIZE, &opt_mem, 0 },
	{ "console", CMDLINE_STRING, opt_console, sizeof(opt_console) },
};

static int reset(void **state)
{
	(void)state;
	opt_noreboot = false;
	opt_flag = true;
	opt_vcpus = 99;
	opt_mem = 99;
	strcpy(opt_console, "def");
	harness_last_printk[0] = '\0';
	return 0;
}

static int parse(const char *s)
{
	return cmdline_parse(s, params, ARRAY_SIZE(params));
}

static void test_all_types(void **state)
{
	(void)state;
	assert_int_equal(parse("  noreboot\tdom0_max_vcpus=4 dom0_mem=512M console=com2 no-flag  "), 0);
	assert_true(opt_noreboot);
	assert_false(opt_flag);
	assert_int_equal(opt_vcpus, 4);
	assert_int_equal(opt_mem, 512ULL << 20);
	assert_string_equal(opt_console, "com2");
	assert_string_equal(harness_last_printk, "");

	assert_int_equal(parse("dom0_max_vcpus=0x1F dom0_mem=0x100000 console="), 1);
	assert_int_equal(opt_vcpus, 31);
	assert_int_equal(opt_mem, 0x100000);
	assert_string_equal(harness_last_printk, "cmdline: console: needs a value (console=...)\n");
	assert_string_equal(opt_console, "com2");

	/* Later options win. */
	assert_int_equal(parse("dom0_max_vcpus=1 dom0_max_vcpus=2"), 0);
	assert_int_equal(opt_vcpus, 2);
	assert_int_equal(parse(""), 0);
	assert_int_equal(parse(NULL), 0);
}

static void test_bools(void **state)
{
	static const struct {
		const char *s;
		bool v;
	} t[] = {
		{ "flag", true },	 { "flag=1", true },	{ "flag=yes", true },
		{ "flag=on", true },	 { "flag=true", true }, { "flag=0", false },
		{ "flag=no", false },	 { "flag=off", false }, { "flag=false", false },
		{ "no-flag", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		opt_flag = !t[i].v;
		assert_int_equal(parse(t[i].s), 0);
		assert_int_equal(opt_flag, t[i].v);
	}
	opt_flag = true;
	assert_int_equal(parse("flag=maybe"), 1);
	assert_true(opt_flag);
	assert_string_equal(harness_last_printk,
			    "cmdline: flag: bad boolean 'maybe' (use 1/0, yes/no, on/off or true/false)\n");
	assert_int_equal(parse("flag=yess"), 1);
	assert_int_equal(parse("flag="), 1);
	assert_int_equal(parse("no-flag=1"), 1);
	assert_string_equal(harness_last_printk, "cmdline: unknown option 'no-flag'\n");
}

static void test_problems_reported(void **state)
{
	(void)state;
	assert_int_equal(parse("foo dom0_max_vcpus=3"), 1);
	assert_string_equal(harness_last_printk, "cmdline: unknown option 'foo'\n");
	assert_int_equal(opt_vcpus, 3);

	assert_int_equal(parse("dom0_mem=x12"), 1);
	assert_string_equal(harness_last_printk,
			    "cmdline: dom0_mem: bad size 'x12' (like 512M, 4G or 0x100000)\n");
	assert_int_equal(opt_mem, 99);

	assert_int_equal(parse("dom0_max_vcpus=12abc"), 1);
	assert_string_equal(harness_last_printk,
			    "cmdline: dom0_max_vcpus: bad number '12abc' (decimal, or hex with 0x)\n");
	assert_int_equal(parse("dom0_max_vcpus=-1"), 1);
	assert_int_equal(parse("dom0_max_vcpus=18446744073709551616"), 1);
	assert_int_equal(parse("dom0_max_vcpus=0x"), 1);
	assert_int_equal(parse("dom0_max_vcpus"), 1);
	assert_string_equal(harness_last_printk,
			    "cmdline: dom0_max_vcpus: needs a value (dom0_max_vcpus=...)\n");
	assert_int_equal(opt_vcpus, 3);

	assert_int_equal(parse("console=abcdefghijk"), 1);
	assert_string_equal(opt_console, "abcdefg");
	assert_string_equal(harness_last_printk, "cmdline: console: value truncated to 7 characters\n");

	/* Prefixes and near misses are not the option. */
	assert_int_equal(parse("dom0 dom0_mem_x=1 = =5 no- no-dom0_mem flagx"), 7);
	assert_string_equal(harness_last_printk, "cmdline: unknown option 'flagx'\n");
	assert_int_equal(opt_mem, 99);
	assert_int_equal(parse("foo=1 bar dom0_mem=1Q noreboot"), 3);
	assert_true(opt_noreboot);
}

static void test_parse_size(void **state)
{
	static const struct {
		const char *s;
		u64 v;
	} ok[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "4k", 4096 },
		{ "4K", 4096 },
		{ "512M", 512ULL << 20 },
		{ "2g", 2ULL << 30 },
		{ "1T", 1ULL << 40 },
		{ "0x1000", 0x1000 },
		{ "0x10M", 16ULL << 20 },
		{ "18446744073709551615", ~0ULL },
		{ "16777215T", 16777215ULL << 40 },
	};
	static const char *const bad[] = {
		"", "M", "x12", "12x", "-1", " 12", "0x", "16777216T", "18446744073709551616",
		"12MB", "1.5G",
	};
	const char *end;
	size_t i;
	u64 v;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		v = 1;
		if (parse_size(ok[i].s, &v, NULL) || v != ok[i].v)
			fail_msg("parse_size(\"%s\") = %llu", ok[i].s, (unsigned long long)v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 1;
		if (parse_size(bad[i], &v, NULL) != -EINVAL || v != 1)
			fail_msg("parse_size(\"%s\") accepted", bad[i]);
	}
	assert_int_equal(parse_size("64M,rest", &v, &end), 0);
	assert_int_equal(v, 64ULL << 20);
	assert_string_equal(end, ",rest");
	assert_int_equal(parse_size("12MB", &v, &end), 0);
	assert_string_equal(end, "B");
	assert_int_equal(parse_size("zz", &v, &end), -EINVAL);
}

static void test_skip_image_name(void **state)
{
	(void)state;
	assert_string_equal(cmdline_skip_image_name("/boot/keel console=com1 noreboot"),
			    "console=com1 noreboot");
	assert_string_equal(cmdline_skip_image_name("  /boot/keel   loglvl=all"), "loglvl=all");
	assert_string_equal(cmdline_skip_image_name("/boot/keel"), "");
	assert_string_equal(cmdline_skip_image_name("keel console=com1"), "keel console=com1");
	assert_string_equal(cmdline_skip_image_name("root=/dev/sda1 ro"), "root=/dev/sda1 ro");
	assert_string_equal(cmdline_skip_image_name("console=com1"), "console=com1");
	assert_string_equal(cmdline_skip_image_name(""), "");
	assert_string_equal(cmdline_skip_image_name(NULL), "");
	assert_string_equal(cmdline_skip_image_name("(hd0)/vmlinuz console=hvc0"), "console=hvc0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_all_types, reset),
		cmocka_unit_test_setup(test_bools, reset),
		cmocka_unit_test_setup(test_problems_reported, reset),
		cmocka_unit_test_setup(test_parse_size, reset),
		cmocka_unit_test_setup(test_skip_image_name, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
