// SPDX-License-Identifier: GPL-2.0-only
/* The real world behind struct nb_env: grant copies and notifications
 * through libkeelback's kb_xenif (gntdev, evtchn), frames through a tap fd.
 * The unit tests run this same code against the fake kb_xenif and a
 * SOCK_SEQPACKET socket standing in for the tap. */
#include <errno.h>
#include <unistd.h>

#include "nb_xen.h"

static int xen_copy(void *ctx, struct nb_copy *c, unsigned n)
{
	struct nb_xen_ctx *x = ctx;
	int ret;

	if (n > NB_RING_SLOTS)
		return -E2BIG;
	for (unsigned i = 0; i < n; i++) {
		struct kb_copy_seg *s = &x->segs[i];

		s->len = c[i].len;
		s->status = GNTST_general_error;
		if (c[i].to_guest) {
			s->flags = GNTCOPY_dest_gref;
			s->source.virt = c[i].local;
			s->dest.foreign.ref = c[i].gref;
			s->dest.foreign.offset = c[i].offset;
			s->dest.foreign.domid = (uint16_t)x->domid;
		} else {
			s->flags = GNTCOPY_source_gref;
			s->dest.virt = c[i].local;
			s->source.foreign.ref = c[i].gref;
			s->source.foreign.offset = c[i].offset;
			s->source.foreign.domid = (uint16_t)x->domid;
		}
	}
	ret = x->xif->ops->copy(x->xif, x->segs, n);
	if (ret < 0)
		return ret;
	for (unsigned i = 0; i < n; i++)
		c[i].status = x->segs[i].status;
	return 0;
}

static void xen_notify(void *ctx, enum nb_dir which)
{
	struct nb_xen_ctx *x = ctx;

	x->xif->ops->notify(x->xif, which == NB_TX ? x->tx_port : x->rx_port);
}

static ssize_t fd_read(void *ctx, void *buf, size_t len)
{
	struct nb_xen_ctx *x = ctx;
	ssize_t n;

	do
		n = read(x->tap_fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

static int fd_write(void *ctx, const struct iovec *iov, int iovcnt)
{
	struct nb_xen_ctx *x = ctx;
	ssize_t n;

	do
		n = writev(x->tap_fd, iov, iovcnt);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

void nb_xen_env(struct nb_env *env, struct nb_xen_ctx *x)
{
	env->copy = xen_copy;
	env->notify = xen_notify;
	env->tap_read = fd_read;
	env->tap_write = fd_write;
	env->ctx = x;
}
