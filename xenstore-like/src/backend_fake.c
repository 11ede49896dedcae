// SPDX-License-Identifier: GPL-2.0-only
/* A stand-in for /dev/xen used by tests: ring pages are files in a directory
 * (ring-<domid>, ring-kernel), event channels are datagrams on unix sockets
 * (the daemon's xenstored.evtchn, each guest's guest-<domid>.evtchn). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xsd.h"
#include "backend_fake.h"

#define MAX_BINDINGS 4096

struct binding {
	bool used;
	uint32_t domid, remote_port;
};

struct fake_ctx {
	char *dir;
	int fd;
	struct binding b[MAX_BINDINGS]; /* indexed by local port */
};

static void fake_addr(struct sockaddr_un *sa, const char *dir, const char *name)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/%s", dir, name);
}

void *fake_ring_backend_open(const char *dir, const char **err)
{
	struct fake_ctx *f = xzalloc(sizeof(*f));
	struct sockaddr_un sa;

	f->dir = xstrdup(dir);
	fake_addr(&sa, dir, FAKE_DAEMON_SOCK);
	unlink(sa.sun_path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		*err = "cannot bind the fake event-channel socket";
		if (f->fd >= 0)
			close(f->fd);
		free(f->dir);
		free(f);
		return NULL;
	}
	return f;
}

void fake_ring_backend_close(void *ctx)
{
	struct fake_ctx *f = ctx;

	close(f->fd);
	free(f->dir);
	free(f);
}

static int map_file(const char *path, void **page)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	*page = mmap(NULL, FAKE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     fd, 0);
	close(fd);
	return *page == MAP_FAILED ? -EFAULT : 0;
}

static int fake_map_ring(void *ctx, uint32_t domid, uint64_t gfn, void **page)
{
	struct fake_ctx *f = ctx;
	char path[512];

	(void)gfn;
	snprintf(path, sizeof(path), "%s/ring-%u", f->dir, domid);
	return map_file(path, page);
}

static void fake_unmap_ring(void *ctx, uint32_t domid, void *page)
{
	(void)ctx;
	(void)domid;
	munmap(page, FAKE_PAGE_SIZE);
}

static int fake_bind(void *ctx, uint32_t domid, uint32_t remote_port,
		     uint32_t *local_port)
{
	struct fake_ctx *f = ctx;

	if (remote_port == FAKE_BAD_PORT)
		return -EINVAL;
	for (uint32_t p = 1; p < MAX_BINDINGS; p++) {
		if (f->b[p].used)
			continue;
		f->b[p] = (struct binding){ true, domid, remote_port };
		*local_port = p;
		return 0;
	}
	return -ENOSPC;
}

static void fake_unbind(void *ctx, uint32_t local_port)
{
	struct fake_ctx *f = ctx;

	if (local_port < MAX_BINDINGS)
		f->b[local_port].used = false;
}

static int fake_notify(void *ctx, uint32_t local_port)
{
	struct fake_ctx *f = ctx;
	struct sockaddr_un sa;
	char name[64];
	uint32_t msg;

	if (local_port >= MAX_BINDINGS || !f->b[local_port].used)
		return -EINVAL;
	if (f->b[local_port].domid == FAKE_KERNEL_DOMID)
		snprintf(name, sizeof(name), "guest-kernel.evtchn");
	else
		snprintf(name, sizeof(name), "guest-%u.evtchn",
			 f->b[local_port].domid);
	fake_addr(&sa, f->dir, name);
	msg = f->b[local_port].remote_port;
	/* Nobody listening is fine: a guest may poll its ring instead. */
	sendto(f->fd, &msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&sa,
	       sizeof(sa));
	return 0;
}

static int fake_event_fd(void *ctx)
{
	return ((struct fake_ctx *)ctx)->fd;
}

static int fake_next_event(void *ctx, uint32_t *port)
{
	struct fake_ctx *f = ctx;
	uint32_t msg[2];

	for (;;) {
		ssize_t n = recv(f->fd, msg, sizeof(msg), MSG_DONTWAIT);

		if (n < 0)
			return -EAGAIN;
		if (n != sizeof(msg))
			continue;
		for (uint32_t p = 1; p < MAX_BINDINGS; p++) {
			if (f->b[p].used && f->b[p].domid == msg[0] &&
			    f->b[p].remote_port == msg[1]) {
				*port = p;
				return 0;
			}
		}
	}
}

static int fake_kernel_ring(void *ctx, void **page, uint32_t *local_port)
{
	struct fake_ctx *f = ctx;
	char path[512];
	int rc;

	snprintf(path, sizeof(path), "%s/ring-kernel", f->dir);
	rc = map_file(path, page);
	if (rc < 0)
		return rc;
	return fake_bind(ctx, FAKE_KERNEL_DOMID, FAKE_KERNEL_PORT, local_port);
}

const struct ring_backend_ops fake_ring_backend = {
	.map_ring = fake_map_ring,
	.unmap_ring = fake_unmap_ring,
	.bind = fake_bind,
	.unbind = fake_unbind,
	.notify = fake_notify,
	.event_fd = fake_event_fd,
	.next_event = fake_next_event,
	.kernel_ring = fake_kernel_ring,
};
