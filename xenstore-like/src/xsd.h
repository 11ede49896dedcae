/* SPDX-License-Identifier: GPL-2.0-only */
/* keelstored internals: the node tree, transactions, permissions, watches,
 * connections and domains, and the contracts between them. */
#ifndef KEELSTORED_XSD_H
#define KEELSTORED_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../hypervisor/include/public/io/xs_wire.h"

#define DOMID_LIMIT 0x7ff0U /* first reserved domid (DOMID_FIRST_RESERVED) */
#define DOMID_NONE 0xffffffffU

/* ------------------------------------------------------------ util.c */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xmemdup(const void *p, size_t n);
void xsd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool xsd_verbose;
extern bool xsd_quiet; /* fuzzing: no logs at all */
#define xsd_debug(...) do { if (xsd_verbose) xsd_log(__VA_ARGS__); } while (0)

struct buf {
	char *p;
	size_t len, cap;
};
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s); /* with its NUL */
void buf_free(struct buf *b);

/* Parses a decimal domid / port / gfn; false on junk, sign or overflow. */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);
const char *xs_errname(int err);

/* ------------------------------------------------------------ tree.c */
#define PERM_NONE 0U
#define PERM_READ 1U
#define PERM_WRITE 2U
#define PERM_BOTH 3U

struct xs_perm {
	uint32_t id;
	uint32_t perm;
};

struct node {
	char *path;
	struct node *hnext;
	char *value;
	uint32_t vlen;
	uint32_t nperms;
	struct xs_perm *perms; /* [0] = owner + everyone's default */
	char **children; /* names, in creation order */
	uint32_t nchildren, cchildren;
	uint64_t gen; /* generation of last change; 0 = "absent" marker */
	bool deleted; /* transaction overlay: node removed in this txn */
	bool dirty; /* transaction overlay: to be written at commit */
};

struct nodemap {
	struct node **buckets;
	size_t nbuckets, count;
};

void nodemap_init(struct nodemap *m);
void nodemap_free(struct nodemap *m); /* frees the nodes too */
struct node *nodemap_find(const struct nodemap *m, const char *path);
void nodemap_insert(struct nodemap *m, struct node *n);
struct node *nodemap_remove(struct nodemap *m, const char *path);
#define nodemap_for_each(m, i, n)                        \
	for (size_t i = 0; i < (m)->nbuckets; i++)       \
		for (struct node *n = (m)->buckets[i]; n; n = n->hnext)

struct node *node_new(const char *path);
struct node *node_clone(const struct node *n);
void node_free(struct node *n);
void node_set_value(struct node *n, const void *v, uint32_t len);
void node_set_perms(struct node *n, const struct xs_perm *p, uint32_t np);
void node_add_child(struct node *n, const char *name);
void node_del_child(struct node *n, const char *name);
const char *path_basename(const char *path);
/* Parent path into out (caller's buffer of >= strlen(path)+1); false for "/". */
bool path_parent(const char *path, char *out);
/* Is path equal to or below dir? */
bool path_is_under(const char *path, const char *dir);

/* ------------------------------------------------------------ store.c */
struct txn;

struct store {
	struct nodemap nodes;
	uint64_t gen; /* last generation handed out */
	uint32_t *owned; /* nodes owned, indexed by domid (< DOMID_LIMIT) */
};

void store_init(struct store *st);
void store_init_root(struct store *st);
void store_free(struct store *st);
/* Inserts a node that must not exist yet; used by the initial tree and the
 * state loader (parents first). */
void store_insert_loaded(struct store *st, struct node *n);

/* A view of the store: the tree itself, or a transaction's snapshot of it. */
struct view {
	struct store *st;
	struct txn *tx;
};

const struct node *view_get(struct view *v, const char *path);
/* Writable node; the caller changes it in place. NULL if absent. */
struct node *view_modify(struct view *v, const char *path);
/* Creates path (parent must exist), perms copied. */
struct node *view_create(struct view *v, const char *path,
			 const struct xs_perm *perms, uint32_t nperms);
/* Removes path and everything below it; path must exist and not be "/". */
void view_delete(struct view *v, const char *path);
uint32_t store_owned(struct store *st, uint32_t domid);

/* ------------------------------------------------------------ txn.c */
struct watch_event_rec {
	char *path;
	bool recursive;
	struct xs_perm *perms;
	uint32_t nperms;
};

