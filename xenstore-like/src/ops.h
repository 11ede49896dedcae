/* SPDX-License-Identifier: GPL-2.0-only */
/* Request context and handler table shared by the request handlers. */
#ifndef KEELSTORED_OPS_H
#define KEELSTORED_OPS_H

#include "xsd.h"

struct req {
	struct conn *c;
	struct daemon *d;
	const struct xsd_sockmsg *hdr;
	char *payload; /* NUL-terminated one past len */
	uint32_t len;
	struct txn *tx;
	struct view v;
	struct buf reply;
	bool replied; /* the handler queued its own reply */
};

#define OP_PRIV 1U /* privileged connections only */
#define OP_TXN 2U /* takes part in the transaction named by tx_id */
#define OP_MUTATES 4U /* changes persistent state: reply after it is durable */
#define OP_PERSIST 8U /* changes a ring connection's persisted watches */

struct op {
	int (*fn)(struct req *r); /* 0 with reply filled in, or an errno */
	unsigned flags;
	const char *name;
};

extern const struct op op_table[XS_TYPE_COUNT];

int req_args(struct req *r, char **argv, int max);
void reply_ok(struct req *r);

int do_transaction_start(struct req *r);
int do_transaction_end(struct req *r);
int do_introduce(struct req *r);
int do_release(struct req *r);
int do_get_domain_path(struct req *r);
int do_is_domain_introduced(struct req *r);
int do_resume(struct req *r);
int do_set_target(struct req *r);
int do_control(struct req *r);

#endif /* KEELSTORED_OPS_H */
