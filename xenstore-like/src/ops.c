// SPDX-License-Identifier: GPL-2.0-only
/* The request table: who may send each message type, and the handlers for
 * the node operations (read, write, mkdir, rm, directory, permissions). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static const char path_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_@";

int path_canon(const struct conn *c, const char *in, char *out, size_t outlen,
	       bool allow_special)
{
	size_t len;

	if (in[0] == '@') {
		if (!allow_special || strlen(in) > XENSTORE_REL_PATH_MAX ||
		    strspn(in, path_chars) != strlen(in))
			return EINVAL;
		snprintf(out, outlen, "%s", in);
		return 0;
	}
	if (in[0] != '/') {
		if (strlen(in) > XENSTORE_REL_PATH_MAX || !in[0])
			return EINVAL;
		if ((size_t)snprintf(out, outlen, "/local/domain/%u/%s",
				     c->domid, in) >= outlen)
			return EINVAL;
	} else {
		if (strlen(in) >= outlen)
			return EINVAL;
		strcpy(out, in);
	}
	len = strlen(out);
	if (len > XENSTORE_ABS_PATH_MAX || strspn(out, path_chars) != len ||
	    strstr(out, "//") || (len > 1 && out[len - 1] == '/'))
		return EINVAL;
	return 0;
}

/* Splits the payload into NUL-terminated strings; the count, or -1 if the
 * payload does not end in a NUL. */
int req_args(struct req *r, char **argv, int max)
{
	int n = 0;
	uint32_t start = 0;

	if (!r->len || r->payload[r->len - 1] != '\0')
		return -1;
	for (uint32_t i = 0; i < r->len; i++) {
		if (r->payload[i] != '\0')
			continue;
		if (n < max)
			argv[n] = r->payload + start;
		n++;
		start = i + 1;
	}
	return n;
}

/* Exactly one string argument, as Xen requires for single-path requests. */
static int one_arg(struct req *r, char **arg)
{
	return req_args(r, arg, 1) == 1 ? 0 : EINVAL;
}

void reply_ok(struct req *r)
{
	buf_adds(&r->reply, "OK");
}

static void note_change(struct req *r, const char *path, bool recursive,
			const struct xs_perm *perms, uint32_t np)
{
	if (r->tx) {
		struct node tmp = { .perms = (struct xs_perm *)perms,
				    .nperms = np };

		txn_add_event(r->tx, path, recursive, &tmp);
		return;
	}
	watch_fire(r->d, path, recursive, perms, np);
}

static int get_path(struct req *r, const char *in, char *out)
{
	return path_canon(r->c, in, out, XENSTORE_ABS_PATH_MAX + 64, false);
}

static int do_read(struct req *r)
{
	char *arg, path[XENSTORE_ABS_PATH_MAX + 64];
	const struct node *n;
	int err;

	if ((err = one_arg(r, &arg)) || (err = get_path(r, arg, path)))
		return err;
	n = view_get(&r->v, path);
	if (!n)
		return ENOENT;
	if (!(perm_access(r->c, n->perms, n->nperms) & PERM_READ))
		return EACCES;
	buf_add(&r->reply, n->value, n->vlen);
	return 0;
}

/* Creates path and any missing parents. Each new node inherits its parent's
 * permissions, but belongs to the creating domain. */
static int create_path(struct req *r, const char *path, struct node **out)
{
	char anc[XENSTORE_ABS_PATH_MAX + 64];
	const struct node *a;
	struct xs_perm *perms;
	uint32_t np, missing = 0;
	size_t pos;

	strcpy(anc, path);
	while (!(a = view_get(&r->v, anc))) {
		missing++;
		if (!path_parent(anc, anc))
			return ENOENT;
	}
	if (!(perm_access(r->c, a->perms, a->nperms) & PERM_WRITE))
		return EACCES;
	if (!r->c->privileged &&
	    store_owned(r->v.st, r->c->domid) + missing >
		    r->d->q.nodes_per_domain)
		return ENOSPC;

	np = a->nperms;
	perms = xmalloc(np * sizeof(*perms));
	memcpy(perms, a->perms, np * sizeof(*perms));
	if (!r->c->privileged)
		perms[0].id = r->c->domid;
	/* pos indexes the '/' in front of the next missing component. */
	pos = strcmp(anc, "/") ? strlen(anc) : 0;
	while (missing--) {
		const char *slash = strchr(path + pos + 1, '/');

		pos = slash ? (size_t)(slash - path) : strlen(path);
		memcpy(anc, path, pos);
		anc[pos] = '\0';
		*out = view_create(&r->v, anc, perms, np);
	}
	free(perms);
	return 0;
}

