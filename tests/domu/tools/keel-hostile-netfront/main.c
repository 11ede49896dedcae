// SPDX-License-Identifier: GPL-2.0-only
/*
 * keel-hostile-netfront DEVID [FLOOD_SECONDS]
 *
 * A hostile netif frontend, run in a guest whose xen-netfront is not loaded
 * (tests/domu/scripts/hostile-net.sh, tests/dom0/scripts/keel-hostile-net.sh).
 * It drives vif DEVID itself. In order: handshakes the backend must refuse
 * (states.c); protocol violations it must disconnect over, each followed by
 * a reconnect that works, and the same for two queues (states.c); then, on the last connection, RX
 * requests whose grants the backend cannot fill, an ARP round trip to dom0
 * and valid UDP packets, malformed TX packets one kind at a time (each must
 * get an error response), a thread rewriting TX slots while the backend
 * reads them, an event storm and a TX flood of FLOOD_SECONDS, every answer
 * checked. Then it asks dom0 (through data/ in the store) how many frames
 * reached the vif's tap: exactly the packets the backend accepted. Last,
 * ten connections in a row with bad packets each, over which the backend's
 * log of bad packets must not start over (states.c). Prints one
 * KEEL-HOSTILE-<scenario> ok|FAIL line each, then KEEL-HOSTILE-SUMMARY; exit
 * status 0 only if every scenario passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netfront.h"

static struct txbatch b;

/* Page p of the TX pages. */
static uint8_t *tx_page(unsigned p)
{
	return tx_pages + (size_t)p * PAGE_BYTES;
}

/* Copies a frame into the TX pages as a chain: the first slot holds
 * `first` bytes at page pg, each fragment `frag` bytes at the start of the
 * pages after it. */
static void tx_chain(unsigned pg, const uint8_t *frame, unsigned len, unsigned first,
		     unsigned frag, enum expect exp)
{
	unsigned n = 1, off = first;

	memcpy(tx_page(pg), frame, first);
	tx_slot(&b, tx_refs[pg], 0, len > first ? XEN_NETTXF_more_data : 0, (uint16_t)len, exp);
	while (off < len) {
		unsigned k = len - off < frag ? len - off : frag;

		memcpy(tx_page(pg + n), frame + off, k);
		off += k;
		tx_slot(&b, tx_refs[pg + n], 0, off < len ? XEN_NETTXF_more_data : 0, (uint16_t)k,
			exp);
		n++;
	}
}

static void valid_packets(void)
{
	uint8_t frame[3000];
	unsigned len;

	len = frame_udp(tx_page(1), 100, false, 1);
	tx_packet(&b, 1, len, 0, OK);
	len = frame_udp(tx_page(2), 200, true, 2);
	tx_packet(&b, 2, len, XEN_NETTXF_csum_blank, OK);
	tx_scenario("valid-udp", &b);

	/* Three slots, then the longest chain allowed: 18 slots of 100 bytes,
	 * all in one page at different offsets. */
	len = frame_udp(frame, 2958, true, 3);
	tx_chain(3, frame, len, 1000, 1000, OK);
	b.slot[0].rq.flags |= XEN_NETTXF_csum_blank;
	len = frame_udp(frame, 1800 - 42, false, 4);
	memcpy(tx_page(6), frame, len);
	for (unsigned k = 0; k < 18; k++)
		tx_slot(&b, tx_refs[6], (uint16_t)(k * 100), k < 17 ? XEN_NETTXF_more_data : 0,
			k ? 100 : (uint16_t)len, OK);
	tx_scenario("valid-chains", &b);
}

/* A fragment of 100 bytes of page pg; more says whether another follows. */
static void frag(unsigned pg, uint16_t off, uint16_t size, bool more, enum expect exp)
{
	tx_slot(&b, tx_refs[pg], off, more ? XEN_NETTXF_more_data : 0, size, exp);
}

