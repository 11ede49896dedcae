// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback's xenbus side (xen-pvh-abi.md §8.3-8.4): what a vbd's
 * backend directory says (params, mode, type), the features we advertise
 * before InitWait, and on the frontend's Initialised its rings (one per
 * queue, each of 2^ring-page-order pages) and event channels, which become
 * running queues; then sectors/info/sector-size and Connected. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blkback.h"

int (*blk_xenif_open)(struct kb_xenif **out) = kb_xenif_open;

struct blk_dev {
	struct blk_disk disk;
	bool disk_open;
	unsigned nr_queues;
	struct blk_queue *queues;
	/* each queue's limit on lines about bad requests, across connections */
	struct kb_ratelimit problem_log[BLK_MAX_QUEUES];
};

static void queue_fatal(void *arg, const char *reason)
{
	kb_device_fatal(arg, "%s", reason);
}

static int blk_probe(struct kb_device *d)
{
	struct blk_dev *bd = d->priv;
	char *params = NULL, *mode = NULL;
	bool readonly;
	int ret;

	if (!bd) {
		bd = calloc(1, sizeof(*bd));
		if (!bd)
			return -ENOMEM;
		for (unsigned i = 0; i < BLK_MAX_QUEUES; i++)
			blk_problem_log_init(&bd->problem_log[i]);
		d->priv = bd;
	}
	if (bd->disk_open) {
		blk_disk_close(&bd->disk);
		bd->disk_open = false;
	}
	ret = kb_dev_read(d, "params", &params);
	if (ret || !*params) {
		/* The toolstack has not written it yet (or the drive is empty). */
		free(params);
		return ret == -ENOENT || !ret ? -EAGAIN : ret;
	}
	if (kb_dev_read(d, "mode", &mode))
		mode = NULL;
	/* Anything but a mode with 'w' in it is read-only. */
	readonly = !mode || !strchr(mode, 'w');
	ret = blk_disk_open(&bd->disk, params, readonly, d->domid, d->devid);
	free(params);
	free(mode);
	if (ret)
		return ret;
	bd->disk_open = true;

	if ((ret = kb_dev_write(d, "feature-flush-cache", "1")) ||
	    (ret = kb_dev_write(d, "feature-barrier", "0")) ||
	    (ret = kb_dev_write(d, "feature-persistent", "0")) ||
	    (ret = kb_dev_write(d, "feature-max-indirect-segments", "%u",
				BLK_MAX_INDIRECT_SEGS)) ||
	    (ret = kb_dev_write(d, "multi-queue-max-queues", "%u", BLK_MAX_QUEUES)) ||
	    (ret = kb_dev_write(d, "max-ring-page-order", "%u", BLK_MAX_RING_ORDER)) ||
	    (ret = kb_dev_write(d, "feature-discard", "%d", !readonly)))
		return ret;
	if (!readonly && ((ret = kb_dev_write(d, "discard-granularity", "4096")) ||
			  (ret = kb_dev_write(d, "discard-alignment", "0")) ||
			  (ret = kb_dev_write(d, "discard-secure", "0"))))
		return ret;
	kb_dev_log(d, KB_INFO, "%s %s, %llu sectors%s", bd->disk.is_bdev ? "device" : "file",
		   bd->disk.path, (unsigned long long)bd->disk.sectors,
		   readonly ? ", read-only" : "");
	return 0;
}

/* Counters summed over a device's queues. */
struct blk_totals {
	uint64_t reqs, errs, batches, copy_ns, io_ns;
};

static void stop_queues_counted(struct blk_dev *bd, struct blk_totals *t)
{
	for (unsigned i = 0; i < bd->nr_queues; i++) {
		struct blk_queue *q = &bd->queues[i];

		blk_queue_destroy(q); /* joins the thread that updates these */
		if (t) {
			t->reqs += q->nr_requests;
			t->errs += q->nr_errors;
			t->batches += q->nr_batches;
			t->copy_ns += q->copy_ns;
			t->io_ns += q->io_ns;
		}
	}
	free(bd->queues);
	bd->queues = NULL;
	bd->nr_queues = 0;
}

static void stop_queues(struct blk_dev *bd)
{
	stop_queues_counted(bd, NULL);
}

/* Maps queue q's ring(s), binds its channel and starts it. The keys are in
 * the frontend's directory, or its queue-N/ subdirectory with several
 * queues. */
