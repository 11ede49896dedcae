/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback: the backend's side of a Xen shared ring (io/ring.h protocol),
 * for any slot size (blkif 112, netif tx 12, netif rx 8 bytes). The
 * frontend produces requests, the backend consumes them and produces
 * responses into the same slots. Every index the frontend writes is read
 * once and checked before use: a frontend cannot make the backend read or
 * write outside the ring. One thread per ring. */
#ifndef KB_RING_H
#define KB_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/io/ring.h"

struct kb_ring {
	struct xen_sring_header *sring; /* the shared page(s), mapped */
	uint8_t *slots; /* sring + 64 */
	size_t slot_size;
	uint32_t nr_slots; /* a power of two */
	RING_IDX req_cons; /* next request to consume (private) */
	RING_IDX rsp_prod_pvt; /* next response slot to fill (private) */
};

/* Attaches to a ring of `bytes` bytes (a whole number of pages) at `mem`,
 * with slots of `slot_size` bytes. Starts from the ring's published
 * rsp_prod, like Xen's BACK_RING_ATTACH (0 on a freshly initialised ring).
 * Returns 0, or -EINVAL if not even one slot fits. */
int kb_ring_attach(struct kb_ring *r, void *mem, size_t bytes, size_t slot_size);

/* How many requests the frontend has published and we have not consumed.
 * Returns that count (0..nr_slots), or -EPROTO when the frontend's req_prod
 * claims more outstanding requests than the ring holds (a broken or hostile
 * frontend: disconnect it). *req_prod receives the value read. */
int kb_ring_unconsumed(struct kb_ring *r, RING_IDX *req_prod);

/* Copies the next request slot into dst (slot_size bytes) and consumes it.
 * Call only when kb_ring_unconsumed() said there is one. The copy is what
 * the caller validates and uses: the frontend can change the shared slot at
 * any time, so the slot itself is never looked at again. */
void kb_ring_take_request(struct kb_ring *r, void *dst);

/* Slot for the next response (slot_size bytes); fill it, then
 * kb_ring_response_done(). Responses are not visible until pushed. */
void *kb_ring_next_response(struct kb_ring *r);
void kb_ring_response_done(struct kb_ring *r);

/* Publishes the responses filled so far (rsp_prod) and says whether the
 * frontend asked to be notified (RING_PUSH_RESPONSES_AND_CHECK_NOTIFY). */
bool kb_ring_push_responses(struct kb_ring *r);

/* Before going idle: re-arms req_event = req_cons + 1 and checks again, so
 * a request published in between is not missed (RING_FINAL_CHECK_FOR_
 * REQUESTS). Returns true if there is work after all. */
bool kb_ring_final_check(struct kb_ring *r);

/* Requests consumed but not yet answered. */
static inline uint32_t kb_ring_in_flight(const struct kb_ring *r)
{
	return r->req_cons - r->rsp_prod_pvt;
}

#endif /* KB_RING_H */