static void malformed(void)
{
	unsigned len = frame_udp(tx_page(1), 100, false, 9);
	unsigned tcp = frame_tcp(tx_page(7), 100);

	tx_slot(&b, BAD_GREF, 0, 0, (uint16_t)len, REFUSED);
	tx_slot(&b, other_ref, 0, 0, (uint16_t)len, REFUSED);
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, (uint16_t)(len + 100), REFUSED);
	tx_slot(&b, BAD_GREF, 0, 0, 100, REFUSED); /* a good first slot, a bad fragment */
	tx_scenario("tx-bad-gref", &b);

	tx_slot(&b, tx_refs[1], 4090, 0, 60, REFUSED);
	tx_slot(&b, tx_refs[1], 4096, 0, 14, REFUSED);
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 1060, REFUSED);
	frag(4, 4000, 1000, false, REFUSED);
	tx_slot(&b, tx_refs[1], 0xffff, 0, 0xffff, REFUSED);
	tx_scenario("tx-offset-past-page", &b);

	tx_slot(&b, tx_refs[1], 0, 0, 0, REFUSED);
	tx_slot(&b, tx_refs[1], 0, 0, 13, REFUSED);
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 0, REFUSED);
	frag(4, 0, 100, false, REFUSED);
	tx_scenario("tx-size-too-small", &b);

	/* The first slot's size is the whole packet's: smaller than its
	 * fragments together. */
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 100, REFUSED);
	frag(4, 0, 1000, true, REFUSED);
	frag(5, 0, 1000, false, REFUSED);
	tx_scenario("tx-first-smaller-than-fragments", &b);

	/* 1 + 17 full pages: more than 64 KiB in all, the first slot's
	 * size at its most. */
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 0xffff, REFUSED);
	for (unsigned k = 0; k < 17; k++)
		frag(4 + k, 0, 4096, k < 16, REFUSED);
	tx_scenario("tx-over-64k", &b);

	/* 19 slots (one more than XEN_NETIF_NR_SLOTS_MIN), then 100. */
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 1900, REFUSED);
	for (unsigned k = 1; k < 19; k++)
		frag(6, (uint16_t)(k * 100), 100, k < 18, REFUSED);
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_more_data, 10000, REFUSED);
	for (unsigned k = 1; k < 100; k++)
		frag(6, (uint16_t)(k * 40), 100, k < 99, REFUSED);
	tx_scenario("tx-too-many-slots", &b);

	/* GSO extras that do not fit the packet or make no sense. */
	tx_slot(&b, tx_refs[7], 0, XEN_NETTXF_extra_info | XEN_NETTXF_csum_blank, (uint16_t)tcp,
		REFUSED);
	tx_extra(&b, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400, 7);
	tx_slot(&b, tx_refs[7], 0, XEN_NETTXF_extra_info | XEN_NETTXF_csum_blank, (uint16_t)tcp,
		REFUSED);
	tx_extra(&b, XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
	tx_slot(&b, tx_refs[1], 0, XEN_NETTXF_extra_info | XEN_NETTXF_csum_blank, (uint16_t)len,
		REFUSED);
	tx_extra(&b, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400, XEN_NETIF_GSO_TYPE_TCPV4);
	tx_slot(&b, tx_refs[7], 0, XEN_NETTXF_extra_info | XEN_NETTXF_csum_blank, (uint16_t)tcp,
		REFUSED);
	tx_extra(&b, XEN_NETIF_EXTRA_TYPE_GSO, 0, 1400, XEN_NETIF_GSO_TYPE_TCPV6);
	tx_scenario("tx-gso-bad", &b);

	/* A checksum to finish on what is not TCP or UDP over IP. */
	frame_arp_request(tx_page(8));
	tx_packet(&b, 8, 60, XEN_NETTXF_csum_blank, REFUSED);
	tx_packet(&b, 1, 20, XEN_NETTXF_csum_blank, REFUSED); /* IPv4 header cut short */
	tx_scenario("tx-csum-not-ip", &b);
}

static bool rx_bad_done(void)
{
	return !vif.rx_bad_pending;
}

/* RX requests with grants the backend cannot write (none, another
 * domain's, read-only): each must come back as an error, the pages
 * untouched, and the good pages after them still filled. Right after a
 * connect, before any good page is posted, so they are used first. */
