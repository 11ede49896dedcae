/* SPDX-License-Identifier: GPL-2.0-only */
/* The dom0 side of a vif: a tap device (one fd per netif queue) that passes
 * frames with a virtio-net header, and the rtnetlink calls that bring it up
 * and put it on a bridge. */
#ifndef NB_TAP_H
#define NB_TAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

/* What the guest accepts on receive, which the tap then advertises to the
 * host stack (TUNSETOFFLOAD): a partial checksum, TCP segmentation. */
#define NB_OFFLOAD_CSUM (1u << 0)
#define NB_OFFLOAD_TSO4 (1u << 1)
#define NB_OFFLOAD_TSO6 (1u << 2)

/* Creates tap `name` with n queues (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
 * IFF_MULTI_QUEUE); fds[i] are non-blocking. 0 or a negative errno. */
int nb_tap_open(const char *name, unsigned n, int *fds, unsigned offload);
void nb_tap_close(int *fds, unsigned n);

/* A valid interface name (the vifname node comes from the toolstack). */
bool nb_ifname_ok(const char *name);

/* rtnetlink, on a NETLINK_ROUTE socket of its own per call. Each returns 0
 * or a negative errno. */
int nb_link_set_mac(const char *ifname, const uint8_t mac[6]);
int nb_link_set_up(const char *ifname);
/* Creates bridge `br` (up, with a random locally administered MAC so its
 * address does not change with its ports) unless it exists; then makes it
 * the master of `ifname`. */
int nb_link_attach_bridge(const char *ifname, const char *br);

#endif /* NB_TAP_H */
