// SPDX-License-Identifier: GPL-2.0-only
/* libkeelback unit tests: the shared-ring indices (overflow detection,
 * notification and final-check rules of io/ring.h) and grant-copy batches
 * against the fake guest. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "keelback.h"
#include "kb_fake.h"

struct slot {
	uint32_t v[4];
};

static uint8_t page[4096] __attribute__((aligned(4096)));

static struct xen_sring_header *fresh(struct kb_ring *r, size_t slot)
{
	struct xen_sring_header *s = (void *)page;

	memset(page, 0, sizeof(page));
	s->req_event = s->rsp_event = 1; /* SHARED_RING_INIT */
	assert_int_equal(kb_ring_attach(r, page, sizeof(page), slot), 0);
	return s;
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(xen_ring_entries(4096, 112), 32); /* blkif */
	assert_int_equal(xen_ring_entries(4096, 12), 256); /* netif tx */
	assert_int_equal(xen_ring_entries(4096, 8), 256); /* netif rx */
	assert_int_equal(xen_ring_entries(4 * 4096, 112), 128);
	assert_int_equal(xen_ring_entries(64, 8), 0);
}

static void test_consume_and_respond(void **state)
{
	struct kb_ring r;
	struct xen_sring_header *s = fresh(&r, sizeof(struct slot));
	struct slot *slots = (void *)(page + 64), got;
	RING_IDX prod;

	(void)state;
	assert_int_equal(r.nr_slots, 128);
	assert_int_equal(kb_ring_unconsumed(&r, &prod), 0);
	for (int i = 0; i < 3; i++)
		slots[i].v[0] = 100 + i;
	s->req_prod = 3;
	assert_int_equal(kb_ring_unconsumed(&r, &prod), 3);
	assert_int_equal(prod, 3);
	for (int i = 0; i < 3; i++) {
		kb_ring_take_request(&r, &got);
		assert_int_equal(got.v[0], 100 + i);
	}
	assert_int_equal(kb_ring_unconsumed(&r, NULL), 0);
	assert_int_equal(kb_ring_in_flight(&r), 3);
	for (int i = 0; i < 3; i++) {
		struct slot *rsp = kb_ring_next_response(&r);

		rsp->v[1] = 200 + i;
		kb_ring_response_done(&r);
	}
	assert_int_equal(s->rsp_prod, 0); /* not visible before the push */
	/* rsp_event = 1: the frontend waits for the first response. */
	assert_true(kb_ring_push_responses(&r));
	assert_int_equal(s->rsp_prod, 3);
	assert_int_equal(slots[2].v[1], 202);
	/* The frontend asked for an event only once rsp_prod passes 10. */
	s->rsp_event = 10;
	kb_ring_take_request(&r, &got); /* (garbage slot, index bookkeeping only) */
	kb_ring_next_response(&r);
	kb_ring_response_done(&r);
	assert_false(kb_ring_push_responses(&r));
}

static void test_wraparound(void **state)
{
	struct kb_ring r;
	struct xen_sring_header *s = fresh(&r, sizeof(struct slot));
	struct slot got;

	(void)state;
	/* Indices are free-running u32: start just below the wrap. */
	s->req_prod = s->rsp_prod = 0xfffffffe;
	assert_int_equal(kb_ring_attach(&r, page, sizeof(page), sizeof(struct slot)), 0);
	s->req_prod = 2; /* 4 requests across the wrap */
	assert_int_equal(kb_ring_unconsumed(&r, NULL), 4);
	for (int i = 0; i < 4; i++) {
		kb_ring_take_request(&r, &got);
		kb_ring_next_response(&r);
		kb_ring_response_done(&r);
	}
	kb_ring_push_responses(&r);
	assert_int_equal(s->rsp_prod, 2);
	assert_int_equal(kb_ring_unconsumed(&r, NULL), 0);
}

static void test_hostile_indices(void **state)
{
	struct kb_ring r;
	struct xen_sring_header *s = fresh(&r, sizeof(struct slot));
	struct slot got;

	(void)state;
	s->req_prod = 129; /* one more than the ring holds */
	assert_int_equal(kb_ring_unconsumed(&r, NULL), -EPROTO);
	s->req_prod = 128; /* exactly full is fine */
	assert_int_equal(kb_ring_unconsumed(&r, NULL), 128);
	s->req_prod = 0xffffff00; /* behind us */
	assert_int_equal(kb_ring_unconsumed(&r, NULL), -EPROTO);
	/* Unanswered requests count: 100 in flight, then 29 more is too many. */
	s->req_prod = 100;
	for (int i = 0; i < 100; i++)
		kb_ring_take_request(&r, &got);
	s->req_prod = 129;
	assert_int_equal(kb_ring_unconsumed(&r, NULL), -EPROTO);
	s->req_prod = 128;
	assert_int_equal(kb_ring_unconsumed(&r, NULL), 28);
	/* A req_prod moved backwards past what was consumed. */
	s->req_prod = 50;
	assert_int_equal(kb_ring_unconsumed(&r, NULL), -EPROTO);
}

