// SPDX-License-Identifier: GPL-2.0-only
/* Header parsing and Internet checksums for keel-netback: netfront sends
 * TCP/UDP packets with the checksum left blank (csum_blank) and expects the
 * backend to complete it; we locate the L4 header so the tap's virtio-net
 * header can ask the host stack to do it (or do it here in software). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "nb.h"

#define NB_ETH_IPV4 0x0800
#define NB_ETH_IPV6 0x86dd
#define NB_ETH_VLAN 0x8100

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint32_t nb_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint16_t nb_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static int locate_ipv6(const uint8_t *f, size_t len, struct nb_l4 *l4)
{
	size_t off = l4->l3_off + 40u;
	uint8_t next;

	if (len < off)
		return -EINVAL;
	next = f[l4->l3_off + 6];
	for (int hops = 0; hops < 8; hops++) {
		switch (next) {
		case 0: /* hop-by-hop */
		case 43: /* routing */
		case 60: /* destination options */
			if (len < off + 8)
				return -EINVAL;
			next = f[off];
			off += ((size_t)f[off + 1] + 1) * 8;
			continue;
		case 51: /* authentication header */
			if (len < off + 8)
				return -EINVAL;
			next = f[off];
			off += ((size_t)f[off + 1] + 2) * 4;
			continue;
		default:
			if (off > 0xffff)
				return -EINVAL;
			l4->proto = next;
			l4->l4_off = (uint16_t)off;
			return 0;
		}
	}
	return -EPROTONOSUPPORT;
}

int nb_locate_l4(const uint8_t *f, size_t len, struct nb_l4 *l4)
{
	uint16_t type;
	size_t need;
	int ret;

	memset(l4, 0, sizeof(*l4));
	if (len < NB_ETH_HLEN)
		return -EINVAL;
	type = get16(f + 12);
	l4->l3_off = NB_ETH_HLEN;
	if (type == NB_ETH_VLAN) {
		if (len < NB_ETH_HLEN + 4)
			return -EINVAL;
		type = get16(f + 16);
		l4->l3_off += 4;
	}
	if (type == NB_ETH_IPV4) {
		const uint8_t *ip = f + l4->l3_off;
		size_t ihl;

		if (len < l4->l3_off + 20u || ip[0] >> 4 != 4)
			return -EINVAL;
		ihl = (size_t)(ip[0] & 0xf) * 4;
		if (ihl < 20 || len < l4->l3_off + ihl)
			return -EINVAL;
		if (get16(ip + 6) & 0x3fff) /* a fragment: no L4 header to finish */
			return -EPROTONOSUPPORT;
		l4->proto = ip[9];
		l4->l4_off = (uint16_t)(l4->l3_off + ihl);
		l4->end = (size_t)l4->l3_off + get16(ip + 2);
	} else if (type == NB_ETH_IPV6) {
		if (len < l4->l3_off + 40u || f[l4->l3_off] >> 4 != 6)
			return -EINVAL;
		l4->ipv6 = true;
		l4->end = (size_t)l4->l3_off + 40 + get16(f + l4->l3_off + 4);
		ret = locate_ipv6(f, len, l4);
		if (ret)
			return ret;
	} else {
		return -EPROTONOSUPPORT;
	}
	/* Ethernet padding may follow the IP packet; a packet longer than the
	 * frame is a lie. */
	if (l4->end > len || l4->end < l4->l4_off)
		return -EINVAL;
	len = l4->end;
	if (l4->proto == IPPROTO_TCP) {
		need = (size_t)l4->l4_off + 20;
		if (len < need)
			return -EINVAL;
		l4->l4_hdr_len = (uint16_t)((f[l4->l4_off + 12] >> 4) * 4);
		if (l4->l4_hdr_len < 20 || len < (size_t)l4->l4_off + l4->l4_hdr_len)
			return -EINVAL;
	} else if (l4->proto == IPPROTO_UDP) {
		if (len < (size_t)l4->l4_off + 8)
			return -EINVAL;
		l4->l4_hdr_len = 8;
	} else {
		return -EPROTONOSUPPORT;
	}
	return 0;
}

/* The pseudo-header sum of the L4 segment that runs to the end of the frame. */
static uint32_t pseudo_sum(const uint8_t *f, const struct nb_l4 *l4)
{
	uint32_t l4len = (uint32_t)(l4->end - l4->l4_off), sum;
	uint8_t tail[4];

	if (l4->ipv6) {
		sum = nb_csum_add(0, f + l4->l3_off + 8, 32);
		put16(tail, (uint16_t)(l4len >> 16));
		put16(tail + 2, (uint16_t)l4len);
		sum = nb_csum_add(sum, tail, 4);
	} else {
		sum = nb_csum_add(0, f + l4->l3_off + 12, 8);
		put16(tail, (uint16_t)l4len);
		sum = nb_csum_add(sum, tail, 2);
	}
	return sum + l4->proto;
}

static uint16_t csum_field(const struct nb_l4 *l4)
{
	return l4->proto == IPPROTO_TCP ? 16 : 6;
}

int nb_csum_partial_setup(uint8_t *f, size_t len, struct virtio_net_hdr *vh, struct nb_l4 *l4)
{
	int ret = nb_locate_l4(f, len, l4);

	if (ret)
		return ret;
	vh->flags |= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->csum_start = l4->l4_off;
	vh->csum_offset = csum_field(l4);
	/* The guest put the pseudo-header sum there already (Linux does), but
	 * another frontend may not: recomputing it costs a few header words. */
	put16(f + l4->l4_off + vh->csum_offset, nb_csum_fold(pseudo_sum(f, l4)));
	return 0;
}

void nb_csum_complete(uint8_t *f, size_t len, uint16_t start, uint16_t offset)
{
	uint16_t c;

	if ((size_t)start + offset + 2 > len)
		return;
	c = (uint16_t)~nb_csum_fold(nb_csum_add(0, f + start, len - start));
	/* UDP says "no checksum" with 0; Linux writes 0xffff instead. */
	if (!c && offset == 6)
		c = 0xffff;
	put16(f + start + offset, c);
}

bool nb_csum_valid(const uint8_t *f, size_t len)
{
	struct nb_l4 l4;
	uint32_t sum;

	if (nb_locate_l4(f, len, &l4))
		return false;
	if (l4.proto == IPPROTO_UDP && !l4.ipv6 && !get16(f + l4.l4_off + 6))
		return true;
	sum = nb_csum_add(pseudo_sum(f, &l4), f + l4.l4_off, l4.end - l4.l4_off);
	return nb_csum_fold(sum) == 0xffff;
}
