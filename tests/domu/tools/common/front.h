/* SPDX-License-Identifier: GPL-2.0-only */
/* What the hostile PV frontends of tests/domu/tools (keel-hostile-blkfront,
 * keel-hostile-netfront) share: xenstore through /dev/xen/xenbus, pages
 * granted with /dev/xen/gntalloc, event channels through /dev/xen/evtchn
 * (xen.c); one device's xenbus state machine, seen from the frontend, and
 * the handshakes a backend must refuse (xenbus.c); the frontend's half of a
 * shared ring (ring.c); and the KEEL-HOSTILE-* report lines (report.c).
 * Built into every program of tests/domu/tools (tests/domu/build-guest.sh). */
#ifndef FRONT_H
#define FRONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/io/ring.h"

#define PAGE_BYTES 4096u
#define BAD_GREF 0x7ffffff0u /* beyond any grant table */
#define OTHER_DOMID 0x7fef /* a domain that is not the backend */

/* ---- xenstore through /dev/xen/xenbus ---- */

/* Opens the device; 0 or -1 with the reason printed. */
int xs_open(void);
/* Reads path (absolute, or relative to the domain's home) into a malloc'ed
 * string; NULL with errno set (ENOENT if missing). */
char *xs_read(const char *path);
/* 0, or -1 with errno set. */
int xs_write(const char *path, const char *val);
/* Removes path; a missing path is fine. 0, or -1 with errno set. */
int xs_rm(const char *path);
/* Reads path as an unsigned number: 0, or -1 if missing or not a number. */
int xs_read_uint(const char *path, unsigned long *val);

/* ---- granting our pages to another domain (/dev/xen/gntalloc) ---- */

/* Allocates n zeroed pages granted to domid (read-only for it unless
 * writable), maps them at *mem and stores their grant refs. 0 or -1. */
int gnt_share(uint16_t domid, bool writable, unsigned n, void **mem, uint32_t *refs);

/* ---- event channels (/dev/xen/evtchn) ---- */

/* Allocates a port that domid can bind to; returns it, or -1. */
int evtchn_alloc_unbound(uint16_t domid);
int evtchn_notify(uint32_t port);
void evtchn_unbind(uint32_t port);
/* Waits up to timeout_ms for any of our ports to fire and re-enables them.
 * 1 if one fired, 0 on timeout, -1 on error. */
int evtchn_wait(int timeout_ms);
/* Notifies port as fast as we can for seconds; returns how many times. */
unsigned long evtchn_storm(uint32_t port, double seconds);

/* ---- one device of ours on xenbus (xen-pvh-abi.md §8.4) ---- */

struct xb_dev {
	unsigned devid;
	char fe[64]; /* device/<type>/<devid>, relative to our home */
	char *be; /* the backend's directory */
	uint16_t backend_id;
};

/* "dir/key", in one of a few rotating static buffers. */
const char *xb_path(const char *dir, const char *key);
/* Reads the device's backend and backend-id. 0, or -1 with the cause printed. */
int xb_init(struct xb_dev *x, const char *type, unsigned devid);
/* The backend's state, or -1 if it cannot be read. */
int xb_backend_state(const struct xb_dev *x);
/* Waits until the backend's state satisfies want(state); returns the
 * state, or -1 on timeout. */
int xb_wait_backend(const struct xb_dev *x, bool (*want)(int), int timeout_s);
int xb_switch_state(const struct xb_dev *x, int state);
bool xb_is_initwait(int s);
bool xb_is_closed(int s);
bool xb_is_closing_or_closed(int s);
bool xb_is_settled(int s); /* Connected or beyond */
/* Writes each (key, value) pair of kv (NULL-terminated) in our directory;
 * a NULL value removes the key. 0, or -1 with errno set. */
int xb_write_pairs(const struct xb_dev *x, const char *const *kv);
/* Starts over after the backend closed or refused us: Closed, wait for its
 * Closed, Initialising, wait for its InitWait. 0, or -1 with the state
 * printed. */
int xb_restart(const struct xb_dev *x, int timeout_s);

/* A handshake the backend must refuse: offer(dev, kv) publishes a fresh
 * ring with kv written over the good keys and switches to Initialised; the
 * backend must go to Closing or Closed (not Connected) and, once we close
 * and start over, back to InitWait. Keys of kv that are not in own_keys
 * (the ones every offer writes) are removed afterwards. Reported as name,
 * with the backend's `error` node. */
void xb_refused_handshake(const char *name, struct xb_dev *x,
			  int (*offer)(void *dev, const char *const *kv), void *dev,
			  const char *const *kv, const char *const *own_keys);

/* ---- the frontend's half of a shared ring (io/ring.h) ---- */

struct fe_ring {
	struct xen_sring_header *sring; /* one page, granted to the backend */
	uint32_t ref;
	uint32_t slot_size, nr_slots;
	RING_IDX req_prod_pvt; /* requests written, maybe not yet published */
	RING_IDX rsp_cons; /* responses taken */
};

/* Grants a page for a ring of slot_size-byte slots to domid. 0 or -1. */
int fe_ring_alloc(struct fe_ring *r, uint16_t domid, size_t slot_size);
/* Clears the page and the indexes for a new connection. */
void fe_ring_reset(struct fe_ring *r);
void *fe_ring_slot(const struct fe_ring *r, RING_IDX i);
/* Copies len bytes of req into the next free slot (the caller checks there
 * is room). */
void fe_ring_post(struct fe_ring *r, const void *req, size_t len);
/* Publishes prod as req_prod as is, however wrong, and notifies port. */
void fe_ring_push_raw(struct fe_ring *r, RING_IDX prod, uint32_t port);
/* Publishes the posted requests and always notifies. */
void fe_ring_push(struct fe_ring *r, uint32_t port);
/* Requests posted and not yet answered. */
unsigned fe_ring_in_flight(const struct fe_ring *r);
/* Copies up to max responses (rsp_size bytes each) to out, waiting up to
 * timeout_ms for the first one. Returns the count, or -1 if the backend
 * published more responses than there are requests. */
int fe_ring_take(struct fe_ring *r, void *out, size_t rsp_size, unsigned max, int timeout_ms);
#define RSP_TIMEOUT_MS 30000 /* TCG is slow; no answer at all is a failure */
/* One round of a flood whose requests are posted: publishes them, takes up
 * to max responses (waiting RSP_TIMEOUT_MS at most), and keeps in *worst
 * the longest time between two rounds' answers (*last: when the previous
 * ones came). Returns how many it took, or 0 with the reason in why. */
int fe_flood_round(struct fe_ring *r, uint32_t port, void *out, size_t rsp_size, unsigned max,
		   double *last, double *worst, char *why, size_t why_len);

/* ---- reports ---- */

/* Prints KEEL-HOSTILE-<name> ok|FAIL <detail> and counts it. */
void report(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints KEEL-HOSTILE-SUMMARY; returns how many scenarios failed. */
unsigned report_summary(void);
double now_s(void);
long now_ms(void);

#endif /* FRONT_H */