struct txn {
	uint32_t id;
	struct conn *conn;
	struct txn *next;
	struct nodemap overlay; /* nodes written, or deleted, in this txn */
	struct nodemap reads; /* path -> generation seen (0 = absent) */
	struct watch_event_rec *events;
	size_t nevents, cevents;
};

struct txn *txn_new(struct conn *c, uint32_t id);
void txn_free(struct txn *t);
void txn_record_read(struct txn *t, const char *path, const struct node *cur);
void txn_add_event(struct txn *t, const char *path, bool recursive,
		   const struct node *n);
/* Validates and applies; returns 0 or EAGAIN. Does not free t. */
int txn_commit(struct store *st, struct txn *t);

/* ------------------------------------------------------------ perms.c */
struct conn;
bool perm_parse(const char *s, struct xs_perm *out);
int perm_format(const struct xs_perm *p, char *out, size_t len);
unsigned perm_access(const struct conn *c, const struct xs_perm *p,
		     uint32_t np);

/* ------------------------------------------------------------ conn.c */
struct daemon;
struct domain;

struct outmsg {
	struct outmsg *next;
	uint64_t epoch; /* held back until the state of this epoch is durable */
	bool is_event;
	uint32_t req_id;
	size_t len;
	char data[];
};

struct transport_ops {
	/* >0 bytes moved, 0 = would block, <0 = connection is dead. */
	ssize_t (*recv)(struct conn *c, void *buf, size_t len);
	ssize_t (*send)(struct conn *c, const void *buf, size_t len);
	void (*kick)(struct conn *c); /* after a batch: signal the peer */
	void (*destroy)(struct conn *c);
	/* Peer did something the protocol forbids (xs_wire XENSTORE_ERROR_*). */
	void (*fatal)(struct conn *c, uint32_t why);
};

struct conn {
	struct daemon *d;
	const struct transport_ops *tops;
	struct conn *next, *prev;
	int fd; /* socket, or -1 */
	struct domain *dom; /* ring connections */
	uint32_t domid;
	uint32_t target; /* DOMID_NONE unless set_target made us a device model */
	bool privileged;
	bool dead; /* stop all I/O; freed at the end of the loop iteration */
	bool broken; /* ring peer misbehaved: ignore it until released */
	char name[40]; /* for logs */

	struct xsd_sockmsg hdr;
	uint32_t in_got; /* bytes of header+payload received */
	char *payload; /* XENSTORE_PAYLOAD_MAX + 1 */

	struct outmsg *out_head, *out_tail;
	size_t out_off; /* sent bytes of out_head */
	unsigned out_replies, out_events;
	size_t out_bytes;

	struct txn *txns;
	unsigned ntxns;
	unsigned nwatches;

	uint32_t ep_mask; /* sockets: events registered with epoll */
	bool on_flush;
	bool more_input; /* stopped early: come back next turn */
	struct conn *flush_next;
};

struct conn *conn_new(struct daemon *d, const struct transport_ops *t,
		      uint32_t domid, const char *name);
void conn_close(struct conn *c, const char *why);
void conn_free(struct conn *c);
/* Reads and handles what the peer sent, a bounded amount per call. */
void conn_handle_input(struct conn *c);
/* Sends what may be sent now. */
void conn_flush(struct conn *c);
void conn_queue(struct conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
		const void *payload, size_t len, bool is_event);
void conn_queue_event(struct conn *c, const char *path, const char *token);
bool conn_wants_input(const struct conn *c);
struct txn *conn_find_txn(struct conn *c, uint32_t id);
void conn_drop_txns(struct conn *c);
/* Hands one complete message to the dispatcher (exposed for tests/fuzz). */
void conn_dispatch(struct conn *c, const struct xsd_sockmsg *hdr, char *payload);

/* ------------------------------------------------------------ watch.c */
struct watch {
	struct watch *next, *prev;
	struct conn *conn;
	char *path; /* absolute, or @special */
	char *token;
	bool relative;
};

int watch_add(struct conn *c, const char *abspath, const char *token,
	      bool relative, bool fire_now);
int watch_remove(struct conn *c, const char *abspath, const char *token);
void watch_remove_conn(struct conn *c);
/* A node at path changed (recursive: path and its subtree were removed). */
void watch_fire(struct daemon *d, const char *path, bool recursive,
		const struct xs_perm *perms, uint32_t nperms);
void watch_fire_special(struct daemon *d, const char *name);

/* ------------------------------------------------------------ ops.c */
/* Canonicalises a request path into out (absolute); 0 or errno. */
int path_canon(const struct conn *c, const char *in, char *out, size_t outlen,
	       bool allow_special);

