/* SPDX-License-Identifier: GPL-2.0-only */
/* struct nb_env on libkeelback's kb_xenif and a tap file descriptor. */
#ifndef NB_XEN_H
#define NB_XEN_H

#include "kb_xenif.h"
#include "nb.h"

struct nb_xen_ctx {
	struct kb_xenif *xif;
	uint32_t domid;
	uint32_t tx_port, rx_port; /* local ports; equal without split channels */
	int tap_fd;
	struct kb_copy_seg segs[NB_RING_SLOTS];
};

void nb_xen_env(struct nb_env *env, struct nb_xen_ctx *x);

#endif /* NB_XEN_H */
