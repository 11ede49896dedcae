// SPDX-License-Identifier: GPL-2.0-only
/* Handlers for transactions, domain management (introduce, release, resume,
 * set_target, domain paths) and the CONTROL command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"

static int domid_arg(const char *s, uint32_t *domid)
{
	uint64_t v;

	if (!parse_u64(s, DOMID_LIMIT - 1, &v))
		return EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

static int one_domid(struct req *r, uint32_t *domid)
{
	char *arg;

	if (req_args(r, &arg, 1) != 1)
		return EINVAL;
	return domid_arg(arg, domid);
}

int do_transaction_start(struct req *r)
{
	struct conn *c = r->c;
	struct txn *t;
	char id[16];

	if (r->hdr->tx_id)
		return EBUSY;
	if (!c->privileged && c->ntxns >= r->d->q.txns_per_conn)
		return ENOSPC;
	do {
		if (++r->d->next_txid == 0)
			r->d->next_txid = 1;
	} while (conn_find_txn(c, r->d->next_txid));
	t = txn_new(c, r->d->next_txid);
	t->next = c->txns;
	c->txns = t;
	c->ntxns++;
	snprintf(id, sizeof(id), "%u", t->id);
	buf_adds(&r->reply, id);
	return 0;
}

int do_transaction_end(struct req *r)
{
	struct conn *c = r->c;
	struct txn *t = r->tx, **pp;
	char *arg;
	int err = 0;

	if (!t)
		return ENOENT;
	if (req_args(r, &arg, 1) != 1 || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	for (pp = &c->txns; *pp != t; pp = &(*pp)->next)
		;
	*pp = t->next;
	c->ntxns--;
	if (!strcmp(arg, "T")) {
		daemon_mark_dirty(r->d);
		err = txn_commit(&r->d->st, t);
		for (size_t i = 0; !err && i < t->nevents; i++)
			watch_fire(r->d, t->events[i].path,
				   t->events[i].recursive, t->events[i].perms,
				   t->events[i].nperms);
	}
	txn_free(t);
	if (!err)
		reply_ok(r);
	return err;
}

int do_introduce(struct req *r)
{
	char *argv[3];
	uint32_t domid;
	uint64_t gfn, port;
	int err;

	if (req_args(r, argv, 3) != 3)
		return EINVAL;
	if ((err = domid_arg(argv[0], &domid)))
		return err;
	if (!parse_u64(argv[1], UINT64_MAX, &gfn) ||
	    !parse_u64(argv[2], UINT32_MAX, &port))
		return EINVAL;
	/* dom0 speaks through its kernel's ring, which is not introduced. */
	if (domid == 0)
		return EINVAL;
	err = domain_introduce(r->d, domid, gfn, (uint32_t)port, false);
	if (!err)
		reply_ok(r);
	return err;
}

int do_release(struct req *r)
{
	uint32_t domid;
	int err;

	if ((err = one_domid(r, &domid)))
		return err;
	err = domain_release(r->d, domid);
	if (!err)
		reply_ok(r);
	return err;
}

int do_get_domain_path(struct req *r)
{
	uint32_t domid;
	char path[32];
	int err;

	if ((err = one_domid(r, &domid)))
		return err;
	snprintf(path, sizeof(path), "/local/domain/%u", domid);
	buf_adds(&r->reply, path);
	return 0;
}

int do_is_domain_introduced(struct req *r)
{
	uint32_t domid;
	int err;

	if ((err = one_domid(r, &domid)))
		return err;
	buf_adds(&r->reply, domid == 0 || domain_find(r->d, domid) ? "T" : "F");
	return 0;
}

int do_resume(struct req *r)
{
	struct domain *dom;
	uint32_t domid;
	int err;

	if ((err = one_domid(r, &domid)))
		return err;
	dom = domain_find(r->d, domid);
	if (!dom)
		return ENOENT;
	dom->shutdown = false;
	reply_ok(r);
	return 0;
}

int do_set_target(struct req *r)
{
	struct domain *dom;
	uint32_t domid, target;
	char *argv[2];
	int err;

	if (req_args(r, argv, 2) != 2)
		return EINVAL;
	if ((err = domid_arg(argv[0], &domid)) ||
	    (err = domid_arg(argv[1], &target)))
		return err;
	dom = domain_find(r->d, domid);
	if (!dom || !dom->conn)
		return ENOENT;
	dom->conn->target = target;
	reply_ok(r);
	return 0;
}

static int control_quota(struct req *r)
{
	const struct quota *q = &r->d->q;
	char s[256];

	snprintf(s, sizeof(s),
		 "nodes-per-domain %u\nnode-size %u\nwatches %u\n"
		 "transactions %u\noutstanding %u\n",
		 q->nodes_per_domain, q->node_size, q->watches_per_conn,
		 q->txns_per_conn, q->outstanding_per_conn);
	buf_adds(&r->reply, s);
	return 0;
}

int do_control(struct req *r)
{
	char *argv[2];
	int argc = req_args(r, argv, 2);

	if (argc < 1)
		return EINVAL;
	if (!strcmp(argv[0], "check")) {
		reply_ok(r);
		return 0;
	}
	if (!strcmp(argv[0], "print") && argc == 2) {
		xsd_log("%s: print: %s", r->c->name, argv[1]);
		reply_ok(r);
		return 0;
	}
	if (!strcmp(argv[0], "quota") && argc == 1)
		return control_quota(r);
	if (!strcmp(argv[0], "help")) {
		buf_adds(&r->reply, "check\nprint <string>\nquota\nhelp\n");
		return 0;
	}
	return EINVAL;
}