/* ------------------------------------------------------------ ring.c */
struct ring_backend_ops;

/* Byte transfer over the shared page; -1 on broken indexes (peer's fault). */
ssize_t ring_read_req(struct xenstore_domain_interface *r, void *buf,
		      size_t len);
ssize_t ring_write_rsp(struct xenstore_domain_interface *r, const void *buf,
		       size_t len);
extern const struct transport_ops ring_transport;

/* ------------------------------------------------------------ domain.c */
struct domain {
	struct domain *next;
	uint32_t domid;
	uint64_t gfn;
	uint32_t remote_port;
	uint32_t local_port;
	bool kernel; /* dom0's own kernel xenbus ring, not introduced */
	bool shutdown;
	bool io; /* ring moved since the last notify */
	struct xenstore_domain_interface *iface;
	struct conn *conn;
};

struct domain *domain_find(struct daemon *d, uint32_t domid);
struct domain *domain_by_port(struct daemon *d, uint32_t local_port);
int domain_introduce(struct daemon *d, uint32_t domid, uint64_t gfn,
		     uint32_t port, bool restoring);
int domain_release(struct daemon *d, uint32_t domid);
int domain_attach_kernel(struct daemon *d);
void domain_evtchn_ready(struct daemon *d);
void domain_free_all(struct daemon *d);

/* ------------------------------------------------------------ backend */
/* How the daemon reaches rings and event channels: /dev/xen in dom0, in-process
 * fakes in tests. All return 0 or a negative errno. */
struct ring_backend_ops {
	int (*map_ring)(void *ctx, uint32_t domid, uint64_t gfn, void **page);
	void (*unmap_ring)(void *ctx, uint32_t domid, void *page);
	int (*bind)(void *ctx, uint32_t domid, uint32_t remote_port,
		    uint32_t *local_port);
	void (*unbind)(void *ctx, uint32_t local_port);
	int (*notify)(void *ctx, uint32_t local_port);
	/* One fd that becomes readable when any bound port fires. */
	int (*event_fd)(void *ctx);
	/* Next fired port (and re-arm it); -EAGAIN when none. */
	int (*next_event)(void *ctx, uint32_t *port);
	/* dom0's kernel xenbus ring page and its (already bound) local port. */
	int (*kernel_ring)(void *ctx, void **page, uint32_t *local_port);
};
extern const struct ring_backend_ops xen_ring_backend;
extern const struct ring_backend_ops null_ring_backend;
void *xen_ring_backend_open(const char **err);

/* ------------------------------------------------------------ daemon.c */
struct quota {
	uint32_t nodes_per_domain;
	uint32_t node_size;
	uint32_t watches_per_conn;
	uint32_t txns_per_conn;
	uint32_t outstanding_per_conn;
	size_t out_bytes_max; /* queued output beyond which a peer is dropped */
};

struct daemon {
	struct store st;
	struct conn *conns;
	struct watch *watches;
	struct domain *domains;
	const struct ring_backend_ops *rb;
	void *rb_ctx;
	struct quota q;
	int epfd;
	int listen_fd;
	char *socket_path;
	char *state_path; /* NULL: no persistence */
	bool fsync; /* survive host crashes too, not only daemon crashes */
	uint64_t dirty_epoch, durable_epoch;
	uint32_t next_txid;
	uint32_t txid_floor; /* txids below this died in an earlier run */
	struct conn *flush_list;
	bool more_input; /* some connection has more_input set */
	bool listen_paused; /* out of fds: not accepting for now */
	bool stop;
};

void daemon_init(struct daemon *d);
void daemon_fini(struct daemon *d);
void daemon_mark_dirty(struct daemon *d);
void daemon_want_flush(struct daemon *d, struct conn *c);
/* Makes dirty state durable, then sends whatever waited for it. */
int daemon_sync_and_flush(struct daemon *d);
int daemon_listen(struct daemon *d, const char *path);
int daemon_add_socket_conn(struct daemon *d, int fd);
/* One round of the event loop; timeout_ms as for epoll_wait. */
int daemon_run_once(struct daemon *d, int timeout_ms);
void daemon_update_epoll(struct conn *c);
int daemon_watch_evtchn(struct daemon *d);

/* ------------------------------------------------------------ persist.c */
int persist_save(struct daemon *d);
int persist_load(struct daemon *d); /* 0, or -ENOENT if no state file */

#endif /* KEELSTORED_XSD_H */
