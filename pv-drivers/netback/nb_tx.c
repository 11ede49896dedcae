// SPDX-License-Identifier: GPL-2.0-only
/* Guest -> dom0: a turn takes whole packets off the TX ring (a first slot,
 * its extra-info slots, its more_data slots), copies them out of the
 * guest's grants in one batch, hands each to the tap with a virtio-net
 * header that carries its checksum and GSO state, and answers every slot. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nb.h"
#include "public/grant_table.h"

/* Ring offset of a packet's first slot from req_cons, while parsing. */
static void tx_peek(const struct kb_ring *r, uint32_t i, void *dst)
{
	uint32_t idx = (r->req_cons + i) & (r->nr_slots - 1);

	memcpy(dst, r->slots + (size_t)idx * r->slot_size, NETIF_TX_SLOT_SIZE);
}

/* What parsing one packet found. */
enum { PKT_WAIT = 0, PKT_FATAL = -1 };

struct tx_parse {
	uint32_t nr_slots; /* extras included */
	uint32_t nr_data;
	uint32_t nr_extras;
	struct netif_extra_info gso;
	bool have_gso;
};

/* Reads the slots of the packet at req_cons into q->req.tx[pos...] without
 * consuming them. Returns the slot count, PKT_WAIT if the frontend has not
 * published all of it yet, PKT_FATAL for a broken ring. */
static int tx_parse(struct nb_queue *q, uint32_t avail, uint32_t pos, struct tx_parse *p)
{
	struct netif_tx_request *slot = &q->req.tx[pos];
	uint16_t flags;
	uint32_t n = 1;

	memset(p, 0, sizeof(*p));
	tx_peek(&q->tx, 0, &slot[0]);
	flags = slot[0].flags;
	if (flags & XEN_NETTXF_extra_info) {
		struct netif_extra_info ex;

		do {
			if (n >= avail)
				goto incomplete;
			tx_peek(&q->tx, n, &slot[n]);
			memcpy(&ex, &slot[n], sizeof(ex));
			n++;
			if (!ex.type || ex.type >= XEN_NETIF_EXTRA_TYPE_MAX) {
				nb_break(q, "tx: extra info of unknown type %u", ex.type);
				return PKT_FATAL;
			}
			if (++p->nr_extras >= XEN_NETIF_EXTRA_TYPE_MAX) {
				nb_break(q, "tx: more than %u extra info slots", p->nr_extras - 1);
				return PKT_FATAL;
			}
			if (ex.type == XEN_NETIF_EXTRA_TYPE_GSO) {
				p->gso = ex;
				p->have_gso = true;
			}
		} while (ex.flags & XEN_NETIF_EXTRA_FLAG_MORE);
	}
	p->nr_data = 1;
	while (flags & XEN_NETTXF_more_data) {
		if (n >= avail)
			goto incomplete;
		tx_peek(&q->tx, n, &slot[n]);
		flags = slot[n].flags;
		n++;
		p->nr_data++;
	}
	p->nr_slots = n;
	return (int)n;

incomplete:
	/* A packet that fills the whole ring and still goes on never ends. */
	if (avail >= q->tx.nr_slots) {
		nb_break(q, "tx: a packet runs over all %u ring slots", q->tx.nr_slots);
		return PKT_FATAL;
	}
	return PKT_WAIT;
}

/* Checks a parsed packet's sizes and plans its copies into `data`.
 * Returns XEN_NETIF_RSP_OKAY or XEN_NETIF_RSP_ERROR. */
static int16_t tx_plan(struct nb_queue *q, uint32_t pos, const struct tx_parse *p,
		       struct nb_pkt *pkt, uint32_t *nr_copies)
{
	const struct netif_tx_request *first = &q->req.tx[pos];
	const struct netif_tx_request *s = first;
	uint32_t rest = 0, data_off, first_len;

