// SPDX-License-Identifier: GPL-2.0-only
/* The real hypervisor interface in dom0: hypercalls and foreign mappings
 * through /dev/xen/privcmd, event channels through /dev/xen/evtchn (ioctl
 * layouts in privcmd_abi.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "public/hvm/hvm_op.h"
#include "keelctrl.h"
#include "privcmd_abi.h"

struct privcmd {
	int fd;
};

/* KEEL_DEBUG=1: every hypercall and mapping on stderr, for bring-up. */
static bool debug;

static long hypercall(void *hv, unsigned long op, uint64_t a0, uint64_t a1,
		      uint64_t a2)
{
	struct privcmd *p = hv;
	struct keel_privcmd_hypercall h = { op, { a0, a1, a2, 0, 0 } };
	long ret = ioctl(p->fd, KEEL_IOCTL_PRIVCMD_HYPERCALL, &h);

	ret = ret < 0 ? -errno : ret;
	if (debug) {
		/* domctl/sysctl: show the command (and domain), not the pointer. */
		if (op == __HYPERVISOR_domctl)
			fprintf(stderr, "keel: hypercall domctl cmd %u dom %u -> %ld\n",
				((struct xen_domctl *)(uintptr_t)a0)->cmd,
				((struct xen_domctl *)(uintptr_t)a0)->domain, ret);
		else if (op == __HYPERVISOR_sysctl)
			fprintf(stderr, "keel: hypercall sysctl cmd %u -> %ld\n",
				((struct xen_sysctl *)(uintptr_t)a0)->cmd, ret);
		else
			fprintf(stderr, "keel: hypercall %lu cmd %llu -> %ld\n", op,
				(unsigned long long)a0, ret);
	}
	return ret;
}

static int pc_domctl(void *hv, struct xen_domctl *op)
{
	return (int)hypercall(hv, __HYPERVISOR_domctl, (uintptr_t)op, 0, 0);
}

static int pc_sysctl(void *hv, struct xen_sysctl *op)
{
	return (int)hypercall(hv, __HYPERVISOR_sysctl, (uintptr_t)op, 0, 0);
}

static long pc_memory_op(void *hv, unsigned int cmd, void *arg)
{
	return hypercall(hv, __HYPERVISOR_memory_op, cmd, (uintptr_t)arg, 0);
}

static int pc_event_channel_op(void *hv, unsigned int cmd, void *arg)
{
	return (int)hypercall(hv, __HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg, 0);
}

static int pc_hvm_op(void *hv, unsigned int cmd, void *arg)
{
	return (int)hypercall(hv, __HYPERVISOR_hvm_op, cmd, (uintptr_t)arg, 0);
}

static long pc_xen_version(void *hv, unsigned int cmd, void *arg)
{
	return hypercall(hv, __HYPERVISOR_xen_version, cmd, (uintptr_t)arg, 0);
}

static void *pc_map_foreign(void *hv, domid_t dom, const xen_pfn_t *gfns, size_t n)
{
	struct privcmd *p = hv;
	struct keel_privcmd_mmapbatch_v2 b;
	int *err = calloc(n, sizeof(*err));
	void *addr;

	if (!err)
		return NULL;
	addr = mmap(NULL, n * KEEL_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    p->fd, 0);
	if (addr == MAP_FAILED) {
		free(err);
		return NULL;
	}
	memset(&b, 0, sizeof(b));
	b.num = n;
	b.dom = dom;
	b.addr = (uintptr_t)addr;
	b.arr = (uintptr_t)gfns;
	b.err = (uintptr_t)err;
	if (ioctl(p->fd, KEEL_IOCTL_PRIVCMD_MMAPBATCH_V2, &b) < 0) {
		int e = errno;

		munmap(addr, n * KEEL_PAGE_SIZE);
		free(err);
		errno = e;
		return NULL;
	}
	if (debug)
		fprintf(stderr, "keel: map %zu frames of domain %u from GFN 0x%llx -> %p\n", n, dom,
			(unsigned long long)gfns[0], addr);
	for (size_t i = 0; i < n; i++)
		if (err[i]) {
			if (debug)
				fprintf(stderr, "keel: map: GFN 0x%llx of domain %u: error %d\n",
					(unsigned long long)gfns[i], dom, err[i]);
			munmap(addr, n * KEEL_PAGE_SIZE);
			errno = -err[i];
			free(err);
			return NULL;
		}
	free(err);
	return addr;
}

