// SPDX-License-Identifier: GPL-2.0-only
/* Tests read what a backend logged: stderr goes to a file between
 * kb_fake_log_begin() and kb_fake_log_end(), which counts matching lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kb_fake.h"

static char log_path[] = "/tmp/keel-backend-log-XXXXXX";
static int saved_stderr = -1;

int kb_fake_log_begin(void)
{
	int fd;

	memcpy(log_path + sizeof(log_path) - 7, "XXXXXX", 6);
	fd = mkstemp(log_path);
	if (fd < 0)
		return -errno;
	saved_stderr = dup(2);
	if (saved_stderr < 0 || dup2(fd, 2) != 2) {
		close(fd);
		unlink(log_path);
		return -EIO;
	}
	close(fd);
	return 0;
}

long kb_fake_log_end(const char *needle)
{
	char line[1024];
	long n = 0;
	FILE *f;

	if (saved_stderr < 0 || dup2(saved_stderr, 2) != 2)
		return -1;
	close(saved_stderr);
	saved_stderr = -1;
	f = fopen(log_path, "r");
	unlink(log_path);
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}
