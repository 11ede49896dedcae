// SPDX-License-Identifier: GPL-2.0-only
/* Shared helpers for the libkeelconfig unit tests: parse a config from a
 * string and look for an exact diagnostic among those it produced. */
#ifndef KEELCONFIG_TEST_HELPERS_H
#define KEELCONFIG_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "keelconfig.h"

struct parsed {
	struct keel_domain_config c;
	struct keel_diags d;
	int ret;
};

/* Parses @text as xl.cfg named @name, with NULL-terminated overrides. */
struct parsed *parse_cfg(const char *name, const char *text,
			 const char *const *overrides);
struct parsed *parse_xml(const char *name, const char *text,
			 const char *const *overrides);
void parsed_free(struct parsed *p);

/* Fails, listing every diagnostic, unless one of @level equals @msg. */
void expect_diag(const struct keel_diags *d, enum keel_diag_level level,
		 const char *msg);
/* Fails unless parsing failed with exactly @msg as its first error. */
void expect_error(const struct parsed *p, const char *msg);
/* Fails unless there are no errors and no warnings at all. */
void expect_clean(const struct parsed *p);

#endif
