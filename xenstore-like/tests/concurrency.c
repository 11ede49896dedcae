// SPDX-License-Identifier: GPL-2.0-only
/* Concurrency test through libkeelstore: N client processes each add 1 to
 * one counter M times inside transactions; the result must be exactly N*M,
 * and the run must have seen conflicts (EAGAIN) to mean anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"

#define COUNTER "/keel-test/counter"

static unsigned long *attempts;

static int increment(struct ks_handle *h, ks_txn_t t, void *arg)
{
	char *val, out[32];
	size_t len;
	int rc, n;

	(void)arg;
	__atomic_add_fetch(attempts, 1, __ATOMIC_RELAXED);
	rc = ks_read(h, t, COUNTER, &val, &len);
	if (rc)
		return rc;
	n = snprintf(out, sizeof(out), "%ld", strtol(val, NULL, 10) + 1);
	free(val);
	return ks_write(h, t, COUNTER, out, (size_t)n);
}

static int client(int go_fd, int iters)
{
	struct ks_handle *h;
	char c;
	int rc = ks_open(NULL, &h);

	if (rc) {
		fprintf(stderr, "concurrency: client cannot connect: %s\n", strerror(-rc));
		return 1;
	}
	if (read(go_fd, &c, 1) < 0)
		return 1;
	for (int i = 0; i < iters; i++) {
		rc = ks_transaction(h, increment, NULL, 100000);
		if (rc) {
			fprintf(stderr, "concurrency: increment %d failed: %s\n", i,
				strerror(-rc));
			return 1;
		}
	}
	ks_close(h);
	return 0;
}

int main(int argc, char **argv)
{
	int nclients = argc > 1 ? atoi(argv[1]) : 32;
	int iters = argc > 2 ? atoi(argv[2]) : 500;
	struct ks_handle *h;
	struct timespec t0, t1;
	int go[2], failed = 0, rc;
	char *val;
	size_t len;

	attempts = mmap(NULL, sizeof(*attempts), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	rc = ks_open(NULL, &h);
	if (rc) {
		fprintf(stderr, "concurrency: cannot connect: %s\n", strerror(-rc));
		return 1;
	}
	ks_write(h, KS_NO_TXN, COUNTER, "0", 1);
	if (pipe(go) < 0)
		return 1;
	for (int i = 0; i < nclients; i++) {
		if (fork() == 0) {
			close(go[1]);
			_exit(client(go[0], iters));
		}
	}
	close(go[0]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	close(go[1]); /* start them all at once */
	for (int i = 0; i < nclients; i++) {
		int st;

		wait(&st);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	rc = ks_read(h, KS_NO_TXN, COUNTER, &val, &len);
	if (rc) {
		fprintf(stderr, "concurrency: cannot read the counter: %s\n", strerror(-rc));
		return 1;
	}
	printf("concurrency: %d clients x %d increments -> counter %s (expected %d); "
	       "%lu attempts, %lu conflicts retried; %.2f s\n",
	       nclients, iters, val, nclients * iters, *attempts,
	       *attempts - (unsigned long)(nclients * iters),
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (failed || atol(val) != (long)nclients * iters) {
		fprintf(stderr, "concurrency: FAILED (%d clients failed)\n", failed);
		return 1;
	}
	if (nclients > 1 && *attempts == (unsigned long)(nclients * iters)) {
		fprintf(stderr, "concurrency: FAILED: no conflicts happened, the test proved nothing\n");
		return 1;
	}
	free(val);
	ks_close(h);
	return 0;
}
