// SPDX-License-Identifier: GPL-2.0-only
/* One blkif ring and its event channel: take a batch of requests off the
 * ring, copy the data of all its writes in with one grant-copy call, do the
 * disk I/O in ring order, copy the data of all its reads out with one more
 * call, then answer every request and notify once.
 *
 * Concurrency: a thread per queue, with blocking pread/pwrite/fdatasync.
 * We chose threads over io_uring because the grant copies are synchronous
 * ioctls anyway, so each ring needs a thread of its own to keep a slow copy
 * or a slow disk from holding up any other ring; with a thread per ring a
 * stalled disk stalls only the queues that use it, and no new dependency
 * (liburing) enters dom0. blkfront spreads a busy guest over up to 4 queues,
 * which gives each disk that much parallelism. What io_uring would add is
 * overlapping the disk I/O of the requests of one batch; measured with
 * bench/pvio.py (the account blk_disconnect logs), a guest's dd and queue-
 * depth-1 workloads arrive about one request per batch (1281 requests in
 * 1246 batches), and consecutive requests of a batch already go to the disk
 * as one transfer (do_io), so there is nothing there to overlap. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "blkback.h"

/* Log lines about bad requests, per queue: the first 32, then one every
 * 10 s (a hostile guest floods no log, and a disk error hours after a
 * burst of bad requests is still logged). */
#define PROBLEMS_BURST 32
#define PROBLEMS_INTERVAL_MS 10000
#define PAGE_BYTES 4096u

static void problem(struct blk_queue *q, const struct blk_req *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct blk_queue *q, const struct blk_req *r, const char *fmt, ...)
{
	char msg[256];
	uint64_t held;
	va_list ap;

	q->nr_errors++;
	if (!kb_ratelimit_allow(q->problem_log, kb_now_ms(), &held))
		return;
	if (held)
		kb_log_dev(KB_WARN, q->domid, "vbd", q->devid,
			   "queue %u: %llu more bad requests were not logged", q->idx,
			   (unsigned long long)held);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kb_log_dev(KB_WARN, q->domid, "vbd", q->devid, "queue %u: request %llu (op %u): %s: %s",
		   q->idx, (unsigned long long)r->id, r->operation, msg,
		   r->status == BLKIF_RSP_EOPNOTSUPP ? "not supported" : "error response");
}

void blk_problem_log_init(struct kb_ratelimit *rl)
{
	kb_ratelimit_init(rl, PROBLEMS_BURST, PROBLEMS_INTERVAL_MS, kb_now_ms());
}

int blk_queue_init(struct blk_queue *q, const struct blk_queue_cfg *c)
{
	size_t max_segs = BLK_BATCH_REQS * (size_t)c->max_indirect_segs;
	void *buf;
	int ret;

	memset(q, 0, sizeof(*q));
	q->stop_fd = -1;
	q->domid = c->domid;
	q->devid = c->devid;
	q->idx = c->idx;
	q->disk = c->disk;
	q->problem_log = c->problem_log;
	if (!q->problem_log) {
		blk_problem_log_init(&q->own_problem_log);
		q->problem_log = &q->own_problem_log;
	}
	q->lim = (struct blk_limits){ c->disk->sectors, c->disk->readonly, c->max_indirect_segs };
	if (q->lim.max_indirect_segs < BLKIF_MAX_SEGMENTS_PER_REQUEST)
		q->lim.max_indirect_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	if (max_segs < BLK_BATCH_REQS * BLKIF_MAX_SEGMENTS_PER_REQUEST)
		max_segs = BLK_BATCH_REQS * BLKIF_MAX_SEGMENTS_PER_REQUEST;
	ret = kb_ring_attach(&q->ring, c->ring_mem, (size_t)c->ring_pages * PAGE_BYTES,
			     sizeof(union blkif_sring_entry));
	if (ret)
		return ret;
	q->segs = calloc(max_segs, sizeof(*q->segs));
	q->desc = calloc(BLK_BATCH_REQS * (size_t)q->lim.max_indirect_segs, sizeof(*q->desc));
	/* page-aligned: requests of whole pages can use direct I/O */
	if (posix_memalign(&buf, PAGE_BYTES, BLK_BATCH_BYTES))
		buf = NULL;
	q->buf = buf;
	q->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!q->segs || !q->desc || !q->buf || q->stop_fd < 0 ||
	    kb_copy_batch_init(&q->copies, max_segs + BLK_BATCH_REQS * 8)) {
		ret = -ENOMEM;
		goto err_free;
	}
	q->x = c->x;
	q->ring_mem = c->ring_mem;
	q->ring_pages = c->ring_pages;
	q->port = c->port;
	q->fatal = c->fatal;
	q->fatal_arg = c->fatal_arg;
	return 0;

