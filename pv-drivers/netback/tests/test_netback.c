// SPDX-License-Identifier: GPL-2.0-only
/* keel-netback's data path against a fake netfront: a fake guest
 * (libkeelback's fake kb_xenif) that grants its rings and packet pages, a
 * SOCK_SEQPACKET pair standing in for the tap, and the daemon's own glue
 * (nb_xen.c) in between. Checks what reaches the tap from the guest's TX
 * ring, what the guest finds on its RX ring, and that malformed requests
 * get error responses or a disconnect, never a crash. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "kb_fake.h"
#include "kb_log.h"
#include "../nb_xen.h"

#define FE_DOMID 3
#define FE_PAGES 2048
#define VH sizeof(struct virtio_net_hdr)

struct fe {
	struct kb_fake *guest;
	struct kb_xenif *xif;
	uint32_t fe_port;
	struct nb_xen_ctx ctx;
	struct nb_env env;
	struct nb_queue q;
	int tap_host; /* the host stack's end of the fake tap */
	unsigned next_page;
	uint8_t *tx_ring, *rx_ring;
	RING_IDX tx_prod, rx_prod, tx_rsp_cons, rx_rsp_cons;
	unsigned rx_page[NB_RING_SLOTS]; /* by rx request id */
};

static struct xen_sring_header *hdr(uint8_t *ring)
{
	return (struct xen_sring_header *)ring;
}

static uint8_t *slot(uint8_t *ring, RING_IDX i, size_t size)
{
	return ring + 64 + (size_t)(i & (NB_RING_SLOTS - 1)) * size;
}

static struct fe *fe_new(void)
{
	struct fe *f = calloc(1, sizeof(*f));
	uint32_t tx_ref, rx_ref;
	int sv[2];

	assert_non_null(f);
	f->guest = kb_fake_new(FE_DOMID, FE_PAGES);
	assert_non_null(f->guest);
	f->xif = kb_fake_xenif(f->guest);
	tx_ref = kb_fake_grant(f->guest, 0, false);
	rx_ref = kb_fake_grant(f->guest, 1, false);
	hdr(kb_fake_page(f->guest, 0))->req_event = hdr(kb_fake_page(f->guest, 0))->rsp_event = 1;
	hdr(kb_fake_page(f->guest, 1))->req_event = hdr(kb_fake_page(f->guest, 1))->rsp_event = 1;
	f->tx_ring = kb_fake_page(f->guest, 0);
	f->rx_ring = kb_fake_page(f->guest, 1);
	f->next_page = 2;
	f->fe_port = kb_fake_alloc_port(f->guest);
	assert_int_equal(f->xif->ops->bind(f->xif, FE_DOMID, f->fe_port, &f->ctx.tx_port), 0);
	f->ctx.rx_port = f->ctx.tx_port;
	f->ctx.xif = f->xif;
	f->ctx.domid = FE_DOMID;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	f->ctx.tap_fd = sv[0];
	f->tap_host = sv[1];
	nb_xen_env(&f->env, &f->ctx);
	assert_int_equal(nb_queue_init(&f->q, FE_DOMID, 0, 0, &f->env), 0);
	f->q.fe = (struct nb_features){ .sg = true, .gso_tcpv4 = true, .gso_tcpv6 = true,
					.rx_csum = true, .rx_csum_v6 = true };
	assert_int_equal(nb_queue_attach(&f->q, f->xif->ops->map(f->xif, FE_DOMID, &tx_ref, 1, true),
					 f->xif->ops->map(f->xif, FE_DOMID, &rx_ref, 1, true)),
			 0);
	return f;
}

static void fe_free(struct fe *f)
{
	nb_queue_fini(&f->q);
	close(f->ctx.tap_fd);
	close(f->tap_host);
	kb_xenif_close(f->xif);
	kb_fake_free(f->guest);
	free(f);
}

static uint32_t fe_grant_page(struct fe *f, bool writable, uint8_t **mem)
{
	unsigned idx = f->next_page++;

	assert_true(idx < FE_PAGES);
	if (mem)
		*mem = kb_fake_page(f->guest, idx);
	return kb_fake_grant(f->guest, idx, !writable);
}

static void fe_tx_slot(struct fe *f, uint32_t gref, uint16_t offset, uint16_t flags, uint16_t id,
		       uint16_t size)
{
	struct netif_tx_request r = { gref, offset, flags, id, size };

	memcpy(slot(f->tx_ring, f->tx_prod++, NETIF_TX_SLOT_SIZE), &r, sizeof(r));
}

