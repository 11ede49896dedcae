/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-blkback's internals: the backing store (disk.c), request parsing
 * and validation (request.c), the per-queue data path (queue.c) and the
 * xenbus side (xenbus.c). The data path knows nothing of the store, so
 * unit tests drive it with a fake guest (common/fake). */
#ifndef BLKBACK_H
#define BLKBACK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "keelback.h"
#include "public/io/blkif.h"

#define BLK_MAX_INDIRECT_SEGS 256 /* advertised feature-max-indirect-segments */
#define BLK_MAX_QUEUES 4 /* advertised multi-queue-max-queues */
#define BLK_MAX_RING_ORDER 4 /* advertised max-ring-page-order (16 pages) */
#define BLK_BATCH_REQS 32 /* requests handled per batch */
#define BLK_BATCH_BYTES (2u << 20) /* data buffer per queue */

/* ---- disk.c: the backing store ---- */

struct blk_disk {
	int fd; /* through the page cache */
	int dfd; /* the same store opened O_DIRECT, or -1 (e.g. tmpfs) */
	bool direct; /* dfd is used (cleared if the store refuses a transfer) */
	char *path;
	uint64_t sectors; /* 512-byte units */
	bool readonly;
	bool is_bdev; /* a block device (phy:) rather than a file */
	unsigned physical_sector_size;
};

/* Opens path (read-only if readonly) and sizes it. 0, or a negative errno
 * with the reason logged against (domid, devid). */
int blk_disk_open(struct blk_disk *disk, const char *path, bool readonly, uint32_t domid,
		  uint32_t devid);
void blk_disk_close(struct blk_disk *disk);
/* Whole-length I/O at a byte offset; 0 or a negative errno. Direct I/O
 * (bypassing dom0's page cache) when the store allows it and buf, len and off
 * are page-aligned, else through the page cache. */
int blk_disk_read(struct blk_disk *disk, void *buf, size_t len, uint64_t off);
int blk_disk_write(struct blk_disk *disk, const void *buf, size_t len, uint64_t off);
int blk_disk_flush(struct blk_disk *disk);
/* Frees the range (punch a hole in a file, BLKDISCARD on a device). */
int blk_disk_discard(struct blk_disk *disk, uint64_t off, uint64_t len);

/* ---- request.c: one request, copied off the ring and checked ---- */

struct blk_seg {
	uint32_t gref;
	uint16_t offset; /* in the granted page: first_sect * 512 */
	uint16_t len; /* (last_sect - first_sect + 1) * 512 */
};

struct blk_req {
	uint64_t id;
	uint8_t operation; /* echoed in the response: as on the ring, but for
			    * INDIRECT the operation inside (READ/WRITE) */
	uint8_t op; /* what to do: READ, WRITE, FLUSH_DISKCACHE, WRITE_BARRIER, DISCARD */
	int16_t status; /* BLKIF_RSP_*; OKAY until something fails */
	uint64_t sector;
	uint64_t nr_sectors;
	unsigned nr_segs;
	struct blk_seg *segs; /* nr_segs, in the queue's segment array */
	unsigned nr_indirect; /* INDIRECT: pages of descriptors */
	uint32_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint8_t *data; /* nr_sectors * 512 bytes in the queue's buffer */
};

struct blk_limits {
	uint64_t sectors; /* disk size */
	bool readonly;
	unsigned max_indirect_segs;
};

/* Decodes the ring copy rq into r (segments into r->segs, which must hold
 * max(11, max_indirect_segs)). INDIRECT requests stop after their header:
 * their descriptors come later through blk_req_parse_segments. Returns
 * true if the request can go on; false with r->status set and *why naming
 * the problem. */
bool blk_req_parse(const struct blkif_request *rq, const struct blk_limits *lim,
		   struct blk_req *r, char *why, size_t why_len);
/* Checks r->nr_segs descriptors (a private copy) and the request's extent. */
bool blk_req_parse_segments(struct blk_req *r, const struct blkif_request_segment *desc,
			    const struct blk_limits *lim, char *why, size_t why_len);
