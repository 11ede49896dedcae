// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of keelstored over a socket connection: tree, paths, watches,
 * transactions, the message parser, DIRECTORY_PART and persistence. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void test_tree(void **state)
{
	struct th *t = *state;
	int c = th_client(t);

	assert_string_equal(th_do(t, c, XS_READ, 0, "/a", NULL), "ENOENT");
	assert_string_equal(th_write(t, c, 0, "/a/b/c", "v1"), "OK");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/a/b/c", NULL), "v1");
	/* Implicitly created parents are empty. */
	assert_string_equal(th_do(t, c, XS_READ, 0, "/a/b", NULL), "");
	assert_string_equal(th_write(t, c, 0, "/a/b/d", ""), "OK");
	assert_string_equal(th_do(t, c, XS_MKDIR, 0, "/a/e", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_MKDIR, 0, "/a/e", NULL), "OK");

	struct msg m;
	th_req(t, c, XS_DIRECTORY, 0, "/a/b", 5, &m);
	assert_int_equal(m.h.len, 4);
	assert_memory_equal(m.data, "c\0d\0", 4);

	assert_string_equal(th_do(t, c, XS_RM, 0, "/a/b", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/a/b/c", NULL), "ENOENT");
	/* Removing a missing node is fine if its parent exists. */
	assert_string_equal(th_do(t, c, XS_RM, 0, "/a/b", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_RM, 0, "/a/x/y", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_RM, 0, "/", NULL), "EINVAL");
	/* Relative paths of dom0 live under its home. */
	assert_string_equal(th_write(t, c, 0, "rel", "1"), "OK");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/local/domain/0/rel", NULL), "1");
	assert_string_equal(th_do(t, c, XS_GET_PERMS, 0, "/a", NULL), "n0");
	close(c);
}

static void test_paths(void **state)
{
	struct th *t = *state;
	int c = th_client(t);
	char long_path[XENSTORE_ABS_PATH_MAX + 8];

	assert_string_equal(th_write(t, c, 0, "/bad path", "x"), "EINVAL");
	assert_string_equal(th_write(t, c, 0, "/a//b", "x"), "EINVAL");
	assert_string_equal(th_write(t, c, 0, "/a/", "x"), "EINVAL");
	assert_string_equal(th_write(t, c, 0, "@special", "x"), "EINVAL");
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[XENSTORE_ABS_PATH_MAX + 1] = '\0';
	assert_string_equal(th_write(t, c, 0, long_path, "x"), "EINVAL");
	long_path[XENSTORE_ABS_PATH_MAX] = '\0';
	assert_string_equal(th_write(t, c, 0, long_path, "x"), "OK");
	assert_string_equal(th_write(t, c, 0, "/ok-_@9/Z", "x"), "OK");
	close(c);
}

static int count_events(struct th *t, int fd, const char *path,
			const char *token)
{
	struct msg m;
	int n = 0;

	while (th_recv(t, fd, &m)) {
		assert_int_equal(m.h.type, XS_WATCH_EVENT);
		assert_int_equal(m.h.req_id, 0);
		if (!strcmp(m.data, path) &&
		    !strcmp(m.data + strlen(m.data) + 1, token))
			n++;
		else
			n += 1000; /* any unexpected event fails the count */
	}
	return n;
}

static void test_watches(void **state)
{
	struct th *t = *state;
	int w = th_client(t), c = th_client(t);
	struct msg m;

	th_send(w, XS_WATCH, 7, 0, "/w\0tok", 7);
	assert_true(th_recv(t, w, &m));
	assert_int_equal(m.h.type, XS_WATCH);
	assert_int_equal(m.h.req_id, 7);
	assert_string_equal(m.data, "OK");
	/* Fires once at once, with the watched path. */
	assert_int_equal(count_events(t, w, "/w", "tok"), 1);

	assert_string_equal(th_write(t, c, 0, "/w/x/y", "1"), "OK");
	assert_int_equal(count_events(t, w, "/w/x/y", "tok"), 1);
	assert_string_equal(th_write(t, c, 0, "/wx", "1"), "OK");
	assert_int_equal(count_events(t, w, "", ""), 0);

	/* Removing a parent fires watches below it with their own path. */
	int w2 = th_client(t);
	assert_string_equal(th_do(t, w2, XS_WATCH, 0, "/w/x/y", "deep"), "OK");
	assert_int_equal(count_events(t, w2, "/w/x/y", "deep"), 1);
	assert_string_equal(th_do(t, c, XS_RM, 0, "/w", NULL), "OK");
	assert_int_equal(count_events(t, w2, "/w/x/y", "deep"), 1);
	assert_int_equal(count_events(t, w, "/w", "tok"), 1);

	assert_string_equal(th_do(t, w, XS_WATCH, 0, "/w", "tok"), "EEXIST");
	assert_string_equal(th_do(t, w, XS_UNWATCH, 0, "/w", "tok"), "OK");
	assert_string_equal(th_do(t, w, XS_UNWATCH, 0, "/w", "tok"), "ENOENT");
	assert_string_equal(th_write(t, c, 0, "/w", "1"), "OK");
	assert_int_equal(count_events(t, w, "", ""), 0);

	/* Relative watches report relative paths. */
	assert_string_equal(th_do(t, w, XS_WATCH, 0, "dev", "r"), "OK");
	assert_int_equal(count_events(t, w, "dev", "r"), 1);
	assert_string_equal(th_write(t, c, 0, "/local/domain/0/dev/vbd", "1"), "OK");
	assert_int_equal(count_events(t, w, "dev/vbd", "r"), 1);

	/* RESET_WATCHES forgets them all. */
	assert_string_equal(th_do(t, w, XS_RESET_WATCHES, 0, "", NULL), "OK");
	assert_string_equal(th_write(t, c, 0, "/local/domain/0/dev/vbd", "2"), "OK");
	assert_int_equal(count_events(t, w, "", ""), 0);
	close(w);
	close(w2);
	close(c);
}

static uint32_t start_txn(struct th *t, int c)
{
	const char *id = th_do(t, c, XS_TRANSACTION_START, 0, "", NULL);

	assert_true(atoi(id) > 0);
	return (uint32_t)atoi(id);
}

static void test_transactions(void **state)
{
	struct th *t = *state;
	int c = th_client(t), o = th_client(t), w = th_client(t);
	uint32_t t1, t2;

	assert_string_equal(th_write(t, c, 0, "/t/v", "0"), "OK");
	assert_string_equal(th_do(t, w, XS_WATCH, 0, "/t", "k"), "OK");
	assert_int_equal(count_events(t, w, "/t", "k"), 1);

	t1 = start_txn(t, c);
	assert_string_equal(th_write(t, c, t1, "/t/v", "1"), "OK");
	assert_string_equal(th_write(t, c, t1, "/t/new/x", "n"), "OK");
	assert_string_equal(th_do(t, c, XS_READ, t1, "/t/v", NULL), "1");
	/* Invisible outside, no events, until commit. */
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/v", NULL), "0");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/new/x", NULL), "ENOENT");
	assert_int_equal(count_events(t, w, "", ""), 0);
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, t1, "T", NULL), "OK");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/v", NULL), "1");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/new/x", NULL), "n");
	assert_int_equal(count_events(t, w, "/t/v", "k") +
				 count_events(t, w, "", ""), 1 + 1000);

	/* Conflict: a node the transaction read changed under it. The whole
	 * transaction is dropped, including its unrelated write. */
	t2 = start_txn(t, c);
	assert_string_equal(th_do(t, c, XS_READ, t2, "/t/v", NULL), "1");
	assert_string_equal(th_write(t, o, 0, "/t/v", "X"), "OK");
	assert_string_equal(th_do(t, c, XS_READ, t2, "/t/v", NULL), "1");
	assert_string_equal(th_write(t, c, t2, "/t/other", "o"), "OK");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, t2, "T", NULL), "EAGAIN");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/other", NULL), "ENOENT");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/v", NULL), "X");

	/* Abort discards; the id is gone afterwards. */
	t2 = start_txn(t, c);
	assert_string_equal(th_do(t, c, XS_RM, t2, "/t", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_READ, t2, "/t/v", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, t2, "F", NULL), "OK");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/v", NULL), "X");
	assert_string_equal(th_do(t, c, XS_READ, t2, "/t/v", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, 0, "T", NULL), "ENOENT");

	/* Another connection cannot use my transaction. */
	t2 = start_txn(t, c);
	assert_string_equal(th_do(t, o, XS_READ, t2, "/t/v", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, t2, "X", NULL), "EINVAL");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_START, t2, "", NULL), "EBUSY");
	/* Two transactions creating the same node: the second loses. */
	t1 = start_txn(t, o);
	assert_string_equal(th_write(t, c, t2, "/t/same", "c"), "OK");
	assert_string_equal(th_write(t, o, t1, "/t/same", "o"), "OK");
	assert_string_equal(th_do(t, o, XS_TRANSACTION_END, t1, "T", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_TRANSACTION_END, t2, "T", NULL), "EAGAIN");
	assert_string_equal(th_do(t, o, XS_READ, 0, "/t/same", NULL), "o");
	close(c);
	close(o);
	close(w);
}

