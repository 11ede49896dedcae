// SPDX-License-Identifier: GPL-2.0-only
/* The freestanding string and memory routines declared in keel/lib.h. */
#include <keel/lib.h>

/*
 * memcpy/memset/memmove use the string instructions rather than C loops:
 * gcc turns such loops back into calls to memcpy/memset, which here would
 * recurse. Entry code keeps RFLAGS.DF clear, as the ABI requires.
 * memcpy and memset move eight bytes per iteration, then the tail: QEMU's
 * TCG runs a rep-prefixed instruction one iteration at a time, so a page
 * zeroed with rep stosb costs eight times what rep stosq does.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, tail = n % 8;

	__asm__ volatile("rep movsq"
			 : "+D"(d), "+S"(src), "+c"(q)
			 :
			 : "memory");
	__asm__ volatile("rep movsb"
			 : "+D"(d), "+S"(src), "+c"(tail)
			 :
			 : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		return memcpy(dst, src, n);

	/* dst overlaps the tail of src: copy from the last byte down. */
	{
		char *d = (char *)dst + n - 1;
		const char *s = (const char *)src + n - 1;

		__asm__ volatile("std; rep movsb; cld"
				 : "+D"(d), "+S"(s), "+c"(n)
				 :
				 : "memory", "cc");
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8, tail = n % 8;
	u64 pattern = (u8)c * 0x0101010101010101ULL;

	__asm__ volatile("rep stosq"
			 : "+D"(d), "+c"(q)
			 : "a"(pattern)
			 : "memory");
	__asm__ volatile("rep stosb"
			 : "+D"(d), "+c"(tail)
			 : "a"(pattern)
			 : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *pa = a, *pb = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	while (*pa && *pa == *pb) {
		pa++;
		pb++;
	}
	return (*pa > *pb) - (*pa < *pb);
}

int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *pa = (const unsigned char *)a;
	const unsigned char *pb = (const unsigned char *)b;

	for (; n; n--, pa++, pb++) {
		if (*pa != *pb)
			return *pa < *pb ? -1 : 1;
		if (!*pa)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36;
}

/*
 * C semantics: leading spaces, an optional sign (a '-' negates modulo 2^64),
 * base 0 picks 16/8/10 from the prefix; overflow saturates to ULLONG_MAX.
 */
unsigned long long strtoull(const char *s, char **end, int base)
{
	const char *p = s;
	unsigned long long v = 0;
	bool neg = false, any = false, overflow = false;
	int d;

	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	/* "0x" counts as a prefix only when a hex digit follows it. */
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (v > (~0ULL - d) / base)
			overflow = true;
		v = v * base + d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return ~0ULL;
	return neg ? -v : v;
}