static void fe_tx_extra(struct fe *f, const struct netif_extra_info *ex)
{
	memcpy(slot(f->tx_ring, f->tx_prod++, NETIF_TX_SLOT_SIZE), ex, sizeof(*ex));
}

static void fe_tx_publish(struct fe *f)
{
	__atomic_store_n(&hdr(f->tx_ring)->req_prod, f->tx_prod, __ATOMIC_RELEASE);
}

/* A packet in 1 + nfrags slots (frag sizes given; the first slot carries
 * the rest), each slot in its own page at offset 100. */
static void fe_tx_packet(struct fe *f, const uint8_t *data, uint16_t len, uint16_t flags,
			 uint16_t id, const uint16_t *frags, unsigned nfrags, uint16_t gso_mss,
			 uint8_t gso_type)
{
	uint16_t rest = 0, off;
	uint8_t *mem;
	uint32_t ref;

	for (unsigned i = 0; i < nfrags; i++)
		rest += frags[i];
	ref = fe_grant_page(f, false, &mem);
	memcpy(mem + 100, data, len - rest);
	fe_tx_slot(f, ref, 100, flags | (nfrags ? XEN_NETTXF_more_data : 0) |
				(gso_mss ? XEN_NETTXF_extra_info : 0), id, len);
	if (gso_mss) {
		struct netif_extra_info ex = { .type = XEN_NETIF_EXTRA_TYPE_GSO };

		ex.u.gso.size = gso_mss;
		ex.u.gso.type = gso_type;
		fe_tx_extra(f, &ex);
	}
	off = len - rest;
	for (unsigned i = 0; i < nfrags; i++) {
		ref = fe_grant_page(f, false, &mem);
		memcpy(mem + 100, data + off, frags[i]);
		fe_tx_slot(f, ref, 100, i + 1 < nfrags ? XEN_NETTXF_more_data : 0,
			   (uint16_t)(id + 1 + i), frags[i]);
		off += frags[i];
	}
}

static unsigned fe_tx_responses(struct fe *f, uint16_t *ids, int16_t *st, unsigned max)
{
	RING_IDX prod = __atomic_load_n(&hdr(f->tx_ring)->rsp_prod, __ATOMIC_ACQUIRE);
	unsigned n = 0;

	while (f->tx_rsp_cons != prod && n < max) {
		struct netif_tx_response r;

		memcpy(&r, slot(f->tx_ring, f->tx_rsp_cons++, NETIF_TX_SLOT_SIZE), sizeof(r));
		ids[n] = r.id;
		st[n++] = r.status;
	}
	return n;
}

static void fe_rx_post_ref(struct fe *f, uint32_t ref, unsigned page)
{
	struct netif_rx_request r = { .id = (uint16_t)(f->rx_prod & (NB_RING_SLOTS - 1)), .gref = ref };

	f->rx_page[r.id] = page;
	memcpy(slot(f->rx_ring, f->rx_prod++, NETIF_RX_SLOT_SIZE), &r, sizeof(r));
	__atomic_store_n(&hdr(f->rx_ring)->req_prod, f->rx_prod, __ATOMIC_RELEASE);
}

static void fe_rx_post(struct fe *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned page = f->next_page;

		fe_rx_post_ref(f, fe_grant_page(f, true, NULL), page);
	}
}

struct rx_pkt {
	uint8_t data[70000];
	size_t len;
	uint16_t flags;
	int16_t error;
	unsigned slots;
	struct netif_extra_info gso;
};

/* The next packet on the RX ring: 1, or 0 if none. */
static int fe_rx_packet(struct fe *f, struct rx_pkt *p)
{
	RING_IDX prod = __atomic_load_n(&hdr(f->rx_ring)->rsp_prod, __ATOMIC_ACQUIRE);
	struct netif_rx_response r;
	bool first = true;

	memset(p, 0, sizeof(*p));
	if (f->rx_rsp_cons == prod)
		return 0;
	do {
		assert_true(f->rx_rsp_cons != prod);
		memcpy(&r, slot(f->rx_ring, f->rx_rsp_cons++, NETIF_RX_SLOT_SIZE), sizeof(r));
		p->slots++;
		if (r.status < 0) {
			p->error = r.status;
		} else {
			assert_true(r.offset + r.status <= 4096);
			memcpy(p->data + p->len,
			       (uint8_t *)kb_fake_page(f->guest, f->rx_page[r.id]) + r.offset,
			       r.status);
			p->len += r.status;
		}
		if (first) {
			p->flags = r.flags;
			if (r.flags & XEN_NETRXF_extra_info) {
				memcpy(&p->gso, slot(f->rx_ring, f->rx_rsp_cons++, NETIF_RX_SLOT_SIZE),
				       sizeof(p->gso));
				p->slots++;
			}
			first = false;
		}
	} while (r.flags & XEN_NETRXF_more_data);
	return 1;
}