static int write_node(struct req *r, const char *path, const char *val,
		      uint32_t vlen, bool set_value)
{
	const struct node *cur;
	struct node *n = NULL;
	int err;

	if (!r->c->privileged && vlen > r->d->q.node_size)
		return ENOSPC;
	cur = view_get(&r->v, path);
	if (cur) {
		if (!(perm_access(r->c, cur->perms, cur->nperms) & PERM_WRITE))
			return EACCES;
		if (!set_value)
			return 0;
		n = view_modify(&r->v, path);
	} else {
		err = create_path(r, path, &n);
		if (err)
			return err;
	}
	if (set_value)
		node_set_value(n, val, vlen);
	note_change(r, path, false, n->perms, n->nperms);
	return 0;
}

static int do_write(struct req *r)
{
	char path[XENSTORE_ABS_PATH_MAX + 64];
	char *nul = memchr(r->payload, '\0', r->len);
	uint32_t off;
	int err;

	if (!nul)
		return EINVAL;
	if ((err = get_path(r, r->payload, path)))
		return err;
	off = (uint32_t)(nul - r->payload) + 1;
	err = write_node(r, path, r->payload + off, r->len - off, true);
	if (!err)
		reply_ok(r);
	return err;
}

static int do_mkdir(struct req *r)
{
	char *arg, path[XENSTORE_ABS_PATH_MAX + 64];
	int err;

	if ((err = one_arg(r, &arg)) || (err = get_path(r, arg, path)))
		return err;
	err = write_node(r, path, "", 0, false);
	if (!err)
		reply_ok(r);
	return err;
}

static int do_rm(struct req *r)
{
	char *arg, path[XENSTORE_ABS_PATH_MAX + 64];
	char parent[XENSTORE_ABS_PATH_MAX + 64];
	const struct node *n;
	struct xs_perm *perms;
	uint32_t np;
	int err;

	if ((err = one_arg(r, &arg)) || (err = get_path(r, arg, path)))
		return err;
	if (!strcmp(path, "/"))
		return EINVAL;
	n = view_get(&r->v, path);
	if (!n) {
		/* Already gone is fine, as long as the parent is there. */
		path_parent(path, parent);
		if (!view_get(&r->v, parent))
			return ENOENT;
		reply_ok(r);
		return 0;
	}
	if (!(perm_access(r->c, n->perms, n->nperms) & PERM_WRITE))
		return EACCES;
	np = n->nperms;
	perms = xmalloc(np * sizeof(*perms));
	memcpy(perms, n->perms, np * sizeof(*perms));
	view_delete(&r->v, path);
	note_change(r, path, true, perms, np);
	free(perms);
	reply_ok(r);
	return 0;
}

static const struct node *readable_node(struct req *r, const char *arg,
					int *err)
{
	char path[XENSTORE_ABS_PATH_MAX + 64];
	const struct node *n;

	if ((*err = get_path(r, arg, path)))
		return NULL;
	n = view_get(&r->v, path);
	if (!n) {
		*err = ENOENT;
		return NULL;
	}
	if (!(perm_access(r->c, n->perms, n->nperms) & PERM_READ)) {
		*err = EACCES;
		return NULL;
	}
	return n;
}

static int do_directory(struct req *r)
{
	const struct node *n;
	char *arg;
	int err;

	if ((err = one_arg(r, &arg)))
		return err;
	n = readable_node(r, arg, &err);
	if (!n)
		return err;
	for (uint32_t i = 0; i < n->nchildren; i++)
		buf_adds(&r->reply, n->children[i]);
	return r->reply.len > XENSTORE_PAYLOAD_MAX ? E2BIG : 0;
}

/* The children list as one "a\0b\0" string, delivered from a byte offset in
 * pieces that fit a payload; the generation lets the client detect a change
 * between pieces, and an empty string marks the end. */
static int do_directory_part(struct req *r)
{
	const struct node *n;
	char *argv[2], gen[24];
	uint64_t off, total = 0, pos = 0;
	int err;

	if (req_args(r, argv, 2) != 2 || !parse_u64(argv[1], UINT32_MAX, &off))
		return EINVAL;
	n = readable_node(r, argv[0], &err);
	if (!n)
		return err;
	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen);
	buf_adds(&r->reply, gen);
	for (uint32_t i = 0; i < n->nchildren; i++)
		total += strlen(n->children[i]) + 1;
	for (uint32_t i = 0; i < n->nchildren; i++) {
		size_t l = strlen(n->children[i]) + 1;

		if (pos >= off) {
			if (r->reply.len + l + 1 > XENSTORE_PAYLOAD_MAX)
				return 0;
			buf_add(&r->reply, n->children[i], l);
		}
		pos += l;
	}
	if (off > total)
		return EINVAL;
	buf_add(&r->reply, "", 1);
	return 0;
}

