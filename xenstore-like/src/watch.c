// SPDX-License-Identifier: GPL-2.0-only
/* Watches: registration per connection and delivery of events for a changed
 * path to every watcher at or above it (or below it, on recursive removal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

int watch_add(struct conn *c, const char *abspath, const char *token,
	      bool relative, bool fire_now)
{
	struct daemon *d = c->d;
	struct watch *w;

	for (w = d->watches; w; w = w->next)
		if (w->conn == c && !strcmp(w->path, abspath) &&
		    !strcmp(w->token, token))
			return EEXIST;
	if (!c->privileged && c->nwatches >= d->q.watches_per_conn)
		return E2BIG;

	w = xzalloc(sizeof(*w));
	w->conn = c;
	w->path = xstrdup(abspath);
	w->token = xstrdup(token);
	w->relative = relative;
	w->next = d->watches;
	if (d->watches)
		d->watches->prev = w;
	d->watches = w;
	c->nwatches++;
	if (fire_now) {
		char home[32];
		const char *epath = abspath;

		snprintf(home, sizeof(home), "/local/domain/%u/", c->domid);
		if (relative && !strncmp(abspath, home, strlen(home)))
			epath = abspath + strlen(home);
		conn_queue_event(c, epath, token);
	}
	return 0;
}

static void watch_unlink(struct daemon *d, struct watch *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		d->watches = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->conn->nwatches--;
	free(w->path);
	free(w->token);
	free(w);
}

int watch_remove(struct conn *c, const char *abspath, const char *token)
{
	for (struct watch *w = c->d->watches; w; w = w->next) {
		if (w->conn == c && !strcmp(w->path, abspath) &&
		    !strcmp(w->token, token)) {
			watch_unlink(c->d, w);
			return 0;
		}
	}
	return ENOENT;
}

void watch_remove_conn(struct conn *c)
{
	struct watch *w = c->d->watches, *next;

	for (; w; w = next) {
		next = w->next;
		if (w->conn == c)
			watch_unlink(c->d, w);
	}
}

static void deliver(struct watch *w, const char *epath)
{
	char home[32];

	if (w->relative) {
		snprintf(home, sizeof(home), "/local/domain/%u/",
			 w->conn->domid);
		if (!strncmp(epath, home, strlen(home)))
			epath += strlen(home);
	}
	conn_queue_event(w->conn, epath, w->token);
}

void watch_fire(struct daemon *d, const char *path, bool recursive,
		const struct xs_perm *perms, uint32_t nperms)
{
	for (struct watch *w = d->watches; w; w = w->next) {
		const char *epath;

		if (w->conn->dead || w->path[0] == '@')
			continue;
		if (path_is_under(path, w->path))
			epath = path;
		else if (recursive && path_is_under(w->path, path))
			epath = w->path;
		else
			continue;
		/* A domain learns of changes only to nodes it may read. */
		if (!(perm_access(w->conn, perms, nperms) & PERM_READ))
			continue;
		deliver(w, epath);
	}
}

/* @introduceDomain / @releaseDomain belong to the toolstack: only privileged
 * connections hear them, as with Xen's default permissions on them. */
void watch_fire_special(struct daemon *d, const char *name)
{
	for (struct watch *w = d->watches; w; w = w->next)
		if (!w->conn->dead && w->conn->privileged &&
		    !strcmp(w->path, name))
			conn_queue_event(w->conn, name, w->token);
}
