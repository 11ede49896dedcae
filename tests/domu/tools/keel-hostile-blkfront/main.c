// SPDX-License-Identifier: GPL-2.0-only
/*
 * keel-hostile-blkfront RW_DEVID RO_DEVID [FLOOD_SECONDS]
 *
 * A hostile blkif frontend, run in a guest whose xen-blkfront is not loaded
 * (tests/domu/scripts/hostile.sh, tests/dom0/scripts/keel-hostile.sh). It
 * connects to the read-write disk RW_DEVID and the read-only disk RO_DEVID
 * itself and sends, one scenario at a time, requests a backend must refuse:
 * each must get an error response (or, for a broken ring index, a
 * disconnect) within a timeout. A valid read and write around them prove
 * the channel works. dom0 filled both images with a known pattern, sector
 * by sector ("<label> sector N", padded to 511 bytes, then a newline); it
 * compares them afterwards, so every refused write carries data that would
 * show up there. Prints one KEEL-HOSTILE-<scenario> ok|FAIL line each, then
 * KEEL-HOSTILE-SUMMARY; exit status 0 only if every scenario passed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"

#define RSP_TIMEOUT_MS 30000 /* TCG is slow; no answer at all is a failure */
#define NR_DATA 16
#define BAD_GREF 0x7ffffff0u /* beyond any grant table */
#define OTHER_DOMID 0x7fef /* a domain that is not the backend */
#define VALID_WRITE_SECTOR 4096u
#define LABEL_RW "keel-hostile-disk"
#define LABEL_RO "keel-hostile-ro"
#define LABEL_WROTE "keel-hostile-wrote"

enum expect { OK, REFUSED };

struct batch {
	struct blkif_request rq[RING_SLOTS];
	enum expect exp[RING_SLOTS];
	unsigned n;
};

static struct vbd rw, ro;
static uint8_t *data; /* NR_DATA pages granted writable to the backend */
static uint32_t data_ref[NR_DATA];
static uint8_t *ro_page, *other_page, *ind_page; /* read-only grant, another domain's, descriptors */
static uint32_t ro_page_ref, other_ref, ind_ref;
static uint64_t next_id = 1000;
static unsigned passed, failed;

static uint8_t *page(unsigned i)
{
	return data + (size_t)i * PAGE_BYTES;
}

static void report(const char *name, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void report(const char *name, bool ok, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("KEEL-HOSTILE-%s %s %s\n", name, ok ? "ok" : "FAIL", detail);
	fflush(stdout);
	if (ok)
		passed++;
	else
		failed++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The 512 bytes dom0 wrote at sector s of an image labelled label. */
static void sector_pattern(uint8_t *buf, const char *label, uint64_t s)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "%s sector %llu", label, (unsigned long long)s);

	memset(buf, ' ', 511);
	memcpy(buf, text, (size_t)n);
	buf[511] = '\n';
}

/* Does buf hold sectors first..first+count-1 of label? */
static bool holds_pattern(const uint8_t *buf, const char *label, uint64_t first, unsigned count)
{
	uint8_t want[512];

	for (unsigned i = 0; i < count; i++) {
		sector_pattern(want, label, first + i);
		if (memcmp(buf + i * 512, want, 512))
			return false;
	}
	return true;
}

/* A page whose content must never reach the disk. */
static void fill_evil(uint8_t *p)
{
	for (unsigned i = 0; i < PAGE_BYTES; i += 8)
		memcpy(p + i, "EVIL-WR\n", 8);
}

static struct blkif_request *add(struct batch *b, uint8_t op, uint64_t sector, unsigned nseg,
				 enum expect exp)
{
	struct blkif_request *rq = &b->rq[b->n];

	memset(rq, 0, sizeof(*rq));
	rq->operation = op;
	rq->u.rw.nr_segments = (uint8_t)nseg;
	rq->u.rw.sector_number = sector;
	b->exp[b->n++] = exp;
	return rq;
}

static void seg(struct blkif_request *rq, unsigned i, uint32_t gref, uint8_t first, uint8_t last)
{
	rq->u.rw.seg[i].gref = gref;
	rq->u.rw.seg[i].first_sect = first;
	rq->u.rw.seg[i].last_sect = last;
}