err_free:
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	kb_copy_batch_free(&q->copies);
	free(q->buf);
	free(q->desc);
	free(q->segs);
	return ret;
}

static void fatal(struct blk_queue *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fatal(struct blk_queue *q, const char *fmt, ...)
{
	char reason[200], full[240];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "queue %u: %s", q->idx, reason);
	q->dead = true;
	if (__atomic_load_n(&q->stopping, __ATOMIC_ACQUIRE))
		kb_log_dev(KB_INFO, q->domid, "vbd", q->devid,
			   "%s, as the device goes away (its domain is probably gone)", full);
	else if (q->fatal)
		q->fatal(q->fatal_arg, full);
	else
		kb_log_dev(KB_ERR, q->domid, "vbd", q->devid, "%s: disconnecting", full);
}

/* Room for one more request of r's size in the batch? (Segments count at
 * a full page each in the buffer: an upper bound known before INDIRECT
 * descriptors are read.) */
static bool fits(const struct blk_queue *q, const struct blk_req *r, size_t max_segs)
{
	size_t bytes = r->op == BLKIF_OP_DISCARD ? 0 : (size_t)r->nr_segs * PAGE_BYTES;

	return q->nr_reqs < BLK_BATCH_REQS && q->buf_used + bytes <= BLK_BATCH_BYTES &&
	       q->nr_segs + r->nr_segs <= max_segs;
}

/* Takes requests off the ring into the batch. Returns the number taken, or
 * -EPROTO (reported) if the ring's indices are broken. */
static int fill_batch(struct blk_queue *q)
{
	size_t max_segs = BLK_BATCH_REQS * (size_t)q->lim.max_indirect_segs;
	char why[200];

	q->nr_reqs = 0;
	q->nr_segs = 0;
	q->buf_used = 0;
	for (;;) {
		struct blkif_request rq;
		struct blk_req *r;
		RING_IDX prod;
		int avail;

		if (q->have_carry) {
			rq = q->carry;
			q->have_carry = false;
		} else {
			avail = kb_ring_unconsumed(&q->ring, &prod);
			if (avail < 0) {
				fatal(q, "ring index out of range: req_prod %u, req_cons %u, %u slots",
				      prod, q->ring.req_cons, q->ring.nr_slots);
				return -EPROTO;
			}
			if (!avail || q->nr_reqs == BLK_BATCH_REQS)
				return (int)q->nr_reqs;
			kb_ring_take_request(&q->ring, &rq);
		}
		r = &q->reqs[q->nr_reqs];
		r->segs = q->segs + q->nr_segs;
		if (!blk_req_parse(&rq, &q->lim, r, why, sizeof(why)))
			problem(q, r, "%s", why);
		if (r->status == BLKIF_RSP_OKAY && !fits(q, r, max_segs)) {
			if (!q->nr_reqs) { /* cannot happen with our limits */
				r->status = BLKIF_RSP_ERROR;
				problem(q, r, "request larger than the batch buffer");
			} else {
				q->carry = rq;
				q->have_carry = true;
				return (int)q->nr_reqs;
			}
		}
		if (r->status == BLKIF_RSP_OKAY) {
			q->nr_segs += r->nr_segs;
			r->data = q->buf + q->buf_used;
			if (r->op != BLKIF_OP_DISCARD)
				q->buf_used += (size_t)r->nr_segs * PAGE_BYTES;
		} else {
			r->nr_segs = 0;
		}
		q->nr_reqs++;
		q->nr_requests++;
	}
}

static void copy_failed(struct blk_queue *q, struct blk_req *r, const struct kb_copy_seg *s,
			bool from_guest, const char *what)
{
	uint32_t ref = from_guest ? s->source.foreign.ref : s->dest.foreign.ref;

	r->status = BLKIF_RSP_ERROR;
	problem(q, r, "%s grant ref %u: %s", what, ref, kb_gntst_str(s->status));
}

/* INDIRECT requests: copy their descriptor pages in (one call for the
 * batch), then check the descriptors like a direct request's. */
