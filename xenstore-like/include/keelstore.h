/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelstore: client library for keelstored (and any xenstored speaking the
 * Xen wire protocol over a unix socket). Not thread-safe: one handle per
 * thread. Every function returns 0 or a negative errno. */
#ifndef KEELSTORE_H
#define KEELSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ks_handle;
typedef uint32_t ks_txn_t;
#define KS_NO_TXN 0U

#define KS_PERM_NONE 0U
#define KS_PERM_READ 1U
#define KS_PERM_WRITE 2U
#define KS_PERM_BOTH 3U

struct ks_perm {
	uint32_t domid;
	uint32_t perm; /* KS_PERM_* */
};

/* socket_path NULL: $XENSTORED_PATH, else /run/xenstored/socket. If the
 * daemon restarts, the request in flight fails with -ECONNRESET and the
 * next call reconnects (watches are registered again and fire once). */
int ks_open(const char *socket_path, struct ks_handle **out);
void ks_close(struct ks_handle *h);

/* *val is malloc'ed and NUL-terminated (len excludes the NUL). */
int ks_read(struct ks_handle *h, ks_txn_t t, const char *path, char **val,
	    size_t *len);
int ks_write(struct ks_handle *h, ks_txn_t t, const char *path,
	     const void *val, size_t len);
int ks_mkdir(struct ks_handle *h, ks_txn_t t, const char *path);
int ks_rm(struct ks_handle *h, ks_txn_t t, const char *path);
/* *names is one malloc'ed block: free(*names) releases everything. */
int ks_directory(struct ks_handle *h, ks_txn_t t, const char *path,
		 char ***names, unsigned *n);
int ks_get_perms(struct ks_handle *h, ks_txn_t t, const char *path,
		 struct ks_perm **perms, unsigned *n);
int ks_set_perms(struct ks_handle *h, ks_txn_t t, const char *path,
		 const struct ks_perm *perms, unsigned n);

int ks_transaction_start(struct ks_handle *h, ks_txn_t *t);
/* commit=false aborts. -EAGAIN: someone else changed what t used. */
int ks_transaction_end(struct ks_handle *h, ks_txn_t t, bool commit);
/* Runs fn inside a transaction and commits, starting over on -EAGAIN (from
 * fn or from the commit) up to max_tries times. fn returning another error
 * aborts the transaction and returns that error. */
int ks_transaction(struct ks_handle *h,
		   int (*fn)(struct ks_handle *h, ks_txn_t t, void *arg),
		   void *arg, unsigned max_tries);

/* Watches live on a second connection whose fd can be polled. Each watch
 * fires once when registered. After poll() reports the fd readable, call
 * ks_read_watch until it returns -EAGAIN. */
int ks_watch(struct ks_handle *h, const char *path, const char *token);
int ks_unwatch(struct ks_handle *h, const char *path, const char *token);
int ks_watch_fd(struct ks_handle *h);
/* *path and *token share one malloc'ed block: free(*path) releases both. */
int ks_read_watch(struct ks_handle *h, char **path, char **token);

int ks_introduce(struct ks_handle *h, uint32_t domid, uint64_t gfn,
		 uint32_t port);
int ks_release(struct ks_handle *h, uint32_t domid);
int ks_resume(struct ks_handle *h, uint32_t domid);
int ks_set_target(struct ks_handle *h, uint32_t domid, uint32_t target);
int ks_is_domain_introduced(struct ks_handle *h, uint32_t domid, bool *yes);
/* *path malloc'ed. */
int ks_get_domain_path(struct ks_handle *h, uint32_t domid, char **path);
int ks_reset_watches(struct ks_handle *h);
/* arg may be NULL; *out malloc'ed (may be NULL if not wanted). */
int ks_control(struct ks_handle *h, const char *cmd, const char *arg,
	       char **out);

/* Any request: payload of len bytes; reply malloc'ed, NUL-terminated. */
int ks_request(struct ks_handle *h, uint32_t type, ks_txn_t t,
	       const void *payload, size_t len, char **reply, size_t *rlen);

#endif /* KEELSTORE_H */
