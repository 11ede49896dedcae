// SPDX-License-Identifier: GPL-2.0-only
/* Diagnostics: errors and warnings collected while parsing a config, each
 * naming the file, the line and the subject, for the command to print. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

void keel_diags_init(struct keel_diags *d)
{
	memset(d, 0, sizeof(*d));
}

void keel_diags_free(struct keel_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	keel_diags_init(d);
}

size_t keel_diags_count(const struct keel_diags *d, enum keel_diag_level level)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].level == level;
	return n;
}

const char *keel_diags_first(const struct keel_diags *d,
			     enum keel_diag_level level)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level)
			return d->v[i].msg;
	return NULL;
}

void keel_diags_print(const struct keel_diags *d, FILE *f, const char *prefix)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s: %s%s\n", prefix,
			d->v[i].level == KEEL_DIAG_WARNING ? "warning: " : "",
			d->v[i].msg);
}

void keel_diag_at(struct keel_diags *d, enum keel_diag_level level,
		  const struct keel_where *w, const char *fmt, ...)
{
	char *body, *loc, *what;
	va_list ap;

	va_start(ap, fmt);
	body = kc_vasprintf(fmt, ap);
	va_end(ap);

	if (w && w->file && w->line > 0)
		loc = kc_asprintf("%s:%d: ", w->file, w->line);
	else if (w && w->file)
		loc = kc_asprintf("%s: ", w->file);
	else
		loc = kc_strdup("");
	what = w && w->what ? kc_asprintf("%s: ", w->what) : kc_strdup("");

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 8;
		d->v = kc_realloc(d->v, d->cap * sizeof(*d->v));
	}
	d->v[d->n].level = level;
	d->v[d->n].msg = kc_asprintf("%s%s%s", loc, what, body);
	d->n++;
	free(body);
	free(loc);
	free(what);
}