	if (p->nr_data > XEN_NETIF_NR_SLOTS_MIN) {
		nb_complain(q, "tx: packet of %u slots (at most %u): dropped", p->nr_data,
			    XEN_NETIF_NR_SLOTS_MIN);
		return XEN_NETIF_RSP_ERROR;
	}
	for (uint32_t k = 1 + p->nr_extras; k < p->nr_slots; k++) {
		if ((uint32_t)s[k].offset + s[k].size > NB_PAGE_SIZE) {
			nb_complain(q, "tx: slot %u of packet id %u crosses its page (offset %u size %u)",
				    k, first->id, s[k].offset, s[k].size);
			return XEN_NETIF_RSP_ERROR;
		}
		rest += s[k].size;
	}
	if (first->size < NB_ETH_HLEN || rest > first->size) {
		nb_complain(q, "tx: packet id %u: length %u, fragments %u", first->id, first->size,
			    rest);
		return XEN_NETIF_RSP_ERROR;
	}
	first_len = first->size - rest;
	if ((uint32_t)first->offset + first_len > NB_PAGE_SIZE) {
		nb_complain(q, "tx: first slot of packet id %u crosses its page (offset %u size %u)",
			    first->id, first->offset, first_len);
		return XEN_NETIF_RSP_ERROR;
	}
	if (p->have_gso &&
	    (!p->gso.u.gso.size || (p->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 &&
				    p->gso.u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6))) {
		nb_complain(q, "tx: packet id %u: GSO type %u size %u", first->id, p->gso.u.gso.type,
			    p->gso.u.gso.size);
		return XEN_NETIF_RSP_ERROR;
	}
	pkt->len = first->size;
	pkt->first_copy = (uint16_t)*nr_copies;
	data_off = 0;
	for (uint32_t k = 0; k < p->nr_slots; k++) {
		uint32_t len = k ? s[k].size : first_len;
		struct nb_copy *c;

		if (k && k <= p->nr_extras)
			continue;
		if (!len)
			continue;
		c = &q->copies[(*nr_copies)++];
		c->local = pkt->data + data_off;
		c->gref = s[k].gref;
		c->offset = s[k].offset;
		c->len = (uint16_t)len;
		c->to_guest = false;
		c->status = GNTST_general_error;
		data_off += len;
	}
	pkt->nr_copies = (uint16_t)(*nr_copies - pkt->first_copy);
	return XEN_NETIF_RSP_OKAY;
}

/* The virtio-net header for a copied packet; XEN_NETIF_RSP_ERROR if its
 * checksum or GSO request cannot be honoured. */
static int16_t tx_offloads(struct nb_queue *q, const struct netif_tx_request *first,
			   const struct tx_parse *p, struct nb_pkt *pkt)
{
	struct nb_l4 l4 = { 0 };
	int ret;

	memset(&pkt->vh, 0, sizeof(pkt->vh));
	/* A GSO packet is partial by definition, whatever its flags say. */
	if ((first->flags & XEN_NETTXF_csum_blank) || p->have_gso) {
		ret = nb_csum_partial_setup(pkt->data, pkt->len, &pkt->vh, &l4);
		if (ret) {
			nb_complain(q, "tx: packet id %u asks for a checksum but is not TCP or UDP "
				       "over IP (%s)", first->id,
				    ret == -EINVAL ? "truncated headers" : "unsupported protocol");
			return XEN_NETIF_RSP_ERROR;
		}
	} else if (first->flags & XEN_NETTXF_data_validated) {
		pkt->vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	}
	if (p->have_gso) {
		bool v6 = p->gso.u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6;

		if (l4.proto != IPPROTO_TCP || l4.ipv6 != v6) {
			nb_complain(q, "tx: packet id %u: GSO type %u on a packet that is not TCP/IPv%c",
				    first->id, p->gso.u.gso.type, v6 ? '6' : '4');
			return XEN_NETIF_RSP_ERROR;
		}
		pkt->vh.gso_type = v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		pkt->vh.gso_size = p->gso.u.gso.size;
		pkt->vh.hdr_len = (uint16_t)(l4.l4_off + l4.l4_hdr_len);
	}
	return XEN_NETIF_RSP_OKAY;
}

static void tx_respond(struct nb_queue *q, uint32_t pos, const struct nb_pkt *pkt,
		       uint32_t nr_extras)
{
	for (uint32_t k = 0; k < pkt->nr_slots; k++) {
		struct netif_tx_response *rsp = kb_ring_next_response(&q->tx);

		rsp->id = q->req.tx[pos + k].id;
		rsp->status = (k && k <= nr_extras) ? XEN_NETIF_RSP_NULL : pkt->status;
		kb_ring_response_done(&q->tx);
	}
}

