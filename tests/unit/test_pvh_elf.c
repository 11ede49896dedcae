// SPDX-License-Identifier: GPL-2.0-only
/* Host tests for the PVH ELF parser/loader on ELF and bzImage fixtures built here, plus a real kernel if cached. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <cmocka.h>

#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/pvh_elf.h>

static void wr(u8 *p, u64 v, unsigned int n)
{
	while (n--) {
		*p++ = (u8)v;
		v >>= 8;
	}
}

/* Fixture layout: headers at the front, contents from 0x1000, notes last so the file ends with them. */
#define TEXT_OFF 0x1000
#define TEXT_PA 0x1000000ULL
#define TEXT_SZ 0x200
#define DATA_OFF 0x1200
#define DATA_PA 0x1200000ULL
#define DATA_SZ 0x100
#define DATA_MEMSZ 0x3000
#define NOTE_OFF 0x1400
#define PHOFF 0x40
#define SHOFF 0x600
#define ENTRY 0x1000010

struct fixture {
	int desc_size;	/* 0: no PVH note, else 2/4/8 */
	bool pt_note;	/* notes covered by a PT_NOTE */
	bool sh_note;	/* notes covered by a SHT_NOTE section */
	unsigned int extra_loads; /* more PT_LOADs, 1 page each above 0x2000000 */
};

static size_t note(u8 *p, const char *owner, u32 type, const void *desc, u32 descsz)
{
	u32 namesz = strlen(owner) + 1;
	size_t n = 12;

	wr(p, namesz, 4);
	wr(p + 4, descsz, 4);
	wr(p + 8, type, 4);
	memcpy(p + n, owner, namesz);
	n += ALIGN_UP(namesz, 4);
	memcpy(p + n, desc, descsz);
	return n + ALIGN_UP(descsz, 4);
}

static void phdr(u8 *ph, u32 type, u64 off, u64 pa, u64 filesz, u64 memsz)
{
	wr(ph, type, 4);
	wr(ph + 4, 5, 4);
	wr(ph + 8, off, 8);
	wr(ph + 16, pa + 0xffffffff80000000ULL, 8); /* vaddr: ignored */
	wr(ph + 24, pa, 8);
	wr(ph + 32, filesz, 8);
	wr(ph + 40, memsz, 8);
	wr(ph + 48, 0x1000, 8);
}

