// SPDX-License-Identifier: GPL-2.0-only
/* The real kb_xenif: /dev/xen/gntdev and /dev/xen/evtchn (xen-pvh-abi.md
 * §12.2, §12.3). ioctl numbers and layouts are Linux's uapi/xen/{gntdev,
 * evtchn}.h, restated here. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kb_log.h"
#include "kb_xenif.h"

#define PAGE_BYTES 4096u

struct gntdev_map {
	uint32_t count;
	uint32_t pad;
	uint64_t index; /* OUT: the mmap offset */
	struct {
		uint32_t domid;
		uint32_t ref;
	} refs[1];
};
struct gntdev_unmap {
	uint64_t index;
	uint32_t count;
	uint32_t pad;
};
struct gntdev_copy {
	uint32_t count;
	struct kb_copy_seg *segments;
};
#define GNTDEV_MAP_GRANT_REF _IOC(_IOC_NONE, 'G', 0, sizeof(struct gntdev_map))
#define GNTDEV_UNMAP_GRANT_REF _IOC(_IOC_NONE, 'G', 1, sizeof(struct gntdev_unmap))
#define GNTDEV_GRANT_COPY _IOC(_IOC_NONE, 'G', 8, sizeof(struct gntdev_copy))
_Static_assert(sizeof(struct gntdev_map) == 24, "ioctl_gntdev_map_grant_ref");
_Static_assert(sizeof(struct gntdev_copy) == 16, "ioctl_gntdev_grant_copy");

struct evtchn_bind_interdomain_arg {
	uint32_t remote_domain, remote_port;
};
#define EVTCHN_BIND_INTERDOMAIN _IOC(_IOC_NONE, 'E', 1, sizeof(struct evtchn_bind_interdomain_arg))
#define EVTCHN_UNBIND _IOC(_IOC_NONE, 'E', 3, sizeof(uint32_t))
#define EVTCHN_NOTIFY _IOC(_IOC_NONE, 'E', 4, sizeof(uint32_t))

/* A live mapping: munmap needs its length, UNMAP_GRANT_REF its index. */
struct mapping {
	void *addr;
	uint64_t index;
	unsigned n;
};

struct real_xenif {
	struct kb_xenif x;
	int evtchn_fd, gntdev_fd;
	pthread_mutex_t lock; /* protects maps */
	struct mapping *maps;
	unsigned nr_maps, cap_maps;
};

static struct real_xenif *real(struct kb_xenif *x)
{
	return (struct real_xenif *)x;
}

static void *real_map(struct kb_xenif *x, uint32_t domid, const uint32_t *refs, unsigned n,
		      bool writable)
{
	struct real_xenif *r = real(x);
	struct gntdev_map *m;
	struct gntdev_unmap um;
	void *addr;
	int err;

	if (!n || n > 64) {
		errno = EINVAL;
		return NULL;
	}
	m = calloc(1, sizeof(*m) + (n - 1) * sizeof(m->refs[0]));
	if (!m)
		return NULL;
	m->count = n;
	for (unsigned i = 0; i < n; i++) {
		m->refs[i].domid = domid;
		m->refs[i].ref = refs[i];
	}
	if (ioctl(r->gntdev_fd, GNTDEV_MAP_GRANT_REF, m) < 0)
		goto err_free;
	/* The hypervisor maps the grants here; a bad ref fails the mmap. */
	addr = mmap(NULL, (size_t)n * PAGE_BYTES, PROT_READ | (writable ? PROT_WRITE : 0),
		    MAP_SHARED, r->gntdev_fd, (off_t)m->index);
	if (addr == MAP_FAILED)
		goto err_unmap_ref;
	pthread_mutex_lock(&r->lock);
	if (r->nr_maps == r->cap_maps) {
		unsigned cap = r->cap_maps ? r->cap_maps * 2 : 8;
		struct mapping *nm = realloc(r->maps, cap * sizeof(*nm));

		if (!nm) {
			pthread_mutex_unlock(&r->lock);
			munmap(addr, (size_t)n * PAGE_BYTES);
			errno = ENOMEM;
			goto err_unmap_ref;
		}
		r->maps = nm;
		r->cap_maps = cap;
	}
	r->maps[r->nr_maps++] = (struct mapping){ addr, m->index, n };
	pthread_mutex_unlock(&r->lock);
	free(m);
	return addr;

err_unmap_ref:
	err = errno;
	um = (struct gntdev_unmap){ .index = m->index, .count = n };
	ioctl(r->gntdev_fd, GNTDEV_UNMAP_GRANT_REF, &um);
	errno = err;
err_free:
	err = errno;
	free(m);
	errno = err;
	return NULL;
}

