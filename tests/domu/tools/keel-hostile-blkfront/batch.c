// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-blkfront: building batches of requests, sending them,
 * checking every answer. */
#include <stdio.h>
#include <string.h>

#include "hostile.h"

uint64_t next_id = 1000;

/* The 512 bytes dom0 wrote at sector s of an image labelled label. */
void sector_pattern(uint8_t *buf, const char *label, uint64_t s)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "%s sector %llu", label, (unsigned long long)s);

	memset(buf, ' ', 511);
	memcpy(buf, text, (size_t)n);
	buf[511] = '\n';
}

/* Does buf hold sectors first..first+count-1 of label? */
bool holds_pattern(const uint8_t *buf, const char *label, uint64_t first, unsigned count)
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
void fill_evil(uint8_t *p)
{
	for (unsigned i = 0; i < PAGE_BYTES; i += 8)
		memcpy(p + i, "EVIL-WR\n", 8);
}

struct blkif_request *add(struct batch *b, uint8_t op, uint64_t sector, unsigned nseg,
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

void seg(struct blkif_request *rq, unsigned i, uint32_t gref, uint8_t first, uint8_t last)
{
	rq->u.rw.seg[i].gref = gref;
	rq->u.rw.seg[i].first_sect = first;
	rq->u.rw.seg[i].last_sect = last;
}

struct blkif_request *add_indirect(struct batch *b, uint8_t inner_op, uint64_t sector,
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
bool run_batch(struct vbd *v, struct batch *b, char *why, size_t why_len)
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
		fe_ring_post(&v->ring, &b->rq[i], sizeof(struct blkif_request));
	}
	next_id += b->n;
	fe_ring_push(&v->ring, v->port);
	while (got < b->n) {
		int n = fe_ring_take(&v->ring, rsp, sizeof(rsp[0]), RING_SLOTS, RSP_TIMEOUT_MS);

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
bool scenario(const char *name, struct vbd *v, struct batch *b)
{
	char why[400];
	bool ok = run_batch(v, b, why, sizeof(why));

	report(name, ok, "%s", why);
	b->n = 0;
	return ok;
}
