// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests for the .xz decoder: round trips against streams made by the
 * host's xz(1), damaged and hand-edited streams, and Debian's real kernel.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>
#include <time.h>

#include <keel/lib.h>
#include <keel/xz.h>
#include "../../hypervisor/common/xz/xz_private.h"

/* keel/errno.h and libc agree on these, which is what the asserts rely on. */
#define XZ_EINVAL 22
#define XZ_ENOSPC 28

#define FIXDIR "build/unit/xz-fixtures"

struct blob {
	u8 *data;
	size_t len;
};

/* ---- helpers ---- */

static int run(const char *fmt, ...) __printf(1, 2);
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ret = system(cmd);
	if (ret != 0)
		fprintf(stderr, "command failed (%d): %s\n", ret, cmd);
	return ret;
}

/* Exactly-sized heap copies, so ASan catches a read one byte past the end. */
static struct blob blob_dup(const u8 *data, size_t len)
{
	struct blob b = { malloc(len ? len : 1), len };

	assert_non_null(b.data);
	if (len)
		memcpy(b.data, data, len);
	return b;
}

static struct blob read_blob(const char *path)
{
	struct blob b;
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	b.len = (size_t)n;
	b.data = malloc(b.len ? b.len : 1);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.len, f), b.len);
	fclose(f);
	return b;
}

static void write_blob(const char *path, const u8 *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static struct blob fixture(const char *name, const char *ext)
{
	char path[256];

	snprintf(path, sizeof(path), FIXDIR "/%s.%s", name, ext);
	return read_blob(path);
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put32(u8 *p, u32 v)
{
	p[0] = (u8)v;
	p[1] = (u8)(v >> 8);
	p[2] = (u8)(v >> 16);
	p[3] = (u8)(v >> 24);
}

/* Independent bitwise CRC32, to re-seal headers the tests edit. */
static u32 ref_crc32(const u8 *p, size_t n)
{
	u32 c = 0xffffffff;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & (0u - (c & 1)));
	}
	return ~c;
}

static u64 get_vli(const u8 *p, size_t *pos)
{
	u64 v = 0;

	for (int i = 0;; i++) {
		u8 b = p[(*pos)++];

		v |= (u64)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return v;
	}
}

static size_t put_vli(u8 *p, u64 v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (u8)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (u8)v;
	return n;
}

static size_t vli_len(u64 v)
{
	u8 tmp[10];

	return put_vli(tmp, v);
}

/* Calls the decoder and checks the output contract common to every call. */
static int decode(const struct blob *in, u8 *out, size_t cap, size_t *out_len,
		  size_t *used, const char **why)
{
	int ret = xz_decompress(in->data, in->len, out, cap, out_len, used,
				why);

	if (ret == 0) {
		assert_null(*why);
		assert_true(*out_len <= cap);
		assert_true(*used <= in->len);
	} else {
		if (ret != -XZ_EINVAL && ret != -XZ_ENOSPC)
			fail_msg("unexpected return %d", ret);
		assert_non_null(*why);
		if (strncmp(*why, "xz: ", 4))
			fail_msg("reason without prefix: %s", *why);
		assert_int_equal(*out_len, 0);
		assert_int_equal(*used, 0);
	}
	return ret;
}

/* Expects failure with a reason that contains want. */
static void expect_error(const struct blob *in, size_t cap, int err,
			 const char *want)
{
	u8 *out = malloc(cap ? cap : 1);
	size_t len = 1, used = 1;
	const char *why = NULL;
	int ret;

	assert_non_null(out);
	ret = decode(in, out, cap, &len, &used, &why);
	if (ret != err || !strstr(why, want))
		fail_msg("want %d \"%s\", got %d \"%s\"", err, want, ret,
			 why ? why : "(null)");
	free(out);
}

/* ---- fixtures, made by the host's xz from data generated here ---- */

static u64 rng_state;

