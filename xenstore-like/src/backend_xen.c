// SPDX-License-Identifier: GPL-2.0-only
/* Ring backend for a real dom0: rings mapped through /dev/xen/gntdev (grant
 * ref 1, as Xen's toolstack grants it) or privcmd, events through
 * /dev/xen/evtchn, dom0's own ring through /dev/xen/xenbus_backend. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "xsd.h"

/* Linux UAPI ioctls (include/uapi/xen/{evtchn,gntdev,privcmd,xenbus_dev}.h). */
struct evtchn_bind_interdomain_arg {
	uint32_t remote_domain, remote_port;
};
struct evtchn_port_arg {
	uint32_t port;
};
#define IOCTL_EVTCHN_BIND_INTERDOMAIN \
	_IOC(_IOC_NONE, 'E', 1, sizeof(struct evtchn_bind_interdomain_arg))
#define IOCTL_EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(struct evtchn_port_arg))
#define IOCTL_EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(struct evtchn_port_arg))

struct gntdev_map_one {
	uint32_t count, pad;
	uint64_t index;
	uint32_t domid, ref;
};
struct gntdev_unmap {
	uint64_t index;
	uint32_t count, pad;
};
#define IOCTL_GNTDEV_MAP_GRANT_REF _IOC(_IOC_NONE, 'G', 0, sizeof(struct gntdev_map_one))
#define IOCTL_GNTDEV_UNMAP_GRANT_REF _IOC(_IOC_NONE, 'G', 1, sizeof(struct gntdev_unmap))

struct privcmd_mmapbatch_v2 {
	uint32_t num;
	uint16_t dom;
	uint64_t addr;
	const uint64_t *arr;
	int *err;
};
#define IOCTL_PRIVCMD_MMAPBATCH_V2 \
	_IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2))
#define IOCTL_XENBUS_BACKEND_EVTCHN _IOC(_IOC_NONE, 'B', 0, 0)

_Static_assert(IOCTL_EVTCHN_BIND_INTERDOMAIN == 0x84501, "evtchn ioctl");
_Static_assert(IOCTL_GNTDEV_MAP_GRANT_REF == 0x184700, "gntdev ioctl");
_Static_assert(IOCTL_PRIVCMD_MMAPBATCH_V2 == 0x205004, "privcmd ioctl");

#define GNTTAB_RESERVED_XENSTORE 1U
#define PAGE_SIZE 4096U

struct mapping {
	struct mapping *next;
	void *page;
	bool via_gntdev;
	uint64_t index;
};

struct xen_ctx {
	int evtchn_fd, gntdev_fd, privcmd_fd;
	struct mapping *maps;
};

void *xen_ring_backend_open(const char **err)
{
	struct xen_ctx *x = xzalloc(sizeof(*x));

	x->evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (x->evtchn_fd < 0) {
		*err = "cannot open /dev/xen/evtchn (not running in a Xen/Keel dom0, or the xen_evtchn module is not loaded)";
		free(x);
		return NULL;
	}
	/* Either mapping route will do; INTRODUCE reports if neither works. */
	x->gntdev_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	x->privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
	return x;
}

static int xen_map_ring(void *ctx, uint32_t domid, uint64_t gfn, void **page)
{
	struct xen_ctx *x = ctx;
	struct mapping *m = xzalloc(sizeof(*m));
	int rc = -ENODEV;

	if (x->gntdev_fd >= 0) {
		struct gntdev_map_one op = { .count = 1, .domid = domid,
					     .ref = GNTTAB_RESERVED_XENSTORE };

		if (ioctl(x->gntdev_fd, IOCTL_GNTDEV_MAP_GRANT_REF, &op) == 0) {
			m->page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_SHARED, x->gntdev_fd,
				       (off_t)op.index);
			if (m->page != MAP_FAILED) {
				m->via_gntdev = true;
				m->index = op.index;
				goto mapped;
			}
			rc = -errno;
			struct gntdev_unmap un = { .index = op.index, .count = 1 };
			ioctl(x->gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
		} else {
			rc = -errno;
		}
	}
	if (x->privcmd_fd >= 0) {
		int err = 0;

		/* Xen's toolstack seeds grant ref 1; say when this one did not,
		 * so that a failure of the fallback below is not a mystery. */
		if (x->gntdev_fd >= 0)
			xsd_log("dom%u: its grant ref 1 (the store ring) is not mappable through gntdev (%s); mapping gfn %#llx through privcmd",
				domid, strerror(-rc), (unsigned long long)gfn);
		struct privcmd_mmapbatch_v2 b = { .num = 1,
						  .dom = (uint16_t)domid,
						  .arr = &gfn, .err = &err };

		m->page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED, x->privcmd_fd, 0);
		if (m->page == MAP_FAILED) {
			rc = -errno;
			goto err_free;
		}
		b.addr = (uint64_t)(uintptr_t)m->page;
		if (ioctl(x->privcmd_fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b) == 0 &&
		    !err)
			goto mapped;
		rc = err ? err : -errno;
		munmap(m->page, PAGE_SIZE);
	}
