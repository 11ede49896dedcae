// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finds the PVH entry of a kernel image and loads its segments. The image
 * is untrusted input: every offset and size is checked before use.
 */
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/pvh_elf.h>
#include <public/elfnote.h>

#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define SHDR_SIZE 64
#define EM_X86_64 62
#define ET_EXEC 2
#define ET_DYN 3
#define PT_LOAD 1
#define PT_NOTE 4
#define SHT_NOTE 7
#define PN_XNUM 0xffff

/* Reasons with numbers in them are formatted here; one parse at a time. */
static char why_buf[160];

/* Images may sit at any alignment (a payload inside a bzImage): read bytes. */
static u64 rd(const u8 *p, unsigned int n)
{
	u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* True when [off, off + len) lies inside [0, size), without overflowing. */
static bool in_bounds(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

struct note_search {
	bool found;
	u32 entry;
	const char *err;
};

/*
 * Walk the notes in [off, off + len) for "Xen" PHYS32_ENTRY. Name and
 * descriptor are padded to 4 bytes even in ELF64, as Linux emits them and
 * Xen reads them, whatever the alignment of the note area.
 */
static void search_notes(const u8 *img, u64 off, u64 len, const char *where,
			 struct note_search *ns)
{
	const u64 align = 4;
	u64 end = off + len, p = off;

	while (end - p >= 12) {
		u64 namesz = rd(img + p, 4), descsz = rd(img + p + 4, 4);
		u32 type = rd(img + p + 8, 4);
		u64 name = p + 12, desc = name + ALIGN_UP(namesz, align);

		if (desc > end || ALIGN_UP(descsz, align) > end - desc) {
			snprintf(why_buf, sizeof(why_buf),
				 "%s: a note runs past the end of its area", where);
			ns->err = why_buf;
			return;
		}
		if (namesz == 4 && !memcmp(img + name, "Xen", 4) &&
		    type == XEN_ELFNOTE_PHYS32_ENTRY) {
			if (descsz != 4 && descsz != 8) {
				snprintf(why_buf, sizeof(why_buf),
					 "%s: PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) has a %llu-byte descriptor; 4 or 8 expected",
					 where, (unsigned long long)descsz);
				ns->err = why_buf;
				return;
			}
			ns->entry = rd(img + desc, 4);
			ns->found = true;
			return;
		}
		p = desc + ALIGN_UP(descsz, align);
	}
}

static int fail(const char **why, const char *reason, int rc)
{
	*why = reason;
	return rc;
}

/* Load segments: validate each PT_LOAD and look in each PT_NOTE. */
static int parse_phdrs(const u8 *img, u64 size, u64 phoff, unsigned int phnum,
		       struct pvh_kernel_info *info, struct note_search *ns,
		       const char **why)
{
	u16 phidx[PVH_MAX_SEGMENTS]; /* program header of each segment, for messages */
	unsigned int i, j;

	for (i = 0; i < phnum; i++) {
		const u8 *ph = img + phoff + (u64)i * PHDR_SIZE;
		u32 type = rd(ph, 4);
		u64 offset = rd(ph + 8, 8), paddr = rd(ph + 24, 8);
		u64 filesz = rd(ph + 32, 8), memsz = rd(ph + 40, 8);
		struct pvh_elf_segment *s;

		if (type != PT_LOAD && type != PT_NOTE)
			continue;
		if (!in_bounds(offset, filesz, size)) {
			snprintf(why_buf, sizeof(why_buf),
				 "program header %u extends past the end of the file", i);
			return fail(why, why_buf, -EINVAL);
		}
		if (type == PT_NOTE) {
			char where[32];

			if (ns->found)
				continue;
			snprintf(where, sizeof(where), "program header %u", i);
			search_notes(img, offset, filesz, where, ns);
			if (ns->err)
				return fail(why, ns->err, -EINVAL);
			continue;
		}
		if (filesz > memsz) {
			snprintf(why_buf, sizeof(why_buf),
				 "program header %u has a file size larger than its memory size", i);
			return fail(why, why_buf, -EINVAL);
		}
		if (paddr + memsz < paddr) {
			snprintf(why_buf, sizeof(why_buf),
				 "program header %u wraps around the physical address space", i);
			return fail(why, why_buf, -EINVAL);
		}
		if (!memsz)
			continue;
		if (info->nr_segments == PVH_MAX_SEGMENTS) {
			snprintf(why_buf, sizeof(why_buf),
				 "more than %d loadable segments", PVH_MAX_SEGMENTS);
			return fail(why, why_buf, -EINVAL);
		}
		s = &info->seg[info->nr_segments];
		for (j = 0; j < info->nr_segments; j++) {
			const struct pvh_elf_segment *o = &info->seg[j];

			if (paddr < o->paddr + o->memsz && o->paddr < paddr + memsz) {
				snprintf(why_buf, sizeof(why_buf),
					 "segments %u and %u overlap", phidx[j], i);
				return fail(why, why_buf, -EINVAL);
			}
		}
		s->paddr = paddr;
		s->offset = offset;
		s->filesz = filesz;
		s->memsz = memsz;
		phidx[info->nr_segments++] = i;
	}
	return 0;
}

/* Sections, for images whose notes are not covered by a PT_NOTE. */
static int parse_shdrs(const u8 *img, u64 size, struct note_search *ns,
		       const char **why)
{
	u64 shoff = rd(img + 0x28, 8);
	unsigned int shentsize = rd(img + 0x3a, 2), shnum = rd(img + 0x3c, 2), i;

	if (!shoff || !shnum)
		return 0;
	if (shentsize != SHDR_SIZE)
		return fail(why, "ELF section header size is not 64", -EINVAL);
	if (!in_bounds(shoff, (u64)shnum * SHDR_SIZE, size))
		return fail(why, "section header table extends past the end of the file",
			    -EINVAL);
	for (i = 0; i < shnum && !ns->found; i++) {
		const u8 *sh = img + shoff + (u64)i * SHDR_SIZE;
		u64 offset = rd(sh + 0x18, 8), len = rd(sh + 0x20, 8);
		char where[32];

		if (rd(sh + 4, 4) != SHT_NOTE)
			continue;
		if (!in_bounds(offset, len, size)) {
			snprintf(why_buf, sizeof(why_buf),
				 "section %u extends past the end of the file", i);
			return fail(why, why_buf, -EINVAL);
		}
		snprintf(where, sizeof(where), "section %u", i);
		search_notes(img, offset, len, where, ns);
		if (ns->err)
			return fail(why, ns->err, -EINVAL);
	}
	return 0;
}

struct payload_kind {
	const char *magic;
	unsigned int len;
	enum pvh_compression comp;
	const char *name; /* for messages: "bzImage with an XZ-compressed payload" */
};

static const struct payload_kind payload_kinds[] = {
	{ "\x7f" "ELF", 4, PVH_COMP_NONE, NULL },
	{ "\xfd" "7zXZ\0", 6, PVH_COMP_XZ, "an XZ" },
	{ "\x1f\x8b", 2, PVH_COMP_GZIP, "a gzip" },
	{ "\x28\xb5\x2f\xfd", 4, PVH_COMP_OTHER, "a ZSTD" },
	{ "BZh", 3, PVH_COMP_OTHER, "a bzip2" },
	{ "\x5d\x00\x00", 3, PVH_COMP_OTHER, "an LZMA" },
	{ "\x89" "LZO", 4, PVH_COMP_OTHER, "an LZO" },
	{ "\x02\x21\x4c\x18", 4, PVH_COMP_OTHER, "an LZ4" },
};

static const struct payload_kind *bzimage_payload(const u8 *img, size_t size,
						  const u8 **payload, size_t *len,
						  const char **why)
{
	u64 pm_start, off, plen;
	unsigned int setup_sects, version, i;

	if (size < 0x250 || memcmp(img + 0x202, "HdrS", 4)) {
		*why = "not a bzImage (no \"HdrS\" at 0x202)";
		return NULL;
	}
	version = rd(img + 0x206, 2);
	if (version < 0x208) {
		snprintf(why_buf, sizeof(why_buf),
			 "bzImage boot protocol %u.%02u is older than 2.08 and does not describe its payload",
			 version >> 8, version & 0xff);
		*why = why_buf;
		return NULL;
	}
	setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	pm_start = (setup_sects + 1) * 512ULL;
	off = pm_start + rd(img + 0x248, 4);
	plen = rd(img + 0x24c, 4);
	if (!in_bounds(off, plen, size)) {
		*why = "bzImage payload extends past the end of the file";
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(payload_kinds); i++) {
		const struct payload_kind *k = &payload_kinds[i];

		if (plen >= k->len && !memcmp(img + off, k->magic, k->len)) {
			*payload = img + off;
			*len = plen;
			return k;
		}
	}
	*why = "bzImage payload is in an unknown format (neither ELF nor a known compression)";
	return NULL;
}

int pvh_bzimage_payload(const void *image, size_t size, const u8 **payload,
			size_t *payload_len, enum pvh_compression *comp,
			const char **why)
{
	const struct payload_kind *k;

	k = bzimage_payload(image, size, payload, payload_len, why);
	if (!k)
		return -EINVAL;
	*comp = k->comp;
	return 0;
}

static int parse_bzimage(const u8 *img, size_t size, struct pvh_kernel_info *info,
			 const char **why)
{
	const struct payload_kind *k;
	const u8 *payload;
	size_t len;
	unsigned int i;
	int rc;

	k = bzimage_payload(img, size, &payload, &len, why);
	if (!k)
		return -ENOEXEC;
	if (k->comp != PVH_COMP_NONE) {
		snprintf(why_buf, sizeof(why_buf),
			 "bzImage with %s-compressed payload: decompression is not available yet (boot the extracted vmlinux)",
			 k->name);
		*why = why_buf;
		return -ENOEXEC;
	}
	/* A payload that is itself a bzImage is not a kernel: stop here. */
	if (len >= 0x206 && !memcmp(payload + 0x202, "HdrS", 4))
		return fail(why, "bzImage payload is another bzImage", -ENOEXEC);
	rc = pvh_elf_parse(payload, len, info, why);
	if (rc)
		return rc;
	for (i = 0; i < info->nr_segments; i++)
		info->seg[i].offset += payload - img;
	return 0;
}

int pvh_elf_parse(const void *image, size_t size, struct pvh_kernel_info *info,
		  const char **why)
{
	const u8 *img = image;
	struct note_search ns = { false, 0, NULL };
	unsigned int phnum, i;
	u64 phoff;
	int rc;

	memset(info, 0, sizeof(*info));
	if (size >= 0x206 && !memcmp(img + 0x202, "HdrS", 4))
		return parse_bzimage(img, size, info, why);
	if (size < 4 || memcmp(img, "\x7f" "ELF", 4))
		return fail(why, "not an ELF file (and not a bzImage)", -ENOEXEC);
	if (size < EHDR_SIZE)
		return fail(why, "ELF file is truncated inside its header", -EINVAL);
	if (img[4] == 1)
		return fail(why, "ELF is 32-bit; a 64-bit PVH kernel is required", -ENOEXEC);
	if (img[4] != 2)
		return fail(why, "ELF has an invalid class (neither 32- nor 64-bit)", -ENOEXEC);
	if (img[5] != 1)
		return fail(why, "ELF is not little-endian; an x86-64 kernel is required",
			    -ENOEXEC);
	if (img[6] != 1 || rd(img + 0x14, 4) != 1)
		return fail(why, "ELF has an unknown version (not 1)", -ENOEXEC);
	if (rd(img + 0x12, 2) != EM_X86_64) {
		snprintf(why_buf, sizeof(why_buf),
			 "ELF is for machine %u, not x86-64 (62)", (unsigned int)rd(img + 0x12, 2));
		return fail(why, why_buf, -ENOEXEC);
	}
	if (rd(img + 0x10, 2) != ET_EXEC && rd(img + 0x10, 2) != ET_DYN)
		return fail(why, "ELF is not an executable (type is neither EXEC nor DYN)",
			    -ENOEXEC);

	phoff = rd(img + 0x20, 8);
	phnum = rd(img + 0x38, 2);
	if (phnum == PN_XNUM)
		return fail(why, "ELF has too many program headers (65535 or more)", -EINVAL);
	if (phnum && rd(img + 0x36, 2) != PHDR_SIZE)
		return fail(why, "ELF program header size is not 56", -EINVAL);
	if (!in_bounds(phoff, (u64)phnum * PHDR_SIZE, size))
		return fail(why, "program header table extends past the end of the file",
			    -EINVAL);

	rc = parse_phdrs(img, size, phoff, phnum, info, &ns, why);
	if (rc)
		return rc;
	if (!info->nr_segments)
		return fail(why, "ELF has no loadable segments", -EINVAL);
	if (!ns.found) {
		rc = parse_shdrs(img, size, &ns, why);
		if (rc)
			return rc;
	}
	if (!ns.found)
		return fail(why,
			    "kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y",
			    -ENOEXEC);

	info->phys32_entry = ns.entry;
	info->load_start = ~0ULL;
	for (i = 0; i < info->nr_segments; i++) {
		info->load_start = MIN(info->load_start, info->seg[i].paddr);
		info->load_end = MAX(info->load_end, info->seg[i].paddr + info->seg[i].memsz);
	}
	/* The entry must be code we load, or the guest starts in zeros. */
	for (i = 0; i < info->nr_segments; i++)
		if (ns.entry >= info->seg[i].paddr &&
		    ns.entry - info->seg[i].paddr < info->seg[i].filesz)
			break;
	if (i == info->nr_segments) {
		snprintf(why_buf, sizeof(why_buf),
			 "PVH entry %#x is not inside the loaded contents of any segment", ns.entry);
		return fail(why, why_buf, -EINVAL);
	}
	*why = NULL;
	return 0;
}

int pvh_elf_load(const void *image, const struct pvh_kernel_info *info,
		 pvh_write_fn write, void *ctx)
{
	const u8 *img = image;
	unsigned int i;
	int rc;

	for (i = 0; i < info->nr_segments; i++) {
		const struct pvh_elf_segment *s = &info->seg[i];

		if (s->filesz) {
			rc = write(ctx, s->paddr, img + s->offset, s->filesz);
			if (rc)
				return rc;
		}
		if (s->memsz > s->filesz) {
			rc = write(ctx, s->paddr + s->filesz, NULL, s->memsz - s->filesz);
			if (rc)
				return rc;
		}
	}
	return 0;
}
