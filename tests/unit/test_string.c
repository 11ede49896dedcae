// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for hypervisor/common/lib/string.c, checked against the host libc. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* Build the hypervisor's routines under their own names, beside libc's. */
#define memcpy keel_memcpy
#define memmove keel_memmove
#define memset keel_memset
#define memcmp keel_memcmp
#define strlen keel_strlen
#define strnlen keel_strnlen
#define strcmp keel_strcmp
#define strncmp keel_strncmp
#define strchr keel_strchr
#define strlcpy keel_strlcpy
#define strtoull keel_strtoull
#include "../../hypervisor/common/lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strlcpy
#undef strtoull

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
}

static void test_memcpy_memset(void **state)
{
	unsigned char src[300], a[300], b[300];
	size_t off, n;

	(void)state;
	fill(src, sizeof(src), 1);
	for (off = 0; off < 9; off++) {
		for (n = 0; n + off <= 260; n += (n < 40 ? 1 : 37)) {
			memset(a, 0xAA, sizeof(a));
			memset(b, 0xAA, sizeof(b));
			assert_ptr_equal(keel_memcpy(a + off, src + 3, n), a + off);
			memcpy(b + off, src + 3, n);
			assert_memory_equal(a, b, sizeof(a));

			assert_ptr_equal(keel_memset(a + off, 0x1c5, n), a + off);
			memset(b + off, 0xc5, n);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
}

static void test_memmove_overlap(void **state)
{
	unsigned char a[96], b[96];
	size_t d, s, n;

	(void)state;
	for (d = 0; d < 40; d++)
		for (s = 0; s < 40; s++)
			for (n = 0; n <= 50; n += 3) {
				fill(a, sizeof(a), (unsigned int)(d + s));
				memcpy(b, a, sizeof(a));
				assert_ptr_equal(keel_memmove(a + d, a + s, n), a + d);
				memmove(b + d, b + s, n);
				assert_memory_equal(a, b, sizeof(a));
			}
	/* The direction flag must be clear again after a backward copy. */
	fill(a, sizeof(a), 9);
	memcpy(b, a, sizeof(a));
	keel_memmove(a + 1, a, 50);
	keel_memcpy(a + 60, a, 10);
	memmove(b + 1, b, 50);
	memcpy(b + 60, b, 10);
	assert_memory_equal(a, b, sizeof(a));
}

static void test_memcmp(void **state)
{
	static const char *const pairs[][2] = {
		{ "", "" },	  { "abc", "abd" }, { "abd", "abc" },
		{ "\x80", "\x7f" }, { "\x01", "\xff" }, { "same", "same" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		size_t n = strlen(pairs[i][0]);

		assert_int_equal(sign(keel_memcmp(pairs[i][0], pairs[i][1], n)),
				 sign(memcmp(pairs[i][0], pairs[i][1], n)));
	}
	assert_int_equal(keel_memcmp("abcX", "abcY", 3), 0);
}

static void test_str(void **state)
{
	static const char *const strs[] = { "",    "a",	  "ab",	   "abc",
					    "abd", "\xe9t", "zz\x80", "abcdef" };
	char buf[8];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(strs); i++) {
		assert_int_equal(keel_strlen(strs[i]), strlen(strs[i]));
		for (n = 0; n < 8; n++)
			assert_int_equal(keel_strnlen(strs[i], n),
					 strnlen(strs[i], n));
		for (j = 0; j < ARRAY_SIZE(strs); j++) {
			assert_int_equal(sign(keel_strcmp(strs[i], strs[j])),
					 sign(strcmp(strs[i], strs[j])));
			for (n = 0; n < 8; n++)
				assert_int_equal(
					sign(keel_strncmp(strs[i], strs[j], n)),
					sign(strncmp(strs[i], strs[j], n)));
		}
	}
	assert_ptr_equal(keel_strchr("hello", 'l'), strchr("hello", 'l'));
	assert_null(keel_strchr("hello", 'z'));
	{
		const char *h = "hello";

		assert_ptr_equal(keel_strchr(h, '\0'), h + 5);
		assert_ptr_equal(keel_strchr(h, 'h' + 256), h);
	}

	memset(buf, 'x', sizeof(buf));
	assert_int_equal(keel_strlcpy(buf, "abcdefghij", sizeof(buf)), 10);
	assert_string_equal(buf, "abcdefg");
	assert_int_equal(keel_strlcpy(buf, "ab", sizeof(buf)), 2);
	assert_string_equal(buf, "ab");
	buf[0] = 'q';
	assert_int_equal(keel_strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'q');
	assert_int_equal(keel_strlcpy(buf, "abc", 1), 3);
	assert_string_equal(buf, "");
}

static void test_strtoull(void **state)
{
	static const char *const in[] = {
		"0",	      "123",	  "  42x",	"+7",	      "-1",
		"0x1f",	      "0X1F",	  "0x",		"0xg",	      "017",
		"08",	      "z",	  "",		"18446744073709551615",
		"18446744073709551616", "99999999999999999999999", "0xffffffffffffffff",
		"0x10000000000000000", "-0x10", "\t\n 10", "1a", "ff", "777777777777777777777",
		"1777777777777777777777", "2000000000000000000000", "0x0x1", "-", "+",
	};
	static const int bases[] = { 0, 8, 10, 16 };
	size_t i, b;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(in); i++)
		for (b = 0; b < ARRAY_SIZE(bases); b++) {
			char *e1, *e2;
			unsigned long long v1 = keel_strtoull(in[i], &e1, bases[b]);
			unsigned long long v2 = strtoull(in[i], &e2, bases[b]);

			if (v1 != v2 || e1 != e2)
				fail_msg("strtoull(\"%s\", %d): got %llu end+%td, libc %llu end+%td",
					 in[i], bases[b], v1, e1 - in[i], v2, e2 - in[i]);
		}
	assert_int_equal(keel_strtoull("123", NULL, 10), 123);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memcpy_memset),
		cmocka_unit_test(test_memmove_overlap),
		cmocka_unit_test(test_memcmp),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_strtoull),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
