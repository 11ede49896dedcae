// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback's data path against a fake guest: a test frontend posts
 * requests on a real blkif ring in fake granted pages, the queue serves
 * them from a real backing file, and the tests check the responses, the
 * guest's pages and the file's bytes (including the bytes that must not
 * change). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "blkback.h"
#include "kb_fake.h"

#define DOMID 7
#define DISK_SECTORS 2048 /* 1 MiB */
#define GUEST_PAGES 64
#define RING_PAGE 0
#define DATA_PAGE 8 /* data pages from here on */

struct env {
	char path[64];
	struct blk_disk disk;
	struct kb_fake *f;
	struct blk_queue q;
	struct xen_sring_header *sring;
	union blkif_sring_entry *slots;
	uint32_t nr_slots;
	uint32_t fe_port;
	RING_IDX req_prod, rsp_cons;
	uint32_t data_ref[GUEST_PAGES];
	char fatal_reason[256];
	unsigned fatals;
};

static uint8_t pattern(uint64_t byte)
{
	return (uint8_t)(byte * 7 + (byte >> 9) * 13 + 1);
}

static void on_fatal(void *arg, const char *reason)
{
	struct env *e = arg;

	e->fatals++;
	snprintf(e->fatal_reason, sizeof(e->fatal_reason), "%s", reason);
}

static struct env *setup_env(bool readonly, unsigned ring_pages)
{
	struct env *e = calloc(1, sizeof(*e));
	uint8_t *buf = malloc(DISK_SECTORS * 512);
	uint32_t refs[16];
	struct kb_xenif *x;
	uint32_t port;
	int fd;

	assert_non_null(e);
	snprintf(e->path, sizeof(e->path), "/tmp/keel-blkback-test-XXXXXX");
	fd = mkstemp(e->path);
	assert_true(fd >= 0);
	for (uint64_t i = 0; i < DISK_SECTORS * 512; i++)
		buf[i] = pattern(i);
	assert_int_equal(write(fd, buf, DISK_SECTORS * 512), DISK_SECTORS * 512);
	close(fd);
	free(buf);
	assert_int_equal(blk_disk_open(&e->disk, e->path, readonly, DOMID, 51712), 0);
	assert_int_equal(e->disk.sectors, DISK_SECTORS);

	e->f = kb_fake_new(DOMID, GUEST_PAGES);
	for (unsigned i = 0; i < ring_pages; i++)
		refs[i] = kb_fake_grant(e->f, RING_PAGE + i, false);
	for (unsigned i = DATA_PAGE; i < GUEST_PAGES; i++)
		e->data_ref[i] = kb_fake_grant(e->f, i, false);
	e->sring = kb_fake_page(e->f, RING_PAGE);
	e->sring->req_event = e->sring->rsp_event = 1; /* SHARED_RING_INIT */
	e->slots = (void *)((uint8_t *)e->sring + 64);
	e->nr_slots = xen_ring_entries(ring_pages * 4096u, sizeof(union blkif_sring_entry));
	e->fe_port = kb_fake_alloc_port(e->f);

	x = kb_fake_xenif(e->f);
	void *ring = x->ops->map(x, DOMID, refs, ring_pages, true);
	assert_ptr_equal(ring, e->sring);
	assert_int_equal(x->ops->bind(x, DOMID, e->fe_port, &port), 0);
	assert_int_equal(blk_queue_init(&e->q, &(struct blk_queue_cfg){ .domid = DOMID,
									 .devid = 51712,
									 .disk = &e->disk,
									 .max_indirect_segs = 256,
									 .x = x,
									 .ring_mem = ring,
									 .ring_pages = ring_pages,
									 .port = port,
									 .fatal = on_fatal,
									 .fatal_arg = e }),
			 0);
	return e;
}

static void teardown_env(struct env *e)
{
	blk_queue_destroy(&e->q);
	assert_int_equal(kb_fake_mappings(e->f), 0);
	blk_disk_close(&e->disk);
	kb_fake_free(e->f);
	unlink(e->path);
	free(e);
}

