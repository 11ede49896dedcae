/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback logging: one line per event on stderr, naming the program,
 * the domain, the device and the reason ("d3 vbd 51712: bad grant ref 123
 * in request 7: disconnecting"). Safe from any thread. */
#ifndef KB_LOG_H
#define KB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

/* Sets the program name every line starts with (default "keelback"). */
void kb_log_init(const char *prog);

/* Sets the minimum level printed; KB_DEBUG lines are off by default
 * (KEELBACK_DEBUG=1 in the environment turns them on at kb_log_init). */
enum kb_log_level { KB_DEBUG, KB_INFO, KB_WARN, KB_ERR };
void kb_log_set_level(enum kb_log_level level);

/* A line that concerns no particular device. */
void kb_log(enum kb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A line about device `devid` of type `type` ("vbd", "vif") of domain
 * `domid`: "PROG: dDOMID TYPE DEVID: message". */
void kb_log_dev(enum kb_log_level level, uint32_t domid, const char *type, uint32_t devid,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void kb_vlog_dev(enum kb_log_level level, uint32_t domid, const char *type, uint32_t devid,
		 const char *fmt, va_list ap);

/* A limit on the lines logged about one misbehaving peer, so that a guest
 * cannot fill dom0's log (/var/log is RAM in our dom0): a burst of `burst`
 * lines, then one more every `interval_ms`. The lines held back are
 * counted and handed to the next line that may go out. One thread per
 * limit (no locking). */
struct kb_ratelimit {
	unsigned burst, interval_ms;
	unsigned tokens;
	uint64_t refilled_ms; /* when the last token was earned */
	uint64_t held; /* lines held back since the last one allowed */
};

void kb_ratelimit_init(struct kb_ratelimit *rl, unsigned burst, unsigned interval_ms,
		       uint64_t now_ms);
/* May a line go out at now_ms? If so, *held receives how many were held
 * back before it (and the count starts again). */
bool kb_ratelimit_allow(struct kb_ratelimit *rl, uint64_t now_ms, uint64_t *held);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t kb_now_ms(void);

#endif /* KB_LOG_H */
