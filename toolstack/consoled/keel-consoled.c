// SPDX-License-Identifier: GPL-2.0-only
/* keel-consoled: dom0's console and lifecycle daemon. Serves every guest's
 * PV console (log files, `keel console`), and applies on_poweroff/on_reboot/
 * on_crash when a guest shuts down. The engine is libkeelctrl/consoled.c. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "consoled.h"
#include "console_client.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(FILE *f)
{
	fputs("usage: keel-consoled [options]\n"
	      "  -s, --socket PATH    attach socket (default " KEEL_CONSOLED_SOCKET ")\n"
	      "  -l, --log-dir DIR    guest console logs (default /var/log/keel)\n"
	      "      --state-dir DIR  saved domain configs, for restarts (default /var/lib/keel)\n"
	      "      --privcmd PATH   default /dev/xen/privcmd\n"
	      "      --evtchn PATH    default /dev/xen/evtchn\n"
	      "      --no-lifecycle   serve consoles only; leave shut-down domains alone\n"
	      "The store is reached at $XENSTORED_PATH or /run/xenstored/socket.\n",
	      f);
}

int main(int argc, char **argv)
{
	enum { OPT_PRIVCMD = 256, OPT_EVTCHN, OPT_NOLIFE, OPT_STATE };
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "state-dir", required_argument, NULL, OPT_STATE },
		{ "privcmd", required_argument, NULL, OPT_PRIVCMD },
		{ "evtchn", required_argument, NULL, OPT_EVTCHN },
		{ "no-lifecycle", no_argument, NULL, OPT_NOLIFE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = KEEL_CONSOLED_SOCKET, *log_dir = "/var/log/keel";
	const char *state = "/var/lib/keel", *privcmd = NULL, *evtchn = NULL;
	const struct keel_evtchn_ops *ev;
	const struct keel_hv_ops *ops;
	struct keel_consoled *cd;
	struct keel_ctl *k;
	bool lifecycle = true;
	char err[512];
	void *hv, *evh;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "s:l:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'l': log_dir = optarg; break;
		case OPT_STATE: state = optarg; break;
		case OPT_PRIVCMD: privcmd = optarg; break;
		case OPT_EVTCHN: evtchn = optarg; break;
		case OPT_NOLIFE: lifecycle = false; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (keel_privcmd_open(privcmd, &ops, &hv, err, sizeof(err))) {
		fprintf(stderr, "keel-consoled: %s\n", err);
		return 1;
	}
	ret = keel_evtchn_open(evtchn, &ev, &evh);
	if (ret) {
		fprintf(stderr, "keel-consoled: cannot open %s: %s: load dom0's xen_evtchn module\n",
			evtchn ? evtchn : "/dev/xen/evtchn", strerror(-ret));
		ops->close(hv);
		return 1;
	}
	k = keel_ctl_new(ops, hv, NULL, state);
	if (!k) {
		fprintf(stderr, "keel-consoled: out of memory\n");
		return 1;
	}
	{
		/* The socket's directory (/run/keel) may not exist yet. */
		char *dir = strdup(sock), *slash = strrchr(dir, '/');

		if (slash && slash != dir) {
			*slash = 0;
			mkdir(dir, 0755);
		}
		free(dir);
	}
	cd = keel_consoled_new(k, ev, evh, sock, log_dir, lifecycle, stderr, err, sizeof(err));
	if (!cd) {
		fprintf(stderr, "keel-consoled: %s\n", err);
		ev->close(evh);
		keel_ctl_close(k);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "keel-consoled: serving consoles on %s, logs in %s%s\n", sock, log_dir,
		lifecycle ? ", applying on_poweroff/on_reboot/on_crash" : "");
	while (!stop) {
		ret = keel_consoled_step(cd, 1000);
		if (ret) {
			fprintf(stderr, "keel-consoled: poll failed: %s\n", strerror(-ret));
			break;
		}
	}
	keel_consoled_free(cd);
	ev->close(evh);
	keel_ctl_close(k);
	return ret ? 1 : 0;
}
