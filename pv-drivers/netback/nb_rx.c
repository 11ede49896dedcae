// SPDX-License-Identifier: GPL-2.0-only
/* dom0 -> guest: a turn reads frames from the tap (each behind its
 * virtio-net header), spreads each over as many of the guest's posted RX
 * pages as it needs (plus a GSO extra-info slot after the first when the
 * host stack left segmentation to the guest), copies them all into the
 * guest's grants in one batch, and answers the slots. A frame that finds
 * too few posted pages waits, and the tap is not read until the guest
 * posts more: the tap's own queue absorbs (and drops) the rest. */
#include <errno.h>
#include <string.h>

#include "nb.h"
#include "public/grant_table.h"

#define VH_SIZE sizeof(struct virtio_net_hdr)

static uint32_t data_slots(uint32_t len)
{
	return (len + NB_PAGE_SIZE - 1) / NB_PAGE_SIZE;
}

static bool is_ipv6(const struct nb_pkt *pkt)
{
	const uint8_t *t = pkt->data + 12;

	if (t[0] == 0x81 && t[1] == 0x00 && pkt->len >= 18)
		t += 4;
	return t[0] == 0x86 && t[1] == 0xdd;
}

/* Checks what the host stack handed us against what the guest accepts;
 * false drops the frame. Sets pkt->nr_slots. */