/* The frontend published only part of a packet: ask for an event when it
 * publishes more, and say whether it already has. */
static bool tx_wait_for_rest(struct nb_queue *q)
{
	RING_IDX prod = __atomic_load_n(&q->tx.sring->req_prod, __ATOMIC_ACQUIRE);

	__atomic_store_n(&q->tx.sring->req_event, prod + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->tx.sring->req_prod, __ATOMIC_ACQUIRE) != prod;
}

bool nb_tx_work(struct nb_queue *q)
{
	struct tx_parse parse[NB_BUDGET];
	uint32_t npkts = 0, nr_copies = 0, pos = 0, used = 0;
	bool more = false, partial = false;
	int avail;

	if (q->broken)
		return false;
	while (npkts < NB_BUDGET) {
		struct nb_pkt *pkt = &q->pkts[npkts];
		struct tx_parse *p = &parse[npkts];
		int n;

		avail = kb_ring_unconsumed(&q->tx, NULL);
		if (avail < 0) {
			nb_break(q, "tx: the frontend's req_prod is more than %u requests ahead",
				 q->tx.nr_slots);
			return false;
		}
		if (!avail)
			break;
		n = tx_parse(q, (uint32_t)avail, pos, p);
		if (n == PKT_FATAL)
			return false;
		if (n == PKT_WAIT) {
			partial = true;
			break;
		}
		/* Stage only whole packets; the first one always fits. */
		if (used + q->req.tx[pos].size > NB_ARENA) {
			more = true;
			break;
		}
		memset(pkt, 0, sizeof(*pkt));
		pkt->data = q->arena + used;
		pkt->nr_slots = (uint16_t)n;
		pkt->first_slot = pos;
		pkt->status = tx_plan(q, pos, p, pkt, &nr_copies);
		if (pkt->status == XEN_NETIF_RSP_OKAY)
			used += pkt->len;
		q->tx.req_cons += (uint32_t)n;
		pos += (uint32_t)n;
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
		const struct netif_tx_request *first = &q->req.tx[pkt->first_slot];

		if (pkt->status == XEN_NETIF_RSP_OKAY) {
			for (uint32_t c = 0; c < pkt->nr_copies; c++) {
				const struct nb_copy *cp = &q->copies[pkt->first_copy + c];

				if (cp->status != GNTST_okay) {
					nb_complain(q, "tx: grant copy from gref %u (offset %u, %u bytes) "
						       "failed with status %d", cp->gref,
						    cp->offset, cp->len, cp->status);
					pkt->status = XEN_NETIF_RSP_ERROR;
					break;
				}
			}
		}
		if (pkt->status == XEN_NETIF_RSP_OKAY)
			pkt->status = tx_offloads(q, first, &parse[i], pkt);
		if (pkt->status == XEN_NETIF_RSP_OKAY) {
			struct iovec iov[2] = {
				{ .iov_base = &pkt->vh, .iov_len = sizeof(pkt->vh) },
				{ .iov_base = pkt->data, .iov_len = pkt->len },
			};
			int ret = q->env->tap_write(q->env->ctx, iov, 2);

			if (ret == -EINVAL) {
				/* The host stack refused its headers: the guest's doing. */
				nb_complain(q, "tx: the host stack refused packet id %u", first->id);
				pkt->status = XEN_NETIF_RSP_ERROR;
			} else if (ret < 0) {
				q->stats.tx_dropped++;
			} else {
				q->stats.tx_packets++;
				q->stats.tx_bytes += pkt->len;
			}
		}
		if (pkt->status != XEN_NETIF_RSP_OKAY)
			q->stats.tx_errors++;
		tx_respond(q, pkt->first_slot, pkt, parse[i].nr_extras);
	}
	if (npkts && kb_ring_push_responses(&q->tx))
		q->env->notify(q->env->ctx, NB_TX);
	if (!more && !q->broken)
		more = partial ? tx_wait_for_rest(q) : kb_ring_final_check(&q->tx);
	return more && !q->broken;
}
