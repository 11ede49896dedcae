/* SPDX-License-Identifier: GPL-2.0-only */
/* One row per layout fact: "struct", "struct.member" with offset and size,
 * plus the constants both headers must agree on (CONST(c), defined where
 * used so that #c is the name, not its expansion). */
#ifndef KEEL_ABI_LAYOUT_TABLE_H
#define KEEL_ABI_LAYOUT_TABLE_H

#include <stddef.h>

struct layout_row {
	const char *what;
	size_t offset;
	size_t size;
};

extern const struct layout_row keel_layout[];
extern const struct layout_row xen_layout[];
extern const size_t keel_layout_len, xen_layout_len;

#define LAYOUT_SIZE(s) { #s, 0, sizeof(struct s) },
#define LAYOUT_FIELD(s, m) \
	{ #s "." #m, offsetof(struct s, m), sizeof(((struct s *)0)->m) },

#endif
