// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for hypervisor/common/lib/vsnprintf.c: every format is compared with libc's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define vsnprintf keel_vsnprintf
#define snprintf keel_snprintf
#include "../../hypervisor/common/lib/vsnprintf.c"
#undef vsnprintf
#undef snprintf

/* Both formatters on the same arguments; outputs and lengths must agree. */
static void check(const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap;
	int nw, ng;

	va_start(ap, fmt);
	nw = vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	memset(got, 0x5a, sizeof(got));
	va_start(ap, fmt);
	ng = keel_vsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (nw != ng || memcmp(want, got, (size_t)nw + 1))
		fail_msg("format \"%s\": libc \"%s\" (%d), keel \"%s\" (%d)", fmt,
			 want, nw, got, ng);
}

enum argkind { A_INT, A_LONG, A_LLONG, A_SIZE, A_PTRDIFF, A_INTMAX, A_CHAR, A_SHORT };

static const struct {
	const char *len;
	enum argkind kind;
} lengths[] = {
	{ "", A_INT },	   { "hh", A_INT },    { "h", A_INT },
	{ "l", A_LONG },   { "ll", A_LLONG },  { "z", A_SIZE },
	{ "t", A_PTRDIFF }, { "j", A_INTMAX },
};

static const long long values[] = {
	0,	    1,		-1,	     7,		 -8,	       42,
	127,	    -128,	255,	     256,	 32767,	       -32768,
	65535,	    0x12345678, INT32_MAX,   INT32_MIN,	 UINT32_MAX,   0x123456789abcLL,
	INT64_MAX,  INT64_MIN,	-1234567890123LL,
};

static void check_value(const char *fmt, enum argkind kind, long long v, int star_w,
			int star_p)
{
	bool sw = strstr(fmt, "%*") || strstr(fmt, "-*") || strstr(fmt, "0*") ||
		  strstr(fmt, "+*") || strstr(fmt, " *") || strstr(fmt, "#*");
	bool sp = strstr(fmt, ".*") != NULL;

#define CALL(x)                                                     \
	do {                                                        \
		if (sw && sp)                                       \
			check(fmt, star_w, star_p, x);              \
		else if (sw)                                        \
			check(fmt, star_w, x);                      \
		else if (sp)                                        \
			check(fmt, star_p, x);                      \
		else                                                \
			check(fmt, x);                              \
	} while (0)
	switch (kind) {
	case A_INT:
		CALL((int)v);
		break;
	case A_LONG:
		CALL((long)v);
		break;
	case A_LLONG:
		CALL(v);
		break;
	case A_SIZE:
		CALL((size_t)v);
		break;
	case A_PTRDIFF:
		CALL((ptrdiff_t)v);
		break;
	case A_INTMAX:
		CALL((intmax_t)v);
		break;
	default:
		CALL((int)v);
		break;
	}
#undef CALL
}

/* Every combination of flags, width, precision and length for each integer conversion. */
static void test_integers(void **state)
{
	static const char *const widths[] = { "", "1", "6", "25", "*" };
	static const char *const precs[] = { "", ".", ".0", ".1", ".4", ".22", ".*" };
	static const int star_vals[] = { 0, 5, -7, 30 };
	static const char convs[] = "diuxXo";
	static const char flagchars[] = "-0+ #";
	char fmt[64];
	unsigned int mask, w, p, l, c, vi, si;

	(void)state;
	for (c = 0; convs[c]; c++)
		for (mask = 0; mask < 32; mask++) {
			char flags[8];
			int nf = 0, f;
			bool is_signed = convs[c] == 'd' || convs[c] == 'i';

			for (f = 0; f < 5; f++)
				if (mask & (1u << f))
					flags[nf++] = flagchars[f];
			flags[nf] = 0;
			/* C leaves '#' with d/i/u undefined; glibc ignores +/space on unsigned. */
			if (strchr(flags, '#') && (is_signed || convs[c] == 'u'))
				continue;
			for (w = 0; w < ARRAY_SIZE(widths); w++)
				for (p = 0; p < ARRAY_SIZE(precs); p++)
					for (l = 0; l < ARRAY_SIZE(lengths); l++) {
						snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>",
							 flags, widths[w], precs[p],
							 lengths[l].len, convs[c]);
						for (vi = 0; vi < ARRAY_SIZE(values); vi++)
							for (si = 0; si < ARRAY_SIZE(star_vals); si++)
								check_value(fmt, lengths[l].kind,
									    values[vi], star_vals[si],
									    star_vals[3 - si] - 3);
					}
		}
}