/* Build an image into a malloc'd buffer of exactly its size, so ASan sees any over-read. */
static u8 *build(const struct fixture *f, size_t *size)
{
	u8 buf[0x2000] = { 0 };
	u8 desc[8];
	unsigned int nph = 4 + f->extra_loads, i;
	size_t n = NOTE_OFF, notes_len;
	u8 *img;

	assert_true(PHOFF + nph * 56 <= SHOFF);
	memcpy(buf, "\x7f" "ELF\x02\x01\x01", 7);
	wr(buf + 0x10, 2, 2);	/* ET_EXEC */
	wr(buf + 0x12, 62, 2);	/* x86-64 */
	wr(buf + 0x14, 1, 4);
	wr(buf + 0x18, 0xffffffff81000000ULL, 8);
	wr(buf + 0x20, PHOFF, 8);
	wr(buf + 0x28, SHOFF, 8);
	wr(buf + 0x34, 64, 2);
	wr(buf + 0x36, 56, 2);
	wr(buf + 0x38, nph, 2);
	wr(buf + 0x3a, 64, 2);
	wr(buf + 0x3c, 3, 2);

	for (i = 0; i < TEXT_SZ; i++)
		buf[TEXT_OFF + i] = (u8)(i * 3 + 1);
	for (i = 0; i < DATA_SZ; i++)
		buf[DATA_OFF + i] = (u8)(i * 5 + 2);

	/* Notes that must be stepped over before the one we want. */
	n += note(buf + n, "Xen", 6, "linux", 6);
	n += note(buf + n, "GNU", 3, "0123456789abcdefghij", 20);
	n += note(buf + n, "Linux", 18, "\x01\x02\x03\x04", 4); /* type 18, wrong owner */
	n += note(buf + n, "Xe", 18, "\x01\x02\x03\x04", 4);	 /* prefix of the owner */
	if (f->desc_size) {
		wr(desc, ENTRY | (f->desc_size == 8 ? 0xdeadbeef00000000ULL : 0), 8);
		n += note(buf + n, "Xen", 18, desc, f->desc_size);
	}
	n += note(buf + n, "Xen", 17, "\x01\x88\x00\x00", 4);
	notes_len = n - NOTE_OFF;

	phdr(buf + PHOFF, 1, TEXT_OFF, TEXT_PA, TEXT_SZ, TEXT_SZ);
	phdr(buf + PHOFF + 56, 1, DATA_OFF, DATA_PA, DATA_SZ, DATA_MEMSZ);
	phdr(buf + PHOFF + 112, f->pt_note ? 4 : 0, NOTE_OFF, 0, notes_len, notes_len);
	phdr(buf + PHOFF + 168, 0x6474e551, 0, 0, 0, 0); /* PT_GNU_STACK */
	for (i = 0; i < f->extra_loads; i++)
		phdr(buf + PHOFF + (4 + i) * 56, 1, TEXT_OFF, 0x2000000 + i * 0x1000, 0x10, 0x1000);

	/* Sections: null, the notes, and a PROGBITS. */
	wr(buf + SHOFF + 64 + 4, f->sh_note ? 7 : 1, 4);
	wr(buf + SHOFF + 64 + 0x18, NOTE_OFF, 8);
	wr(buf + SHOFF + 64 + 0x20, notes_len, 8);
	wr(buf + SHOFF + 128 + 4, 1, 4);
	wr(buf + SHOFF + 128 + 0x18, TEXT_OFF, 8);
	wr(buf + SHOFF + 128 + 0x20, TEXT_SZ, 8);

	img = malloc(n);
	memcpy(img, buf, n);
	*size = n;
	return img;
}

static const struct fixture good = { 8, true, true, 0 };

/* Expect failure with exactly this reason. */
static void expect(const u8 *img, size_t size, int rc, const char *reason)
{
	struct pvh_kernel_info info;
	const char *why = NULL;
	int got = pvh_elf_parse(img, size, &info, &why);

	if (got != rc || !why || strcmp(why, reason))
		fail_msg("got %d \"%s\", want %d \"%s\"", got, why ? why : "(null)", rc, reason);
}

static void check_good_info(const struct pvh_kernel_info *info, u64 base)
{
	assert_int_equal(info->phys32_entry, ENTRY);
	assert_int_equal(info->nr_segments, 2);
	assert_int_equal(info->load_start, TEXT_PA);
	assert_int_equal(info->load_end, DATA_PA + DATA_MEMSZ);
	assert_int_equal(info->seg[0].paddr, TEXT_PA);
	assert_int_equal(info->seg[0].offset, base + TEXT_OFF);
	assert_int_equal(info->seg[0].filesz, TEXT_SZ);
	assert_int_equal(info->seg[0].memsz, TEXT_SZ);
	assert_int_equal(info->seg[1].paddr, DATA_PA);
	assert_int_equal(info->seg[1].offset, base + DATA_OFF);
	assert_int_equal(info->seg[1].filesz, DATA_SZ);
	assert_int_equal(info->seg[1].memsz, DATA_MEMSZ);
}

static void test_good_images(void **state)
{
	static const struct fixture variants[] = {
		{ 8, true, true, 0 },  { 4, true, true, 0 }, { 8, false, true, 0 },
		{ 4, false, true, 0 }, { 8, true, false, 0 }, { 4, true, false, 0 },
	};
	struct pvh_kernel_info info;
	const char *why = "unset";
	size_t i, size;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(variants); i++) {
		u8 *img = build(&variants[i], &size);

		memset(&info, 0xcc, sizeof(info));
		assert_int_equal(pvh_elf_parse(img, size, &info, &why), 0);
		assert_null(why);
		check_good_info(&info, 0);
		free(img);
	}
}

