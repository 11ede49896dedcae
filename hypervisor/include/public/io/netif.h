/* SPDX-License-Identifier: MIT */
/* The netif split-driver protocol (Xen 4.17 io/netif.h): the TX and RX
 * ring slots a netfront shares with its backend, their flags, the extra-info
 * slots that carry GSO and multicast data, and the response statuses. Both
 * rings are io/ring.h rings of one 4 KiB page each (256 slots). */
#ifndef KEEL_PUBLIC_IO_NETIF_H
#define KEEL_PUBLIC_IO_NETIF_H

#include <stddef.h>
#include <stdint.h>

/* Most slots a packet may use on either ring, and the largest TX packet. */
#define XEN_NETIF_NR_SLOTS_MIN 18
#define XEN_NETIF_MAX_TX_SIZE 0xFFFF

/* TX request flags (guest -> backend). */
#define XEN_NETTXF_csum_blank (1U << 0) /* L4 checksum not computed yet */
#define XEN_NETTXF_data_validated (1U << 1) /* checksum known good */
#define XEN_NETTXF_more_data (1U << 2) /* the packet continues in the next slot */
#define XEN_NETTXF_extra_info (1U << 3) /* the next slot is a netif_extra_info */

/* One TX slot. In a packet's first slot `size` is the whole packet's length;
 * in the following ones it is that slot's fragment length. */
struct netif_tx_request {
	uint32_t gref;
	uint16_t offset;
	uint16_t flags; /* XEN_NETTXF_* */
	uint16_t id;
	uint16_t size;
};
_Static_assert(sizeof(struct netif_tx_request) == 12, "ABI size of netif_tx_request");

/* Extra-info slot types and flags. */
#define XEN_NETIF_EXTRA_TYPE_NONE 0
#define XEN_NETIF_EXTRA_TYPE_GSO 1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH 4
#define XEN_NETIF_EXTRA_TYPE_XDP 5
#define XEN_NETIF_EXTRA_TYPE_MAX 6
#define XEN_NETIF_EXTRA_FLAG_MORE (1U << 0) /* another extra slot follows */

#define XEN_NETIF_GSO_TYPE_NONE 0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

struct netif_extra_info {
	uint8_t type; /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size; /* MSS */
			uint8_t type; /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features;
		} gso;
		struct {
			uint8_t addr[6];
		} mcast;
		struct {
			uint8_t type;
			uint8_t algorithm;
			uint8_t value[4];
		} hash;
		struct {
			uint16_t headroom;
			uint16_t pad[2];
		} xdp;
		uint16_t pad[3];
	} u;
};
_Static_assert(sizeof(struct netif_extra_info) == 8, "ABI size of netif_extra_info");
_Static_assert(offsetof(struct netif_extra_info, u.gso.type) == 4, "gso.type offset");

/* Response statuses; RX responses carry a byte count (> 0) instead of OKAY. */
#define XEN_NETIF_RSP_DROPPED (-2)
#define XEN_NETIF_RSP_ERROR (-1)
#define XEN_NETIF_RSP_OKAY 0
#define XEN_NETIF_RSP_NULL 1 /* answers an extra-info slot */

struct netif_tx_response {
	uint16_t id;
	int16_t status;
};
_Static_assert(sizeof(struct netif_tx_response) == 4, "ABI size of netif_tx_response");

/* One RX slot: a whole page the guest grants for the backend to fill. */
struct netif_rx_request {
	uint16_t id;
	uint16_t pad;
	uint32_t gref;
};
_Static_assert(sizeof(struct netif_rx_request) == 8, "ABI size of netif_rx_request");

/* RX response flags (backend -> guest). */
#define XEN_NETRXF_data_validated (1U << 0)
#define XEN_NETRXF_csum_blank (1U << 1)
#define XEN_NETRXF_more_data (1U << 2)
#define XEN_NETRXF_extra_info (1U << 3)
#define XEN_NETRXF_gso_prefix (1U << 4)

struct netif_rx_response {
	uint16_t id;
	uint16_t offset; /* where the data starts in the page */
	uint16_t flags; /* XEN_NETRXF_* */
	int16_t status; /* bytes, or a negative XEN_NETIF_RSP_* */
};
_Static_assert(sizeof(struct netif_rx_response) == 8, "ABI size of netif_rx_response");

/* A ring slot holds a request, a response or (in place of either) an extra. */
#define NETIF_TX_SLOT_SIZE 12u
#define NETIF_RX_SLOT_SIZE 8u
_Static_assert(sizeof(struct netif_extra_info) <= NETIF_TX_SLOT_SIZE, "extra fits a tx slot");
_Static_assert(sizeof(struct netif_extra_info) <= NETIF_RX_SLOT_SIZE, "extra fits an rx slot");

#endif /* KEEL_PUBLIC_IO_NETIF_H */
