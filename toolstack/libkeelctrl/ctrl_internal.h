// SPDX-License-Identifier: GPL-2.0-only
/* libkeelctrl's own helpers, shared between its files. */
#ifndef KEELCTRL_INTERNAL_H
#define KEELCTRL_INTERNAL_H

#include "keelctrl.h"

/* Reads a whole file; on failure k->err names @what ("kernel", "ramdisk"),
 * the path and the config key to check. */
int keel_read_file(struct keel_ctl *k, const char *what, const char *path,
		   uint8_t **buf, size_t *len);

/* /local/domain/D and /libkeel/D. */
#define KEEL_STORE_LIBKEEL "/libkeel"

/* Saved config of a domain: STATE_DIR/UUID.{cfg,json,overrides}. */
char *keel_state_path(struct keel_ctl *k, const char *uuid, const char *ext);

#endif
