// SPDX-License-Identifier: GPL-2.0-only
/*
 * CRC32 (IEEE 802.3) and CRC64 (ECMA-182), the checksums .xz uses for its
 * headers, index and block data; both bit-reflected, as .xz stores them.
 */
#include <keel/lib.h>
#include "xz_private.h"

#define CRC32_POLY 0xedb88320u
#define CRC64_POLY 0xc96c5795d7870f42ull

/*
 * Block data (63 MiB for a kernel) dominates the checksum work, so CRC32
 * takes 8 bytes per step: crc32_table[k][b] is the CRC of byte b followed
 * by k zero bytes. Tables are built at run time to keep 10 KiB of magic
 * numbers out of the source.
 */
static u32 crc32_table[8][256];
static u64 crc64_table[256];
static bool crc_tables_ready;

void xz_crc_init(void)
{
	u32 i, k;

	if (crc_tables_ready)
		return;
	for (i = 0; i < 256; i++) {
		u32 c32 = i;
		u64 c64 = i;

		for (k = 0; k < 8; k++) {
			c32 = (c32 >> 1) ^ ((c32 & 1) ? CRC32_POLY : 0);
			c64 = (c64 >> 1) ^ ((c64 & 1) ? CRC64_POLY : 0);
		}
		crc32_table[0][i] = c32;
		crc64_table[i] = c64;
	}
	for (k = 1; k < 8; k++)
		for (i = 0; i < 256; i++) {
			u32 prev = crc32_table[k - 1][i];

			crc32_table[k][i] =
				(prev >> 8) ^ crc32_table[0][prev & 0xff];
		}
	crc_tables_ready = true;
}

static inline u32 load_le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

u32 xz_crc32(const u8 *buf, size_t len, u32 crc)
{
	crc = ~crc;
	while (len >= 8) {
		u32 lo = crc ^ load_le32(buf);
		u32 hi = load_le32(buf + 4);

		crc = crc32_table[7][lo & 0xff] ^
		      crc32_table[6][(lo >> 8) & 0xff] ^
		      crc32_table[5][(lo >> 16) & 0xff] ^
		      crc32_table[4][lo >> 24] ^ crc32_table[3][hi & 0xff] ^
		      crc32_table[2][(hi >> 8) & 0xff] ^
		      crc32_table[1][(hi >> 16) & 0xff] ^
		      crc32_table[0][hi >> 24];
		buf += 8;
		len -= 8;
	}
	while (len--)
		crc = crc32_table[0][(crc ^ *buf++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

u64 xz_crc64(const u8 *buf, size_t len, u64 crc)
{
	crc = ~crc;
	while (len--)
		crc = crc64_table[(crc ^ *buf++) & 0xff] ^ (crc >> 8);
	return ~crc;
}
