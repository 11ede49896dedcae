// SPDX-License-Identifier: GPL-2.0-only
/*
 * keel-hostile-blkfront RW_DEVID RO_DEVID [FLOOD_SECONDS]
 *
 * A hostile blkif frontend, run in a guest whose xen-blkfront is not loaded
 * (tests/domu/scripts/hostile.sh, tests/dom0/scripts/keel-hostile.sh). It
 * drives the read-write disk RW_DEVID and the read-only disk RO_DEVID
 * itself. In order: handshakes the backend must refuse (states.c); then,
 * connected, malformed requests one kind at a time, each of which must get
 * an error response within a timeout; a valid read and write around them
 * that must work; a thread rewriting ring slots while the backend reads
 * them; writes to the read-only disk; an event storm; a flood of the ring
 * for FLOOD_SECONDS; and last a broken ring index, over which the backend
 * must disconnect the device, after which it must come back (states.c).
 * dom0 filled both images with a known pattern, sector by sector ("<label>
 * sector N", padded to 511 bytes, then a newline) and compares them
 * afterwards, so every refused write carries data that would show up
 * there. Prints one KEEL-HOSTILE-<scenario> ok|FAIL line each, then
 * KEEL-HOSTILE-SUMMARY; exit status 0 only if every scenario passed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

struct vbd rw, ro;
uint32_t data_ref[NR_DATA];
uint8_t *ro_page, *other_page, *ind_page;
uint32_t ro_page_ref, other_ref, ind_ref;
static uint8_t *data;

uint8_t *page(unsigned i)
{
	return data + (size_t)i * PAGE_BYTES;
}

static void valid_read(void)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char why[400];
	bool ok;

	memset(page(0), 0xaa, PAGE_BYTES);
	memset(page(1), 0xaa, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, 8, 2, OK); /* sectors 8..19 */
	seg(rq, 0, data_ref[0], 0, 7);
	seg(rq, 1, data_ref[1], 0, 3);
	ok = run_batch(&rw, &b, why, sizeof(why));
	/* The second page's last four sectors were not asked for. */
	if (ok &&
	    (!holds_pattern(page(0), LABEL_RW, 8, 8) || !holds_pattern(page(1), LABEL_RW, 16, 4)))
		ok = false, strcat(why, " content-differs");
	for (unsigned i = 2048; ok && i < PAGE_BYTES; i++)
		if (page(1)[i] != 0xaa)
			ok = false, strcat(why, " wrote-beyond-last_sect");
	report("valid-read", ok, "%s", why);
}

static void valid_write(void)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char why[400];
	bool ok;

	for (unsigned s = 0; s < 8; s++)
		sector_pattern(page(2) + s * 512, LABEL_WROTE, VALID_WRITE_SECTOR + s);
	memset(page(3), 0, PAGE_BYTES);
	memset(page(4), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_WRITE, VALID_WRITE_SECTOR, 1, OK);
	seg(rq, 0, data_ref[2], 0, 7);
	ok = run_batch(&rw, &b, why, sizeof(why));
	b.n = 0;
	rq = add(&b, BLKIF_OP_READ, VALID_WRITE_SECTOR, 1, OK);
	seg(rq, 0, data_ref[3], 0, 7);
	rq = add(&b, BLKIF_OP_READ, VALID_WRITE_SECTOR + 8, 1, OK);
	seg(rq, 0, data_ref[4], 0, 7);
	strcat(why, " then ");
	ok = run_batch(&rw, &b, why + strlen(why), sizeof(why) - strlen(why)) && ok;
	if (ok && (!holds_pattern(page(3), LABEL_WROTE, VALID_WRITE_SECTOR, 8) ||
		   !holds_pattern(page(4), LABEL_RW, VALID_WRITE_SECTOR + 8, 8)))
		ok = false, strcat(why, " read-back-differs");
	printf("KEEL-HOSTILE-VALID-WRITE sector=%u sectors=8 label=%s\n", VALID_WRITE_SECTOR,
	       LABEL_WROTE);
	report("valid-write", ok, "%s", why);
}

