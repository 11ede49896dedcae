// SPDX-License-Identifier: GPL-2.0-only
/* Transactions with optimistic concurrency: commit succeeds only if every
 * node the transaction looked at still has the generation it saw. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

struct txn *txn_new(struct conn *c, uint32_t id)
{
	struct txn *t = xzalloc(sizeof(*t));

	t->id = id;
	t->conn = c;
	nodemap_init(&t->overlay);
	nodemap_init(&t->reads);
	return t;
}

void txn_free(struct txn *t)
{
	if (!t)
		return;
	nodemap_free(&t->overlay);
	nodemap_free(&t->reads);
	for (size_t i = 0; i < t->nevents; i++) {
		free(t->events[i].path);
		free(t->events[i].perms);
	}
	free(t->events);
	free(t);
}

void txn_record_read(struct txn *t, const char *path, const struct node *cur)
{
	struct node *r;

	if (nodemap_find(&t->reads, path))
		return;
	r = node_new(path);
	r->gen = cur ? cur->gen : 0;
	nodemap_insert(&t->reads, r);
}

void txn_add_event(struct txn *t, const char *path, bool recursive,
		   const struct node *n)
{
	struct watch_event_rec *e;

	if (t->nevents == t->cevents) {
		t->cevents = t->cevents ? t->cevents * 2 : 8;
		t->events = xrealloc(t->events, t->cevents * sizeof(*e));
	}
	e = &t->events[t->nevents++];
	e->path = xstrdup(path);
	e->recursive = recursive;
	e->nperms = n ? n->nperms : 0;
	e->perms = xmalloc((e->nperms + 1) * sizeof(*e->perms));
	if (n)
		memcpy(e->perms, n->perms, n->nperms * sizeof(*e->perms));
}

static void owned_adj(struct store *st, const struct node *n, int delta)
{
	uint32_t owner = n->nperms ? n->perms[0].id : 0;

	if (owner < DOMID_LIMIT)
		st->owned[owner] += (uint32_t)delta;
}

int txn_commit(struct store *st, struct txn *t)
{
	struct node **moved;
	size_t nmoved = 0;

	nodemap_for_each(&t->reads, i, r) {
		struct node *cur = nodemap_find(&st->nodes, r->path);

		if ((cur ? cur->gen : 0) != r->gen)
			return EAGAIN;
	}

	/* Detach the overlay first: its nodes move into the tree as they are. */
	moved = xmalloc((t->overlay.count + 1) * sizeof(*moved));
	for (size_t i = 0; i < t->overlay.nbuckets; i++) {
		struct node *n = t->overlay.buckets[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			n->hnext = NULL;
			moved[nmoved++] = n;
		}
		t->overlay.buckets[i] = NULL;
	}
	t->overlay.count = 0;

	for (size_t i = 0; i < nmoved; i++) {
		struct node *n = moved[i];
		struct node *old;

		if (!n->dirty) {
			node_free(n);
			continue;
		}
		old = nodemap_remove(&st->nodes, n->path);
		if (old) {
			owned_adj(st, old, -1);
			node_free(old);
		}
		if (n->deleted) {
			node_free(n);
			continue;
		}
		n->dirty = false;
		n->gen = ++st->gen;
		nodemap_insert(&st->nodes, n);
		owned_adj(st, n, 1);
	}
	free(moved);
	return 0;
}
