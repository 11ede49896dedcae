/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback: the backend's view of Xen, behind one small ops table so the
 * data paths run unchanged against a fake in host unit tests:
 *   - grants: map a frontend's ring pages (gntdev MAP_GRANT_REF + mmap),
 *     unmap them, and copy data between granted pages and our own buffers
 *     (IOCTL_GNTDEV_GRANT_COPY, the only way data moves: ARCHITECTURE.md
 *     decision 4);
 *   - event channels: bind to a frontend's port, notify it, read which of
 *     our ports fired and unmask them again (/dev/xen/evtchn).
 * One kb_xenif per thread that uses it (each has its own evtchn fd, so a
 * thread polls only its own ports). */
#ifndef KB_XENIF_H
#define KB_XENIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "public/grant_table.h"

/* One grant copy; the same layout as Linux's struct
 * gntdev_grant_copy_segment (uapi/xen/gntdev.h), so the real backend hands
 * an array of these to the kernel as is. The local side is a pointer into
 * our memory (may cross pages); the granted side must stay in its page. */
struct kb_copy_seg {
	union {
		void *virt;
		struct {
			uint32_t ref;
			uint16_t offset;
			uint16_t domid;
		} foreign;
	} source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_source_gref / GNTCOPY_dest_gref */
	int16_t status; /* OUT: GNTST_* */
};
_Static_assert(sizeof(struct kb_copy_seg) == 24, "layout of gntdev_grant_copy_segment");

struct kb_xenif;

struct kb_xenif_ops {
	/* Maps n granted pages of domid (refs[i]) contiguously; NULL + errno on
	 * failure. writable: read-write mapping (rings always need it). */
	void *(*map)(struct kb_xenif *x, uint32_t domid, const uint32_t *refs, unsigned n,
		     bool writable);
	/* Unmaps what map() returned (n pages). */
	void (*unmap)(struct kb_xenif *x, void *addr, unsigned n);
	/* Runs n copies; each segment's status is set. Returns 0 when the call
	 * itself worked (per-segment statuses may still be errors), else a
	 * negative errno with the statuses undefined. */
	int (*copy)(struct kb_xenif *x, struct kb_copy_seg *segs, unsigned n);
	/* Binds a local port to (domid, remote_port); *local receives it. */
	int (*bind)(struct kb_xenif *x, uint32_t domid, uint32_t remote_port, uint32_t *local);
	void (*unbind)(struct kb_xenif *x, uint32_t local);
	/* Sends an event on a bound local port. */
	int (*notify)(struct kb_xenif *x, uint32_t local);
	/* Reads up to max ports that fired (each stays masked until unmask());
	 * returns the count, 0 if none (never blocks), or a negative errno. */
	int (*pending)(struct kb_xenif *x, uint32_t *ports, unsigned max);
	/* Re-enables delivery on a port that fired. */
	int (*unmask)(struct kb_xenif *x, uint32_t local);
	/* An fd that polls readable when a port fired. */
	int (*fd)(struct kb_xenif *x);
	/* Closes everything (unbinds ports and unmaps what is left). */
	void (*close)(struct kb_xenif *x);
};

struct kb_xenif {
	const struct kb_xenif_ops *ops;
	void *priv;
};

/* Opens /dev/xen/evtchn and /dev/xen/gntdev for one user thread. Returns 0
 * or a negative errno (the log says which device and why). */
int kb_xenif_open(struct kb_xenif **out);

/* Releases x (calls ops->close). NULL is fine. */
void kb_xenif_close(struct kb_xenif *x);

/* A batch of grant copies built up while parsing requests and issued with
 * one call, so one hypercall path serves many segments. */
struct kb_copy_batch {
	struct kb_copy_seg *segs;
	unsigned n, cap;
};

/* Allocates room for cap segments. 0 or -ENOMEM. */
int kb_copy_batch_init(struct kb_copy_batch *b, unsigned cap);
void kb_copy_batch_free(struct kb_copy_batch *b);
static inline void kb_copy_batch_reset(struct kb_copy_batch *b)
{
	b->n = 0;
}

/* Queues a copy of len bytes from (domid, gref, offset) into dst. Returns
 * the segment's index, or -ENOSPC when the batch is full, or -EINVAL if
 * offset + len crosses the granted page (the kernel would refuse the whole
 * batch for it). */
int kb_copy_from_guest(struct kb_copy_batch *b, uint16_t domid, uint32_t gref, uint16_t offset,
		       void *dst, uint16_t len);
/* Queues a copy of len bytes from src into (domid, gref, offset). */
int kb_copy_to_guest(struct kb_copy_batch *b, uint16_t domid, uint32_t gref, uint16_t offset,
		     const void *src, uint16_t len);

/* Issues every queued copy in one ops->copy call. If the call itself
 * fails, every segment's status becomes GNTST_general_error. Returns the
 * number of segments whose status is not GNTST_okay. The batch keeps its
 * segments (read their status) until kb_copy_batch_reset(). */
unsigned kb_copy_batch_run(struct kb_copy_batch *b, struct kb_xenif *x);

/* A readable name for a GNTST_* status ("bad grant reference"). */
const char *kb_gntst_str(int16_t status);

#endif /* KB_XENIF_H */