static void test_final_check(void **state)
{
	struct kb_ring r;
	struct xen_sring_header *s = fresh(&r, sizeof(struct slot));
	struct slot got;

	(void)state;
	assert_false(kb_ring_final_check(&r));
	assert_int_equal(s->req_event, 1); /* wake us for the next request */
	s->req_prod = 1;
	assert_true(kb_ring_final_check(&r));
	kb_ring_take_request(&r, &got);
	assert_false(kb_ring_final_check(&r));
	assert_int_equal(s->req_event, 2);
}

static void test_copy_batch(void **state)
{
	struct kb_fake *f = kb_fake_new(5, 4);
	struct kb_xenif *x = kb_fake_xenif(f);
	struct kb_copy_batch b;
	uint32_t rw = kb_fake_grant(f, 0, false), ro = kb_fake_grant(f, 1, true);
	char buf[4096], out[512];

	(void)state;
	memset(kb_fake_page(f, 1), 'g', 4096);
	memset(buf, 'b', sizeof(buf));
	assert_int_equal(kb_copy_batch_init(&b, 8), 0);
	assert_int_equal(kb_copy_to_guest(&b, 5, rw, 512, buf, 1024), 0);
	assert_int_equal(kb_copy_from_guest(&b, 5, ro, 0, out, 512), 1);
	assert_int_equal(kb_copy_to_guest(&b, 5, ro, 0, buf, 512), 2); /* read-only */
	assert_int_equal(kb_copy_from_guest(&b, 5, 999, 0, out, 512), 3); /* bad ref */
	assert_int_equal(kb_copy_from_guest(&b, 6, rw, 0, out, 512), 4); /* other domain */
	assert_int_equal(kb_copy_from_guest(&b, 5, rw, 4000, out, 512), -EINVAL);
	assert_int_equal(kb_copy_batch_run(&b, x), 3);
	assert_int_equal(kb_fake_copy_calls(f), 1); /* one call for the batch */
	assert_int_equal(b.segs[0].status, GNTST_okay);
	assert_int_equal(b.segs[1].status, GNTST_okay);
	assert_int_equal(b.segs[2].status, GNTST_permission_denied);
	assert_int_equal(b.segs[3].status, GNTST_bad_gntref);
	assert_int_equal(b.segs[4].status, GNTST_bad_domain);
	assert_string_equal(kb_gntst_str(b.segs[3].status), "bad grant reference");
	assert_int_equal(((char *)kb_fake_page(f, 0))[511], 0);
	assert_int_equal(((char *)kb_fake_page(f, 0))[512], 'b');
	assert_int_equal(((char *)kb_fake_page(f, 0))[1535], 'b');
	assert_int_equal(((char *)kb_fake_page(f, 0))[1536], 0);
	assert_int_equal(out[0], 'g');
	/* A failing call marks every segment failed. */
	kb_copy_batch_reset(&b);
	kb_copy_from_guest(&b, 5, rw, 0, out, 512);
	kb_fake_fail_copies(f, 1, -EFAULT);
	assert_int_equal(kb_copy_batch_run(&b, x), 1);
	assert_int_equal(b.segs[0].status, GNTST_general_error);
	/* A full batch says so. */
	kb_copy_batch_reset(&b);
	for (int i = 0; i < 8; i++)
		assert_int_equal(kb_copy_from_guest(&b, 5, rw, 0, out, 8), i);
	assert_int_equal(kb_copy_from_guest(&b, 5, rw, 0, out, 8), -ENOSPC);
	kb_copy_batch_free(&b);
	kb_xenif_close(x);
	kb_fake_free(f);
}

static void test_fake_evtchn(void **state)
{
	struct kb_fake *f = kb_fake_new(5, 1);
	struct kb_xenif *x = kb_fake_xenif(f);
	uint32_t remote = kb_fake_alloc_port(f), local, ports[4];

	(void)state;
	assert_int_equal(x->ops->bind(x, 5, remote, &local), 0);
	assert_int_equal(x->ops->pending(x, ports, 4), 0);
	kb_fake_send(f, remote);
	kb_fake_send(f, remote); /* coalesces while pending */
	assert_int_equal(x->ops->pending(x, ports, 4), 1);
	assert_int_equal(ports[0], local);
	assert_int_equal(x->ops->notify(x, local), 0);
	assert_int_equal(kb_fake_notifications(f, remote), 1);
	kb_xenif_close(x);
	kb_fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_consume_and_respond),
		cmocka_unit_test(test_wraparound),
		cmocka_unit_test(test_hostile_indices),
		cmocka_unit_test(test_final_check),
		cmocka_unit_test(test_copy_batch),
		cmocka_unit_test(test_fake_evtchn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
