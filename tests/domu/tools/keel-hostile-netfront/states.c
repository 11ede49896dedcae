// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-netfront's xenbus-level scenarios: handshakes the backend
 * must refuse, and protocol violations on the rings over which it must
 * disconnect the vif, each followed by a reconnect that carries an ARP
 * round trip again (the vif is not left broken). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfront.h"

static int offer(void *dev, const char *const *kv)
{
	(void)dev;
	return vif_offer(kv, 60);
}

static void handshake_attack(const char *name, const char *const *kv)
{
	xb_refused_handshake(name, &vif.xb, offer, NULL, kv, vif_own_keys);
}

void handshake_attacks(void)
{
	char other[16], ro[16], *console = xs_read("console/port");

	snprintf(other, sizeof(other), "%u", other_ref);
	snprintf(ro, sizeof(ro), "%u", ro_ref);
	handshake_attack("hs-tx-ring-ref-never-granted",
			 (const char *const[]){ "tx-ring-ref", "2147483632", NULL });
	handshake_attack("hs-rx-ring-ref-other-domain",
			 (const char *const[]){ "rx-ring-ref", other, NULL });
	handshake_attack("hs-rx-ring-ref-read-only",
			 (const char *const[]){ "rx-ring-ref", ro, NULL });
	handshake_attack("hs-tx-ring-ref-not-a-number",
			 (const char *const[]){ "tx-ring-ref", "12abc", NULL });
	handshake_attack("hs-event-channel",
			 (const char *const[]){ "event-channel", "4000", NULL });
	/* A port of ours that is already bound: our console's, to dom0. */
	handshake_attack("hs-event-channel-in-use",
			 (const char *const[]){ "event-channel", console ? console : "1", NULL });
	free(console);
	handshake_attack("hs-event-channel-split",
			 (const char *const[]){ "event-channel", NULL, "event-channel-tx", "4001",
						"event-channel-rx", "4002", NULL });
	handshake_attack("hs-event-channel-missing",
			 (const char *const[]){ "event-channel", NULL, NULL });
	handshake_attack("hs-queues",
			 (const char *const[]){ "multi-queue-num-queues", "64", NULL });
	handshake_attack("hs-queues-zero",
			 (const char *const[]){ "multi-queue-num-queues", "0", NULL });
	handshake_attack("hs-queue-keys-missing",
			 (const char *const[]){ "multi-queue-num-queues", "2", NULL });
	handshake_attack("hs-no-request-rx-copy",
			 (const char *const[]){ "request-rx-copy", NULL, NULL });
	handshake_attack("hs-request-rx-copy-0",
			 (const char *const[]){ "request-rx-copy", "0", NULL });
}

/* Slots on the TX ring that break the protocol. */
static void post_tx(const void *slot)
{
	fe_ring_post(&vif.tx, slot, NETIF_TX_SLOT_SIZE);
}

static void tx_extra_unknown_type(void)
{
	struct netif_tx_request rq = { tx_refs[1], 0, XEN_NETTXF_extra_info, 1, 60 };
	struct netif_extra_info ex = { .type = 9 };

	post_tx(&rq);
	post_tx(&ex);
	fe_ring_push(&vif.tx, vif.port);
}

static void tx_extras_without_end(void)
{
	struct netif_tx_request rq = { tx_refs[1], 0, XEN_NETTXF_extra_info, 1, 60 };
	struct netif_extra_info ex = { .type = XEN_NETIF_EXTRA_TYPE_MCAST_ADD,
				       .flags = XEN_NETIF_EXTRA_FLAG_MORE };

	post_tx(&rq);
	for (int i = 0; i < 8; i++)
		post_tx(&ex);
	fe_ring_push(&vif.tx, vif.port);
}

/* every slot of the ring says more_data: a packet that never ends */
static void tx_endless_packet(void)
{
	for (unsigned i = 0; i < vif.tx.nr_slots; i++) {
		struct netif_tx_request rq = { tx_refs[6], (uint16_t)(i % 40 * 100),
					       XEN_NETTXF_more_data, (uint16_t)i, 100 };

		post_tx(&rq);
	}
	fe_ring_push(&vif.tx, vif.port);
}

static void tx_ring_index(void)
{
	fe_ring_push_raw(&vif.tx, vif.tx.req_prod_pvt + 1000, vif.port);
}

/* one request more than the ring holds beyond what was answered */
static void rx_ring_index(void)
{
	fe_ring_push_raw(&vif.rx, vif.rx.sring->rsp_prod + vif.rx.nr_slots + 1, vif.port);
}

/* The attack on a connected vif; the backend must close it (state Closing
 * or Closed) without publishing a response to what broke the protocol,
 * then serve a new connection. */
static void fatal_attack(const char *name, void (*attack)(void))
{
	RING_IDX tx_rsp = vif.tx.sring->rsp_prod, tx_rsp_after;
	char *err, why[300] = "";
	int s;
	bool again;

	attack();
	s = xb_wait_backend(&vif.xb, xb_is_closing_or_closed, 30);
	tx_rsp_after = vif.tx.sring->rsp_prod;
	err = xs_read(xb_path(vif.xb.be, "error"));
	again = !xb_restart(&vif.xb, 60) && !vif_connect(60);
	if (again) {
		rx_refill();
		again = arp_round_trip(why, sizeof(why));
	}
	report(name, s >= 0 && tx_rsp_after == tx_rsp && again,
	       "backend-state=%d tx-responses-after=%u error='%s' reconnect=%s %s", s,
	       (unsigned)(tx_rsp_after - tx_rsp), err ? err : "", again ? "ok" : "FAIL", why);
	free(err);
}