/* The malformed requests, one kind per scenario, on the read-write disk. */
static void malformed(void)
{
	uint64_t S = rw.sectors;
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char before[PAGE_BYTES];
	bool ok;

	fill_evil(page(5));
	fill_evil(page(6));

	rq = add(&b, BLKIF_OP_WRITE, S - 4, 1, REFUSED); /* straddles the end */
	seg(rq, 0, data_ref[5], 0, 7);
	rq = add(&b, BLKIF_OP_WRITE, S, 1, REFUSED); /* just past it */
	seg(rq, 0, data_ref[5], 0, 0);
	rq = add(&b, BLKIF_OP_READ, S, 1, REFUSED);
	seg(rq, 0, data_ref[7], 0, 0);
	rq = add(&b, BLKIF_OP_WRITE, S - 1, 2, REFUSED); /* the second segment is past it */
	seg(rq, 0, data_ref[5], 0, 0);
	seg(rq, 1, data_ref[6], 0, 0);
	scenario("beyond-end", &rw, &b);

	rq = add(&b, BLKIF_OP_WRITE, ~0ull - 3, 1, REFUSED); /* sector + count wraps */
	seg(rq, 0, data_ref[5], 0, 7);
	rq = add(&b, BLKIF_OP_READ, ~0ull, 1, REFUSED);
	seg(rq, 0, data_ref[7], 0, 1);
	scenario("sector-wrap", &rw, &b);

	add(&b, BLKIF_OP_READ, 64, 0, REFUSED);
	add(&b, BLKIF_OP_WRITE, 64, 0, REFUSED);
	scenario("no-segments", &rw, &b);

	rq = add(&b, BLKIF_OP_WRITE, 100, 12, REFUSED); /* one more than fits */
	for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		seg(rq, i, data_ref[5], 0, 7);
	add(&b, BLKIF_OP_READ, 100, 255, REFUSED);
	scenario("too-many-segments", &rw, &b);

	rq = add(&b, BLKIF_OP_WRITE, 200, 1, REFUSED);
	seg(rq, 0, data_ref[5], 5, 2);
	scenario("first-after-last", &rw, &b);

	rq = add(&b, BLKIF_OP_WRITE, 200, 1, REFUSED);
	seg(rq, 0, data_ref[5], 0, 8);
	rq = add(&b, BLKIF_OP_WRITE, 200, 1, REFUSED);
	seg(rq, 0, data_ref[5], 8, 8);
	rq = add(&b, BLKIF_OP_READ, 200, 1, REFUSED);
	seg(rq, 0, data_ref[7], 0, 255);
	scenario("last-beyond-page", &rw, &b);

	rq = add(&b, BLKIF_OP_WRITE, 300, 1, REFUSED);
	seg(rq, 0, BAD_GREF, 0, 7);
	rq = add(&b, BLKIF_OP_READ, 300, 1, REFUSED);
	seg(rq, 0, BAD_GREF, 0, 7);
	rq = add(&b, BLKIF_OP_WRITE, 300, 2, REFUSED); /* the good segment must not land either */
	seg(rq, 0, data_ref[5], 0, 7);
	seg(rq, 1, BAD_GREF, 0, 7);
	scenario("bad-gref", &rw, &b);

	/* Pages we did grant, but not to the backend, or not for writing. */
	memset(other_page, 0x5a, PAGE_BYTES);
	memset(ro_page, 0x5a, PAGE_BYTES);
	memcpy(before, ro_page, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_WRITE, 400, 1, REFUSED);
	seg(rq, 0, other_ref, 0, 7);
	rq = add(&b, BLKIF_OP_READ, 400, 1, REFUSED);
	seg(rq, 0, other_ref, 0, 7);
	rq = add(&b, BLKIF_OP_READ, 400, 1, REFUSED);
	seg(rq, 0, ro_page_ref, 0, 7);
	ok = scenario("foreign-or-read-only-grant", &rw, &b);
	report("granted-pages-untouched",
	       memcmp(other_page, before, PAGE_BYTES) == 0 &&
		       memcmp(ro_page, before, PAGE_BYTES) == 0,
	       "after=%s", ok ? "ok" : "FAIL");

	add(&b, BLKIF_OP_RESERVED_1, 500, 0, REFUSED);
	add(&b, 7, 500, 1, REFUSED);
	add(&b, 200, 500, 1, REFUSED);
	scenario("unknown-operation", &rw, &b);

	rq = add(&b, BLKIF_OP_DISCARD, 0, 0, REFUSED);
	rq->u.discard.sector_number = S - 8;
	rq->u.discard.nr_sectors = 16;
	rq = add(&b, BLKIF_OP_DISCARD, 0, 0, REFUSED);
	rq->u.discard.sector_number = 8;
	rq->u.discard.nr_sectors = ~0ull - 4;
	scenario("discard-beyond-end", &rw, &b);

	rq = add(&b, BLKIF_OP_FLUSH_DISKCACHE, S, 1,
		 REFUSED); /* a flush that writes, past the end */
	seg(rq, 0, data_ref[5], 0, 7);
	scenario("flush-write-beyond-end", &rw, &b);

	add_indirect(&b, BLKIF_OP_DISCARD, 600, 1, ind_ref);
	add_indirect(&b, BLKIF_OP_WRITE, 600, 0, ind_ref);
	add_indirect(&b, BLKIF_OP_WRITE, 600, 4096, ind_ref);
	add_indirect(&b, BLKIF_OP_READ, 600, 65535, ind_ref);
	scenario("indirect-bad-op-or-count", &rw, &b);

	add_indirect(&b, BLKIF_OP_WRITE, 600, 16, BAD_GREF);
	add_indirect(&b, BLKIF_OP_WRITE, 600, 16, other_ref);
	scenario("indirect-bad-page-gref", &rw, &b);

	/* Descriptors that are fine but for one. */
	{
		struct blkif_request_segment *d = (void *)ind_page;

		for (unsigned i = 0; i < 16; i++)
			d[i] = (struct blkif_request_segment){ data_ref[5 + i % 2], 0, 7, 0 };
		d[15].last_sect = 9;
		add_indirect(&b, BLKIF_OP_WRITE, 600, 16, ind_ref);
		scenario("indirect-bad-descriptor", &rw, &b);
		d[15].last_sect = 7;
		d[7].gref = BAD_GREF;
		add_indirect(&b, BLKIF_OP_WRITE, 600, 16, ind_ref);
		scenario("indirect-bad-data-gref", &rw, &b);
		d[7].gref = data_ref[6];
		add_indirect(&b, BLKIF_OP_WRITE, S - 64, 16, ind_ref); /* 128 sectors from S - 64 */
		scenario("indirect-beyond-end", &rw, &b);
	}
}