static void test_no_note(void **state)
{
	static const char *const no_pvh =
		"kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y";
	struct fixture f = good;
	size_t size;
	u8 *img;

	(void)state;
	f.desc_size = 0;
	img = build(&f, &size);
	expect(img, size, -ENOEXEC, no_pvh);
	free(img);

	/* The note exists but is covered by neither a PT_NOTE nor a SHT_NOTE. */
	f = good;
	f.pt_note = f.sh_note = false;
	img = build(&f, &size);
	expect(img, size, -ENOEXEC, no_pvh);
	free(img);

	f = good;
	f.desc_size = 2;
	img = build(&f, &size);
	expect(img, size, -EINVAL,
	       "program header 2: PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) has a 2-byte descriptor; 4 or 8 expected");
	f.pt_note = false;
	free(img);
	img = build(&f, &size);
	expect(img, size, -EINVAL,
	       "section 1: PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY) has a 2-byte descriptor; 4 or 8 expected");
	free(img);
}

static void test_header_checks(void **state)
{
	size_t size;
	u8 *img = build(&good, &size);
	u8 *bad = malloc(size);

	(void)state;
#define POKE(off, v, n, rc, reason)          \
	do {                                 \
		memcpy(bad, img, size);      \
		wr(bad + (off), (v), (n));   \
		expect(bad, size, rc, reason); \
	} while (0)
	POKE(0, 0x7e, 1, -ENOEXEC, "not an ELF file (and not a bzImage)");
	POKE(4, 1, 1, -ENOEXEC, "ELF is 32-bit; a 64-bit PVH kernel is required");
	POKE(4, 3, 1, -ENOEXEC, "ELF has an invalid class (neither 32- nor 64-bit)");
	POKE(5, 2, 1, -ENOEXEC, "ELF is not little-endian; an x86-64 kernel is required");
	POKE(6, 0, 1, -ENOEXEC, "ELF has an unknown version (not 1)");
	POKE(0x12, 3, 2, -ENOEXEC, "ELF is for machine 3, not x86-64 (62)");
	POKE(0x12, 183, 2, -ENOEXEC, "ELF is for machine 183, not x86-64 (62)");
	POKE(0x10, 1, 2, -ENOEXEC, "ELF is not an executable (type is neither EXEC nor DYN)");
	POKE(0x36, 32, 2, -EINVAL, "ELF program header size is not 56");
	POKE(0x38, 0xffff, 2, -EINVAL, "ELF has too many program headers (65535 or more)");
	POKE(0x38, 0, 2, -EINVAL, "ELF has no loadable segments");
	POKE(0x20, 0xffffffffffffffc0ULL, 8, -EINVAL,
	     "program header table extends past the end of the file");
	POKE(0x20, size - 100, 8, -EINVAL, "program header table extends past the end of the file");
	POKE(PHOFF + 56 + 8, 0xfffffffffffffff0ULL, 8, -EINVAL,
	     "program header 1 extends past the end of the file");
	POKE(PHOFF + 56 + 32, size, 8, -EINVAL, "program header 1 extends past the end of the file");
	POKE(PHOFF + 112 + 32, 0xffffffffffffff00ULL, 8, -EINVAL,
	     "program header 2 extends past the end of the file");
	POKE(PHOFF + 56 + 40, DATA_SZ - 1, 8, -EINVAL,
	     "program header 1 has a file size larger than its memory size");
	POKE(PHOFF + 56 + 24, 0xfffffffffffff000ULL, 8, -EINVAL,
	     "program header 1 wraps around the physical address space");
	POKE(PHOFF + 56 + 24, TEXT_PA + TEXT_SZ - 1, 8, -EINVAL, "segments 0 and 1 overlap");
	POKE(PHOFF + 56 + 24, TEXT_PA - DATA_MEMSZ + 1, 8, -EINVAL, "segments 0 and 1 overlap");
	/* A note whose sizes run past its area, in either place we look. */
	POKE(NOTE_OFF, 0xffffffff, 4, -EINVAL, "program header 2: a note runs past the end of its area");
	POKE(NOTE_OFF + 4, 0xfffffff0, 4, -EINVAL,
	     "program header 2: a note runs past the end of its area");
#undef POKE
	free(bad);
	free(img);
}

