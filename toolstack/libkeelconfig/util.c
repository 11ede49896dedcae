// SPDX-License-Identifier: GPL-2.0-only
/* Allocation helpers for libkeelconfig: the library runs inside short-lived
 * commands, where running out of memory is reported once and is fatal. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static void kc_oom(void)
{
	fputs("keel: out of memory\n", stderr);
	abort();
}

void *kc_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		kc_oom();
	return p;
}

void *kc_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		kc_oom();
	return p;
}

void *kc_realloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		kc_oom();
	return p;
}

char *kc_strdup(const char *s)
{
	return kc_strndup(s, strlen(s));
}

char *kc_strndup(const char *s, size_t n)
{
	char *p = kc_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *kc_vasprintf(const char *fmt, va_list ap)
{
	char *p;

	if (vasprintf(&p, fmt, ap) < 0)
		kc_oom();
	return p;
}

char *kc_asprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = kc_vasprintf(fmt, ap);
	va_end(ap);
	return p;
}
