// SPDX-License-Identifier: GPL-2.0-only
/* The ring backend of a daemon that serves only its unix socket: every
 * domain operation fails with a reason in the log. */
#include <errno.h>

#include "xsd.h"

static int null_map_ring(void *ctx, uint32_t domid, uint64_t gfn, void **page)
{
	(void)ctx, (void)domid, (void)gfn, (void)page;
	return -ENODEV;
}

static void null_unmap_ring(void *ctx, uint32_t domid, void *page)
{
	(void)ctx, (void)domid, (void)page;
}

static int null_bind(void *ctx, uint32_t domid, uint32_t remote_port,
		     uint32_t *local_port)
{
	(void)ctx, (void)domid, (void)remote_port, (void)local_port;
	return -ENODEV;
}

static void null_unbind(void *ctx, uint32_t local_port)
{
	(void)ctx, (void)local_port;
}

static int null_notify(void *ctx, uint32_t local_port)
{
	(void)ctx, (void)local_port;
	return -ENODEV;
}

static int null_event_fd(void *ctx)
{
	(void)ctx;
	return -ENODEV;
}

static int null_next_event(void *ctx, uint32_t *port)
{
	(void)ctx, (void)port;
	return -EAGAIN;
}

const struct ring_backend_ops null_ring_backend = {
	.map_ring = null_map_ring,
	.unmap_ring = null_unmap_ring,
	.bind = null_bind,
	.unbind = null_unbind,
	.notify = null_notify,
	.event_fd = null_event_fd,
	.next_event = null_next_event,
};
