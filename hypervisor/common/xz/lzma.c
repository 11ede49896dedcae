// SPDX-License-Identifier: GPL-2.0-only
/*
 * LZMA symbol decoder for LZMA2 chunks: the range decoder with its adaptive
 * bit probabilities, and the literal / match / repeated-match model on top.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include "xz_private.h"

/* Range decoder: probabilities are 11-bit fixed point, adapting by 1/32. */
#define RC_PROB_BITS 11
#define RC_PROB_INIT (1u << (RC_PROB_BITS - 1))
#define RC_ADAPT_SHIFT 5
#define RC_NORM_LIMIT (1u << 24)
#define RC_HEADER_BYTES 5

#define LZMA_LITERAL_STATES 7 /* states below this last coded a literal */
#define LZMA_MATCH_LEN_MIN 2
#define LZMA_END_MARKER 0xffffffffu

/* The hot helpers must melt into the decode loop so rc stays in registers. */
#define rc_inline inline __attribute__((always_inline))

struct rc {
	u32 range;
	u32 code;
	const u8 *in;
	/*
	 * May run past len: instead of a second exit path in every bit, bytes
	 * beyond the chunk read as zero and the decode loop rejects the chunk
	 * once pos > len.
	 */
	size_t pos;
	size_t len;
};

static rc_inline void rc_normalize(struct rc *rc)
{
	if (rc->range < RC_NORM_LIMIT) {
		rc->range <<= 8;
		rc->code <<= 8;
		if (likely(rc->pos < rc->len))
			rc->code |= rc->in[rc->pos];
		rc->pos++;
	}
}

/* One bit under an adaptive probability (of the bit being 0). */
static rc_inline u32 rc_bit(struct rc *rc, u16 *prob)
{
	u32 bound;

	rc_normalize(rc);
	bound = (rc->range >> RC_PROB_BITS) * *prob;
	if (rc->code < bound) {
		rc->range = bound;
		*prob = (u16)(*prob + (((1u << RC_PROB_BITS) - *prob) >>
				       RC_ADAPT_SHIFT));
		return 0;
	}
	rc->range -= bound;
	rc->code -= bound;
	*prob -= *prob >> RC_ADAPT_SHIFT;
	return 1;
}

/* Most significant bit first through a tree of limit - 1 probabilities. */
static rc_inline u32 rc_tree(struct rc *rc, u16 *probs, u32 limit)
{
	u32 sym = 1;

	do {
		sym = (sym << 1) | rc_bit(rc, &probs[sym]);
	} while (sym < limit);
	return sym - limit;
}

/* Same tree walk, but the value is assembled least significant bit first. */
static rc_inline u32 rc_tree_rev(struct rc *rc, u16 *probs, u32 bits)
{
	u32 node = 1, val = 0, i;

	for (i = 0; i < bits; i++) {
		u32 bit = rc_bit(rc, &probs[node]);

		node = (node << 1) | bit;
		val |= bit << i;
	}
	return val;
}

/* Equiprobable bits, most significant first. */
static rc_inline u32 rc_direct(struct rc *rc, u32 bits)
{
	u32 val = 0;

	do {
		u32 borrow;

		rc_normalize(rc);
		rc->range >>= 1;
		/*
		 * Branch-free "code >= range": these bits are random, so a
		 * branch would mispredict half the time. If the subtraction
		 * wraps, the top bit is set and the range is added back.
		 */
		rc->code -= rc->range;
		borrow = 0u - (rc->code >> 31);
		rc->code += rc->range & borrow;
		val = (val << 1) + 1 + borrow;
	} while (--bits);
	return val;
}

static rc_inline u32 lzma_len(struct rc *rc, struct lzma_len_probs *l,
			      u32 pos_state)
{
	if (!rc_bit(rc, &l->choice))
		return LZMA_MATCH_LEN_MIN +
		       rc_tree(rc, l->low[pos_state], LZMA_LEN_LOW_SYMBOLS);
	if (!rc_bit(rc, &l->choice2))
		return LZMA_MATCH_LEN_MIN + LZMA_LEN_LOW_SYMBOLS +
		       rc_tree(rc, l->mid[pos_state], LZMA_LEN_MID_SYMBOLS);
	return LZMA_MATCH_LEN_MIN + LZMA_LEN_LOW_SYMBOLS +
	       LZMA_LEN_MID_SYMBOLS +
	       rc_tree(rc, l->high, LZMA_LEN_HIGH_SYMBOLS);
}

