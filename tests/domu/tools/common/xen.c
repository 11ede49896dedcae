// SPDX-License-Identifier: GPL-2.0-only
/* The hostile frontends' plumbing through the guest kernel's user
 * interfaces: xenstore messages through /dev/xen/xenbus (the wire format of
 * io/xs_wire.h), pages granted with /dev/xen/gntalloc, event channels
 * through /dev/xen/evtchn. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "front.h"
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

unsigned long evtchn_storm(uint32_t port, double seconds)
{
	unsigned long sent = 0;
	double t0 = now_s();

	while (now_s() - t0 < seconds)
		for (int i = 0; i < 256; i++, sent++)
			evtchn_notify(port);
	return sent;
}
