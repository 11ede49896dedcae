/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-hostile-netfront: a netif frontend in guest user space that sends a
 * backend malformed packets and handshakes (tests/domu/scripts/
 * hostile-net.sh). The plumbing (xenstore, grants, event channels, rings)
 * is tests/domu/tools/common; vif.c is the vif's handshake and its two
 * rings; frames.c the Ethernet frames; batch.c TX batches and their
 * answers; main.c and states.c the scenarios. */
#ifndef NETFRONT_H
#define NETFRONT_H

#include <stdbool.h>
#include <stdint.h>

#include "front.h"
#include "public/io/netif.h"

#define NR_TX_PAGES 24 /* pages TX slots point into */
#define NR_RX_PAGES 64 /* pages posted on the RX ring */
#define MAX_BATCH 256 /* TX slots one batch may use: the whole ring */
#define GUEST_IP 0x0a63001fu /* 10.99.0.31 */
#define DOM0_IP 0x0a630001u /* 10.99.0.1, dom0's keelbr0 */

/* ---- the vif ---- */

struct vif {
	struct xb_dev xb;
	struct fe_ring tx, rx;
	uint32_t port; /* one event channel for both rings */
	struct fe_ring tx1, rx1; /* a second queue's, for the multi-queue scenarios */
	uint8_t mac[6];
	uint8_t dom0_mac[6]; /* learnt from dom0's ARP reply */
	bool have_dom0_mac;
	/* RX pages: which are posted, and responses still to come for
	 * requests posted with grants that must fail. */
	bool rx_posted[NR_RX_PAGES];
	unsigned rx_bad_pending;
	unsigned long rx_frames, rx_bad_refused;
	char rx_problem[160]; /* the first thing the backend got wrong on RX */
};

extern struct vif vif;
extern uint8_t *tx_pages, *rx_pages;
extern uint32_t tx_refs[NR_TX_PAGES], rx_refs[NR_RX_PAGES];
/* A page granted to the backend read-only, one granted to another domain,
 * each filled with 0x5a: the backend may never write either. */
extern uint8_t *ro_page, *other_page;
extern uint32_t ro_ref, other_ref;

/* Reads the device's keys, allocates its rings and pages. 0 or -1. */
int vif_init(unsigned devid);
/* The frontend's half of the handshake: waits for InitWait, then on fresh
 * rings and a fresh port writes tx-ring-ref, rx-ring-ref, event-channel,
 * request-rx-copy and feature-rx-notify, then the pairs of extra (a NULL
 * value removes a key), then Initialised. 0 or -1. */
int vif_offer(const char *const *extra, int timeout_s);
/* vif_offer without extras, Connected, and the RX ring stocked. 0 or -1. */
int vif_connect(int timeout_s);
/* The keys every offer writes (for xb_refused_handshake). */
extern const char *const vif_own_keys[];

/* Posts every RX page not yet posted and pushes. */
void rx_refill(void);
/* Posts an RX request for a grant that the backend must fail to fill. */
void rx_post_bad(uint32_t gref, uint16_t id);
/* Takes RX responses for up to timeout_ms (0: only what is there), checks
 * each (known id, status, a frame that fits its page), looks at ARP
 * replies, reposts pages. Returns once want() holds (then true) or the time
 * is up (false). */
bool rx_poll(int timeout_ms, bool (*want)(void));

/* ---- frames (frames.c) ---- */

/* An ARP request for DOM0_IP from us, 60 bytes. */
unsigned frame_arp_request(uint8_t *buf);
/* A UDP datagram from us to dom0 (port 9) with `payload` bytes; with
 * csum_blank, the UDP checksum holds only the pseudo-header's sum (for the
 * backend to finish), else it is 0 (none). Returns its length. */
unsigned frame_udp(uint8_t *buf, unsigned payload, bool csum_blank, uint32_t seq);
/* A TCP segment to dom0 with a pseudo-header sum (for GSO scenarios). */
unsigned frame_tcp(uint8_t *buf, unsigned payload);
/* Is it dom0's reply to our ARP request? Learns dom0's MAC if so. */
bool frame_is_arp_reply(const uint8_t *f, unsigned len, uint8_t mac_out[6]);

/* ---- TX batches (batch.c) ---- */

enum expect { OK, REFUSED };

/* Slots to post together, each data slot with the outcome its packet must
 * get (extra-info slots are answered with XEN_NETIF_RSP_NULL). */
struct txbatch {
	union {
		struct netif_tx_request rq;
		struct netif_extra_info ex;
	} slot[MAX_BATCH];
	bool is_extra[MAX_BATCH];
	bool first[MAX_BATCH]; /* a packet's first slot */
	enum expect exp[MAX_BATCH];
	unsigned n;
};

/* Appends a data slot (flags as given) and returns it. */
struct netif_tx_request *tx_slot(struct txbatch *b, uint32_t gref, uint16_t offset,
				 uint16_t flags, uint16_t size, enum expect exp);
void tx_extra(struct txbatch *b, uint8_t type, uint8_t flags, uint16_t gso_size, uint8_t gso_type);
/* Appends a whole packet: len bytes of page pg's start in one slot. */
void tx_packet(struct txbatch *b, unsigned pg, unsigned len, uint16_t flags, enum expect exp);
/* Sends b and checks every slot's response (its id, the expected status)
 * in time; why gets the statuses or the failure. */
bool tx_run(struct txbatch *b, char *why, size_t why_len);
/* tx_run, reported as scenario name; empties b. */
bool tx_scenario(const char *name, struct txbatch *b);
/* Packets the backend accepted so far on this connection (each one a frame
 * on dom0's tap). */
extern unsigned long tx_accepted;
/* An ARP request to dom0 and its reply on our RX ring. */
bool arp_round_trip(char *why, size_t len);

/* ---- states.c ---- */

/* Handshakes the backend must refuse, before the first real connect. */
void handshake_attacks(void);
/* Protocol violations over which the backend must disconnect the vif, each
 * followed by a reconnect that works. */
void fatal_attacks(void);
/* Two queues that must be refused, and two that connect, one of which
 * then breaks the protocol: the whole vif must close and reconnect. */
void multi_queue_attacks(void);
/* n connections, each with `bad` bad packets, then closed. */
void reconnect_cycles(unsigned n, unsigned bad);

#endif /* NETFRONT_H */