static void read_only_disk(void)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char why[400];
	bool ok;

	report("ro-info", ro.info & VDISK_READONLY, "info=%u sectors=%llu", ro.info,
	       (unsigned long long)ro.sectors);
	memset(page(8), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, 0, 1, OK);
	seg(rq, 0, data_ref[8], 0, 7);
	ok = run_batch(&ro, &b, why, sizeof(why)) && holds_pattern(page(8), LABEL_RO, 0, 8);
	report("ro-read", ok, "%s", why);
	b.n = 0;

	rq = add(&b, BLKIF_OP_WRITE, 0, 1, REFUSED);
	seg(rq, 0, data_ref[5], 0, 7);
	rq = add(&b, BLKIF_OP_FLUSH_DISKCACHE, 8, 1, REFUSED);
	seg(rq, 0, data_ref[5], 0, 7);
	rq = add(&b, BLKIF_OP_DISCARD, 0, 0, REFUSED);
	rq->u.discard.sector_number = 0;
	rq->u.discard.nr_sectors = 8;
	{
		struct blkif_request_segment *d = (void *)ind_page;

		for (unsigned i = 0; i < 16; i++)
			d[i] = (struct blkif_request_segment){ data_ref[5], 0, 7, 0 };
		add_indirect(&b, BLKIF_OP_WRITE, 16, 16, ind_ref);
	}
	scenario("ro-write", &ro, &b);
}

/* Keeps the ring full of a mix of refused requests and valid reads for
 * seconds, as fast as the backend answers; every answer is checked. */
