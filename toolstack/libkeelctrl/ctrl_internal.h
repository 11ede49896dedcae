// SPDX-License-Identifier: GPL-2.0-only
/* libkeelctrl's own helpers, shared between its files. */
#ifndef KEELCTRL_INTERNAL_H
#define KEELCTRL_INTERNAL_H

#include "keelctrl.h"

/* Reads a whole file; on failure k->err names @what ("kernel", "ramdisk"),
 * the path and the config key to check. */
int keel_read_file(struct keel_ctl *k, const char *what, const char *path,
		   uint8_t **buf, size_t *len);

/* Faults in every page of a hypercall buffer: the hypervisor walks dom0's
 * page tables and fails with -EFAULT on a page never touched. */
void keel_touch(void *buf, size_t len);

/* /local/domain/D and /libkeel/D. */
#define KEEL_STORE_LIBKEEL "/libkeel"

/* Backend directories under /local/domain/0/backend/: served by dom0's
 * userspace backends, never by the kernel's blkback/netback. */
#define KEEL_VBD_BACKEND "vbd"
#define KEEL_VIF_BACKEND "vif"

struct ks_handle;
/* Frontend and backend entries of every disk and vif, inside transaction t. */
int keel_store_write_devices(struct ks_handle *h, uint32_t t, domid_t d,
			     const struct keel_domain_config *c);
int keel_store_remove_backends(struct keel_ctl *k, domid_t d);
/* Xen's virtual-device number of xvdX/sdX/hdX(N), or -EINVAL. */
int keel_vdev_number(const char *vdev);

/* Saved config of a domain: STATE_DIR/UUID.{cfg,json,overrides}. */
char *keel_state_path(struct keel_ctl *k, const char *uuid, const char *ext);

#endif
