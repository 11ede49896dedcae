// SPDX-License-Identifier: GPL-2.0-only
/* Connections: message framing on input, the output queue (held back until
 * the state it reflects is durable) and teardown. Transport-independent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* Messages handled per connection per turn, so one busy peer cannot starve
 * the others. */
#define INPUT_BUDGET 32

struct conn *conn_new(struct daemon *d, const struct transport_ops *t,
		      uint32_t domid, const char *name)
{
	struct conn *c = xzalloc(sizeof(*c));

	c->d = d;
	c->tops = t;
	c->fd = -1;
	c->domid = domid;
	c->target = DOMID_NONE;
	c->privileged = domid == 0;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->payload = xmalloc(XENSTORE_PAYLOAD_MAX + 1);
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	return c;
}

static void drop_output(struct conn *c)
{
	struct outmsg *m = c->out_head, *next;

	for (; m; m = next) {
		next = m->next;
		free(m);
	}
	c->out_head = c->out_tail = NULL;
	c->out_off = 0;
	c->out_replies = c->out_events = 0;
	c->out_bytes = 0;
}

void conn_drop_txns(struct conn *c)
{
	struct txn *t = c->txns, *next;

	for (; t; t = next) {
		next = t->next;
		txn_free(t);
	}
	c->txns = NULL;
	c->ntxns = 0;
}

/* Ends the connection's session now; the memory goes at the end of the
 * event-loop turn, since pending epoll events may still name it. */
static void conn_end(struct conn *c, const char *why, bool quiet)
{
	if (c->dead)
		return;
	if (quiet)
		xsd_debug("%s: closing connection: %s", c->name, why);
	else
		xsd_log("%s: closing connection: %s", c->name, why);
	c->dead = true;
	watch_remove_conn(c);
	conn_drop_txns(c);
	drop_output(c);
	c->in_got = 0;
	if (c->tops->destroy)
		c->tops->destroy(c);
}

void conn_close(struct conn *c, const char *why)
{
	conn_end(c, why, false);
}

void conn_free(struct conn *c)
{
	struct daemon *d = c->d;

	if (!c->dead)
		conn_close(c, "freed");
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c->payload);
	free(c);
}

struct txn *conn_find_txn(struct conn *c, uint32_t id)
{
	for (struct txn *t = c->txns; t; t = t->next)
		if (t->id == id)
			return t;
	return NULL;
}

bool conn_wants_input(const struct conn *c)
{
	if (c->dead || c->broken)
		return false;
	/* Backpressure: a peer that does not read its replies stops being
	 * read from, rather than making us buffer without bound. */
	if (c->out_replies >= c->d->q.outstanding_per_conn)
		return false;
	return c->out_bytes < c->d->q.out_bytes_max;
}

static void protocol_violation(struct conn *c, uint32_t why, const char *what)
{
	xsd_log("%s: protocol violation: %s", c->name, what);
	if (c->tops->fatal)
		c->tops->fatal(c, why);
	else
		conn_close(c, what);
}

void conn_handle_input(struct conn *c)
{
	unsigned budget = INPUT_BUDGET;

	while (!c->dead && !c->broken && conn_wants_input(c)) {
		size_t hsz = sizeof(c->hdr), want;
		char *dst;
		ssize_t n;

		if (c->in_got < hsz) {
			dst = (char *)&c->hdr + c->in_got;
			want = hsz - c->in_got;
		} else {
			dst = c->payload + (c->in_got - hsz);
			want = hsz + c->hdr.len - c->in_got;
		}
		if (want) {
			n = c->tops->recv(c, dst, want);
			if (n < 0) {
				/* A socket client hanging up is routine. */
				if (!c->dead && !c->broken)
					conn_end(c, "peer went away", !c->dom);
				break;
			}
			if (n == 0)
				break;
			c->in_got += (uint32_t)n;
		}
		if (c->in_got < hsz)
			continue;
		if (c->in_got == hsz && c->hdr.len > XENSTORE_PAYLOAD_MAX) {
			char what[96];

			snprintf(what, sizeof(what),
				 "payload of %u bytes exceeds the %u-byte limit",
				 c->hdr.len, XENSTORE_PAYLOAD_MAX);
			protocol_violation(c, XENSTORE_ERROR_PROTO, what);
			break;
		}
		if (c->in_got < hsz + c->hdr.len)
			continue;
		c->payload[c->hdr.len] = '\0';
		c->in_got = 0;
		conn_dispatch(c, &c->hdr, c->payload);
		if (--budget == 0) {
			c->d->more_input = true;
			c->more_input = true;
			break;
		}
	}
	if (c->tops->kick && !c->dead)
		c->tops->kick(c);
	daemon_want_flush(c->d, c);
}

void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *payload, size_t len, bool is_event)
{
	struct xsd_sockmsg h = { type, req_id, tx_id, (uint32_t)len };
	struct outmsg *m;

	if (c->dead)
		return;
	if (is_event && c->out_bytes >= c->d->q.out_bytes_max) {
		/* The peer stopped reading; queueing more would only grow
		 * memory. A socket peer is dropped (it can reconnect); a
		 * domain loses this event, as with Xen's event quota. */
		if (!c->dom) {
			conn_close(c, "watch events not read by the client");
			return;
		}
		xsd_log("%s: output queue full, dropping watch event for %s",
			c->name, (const char *)payload);
		return;
	}
	m = xmalloc(sizeof(*m) + sizeof(h) + len);
	m->next = NULL;
	m->epoch = c->d->dirty_epoch;
	m->is_event = is_event;
	m->req_id = req_id;
	m->len = sizeof(h) + len;
	memcpy(m->data, &h, sizeof(h));
	if (len)
		memcpy(m->data + sizeof(h), payload, len);
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
	c->out_bytes += m->len;
	if (is_event)
		c->out_events++;
	else
		c->out_replies++;
	daemon_want_flush(c->d, c);
}

void conn_queue_event(struct conn *c, const char *path, const char *token)
{
	struct buf b = { 0 };

	buf_adds(&b, path);
	buf_adds(&b, token);
	conn_queue(c, XS_WATCH_EVENT, 0, 0, b.p, b.len, true);
	buf_free(&b);
}

void conn_flush(struct conn *c)
{
	bool blocked = !conn_wants_input(c);

	while (!c->dead && !c->broken && c->out_head) {
		struct outmsg *m = c->out_head;
		ssize_t n;

		if (m->epoch > c->d->durable_epoch)
			break;
		n = c->tops->send(c, m->data + c->out_off, m->len - c->out_off);
		if (n < 0) {
			if (!c->dead && !c->broken)
				conn_close(c, "cannot send to peer");
			return;
		}
		if (n == 0)
			break;
		c->out_off += (size_t)n;
		if (c->out_off < m->len)
			continue;
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = NULL;
		c->out_off = 0;
		c->out_bytes -= m->len;
		if (m->is_event)
			c->out_events--;
		else
			c->out_replies--;
		free(m);
	}
	if (c->dead)
		return;
	if (c->tops->kick)
		c->tops->kick(c);
	/* Input may have been held back by the outstanding-reply quota. */
	if (blocked && conn_wants_input(c)) {
		c->more_input = true;
		c->d->more_input = true;
	}
	daemon_update_epoll(c);
}
