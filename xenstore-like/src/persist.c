// SPDX-License-Identifier: GPL-2.0-only
/* The state file: tree, introduced domains and the watches of ring
 * connections, replaced atomically (temp file, fsync, rename, fsync dir) so
 * that a kill -9 at any point leaves either the old or the new state. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsd.h"

static const char magic[16] = "KEELSTORED-ST-1\n";
static const char trailer[4] = "END!";

static void put32(struct buf *b, uint32_t v)
{
	buf_add(b, &v, sizeof(v));
}

static void put64(struct buf *b, uint64_t v)
{
	buf_add(b, &v, sizeof(v));
}

static void putstr(struct buf *b, const char *s, uint32_t len)
{
	put32(b, len);
	buf_add(b, s, len);
}

static uint64_t checksum(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return h;
}

/* Parents before children, children in their listed order, so that loading
 * rebuilds the same directory order. */
static void put_subtree(struct daemon *d, struct buf *b, const struct node *n,
			uint32_t *count)
{
	put64(b, n->gen);
	putstr(b, n->path, (uint32_t)strlen(n->path));
	putstr(b, n->value, n->vlen);
	put32(b, n->nperms);
	for (uint32_t i = 0; i < n->nperms; i++) {
		put32(b, n->perms[i].id);
		put32(b, n->perms[i].perm);
	}
	(*count)++;
	for (uint32_t i = 0; i < n->nchildren; i++) {
		char path[XENSTORE_ABS_PATH_MAX + 256];
		const struct node *c;

		snprintf(path, sizeof(path), "%s/%s",
			 strcmp(n->path, "/") ? n->path : "", n->children[i]);
		c = nodemap_find(&d->st.nodes, path);
		if (c)
			put_subtree(d, b, c, count);
	}
}

static void serialise(struct daemon *d, struct buf *b)
{
	const struct node *root = nodemap_find(&d->st.nodes, "/");
	uint32_t count = 0, ndom = 0, nw = 0;
	size_t at;

	buf_add(b, magic, sizeof(magic));
	put64(b, d->st.gen);
	put32(b, d->next_txid);

	at = b->len;
	put32(b, 0);
	if (root)
		put_subtree(d, b, root, &count);
	memcpy(b->p + at, &count, sizeof(count));

	at = b->len;
	put32(b, 0);
	for (struct domain *dom = d->domains; dom; dom = dom->next) {
		if (dom->kernel)
			continue;
		put32(b, dom->domid);
		put64(b, dom->gfn);
		put32(b, dom->remote_port);
		put32(b, dom->conn ? dom->conn->target : DOMID_NONE);
		put32(b, dom->shutdown);
		ndom++;
	}
	memcpy(b->p + at, &ndom, sizeof(ndom));

	at = b->len;
	put32(b, 0);
	for (struct watch *w = d->watches; w; w = w->next) {
		struct domain *dom = w->conn->dom;

		if (!dom || w->conn->dead)
			continue;
		put32(b, dom->domid);
		put32(b, dom->kernel);
		put32(b, w->relative);
		putstr(b, w->path, (uint32_t)strlen(w->path));
		putstr(b, w->token, (uint32_t)strlen(w->token));
		nw++;
	}
	memcpy(b->p + at, &nw, sizeof(nw));
	buf_add(b, trailer, sizeof(trailer));
	put64(b, checksum(b->p, b->len));
}

int persist_save(struct daemon *d)
{
	size_t plen = strlen(d->state_path);
	char *tmp = xmalloc(plen + 8), *dir = xstrdup(d->state_path);
	struct buf b = { 0 };
	int fd, dfd, rc = 0;
	size_t off = 0;

	snprintf(tmp, plen + 8, "%s.tmp", d->state_path);
	serialise(d, &b);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	while (off < b.len) {
		ssize_t n = write(fd, b.p + off, b.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			close(fd);
			goto out;
		}
		off += (size_t)n;
	}
	if ((d->fsync && fdatasync(fd) < 0) || close(fd) < 0) {
		rc = -errno;
		goto out;
	}
	if (rename(tmp, d->state_path) < 0) {
		rc = -errno;
		goto out;
	}
	/* The rename itself must reach the disk before we acknowledge. */
	dfd = d->fsync ? open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	buf_free(&b);
	free(tmp);
	free(dir);
	return rc;
}

struct reader {
	const char *p;
	size_t len, off;
	bool bad;
};

static const void *take(struct reader *r, size_t n)
{
	const void *p;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	p = r->p + r->off;
	r->off += n;
	return p;
}