static u32 rng(void)
{
	/* xorshift64*: deterministic, so failures reproduce. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (u32)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void gen_text(u8 *p, size_t n)
{
	static const char *const words[] = {
		"hypervisor", "guest",	"page",	    "table", "grant", "event",
		"channel",    "domain", "the",	    "of",    "a",     "to",
		"memory",     "vcpu",	"interrupt", "xen",   "keel",  "ring",
		"\n",	      ", ",	"and",	    "is",    "map",   "dom0",
	};
	size_t i = 0;

	while (i < n) {
		const char *w = words[rng() % ARRAY_SIZE(words)];
		size_t l = strlen(w);

		for (size_t k = 0; k < l && i < n; k++)
			p[i++] = (u8)w[k];
		if (i < n)
			p[i++] = (rng() % 7) ? ' ' : (u8)('0' + rng() % 10);
	}
}

static void gen_random(u8 *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (u8)rng();
}

/* Long runs and far repeats: max-length matches, big distances, >2 MiB. */
static void gen_repeat(u8 *p, size_t n)
{
	size_t i = 0;

	memset(p, 0, n / 4);
	i = n / 4;
	gen_text(p + i, 65536);
	i += 65536;
	while (i < n) {
		size_t l = MIN(n - i, (size_t)(rng() % 5000 + 300));
		size_t from = rng() % (i - l + 1);

		memmove(p + i, p + from, l);
		i += l;
		if (i < n)
			p[i++] = (u8)rng();
	}
}

/* Text and noise interleaved: LZMA and uncompressed chunks alternate. */
static void gen_mixed(u8 *p, size_t n)
{
	size_t i = 0;
	bool noise = true;

	while (i < n) {
		size_t l = MIN(n - i, (size_t)(rng() % 200000 + 10000));

		if (noise)
			gen_random(p + i, l);
		else
			gen_text(p + i, l);
		noise = !noise;
		i += l;
	}
}

/* Dense E8/E9 and sign bytes: every prefix-mask case of the x86 filter. */
static void gen_bcj(u8 *p, size_t n)
{
	static const u8 pick[] = { 0xe8, 0xe8, 0xe8, 0xe9, 0x00,
				   0x00, 0xff, 0xff, 0x00, 0xff };

	for (size_t i = 0; i < n; i++) {
		u32 r = rng() % 12;

		p[i] = r < ARRAY_SIZE(pick) ? pick[r] : (u8)rng();
	}
}

struct dataset {
	const char *name;
	size_t len;
	void (*gen)(u8 *p, size_t n);
};

static const struct dataset datasets[] = {
	{ "empty", 0, NULL },	       { "one", 1, gen_random },
	{ "text", 300000, gen_text },  { "random", 200000, gen_random },
	{ "repeat", 3 << 20, gen_repeat }, { "mixed", 1 << 20, gen_mixed },
	{ "bcj", 65536, gen_bcj },     { "small", 6000, gen_text },
};

struct xz_fixture {
	const char *name;
	const char *input; /* dataset, or "code" for this test's own binary */
	const char *args;
};

static const struct xz_fixture fixtures[] = {
	{ "empty-crc64", "empty", "" },
	{ "empty-none", "empty", "--check=none" },
	{ "empty-sha256", "empty", "--check=sha256" },
	{ "one-crc32", "one", "--check=crc32" },
	{ "text-0", "text", "-0" },
	{ "text-6-none", "text", "-6 --check=none" },
	{ "text-6-crc32", "text", "-6 --check=crc32" },
	{ "text-6-crc64", "text", "-6 --check=crc64" },
	{ "text-6-sha256", "text", "-6 --check=sha256" },
	{ "text-9e", "text", "--lzma2=preset=9e,dict=1MiB" },
	{ "text-lc0lp4pb4", "text", "--lzma2=preset=6,lc=0,lp=4,pb=4" },
	{ "text-lc4lp0pb0", "text", "--lzma2=preset=6,lc=4,lp=0,pb=0" },
	{ "text-lc1lp3pb2", "text", "--lzma2=preset=6,lc=1,lp=3,pb=2" },
	{ "text-fast", "text", "--lzma2=preset=3,mode=fast,mf=hc4" },
	{ "text-dict4k", "text", "--lzma2=preset=6,dict=4KiB" },
	{ "text-blocks", "text", "--block-size=70000 --check=crc32" },
	{ "text-mt", "text", "-T2 --block-size=50000" },
	{ "random-6", "random", "-6" },
	{ "random-x86", "random", "--x86 --lzma2=preset=6 --check=crc32" },
	{ "repeat-6", "repeat", "-6 --check=crc32" },
	{ "repeat-blocks", "repeat", "--block-size=1MiB --check=sha256" },
	{ "mixed-6", "mixed", "-6 --check=crc32" },
	{ "mixed-x86-mt", "mixed", "-T2 --block-size=300000 --x86 --lzma2" },
	{ "code-plain", "code", "-6" },
	{ "code-x86", "code", "--x86 --lzma2=preset=6 --check=crc32" },
	{ "code-x86-start", "code", "--x86=start=4096 --lzma2 --check=crc64" },
	{ "code-x86-mt", "code", "-T2 --block-size=65536 --x86 --lzma2" },
	{ "bcj-x86", "bcj", "--x86 --lzma2=preset=1 --check=crc32" },
	{ "bcj-x86-start", "bcj", "--x86=start=4294967280 --lzma2 --check=crc32" },
	/* Small ones for exhaustive bit flips and truncations. */
	{ "small-crc32", "small", "-6 --check=crc32" },
	{ "small-x86-mt", "small",
	  "-T2 --block-size=2000 --x86 --lzma2 --check=crc64" },
	{ "small-sha256", "small", "--block-size=3000 --check=sha256" },
	{ "small-none", "small", "--check=none" },
	/* Filters the decoder must refuse by name. */
	{ "small-arm", "small", "--arm --lzma2" },
	{ "small-delta", "small", "--delta=dist=4 --lzma2" },
	{ "small-sparc", "small", "--sparc --lzma2" },
};

static int group_setup(void **state)
{
	(void)state;
	rng_state = 0x6b65656c787a2026ull;
	if (run("mkdir -p " FIXDIR))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(datasets); i++) {
		const struct dataset *d = &datasets[i];
		u8 *p = malloc(d->len ? d->len : 1);
		char path[256];

		if (!p)
			return -1;
		if (d->gen)
			d->gen(p, d->len);
		snprintf(path, sizeof(path), FIXDIR "/%s.bin", d->name);
		write_blob(path, p, d->len);
		free(p);
	}
	/* x86 machine code for the BCJ filter: this very binary. */
	if (run("cp /proc/self/exe " FIXDIR "/code.bin"))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const struct xz_fixture *f = &fixtures[i];

		if (run("xz -c -q %s < " FIXDIR "/%s.bin > " FIXDIR "/%s.xz",
			f->args, f->input, f->name))
			return -1;
	}
	return 0;
}

