/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Single-call .xz decoder, used to unpack the XZ payload of a stock Linux
 * bzImage (BCJ-x86 + LZMA2, CRC32) into the domain builder's buffer.
 */
#ifndef KEEL_XZ_H
#define KEEL_XZ_H

#include <keel/types.h>

/*
 * Decompress one complete .xz stream from in[0..in_len) into out[0..out_cap).
 *
 * The output buffer doubles as the LZMA2 dictionary, so nothing is
 * allocated and -ENOMEM is never returned. The decoder's state (~29 KiB of
 * LZMA probabilities and hashes, 10 KiB of CRC tables) is static, kept off
 * the small hypervisor stack, and stack use stays under 1 KiB. Consequently
 * only one call may run at a time: callers on several CPUs must serialise
 * with a lock of their own.
 *
 * Supported: check types none, CRC32, CRC64 and SHA-256; any number of
 * blocks; filter chains LZMA2 and BCJ-x86 (with optional start offset) +
 * LZMA2; compressed/uncompressed sizes in block headers (verified); the
 * index (verified against the blocks decoded); stream padding after the
 * footer (consumed). Data after the stream and its padding, such as the
 * 4-byte size a bzImage appends, is left alone and reported via *consumed.
 *
 * On success returns 0, sets *out_len to the bytes produced and *consumed to
 * the bytes of input used by the stream (padding included).
 * On failure returns -EINVAL (corrupt, truncated or unsupported input) or
 * -ENOSPC (out_cap too small), sets *out_len and *consumed to 0 and points
 * *why at a message naming the cause, e.g. "xz: block 0: CRC32 mismatch".
 * The message stays valid until the next call. On success *why is set to
 * NULL. out_len, consumed and why may each be NULL if not wanted.
 *
 * Never reads outside in[], never writes outside out[] (on failure the
 * contents of out[] are unspecified) and runs in time linear in
 * in_len + out_cap for any input.
 */
int xz_decompress(const u8 *in, size_t in_len, u8 *out, size_t out_cap,
		  size_t *out_len, size_t *consumed, const char **why);

#endif