/* The frontend's side: fill the next request slot, publish later. */
static struct blkif_request *post(struct env *e, uint8_t op, uint64_t id, uint64_t sector)
{
	struct blkif_request *rq = &e->slots[e->req_prod++ & (e->nr_slots - 1)].req;

	memset(rq, 0, sizeof(*rq));
	rq->operation = op;
	rq->u.rw.id = id;
	rq->u.rw.sector_number = sector;
	return rq;
}

static void add_seg(struct blkif_request *rq, uint32_t gref, uint8_t first, uint8_t last)
{
	struct blkif_request_segment s = { gref, first, last, 0 };

	memcpy((uint8_t *)rq + offsetof(struct blkif_request, u.rw.seg) +
		       rq->u.rw.nr_segments * sizeof(s),
	       &s, sizeof(s));
	rq->u.rw.nr_segments++;
}

static void publish(struct env *e)
{
	__atomic_store_n(&e->sring->req_prod, e->req_prod, __ATOMIC_RELEASE);
}

/* The next response, checked for id and operation; returns its status. */
static int16_t response(struct env *e, uint64_t id, uint8_t op)
{
	struct blkif_response *rsp;

	assert_true(e->rsp_cons != __atomic_load_n(&e->sring->rsp_prod, __ATOMIC_ACQUIRE));
	rsp = &e->slots[e->rsp_cons++ & (e->nr_slots - 1)].rsp;
	assert_int_equal(rsp->id, id);
	assert_int_equal(rsp->operation, op);
	return rsp->status;
}