static const struct xz_fixture *find_fixture(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++)
		if (!strcmp(fixtures[i].name, name))
			return &fixtures[i];
	fail_msg("no fixture %s", name);
	return NULL;
}

static struct blob fixture_plain(const char *name)
{
	return fixture(find_fixture(name)->input, "bin");
}

/* ---- tests ---- */

static void test_checksums(void **state)
{
	static const u8 digits[] = "123456789";
	static const u8 abc_sha[XZ_SHA256_SIZE] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	/* SHA-256 of 1,000,000 x 'a' (FIPS 180-2 test vector). */
	static const u8 million_a_sha[XZ_SHA256_SIZE] = {
		0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92,
		0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
		0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e,
		0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0,
	};
	struct xz_sha256 ctx;
	u8 digest[XZ_SHA256_SIZE];
	u8 *big = malloc(1000000);

	(void)state;
	xz_crc_init();
	assert_int_equal(xz_crc32(digits, 9, 0), 0xcbf43926);
	assert_int_equal(xz_crc32(digits + 4, 5, xz_crc32(digits, 4, 0)),
			 0xcbf43926);
	assert_true(xz_crc64(digits, 9, 0) == 0x995dc9bbdf1939faull);

	xz_sha256_init(&ctx);
	xz_sha256_update(&ctx, (const u8 *)"abc", 3);
	xz_sha256_final(&ctx, digest);
	assert_memory_equal(digest, abc_sha, sizeof(digest));

	/* Odd-sized pieces cross the 64-byte block boundary in every way. */
	assert_non_null(big);
	memset(big, 'a', 1000000);
	xz_sha256_init(&ctx);
	for (size_t off = 0, step = 1; off < 1000000; off += step, step++)
		xz_sha256_update(&ctx, big + off, MIN(step, 1000000 - off));
	xz_sha256_final(&ctx, digest);
	assert_memory_equal(digest, million_a_sha, sizeof(digest));
	free(big);
}

/* Every fixture decodes to its input, with exact and generous buffers. */
static void test_round_trips(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		const struct xz_fixture *f = &fixtures[i];
		struct blob in, plain;
		size_t len, used;
		const char *why;
		u8 *out;
		int ret;

		if (strstr(f->args, "--arm") || strstr(f->args, "--delta") ||
		    strstr(f->args, "--sparc"))
			continue;
		in = fixture(f->name, "xz");
		plain = fixture(f->input, "bin");

		out = malloc(plain.len ? plain.len : 1);
		ret = decode(&in, out, plain.len, &len, &used, &why);
		if (ret)
			fail_msg("%s: %d %s", f->name, ret, why);
		assert_int_equal(len, plain.len);
		assert_int_equal(used, in.len);
		assert_memory_equal(out, plain.data, plain.len);
		free(out);

		out = malloc(plain.len + 4096);
		ret = decode(&in, out, plain.len + 4096, &len, &used, &why);
		if (ret)
			fail_msg("%s (big buffer): %d %s", f->name, ret, why);
		assert_int_equal(len, plain.len);
		assert_memory_equal(out, plain.data, plain.len);
		free(out);

		if (plain.len) {
			char want[64];

			snprintf(want, sizeof(want),
				 "output buffer too small (%zu bytes",
				 plain.len - 1);
			expect_error(&in, plain.len - 1, -XZ_ENOSPC, want);
			expect_error(&in, 0, -XZ_ENOSPC,
				     "output buffer too small");
		}
		free(in.data);
		free(plain.data);
	}
}