static void test_parser(void **state)
{
	struct th *t = *state;
	int c = th_client(t), bad = th_client(t);
	struct msg m;
	char big[XENSTORE_PAYLOAD_MAX];

	th_req(t, c, 20, 0, "", 1, &m);
	assert_int_equal(m.h.type, XS_ERROR);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, 0x7777, 0, "", 1, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_WATCH_EVENT, 0, "a\0b", 4, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_ERROR, 0, "", 0, &m);
	assert_string_equal(m.data, "EINVAL");
	/* Missing NUL terminators. */
	th_req(t, c, XS_READ, 0, "/a", 2, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_WRITE, 0, "/novalue", 8, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_READ, 0, "", 0, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_READ, 0, "/a\0/b", 6, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_WATCH, 0, "/a", 3, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_GET_DOMAIN_PATH, 0, "12x", 4, &m);
	assert_string_equal(m.data, "EINVAL");
	th_req(t, c, XS_GET_DOMAIN_PATH, 0, "99999999999999999999", 21, &m);
	assert_string_equal(m.data, "EINVAL");

	/* A payload of exactly the maximum is fine. */
	memset(big, 'v', sizeof(big));
	memcpy(big, "/big", 5);
	th_req(t, c, XS_WRITE, 0, big, sizeof(big), &m);
	assert_string_equal(m.data, "OK");

	/* One byte more closes that connection, and only that one. */
	struct xsd_sockmsg h = { XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1 };
	assert_int_equal(write(bad, &h, sizeof(h)), sizeof(h));
	th_pump(t);
	assert_int_equal(read(bad, &m, sizeof(m)), 0);
	assert_int_equal(th_do(t, c, XS_READ, 0, "/big", NULL)[0], (int)'v');
	close(bad);
	close(c);
}

