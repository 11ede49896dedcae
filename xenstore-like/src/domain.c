// SPDX-License-Identifier: GPL-2.0-only
/* Domains: INTRODUCE maps a domain's ring and binds its event channel,
 * RELEASE tears that down and revokes the domain's rights in the tree; plus
 * dom0's own kernel xenbus ring and event dispatch for all of them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

struct domain *domain_find(struct daemon *d, uint32_t domid)
{
	for (struct domain *dom = d->domains; dom; dom = dom->next)
		if (dom->domid == domid && !dom->kernel)
			return dom;
	return NULL;
}

struct domain *domain_by_port(struct daemon *d, uint32_t local_port)
{
	for (struct domain *dom = d->domains; dom; dom = dom->next)
		if (dom->local_port == local_port)
			return dom;
	return NULL;
}

static void domain_connect(struct daemon *d, struct domain *dom,
			   bool restoring)
{
	char name[40];

	if (dom->kernel)
		snprintf(name, sizeof(name), "dom0 kernel ring");
	else
		snprintf(name, sizeof(name), "dom%u", dom->domid);
	dom->conn = conn_new(d, &ring_transport, dom->domid, name);
	dom->conn->dom = dom;
	dom->conn->privileged = dom->kernel;
	if (!restoring) {
		dom->iface->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION |
					      XENSTORE_SERVER_FEATURE_ERROR;
	}
	/* Requests may already be waiting (always after a restart). */
	dom->conn->more_input = true;
	d->more_input = true;
	d->rb->notify(d->rb_ctx, dom->local_port);
}

int domain_introduce(struct daemon *d, uint32_t domid, uint64_t gfn,
		     uint32_t port, bool restoring)
{
	struct domain *dom = domain_find(d, domid);
	uint32_t local;
	void *page;
	int rc;

	if (dom) {
		/* Introducing again rebinds the event channel (Xen does this
		 * after a domain's xenstore connection was reset). */
		if (dom->gfn != gfn)
			return EINVAL;
		rc = d->rb->bind(d->rb_ctx, domid, port, &local);
		if (rc < 0) {
			xsd_log("dom%u: re-introduce: cannot bind event channel %u: %s",
				domid, port, strerror(-rc));
			return EINVAL;
		}
		d->rb->unbind(d->rb_ctx, dom->local_port);
		dom->remote_port = port;
		dom->local_port = local;
		d->rb->notify(d->rb_ctx, local);
		return 0;
	}

	rc = d->rb->map_ring(d->rb_ctx, domid, gfn, &page);
	if (rc < 0) {
		xsd_log("dom%u: introduce: cannot map ring page gfn %#llx: %s",
			domid, (unsigned long long)gfn, strerror(-rc));
		return EINVAL;
	}
	rc = d->rb->bind(d->rb_ctx, domid, port, &local);
	if (rc < 0) {
		xsd_log("dom%u: introduce: cannot bind to its event channel %u: %s",
			domid, port, strerror(-rc));
		goto err_unmap;
	}
	dom = xzalloc(sizeof(*dom));
	dom->domid = domid;
	dom->gfn = gfn;
	dom->remote_port = port;
	dom->local_port = local;
	dom->iface = page;
	dom->next = d->domains;
	d->domains = dom;
	domain_connect(d, dom, restoring);
	xsd_log("dom%u: %s (gfn %#llx, port %u, local port %u)", domid,
		restoring ? "re-attached after restart" : "introduced",
		(unsigned long long)gfn, port, local);
	if (!restoring)
		watch_fire_special(d, "@introduceDomain");
	return 0;

err_unmap:
	d->rb->unmap_ring(d->rb_ctx, domid, page);
	return EINVAL;
}

/* Xen hands a dead domain's nodes to dom0 and strikes it from every ACL, so
 * that a new domain reusing the id inherits nothing. */