static void read_file(struct env *e, void *buf, size_t len, uint64_t off)
{
	int fd = open(e->path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

/* The file still has the pattern in [from, to) bytes. */
static void file_untouched(struct env *e, uint64_t from, uint64_t to)
{
	uint8_t *buf = malloc(to - from);

	read_file(e, buf, to - from, from);
	for (uint64_t i = from; i < to; i++)
		if (buf[i - from] != pattern(i))
			fail_msg("file byte %llu changed", (unsigned long long)i);
	free(buf);
}

static uint8_t *page(struct env *e, unsigned idx)
{
	return kb_fake_page(e->f, idx);
}

static void test_read(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq;

	(void)state;
	memset(page(e, DATA_PAGE), 0xAA, 4096);
	memset(page(e, DATA_PAGE + 1), 0xAA, 4096);
	/* 3 sectors into sectors 1..3 of one page, 8 into the whole next. */
	rq = post(e, BLKIF_OP_READ, 42, 100);
	add_seg(rq, e->data_ref[DATA_PAGE], 1, 3);
	add_seg(rq, e->data_ref[DATA_PAGE + 1], 0, 7);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 42, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(kb_fake_notifications(e->f, e->fe_port), 1);
	for (unsigned i = 0; i < 4096; i++) {
		uint8_t want = i < 512 || i >= 2048 ? 0xAA : pattern(100 * 512 + i - 512);

		assert_int_equal(page(e, DATA_PAGE)[i], want);
		assert_int_equal(page(e, DATA_PAGE + 1)[i], pattern(103 * 512 + i));
	}
	/* The backend went idle asking for the next request. */
	assert_int_equal(e->sring->req_event, e->req_prod + 1);
	teardown_env(e);
}

static void test_write(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq;
	uint8_t got[11 * 512];

	(void)state;
	memset(page(e, DATA_PAGE), 0x11, 4096);
	memset(page(e, DATA_PAGE + 1), 0x22, 4096);
	rq = post(e, BLKIF_OP_WRITE, 7, 500);
	add_seg(rq, e->data_ref[DATA_PAGE], 5, 7); /* 3 sectors of 0x11 */
	add_seg(rq, e->data_ref[DATA_PAGE + 1], 0, 7); /* 8 sectors of 0x22 */
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 7, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	read_file(e, got, sizeof(got), 500 * 512);
	for (unsigned i = 0; i < sizeof(got); i++)
		assert_int_equal(got[i], i < 3 * 512 ? 0x11 : 0x22);
	file_untouched(e, 0, 500 * 512);
	file_untouched(e, 511 * 512, DISK_SECTORS * 512);
	teardown_env(e);
}

/* Every malformed request gets an error; the good ones around them in the
 * same batch are served; nothing outside their sectors changes. */
static void test_bad_requests(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq;
	uint32_t revoked = e->data_ref[DATA_PAGE + 2];

	(void)state;
	kb_fake_revoke(e->f, revoked);
	memset(page(e, DATA_PAGE), 0x33, 4096);
	rq = post(e, BLKIF_OP_WRITE, 1, 10); /* good */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 0);
	rq = post(e, BLKIF_OP_WRITE, 2, 20); /* last_sect 8 */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 8);
	rq = post(e, BLKIF_OP_WRITE, 3, 30); /* first > last */
	add_seg(rq, e->data_ref[DATA_PAGE], 5, 4);
	rq = post(e, BLKIF_OP_WRITE, 4, 40); /* 12 segments */
	for (int i = 0; i < 12; i++)
		add_seg(rq, e->data_ref[DATA_PAGE], 0, 0);
	rq = post(e, BLKIF_OP_WRITE, 5, DISK_SECTORS - 1); /* runs off the end */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 1);
	rq = post(e, BLKIF_OP_WRITE, 6, ~0ull - 3); /* sector overflow */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	rq = post(e, BLKIF_OP_WRITE, 7, 60); /* revoked grant */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 0);
	add_seg(rq, revoked, 0, 0);
	rq = post(e, BLKIF_OP_READ, 8, 70); /* bad grant on a read */
	add_seg(rq, 4000, 0, 0);
	post(e, 99, 9, 0); /* unknown operation */
	post(e, BLKIF_OP_READ, 10, 0); /* no segments */
	rq = post(e, BLKIF_OP_WRITE, 11, 80); /* good */
	add_seg(rq, e->data_ref[DATA_PAGE], 1, 1);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(e->fatals, 0);
	assert_int_equal(response(e, 1, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	for (uint64_t id = 2; id <= 7; id++)
		assert_int_equal(response(e, id, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 8, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 9, 99), BLKIF_RSP_EOPNOTSUPP);
	assert_int_equal(response(e, 10, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 11, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	/* Sectors 10 and 80 hold 0x33; everything else is as it was. */
	file_untouched(e, 0, 10 * 512);
	file_untouched(e, 11 * 512, 80 * 512);
	file_untouched(e, 81 * 512, DISK_SECTORS * 512);
	assert_int_equal(e->q.nr_errors, 9);
	teardown_env(e);
}

static void test_read_only(void **state)
{
	struct env *e = setup_env(true, 1);
	struct blkif_request *rq;

	(void)state;
	rq = post(e, BLKIF_OP_WRITE, 1, 0);
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	rq = post(e, BLKIF_OP_FLUSH_DISKCACHE, 2, 0); /* a write with a flush */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	post(e, BLKIF_OP_FLUSH_DISKCACHE, 3, 0); /* a pure flush is fine */
	rq = post(e, BLKIF_OP_DISCARD, 4, 0);
	rq->u.discard.nr_sectors = 8;
	rq = post(e, BLKIF_OP_READ, 5, 0);
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 0);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 1, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 2, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 3, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 4, BLKIF_OP_DISCARD), BLKIF_RSP_EOPNOTSUPP);
	assert_int_equal(response(e, 5, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(page(e, DATA_PAGE)[0], pattern(0));
	file_untouched(e, 0, DISK_SECTORS * 512);
	teardown_env(e);
}

/* An INDIRECT write of 40 segments and its read back, each served with one
 * copy call for the descriptors and one for the data. */
static void test_indirect(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request_segment *desc = (void *)page(e, DATA_PAGE);
	struct blkif_request *rq;
	unsigned calls;
	uint8_t *got = malloc(40 * 4096);

	(void)state;
	for (unsigned i = 0; i < 40; i++) {
		desc[i] = (struct blkif_request_segment){ e->data_ref[DATA_PAGE + 1 + i], 0, 7, 0 };
		memset(page(e, DATA_PAGE + 1 + i), 0x40 + i, 4096);
	}
	rq = post(e, BLKIF_OP_INDIRECT, 77, 800);
	rq->u.indirect.indirect_op = BLKIF_OP_WRITE;
	rq->u.indirect.nr_segments = 40;
	rq->u.indirect.indirect_grefs[0] = e->data_ref[DATA_PAGE];
	publish(e);
	calls = kb_fake_copy_calls(e->f);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(kb_fake_copy_calls(e->f) - calls, 2);
	assert_int_equal(response(e, 77, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	read_file(e, got, 40 * 4096, 800 * 512);
	for (unsigned i = 0; i < 40 * 4096; i++)
		assert_int_equal(got[i], 0x40 + i / 4096);
	file_untouched(e, 0, 800 * 512);
	file_untouched(e, (800 + 320) * 512, DISK_SECTORS * 512);

	/* Read it back into zeroed pages. */
	for (unsigned i = 0; i < 40; i++)
		memset(page(e, DATA_PAGE + 1 + i), 0, 4096);
	rq = post(e, BLKIF_OP_INDIRECT, 78, 800);
	rq->u.indirect.indirect_op = BLKIF_OP_READ;
	rq->u.indirect.nr_segments = 40;
	rq->u.indirect.indirect_grefs[0] = e->data_ref[DATA_PAGE];
	/* And a hostile one: 300 segments (more than we advertised). */
	rq = post(e, BLKIF_OP_INDIRECT, 79, 0);
	rq->u.indirect.indirect_op = BLKIF_OP_READ;
	rq->u.indirect.nr_segments = 300;
	/* And one whose descriptor page is not granted. */
	rq = post(e, BLKIF_OP_INDIRECT, 80, 0);
	rq->u.indirect.indirect_op = BLKIF_OP_WRITE;
	rq->u.indirect.nr_segments = 2;
	rq->u.indirect.indirect_grefs[0] = 3999;
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 78, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 79, BLKIF_OP_READ), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 80, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(page(e, DATA_PAGE + 1 + i)[4095], 0x40 + i);
	file_untouched(e, 0, 800 * 512);
	free(got);
	teardown_env(e);
}

/* 24 writes posted at once: their data arrives with one copy call. */
static void test_batching(void **state)
{
	struct env *e = setup_env(false, 1);
	unsigned calls = kb_fake_copy_calls(e->f);

	(void)state;
	for (unsigned i = 0; i < 24; i++) {
		struct blkif_request *rq = post(e, BLKIF_OP_WRITE, i, 8 * i);

		memset(page(e, DATA_PAGE + i), i + 1, 4096);
		add_seg(rq, e->data_ref[DATA_PAGE + i], 0, 7);
	}
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(kb_fake_copy_calls(e->f) - calls, 1);
	assert_int_equal(kb_fake_notifications(e->f, e->fe_port), 1);
	for (unsigned i = 0; i < 24; i++) {
		uint8_t b[4096];

		assert_int_equal(response(e, i, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
		read_file(e, b, 4096, 8 * i * 512);
		assert_int_equal(b[0], i + 1);
		assert_int_equal(b[4095], i + 1);
	}
	teardown_env(e);
}

/* Consecutive reads go to the disk as one transfer; each request still gets
 * its own sectors, also where a half-page request or a gap ends a run. */
static void test_merged_reads(void **state)
{
	static const struct { uint64_t sector; uint8_t first, last; } rqs[] = {
		{ 0, 0, 7 }, { 8, 0, 7 }, { 16, 0, 3 }, { 20, 0, 7 }, { 28, 0, 7 }, { 100, 0, 7 },
	};
	struct env *e = setup_env(false, 1);

	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		struct blkif_request *rq = post(e, BLKIF_OP_READ, i, rqs[i].sector);

		memset(page(e, DATA_PAGE + i), 0xee, 4096);
		add_seg(rq, e->data_ref[DATA_PAGE + i], rqs[i].first, rqs[i].last);
	}
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	for (unsigned i = 0; i < 6; i++) {
		uint8_t *p = page(e, DATA_PAGE + i);
		unsigned bytes = (rqs[i].last - rqs[i].first + 1u) * 512u;

		assert_int_equal(response(e, i, BLKIF_OP_READ), BLKIF_RSP_OKAY);
		for (unsigned b = 0; b < bytes; b++)
			assert_int_equal(p[b], pattern(rqs[i].sector * 512 + b));
		if (bytes < 4096)
			assert_int_equal(p[bytes], 0xee);
	}
	teardown_env(e);
}

static void test_flush_and_discard(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq;
	uint8_t got[4096];
	struct stat st;

	(void)state;
	rq = post(e, BLKIF_OP_DISCARD, 1, 256); /* 4 KiB-aligned: a real hole */
	rq->u.discard.nr_sectors = 16;
	rq = post(e, BLKIF_OP_DISCARD, 2, DISK_SECTORS - 4);
	rq->u.discard.nr_sectors = 8; /* past the end */
	memset(page(e, DATA_PAGE), 0x5A, 4096);
	rq = post(e, BLKIF_OP_FLUSH_DISKCACHE, 3, 1000); /* write + flush */
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	post(e, BLKIF_OP_FLUSH_DISKCACHE, 4, 0);
	rq = post(e, BLKIF_OP_WRITE_BARRIER, 5, 1100);
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 0);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 1, BLKIF_OP_DISCARD), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 2, BLKIF_OP_DISCARD), BLKIF_RSP_ERROR);
	assert_int_equal(response(e, 3, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 4, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 5, BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_OKAY);
	read_file(e, got, sizeof(got), 256 * 512);
	for (unsigned i = 0; i < sizeof(got); i++)
		assert_int_equal(got[i], 0);
	read_file(e, got, sizeof(got), 1000 * 512);
	assert_int_equal(got[0], 0x5A);
	assert_int_equal(got[4095], 0x5A);
	file_untouched(e, 0, 256 * 512);
	file_untouched(e, 272 * 512, 1000 * 512);
	file_untouched(e, 1008 * 512, 1100 * 512);
	file_untouched(e, 1101 * 512, DISK_SECTORS * 512);
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(st.st_size, DISK_SECTORS * 512);
	teardown_env(e);
}

/* A req_prod claiming more requests than the ring holds: the device is
 * reported (fatal) and the ring is not touched again. */
static void test_hostile_ring_index(void **state)
{
	struct env *e = setup_env(false, 1);

	(void)state;
	__atomic_store_n(&e->sring->req_prod, 33, __ATOMIC_RELEASE);
	assert_int_equal(blk_queue_process(&e->q), -EPROTO);
	assert_int_equal(e->fatals, 1);
	assert_non_null(strstr(e->fatal_reason, "ring index out of range: req_prod 33"));
	assert_int_equal(e->sring->rsp_prod, 0);
	assert_int_equal(blk_queue_process(&e->q), -EPROTO);
	assert_int_equal(e->fatals, 1);
	teardown_env(e);
}

/* The device going away while the queue works (its domain destroyed: the
 * ring now reads as zeros): nothing more is taken off the ring, and it is
 * not reported as the frontend's fault. */
static void test_stopping_queue_takes_nothing(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq = post(e, BLKIF_OP_READ, 7, 0);

	(void)state;
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 7, BLKIF_OP_READ), BLKIF_RSP_OKAY);

	blk_queue_request_stop(&e->q);
	__atomic_store_n(&e->sring->req_prod, 0, __ATOMIC_RELEASE); /* revoked: zeros */
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(e->fatals, 0);
	assert_int_equal(e->sring->rsp_prod, 1);
	teardown_env(e);
}