err_free:
	free(m);
	return rc;
mapped:
	m->next = x->maps;
	x->maps = m;
	*page = m->page;
	return 0;
}

static void xen_unmap_ring(void *ctx, uint32_t domid, void *page)
{
	struct xen_ctx *x = ctx;
	struct mapping **pp = &x->maps, *m;

	(void)domid;
	for (; (m = *pp); pp = &m->next) {
		if (m->page != page)
			continue;
		*pp = m->next;
		munmap(page, PAGE_SIZE);
		if (m->via_gntdev) {
			struct gntdev_unmap un = { .index = m->index, .count = 1 };

			ioctl(x->gntdev_fd, IOCTL_GNTDEV_UNMAP_GRANT_REF, &un);
		}
		free(m);
		return;
	}
}

static int xen_bind(void *ctx, uint32_t domid, uint32_t remote_port,
		    uint32_t *local_port)
{
	struct xen_ctx *x = ctx;
	struct evtchn_bind_interdomain_arg b = { domid, remote_port };
	int rc = ioctl(x->evtchn_fd, IOCTL_EVTCHN_BIND_INTERDOMAIN, &b);

	if (rc < 0)
		return -errno;
	*local_port = (uint32_t)rc;
	return 0;
}

static void xen_unbind(void *ctx, uint32_t local_port)
{
	struct xen_ctx *x = ctx;
	struct evtchn_port_arg a = { local_port };

	ioctl(x->evtchn_fd, IOCTL_EVTCHN_UNBIND, &a);
}

static int xen_notify(void *ctx, uint32_t local_port)
{
	struct xen_ctx *x = ctx;
	struct evtchn_port_arg a = { local_port };

	return ioctl(x->evtchn_fd, IOCTL_EVTCHN_NOTIFY, &a) < 0 ? -errno : 0;
}

static int xen_event_fd(void *ctx)
{
	return ((struct xen_ctx *)ctx)->evtchn_fd;
}

static int xen_next_event(void *ctx, uint32_t *port)
{
	struct xen_ctx *x = ctx;
	ssize_t n = read(x->evtchn_fd, port, sizeof(*port));

	if (n != sizeof(*port))
		return -EAGAIN;
	/* Writing the port back unmasks it for the next event. */
	if (write(x->evtchn_fd, port, sizeof(*port)) != sizeof(*port))
		xsd_log("evtchn: cannot re-enable port %u: %s", *port,
			strerror(errno));
	return 0;
}

static int read_proc_port(uint32_t *port)
{
	char buf[32] = { 0 };
	uint64_t v;
	int fd = open("/proc/xen/xsd_port", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[strcspn(buf, "\n")] = '\0';
	if (!parse_u64(buf, UINT32_MAX, &v))
		return -EINVAL;
	*port = (uint32_t)v;
	return 0;
}

static int xen_kernel_ring(void *ctx, void **page, uint32_t *local_port)
{
	uint32_t port = 0;
	int fd, rc;

	fd = open("/dev/xen/xenbus_backend", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		rc = ioctl(fd, IOCTL_XENBUS_BACKEND_EVTCHN, 0);
		if (rc < 0) {
			rc = -errno;
			close(fd);
			return rc;
		}
		port = (uint32_t)rc;
	} else {
		fd = open("/proc/xen/xsd_kva", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = read_proc_port(&port);
		if (rc < 0) {
			close(fd);
			return rc;
		}
	}
	*page = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = *page == MAP_FAILED ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	/* dom0's kernel allocated the port for itself: bind it loopback. */
	rc = xen_bind(ctx, 0, port, local_port);
	if (rc < 0)
		munmap(*page, PAGE_SIZE);
	return rc;
}

const struct ring_backend_ops xen_ring_backend = {
	.map_ring = xen_map_ring,
	.unmap_ring = xen_unmap_ring,
	.bind = xen_bind,
	.unbind = xen_unbind,
	.notify = xen_notify,
	.event_fd = xen_event_fd,
	.next_event = xen_next_event,
	.kernel_ring = xen_kernel_ring,
};
