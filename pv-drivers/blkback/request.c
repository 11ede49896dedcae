// SPDX-License-Identifier: GPL-2.0-only
/* Parsing and validation of blkif requests. Everything here works on a
 * private copy of the ring slot: the frontend can rewrite the slot at any
 * time, so nothing is read from shared memory twice. A request that fails
 * a check gets an error response; only a broken ring index disconnects. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "blkback.h"

bool blk_req_writes(const struct blk_req *r)
{
	switch (r->op) {
	case BLKIF_OP_WRITE:
	case BLKIF_OP_DISCARD:
		return true;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		return r->nr_segs > 0; /* a write with a flush after it */
	default:
		return false;
	}
}

static bool __attribute__((format(printf, 5, 6)))
reject(struct blk_req *r, int16_t status, char *why, size_t why_len, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	va_start(ap, fmt);
	vsnprintf(why, why_len, fmt, ap);
	va_end(ap);
	return false;
}

/* The extent [sector, sector + nr_sectors) must lie on the disk. */
static bool check_extent(struct blk_req *r, const struct blk_limits *lim, char *why,
			 size_t why_len)
{
	if (r->sector > lim->sectors || r->nr_sectors > lim->sectors - r->sector)
		return reject(r, BLKIF_RSP_ERROR, why, why_len,
			      "sectors %llu+%llu beyond the end of the disk (%llu sectors)",
			      (unsigned long long)r->sector, (unsigned long long)r->nr_sectors,
			      (unsigned long long)lim->sectors);
	if (lim->readonly && blk_req_writes(r))
		return reject(r, BLKIF_RSP_ERROR, why, why_len,
			      "write to a read-only disk (sector %llu, %llu sectors)",
			      (unsigned long long)r->sector, (unsigned long long)r->nr_sectors);
	return true;
}

bool blk_req_parse_segments(struct blk_req *r, const struct blkif_request_segment *desc,
			    const struct blk_limits *lim, char *why, size_t why_len)
{
	r->nr_sectors = 0;
	for (unsigned i = 0; i < r->nr_segs; i++) {
		uint8_t first = desc[i].first_sect, last = desc[i].last_sect;

		if (last >= BLKIF_SECTORS_PER_PAGE || first > last)
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "segment %u (gref %u) has sectors %u..%u of its page", i,
				      desc[i].gref, first, last);
		r->segs[i].gref = desc[i].gref;
		r->segs[i].offset = (uint16_t)(first * BLKIF_SECTOR_SIZE);
		r->segs[i].len = (uint16_t)((last - first + 1) * BLKIF_SECTOR_SIZE);
		r->nr_sectors += last - first + 1u;
	}
	return check_extent(r, lim, why, why_len);
}

bool blk_req_parse(const struct blkif_request *rq, const struct blk_limits *lim,
		   struct blk_req *r, char *why, size_t why_len)
{
	r->operation = rq->operation;
	r->op = rq->operation;
	r->status = BLKIF_RSP_OKAY;
	r->nr_segs = 0;
	r->nr_indirect = 0;
	r->nr_sectors = 0;
	r->sector = 0;
	r->data = NULL;
	why[0] = 0;

	switch (rq->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		r->id = rq->u.rw.id;
		r->sector = rq->u.rw.sector_number;
		r->nr_segs = rq->u.rw.nr_segments;
		if (r->nr_segs > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "%u segments (at most %u without INDIRECT)", r->nr_segs,
				      BLKIF_MAX_SEGMENTS_PER_REQUEST);
		if (!r->nr_segs && (r->op == BLKIF_OP_READ || r->op == BLKIF_OP_WRITE))
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "a read or write with no segments");
		if (!r->nr_segs) { /* a pure flush */
			r->sector = 0;
			return true;
		}
		{
			struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];

			memcpy(seg, (const uint8_t *)rq + offsetof(struct blkif_request, u.rw.seg),
			       r->nr_segs * sizeof(seg[0]));
			return blk_req_parse_segments(r, seg, lim, why, why_len);
		}
	case BLKIF_OP_DISCARD:
		r->id = rq->u.discard.id;
		r->sector = rq->u.discard.sector_number;
		r->nr_sectors = rq->u.discard.nr_sectors;
		if (lim->readonly)
			return reject(r, BLKIF_RSP_EOPNOTSUPP, why, why_len,
				      "discard on a read-only disk (sector %llu, %llu sectors)",
				      (unsigned long long)r->sector,
				      (unsigned long long)r->nr_sectors);
		return check_extent(r, lim, why, why_len);
	case BLKIF_OP_INDIRECT:
		r->id = rq->u.indirect.id;
		r->op = rq->u.indirect.indirect_op;
		/* blkfront checks a response against the operation inside. */
		r->operation = r->op;
		r->sector = rq->u.indirect.sector_number;
		r->nr_segs = rq->u.indirect.nr_segments;
		if (r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE)
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "indirect operation %u (only read/write)",
				      rq->u.indirect.indirect_op);
		if (!r->nr_segs || r->nr_segs > lim->max_indirect_segs)
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "indirect request with %u segments (1..%u)", r->nr_segs,
				      lim->max_indirect_segs);
		r->nr_indirect = (r->nr_segs + BLKIF_SEGS_PER_INDIRECT_FRAME - 1) /
				 BLKIF_SEGS_PER_INDIRECT_FRAME;
		memcpy(r->indirect_grefs, rq->u.indirect.indirect_grefs,
		       r->nr_indirect * sizeof(r->indirect_grefs[0]));
		if (lim->readonly && r->op == BLKIF_OP_WRITE)
			return reject(r, BLKIF_RSP_ERROR, why, why_len,
				      "write to a read-only disk (sector %llu, %u segments)",
				      (unsigned long long)r->sector, r->nr_segs);
		return true;
	default:
		r->id = rq->u.other.id;
		return reject(r, BLKIF_RSP_EOPNOTSUPP, why, why_len, "unknown operation %u",
			      rq->operation);
	}
}
