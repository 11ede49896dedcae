// SPDX-License-Identifier: GPL-2.0-only
/* The xl.cfg syntax tree: "key = value" settings whose values are atoms
 * (strings or numbers) or lists, each remembering its line. */
#ifndef KEELCONFIG_CFG_H
#define KEELCONFIG_CFG_H

#include "internal.h"

enum kc_value_kind { KC_ATOM, KC_LIST };

struct kc_value {
	enum kc_value_kind kind;
	int line;
	char *text;		/* atoms: the string, or the number as written */
	bool quoted;
	struct kc_value *items;	/* lists */
	size_t nr_items;
};

struct kc_setting {
	char *key;
	char *file;
	int line;
	struct kc_value value;
};

struct kc_settings {
	struct kc_setting *v;
	size_t n;
};

/*
 * Parses xl.cfg text into @out (appending). @bare_value: the value is the
 * rest of the line unless it starts with a quote or '[' (command-line
 * overrides). @first_line numbers the first line. Stops at the first
 * syntax error: returns -1 with it in @d.
 */
int kc_cfg_parse(const char *file, const char *text, size_t len,
		 bool bare_value, int first_line, struct kc_settings *out,
		 struct keel_diags *d);
void kc_settings_free(struct kc_settings *s);

/* Applies settings in order; where a key appears more than once only the
 * last one counts, so a bad value that is overridden is no error. */
int kc_cfg_apply(struct keel_domain_config *c, const struct kc_settings *s,
		 struct keel_diags *d);

#endif /* KEELCONFIG_CFG_H */
