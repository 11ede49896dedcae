// SPDX-License-Identifier: GPL-2.0-only
/* The main program every backend daemon shares: options, signals, the store
 * loop. Usage: keel-<driver> [-s STORE_SOCKET] [-v] */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keelback.h"

static struct kb_backend *backend;

static void on_signal(int sig)
{
	(void)sig;
	if (backend)
		kb_backend_stop(backend);
}

int kb_daemon_main(const char *prog, const struct kb_backend_ops *ops, int argc, char **argv)
{
	const char *sock = NULL;
	struct sigaction sa;
	int opt, ret;

	kb_log_init(prog);
	while ((opt = getopt(argc, argv, "s:vh")) != -1) {
		switch (opt) {
		case 's':
			sock = optarg;
			break;
		case 'v':
			kb_log_set_level(KB_DEBUG);
			break;
		default:
			fprintf(stderr, "usage: %s [-s STORE_SOCKET] [-v]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	ret = kb_backend_new(ops, sock, &backend);
	if (ret) {
		kb_log(KB_ERR, "cannot start: %s", strerror(-ret));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	kb_log(KB_INFO, "started (pid %d)", (int)getpid());
	ret = kb_backend_run(backend);
	kb_backend_free(backend);
	kb_log(KB_INFO, "stopped%s%s", ret ? ": " : "", ret ? strerror(-ret) : "");
	return ret ? 1 : 0;
}
