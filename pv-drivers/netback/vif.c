// SPDX-License-Identifier: GPL-2.0-only
/* keel-netback's devices: the xenbus side of a vif (features, the
 * frontend's rings and channels, its tap on its bridge) and the thread that
 * moves its packets. One thread per vif polls the vif's event channels,
 * its tap queues and a stop eventfd, and gives each queue a bounded turn in
 * each direction, so a flooding guest only ever costs its own thread. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <unistd.h>

#include "keelback.h"
#include "nb_tap.h"
#include "nb_vif.h"
#include "nb_xen.h"

#define EV_STOP UINT64_MAX
#define EV_EVTCHN (UINT64_MAX - 1)

struct vif_queue {
	struct nb_queue q;
	struct nb_xen_ctx x;
	struct nb_env env;
	void *tx_ring, *rx_ring;
	bool bound_tx, bound_rx;
	bool tx_pend, rx_pend, tap_armed;
};

struct vif {
	struct kb_device *d;
	char ifname[IFNAMSIZ], bridge[IFNAMSIZ];
	uint8_t mac[6];
	struct nb_features fe;
	struct kb_xenif *xif;
	unsigned nr_queues;
	struct vif_queue qs[NB_MAX_QUEUES];
	/* Each queue's log of bad packets, across connections: a guest that
	 * reconnects starts where its last connection left off. */
	struct kb_ratelimit complaints[NB_MAX_QUEUES];
	int tap_fds[NB_MAX_QUEUES];
	int stop_fd, epfd;
	pthread_t thread;
	bool running;
};

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return (mac[0] & 1) ? -EINVAL : 0; /* a multicast address is no NIC's */
}

static int vif_probe(struct kb_device *d)
{
	struct vif *v = d->priv;
	char *val = NULL;
	int ret;

	if (!v) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		v->d = d;
		v->stop_fd = v->epfd = -1;
		for (unsigned i = 0; i < NB_MAX_QUEUES; i++) {
			v->tap_fds[i] = -1;
			nb_complaints_init(&v->complaints[i]);
		}
		d->priv = v;
	}
	if (kb_dev_read(d, "mac", &val) || parse_mac(val, v->mac)) {
		/* The toolstack writes one; a hand-made tree may not. */
		uint8_t r[3] = { 0 };

		if (getrandom(r, sizeof(r), 0) != sizeof(r))
			r[0] = (uint8_t)d->domid, r[2] = (uint8_t)d->devid;
		memcpy(v->mac, (uint8_t[]){ 0x00, 0x16, 0x3e, r[0] & 0x7f, r[1], r[2] }, 6);
		kb_dev_log(d, KB_WARN, "no valid mac in the backend directory: using "
				       "%02x:%02x:%02x:%02x:%02x:%02x",
			   v->mac[0], v->mac[1], v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
		kb_dev_write(d, "mac", "%02x:%02x:%02x:%02x:%02x:%02x", v->mac[0], v->mac[1],
			     v->mac[2], v->mac[3], v->mac[4], v->mac[5]);
	}
	free(val);
	val = NULL;
	if (kb_dev_read(d, "bridge", &val))
		snprintf(v->bridge, sizeof(v->bridge), "%s", NB_DEFAULT_BRIDGE);
	else if (!strcmp(val, "") || !strcmp(val, "none"))
		v->bridge[0] = 0; /* left for routing */
	else if (nb_ifname_ok(val))
		snprintf(v->bridge, sizeof(v->bridge), "%s", val);
	else {
		kb_dev_log(d, KB_ERR, "bridge name '%s' is not a valid interface name", val);
		free(val);
		return -EINVAL;
	}
	free(val);
	val = NULL;
	if (!kb_dev_read(d, "vifname", &val) && *val) {
		if (!nb_ifname_ok(val)) {
			kb_dev_log(d, KB_ERR, "vifname '%s' is not a valid interface name", val);
			free(val);
			return -EINVAL;
		}
		snprintf(v->ifname, sizeof(v->ifname), "%s", val);
	} else {
		snprintf(v->ifname, sizeof(v->ifname), "vif%u.%u", d->domid, d->devid);
	}
	free(val);
	if ((ret = kb_dev_write(d, "feature-rx-copy", "1")) ||
	    (ret = kb_dev_write(d, "feature-rx-flip", "0")) ||
	    (ret = kb_dev_write(d, "feature-sg", "1")) ||
	    (ret = kb_dev_write(d, "feature-gso-tcpv4", "1")) ||
	    (ret = kb_dev_write(d, "feature-gso-tcpv6", "1")) ||
	    (ret = kb_dev_write(d, "feature-ipv6-csum-offload", "1")) ||
	    (ret = kb_dev_write(d, "multi-queue-max-queues", "%u", NB_MAX_QUEUES)))
		kb_dev_log(d, KB_ERR, "cannot write the backend's features: %s", strerror(-ret));
	return ret;
}