static int do_get_perms(struct req *r)
{
	const struct node *n;
	char *arg, s[16];
	int err;

	if ((err = one_arg(r, &arg)))
		return err;
	n = readable_node(r, arg, &err);
	if (!n)
		return err;
	for (uint32_t i = 0; i < n->nperms; i++) {
		perm_format(&n->perms[i], s, sizeof(s));
		buf_adds(&r->reply, s);
	}
	return 0;
}

static int do_set_perms(struct req *r)
{
	char *argv[2], path[XENSTORE_ABS_PATH_MAX + 64];
	const struct node *cur;
	struct xs_perm *perms;
	struct node *n;
	int argc = req_args(r, argv, 1), err = EINVAL;
	uint32_t np;
	char *s;

	if (argc < 2 || argc - 1 > 1024)
		return EINVAL;
	if ((err = get_path(r, argv[0], path)))
		return err;
	np = (uint32_t)argc - 1;
	perms = xmalloc(np * sizeof(*perms));
	s = argv[0] + strlen(argv[0]) + 1;
	for (uint32_t i = 0; i < np; i++, s += strlen(s) + 1) {
		if (!perm_parse(s, &perms[i])) {
			err = EINVAL;
			goto out;
		}
	}
	cur = view_get(&r->v, path);
	err = ENOENT;
	if (!cur)
		goto out;
	/* Only the owner (or a privileged caller) may change permissions, and
	 * only a privileged caller may give the node away. */
	err = EACCES;
	if (!r->c->privileged &&
	    !(perm_access(r->c, cur->perms, cur->nperms) & PERM_WRITE &&
	      cur->nperms && (cur->perms[0].id == r->c->domid ||
			      cur->perms[0].id == r->c->target)))
		goto out;
	err = EPERM;
	if (!r->c->privileged && perms[0].id != cur->perms[0].id)
		goto out;
	n = view_modify(&r->v, path);
	if (!r->tx) {
		/* Ownership moves between domains' node counts. */
		if (n->perms[0].id < DOMID_LIMIT)
			r->v.st->owned[n->perms[0].id]--;
		if (perms[0].id < DOMID_LIMIT)
			r->v.st->owned[perms[0].id]++;
	}
	node_set_perms(n, perms, np);
	note_change(r, path, false, perms, np);
	reply_ok(r);
	err = 0;
out:
	free(perms);
	return err;
}

static int do_watch(struct req *r)
{
	char *argv[2], path[XENSTORE_ABS_PATH_MAX + 64];
	bool relative;
	int err;

	if (req_args(r, argv, 2) != 2)
		return EINVAL;
	if ((err = path_canon(r->c, argv[0], path, sizeof(path), true)))
		return err;
	relative = argv[0][0] != '/' && argv[0][0] != '@';
	err = watch_add(r->c, path, argv[1], relative, false);
	if (err)
		return err;
	/* The ack goes first, then the initial event clients rely on. */
	conn_queue(r->c, XS_WATCH, r->hdr->req_id, r->hdr->tx_id, "OK", 3,
		   false);
	conn_queue_event(r->c, argv[0], argv[1]);
	r->replied = true;
	return 0;
}

static int do_unwatch(struct req *r)
{
	char *argv[2], path[XENSTORE_ABS_PATH_MAX + 64];
	int err;

	if (req_args(r, argv, 2) != 2)
		return EINVAL;
	if ((err = path_canon(r->c, argv[0], path, sizeof(path), true)))
		return err;
	err = watch_remove(r->c, path, argv[1]);
	if (!err)
		reply_ok(r);
	return err;
}

static int do_reset_watches(struct req *r)
{
	watch_remove_conn(r->c);
	conn_drop_txns(r->c);
	reply_ok(r);
	return 0;
}

static int do_invalid(struct req *r)
{
	(void)r;
	return EINVAL;
}

