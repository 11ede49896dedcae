/* SPDX-License-Identifier: MIT */
/* The generic shared ring of Xen's split drivers (io/ring.h in Xen): a page
 * (or 2^order pages) starting with four free-running u32 indices and 48 bytes
 * of padding, followed by a power-of-two array of request/response slots. */
#ifndef KEEL_PUBLIC_IO_RING_H
#define KEEL_PUBLIC_IO_RING_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t RING_IDX;

struct xen_sring_header {
	RING_IDX req_prod; /* written by the frontend */
	RING_IDX req_event; /* frontend wants an event when req_prod passes it */
	RING_IDX rsp_prod; /* written by the backend */
	RING_IDX rsp_event; /* backend wants an event when rsp_prod passes it */
	uint8_t pad[48];
};
_Static_assert(sizeof(struct xen_sring_header) == 64, "ABI size of struct xen_sring_header");
_Static_assert(offsetof(struct xen_sring_header, rsp_event) == 12, "rsp_event offset");

#define XEN_RING_HEADER_SIZE 64u

/* Slots on a ring of `bytes` bytes whose slot is `entry` bytes: the largest
 * power of two that fits after the header (0 if none does). */
static inline uint32_t xen_ring_entries(size_t bytes, size_t entry)
{
	size_t n, p = 1;

	if (bytes <= XEN_RING_HEADER_SIZE || !entry)
		return 0;
	n = (bytes - XEN_RING_HEADER_SIZE) / entry;
	if (!n)
		return 0;
	while (p * 2 <= n)
		p *= 2;
	return (uint32_t)p;
}

#endif /* KEEL_PUBLIC_IO_RING_H */
