// SPDX-License-Identifier: GPL-2.0-only
/* A domain's saved config (STATE_DIR/UUID.{cfg,args,json}), read back for
 * restarts and hot-plug, and its device list kept current: hot-plugged
 * disks and vifs become disk=/vif= overrides in the args file. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keelstore.h"
#include "ctrl_internal.h"

void keel_saved_free(struct keel_saved *s)
{
	free(s->uuid);
	free(s->text);
	free(s->argtext);
	memset(s, 0, sizeof(*s));
}

/* The args file: one line each, the config's name first. */
static int split_args(struct keel_ctl *k, struct keel_saved *s, size_t alen,
		      const char *path, domid_t dom)
{
	char *t = realloc(s->argtext, alen + 1);

	if (!t)
		return keel_fail(k, -ENOMEM, "out of memory");
	s->argtext = t;
	t[alen] = 0;
	for (char *p = t, *e; *p && s->nr_lines < KEEL_SAVED_MAX_ARGS; p = e + 1) {
		e = strchr(p, '\n');
		if (!e)
			break;
		*e = 0;
		s->lines[s->nr_lines++] = p;
	}
	if (!s->nr_lines)
		return keel_fail(k, -EINVAL, "saved config %s of domain %u is damaged", path, dom);
	return 0;
}

int keel_saved_load(struct keel_ctl *k, domid_t dom, struct keel_saved *s,
		    struct keel_domain_config *c)
{
	struct keel_diags d;
	char *cfg = NULL, *args = NULL, *macs = NULL;
	size_t alen = 0;
	int ret;

	memset(s, 0, sizeof(*s));
	keel_diags_init(&d);
	ret = keel_store_get(k, dom, "uuid", &s->uuid);
	if (ret) {
		ret = keel_fail(k, -ENOENT, "domain %u has no saved config (not created by keel?)", dom);
		goto out;
	}
	keel_store_get(k, dom, "macs", &macs);
	cfg = keel_state_path(k, s->uuid, "cfg");
	args = keel_state_path(k, s->uuid, "args");
	if (!cfg || !args) {
		ret = keel_fail(k, -ENOMEM, "out of memory");
		goto out;
	}
	ret = keel_read_file(k, "saved config", cfg, (uint8_t **)&s->text, &s->len);
	if (!ret)
		ret = keel_read_file(k, "saved config", args, (uint8_t **)&s->argtext, &alen);
	if (!ret)
		ret = split_args(k, s, alen, args, dom);
	if (ret)
		goto out;
	if (keel_config_detect(s->lines[0], s->text, s->len) == KEEL_FORMAT_XML)
		ret = keel_config_parse_xml(s->lines[0], s->text, s->len,
					    (const char *const *)s->lines + 1, s->nr_lines - 1, c, &d);
	else
		ret = keel_config_parse_cfg(s->lines[0], s->text, s->len,
					    (const char *const *)s->lines + 1, s->nr_lines - 1, c, &d);
	if (ret) {
		ret = keel_fail(k, -EINVAL, "saved config of domain %u no longer parses: %s",
				dom, keel_diags_first(&d, KEEL_DIAG_ERROR));
		goto out;
	}
	/* Same identity as before: UUID and MACs. */
	uuid_parse(s->uuid, c->uuid);
	c->uuid_set = true;
	for (size_t i = 0; macs && i < c->nr_vifs; i++) {
		const char *why;

		if (strlen(macs) >= (i + 1) * 18 - 1 &&
		    !keel_mac_parse(strndupa(macs + i * 18, 17), c->vifs[i].mac, &why))
			c->vifs[i].mac_set = true;
	}
out:
	if (ret)
		keel_saved_free(s);
	free(cfg);
	free(args);
	free(macs);
	keel_diags_free(&d);
	return ret;
}

/* A spec as an xl.cfg string: quoted, escaped, on one line. */
static void put_quoted(FILE *f, const char *spec)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)spec; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Writes path through a temporary file, so a crash leaves the old one. */
static int replace_file(const char *path, void (*fill)(FILE *f, const void *arg),
			const void *arg)
{
	char *tmp;
	FILE *f;
	int ret = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		return -ENOMEM;
	f = fopen(tmp, "w");
	if (!f) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	fill(f, arg);
	if (ferror(f))
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

struct args_fill {
	const struct keel_saved *s;
	const struct keel_domain_config *c;
};

static void fill_args(FILE *f, const void *arg)
{
	const struct args_fill *a = arg;

	fprintf(f, "%s\n", a->s->lines[0]);
	/* The user's own overrides stay, except the device lists, which the
	 * two lines below replace whole. */
	for (size_t i = 1; i < a->s->nr_lines; i++)
		if (strncmp(a->s->lines[i], "disk=", 5) && strncmp(a->s->lines[i], "vif=", 4))
			fprintf(f, "%s\n", a->s->lines[i]);
	fputs("disk=[", f);
	for (size_t i = 0; i < a->c->nr_disks; i++) {
		char *spec = keel_disk_spec(&a->c->disks[i]);

		if (i)
			fputc(',', f);
		put_quoted(f, spec);
		free(spec);
	}
	fputs("]\nvif=[", f);
	for (size_t i = 0; i < a->c->nr_vifs; i++) {
		char *spec = keel_vif_spec(&a->c->vifs[i]);

		if (i)
			fputc(',', f);
		put_quoted(f, spec);
		free(spec);
	}
	fputs("]\n", f);
}

static void fill_json(FILE *f, const void *arg)
{
	keel_config_write_json(arg, f);
}

int keel_saved_set_devices(struct keel_ctl *k, domid_t dom, struct keel_saved *s,
			   const struct keel_domain_config *c)
{
	struct args_fill a = { s, c };
	char *args = keel_state_path(k, s->uuid, "args");
	char *json = keel_state_path(k, s->uuid, "json");
	char *m = NULL;
	int ret;

	if (!args || !json) {
		ret = -ENOMEM;
		goto out;
	}
	ret = replace_file(args, fill_args, &a);
	if (!ret)
		ret = replace_file(json, fill_json, c);
	if (ret)
		goto out;
	m = calloc(c->nr_vifs + 1, 18);
	if (!m) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < c->nr_vifs; i++) {
		if (i)
			m[i * 18 - 1] = ',';
		keel_mac_format(c->vifs[i].mac, m + i * 18);
	}
	ret = keel_store_set(k, dom, "macs", m);
out:
	if (ret)
		ret = keel_fail(k, ret, "cannot record domain %u's devices in its saved config under %s: %s",
				dom, k->state_dir, strerror(-ret));
	free(m);
	free(args);
	free(json);
	return ret;
}
