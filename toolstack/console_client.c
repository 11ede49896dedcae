// SPDX-License-Identifier: GPL-2.0-only
/* keel console: the client side of keel-consoled's attach protocol
 * ("ATTACH <domid>\n", answered "OK\n" or "ERR <reason>\n", then raw bytes
 * both ways), with the terminal in raw mode until Ctrl-]. */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console_client.h"

static int connect_daemon(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The daemon's one-line answer. */
static int read_reply(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			return -1;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = 0;
	return 0;
}

int keel_console_attach(uint16_t domid, const char *name)
{
	const char *path = getenv("KEEL_CONSOLED_SOCKET");
	struct termios saved, raw;
	bool tty = isatty(0);
	char line[512];
	int fd, ret = 0;

	if (!path)
		path = KEEL_CONSOLED_SOCKET;
	fd = connect_daemon(path);
	if (fd < 0) {
		fprintf(stderr, "keel console: cannot reach keel-consoled at %s: %s: start keel-consoled in dom0\n",
			path, strerror(errno));
		return -1;
	}
	snprintf(line, sizeof(line), "ATTACH %u\n", domid);
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
	    read_reply(fd, line, sizeof(line))) {
		fprintf(stderr, "keel console: keel-consoled closed the connection\n");
		close(fd);
		return -1;
	}
	if (strcmp(line, "OK")) {
		fprintf(stderr, "keel console: %s\n", !strncmp(line, "ERR ", 4) ? line + 4 : line);
		close(fd);
		return -1;
	}
	if (tty) {
		fprintf(stderr, "Connected to domain %u (%s); escape character is ^]\r\n", domid, name);
		tcgetattr(0, &saved);
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	for (;;) {
		struct pollfd p[2] = { { 0, POLLIN, 0 }, { fd, POLLIN, 0 } };
		char buf[4096];
		ssize_t n;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = -1;
			break;
		}
		if (p[1].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0)
				break; /* the domain went away */
			if (write(1, buf, n) != n)
				break;
		}
		if (p[0].revents) {
			char *esc;

			n = read(0, buf, sizeof(buf));
			if (n <= 0)
				break;
			esc = memchr(buf, KEEL_CONSOLE_ESCAPE, n);
			if (esc)
				n = esc - buf;
			if (n > 0 && write(fd, buf, n) != n)
				break;
			if (esc)
				break;
		}
	}
	if (tty) {
		tcsetattr(0, TCSANOW, &saved);
		fputc('\n', stderr);
	}
	close(fd);
	return ret;
}
