// SPDX-License-Identifier: GPL-2.0-only
/* In-process keelstored for unit tests (see harness.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

void th_init(struct th *t)
{
	const char *err = NULL;

	strcpy(t->dir, "/tmp/keelstored-test-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	daemon_init(&t->d);
	t->d.rb = &fake_ring_backend;
	t->d.rb_ctx = fake_ring_backend_open(t->dir, &err);
	assert_non_null(t->d.rb_ctx);
	assert_int_equal(daemon_watch_evtchn(&t->d), 0);
	store_init_root(&t->d.st);
}

void th_fini(struct th *t)
{
	char cmd[128];

	daemon_fini(&t->d);
	fake_ring_backend_close(t->d.rb_ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
}

void th_pump(struct th *t)
{
	for (int i = 0; i < 8; i++)
		daemon_run_once(&t->d, 0);
}

int th_client(struct th *t)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	assert_int_equal(daemon_add_socket_conn(&t->d, sv[0]), 0);
	return sv[1];
}

void th_send(int fd, uint32_t type, uint32_t req_id, uint32_t tx,
	     const void *p, size_t len)
{
	struct xsd_sockmsg h = { type, req_id, tx, (uint32_t)len };

	assert_int_equal(write(fd, &h, sizeof(h)), sizeof(h));
	if (len)
		assert_int_equal(write(fd, p, len), (ssize_t)len);
}

static bool read_exact(int fd, void *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)p + got, len - got);

		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

bool th_recv(struct th *t, int fd, struct msg *m)
{
	th_pump(t);
	if (!read_exact(fd, &m->h, sizeof(m->h)))
		return false;
	assert_true(m->h.len <= XENSTORE_PAYLOAD_MAX);
	assert_true(read_exact(fd, m->data, m->h.len));
	m->data[m->h.len] = '\0';
	return true;
}

void th_req(struct th *t, int fd, uint32_t type, uint32_t tx, const void *p,
	    size_t len, struct msg *m)
{
	static uint32_t req_id = 100;

	th_send(fd, type, ++req_id, tx, p, len);
	do {
		assert_true(th_recv(t, fd, m));
	} while (m->h.type == XS_WATCH_EVENT);
	assert_int_equal(m->h.req_id, req_id);
}

static size_t two(char *buf, const char *a, const char *b, bool nul_b)
{
	size_t n = 0;

	if (a) {
		strcpy(buf, a);
		n = strlen(a) + 1;
	}
	if (b) {
		strcpy(buf + n, b);
		n += strlen(b) + (nul_b ? 1 : 0);
	}
	return n;
}

static const char *result(struct msg *m)
{
	static char out[XENSTORE_PAYLOAD_MAX + 1];

	memcpy(out, m->data, m->h.len + 1);
	return out;
}

const char *th_do(struct th *t, int fd, uint32_t type, uint32_t tx,
		  const char *a, const char *b)
{
	char buf[XENSTORE_PAYLOAD_MAX + 8];
	struct msg m;

	th_req(t, fd, type, tx, buf, two(buf, a, b, true), &m);
	return result(&m);
}

const char *th_write(struct th *t, int fd, uint32_t tx, const char *path,
		     const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX + 8];
	struct msg m;

	th_req(t, fd, XS_WRITE, tx, buf, two(buf, path, val, false), &m);
	return result(&m);
}

static void guest_notify(struct guest *g)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint32_t msg[2] = { g->domid, g->port };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", g->dir,
		 FAKE_DAEMON_SOCK);
	/* Like an event channel's pending bit, events coalesce: if the queue
	 * is full, one is already pending. */
	if (sendto(fd, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&sa,
		   sizeof(sa)) != sizeof(msg))
		assert_int_equal(errno, EAGAIN);
	close(fd);
}

void guest_create(struct th *t, struct guest *g, uint32_t domid, uint32_t port)
{
	char path[128];
	int fd;

	memset(g, 0, sizeof(*g));
	g->domid = domid;
	g->port = port;
	strcpy(g->dir, t->dir);
	snprintf(path, sizeof(path), "%s/ring-%u", t->dir, domid);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FAKE_PAGE_SIZE), 0);
	g->ring = mmap(NULL, FAKE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       fd, 0);
	assert_true(g->ring != MAP_FAILED);
	close(fd);
}

void guest_raw(struct th *t, struct guest *g, const void *p, size_t len)
{
	struct xenstore_domain_interface *r = g->ring;
	const char *s = p;

	for (size_t i = 0; i < len;) {
		if (r->req_prod - r->req_cons == XENSTORE_RING_SIZE) {
			guest_notify(g);
			th_pump(t);
			assert_true(r->req_prod - r->req_cons < XENSTORE_RING_SIZE);
			continue;
		}
		r->req[MASK_XENSTORE_IDX(r->req_prod)] = s[i++];
		__atomic_store_n(&r->req_prod, r->req_prod + 1, __ATOMIC_RELEASE);
	}
	guest_notify(g);
}

void guest_send(struct th *t, struct guest *g, uint32_t type, uint32_t req_id,
		uint32_t tx, const void *p, size_t len)
{
	struct xsd_sockmsg h = { type, req_id, tx, (uint32_t)len };

	guest_raw(t, g, &h, sizeof(h));
	guest_raw(t, g, p, len);
}

static bool ring_take(struct guest *g, void *p, size_t len)
{
	struct xenstore_domain_interface *r = g->ring;

	if (r->rsp_prod - r->rsp_cons < len)
		return false;
	for (size_t i = 0; i < len; i++)
		((char *)p)[i] = r->rsp[MASK_XENSTORE_IDX(r->rsp_cons + i)];
	r->rsp_cons += (uint32_t)len;
	return true;
}

bool guest_recv(struct th *t, struct guest *g, struct msg *m)
{
	struct xenstore_domain_interface *r = g->ring;
	size_t got = 0;

	th_pump(t);
	if (!ring_take(g, &m->h, sizeof(m->h)))
		return false;
	/* Long replies come in ring-sized pieces: let the daemon refill. */
	while (got < m->h.len) {
		size_t avail = r->rsp_prod - r->rsp_cons;
		size_t n = m->h.len - got < avail ? m->h.len - got : avail;

		if (!n) {
			guest_notify(g);
			th_pump(t);
			assert_true(r->rsp_prod != r->rsp_cons);
			continue;
		}
		assert_true(ring_take(g, m->data + got, n));
		got += n;
	}
	m->data[m->h.len] = '\0';
	guest_notify(g);
	th_pump(t);
	return true;
}

const char *guest_do(struct th *t, struct guest *g, uint32_t type,
		     const char *a, const char *b)
{
	static uint32_t req_id = 5000;
	char buf[XENSTORE_PAYLOAD_MAX + 8];
	size_t n = two(buf, a, b, type != XS_WRITE);
	struct msg m;

	guest_send(t, g, type, ++req_id, 0, buf, n);
	do {
		assert_true(guest_recv(t, g, &m));
	} while (m.h.type == XS_WATCH_EVENT);
	assert_int_equal(m.h.req_id, req_id);
	return result(&m);
}
