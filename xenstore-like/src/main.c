// SPDX-License-Identifier: GPL-2.0-only
/* keelstored: command line, start-up (restore state, attach rings, listen)
 * and the main loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "xsd.h"
#include "backend_fake.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keelstored [options]\n"
		"  -s, --socket PATH    unix socket (default $XENSTORED_PATH or /run/xenstored/socket)\n"
		"  -S, --state FILE     persisted state (default /var/lib/keelstored/state)\n"
		"      --no-persist     keep state in memory only\n"
		"      --no-fsync       do not fsync the state: survives daemon crashes,\n"
		"                       not host crashes (which end all domains anyway)\n"
		"  -r, --rings MODE     xen (default): /dev/xen; none: socket clients only;\n"
		"                       fake:DIR: file/socket fakes for tests\n"
		"      --no-kernel-ring do not attach dom0's kernel xenbus ring\n"
		"      --quota-nodes N, --quota-size N, --quota-watches N,\n"
		"      --quota-transactions N, --quota-outstanding N\n"
		"                       limits for unprivileged domains\n"
		"  -v, --verbose        log every failed request\n");
}

static uint32_t quota_arg(const char *opt, const char *s)
{
	uint64_t v;

	if (!parse_u64(s, UINT32_MAX, &v) || !v) {
		fprintf(stderr, "keelstored: %s needs a positive number, got '%s'\n",
			opt, s);
		exit(2);
	}
	return (uint32_t)v;
}

enum { OPT_NO_PERSIST = 256, OPT_NO_FSYNC, OPT_NO_KERNEL, OPT_QN, OPT_QS, OPT_QW, OPT_QT,
       OPT_QO };

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "no-persist", no_argument, NULL, OPT_NO_PERSIST },
		{ "no-fsync", no_argument, NULL, OPT_NO_FSYNC },
		{ "rings", required_argument, NULL, 'r' },
		{ "no-kernel-ring", no_argument, NULL, OPT_NO_KERNEL },
		{ "quota-nodes", required_argument, NULL, OPT_QN },
		{ "quota-size", required_argument, NULL, OPT_QS },
		{ "quota-watches", required_argument, NULL, OPT_QW },
		{ "quota-transactions", required_argument, NULL, OPT_QT },
		{ "quota-outstanding", required_argument, NULL, OPT_QO },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct daemon d;
	const char *sock = getenv("XENSTORED_PATH");
	const char *state = "/var/lib/keelstored/state", *rings = "xen";
	const char *err = NULL;
	bool persist = true, kernel_ring = true;
	int opt, rc = 0;

	daemon_init(&d);
	while ((opt = getopt_long(argc, argv, "s:S:r:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock = optarg; break;
		case 'S': state = optarg; break;
		case 'r': rings = optarg; break;
		case 'v': xsd_verbose = true; break;
		case OPT_NO_PERSIST: persist = false; break;
		case OPT_NO_FSYNC: d.fsync = false; break;
		case OPT_NO_KERNEL: kernel_ring = false; break;
		case OPT_QN: d.q.nodes_per_domain = quota_arg("--quota-nodes", optarg); break;
		case OPT_QS: d.q.node_size = quota_arg("--quota-size", optarg); break;
		case OPT_QW: d.q.watches_per_conn = quota_arg("--quota-watches", optarg); break;
		case OPT_QT: d.q.txns_per_conn = quota_arg("--quota-transactions", optarg); break;
		case OPT_QO: d.q.outstanding_per_conn = quota_arg("--quota-outstanding", optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sock || !*sock)
		sock = "/run/xenstored/socket";

	if (!strcmp(rings, "xen")) {
		d.rb = &xen_ring_backend;
		d.rb_ctx = xen_ring_backend_open(&err);
	} else if (!strncmp(rings, "fake:", 5)) {
		d.rb = &fake_ring_backend;
		d.rb_ctx = fake_ring_backend_open(rings + 5, &err);
	} else if (strcmp(rings, "none")) {
		fprintf(stderr, "keelstored: --rings must be xen, none or fake:DIR, not '%s'\n",
			rings);
		return 2;
	}
	if (d.rb && !d.rb_ctx) {
		fprintf(stderr, "keelstored: %s; use --rings=none to serve only the unix socket\n",
			err);
		return 1;
	}
	if (!d.rb) {
		kernel_ring = false;
		d.rb = &null_ring_backend;
	}

	if (d.rb_ctx && (rc = daemon_watch_evtchn(&d)) < 0) {
		fprintf(stderr, "keelstored: cannot poll the event channel device: %s\n",
			strerror(-rc));
		return 1;
	}
	/* Before the state is loaded, so that the kernel's watches find it. */
	if (kernel_ring) {
		rc = domain_attach_kernel(&d);
		if (rc < 0)
			xsd_log("dom0 kernel xenbus ring not attached (%s): dom0 kernel drivers cannot use xenstore",
				strerror(-rc));
	}
	if (persist) {
		d.state_path = xstrdup(state);
		rc = persist_load(&d);
		if (rc == -ENOENT) {
			store_init_root(&d.st);
			xsd_log("no state file at %s: starting with an empty store",
				state);
		} else if (rc < 0) {
			fprintf(stderr, "keelstored: state file %s is unreadable or corrupt (%s); move it away to start empty\n",
				state, strerror(-rc));
			return 1;
		} else {
			xsd_log("restored state from %s (%zu nodes)", state,
				d.st.nodes.count);
		}
		/* A fresh state file now, so that later saves only replace. */
		daemon_mark_dirty(&d);
	} else {
		store_init_root(&d.st);
	}
	if (daemon_listen(&d, sock) < 0)
		return 1;
	if (daemon_sync_and_flush(&d) < 0)
		return 1;
	xsd_log("listening on %s", sock);

	/* Every client and every domain is a descriptor: take all we may. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop_requested) {
		rc = daemon_run_once(&d, 1000);
		if (rc < 0) {
			xsd_log("event loop failed: %s", strerror(-rc));
			break;
		}
	}
	daemon_sync_and_flush(&d);
	xsd_log("exiting");
	daemon_fini(&d);
	return rc < 0 ? 1 : 0;
}