static void flood(double seconds)
{
	uint64_t S = rw.sectors, base = next_id, sent = 0, answered = 0, bad = 0;
	enum expect exp[RING_SLOTS];
	struct blkif_response rsp[RING_SLOTS];
	double t0 = now_s(), worst = 0, last = t0;
	char why[200] = "";

	printf("KEEL-HOSTILE-FLOOD-START seconds=%.0f\n", seconds);
	fflush(stdout);
	while (now_s() - t0 < seconds || answered < sent) {
		int n;

		while (now_s() - t0 < seconds && fe_ring_in_flight(&rw.ring) < RING_SLOTS) {
			struct batch b = { .n = 0 };
			struct blkif_request *rq;
			uint64_t k = sent;

			switch (k % 4) {
			case 0:
				rq = add(&b, BLKIF_OP_READ, (k * 8) % (S / 2), 1, OK);
				seg(rq, 0, data_ref[8 + k % 8], 0, 7);
				break;
			case 1:
				rq = add(&b, BLKIF_OP_WRITE, S + k % 1000, 1, REFUSED);
				seg(rq, 0, data_ref[5], 0, 7);
				break;
			case 2:
				add(&b, (uint8_t)(7 + k % 249), k, 1, REFUSED);
				break;
			default:
				rq = add(&b, BLKIF_OP_WRITE, 1000 + k % 512, 1, REFUSED);
				seg(rq, 0, BAD_GREF, 0, 7);
				break;
			}
			b.rq[0].u.other.id = base + k;
			exp[k % RING_SLOTS] = b.exp[0];
			fe_ring_post(&rw.ring, &b.rq[0], sizeof(struct blkif_request));
			sent++;
		}
		n = fe_flood_round(&rw.ring, rw.port, rsp, sizeof(rsp[0]), RING_SLOTS, &last, &worst,
				   why, sizeof(why));
		if (!n) {
			bad++;
			break;
		}
		for (int i = 0; i < n; i++) {
			uint64_t k = rsp[i].id - base;

			/* Responses come in ring order: k must be the next one. */
			if (k != answered ||
			    (rsp[i].status == BLKIF_RSP_OKAY) != (exp[k % RING_SLOTS] == OK)) {
				if (!bad)
					snprintf(why, sizeof(why),
						 "request %llu: id %llu status %d",
						 (unsigned long long)answered,
						 (unsigned long long)rsp[i].id, rsp[i].status);
				bad++;
			}
			answered++;
		}
	}
	next_id = base + sent;
	report("flood", !bad && answered == sent && sent >= 4 * RING_SLOTS,
	       "requests=%llu answered=%llu wrong=%llu seconds=%.1f per_second=%.0f "
	       "longest_wait=%.2f %s",
	       (unsigned long long)sent, (unsigned long long)answered, (unsigned long long)bad,
	       now_s() - t0, answered / (now_s() - t0), worst, why);
}

/* Events as fast as we can send them, with nothing on the ring; then the
 * ring must still be served. */
static void event_storm(double seconds)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	double t0 = now_s();
	unsigned long sent = evtchn_storm(rw.port, seconds);
	char why[400];
	bool ok;

	memset(page(12), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, 24, 1, OK);
	seg(rq, 0, data_ref[12], 0, 7);
	ok = run_batch(&rw, &b, why, sizeof(why)) && holds_pattern(page(12), LABEL_RW, 24, 8);
	report("event-storm", ok, "events=%lu seconds=%.1f then %s", sent, now_s() - t0, why);
}

static volatile int race_stop;

/* Rewrites every slot's sector and last_sect while the backend may be
 * reading them (bytes 16..31 of a request; a response is bytes 0..15, so
 * answers stay readable). Every mix is either the valid write below or a
 * request the backend must refuse: only a backend that reads a slot twice
 * could act on a mix it never checked. */
static void *racer(void *arg)
{
	uint8_t *slots = (uint8_t *)rw.ring.sring + XEN_RING_HEADER_SIZE;
	const uint64_t sectors[3] = { VALID_WRITE_SECTOR, rw.sectors + 8, ~0ull - 3 };
	unsigned k = 0;

	(void)arg;
	while (!race_stop) {
		for (unsigned i = 0; i < RING_SLOTS; i++) {
			uint8_t *sl = slots + i * sizeof(union blkif_sring_entry);

			__atomic_store_n((uint64_t *)(sl + 16), sectors[(k + i) % 3],
					 __ATOMIC_RELAXED);
			__atomic_store_n(sl + 29, (uint8_t)((k + i) & 4 ? 9 : 7), __ATOMIC_RELAXED);
		}
		k++;
	}
	return NULL;
}

