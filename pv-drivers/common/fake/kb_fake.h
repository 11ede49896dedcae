/* SPDX-License-Identifier: GPL-2.0-only */
/* A fake kb_xenif for host unit tests: one fake guest whose pages the test
 * (playing the frontend) grants, and event channels made of eventfds. Grant
 * copies are checked as the hypervisor and gntdev check them (bad ref,
 * wrong domain, read-only destination, a grant side crossing its page), so
 * a backend's error paths can be exercised. kb_fake_send may be called
 * while a backend thread reads its events; the rest assumes one backend
 * thread using the fake at a time. */
#ifndef KB_FAKE_H
#define KB_FAKE_H

#include <stdbool.h>
#include <stdint.h>

#include "kb_xenif.h"

struct kb_fake;

/* A guest `domid` with nr_pages zeroed, page-aligned, contiguous pages. */
struct kb_fake *kb_fake_new(uint16_t domid, unsigned nr_pages);
void kb_fake_free(struct kb_fake *f);

/* The guest's page `idx` (4096 bytes). */
void *kb_fake_page(struct kb_fake *f, unsigned idx);

/* Grants page idx to dom0 (read-only if readonly); returns the new ref
 * (refs start at 8, as Linux's do). kb_fake_revoke ends the grant. */
uint32_t kb_fake_grant(struct kb_fake *f, unsigned idx, bool readonly);
void kb_fake_revoke(struct kb_fake *f, uint32_t ref);

/* A kb_xenif acting on this guest (several may share it). */
struct kb_xenif *kb_fake_xenif(struct kb_fake *f);

/* The frontend's end of event channels: allocate an unbound port the
 * backend then binds (kb_xenif bind with this remote port), send an event
 * to the backend, and count the backend's notifications. */
uint32_t kb_fake_alloc_port(struct kb_fake *f);
void kb_fake_send(struct kb_fake *f, uint32_t remote_port);
unsigned kb_fake_notifications(struct kb_fake *f, uint32_t remote_port);

/* Counters: copy calls made (ioctls), segments copied, live mappings. */
unsigned kb_fake_copy_calls(struct kb_fake *f);
unsigned kb_fake_copy_segs(struct kb_fake *f);
unsigned kb_fake_mappings(struct kb_fake *f);

/* Makes the next n copy calls fail as a whole with err (negative errno). */
void kb_fake_fail_copies(struct kb_fake *f, unsigned n, int err);

/* The log (stderr) captured: kb_fake_log_begin() sends it to a file (0 or a
 * negative errno); kb_fake_log_end() puts stderr back and returns how many
 * of the lines written meanwhile contain needle, or -1. One at a time. */
int kb_fake_log_begin(void);
long kb_fake_log_end(const char *needle);

#endif /* KB_FAKE_H */
