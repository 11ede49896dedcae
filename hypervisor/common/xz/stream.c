// SPDX-License-Identifier: GPL-2.0-only
/*
 * .xz container: stream header and footer, block headers and filter chains,
 * per-block integrity checks, and the index that must agree with the blocks.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/xz.h>
#include "xz_private.h"

#define XZ_STREAM_HEADER_SIZE 12
#define XZ_STREAM_FOOTER_SIZE 12
#define XZ_VLI_BYTES_MAX 9 /* 63-bit integers, 7 bits per byte */

#define XZ_CHECK_NONE 0x0
#define XZ_CHECK_CRC32 0x1
#define XZ_CHECK_CRC64 0x4
#define XZ_CHECK_SHA256 0xa

#define XZ_BLOCK_FLAG_FILTERS 0x03 /* filter count - 1 */
#define XZ_BLOCK_FLAG_RESERVED 0x3c
#define XZ_BLOCK_FLAG_CSIZE 0x40
#define XZ_BLOCK_FLAG_USIZE 0x80

#define XZ_FILTER_X86 0x04
#define XZ_FILTER_LZMA2 0x21
#define XZ_LZMA2_DICT_CODE_MAX 40 /* 4 GiB - 1 */

static const u8 xz_header_magic[6] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
static const u8 xz_footer_magic[2] = { 'Y', 'Z' };

/*
 * Kept static rather than on the 16 KiB hypervisor stack: the LZMA
 * probabilities alone are ~28 KiB. Hence one call at a time (see xz.h).
 */
static struct xz_dec {
	struct lzma_dec lzma;
	/* Hash of (unpadded size, uncompressed size) per block, for the index. */
	struct xz_sha256 blocks_hash;
	struct xz_sha256 index_hash;
	struct xz_sha256 check_sha;
	char why[128];
} xz_dec;

/* What one block header asks for. */
struct xz_block_header {
	u32 size;
	bool has_csize, has_usize, x86;
	u64 csize, usize;
	u32 x86_start;
};

static inline u32 get_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 get_le64(const u8 *p)
{
	return (u64)get_le32(p) | (u64)get_le32(p + 4) << 32;
}

static inline void put_le64(u8 *p, u64 v)
{
	unsigned int i;

	for (i = 0; i < 8; i++)
		p[i] = (u8)(v >> (8 * i));
}

static int fail_block(u32 block, const char *msg, const char **why)
{
	snprintf(xz_dec.why, sizeof(xz_dec.why), "xz: block %u: %s",
		 (unsigned int)block, msg);
	*why = xz_dec.why;
	return -EINVAL;
}

/* Reads a variable-length integer from buf[*pos..len); false if invalid. */
static bool get_vli(const u8 *buf, size_t len, size_t *pos, u64 *val)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < XZ_VLI_BYTES_MAX && *pos < len; i++) {
		u8 b = buf[(*pos)++];

		v |= (u64)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			/* The format demands the shortest encoding. */
			if (b == 0 && i > 0)
				return false;
			*val = v;
			return true;
		}
	}
	return false;
}

static u32 check_size(u8 type)
{
	/* Types 0x0-0xf come in groups of three sharing one size. */
	static const u8 sizes[16] = { 0,  4,  4,  4,  8,  8,  8,  16,
				      16, 16, 32, 32, 32, 64, 64, 64 };

	return sizes[type & 0xf];
}

static int parse_stream_header(const u8 *in, size_t in_len, u8 *check,
			       const char **why)
{
	if (in_len < XZ_STREAM_HEADER_SIZE) {
		*why = "xz: input too short for an .xz stream header";
		return -EINVAL;
	}
	if (memcmp(in, xz_header_magic, sizeof(xz_header_magic))) {
		*why = "xz: bad stream header magic (not an .xz stream)";
		return -EINVAL;
	}
	if (xz_crc32(in + 6, 2, 0) != get_le32(in + 8)) {
		*why = "xz: stream header CRC32 mismatch";
		return -EINVAL;
	}
	if (in[6] != 0 || (in[7] & 0xf0)) {
		*why = "xz: stream header has reserved flags set (newer format?)";
		return -EINVAL;
	}
	*check = in[7];
	switch (*check) {
	case XZ_CHECK_NONE:
	case XZ_CHECK_CRC32:
	case XZ_CHECK_CRC64:
	case XZ_CHECK_SHA256:
		return 0;
	}
	snprintf(xz_dec.why, sizeof(xz_dec.why),
		 "xz: unsupported check type 0x%x (supported: none, CRC32, CRC64, SHA-256)",
		 (unsigned int)*check);
	*why = xz_dec.why;
	return -EINVAL;
}

