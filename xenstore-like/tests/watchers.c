// SPDX-License-Identifier: GPL-2.0-only
/* Watch test through libkeelstore: N watchers on one subtree each see every
 * event exactly once, in order, and nothing else. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "keelstore.h"

#define BASE "/keel-test/watched"
#define NWRITES 50

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000;
	struct ks_handle **hs = calloc((size_t)n, sizeof(*hs)), *writer;
	int *seen = calloc((size_t)n, sizeof(int));
	struct pollfd *pfd = calloc((size_t)n, sizeof(*pfd));
	struct rlimit rl;
	char expect[NWRITES + 1][64], token[16], *path, *tok;
	int rc, done = 0, errors = 0;
	struct timespec t0, t1;

	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	if ((rc = ks_open(NULL, &writer))) {
		fprintf(stderr, "watchers: cannot connect: %s\n", strerror(-rc));
		return 1;
	}
	ks_rm(writer, KS_NO_TXN, BASE);
	ks_mkdir(writer, KS_NO_TXN, BASE);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < n; i++) {
		snprintf(token, sizeof(token), "w%d", i);
		if ((rc = ks_open(NULL, &hs[i])) || (rc = ks_watch(hs[i], BASE, token))) {
			fprintf(stderr, "watchers: watcher %d: %s\n", i, strerror(-rc));
			return 1;
		}
		pfd[i].fd = ks_watch_fd(hs[i]);
		pfd[i].events = POLLIN;
	}
	/* Event 0 is the one every watch fires when registered. */
	strcpy(expect[0], BASE);
	for (int j = 1; j <= NWRITES; j++) {
		char p[64];

		snprintf(p, sizeof(p), BASE "/k%d", j);
		strcpy(expect[j], p);
		if ((rc = ks_write(writer, KS_NO_TXN, p, "v", 1))) {
			fprintf(stderr, "watchers: write %s: %s\n", p, strerror(-rc));
			return 1;
		}
	}
	while (done < n) {
		int r = poll(pfd, (nfds_t)n, 10000);

		if (r <= 0) {
			fprintf(stderr, "watchers: FAILED: timed out, %d of %d watchers complete\n",
				done, n);
			return 1;
		}
		for (int i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			while (ks_read_watch(hs[i], &path, &tok) == 0) {
				snprintf(token, sizeof(token), "w%d", i);
				if (seen[i] > NWRITES || strcmp(path, expect[seen[i]]) ||
				    strcmp(tok, token)) {
					if (errors++ < 10)
						fprintf(stderr, "watchers: watcher %d event %d: got %s/%s, expected %s/%s\n",
							i, seen[i], path, tok,
							seen[i] <= NWRITES ? expect[seen[i]] : "(nothing)",
							token);
				}
				seen[i]++;
				if (seen[i] == NWRITES + 1)
					done++;
				free(path);
			}
		}
	}
	/* And nothing more arrives. */
	if (poll(pfd, (nfds_t)n, 300) > 0) {
		for (int i = 0; i < n; i++)
			while (pfd[i].revents && ks_read_watch(hs[i], &path, &tok) == 0) {
				if (errors++ < 10)
					fprintf(stderr, "watchers: watcher %d: extra event %s\n", i, path);
				free(path);
			}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("watchers: %d watchers x %d events each: %s, %.2f s\n", n, NWRITES + 1,
	       errors ? "FAILED" : "all seen exactly once, in order",
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (int i = 0; i < n; i++)
		ks_close(hs[i]);
	ks_rm(writer, KS_NO_TXN, BASE);
	ks_close(writer);
	free(hs);
	free(seen);
	free(pfd);
	return errors ? 1 : 0;
}
