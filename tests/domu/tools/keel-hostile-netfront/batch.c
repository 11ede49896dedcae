// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-netfront: TX batches (whole packets of data and extra-info
 * slots), sending them and checking the backend's answer to every slot. */
#include <stdio.h>
#include <string.h>

#include "netfront.h"

unsigned long tx_accepted;
static uint16_t next_id = 1;
static bool packet_open; /* the last data slot said more_data */

struct netif_tx_request *tx_slot(struct txbatch *b, uint32_t gref, uint16_t offset,
				 uint16_t flags, uint16_t size, enum expect exp)
{
	struct netif_tx_request *rq = &b->slot[b->n].rq;

	if (!b->n)
		packet_open = false;
	*rq = (struct netif_tx_request){ .gref = gref, .offset = offset, .flags = flags,
					 .size = size };
	b->is_extra[b->n] = false;
	b->first[b->n] = !packet_open;
	b->exp[b->n++] = exp;
	packet_open = flags & XEN_NETTXF_more_data;
	return rq;
}

void tx_extra(struct txbatch *b, uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type)
{
	struct netif_extra_info *ex = &b->slot[b->n].ex;

	memset(&b->slot[b->n], 0, sizeof(b->slot[0]));
	ex->type = type;
	ex->flags = flags;
	ex->u.gso.size = gso_size;
	ex->u.gso.type = gso_type;
	b->is_extra[b->n] = true;
	b->first[b->n] = false;
	b->exp[b->n++] = OK;
}

void tx_packet(struct txbatch *b, unsigned pg, unsigned len, uint16_t flags, enum expect exp)
{
	tx_slot(b, tx_refs[pg], 0, flags, (uint16_t)len, exp);
}

bool tx_run(struct txbatch *b, char *why, size_t why_len)
{
	struct netif_tx_response rsp[MAX_BATCH];
	uint16_t ids[MAX_BATCH];
	unsigned got = 0, accepted = 0;
	size_t off = 0;
	bool ok = true;

	why[0] = 0;
	if (b->n > vif.tx.nr_slots - fe_ring_in_flight(&vif.tx)) {
		snprintf(why, why_len, "batch of %u slots does not fit", b->n);
		return false;
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (!b->is_extra[i])
			b->slot[i].rq.id = next_id++;
		ids[i] = b->slot[i].rq.id;
		fe_ring_post(&vif.tx, &b->slot[i], NETIF_TX_SLOT_SIZE);
	}
	fe_ring_push(&vif.tx, vif.port);
	while (got < b->n) {
		int n = fe_ring_take(&vif.tx, rsp + got, sizeof(rsp[0]), b->n - got,
				     RSP_TIMEOUT_MS);

		if (n < 0) {
			snprintf(why, why_len, "backend published more responses than requests");
			return false;
		}
		if (!n) {
			snprintf(why, why_len, "no response to %u of %u slots within %d s",
				 b->n - got, b->n, RSP_TIMEOUT_MS / 1000);
			return false;
		}
		got += (unsigned)n;
	}
	/* Answers come in ring order, one per slot. */
	for (unsigned i = 0; i < b->n; i++) {
		int want = b->is_extra[i] ? XEN_NETIF_RSP_NULL :
			   b->exp[i] == OK    ? XEN_NETIF_RSP_OKAY :
						XEN_NETIF_RSP_ERROR;

		if (rsp[i].status == XEN_NETIF_RSP_OKAY && b->first[i])
			accepted++;
		if ((!b->is_extra[i] && rsp[i].id != ids[i]) ||
		    (rsp[i].status != want &&
		     !(want == XEN_NETIF_RSP_ERROR && rsp[i].status == XEN_NETIF_RSP_DROPPED)))
			ok = false;
		if (off < why_len)
			off += (size_t)snprintf(why + off, why_len - off, "%s%d",
						i ? "," : "statuses=", rsp[i].status);
	}
	tx_accepted += accepted;
	return ok;
}

bool tx_scenario(const char *name, struct txbatch *b)
{
	char why[400];
	bool ok = tx_run(b, why, sizeof(why));

	if (vif.rx_problem[0])
		ok = false, strncat(why, " rx: ", sizeof(why) - strlen(why) - 1),
		strncat(why, vif.rx_problem, sizeof(why) - strlen(why) - 1);
	report(name, ok, "%s", why);
	b->n = 0;
	rx_poll(0, NULL);
	return ok;
}

static unsigned long replies_before;

static bool arp_answered(void)
{
	return vif.have_dom0_mac && vif.rx_frames > replies_before;
}

bool arp_round_trip(char *why, size_t len)
{
	static struct txbatch b;
	long t0 = now_ms();

	/* dom0 may miss one while it is busy: ask up to 5 times, 2 s apart. */
	for (int tries = 0; tries < 5; tries++) {
		b.n = 0;
		frame_arp_request(tx_pages);
		tx_packet(&b, 0, 60, 0, OK);
		if (!tx_run(&b, why, len))
			return false;
		replies_before = vif.rx_frames;
		vif.have_dom0_mac = false;
		if (rx_poll(2000, arp_answered)) {
			snprintf(why, len, "dom0 %02x:%02x:%02x:%02x:%02x:%02x answered in %ld ms "
				 "(try %d)", vif.dom0_mac[0], vif.dom0_mac[1], vif.dom0_mac[2],
				 vif.dom0_mac[3], vif.dom0_mac[4], vif.dom0_mac[5], now_ms() - t0,
				 tries + 1);
			return !vif.rx_problem[0];
		}
	}
	snprintf(why, len, "no ARP reply from dom0 in %ld ms (frames received %lu) %s",
		 now_ms() - t0, vif.rx_frames, vif.rx_problem);
	return false;
}