const struct op op_table[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { do_control, OP_PRIV, "CONTROL" },
	[XS_DIRECTORY] = { do_directory, OP_TXN, "DIRECTORY" },
	[XS_READ] = { do_read, OP_TXN, "READ" },
	[XS_GET_PERMS] = { do_get_perms, OP_TXN, "GET_PERMS" },
	[XS_WATCH] = { do_watch, OP_PERSIST, "WATCH" },
	[XS_UNWATCH] = { do_unwatch, OP_PERSIST, "UNWATCH" },
	[XS_TRANSACTION_START] = { do_transaction_start, 0, "TRANSACTION_START" },
	[XS_TRANSACTION_END] = { do_transaction_end, OP_TXN | OP_MUTATES,
				 "TRANSACTION_END" },
	[XS_INTRODUCE] = { do_introduce, OP_PRIV | OP_MUTATES, "INTRODUCE" },
	[XS_RELEASE] = { do_release, OP_PRIV | OP_MUTATES, "RELEASE" },
	[XS_GET_DOMAIN_PATH] = { do_get_domain_path, 0, "GET_DOMAIN_PATH" },
	[XS_WRITE] = { do_write, OP_TXN | OP_MUTATES, "WRITE" },
	[XS_MKDIR] = { do_mkdir, OP_TXN | OP_MUTATES, "MKDIR" },
	[XS_RM] = { do_rm, OP_TXN | OP_MUTATES, "RM" },
	[XS_SET_PERMS] = { do_set_perms, OP_TXN | OP_MUTATES, "SET_PERMS" },
	[XS_WATCH_EVENT] = { do_invalid, 0, "WATCH_EVENT" },
	[XS_ERROR] = { do_invalid, 0, "ERROR" },
	[XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, OP_PRIV,
				      "IS_DOMAIN_INTRODUCED" },
	[XS_RESUME] = { do_resume, OP_PRIV, "RESUME" },
	[XS_SET_TARGET] = { do_set_target, OP_PRIV | OP_MUTATES, "SET_TARGET" },
	[XS_RESET_WATCHES] = { do_reset_watches, OP_PERSIST, "RESET_WATCHES" },
	[XS_DIRECTORY_PART] = { do_directory_part, OP_TXN, "DIRECTORY_PART" },
};

static bool req_id_in_flight(struct conn *c, uint32_t req_id)
{
	for (struct outmsg *m = c->out_head; m; m = m->next)
		if (!m->is_event && m->req_id == req_id)
			return true;
	return false;
}

void conn_dispatch(struct conn *c, const struct xsd_sockmsg *hdr, char *payload)
{
	struct daemon *d = c->d;
	struct req r = { .c = c, .d = d, .hdr = hdr, .payload = payload,
			 .len = hdr->len };
	const struct op *op = hdr->type < XS_TYPE_COUNT ? &op_table[hdr->type]
							: NULL;
	const char *err_name;
	int err;

	if (!op || !op->fn) {
		xsd_log("%s: unknown message type %u: EINVAL", c->name,
			hdr->type);
		err = EINVAL;
		goto error;
	}
	if (req_id_in_flight(c, hdr->req_id)) {
		xsd_log("%s: %s reuses request id %u whose reply is still pending: EINVAL",
			c->name, op->name, hdr->req_id);
		err = EINVAL;
		goto error;
	}
	if ((op->flags & OP_PRIV) && !c->privileged) {
		err = EACCES;
		goto error;
	}
	if ((op->flags & OP_TXN) && hdr->tx_id) {
		r.tx = conn_find_txn(c, hdr->tx_id);
		if (!r.tx) {
			/* Transactions do not survive a restart; the client
			 * retries the whole transaction on EAGAIN. */
			err = hdr->tx_id < d->txid_floor ? EAGAIN : ENOENT;
			goto error;
		}
	}
	r.v.st = &d->st;
	r.v.tx = r.tx;
	if (((op->flags & OP_MUTATES) && !r.tx) ||
	    ((op->flags & OP_PERSIST) && c->dom))
		daemon_mark_dirty(d);
	err = op->fn(&r);
	if (err)
		goto error;
	if (!r.replied)
		conn_queue(c, hdr->type, hdr->req_id, hdr->tx_id, r.reply.p,
			   r.reply.len, false);
	buf_free(&r.reply);
	return;
error:
	buf_free(&r.reply);
	xsd_debug("%s: %s -> %s", c->name, op ? op->name : "?",
		  xs_errname(err));
	err_name = xs_errname(err);
	conn_queue(c, XS_ERROR, hdr->req_id, hdr->tx_id, err_name,
		   strlen(err_name) + 1, false);
}
