// SPDX-License-Identifier: GPL-2.0-only
/* The layout table as Xen 4.17's installed headers (libxen-dev) define it.
 * The only file of Keel that includes Xen's headers. */
#define __XEN_TOOLS__ 1
#include <stdint.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <sys/ioctl.h>
#include <stddef.h>
#include <xen/sys/privcmd.h>
#include <xen/sys/evtchn.h>
#include "layout_table.h"

#define PRIVCMD_LAYOUTS 1
#define PSIZE(tag, s) { #tag, 0, sizeof(struct s) },
#define PFIELD(tag, s, m) { #tag "." #m, offsetof(struct s, m), sizeof(((struct s *)0)->m) },
#define IOCTL(n) { #n, (size_t)IOCTL_##n, 0 },

#define SIZE(s) LAYOUT_SIZE(s)
#define FIELD(s, m) LAYOUT_FIELD(s, m)
#define CONST(c) { #c, (size_t)(c), 0 },
const struct layout_row xen_layout[] = {
#include "layout_list.h"
#include "const_list.h"
};
const size_t xen_layout_len = sizeof(xen_layout) / sizeof(xen_layout[0]);
