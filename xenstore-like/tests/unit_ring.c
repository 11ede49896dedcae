// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of keelstored's domain side, on simulated ring pages and event
 * channels: INTRODUCE/RELEASE, permissions seen by a domain, quotas, garbage
 * and bad indexes on a ring, reconnection, restart with rings re-attached. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

static int setup(void **state)
{
	struct th *t = calloc(1, sizeof(*t));

	th_init(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	th_fini(*state);
	free(*state);
	return 0;
}

static const char *introduce(struct th *t, int c, uint32_t domid,
			     uint32_t port)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "%u%c1234%c%u", domid, 0, 0, port);
	static char out[32];
	struct msg m;

	th_req(t, c, XS_INTRODUCE, 0, buf, (size_t)n + 1, &m);
	snprintf(out, sizeof(out), "%.31s", m.data);
	return out;
}

static const char *set_perms(struct th *t, int c, const char *path,
			     const char *perms, size_t plen)
{
	char buf[256];
	size_t n = strlen(path) + 1;
	static char out[32];
	struct msg m;

	memcpy(buf, path, n);
	memcpy(buf + n, perms, plen);
	th_req(t, c, XS_SET_PERMS, 0, buf, n + plen, &m);
	snprintf(out, sizeof(out), "%.31s", m.data);
	return out;
}

static int pending_events(struct th *t, int fd, const char *path)
{
	struct msg m;
	int n = 0;

	while (th_recv(t, fd, &m)) {
		assert_int_equal(m.h.type, XS_WATCH_EVENT);
		assert_string_equal(m.data, path);
		n++;
	}
	return n;
}

static void test_introduce(void **state)
{
	struct th *t = *state;
	int c = th_client(t), w = th_client(t);
	struct guest g;

	assert_string_equal(th_do(t, w, XS_WATCH, 0, "@introduceDomain", "i"), "OK");
	assert_int_equal(pending_events(t, w, "@introduceDomain"), 1);
	/* No ring page to map, then an event channel that cannot bind. */
	assert_string_equal(introduce(t, c, 5, 7), "EINVAL");
	guest_create(t, &g, 5, 7);
	assert_string_equal(introduce(t, c, 5, FAKE_BAD_PORT), "EINVAL");
	assert_int_equal(pending_events(t, w, "@introduceDomain"), 0);
	assert_string_equal(introduce(t, c, 0, 7), "EINVAL");

	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_int_equal(pending_events(t, w, "@introduceDomain"), 1);
	assert_int_equal(g.ring->server_features,
			 XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR);
	assert_string_equal(th_do(t, c, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "T");

	/* The domain talks over its ring; relative paths are under its home. */
	assert_string_equal(th_do(t, c, XS_MKDIR, 0, "/local/domain/5", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/local/domain/5", "n5"), "OK");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "name", "guest"), "OK");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/local/domain/5/name", NULL), "guest");
	assert_string_equal(guest_do(t, &g, XS_READ, "/local/domain/5/name", NULL), "guest");
	assert_string_equal(guest_do(t, &g, XS_GET_DOMAIN_PATH, "5", NULL), "/local/domain/5");
	/* Domains may not manage domains. */
	assert_string_equal(guest_do(t, &g, XS_INTRODUCE, "6", NULL), "EACCES");
	assert_string_equal(guest_do(t, &g, XS_RELEASE, "5", NULL), "EACCES");
	assert_string_equal(guest_do(t, &g, XS_CONTROL, "check", NULL), "EACCES");

	/* A long reply is delivered through the 1 KiB ring in pieces. */
	char big[2000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_string_equal(guest_do(t, &g, XS_WRITE, "big", big), "OK");
	assert_string_equal(guest_do(t, &g, XS_READ, "big", NULL), big);
	close(c);
	close(w);
}

static void test_domain_permissions(void **state)
{
	struct th *t = *state;
	int c = th_client(t);
	struct guest g;
	struct msg m;

	guest_create(t, &g, 5, 7);
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(th_write(t, c, 0, "/p/secret", "s"), "OK");
	assert_string_equal(guest_do(t, &g, XS_READ, "/p/secret", NULL), "EACCES");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "/p/secret", "x"), "EACCES");
	assert_string_equal(guest_do(t, &g, XS_DIRECTORY, "/p", NULL), "EACCES");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "/p/new", "x"), "EACCES");

	/* An ACL entry for dom5: read only. */
	assert_string_equal(set_perms(t, c, "/p/secret", "n0\0r5", 6), "OK");
	assert_string_equal(guest_do(t, &g, XS_READ, "/p/secret", NULL), "s");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "/p/secret", "x"), "EACCES");
	/* Default (owner entry) access applies to those not listed. */
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/p", "r0"), "OK");
	assert_string_equal(guest_do(t, &g, XS_DIRECTORY, "/p", NULL), "secret");
	/* "b" grants both; a node created by the domain is owned by it. */
	assert_string_equal(set_perms(t, c, "/p", "n0\0b5", 6), "OK");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "/p/mine/leaf", "m"), "OK");
	th_req(t, c, XS_GET_PERMS, 0, "/p/mine/leaf", 13, &m);
	assert_int_equal(m.h.len, 6);
	assert_memory_equal(m.data, "n5\0b5\0", 6);
	/* The owner may change permissions but not give the node away. */
	assert_string_equal(guest_do(t, &g, XS_SET_PERMS, "/p/mine", "r5"), "OK");
	assert_string_equal(guest_do(t, &g, XS_SET_PERMS, "/p/mine", "r0"), "EPERM");
	assert_string_equal(guest_do(t, &g, XS_SET_PERMS, "/p/secret", "r5"), "EACCES");

	/* Watch events only for nodes the watcher may read. */
	guest_send(t, &g, XS_WATCH, 1, 0, "/p\0w", 5);
	assert_true(guest_recv(t, &g, &m));
	assert_string_equal(m.data, "OK");
	assert_true(guest_recv(t, &g, &m));
	assert_int_equal(m.h.type, XS_WATCH_EVENT);
	assert_string_equal(th_write(t, c, 0, "/p/hidden", "h"), "OK");
	assert_true(guest_recv(t, &g, &m)); /* inherited n0,b5 from /p */
	assert_string_equal(m.data, "/p/hidden");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/p/hidden", "n0"), "OK");
	assert_string_equal(th_write(t, c, 0, "/p/hidden", "h2"), "OK");
	assert_false(guest_recv(t, &g, &m));
	assert_string_equal(set_perms(t, c, "/p/hidden", "n0\0r5", 6), "OK");
	assert_true(guest_recv(t, &g, &m));
	assert_string_equal(m.data, "/p/hidden");
	close(c);
}

