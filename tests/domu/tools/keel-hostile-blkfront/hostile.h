/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-hostile-blkfront: a blkif frontend in guest user space that sends a
 * backend malformed requests (tests/domu/scripts/hostile.sh). xen.c is the
 * plumbing through the guest kernel's user interfaces (/dev/xen/xenbus,
 * /dev/xen/gntalloc, /dev/xen/evtchn) and the frontend's half of the ring;
 * batch.c building, sending and checking requests; main.c and states.c
 * the scenarios. */
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

/* ---- what the scenarios share (batch.c; main.c has the request-level
 * scenarios, states.c the xenbus-level ones) ---- */

#define RSP_TIMEOUT_MS 30000 /* TCG is slow; no answer at all is a failure */
#define NR_DATA 16
#define BAD_GREF 0x7ffffff0u /* beyond any grant table */
#define OTHER_DOMID 0x7fef /* a domain that is not the backend */
#define VALID_WRITE_SECTOR 4096u
#define LABEL_RW "keel-hostile-disk"
#define LABEL_RO "keel-hostile-ro"
#define LABEL_WROTE "keel-hostile-wrote"

extern struct vbd rw, ro; /* the read-write and the read-only disk */
extern uint32_t data_ref[NR_DATA]; /* pages granted writable to the backend */
extern uint8_t *ro_page, *other_page,
	*ind_page; /* read-only grant, another domain's, descriptors */
extern uint32_t ro_page_ref, other_ref, ind_ref;
extern uint64_t next_id; /* of the next request */

/* Data page i (granted as data_ref[i]). */
uint8_t *page(unsigned i);

enum expect { OK, REFUSED };

/* Requests to send together, each with the outcome it must get. */
struct batch {
	struct blkif_request rq[RING_SLOTS];
	enum expect exp[RING_SLOTS];
	unsigned n;
};

/* Prints KEEL-HOSTILE-<name> ok|FAIL <detail> and counts it. */
void report(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Prints KEEL-HOSTILE-SUMMARY; returns how many scenarios failed. */
unsigned report_summary(void);
double now_s(void);
/* The 512 bytes dom0 wrote at sector s of an image labelled label, and
 * whether buf holds sectors first..first+count-1 of it. */
void sector_pattern(uint8_t *buf, const char *label, uint64_t s);
bool holds_pattern(const uint8_t *buf, const char *label, uint64_t first, unsigned count);
/* Fills a page with what must never reach a disk. */
void fill_evil(uint8_t *p);
/* Appends a request to b (sector and segment count in the READ/WRITE
 * layout, whatever op is) and returns it for more changes. */
struct blkif_request *add(struct batch *b, uint8_t op, uint64_t sector, unsigned nseg,
			  enum expect exp);
void seg(struct blkif_request *rq, unsigned i, uint32_t gref, uint8_t first, uint8_t last);
/* Appends an INDIRECT request, to be refused, with its first descriptor page. */
struct blkif_request *add_indirect(struct batch *b, uint8_t inner_op, uint64_t sector,
				   unsigned nseg, uint32_t gref0);
/* Sends b on v and checks that each request gets exactly one response,
 * with the expected outcome, in time; why receives the statuses or the
 * failure. */
bool run_batch(struct vbd *v, struct batch *b, char *why, size_t why_len);
/* run_batch, reported as scenario name; empties b. */
bool scenario(const char *name, struct vbd *v, struct batch *b);

/* ---- states.c ---- */

/* Handshakes the backend must refuse, before the first real connect. */
void handshake_attacks(void);
/* req_prod far beyond the ring: the backend must disconnect the device. */
void broken_ring_index(void);
/* The other disk still served; the broken one reconnects. */
void after_disconnect(void);
/* n connects, each closed with a read in flight, then one that serves. */
void reconnect_cycles(unsigned n);

#endif /* HOSTILE_H */
