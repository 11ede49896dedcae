// SPDX-License-Identifier: GPL-2.0-only
/* The shared ring page as a byte transport. The page is writable by the
 * guest at any moment: every index is read once, then checked. */
#include <errno.h>
#include <string.h>

#include "xsd.h"

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

ssize_t ring_read_req(struct xenstore_domain_interface *r, void *buf,
		      size_t len)
{
	XENSTORE_RING_IDX cons = __atomic_load_n(&r->req_cons, __ATOMIC_RELAXED);
	XENSTORE_RING_IDX prod = __atomic_load_n(&r->req_prod, __ATOMIC_ACQUIRE);
	size_t done = 0;

	if (prod - cons > XENSTORE_RING_SIZE)
		return -1;
	while (done < len && cons != prod) {
		size_t off = MASK_XENSTORE_IDX(cons);
		size_t n = min3(len - done, prod - cons,
				XENSTORE_RING_SIZE - off);

		memcpy((char *)buf + done, r->req + off, n);
		done += n;
		cons += (XENSTORE_RING_IDX)n;
	}
	__atomic_store_n(&r->req_cons, cons, __ATOMIC_RELEASE);
	return (ssize_t)done;
}

ssize_t ring_write_rsp(struct xenstore_domain_interface *r, const void *buf,
		       size_t len)
{
	XENSTORE_RING_IDX cons = __atomic_load_n(&r->rsp_cons, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_RELAXED);
	size_t done = 0;

	if (prod - cons > XENSTORE_RING_SIZE)
		return -1;
	while (done < len && prod - cons < XENSTORE_RING_SIZE) {
		size_t off = MASK_XENSTORE_IDX(prod);
		size_t n = min3(len - done,
				XENSTORE_RING_SIZE - (prod - cons),
				XENSTORE_RING_SIZE - off);

		memcpy(r->rsp + off, (const char *)buf + done, n);
		done += n;
		prod += (XENSTORE_RING_IDX)n;
	}
	__atomic_store_n(&r->rsp_prod, prod, __ATOMIC_RELEASE);
	return (ssize_t)done;
}

static void ring_fatal(struct conn *c, uint32_t why)
{
	static const char *const names[] = { "none", "communication",
					     "ring index", "protocol" };

	xsd_log("%s: %s error: ignoring this domain's ring until it is released or reconnects",
		c->name, names[why & 3]);
	if (c->dom && c->dom->iface) {
		__atomic_store_n(&c->dom->iface->error, why, __ATOMIC_RELEASE);
		c->d->rb->notify(c->d->rb_ctx, c->dom->local_port);
	}
	c->broken = true;
}

static ssize_t ring_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t n;

	if (!c->dom || !c->dom->iface)
		return 0;
	n = ring_read_req(c->dom->iface, buf, len);
	if (n < 0) {
		ring_fatal(c, XENSTORE_ERROR_RINGIDX);
		return -1;
	}
	if (n > 0)
		c->dom->io = true;
	return n;
}

static ssize_t ring_send(struct conn *c, const void *buf, size_t len)
{
	ssize_t n;

	if (!c->dom || !c->dom->iface)
		return 0;
	n = ring_write_rsp(c->dom->iface, buf, len);
	if (n < 0) {
		ring_fatal(c, XENSTORE_ERROR_RINGIDX);
		return -1;
	}
	if (n > 0)
		c->dom->io = true;
	return n;
}

static void ring_kick(struct conn *c)
{
	if (c->dom && c->dom->io) {
		c->dom->io = false;
		c->d->rb->notify(c->d->rb_ctx, c->dom->local_port);
	}
}

static void ring_destroy(struct conn *c)
{
	if (c->dom)
		c->dom->conn = NULL;
	c->dom = NULL;
}

const struct transport_ops ring_transport = {
	.recv = ring_recv,
	.send = ring_send,
	.kick = ring_kick,
	.destroy = ring_destroy,
	.fatal = ring_fatal,
};