static ssize_t fe_tap_recv(struct fe *f, struct virtio_net_hdr *vh, uint8_t *buf, size_t len)
{
	struct iovec iov[2] = { { vh, VH }, { buf, len } };
	struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = recvmsg(f->tap_host, &m, MSG_DONTWAIT);

	return n < 0 ? -errno : n - (ssize_t)VH;
}

static void fe_tap_send(struct fe *f, const struct virtio_net_hdr *vh, const uint8_t *frame,
			size_t len)
{
	struct iovec iov[2] = { { (void *)vh, VH }, { (void *)frame, len } };

	assert_int_equal(writev(f->tap_host, iov, 2), (ssize_t)(VH + len));
}

static unsigned notifications(struct fe *f)
{
	return kb_fake_notifications(f->guest, f->fe_port);
}

/* Frames. */
static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static const uint8_t guest_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x02 };
static const uint8_t host_mac[6] = { 0x00, 0x16, 0x3e, 0x00, 0x00, 0x01 };

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* An Ethernet + IPv4 + TCP frame; `partial` leaves garbage in the TCP
 * checksum, as a csum_blank sender may. */
static size_t build_tcp4(uint8_t *b, size_t payload, bool partial)
{
	size_t len = 14 + 20 + 20 + payload;
	uint8_t *ip = b + 14, *tcp = ip + 20;

	memset(b, 0, 54);
	memcpy(b, host_mac, 6);
	memcpy(b + 6, guest_mac, 6);
	put16(b + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 20 + payload));
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 2, 10, 0, 0, 1 }, 8);
	put16(ip + 10, (uint16_t)~nb_csum_fold(nb_csum_add(0, ip, 20)));
	put16(tcp, 40000);
	put16(tcp + 2, 5001);
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;
	put16(tcp + 14, 65535);
	fill(tcp + 20, payload, 3);
	if (partial) {
		put16(tcp + 16, 0xdead);
	} else {
		struct virtio_net_hdr vh = { 0 };
		struct nb_l4 l4;

		assert_int_equal(nb_csum_partial_setup(b, len, &vh, &l4), 0);
		nb_csum_complete(b, len, vh.csum_start, vh.csum_offset);
	}
	return len;
}

static size_t build_udp6(uint8_t *b, size_t payload)
{
	size_t len = 14 + 40 + 8 + payload;
	uint8_t *ip = b + 14, *udp = ip + 40;

	memset(b, 0, 62);
	memcpy(b, host_mac, 6);
	memcpy(b + 6, guest_mac, 6);
	put16(b + 12, 0x86dd);
	ip[0] = 0x60;
	put16(ip + 4, (uint16_t)(8 + payload));
	ip[6] = IPPROTO_UDP;
	ip[7] = 64;
	ip[8] = 0xfe, ip[9] = 0x80, ip[23] = 2;
	ip[24] = 0xfe, ip[25] = 0x80, ip[39] = 1;
	put16(udp, 5353);
	put16(udp + 2, 5353);
	put16(udp + 4, (uint16_t)(8 + payload));
	put16(udp + 6, 0xbeef);
	fill(udp + 8, payload, 11);
	return len;
}

static int setup(void **state)
{
	*state = fe_new();
	return 0;
}

static int teardown(void **state)
{
	fe_free(*state);
	return 0;
}

/* ---- checksums ---- */

static void test_csum_tcp4_partial_completes(void **state)
{
	uint8_t b[2000];
	size_t len = build_tcp4(b, 1000, true);
	struct virtio_net_hdr vh = { 0 };
	struct nb_l4 l4;

	(void)state;
	assert_false(nb_csum_valid(b, len));
	assert_int_equal(nb_csum_partial_setup(b, len, &vh, &l4), 0);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(l4.l4_hdr_len, 20);
	nb_csum_complete(b, len, vh.csum_start, vh.csum_offset);
	assert_true(nb_csum_valid(b, len));
}