/* True if the request writes to the disk. */
bool blk_req_writes(const struct blk_req *r);

/* ---- queue.c: one ring and its event channel ---- */

struct blk_queue {
	uint32_t domid, devid;
	unsigned idx;
	struct blk_disk *disk;
	struct blk_limits lim;
	struct kb_xenif *x;
	struct kb_ring ring;
	void *ring_mem;
	unsigned ring_pages;
	uint32_t port; /* local, bound */
	void (*fatal)(void *arg, const char *reason);
	void *fatal_arg;
	bool dead; /* fatal reported: the ring is not touched again */
	bool stopping; /* (atomic) the device is going away: take no more */

	/* The batch being processed. */
	struct blk_req reqs[BLK_BATCH_REQS];
	unsigned nr_reqs;
	struct blk_seg *segs;
	unsigned nr_segs;
	struct blkif_request_segment *desc; /* indirect descriptors, copied */
	uint8_t *buf;
	size_t buf_used;
	struct kb_copy_batch copies;
	struct blkif_request carry; /* taken but left for the next batch */
	bool have_carry;

	/* Lines about bad requests: the device's limit for this queue, which
	 * outlives a connection (a frontend that reconnects gets no fresh
	 * burst), or the queue's own. */
	struct kb_ratelimit *problem_log, own_problem_log;
	uint64_t nr_requests, nr_errors;
	/* Where the time goes (logged at disconnect): batches taken, and the
	 * nanoseconds spent in grant copies and in disk I/O. */
	uint64_t nr_batches, copy_ns, io_ns;
	uint64_t bytes_read, bytes_written;
	/* A burst of I/O, logged (debug level) once the ring has been idle for
	 * BLK_IDLE_ACCOUNT_MS: the totals above as they were when it began,
	 * and when its first and last batch started and ended. */
	struct blk_account { uint64_t reqs, batches, copy_ns, io_ns, rd, wr; } burst_base;
	uint64_t burst_start_ns, burst_end_ns;

	pthread_t thread;
	int stop_fd;
	bool running;
};

struct blk_queue_cfg {
	uint32_t domid, devid;
	unsigned idx;
	struct blk_disk *disk;
	unsigned max_indirect_segs;
	struct kb_xenif *x; /* owned by the queue from now on */
	void *ring_mem; /* mapped through x */
	unsigned ring_pages;
	uint32_t port;
	void (*fatal)(void *arg, const char *reason);
	void *fatal_arg;
	/* the device's limit on this queue's bad-request lines, set up by
	 * blk_problem_log_init and kept across connections (NULL: a fresh one) */
	struct kb_ratelimit *problem_log;
};

void blk_problem_log_init(struct kb_ratelimit *rl);

/* Sets q up over a mapped ring and a bound port. 0 or a negative errno
 * (then nothing is taken: the caller still owns x, the mapping, the port). */
int blk_queue_init(struct blk_queue *q, const struct blk_queue_cfg *cfg);
/* Handles everything on the ring until it is empty (final check done).
 * Returns 0, or -EPROTO after reporting a fatal frontend error. */
int blk_queue_process(struct blk_queue *q);
/* Runs blk_queue_process on each event, on a thread of its own. */
int blk_queue_start(struct blk_queue *q);
/* Any thread: the queue takes no more requests and its thread ends. The
 * ring may already be unreadable (the frontend's domain destroyed, its
 * pages revoked), which is then no fault of the frontend. */
void blk_queue_request_stop(struct blk_queue *q);
/* Stops the thread (if started), unbinds, unmaps, closes x, frees. */
void blk_queue_destroy(struct blk_queue *q);

/* ---- xenbus.c ---- */

extern const struct kb_backend_ops blk_backend_ops;
/* How queues get their kb_xenif (tests substitute a fake). */
extern int (*blk_xenif_open)(struct kb_xenif **out);

#endif /* BLKBACK_H */