static int parse_filter(struct xz_block_header *bh, const u8 *h, size_t lim,
			size_t *p, bool last, u32 block, const char **why)
{
	u64 id, props_len;
	const u8 *props;

	if (!get_vli(h, lim, p, &id) || !get_vli(h, lim, p, &props_len) ||
	    props_len > lim - *p)
		return fail_block(block, "filter flags are corrupt", why);
	props = h + *p;
	*p += props_len;

	if (id == XZ_FILTER_LZMA2) {
		if (!last)
			return fail_block(block,
					  "LZMA2 is not the last filter", why);
		if (props_len != 1 || props[0] > XZ_LZMA2_DICT_CODE_MAX)
			return fail_block(block,
					  "LZMA2 filter properties are invalid",
					  why);
		return 0;
	}
	if (id == XZ_FILTER_X86) {
		if (last)
			return fail_block(block, "filter chain ends in BCJ x86",
					  why);
		if (bh->x86)
			return fail_block(
				block,
				"unsupported filter chain (BCJ x86 twice)",
				why);
		if (props_len == 4)
			bh->x86_start = get_le32(props);
		else if (props_len != 0)
			return fail_block(block,
					  "BCJ x86 filter properties are invalid",
					  why);
		bh->x86 = true;
		return 0;
	}
	snprintf(xz_dec.why, sizeof(xz_dec.why),
		 "xz: block %u: unsupported filter 0x%02lx (supported: BCJ x86 0x04, LZMA2 0x21)",
		 (unsigned int)block, (unsigned long)id);
	*why = xz_dec.why;
	return -EINVAL;
}

static int parse_block_header(const u8 *h, size_t avail,
			      struct xz_block_header *bh, u32 block,
			      const char **why)
{
	size_t p = 2, lim;
	unsigned int i, nr_filters;

	memset(bh, 0, sizeof(*bh));
	bh->size = ((u32)h[0] + 1) * 4;
	if (bh->size > avail)
		return fail_block(block, "block header is truncated", why);
	lim = bh->size - 4;
	if (xz_crc32(h, lim, 0) != get_le32(h + lim))
		return fail_block(block, "block header CRC32 mismatch", why);
	if (h[1] & XZ_BLOCK_FLAG_RESERVED)
		return fail_block(block, "block header has reserved flags set",
				  why);

	if (h[1] & XZ_BLOCK_FLAG_CSIZE) {
		if (!get_vli(h, lim, &p, &bh->csize) || bh->csize == 0)
			return fail_block(
				block, "block header's compressed size is invalid",
				why);
		bh->has_csize = true;
	}
	if (h[1] & XZ_BLOCK_FLAG_USIZE) {
		if (!get_vli(h, lim, &p, &bh->usize))
			return fail_block(
				block,
				"block header's uncompressed size is invalid",
				why);
		bh->has_usize = true;
	}

	nr_filters = (h[1] & XZ_BLOCK_FLAG_FILTERS) + 1;
	for (i = 0; i < nr_filters; i++) {
		int ret = parse_filter(bh, h, lim, &p, i == nr_filters - 1, block,
				   why);
		if (ret)
			return ret;
	}
	for (; p < lim; p++)
		if (h[p])
			return fail_block(block,
					  "block header padding is not zero",
					  why);
	return 0;
}

static bool verify_check(u8 type, const u8 *data, size_t len, const u8 *want)
{
	u8 digest[XZ_SHA256_SIZE];

	switch (type) {
	case XZ_CHECK_CRC32:
		return xz_crc32(data, len, 0) == get_le32(want);
	case XZ_CHECK_CRC64:
		return xz_crc64(data, len, 0) == get_le64(want);
	case XZ_CHECK_SHA256:
		xz_sha256_init(&xz_dec.check_sha);
		xz_sha256_update(&xz_dec.check_sha, data, len);
		xz_sha256_final(&xz_dec.check_sha, digest);
		return !memcmp(digest, want, sizeof(digest));
	}
	return true; /* XZ_CHECK_NONE */
}