static void test_unsupported_filters(void **state)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
		{ "small-arm", "xz: block 0: unsupported filter 0x07" },
		{ "small-delta", "xz: block 0: unsupported filter 0x03" },
		{ "small-sparc", "xz: block 0: unsupported filter 0x09" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct blob in = fixture(cases[i].name, "xz");

		expect_error(&in, 1 << 20, -XZ_EINVAL, cases[i].want);
		free(in.data);
	}
}

/* A single flipped bit anywhere must be caught when a check protects the data. */
static void flip_every_bit(const char *name, bool checked)
{
	struct blob in = fixture(name, "xz");
	struct blob plain = fixture_plain(name);
	u8 *out = malloc(plain.len);
	size_t caught = 0, total = 0;

	assert_non_null(out);
	for (size_t byte = 0; byte < in.len; byte++) {
		for (int bit = 0; bit < 8; bit++) {
			size_t len, used;
			const char *why;
			int ret;

			in.data[byte] ^= (u8)(1u << bit);
			ret = decode(&in, out, plain.len, &len, &used, &why);
			in.data[byte] ^= (u8)(1u << bit);
			total++;
			if (ret)
				caught++;
			else if (checked)
				fail_msg("%s: flip of byte %zu bit %d not detected",
					 name, byte, bit);
		}
	}
	printf("%s: %zu of %zu bit flips rejected\n", name, caught, total);
	free(out);
	free(in.data);
	free(plain.data);
}

static void test_bit_flips(void **state)
{
	(void)state;
	flip_every_bit("small-crc32", true);
	flip_every_bit("small-x86-mt", true);
	flip_every_bit("small-sha256", true);
	flip_every_bit("empty-crc64", true);
	/* Without a check, damaged data may decode; it must still be safe. */
	flip_every_bit("small-none", false);
}

/* Random multi-byte damage to bigger streams; exact buffers for ASan. */
static void test_random_damage(void **state)
{
	static const char *const names[] = { "code-x86", "mixed-x86-mt",
					      "text-lc0lp4pb4", "repeat-6" };

	(void)state;
	rng_state = 0x1234567887654321ull;
	for (size_t n = 0; n < ARRAY_SIZE(names); n++) {
		struct blob in = fixture(names[n], "xz");
		struct blob plain = fixture_plain(names[n]);
		u8 *orig = malloc(in.len), *out = malloc(plain.len);

		memcpy(orig, in.data, in.len);
		for (int iter = 0; iter < 150; iter++) {
			size_t len, used;
			const char *why;
			int hits = 1 + rng() % 8;

			memcpy(in.data, orig, in.len);
			while (hits--)
				in.data[rng() % in.len] = (u8)rng();
			if (!memcmp(in.data, orig, in.len))
				continue;
			if (!decode(&in, out, plain.len, &len, &used, &why))
				fail_msg("%s: damage round %d not detected",
					 names[n], iter);
		}
		free(orig);
		free(out);
		free(in.data);
		free(plain.data);
	}
}

/* No proper prefix of a stream is a stream. */
static void test_truncations(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		struct blob in = fixture(fixtures[i].name, "xz");
		struct blob plain = fixture_plain(fixtures[i].name);
		/*
		 * Every byte near the headers and the index/footer, and about
		 * a hundred cuts (at least every 257 bytes) in the data between.
		 */
		size_t step = in.len < 4096 ? 1 : MAX((size_t)257, in.len / 100);
		u8 *out = malloc(plain.len ? plain.len : 1);

		for (size_t cut = 0; cut < in.len;
		     cut += (cut < 64 || in.len - cut <= 64) ? 1 : step) {
			struct blob part = blob_dup(in.data, cut);
			size_t len, used;
			const char *why;

			if (!decode(&part, out, plain.len, &len, &used, &why))
				fail_msg("%s cut at %zu decoded", fixtures[i].name,
					 cut);
			free(part.data);
		}
		free(out);
		free(in.data);
		free(plain.data);
	}
}

