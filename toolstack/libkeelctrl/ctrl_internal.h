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
/* One device's frontend and backend entries (hot-plug uses them alone). */
int keel_store_write_vbd(struct ks_handle *h, uint32_t t, domid_t d,
			 const struct keel_disk *disk);
int keel_store_write_vif(struct ks_handle *h, uint32_t t, domid_t d,
			 const struct keel_vif *vif);
int keel_store_remove_backends(struct keel_ctl *k, domid_t d);
/* Xen's virtual-device number of xvdX/sdX/hdX(N), or -EINVAL. */
int keel_vdev_number(const char *vdev);

/* Saved config of a domain: STATE_DIR/UUID.{cfg,args,json}. */
char *keel_state_path(struct keel_ctl *k, const char *uuid, const char *ext);

/* A domain's saved config as read back (saved.c): the config text, the
 * args file's lines (config name, then KEY=VALUE overrides). */
#define KEEL_SAVED_MAX_ARGS 64
struct keel_saved {
	char *uuid;
	char *text;
	size_t len;
	char *argtext;
	char *lines[KEEL_SAVED_MAX_ARGS];
	size_t nr_lines;
};

/* Parses domain dom's saved config into c (with its UUID and MACs), or
 * returns -ENOENT (k->err set) if keel did not create dom. */
int keel_saved_load(struct keel_ctl *k, domid_t dom, struct keel_saved *s,
		    struct keel_domain_config *c);
void keel_saved_free(struct keel_saved *s);
/* Records c's disks and vifs as the domain's current devices: the args
 * file's disk=/vif= overrides (so a restart recreates them), the JSON and
 * /libkeel/D/macs. */
int keel_saved_set_devices(struct keel_ctl *k, domid_t dom, struct keel_saved *s,
			   const struct keel_domain_config *c);

#endif