/* Distance minus one of a new match of length len. */
static rc_inline u32 lzma_dist(struct rc *rc, struct lzma_probs *p, u32 len)
{
	u32 dist_state = MIN(len - LZMA_MATCH_LEN_MIN, LZMA_DIST_STATES - 1);
	u32 slot = rc_tree(rc, p->dist_slot[dist_state], LZMA_DIST_SLOTS);
	u32 bits, dist;

	/* Slots 0-3 are the distance; above, the slot gives the top 2 bits. */
	if (slot < 4)
		return slot;
	bits = (slot >> 1) - 1;
	dist = (2 | (slot & 1)) << bits;
	if (slot < LZMA_DIST_MODEL_END)
		return dist + rc_tree_rev(rc, p->dist_special + dist - slot,
					  bits);
	/* Long distances: middle bits uncoded, the low 4 bits modelled. */
	dist += rc_direct(rc, bits - 4) << 4;
	return dist + rc_tree_rev(rc, p->dist_align, 4);
}

bool xz_lzma_set_props(struct lzma_dec *s, u8 props)
{
	u32 lc, lp, pb;

	/* props = (pb * 5 + lp) * 9 + lc */
	if (props >= 9 * 5 * 5)
		return false;
	lc = props % 9;
	lp = (props / 9) % 5;
	pb = props / 45;
	if (lc + lp > 4)
		return false;
	s->lc = lc;
	s->lp_mask = (1u << lp) - 1;
	s->pb_mask = (1u << pb) - 1;
	return true;
}

void xz_lzma_reset(struct lzma_dec *s)
{
	u16 *prob = (u16 *)&s->probs;
	size_t i;

	for (i = 0; i < sizeof(s->probs) / sizeof(u16); i++)
		prob[i] = RC_PROB_INIT;
	s->state = 0;
	s->rep0 = s->rep1 = s->rep2 = s->rep3 = 0;
}