static void rx_bad_grants(void)
{
	unsigned long refused = vif.rx_bad_refused;
	char why[300] = "";
	bool done = false, untouched;

	rx_post_bad(BAD_GREF, 0);
	rx_post_bad(other_ref, 1);
	rx_post_bad(ro_ref, 2);
	rx_post_bad(BAD_GREF - 1, 3);
	rx_refill();
	/* Frames to fill them: dom0's ARP replies. */
	for (int i = 0; i < 10 && !done; i++) {
		frame_arp_request(tx_page(0));
		tx_packet(&b, 0, 60, 0, OK);
		if (!tx_run(&b, why, sizeof(why)))
			break;
		b.n = 0;
		done = rx_poll(2000, rx_bad_done);
	}
	b.n = 0;
	untouched = other_page[0] == 0x5a && !memcmp(other_page, other_page + 1, PAGE_BYTES - 1) &&
		    !memcmp(ro_page, other_page, PAGE_BYTES);
	report("rx-bad-grants",
	       done && vif.rx_bad_refused - refused == 4 && !vif.rx_problem[0] && untouched,
	       "refused=%lu of 4 pending=%u frames=%lu pages-untouched=%d %s %s",
	       vif.rx_bad_refused - refused, vif.rx_bad_pending, vif.rx_frames, untouched,
	       vif.rx_problem, why);
}

/* Events as fast as we can send them, with nothing on the rings; then an
 * ARP round trip must still work. */
static void event_storm(double seconds)
{
	double t0 = now_s();
	unsigned long sent = evtchn_storm(vif.port, seconds);
	char why[300];
	bool ok;

	ok = arp_round_trip(why, sizeof(why));
	report("event-storm", ok, "events=%lu seconds=%.1f then %s", sent, now_s() - t0, why);
}

/* Keeps the TX ring full of a mix of valid UDP packets to dom0 and packets
 * the backend must refuse, for seconds; every answer is checked in ring
 * order. */
static void flood(double seconds)
{
	struct {
		uint16_t id;
		bool first, ok;
	} meta[256];
	unsigned long sent = 0, answered = 0, bad = 0, accepted = 0, packets = 0;
	double t0 = now_s(), last = t0, worst = 0;
	uint16_t id = 0x4000;
	char why[200] = "";

	frame_udp(tx_page(10), 1000, false, 10);
	frame_udp(tx_page(11), 1400, true, 11);
	printf("KEEL-HOSTILE-FLOOD-START seconds=%.0f\n", seconds);
	fflush(stdout);
	while (now_s() - t0 < seconds || answered < sent) {
		struct netif_tx_response rsp[64];
		int n;

		while (now_s() - t0 < seconds &&
		       vif.tx.nr_slots - fe_ring_in_flight(&vif.tx) >= 3) {
			unsigned k = (unsigned)(packets++ % 5), nslots = k == 4 ? 3 : 1;
			struct netif_tx_request rq[3] = { 0 };

			switch (k) {
			case 0: /* valid */
				rq[0] = (struct netif_tx_request){ tx_refs[10], 0, 0, 0, 1042 };
				break;
			case 1: /* bad grant */
				rq[0] = (struct netif_tx_request){ BAD_GREF, 0, 0, 0, 1042 };
				break;
			case 2: /* past the page */
				rq[0] = (struct netif_tx_request){ tx_refs[10], 4000, 0, 0, 1042 };
				break;
			case 3: /* too short */
				rq[0] = (struct netif_tx_request){ tx_refs[10], 0, 0, 0, 6 };
				break;
			default: /* valid, csum_blank, three slots */
				rq[0] = (struct netif_tx_request){
					tx_refs[11], 0,
					XEN_NETTXF_more_data | XEN_NETTXF_csum_blank, 0, 1442
				};
				rq[1] = (struct netif_tx_request){ tx_refs[11], 500,
								   XEN_NETTXF_more_data, 0, 500 };
				rq[2] = (struct netif_tx_request){ tx_refs[11], 1000, 0, 0, 442 };
				break;
			}
			for (unsigned s = 0; s < nslots; s++) {
				unsigned m = vif.tx.req_prod_pvt & 255;

				rq[s].id = id++;
				meta[m].id = rq[s].id;
				meta[m].first = !s;
				meta[m].ok = k == 0 || k == 4;
				fe_ring_post(&vif.tx, &rq[s], sizeof(rq[s]));
				sent++;
			}
		}
		n = fe_flood_round(&vif.tx, vif.port, rsp, sizeof(rsp[0]), 64, &last, &worst, why,
				   sizeof(why));
		if (!n) {
			bad++;
			break;
		}
		for (int i = 0; i < n; i++) {
			unsigned m = (vif.tx.rsp_cons - (unsigned)n + (unsigned)i) & 255;
			int want = meta[m].ok ? XEN_NETIF_RSP_OKAY : XEN_NETIF_RSP_ERROR;

			if (rsp[i].id != meta[m].id || rsp[i].status != want) {
				if (!bad)
					snprintf(why, sizeof(why),
						 "slot %lu: id %u status %d, want id %u status %d",
						 answered, rsp[i].id, rsp[i].status, meta[m].id,
						 want);
				bad++;
			}
			if (meta[m].first && rsp[i].status == XEN_NETIF_RSP_OKAY)
				accepted++;
			answered++;
		}
		rx_poll(0, NULL);
	}
	tx_accepted += accepted;
	report("tx-flood", !bad && answered == sent && sent >= 4 * 256 && !vif.rx_problem[0],
	       "slots=%lu answered=%lu wrong=%lu accepted=%lu seconds=%.1f per_second=%.0f "
	       "longest_wait=%.2f %s %s",
	       sent, answered, bad, accepted, now_s() - t0, answered / (now_s() - t0), worst, why,
	       vif.rx_problem);
}

