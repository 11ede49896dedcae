/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor's command line: "name[=value]" options parsed into variables. */
#ifndef KEEL_CMDLINE_H
#define KEEL_CMDLINE_H

#include <keel/types.h>

enum cmdline_type { CMDLINE_BOOL, CMDLINE_UINT, CMDLINE_SIZE, CMDLINE_STRING };

struct cmdline_param {
	const char *name;
	enum cmdline_type type;
	void *var; /* bool* (BOOL), u64* (UINT and SIZE), char* (STRING) */
	size_t size; /* STRING: buffer size */
};

/*
 * Parse a space-separated "name[=value]" list. BOOL: "name", "name=" one of
 * 1/0/yes/no/on/off/true/false, or "no-name". UINT: decimal or 0x hex. SIZE:
 * a UINT with an optional K/M/G/T suffix (binary units). STRING: copied,
 * truncated to its buffer. Later options override earlier ones. Unknown
 * options and bad values are reported with pr_warn and skipped; returns the
 * number of such problems.
 */
int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr);

/*
 * "512M", "0x1000", "4k": a size in bytes. With end, parsing stops after the
 * suffix and *end points there; without, the whole string must be the size.
 * 0, or -EINVAL (no digits, junk, or more than 64 bits).
 */
int parse_size(const char *s, u64 *out, const char **end);

/* Skip the image path boot loaders put first: a first word with '/' and no '='. */
const char *cmdline_skip_image_name(const char *cmdline);

#endif