static void test_header_damage(void **state)
{
	struct blob in = fixture("small-crc32", "xz");
	struct blob bad;

	(void)state;
	bad = blob_dup(in.data, in.len);
	bad.data[0] = 0xfe;
	expect_error(&bad, 1 << 20, -XZ_EINVAL, "xz: bad stream header magic");
	free(bad.data);

	bad = blob_dup(in.data, in.len);
	bad.data[8] ^= 1;
	expect_error(&bad, 1 << 20, -XZ_EINVAL,
		     "xz: stream header CRC32 mismatch");
	free(bad.data);

	/* Check type 2 is reserved; re-sealed so only the type is wrong. */
	bad = blob_dup(in.data, in.len);
	bad.data[7] = 0x02;
	put32(bad.data + 8, ref_crc32(bad.data + 6, 2));
	expect_error(&bad, 1 << 20, -XZ_EINVAL,
		     "xz: unsupported check type 0x2");
	free(bad.data);

	/* Footer flags re-sealed to claim CRC64. */
	bad = blob_dup(in.data, in.len);
	bad.data[bad.len - 3] = 0x04;
	put32(bad.data + bad.len - 12, ref_crc32(bad.data + bad.len - 8, 6));
	expect_error(&bad, 1 << 20, -XZ_EINVAL,
		     "xz: stream footer flags differ from the header's");
	free(bad.data);

	bad = blob_dup(in.data, in.len);
	put32(bad.data + bad.len - 8, le32(bad.data + bad.len - 8) + 1);
	put32(bad.data + bad.len - 12, ref_crc32(bad.data + bad.len - 8, 6));
	expect_error(&bad, 1 << 20, -XZ_EINVAL,
		     "xz: stream footer's index size does not match the index");
	free(bad.data);

	bad = blob_dup(in.data, in.len);
	bad.data[bad.len - 1] = 'z';
	expect_error(&bad, 1 << 20, -XZ_EINVAL, "xz: bad stream footer magic");
	free(bad.data);

	/* Block header: reserved flag, then filter padding, both re-sealed. */
	bad = blob_dup(in.data, in.len);
	{
		u8 *h = bad.data + 12;
		size_t hsize = ((size_t)h[0] + 1) * 4;

		h[1] |= 0x10;
		put32(h + hsize - 4, ref_crc32(h, hsize - 4));
		expect_error(&bad, 1 << 20, -XZ_EINVAL,
			     "xz: block 0: block header has reserved flags set");
		h[1] &= ~0x10;
		h[hsize - 5] = 0x01; /* last padding byte */
		put32(h + hsize - 4, ref_crc32(h, hsize - 4));
		expect_error(&bad, 1 << 20, -XZ_EINVAL,
			     "xz: block 0: block header padding is not zero");
		h[hsize - 5] = 0x00;
		h[hsize - 1] ^= 0x80;
		expect_error(&bad, 1 << 20, -XZ_EINVAL,
			     "xz: block 0: block header CRC32 mismatch");
	}
	free(bad.data);
	free(in.data);
}

/* The check field of the last block sits right before the index. */
static size_t index_start(const struct blob *b)
{
	return b->len - 12 - ((size_t)le32(b->data + b->len - 8) + 1) * 4;
}

