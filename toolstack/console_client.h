// SPDX-License-Identifier: GPL-2.0-only
/* keel console: attach the terminal to a guest's PV console, served by
 * keel-consoled over a unix socket. Ctrl-] detaches. */
#ifndef KEEL_CONSOLE_CLIENT_H
#define KEEL_CONSOLE_CLIENT_H

#include <stdint.h>

#define KEEL_CONSOLED_SOCKET "/run/keel/consoled.sock"
#define KEEL_CONSOLE_ESCAPE 0x1d /* Ctrl-] */

/* Returns 0 after a detach or when the domain's console closes, -1 with a
 * message on stderr if the daemon cannot be reached or refuses. */
int keel_console_attach(uint16_t domid, const char *name);

#endif