int xz_lzma_decode_chunk(struct lzma_dec *s, u8 *dict, size_t pos, size_t end,
			 const u8 *in, size_t in_len, const char **why)
{
	/* State after a literal, indexed by the state before it. */
	static const u8 after_literal[LZMA_STATES] = { 0, 0, 0, 0, 1, 2,
						       3, 4, 5, 6, 4, 5 };
	struct lzma_probs *p = &s->probs;
	u32 state = s->state;
	u32 rep0 = s->rep0, rep1 = s->rep1, rep2 = s->rep2, rep3 = s->rep3;
	const u32 lc = s->lc, lp_mask = s->lp_mask, pb_mask = s->pb_mask;
	struct rc rc;

	if (in_len < RC_HEADER_BYTES) {
		*why = "LZMA chunk too short for the range coder header";
		return -EINVAL;
	}
	if (in[0] != 0) {
		*why = "LZMA chunk's range coder header does not start with 0";
		return -EINVAL;
	}
	rc.range = 0xffffffffu;
	rc.code = (u32)in[1] << 24 | (u32)in[2] << 16 | (u32)in[3] << 8 |
		  in[4];
	rc.in = in;
	rc.pos = RC_HEADER_BYTES;
	rc.len = in_len;

	while (pos < end) {
		u32 pos_state = (u32)pos & pb_mask;
		u32 len;

		if (unlikely(rc.pos > rc.len))
			goto err_overrun;

		if (!rc_bit(&rc, &p->is_match[state][pos_state])) {
			u32 prev = pos ? dict[pos - 1] : 0;
			u16 *probs = p->literal[((pos & lp_mask) << lc) +
						(prev >> (8 - lc))];
			u32 sym = 1;

			/*
			 * Right after a match the byte at rep0 is a good guess:
			 * code against it until the first differing bit.
			 */
			if (state >= LZMA_LITERAL_STATES) {
				u32 match;

				if (unlikely(rep0 >= pos))
					goto err_dist;
				match = dict[pos - rep0 - 1];
				do {
					u32 mbit = (match >> 7) & 1;
					u32 bit;

					match <<= 1;
					bit = rc_bit(&rc,
						     &probs[0x100 + (mbit << 8) +
							    sym]);
					sym = (sym << 1) | bit;
					if (bit != mbit)
						break;
				} while (sym < 0x100);
			}
			while (sym < 0x100)
				sym = (sym << 1) | rc_bit(&rc, &probs[sym]);
			dict[pos++] = (u8)sym;
			state = after_literal[state];
			continue;
		}

		if (!rc_bit(&rc, &p->is_rep[state])) {
			/* A match with a new distance. */
			len = lzma_len(&rc, &p->match_len, pos_state);
			rep3 = rep2;
			rep2 = rep1;
			rep1 = rep0;
			rep0 = lzma_dist(&rc, p, len);
			state = state < LZMA_LITERAL_STATES ? 7 : 10;
			if (unlikely(rep0 == LZMA_END_MARKER))
				goto err_marker;
		} else if (!rc_bit(&rc, &p->is_rep0[state])) {
			if (!rc_bit(&rc, &p->is_rep0_long[state][pos_state])) {
				/* "Short rep": one byte from rep0. */
				if (unlikely(rep0 >= pos))
					goto err_dist;
				dict[pos] = dict[pos - rep0 - 1];
				pos++;
				state = state < LZMA_LITERAL_STATES ? 9 : 11;
				continue;
			}
			len = lzma_len(&rc, &p->rep_len, pos_state);
			state = state < LZMA_LITERAL_STATES ? 8 : 11;
		} else {
			/* Reuse rep1..3, moving it to the front. */
			u32 dist;

			if (!rc_bit(&rc, &p->is_rep1[state])) {
				dist = rep1;
			} else {
				if (!rc_bit(&rc, &p->is_rep2[state])) {
					dist = rep2;
				} else {
					dist = rep3;
					rep3 = rep2;
				}
				rep2 = rep1;
			}
			rep1 = rep0;
			rep0 = dist;
			len = lzma_len(&rc, &p->rep_len, pos_state);
			state = state < LZMA_LITERAL_STATES ? 8 : 11;
		}

		if (unlikely(rep0 >= pos))
			goto err_dist;
		/* LZMA2 encoders end every chunk on a symbol boundary. */
		if (unlikely(len > end - pos))
			goto err_len;
		{
			u8 *dst = dict + pos;
			const u8 *src = dst - rep0 - 1;

			pos += len;
			/*
			 * 8 bytes a step when the source is at least that far
			 * behind (so a step never reads what it writes), else
			 * byte by byte, which repeats short periods correctly.
			 */
			if (rep0 >= 7) {
				for (; len >= 8; len -= 8, dst += 8, src += 8) {
					u64 v;

					__builtin_memcpy(&v, src, 8);
					__builtin_memcpy(dst, &v, 8);
				}
				if (!len)
					continue;
			}
			do
				*dst++ = *src++;
			while (--len);
		}
	}

	if (rc.pos > rc.len)
		goto err_overrun;
	/* The encoder's flush leaves exactly the bytes for one more refill. */
	rc_normalize(&rc);
	if (rc.pos != rc.len) {
		*why = rc.pos > rc.len ? "LZMA chunk's data ended too early" :
					 "LZMA chunk has unused compressed bytes";
		return -EINVAL;
	}
	if (rc.code != 0) {
		*why = "LZMA chunk's range coder did not finish cleanly";
		return -EINVAL;
	}
	s->state = state;
	s->rep0 = rep0;
	s->rep1 = rep1;
	s->rep2 = rep2;
	s->rep3 = rep3;
	return 0;

err_overrun:
	*why = "LZMA chunk's data ended too early";
	return -EINVAL;
err_dist:
	*why = "LZMA match distance reaches before the dictionary start";
	return -EINVAL;
err_len:
	*why = "LZMA match runs past the end of its chunk";
	return -EINVAL;
err_marker:
	*why = "LZMA end marker inside an LZMA2 chunk";
	return -EINVAL;
}