static void test_strings_chars(void **state)
{
	static const char *const fmts[] = {
		"%s",  "%10s", "%-10s", "%.2s", "%.0s", "%5.1s", "%-5.3s|",
		"%*s", "%-*s", "%.*s",	"%s%s", "x%sy", "%.10s", "%3s",
	};
	static const char *const strs[] = { "", "a", "hello", "hello, world" };
	size_t f, s;

	(void)state;
	for (f = 0; f < ARRAY_SIZE(fmts); f++)
		for (s = 0; s < ARRAY_SIZE(strs); s++) {
			if (strchr(fmts[f], '*'))
				check(fmts[f], 7, strs[s]);
			else if (strstr(fmts[f], "%s%s"))
				check(fmts[f], strs[s], strs[3 - s]);
			else
				check(fmts[f], strs[s]);
		}
	check("%c", 'A');
	check("%5c|%-5c|", 'x', 'y');
	check("a%cb", 0); /* an embedded NUL still counts */
	check("%c%c%c", 'a', 0x100 + 'b', -1);
	check("100%% %d%%", 5);
	check("no conversions at all");
	check("");
	check("%s", "(null)");
}

static void test_null_and_pointer(void **state)
{
	char buf[64];
	const char *volatile nul = NULL;

	(void)state;
	assert_int_equal(keel_snprintf(buf, sizeof(buf), "[%s]", nul), 8);
	assert_string_equal(buf, "[(null)]");
	assert_int_equal(keel_snprintf(buf, sizeof(buf), "%p", (void *)0xffff800000001234UL), 18);
	assert_string_equal(buf, "0xffff800000001234");
	keel_snprintf(buf, sizeof(buf), "%p", (void *)NULL);
	assert_string_equal(buf, "0x0000000000000000");
	keel_snprintf(buf, sizeof(buf), "%p", (void *)0x1000);
	assert_string_equal(buf, "0x0000000000001000");
	keel_snprintf(buf, sizeof(buf), "[%20p]", (void *)0xab);
	assert_string_equal(buf, "[  0x00000000000000ab]");
	keel_snprintf(buf, sizeof(buf), "[%-20p]", (void *)0xab);
	assert_string_equal(buf, "[0x00000000000000ab  ]");
}

static void test_truncation(void **state)
{
	char buf[16];
	size_t size;

	(void)state;
	assert_int_equal(keel_snprintf(NULL, 0, "%d-%s", 12345, "abcdef"), 12);
	for (size = 1; size <= sizeof(buf); size++) {
		char want[16];
		int nw, ng;

		memset(buf, 0x77, sizeof(buf));
		nw = snprintf(want, size, "%08x:%s!", 0xbeef, "tail");
		ng = keel_snprintf(buf, size, "%08x:%s!", 0xbeef, "tail");
		assert_int_equal(ng, nw);
		assert_string_equal(buf, want);
		/* Nothing written past the size given. */
		if (size < sizeof(buf))
			assert_int_equal((unsigned char)buf[size], 0x77);
	}
	buf[0] = 'k';
	assert_int_equal(keel_snprintf(buf, 0, "abc"), 3);
	assert_int_equal(buf[0], 'k');
}

/* Long outputs: big widths and precisions, and outputs longer than the buffer. */
static void test_long(void **state)
{
	char buf[8];

	(void)state;
	check("%300d|", 5);
	check("%-300x|", 5u);
	check("%.200u", 5u);
	check("%0250lld", -5LL);
	assert_int_equal(keel_snprintf(buf, sizeof(buf), "%1000d", 1), 1000);
	assert_string_equal(buf, "       ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_strings_chars),
		cmocka_unit_test(test_null_and_pointer),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
