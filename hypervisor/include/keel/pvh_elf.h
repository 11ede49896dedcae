/* SPDX-License-Identifier: GPL-2.0-only */
/* Validating ELF64 parser and loader for PVH kernels, and bzImage payload lookup. */
#ifndef KEEL_PVH_ELF_H
#define KEEL_PVH_ELF_H

#include <keel/types.h>

#define PVH_MAX_SEGMENTS 16

struct pvh_elf_segment {
	u64 paddr, offset, filesz, memsz; /* offset: from the start of the image given to parse */
};

struct pvh_kernel_info {
	u32 phys32_entry; /* XEN_ELFNOTE_PHYS32_ENTRY (4- or 8-byte descriptor, low 32 bits) */
	u64 load_start, load_end; /* lowest p_paddr, highest p_paddr + p_memsz */
	unsigned int nr_segments;
	struct pvh_elf_segment seg[PVH_MAX_SEGMENTS];
};

/*
 * Validate an image and find its PVH entry. Returns 0, -ENOEXEC for an image
 * of a kind we cannot boot (not ELF, 32-bit, other machine, no PVH note,
 * compressed bzImage) or -EINVAL for a malformed one, and then points *why
 * at a sentence naming the problem (valid until the next call; not
 * reentrant). Never reads outside image[0..size). A bzImage whose payload is
 * an uncompressed ELF is parsed through to that ELF, with segment offsets
 * relative to the bzImage.
 */
int pvh_elf_parse(const void *image, size_t size, struct pvh_kernel_info *info,
		  const char **why);

/* write(ctx, gpa, src, len): copy len bytes to gpa; src == NULL means zeros. */
typedef int (*pvh_write_fn)(void *ctx, u64 gpa, const void *src, size_t len);

/* Copy each PT_LOAD to its p_paddr and zero its memsz - filesz tail. 0 or the first error of write. */
int pvh_elf_load(const void *image, const struct pvh_kernel_info *info,
		 pvh_write_fn write, void *ctx);

enum pvh_compression { PVH_COMP_NONE, PVH_COMP_XZ, PVH_COMP_GZIP, PVH_COMP_OTHER };

/*
 * If image is a Linux bzImage ("HdrS" at 0x202, boot protocol >= 2.08),
 * find its payload and what it is from its magic: NONE for a plain ELF, XZ,
 * GZIP, or OTHER (LZMA, bzip2, LZO, LZ4, ZSTD). A compressed payload ends
 * with the 4-byte little-endian size of the decompressed kernel. 0, or
 * -EINVAL with *why.
 */
int pvh_bzimage_payload(const void *image, size_t size, const u8 **payload,
			size_t *payload_len, enum pvh_compression *comp,
			const char **why);

#endif
