// SPDX-License-Identifier: GPL-2.0-only
/* The control side of a backend daemon: devices come and go with their
 * directories under /local/domain/0/backend/<type>/, and each follows the
 * xenbus state machine against its frontend's `state` (see kb_backend.h).
 * Everything here runs on one thread, the only one using the store
 * handle; data-path threads reach it through kb_device_fatal() and an
 * eventfd. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "keelstore.h"
#include "kb_backend.h"

struct kb_backend {
	const struct kb_backend_ops *ops;
	char *socket_path;
	struct ks_handle *h;
	char root[64]; /* /local/domain/0/backend/<type> */
	struct kb_device *devices;
	int wake_fd; /* eventfd: a fatal device, or stop */
	volatile int stop;
	pthread_mutex_t fatal_lock; /* every device's fatal_pending/reason */
	pthread_mutex_t log_lock; /* every device's log_limit */
};

#define ROOT_TOKEN "kb-root"
#define STORE_RETRY_MS 1000

static const char *state_name(int s)
{
	static const char *const names[] = { "Unknown",   "Initialising", "InitWait",
					     "Initialised", "Connected",  "Closing",
					     "Closed",     "Reconfiguring", "Reconfigured" };

	return s >= 0 && s <= 8 ? names[s] : "missing";
}

/* ---- store helpers ---- */

static int read_path(struct kb_backend *be, const char *dir, const char *key, char **val)
{
	char path[256];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, key) >= sizeof(path))
		return -ENAMETOOLONG;
	return ks_read(be->h, KS_NO_TXN, path, val, NULL);
}