static void racing_rewrite(double seconds)
{
	struct blkif_response rsp[RING_SLOTS];
	unsigned long served = 0, refused = 0, other = 0, sent = 0;
	double t0 = now_s();
	pthread_t t;
	char why[120] = "";

	for (unsigned s = 0; s < 8; s++)
		sector_pattern(page(11) + s * 512, LABEL_WROTE, VALID_WRITE_SECTOR + s);
	race_stop = 0;
	if (pthread_create(&t, NULL, racer, NULL)) {
		report("racing-rewrite", false, "no thread");
		return;
	}
	while (now_s() - t0 < seconds && !*why) {
		struct batch b = { .n = 0 };
		unsigned got = 0;

		for (unsigned i = 0; i < RING_SLOTS; i++) {
			struct blkif_request *rq =
				add(&b, BLKIF_OP_WRITE, VALID_WRITE_SECTOR, 1, OK);

			seg(rq, 0, data_ref[11], 0, 7);
			rq->u.other.id = next_id++;
			fe_ring_post(&rw.ring, rq, sizeof(struct blkif_request));
		}
		sent += RING_SLOTS;
		fe_ring_push(&rw.ring, rw.port);
		while (got < RING_SLOTS) {
			int n = fe_ring_take(&rw.ring, rsp, sizeof(rsp[0]), RING_SLOTS, RSP_TIMEOUT_MS);

			if (n <= 0) {
				snprintf(why, sizeof(why), "%s",
					 n ? "too many responses" : "no response");
				break;
			}
			for (int i = 0; i < n; i++) {
				if (rsp[i].status == BLKIF_RSP_OKAY)
					served++;
				else if (rsp[i].status == BLKIF_RSP_ERROR)
					refused++;
				else
					other++;
			}
			got += (unsigned)n;
		}
	}
	race_stop = 1;
	pthread_join(t, NULL);
	report("racing-rewrite", !*why && !other && served + refused == sent,
	       "requests=%lu served=%lu refused=%lu other=%lu %s", sent, served, refused, other,
	       why);
}

static int setup_pages(void)
{
	void *m;

	if (gnt_share(rw.xb.backend_id, true, NR_DATA, &m, data_ref))
		return -1;
	data = m;
	if (gnt_share(rw.xb.backend_id, true, 1, &m, &ind_ref))
		return -1;
	ind_page = m;
	if (gnt_share(rw.xb.backend_id, false, 1, &m, &ro_page_ref))
		return -1;
	ro_page = m;
	if (gnt_share(OTHER_DOMID, true, 1, &m, &other_ref))
		return -1;
	other_page = m;
	return 0;
}

int main(int argc, char **argv)
{
	double flood_s = argc > 3 ? atof(argv[3]) : 20;
	unsigned rw_id, ro_id;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: keel-hostile-blkfront RW_DEVID RO_DEVID [FLOOD_SECONDS]\n");
		return 2;
	}
	rw_id = (unsigned)strtoul(argv[1], NULL, 0);
	ro_id = (unsigned)strtoul(argv[2], NULL, 0);
	if (xs_open() || vbd_init(&rw, rw_id) || vbd_init(&ro, ro_id) || setup_pages()) {
		report("setup", false, "see above");
		return 1;
	}
	handshake_attacks();
	if (vbd_connect(&rw, 120) || vbd_connect(&ro, 60)) {
		report("connect", false, "see above");
		return 1;
	}
	report("connect", true, "rw=%u sectors=%llu ro=%u sectors=%llu info=%u ring-ref=%u port=%u",
	       rw_id, (unsigned long long)rw.sectors, ro_id, (unsigned long long)ro.sectors,
	       ro.info, rw.ring.ref, rw.port);

	valid_read();
	malformed();
	valid_write();
	racing_rewrite(5);
	read_only_disk();
	event_storm(5);
	flood(flood_s);
	broken_ring_index();
	after_disconnect();
	reconnect_cycles(10);
	return report_summary() ? 1 : 0;
}
