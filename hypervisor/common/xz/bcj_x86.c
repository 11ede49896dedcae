// SPDX-License-Identifier: GPL-2.0-only
/*
 * x86 BCJ filter, decode direction: the encoder turned the rel32 targets of
 * CALL (E8) and JMP (E9) into absolute addresses so that repeated calls to
 * one function compress well; this turns them back.
 */
#include <keel/lib.h>
#include "xz_private.h"

/* rel32 values of real branches nearly always sign-extend from 24 bits. */
static inline bool is_sign_byte(u8 b)
{
	return b == 0x00 || b == 0xff;
}

void xz_bcj_x86_decode(u8 *buf, size_t len, u32 start)
{
	/*
	 * The encoder remembers which of the previous three bytes were
	 * unconverted E8/E9 (bits 1-3 of mask once shifted) and whether their
	 * fourth operand byte looked like a sign byte (bit 4, shifted to 5-6).
	 * Some patterns forbid converting, others decide which byte of the
	 * result must be re-checked; the decoder must mirror this exactly.
	 */
	static const bool convert_ok[8] = { true,  true,  true,	 false,
					    true,  false, false, false };
	static const u8 recheck_byte[8] = { 0, 1, 2, 2, 3, 3, 3, 3 };
	u32 mask = 0; /* shifting 0 is harmless, so prev needs no "none" value */
	size_t prev = 0, i;

	if (len < 5)
		return;
	for (i = 0; i <= len - 5; i++) {
		size_t gap;
		u8 top;

		if ((buf[i] & 0xfe) != 0xe8)
			continue;

		gap = i - prev;
		prev = i;
		if (gap > 5)
			mask = 0;
		else
			while (gap--)
				mask = (mask & 0x77) << 1;

		top = buf[i + 4];
		if (is_sign_byte(top) && convert_ok[(mask >> 1) & 7] &&
		    (mask >> 1) < 0x10) {
			u32 src = (u32)buf[i + 1] | (u32)buf[i + 2] << 8 |
				  (u32)buf[i + 3] << 16 | (u32)top << 24;
			u32 pc = start + (u32)i + 5;
			u32 dest;

			for (;;) {
				u32 n, shift;

				dest = src - pc;
				if (!mask)
					break;
				n = recheck_byte[(mask >> 1) & 7];
				if (!n)
					break;
				shift = 24 - 8 * n;
				if (!is_sign_byte((u8)(dest >> shift)))
					break;
				src = dest ^ ((1u << (shift + 8)) - 1);
			}
			/* Store 25 bits, sign-extended from bit 24. */
			buf[i + 1] = (u8)dest;
			buf[i + 2] = (u8)(dest >> 8);
			buf[i + 3] = (u8)(dest >> 16);
			buf[i + 4] = (dest & 0x01000000) ? 0xff : 0x00;
			i += 4;
			mask = 0;
		} else {
			mask |= 1;
			if (is_sign_byte(top))
				mask |= 0x10;
		}
	}
}
