// SPDX-License-Identifier: GPL-2.0-only
/* A libkeelstore client that keeps writing, reading back and watching while
 * the daemon is killed (-9) and restarted under it: at most the request in
 * flight at each kill may fail, values read back match, and watch events
 * keep arriving after the restart. Usage: restart_client MS READY_FILE KILLS */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	long end = now_ms() + (argc > 1 ? atol(argv[1]) : 3000);
	int kills = argc > 3 ? atoi(argv[3]) : 1;
	int failures = 0, ok = 0, bad = 0, ev_after = 0, registrations = 0, rc;
	struct ks_handle *h;
	char *path, *tok, *val, buf[32];
	size_t len;
	FILE *f;

	if ((rc = ks_open(NULL, &h)) || (rc = ks_watch(h, "/rc", "t"))) {
		fprintf(stderr, "restart_client: %s\n", strerror(-rc));
		return 1;
	}
	f = fopen(argv[2], "w");
	if (f)
		fclose(f);
	for (long i = 1; now_ms() < end; i++) {
		int n = snprintf(buf, sizeof(buf), "%ld", i);

		rc = ks_write(h, KS_NO_TXN, "/rc/v", buf, (size_t)n);
		if (rc) {
			failures++;
			fprintf(stderr, "restart_client: write %ld failed: %s\n", i,
				strerror(-rc));
		} else if ((rc = ks_read(h, KS_NO_TXN, "/rc/v", &val, &len)) == 0) {
			if (strcmp(val, buf))
				bad++;
			free(val);
			ok++;
		} else {
			failures++;
			fprintf(stderr, "restart_client: read %ld failed: %s\n", i,
				strerror(-rc));
		}
		while (ks_read_watch(h, &path, &tok) == 0) {
			/* Each (re-)registration fires "/rc" once: a second
			 * one means the watch was re-established after the
			 * restart, and changes must be seen again. */
			if (!strcmp(path, "/rc"))
				registrations++;
			else if (registrations >= 2 && !strcmp(path, "/rc/v"))
				ev_after++;
			free(path);
		}
		usleep(10000);
	}
	printf("restart_client: %d requests ok, %d failed (allowed %d), %d wrong values, "
	       "watch registered %d times, %d events after re-registration\n", ok,
	       failures, kills, bad, registrations, ev_after);
	ks_close(h);
	return failures <= kills && !bad && ok > 0 && registrations == kills + 1 &&
	       ev_after > 0 ? 0 : 1;
}