static void pc_unmap(void *hv, void *addr, size_t n)
{
	(void)hv;
	munmap(addr, n * KEEL_PAGE_SIZE);
}

static void pc_close(void *hv)
{
	struct privcmd *p = hv;

	close(p->fd);
	free(p);
}

static const struct keel_hv_ops privcmd_ops = {
	.domctl = pc_domctl,
	.sysctl = pc_sysctl,
	.memory_op = pc_memory_op,
	.event_channel_op = pc_event_channel_op,
	.hvm_op = pc_hvm_op,
	.xen_version = pc_xen_version,
	.map_foreign = pc_map_foreign,
	.unmap = pc_unmap,
	.close = pc_close,
};

int keel_privcmd_open(const char *path, const struct keel_hv_ops **ops,
		      void **hv, char *err, size_t errlen)
{
	struct privcmd *p;
	int fd;

	if (!path)
		path = "/dev/xen/privcmd";
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open %s: %s: %s", path, strerror(e),
			 e == ENOENT ? "keel runs in dom0 on a running Keel hypervisor (is the xen_privcmd module loaded?)" :
			 e == EACCES ? "run keel as root" : "check dom0's Xen drivers");
		return -e;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->fd = fd;
	debug = getenv("KEEL_DEBUG") && strcmp(getenv("KEEL_DEBUG"), "0");
	*ops = &privcmd_ops;
	*hv = p;
	return 0;
}

/* ---- /dev/xen/evtchn */

struct evtchn_dev {
	int fd;
};

static int ev_ioctl(struct evtchn_dev *e, unsigned long req, void *arg)
{
	int ret = ioctl(e->fd, req, arg);

	return ret < 0 ? -errno : ret;
}

static int ev_bind_interdomain(void *ev, domid_t dom, uint32_t remote_port)
{
	struct keel_ioctl_evtchn_bind_interdomain a = { dom, remote_port };

	return ev_ioctl(ev, KEEL_IOCTL_EVTCHN_BIND_INTERDOMAIN, &a);
}

static int ev_bind_virq(void *ev, uint32_t virq)
{
	return ev_ioctl(ev, KEEL_IOCTL_EVTCHN_BIND_VIRQ, &virq);
}

static int ev_unbind(void *ev, uint32_t port)
{
	return ev_ioctl(ev, KEEL_IOCTL_EVTCHN_UNBIND, &port);
}

static int ev_notify(void *ev, uint32_t port)
{
	return ev_ioctl(ev, KEEL_IOCTL_EVTCHN_NOTIFY, &port);
}

static int ev_fd(void *ev)
{
	return ((struct evtchn_dev *)ev)->fd;
}

static int ev_read_pending(void *ev)
{
	struct evtchn_dev *e = ev;
	uint32_t port;
	ssize_t r = read(e->fd, &port, sizeof(port));

	if (r == sizeof(port))
		return (int)port;
	return r < 0 ? -errno : -EAGAIN;
}

static int ev_unmask(void *ev, uint32_t port)
{
	struct evtchn_dev *e = ev;

	return write(e->fd, &port, sizeof(port)) == sizeof(port) ? 0 : -errno;
}

static void ev_close(void *ev)
{
	struct evtchn_dev *e = ev;

	close(e->fd);
	free(e);
}

static const struct keel_evtchn_ops evtchn_ops = {
	.bind_interdomain = ev_bind_interdomain,
	.bind_virq = ev_bind_virq,
	.unbind = ev_unbind,
	.notify = ev_notify,
	.fd = ev_fd,
	.read_pending = ev_read_pending,
	.unmask = ev_unmask,
	.close = ev_close,
};

int keel_evtchn_open(const char *path, const struct keel_evtchn_ops **ops,
		     void **ev)
{
	struct evtchn_dev *e;
	int fd = open(path ? path : "/dev/xen/evtchn", O_RDWR | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	e = malloc(sizeof(*e));
	if (!e) {
		close(fd);
		return -ENOMEM;
	}
	e->fd = fd;
	*ops = &evtchn_ops;
	*ev = e;
	return 0;
}
