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
