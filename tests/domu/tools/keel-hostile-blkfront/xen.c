// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-blkfront's plumbing: xenstore messages through the guest
 * kernel's /dev/xen/xenbus (the wire format of io/xs_wire.h), pages
 * granted with /dev/xen/gntalloc, event channels through /dev/xen/evtchn,
 * and the frontend's side of the shared ring. Everything the backend
 * writes (rsp_prod, its state) is read and checked, never trusted. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "hostile.h"
#include "public/io/xs_wire.h"

/* Linux's user-space ABI (include/uapi/xen/gntalloc.h, evtchn.h). */
struct gntalloc_alloc_gref {
	uint16_t domid;
	uint16_t flags;
	uint32_t count;
	uint64_t index; /* OUT: mmap offset */
	uint32_t gref_ids[1]; /* OUT: count of them */
};
#define GNTALLOC_FLAG_WRITABLE 1
#define IOCTL_GNTALLOC_ALLOC_GREF _IOC(_IOC_NONE, 'G', 5, sizeof(struct gntalloc_alloc_gref))
#define IOCTL_EVTCHN_BIND_UNBOUND_PORT _IOC(_IOC_NONE, 'E', 2, sizeof(uint32_t))
#define IOCTL_EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(uint32_t))
#define IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(uint32_t))

#define ring_load(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define ring_store(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define ring_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)

static int xs_fd = -1, gnt_fd = -1, evt_fd = -1;
static uint32_t xs_req_id;

/* ---- xenstore ---- */

int xs_open(void)
{
	xs_fd = open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
	if (xs_fd < 0) {
		printf("cannot open /dev/xen/xenbus: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* One request, one reply (we register no watches, so nothing else comes).
 * Returns the reply's payload (NUL-terminated, malloc'ed) or NULL with
 * errno: an XS_ERROR reply becomes ENOENT/EACCES/EINVAL/EIO. */
static char *xs_talk(uint32_t type, const char *a, size_t alen, const char *b, size_t blen)
{
	struct xsd_sockmsg msg = { type, ++xs_req_id, 0, (uint32_t)(alen + blen) };
	char out[sizeof(msg) + 1024], *payload;

	if (alen + blen > sizeof(out) - sizeof(msg)) {
		errno = E2BIG;
		return NULL;
	}
	memcpy(out, &msg, sizeof(msg));
	memcpy(out + sizeof(msg), a, alen);
	memcpy(out + sizeof(msg) + alen, b, blen);
	if (write(xs_fd, out, sizeof(msg) + alen + blen) != (ssize_t)(sizeof(msg) + alen + blen))
		return NULL;
	if (read_full(xs_fd, &msg, sizeof(msg)) || msg.len > XENSTORE_PAYLOAD_MAX) {
		errno = EIO;
		return NULL;
	}
	payload = calloc(1, msg.len + 1);
	if (!payload || read_full(xs_fd, payload, msg.len)) {
		free(payload);
		errno = EIO;
		return NULL;
	}
	if (msg.type == XS_ERROR) {
		errno = EIO;
		if (!strcmp(payload, "ENOENT"))
			errno = ENOENT;
		else if (!strcmp(payload, "EACCES"))
			errno = EACCES;
		else if (!strcmp(payload, "EINVAL"))
			errno = EINVAL;
		free(payload);
		return NULL;
	}
	if (msg.type != type) {
		free(payload);
		errno = EPROTO;
		return NULL;
	}
	return payload;
}

char *xs_read(const char *path)
{
	return xs_talk(XS_READ, path, strlen(path) + 1, "", 0);
}

int xs_write(const char *path, const char *val)
{
	char *r = xs_talk(XS_WRITE, path, strlen(path) + 1, val, strlen(val));

	free(r);
	return r ? 0 : -1;
}

int xs_rm(const char *path)
{
	char *r = xs_talk(XS_RM, path, strlen(path) + 1, "", 0);

	free(r);
	return r || errno == ENOENT ? 0 : -1;
}

int xs_read_uint(const char *path, unsigned long *val)
{
	char *s = xs_read(path), *end;
	int ret = -1;

	if (!s)
		return -1;
	errno = 0;
	*val = strtoul(s, &end, 10);
	if (*s >= '0' && *s <= '9' && !*end && !errno)
		ret = 0;
	free(s);
	return ret;
}

/* ---- grants ---- */

int gnt_share(uint16_t domid, bool writable, unsigned n, void **mem, uint32_t *refs)
{
	size_t sz = sizeof(struct gntalloc_alloc_gref) + n * sizeof(uint32_t);
	struct gntalloc_alloc_gref *op = calloc(1, sz);
	void *m;

	if (!op)
		return -1;
	if (gnt_fd < 0)
		gnt_fd = open("/dev/xen/gntalloc", O_RDWR | O_CLOEXEC);
	if (gnt_fd < 0) {
		printf("cannot open /dev/xen/gntalloc: %s\n", strerror(errno));
		free(op);
		return -1;
	}
	op->domid = domid;
	op->flags = writable ? GNTALLOC_FLAG_WRITABLE : 0;
	op->count = n;
	if (ioctl(gnt_fd, IOCTL_GNTALLOC_ALLOC_GREF, op)) {
		printf("cannot grant %u pages to domain %u: %s\n", n, domid, strerror(errno));
		free(op);
		return -1;
	}
	m = mmap(NULL, (size_t)n * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, gnt_fd,
		 (off_t)op->index);
	if (m == MAP_FAILED) {
		printf("cannot map %u granted pages: %s\n", n, strerror(errno));
		free(op);
		return -1;
	}
	memcpy(refs, op->gref_ids, n * sizeof(uint32_t));
	*mem = m;
	free(op);
	return 0;
}

/* ---- event channels ---- */

static int evtchn_fd(void)
{
	if (evt_fd < 0)
		evt_fd = open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC);
	if (evt_fd < 0)
		printf("cannot open /dev/xen/evtchn: %s\n", strerror(errno));
	return evt_fd;
}

int evtchn_alloc_unbound(uint16_t domid)
{
	uint32_t remote = domid;
	int port;

	if (evtchn_fd() < 0)
		return -1;
	port = ioctl(evt_fd, IOCTL_EVTCHN_BIND_UNBOUND_PORT, &remote);
	if (port < 0)
		printf("cannot allocate an event channel for domain %u: %s\n", domid,
		       strerror(errno));
	return port;
}

int evtchn_notify(uint32_t port)
{
	return ioctl(evt_fd, IOCTL_EVTCHN_NOTIFY, &port);
}

void evtchn_unbind(uint32_t port)
{
	ioctl(evt_fd, IOCTL_EVTCHN_UNBIND, &port);
}

int evtchn_wait(int timeout_ms)
{
	struct pollfd pf = { evt_fd, POLLIN, 0 };
	uint32_t ports[16];
	ssize_t n;
	int r = poll(&pf, 1, timeout_ms);

	if (r <= 0)
		return r < 0 && errno != EINTR ? -1 : 0;
	n = read(evt_fd, ports, sizeof(ports));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n > 0 && write(evt_fd, ports, (size_t)n) != n)
		return -1;
	return 1;
}

