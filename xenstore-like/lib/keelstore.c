// SPDX-License-Identifier: GPL-2.0-only
/* libkeelstore: requests on one socket connection, watches on a second one
 * whose fd the caller polls; reconnects after a daemon restart. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"
#include "../../hypervisor/include/public/io/xs_wire.h"

#define RECONNECT_MS 5000

struct ks_conn {
	int fd;
	char *buf; /* received, not yet consumed */
	size_t len, cap;
};

struct ks_event {
	struct ks_event *next;
	char *path, *token;
};

struct ks_reg {
	struct ks_reg *next;
	char *path, *token;
};

struct ks_handle {
	char *path;
	uint32_t next_req_id;
	struct ks_conn req, wat;
	struct ks_event *ev_head, *ev_tail;
	struct ks_reg *regs; /* to register again after a reconnect */
};

static int errno_of(const char *name)
{
#define X(e) if (!strcmp(name, #e)) return e;
	XSD_ERROR_NAMES
#undef X
	return EIO;
}

static int conn_open(struct ks_handle *h, struct ks_conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int tries = RECONNECT_MS / 50;

	if (strlen(h->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, h->path);
	c->len = 0;
	for (;;) {
		c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (c->fd < 0)
			return -errno;
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return 0;
		close(c->fd);
		c->fd = -1;
		/* The daemon may be restarting: give it a moment. */
		if ((errno != ECONNREFUSED && errno != ENOENT) || --tries <= 0)
			return -errno;
		nanosleep(&ts, NULL);
	}
}

static void conn_drop(struct ks_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static int send_all(struct ks_conn *c, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = { c->fd, POLLOUT, 0 };

			poll(&pf, 1, -1);
			continue;
		}
		if (w < 0)
			return -ECONNRESET;
		p = (const char *)p + w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads what is there (waiting for something if block); -ECONNRESET on EOF. */
static int fill(struct ks_conn *c, bool block)
{
	for (;;) {
		ssize_t r;

		if (c->cap - c->len < 8192) {
			c->cap = c->cap * 2 + 8192;
			c->buf = realloc(c->buf, c->cap);
			if (!c->buf)
				return -ENOMEM;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r > 0) {
			c->len += (size_t)r;
			return 0;
		}
		if (r == 0)
			return -ECONNRESET;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return -ECONNRESET;
		if (!block)
			return -EAGAIN;
		struct pollfd pf = { c->fd, POLLIN, 0 };
		poll(&pf, 1, -1);
	}
}

/* Takes one whole message out of the buffer, if there is one. */
static bool take_msg(struct ks_conn *c, struct xsd_sockmsg *hdr, char **payload)
{
	if (c->len < sizeof(*hdr))
		return false;
	memcpy(hdr, c->buf, sizeof(*hdr));
	if (c->len < sizeof(*hdr) + hdr->len)
		return false;
	*payload = malloc(hdr->len + 1);
	if (!*payload)
		return false;
	memcpy(*payload, c->buf + sizeof(*hdr), hdr->len);
	(*payload)[hdr->len] = '\0';
	c->len -= sizeof(*hdr) + hdr->len;
	memmove(c->buf, c->buf + sizeof(*hdr) + hdr->len, c->len);
	return true;
}

static void queue_event(struct ks_handle *h, char *payload, uint32_t len)
{
	struct ks_event *e = calloc(1, sizeof(*e));
	char *tok = memchr(payload, '\0', len);

	if (!e || !tok || tok + 1 >= payload + len) {
		free(e);
		free(payload);
		return;
	}
	e->path = payload;
	e->token = tok + 1;
	if (h->ev_tail)
		h->ev_tail->next = e;
	else
		h->ev_head = e;
	h->ev_tail = e;
}

static int exchange(struct ks_handle *h, struct ks_conn *c, uint32_t type,
		    ks_txn_t t, const void *payload, size_t len, char **reply,
		    size_t *rlen)
{
	struct xsd_sockmsg hdr = { type, ++h->next_req_id, t, (uint32_t)len };
	struct xsd_sockmsg rh;
	char *rp;
	int rc;

	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	/* Nothing (complete) was sent: safe to retry on a new connection. */
	if (send_all(c, &hdr, sizeof(hdr)) || send_all(c, payload, len))
		return -EPIPE;
	for (;;) {
		while (!take_msg(c, &rh, &rp))
			if ((rc = fill(c, true)))
				return rc;
		if (rh.type == XS_WATCH_EVENT) {
			queue_event(h, rp, rh.len);
			continue;
		}
		break;
	}
	if (rh.type == XS_ERROR) {
		rc = -errno_of(rp);
		free(rp);
		return rc;
	}
	if (rh.req_id != hdr.req_id) {
		free(rp);
		return -EBADMSG;
	}
	if (reply)
		*reply = rp;
	else
		free(rp);
	if (rlen)
		*rlen = rh.len;
	return 0;
}

static int register_all(struct ks_handle *h);

/* The daemon never speaks first on the request connection, so anything
 * readable there before a request means it went away (e.g. restarted). */
static bool req_conn_stale(struct ks_conn *c)
{
	struct pollfd pf = { c->fd, POLLIN, 0 };

	return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR));
}