static void test_req_id_reuse(void **state)
{
	struct th *t = *state;
	char path[128];
	int c = th_client(t);
	struct msg m1, m2;
	char two[2 * (16 + 7)];
	struct xsd_sockmsg h = { XS_WRITE, 42, 0, 7 };

	/* With persistence on, the first reply waits for the save at the end
	 * of the turn, so the second request reuses a pending id. */
	snprintf(path, sizeof(path), "%s/state", t->dir);
	t->d.state_path = path;
	memcpy(two, &h, 16);
	memcpy(two + 16, "/r\0abcd", 7);
	memcpy(two + 23, &h, 16);
	memcpy(two + 39, "/s\0abcd", 7);
	assert_int_equal(write(c, two, sizeof(two)), sizeof(two));
	assert_true(th_recv(t, c, &m1));
	assert_true(th_recv(t, c, &m2));
	t->d.state_path = NULL;
	assert_int_equal(m1.h.req_id, 42);
	assert_string_equal(m1.data, "OK");
	assert_int_equal(m2.h.req_id, 42);
	assert_int_equal(m2.h.type, XS_ERROR);
	assert_string_equal(m2.data, "EINVAL");
	assert_string_equal(th_do(t, c, XS_READ, 0, "/s", NULL), "ENOENT");
	close(c);
}