static void test_block_check_damage(void **state)
{
	static const struct {
		const char *name;
		size_t check_len;
		const char *want;
	} cases[] = {
		{ "text-6-crc32", 4, "xz: block 0: CRC32 mismatch" },
		{ "text-6-crc64", 8, "xz: block 0: CRC64 mismatch" },
		{ "text-6-sha256", 32, "xz: block 0: SHA-256 mismatch" },
		{ "text-blocks", 4, "xz: block 4: CRC32 mismatch" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct blob in = fixture(cases[i].name, "xz");
		size_t at = index_start(&in) - cases[i].check_len;

		in.data[at] ^= 0x40;
		expect_error(&in, 1 << 20, -XZ_EINVAL, cases[i].want);
		free(in.data);
	}
}

struct record {
	u64 unpadded, usize;
};

/* Reads the index of a padding-free single-stream fixture. */
static size_t read_index(const struct blob *b, struct record *rec, size_t max)
{
	size_t p = index_start(b) + 1;
	u64 count = get_vli(b->data, &p);

	assert_true(count <= max);
	for (u64 i = 0; i < count; i++) {
		rec[i].unpadded = get_vli(b->data, &p);
		rec[i].usize = get_vli(b->data, &p);
	}
	return (size_t)count;
}

/* Re-encodes the index (and footer) with the given records, all re-sealed. */
static struct blob write_index(const struct blob *b, const struct record *rec,
			       size_t count)
{
	size_t start = index_start(b), p;
	struct blob out;

	out.data = malloc(start + 16 + count * 20 + 12);
	assert_non_null(out.data);
	memcpy(out.data, b->data, start);
	p = start;
	out.data[p++] = 0x00;
	p += put_vli(out.data + p, count);
	for (size_t i = 0; i < count; i++) {
		p += put_vli(out.data + p, rec[i].unpadded);
		p += put_vli(out.data + p, rec[i].usize);
	}
	while ((p - start) & 3)
		out.data[p++] = 0;
	put32(out.data + p, ref_crc32(out.data + start, p - start));
	p += 4;
	/* Footer: CRC32, backward size, flags copied, magic. */
	put32(out.data + p + 4, (u32)((p - start) / 4 - 1));
	memcpy(out.data + p + 8, b->data + b->len - 4, 4);
	put32(out.data + p, ref_crc32(out.data + p + 4, 6));
	out.len = p + 12;
	return out;
}

static void test_index_damage(void **state)
{
	struct blob in = fixture("text-blocks", "xz");
	struct blob plain = fixture_plain("text-blocks");
	struct record rec[16], edit[16], tmp;
	size_t n = read_index(&in, rec, ARRAY_SIZE(rec));
	struct blob bad;
	size_t len, used;
	const char *why;
	u8 *out = malloc(plain.len);

	(void)state;
	assert_int_equal(n, 5); /* 300000 bytes in 70000-byte blocks */

	/* The helper itself must produce a valid stream when nothing changes. */
	bad = write_index(&in, rec, n);
	assert_int_equal(bad.len, in.len);
	assert_memory_equal(bad.data, in.data, in.len);
	assert_int_equal(decode(&bad, out, plain.len, &len, &used, &why), 0);
	free(bad.data);

	memcpy(edit, rec, sizeof(rec));
	edit[2].usize++;
	bad = write_index(&in, edit, n);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: index sizes do not match the blocks decoded");
	free(bad.data);

	memcpy(edit, rec, sizeof(rec));
	edit[0].unpadded += 4;
	bad = write_index(&in, edit, n);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: index sizes do not match the blocks decoded");
	free(bad.data);

	/* Same records, wrong order. */
	memcpy(edit, rec, sizeof(rec));
	tmp = edit[0];
	edit[0] = edit[n - 1];
	edit[n - 1] = tmp;
	bad = write_index(&in, edit, n);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: index sizes do not match the blocks decoded");
	free(bad.data);

	bad = write_index(&in, rec, n - 1);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: index lists 4 blocks but the stream has 5");
	free(bad.data);

	memcpy(edit, rec, sizeof(rec));
	edit[n] = rec[n - 1];
	bad = write_index(&in, edit, n + 1);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: index lists 6 blocks but the stream has 5");
	free(bad.data);

	bad = blob_dup(in.data, in.len);
	bad.data[index_start(&bad) + 2] ^= 1;
	expect_error(&bad, plain.len, -XZ_EINVAL, "xz: index CRC32 mismatch");
	free(bad.data);

	free(out);
	free(in.data);
	free(plain.data);
}

/*
 * Block headers written by multi-threaded xz carry both sizes; edit them
 * by one, keeping the varint length, and re-seal the header.
 */
static void edit_block_size(const struct blob *in, size_t cap, bool usize,
			    int delta, const char *want)
{
	struct blob bad = blob_dup(in->data, in->len);
	u8 *h = bad.data + 12;
	size_t hsize = ((size_t)h[0] + 1) * 4, p = 2, at;
	u64 csize, size;

	assert_int_equal(h[1] & 0xc0, 0xc0);
	csize = get_vli(h, &p);
	at = usize ? p : 2;
	p = at;
	size = usize ? get_vli(h, &p) : csize;
	assert_int_equal(vli_len(size), vli_len(size + delta));
	put_vli(h + at, size + delta);
	put32(h + hsize - 4, ref_crc32(h, hsize - 4));
	expect_error(&bad, cap, -XZ_EINVAL, want);
	free(bad.data);
}

static void test_block_header_sizes(void **state)
{
	struct blob in = fixture("text-mt", "xz");
	struct blob plain = fixture_plain("text-mt");

	(void)state;
	edit_block_size(&in, plain.len, true, -1,
			"xz: block 0: more data than the block header's uncompressed size");
	edit_block_size(&in, plain.len, true, +1,
			"xz: block 0: uncompressed size differs from the block header");
	edit_block_size(&in, plain.len, false, +1,
			"xz: block 0: compressed size differs from the block header");
	edit_block_size(&in, plain.len, false, -1,
			"xz: block 0: LZMA2 data is truncated");
	free(in.data);
	free(plain.data);
}

/*
 * Rebuilds the single-block CRC32 stream b with its first LZMA2 chunk's
 * compressed data one byte longer (a zero appended) or shorter, re-sealing
 * the chunk size, block padding, index and footer: only the chunk is wrong.
 */
static struct blob resize_first_chunk(const struct blob *b, int delta)
{
	const u8 *d = b->data;
	size_t hsize = ((size_t)d[12] + 1) * 4, lz = 12 + hsize;
	size_t csize = ((size_t)d[lz + 3] << 8 | d[lz + 4]) + 1;
	size_t chunk_end = lz + 6 + csize, idx = index_start(b), p, clen;
	struct record rec[1];
	struct blob tmp, out;

	assert_int_equal(read_index(b, rec, 1), 1);
	assert_true(d[lz] >= 0xe0);
	clen = rec[0].unpadded - hsize - 4;
	tmp.data = malloc(b->len + 8);
	assert_non_null(tmp.data);
	memcpy(tmp.data, d, chunk_end + MIN(delta, 0));
	p = chunk_end + MIN(delta, 0);
	if (delta > 0)
		tmp.data[p++] = 0;
	memcpy(tmp.data + p, d + chunk_end, lz + clen - chunk_end);
	p += lz + clen - chunk_end;
	csize += delta;
	tmp.data[lz + 3] = (u8)((csize - 1) >> 8);
	tmp.data[lz + 4] = (u8)(csize - 1);
	while (p & 3)
		tmp.data[p++] = 0;
	memcpy(tmp.data + p, d + idx - 4, 4); /* the CRC32 of the data */
	p += 4;
	/* Old index and footer after it, so write_index can find its place. */
	memcpy(tmp.data + p, d + idx, b->len - idx);
	tmp.len = p + b->len - idx;
	rec[0].unpadded += delta;
	out = write_index(&tmp, rec, 1);
	free(tmp.data);
	return out;
}

static void test_lzma2_damage(void **state)
{
	struct blob in = fixture("small-crc32", "xz");
	struct blob plain = fixture_plain("small-crc32");
	size_t lz = 12 + ((size_t)in.data[12] + 1) * 4;
	struct blob bad;
	size_t len, used;
	const char *why;
	u8 *out = malloc(plain.len);

	(void)state;
	bad = resize_first_chunk(&in, 0);
	assert_int_equal(bad.len, in.len);
	assert_memory_equal(bad.data, in.data, in.len);
	free(bad.data);

	bad = resize_first_chunk(&in, 1);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: block 0: LZMA chunk has unused compressed bytes");
	free(bad.data);
	bad = resize_first_chunk(&in, -1);
	expect_error(&bad, plain.len, -XZ_EINVAL,
		     "xz: block 0: LZMA chunk's data ended too early");
	free(bad.data);

	static const struct {
		size_t at;
		u8 val;
		const char *want;
	} edits[] = {
		{ 0, 0xa0, "LZMA2 data does not start with a dictionary reset" },
		{ 0, 0xc0, "LZMA2 data does not start with a dictionary reset" },
		{ 0, 0x02, "LZMA2 data does not start with a dictionary reset" },
		{ 0, 0x03, "LZMA2 control byte is invalid" },
		{ 0, 0x7f, "LZMA2 control byte is invalid" },
		{ 5, 225, "LZMA2 chunk has invalid lc/lp/pb properties" },
		{ 5, (2 * 5 + 1) * 9 + 4, /* lc 4 + lp 1 > 4 */
		  "LZMA2 chunk has invalid lc/lp/pb properties" },
		{ 6, 0x01, "LZMA chunk's range coder header does not start with 0" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		char want[128];

		bad = blob_dup(in.data, in.len);
		bad.data[lz + edits[i].at] = edits[i].val;
		snprintf(want, sizeof(want), "xz: block 0: %s", edits[i].want);
		expect_error(&bad, plain.len, -XZ_EINVAL, want);
		free(bad.data);
	}
	assert_int_equal(decode(&in, out, plain.len, &len, &used, &why), 0);
	free(out);
	free(in.data);
	free(plain.data);
}

static void test_trailing_data(void **state)
{
	struct blob in = fixture("text-6-crc32", "xz");
	struct blob second = fixture("small-crc32", "xz");
	struct blob plain = fixture_plain("text-6-crc32");
	u8 *out = malloc(plain.len);
	static const struct {
		size_t extra;
		u8 bytes[12];
		size_t used_extra;
	} cases[] = {
		{ 8, { 0 }, 8 }, /* stream padding */
		{ 4, { 0xb4, 0xaa, 0xed, 0x03 }, 0 }, /* a bzImage size trailer */
		{ 3, { 0 }, 0 }, /* not a whole padding group */
		{ 12, { 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, 8 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct blob b;
		size_t len, used;
		const char *why;

		b.len = in.len + cases[i].extra;
		b.data = malloc(b.len);
		memcpy(b.data, in.data, in.len);
		memcpy(b.data + in.len, cases[i].bytes, cases[i].extra);
		assert_int_equal(decode(&b, out, plain.len, &len, &used, &why),
				 0);
		assert_int_equal(len, plain.len);
		assert_int_equal(used, in.len + cases[i].used_extra);
		free(b.data);
	}

	/* Concatenated streams: one call decodes the first and says where it ended. */
	{
		struct blob b;
		size_t len, used;
		const char *why;

		b.len = in.len + second.len;
		b.data = malloc(b.len);
		memcpy(b.data, in.data, in.len);
		memcpy(b.data + in.len, second.data, second.len);
		assert_int_equal(decode(&b, out, plain.len, &len, &used, &why),
				 0);
		assert_int_equal(used, in.len);
		assert_memory_equal(out, plain.data, plain.len);
		free(b.data);
	}
	free(out);
	free(in.data);
	free(second.data);
	free(plain.data);
}

static void test_null_arguments(void **state)
{
	struct blob empty = fixture("empty-crc64", "xz");
	const char *why = "unset";
	size_t len = 1, used = 1;

	(void)state;
	assert_int_equal(xz_decompress(NULL, 0, NULL, 0, &len, &used, &why),
			 -XZ_EINVAL);
	assert_non_null(why);
	assert_int_equal(xz_decompress(empty.data, empty.len, NULL, 0, &len,
				       &used, &why),
			 0);
	assert_int_equal(len, 0);
	assert_int_equal(used, empty.len);
	assert_null(why);
	/* Every out-parameter is optional. */
	assert_int_equal(xz_decompress(empty.data, empty.len, NULL, 0, NULL,
				       NULL, NULL),
			 0);
	assert_int_equal(xz_decompress(empty.data, 5, NULL, 0, NULL, NULL,
				       NULL),
			 -XZ_EINVAL);
	free(empty.data);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Debian's stock kernel, the payload Keel must unpack at boot: extracted per
 * the bzImage setup header, decoded, compared with xz(1)'s result.
 */
static void test_debian_kernel(void **state)
{
	struct blob img, ref, payload;
	u32 setup_sects, pm_start, off, plen, usize;
	size_t len, used;
	const char *why;
	double t;
	u8 *out;
	int ret;

	(void)state;
	/* Fetches the .deb into build/cache on first use; no network = FAIL. */
	assert_int_equal(run("sh tests/unit/xz-kernel.sh " FIXDIR "/kernel"),
			 0);
	img = read_blob(FIXDIR "/kernel/vmlinuz");

	assert_true(img.len > 0x264);
	assert_memory_equal(img.data + 0x202, "HdrS", 4);
	assert_true((img.data[0x206] | img.data[0x207] << 8) >= 0x208);
	setup_sects = img.data[0x1f1] ? img.data[0x1f1] : 4;
	pm_start = (setup_sects + 1) * 512;
	off = le32(img.data + 0x248);
	plen = le32(img.data + 0x24c);
	assert_true(plen > 4 && pm_start + (u64)off + plen <= img.len);
	payload = blob_dup(img.data + pm_start + off, plen);
	usize = le32(payload.data + plen - 4);
	printf("kernel payload: %u bytes, uncompressed size %u\n", plen, usize);

	/* The reference: xz(1) on the payload minus the 4-byte size trailer. */
	write_blob(FIXDIR "/kernel/payload.xz", payload.data, plen - 4);
	t = now();
	assert_int_equal(run("xz -dc " FIXDIR "/kernel/payload.xz > " FIXDIR
			     "/kernel/vmlinux.ref"),
			 0);
	printf("xz -dc: %.3f s\n", now() - t);
	ref = read_blob(FIXDIR "/kernel/vmlinux.ref");

	out = malloc(usize);
	assert_non_null(out);
	t = now();
	ret = decode(&payload, out, usize, &len, &used, &why);
	printf("xz_decompress (sanitizer build): %.3f s\n", now() - t);
	if (ret)
		fail_msg("kernel payload: %d %s", ret, why);
	assert_int_equal(len, usize);
	assert_int_equal(used, plen - 4); /* the trailer is left alone */
	assert_memory_equal(out, "\x7f" "ELF\x02", 5); /* ELF64 */
	assert_int_equal(len, ref.len);
	assert_memory_equal(out, ref.data, len);

	/* One byte short must be refused before anything is overrun. */
	ret = decode(&payload, out, usize - 1, &len, &used, &why);
	assert_int_equal(ret, -XZ_ENOSPC);

	free(out);
	free(ref.data);
	free(payload.data);
	free(img.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_unsupported_filters),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_random_damage),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_header_damage),
		cmocka_unit_test(test_block_check_damage),
		cmocka_unit_test(test_index_damage),
		cmocka_unit_test(test_block_header_sizes),
		cmocka_unit_test(test_lzma2_damage),
		cmocka_unit_test(test_trailing_data),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_debian_kernel),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
