// SPDX-License-Identifier: GPL-2.0-only
/* keel-netback: serves every guest's virtual network interfaces from dom0
 * (/local/domain/0/backend/vif/<domid>/<handle>), each as a tap device
 * vif<domid>.<handle> on a Linux bridge. Logs to stderr.
 * Usage: keel-netback [-s STORE_SOCKET] [-v] */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keelback.h"
#include "nb_vif.h"

static struct kb_backend *backend;

static void on_signal(int sig)
{
	(void)sig;
	if (backend)
		kb_backend_stop(backend);
}

int main(int argc, char **argv)
{
	const char *sock = NULL;
	struct sigaction sa;
	int opt, ret;

	kb_log_init("keel-netback");
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
	ret = kb_backend_new(&nb_backend_ops, sock, &backend);
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
