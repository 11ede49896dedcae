// SPDX-License-Identifier: GPL-2.0-only
/* keel-consoled's engine (consoled.c), a library so tests can drive it
 * against the fake hypervisor one poll turn at a time. */
#ifndef KEEL_CONSOLED_H
#define KEEL_CONSOLED_H

#include "keelctrl.h"

#define KEEL_CONSOLED_MAX_GUESTS 256

struct keel_consoled;

/* Listens on socket_path, watches the store, binds VIRQ_DOM_EXC when
 * lifecycle is set, attaches every guest console already there. Messages
 * (with the domain they concern) go to log. NULL with err filled on failure. */
struct keel_consoled *keel_consoled_new(struct keel_ctl *k,
					const struct keel_evtchn_ops *ev,
					void *evh, const char *socket_path,
					const char *log_dir, bool lifecycle,
					FILE *log, char *err, size_t errlen);
void keel_consoled_free(struct keel_consoled *cd);
/* One poll turn (timeout_ms as poll's). 0, or a negative errno. */
int keel_consoled_step(struct keel_consoled *cd, int timeout_ms);
/* Attach new consoles, let go of vanished domains. */
int keel_consoled_rescan(struct keel_consoled *cd);

#endif