static void test_csum_udp6_and_padding(void **state)
{
	uint8_t b[200] = { 0 };
	size_t len = build_udp6(b, 33);
	struct virtio_net_hdr vh = { 0 };
	struct nb_l4 l4;

	(void)state;
	/* Ethernet padding after the IP packet is not part of the checksum. */
	assert_int_equal(nb_csum_partial_setup(b, len + 7, &vh, &l4), 0);
	assert_true(l4.ipv6);
	assert_int_equal(vh.csum_start, 54);
	assert_int_equal(vh.csum_offset, 6);
	nb_csum_complete(b, len, vh.csum_start, vh.csum_offset);
	assert_true(nb_csum_valid(b, len));
}

static void test_csum_rejects(void **state)
{
	uint8_t b[200];
	size_t len = build_tcp4(b, 20, false);
	struct nb_l4 l4;

	(void)state;
	assert_int_equal(nb_locate_l4(b, 30, &l4), -EINVAL); /* truncated */
	b[14 + 6] = 0x20; /* more fragments */
	assert_int_equal(nb_locate_l4(b, len, &l4), -EPROTONOSUPPORT);
	b[14 + 6] = 0;
	put16(b + 14 + 2, 2000); /* IP longer than the frame */
	assert_int_equal(nb_locate_l4(b, len, &l4), -EINVAL);
	put16(b + 12, 0x0806); /* ARP */
	assert_int_equal(nb_locate_l4(b, len, &l4), -EPROTONOSUPPORT);
}

/* ---- TX: guest -> tap ---- */

static void test_tx_single_slot(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[200], got[70000];
	struct virtio_net_hdr vh;
	uint16_t ids[4];
	int16_t st[4];
	size_t len = build_tcp4(pkt, 100, false);

	fe_tx_packet(f, pkt, (uint16_t)len, XEN_NETTXF_data_validated, 7, NULL, 0, 0, 0);
	fe_tx_publish(f);
	assert_false(nb_tx_work(&f->q));
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), len);
	assert_memory_equal(got, pkt, len);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(fe_tx_responses(f, ids, st, 4), 1);
	assert_int_equal(ids[0], 7);
	assert_int_equal(st[0], XEN_NETIF_RSP_OKAY);
	assert_int_equal(notifications(f), 1);
	assert_int_equal(f->q.stats.tx_packets, 1);
	/* Idle: the backend asked for an event at the next request. */
	assert_int_equal(hdr(f->tx_ring)->req_event, f->tx_prod + 1);
}

static void test_tx_multislot_csum_blank(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[4000], got[70000];
	struct virtio_net_hdr vh;
	uint16_t frags[] = { 1500, 500 }, ids[4];
	int16_t st[4];
	size_t len = build_tcp4(pkt, 3000, true);

	fe_tx_packet(f, pkt, (uint16_t)len, XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated, 20,
		     frags, 2, 0, 0);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), len);
	/* Everything but the checksum field arrives as sent. */
	assert_memory_equal(got, pkt, 50);
	assert_memory_equal(got + 52, pkt + 52, len - 52);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(vh.csum_start, 34);
	assert_int_equal(vh.csum_offset, 16);
	nb_csum_complete(got, len, vh.csum_start, vh.csum_offset);
	assert_true(nb_csum_valid(got, len));
	assert_int_equal(fe_tx_responses(f, ids, st, 4), 3);
	assert_int_equal(ids[0], 20);
	assert_int_equal(ids[1], 21);
	assert_int_equal(ids[2], 22);
	assert_int_equal(st[0] | st[1] | st[2], XEN_NETIF_RSP_OKAY);
	/* One grant-copy call for the packet's three slots. */
	assert_int_equal(kb_fake_copy_calls(f->guest), 1);
	assert_int_equal(kb_fake_copy_segs(f->guest), 3);
}