/* ---- one vbd ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static char *key(const char *dir, const char *k)
{
	static char buf[4][192];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, k);
	return b;
}

int vbd_init(struct vbd *v, unsigned devid)
{
	unsigned long id;
	void *ring;

	memset(v, 0, sizeof(*v));
	v->devid = devid;
	snprintf(v->fe, sizeof(v->fe), "device/vbd/%u", devid);
	v->be = xs_read(key(v->fe, "backend"));
	if (!v->be || xs_read_uint(key(v->fe, "backend-id"), &id) || id > 0x7fef) {
		printf("vbd %u: no backend or backend-id in %s: %s\n", devid, v->fe,
		       strerror(errno));
		return -1;
	}
	v->backend_id = (uint16_t)id;
	if (gnt_share(v->backend_id, true, 1, &ring, &v->ring_ref))
		return -1;
	v->sring = ring;
	return 0;
}

int vbd_backend_state(const struct vbd *v)
{
	unsigned long s;

	return xs_read_uint(key(v->be, "state"), &s) || s > 8 ? -1 : (int)s;
}

int vbd_wait_backend(const struct vbd *v, bool (*want)(int), int timeout_s)
{
	long end = now_ms() + timeout_s * 1000L;

	do {
		int s = vbd_backend_state(v);

		if (want(s))
			return s;
		usleep(50000);
	} while (now_ms() < end);
	return -1;
}

int vbd_switch_state(struct vbd *v, int state)
{
	char s[8];

	snprintf(s, sizeof(s), "%d", state);
	return xs_write(key(v->fe, "state"), s);
}

static bool is_initwait(int s)
{
	return s == 2;
}

static bool is_connected_or_closing(int s)
{
	return s >= 4;
}

int vbd_offer(struct vbd *v, const char *const *extra, int timeout_s)
{
	char num[16];
	int port;

	if (vbd_wait_backend(v, is_initwait, timeout_s) < 0) {
		printf("vbd %u: backend %s never reached InitWait (state %d)\n", v->devid, v->be,
		       vbd_backend_state(v));
		return -1;
	}
	port = evtchn_alloc_unbound(v->backend_id);
	if (port < 0)
		return -1;
	if (v->port)
		evtchn_unbind(v->port);
	v->port = (uint32_t)port;
	memset(v->sring, 0, PAGE_BYTES);
	v->sring->req_event = v->sring->rsp_event = 1;
	v->req_prod_pvt = v->rsp_cons = 0;
	snprintf(num, sizeof(num), "%u", v->ring_ref);
	if (xs_write(key(v->fe, "ring-ref"), num))
		goto err_store;
	snprintf(num, sizeof(num), "%u", v->port);
	if (xs_write(key(v->fe, "event-channel"), num) ||
	    xs_write(key(v->fe, "protocol"), "x86_64-abi"))
		goto err_store;
	for (; extra && extra[0]; extra += 2)
		if (xs_write(key(v->fe, extra[0]), extra[1]))
			goto err_store;
	if (vbd_switch_state(v, 3))
		goto err_store;
	return 0;

err_store:
	printf("vbd %u: cannot write to %s: %s\n", v->devid, v->fe, strerror(errno));
	return -1;
}

int vbd_connect(struct vbd *v, int timeout_s)
{
	unsigned long sectors, info;
	int s;

	if (vbd_offer(v, NULL, timeout_s))
		return -1;
	s = vbd_wait_backend(v, is_connected_or_closing, timeout_s);
	if (s != 4) {
		char *err = xs_read(key(v->be, "error"));

		printf("vbd %u: backend did not connect (state %d, error '%s')\n", v->devid, s,
		       err ? err : "");
		free(err);
		return -1;
	}
	if (xs_read_uint(key(v->be, "sectors"), &sectors) ||
	    xs_read_uint(key(v->be, "info"), &info)) {
		printf("vbd %u: backend connected without sectors or info\n", v->devid);
		return -1;
	}
	v->sectors = sectors;
	v->info = (unsigned)info;
	return vbd_switch_state(v, 4);
}

static union blkif_sring_entry *slot(struct vbd *v, RING_IDX i)
{
	return (union blkif_sring_entry *)((uint8_t *)v->sring + XEN_RING_HEADER_SIZE) +
	       (i & (RING_SLOTS - 1));
}

void vbd_post(struct vbd *v, const struct blkif_request *rq)
{
	memcpy(&slot(v, v->req_prod_pvt)->req, rq, sizeof(*rq));
	v->req_prod_pvt++;
}

void vbd_push_raw(struct vbd *v, RING_IDX prod)
{
	ring_store(&v->sring->req_prod, prod);
	ring_mb();
	evtchn_notify(v->port);
}

void vbd_push(struct vbd *v)
{
	vbd_push_raw(v, v->req_prod_pvt);
}

unsigned vbd_in_flight(const struct vbd *v)
{
	return v->req_prod_pvt - v->rsp_cons;
}

int vbd_take_responses(struct vbd *v, struct blkif_response *out, unsigned max, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	unsigned n = 0;

	for (;;) {
		RING_IDX prod = ring_load(&v->sring->rsp_prod);

		if ((RING_IDX)(prod - v->rsp_cons) > vbd_in_flight(v))
			return -1; /* more answers than questions */
		while (v->rsp_cons != prod && n < max) {
			memcpy(&out[n++], &slot(v, v->rsp_cons)->rsp, sizeof(*out));
			v->rsp_cons++;
		}
		if (n || timeout_ms <= 0)
			return (int)n;
		/* Ask for an event on the next response, then look again. */
		ring_store(&v->sring->rsp_event, v->rsp_cons + 1);
		ring_mb();
		if (ring_load(&v->sring->rsp_prod) != v->rsp_cons)
			continue;
		if (now_ms() >= end)
			return 0;
		if (evtchn_wait((int)(end - now_ms())) < 0)
			return -1;
	}
}
