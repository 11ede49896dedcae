// SPDX-License-Identifier: GPL-2.0-only
/* The hostile frontends' report: one KEEL-HOSTILE-<scenario> ok|FAIL line
 * per scenario, which dom0 reads from the guest's console log, and a
 * summary; and the clocks that time the scenarios. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "front.h"

static unsigned passed, failed;

void report(const char *name, bool ok, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("KEEL-HOSTILE-%s %s %s\n", name, ok ? "ok" : "FAIL", detail);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

unsigned report_summary(void)
{
	printf("KEEL-HOSTILE-SUMMARY passed=%u failed=%u\n", passed, failed);
	return failed;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}