static void test_tx_gso_extra(void **state)
{
	struct fe *f = *state;
	static uint8_t pkt[30000], got[70000];
	struct virtio_net_hdr vh;
	uint16_t frags[] = { 3996, 3996, 3996, 3996, 3996, 3996 }, ids[10];
	int16_t st[10];
	size_t len = build_tcp4(pkt, 25000, true);

	/* netfront: first slot, GSO extra, then the fragments. */
	fe_tx_packet(f, pkt, (uint16_t)len, XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated, 40,
		     frags, 6, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), len);
	assert_int_equal(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(vh.gso_size, 1448);
	assert_int_equal(vh.hdr_len, 54);
	assert_int_equal(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_memory_equal(got + 54, pkt + 54, len - 54);
	assert_int_equal(fe_tx_responses(f, ids, st, 10), 8);
	assert_int_equal(ids[0], 40);
	assert_int_equal(st[0], XEN_NETIF_RSP_OKAY);
	assert_int_equal(st[1], XEN_NETIF_RSP_NULL); /* the extra slot */
	for (int i = 2; i < 8; i++) {
		assert_int_equal(ids[i], 41 + i - 2);
		assert_int_equal(st[i], XEN_NETIF_RSP_OKAY);
	}
}

static void test_tx_bad_gref_is_an_error_response(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[200], got[70000];
	struct virtio_net_hdr vh;
	uint16_t ids[4];
	int16_t st[4];
	size_t len = build_tcp4(pkt, 100, false);

	fe_tx_slot(f, 4000, 0, 0, 1, (uint16_t)len); /* never granted */
	fe_tx_packet(f, pkt, (uint16_t)len, 0, 2, NULL, 0, 0, 0);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_false(f->q.broken);
	assert_int_equal(fe_tx_responses(f, ids, st, 4), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(st[0], XEN_NETIF_RSP_ERROR);
	assert_int_equal(ids[1], 2);
	assert_int_equal(st[1], XEN_NETIF_RSP_OKAY);
	/* Only the good packet reached the tap. */
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), len);
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), -EAGAIN);
	assert_int_equal(f->q.stats.tx_errors, 1);
}

static void test_tx_bad_sizes(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[200], got[70000];
	struct virtio_net_hdr vh;
	uint16_t ids[8];
	int16_t st[8];
	uint32_t ref = fe_grant_page(f, false, NULL);

	build_tcp4(pkt, 100, false);
	fe_tx_slot(f, ref, 4000, 0, 1, 200); /* crosses its page */
	fe_tx_slot(f, ref, 0, 0, 2, 10); /* shorter than an Ethernet header */
	fe_tx_slot(f, ref, 0, XEN_NETTXF_more_data, 3, 100); /* fragment longer than the packet */
	fe_tx_slot(f, ref, 0, 0, 4, 200);
	fe_tx_slot(f, ref, 0, XEN_NETTXF_csum_blank, 5, 60); /* csum_blank on a non-IP frame */
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_false(f->q.broken);
	assert_int_equal(fe_tx_responses(f, ids, st, 8), 5);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(ids[i], i + 1);
		assert_int_equal(st[i], XEN_NETIF_RSP_ERROR);
	}
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), -EAGAIN);
}

static void test_tx_too_many_slots(void **state)
{
	struct fe *f = *state;
	uint8_t got[70000];
	struct virtio_net_hdr vh;
	uint16_t ids[32];
	int16_t st[32];
	uint32_t ref = fe_grant_page(f, false, NULL);

	/* 19 slots of 100 bytes: one more than XEN_NETIF_NR_SLOTS_MIN. */
	for (int i = 0; i < 19; i++)
		fe_tx_slot(f, ref, 0, i < 18 ? XEN_NETTXF_more_data : 0, (uint16_t)i,
			   i ? 100 : 1900);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_false(f->q.broken);
	assert_int_equal(fe_tx_responses(f, ids, st, 32), 19);
	for (int i = 0; i < 19; i++)
		assert_int_equal(st[i], XEN_NETIF_RSP_ERROR);
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), -EAGAIN);
	assert_int_equal(kb_fake_copy_calls(f->guest), 0);
}

static void test_tx_partial_packet_waits(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[3000], got[70000], *mem;
	struct virtio_net_hdr vh;
	uint16_t ids[4];
	int16_t st[4];
	size_t len = build_tcp4(pkt, 2000, false);
	uint32_t r1 = fe_grant_page(f, false, &mem), r2;

	memcpy(mem, pkt, 1000);
	r2 = fe_grant_page(f, false, &mem);
	memcpy(mem, pkt + 1000, len - 1000);
	fe_tx_slot(f, r1, 0, XEN_NETTXF_more_data, 1, (uint16_t)len);
	fe_tx_publish(f);
	assert_false(nb_tx_work(&f->q));
	assert_false(f->q.broken);
	assert_int_equal(fe_tx_responses(f, ids, st, 4), 0);
	/* Asked to hear of the next request. */
	assert_int_equal(hdr(f->tx_ring)->req_event, f->tx_prod + 1);
	fe_tx_slot(f, r2, 0, 0, 2, (uint16_t)(len - 1000));
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_int_equal(fe_tx_responses(f, ids, st, 4), 2);
	assert_int_equal(fe_tap_recv(f, &vh, got, sizeof(got)), len);
	assert_memory_equal(got, pkt, len);
}

