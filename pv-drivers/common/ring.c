// SPDX-License-Identifier: GPL-2.0-only
/* Backend side of the Xen shared-ring protocol. The frontend writes
 * req_prod and rsp_event, the backend rsp_prod and req_event; the barriers
 * are those io/ring.h prescribes (wmb before publishing an index, mb
 * between publishing an event index and the re-check). */
#include <errno.h>
#include <string.h>

#include "kb_ring.h"

#define ring_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ring_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ring_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

int kb_ring_attach(struct kb_ring *r, void *mem, size_t bytes, size_t slot_size)
{
	uint32_t n = xen_ring_entries(bytes, slot_size);

	if (!n)
		return -EINVAL;
	r->sring = mem;
	r->slots = (uint8_t *)mem + XEN_RING_HEADER_SIZE;
	r->slot_size = slot_size;
	r->nr_slots = n;
	r->rsp_prod_pvt = ring_load(&r->sring->rsp_prod);
	r->req_cons = r->rsp_prod_pvt;
	return 0;
}

int kb_ring_unconsumed(struct kb_ring *r, RING_IDX *req_prod)
{
	RING_IDX prod = ring_load(&r->sring->req_prod);

	if (req_prod)
		*req_prod = prod;
	/* Requests not yet answered may never exceed the ring (Xen's
	 * RING_REQUEST_PROD_OVERFLOW); a req_prod behind what we already
	 * consumed is as wrong. */
	if ((RING_IDX)(prod - r->rsp_prod_pvt) > r->nr_slots ||
	    (RING_IDX)(prod - r->req_cons) > r->nr_slots)
		return -EPROTO;
	return (int)(RING_IDX)(prod - r->req_cons);
}

void kb_ring_take_request(struct kb_ring *r, void *dst)
{
	const uint8_t *slot = r->slots + (size_t)(r->req_cons & (r->nr_slots - 1)) * r->slot_size;

	memcpy(dst, slot, r->slot_size);
	r->req_cons++;
}

void *kb_ring_next_response(struct kb_ring *r)
{
	return r->slots + (size_t)(r->rsp_prod_pvt & (r->nr_slots - 1)) * r->slot_size;
}

void kb_ring_response_done(struct kb_ring *r)
{
	r->rsp_prod_pvt++;
}

bool kb_ring_push_responses(struct kb_ring *r)
{
	RING_IDX old = r->sring->rsp_prod, new = r->rsp_prod_pvt;

	ring_store(&r->sring->rsp_prod, new); /* slots before the index */
	ring_mb(); /* index before reading rsp_event */
	return (RING_IDX)(new - ring_load(&r->sring->rsp_event)) < (RING_IDX)(new - old);
}

bool kb_ring_final_check(struct kb_ring *r)
{
	if (ring_load(&r->sring->req_prod) != r->req_cons)
		return true;
	ring_store(&r->sring->req_event, r->req_cons + 1);
	ring_mb();
	return ring_load(&r->sring->req_prod) != r->req_cons;
}
