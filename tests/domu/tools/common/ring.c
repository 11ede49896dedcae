// SPDX-License-Identifier: GPL-2.0-only
/* The frontend's half of a shared ring (io/ring.h): requests posted and
 * published, responses taken. Everything the backend writes (rsp_prod) is
 * read once and checked, never trusted. */
#include <stdio.h>
#include <string.h>

#include "front.h"

#define ring_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ring_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ring_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

int fe_ring_alloc(struct fe_ring *r, uint16_t domid, size_t slot_size)
{
	void *mem;

	memset(r, 0, sizeof(*r));
	if (gnt_share(domid, true, 1, &mem, &r->ref))
		return -1;
	r->sring = mem;
	r->slot_size = (uint32_t)slot_size;
	r->nr_slots = xen_ring_entries(PAGE_BYTES, slot_size);
	return 0;
}

void fe_ring_reset(struct fe_ring *r)
{
	memset(r->sring, 0, PAGE_BYTES);
	r->sring->req_event = r->sring->rsp_event = 1;
	r->req_prod_pvt = r->rsp_cons = 0;
}

void *fe_ring_slot(const struct fe_ring *r, RING_IDX i)
{
	return (uint8_t *)r->sring + XEN_RING_HEADER_SIZE +
	       (size_t)(i & (r->nr_slots - 1)) * r->slot_size;
}

void fe_ring_post(struct fe_ring *r, const void *req, size_t len)
{
	memcpy(fe_ring_slot(r, r->req_prod_pvt), req, len);
	r->req_prod_pvt++;
}

void fe_ring_push_raw(struct fe_ring *r, RING_IDX prod, uint32_t port)
{
	ring_store(&r->sring->req_prod, prod);
	ring_mb();
	evtchn_notify(port);
}

void fe_ring_push(struct fe_ring *r, uint32_t port)
{
	fe_ring_push_raw(r, r->req_prod_pvt, port);
}

unsigned fe_ring_in_flight(const struct fe_ring *r)
{
	return r->req_prod_pvt - r->rsp_cons;
}

int fe_ring_take(struct fe_ring *r, void *out, size_t rsp_size, unsigned max, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	unsigned n = 0;

	for (;;) {
		RING_IDX prod = ring_load(&r->sring->rsp_prod);

		if ((RING_IDX)(prod - r->rsp_cons) > fe_ring_in_flight(r))
			return -1; /* more answers than questions */
		while (r->rsp_cons != prod && n < max) {
			memcpy((uint8_t *)out + n++ * rsp_size, fe_ring_slot(r, r->rsp_cons),
			       rsp_size);
			r->rsp_cons++;
		}
		if (n || timeout_ms <= 0)
			return (int)n;
		/* Ask for an event on the next response, then look again. */
		ring_store(&r->sring->rsp_event, r->rsp_cons + 1);
		ring_mb();
		if (ring_load(&r->sring->rsp_prod) != r->rsp_cons)
			continue;
		if (now_ms() >= end)
			return 0;
		if (evtchn_wait((int)(end - now_ms())) < 0)
			return -1;
	}
}

int fe_flood_round(struct fe_ring *r, uint32_t port, void *out, size_t rsp_size, unsigned max,
		   double *last, double *worst, char *why, size_t why_len)
{
	int n;

	fe_ring_push(r, port);
	n = fe_ring_take(r, out, rsp_size, max, RSP_TIMEOUT_MS);
	if (n <= 0) {
		snprintf(why, why_len, n ? "backend published more responses than requests" :
					   "no response within %d s",
			 RSP_TIMEOUT_MS / 1000);
		return 0;
	}
	if (now_s() - *last > *worst)
		*worst = now_s() - *last;
	*last = now_s();
	return n;
}