static bool fe_flag(struct kb_device *d, const char *key, bool dflt)
{
	unsigned long v;

	return kb_dev_fe_read_uint(d, key, &v) ? dflt : v != 0;
}

static int fe_uint(struct kb_device *d, const char *prefix, const char *key, unsigned long *v)
{
	char path[64];

	snprintf(path, sizeof(path), "%s%s", prefix, key);
	return kb_dev_fe_read_uint(d, path, v);
}

/* Undoes whatever vif_connect() got done, in reverse. */
static void vif_teardown(struct vif *v)
{
	if (v->running) {
		uint64_t one = 1;

		if (write(v->stop_fd, &one, sizeof(one)) != sizeof(one))
			kb_dev_log(v->d, KB_ERR, "cannot stop the device's thread");
		pthread_join(v->thread, NULL);
		v->running = false;
	}
	if (v->epfd >= 0)
		close(v->epfd);
	if (v->stop_fd >= 0)
		close(v->stop_fd);
	v->epfd = v->stop_fd = -1;
	nb_tap_close(v->tap_fds, NB_MAX_QUEUES);
	for (unsigned i = 0; i < NB_MAX_QUEUES; i++) {
		struct vif_queue *vq = &v->qs[i];

		if (vq->bound_rx && vq->x.rx_port != vq->x.tx_port)
			v->xif->ops->unbind(v->xif, vq->x.rx_port);
		if (vq->bound_tx)
			v->xif->ops->unbind(v->xif, vq->x.tx_port);
		if (vq->tx_ring)
			v->xif->ops->unmap(v->xif, vq->tx_ring, 1);
		if (vq->rx_ring)
			v->xif->ops->unmap(v->xif, vq->rx_ring, 1);
		if (vq->q.arena) /* the queue was set up */
			v->complaints[i] = vq->q.complaints;
		nb_queue_fini(&vq->q);
		memset(vq, 0, sizeof(*vq));
	}
	kb_xenif_close(v->xif);
	v->xif = NULL;
	v->nr_queues = 0;
}

static int connect_queue(struct vif *v, unsigned i)
{
	struct kb_device *d = v->d;
	struct vif_queue *vq = &v->qs[i];
	unsigned long tx_ref, rx_ref, port_tx, port_rx;
	char prefix[24] = "";
	uint32_t ref;
	int ret;

	if (v->nr_queues > 1)
		snprintf(prefix, sizeof(prefix), "queue-%u/", i);
	if (fe_uint(d, prefix, "tx-ring-ref", &tx_ref) || fe_uint(d, prefix, "rx-ring-ref", &rx_ref)) {
		kb_dev_fail(d, "frontend's %stx-ring-ref or rx-ring-ref is missing or not a number",
			    prefix);
		return -EINVAL;
	}
	if (!fe_uint(d, prefix, "event-channel", &port_tx)) {
		port_rx = port_tx;
	} else if (fe_uint(d, prefix, "event-channel-tx", &port_tx) ||
		   fe_uint(d, prefix, "event-channel-rx", &port_rx)) {
		kb_dev_fail(d, "frontend has no %sevent-channel (nor -tx/-rx)", prefix);
		return -EINVAL;
	}
	ret = nb_queue_init(&vq->q, d->domid, d->devid, i, &vq->env);
	if (ret)
		return ret;
	vq->q.complaints = v->complaints[i];
	vq->q.fe = v->fe;
	ref = (uint32_t)tx_ref;
	vq->tx_ring = v->xif->ops->map(v->xif, d->domid, &ref, 1, true);
	ref = (uint32_t)rx_ref;
	vq->rx_ring = vq->tx_ring ? v->xif->ops->map(v->xif, d->domid, &ref, 1, true) : NULL;
	if (!vq->tx_ring || !vq->rx_ring) {
		kb_dev_fail(d, "cannot map %sring grants %lu/%lu: %s", prefix, tx_ref, rx_ref,
			    strerror(errno));
		return -EINVAL;
	}
	ret = v->xif->ops->bind(v->xif, d->domid, (uint32_t)port_tx, &vq->x.tx_port);
	if (ret) {
		kb_dev_fail(d, "cannot bind %sevent channel %lu: %s", prefix, port_tx,
			    strerror(-ret));
		return ret;
	}
	vq->bound_tx = true;
	vq->x.rx_port = vq->x.tx_port;
	if (port_rx != port_tx) {
		ret = v->xif->ops->bind(v->xif, d->domid, (uint32_t)port_rx, &vq->x.rx_port);
		if (ret) {
			kb_dev_fail(d, "cannot bind %sevent channel %lu: %s", prefix, port_rx,
				    strerror(-ret));
			return ret;
		}
		vq->bound_rx = true;
	}
	vq->x.xif = v->xif;
	vq->x.domid = d->domid;
	vq->x.tap_fd = v->tap_fds[i];
	nb_xen_env(&vq->env, &vq->x);
	ret = nb_queue_attach(&vq->q, vq->tx_ring, vq->rx_ring);
	if (ret)
		kb_dev_log(d, KB_ERR, "cannot attach %srings", prefix);
	return ret;
}

