// SPDX-License-Identifier: GPL-2.0-only
/*
 * keel-iotool: what bench/pvio.py needs that busybox lacks (no fio, and
 * /proc/uptime only counts hundredths). Built static into dom0 (build-dom0.sh
 * compiles every C file in tests/dom0/tools); keel-bench-pvio.sh also hands
 * the same binary to the benchmark guest.
 *
 *   keel-iotool now
 * prints CLOCK_MONOTONIC in seconds with nine decimals.
 *
 *   keel-iotool read|write PATH OFFSET_MIB REGION_MIB COUNT SEED
 * does COUNT synchronous (queue depth 1) 4 KiB preads or pwrites with
 * O_DIRECT at 4 KiB-aligned offsets drawn uniformly from
 * [OFFSET_MIB, OFFSET_MIB + REGION_MIB) MiB of PATH (a file or a block
 * device) by a xorshift64 generator seeded with SEED, so dom0 and the guest
 * touch the same offsets in the same order. A write run ends with one
 * fdatasync, counted in its time. Prints one line:
 *   KEEL-IOTOOL op=write count=N bytes=B seconds=S MBps=M iops=I
 * (MB = 10^6 bytes) and exits 0, or prints why it failed and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BLOCK 4096

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "now")) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%lld.%09ld\n", (long long)ts.tv_sec, ts.tv_nsec);
		return 0;
	}
	if (argc != 7 || (strcmp(argv[1], "read") && strcmp(argv[1], "write"))) {
		fprintf(stderr, "usage: keel-iotool now | read|write PATH OFFSET_MIB REGION_MIB COUNT SEED\n");
		return 1;
	}
	int writing = !strcmp(argv[1], "write");
	const char *path = argv[2];
	uint64_t base = strtoull(argv[3], NULL, 0) << 20;
	uint64_t blocks = (strtoull(argv[4], NULL, 0) << 20) / BLOCK;
	long count = strtol(argv[5], NULL, 0);
	uint64_t seed = strtoull(argv[6], NULL, 0);

	if (!blocks || count <= 0) {
		fprintf(stderr, "keel-iotool: empty region or count\n");
		return 1;
	}
	/* xorshift64 must not start at 0 */
	uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
	int fd = open(path, (writing ? O_RDWR : O_RDONLY) | O_DIRECT);

	if (fd < 0) {
		fprintf(stderr, "keel-iotool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	void *buf;

	if (posix_memalign(&buf, BLOCK, BLOCK)) {
		fprintf(stderr, "keel-iotool: out of memory\n");
		return 1;
	}
	/* Data that is not all zeros, different for every block written. */
	uint64_t fill = seed ^ 0x6b65656c;

	for (size_t i = 0; i < BLOCK / sizeof(uint64_t); i++)
		((uint64_t *)buf)[i] = xorshift64(&fill);

	double t0 = now();

	for (long i = 0; i < count; i++) {
		off_t off = (off_t)(base + xorshift64(&state) % blocks * BLOCK);
		ssize_t n;

		if (writing) {
			((uint64_t *)buf)[0] = (uint64_t)i;
			n = pwrite(fd, buf, BLOCK, off);
		} else {
			n = pread(fd, buf, BLOCK, off);
		}
		if (n != BLOCK) {
			fprintf(stderr, "keel-iotool: %s at %lld: %s\n", argv[1], (long long)off,
				n < 0 ? strerror(errno) : "short transfer");
			return 1;
		}
	}
	if (writing && fdatasync(fd)) {
		fprintf(stderr, "keel-iotool: fdatasync: %s\n", strerror(errno));
		return 1;
	}
	double s = now() - t0;
	uint64_t bytes = (uint64_t)count * BLOCK;

	printf("KEEL-IOTOOL op=%s count=%ld bytes=%llu seconds=%.3f MBps=%.3f iops=%.1f\n", argv[1],
	       count, (unsigned long long)bytes, s, bytes / s / 1e6, count / s);
	close(fd);
	free(buf);
	return 0;
}
