// SPDX-License-Identifier: GPL-2.0-only
/* Shared helpers for the libkeelconfig unit tests. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

static struct parsed *parse(bool xml, const char *name, const char *text,
			    const char *const *overrides)
{
	struct parsed *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	keel_config_init(&p->c);
	keel_diags_init(&p->d);
	if (xml)
		p->ret = keel_config_parse_xml(name, text, strlen(text),
					       overrides, count(overrides),
					       &p->c, &p->d);
	else
		p->ret = keel_config_parse_cfg(name, text, strlen(text),
					       overrides, count(overrides),
					       &p->c, &p->d);
	return p;
}

struct parsed *parse_cfg(const char *name, const char *text,
			 const char *const *overrides)
{
	return parse(false, name, text, overrides);
}

struct parsed *parse_xml(const char *name, const char *text,
			 const char *const *overrides)
{
	return parse(true, name, text, overrides);
}

void parsed_free(struct parsed *p)
{
	keel_config_free(&p->c);
	keel_diags_free(&p->d);
	free(p);
}

static void dump(const struct keel_diags *d)
{
	print_message("diagnostics (%zu):\n", d->n);
	for (size_t i = 0; i < d->n; i++)
		print_message("  %s: %s\n",
			      d->v[i].level == KEEL_DIAG_ERROR ? "error" :
								 "warning",
			      d->v[i].msg);
}

void expect_diag(const struct keel_diags *d, enum keel_diag_level level,
		 const char *msg)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].msg, msg))
			return;
	print_message("expected %s: %s\n",
		      level == KEEL_DIAG_ERROR ? "error" : "warning", msg);
	dump(d);
	fail();
}

void expect_error(const struct parsed *p, const char *msg)
{
	const char *first = keel_diags_first(&p->d, KEEL_DIAG_ERROR);

	if (p->ret == -1 && first && !strcmp(first, msg))
		return;
	print_message("ret %d, expected first error: %s\n", p->ret, msg);
	dump(&p->d);
	fail();
}

void expect_clean(const struct parsed *p)
{
	if (p->ret == 0 && p->d.n == 0)
		return;
	print_message("ret %d, expected no diagnostics\n", p->ret);
	dump(&p->d);
	fail();
}
