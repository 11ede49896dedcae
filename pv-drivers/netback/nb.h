/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-netback's data path: one netif queue (a TX ring, an RX ring, a tap
 * queue) moved by grant copy only. The queue talks to the world through
 * struct nb_env, so the unit tests drive it with a fake guest and tap. */
#ifndef NB_H
#define NB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "kb_log.h"
#include "kb_ring.h"
#include "public/io/netif.h"

#define NB_PAGE_SIZE 4096u
#define NB_ETH_HLEN 14u
/* The largest frame either way: a 64 KiB IP packet behind an Ethernet and a
 * VLAN header. */
#define NB_MAX_FRAME (XEN_NETIF_MAX_TX_SIZE + 18u)
/* Work one queue does per turn before the others get theirs. */
#define NB_BUDGET 64u
/* Bytes a turn may stage (at least one largest frame always fits). */
#define NB_ARENA (256u * 1024u)
/* Slots of a one-page netif ring (both rings). */
#define NB_RING_SLOTS 256u

/* One grant copy between a local buffer and a page the guest granted. */
struct nb_copy {
	void *local;
	uint32_t gref;
	uint16_t offset; /* in the granted page */
	uint16_t len;
	bool to_guest; /* the grant is the destination */
	int16_t status; /* GNTST_*, filled in by the copy */
};

/* What a queue needs from outside. copy() performs n copies (all with the
 * queue's guest) and fills each status; it returns 0, or a negative errno
 * when it could do nothing at all. notify() kicks the guest's TX or RX
 * channel (the same one without split channels). tap_read() returns a frame
 * with its virtio_net_hdr, or -EAGAIN when there is none; tap_write() sends
 * one and returns 0 or a negative errno. */
enum nb_dir { NB_TX, NB_RX };
struct nb_env {
	int (*copy)(void *ctx, struct nb_copy *c, unsigned n);
	void (*notify)(void *ctx, enum nb_dir which);
	ssize_t (*tap_read)(void *ctx, void *buf, size_t len);
	int (*tap_write)(void *ctx, const struct iovec *iov, int iovcnt);
	void *ctx;
};

/* What the frontend wrote in its xenstore directory. */
struct nb_features {
	/* rx_csum: !feature-no-csum-offload; rx_csum_v6: feature-ipv6-csum-offload */
	bool sg, gso_tcpv4, gso_tcpv6, rx_csum, rx_csum_v6;
};

struct nb_stats {
	uint64_t tx_packets, tx_bytes, tx_errors, tx_dropped;
	uint64_t rx_packets, rx_bytes, rx_errors, rx_dropped;
};

/* A packet staged in the arena between the copy and the tap (TX) or the
 * ring (RX). */
struct nb_pkt {
	struct virtio_net_hdr vh;
	uint8_t *data;
	uint32_t len;
	uint16_t first_copy, nr_copies; /* in the queue's copy array */
	uint16_t nr_slots; /* ring slots it used, extras included */
	int16_t status; /* XEN_NETIF_RSP_* decided so far */
	RING_IDX first_slot; /* TX: ring index of its first request */
	bool gso_extra; /* RX: a GSO extra slot follows the first */
};

struct nb_queue {
	uint32_t domid, devid, index;
	const struct nb_env *env;
	struct nb_features fe;
	struct kb_ring tx, rx;
	struct nb_stats stats;
	/* A protocol violation: the caller disconnects the device. */
	bool broken;
	char why[160];
	/* RX: a frame read from the tap that waits for guest buffers. */
	bool rx_held;
	bool rx_stalled; /* out of guest buffers: stop reading the tap */
	/* Per-packet complaints in the log: set up by nb_queue_init, kept by
	 * nb_queue_attach (a reconnect), and carried over by an owner that
	 * makes the queue anew for the same device. */
	struct kb_ratelimit complaints;

	/* Staging for one turn. A turn never holds more ring slots than a ring
	 * has, so every per-slot array has NB_RING_SLOTS entries. */
	uint8_t *arena; /* NB_ARENA bytes: frames being moved */
	uint8_t *rx_hold_buf; /* the held RX frame */
	struct nb_pkt rx_hold;
	struct nb_pkt pkts[NB_BUDGET];
	struct nb_copy copies[NB_RING_SLOTS];
	union {
		struct netif_tx_request tx[NB_RING_SLOTS];
		struct netif_rx_request rx[NB_RING_SLOTS];
	} req;
};

int nb_queue_init(struct nb_queue *q, uint32_t domid, uint32_t devid, uint32_t index,
		  const struct nb_env *env);
void nb_queue_fini(struct nb_queue *q);
/* Attaches the two mapped ring pages (4 KiB each). */
int nb_queue_attach(struct nb_queue *q, void *tx_ring, void *rx_ring);

/* One turn of each direction, at most NB_BUDGET packets. Each returns true
 * if work is left (call again after the other queues had their turn); a
 * protocol violation sets q->broken and q->why instead. */
bool nb_tx_work(struct nb_queue *q);
bool nb_rx_work(struct nb_queue *q);

/* A fresh limit on a queue's complaints: a burst, then one every 10 s. */
void nb_complaints_init(struct kb_ratelimit *rl);
/* Logs a per-packet complaint about the guest, rate-limited per queue. */
void nb_complain(struct nb_queue *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Marks the queue broken and keeps the first reason in q->why; whoever
 * runs the queue logs it and disconnects the device. */
void nb_break(struct nb_queue *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Checksum and header helpers (nb_csum.c). */
struct nb_l4 {
	uint16_t l3_off, l4_off;
	uint8_t proto; /* IPPROTO_TCP / IPPROTO_UDP / other */
	bool ipv6;
	uint16_t l4_hdr_len; /* TCP: header with options; UDP: 8 */
	size_t end; /* where the IP packet ends (Ethernet padding may follow) */
};
/* Finds the L4 header of an Ethernet frame (one VLAN tag, IPv4 with options,
 * IPv6 with hop-by-hop/routing/destination headers). -EPROTONOSUPPORT for
 * anything else, fragments included; -EINVAL when truncated. */
int nb_locate_l4(const uint8_t *frame, size_t len, struct nb_l4 *l4);
/* For a guest's csum_blank frame: fills in a virtio_net_hdr that lets the
 * host stack finish the TCP/UDP checksum, and writes the pseudo-header sum
 * into the checksum field (what CHECKSUM_PARTIAL means in Linux). */
int nb_csum_partial_setup(uint8_t *frame, size_t len, struct virtio_net_hdr *vh,
			  struct nb_l4 *l4);
/* Computes the checksum a partial frame's header asks for, in software. */
void nb_csum_complete(uint8_t *frame, size_t len, uint16_t start, uint16_t offset);
/* True if the frame's TCP/UDP checksum is right (tests). */
bool nb_csum_valid(const uint8_t *frame, size_t len);
uint32_t nb_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t nb_csum_fold(uint32_t sum);

#endif /* NB_H */
