// SPDX-License-Identifier: GPL-2.0-only
/* Tap devices and rtnetlink for keel-netback. The tap carries a
 * virtio_net_hdr before every frame (IFF_VNET_HDR): a guest's csum_blank or
 * GSO packet goes to the host stack as CHECKSUM_PARTIAL/GSO, which finishes
 * checksums only where a packet really needs one (never for a packet that
 * stays in this machine) and segments in the kernel, and the host stack's
 * partial/GSO packets come back the same way for the guest. Links are set
 * up with raw NETLINK_ROUTE messages: no `ip` or `brctl` to run or parse. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nb_tap.h"

bool nb_ifname_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (const char *p = name; *p; p++)
		if (*p == '/' || *p == ':' || *p <= ' ' || *p > '~')
			return false;
	return true;
}

void nb_tap_close(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int nb_tap_open(const char *name, unsigned n, int *fds, unsigned offload)
{
	unsigned tun_off = 0;
	int ret = 0;

	if (offload & NB_OFFLOAD_CSUM) {
		tun_off |= TUN_F_CSUM;
		if (offload & NB_OFFLOAD_TSO4)
			tun_off |= TUN_F_TSO4;
		if (offload & NB_OFFLOAD_TSO6)
			tun_off |= TUN_F_TSO6;
	}
	for (unsigned i = 0; i < n; i++)
		fds[i] = -1;
	for (unsigned i = 0; i < n; i++) {
		struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
						  IFF_MULTI_QUEUE };

		strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
		fds[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fds[i] < 0 || ioctl(fds[i], TUNSETIFF, &ifr) < 0 ||
		    ioctl(fds[i], TUNSETOFFLOAD, tun_off) < 0) {
			ret = -errno;
			break;
		}
	}
	if (ret)
		nb_tap_close(fds, n);
	return ret;
}

/* One request on a fresh socket, answered by an ack or an error. */
struct nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[256];
};

static struct rtattr *nl_add(struct nl_req *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	if (NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_SPACE(len) > sizeof(*r))
		return NULL;
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_SPACE(len);
	return a;
}

static void nl_end_nest(struct nl_req *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)r + r->nh.nlmsg_len - (char *)nest);
}

static void nl_init(struct nl_req *r, unsigned short type, unsigned short flags, int ifindex)
{
	memset(r, 0, sizeof(*r));
	r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->nh.nlmsg_seq = 1;
	r->ifi.ifi_family = AF_UNSPEC;
	r->ifi.ifi_index = ifindex;
}

static int nl_talk(struct nl_req *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 5 };
	char buf[4096];
	int fd, ret;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->nh.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				ret = e->error;
				goto out;
			}
		}
	}
out:
	close(fd);
	return ret;
}

static int ifindex_of(const char *name)
{
	unsigned idx = if_nametoindex(name);

	return idx ? (int)idx : -ENODEV;
}

int nb_link_set_mac(const char *ifname, const uint8_t mac[6])
{
	struct nl_req r;
	int idx = ifindex_of(ifname);

	if (idx < 0)
		return idx;
	nl_init(&r, RTM_NEWLINK, 0, idx);
	nl_add(&r, IFLA_ADDRESS, mac, 6);
	return nl_talk(&r);
}

int nb_link_set_up(const char *ifname)
{
	struct nl_req r;
	int idx = ifindex_of(ifname);

	if (idx < 0)
		return idx;
	nl_init(&r, RTM_NEWLINK, 0, idx);
	r.ifi.ifi_flags = IFF_UP;
	r.ifi.ifi_change = IFF_UP;
	return nl_talk(&r);
}

static int bridge_create(const char *br)
{
	struct nl_req r;
	struct rtattr *info;
	uint8_t mac[6];
	int ret;

	if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
		return -EIO;
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	nl_init(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	nl_add(&r, IFLA_IFNAME, br, strlen(br) + 1);
	nl_add(&r, IFLA_ADDRESS, mac, 6);
	info = nl_add(&r, IFLA_LINKINFO, NULL, 0);
	nl_add(&r, IFLA_INFO_KIND, "bridge", 7);
	nl_end_nest(&r, info);
	ret = nl_talk(&r);
	if (ret == -EEXIST)
		ret = 0;
	return ret ? ret : nb_link_set_up(br);
}

int nb_link_attach_bridge(const char *ifname, const char *br)
{
	struct nl_req r;
	int idx = ifindex_of(ifname), bidx, ret;

	if (idx < 0)
		return idx;
	bidx = ifindex_of(br);
	if (bidx < 0) {
		ret = bridge_create(br);
		if (ret)
			return ret;
		bidx = ifindex_of(br);
		if (bidx < 0)
			return bidx;
	}
	nl_init(&r, RTM_NEWLINK, 0, idx);
	nl_add(&r, IFLA_MASTER, &bidx, sizeof(bidx));
	return nl_talk(&r);
}