/* Defects only visible when the sections are needed (no PT_NOTE). */
static void test_section_checks(void **state)
{
	struct fixture f = good;
	size_t size;
	u8 *img, *bad;

	(void)state;
	f.pt_note = false;
	img = build(&f, &size);
	bad = malloc(size);
#define POKE(off, v, n, rc, reason)          \
	do {                                 \
		memcpy(bad, img, size);      \
		wr(bad + (off), (v), (n));   \
		expect(bad, size, rc, reason); \
	} while (0)
	POKE(0x28, 0xffffffffffffff00ULL, 8, -EINVAL,
	     "section header table extends past the end of the file");
	POKE(0x3c, 0x7000, 2, -EINVAL, "section header table extends past the end of the file");
	POKE(0x3a, 40, 2, -EINVAL, "ELF section header size is not 64");
	POKE(SHOFF + 64 + 0x18, 0xffffffffffffffffULL, 8, -EINVAL,
	     "section 1 extends past the end of the file");
	POKE(SHOFF + 64 + 0x20, size, 8, -EINVAL, "section 1 extends past the end of the file");
	POKE(NOTE_OFF, 0xfffffffd, 4, -EINVAL, "section 1: a note runs past the end of its area");
#undef POKE
	free(bad);
	free(img);
}

/* A broken section table does not matter when a PT_NOTE has the entry. */
static void expect_ok_despite_sections(void **state)
{
	struct pvh_kernel_info info;
	const char *why;
	size_t size;
	u8 *img = build(&good, &size);

	(void)state;
	wr(img + 0x28, 0xffffffffffffff00ULL, 8);
	assert_int_equal(pvh_elf_parse(img, size, &info, &why), 0);
	check_good_info(&info, 0);
	free(img);
}

static void test_entry_outside(void **state)
{
	size_t size;
	u8 *img = build(&good, &size);
	u8 *p = memmem(img + NOTE_OFF, size - NOTE_OFF, "\x10\x00\x00\x01\xef\xbe\xad\xde", 8);

	(void)state;
	assert_non_null(p);
	wr(p, DATA_PA + DATA_SZ, 4); /* in the zeroed tail, not the loaded contents */
	expect(img, size, -EINVAL, "PVH entry 0x1200100 is not inside the loaded contents of any segment");
	free(img);
}

static void test_segment_limit(void **state)
{
	struct fixture f = good;
	struct pvh_kernel_info info;
	const char *why;
	size_t size;
	u8 *img;

	(void)state;
	f.extra_loads = PVH_MAX_SEGMENTS - 2;
	img = build(&f, &size);
	assert_int_equal(pvh_elf_parse(img, size, &info, &why), 0);
	assert_int_equal(info.nr_segments, PVH_MAX_SEGMENTS);
	assert_int_equal(info.load_end, 0x2000000 + (PVH_MAX_SEGMENTS - 2) * 0x1000);
	free(img);
	f.extra_loads++;
	img = build(&f, &size);
	expect(img, size, -EINVAL, "more than 16 loadable segments");
	free(img);
}

/* Every strict prefix of a good image is refused, and nothing reads past it (ASan). */
static void test_truncated(void **state)
{
	struct pvh_kernel_info info;
	const char *why;
	size_t size, n;
	u8 *img = build(&good, &size);

	(void)state;
	for (n = 0; n < size; n++) {
		u8 *t = malloc(n ? n : 1);

		memcpy(t, img, n);
		why = NULL;
		if (pvh_elf_parse(t, n, &info, &why) == 0)
			fail_msg("prefix of %zu bytes accepted", n);
		assert_non_null(why);
		free(t);
	}
	expect(img, 10, -EINVAL, "ELF file is truncated inside its header");
	expect(img, 3, -ENOEXEC, "not an ELF file (and not a bzImage)");
	free(img);
}