/* Watch requests go on the watch connection, everything else on the
 * request connection; either is (re)opened on demand. Only a request that
 * reached a daemon which then went away fails (-ECONNRESET): it may or may
 * not have been carried out. */
static int talk(struct ks_handle *h, uint32_t type, ks_txn_t t,
		const void *payload, size_t len, char **reply, size_t *rlen)
{
	bool wat = type == XS_WATCH || type == XS_UNWATCH;
	struct ks_conn *c = wat ? &h->wat : &h->req;
	int rc;

	for (int attempt = 0;; attempt++) {
		if (c->fd >= 0 && !wat && req_conn_stale(c))
			conn_drop(c);
		if (c->fd < 0) {
			if ((rc = conn_open(h, c)))
				return rc;
			if (wat && (rc = register_all(h)))
				return rc;
		}
		rc = exchange(h, c, type, t, payload, len, reply, rlen);
		if (rc == -EPIPE || rc == -ECONNRESET || rc == -EBADMSG)
			conn_drop(c);
		if (rc == -EPIPE && attempt == 0)
			continue;
		return rc == -EPIPE ? -ECONNRESET : rc;
	}
}

static int register_all(struct ks_handle *h)
{
	for (struct ks_reg *r = h->regs; r; r = r->next) {
		size_t pl = strlen(r->path) + 1, tl = strlen(r->token) + 1;
		char *msg = malloc(pl + tl);
		int rc;

		if (!msg)
			return -ENOMEM;
		memcpy(msg, r->path, pl);
		memcpy(msg + pl, r->token, tl);
		rc = exchange(h, &h->wat, XS_WATCH, 0, msg, pl + tl, NULL, NULL);
		free(msg);
		if (rc == -EPIPE)
			rc = -ECONNRESET;
		if (rc && rc != -EEXIST) {
			conn_drop(&h->wat);
			return rc;
		}
	}
	return 0;
}

int ks_request(struct ks_handle *h, uint32_t type, ks_txn_t t,
	       const void *payload, size_t len, char **reply, size_t *rlen)
{
	return talk(h, type, t, payload, len, reply, rlen);
}

