// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-netfront's vif: the keys of a netif frontend's handshake
 * (xen-pvh-abi.md §10.3), its pages, and its RX ring, whose every response
 * is checked: a known request, a status that fits what was posted (a grant
 * the backend cannot fill must come back as an error), a frame that fits
 * its page. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netfront.h"

struct vif vif;
uint8_t *tx_pages, *rx_pages, *ro_page, *other_page;
uint32_t tx_refs[NR_TX_PAGES], rx_refs[NR_RX_PAGES], ro_ref, other_ref;

const char *const vif_own_keys[] = { "tx-ring-ref",     "rx-ring-ref",       "event-channel",
				     "request-rx-copy", "feature-rx-notify", NULL };

#define RX_BAD_ID 0x8000u /* ids of requests whose grant must fail */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4],
			 &v[5]) != 6)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

int vif_init(unsigned devid)
{
	char *mac;
	void *m;
	int ret;

	memset(&vif, 0, sizeof(vif));
	if (xb_init(&vif.xb, "vif", devid))
		return -1;
	mac = xs_read(xb_path(vif.xb.fe, "mac"));
	if (!mac)
		mac = xs_read(xb_path(vif.xb.be, "mac"));
	ret = parse_mac(mac, vif.mac);
	free(mac);
	if (ret) {
		printf("vif %u: no mac in %s or %s\n", devid, vif.xb.fe, vif.xb.be);
		return -1;
	}
	if (fe_ring_alloc(&vif.tx, vif.xb.backend_id, NETIF_TX_SLOT_SIZE) ||
	    fe_ring_alloc(&vif.rx, vif.xb.backend_id, NETIF_RX_SLOT_SIZE) ||
	    fe_ring_alloc(&vif.tx1, vif.xb.backend_id, NETIF_TX_SLOT_SIZE) ||
	    fe_ring_alloc(&vif.rx1, vif.xb.backend_id, NETIF_RX_SLOT_SIZE))
		return -1;
	/* TX pages are only read by the backend: granted read-only. */
	if (gnt_share(vif.xb.backend_id, false, NR_TX_PAGES, &m, tx_refs))
		return -1;
	tx_pages = m;
	if (gnt_share(vif.xb.backend_id, true, NR_RX_PAGES, &m, rx_refs))
		return -1;
	rx_pages = m;
	if (gnt_share(vif.xb.backend_id, false, 1, &m, &ro_ref))
		return -1;
	ro_page = m;
	if (gnt_share(OTHER_DOMID, true, 1, &m, &other_ref))
		return -1;
	other_page = m;
	memset(ro_page, 0x5a, PAGE_BYTES);
	memset(other_page, 0x5a, PAGE_BYTES);
	return 0;
}

int vif_offer(const char *const *extra, int timeout_s)
{
	char num[16];
	int port;

	if (xb_wait_backend(&vif.xb, xb_is_initwait, timeout_s) < 0) {
		printf("vif %u: backend %s never reached InitWait (state %d)\n", vif.xb.devid,
		       vif.xb.be, xb_backend_state(&vif.xb));
		return -1;
	}
	port = evtchn_alloc_unbound(vif.xb.backend_id);
	if (port < 0)
		return -1;
	if (vif.port)
		evtchn_unbind(vif.port);
	vif.port = (uint32_t)port;
	fe_ring_reset(&vif.tx);
	fe_ring_reset(&vif.rx);
	fe_ring_reset(&vif.tx1);
	fe_ring_reset(&vif.rx1);
	memset(vif.rx_posted, 0, sizeof(vif.rx_posted));
	vif.rx_bad_pending = 0;
	snprintf(num, sizeof(num), "%u", vif.tx.ref);
	if (xs_write(xb_path(vif.xb.fe, "tx-ring-ref"), num))
		goto err_store;
	snprintf(num, sizeof(num), "%u", vif.rx.ref);
	if (xs_write(xb_path(vif.xb.fe, "rx-ring-ref"), num))
		goto err_store;
	snprintf(num, sizeof(num), "%u", vif.port);
	if (xs_write(xb_path(vif.xb.fe, "event-channel"), num) ||
	    xs_write(xb_path(vif.xb.fe, "request-rx-copy"), "1") ||
	    xs_write(xb_path(vif.xb.fe, "feature-rx-notify"), "1") ||
	    xb_write_pairs(&vif.xb, extra) || xb_switch_state(&vif.xb, 3))
		goto err_store;
	return 0;

err_store:
	printf("vif %u: cannot write to %s: %s\n", vif.xb.devid, vif.xb.fe, strerror(errno));
	return -1;
}

