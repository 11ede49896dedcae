// SPDX-License-Identifier: GPL-2.0-only
/* The event loop: unix-socket clients, domain rings' event channels, group
 * commit of the persisted state, and sending what became durable. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "xsd.h"

static char tag_listen, tag_evtchn;

void daemon_init(struct daemon *d)
{
	memset(d, 0, sizeof(*d));
	store_init(&d->st);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	d->listen_fd = -1;
	d->fsync = true;
	/* Xen's default quotas for unprivileged domains. */
	d->q.nodes_per_domain = 1000;
	d->q.node_size = 2048;
	d->q.watches_per_conn = 128;
	d->q.txns_per_conn = 10;
	d->q.outstanding_per_conn = 20;
	d->q.out_bytes_max = 16 << 20;
}

void daemon_fini(struct daemon *d)
{
	domain_free_all(d);
	while (d->conns)
		conn_free(d->conns);
	store_free(&d->st);
	if (d->listen_fd >= 0)
		close(d->listen_fd);
	if (d->epfd >= 0)
		close(d->epfd);
}

void daemon_mark_dirty(struct daemon *d)
{
	if (d->dirty_epoch == d->durable_epoch)
		d->dirty_epoch++;
}

void daemon_want_flush(struct daemon *d, struct conn *c)
{
	if (c->on_flush || c->dead)
		return;
	c->on_flush = true;
	c->flush_next = d->flush_list;
	d->flush_list = c;
}

int daemon_sync_and_flush(struct daemon *d)
{
	struct conn *c;

	if (d->dirty_epoch != d->durable_epoch) {
		if (d->state_path) {
			int rc = persist_save(d);

			/* Replies wait: acknowledging a change we could not
			 * make durable would break the restart guarantee. */
			if (rc < 0) {
				xsd_log("cannot save state to %s: %s; holding replies until it can be written",
					d->state_path, strerror(-rc));
				return rc;
			}
		}
		d->durable_epoch = d->dirty_epoch;
	}
	while ((c = d->flush_list)) {
		d->flush_list = c->flush_next;
		c->on_flush = false;
		if (!c->dead)
			conn_flush(c);
	}
	return 0;
}

/* ---- unix socket transport ---- */

static ssize_t sock_recv(struct conn *c, void *buf, size_t len)
{
	ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	return -1;
}

static ssize_t sock_send(struct conn *c, const void *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EINTR)
		return 0;
	return -1;
}

static void sock_destroy(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(c->d->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
}

static const struct transport_ops sock_transport = {
	.recv = sock_recv,
	.send = sock_send,
	.destroy = sock_destroy,
};

void daemon_update_epoll(struct conn *c)
{
	struct epoll_event ev = { 0 };
	uint32_t mask = 0;

	if (c->dom || c->fd < 0 || c->dead)
		return;
	if (conn_wants_input(c))
		mask |= EPOLLIN;
	if (c->out_head && c->out_head->epoch <= c->d->durable_epoch)
		mask |= EPOLLOUT;
	if (mask == c->ep_mask)
		return;
	ev.events = mask;
	ev.data.ptr = c;
	if (epoll_ctl(c->d->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->ep_mask = mask;
}

int daemon_add_socket_conn(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	static unsigned long seq;
	char name[40];
	struct conn *c;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
		snprintf(name, sizeof(name), "socket#%lu pid %d", ++seq,
			 (int)cred.pid);
	else
		snprintf(name, sizeof(name), "socket#%lu", ++seq);
	/* Only root can reach the socket, so its clients act for dom0. */
	c = conn_new(d, &sock_transport, 0, name);
	c->fd = fd;
	c->ep_mask = EPOLLIN;
	ev.data.ptr = c;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		xsd_log("%s: epoll_ctl: %s", name, strerror(errno));
		conn_close(c, "cannot watch the socket");
		return -1;
	}
	xsd_debug("%s: connected", name);
	return 0;
}

static int mkdir_p(const char *dir)
{
	char tmp[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int daemon_listen(struct daemon *d, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_listen };
	char dir[sizeof(sa.sun_path)];
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		xsd_log("socket path %s is longer than %zu bytes", path,
			sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	rc = mkdir_p(dirname(dir));
	if (rc < 0) {
		xsd_log("cannot create the directory of socket %s: %s", path,
			strerror(-rc));
		return rc;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0600) < 0 || listen(fd, 512) < 0) {
		rc = -errno;
		xsd_log("cannot listen on %s: %s", path, strerror(errno));
		goto err_close;
	}
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		goto err_close;
	}
	d->listen_fd = fd;
	d->socket_path = xstrdup(path);
	return 0;

err_close:
	close(fd);
	return rc;
}

int daemon_watch_evtchn(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &tag_evtchn };
	int fd = d->rb->event_fd(d->rb_ctx);

	if (fd < 0)
		return fd;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	return 0;
}

static void accept_all(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
			/* Out of descriptors: stop listening until a client
			 * leaves, rather than spin on the pending connection. */
			struct epoll_event ev = { .events = 0,
						  .data.ptr = &tag_listen };

			xsd_log("accept on %s: %s; new clients wait until one leaves",
				d->socket_path, strerror(errno));
			epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->listen_fd, &ev);
			d->listen_paused = true;
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				xsd_log("accept on %s: %s", d->socket_path,
					strerror(errno));
			return;
		}
		if (daemon_add_socket_conn(d, fd) < 0)
			close(fd);
	}
}

static void run_pending_input(struct daemon *d)
{
	d->more_input = false;
	for (struct conn *c = d->conns; c; c = c->next) {
		if (!c->more_input || c->dead)
			continue;
		c->more_input = false;
		conn_handle_input(c);
	}
}

static void reap_dead(struct daemon *d)
{
	struct conn *c = d->conns, *next;
	bool freed = false;

	for (; c; c = next) {
		next = c->next;
		if (c->dead && !c->on_flush) {
			conn_free(c);
			freed = true;
		}
	}
	if (freed && d->listen_paused) {
		struct epoll_event ev = { .events = EPOLLIN,
					  .data.ptr = &tag_listen };

		if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, d->listen_fd, &ev) == 0)
			d->listen_paused = false;
	}
}

int daemon_run_once(struct daemon *d, int timeout_ms)
{
	struct epoll_event evs[64];
	int n;

	if (d->more_input || d->flush_list)
		timeout_ms = 0;
	n = epoll_wait(d->epfd, evs, 64, timeout_ms);
	if (n < 0 && errno != EINTR)
		return -errno;
	for (int i = 0; i < n; i++) {
		void *p = evs[i].data.ptr;
		struct conn *c;

		if (p == &tag_listen) {
			accept_all(d);
			continue;
		}
		if (p == &tag_evtchn) {
			domain_evtchn_ready(d);
			continue;
		}
		c = p;
		if (c->dead)
			continue;
		if (evs[i].events & EPOLLOUT)
			daemon_want_flush(d, c);
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			conn_handle_input(c);
		if (!c->dead && (evs[i].events & (EPOLLHUP | EPOLLERR)) &&
		    !conn_wants_input(c))
			conn_close(c, "peer hung up");
	}
	if (d->more_input)
		run_pending_input(d);
	if (daemon_sync_and_flush(d) < 0 && !d->more_input)
		usleep(100 * 1000);
	reap_dead(d);
	return 0;
}