static void *vif_thread(void *arg);

static int vif_link_up(struct vif *v)
{
	static const uint8_t host_side[6] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff };
	int ret;

	/* Xen's convention: the dom0 end never carries the guest's address. */
	ret = nb_link_set_mac(v->ifname, host_side);
	if (!ret && v->bridge[0]) {
		ret = nb_link_attach_bridge(v->ifname, v->bridge);
		if (ret) {
			kb_dev_log(v->d, KB_ERR, "cannot put %s on bridge %s: %s", v->ifname,
				   v->bridge, strerror(-ret));
			return ret;
		}
	}
	if (!ret)
		ret = nb_link_set_up(v->ifname);
	if (ret)
		kb_dev_log(v->d, KB_ERR, "cannot set up %s: %s", v->ifname, strerror(-ret));
	return ret;
}

static int vif_connect(struct kb_device *d)
{
	struct vif *v = d->priv;
	unsigned long n = 1;
	unsigned offload = 0;
	int ret;

	if (!fe_flag(d, "request-rx-copy", false)) {
		kb_dev_fail(d, "frontend does not ask for request-rx-copy "
			       "(page flipping is not supported)");
		return -EOPNOTSUPP;
	}
	if (!kb_dev_fe_read_uint(d, "multi-queue-num-queues", &n) && (!n || n > NB_MAX_QUEUES)) {
		kb_dev_fail(d, "frontend asks for %lu queues (1 to %u)", n, NB_MAX_QUEUES);
		return -EINVAL;
	}
	v->nr_queues = (unsigned)n;
	v->fe.sg = fe_flag(d, "feature-sg", false);
	v->fe.gso_tcpv4 = fe_flag(d, "feature-gso-tcpv4", false);
	v->fe.gso_tcpv6 = fe_flag(d, "feature-gso-tcpv6", false);
	v->fe.rx_csum = !fe_flag(d, "feature-no-csum-offload", false);
	v->fe.rx_csum_v6 = fe_flag(d, "feature-ipv6-csum-offload", false);
	if (!fe_flag(d, "feature-rx-notify", true))
		kb_dev_log(d, KB_WARN, "frontend does not do feature-rx-notify; it may stall");
	if (v->fe.rx_csum) {
		offload |= NB_OFFLOAD_CSUM;
		if (v->fe.sg && v->fe.gso_tcpv4)
			offload |= NB_OFFLOAD_TSO4;
		if (v->fe.sg && v->fe.gso_tcpv6 && v->fe.rx_csum_v6)
			offload |= NB_OFFLOAD_TSO6;
	}
	ret = kb_xenif_open(&v->xif);
	if (ret) {
		kb_dev_log(d, KB_ERR, "cannot open the event channel and grant devices: %s",
			   strerror(-ret));
		return ret;
	}
	ret = nb_tap_open(v->ifname, v->nr_queues, v->tap_fds, offload);
	if (ret) {
		kb_dev_log(d, KB_ERR, "cannot create tap %s: %s%s", v->ifname, strerror(-ret),
			   ret == -ENOENT ? " (load the tun module)" : "");
		goto err;
	}
	for (unsigned i = 0; i < v->nr_queues; i++) {
		ret = connect_queue(v, i);
		if (ret)
			goto err;
	}
	ret = vif_link_up(v);
	if (ret)
		goto err;
	v->stop_fd = eventfd(0, EFD_CLOEXEC);
	v->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (v->stop_fd < 0 || v->epfd < 0) {
		ret = -errno;
		goto err;
	}
	ret = pthread_create(&v->thread, NULL, vif_thread, v);
	if (ret) {
		ret = -ret;
		goto err;
	}
	v->running = true;
	kb_dev_log(d, KB_INFO, "connected: %s%s%s, %u queue%s, sg %d gso4 %d gso6 %d", v->ifname,
		   v->bridge[0] ? " on " : "", v->bridge, v->nr_queues, v->nr_queues > 1 ? "s" : "",
		   v->fe.sg, v->fe.gso_tcpv4, v->fe.gso_tcpv6);
	return 0;
err:
	vif_teardown(v);
	return ret;
}