static void test_quotas(void **state)
{
	struct th *t = *state;
	int c = th_client(t);
	struct guest g;
	struct msg m;
	char path[32], big[64];

	t->d.q.nodes_per_domain = 4;
	t->d.q.node_size = 32;
	t->d.q.watches_per_conn = 2;
	t->d.q.txns_per_conn = 2;
	guest_create(t, &g, 5, 7);
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(th_do(t, c, XS_MKDIR, 0, "/local/domain/5", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/local/domain/5", "n5"), "OK");

	/* dom5 now owns its home: 3 more nodes, then ENOSPC. */
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		assert_string_equal(guest_do(t, &g, XS_WRITE, path, "v"), "OK");
	}
	assert_string_equal(guest_do(t, &g, XS_WRITE, "n3", "v"), "ENOSPC");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "n0", "updates are fine"), "OK");
	assert_string_equal(guest_do(t, &g, XS_RM, "n2", NULL), "OK");
	assert_string_equal(guest_do(t, &g, XS_WRITE, "n3", "v"), "OK");
	/* dom0 is not limited. */
	assert_string_equal(th_write(t, c, 0, "/local/domain/5/dom0-made", "v"), "OK");

	memset(big, 'b', 33);
	big[33] = '\0';
	assert_string_equal(guest_do(t, &g, XS_WRITE, "n0", big), "ENOSPC");
	big[32] = '\0';
	assert_string_equal(guest_do(t, &g, XS_WRITE, "n0", big), "OK");

	assert_string_equal(guest_do(t, &g, XS_WATCH, "/a", "1"), "OK");
	assert_string_equal(guest_do(t, &g, XS_WATCH, "/b", "2"), "OK");
	assert_string_equal(guest_do(t, &g, XS_WATCH, "/c", "3"), "E2BIG");

	assert_true(atoi(guest_do(t, &g, XS_TRANSACTION_START, "", NULL)) > 0);
	assert_true(atoi(guest_do(t, &g, XS_TRANSACTION_START, "", NULL)) > 0);
	assert_string_equal(guest_do(t, &g, XS_TRANSACTION_START, "", NULL), "ENOSPC");

	/* Outstanding replies: a domain that stops reading its replies stops
	 * being read from, and everything resumes once it reads again. */
	struct guest g2;
	uint32_t stuck_cons;

	t->d.q.outstanding_per_conn = 20;
	guest_create(t, &g2, 9, 3);
	assert_string_equal(introduce(t, c, 9, 3), "OK");
	for (uint32_t i = 0; i < 60; i++)
		guest_send(t, &g2, XS_GET_DOMAIN_PATH, 100 + i, 0, "1", 2);
	th_pump(t);
	stuck_cons = g2.ring->req_cons;
	assert_true(g2.ring->req_prod != stuck_cons);
	th_pump(t);
	assert_int_equal(g2.ring->req_cons, stuck_cons);
	/* Meanwhile everyone else is served. */
	assert_string_equal(th_do(t, c, XS_READ, 0, "/local/domain/5/n3", NULL), "v");
	for (uint32_t i = 0; i < 60; i++) {
		assert_true(guest_recv(t, &g2, &m));
		assert_int_equal(m.h.req_id, 100 + i);
		assert_string_equal(m.data, "/local/domain/1");
	}
	close(c);
}

