// SPDX-License-Identifier: GPL-2.0-only
/* libkeelback logging to stderr: each line is formatted whole and written
 * with one write(2), so lines from several threads never interleave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kb_log.h"

static const char *log_prog = "keelback";
static enum kb_log_level log_level = KB_INFO;

void kb_log_init(const char *prog)
{
	const char *dbg = getenv("KEELBACK_DEBUG");

	log_prog = prog;
	if (dbg && *dbg && strcmp(dbg, "0"))
		log_level = KB_DEBUG;
}

void kb_log_set_level(enum kb_log_level level)
{
	log_level = level;
}

static const char *level_tag(enum kb_log_level level)
{
	switch (level) {
	case KB_DEBUG:
		return "debug: ";
	case KB_WARN:
		return "warning: ";
	case KB_ERR:
		return "error: ";
	default:
		return "";
	}
}

static void emit(enum kb_log_level level, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	struct timespec ts;
	int n;

	if (level < log_level)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof(line), "[%5ld.%03ld] %s: %s%s", (long)ts.tv_sec,
		     ts.tv_nsec / 1000000, log_prog, level_tag(level), prefix);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0)
		return; /* nowhere else to say it */
}

void kb_log(enum kb_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(level, "", fmt, ap);
	va_end(ap);
}

void kb_vlog_dev(enum kb_log_level level, uint32_t domid, const char *type, uint32_t devid,
		 const char *fmt, va_list ap)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "d%u %s %u: ", domid, type, devid);
	emit(level, prefix, fmt, ap);
}

void kb_log_dev(enum kb_log_level level, uint32_t domid, const char *type, uint32_t devid,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kb_vlog_dev(level, domid, type, devid, fmt, ap);
	va_end(ap);
}

uint64_t kb_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void kb_ratelimit_init(struct kb_ratelimit *rl, unsigned burst, unsigned interval_ms,
		       uint64_t now_ms)
{
	rl->burst = burst;
	rl->interval_ms = interval_ms ? interval_ms : 1;
	rl->tokens = burst;
	rl->refilled_ms = now_ms;
	rl->held = 0;
}

bool kb_ratelimit_allow(struct kb_ratelimit *rl, uint64_t now_ms, uint64_t *held)
{
	uint64_t earned = 0;

	if (now_ms > rl->refilled_ms)
		earned = (now_ms - rl->refilled_ms) / rl->interval_ms;
	if (earned) {
		/* A full bucket earns nothing more; time spent full is not saved up. */
		if (earned >= rl->burst - rl->tokens) {
			rl->tokens = rl->burst;
			rl->refilled_ms = now_ms;
		} else {
			rl->tokens += (unsigned)earned;
			rl->refilled_ms += earned * rl->interval_ms;
		}
	}
	if (!rl->tokens) {
		rl->held++;
		return false;
	}
	rl->tokens--;
	*held = rl->held;
	rl->held = 0;
	return true;
}