static void test_tx_bad_index_disconnects(void **state)
{
	struct fe *f = *state;

	__atomic_store_n(&hdr(f->tx_ring)->req_prod, 300, __ATOMIC_RELEASE);
	assert_false(nb_tx_work(&f->q));
	assert_true(f->q.broken);
	assert_non_null(strstr(f->q.why, "req_prod"));
	assert_int_equal(hdr(f->tx_ring)->rsp_prod, 0);
	/* A broken queue does nothing more. */
	assert_false(nb_tx_work(&f->q));
	assert_false(nb_rx_work(&f->q));
}

static void test_tx_bad_extra_disconnects(void **state)
{
	struct fe *f = *state;
	struct netif_extra_info ex = { .type = 9 };
	uint32_t ref = fe_grant_page(f, false, NULL);

	fe_tx_slot(f, ref, 0, XEN_NETTXF_extra_info, 1, 60);
	fe_tx_extra(f, &ex);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_true(f->q.broken);
	assert_non_null(strstr(f->q.why, "extra info of unknown type 9"));
}

static void test_tx_endless_packet_disconnects(void **state)
{
	struct fe *f = *state;
	uint32_t ref = fe_grant_page(f, false, NULL);

	for (int i = 0; i < 256; i++)
		fe_tx_slot(f, ref, 0, XEN_NETTXF_more_data, (uint16_t)i, 100);
	fe_tx_publish(f);
	nb_tx_work(&f->q);
	assert_true(f->q.broken);
}

static void test_tx_flood_is_bounded(void **state)
{
	struct fe *f = *state;
	uint8_t pkt[200], got[70000];
	struct virtio_net_hdr vh;
	uint16_t ids[256];
	int16_t st[256];
	size_t len = build_tcp4(pkt, 60, false);
	unsigned turns = 0, frames = 0;

	for (int i = 0; i < 200; i++)
		fe_tx_packet(f, pkt, (uint16_t)len, 0, (uint16_t)i, NULL, 0, 0, 0);
	fe_tx_publish(f);
	/* A turn does at most NB_BUDGET packets, with one grant-copy call. */
	while (nb_tx_work(&f->q)) {
		turns++;
		assert_int_equal(fe_tx_responses(f, ids, st, 256), NB_BUDGET);
		assert_int_equal(kb_fake_copy_calls(f->guest), turns);
		assert_true(turns < 10);
	}
	assert_int_equal(turns, 3);
	assert_int_equal(fe_tx_responses(f, ids, st, 256), 200 - 3 * NB_BUDGET);
	while (fe_tap_recv(f, &vh, got, sizeof(got)) == (ssize_t)len)
		frames++;
	assert_int_equal(frames, 200);
}

/* n bad packets (shorter than an Ethernet header); returns the lines of
 * the log (stderr, sent to a file meanwhile) that contain needle. */