static volatile int race_stop;

/* Rewrites every TX slot's offset and size while the backend may be
 * reading them (bytes 4..5 and 10..11 of a request; a response is bytes
 * 0..3, so answers stay readable). Of every mix only offset 0 with the
 * true size is valid: a backend that read a slot twice could act on a mix
 * it never checked. The flags are left alone, so packets keep their
 * shape. */
static void *racer(void *arg)
{
	uint8_t *slots = (uint8_t *)vif.tx.sring + XEN_RING_HEADER_SIZE;
	unsigned k = 0;

	(void)arg;
	while (!race_stop) {
		for (unsigned i = 0; i < vif.tx.nr_slots; i++) {
			uint8_t *sl = slots + i * NETIF_TX_SLOT_SIZE;

			__atomic_store_n((uint16_t *)(sl + 4), (uint16_t)((k + i) & 1 ? 4000 : 0),
					 __ATOMIC_RELAXED);
			__atomic_store_n((uint16_t *)(sl + 10),
					 (uint16_t)((k + i) & 2 ? 0xffff : 1042), __ATOMIC_RELAXED);
		}
		k++;
	}
	return NULL;
}

/* Single-slot packets, valid as posted, rewritten by the racer: each must
 * be answered OK or ERROR, with its own id. */
static void racing_rewrite(double seconds)
{
	unsigned long served = 0, refused = 0, other = 0, sent = 0;
	unsigned bad_id = 0;
	double t0 = now_s();
	char why[120] = "";
	pthread_t t;

	race_stop = 0;
	if (pthread_create(&t, NULL, racer, NULL)) {
		report("tx-racing-rewrite", false, "no thread");
		return;
	}
	while (now_s() - t0 < seconds && !*why) {
		struct netif_tx_response rsp[64];
		unsigned got = 0;

		for (unsigned i = 0; i < 64; i++) {
			struct netif_tx_request rq = { tx_refs[10], 0, 0, (uint16_t)(0x6000 + i),
						       1042 };

			fe_ring_post(&vif.tx, &rq, sizeof(rq));
		}
		sent += 64;
		fe_ring_push(&vif.tx, vif.port);
		while (got < 64) {
			int n = fe_ring_take(&vif.tx, rsp, sizeof(rsp[0]), 64 - got,
					     RSP_TIMEOUT_MS);

			if (n <= 0) {
				snprintf(why, sizeof(why), "%s",
					 n ? "too many responses" : "no response");
				break;
			}
			for (int i = 0; i < n; i++) {
				if (rsp[i].id != 0x6000 + got + (unsigned)i)
					bad_id = rsp[i].id, other++;
				else if (rsp[i].status == XEN_NETIF_RSP_OKAY)
					served++;
				else if (rsp[i].status == XEN_NETIF_RSP_ERROR)
					refused++;
				else
					other++;
			}
			got += (unsigned)n;
		}
		rx_poll(0, NULL);
	}
	race_stop = 1;
	pthread_join(t, NULL);
	tx_accepted += served;
	report("tx-racing-rewrite", !*why && !other && served + refused == sent,
	       "packets=%lu served=%lu refused=%lu other=%lu (id %u) %s", sent, served, refused,
	       other, bad_id, why);
}

