// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-blkfront's xenbus-level scenarios: handshakes the backend
 * must refuse, a ring index it must disconnect over, and what must still
 * work after that (the other disk, reconnecting, reconnecting with
 * requests in flight). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

/* req_prod far ahead of anything the ring can hold: the backend must
 * disconnect rather than read garbage slots, loop or crash. */
void broken_ring_index(void)
{
	RING_IDX rsp_before = rw.ring.sring->rsp_prod;
	char *err;
	int s;

	fe_ring_push_raw(&rw.ring, rw.ring.req_prod_pvt + 1000, rw.port);
	s = xb_wait_backend(&rw.xb, xb_is_closing_or_closed, 60);
	err = xs_read(xb_path(rw.xb.be, "error"));
	report("ring-index", s >= 0 && rw.ring.sring->rsp_prod == rsp_before,
	       "backend-state=%d responses-after=%u error='%s'", s, rw.ring.sring->rsp_prod - rsp_before,
	       err ? err : "");
	free(err);
}

/* The other disk of the same guest still works, and the broken one comes
 * back when its frontend starts over. */
void after_disconnect(void)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char why[400];
	bool ok;

	memset(page(9), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, 8, 1, OK);
	seg(rq, 0, data_ref[9], 0, 7);
	ok = run_batch(&ro, &b, why, sizeof(why)) && holds_pattern(page(9), LABEL_RO, 8, 8);
	report("other-disk-still-served", ok, "%s", why);

	if (xb_restart(&rw.xb, 60)) {
		report("reconnect", false, "backend state %d after our restart",
		       xb_backend_state(&rw.xb));
		return;
	}
	if (vbd_connect(&rw, 60)) {
		report("reconnect", false, "the handshake failed");
		return;
	}
	b.n = 0;
	memset(page(10), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, VALID_WRITE_SECTOR, 1, OK);
	seg(rq, 0, data_ref[10], 0, 7);
	ok = run_batch(&rw, &b, why, sizeof(why)) &&
	     holds_pattern(page(10), LABEL_WROTE, VALID_WRITE_SECTOR, 8);
	report("reconnect", ok, "%s", why);
}

static int offer(void *dev, const char *const *kv)
{
	return vbd_offer(dev, kv, 60);
}

/* A handshake keel-blkback must refuse: kv written over the good keys. */
static void handshake_attack(const char *name, const char *const *kv)
{
	static const char *const own[] = { "ring-ref", "event-channel", "protocol", NULL };

	xb_refused_handshake(name, &rw.xb, offer, &rw, kv, own);
}

void handshake_attacks(void)
{
	char other[16], ro_ref[16];

	snprintf(other, sizeof(other), "%u", other_ref);
	snprintf(ro_ref, sizeof(ro_ref), "%u", ro_page_ref);
	handshake_attack("hs-ring-ref-never-granted",
			 (const char *const[]){ "ring-ref", "2147483632", NULL });
	handshake_attack("hs-ring-ref-other-domain",
			 (const char *const[]){ "ring-ref", other, NULL });
	handshake_attack("hs-ring-ref-read-only",
			 (const char *const[]){ "ring-ref", ro_ref, NULL });
	handshake_attack("hs-ring-ref-not-a-number",
			 (const char *const[]){ "ring-ref", "12abc", NULL });
	handshake_attack("hs-event-channel",
			 (const char *const[]){ "event-channel", "4000", NULL });
	handshake_attack("hs-protocol", (const char *const[]){ "protocol", "x86_32-abi", NULL });
	handshake_attack("hs-ring-page-order",
			 (const char *const[]){ "ring-page-order", "12", NULL });
	handshake_attack("hs-ring-refs-missing",
			 (const char *const[]){ "ring-page-order", "2", NULL });
	handshake_attack("hs-queues",
			 (const char *const[]){ "multi-queue-num-queues", "64", NULL });
	handshake_attack("hs-queue-keys-missing",
			 (const char *const[]){ "multi-queue-num-queues", "2", NULL });
}

/* Connect, a read in flight, close; n times. Then a last connect must
 * serve a read as usual. */
void reconnect_cycles(unsigned n)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	unsigned i;
	char why[400] = "";
	bool ok = false;

	for (i = 0; i <= n; i++) {
		if (xb_restart(&rw.xb, 60) || vbd_connect(&rw, 60))
			break;
		b.n = 0;
		rq = add(&b, BLKIF_OP_READ, 8 * i, 1, OK);
		seg(rq, 0, data_ref[13], 0, 7);
		if (i < n) { /* close with the read in flight */
			rq->u.other.id = next_id++;
			fe_ring_post(&rw.ring, rq, sizeof(struct blkif_request));
			fe_ring_push(&rw.ring, rw.port);
			continue;
		}
		memset(page(13), 0, PAGE_BYTES);
		ok = run_batch(&rw, &b, why, sizeof(why)) &&
		     holds_pattern(page(13), LABEL_RW, 8 * i, 8);
	}
	report("reconnect-cycles", ok, "cycles=%u of %u backend-state=%d %s", i, n + 1,
	       xb_backend_state(&rw.xb), why);
}
