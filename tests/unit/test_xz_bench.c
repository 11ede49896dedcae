// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timing driver for the xz decoder on a bzImage's payload, built by
 * xz-bench.sh with hypervisor-like flags (not a unit test: no sanitizers).
 */
#include <time.h>

#include <keel/lib.h>
#include <keel/xz.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

int main(int argc, char **argv)
{
	u32 setup_sects, pm_start, off, plen, usize;
	double best = 1e9;
	size_t len, used;
	const char *why;
	FILE *f;
	long n;
	u8 *img, *out;
	int i, runs = argc > 2 ? atoi(argv[2]) : 3;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: %s vmlinuz [runs]\n", argv[0]);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	img = malloc(n);
	if (!img || fread(img, 1, n, f) != (size_t)n || n < 0x264 ||
	    memcmp(img + 0x202, "HdrS", 4)) {
		fprintf(stderr, "%s: not a bzImage\n", argv[1]);
		return 1;
	}
	fclose(f);
	setup_sects = img[0x1f1] ? img[0x1f1] : 4;
	pm_start = (setup_sects + 1) * 512;
	off = le32(img + 0x248);
	plen = le32(img + 0x24c);
	if (plen < 4 || pm_start + (u64)off + plen > (u64)n) {
		fprintf(stderr, "%s: payload outside the file\n", argv[1]);
		return 1;
	}
	usize = le32(img + pm_start + off + plen - 4);
	out = malloc(usize);
	for (i = 0; i < runs; i++) {
		double t = now();
		int ret = xz_decompress(img + pm_start + off, plen, out, usize,
					&len, &used, &why);

		t = now() - t;
		if (ret) {
			fprintf(stderr, "xz_decompress: %d %s\n", ret, why);
			return 1;
		}
		best = t < best ? t : best;
	}
	printf("%u -> %zu bytes, best of %d: %.3f s (%.1f MB/s out)\n", plen,
	       len, runs, best, len / best / 1e6);
	return 0;
}
