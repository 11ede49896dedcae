/* SPDX-License-Identifier: MIT */
/* The block-device ring protocol of Xen's split drivers (io/blkif.h, the
 * "x86_64-abi" layout): requests, responses, operations and the xenstore
 * feature flags a block backend advertises. Written from the published
 * layout; sizes and offsets are asserted below. */
#ifndef KEEL_PUBLIC_IO_BLKIF_H
#define KEEL_PUBLIC_IO_BLKIF_H

#include <stddef.h>
#include <stdint.h>

#include "ring.h"

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;
typedef uint32_t blkif_gref_t;

#define BLKIF_OP_READ 0
#define BLKIF_OP_WRITE 1
#define BLKIF_OP_WRITE_BARRIER 2
#define BLKIF_OP_FLUSH_DISKCACHE 3
#define BLKIF_OP_RESERVED_1 4
#define BLKIF_OP_DISCARD 5
#define BLKIF_OP_INDIRECT 6

#define BLKIF_MAX_SEGMENTS_PER_REQUEST 11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8
#define BLKIF_SECTOR_SIZE 512u
#define BLKIF_SECTORS_PER_PAGE 8u /* last_sect is at most 7 */

#define BLKIF_RSP_EOPNOTSUPP (-2)
#define BLKIF_RSP_ERROR (-1)
#define BLKIF_RSP_OKAY 0

#define BLKIF_DISCARD_SECURE (1u << 0)

/* `info` bits in the backend directory. */
#define VDISK_CDROM 0x1u
#define VDISK_REMOVABLE 0x2u
#define VDISK_READONLY 0x4u

/* One 4 KiB page of a request: sectors first_sect..last_sect (inclusive,
 * 512-byte units) of the frame granted by gref. */
struct blkif_request_segment {
	blkif_gref_t gref;
	uint8_t first_sect;
	uint8_t last_sect;
	uint16_t pad;
};
_Static_assert(sizeof(struct blkif_request_segment) == 8, "ABI size of blkif_request_segment");

/* A granted page of an INDIRECT request holds this many segments. */
#define BLKIF_SEGS_PER_INDIRECT_FRAME (4096u / sizeof(struct blkif_request_segment))

struct blkif_request_rw {
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint32_t pad1;
	uint64_t id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __attribute__((__packed__));

struct blkif_request_discard {
	uint8_t flag; /* BLKIF_DISCARD_SECURE */
	blkif_vdev_t pad1;
	uint32_t pad2;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
	uint8_t pad3;
} __attribute__((__packed__));

struct blkif_request_other {
	uint8_t pad1;
	blkif_vdev_t pad2;
	uint32_t pad3;
	uint64_t id;
} __attribute__((__packed__));

struct blkif_request_indirect {
	uint8_t indirect_op; /* READ or WRITE */
	uint16_t nr_segments;
	uint32_t pad1;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	uint16_t pad2;
	blkif_gref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint32_t pad3;
} __attribute__((__packed__));

struct blkif_request {
	uint8_t operation;
	union {
		struct blkif_request_rw rw;
		struct blkif_request_discard discard;
		struct blkif_request_other other;
		struct blkif_request_indirect indirect;
	} u;
} __attribute__((__packed__));

struct blkif_response {
	uint64_t id; /* echoed from the request */
	uint8_t operation;
	int16_t status; /* BLKIF_RSP_* */
};

/* One slot of the shared ring. */
union blkif_sring_entry {
	struct blkif_request req;
	struct blkif_response rsp;
};

_Static_assert(sizeof(struct blkif_request) == 112, "ABI size of blkif_request");
_Static_assert(offsetof(struct blkif_request, u.rw.id) == 8, "blkif_request id");
_Static_assert(offsetof(struct blkif_request, u.rw.sector_number) == 16, "sector_number");
_Static_assert(offsetof(struct blkif_request, u.rw.seg) == 24, "seg");
_Static_assert(offsetof(struct blkif_request, u.discard.nr_sectors) == 24, "discard nr_sectors");
_Static_assert(offsetof(struct blkif_request, u.indirect.nr_segments) == 2, "indirect nr_segments");
_Static_assert(offsetof(struct blkif_request, u.indirect.handle) == 24, "indirect handle");
_Static_assert(offsetof(struct blkif_request, u.indirect.indirect_grefs) == 28, "indirect grefs");
_Static_assert(sizeof(struct blkif_response) == 16, "ABI size of blkif_response");
_Static_assert(offsetof(struct blkif_response, status) == 10, "blkif_response status");
_Static_assert(sizeof(union blkif_sring_entry) == 112, "ABI size of a blkif ring slot");

#endif /* KEEL_PUBLIC_IO_BLKIF_H */
