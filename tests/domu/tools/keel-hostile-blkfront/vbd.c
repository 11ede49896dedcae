// SPDX-License-Identifier: GPL-2.0-only
/* keel-hostile-blkfront's vbds: the keys of a blkif frontend's handshake
 * (xen-pvh-abi.md §8.4, §10.2) on top of the shared xenbus and ring code of
 * tests/domu/tools/common. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

int vbd_init(struct vbd *v, unsigned devid)
{
	memset(v, 0, sizeof(*v));
	if (xb_init(&v->xb, "vbd", devid))
		return -1;
	return fe_ring_alloc(&v->ring, v->xb.backend_id, sizeof(union blkif_sring_entry));
}

int vbd_offer(struct vbd *v, const char *const *extra, int timeout_s)
{
	char num[16];
	int port;

	if (xb_wait_backend(&v->xb, xb_is_initwait, timeout_s) < 0) {
		printf("vbd %u: backend %s never reached InitWait (state %d)\n", v->xb.devid,
		       v->xb.be, xb_backend_state(&v->xb));
		return -1;
	}
	port = evtchn_alloc_unbound(v->xb.backend_id);
	if (port < 0)
		return -1;
	if (v->port)
		evtchn_unbind(v->port);
	v->port = (uint32_t)port;
	fe_ring_reset(&v->ring);
	snprintf(num, sizeof(num), "%u", v->ring.ref);
	if (xs_write(xb_path(v->xb.fe, "ring-ref"), num))
		goto err_store;
	snprintf(num, sizeof(num), "%u", v->port);
	if (xs_write(xb_path(v->xb.fe, "event-channel"), num) ||
	    xs_write(xb_path(v->xb.fe, "protocol"), "x86_64-abi") ||
	    xb_write_pairs(&v->xb, extra) || xb_switch_state(&v->xb, 3))
		goto err_store;
	return 0;

err_store:
	printf("vbd %u: cannot write to %s: %s\n", v->xb.devid, v->xb.fe, strerror(errno));
	return -1;
}

int vbd_connect(struct vbd *v, int timeout_s)
{
	unsigned long sectors, info;
	int s;

	if (vbd_offer(v, NULL, timeout_s))
		return -1;
	s = xb_wait_backend(&v->xb, xb_is_settled, timeout_s);
	if (s != 4) {
		char *err = xs_read(xb_path(v->xb.be, "error"));

		printf("vbd %u: backend did not connect (state %d, error '%s')\n", v->xb.devid, s,
		       err ? err : "");
		free(err);
		return -1;
	}
	if (xs_read_uint(xb_path(v->xb.be, "sectors"), &sectors) ||
	    xs_read_uint(xb_path(v->xb.be, "info"), &info)) {
		printf("vbd %u: backend connected without sectors or info\n", v->xb.devid);
		return -1;
	}
	v->sectors = sectors;
	v->info = (unsigned)info;
	return xb_switch_state(&v->xb, 4);
}