/* Runs fn(e) with stderr (the log) going to a file; returns the number of
 * lines in it that contain needle. */
static unsigned count_log_lines(struct env *e, void (*fn)(struct env *), const char *needle)
{
	long n;

	assert_int_equal(kb_fake_log_begin(), 0);
	fn(e);
	n = kb_fake_log_end(needle);
	assert_true(n >= 0);
	return (unsigned)n;
}

/* Three ring-fulls of requests for an unknown operation. */
static void post_bad_flood(struct env *e)
{
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < e->nr_slots; i++)
			post(e, 77, round * 100 + i, 0);
		publish(e);
		assert_int_equal(blk_queue_process(&e->q), 0);
		for (unsigned i = 0; i < e->nr_slots; i++)
			assert_int_equal(response(e, round * 100 + i, 77), BLKIF_RSP_EOPNOTSUPP);
	}
}

static void post_one_bad(struct env *e)
{
	post(e, 78, 1000, 0);
	publish(e);
	assert_int_equal(blk_queue_process(&e->q), 0);
	assert_int_equal(response(e, 1000, 78), BLKIF_RSP_EOPNOTSUPP);
}

/* A flood of bad requests logs a burst of lines, then nothing; once the
 * interval has passed, a later bad request is logged again, after a line
 * that counts those held back. */