static void real_unmap(struct kb_xenif *x, void *addr, unsigned n)
{
	struct real_xenif *r = real(x);
	struct gntdev_unmap um = { .count = n };
	bool found = false;

	pthread_mutex_lock(&r->lock);
	for (unsigned i = 0; i < r->nr_maps; i++) {
		if (r->maps[i].addr == addr) {
			um.index = r->maps[i].index;
			r->maps[i] = r->maps[--r->nr_maps];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (!found) {
		kb_log(KB_ERR, "gntdev: unmap of %p, which is not mapped", addr);
		return;
	}
	munmap(addr, (size_t)n * PAGE_BYTES);
	if (ioctl(r->gntdev_fd, GNTDEV_UNMAP_GRANT_REF, &um) < 0)
		kb_log(KB_WARN, "gntdev: UNMAP_GRANT_REF index %llu: %s",
		       (unsigned long long)um.index, strerror(errno));
}

static int real_copy(struct kb_xenif *x, struct kb_copy_seg *segs, unsigned n)
{
	struct gntdev_copy c = { .count = n, .segments = segs };

	return ioctl(real(x)->gntdev_fd, GNTDEV_GRANT_COPY, &c) < 0 ? -errno : 0;
}

static int real_bind(struct kb_xenif *x, uint32_t domid, uint32_t remote_port, uint32_t *local)
{
	struct evtchn_bind_interdomain_arg a = { domid, remote_port };
	int port = ioctl(real(x)->evtchn_fd, EVTCHN_BIND_INTERDOMAIN, &a);

	if (port < 0)
		return -errno;
	*local = (uint32_t)port;
	return 0;
}

static void real_unbind(struct kb_xenif *x, uint32_t local)
{
	if (ioctl(real(x)->evtchn_fd, EVTCHN_UNBIND, &local) < 0)
		kb_log(KB_WARN, "evtchn: unbind port %u: %s", local, strerror(errno));
}

static int real_notify(struct kb_xenif *x, uint32_t local)
{
	return ioctl(real(x)->evtchn_fd, EVTCHN_NOTIFY, &local) < 0 ? -errno : 0;
}

static int real_pending(struct kb_xenif *x, uint32_t *ports, unsigned max)
{
	ssize_t n = read(real(x)->evtchn_fd, ports, max * sizeof(*ports));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	return (int)(n / sizeof(*ports));
}

static int real_unmask(struct kb_xenif *x, uint32_t local)
{
	return write(real(x)->evtchn_fd, &local, sizeof(local)) == sizeof(local) ? 0 : -errno;
}

static int real_fd(struct kb_xenif *x)
{
	return real(x)->evtchn_fd;
}

static void real_close(struct kb_xenif *x)
{
	struct real_xenif *r = real(x);

	while (r->nr_maps)
		real_unmap(x, r->maps[0].addr, r->maps[0].n);
	free(r->maps);
	close(r->evtchn_fd); /* unbinds every port of this fd */
	close(r->gntdev_fd);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static const struct kb_xenif_ops real_ops = {
	.map = real_map,
	.unmap = real_unmap,
	.copy = real_copy,
	.bind = real_bind,
	.unbind = real_unbind,
	.notify = real_notify,
	.pending = real_pending,
	.unmask = real_unmask,
	.fd = real_fd,
	.close = real_close,
};

int kb_xenif_open(struct kb_xenif **out)
{
	struct real_xenif *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	r->evtchn_fd = open("/dev/xen/evtchn", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (r->evtchn_fd < 0) {
		err = -errno;
		kb_log(KB_ERR, "cannot open /dev/xen/evtchn: %s (is the xen-evtchn module loaded?)",
		       strerror(errno));
		goto err_free;
	}
	r->gntdev_fd = open("/dev/xen/gntdev", O_RDWR | O_CLOEXEC);
	if (r->gntdev_fd < 0) {
		err = -errno;
		kb_log(KB_ERR, "cannot open /dev/xen/gntdev: %s (is the xen-gntdev module loaded?)",
		       strerror(errno));
		goto err_evtchn;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->x.ops = &real_ops;
	r->x.priv = r;
	*out = &r->x;
	return 0;

err_evtchn:
	close(r->evtchn_fd);
err_free:
	free(r);
	return err;
}

void kb_xenif_close(struct kb_xenif *x)
{
	if (x)
		x->ops->close(x);
}