int ks_open(const char *socket_path, struct ks_handle **out)
{
	struct ks_handle *h = calloc(1, sizeof(*h));
	int rc;

	if (!h)
		return -ENOMEM;
	if (!socket_path)
		socket_path = getenv("XENSTORED_PATH");
	if (!socket_path || !*socket_path)
		socket_path = "/run/xenstored/socket";
	h->path = strdup(socket_path);
	h->req.fd = h->wat.fd = -1;
	if (!h->path) {
		free(h);
		return -ENOMEM;
	}
	rc = conn_open(h, &h->req);
	if (rc) {
		ks_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

void ks_close(struct ks_handle *h)
{
	if (!h)
		return;
	conn_drop(&h->req);
	conn_drop(&h->wat);
	free(h->req.buf);
	free(h->wat.buf);
	while (h->ev_head) {
		struct ks_event *e = h->ev_head;

		h->ev_head = e->next;
		free(e->path);
		free(e);
	}
	while (h->regs) {
		struct ks_reg *r = h->regs;

		h->regs = r->next;
		free(r->path);
		free(r->token);
		free(r);
	}
	free(h->path);
	free(h);
}

static int path_req(struct ks_handle *h, uint32_t type, ks_txn_t t,
		    const char *path, char **reply, size_t *rlen)
{
	return talk(h, type, t, path, strlen(path) + 1, reply, rlen);
}

int ks_read(struct ks_handle *h, ks_txn_t t, const char *path, char **val,
	    size_t *len)
{
	return path_req(h, XS_READ, t, path, val, len);
}

int ks_write(struct ks_handle *h, ks_txn_t t, const char *path,
	     const void *val, size_t len)
{
	size_t pl = strlen(path) + 1;
	char *msg = malloc(pl + len + 1);
	int rc;

	if (!msg)
		return -ENOMEM;
	memcpy(msg, path, pl);
	memcpy(msg + pl, val, len);
	rc = talk(h, XS_WRITE, t, msg, pl + len, NULL, NULL);
	free(msg);
	return rc;
}

int ks_mkdir(struct ks_handle *h, ks_txn_t t, const char *path)
{
	return path_req(h, XS_MKDIR, t, path, NULL, NULL);
}

int ks_rm(struct ks_handle *h, ks_txn_t t, const char *path)
{
	return path_req(h, XS_RM, t, path, NULL, NULL);
}

/* Splits "a\0b\0" into a NULL-terminated array in one allocation. */
static char **split(const char *p, size_t len, unsigned *n)
{
	unsigned count = 0;
	char **v, *s;

	for (size_t i = 0; i < len; i++)
		count += p[i] == '\0';
	v = malloc((count + 1) * sizeof(*v) + len + 1);
	if (!v)
		return NULL;
	s = (char *)(v + count + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	for (unsigned i = 0; i < count; i++) {
		v[i] = s;
		s += strlen(s) + 1;
	}
	v[count] = NULL;
	*n = count;
	return v;
}

int ks_directory(struct ks_handle *h, ks_txn_t t, const char *path,
		 char ***names, unsigned *n)
{
	size_t len;
	char *r;
	int rc = path_req(h, XS_DIRECTORY, t, path, &r, &len);

	if (rc)
		return rc;
	*names = split(r, len, n);
	free(r);
	return *names ? 0 : -ENOMEM;
}

int ks_get_perms(struct ks_handle *h, ks_txn_t t, const char *path,
		 struct ks_perm **perms, unsigned *n)
{
	static const char letters[] = "nrwb";
	unsigned count;
	char **v, *r;
	size_t len;
	int rc = path_req(h, XS_GET_PERMS, t, path, &r, &len);

	if (rc)
		return rc;
	v = split(r, len, &count);
	free(r);
	if (!v)
		return -ENOMEM;
	*perms = calloc(count + 1, sizeof(**perms));
	if (!*perms) {
		free(v);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < count; i++) {
		const char *l = strchr(letters, v[i][0]);

		if (!l || !v[i][0]) {
			free(v);
			free(*perms);
			return -EBADMSG;
		}
		(*perms)[i].perm = (uint32_t)(l - letters);
		(*perms)[i].domid = (uint32_t)strtoul(v[i] + 1, NULL, 10);
	}
	*n = count;
	free(v);
	return 0;
}

int ks_set_perms(struct ks_handle *h, ks_txn_t t, const char *path,
		 const struct ks_perm *perms, unsigned n)
{
	static const char letters[] = "nrwb";
	size_t pl = strlen(path) + 1, len = pl;
	char *msg = malloc(pl + (size_t)n * 16);
	int rc;

	if (!msg)
		return -ENOMEM;
	memcpy(msg, path, pl);
	for (unsigned i = 0; i < n; i++)
		len += (size_t)sprintf(msg + len, "%c%u", letters[perms[i].perm & 3],
				       perms[i].domid) + 1;
	rc = talk(h, XS_SET_PERMS, t, msg, len, NULL, NULL);
	free(msg);
	return rc;
}

int ks_transaction_start(struct ks_handle *h, ks_txn_t *t)
{
	char *r;
	int rc = talk(h, XS_TRANSACTION_START, 0, "", 1, &r, NULL);

	if (rc)
		return rc;
	*t = (ks_txn_t)strtoul(r, NULL, 10);
	free(r);
	return *t ? 0 : -EBADMSG;
}

int ks_transaction_end(struct ks_handle *h, ks_txn_t t, bool commit)
{
	return talk(h, XS_TRANSACTION_END, t, commit ? "T" : "F", 2, NULL, NULL);
}

int ks_transaction(struct ks_handle *h,
		   int (*fn)(struct ks_handle *h, ks_txn_t t, void *arg),
		   void *arg, unsigned max_tries)
{
	int rc = -EAGAIN;

	for (unsigned i = 0; i < max_tries && rc == -EAGAIN; i++) {
		ks_txn_t t;

		rc = ks_transaction_start(h, &t);
		if (rc == -ECONNRESET)
			rc = -EAGAIN; /* daemon restarted: start over */
		if (rc)
			continue;
		rc = fn(h, t, arg);
		if (rc) {
			ks_transaction_end(h, t, false);
			if (rc == -ECONNRESET)
				rc = -EAGAIN;
			continue;
		}
		rc = ks_transaction_end(h, t, true);
		/* A commit whose reply was lost may or may not have happened;
		 * the caller's function must be written to tell (Xen's rule). */
	}
	return rc;
}

static char *two_strings(const char *a, const char *b, size_t *len)
{
	size_t al = strlen(a) + 1, bl = strlen(b) + 1;
	char *m = malloc(al + bl);

	if (m) {
		memcpy(m, a, al);
		memcpy(m + al, b, bl);
	}
	*len = al + bl;
	return m;
}

int ks_watch(struct ks_handle *h, const char *path, const char *token)
{
	struct ks_reg *r;
	size_t len;
	char *m = two_strings(path, token, &len);
	int rc;

	if (!m)
		return -ENOMEM;
	rc = talk(h, XS_WATCH, 0, m, len, NULL, NULL);
	free(m);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path)) || !(r->token = strdup(token))) {
		if (r)
			free(r->path);
		free(r);
		return -ENOMEM;
	}
	r->next = h->regs;
	h->regs = r;
	return 0;
}

