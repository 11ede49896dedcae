// SPDX-License-Identifier: GPL-2.0-only
/*
 * keel-consoled's engine: serves every guest's PV console ring (mapped by
 * foreign mapping, signalled over an interdomain event channel), logs each
 * guest's output to LOG_DIR/guest-NAME.log, lets `keel console` clients
 * attach over a unix socket, and on VIRQ_DOM_EXC applies the shut-down
 * domains' on_poweroff/on_reboot/on_crash. One thread, one poll loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"
#include "public/event_channel.h"
#include "consoled.h"
#include "ctrl_internal.h"

#define MAX_CLIENTS 64
#define RESCAN_SECONDS 5
#define BACKLOG_MAX (64 * 1024)

struct guest_console {
	bool used;
	domid_t dom;
	char name[KEEL_DOMAIN_NAME_MAX];
	volatile struct keel_cons_ring *ring;
	uint32_t local_port;
	int log;
	bool bad_ring_logged;
	/* Output no client has seen, as a pty would hold it: the next client
	 * to attach (e.g. keel create -c) gets it first. Oldest bytes go. */
	char *backlog;
	size_t backlog_len;
};

struct client {
	int fd;
	domid_t dom; /* valid once attached */
	bool attached;
	char line[64];
	size_t len;
};

struct keel_consoled {
	struct keel_ctl *k;
	const struct keel_evtchn_ops *ev;
	void *evh;
	struct ks_handle *watch;
	char *log_dir;
	int listen_fd;
	int virq_port;
	bool lifecycle;
	FILE *log;
	struct guest_console g[KEEL_CONSOLED_MAX_GUESTS];
	struct client c[MAX_CLIENTS];
	unsigned nr_clients;
	time_t last_rescan;
};

static void say(struct keel_consoled *cd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct keel_consoled *cd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("keel-consoled: ", cd->log);
	vfprintf(cd->log, fmt, ap);
	fputc('\n', cd->log);
	fflush(cd->log);
	va_end(ap);
}

static struct guest_console *find_guest(struct keel_consoled *cd, domid_t d)
{
	for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++)
		if (cd->g[i].used && cd->g[i].dom == d)
			return &cd->g[i];
	return NULL;
}

static void client_drop(struct keel_consoled *cd, unsigned i)
{
	close(cd->c[i].fd);
	cd->c[i] = cd->c[--cd->nr_clients];
}

static void detach(struct keel_consoled *cd, struct guest_console *g)
{
	for (unsigned i = 0; i < cd->nr_clients;)
		if (cd->c[i].attached && cd->c[i].dom == g->dom)
			client_drop(cd, i);
		else
			i++;
	if (g->local_port)
		cd->ev->unbind(cd->evh, g->local_port);
	if (g->ring)
		cd->k->ops->unmap(cd->k->hv, (void *)g->ring, 1);
	if (g->log >= 0)
		close(g->log);
	free(g->backlog);
	say(cd, "domain %u (%s): console closed", g->dom, g->name);
	memset(g, 0, sizeof(*g));
}

static int read_ulong(struct keel_consoled *cd, domid_t d, const char *key,
		      unsigned long long *v)
{
	struct ks_handle *h;
	char path[96], *s = NULL, *end;
	int ret;

	ret = keel_store(cd->k, &h);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/local/domain/%u/%s", d, key);
	ret = ks_read(h, KS_NO_TXN, path, &s, NULL);
	if (ret)
		return ret;
	*v = strtoull(s, &end, 10);
	ret = *s && !*end ? 0 : -EINVAL;
	free(s);
	return ret;
}

