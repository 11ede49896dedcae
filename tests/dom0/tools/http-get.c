// SPDX-License-Identifier: GPL-2.0-only
/*
 * http-get IP PORT PATH: a minimal HTTP/1.0 GET that prints the body, for
 * dom0's network test. (Static busybox's wget goes through glibc's resolver,
 * which a static binary cannot load; this needs no name lookup at all.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 10 };
	char req[512], buf[65536];
	size_t got = 0;
	ssize_t n;
	char *body;
	int fd;

	if (argc != 4 || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1) {
		fprintf(stderr, "usage: http-get IPV4 PORT PATH\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "http-get: cannot connect to %s:%s: %s\n", argv[1], argv[2],
			strerror(errno));
		return 1;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", argv[3], argv[1]);
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "http-get: write: %s\n", strerror(errno));
		return 1;
	}
	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = '\0';
	body = strstr(buf, "\r\n\r\n");
	if (!body || strncmp(buf, "HTTP/1.", 7) || !strstr(buf, " 200 ")) {
		fprintf(stderr, "http-get: bad response: %.80s\n", buf);
		return 1;
	}
	fputs(body + 4, stdout);
	return 0;
}
