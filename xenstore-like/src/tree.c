// SPDX-License-Identifier: GPL-2.0-only
/* Nodes and the path-keyed hash map that holds them (the tree itself and
 * each transaction's overlay). */
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static size_t path_hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

void nodemap_init(struct nodemap *m)
{
	m->nbuckets = 64;
	m->count = 0;
	m->buckets = xzalloc(m->nbuckets * sizeof(*m->buckets));
}

void nodemap_free(struct nodemap *m)
{
	for (size_t i = 0; i < m->nbuckets; i++) {
		struct node *n = m->buckets[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			node_free(n);
		}
	}
	free(m->buckets);
	m->buckets = NULL;
	m->nbuckets = m->count = 0;
}

struct node *nodemap_find(const struct nodemap *m, const char *path)
{
	struct node *n = m->buckets[path_hash(path) & (m->nbuckets - 1)];

	for (; n; n = n->hnext)
		if (!strcmp(n->path, path))
			return n;
	return NULL;
}

static void nodemap_grow(struct nodemap *m)
{
	size_t nb = m->nbuckets * 2;
	struct node **b = xzalloc(nb * sizeof(*b));

	for (size_t i = 0; i < m->nbuckets; i++) {
		struct node *n = m->buckets[i], *next;

		for (; n; n = next) {
			size_t h = path_hash(n->path) & (nb - 1);

			next = n->hnext;
			n->hnext = b[h];
			b[h] = n;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->nbuckets = nb;
}

void nodemap_insert(struct nodemap *m, struct node *n)
{
	size_t h;

	if (m->count + 1 > m->nbuckets)
		nodemap_grow(m);
	h = path_hash(n->path) & (m->nbuckets - 1);
	n->hnext = m->buckets[h];
	m->buckets[h] = n;
	m->count++;
}

struct node *nodemap_remove(struct nodemap *m, const char *path)
{
	struct node **pp = &m->buckets[path_hash(path) & (m->nbuckets - 1)];

	for (; *pp; pp = &(*pp)->hnext) {
		struct node *n = *pp;

		if (!strcmp(n->path, path)) {
			*pp = n->hnext;
			n->hnext = NULL;
			m->count--;
			return n;
		}
	}
	return NULL;
}

struct node *node_new(const char *path)
{
	struct node *n = xzalloc(sizeof(*n));

	n->path = xstrdup(path);
	n->value = xmalloc(1);
	return n;
}

struct node *node_clone(const struct node *n)
{
	struct node *c = node_new(n->path);

	node_set_value(c, n->value, n->vlen);
	node_set_perms(c, n->perms, n->nperms);
	for (uint32_t i = 0; i < n->nchildren; i++)
		node_add_child(c, n->children[i]);
	c->gen = n->gen;
	c->deleted = n->deleted;
	return c;
}

void node_free(struct node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nchildren; i++)
		free(n->children[i]);
	free(n->children);
	free(n->perms);
	free(n->value);
	free(n->path);
	free(n);
}

void node_set_value(struct node *n, const void *v, uint32_t len)
{
	free(n->value);
	n->value = xmemdup(v, len);
	n->vlen = len;
}

void node_set_perms(struct node *n, const struct xs_perm *p, uint32_t np)
{
	free(n->perms);
	n->perms = xmalloc(np * sizeof(*p));
	memcpy(n->perms, p, np * sizeof(*p));
	n->nperms = np;
}

void node_add_child(struct node *n, const char *name)
{
	for (uint32_t i = 0; i < n->nchildren; i++)
		if (!strcmp(n->children[i], name))
			return;
	if (n->nchildren == n->cchildren) {
		n->cchildren = n->cchildren ? n->cchildren * 2 : 4;
		n->children = xrealloc(n->children,
				       n->cchildren * sizeof(*n->children));
	}
	n->children[n->nchildren++] = xstrdup(name);
}

void node_del_child(struct node *n, const char *name)
{
	for (uint32_t i = 0; i < n->nchildren; i++) {
		if (strcmp(n->children[i], name))
			continue;
		free(n->children[i]);
		memmove(&n->children[i], &n->children[i + 1],
			(n->nchildren - i - 1) * sizeof(*n->children));
		n->nchildren--;
		return;
	}
}

const char *path_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

bool path_parent(const char *path, char *out)
{
	const char *s = strrchr(path, '/');

	if (!s || !strcmp(path, "/"))
		return false;
	if (s == path) {
		strcpy(out, "/");
		return true;
	}
	memcpy(out, path, (size_t)(s - path));
	out[s - path] = '\0';
	return true;
}

bool path_is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return path[0] == '/';
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}
