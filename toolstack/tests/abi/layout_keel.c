// SPDX-License-Identifier: GPL-2.0-only
/* The layout table as Keel's public headers define it. */
#include "public/domctl.h"
#include "public/sysctl.h"
#include "layout_table.h"

#define SIZE(s) LAYOUT_SIZE(s)
#define FIELD(s, m) LAYOUT_FIELD(s, m)
#define CONST(c) { #c, (size_t)(c), 0 },
const struct layout_row keel_layout[] = {
#include "layout_list.h"
#include "const_list.h"
};
const size_t keel_layout_len = sizeof(keel_layout) / sizeof(keel_layout[0]);