static void test_release(void **state)
{
	struct th *t = *state;
	int c = th_client(t), w = th_client(t);
	struct guest g;
	struct msg m;

	guest_create(t, &g, 5, 7);
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(th_do(t, w, XS_WATCH, 0, "@releaseDomain", "r"), "OK");
	assert_int_equal(pending_events(t, w, "@releaseDomain"), 1);
	assert_string_equal(th_write(t, c, 0, "/d5/x", "1"), "OK");
	assert_string_equal(set_perms(t, c, "/d5/x", "b5\0r7\0w5", 9), "OK");
	assert_string_equal(guest_do(t, &g, XS_WATCH, "/d5", "t"), "OK");
	assert_true(atoi(guest_do(t, &g, XS_TRANSACTION_START, "", NULL)) > 0);

	assert_string_equal(th_do(t, c, XS_RELEASE, 0, "5", NULL), "OK");
	assert_int_equal(pending_events(t, w, "@releaseDomain"), 1);
	/* Its rights are gone: dom0 owns its nodes, its ACL entries vanish. */
	th_req(t, c, XS_GET_PERMS, 0, "/d5/x", 6, &m);
	assert_int_equal(m.h.len, 6);
	assert_memory_equal(m.data, "b0\0r7\0", 6);
	assert_string_equal(th_do(t, c, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "F");
	assert_string_equal(th_do(t, c, XS_RELEASE, 0, "5", NULL), "ENOENT");
	/* Its watch is gone with it. */
	for (struct watch *wt = t->d.watches; wt; wt = wt->next)
		assert_false(wt->conn->domid == 5);
	/* And it can be introduced again, afresh. */
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(guest_do(t, &g, XS_READ, "/d5/x", NULL), "1");
	close(c);
	close(w);
}

static void test_ring_garbage(void **state)
{
	struct th *t = *state;
	int c = th_client(t);
	struct guest g, bad, bad2;
	struct msg m;

	guest_create(t, &g, 5, 7);
	guest_create(t, &bad, 6, 7);
	guest_create(t, &bad2, 8, 7);
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(introduce(t, c, 6, 7), "OK");
	assert_string_equal(introduce(t, c, 8, 7), "OK");

	/* Garbage that frames as an unknown type gets an error reply. */
	guest_send(t, &bad, 0xabcdef, 3, 0, "junk", 4);
	assert_true(guest_recv(t, &bad, &m));
	assert_int_equal(m.h.type, XS_ERROR);
	assert_string_equal(m.data, "EINVAL");

	/* An oversized length is a protocol error: the ring is abandoned. */
	struct xsd_sockmsg h = { XS_READ, 1, 0, 0x10000 };
	guest_raw(t, &bad, &h, sizeof(h));
	th_pump(t);
	assert_int_equal(bad.ring->error, XENSTORE_ERROR_PROTO);
	assert_string_equal(guest_do(t, &g, XS_GET_DOMAIN_PATH, "1", NULL), "/local/domain/1");

	/* A producer index too far ahead of the consumer. */
	bad2.ring->req_prod = bad2.ring->req_cons + XENSTORE_RING_SIZE + 1;
	guest_raw(t, &bad2, "", 0);
	th_pump(t);
	assert_int_equal(bad2.ring->error, XENSTORE_ERROR_RINGIDX);
	assert_string_equal(th_do(t, c, XS_GET_DOMAIN_PATH, 0, "2", NULL), "/local/domain/2");
	assert_string_equal(guest_do(t, &g, XS_GET_DOMAIN_PATH, "3", NULL), "/local/domain/3");

	/* The guest may ask to start over on its ring. */
	bad2.ring->connection = XENSTORE_RECONNECT;
	guest_raw(t, &bad2, "", 0);
	th_pump(t);
	assert_int_equal(bad2.ring->connection, XENSTORE_CONNECTED);
	assert_int_equal(bad2.ring->error, XENSTORE_ERROR_NONE);
	assert_int_equal(bad2.ring->req_prod, 0);
	assert_string_equal(guest_do(t, &bad2, XS_GET_DOMAIN_PATH, "4", NULL), "/local/domain/4");

	/* A bad response-ring index is caught too. */
	g.ring->rsp_cons = g.ring->rsp_prod + 5000;
	guest_send(t, &g, XS_GET_DOMAIN_PATH, 9, 0, "1", 2);
	th_pump(t);
	assert_int_equal(g.ring->error, XENSTORE_ERROR_RINGIDX);
	close(c);
}

static void test_kernel_ring(void **state)
{
	struct th *t = *state;
	struct guest k;
	char path[128];
	int fd;

	/* dom0's kernel ring: privileged, not introduced. */
	memset(&k, 0, sizeof(k));
	k.domid = FAKE_KERNEL_DOMID;
	k.port = FAKE_KERNEL_PORT;
	strcpy(k.dir, t->dir);
	snprintf(path, sizeof(path), "%s/ring-kernel", t->dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	assert_int_equal(ftruncate(fd, 4096), 0);
	k.ring = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	assert_int_equal(domain_attach_kernel(&t->d), 0);
	assert_string_equal(guest_do(&*t, &k, XS_WRITE, "/kernel", "k"), "OK");
	assert_string_equal(guest_do(t, &k, XS_READ, "/kernel", NULL), "k");
	assert_string_equal(guest_do(t, &k, XS_IS_DOMAIN_INTRODUCED, "0", NULL), "T");
}

static void test_restart_reattach(void **state)
{
	struct th *t = *state;
	char statef[128];
	int c = th_client(t);
	struct guest g;
	struct msg m;

	snprintf(statef, sizeof(statef), "%s/state", t->dir);
	t->d.state_path = statef;
	guest_create(t, &g, 5, 7);
	assert_string_equal(introduce(t, c, 5, 7), "OK");
	assert_string_equal(th_write(t, c, 0, "/r/v", "before"), "OK");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/r", "r0"), "OK");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/r/v", "r0"), "OK");
	assert_string_equal(guest_do(t, &g, XS_WATCH, "/r", "tok"), "OK");
	assert_true(guest_recv(t, &g, &m));
	uint32_t tx = (uint32_t)atoi(guest_do(t, &g, XS_TRANSACTION_START, "", NULL));
	close(c);

	/* "Crash": throw the daemon away without any shutdown work beyond
	 * what a kill -9 leaves (the state file), and start a new one. */
	t->d.state_path = NULL;
	daemon_fini(&t->d);
	fake_ring_backend_close(t->d.rb_ctx);
	const char *err;
	daemon_init(&t->d);
	t->d.rb = &fake_ring_backend;
	t->d.rb_ctx = fake_ring_backend_open(t->dir, &err);
	assert_int_equal(daemon_watch_evtchn(&t->d), 0);
	t->d.state_path = statef;
	assert_int_equal(persist_load(&t->d), 0);

	c = th_client(t);
	assert_string_equal(th_do(t, c, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL), "T");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/r/v", NULL), "before");
	/* The domain's watch survived and its ring works. */
	assert_string_equal(th_write(t, c, 0, "/r/v", "after"), "OK");
	assert_true(guest_recv(t, &g, &m));
	assert_int_equal(m.h.type, XS_WATCH_EVENT);
	assert_string_equal(m.data, "/r/v");
	assert_string_equal(guest_do(t, &g, XS_READ, "/r/v", NULL), "after");
	/* Its transaction did not survive: retry signalled with EAGAIN. */
	guest_send(t, &g, XS_READ, 77, tx, "/r/v", 5);
	assert_true(guest_recv(t, &g, &m));
	assert_string_equal(m.data, "EAGAIN");
	t->d.state_path = NULL;
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_introduce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kernel_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_reattach, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