static int start_queue(struct kb_device *d, struct blk_dev *bd, unsigned q, unsigned order)
{
	unsigned pages = 1u << order;
	uint32_t refs[1u << BLK_MAX_RING_ORDER], port;
	char dir[24] = "", key[48];
	unsigned long v;
	struct kb_xenif *x;
	void *ring;
	int ret;

	if (bd->nr_queues > 1)
		snprintf(dir, sizeof(dir), "queue-%u/", q);
	for (unsigned i = 0; i < pages; i++) {
		if (order)
			snprintf(key, sizeof(key), "%sring-ref%u", dir, i);
		else
			snprintf(key, sizeof(key), "%sring-ref", dir);
		if ((ret = kb_dev_fe_read_uint(d, key, &v)) || v > UINT32_MAX) {
			kb_dev_fail(d, "frontend's %s is missing or not a number", key);
			return ret ? ret : -EINVAL;
		}
		refs[i] = (uint32_t)v;
	}
	snprintf(key, sizeof(key), "%sevent-channel", dir);
	if ((ret = kb_dev_fe_read_uint(d, key, &v)) || v > UINT32_MAX) {
		kb_dev_fail(d, "frontend's %s is missing or not a number", key);
		return ret ? ret : -EINVAL;
	}
	if ((ret = blk_xenif_open(&x)))
		return ret;
	ring = x->ops->map(x, d->domid, refs, pages, true);
	if (!ring) {
		ret = -errno;
		kb_dev_fail(d, "queue %u: cannot map the ring (grant ref %u, %u pages): %s", q,
			    refs[0], pages, strerror(errno));
		goto err_close;
	}
	if ((ret = x->ops->bind(x, d->domid, (uint32_t)v, &port))) {
		kb_dev_fail(d, "queue %u: cannot bind to event channel %lu: %s", q, v,
			    strerror(-ret));
		goto err_unmap;
	}
	ret = blk_queue_init(&bd->queues[q],
			     &(struct blk_queue_cfg){ .domid = d->domid,
						      .devid = d->devid,
						      .idx = q,
						      .disk = &bd->disk,
						      .max_indirect_segs = BLK_MAX_INDIRECT_SEGS,
						      .x = x,
						      .ring_mem = ring,
						      .ring_pages = pages,
						      .port = port,
						      .fatal = queue_fatal,
						      .fatal_arg = d,
						      .problem_log = &bd->problem_log[q] });
	if (ret)
		goto err_unbind;
	if ((ret = blk_queue_start(&bd->queues[q]))) {
		bd->queues[q].running = false;
		blk_queue_destroy(&bd->queues[q]); /* releases x, ring, port */
		return ret;
	}
	kb_dev_log(d, KB_DEBUG, "queue %u: ring ref %u (%u pages), port %lu -> %u", q, refs[0],
		   pages, v, port);
	return 0;

err_unbind:
	x->ops->unbind(x, port);
err_unmap:
	x->ops->unmap(x, ring, pages);
err_close:
	kb_xenif_close(x);
	return ret;
}

static int blk_connect(struct kb_device *d)
{
	struct blk_dev *bd = d->priv;
	unsigned long nq = 1, order = 0;
	char *proto = NULL;
	int ret;

	if (!kb_dev_fe_read(d, "protocol", &proto) && strcmp(proto, "x86_64-abi")) {
		kb_dev_fail(d, "frontend protocol '%s' is not supported (only x86_64-abi)", proto);
		free(proto);
		return -EPROTONOSUPPORT;
	}
	free(proto);
	ret = kb_dev_fe_read_uint(d, "multi-queue-num-queues", &nq);
	if (ret && ret != -ENOENT) {
		kb_dev_fail(d, "frontend's multi-queue-num-queues is not a number");
		return -EINVAL;
	}
	if (nq < 1 || nq > BLK_MAX_QUEUES) {
		kb_dev_fail(d, "frontend asks for %lu queues (1..%u)", nq, BLK_MAX_QUEUES);
		return -EINVAL;
	}
	ret = kb_dev_fe_read_uint(d, "ring-page-order", &order);
	if (ret && ret != -ENOENT) {
		kb_dev_fail(d, "frontend's ring-page-order is not a number");
		return -EINVAL;
	}
	if (order > BLK_MAX_RING_ORDER) {
		kb_dev_fail(d, "frontend asks for a ring of 2^%lu pages (at most 2^%u)", order,
			    BLK_MAX_RING_ORDER);
		return -EINVAL;
	}
	bd->queues = calloc(nq, sizeof(*bd->queues));
	if (!bd->queues)
		return -ENOMEM;
	bd->nr_queues = (unsigned)nq;
	for (unsigned q = 0; q < nq; q++) {
		if ((ret = start_queue(d, bd, q, (unsigned)order))) {
			bd->nr_queues = q; /* the ones that started */
			stop_queues(bd);
			return ret;
		}
	}
	if ((ret = kb_dev_write(d, "sectors", "%llu", (unsigned long long)bd->disk.sectors)) ||
	    (ret = kb_dev_write(d, "info", "%u", bd->disk.readonly ? VDISK_READONLY : 0)) ||
	    (ret = kb_dev_write(d, "sector-size", "%u", BLKIF_SECTOR_SIZE)) ||
	    (ret = kb_dev_write(d, "physical-sector-size", "%u",
				bd->disk.physical_sector_size))) {
		stop_queues(bd);
		return ret;
	}
	kb_dev_log(d, KB_INFO, "%lu queue%s, ring order %lu", nq, nq > 1 ? "s" : "", order);
	return 0;
}

static void blk_disconnect(struct kb_device *d)
{
	struct blk_totals t = { 0 };

	stop_queues_counted(d->priv, &t);
	kb_dev_log(d, KB_INFO,
		   "disconnected after %llu requests (%llu failed) in %llu batches; "
		   "time in grant copies %llu ms, in disk I/O %llu ms",
		   (unsigned long long)t.reqs, (unsigned long long)t.errs,
		   (unsigned long long)t.batches, (unsigned long long)(t.copy_ns / 1000000),
		   (unsigned long long)(t.io_ns / 1000000));
}

static void blk_remove(struct kb_device *d)
{
	struct blk_dev *bd = d->priv;

	if (!bd)
		return;
	stop_queues(bd);
	if (bd->disk_open)
		blk_disk_close(&bd->disk);
	free(bd);
	d->priv = NULL;
}

const struct kb_backend_ops blk_backend_ops = {
	.type = "vbd",
	.probe = blk_probe,
	.connect = blk_connect,
	.disconnect = blk_disconnect,
	.remove = blk_remove,
};