static void vif_disconnect(struct kb_device *d)
{
	struct vif *v = d->priv;
	uint64_t tx = 0, rx = 0;

	for (unsigned i = 0; i < v->nr_queues; i++) {
		tx += v->qs[i].q.stats.tx_packets;
		rx += v->qs[i].q.stats.rx_packets;
	}
	kb_dev_log(d, KB_INFO, "disconnected (%s: %llu packets from the guest, %llu to it)",
		   v->ifname, (unsigned long long)tx, (unsigned long long)rx);
	vif_teardown(v);
}

static void vif_remove(struct kb_device *d)
{
	free(d->priv);
	d->priv = NULL;
}

const struct kb_backend_ops nb_backend_ops = {
	.type = "vif",
	.probe = vif_probe,
	.connect = vif_connect,
	.disconnect = vif_disconnect,
	.remove = vif_remove,
};

/* ---- the data-path thread ---- */

static void arm_tap(struct vif *v, unsigned i, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.u64 = i };

	if (v->qs[i].tap_armed != on &&
	    !epoll_ctl(v->epfd, EPOLL_CTL_MOD, v->tap_fds[i], &ev))
		v->qs[i].tap_armed = on;
}

static void take_events(struct vif *v)
{
	uint32_t ports[64];
	int n;

	while ((n = v->xif->ops->pending(v->xif, ports, 64)) > 0) {
		for (int k = 0; k < n; k++) {
			for (unsigned i = 0; i < v->nr_queues; i++) {
				struct vif_queue *vq = &v->qs[i];

				if (ports[k] == vq->x.tx_port)
					vq->tx_pend = true;
				if (ports[k] == vq->x.rx_port)
					vq->rx_pend = true;
			}
			v->xif->ops->unmask(v->xif, ports[k]);
		}
		if (n < 64)
			break;
	}
}

static void *vif_thread(void *arg)
{
	struct vif *v = arg;
	struct epoll_event ev = { .events = EPOLLIN };
	bool broken = false;

	ev.data.u64 = EV_STOP;
	epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->stop_fd, &ev);
	ev.data.u64 = EV_EVTCHN;
	epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->xif->ops->fd(v->xif), &ev);
	for (unsigned i = 0; i < v->nr_queues; i++) {
		ev.data.u64 = i;
		epoll_ctl(v->epfd, EPOLL_CTL_ADD, v->tap_fds[i], &ev);
		/* Whatever the frontend posted before we bound its channel. */
		v->qs[i].tap_armed = v->qs[i].tx_pend = v->qs[i].rx_pend = true;
	}
	for (;;) {
		struct epoll_event evs[8];
		bool busy = false;
		int n;

		for (unsigned i = 0; i < v->nr_queues && !broken; i++)
			busy |= v->qs[i].tx_pend || v->qs[i].rx_pend;
		n = epoll_wait(v->epfd, evs, 8, busy ? 0 : -1);
		if (n < 0 && errno != EINTR) {
			kb_device_fatal(v->d, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (int k = 0; k < n; k++) {
			if (evs[k].data.u64 == EV_STOP)
				return NULL;
			if (evs[k].data.u64 == EV_EVTCHN)
				take_events(v);
			else if (evs[k].data.u64 < v->nr_queues)
				v->qs[evs[k].data.u64].rx_pend = true;
		}
		if (broken)
			continue;
		for (unsigned i = 0; i < v->nr_queues; i++) {
			struct vif_queue *vq = &v->qs[i];

			if (vq->tx_pend)
				vq->tx_pend = nb_tx_work(&vq->q);
			if (vq->rx_pend)
				vq->rx_pend = nb_rx_work(&vq->q);
			arm_tap(v, i, !vq->q.rx_stalled && !vq->q.broken);
			if (vq->q.broken && !broken) {
				broken = true;
				kb_device_fatal(v->d, "%s", vq->q.why);
			}
		}
	}
	/* Wait to be stopped by disconnect(). */
	for (;;) {
		uint64_t one;

		if (read(v->stop_fd, &one, sizeof(one)) == sizeof(one))
			return NULL;
	}
}