static unsigned bad_packets_logged(struct fe *f, unsigned n, const char *needle)
{
	uint32_t ref = fe_grant_page(f, false, NULL);
	uint16_t ids[64];
	int16_t st[64];
	long lines;

	assert_true(n <= 64);
	assert_int_equal(kb_fake_log_begin(), 0);
	for (unsigned i = 0; i < n; i++)
		fe_tx_slot(f, ref, 0, 0, (uint16_t)i, 10);
	fe_tx_publish(f);
	while (nb_tx_work(&f->q))
		;
	lines = kb_fake_log_end(needle);
	assert_true(lines >= 0);
	assert_int_equal(fe_tx_responses(f, ids, st, 64), n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(st[i], XEN_NETIF_RSP_ERROR);
	return (unsigned)lines;
}

/* Bad packets are logged in a burst, then held back; once the interval has
 * passed a later one is logged again, after a count of those held back. */
static void test_tx_bad_packets_log_is_rate_limited(void **state)
{
	struct fe *f = *state;

	assert_int_equal(bad_packets_logged(f, 30, "d3 vif 0: tx:"), 20);
	assert_int_equal(bad_packets_logged(f, 1, "d3 vif 0"), 0);
	f->q.complaints.refilled_ms -= 10000; /* as if 10 s had passed */
	assert_int_equal(bad_packets_logged(f, 1, "11 more bad packets were not logged"), 1);
	f->q.complaints.refilled_ms -= 10000;
	assert_int_equal(bad_packets_logged(f, 1, "d3 vif 0: tx:"), 1);
}

/* A reconnect (the rings attached anew) does not give the guest a fresh
 * burst of log lines: a guest cycling through connections would. */
static void test_tx_bad_packets_log_survives_reconnect(void **state)
{
	struct fe *f = *state;

	assert_int_equal(bad_packets_logged(f, 30, "d3 vif 0: tx:"), 20);
	assert_int_equal(nb_queue_attach(&f->q, f->q.tx.sring, f->q.rx.sring), 0);
	assert_int_equal(bad_packets_logged(f, 5, "d3 vif 0"), 0);
	f->q.complaints.refilled_ms -= 10000;
	assert_int_equal(bad_packets_logged(f, 1, "15 more bad packets were not logged"), 1);
}

/* ---- RX: tap -> guest ---- */

static void test_rx_small_frame(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	uint8_t frame[200];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };
	size_t len = build_tcp4(frame, 80, false);

	fe_rx_post(f, 32);
	fe_tap_send(f, &vh, frame, len);
	assert_false(nb_rx_work(&f->q));
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.len, len);
	assert_memory_equal(p.data, frame, len);
	assert_int_equal(p.slots, 1);
	assert_int_equal(p.flags, XEN_NETRXF_data_validated);
	assert_int_equal(fe_rx_packet(f, &p), 0);
	assert_int_equal(notifications(f), 1);
	assert_int_equal(f->q.stats.rx_packets, 1);
}

static void test_rx_gso_partial(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	static uint8_t frame[70000];
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.gso_size = 1448,
		.hdr_len = 54,
		.csum_start = 34,
		.csum_offset = 16,
	};
	size_t len = build_tcp4(frame, 65000, false);

	fe_rx_post(f, 64);
	fe_tap_send(f, &vh, frame, len);
	nb_rx_work(&f->q);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.error, 0);
	assert_int_equal(p.len, len);
	assert_memory_equal(p.data, frame, len);
	assert_int_equal(p.slots, (len + 4095) / 4096 + 1);
	assert_int_equal(p.flags, XEN_NETRXF_csum_blank | XEN_NETRXF_data_validated |
					  XEN_NETRXF_extra_info | XEN_NETRXF_more_data);
	assert_int_equal(p.gso.type, XEN_NETIF_EXTRA_TYPE_GSO);
	assert_int_equal(p.gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	assert_int_equal(p.gso.u.gso.size, 1448);
	assert_true(p.slots <= XEN_NETIF_NR_SLOTS_MIN);
}

static void test_rx_gso_refused_without_feature(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	static uint8_t frame[20000];
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 1400 };
	size_t len = build_tcp4(frame, 10000, false);

	f->q.fe.gso_tcpv6 = false;
	fe_rx_post(f, 64);
	fe_tap_send(f, &vh, frame, len);
	nb_rx_work(&f->q);
	assert_int_equal(fe_rx_packet(f, &p), 0);
	assert_int_equal(f->q.stats.rx_dropped, 1);
}

static void test_rx_software_csum_for_no_offload_guest(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	uint8_t frame[2000];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .csum_start = 34, .csum_offset = 16 };
	struct nb_l4 l4;
	size_t len = build_tcp4(frame, 1000, true);

	nb_csum_partial_setup(frame, len, &(struct virtio_net_hdr){ 0 }, &l4);
	f->q.fe.rx_csum = false;
	fe_rx_post(f, 32);
	fe_tap_send(f, &vh, frame, len);
	nb_rx_work(&f->q);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.flags, XEN_NETRXF_data_validated);
	assert_true(nb_csum_valid(p.data, p.len));
}

static void test_rx_waits_for_buffers(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	static uint8_t frame[12000];
	struct virtio_net_hdr vh = { 0 };
	size_t len = build_tcp4(frame, 9000, false); /* three pages */

	fe_rx_post(f, 2);
	fe_tap_send(f, &vh, frame, len);
	fe_tap_send(f, &vh, frame, 100);
	assert_false(nb_rx_work(&f->q));
	assert_true(f->q.rx_stalled);
	assert_true(f->q.rx_held);
	assert_int_equal(fe_rx_packet(f, &p), 0);
	/* The guest is asked to signal once the frame's three slots are there. */
	assert_int_equal(hdr(f->rx_ring)->req_event, 3);
	fe_rx_post(f, 1);
	nb_rx_work(&f->q);
	assert_false(f->q.rx_stalled);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.len, len);
	assert_memory_equal(p.data, frame, len);
	/* The second frame waits again; more buffers release it. */
	fe_rx_post(f, 1);
	nb_rx_work(&f->q);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.len, 100);
}