/* Random corruption never crashes, and whatever is accepted is self-consistent. */
static void test_fuzz(void **state)
{
	struct pvh_kernel_info info;
	const char *why;
	size_t size, i;
	u8 *img = build(&good, &size);
	u8 *t = malloc(size);
	int round, accepted = 0;

	(void)state;
	srand(12345);
	for (round = 0; round < 30000; round++) {
		int flips = 1 + rand() % 4, k;

		memcpy(t, img, size);
		for (k = 0; k < flips; k++) {
			/* Mostly the headers and notes, where the parser looks. */
			size_t at = rand() % 2 ? (size_t)rand() % 0x100 :
				    NOTE_OFF + (size_t)rand() % (size - NOTE_OFF);

			t[at] = rand() % 3 ? (u8)rand() : 0xff;
		}
		why = NULL;
		if (pvh_elf_parse(t, size, &info, &why)) {
			assert_non_null(why);
			continue;
		}
		accepted++;
		assert_true(info.nr_segments >= 1 && info.nr_segments <= PVH_MAX_SEGMENTS);
		for (i = 0; i < info.nr_segments; i++) {
			assert_true(info.seg[i].offset <= size);
			assert_true(info.seg[i].filesz <= size - info.seg[i].offset);
			assert_true(info.seg[i].filesz <= info.seg[i].memsz);
			assert_true(info.seg[i].paddr >= info.load_start);
			assert_true(info.seg[i].paddr + info.seg[i].memsz <= info.load_end);
		}
	}
	assert_true(accepted > 100); /* the fuzzing also exercised the success path */
	free(t);
	free(img);
}

/* The loader's writes, recorded. */
struct write_log {
	int n, fail_at, rc;
	struct {
		u64 gpa;
		const void *src;
		size_t len;
	} w[8];
};

static int record_write(void *ctx, u64 gpa, const void *src, size_t len)
{
	struct write_log *log = ctx;

	if (log->n == log->fail_at)
		return log->rc;
	assert_true(log->n < 8);
	log->w[log->n].gpa = gpa;
	log->w[log->n].src = src;
	log->w[log->n].len = len;
	log->n++;
	return 0;
}

static void check_load(const u8 *img, const struct pvh_kernel_info *info, u64 base)
{
	struct write_log log = { .fail_at = -1 };

	assert_int_equal(pvh_elf_load(img, info, record_write, &log), 0);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.w[0].gpa, TEXT_PA);
	assert_ptr_equal(log.w[0].src, img + base + TEXT_OFF);
	assert_int_equal(log.w[0].len, TEXT_SZ);
	assert_int_equal(log.w[1].gpa, DATA_PA);
	assert_ptr_equal(log.w[1].src, img + base + DATA_OFF);
	assert_int_equal(log.w[1].len, DATA_SZ);
	assert_int_equal(log.w[2].gpa, DATA_PA + DATA_SZ);
	assert_null(log.w[2].src);
	assert_int_equal(log.w[2].len, DATA_MEMSZ - DATA_SZ);
	assert_int_equal(((const u8 *)log.w[1].src)[1], 7);

	/* The first error stops the load and is returned as is. */
	memset(&log, 0, sizeof(log));
	log.fail_at = 1;
	log.rc = -EFAULT;
	assert_int_equal(pvh_elf_load(img, info, record_write, &log), -EFAULT);
	assert_int_equal(log.n, 1);
}

static void test_load(void **state)
{
	struct pvh_kernel_info info;
	const char *why;
	size_t size;
	u8 *img = build(&good, &size);

	(void)state;
	assert_int_equal(pvh_elf_parse(img, size, &info, &why), 0);
	check_load(img, &info, 0);
	free(img);
}