static void load_indirect(struct blk_queue *q)
{
	struct blkif_request_segment *desc = q->desc;
	unsigned first[BLK_BATCH_REQS];
	char why[200];

	kb_copy_batch_reset(&q->copies);
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		struct blk_req *r = &q->reqs[i];
		unsigned left = r->nr_segs;

		first[i] = q->copies.n;
		if (r->status || !r->nr_indirect)
			continue;
		for (unsigned p = 0; p < r->nr_indirect; p++) {
			unsigned n = left < BLKIF_SEGS_PER_INDIRECT_FRAME ? left :
									  BLKIF_SEGS_PER_INDIRECT_FRAME;

			kb_copy_from_guest(&q->copies, (uint16_t)q->domid, r->indirect_grefs[p], 0,
					   desc + (size_t)(r->nr_segs - left),
					   (uint16_t)(n * sizeof(*desc)));
			left -= n;
		}
		desc += r->nr_segs;
	}
	if (!q->copies.n)
		return;
	kb_copy_batch_run(&q->copies, q->x);
	desc = q->desc;
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		struct blk_req *r = &q->reqs[i];

		if (r->status || !r->nr_indirect)
			continue;
		for (unsigned p = 0; p < r->nr_indirect; p++) {
			const struct kb_copy_seg *s = &q->copies.segs[first[i] + p];

			if (s->status != GNTST_okay) {
				copy_failed(q, r, s, true, "indirect page");
				break;
			}
		}
		if (!r->status && !blk_req_parse_segments(r, desc, &q->lim, why, sizeof(why)))
			problem(q, r, "%s", why);
		desc += r->nr_segs;
	}
}

/* Queues one copy per segment of r between the guest and r->data (packed:
 * the request's sectors are contiguous on disk and in the buffer). */
static void queue_copies(struct blk_queue *q, struct blk_req *r, bool from_guest)
{
	size_t off = 0;

	for (unsigned i = 0; i < r->nr_segs; i++) {
		const struct blk_seg *s = &r->segs[i];

		if (from_guest)
			kb_copy_from_guest(&q->copies, (uint16_t)q->domid, s->gref, s->offset,
					   r->data + off, s->len);
		else
			kb_copy_to_guest(&q->copies, (uint16_t)q->domid, s->gref, s->offset,
					 r->data + off, s->len);
		off += s->len;
	}
}

/* Runs the queued copies; a request with any failed segment fails. */
static void finish_copies(struct blk_queue *q, bool from_guest, const unsigned *first)
{
	if (!q->copies.n)
		return;
	kb_copy_batch_run(&q->copies, q->x);
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		struct blk_req *r = &q->reqs[i];

		if (first[i] == UINT32_MAX)
			continue;
		for (unsigned k = 0; k < r->nr_segs; k++) {
			const struct kb_copy_seg *s = &q->copies.segs[first[i] + k];

			if (s->status != GNTST_okay) {
				copy_failed(q, r, s, from_guest, "data");
				break;
			}
		}
	}
}

static bool has_data_in(const struct blk_req *r)
{
	return !r->status && r->nr_segs && r->op != BLKIF_OP_READ;
}

static bool has_data_out(const struct blk_req *r)
{
	return !r->status && r->nr_segs && r->op == BLKIF_OP_READ;
}

static void copy_phase(struct blk_queue *q, bool from_guest)
{
	unsigned first[BLK_BATCH_REQS];

	kb_copy_batch_reset(&q->copies);
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		struct blk_req *r = &q->reqs[i];

		first[i] = UINT32_MAX;
		if (from_guest ? has_data_in(r) : has_data_out(r)) {
			first[i] = q->copies.n;
			queue_copies(q, r, from_guest);
		}
	}
	finish_copies(q, from_guest, first);
}

static void io_error(struct blk_queue *q, struct blk_req *r, const char *what, int err)
{
	r->status = BLKIF_RSP_ERROR;
	problem(q, r, "%s of sectors %llu+%llu on %s failed: %s", what,
		(unsigned long long)r->sector, (unsigned long long)r->nr_sectors, q->disk->path,
		strerror(-err));
}

/* How many requests from i on can go to the disk as one transfer: reads (or
 * writes) of consecutive sectors whose data lies back to back in the batch
 * buffer, as a guest's sequential I/O split into 128 KiB requests does.
 * One large transfer costs dom0 one trip to the disk instead of several. */