static void hash_record(struct xz_sha256 *ctx, u64 unpadded, u64 usize)
{
	u8 rec[16];

	put_le64(rec, unpadded);
	put_le64(rec + 8, usize);
	xz_sha256_update(ctx, rec, sizeof(rec));
}

/*
 * Decodes the block at in[*pos] into out[*out_pos..out_cap) and advances
 * both positions past it.
 */
static int decode_block(const u8 *in, size_t in_len, size_t *pos, u8 *out,
			size_t out_cap, size_t *out_pos, u8 check, u32 block,
			const char **why)
{
	struct xz_block_header bh;
	size_t data, in_avail, out_avail, used, produced, p;
	const char *lzma_why = "";
	u32 csum_len = check_size(check);
	int ret;

	ret = parse_block_header(in + *pos, in_len - *pos, &bh, block, why);
	if (ret)
		return ret;

	data = *pos + bh.size;
	in_avail = in_len - data;
	if (bh.has_csize) {
		if (bh.csize > in_avail)
			return fail_block(block, "compressed data is truncated",
					  why);
		in_avail = bh.csize;
	}
	out_avail = out_cap - *out_pos;
	if (bh.has_usize) {
		if (bh.usize > out_avail)
			goto err_nospace;
		out_avail = bh.usize;
	}

	ret = xz_lzma2_decode(&xz_dec.lzma, in + data, in_avail, &used,
			      out + *out_pos, out_avail, &produced, &lzma_why);
	if (ret == -ENOSPC) {
		if (bh.has_usize)
			return fail_block(
				block,
				"more data than the block header's uncompressed size",
				why);
		goto err_nospace;
	}
	if (ret)
		return fail_block(block, lzma_why, why);
	if (bh.has_csize && used != bh.csize)
		return fail_block(
			block, "compressed size differs from the block header",
			why);
	if (bh.has_usize && produced != bh.usize)
		return fail_block(
			block,
			"uncompressed size differs from the block header", why);

	if (bh.x86)
		xz_bcj_x86_decode(out + *out_pos, produced, bh.x86_start);

	/* Block padding aligns the check field relative to the stream start. */
	for (p = data + used; p & 3; p++)
		if (p >= in_len || in[p])
			return fail_block(block,
					  p >= in_len ?
						  "block padding is truncated" :
						  "block padding is not zero",
					  why);
	if (csum_len > in_len - p)
		return fail_block(block, "check field is truncated", why);
	if (!verify_check(check, out + *out_pos, produced, in + p)) {
		const char *name = check == XZ_CHECK_CRC32 ? "CRC32" :
				   check == XZ_CHECK_CRC64 ? "CRC64" :
							     "SHA-256";

		snprintf(xz_dec.why, sizeof(xz_dec.why),
			 "xz: block %u: %s mismatch", (unsigned int)block,
			 name);
		*why = xz_dec.why;
		return -EINVAL;
	}

	hash_record(&xz_dec.blocks_hash, (u64)bh.size + used + csum_len,
		    produced);
	*pos = p + csum_len;
	*out_pos += produced;
	return 0;

err_nospace:
	snprintf(xz_dec.why, sizeof(xz_dec.why),
		 "xz: output buffer too small (%lu bytes, full in block %u)",
		 (unsigned long)out_cap, (unsigned int)block);
	*why = xz_dec.why;
	return -ENOSPC;
}

/* Parses the index at in[*pos] and checks it lists exactly the blocks seen. */
static int verify_index(const u8 *in, size_t in_len, size_t *pos, u32 blocks,
			const char **why)
{
	size_t start = *pos, p = start + 1; /* skip the 0x00 indicator */
	u8 want[XZ_SHA256_SIZE], got[XZ_SHA256_SIZE];
	u64 count, i;

	if (!get_vli(in, in_len, &p, &count))
		goto err_corrupt;
	for (i = 0; i < count; i++) {
		u64 unpadded, usize;

		/* Bounded by in_len: every record takes at least 2 bytes. */
		if (!get_vli(in, in_len, &p, &unpadded) ||
		    !get_vli(in, in_len, &p, &usize))
			goto err_corrupt;
		hash_record(&xz_dec.index_hash, unpadded, usize);
	}
	for (; (p - start) & 3; p++)
		if (p >= in_len || in[p])
			goto err_corrupt;
	if (in_len - p < 4)
		goto err_corrupt;
	if (xz_crc32(in + start, p - start, 0) != get_le32(in + p)) {
		*why = "xz: index CRC32 mismatch";
		return -EINVAL;
	}
	if (count != blocks) {
		snprintf(xz_dec.why, sizeof(xz_dec.why),
			 "xz: index lists %lu blocks but the stream has %u",
			 (unsigned long)count, (unsigned int)blocks);
		*why = xz_dec.why;
		return -EINVAL;
	}
	xz_sha256_final(&xz_dec.blocks_hash, want);
	xz_sha256_final(&xz_dec.index_hash, got);
	if (memcmp(want, got, sizeof(want))) {
		*why = "xz: index sizes do not match the blocks decoded";
		return -EINVAL;
	}
	*pos = p + 4;
	return 0;

err_corrupt:
	*why = "xz: index is truncated or corrupt";
	return -EINVAL;
}

