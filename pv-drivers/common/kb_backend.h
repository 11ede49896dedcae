/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback: a dom0 backend daemon's control side. It watches
 * /local/domain/0/backend/<type>/ in keelstored (through libkeelstore) for
 * devices appearing and disappearing, and runs the xenbus state machine of
 * each device (xen-pvh-abi.md §8.4): the backend writes only its own
 * `state`, watches the frontend's. The driver (blkback, netback) supplies
 * four callbacks; all of them and every kb_dev_* store helper run on the
 * thread that called kb_backend_run(), which alone talks to the store. The
 * data path lives in the driver's own threads; from there a driver may
 * only call kb_device_fatal() (and log).
 *
 * Life of a device, as the framework drives it:
 *   backend dir appears   -> probe()      -> state 2 InitWait
 *   frontend 3 or 4       -> connect()    -> state 4 Connected
 *   frontend 5 / 6 / gone -> disconnect() -> state 5 / 6
 *   frontend 1 after 6    -> probe() again -> 2 (the frontend reconnects)
 *   kb_device_fatal()     -> disconnect(), `error` node, state 5 Closing
 *   online=0 (toolstack)  -> disconnect(), state 5 Closing
 *   backend dir removed   -> disconnect() if connected, then remove()
 */
#ifndef KB_BACKEND_H
#define KB_BACKEND_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "kb_log.h"

struct ks_handle;
struct kb_backend;

/* enum xenbus_state */
enum kb_xenbus_state {
	KB_STATE_UNKNOWN = 0,
	KB_STATE_INITIALISING = 1,
	KB_STATE_INITWAIT = 2,
	KB_STATE_INITIALISED = 3,
	KB_STATE_CONNECTED = 4,
	KB_STATE_CLOSING = 5,
	KB_STATE_CLOSED = 6,
	KB_STATE_RECONFIGURING = 7,
	KB_STATE_RECONFIGURED = 8,
};

struct kb_device {
	struct kb_backend *be;
	uint32_t domid; /* the frontend's domain */
	uint32_t devid; /* the device's number (vbd: virtual-device, vif: handle) */
	const char *type; /* "vbd", "vif" */
	char be_path[128]; /* /local/domain/0/backend/<type>/<domid>/<devid> */
	char fe_path[128]; /* the backend dir's `frontend` */
	int state; /* what we last wrote to be_path/state */
	int fe_state; /* the frontend's state as last read, -1 if missing */
	bool connected; /* connect() succeeded, disconnect() not yet called */
	void *priv; /* the driver's */

	/* Private to the framework. */
	struct kb_device *next;
	bool probed;
	bool fatal_pending; /* guarded by the backend's fatal lock */
	char fatal_reason[256];
	char fail_reason[192]; /* kb_dev_fail's, for `error`; control thread */
	char token[64];
	struct kb_ratelimit log_limit; /* kb_dev_log's, under the backend's log_lock */
};

struct kb_backend_ops {
	const char *type; /* the backend directory's name: "vbd", "vif" */
	/* A new device (or a frontend starting over): read the backend dir
	 * (params, mode...), write the features the frontend reads before it
	 * connects. 0 -> the framework switches to InitWait; -EAGAIN -> the
	 * directory is not complete yet (the toolstack is still writing it):
	 * probe() is called again on its next change; another error -> the
	 * device goes to Closed with `error` set (log the reason first). */
	int (*probe)(struct kb_device *d);
	/* The frontend published its rings: read them (kb_dev_fe_read*), map,
	 * bind, start the data path, write what the frontend reads on connect.
	 * 0 -> Connected; an error -> Closing (the framework calls nothing
	 * else: connect() must undo its own partial work). */
	int (*connect)(struct kb_device *d);
	/* Stop the data path, unmap and unbind. Only called while connected. */
	void (*disconnect)(struct kb_device *d);
	/* The device is gone: free priv. Called once, after disconnect(). */
	void (*remove)(struct kb_device *d);
};

/* Creates a backend of ops->type talking to the store at socket_path (NULL:
 * $XENSTORED_PATH or /run/xenstored/socket). 0 or a negative errno. */
int kb_backend_new(const struct kb_backend_ops *ops, const char *socket_path,
		   struct kb_backend **out);

/* Serves devices until kb_backend_stop(). Waits for the store if it is not
 * up yet and rides out its restarts. On return every device has been
 * disconnected (their store states are left as they were, so a restarted
 * daemon picks them up again). Returns 0 or a negative errno. */
int kb_backend_run(struct kb_backend *be);

/* Makes kb_backend_run() return soon. Async-signal-safe. */
void kb_backend_stop(struct kb_backend *be);

/* Frees the backend (after kb_backend_run() returned). */
void kb_backend_free(struct kb_backend *be);

/* A backend daemon's whole main(): -s STORE_SOCKET, -v, SIGTERM/SIGINT stop
 * it, then kb_backend_new/run/free with @ops. Returns the exit status. */
int kb_daemon_main(const char *prog, const struct kb_backend_ops *ops, int argc, char **argv);

/* The store handle of the control thread (for anything the helpers below
 * do not cover). Control thread only. */
struct ks_handle *kb_backend_store(struct kb_backend *be);

/* Reads be_path/key (kb_dev_read) or fe_path/key (kb_dev_fe_read) into a
 * malloc'ed string. 0 or a negative errno (-ENOENT if missing). */
int kb_dev_read(struct kb_device *d, const char *key, char **val);
int kb_dev_fe_read(struct kb_device *d, const char *key, char **val);

/* Reads an unsigned decimal number; -EINVAL if the value is not one. */
int kb_dev_read_uint(struct kb_device *d, const char *key, unsigned long *val);
int kb_dev_fe_read_uint(struct kb_device *d, const char *key, unsigned long *val);

/* Writes be_path/key = printf(fmt, ...), as long as be_path exists (it is
 * never recreated once the toolstack removed it). 0 or a negative errno
 * (-ENOENT: the directory is gone). */
int kb_dev_write(struct kb_device *d, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes be_path/state and remembers it in d->state. */
int kb_dev_switch_state(struct kb_device *d, enum kb_xenbus_state state);

/* Logs "dDOMID TYPE DEVID: message". Any thread. */
void kb_dev_log(const struct kb_device *d, enum kb_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* From probe() or connect(), before they return an error: logs "dD TYPE
 * N: <reason>" as an error, and the framework writes the same reason to
 * be_path/error ("connect failed: <reason>") instead of only the errno's
 * name, so the frontend's side sees the cause too. Control thread only. */
void kb_dev_fail(struct kb_device *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* From any thread (typically a data-path thread that found the frontend
 * misbehaving): logs "dD TYPE N: <reason>: disconnecting" and asks the
 * control thread to disconnect the device and move it to Closing, with the
 * reason in be_path/error. The caller should stop using the rings; its
 * thread is stopped by the driver's disconnect(). The first reason wins. */
void kb_device_fatal(struct kb_device *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* KB_BACKEND_H */