static int parse_uint(const char *s, unsigned long *val)
{
	char *end;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*val = strtoul(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int read_uint(struct kb_backend *be, const char *dir, const char *key, unsigned long *val)
{
	char *s;
	int ret = read_path(be, dir, key, &s);

	if (ret)
		return ret;
	ret = parse_uint(s, val);
	free(s);
	return ret;
}

int kb_dev_read(struct kb_device *d, const char *key, char **val)
{
	return read_path(d->be, d->be_path, key, val);
}

int kb_dev_fe_read(struct kb_device *d, const char *key, char **val)
{
	return read_path(d->be, d->fe_path, key, val);
}

int kb_dev_read_uint(struct kb_device *d, const char *key, unsigned long *val)
{
	return read_uint(d->be, d->be_path, key, val);
}

int kb_dev_fe_read_uint(struct kb_device *d, const char *key, unsigned long *val)
{
	return read_uint(d->be, d->fe_path, key, val);
}

struct dev_write {
	const char *dir, *path, *val;
	size_t len;
};

/* A store write creates missing parents: one that lands just after the
 * toolstack removed the device's directory (a detach, a guest going away)
 * would bring the directory back for good. So the write happens only in a
 * transaction that still finds the directory. */
static int write_if_dir_exists(struct ks_handle *h, ks_txn_t t, void *arg)
{
	const struct dev_write *w = arg;
	char *v = NULL;
	int ret = ks_read(h, t, w->dir, &v, NULL);

	free(v);
	return ret ? ret : ks_write(h, t, w->path, w->val, w->len);
}

int kb_dev_write(struct kb_device *d, const char *key, const char *fmt, ...)
{
	char path[256], val[256];
	struct dev_write w = { d->be_path, path, val, 0 };
	va_list ap;
	int n, ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", d->be_path, key) >= sizeof(path))
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	n = vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(val))
		return -EINVAL;
	w.len = (size_t)n;
	/* Retried on a conflict and when the store restarted under us. */
	ret = ks_transaction(d->be->h, write_if_dir_exists, &w, 10);
	if (ret == -ENOENT)
		kb_dev_log(d, KB_DEBUG, "not writing %s: the directory is gone", path);
	else if (ret)
		kb_dev_log(d, KB_WARN, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}

int kb_dev_switch_state(struct kb_device *d, enum kb_xenbus_state state)
{
	int ret = kb_dev_write(d, "state", "%d", (int)state);

	if (!ret) {
		kb_dev_log(d, KB_DEBUG, "state %s -> %s", state_name(d->state), state_name(state));
		d->state = state;
	}
	return ret;
}

/*
 * A device's own lines (its life cycle, refused handshakes, fatal errors):
 * a frontend that keeps reconnecting or failing its handshake would add a
 * few at every round, so past a burst they are rate-limited like bad
 * requests are. Debug lines, asked for with -v, always go out.
 */
#define KB_DEV_LOG_BURST 40u
#define KB_DEV_LOG_INTERVAL_MS 10000u

void kb_dev_log(const struct kb_device *d, enum kb_log_level level, const char *fmt, ...)
{
	struct kb_device *dev = (struct kb_device *)d; /* log_limit is under log_lock */
	uint64_t held = 0;
	bool allowed = true;
	va_list ap;

	if (level > KB_DEBUG) {
		pthread_mutex_lock(&d->be->log_lock);
		allowed = kb_ratelimit_allow(&dev->log_limit, kb_now_ms(), &held);
		pthread_mutex_unlock(&d->be->log_lock);
	}
	if (!allowed)
		return;
	if (held)
		kb_log_dev(KB_WARN, d->domid, d->type, d->devid,
			   "%llu more lines about this device were not logged",
			   (unsigned long long)held);
	va_start(ap, fmt);
	kb_vlog_dev(level, d->domid, d->type, d->devid, fmt, ap);
	va_end(ap);
}

void kb_dev_fail(struct kb_device *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(d->fail_reason, sizeof(d->fail_reason), fmt, ap);
	va_end(ap);
	kb_dev_log(d, KB_ERR, "%s", d->fail_reason);
}

/* What a failed probe() or connect() leaves in `error`. */
static const char *fail_reason(const struct kb_device *d, int err)
{
	return d->fail_reason[0] ? d->fail_reason : strerror(-err);
}

void kb_device_fatal(struct kb_device *d, const char *fmt, ...)
{
	struct kb_backend *be = d->be;
	uint64_t one = 1;
	char reason[256];
	bool first;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&be->fatal_lock);
	first = !d->fatal_pending;
	if (first) {
		d->fatal_pending = true;
		snprintf(d->fatal_reason, sizeof(d->fatal_reason), "%s", reason);
	}
	pthread_mutex_unlock(&be->fatal_lock);
	if (!first)
		return;
	kb_dev_log(d, KB_ERR, "%s: disconnecting", reason);
	if (write(be->wake_fd, &one, sizeof(one)) < 0)
		kb_dev_log(d, KB_ERR, "cannot wake the control thread: %s", strerror(errno));
}

/* ---- the state machine ---- */

static void do_disconnect(struct kb_device *d)
{
	if (d->connected) {
		d->be->ops->disconnect(d);
		d->connected = false;
	}
}

static void do_probe(struct kb_device *d)
{
	int ret;

	pthread_mutex_lock(&d->be->fatal_lock);
	d->fatal_pending = false;
	pthread_mutex_unlock(&d->be->fatal_lock);
	d->fail_reason[0] = 0;
	ret = d->be->ops->probe(d);
	if (ret == -EAGAIN) {
		/* Not all of the toolstack's keys are there yet: again on the
		 * next change in the directory. */
		kb_dev_log(d, KB_DEBUG, "backend directory incomplete; waiting");
		return;
	}
	d->probed = true;
	if (ret) {
		kb_dev_write(d, "error", "probe failed: %s", fail_reason(d, ret));
		kb_dev_switch_state(d, KB_STATE_CLOSED);
		return;
	}
	kb_dev_switch_state(d, KB_STATE_INITWAIT);
}

static void close_device(struct kb_device *d, const char *reason)
{
	do_disconnect(d);
	if (reason)
		kb_dev_write(d, "error", "%s", reason);
	if (d->state != KB_STATE_CLOSING && d->state != KB_STATE_CLOSED)
		kb_dev_switch_state(d, KB_STATE_CLOSING);
}

static void frontend_changed(struct kb_device *d)
{
	unsigned long fe;
	int ret = read_uint(d->be, d->fe_path, "state", &fe);

	d->fe_state = ret ? -1 : (int)fe;
	kb_dev_log(d, KB_DEBUG, "frontend %s, backend %s", state_name(d->fe_state),
		   state_name(d->state));
	switch (d->fe_state) {
	case KB_STATE_INITIALISING:
		/* A frontend starting over (driver reload, kexec) after we
		 * closed, or without closing first. */
		if (d->state == KB_STATE_CLOSED || d->state == KB_STATE_CONNECTED ||
		    d->state == KB_STATE_CLOSING) {
			do_disconnect(d);
			do_probe(d);
		}
		break;
	case KB_STATE_INITIALISED:
	case KB_STATE_CONNECTED:
		if (d->state != KB_STATE_INITWAIT)
			break;
		pthread_mutex_lock(&d->be->fatal_lock);
		d->fatal_pending = false;
		pthread_mutex_unlock(&d->be->fatal_lock);
		d->fail_reason[0] = 0;
		ret = d->be->ops->connect(d);
		if (ret) {
			kb_dev_write(d, "error", "connect failed: %s", fail_reason(d, ret));
			kb_dev_switch_state(d, KB_STATE_CLOSING);
			break;
		}
		d->connected = true;
		kb_dev_switch_state(d, KB_STATE_CONNECTED);
		kb_dev_log(d, KB_INFO, "connected");
		break;
	case KB_STATE_CLOSING:
		do_disconnect(d);
		if (d->state != KB_STATE_CLOSED)
			kb_dev_switch_state(d, KB_STATE_CLOSING);
		break;
	case KB_STATE_CLOSED:
		if (d->connected)
			kb_dev_log(d, KB_INFO, "frontend closed");
		do_disconnect(d);
		kb_dev_switch_state(d, KB_STATE_CLOSED);
		break;
	case -1:
		/* No frontend yet (the toolstack writes the backend first), or
		 * its domain is gone. */
		if (d->connected) {
			kb_dev_log(d, KB_INFO, "frontend state vanished");
			do_disconnect(d);
			kb_dev_switch_state(d, KB_STATE_CLOSED);
		}
		break;
	default:
		break;
	}
}

static struct kb_device *find_device(struct kb_backend *be, uint32_t domid, uint32_t devid)
{
	for (struct kb_device *d = be->devices; d; d = d->next)
		if (d->domid == domid && d->devid == devid)
			return d;
	return NULL;
}

static void remove_device(struct kb_backend *be, struct kb_device *d)
{
	char path[160];

	kb_dev_log(d, KB_INFO, "backend directory removed");
	do_disconnect(d);
	be->ops->remove(d);
	snprintf(path, sizeof(path), "%s/state", d->fe_path);
	ks_unwatch(be->h, path, d->token);
	for (struct kb_device **pp = &be->devices; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	free(d);
}

static void add_device(struct kb_backend *be, uint32_t domid, uint32_t devid, const char *be_path,
		       const char *frontend)
{
	struct kb_device *d = calloc(1, sizeof(*d));
	char path[160], prefix[48];
	unsigned long fe_id;
	int ret;

	if (!d) {
		kb_log_dev(KB_ERR, domid, be->ops->type, devid, "out of memory: device ignored");
		return;
	}
	d->be = be;
	d->domid = domid;
	d->devid = devid;
	d->type = be->ops->type;
	d->state = KB_STATE_INITIALISING;
	d->fe_state = -1;
	kb_ratelimit_init(&d->log_limit, KB_DEV_LOG_BURST, KB_DEV_LOG_INTERVAL_MS, kb_now_ms());
	snprintf(d->be_path, sizeof(d->be_path), "%s", be_path);
	snprintf(d->token, sizeof(d->token), "kb-fe/%u/%u", domid, devid);
	d->next = be->devices;
	be->devices = d;

	/* The frontend must be in the frontend domain's own tree. */
	snprintf(prefix, sizeof(prefix), "/local/domain/%u/", domid);
	if (strncmp(frontend, prefix, strlen(prefix)) ||
	    (size_t)snprintf(d->fe_path, sizeof(d->fe_path), "%s", frontend) >= sizeof(d->fe_path) ||
	    read_uint(be, be_path, "frontend-id", &fe_id) || fe_id != domid) {
		kb_dev_log(d, KB_ERR, "frontend '%s' or frontend-id is not domain %u's: ignoring the device",
			   frontend, domid);
		kb_dev_write(d, "error", "frontend path or frontend-id do not match the domain");
		d->probed = true;
		d->state = KB_STATE_CLOSED;
		d->fe_path[0] = 0;
		return;
	}
	kb_dev_log(d, KB_INFO, "new device, frontend %s", d->fe_path);
	do_probe(d);
	snprintf(path, sizeof(path), "%s/state", d->fe_path);
	ret = ks_watch(be->h, path, d->token);
	if (ret)
		kb_dev_log(d, KB_ERR, "cannot watch %s: %s", path, strerror(-ret));
}

/* One backend directory <root>/<domid>/<devid>: start serving it, stop, or
 * react to the toolstack's online=0. */
static void reconcile(struct kb_backend *be, uint32_t domid, uint32_t devid)
{
	struct kb_device *d = find_device(be, domid, devid);
	char be_path[128], *frontend = NULL, *online = NULL;
	int ret;

	snprintf(be_path, sizeof(be_path), "%s/%u/%u", be->root, domid, devid);
	ret = read_path(be, be_path, "frontend", &frontend);
	if (ret == -ENOENT) {
		if (d)
			remove_device(be, d);
		return;
	}
	if (ret) {
		kb_log_dev(KB_WARN, domid, be->ops->type, devid, "cannot read %s/frontend: %s",
			   be_path, strerror(-ret));
		return;
	}
	if (!d) {
		char *fe_id = NULL;

		/* The toolstack may still be writing the directory. */
		if (!read_path(be, be_path, "frontend-id", &fe_id))
			add_device(be, domid, devid, be_path, frontend);
		free(fe_id);
		free(frontend);
		return;
	}
	free(frontend);
	if (!d->probed && d->state == KB_STATE_INITIALISING) {
		do_probe(d);
		return;
	}
	if (!read_path(be, be_path, "online", &online) && !strcmp(online, "0") &&
	    d->state != KB_STATE_CLOSING && d->state != KB_STATE_CLOSED) {
		kb_dev_log(d, KB_INFO, "online=0: closing");
		close_device(d, NULL);
	}
	free(online);
}

static bool parse_id(const char *s, uint32_t *out)
{
	unsigned long v;

	if (parse_uint(s, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Every directory of one domain, and every device we serve for it. */
static void rescan_domain(struct kb_backend *be, uint32_t domid)
{
	char path[96], **names = NULL;
	unsigned n = 0;
	uint32_t devid;

	snprintf(path, sizeof(path), "%s/%u", be->root, domid);
	if (!ks_directory(be->h, KS_NO_TXN, path, &names, &n)) {
		for (unsigned i = 0; i < n; i++)
			if (parse_id(names[i], &devid))
				reconcile(be, domid, devid);
		free(names);
	}
	/* Devices whose directory went with the whole domain's. */
	for (struct kb_device *d = be->devices, *next; d; d = next) {
		next = d->next;
		if (d->domid == domid)
			reconcile(be, d->domid, d->devid);
	}
}

static void rescan_all(struct kb_backend *be)
{
	char **names = NULL;
	unsigned n = 0;
	uint32_t domid;

	if (!ks_directory(be->h, KS_NO_TXN, be->root, &names, &n)) {
		for (unsigned i = 0; i < n; i++)
			if (parse_id(names[i], &domid))
				rescan_domain(be, domid);
		free(names);
	}
	for (struct kb_device *d = be->devices, *next; d; d = next) {
		next = d->next;
		reconcile(be, d->domid, d->devid);
	}
}

static void root_event(struct kb_backend *be, const char *path)
{
	size_t rl = strlen(be->root);
	char buf[128], *slash, *rest;
	uint32_t domid, devid;

	if (strncmp(path, be->root, rl) || path[rl] != '/') {
		rescan_all(be); /* the root itself: first event, or the store restarted */
		return;
	}
	snprintf(buf, sizeof(buf), "%s", path + rl + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (!parse_id(buf, &domid))
		return;
	if (!slash) {
		rescan_domain(be, domid);
		return;
	}
	rest = slash + 1;
	slash = strchr(rest, '/');
	if (slash)
		*slash = 0;
	if (parse_id(rest, &devid))
		reconcile(be, domid, devid);
}

static void token_event(struct kb_backend *be, const char *path, const char *token)
{
	uint32_t domid, devid;
	struct kb_device *d;

	if (!strcmp(token, ROOT_TOKEN)) {
		root_event(be, path);
		return;
	}
	if (sscanf(token, "kb-fe/%u/%u", &domid, &devid) != 2)
		return;
	d = find_device(be, domid, devid);
	if (d && d->fe_path[0])
		frontend_changed(d);
}

static void handle_fatal(struct kb_backend *be)
{
	uint64_t v;
	char reason[256];

	if (read(be->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		kb_log(KB_ERR, "wake eventfd: %s", strerror(errno));
	for (struct kb_device *d = be->devices; d; d = d->next) {
		bool pending;

		pthread_mutex_lock(&be->fatal_lock);
		pending = d->fatal_pending;
		snprintf(reason, sizeof(reason), "%s", d->fatal_reason);
		pthread_mutex_unlock(&be->fatal_lock);
		if (pending && d->connected)
			close_device(d, reason);
	}
}

int kb_backend_new(const struct kb_backend_ops *ops, const char *socket_path,
		   struct kb_backend **out)
{
	struct kb_backend *be = calloc(1, sizeof(*be));

	if (!be)
		return -ENOMEM;
	be->ops = ops;
	if (socket_path && !(be->socket_path = strdup(socket_path)))
		goto err_free;
	snprintf(be->root, sizeof(be->root), "/local/domain/0/backend/%s", ops->type);
	be->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (be->wake_fd < 0)
		goto err_free;
	pthread_mutex_init(&be->fatal_lock, NULL);
	pthread_mutex_init(&be->log_lock, NULL);
	*out = be;
	return 0;

err_free:
	free(be->socket_path);
	free(be);
	return -ENOMEM;
}

struct ks_handle *kb_backend_store(struct kb_backend *be)
{
	return be->h;
}

void kb_backend_stop(struct kb_backend *be)
{
	uint64_t one = 1;

	be->stop = 1;
	if (write(be->wake_fd, &one, sizeof(one)) < 0)
		return; /* a signal handler has no one to tell */
}

static int connect_store(struct kb_backend *be)
{
	bool said = false;
	int ret;

	while (!be->stop) {
		ret = ks_open(be->socket_path, &be->h);
		if (!ret)
			ret = ks_watch(be->h, be->root, ROOT_TOKEN);
		if (!ret)
			return 0;
		if (be->h) {
			ks_close(be->h);
			be->h = NULL;
		}
		if (!said)
			kb_log(KB_WARN, "cannot reach the store (%s): %s; retrying every second",
			       be->socket_path ? be->socket_path : "default socket", strerror(-ret));
		said = true;
		poll(NULL, 0, STORE_RETRY_MS);
	}
	return -EINTR;
}

int kb_backend_run(struct kb_backend *be)
{
	int ret = connect_store(be);
	bool store_down = false;

	if (ret)
		return ret;
	kb_log(KB_INFO, "serving %s/", be->root);
	while (!be->stop) {
		int wfd = ks_watch_fd(be->h);
		struct pollfd pf[2] = { { be->wake_fd, POLLIN, 0 }, { wfd, POLLIN, 0 } };
		char *path, *token;

		/* libkeelstore may already hold events it read while answering
		 * a request (the registration's own event, say): take those
		 * before sleeping on the fd. */
		if (wfd >= 0 && !ks_read_watch(be->h, &path, &token)) {
			token_event(be, path, token);
			free(path);
			continue;
		}
		if (wfd < 0) {
			if (!store_down)
				kb_log(KB_WARN, "lost the store: %s; retrying every second",
				       strerror(-wfd));
			store_down = true;
			poll(pf, 1, STORE_RETRY_MS);
		} else if (poll(pf, 2, -1) < 0 && errno != EINTR) {
			kb_log(KB_ERR, "poll: %s", strerror(errno));
			ret = -errno;
			break;
		}
		if (pf[0].revents & POLLIN)
			handle_fatal(be);
		if (wfd < 0 || !(pf[1].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		while ((ret = ks_read_watch(be->h, &path, &token)) == 0) {
			if (store_down)
				kb_log(KB_INFO, "the store is back");
			store_down = false;
			token_event(be, path, token);
			free(path);
		}
		if (ret != -EAGAIN && !store_down) {
			kb_log(KB_WARN, "reading watch events: %s", strerror(-ret));
			store_down = true;
		}
		ret = 0;
	}
	for (struct kb_device *d = be->devices; d; d = d->next)
		do_disconnect(d);
	return ret;
}

void kb_backend_free(struct kb_backend *be)
{
	if (!be)
		return;
	while (be->devices) {
		struct kb_device *d = be->devices;

		be->devices = d->next;
		do_disconnect(d);
		be->ops->remove(d);
		free(d);
	}
	ks_close(be->h);
	close(be->wake_fd);
	pthread_mutex_destroy(&be->fatal_lock);
	free(be->socket_path);
	free(be);
}