void fatal_attacks(void)
{
	char why[300];
	bool ok;

	if (vif_connect(60)) {
		report("first-connect", false, "see above");
		return;
	}
	rx_refill();
	ok = arp_round_trip(why, sizeof(why));
	report("first-connect", ok, "%s", why);
	fatal_attack("tx-ring-index", tx_ring_index);
	fatal_attack("rx-ring-index", rx_ring_index);
	fatal_attack("tx-extra-unknown-type", tx_extra_unknown_type);
	fatal_attack("tx-extras-without-end", tx_extras_without_end);
	fatal_attack("tx-endless-packet", tx_endless_packet);
}

/* The keys of a two-queue offer (netback reads queue-N/ instead of the
 * single queue's): queue 0 on the vif's rings, queue 1 on tx1/rx1, with the
 * ports and refs given. */
struct mq_keys {
	char n[16][16];
	const char *kv[32];
};

static const char *const *mq_kv(struct mq_keys *k, uint32_t tx1_ref, uint32_t port0,
				uint32_t port1)
{
	const char *keys[] = { "queue-0/tx-ring-ref",	"queue-0/rx-ring-ref",
			       "queue-0/event-channel", "queue-1/tx-ring-ref",
			       "queue-1/rx-ring-ref",	"queue-1/event-channel" };
	uint32_t vals[] = { vif.tx.ref, vif.rx.ref, port0, tx1_ref, vif.rx1.ref, port1 };
	unsigned i;

	k->kv[0] = "multi-queue-num-queues";
	k->kv[1] = "2";
	for (i = 0; i < 6; i++) {
		snprintf(k->n[i], sizeof(k->n[i]), "%u", vals[i]);
		k->kv[2 + 2 * i] = keys[i];
		k->kv[3 + 2 * i] = k->n[i];
	}
	k->kv[2 + 2 * i] = NULL;
	return k->kv;
}

void multi_queue_attacks(void)
{
	static const char *const cleanup[] = { "multi-queue-num-queues", NULL, NULL };
	int p0 = evtchn_alloc_unbound(vif.xb.backend_id);
	int p1 = evtchn_alloc_unbound(vif.xb.backend_id);
	struct mq_keys k;
	char *err, why[300] = "";
	int s;
	bool again;

	if (p0 < 0 || p1 < 0 || xb_restart(&vif.xb, 60)) {
		report("mq-setup", false, "no event channels, or no InitWait after our restart");
		return;
	}
	/* Queue 0 set up in full before queue 1 fails: netback must undo it. */
	handshake_attack("hs-mq-same-port", mq_kv(&k, vif.tx1.ref, (uint32_t)p0, (uint32_t)p0));
	handshake_attack("hs-mq-queue-1-ring-never-granted",
			 mq_kv(&k, 2147483632u, (uint32_t)p0, (uint32_t)p1));

	/* Two good queues; then queue 1's TX req_prod goes past its ring. */
	if (vif_offer(mq_kv(&k, vif.tx1.ref, (uint32_t)p0, (uint32_t)p1), 60) ||
	    xb_wait_backend(&vif.xb, xb_is_settled, 30) != 4 || xb_switch_state(&vif.xb, 4)) {
		report("mq-queue-1-ring-index", false, "two queues did not connect (state %d)",
		       xb_backend_state(&vif.xb));
		goto out;
	}
	fe_ring_push_raw(&vif.tx1, 1000, (uint32_t)p1);
	s = xb_wait_backend(&vif.xb, xb_is_closing_or_closed, 30);
	err = xs_read(xb_path(vif.xb.be, "error"));
	xb_write_pairs(&vif.xb, cleanup);
	for (unsigned i = 2; i < 14; i += 2)
		xs_rm(xb_path(vif.xb.fe, k.kv[i]));
	again = !xb_restart(&vif.xb, 60) && !vif_connect(60);
	if (again) {
		rx_refill();
		again = arp_round_trip(why, sizeof(why));
	}
	report("mq-queue-1-ring-index", s >= 0 && again,
	       "backend-state=%d error='%s' then one queue: %s %s", s, err ? err : "",
	       again ? "ok" : "FAIL", why);
	free(err);
out:
	evtchn_unbind((uint32_t)p0);
	evtchn_unbind((uint32_t)p1);
}

/* n connections in a row, each sending bad packets before it closes. The
 * backend logs bad packets for the vif, not for one connection: its log
 * must not start over with each (dom0 counts the lines). */
void reconnect_cycles(unsigned n, unsigned bad)
{
	static struct txbatch b;
	char why[400] = "";
	bool ok = true;
	unsigned i;

	for (i = 0; i < n && ok; i++) {
		if (xb_restart(&vif.xb, 60) || vif_connect(60)) {
			snprintf(why, sizeof(why), "cycle %u: the handshake failed", i);
			ok = false;
			break;
		}
		b.n = 0;
		for (unsigned k = 0; k < bad; k++)
			tx_slot(&b, tx_refs[1], 0, 0, 10, REFUSED); /* shorter than a header */
		ok = tx_run(&b, why, sizeof(why));
	}
	report("reconnect-cycles", ok, "cycles=%u of %u, %u bad packets each %s", i, n, bad,
	       ok ? "" : why);
}
