// SPDX-License-Identifier: GPL-2.0-only
/* The hypervisor environment stand-ins that host unit tests link with. */
#include <keel/lib.h>
#include <keel/page.h>

uintptr_t harness_phys_base;
char harness_last_printk[1024];

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

static void harness_vlog(const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	vsnprintf(harness_last_printk, sizeof(harness_last_printk), fmt, copy);
	va_end(copy);
	if (getenv("KEEL_UNIT_VERBOSE"))
		fputs(harness_last_printk, stderr);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	harness_vlog(fmt, ap);
	va_end(ap);
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	harness_vlog(fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
