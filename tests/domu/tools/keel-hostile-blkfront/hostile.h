/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-hostile-blkfront: a blkif frontend in guest user space that sends a
 * backend malformed requests (tests/domu/scripts/hostile.sh). xen.c is the
 * plumbing through the guest kernel's user interfaces (/dev/xen/xenbus,
 * /dev/xen/gntalloc, /dev/xen/evtchn) and the frontend's half of the ring;
 * main.c the scenarios. */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "public/io/blkif.h"

#define PAGE_BYTES 4096u
#define RING_SLOTS 32u /* blkif, one page */

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

/* ---- one vbd, seen from the frontend ---- */

struct vbd {
	unsigned devid;
	char fe[64]; /* device/vbd/<devid>, relative to our home */
	char *be; /* the backend's directory */
	uint16_t backend_id;
	uint64_t sectors;
	unsigned info;
	struct xen_sring_header *sring;
	uint32_t ring_ref;
	uint32_t port;
	RING_IDX req_prod_pvt; /* requests written, maybe not yet published */
	RING_IDX rsp_cons; /* responses taken */
};

/* Reads the device's keys and allocates its ring (not yet published). */
int vbd_init(struct vbd *v, unsigned devid);
/* The frontend's half of the xenbus handshake (xen-pvh-abi.md §8.4):
 * waits for the backend's InitWait, then on a fresh ring and port writes
 * ring-ref, event-channel and protocol, then the (key, value) pairs of
 * extra (NULL-terminated; may override those), then Initialised. 0 or -1
 * with the cause printed. */
int vbd_offer(struct vbd *v, const char *const *extra, int timeout_s);
/* vbd_offer without extras, then waits for Connected and reads sectors
 * and info. 0, or -1 with the cause printed. */
int vbd_connect(struct vbd *v, int timeout_s);
/* The backend's state, or -1 if it cannot be read. */
int vbd_backend_state(const struct vbd *v);
/* Waits until the backend's state satisfies want(state); returns the
 * state, or -1 on timeout. */
int vbd_wait_backend(const struct vbd *v, bool (*want)(int), int timeout_s);
int vbd_switch_state(struct vbd *v, int state);

/* Copies rq into the next free slot (the caller checks there is room). */
void vbd_post(struct vbd *v, const struct blkif_request *rq);
/* Publishes the posted requests and always notifies. */
void vbd_push(struct vbd *v);
/* Publishes prod as req_prod as is, however wrong, and notifies. */
void vbd_push_raw(struct vbd *v, RING_IDX prod);
/* Requests posted and not yet answered. */
unsigned vbd_in_flight(const struct vbd *v);
/* Takes up to max responses, waiting up to timeout_ms for the first one
 * when want_wait. Returns the count, or -1 if the backend published more
 * responses than there are requests. */
int vbd_take_responses(struct vbd *v, struct blkif_response *out, unsigned max, int timeout_ms);

#endif /* HOSTILE_H */