static int parse_stream_footer(const u8 *in, size_t in_len, size_t pos,
			       size_t index_size, const char **why)
{
	const u8 *f = in + pos;

	if (in_len - pos < XZ_STREAM_FOOTER_SIZE) {
		*why = "xz: stream footer is truncated";
		return -EINVAL;
	}
	if (memcmp(f + 10, xz_footer_magic, sizeof(xz_footer_magic))) {
		*why = "xz: bad stream footer magic";
		return -EINVAL;
	}
	if (xz_crc32(f + 4, 6, 0) != get_le32(f)) {
		*why = "xz: stream footer CRC32 mismatch";
		return -EINVAL;
	}
	if (f[8] != in[6] || f[9] != in[7]) {
		*why = "xz: stream footer flags differ from the header's";
		return -EINVAL;
	}
	/* Backward size: index size in 4-byte units, minus one. */
	if (((u64)get_le32(f + 4) + 1) * 4 != index_size) {
		*why = "xz: stream footer's index size does not match the index";
		return -EINVAL;
	}
	return 0;
}

static int decode_stream(const u8 *in, size_t in_len, u8 *out, size_t out_cap,
			 size_t *out_len, size_t *consumed, const char **why)
{
	size_t pos = XZ_STREAM_HEADER_SIZE, out_pos = 0, index_start;
	u32 block;
	u8 check;
	int ret;

	ret = parse_stream_header(in, in_len, &check, why);
	if (ret)
		return ret;

	xz_sha256_init(&xz_dec.blocks_hash);
	xz_sha256_init(&xz_dec.index_hash);
	/* Each block consumes at least 8 bytes, so this ends with the input. */
	for (block = 0;; block++) {
		if (pos >= in_len) {
			*why = "xz: stream is truncated (no index)";
			return -EINVAL;
		}
		if (in[pos] == 0) /* the index indicator */
			break;
		if (block == 0xffffffffu) {
			*why = "xz: too many blocks";
			return -EINVAL;
		}
		ret = decode_block(in, in_len, &pos, out, out_cap, &out_pos,
				   check, block, why);
		if (ret)
			return ret;
	}

	index_start = pos;
	ret = verify_index(in, in_len, &pos, block, why);
	if (ret)
		return ret;
	ret = parse_stream_footer(in, in_len, pos, pos - index_start, why);
	if (ret)
		return ret;
	pos += XZ_STREAM_FOOTER_SIZE;

	/* Stream padding: whole groups of four zero bytes. */
	while (in_len - pos >= 4 && !get_le32(in + pos))
		pos += 4;

	*out_len = out_pos;
	*consumed = pos;
	return 0;
}

int xz_decompress(const u8 *in, size_t in_len, u8 *out, size_t out_cap,
		  size_t *out_len, size_t *consumed, const char **why)
{
	static const u8 no_in[1];
	static u8 no_out[1];
	size_t len = 0, used = 0;
	const char *reason = NULL;
	int ret;

	/* Pointer arithmetic on NULL is undefined even for offset 0. */
	if (!in) {
		in = no_in;
		in_len = 0;
	}
	if (!out) {
		out = no_out;
		out_cap = 0;
	}

	xz_crc_init();
	ret = decode_stream(in, in_len, out, out_cap, &len, &used, &reason);
	if (ret) {
		len = 0;
		used = 0;
	}
	if (out_len)
		*out_len = len;
	if (consumed)
		*consumed = used;
	if (why)
		*why = reason;
	return ret;
}
