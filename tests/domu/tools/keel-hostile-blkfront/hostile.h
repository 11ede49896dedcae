/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-hostile-blkfront: a blkif frontend in guest user space that sends a
 * backend malformed requests (tests/domu/scripts/hostile.sh). The plumbing
 * (xenstore, grants, event channels, the ring) is tests/domu/tools/common;
 * vbd.c is a vbd's handshake; batch.c building, sending and checking
 * requests; main.c and states.c the scenarios. */
#ifndef HOSTILE_H
#define HOSTILE_H

#include <stdbool.h>
#include <stdint.h>

#include "front.h"
#include "public/io/blkif.h"

#define RING_SLOTS 32u /* blkif, one page */

/* ---- one vbd, seen from the frontend ---- */

struct vbd {
	struct xb_dev xb;
	uint64_t sectors;
	unsigned info;
	struct fe_ring ring;
	uint32_t port;
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

/* ---- what the scenarios share (batch.c; main.c has the request-level
 * scenarios, states.c the xenbus-level ones) ---- */

#define NR_DATA 16
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