static void revoke_domain(struct daemon *d, uint32_t domid)
{
	nodemap_for_each(&d->st.nodes, i, n) {
		bool changed = false;

		if (n->perms[0].id == domid) {
			n->perms[0].id = 0;
			d->st.owned[domid]--;
			d->st.owned[0]++;
			changed = true;
		}
		for (uint32_t j = 1; j < n->nperms; j++) {
			if (n->perms[j].id != domid)
				continue;
			memmove(&n->perms[j], &n->perms[j + 1],
				(n->nperms - j - 1) * sizeof(*n->perms));
			n->nperms--;
			j--;
			changed = true;
		}
		if (changed)
			n->gen = ++d->st.gen;
	}
}

static void domain_unlink(struct daemon *d, struct domain *dom)
{
	struct domain **pp = &d->domains;

	while (*pp != dom)
		pp = &(*pp)->next;
	*pp = dom->next;
}

int domain_release(struct daemon *d, uint32_t domid)
{
	struct domain *dom = domain_find(d, domid);

	if (!dom)
		return ENOENT;
	if (dom->conn)
		conn_close(dom->conn, "domain released");
	d->rb->unbind(d->rb_ctx, dom->local_port);
	d->rb->unmap_ring(d->rb_ctx, domid, dom->iface);
	domain_unlink(d, dom);
	free(dom);
	revoke_domain(d, domid);
	xsd_log("dom%u: released", domid);
	watch_fire_special(d, "@releaseDomain");
	return 0;
}

int domain_attach_kernel(struct daemon *d)
{
	struct domain *dom;
	uint32_t local;
	void *page;
	int rc;

	if (!d->rb->kernel_ring)
		return -ENOSYS;
	rc = d->rb->kernel_ring(d->rb_ctx, &page, &local);
	if (rc < 0)
		return rc;
	dom = xzalloc(sizeof(*dom));
	dom->domid = 0;
	dom->kernel = true;
	dom->local_port = local;
	dom->iface = page;
	dom->next = d->domains;
	d->domains = dom;
	domain_connect(d, dom, false);
	xsd_log("dom0 kernel ring attached (local port %u)", local);
	return 0;
}

/* The guest asked to start over (XENSTORE_RECONNECT): forget its session,
 * reset the indexes and tell it the ring is usable again. */
static void domain_reconnect(struct daemon *d, struct domain *dom)
{
	struct xenstore_domain_interface *r = dom->iface;
	struct conn *c = dom->conn;

	xsd_log("%s: guest requested a ring reconnect", c->name);
	watch_remove_conn(c);
	conn_drop_txns(c);
	while (c->out_head) {
		struct outmsg *m = c->out_head;

		c->out_head = m->next;
		free(m);
	}
	c->out_tail = NULL;
	c->out_off = 0;
	c->out_replies = c->out_events = 0;
	c->out_bytes = 0;
	c->in_got = 0;
	c->broken = false;
	r->req_cons = r->req_prod = r->rsp_cons = r->rsp_prod = 0;
	r->error = XENSTORE_ERROR_NONE;
	__atomic_store_n(&r->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
	d->rb->notify(d->rb_ctx, dom->local_port);
	daemon_mark_dirty(d);
}

void domain_evtchn_ready(struct daemon *d)
{
	uint32_t port;

	while (d->rb->next_event(d->rb_ctx, &port) == 0) {
		struct domain *dom = domain_by_port(d, port);

		if (!dom || !dom->conn)
			continue;
		if (__atomic_load_n(&dom->iface->connection, __ATOMIC_ACQUIRE) ==
		    XENSTORE_RECONNECT)
			domain_reconnect(d, dom);
		conn_handle_input(dom->conn);
		daemon_want_flush(d, dom->conn);
	}
}

void domain_free_all(struct daemon *d)
{
	struct domain *dom = d->domains, *next;

	for (; dom; dom = next) {
		next = dom->next;
		if (dom->conn)
			conn_close(dom->conn, "daemon exiting");
		d->rb->unbind(d->rb_ctx, dom->local_port);
		if (!dom->kernel)
			d->rb->unmap_ring(d->rb_ctx, dom->domid, dom->iface);
		free(dom);
	}
	d->domains = NULL;
}