static unsigned run_length(const struct blk_queue *q, unsigned i)
{
	const struct blk_req *r = &q->reqs[i];
	unsigned n = 1;

	if (r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE)
		return 1;
	for (unsigned j = i + 1; j < q->nr_reqs; j++, n++) {
		const struct blk_req *prev = &q->reqs[j - 1], *next = &q->reqs[j];

		if (next->status || next->op != r->op ||
		    next->sector != prev->sector + prev->nr_sectors ||
		    next->data != prev->data + (size_t)prev->nr_sectors * BLKIF_SECTOR_SIZE)
			break;
	}
	return n;
}

/* The disk I/O, in ring order. */
static void do_io(struct blk_queue *q)
{
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		struct blk_req *r = &q->reqs[i];
		uint64_t off = r->sector * BLKIF_SECTOR_SIZE;
		size_t len = (size_t)r->nr_sectors * BLKIF_SECTOR_SIZE;
		unsigned run;
		int err;

		if (r->status)
			continue;
		switch (r->op) {
		case BLKIF_OP_READ:
		case BLKIF_OP_WRITE:
			run = run_length(q, i);
			for (unsigned k = 1; k < run; k++)
				len += (size_t)q->reqs[i + k].nr_sectors * BLKIF_SECTOR_SIZE;
			err = r->op == BLKIF_OP_READ ? blk_disk_read(q->disk, r->data, len, off) :
							 blk_disk_write(q->disk, r->data, len, off);
			if (!err)
				*(r->op == BLKIF_OP_READ ? &q->bytes_read : &q->bytes_written) += len;
			for (unsigned k = 0; err && k < run; k++)
				io_error(q, &q->reqs[i + k], r->op == BLKIF_OP_READ ? "read" : "write",
					 err);
			i += run - 1;
			break;
		case BLKIF_OP_WRITE_BARRIER:
		case BLKIF_OP_FLUSH_DISKCACHE:
			/* Everything answered before is in the page cache; the
			 * data of this request too, then all of it to disk
			 * before the response. */
			if (r->nr_segs && (err = blk_disk_write(q->disk, r->data, len, off))) {
				io_error(q, r, "write", err);
				break;
			}
			if (r->nr_segs)
				q->bytes_written += len;
			if ((err = blk_disk_flush(q->disk)))
				io_error(q, r, "flush", err);
			break;
		case BLKIF_OP_DISCARD:
			if (!len)
				break;
			err = blk_disk_discard(q->disk, off, len);
			if (err == -EOPNOTSUPP) {
				r->status = BLKIF_RSP_EOPNOTSUPP;
				problem(q, r, "discard not supported by %s", q->disk->path);
			} else if (err) {
				io_error(q, r, "discard", err);
			}
			break;
		}
	}
}

static void respond(struct blk_queue *q)
{
	for (unsigned i = 0; i < q->nr_reqs; i++) {
		const struct blk_req *r = &q->reqs[i];
		struct blkif_response *rsp = kb_ring_next_response(&q->ring);

		rsp->id = r->id;
		rsp->operation = r->operation;
		rsp->status = r->status;
		kb_ring_response_done(&q->ring);
	}
	if (kb_ring_push_responses(&q->ring))
		q->x->ops->notify(q->x, q->port);
}

/* A burst of I/O ends when the ring has been idle this long. */
#define BLK_IDLE_ACCOUNT_MS 500
#define BLK_BURST_LOG_REQS 1000
#define BLK_BURST_LOG_BYTES (16u << 20)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int blk_queue_process(struct blk_queue *q)
{
	if (q->dead)
		return -EPROTO;
	for (;;) {
		uint64_t t0, t1, t2;
		int n;

		/* Between batches: a destroyed domain's ring reads as zeros,
		 * and what is left on it has nobody to answer to. */
		if (__atomic_load_n(&q->stopping, __ATOMIC_ACQUIRE))
			return 0;
		n = fill_batch(q);

		if (n < 0)
			return n;
		if (n) {
			t0 = now_ns();
			if (!q->burst_start_ns)
				q->burst_start_ns = t0;
			load_indirect(q);
			copy_phase(q, true);
			t1 = now_ns();
			do_io(q);
			t2 = now_ns();
			copy_phase(q, false);
			q->copy_ns += (t1 - t0) + (now_ns() - t2);
			q->io_ns += t2 - t1;
			q->nr_batches++;
			respond(q);
			q->burst_end_ns = now_ns();
			continue;
		}
		if (!kb_ring_final_check(&q->ring))
			return 0;
	}
}

