/* SPDX-License-Identifier: GPL-2.0-only */
/* libkeelback: what Keel's dom0 backends (pv-drivers/blkback, netback)
 * share. Include this one header. */
#ifndef KEELBACK_H
#define KEELBACK_H

#include "kb_log.h"
#include "kb_ring.h"
#include "kb_xenif.h"
#include "kb_backend.h"

#endif /* KEELBACK_H */