static void test_problem_log_limit(void **state)
{
	struct env *e = setup_env(false, 1);

	(void)state;
	assert_int_equal(count_log_lines(e, post_bad_flood, "d7 vbd 51712: queue 0: request"), 32);
	assert_int_equal(e->q.nr_errors, 96);
	assert_int_equal(count_log_lines(e, post_one_bad, "d7 vbd 51712"), 0);
	e->q.problem_log->refilled_ms -= 10000; /* as if 10 s had passed */
	assert_int_equal(count_log_lines(e, post_one_bad, "65 more bad requests were not logged"), 1);
	e->q.problem_log->refilled_ms -= 10000;
	assert_int_equal(count_log_lines(e, post_one_bad, "d7 vbd 51712: queue 0: request 1000 (op 78)"), 1);
	assert_int_equal(e->q.nr_errors, 99);
	teardown_env(e);
}

/* A ring of 4 pages (max-ring-page-order 2): 128 slots, all usable. */
static void test_multi_page_ring(void **state)
{
	struct env *e = setup_env(false, 4);

	(void)state;
	assert_int_equal(e->nr_slots, 128);
	assert_int_equal(e->q.ring.nr_slots, 128);
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < 100; i++) {
			struct blkif_request *rq = post(e, BLKIF_OP_READ, i, i);

			add_seg(rq, e->data_ref[DATA_PAGE + i % 32], 0, 0);
		}
		publish(e);
		assert_int_equal(blk_queue_process(&e->q), 0);
		for (unsigned i = 0; i < 100; i++)
			assert_int_equal(response(e, i, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	}
	teardown_env(e);
}