static void test_rx_bad_gref_is_an_error_response(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	uint8_t frame[200];
	struct virtio_net_hdr vh = { 0 };
	size_t len = build_tcp4(frame, 80, false);

	fe_rx_post_ref(f, 3999, 0); /* never granted */
	fe_rx_post(f, 4);
	fe_tap_send(f, &vh, frame, len);
	fe_tap_send(f, &vh, frame, len);
	nb_rx_work(&f->q);
	assert_false(f->q.broken);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.error, XEN_NETIF_RSP_ERROR);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.error, 0);
	assert_memory_equal(p.data, frame, len);
	assert_int_equal(f->q.stats.rx_errors, 1);
}

static void test_rx_read_only_grant_is_an_error(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	uint8_t frame[200];
	struct virtio_net_hdr vh = { 0 };
	size_t len = build_tcp4(frame, 80, false);

	fe_rx_post_ref(f, fe_grant_page(f, false, NULL), 0);
	fe_tap_send(f, &vh, frame, len);
	nb_rx_work(&f->q);
	assert_int_equal(fe_rx_packet(f, &p), 1);
	assert_int_equal(p.error, XEN_NETIF_RSP_ERROR);
}

static void test_rx_bad_index_disconnects(void **state)
{
	struct fe *f = *state;
	uint8_t frame[200];
	struct virtio_net_hdr vh = { 0 };
	size_t len = build_tcp4(frame, 80, false);

	fe_tap_send(f, &vh, frame, len);
	__atomic_store_n(&hdr(f->rx_ring)->req_prod, 0x80000000u, __ATOMIC_RELEASE);
	nb_rx_work(&f->q);
	assert_true(f->q.broken);
	assert_non_null(strstr(f->q.why, "rx: the frontend's req_prod"));
	assert_int_equal(hdr(f->rx_ring)->rsp_prod, 0);
}

static void test_rx_flood_is_bounded(void **state)
{
	struct fe *f = *state;
	static struct rx_pkt p;
	uint8_t frame[200];
	struct virtio_net_hdr vh = { 0 };
	size_t len = build_tcp4(frame, 60, false);
	unsigned got = 0;

	fe_rx_post(f, 256);
	for (int i = 0; i < 100; i++)
		fe_tap_send(f, &vh, frame, len);
	assert_true(nb_rx_work(&f->q));
	while (fe_rx_packet(f, &p))
		got++;
	assert_int_equal(got, NB_BUDGET);
	assert_int_equal(kb_fake_copy_calls(f->guest), 1);
	assert_false(nb_rx_work(&f->q));
	while (fe_rx_packet(f, &p))
		got++;
	assert_int_equal(got, 100);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_tcp4_partial_completes),
		cmocka_unit_test(test_csum_udp6_and_padding),
		cmocka_unit_test(test_csum_rejects),
		T(test_tx_single_slot),
		T(test_tx_multislot_csum_blank),
		T(test_tx_gso_extra),
		T(test_tx_bad_gref_is_an_error_response),
		T(test_tx_bad_sizes),
		T(test_tx_too_many_slots),
		T(test_tx_partial_packet_waits),
		T(test_tx_bad_index_disconnects),
		T(test_tx_bad_extra_disconnects),
		T(test_tx_endless_packet_disconnects),
		T(test_tx_flood_is_bounded),
		T(test_tx_bad_packets_log_is_rate_limited),
		T(test_tx_bad_packets_log_survives_reconnect),
		T(test_rx_small_frame),
		T(test_rx_gso_partial),
		T(test_rx_gso_refused_without_feature),
		T(test_rx_software_csum_for_no_offload_guest),
		T(test_rx_waits_for_buffers),
		T(test_rx_bad_gref_is_an_error_response),
		T(test_rx_read_only_grant_is_an_error),
		T(test_rx_bad_index_disconnects),
		T(test_rx_flood_is_bounded),
	};

	kb_log_init("test_netback");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
