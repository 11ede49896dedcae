/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback logging: one line per event on stderr, naming the program,
 * the domain, the device and the reason ("d3 vbd 51712: bad grant ref 123
 * in request 7: disconnecting"). Safe from any thread. */
#ifndef KB_LOG_H
#define KB_LOG_H

#include <stdarg.h>
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

#endif /* KB_LOG_H */