static void attach(struct keel_consoled *cd, domid_t d)
{
	struct guest_console *g = NULL;
	unsigned long long gfn, port;
	char *name = NULL, path[512];
	xen_pfn_t pfn;
	int ret;

	for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS && !g; i++)
		if (!cd->g[i].used)
			g = &cd->g[i];
	if (!g) {
		say(cd, "domain %u: too many consoles (%d): not serving this one", d,
		    KEEL_CONSOLED_MAX_GUESTS);
		return;
	}
	/* Not yet (or never) set up by the toolstack: try again on the next event. */
	if (read_ulong(cd, d, "console/ring-ref", &gfn) ||
	    read_ulong(cd, d, "console/port", &port))
		return;
	memset(g, 0, sizeof(*g));
	g->log = -1;
	g->dom = d;
	if (keel_domain_name(cd->k, d, &name) || !name)
		snprintf(g->name, sizeof(g->name), "dom%u", d);
	else
		snprintf(g->name, sizeof(g->name), "%s", name);
	free(name);
	pfn = gfn;
	g->ring = cd->k->ops->map_foreign(cd->k->hv, d, &pfn, 1);
	if (!g->ring) {
		say(cd, "domain %u (%s): cannot map console ring GFN 0x%llx: %s", d, g->name,
		    gfn, strerror(errno));
		memset(g, 0, sizeof(*g));
		return;
	}
	ret = cd->ev->bind_interdomain(cd->evh, d, (uint32_t)port);
	if (ret < 0) {
		say(cd, "domain %u (%s): cannot bind console event channel %llu: %s", d,
		    g->name, port, strerror(-ret));
		cd->k->ops->unmap(cd->k->hv, (void *)g->ring, 1);
		memset(g, 0, sizeof(*g));
		return;
	}
	g->local_port = ret;
	snprintf(path, sizeof(path), "%s/guest-%s.log", cd->log_dir, g->name);
	g->log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (g->log < 0)
		say(cd, "domain %u (%s): cannot open %s: %s (serving the console without a log)",
		    d, g->name, path, strerror(errno));
	g->used = true;
	say(cd, "domain %u (%s): console ring GFN 0x%llx, port %llu, log %s", d, g->name,
	    gfn, port, path);
}

/* Sends to every client attached to g; false if there was none. A client
 * too slow to take the output is dropped, not waited for. */
static bool to_clients(struct keel_consoled *cd, struct guest_console *g,
		       const char *buf, size_t n)
{
	bool any = false;

	for (unsigned i = 0; i < cd->nr_clients;) {
		struct client *c = &cd->c[i];

		if (c->attached && c->dom == g->dom) {
			if (send(c->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) != (ssize_t)n) {
				client_drop(cd, i);
				continue;
			}
			any = true;
		}
		i++;
	}
	return any;
}

static void keep_backlog(struct guest_console *g, const char *buf, size_t n)
{
	if (!g->backlog) {
		g->backlog = malloc(BACKLOG_MAX);
		if (!g->backlog)
			return;
	}
	/* n is at most one ring's worth (2 KiB), far below BACKLOG_MAX. */
	if (g->backlog_len + n > BACKLOG_MAX) {
		size_t drop = g->backlog_len + n - BACKLOG_MAX;

		memmove(g->backlog, g->backlog + drop, g->backlog_len - drop);
		g->backlog_len -= drop;
	}
	memcpy(g->backlog + g->backlog_len, buf, n);
	g->backlog_len += n;
}

/* Guest output to its log and its attached clients. */
static void drain(struct keel_consoled *cd, struct guest_console *g)
{
	char buf[2048];
	int n;

	while ((n = keel_cons_read(g->ring, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (!g->bad_ring_logged)
				say(cd, "domain %u (%s): console ring indexes are impossible; discarding its contents",
				    g->dom, g->name);
			g->bad_ring_logged = true;
			break;
		}
		if (g->log >= 0 && write(g->log, buf, n) != n)
			say(cd, "domain %u (%s): log write failed: %s", g->dom, g->name,
			    strerror(errno));
		if (!to_clients(cd, g, buf, n))
			keep_backlog(g, buf, n);
		cd->ev->notify(cd->evh, g->local_port);
	}
}

int keel_consoled_rescan(struct keel_consoled *cd)
{
	struct xen_domctl_getdomaininfo *v;
	unsigned n;
	int ret;

	ret = keel_domain_list(cd->k, &v, &n);
	if (ret) {
		say(cd, "%s", cd->k->err);
		return ret;
	}
	/* Gone or dying: let go. */
	for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++) {
		bool alive = false;

		if (!cd->g[i].used)
			continue;
		for (unsigned j = 0; j < n; j++)
			if (v[j].domain == cd->g[i].dom && !(v[j].flags & XEN_DOMINF_dying))
				alive = true;
		if (!alive) {
			drain(cd, &cd->g[i]);
			detach(cd, &cd->g[i]);
		}
	}
	for (unsigned j = 0; j < n; j++)
		if (v[j].domain && !(v[j].flags & XEN_DOMINF_dying) && !find_guest(cd, v[j].domain))
			attach(cd, v[j].domain);
	free(v);
	return 0;
}