/* A bzImage around the given payload: setup_sects 1, so the payload field is relative to 1024. */
static u8 *build_bzimage(const void *payload, size_t len, size_t *size)
{
	size_t total = 1024 + 0x100 + len + 4;
	u8 *b = calloc(1, total);

	b[0x1f1] = 1;
	memcpy(b + 0x202, "HdrS", 4);
	wr(b + 0x206, 0x020f, 2);
	wr(b + 0x248, 0x100, 4);
	wr(b + 0x24c, len, 4);
	memcpy(b + 1024 + 0x100, payload, len);
	*size = total;
	return b;
}

static void test_bzimage(void **state)
{
	static const struct {
		const char *magic;
		size_t len;
		enum pvh_compression comp;
		const char *why;
	} kinds[] = {
		{ "\xfd" "7zXZ\0junk", 10, PVH_COMP_XZ,
		  "bzImage with an XZ-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "\x1f\x8b\x08\x00", 4, PVH_COMP_GZIP,
		  "bzImage with a gzip-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "\x28\xb5\x2f\xfd\x00", 5, PVH_COMP_OTHER,
		  "bzImage with a ZSTD-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "BZh91AY", 7, PVH_COMP_OTHER,
		  "bzImage with a bzip2-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "\x5d\x00\x00\x80\x00", 5, PVH_COMP_OTHER,
		  "bzImage with an LZMA-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "\x89LZO\x00", 5, PVH_COMP_OTHER,
		  "bzImage with an LZO-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
		{ "\x02\x21\x4c\x18\x00", 5, PVH_COMP_OTHER,
		  "bzImage with an LZ4-compressed payload: decompression is not available yet (boot the extracted vmlinux)" },
	};
	enum pvh_compression comp;
	const u8 *payload;
	size_t plen, size, i;
	const char *why;
	u8 *b;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		b = build_bzimage(kinds[i].magic, kinds[i].len, &size);
		assert_int_equal(pvh_bzimage_payload(b, size, &payload, &plen, &comp, &why), 0);
		assert_ptr_equal(payload, b + 1024 + 0x100);
		assert_int_equal(plen, kinds[i].len);
		assert_int_equal(comp, kinds[i].comp);
		expect(b, size, -ENOEXEC, kinds[i].why);
		free(b);
	}

	b = build_bzimage("\x12\x34\x56\x78", 4, &size);
	assert_int_equal(pvh_bzimage_payload(b, size, &payload, &plen, &comp, &why), -EINVAL);
	assert_string_equal(why, "bzImage payload is in an unknown format (neither ELF nor a known compression)");
	/* setup_sects 0 means 4: the payload is then looked for elsewhere. */
	b[0x1f1] = 0;
	expect(b, size, -ENOEXEC, "bzImage payload extends past the end of the file");
	b[0x1f1] = 1;
	wr(b + 0x24c, 0xffffffff, 4);
	expect(b, size, -ENOEXEC, "bzImage payload extends past the end of the file");
	wr(b + 0x248, 0xfffffff0, 4);
	wr(b + 0x24c, 0x20, 4);
	expect(b, size, -ENOEXEC, "bzImage payload extends past the end of the file");
	wr(b + 0x206, 0x0206, 2);
	expect(b, size, -ENOEXEC,
	       "bzImage boot protocol 2.06 is older than 2.08 and does not describe its payload");
	/* Too short to hold the payload fields. */
	expect(b, 0x240, -ENOEXEC, "not a bzImage (no \"HdrS\" at 0x202)");
	free(b);

	b = malloc(0x300);
	memset(b, 0, 0x300);
	assert_int_equal(pvh_bzimage_payload(b, 0x300, &payload, &plen, &comp, &why), -EINVAL);
	assert_string_equal(why, "not a bzImage (no \"HdrS\" at 0x202)");
	free(b);
}

