/* SPDX-License-Identifier: MIT */
/* XenStore wire protocol: message header, message types, error names and the
 * shared ring page between a domain and the store daemon (Xen 4.17 ABI). */
#ifndef KEEL_PUBLIC_IO_XS_WIRE_H
#define KEEL_PUBLIC_IO_XS_WIRE_H

#include <stdint.h>

/* Message types; the numbering is the ABI (20 was XS_RESTRICT, now unused). */
#define XS_CONTROL 0U
#define XS_DEBUG XS_CONTROL
#define XS_DIRECTORY 1U
#define XS_READ 2U
#define XS_GET_PERMS 3U
#define XS_WATCH 4U
#define XS_UNWATCH 5U
#define XS_TRANSACTION_START 6U
#define XS_TRANSACTION_END 7U
#define XS_INTRODUCE 8U
#define XS_RELEASE 9U
#define XS_GET_DOMAIN_PATH 10U
#define XS_WRITE 11U
#define XS_MKDIR 12U
#define XS_RM 13U
#define XS_SET_PERMS 14U
#define XS_WATCH_EVENT 15U
#define XS_ERROR 16U
#define XS_IS_DOMAIN_INTRODUCED 17U
#define XS_RESUME 18U
#define XS_SET_TARGET 19U
#define XS_RESET_WATCHES 21U
#define XS_DIRECTORY_PART 22U
#define XS_TYPE_COUNT 23U
#define XS_INVALID 0xffffU

/* Every message starts with this header, followed by len payload bytes. */
struct xsd_sockmsg {
	uint32_t type;
	uint32_t req_id; /* echoed in the reply; 0 in watch events */
	uint32_t tx_id; /* transaction, 0 = none */
	uint32_t len; /* payload bytes that follow */
};
_Static_assert(sizeof(struct xsd_sockmsg) == 16, "xsd_sockmsg is 16 bytes");

/* Index of the path and token strings in a watch event payload. */
#define XS_WATCH_PATH 0U
#define XS_WATCH_TOKEN 1U

/* Errors travel as their names, e.g. "ENOENT\0", in an XS_ERROR reply. The
 * table order is part of the ABI: new names are only ever appended. */
#define XSD_ERROR_NAMES                                                       \
	X(EINVAL) X(EACCES) X(EEXIST) X(EISDIR) X(ENOENT) X(ENOMEM) X(ENOSPC) \
	X(EIO) X(ENOTEMPTY) X(ENOSYS) X(EROFS) X(EBUSY) X(EAGAIN) X(EISCONN)  \
	X(E2BIG) X(EPERM)

/* Shared ring page. Indices are free-running; mask them to index the arrays. */
#define XENSTORE_RING_SIZE 1024U
typedef uint32_t XENSTORE_RING_IDX;
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1U))

struct xenstore_domain_interface {
	char req[XENSTORE_RING_SIZE]; /* domain -> daemon */
	char rsp[XENSTORE_RING_SIZE]; /* daemon -> domain: replies, watch events */
	XENSTORE_RING_IDX req_cons;
	XENSTORE_RING_IDX req_prod;
	XENSTORE_RING_IDX rsp_cons;
	XENSTORE_RING_IDX rsp_prod;
	uint32_t server_features; /* XENSTORE_SERVER_FEATURE_* */
	uint32_t connection; /* XENSTORE_CONNECTED / XENSTORE_RECONNECT */
	uint32_t error; /* XENSTORE_ERROR_* */
};
_Static_assert(sizeof(struct xenstore_domain_interface) == 2076,
	       "xenstore_domain_interface layout");

/* A payload longer than this is a protocol violation that ends the link. */
#define XENSTORE_PAYLOAD_MAX 4096U
/* Longer paths get EINVAL. */
#define XENSTORE_ABS_PATH_MAX 3072U
#define XENSTORE_REL_PATH_MAX 2048U

#define XENSTORE_SERVER_FEATURE_RECONNECTION 1U
#define XENSTORE_SERVER_FEATURE_ERROR 2U

#define XENSTORE_CONNECTED 0U
#define XENSTORE_RECONNECT 1U

#define XENSTORE_ERROR_NONE 0U
#define XENSTORE_ERROR_COMM 1U
#define XENSTORE_ERROR_RINGIDX 2U
#define XENSTORE_ERROR_PROTO 3U

#endif /* KEEL_PUBLIC_IO_XS_WIRE_H */