static struct blkif_request *add_indirect(struct batch *b, uint8_t inner_op, uint64_t sector,
					  unsigned nseg, uint32_t gref0)
{
	struct blkif_request *rq = add(b, BLKIF_OP_INDIRECT, sector, 0, REFUSED);

	memset(&rq->u, 0, sizeof(rq->u));
	rq->u.indirect.indirect_op = inner_op;
	rq->u.indirect.nr_segments = (uint16_t)nseg;
	rq->u.indirect.sector_number = sector;
	rq->u.indirect.indirect_grefs[0] = gref0;
	return rq;
}

/* Sends the batch and checks that each request gets exactly one response
 * with the expected outcome, in time. */
static bool run_batch(struct vbd *v, struct batch *b, char *why, size_t why_len)
{
	struct blkif_response rsp[RING_SLOTS];
	bool seen[RING_SLOTS] = { false };
	uint64_t base = next_id;
	unsigned got = 0;
	size_t off = 0;
	bool ok = true;

	why[0] = 0;
	for (unsigned i = 0; i < b->n; i++) {
		b->rq[i].u.other.id = base + i;
		vbd_post(v, &b->rq[i]);
	}
	next_id += b->n;
	vbd_push(v);
	while (got < b->n) {
		int n = vbd_take_responses(v, rsp, RING_SLOTS, RSP_TIMEOUT_MS);

		if (n < 0) {
			snprintf(why, why_len, "backend published more responses than requests");
			return false;
		}
		if (!n) {
			snprintf(why, why_len, "no response to %u of %u requests within %d s",
				 b->n - got, b->n, RSP_TIMEOUT_MS / 1000);
			return false;
		}
		for (int k = 0; k < n; k++) {
			uint64_t i = rsp[k].id - base;
			bool want_ok;

			if (i >= b->n || seen[i]) {
				snprintf(why, why_len, "response with unknown or repeated id %llu",
					 (unsigned long long)rsp[k].id);
				return false;
			}
			seen[i] = true;
			want_ok = b->exp[i] == OK;
			if ((rsp[k].status == BLKIF_RSP_OKAY) != want_ok ||
			    (rsp[k].status != BLKIF_RSP_OKAY && rsp[k].status != BLKIF_RSP_ERROR &&
			     rsp[k].status != BLKIF_RSP_EOPNOTSUPP))
				ok = false;
			if (off < why_len)
				off += (size_t)snprintf(why + off, why_len - off, "%s%d",
							got + k ? "," : "statuses=", rsp[k].status);
		}
		got += (unsigned)n;
	}
	return ok;
}

/* One scenario: a batch whose every request must be refused (or served,
 * where marked OK). */