static void test_directory_part(void **state)
{
	struct th *t = *state;
	int c = th_client(t);
	char path[128], name[80], *all = calloc(1, 64 * 1024);
	size_t total = 0, got = 0;
	struct msg m;

	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "child-%03d-%060d", i, 0);
		snprintf(path, sizeof(path), "/big/%s", name);
		assert_string_equal(th_write(t, c, 0, path, ""), "OK");
		memcpy(all + total, name, strlen(name) + 1);
		total += strlen(name) + 1;
	}
	assert_true(total > XENSTORE_PAYLOAD_MAX);
	assert_string_equal(th_do(t, c, XS_DIRECTORY, 0, "/big", NULL), "E2BIG");

	char gen0[32] = "";
	for (;;) {
		char off[16];
		size_t glen;

		snprintf(off, sizeof(off), "%zu", got);
		th_req(t, c, XS_DIRECTORY_PART, 0, path,
		       (size_t)snprintf(path, sizeof(path), "/big%c%s", 0, off) + 1, &m);
		assert_int_not_equal(m.h.type, XS_ERROR);
		glen = strlen(m.data) + 1;
		if (!gen0[0])
			strcpy(gen0, m.data);
		assert_string_equal(m.data, gen0);
		if (m.h.len == glen + 1 && m.data[glen] == '\0')
			break;
		size_t piece = m.h.len - glen;
		if (m.data[m.h.len - 1] == '\0' && m.data[m.h.len - 2] == '\0') {
			memcpy(all + 32 * 1024 + got, m.data + glen, piece - 1);
			got += piece - 1;
			break;
		}
		memcpy(all + 32 * 1024 + got, m.data + glen, piece);
		got += piece;
	}
	assert_int_equal(got, total);
	assert_memory_equal(all, all + 32 * 1024, total);
	free(all);
	close(c);
}

static void test_misc_ops(void **state)
{
	struct th *t = *state;
	int c = th_client(t);

	assert_string_equal(th_do(t, c, XS_GET_DOMAIN_PATH, 0, "7", NULL), "/local/domain/7");
	assert_string_equal(th_do(t, c, XS_IS_DOMAIN_INTRODUCED, 0, "0", NULL), "T");
	assert_string_equal(th_do(t, c, XS_IS_DOMAIN_INTRODUCED, 0, "7", NULL), "F");
	assert_string_equal(th_do(t, c, XS_RELEASE, 0, "7", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_RESUME, 0, "7", NULL), "ENOENT");
	assert_string_equal(th_do(t, c, XS_SET_TARGET, 0, "7", "8"), "ENOENT");
	assert_string_equal(th_do(t, c, XS_CONTROL, 0, "check", NULL), "OK");
	assert_string_equal(th_do(t, c, XS_CONTROL, 0, "nonsense", NULL), "EINVAL");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/local", "x1"), "EINVAL");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/nope", "r1"), "ENOENT");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/local", "r1"), "OK");
	assert_string_equal(th_do(t, c, XS_GET_PERMS, 0, "/local", NULL), "r1");
	close(c);
}

static void test_persistence(void **state)
{
	struct th *t = *state;
	char path[128];
	int c = th_client(t);
	struct daemon d2;
	const struct node *n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", t->dir);
	t->d.state_path = path;
	assert_string_equal(th_write(t, c, 0, "/p/q", "kept"), "OK");
	assert_string_equal(th_do(t, c, XS_SET_PERMS, 0, "/p/q", "b3"), "OK");
	t->d.state_path = NULL;

	daemon_init(&d2);
	d2.rb = &null_ring_backend;
	d2.state_path = path;
	assert_int_equal(persist_load(&d2), 0);
	n = nodemap_find(&d2.st.nodes, "/p/q");
	assert_non_null(n);
	assert_memory_equal(n->value, "kept", 4);
	assert_int_equal(n->perms[0].id, 3);
	assert_int_equal(store_owned(&d2.st, 3), 1);
	daemon_fini(&d2);

	/* A damaged file is refused, not silently replaced. */
	f = fopen(path, "r+");
	fseek(f, 40, SEEK_SET);
	fputc('!', f);
	fclose(f);
	daemon_init(&d2);
	d2.rb = &null_ring_backend;
	d2.state_path = path;
	assert_int_equal(persist_load(&d2), -EBADMSG);
	daemon_fini(&d2);
	close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parser, setup, teardown),
		cmocka_unit_test_setup_teardown(test_req_id_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_misc_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