static struct blk_account account_now(const struct blk_queue *q)
{
	return (struct blk_account){ q->nr_requests, q->nr_batches, q->copy_ns,
				     q->io_ns,	     q->bytes_read, q->bytes_written };
}

/* Where a burst's time went: what keel-blkback spent in grant copies and in
 * disk I/O, against the burst's wall time from its first batch to its last
 * response (the rest is ring handling and waiting for the guest). */
static void log_burst(struct blk_queue *q)
{
	struct blk_account a = account_now(q), b = q->burst_base;
	uint64_t wall = q->burst_end_ns - q->burst_start_ns;

	/* A big burst is worth a line of the log; small ones (a journal
	 * commit every few seconds) only at debug level. */
	bool big = a.reqs - b.reqs >= BLK_BURST_LOG_REQS ||
		   a.rd - b.rd + a.wr - b.wr >= BLK_BURST_LOG_BYTES;

	kb_log_dev(big ? KB_INFO : KB_DEBUG, q->domid, "vbd", q->devid,
		   "queue %u: burst of %llu requests in %llu batches, %llu KiB read, %llu KiB "
		   "written in %llu ms: grant copies %llu ms, disk I/O %llu ms",
		   q->idx, (unsigned long long)(a.reqs - b.reqs),
		   (unsigned long long)(a.batches - b.batches),
		   (unsigned long long)((a.rd - b.rd) >> 10), (unsigned long long)((a.wr - b.wr) >> 10),
		   (unsigned long long)(wall / 1000000),
		   (unsigned long long)((a.copy_ns - b.copy_ns) / 1000000),
		   (unsigned long long)((a.io_ns - b.io_ns) / 1000000));
	q->burst_base = a;
	q->burst_start_ns = 0;
}

static void *queue_thread(void *arg)
{
	struct blk_queue *q = arg;
	int efd = q->x->ops->fd(q->x);

	/* Requests may have been posted before we bound the channel. */
	blk_queue_process(q);
	for (;;) {
		struct pollfd pf[2] = { { q->stop_fd, POLLIN, 0 }, { efd, POLLIN, 0 } };
		uint32_t ports[8];
		int n;

		int ready = poll(pf, q->dead ? 1 : 2, q->burst_start_ns ? BLK_IDLE_ACCOUNT_MS : -1);

		if (ready < 0 && errno != EINTR)
			break;
		if (ready == 0) {
			log_burst(q);
			continue;
		}
		if (pf[0].revents & POLLIN)
			break;
		if (!(pf[1].revents & POLLIN))
			continue;
		n = q->x->ops->pending(q->x, ports, 8);
		for (int i = 0; i < n; i++)
			q->x->ops->unmask(q->x, ports[i]);
		blk_queue_process(q);
	}
	return NULL;
}

int blk_queue_start(struct blk_queue *q)
{
	int ret = pthread_create(&q->thread, NULL, queue_thread, q);

	if (ret)
		return -ret;
	q->running = true;
	return 0;
}

void blk_queue_request_stop(struct blk_queue *q)
{
	uint64_t one = 1;

	__atomic_store_n(&q->stopping, true, __ATOMIC_RELEASE);
	if (q->stop_fd >= 0 && write(q->stop_fd, &one, sizeof(one)) < 0)
		kb_log_dev(KB_ERR, q->domid, "vbd", q->devid, "cannot stop queue %u: %s", q->idx,
			   strerror(errno));
}

void blk_queue_destroy(struct blk_queue *q)
{
	if (q->running) {
		blk_queue_request_stop(q);
		pthread_join(q->thread, NULL);
		q->running = false;
	}
	if (q->x) {
		q->x->ops->unbind(q->x, q->port);
		q->x->ops->unmap(q->x, q->ring_mem, q->ring_pages);
		kb_xenif_close(q->x);
		q->x = NULL;
	}
	if (q->stop_fd >= 0)
		close(q->stop_fd);
	q->stop_fd = -1;
	kb_copy_batch_free(&q->copies);
	free(q->buf);
	free(q->desc);
	free(q->segs);
	q->buf = NULL;
	q->desc = NULL;
	q->segs = NULL;
}