static bool rx_accept(struct nb_queue *q, struct nb_pkt *pkt)
{
	uint8_t gso = pkt->vh.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

	if (pkt->len < NB_ETH_HLEN || pkt->len > NB_MAX_FRAME)
		return false;
	pkt->gso_extra = false;
	if (gso == VIRTIO_NET_HDR_GSO_TCPV4 || gso == VIRTIO_NET_HDR_GSO_TCPV6) {
		if (!(gso == VIRTIO_NET_HDR_GSO_TCPV4 ? q->fe.gso_tcpv4 : q->fe.gso_tcpv6) ||
		    !pkt->vh.gso_size)
			return false;
		pkt->gso_extra = true;
	} else if (gso != VIRTIO_NET_HDR_GSO_NONE) {
		return false;
	}
	if (pkt->len > NB_PAGE_SIZE && !q->fe.sg)
		return false;
	pkt->nr_slots = (uint16_t)(data_slots(pkt->len) + pkt->gso_extra);
	if (pkt->nr_slots > XEN_NETIF_NR_SLOTS_MIN)
		return false;
	/* A guest that cannot take a partial checksum gets a complete one. */
	if ((pkt->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (!q->fe.rx_csum || (!q->fe.rx_csum_v6 && is_ipv6(pkt)))) {
		nb_csum_complete(pkt->data, pkt->len, pkt->vh.csum_start, pkt->vh.csum_offset);
		pkt->vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	return true;
}

/* Takes the packet's requests off the ring and plans its copies. */
static void rx_plan(struct nb_queue *q, struct nb_pkt *pkt, uint32_t *pos, uint32_t *nr_copies)
{
	uint32_t off = 0;

	pkt->first_slot = *pos;
	pkt->first_copy = (uint16_t)*nr_copies;
	pkt->status = XEN_NETIF_RSP_OKAY;
	for (uint32_t k = 0; k < pkt->nr_slots; k++) {
		struct netif_rx_request *req = &q->req.rx[*pos + k];
		struct nb_copy *c;

		kb_ring_take_request(&q->rx, req);
		if (k == 1 && pkt->gso_extra)
			continue;
		c = &q->copies[(*nr_copies)++];
		c->local = pkt->data + off;
		c->gref = req->gref;
		c->offset = 0;
		c->len = (uint16_t)(pkt->len - off < NB_PAGE_SIZE ? pkt->len - off : NB_PAGE_SIZE);
		c->to_guest = true;
		c->status = GNTST_general_error;
		off += c->len;
	}
	pkt->nr_copies = (uint16_t)(*nr_copies - pkt->first_copy);
	*pos += pkt->nr_slots;
}

static void rx_respond(struct nb_queue *q, const struct nb_pkt *pkt)
{
	uint16_t csum_flags = 0;
	uint32_t c = 0;

	if (pkt->vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		csum_flags = XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated;
	else if (pkt->vh.flags & VIRTIO_NET_HDR_F_DATA_VALID)
		csum_flags = XEN_NETRXF_data_validated;
	for (uint32_t k = 0; k < pkt->nr_slots; k++) {
		const struct netif_rx_request *req = &q->req.rx[pkt->first_slot + k];
		void *slot = kb_ring_next_response(&q->rx);

		if (k == 1 && pkt->gso_extra) {
			struct netif_extra_info ex = { .type = XEN_NETIF_EXTRA_TYPE_GSO };
			uint8_t gso = pkt->vh.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;

			ex.u.gso.size = pkt->vh.gso_size;
			ex.u.gso.type = gso == VIRTIO_NET_HDR_GSO_TCPV6 ? XEN_NETIF_GSO_TYPE_TCPV6 :
									   XEN_NETIF_GSO_TYPE_TCPV4;
			memcpy(slot, &ex, sizeof(ex));
		} else {
			const struct nb_copy *cp = &q->copies[pkt->first_copy + c++];
			struct netif_rx_response rsp = {
				.id = req->id,
				.offset = 0,
				.status = pkt->status == XEN_NETIF_RSP_OKAY ? (int16_t)cp->len :
									      pkt->status,
			};

			if (k == 0)
				rsp.flags = csum_flags | (pkt->gso_extra ? XEN_NETRXF_extra_info : 0);
			if (k + 1 < pkt->nr_slots)
				rsp.flags |= XEN_NETRXF_more_data;
			memcpy(slot, &rsp, sizeof(rsp));
		}
		kb_ring_response_done(&q->rx);
	}
}

/* Reads the next frame into buf; false when the tap has none. */
static bool rx_read(struct nb_queue *q, uint8_t *buf, struct nb_pkt *pkt)
{
	for (;;) {
		ssize_t n = q->env->tap_read(q->env->ctx, buf, VH_SIZE + NB_MAX_FRAME);

		if (n < 0)
			return false;
		if ((size_t)n < VH_SIZE + NB_ETH_HLEN) {
			q->stats.rx_dropped++;
			continue;
		}
		memset(pkt, 0, sizeof(*pkt));
		memcpy(&pkt->vh, buf, VH_SIZE);
		pkt->data = buf + VH_SIZE;
		pkt->len = (uint32_t)((size_t)n - VH_SIZE);
		if (rx_accept(q, pkt))
			return true;
		q->stats.rx_dropped++;
	}
}

/* Out of posted pages for the frame in hand: ask for an event when the
 * guest posts more, and say whether it already has enough. */
static bool rx_wait_for_buffers(struct nb_queue *q, uint32_t need)
{
	/* The event is wanted when req_prod reaches what the frame needs, not
	 * at the next request (RING_FINAL_CHECK would stop at the first). */
	__atomic_store_n(&q->rx.sring->req_event, q->rx.req_cons + need, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return kb_ring_unconsumed(&q->rx, NULL) >= (int)need;
}

bool nb_rx_work(struct nb_queue *q)
{
	uint32_t npkts = 0, nr_copies = 0, pos = 0, used = 0;
	bool more = false;

	if (q->broken)
		return false;
	q->rx_stalled = false;
	while (npkts < NB_BUDGET) {
		struct nb_pkt *pkt = &q->pkts[npkts];
		int avail = kb_ring_unconsumed(&q->rx, NULL);

		if (avail < 0) {
			nb_break(q, "rx: the frontend's req_prod is more than %u requests ahead",
				 q->rx.nr_slots);
			return false;
		}
		if (q->rx_held) {
			*pkt = q->rx_hold;
		} else {
			if (NB_ARENA - used < VH_SIZE + NB_MAX_FRAME) {
				more = true;
				break;
			}
			if (!rx_read(q, q->arena + used, pkt))
				break;
		}
		if ((uint32_t)avail < pkt->nr_slots) {
			if (!q->rx_held) {
				/* Keep it aside: the arena is reused next turn. */
				memcpy(q->rx_hold_buf, pkt->data - VH_SIZE, VH_SIZE + pkt->len);
				q->rx_hold = *pkt;
				q->rx_hold.data = q->rx_hold_buf + VH_SIZE;
				q->rx_held = true;
			}
			if (npkts || !rx_wait_for_buffers(q, pkt->nr_slots)) {
				q->rx_stalled = !npkts;
				more = npkts != 0;
				break;
			}
			continue;
		}
		if (q->rx_held)
			q->rx_held = false;
		else
			used += VH_SIZE + pkt->len;
		rx_plan(q, pkt, &pos, &nr_copies);
		npkts++;
	}
	if (npkts == NB_BUDGET)
		more = true;
	if (nr_copies && q->env->copy(q->env->ctx, q->copies, nr_copies) < 0) {
		for (uint32_t i = 0; i < nr_copies; i++)
			q->copies[i].status = GNTST_general_error;
	}
	for (uint32_t i = 0; i < npkts; i++) {
		struct nb_pkt *pkt = &q->pkts[i];

		for (uint32_t c = 0; c < pkt->nr_copies; c++) {
			const struct nb_copy *cp = &q->copies[pkt->first_copy + c];

			if (cp->status != GNTST_okay) {
				nb_complain(q, "rx: grant copy to gref %u failed with status %d",
					    cp->gref, cp->status);
				pkt->status = XEN_NETIF_RSP_ERROR;
				break;
			}
		}
		if (pkt->status == XEN_NETIF_RSP_OKAY) {
			q->stats.rx_packets++;
			q->stats.rx_bytes += pkt->len;
		} else {
			q->stats.rx_errors++;
		}
		rx_respond(q, pkt);
	}
	if (npkts && kb_ring_push_responses(&q->rx))
		q->env->notify(q->env->ctx, NB_RX);
	return more && !q->broken;
}