/* dom0 reads the tap's counters when we say how many packets the backend
 * accepted on this connection, and writes them to data/ in our store
 * directory: each accepted packet, and only those, reached the tap. */
static void tap_count(void)
{
	const char *key = "data/keel-hostile-tap";
	unsigned long rx = 0, tx = 0;
	double t0 = now_s();
	char *v = NULL;

	xs_write(key, "");
	rx_poll(500, NULL);
	printf("KEEL-HOSTILE-TALLY accepted=%lu received=%lu\n", tx_accepted, vif.rx_frames);
	fflush(stdout);
	while (now_s() - t0 < 60) {
		free(v);
		v = xs_read(key);
		if (v && *v)
			break;
		usleep(200000);
	}
	if (v && sscanf(v, "rx_packets=%lu tx_packets=%lu", &rx, &tx) == 2)
		report("tap-count", rx == tx_accepted,
		       "accepted=%lu tap_rx_packets=%lu tap_tx_packets=%lu frames_received=%lu",
		       tx_accepted, rx, tx, vif.rx_frames);
	else
		report("tap-count", false, "dom0 did not answer in %s: '%s'", key, v ? v : "");
	free(v);
}

int main(int argc, char **argv)
{
	double flood_s = argc > 2 ? atof(argv[2]) : 10;
	char why[300];
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: keel-hostile-netfront DEVID [FLOOD_SECONDS]\n");
		return 2;
	}
	if (xs_open() || vif_init((unsigned)strtoul(argv[1], NULL, 0))) {
		report("setup", false, "see above");
		return 1;
	}
	handshake_attacks();
	fatal_attacks();
	multi_queue_attacks();

	/* The last connection: everything else. */
	if (xb_restart(&vif.xb, 60) || vif_connect(60)) {
		report("connect", false, "see above");
		return 1;
	}
	report("connect", true,
	       "mac=%02x:%02x:%02x:%02x:%02x:%02x tx-ring-ref=%u rx-ring-ref=%u port=%u",
	       vif.mac[0], vif.mac[1], vif.mac[2], vif.mac[3], vif.mac[4], vif.mac[5], vif.tx.ref,
	       vif.rx.ref, vif.port);
	tx_accepted = 0;
	rx_bad_grants();
	ok = arp_round_trip(why, sizeof(why));
	report("valid-arp", ok, "%s", why);
	valid_packets();
	malformed();
	ok = arp_round_trip(why, sizeof(why));
	report("after-malformed", ok, "%s", why);
	racing_rewrite(3);
	event_storm(3);
	flood(flood_s);
	ok = arp_round_trip(why, sizeof(why));
	report("after-flood", ok, "%s", why);
	tap_count();
	reconnect_cycles(10, 25);
	xb_switch_state(&vif.xb, 6);
	ok = xb_wait_backend(&vif.xb, xb_is_closed, 30) == 6;
	report("close", ok, "backend state %d", xb_backend_state(&vif.xb));
	return report_summary() ? 1 : 0;
}
