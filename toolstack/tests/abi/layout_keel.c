// SPDX-License-Identifier: GPL-2.0-only
/* The layout table as Keel's public headers define it. */
#include "public/domctl.h"
#include "public/sysctl.h"
#include "privcmd_abi.h"
#include "layout_table.h"

#define PRIVCMD_LAYOUTS 1
/* Keel names its copies of the Linux UAPI structs keel_*. */
#define PSIZE(tag, s) { #tag, 0, sizeof(struct keel_##s) },
#define PFIELD(tag, s, m) { #tag "." #m, offsetof(struct keel_##s, m), sizeof(((struct keel_##s *)0)->m) },
#define IOCTL(n) { #n, (size_t)KEEL_IOCTL_##n, 0 },

#define SIZE(s) LAYOUT_SIZE(s)
#define FIELD(s, m) LAYOUT_FIELD(s, m)
#define CONST(c) { #c, (size_t)(c), 0 },
const struct layout_row keel_layout[] = {
#include "layout_list.h"
#include "const_list.h"
};
const size_t keel_layout_len = sizeof(keel_layout) / sizeof(keel_layout[0]);
