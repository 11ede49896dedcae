// SPDX-License-Identifier: GPL-2.0-only
/*
 * LZMA2 chunk layer: splits the stream into uncompressed and LZMA chunks and
 * applies their dictionary, state and property resets.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include "xz_private.h"

/* Control byte values (bits 5-6 of an LZMA chunk's control = reset level). */
#define LZMA2_CTRL_END 0x00
#define LZMA2_CTRL_COPY_RESET_DICT 0x01
#define LZMA2_CTRL_COPY 0x02
#define LZMA2_CTRL_LZMA 0x80
#define LZMA2_CTRL_LZMA_RESET_STATE 0xa0
#define LZMA2_CTRL_LZMA_NEW_PROPS 0xc0
#define LZMA2_CTRL_LZMA_RESET_DICT 0xe0

int xz_lzma2_decode(struct lzma_dec *s, const u8 *in, size_t in_len,
		    size_t *in_used, u8 *out, size_t out_cap, size_t *out_len,
		    const char **why)
{
	size_t ip = 0, op = 0, dict = 0;
	bool need_dict_reset = true, need_props = true;

	for (;;) {
		size_t usize, csize, hdr;
		u8 ctrl;
		int ret;

		if (ip >= in_len)
			goto err_truncated;
		ctrl = in[ip];
		if (ctrl == LZMA2_CTRL_END) {
			ip++;
			break;
		}
		if (ctrl > LZMA2_CTRL_COPY && ctrl < LZMA2_CTRL_LZMA) {
			*why = "LZMA2 control byte is invalid";
			return -EINVAL;
		}

		hdr = ctrl >= LZMA2_CTRL_LZMA_NEW_PROPS ? 6 :
		      ctrl >= LZMA2_CTRL_LZMA		? 5 :
							  3;
		if (in_len - ip < hdr)
			goto err_truncated;

		if (ctrl >= LZMA2_CTRL_LZMA_RESET_DICT ||
		    ctrl == LZMA2_CTRL_COPY_RESET_DICT) {
			/*
			 * Matches may not reach before this point, and the
			 * next LZMA chunk must bring its own properties.
			 */
			dict = op;
			need_dict_reset = false;
			need_props = true;
		} else if (need_dict_reset) {
			*why = "LZMA2 data does not start with a dictionary reset";
			return -EINVAL;
		}

		if (ctrl < LZMA2_CTRL_LZMA) {
			usize = ((size_t)in[ip + 1] << 8 | in[ip + 2]) + 1;
			ip += hdr;
			if (usize > in_len - ip)
				goto err_truncated;
			if (usize > out_cap - op)
				return -ENOSPC;
			memcpy(out + op, in + ip, usize);
			ip += usize;
			op += usize;
			continue;
		}

		usize = ((size_t)(ctrl & 0x1f) << 16 | (size_t)in[ip + 1] << 8 |
			 in[ip + 2]) +
			1;
		csize = ((size_t)in[ip + 3] << 8 | in[ip + 4]) + 1;
		if (ctrl >= LZMA2_CTRL_LZMA_NEW_PROPS) {
			if (!xz_lzma_set_props(s, in[ip + 5])) {
				*why = "LZMA2 chunk has invalid lc/lp/pb properties";
				return -EINVAL;
			}
			need_props = false;
			xz_lzma_reset(s);
		} else if (need_props) {
			*why = "LZMA2 chunk lacks properties after a dictionary reset";
			return -EINVAL;
		} else if (ctrl >= LZMA2_CTRL_LZMA_RESET_STATE) {
			xz_lzma_reset(s);
		}
		ip += hdr;
		if (csize > in_len - ip)
			goto err_truncated;
		if (usize > out_cap - op)
			return -ENOSPC;
		ret = xz_lzma_decode_chunk(s, out + dict, op - dict,
					   op - dict + usize, in + ip, csize,
					   why);
		if (ret)
			return ret;
		ip += csize;
		op += usize;
	}

	*in_used = ip;
	*out_len = op;
	return 0;

err_truncated:
	*why = "LZMA2 data is truncated";
	return -EINVAL;
}
