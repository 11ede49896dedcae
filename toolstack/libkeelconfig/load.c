// SPDX-License-Identifier: GPL-2.0-only
/* Entry points: read a config file, tell xl.cfg from XML, parse, apply the
 * command line's key=value overrides, validate. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cfg.h"

int keel_config_parse_cfg(const char *name, const char *text, size_t len,
			  const char *const *overrides, size_t nr_overrides,
			  struct keel_domain_config *c, struct keel_diags *d)
{
	struct kc_settings s = { 0 };
	int ret = -1;

	free(c->source);
	c->source = kc_strdup(name);
	c->from_xml = false;
	if (kc_cfg_parse(name, text, len, false, 1, &s, d))
		goto out;
	/* Overrides join the file's settings, so a value they replace is
	 * never looked at: `memory=1024` rescues a file's memory="lots". */
	for (size_t i = 0; i < nr_overrides; i++)
		if (kc_cfg_parse("<command line>", overrides[i],
				 strlen(overrides[i]), true, i + 1, &s, d))
			goto out;
	ret = kc_cfg_apply(c, &s, d);
	if (keel_config_validate(c, d))
		ret = -1;
out:
	kc_settings_free(&s);
	return ret;
}

enum keel_config_format keel_config_detect(const char *name, const char *text,
					   size_t len)
{
	size_t i = 0, nlen = strlen(name);

	while (i < len && isspace((unsigned char)text[i]))
		i++;
	if (i < len && text[i] == '<')
		return KEEL_FORMAT_XML;
	if (nlen >= 4 && !strcasecmp(name + nlen - 4, ".xml"))
		return KEEL_FORMAT_XML;
	return KEEL_FORMAT_XLCFG;
}

static char *read_file(const char *path, size_t *len, struct keel_diags *d)
{
	struct keel_where w = { path, 0, NULL };
	size_t cap = 4096, n = 0;
	char *buf;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		kc_error(d, &w, "cannot open the config file: %s",
			 strerror(errno));
		return NULL;
	}
	buf = kc_malloc(cap);
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		buf = kc_realloc(buf, cap *= 2);
	}
	if (ferror(f)) {
		kc_error(d, &w, "cannot read the config file: %s",
			 strerror(errno));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	if (memchr(buf, '\0', n)) {
		kc_error(d, &w, "the config file contains a NUL byte: is it a text file?");
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int keel_config_load(const char *path, const char *const *overrides,
		     size_t nr_overrides, struct keel_domain_config *c,
		     struct keel_diags *d)
{
	size_t len;
	char *text = read_file(path, &len, d);
	int ret;

	if (!text)
		return -1;
	if (keel_config_detect(path, text, len) == KEEL_FORMAT_XML)
		ret = keel_config_parse_xml(path, text, len, overrides,
					    nr_overrides, c, d);
	else
		ret = keel_config_parse_cfg(path, text, len, overrides,
					    nr_overrides, c, d);
	free(text);
	return ret;
}