struct keel_consoled *keel_consoled_new(struct keel_ctl *k,
					const struct keel_evtchn_ops *ev,
					void *evh, const char *socket_path,
					const char *log_dir, bool lifecycle,
					FILE *log, char *err, size_t errlen)
{
	struct keel_consoled *cd = calloc(1, sizeof(*cd));
	struct sockaddr_un sa;
	const char *xs = getenv("XENSTORED_PATH");
	int ret;

	if (!cd) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	cd->k = k;
	cd->ev = ev;
	cd->evh = evh;
	cd->log = log;
	cd->lifecycle = lifecycle;
	cd->listen_fd = -1;
	cd->log_dir = strdup(log_dir);
	if (mkdir(log_dir, 0750) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create the log directory %s: %s", log_dir,
			 strerror(errno));
		goto fail;
	}
	/* Watches on a connection of their own. */
	ret = ks_open(xs, &cd->watch);
	if (ret) {
		cd->watch = NULL;
		snprintf(err, errlen, "cannot reach the store (keelstored) at %s: %s: start keelstored first",
			 xs ? xs : "/run/xenstored/socket", strerror(-ret));
		goto fail;
	}
	if ((ret = ks_watch(cd->watch, "@introduceDomain", "intro")) ||
	    (ret = ks_watch(cd->watch, "@releaseDomain", "release"))) {
		snprintf(err, errlen, "cannot watch @introduceDomain/@releaseDomain: %s",
			 strerror(-ret));
		goto fail;
	}
	if (lifecycle) {
		ret = ev->bind_virq(evh, VIRQ_DOM_EXC);
		if (ret < 0) {
			snprintf(err, errlen, "cannot bind VIRQ_DOM_EXC (domain shutdowns): %s",
				 strerror(-ret));
			goto fail;
		}
		cd->virq_port = ret;
	}
	cd->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", socket_path);
		goto fail;
	}
	strcpy(sa.sun_path, socket_path);
	unlink(socket_path);
	if (cd->listen_fd < 0 || bind(cd->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(cd->listen_fd, 16)) {
		snprintf(err, errlen, "cannot listen on %s: %s", socket_path, strerror(errno));
		goto fail;
	}
	chmod(socket_path, 0600);
	keel_consoled_rescan(cd);
	return cd;
fail:
	keel_consoled_free(cd);
	return NULL;
}

void keel_consoled_free(struct keel_consoled *cd)
{
	if (!cd)
		return;
	for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++)
		if (cd->g[i].used)
			detach(cd, &cd->g[i]);
	while (cd->nr_clients)
		client_drop(cd, 0);
	if (cd->watch)
		ks_close(cd->watch);
	if (cd->listen_fd >= 0)
		close(cd->listen_fd);
	free(cd->log_dir);
	free(cd);
}

static void client_line(struct keel_consoled *cd, unsigned i)
{
	struct client *c = &cd->c[i];
	struct guest_console *g = NULL;
	char reply[192];
	unsigned long d = 0;
	char *end = NULL;

	c->line[c->len] = 0;
	if (!strncmp(c->line, "ATTACH ", 7) && c->line[7] >= '0' && c->line[7] <= '9')
		d = strtoul(c->line + 7, &end, 10);
	if (!end || *end || d >= DOMID_FIRST_RESERVED) {
		snprintf(reply, sizeof(reply), "ERR bad request: expected \"ATTACH <domid>\"\n");
	} else {
		g = find_guest(cd, d);
		if (!g) {
			keel_consoled_rescan(cd);
			g = find_guest(cd, d);
		}
		if (g) {
			snprintf(reply, sizeof(reply), "OK\n");
			c->attached = true;
			c->dom = d;
		} else {
			snprintf(reply, sizeof(reply), "ERR domain %lu has no console served by keel-consoled (no such domain, or it has no PV console)\n",
				 d);
		}
	}
	if (send(c->fd, reply, strlen(reply), MSG_NOSIGNAL) != (ssize_t)strlen(reply) ||
	    !c->attached) {
		client_drop(cd, i);
		return;
	}
	if (g->backlog_len &&
	    send(c->fd, g->backlog, g->backlog_len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)g->backlog_len)
		g->backlog_len = 0;
}

