// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-netfront's Ethernet frames: an ARP request for dom0's
 * address and its reply, UDP and TCP over IPv4 to dom0 (whose closed ports
 * drop them), with checksums left blank where a scenario asks for it. */
#include <string.h>

#include "netfront.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* The Internet checksum's running sum of big-endian 16-bit words. */
static uint32_t sum16(uint32_t sum, const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static unsigned eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, vif.mac, 6);
	put16(f + 12, type);
	return 14;
}

unsigned frame_arp_request(uint8_t *f)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned o = eth(f, bcast, 0x0806);

	memset(f + o, 0, 60 - o);
	put16(f + o, 1); /* Ethernet */
	put16(f + o + 2, 0x0800);
	f[o + 4] = 6;
	f[o + 5] = 4;
	put16(f + o + 6, 1); /* request */
	memcpy(f + o + 8, vif.mac, 6);
	put32(f + o + 14, GUEST_IP);
	put32(f + o + 24, DOM0_IP);
	return 60;
}

bool frame_is_arp_reply(const uint8_t *f, unsigned len, uint8_t mac_out[6])
{
	if (len < 42 || get16(f + 12) != 0x0806 || get16(f + 20) != 2 ||
	    get32(f + 28) != DOM0_IP || get32(f + 38) != GUEST_IP || memcmp(f, vif.mac, 6))
		return false;
	memcpy(mac_out, f + 22, 6);
	return true;
}

/* Ethernet and IPv4 headers to dom0 for an L4 payload of l4_len bytes. */
static unsigned ipv4(uint8_t *f, uint8_t proto, unsigned l4_len)
{
	static const uint8_t none[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned o = eth(f, vif.have_dom0_mac ? vif.dom0_mac : none, 0x0800);
	uint8_t *ip = f + o;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + l4_len));
	put16(ip + 6, 0x4000); /* don't fragment */
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, GUEST_IP);
	put32(ip + 16, DOM0_IP);
	put16(ip + 10, (uint16_t)~fold(sum16(0, ip, 20)));
	return o + 20;
}

/* The pseudo-header's sum, which a csum_blank packet carries in its
 * checksum field. */
static uint16_t pseudo_sum(uint8_t proto, unsigned l4_len)
{
	uint8_t ph[12];

	put32(ph, GUEST_IP);
	put32(ph + 4, DOM0_IP);
	ph[8] = 0;
	ph[9] = proto;
	put16(ph + 10, (uint16_t)l4_len);
	return fold(sum16(0, ph, 12));
}

unsigned frame_udp(uint8_t *f, unsigned payload, bool csum_blank, uint32_t seq)
{
	unsigned o = ipv4(f, 17, 8 + payload);
	uint8_t *u = f + o;

	put16(u, 40000);
	put16(u + 2, 9); /* discard */
	put16(u + 4, (uint16_t)(8 + payload));
	put16(u + 6, csum_blank ? pseudo_sum(17, 8 + payload) : 0);
	for (unsigned i = 0; i < payload; i++)
		u[8 + i] = (uint8_t)(seq + i);
	return o + 8 + payload;
}

unsigned frame_tcp(uint8_t *f, unsigned payload)
{
	unsigned o = ipv4(f, 6, 20 + payload);
	uint8_t *t = f + o;

	memset(t, 0, 20);
	put16(t, 40000);
	put16(t + 2, 9);
	put32(t + 4, 1);
	put32(t + 8, 1);
	t[12] = 5 << 4;
	t[13] = 0x18; /* PSH, ACK */
	put16(t + 14, 65535);
	put16(t + 16, pseudo_sum(6, 20 + payload));
	memset(t + 20, 'k', payload);
	return o + 20 + payload;
}
