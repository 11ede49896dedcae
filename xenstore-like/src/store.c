// SPDX-License-Identifier: GPL-2.0-only
/* The node tree and views onto it: direct, or through a transaction whose
 * overlay collects the changes and whose read set proves what it saw. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

void store_init(struct store *st)
{
	nodemap_init(&st->nodes);
	st->gen = 0;
	st->owned = xzalloc(DOMID_LIMIT * sizeof(*st->owned));
}

static void owned_adj(struct store *st, const struct node *n, int delta)
{
	uint32_t owner = n->nperms ? n->perms[0].id : 0;

	if (owner < DOMID_LIMIT)
		st->owned[owner] += (uint32_t)delta;
}

void store_insert_loaded(struct store *st, struct node *n)
{
	char parent[XENSTORE_ABS_PATH_MAX + 1];

	if (!n->gen)
		n->gen = ++st->gen;
	if (n->gen > st->gen)
		st->gen = n->gen;
	nodemap_insert(&st->nodes, n);
	owned_adj(st, n, 1);
	if (path_parent(n->path, parent)) {
		struct node *p = nodemap_find(&st->nodes, parent);

		if (p)
			node_add_child(p, path_basename(n->path));
	}
}

/* Xen's initial tree: the root and /local/domain, owned by dom0, private. */
void store_init_root(struct store *st)
{
	static const char *const paths[] = { "/", "/local", "/local/domain" };
	struct xs_perm p = { 0, PERM_NONE };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct node *n = node_new(paths[i]);

		node_set_perms(n, &p, 1);
		store_insert_loaded(st, n);
	}
}

void store_free(struct store *st)
{
	nodemap_free(&st->nodes);
	free(st->owned);
	st->owned = NULL;
}

uint32_t store_owned(struct store *st, uint32_t domid)
{
	return domid < DOMID_LIMIT ? st->owned[domid] : 0;
}

/* The first look at a node inside a transaction takes a private copy (or
 * notes its absence), so the transaction keeps seeing what it saw first even
 * if the node changes meanwhile; the commit then fails with EAGAIN. */
static struct node *txn_snapshot(struct view *v, const char *path)
{
	struct node *n = nodemap_find(&v->tx->overlay, path), *cur;

	if (n)
		return n;
	cur = nodemap_find(&v->st->nodes, path);
	txn_record_read(v->tx, path, cur);
	if (cur) {
		n = node_clone(cur);
	} else {
		n = node_new(path);
		n->deleted = true;
	}
	n->dirty = false;
	nodemap_insert(&v->tx->overlay, n);
	return n;
}

const struct node *view_get(struct view *v, const char *path)
{
	struct node *n;

	if (v->tx) {
		n = txn_snapshot(v, path);
		return n->deleted ? NULL : n;
	}
	return nodemap_find(&v->st->nodes, path);
}

struct node *view_modify(struct view *v, const char *path)
{
	struct node *n;

	if (!v->tx) {
		n = nodemap_find(&v->st->nodes, path);
		if (n)
			n->gen = ++v->st->gen;
		return n;
	}
	n = txn_snapshot(v, path);
	if (n->deleted)
		return NULL;
	n->dirty = true;
	return n;
}

struct node *view_create(struct view *v, const char *path,
			 const struct xs_perm *perms, uint32_t nperms)
{
	char parent[XENSTORE_ABS_PATH_MAX + 1];
	struct node *n = node_new(path), *p;

	node_set_perms(n, perms, nperms);
	if (path_parent(path, parent)) {
		p = view_modify(v, parent);
		if (p)
			node_add_child(p, path_basename(path));
	}
	if (!v->tx) {
		n->gen = ++v->st->gen;
		nodemap_insert(&v->st->nodes, n);
		owned_adj(v->st, n, 1);
		return n;
	}
	txn_snapshot(v, path);
	node_free(nodemap_remove(&v->tx->overlay, path));
	n->dirty = true;
	nodemap_insert(&v->tx->overlay, n);
	return n;
}

static void delete_subtree(struct view *v, const char *path)
{
	const struct node *cur = view_get(v, path);
	uint32_t nchildren;
	char **names;

	if (!cur)
		return;
	nchildren = cur->nchildren;
	names = xmalloc((nchildren + 1) * sizeof(*names));
	for (uint32_t i = 0; i < nchildren; i++)
		names[i] = xstrdup(cur->children[i]);

	if (!v->tx) {
		struct node *n = nodemap_remove(&v->st->nodes, path);

		owned_adj(v->st, n, -1);
		node_free(n);
	} else {
		struct node *o = txn_snapshot(v, path);

		o->deleted = true;
		o->dirty = true;
	}

	for (uint32_t i = 0; i < nchildren; i++) {
		size_t len = strlen(path) + strlen(names[i]) + 2;
		char *child = xmalloc(len);

		if (!strcmp(path, "/"))
			snprintf(child, len, "/%s", names[i]);
		else
			snprintf(child, len, "%s/%s", path, names[i]);
		delete_subtree(v, child);
		free(child);
		free(names[i]);
	}
	free(names);
}

void view_delete(struct view *v, const char *path)
{
	char parent[XENSTORE_ABS_PATH_MAX + 1];
	struct node *p;

	if (!path_parent(path, parent))
		return;
	p = view_modify(v, parent);
	if (p)
		node_del_child(p, path_basename(path));
	delete_subtree(v, path);
}