static bool scenario(const char *name, struct vbd *v, struct batch *b)
{
	char why[400];
	bool ok = run_batch(v, b, why, sizeof(why));

	report(name, ok, "%s", why);
	b->n = 0;
	return ok;
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
	if (ok && (!holds_pattern(page(0), LABEL_RW, 8, 8) || !holds_pattern(page(1), LABEL_RW, 16, 4)))
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
	report("granted-pages-untouched", memcmp(other_page, before, PAGE_BYTES) == 0 &&
		memcmp(ro_page, before, PAGE_BYTES) == 0, "after=%s", ok ? "ok" : "FAIL");

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

	rq = add(&b, BLKIF_OP_FLUSH_DISKCACHE, S, 1, REFUSED); /* a flush that writes, past the end */
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

		while (now_s() - t0 < seconds && vbd_in_flight(&rw) < RING_SLOTS) {
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
			vbd_post(&rw, &b.rq[0]);
			sent++;
		}
		vbd_push(&rw);
		n = vbd_take_responses(&rw, rsp, RING_SLOTS, RSP_TIMEOUT_MS);
		if (n <= 0) {
			snprintf(why, sizeof(why), n ? "backend published more responses than requests" :
						     "no response within %d s", RSP_TIMEOUT_MS / 1000);
			bad++;
			break;
		}
		if (now_s() - last > worst)
			worst = now_s() - last;
		last = now_s();
		for (int i = 0; i < n; i++) {
			uint64_t k = rsp[i].id - base;

			/* Responses come in ring order: k must be the next one. */
			if (k != answered ||
			    (rsp[i].status == BLKIF_RSP_OKAY) != (exp[k % RING_SLOTS] == OK)) {
				if (!bad)
					snprintf(why, sizeof(why), "request %llu: id %llu status %d",
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

static bool closing_or_closed(int s)
{
	return s == 5 || s == 6;
}

static bool is_closed(int s)
{
	return s == 6;
}

/* req_prod far ahead of anything the ring can hold: the backend must
 * disconnect rather than read garbage slots, loop or crash. */
static void broken_ring_index(void)
{
	RING_IDX rsp_before = rw.sring->rsp_prod;
	char path[192], *err;
	int s;

	vbd_push_raw(&rw, rw.req_prod_pvt + 1000);
	s = vbd_wait_backend(&rw, closing_or_closed, 60);
	snprintf(path, sizeof(path), "%s/error", rw.be);
	err = xs_read(path);
	report("ring-index", s >= 0 && rw.sring->rsp_prod == rsp_before,
	       "backend-state=%d responses-after=%u error='%s'", s,
	       rw.sring->rsp_prod - rsp_before, err ? err : "");
	free(err);
}

/* The other disk of the same guest still works, and the broken one comes
 * back when its frontend starts over. */
static void after_disconnect(void)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	char why[400];
	bool ok;
	int s;

	memset(page(9), 0, PAGE_BYTES);
	rq = add(&b, BLKIF_OP_READ, 8, 1, OK);
	seg(rq, 0, data_ref[9], 0, 7);
	ok = run_batch(&ro, &b, why, sizeof(why)) && holds_pattern(page(9), LABEL_RO, 8, 8);
	report("other-disk-still-served", ok, "%s", why);

	vbd_switch_state(&rw, 6);
	s = vbd_wait_backend(&rw, is_closed, 60);
	if (s != 6) {
		report("reconnect", false, "backend state %d after our Closed", vbd_backend_state(&rw));
		return;
	}
	vbd_switch_state(&rw, 1);
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

static bool settled(int s)
{
	return s >= 4;
}

static bool is_initwait(int s)
{
	return s == 2;
}

/* A handshake the backend must refuse: it offers a ring with kv written
 * over the good keys; the backend must go to Closing (not Connected) and,
 * once we close and start over, back to InitWait. */
static void handshake_attack(const char *name, const char *const *kv)
{
	char path[192], *err;
	int s, closed, initwait;

	if (vbd_offer(&rw, kv, 60)) {
		report(name, false, "could not offer a ring");
		return;
	}
	s = vbd_wait_backend(&rw, settled, 30);
	snprintf(path, sizeof(path), "%s/error", rw.be);
	err = xs_read(path);
	for (const char *const *k = kv; k[0]; k += 2)
		if (strcmp(k[0], "ring-ref") && strcmp(k[0], "event-channel") &&
		    strcmp(k[0], "protocol")) {
			snprintf(path, sizeof(path), "%s/%s", rw.fe, k[0]);
			xs_rm(path);
		}
	vbd_switch_state(&rw, 6);
	closed = vbd_wait_backend(&rw, is_closed, 30);
	vbd_switch_state(&rw, 1);
	initwait = vbd_wait_backend(&rw, is_initwait, 30);
	report(name, (s == 5 || s == 6) && closed == 6 && initwait == 2,
	       "%s=%s backend-state=%d error='%s' then closed=%d initwait=%d", kv[0], kv[1], s,
	       err ? err : "", closed, initwait);
	free(err);
}

static void handshake_attacks(void)
{
	char other[16], ro_ref[16];

	snprintf(other, sizeof(other), "%u", other_ref);
	snprintf(ro_ref, sizeof(ro_ref), "%u", ro_page_ref);
	handshake_attack("hs-ring-ref-never-granted", (const char *const[]){ "ring-ref", "2147483632", NULL });
	handshake_attack("hs-ring-ref-other-domain", (const char *const[]){ "ring-ref", other, NULL });
	handshake_attack("hs-ring-ref-read-only", (const char *const[]){ "ring-ref", ro_ref, NULL });
	handshake_attack("hs-ring-ref-not-a-number", (const char *const[]){ "ring-ref", "12abc", NULL });
	handshake_attack("hs-event-channel", (const char *const[]){ "event-channel", "4000", NULL });
	handshake_attack("hs-protocol", (const char *const[]){ "protocol", "x86_32-abi", NULL });
	handshake_attack("hs-ring-page-order", (const char *const[]){ "ring-page-order", "12", NULL });
	handshake_attack("hs-ring-refs-missing", (const char *const[]){ "ring-page-order", "2", NULL });
	handshake_attack("hs-queues", (const char *const[]){ "multi-queue-num-queues", "64", NULL });
	handshake_attack("hs-queue-keys-missing", (const char *const[]){ "multi-queue-num-queues", "2", NULL });
}

/* Events as fast as we can send them, with nothing on the ring; then the
 * ring must still be served. */
static void event_storm(double seconds)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	unsigned long sent = 0;
	double t0 = now_s();
	char why[400];
	bool ok;

	while (now_s() - t0 < seconds)
		for (int i = 0; i < 256; i++, sent++)
			evtchn_notify(rw.port);
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
	uint8_t *slots = (uint8_t *)rw.sring + XEN_RING_HEADER_SIZE;
	const uint64_t sectors[3] = { VALID_WRITE_SECTOR, rw.sectors + 8, ~0ull - 3 };
	unsigned k = 0;

	(void)arg;
	while (!race_stop) {
		for (unsigned i = 0; i < RING_SLOTS; i++) {
			uint8_t *sl = slots + i * sizeof(union blkif_sring_entry);

			__atomic_store_n((uint64_t *)(sl + 16), sectors[(k + i) % 3], __ATOMIC_RELAXED);
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
			struct blkif_request *rq = add(&b, BLKIF_OP_WRITE, VALID_WRITE_SECTOR, 1, OK);

			seg(rq, 0, data_ref[11], 0, 7);
			rq->u.other.id = next_id++;
			vbd_post(&rw, rq);
		}
		sent += RING_SLOTS;
		vbd_push(&rw);
		while (got < RING_SLOTS) {
			int n = vbd_take_responses(&rw, rsp, RING_SLOTS, RSP_TIMEOUT_MS);

			if (n <= 0) {
				snprintf(why, sizeof(why), "%s", n ? "too many responses" : "no response");
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
	       "requests=%lu served=%lu refused=%lu other=%lu %s", sent, served, refused, other, why);
}

/* Connect, a read in flight, close; n times. Then a last connect must
 * serve a read as usual. */
static void reconnect_cycles(unsigned n)
{
	struct batch b = { .n = 0 };
	struct blkif_request *rq;
	unsigned i;
	char why[400] = "";
	bool ok = false;

	for (i = 0; i <= n; i++) {
		vbd_switch_state(&rw, 6);
		if (vbd_wait_backend(&rw, is_closed, 60) != 6)
			break;
		vbd_switch_state(&rw, 1);
		if (vbd_connect(&rw, 60))
			break;
		b.n = 0;
		rq = add(&b, BLKIF_OP_READ, 8 * i, 1, OK);
		seg(rq, 0, data_ref[13], 0, 7);
		if (i < n) { /* close with the read in flight */
			rq->u.other.id = next_id++;
			vbd_post(&rw, rq);
			vbd_push(&rw);
			continue;
		}
		memset(page(13), 0, PAGE_BYTES);
		ok = run_batch(&rw, &b, why, sizeof(why)) && holds_pattern(page(13), LABEL_RW, 8 * i, 8);
	}
	report("reconnect-cycles", ok, "cycles=%u of %u backend-state=%d %s", i, n + 1,
	       vbd_backend_state(&rw), why);
}

static int setup_pages(void)
{
	void *m;

	if (gnt_share(rw.backend_id, true, NR_DATA, &m, data_ref))
		return -1;
	data = m;
	if (gnt_share(rw.backend_id, true, 1, &m, &ind_ref))
		return -1;
	ind_page = m;
	if (gnt_share(rw.backend_id, false, 1, &m, &ro_page_ref))
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
	       ro.info, rw.ring_ref, rw.port);

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
	printf("KEEL-HOSTILE-SUMMARY passed=%u failed=%u\n", passed, failed);
	return failed ? 1 : 0;
}