/* The queue's own thread answers a request after the frontend's event. */
static void test_thread(void **state)
{
	struct env *e = setup_env(false, 1);
	struct blkif_request *rq;
	int i;

	(void)state;
	assert_int_equal(blk_queue_start(&e->q), 0);
	rq = post(e, BLKIF_OP_READ, 5, 9);
	add_seg(rq, e->data_ref[DATA_PAGE], 0, 7);
	publish(e);
	kb_fake_send(e->f, e->fe_port);
	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(&e->sring->rsp_prod, __ATOMIC_ACQUIRE) == 1)
			break;
		poll(NULL, 0, 1);
	}
	assert_true(i < 2000);
	assert_int_equal(response(e, 5, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(page(e, DATA_PAGE)[0], pattern(9 * 512));
	teardown_env(e); /* stops and joins the thread */
}

/* Waits (up to 2 s) for the queue's thread to answer up to rsp_prod n. */
static void wait_responses(struct env *e, unsigned n)
{
	int i;

	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(&e->sring->rsp_prod, __ATOMIC_ACQUIRE) == n)
			break;
		poll(NULL, 0, 1);
	}
	assert_true(i < 2000);
}

/* Once the ring has been idle for half a second, the thread logs the burst
 * just served (small ones at debug level): its requests, bytes, and where
 * its time went; the next burst counts from there. */