int ks_unwatch(struct ks_handle *h, const char *path, const char *token)
{
	size_t len;
	char *m = two_strings(path, token, &len);
	int rc;

	if (!m)
		return -ENOMEM;
	rc = talk(h, XS_UNWATCH, 0, m, len, NULL, NULL);
	free(m);
	for (struct ks_reg **pp = &h->regs; *pp; pp = &(*pp)->next) {
		struct ks_reg *r = *pp;

		if (!strcmp(r->path, path) && !strcmp(r->token, token)) {
			*pp = r->next;
			free(r->path);
			free(r->token);
			free(r);
			break;
		}
	}
	return rc;
}

int ks_watch_fd(struct ks_handle *h)
{
	int rc;

	if (h->wat.fd < 0) {
		if ((rc = conn_open(h, &h->wat)))
			return rc;
		if ((rc = register_all(h)))
			return rc;
	}
	return h->wat.fd;
}

int ks_read_watch(struct ks_handle *h, char **path, char **token)
{
	struct ks_event *e;
	struct xsd_sockmsg hdr;
	char *p;
	int rc;

	while (!h->ev_head) {
		if (h->wat.fd < 0) {
			rc = ks_watch_fd(h);
			if (rc < 0)
				return rc;
		}
		if (take_msg(&h->wat, &hdr, &p)) {
			if (hdr.type == XS_WATCH_EVENT)
				queue_event(h, p, hdr.len);
			else
				free(p);
			continue;
		}
		rc = fill(&h->wat, false);
		if (rc == -ECONNRESET) {
			/* Daemon restarted: reconnecting re-registers every
			 * watch, and each fires once, so nothing is missed. */
			conn_drop(&h->wat);
			continue;
		}
		if (rc)
			return rc;
	}
	e = h->ev_head;
	h->ev_head = e->next;
	if (!h->ev_head)
		h->ev_tail = NULL;
	*path = e->path;
	*token = e->token;
	free(e);
	return 0;
}

static int domid_req(struct ks_handle *h, uint32_t type, uint32_t domid,
		     char **reply)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", domid);
	return talk(h, type, 0, s, strlen(s) + 1, reply, NULL);
}

int ks_introduce(struct ks_handle *h, uint32_t domid, uint64_t gfn,
		 uint32_t port)
{
	char s[64];
	int n = snprintf(s, sizeof(s), "%u%c%llu%c%u", domid, 0,
			 (unsigned long long)gfn, 0, port);

	return talk(h, XS_INTRODUCE, 0, s, (size_t)n + 1, NULL, NULL);
}

int ks_release(struct ks_handle *h, uint32_t domid)
{
	return domid_req(h, XS_RELEASE, domid, NULL);
}

int ks_resume(struct ks_handle *h, uint32_t domid)
{
	return domid_req(h, XS_RESUME, domid, NULL);
}

int ks_set_target(struct ks_handle *h, uint32_t domid, uint32_t target)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "%u%c%u", domid, 0, target);

	return talk(h, XS_SET_TARGET, 0, s, (size_t)n + 1, NULL, NULL);
}

int ks_is_domain_introduced(struct ks_handle *h, uint32_t domid, bool *yes)
{
	char *r;
	int rc = domid_req(h, XS_IS_DOMAIN_INTRODUCED, domid, &r);

	if (rc)
		return rc;
	*yes = r[0] == 'T';
	free(r);
	return 0;
}

int ks_get_domain_path(struct ks_handle *h, uint32_t domid, char **path)
{
	return domid_req(h, XS_GET_DOMAIN_PATH, domid, path);
}

int ks_reset_watches(struct ks_handle *h)
{
	return talk(h, XS_RESET_WATCHES, 0, "", 1, NULL, NULL);
}

int ks_control(struct ks_handle *h, const char *cmd, const char *arg,
	       char **out)
{
	size_t len;
	char *m = arg ? two_strings(cmd, arg, &len) : strdup(cmd);
	int rc;

	if (!m)
		return -ENOMEM;
	if (!arg)
		len = strlen(cmd) + 1;
	rc = talk(h, XS_CONTROL, 0, m, len, out, NULL);
	free(m);
	return rc;
}
