/* SPDX-License-Identifier: GPL-2.0-only */
/* Interfaces between the parts of the .xz decoder (container, LZMA2, filters, checks). */
#ifndef KEEL_XZ_PRIVATE_H
#define KEEL_XZ_PRIVATE_H

#include <keel/types.h>

/* ---- Integrity checks (check.c, sha256.c) ---- */

/* Seed with 0 for a fresh CRC; feed the result back in to continue. */
u32 xz_crc32(const u8 *buf, size_t len, u32 crc);
u64 xz_crc64(const u8 *buf, size_t len, u64 crc);
/* Builds the CRC lookup tables; must run before the first xz_crc*() call. */
void xz_crc_init(void);

#define XZ_SHA256_SIZE 32

struct xz_sha256 {
	u32 h[8];
	u64 total; /* bytes hashed so far */
	u8 block[64];
};

void xz_sha256_init(struct xz_sha256 *ctx);
void xz_sha256_update(struct xz_sha256 *ctx, const u8 *buf, size_t len);
void xz_sha256_final(struct xz_sha256 *ctx, u8 digest[XZ_SHA256_SIZE]);

/* ---- LZMA (lzma.c) ---- */

#define LZMA_STATES 12
#define LZMA_POS_STATES_MAX 16 /* pb <= 4 */
#define LZMA_LEN_LOW_SYMBOLS 8
#define LZMA_LEN_MID_SYMBOLS 8
#define LZMA_LEN_HIGH_SYMBOLS 256
#define LZMA_DIST_STATES 4
#define LZMA_DIST_SLOTS 64
#define LZMA_DIST_MODEL_END 14 /* first slot coded with direct bits */
#define LZMA_FULL_DISTANCES 128
#define LZMA_ALIGN_SIZE 16
#define LZMA_LITERAL_CODERS_MAX 16 /* LZMA2 limits lc + lp to 4 */
#define LZMA_LITERAL_PROBS 0x300

struct lzma_len_probs {
	u16 choice;
	u16 choice2;
	u16 low[LZMA_POS_STATES_MAX][LZMA_LEN_LOW_SYMBOLS];
	u16 mid[LZMA_POS_STATES_MAX][LZMA_LEN_MID_SYMBOLS];
	u16 high[LZMA_LEN_HIGH_SYMBOLS];
};

/* Every adaptive probability; reset as one block of u16. */
struct lzma_probs {
	u16 is_match[LZMA_STATES][LZMA_POS_STATES_MAX];
	u16 is_rep[LZMA_STATES];
	u16 is_rep0[LZMA_STATES];
	u16 is_rep1[LZMA_STATES];
	u16 is_rep2[LZMA_STATES];
	u16 is_rep0_long[LZMA_STATES][LZMA_POS_STATES_MAX];
	u16 dist_slot[LZMA_DIST_STATES][LZMA_DIST_SLOTS];
	/* Index 0 unused: bit trees are indexed from 1. */
	u16 dist_special[1 + LZMA_FULL_DISTANCES - LZMA_DIST_MODEL_END];
	u16 dist_align[LZMA_ALIGN_SIZE];
	struct lzma_len_probs match_len;
	struct lzma_len_probs rep_len;
	u16 literal[LZMA_LITERAL_CODERS_MAX][LZMA_LITERAL_PROBS];
};

struct lzma_dec {
	struct lzma_probs probs;
	u32 state;
	u32 rep0, rep1, rep2, rep3;
	u32 lc; /* literal context bits */
	u32 lp_mask; /* literal position mask, (1 << lp) - 1 */
	u32 pb_mask; /* position state mask, (1 << pb) - 1 */
};

/* Parses an LZMA properties byte; false if out of range for LZMA2. */
bool xz_lzma_set_props(struct lzma_dec *s, u8 props);
/* Resets probabilities, state and repeat distances (keeps lc/lp/pb). */
void xz_lzma_reset(struct lzma_dec *s);
/*
 * Decodes one LZMA2 chunk: exactly in_len bytes of range-coded input must
 * produce dict[pos..end). dict points at the last dictionary reset, so
 * matches may reach back to dict[0]. Returns 0 or -EINVAL with *why set.
 */
int xz_lzma_decode_chunk(struct lzma_dec *s, u8 *dict, size_t pos, size_t end,
			 const u8 *in, size_t in_len, const char **why);

/* ---- LZMA2 (lzma2.c) ---- */

/*
 * Decodes LZMA2 data (up to and including its end-of-data byte) from
 * in[0..in_len) into out[0..out_cap); out[0] is where the dictionary starts.
 * Returns 0 with *in_used and *out_len set, -ENOSPC if out_cap is too small,
 * or -EINVAL with *why set.
 */
int xz_lzma2_decode(struct lzma_dec *s, const u8 *in, size_t in_len,
		 size_t *in_used, u8 *out, size_t out_cap, size_t *out_len,
		 const char **why);

/* ---- Branch/call/jump filter for x86 (bcj_x86.c) ---- */

/* Undoes the x86 BCJ conversion in place; buf[0] is at stream position start. */
void xz_bcj_x86_decode(u8 *buf, size_t len, u32 start);

#endif
