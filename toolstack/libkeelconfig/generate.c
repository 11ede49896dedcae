// SPDX-License-Identifier: GPL-2.0-only
/* Values made up at create time when the config leaves them out: the domain
 * UUID and vif MACs. A seed makes them reproducible for tests. */
#include <string.h>
#include <sys/random.h>
#include "internal.h"

/* splitmix64: small, well mixed, and the same on every host. */
static uint64_t next_seeded(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill_bytes(uint8_t *buf, size_t n, uint64_t *state)
{
	if (state) {
		for (size_t i = 0; i < n; i++)
			buf[i] = next_seeded(state) & 0xff;
		return;
	}
	for (size_t done = 0; done < n;) {
		ssize_t r = getrandom(buf + done, n - done, 0);

		if (r > 0)
			done += r;
	}
}

static bool mac_in_use(const struct keel_domain_config *c, size_t self,
		       const uint8_t mac[6])
{
	for (size_t i = 0; i < c->nr_vifs; i++)
		if (i != self && c->vifs[i].mac_set &&
		    !memcmp(c->vifs[i].mac, mac, 6))
			return true;
	return false;
}

void keel_config_generate(struct keel_domain_config *c, const uint64_t *seed)
{
	uint64_t state = seed ? *seed : 0;
	uint64_t *s = seed ? &state : NULL;

	if (!c->uuid_set) {
		if (s) {
			fill_bytes(c->uuid, sizeof(uuid_t), s);
			/* Mark it as a random (version 4, RFC 4122) UUID. */
			c->uuid[6] = (c->uuid[6] & 0x0f) | 0x40;
			c->uuid[8] = (c->uuid[8] & 0x3f) | 0x80;
		} else {
			uuid_generate_random(c->uuid);
		}
		c->uuid_set = true;
	}
	for (size_t i = 0; i < c->nr_vifs; i++) {
		struct keel_vif *vif = &c->vifs[i];

		if (vif->mac_set)
			continue;
		/* 00:16:3e is the OUI Xen's tools draw guest MACs from. */
		vif->mac[0] = 0x00;
		vif->mac[1] = 0x16;
		vif->mac[2] = 0x3e;
		do
			fill_bytes(vif->mac + 3, 3, s);
		while (mac_in_use(c, i, vif->mac));
		vif->mac_set = true;
	}
}