static uint32_t get32(struct reader *r)
{
	const void *p = take(r, 4);
	uint32_t v = 0;

	if (p)
		memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(struct reader *r)
{
	const void *p = take(r, 8);
	uint64_t v = 0;

	if (p)
		memcpy(&v, p, 8);
	return v;
}

static char *getstr(struct reader *r, uint32_t *lenp)
{
	uint32_t len = get32(r);
	const char *p = take(r, len);

	if (!p)
		return NULL;
	if (lenp)
		*lenp = len;
	return xmemdup(p, len);
}

static int load_nodes(struct daemon *d, struct reader *r)
{
	uint32_t count = get32(r);

	for (uint32_t i = 0; i < count && !r->bad; i++) {
		uint64_t gen = get64(r);
		char *path = getstr(r, NULL), *value;
		uint32_t vlen = 0, np;
		struct node *n;

		value = getstr(r, &vlen);
		np = get32(r);
		if (!path || !value || np == 0 || np > r->len ||
		    nodemap_find(&d->st.nodes, path)) {
			free(path);
			free(value);
			return -EINVAL;
		}
		n = node_new(path);
		free(path);
		free(n->value);
		n->value = value;
		n->vlen = vlen;
		n->nperms = np;
		n->perms = xmalloc(np * sizeof(*n->perms));
		for (uint32_t j = 0; j < np; j++) {
			n->perms[j].id = get32(r);
			n->perms[j].perm = get32(r) & PERM_BOTH;
		}
		n->gen = gen;
		store_insert_loaded(&d->st, n);
	}
	return r->bad ? -EINVAL : 0;
}

static void load_domains(struct daemon *d, struct reader *r)
{
	uint32_t count = get32(r);

	for (uint32_t i = 0; i < count && !r->bad; i++) {
		uint32_t domid = get32(r);
		uint64_t gfn = get64(r);
		uint32_t port = get32(r), target = get32(r);
		uint32_t shutdown = get32(r);
		struct domain *dom;

		if (r->bad)
			return;
		/* A domain we cannot re-attach stays lost, loudly; the
		 * toolstack can introduce it again. */
		if (domain_introduce(d, domid, gfn, port, true)) {
			xsd_log("dom%u: could not re-attach its ring after restart",
				domid);
			continue;
		}
		dom = domain_find(d, domid);
		dom->shutdown = shutdown;
		dom->conn->target = target;
	}
}

static void load_watches(struct daemon *d, struct reader *r)
{
	uint32_t count = get32(r);

	for (uint32_t i = 0; i < count && !r->bad; i++) {
		uint32_t domid = get32(r), kernel = get32(r);
		uint32_t relative = get32(r);
		char *path = getstr(r, NULL), *token = getstr(r, NULL);
		struct domain *dom = NULL;

		for (dom = d->domains; dom; dom = dom->next)
			if (dom->domid == domid && dom->kernel == !!kernel)
				break;
		if (path && token && dom && dom->conn)
			watch_add(dom->conn, path, token, relative, false);
		else if (path && token)
			xsd_log("dom%u: dropping watch %s (%s): its ring is gone",
				domid, path, token);
		free(path);
		free(token);
	}
}

int persist_load(struct daemon *d)
{
	struct reader r = { 0 };
	struct stat stbuf;
	uint64_t sum;
	char *data;
	int fd, rc = 0;

	fd = open(d->state_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &stbuf) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	data = xmalloc((size_t)stbuf.st_size + 1);
	if (read(fd, data, (size_t)stbuf.st_size) != stbuf.st_size) {
		close(fd);
		free(data);
		return -EIO;
	}
	close(fd);
	r.p = data;
	r.len = (size_t)stbuf.st_size;
	if (r.len < sizeof(magic) + 12 || memcmp(data, magic, sizeof(magic)))
		goto corrupt;
	memcpy(&sum, data + r.len - 8, 8);
	if (sum != checksum(data, r.len - 8))
		goto corrupt;
	r.len -= 8 + sizeof(trailer);
	r.off = sizeof(magic);
	d->st.gen = get64(&r);
	d->next_txid = get32(&r);
	/* Skip well past any id the previous run may have handed out without
	 * saving, so that all of them read as "lost in the restart". */
	d->next_txid += 1U << 20;
	d->txid_floor = d->next_txid + 1;
	if (load_nodes(d, &r) < 0 || !nodemap_find(&d->st.nodes, "/"))
		goto corrupt;
	load_domains(d, &r);
	load_watches(d, &r);
	if (r.bad)
		goto corrupt;
	free(data);
	return 0;
corrupt:
	free(data);
	return -EBADMSG;
}