static void test_burst_account(void **state)
{
	struct env *e = setup_env(false, 1);

	(void)state;
	kb_log_set_level(KB_DEBUG);
	assert_int_equal(kb_fake_log_begin(), 0);
	assert_int_equal(blk_queue_start(&e->q), 0);
	for (unsigned i = 0; i < 3; i++)
		add_seg(post(e, BLKIF_OP_READ, i, 8 * i), e->data_ref[DATA_PAGE + i], 0, 7);
	publish(e);
	kb_fake_send(e->f, e->fe_port);
	wait_responses(e, 3);
	poll(NULL, 0, 800);
	assert_int_equal(kb_fake_log_end("d7 vbd 51712: queue 0: burst of 3 requests in "), 1);

	assert_int_equal(kb_fake_log_begin(), 0);
	add_seg(post(e, BLKIF_OP_WRITE, 9, 64), e->data_ref[DATA_PAGE], 0, 7);
	publish(e);
	kb_fake_send(e->f, e->fe_port);
	wait_responses(e, 4);
	poll(NULL, 0, 800);
	assert_int_equal(kb_fake_log_end("burst of 1 requests in 1 batches, 0 KiB read, 4 KiB written"), 1);
	kb_log_set_level(KB_INFO);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(response(e, i, BLKIF_OP_READ), BLKIF_RSP_OKAY);
	assert_int_equal(response(e, 9, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
	teardown_env(e);
}

/* Page-aligned transfers go direct (where the filesystem allows it), the
 * rest through the page cache: each sees what the other wrote. */
static void test_direct_and_cached_io(void **state)
{
	struct blk_disk disk;
	char path[] = "/var/tmp/keel-blkback-dio-XXXXXX";
	uint8_t *page = NULL, small[512], back[1024];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 << 10), 0);
	close(fd);
	assert_int_equal(posix_memalign((void **)&page, 4096, 8192), 0);
	assert_int_equal(blk_disk_open(&disk, path, false, DOMID, 51712), 0);
	if (disk.dfd < 0)
		print_message("note: %s has no direct I/O; only the cached path is tested\n", path);
	for (unsigned i = 0; i < 8192; i++)
		page[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(blk_disk_write(&disk, page, 8192, 16384), 0); /* aligned */
	assert_int_equal(blk_disk_read(&disk, back, sizeof(back), 16384 + 512), 0); /* not */
	assert_memory_equal(back, page + 512, sizeof(back));
	memset(small, 0xa5, sizeof(small));
	assert_int_equal(blk_disk_write(&disk, small, sizeof(small), 16384 + 4096), 0); /* not */
	memset(page, 0, 8192);
	assert_int_equal(blk_disk_read(&disk, page, 8192, 16384), 0); /* aligned */
	assert_int_equal(page[4095], (uint8_t)(4095 * 7 + 1));
	assert_memory_equal(page + 4096, small, sizeof(small));
	assert_int_equal(page[4096 + 512], (uint8_t)((4096 + 512) * 7 + 1));
	/* past the end of the file: zeros, as the sparse tail it is */
	memset(page, 0xff, 4096);
	assert_int_equal(blk_disk_read(&disk, page, 4096, 64 << 10), 0);
	assert_int_equal(page[0] | page[4095], 0);
	blk_disk_close(&disk);
	unlink(path);
	free(page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_direct_and_cached_io),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_indirect),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_merged_reads),
		cmocka_unit_test(test_flush_and_discard),
		cmocka_unit_test(test_hostile_ring_index),
		cmocka_unit_test(test_stopping_queue_takes_nothing),
		cmocka_unit_test(test_problem_log_limit),
		cmocka_unit_test(test_multi_page_ring),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_burst_account),
	};

	kb_log_init("test_blkback");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
