/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor console: serial port, optional port 0xE9, and the log ring. */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/types.h>

/* Parse the console= option ("com1[,baud]", "com2", "e9", "none", lists with '+'). */
void console_init(const char *spec);
/* Raw bytes to every console output (no log ring). */
void console_write(const char *s, size_t len);
/* Hypervisor-console input queued for dom0 (CONSOLEIO_read). */
size_t console_read(char *buf, size_t len);
/* Tell dom0 console input is waiting (VIRQ_CONSOLE); in console_io.c. */
void console_input_notify(void);
/* Poll the serial port for input; call from idle paths. */
void console_poll_input(void);
/* Copy the log ring (oldest first) into buf; returns bytes copied. */
/* Raw output that also goes into the log ring (a domU's console lines). */
void console_write_logged(const char *s, size_t len);
size_t console_log_copy(char *buf, size_t len, size_t offset);
/*
 * The log ring for sysctl readconsole: copy from absolute byte position *pos
 * (moved up to the oldest byte still kept, or since the last clear) and
 * advance it; clear: later reads start after what exists now.
 */
size_t console_log_read(char *buf, size_t len, u64 *pos, bool clear);
void console_set_loglevel(int level);
/* Is this I/O port one of the hypervisor's own serial ports? */
bool console_uses_port(u16 port);

/* Serial driver (arch) */
int serial_init(u16 port, u32 baud);
void serial_putc(u16 port, char c);
int serial_getc(u16 port); /* -1 when nothing is waiting */

#endif