static void client_input(struct keel_consoled *cd, unsigned i)
{
	struct client *c = &cd->c[i];
	char buf[1024];
	ssize_t n;

	if (!c->attached) {
		n = read(c->fd, c->line + c->len, 1);
		if (n <= 0 || c->len + 1 >= sizeof(c->line)) {
			client_drop(cd, i);
			return;
		}
		if (c->line[c->len] == '\n')
			client_line(cd, i);
		else
			c->len++;
		return;
	}
	n = read(c->fd, buf, sizeof(buf));
	if (n <= 0) {
		client_drop(cd, i);
		return;
	}
	{
		struct guest_console *g = find_guest(cd, c->dom);

		if (!g) {
			client_drop(cd, i);
			return;
		}
		/* What does not fit in the 1 KiB input ring is dropped, like a UART. */
		keel_cons_write(g->ring, buf, n);
		cd->ev->notify(cd->evh, g->local_port);
	}
}

static void store_events(struct keel_consoled *cd)
{
	char *path, *token;
	bool any = false;

	while (!ks_read_watch(cd->watch, &path, &token)) {
		free(path);
		any = true;
	}
	if (any)
		keel_consoled_rescan(cd);
}

static void port_events(struct keel_consoled *cd)
{
	int port;

	while ((port = cd->ev->read_pending(cd->evh)) >= 0) {
		if (cd->lifecycle && port == cd->virq_port) {
			/* A guest's last words first: destroying it unmaps its ring. */
			for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++)
				if (cd->g[i].used)
					drain(cd, &cd->g[i]);
			keel_lifecycle_scan(cd->k, cd->log);
			keel_consoled_rescan(cd);
		} else {
			for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++)
				if (cd->g[i].used && (int)cd->g[i].local_port == port)
					drain(cd, &cd->g[i]);
		}
		cd->ev->unmask(cd->evh, port);
	}
}

int keel_consoled_step(struct keel_consoled *cd, int timeout_ms)
{
	struct pollfd p[3 + MAX_CLIENTS];
	unsigned nc = cd->nr_clients;
	struct timespec now;
	int n;

	p[0] = (struct pollfd){ ks_watch_fd(cd->watch), POLLIN, 0 };
	p[1] = (struct pollfd){ cd->ev->fd(cd->evh), POLLIN, 0 };
	p[2] = (struct pollfd){ cd->listen_fd, POLLIN, 0 };
	for (unsigned i = 0; i < nc; i++)
		p[3 + i] = (struct pollfd){ cd->c[i].fd, POLLIN, 0 };
	n = poll(p, 3 + nc, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[0].revents)
		store_events(cd);
	if (p[1].revents)
		port_events(cd);
	if (p[2].revents) {
		int fd = accept4(cd->listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (fd >= 0 && cd->nr_clients < MAX_CLIENTS)
			cd->c[cd->nr_clients++] = (struct client){ .fd = fd };
		else if (fd >= 0)
			close(fd);
	}
	/* Clients from the top so that drops do not skip anyone polled. */
	for (unsigned i = nc; i-- > 0;)
		if (i < cd->nr_clients && p[3 + i].revents && cd->c[i].fd == p[3 + i].fd)
			client_input(cd, i);
	/* A missed store event must not leave a console unserved for long. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - cd->last_rescan >= RESCAN_SECONDS) {
		cd->last_rescan = now.tv_sec;
		keel_consoled_rescan(cd);
	}
	/* Missed events must not lose output: drain every ring on each turn. */
	for (unsigned i = 0; i < KEEL_CONSOLED_MAX_GUESTS; i++)
		if (cd->g[i].used)
			drain(cd, &cd->g[i]);
	return 0;
}