int vif_connect(int timeout_s)
{
	int s;

	if (vif_offer(NULL, timeout_s))
		return -1;
	s = xb_wait_backend(&vif.xb, xb_is_settled, timeout_s);
	if (s != 4) {
		char *err = xs_read(xb_path(vif.xb.be, "error"));

		printf("vif %u: backend did not connect (state %d, error '%s')\n", vif.xb.devid, s,
		       err ? err : "");
		free(err);
		return -1;
	}
	vif.have_dom0_mac = false;
	return xb_switch_state(&vif.xb, 4);
}

void rx_refill(void)
{
	bool posted = false;

	for (unsigned i = 0; i < NR_RX_PAGES; i++) {
		struct netif_rx_request rq = { .id = (uint16_t)i, .gref = rx_refs[i] };

		if (vif.rx_posted[i] || fe_ring_in_flight(&vif.rx) >= vif.rx.nr_slots)
			continue;
		fe_ring_post(&vif.rx, &rq, sizeof(rq));
		vif.rx_posted[i] = true;
		posted = true;
	}
	if (posted)
		fe_ring_push(&vif.rx, vif.port);
}

void rx_post_bad(uint32_t gref, uint16_t k)
{
	struct netif_rx_request rq = { .id = (uint16_t)(RX_BAD_ID + k), .gref = gref };

	fe_ring_post(&vif.rx, &rq, sizeof(rq));
	vif.rx_bad_pending++;
}

static void rx_problem(const char *fmt, unsigned a, int b)
{
	if (!vif.rx_problem[0])
		snprintf(vif.rx_problem, sizeof(vif.rx_problem), fmt, a, b);
}

/* One RX response. */
static void rx_response(const struct netif_rx_response *r)
{
	const uint8_t *frame;

	if (r->id >= RX_BAD_ID) {
		if (!vif.rx_bad_pending)
			rx_problem("response with unknown id %u (status %d)", r->id, r->status);
		else if (r->status >= 0)
			rx_problem("request %u with a bad grant answered with status %d", r->id,
				   r->status);
		else
			vif.rx_bad_refused++;
		if (vif.rx_bad_pending)
			vif.rx_bad_pending--;
		return;
	}
	if (r->id >= NR_RX_PAGES || !vif.rx_posted[r->id]) {
		rx_problem("response with an id %u we did not post (status %d)", r->id, r->status);
		return;
	}
	vif.rx_posted[r->id] = false;
	if (r->status <= 0) {
		rx_problem("a good page (request %u) came back with status %d", r->id, r->status);
		return;
	}
	/* No feature-sg nor GSO was offered: one frame per page, no extras. */
	if ((unsigned)r->offset + (unsigned)r->status > PAGE_BYTES ||
	    (r->flags & (XEN_NETRXF_more_data | XEN_NETRXF_extra_info))) {
		rx_problem("request %u: a frame past its page or with flags we did not ask for "
			   "(flags %#x)", r->id, r->flags);
		return;
	}
	frame = rx_pages + (size_t)r->id * PAGE_BYTES + r->offset;
	vif.rx_frames++;
	if (frame_is_arp_reply(frame, (unsigned)r->status, vif.dom0_mac))
		vif.have_dom0_mac = true;
}

bool rx_poll(int timeout_ms, bool (*want)(void))
{
	long end = now_ms() + timeout_ms;
	struct netif_rx_response rsp[64];

	for (;;) {
		long left = end - now_ms();
		int n = fe_ring_take(&vif.rx, rsp, sizeof(rsp[0]), 64, left > 0 ? (int)left : 0);

		if (n < 0) {
			rx_problem("the backend published more RX responses than requests (%u, %d)",
				   fe_ring_in_flight(&vif.rx), n);
			return false;
		}
		for (int i = 0; i < n; i++)
			rx_response(&rsp[i]);
		rx_refill();
		if (want && want())
			return true;
		if (now_ms() >= end)
			return false;
	}
}
