// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback's xenbus side against a real keelstored ($KEELSTORED) and a
 * fake guest: the test writes a vbd's backend and frontend trees the way
 * the toolstack and xen-blkfront do, and checks the backend's handshake
 * (features, InitWait, Connected, sectors/info), I/O through the rings it
 * mapped, multi-queue, a read-only disk, the disconnect of a hostile
 * frontend with its reason in `error`, handshakes refused with their cause
 * in `error`, a frontend restarting, and the device going away with its
 * directory. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "blkback.h"
#include "kb_fake.h"
#include "keelstore.h"

#define DOMID 3
#define SECTORS 4096

static struct kb_fake *fake;
static char dir[64], sock[96], img[96];
static pid_t store_pid;
static struct ks_handle *xs;
static struct kb_backend *be;
static pthread_t be_thread;

static int open_fake(struct kb_xenif **out)
{
	*out = kb_fake_xenif(fake);
	return *out ? 0 : -ENOMEM;
}

static void *run_backend(void *arg)
{
	(void)arg;
	kb_backend_run(be);
	return NULL;
}

static void xs_write(const char *path, const char *fmt, ...)
{
	char val[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	assert_int_equal(ks_write(xs, KS_NO_TXN, path, val, strlen(val)), 0);
}

/* The value at path, or "" if missing (static buffer). */
static const char *xs_get(const char *fmt, ...)
{
	static char out[256];
	char path[160], *v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	out[0] = 0;
	if (!ks_read(xs, KS_NO_TXN, path, &v, NULL)) {
		snprintf(out, sizeof(out), "%s", v);
		free(v);
	}
	return out;
}

/* Waits up to 5 s for path to read want. */
static void wait_for(const char *path, const char *want)
{
	for (int i = 0; i < 500; i++) {
		if (!strcmp(xs_get("%s", path), want))
			return;
		poll(NULL, 0, 10);
	}
	fail_msg("%s is '%s', want '%s'", path, xs_get("%s", path), want);
}

static int setup(void **state)
{
	const char *bin = getenv("KEELSTORED");
	int fd;

	(void)state;
	if (!bin)
		fail_msg("KEELSTORED is not set (make -C pv-drivers test sets it)");
	strcpy(dir, "/tmp/keel-blkback-xs.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/xs.sock", dir);
	snprintf(img, sizeof(img), "%s/disk.img", dir);
	fd = open(img, O_CREAT | O_RDWR, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, SECTORS * 512), 0);
	close(fd);
	store_pid = fork();
	assert_true(store_pid >= 0);
	if (!store_pid) {
		int null = open("/dev/null", O_WRONLY);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		dup2(null, 2);
		execl(bin, bin, "--no-persist", "--no-kernel-ring", "--rings=none", "-s", sock,
		      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500 && ks_open(sock, &xs); i++)
		poll(NULL, 0, 10);
	assert_non_null(xs);
	fake = kb_fake_new(DOMID, 64);
	blk_xenif_open = open_fake;
	assert_int_equal(kb_backend_new(&blk_backend_ops, sock, &be), 0);
	assert_int_equal(pthread_create(&be_thread, NULL, run_backend, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kb_backend_stop(be);
	pthread_join(be_thread, NULL);
	kb_backend_free(be);
	assert_int_equal(kb_fake_mappings(fake), 0);
	kb_fake_free(fake);
	ks_close(xs);
	kill(store_pid, SIGTERM);
	waitpid(store_pid, NULL, 0);
	unlink(img);
	unlink(sock);
	rmdir(dir);
	return 0;
}

/* The toolstack's part: both directories, state 1; then the backend's
 * answer, InitWait. */
static void add_vbd(unsigned devid, const char *mode)
{
	char be_dir[96], fe_dir[96], p[160];

	snprintf(be_dir, sizeof(be_dir), "/local/domain/0/backend/vbd/%u/%u", DOMID, devid);
	snprintf(fe_dir, sizeof(fe_dir), "/local/domain/%u/device/vbd/%u", DOMID, devid);
#define W(d, k, ...) (snprintf(p, sizeof(p), "%s/%s", d, k), xs_write(p, __VA_ARGS__))
	/* The toolstack's order (libkeelctrl/devices.c): state before params,
	 * so the backend's own state write cannot be overwritten. */
	W(fe_dir, "state", "1");
	W(fe_dir, "backend", "%s", be_dir);
	W(be_dir, "state", "1");
	W(be_dir, "frontend", "%s", fe_dir);
	W(be_dir, "frontend-id", "%u", DOMID);
	W(be_dir, "online", "1");
	W(be_dir, "mode", "%s", mode);
	W(be_dir, "type", "file");
	W(be_dir, "params", "%s", img);
#undef W
	snprintf(p, sizeof(p), "%s/state", be_dir);
	wait_for(p, "2");
}

/* The device most tests use: xvda of domain DOMID. */
static const char xvda_be[] = "/local/domain/0/backend/vbd/3/51712";
static const char xvda_fe[] = "/local/domain/3/device/vbd/51712";

/* A device directory's state node: set, or waited for (5 s at most). */
static void set_state(const char *dir, const char *state)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/state", dir);
	xs_write(p, "%s", state);
}

static void wait_state(const char *dir, const char *state)
{
	char p[160];

	snprintf(p, sizeof(p), "%s/state", dir);
	wait_for(p, state);
}

struct fe_ring {
	struct xen_sring_header *sring;
	union blkif_sring_entry *slots;
	uint32_t port;
	RING_IDX prod;
};

/* The frontend's part of the handshake for one queue. */
static void publish_ring(struct fe_ring *r, unsigned page, const char *fe_dir)
{
	char p[160];
	uint32_t ref;

	r->sring = kb_fake_page(fake, page);
	memset(r->sring, 0, 4096);
	r->sring->req_event = r->sring->rsp_event = 1;
	r->slots = (void *)((uint8_t *)r->sring + 64);
	r->prod = 0;
	ref = kb_fake_grant(fake, page, false);
	r->port = kb_fake_alloc_port(fake);
	snprintf(p, sizeof(p), "%s/ring-ref", fe_dir);
	xs_write(p, "%u", ref);
	snprintf(p, sizeof(p), "%s/event-channel", fe_dir);
	xs_write(p, "%u", r->port);
}

/* The frontend connects one ring (page) and waits for the backend to say
 * Connected. */
static void connect_ring(struct fe_ring *r, unsigned page, const char *fe_dir,
			 const char *be_dir)
{
	char p[160];

	publish_ring(r, page, fe_dir);
	snprintf(p, sizeof(p), "%s/protocol", fe_dir);
	xs_write(p, "x86_64-abi");
	set_state(fe_dir, "3");
	wait_state(be_dir, "4");
}

/* A one-segment READ of sector into guest page data; waits for the answer
 * and returns its status. */
static int16_t do_read(struct fe_ring *r, unsigned data, uint64_t sector)
{
	struct blkif_request *rq = &r->slots[r->prod & 31].req;
	struct blkif_request_segment seg = { kb_fake_grant(fake, data, false), 0, 7, 0 };

	memset(rq, 0, sizeof(*rq));
	rq->operation = BLKIF_OP_READ;
	rq->u.rw.id = 1000 + r->prod;
	rq->u.rw.sector_number = sector;
	rq->u.rw.nr_segments = 1;
	memcpy((uint8_t *)rq + offsetof(struct blkif_request, u.rw.seg), &seg, sizeof(seg));
	__atomic_store_n(&r->sring->req_prod, ++r->prod, __ATOMIC_RELEASE);
	kb_fake_send(fake, r->port);
	for (int i = 0; i < 500; i++) {
		if (__atomic_load_n(&r->sring->rsp_prod, __ATOMIC_ACQUIRE) == r->prod) {
			struct blkif_response *rsp = &r->slots[(r->prod - 1) & 31].rsp;

			assert_int_equal(rsp->id, 1000 + r->prod - 1);
			return rsp->status;
		}
		poll(NULL, 0, 10);
	}
	fail_msg("no response to a read");
	return 0;
}

static void test_handshake_io_hostile_restart_remove(void **state)
{
	const char *be_dir = xvda_be, *fe_dir = xvda_fe;
	struct fe_ring r;

	(void)state;
	add_vbd(51712, "w");
	assert_string_equal(xs_get("%s/feature-flush-cache", be_dir), "1");
	assert_string_equal(xs_get("%s/feature-discard", be_dir), "1");
	assert_string_equal(xs_get("%s/feature-max-indirect-segments", be_dir), "256");
	assert_string_equal(xs_get("%s/multi-queue-max-queues", be_dir), "4");
	assert_string_equal(xs_get("%s/feature-persistent", be_dir), "0");

	connect_ring(&r, 0, fe_dir, be_dir);
	assert_string_equal(xs_get("%s/sectors", be_dir), "4096");
	assert_string_equal(xs_get("%s/info", be_dir), "0");
	assert_string_equal(xs_get("%s/sector-size", be_dir), "512");
	assert_int_equal(do_read(&r, 10, 8), BLKIF_RSP_OKAY);
	assert_int_equal(do_read(&r, 10, SECTORS), BLKIF_RSP_ERROR);

	/* A hostile req_prod: disconnected, Closing, the reason recorded. */
	__atomic_store_n(&r.sring->req_prod, r.prod + 1000, __ATOMIC_RELEASE);
	kb_fake_send(fake, r.port);
	wait_state(be_dir, "5");
	assert_non_null(strstr(xs_get("%s/error", be_dir), "ring index out of range"));
	assert_int_equal(kb_fake_mappings(fake), 0);

	/* The frontend closes, then starts over and connects again. */
	set_state(fe_dir, "6");
	wait_state(be_dir, "6");
	set_state(fe_dir, "1");
	wait_state(be_dir, "2");
	publish_ring(&r, 1, fe_dir);
	set_state(fe_dir, "3");
	wait_state(be_dir, "4");
	assert_int_equal(do_read(&r, 11, 0), BLKIF_RSP_OKAY);

	/* The toolstack removes the backend: everything is let go. */
	assert_int_equal(ks_rm(xs, KS_NO_TXN, "/local/domain/0/backend/vbd/3"), 0);
	for (int i = 0; i < 500 && kb_fake_mappings(fake); i++)
		poll(NULL, 0, 10);
	assert_int_equal(kb_fake_mappings(fake), 0);
}

/* Handshakes the backend must refuse: each leaves the device Closing with
 * the cause in `error`, nothing mapped or bound, and a frontend that starts
 * over connects as usual. */
static void refuse(const char *be_dir, const char *fe_dir, const char *key, const char *val,
		   const char *cause)
{
	char p[160];
	struct fe_ring r;

	publish_ring(&r, 40, fe_dir);
	snprintf(p, sizeof(p), "%s/protocol", fe_dir);
	xs_write(p, "x86_64-abi");
	snprintf(p, sizeof(p), "%s/%s", fe_dir, key);
	xs_write(p, "%s", val);
	set_state(fe_dir, "3");
	wait_state(be_dir, "5");
	if (!strstr(xs_get("%s/error", be_dir), cause))
		fail_msg("%s=%s: error is '%s', want '%s'", key, val, xs_get("%s/error", be_dir), cause);
	assert_int_equal(kb_fake_mappings(fake), 0);
	if (strcmp(key, "ring-ref") && strcmp(key, "event-channel") && strcmp(key, "protocol")) {
		snprintf(p, sizeof(p), "%s/%s", fe_dir, key);
		assert_int_equal(ks_rm(xs, KS_NO_TXN, p), 0);
	}
	set_state(fe_dir, "6");
	wait_state(be_dir, "6");
	set_state(fe_dir, "1");
	wait_state(be_dir, "2");
}

static void test_refused_handshakes(void **state)
{
	const char *be_dir = xvda_be, *fe_dir = xvda_fe;
	struct fe_ring r;

	(void)state;
	add_vbd(51712, "w");
	refuse(be_dir, fe_dir, "ring-ref", "9999", "cannot map the ring (grant ref 9999");
	refuse(be_dir, fe_dir, "ring-ref", "12abc", "frontend's ring-ref is missing or not a number");
	refuse(be_dir, fe_dir, "event-channel", "60", "cannot bind to event channel 60");
	refuse(be_dir, fe_dir, "protocol", "x86_32-abi", "protocol 'x86_32-abi' is not supported");
	refuse(be_dir, fe_dir, "ring-page-order", "12", "a ring of 2^12 pages (at most 2^4)");
	refuse(be_dir, fe_dir, "ring-page-order", "1", "frontend's ring-ref0 is missing");
	refuse(be_dir, fe_dir, "multi-queue-num-queues", "64", "asks for 64 queues (1..4)");
	refuse(be_dir, fe_dir, "multi-queue-num-queues", "2", "frontend's queue-0/ring-ref is missing");

	connect_ring(&r, 41, fe_dir, be_dir);
	assert_int_equal(do_read(&r, 42, 8), BLKIF_RSP_OKAY);
}

static void test_multi_queue_read_only(void **state)
{
	const char *be_dir = "/local/domain/0/backend/vbd/3/51728";
	const char *fe_dir = "/local/domain/3/device/vbd/51728";
	char p[160], q[96];
	struct fe_ring r[2];
	uint8_t *data;

	(void)state;
	add_vbd(51728, "r");
	assert_string_equal(xs_get("%s/feature-discard", be_dir), "0");
	for (unsigned i = 0; i < 2; i++) {
		snprintf(q, sizeof(q), "%s/queue-%u", fe_dir, i);
		publish_ring(&r[i], 20 + i, q);
	}
	snprintf(p, sizeof(p), "%s/multi-queue-num-queues", fe_dir);
	xs_write(p, "2");
	set_state(fe_dir, "3");
	wait_state(be_dir, "4");
	assert_string_equal(xs_get("%s/info", be_dir), "4"); /* VDISK_READONLY */
	data = kb_fake_page(fake, 30);
	memset(data, 0xEE, 4096);
	assert_int_equal(do_read(&r[0], 30, 0), BLKIF_RSP_OKAY);
	assert_int_equal(data[0], 0); /* the image is all zeros */
	memset(data, 0xEE, 4096);
	assert_int_equal(do_read(&r[1], 30, 100), BLKIF_RSP_OKAY);
	assert_int_equal(data[4095], 0);
	set_state(fe_dir, "5");
	wait_state(be_dir, "5");
	assert_int_equal(kb_fake_mappings(fake), 0);
}

/* n reads past the end of the disk, each answered with an error. */
static void bad_reads(struct fe_ring *r, unsigned data, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(do_read(r, data, SECTORS + i), BLKIF_RSP_ERROR);
}

/* A frontend that reconnects gets no fresh burst of log lines about its
 * bad requests: the limit belongs to the device, not to one connection
 * (a guest cycling its connection could otherwise fill dom0's log). */
static void test_problem_log_survives_reconnect(void **state)
{
	const char *be_dir = xvda_be, *fe_dir = xvda_fe;
	struct fe_ring r;

	(void)state;
	add_vbd(51712, "w");
	connect_ring(&r, 0, fe_dir, be_dir);
	assert_int_equal(kb_fake_log_begin(), 0);
	bad_reads(&r, 10, 40);
	assert_int_equal(kb_fake_log_end("beyond the end of the disk"), 32);

	set_state(fe_dir, "6");
	wait_state(be_dir, "6");
	set_state(fe_dir, "1");
	wait_state(be_dir, "2");
	connect_ring(&r, 1, fe_dir, be_dir);
	assert_int_equal(kb_fake_log_begin(), 0);
	bad_reads(&r, 11, 5);
	assert_int_equal(do_read(&r, 11, 0), BLKIF_RSP_OKAY);
	assert_int_equal(kb_fake_log_end("beyond the end of the disk"), 0);
}

/* A frontend that fails its handshake over and over: each refusal still
 * reaches its `error` node, but the device's lines in the log stop at a
 * burst of 40 (then one every 10 s), where 60 refusals would write 62. */
static void test_device_log_is_rate_limited(void **state)
{
	const char *be_dir = xvda_be, *fe_dir = xvda_fe;

	(void)state;
	assert_int_equal(kb_fake_log_begin(), 0);
	add_vbd(51712, "w");
	for (unsigned i = 0; i < 60; i++)
		refuse(be_dir, fe_dir, "ring-ref", "9999", "cannot map the ring (grant ref 9999");
	assert_int_equal(kb_fake_log_end("d3 vbd 51712: "), 40);
}

static bool xs_exists(const char *path)
{
	char *v = NULL;
	int ret = ks_read(xs, KS_NO_TXN, path, &v, NULL);

	free(v);
	return ret != -ENOENT;
}

/* A detach (keel block-detach) or a guest's power-off: the frontend says
 * Closed and the toolstack removes both directories at once. The backend
 * answers the frontend's state, but must not write into the backend
 * directory once it is gone: a store write creates missing parents, and
 * the device's directory would come back for good. Several rounds, as the
 * two events race in the backend's control thread. */
static void test_closed_then_removed_leaves_nothing(void **state)
{
	char be_dir[96], fe_dir[96], dom_dir[64];
	struct fe_ring r;

	(void)state;
	snprintf(dom_dir, sizeof(dom_dir), "/local/domain/0/backend/vbd/%u", DOMID);
	for (unsigned round = 0; round < 20; round++) {
		unsigned devid = 51712 + 16 * (round % 8);

		snprintf(be_dir, sizeof(be_dir), "%s/%u", dom_dir, devid);
		snprintf(fe_dir, sizeof(fe_dir), "/local/domain/%u/device/vbd/%u", DOMID, devid);
		add_vbd(devid, "w");
		connect_ring(&r, round % 8, fe_dir, be_dir);
		assert_int_equal(do_read(&r, 40, 0), BLKIF_RSP_OKAY);

		set_state(fe_dir, round & 1 ? "6" : "5");
		assert_int_equal(ks_rm(xs, KS_NO_TXN, be_dir), 0);
		assert_int_equal(ks_rm(xs, KS_NO_TXN, fe_dir), 0);
		for (int i = 0; i < 500 && kb_fake_mappings(fake); i++)
			poll(NULL, 0, 10);
		assert_int_equal(kb_fake_mappings(fake), 0);
		/* Whatever the backend still had queued has been handled. */
		poll(NULL, 0, 50);
		if (xs_exists(be_dir))
			fail_msg("round %u: %s is back after its removal (its state: '%s')", round,
				 be_dir, xs_get("%s/state", be_dir));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_handshake_io_hostile_restart_remove, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_handshakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_queue_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problem_log_survives_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_log_is_rate_limited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_closed_then_removed_leaves_nothing, setup,
						teardown),
	};

	kb_log_init("test_xenbus");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