/* A bzImage whose payload is a plain ELF parses through, offsets relative to the bzImage. */
static void test_bzimage_elf_payload(void **state)
{
	struct pvh_kernel_info info;
	enum pvh_compression comp;
	const u8 *payload;
	const char *why;
	size_t esize, size, plen;
	u8 *elf = build(&good, &esize);
	u8 *b = build_bzimage(elf, esize, &size);

	(void)state;
	assert_int_equal(pvh_bzimage_payload(b, size, &payload, &plen, &comp, &why), 0);
	assert_int_equal(comp, PVH_COMP_NONE);
	assert_int_equal(pvh_elf_parse(b, size, &info, &why), 0);
	check_good_info(&info, 1024 + 0x100);
	check_load(b, &info, 1024 + 0x100);
	/* The ELF inside is checked as strictly as a bare one. */
	wr(b + 1024 + 0x100 + 4, 1, 1);
	expect(b, size, -ENOEXEC, "ELF is 32-bit; a 64-bit PVH kernel is required");
	free(b);
	free(elf);
}

/* Run a shell pipeline into a malloc'd buffer; NULL if it fails or prints nothing. */
static u8 *slurp(const char *cmd, size_t *len)
{
	FILE *f = popen(cmd, "r");
	size_t cap = 1 << 20, n = 0, r;
	u8 *buf;

	if (!f)
		return NULL;
	buf = malloc(cap);
	while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (pclose(f) != 0 || n == 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/*
 * The Debian 12 kernel the project targets, if another test has cached its
 * package: the bzImage is refused with the XZ reason, and the vmlinux inside
 * (unpacked here with the xz tool) has the entry xen-pvh-abi.md §1.1 records.
 */
static void test_real_debian_kernel(void **state)
{
	struct pvh_kernel_info info;
	enum pvh_compression comp;
	const u8 *payload;
	const char *why;
	char cmd[1024];
	size_t size, plen, vsize;
	u8 *bz, *vmlinux;
	glob_t g;
	FILE *f;

	(void)state;
	if (glob("build/cache/linux-image-6.1.*-amd64_*.deb", 0, NULL, &g) || !g.gl_pathc) {
		globfree(&g);
		skip();
	}
	snprintf(cmd, sizeof(cmd),
		 "dpkg-deb --fsys-tarfile '%s' 2>/dev/null | tar -xO --wildcards './boot/vmlinuz-*' 2>/dev/null",
		 g.gl_pathv[0]);
	globfree(&g);
	bz = slurp(cmd, &size);
	if (!bz)
		skip();
	expect(bz, size, -ENOEXEC,
	       "bzImage with an XZ-compressed payload: decompression is not available yet (boot the extracted vmlinux)");
	assert_int_equal(pvh_bzimage_payload(bz, size, &payload, &plen, &comp, &why), 0);
	assert_int_equal(comp, PVH_COMP_XZ);

	f = fopen("build/unit/pvh_elf_payload.xz", "w");
	assert_non_null(f);
	assert_int_equal(fwrite(payload, 1, plen, f), plen);
	fclose(f);
	free(bz);
	vmlinux = slurp("xz -dc --single-stream build/unit/pvh_elf_payload.xz 2>/dev/null", &vsize);
	remove("build/unit/pvh_elf_payload.xz");
	if (!vmlinux)
		skip();
	assert_int_equal(pvh_elf_parse(vmlinux, vsize, &info, &why), 0);
	assert_int_equal(info.phys32_entry, 0x01000850);
	assert_int_equal(info.load_start, 0x1000000);
	assert_int_equal(info.load_end, 0x4a00000);
	assert_int_equal(info.nr_segments, 4);
	assert_int_equal(info.seg[2].paddr, 0x3044000);
	free(vmlinux);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_images),
		cmocka_unit_test(test_no_note),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_section_checks),
		cmocka_unit_test(expect_ok_despite_sections),
		cmocka_unit_test(test_entry_outside),
		cmocka_unit_test(test_segment_limit),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fuzz),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_bzimage_elf_payload),
		cmocka_unit_test(test_real_debian_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
