// SPDX-License-Identifier: GPL-2.0-only
/* What each xl.cfg key means: turns parsed settings into the domain config,
 * warning about keys Keel does not know instead of ignoring them silently. */
#include <stdlib.h>
#include <string.h>
#include "cfg.h"

typedef int (*key_fn)(struct keel_domain_config *c, const struct kc_value *v,
		      struct keel_diags *d, const struct keel_where *w);

/* An atom's text, or NULL (with an error) for a list. */
static const char *atom(const struct kc_value *v, const char *expected,
			struct keel_diags *d, const struct keel_where *w)
{
	if (v->kind == KC_ATOM)
		return v->text;
	kc_error(d, w, "expected %s, got a list", expected);
	return NULL;
}

static int number(const struct kc_value *v, unsigned long *out,
		  struct keel_diags *d, const struct keel_where *w)
{
	const char *s = atom(v, "a number", d, w);

	return s ? kc_parse_ulong(s, out, d, w) : -1;
}

#define STRING_OR_FAIL(s)                                   \
	const char *s = atom(v, "a string", d, w);          \
	if (!s)                                             \
		return -1

static int key_name(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_name(c, s, d, w);
}

static int key_type(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_type(c, s, d, w);
}

/* builder= is the xm-era spelling of type=. */
static int key_builder(struct keel_domain_config *c, const struct kc_value *v,
		       struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	(void)c;
	kc_error(d, w, "builder=\"%s\" selects a %s guest, which Keel does not support: remove builder= and use type=\"pvh\"",
		 s, strcmp(s, "hvm") ? "PV" : "HVM");
	return -1;
}

static int key_uuid(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_uuid(c, s, d, w);
}

static int key_memory(struct keel_domain_config *c, const struct kc_value *v,
		      struct keel_diags *d, const struct keel_where *w)
{
	unsigned long n;

	return number(v, &n, d, w) ? -1 : kc_set_memory(c, n, d, w);
}

static int key_maxmem(struct keel_domain_config *c, const struct kc_value *v,
		      struct keel_diags *d, const struct keel_where *w)
{
	unsigned long n;

	return number(v, &n, d, w) ? -1 : kc_set_maxmem(c, n, d, w);
}

static int key_vcpus(struct keel_domain_config *c, const struct kc_value *v,
		     struct keel_diags *d, const struct keel_where *w)
{
	unsigned long n;

	return number(v, &n, d, w) ? -1 : kc_set_vcpus(c, n, d, w);
}

static int key_maxvcpus(struct keel_domain_config *c, const struct kc_value *v,
			struct keel_diags *d, const struct keel_where *w)
{
	unsigned long n;

	return number(v, &n, d, w) ? -1 : kc_set_maxvcpus(c, n, d, w);
}

/* cpus="0-3" pins every vCPU; cpus=["2", "3-5"] pins vCPU i to item i. */
static int key_cpus(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	int ret = 0;

	if (v->kind == KC_ATOM)
		return kc_set_cpus(c, v->text, d, w);
	kc_clear_cpus(c);
	for (size_t i = 0; i < v->nr_items; i++) {
		struct keel_where iw = { w->file, v->items[i].line, w->what };
		const char *s = atom(&v->items[i], "a CPU list string", d, &iw);

		if (!s || kc_add_vcpu_cpus(c, s, d, &iw))
			ret = -1;
	}
	kc_src_set(&c->src_cpus, w);
	return ret;
}

static int key_kernel(struct keel_domain_config *c, const struct kc_value *v,
		      struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_path(&c->kernel, &c->src_kernel, s, d, w);
}

static int key_ramdisk(struct keel_domain_config *c, const struct kc_value *v,
		       struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_path(&c->ramdisk, NULL, s, d, w);
}

static int key_cmdline(struct keel_domain_config *c, const struct kc_value *v,
		       struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_string(&c->cmdline, &c->src_cmdline, s, w);
}

static int key_extra(struct keel_domain_config *c, const struct kc_value *v,
		     struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_string(&c->extra, NULL, s, w);
}

static int key_root(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	STRING_OR_FAIL(s);
	return kc_set_string(&c->root, NULL, s, w);
}

#define ACTION_KEY(field)                                                     \
	static int key_##field(struct keel_domain_config *c,                  \
			       const struct kc_value *v, struct keel_diags *d, \
			       const struct keel_where *w)                    \
	{                                                                     \
		STRING_OR_FAIL(s);                                            \
		return kc_set_action(&c->field, s, d, w);                     \
	}
ACTION_KEY(on_poweroff)
ACTION_KEY(on_reboot)
ACTION_KEY(on_crash)

/* disk= and vif= take a list of spec strings; one bare string is accepted
 * as a list of one. */
static int each_spec(const struct kc_value *v, const char *key,
		     struct keel_diags *d, const struct keel_where *w,
		     int (*one)(void *ctx, const char *spec,
				const struct keel_where *iw),
		     void *ctx)
{
	size_t n = v->kind == KC_LIST ? v->nr_items : 1;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct kc_value *item = v->kind == KC_LIST ?
						      &v->items[i] : v;
		char what[32];
		struct keel_where iw = { w->file, item->line, what };
		const char *s;

		snprintf(what, sizeof(what), "%s[%zu]", key, i);
		s = atom(item, "a spec string", d, &iw);
		if (!s || one(ctx, s, &iw))
			ret = -1;
	}
	return ret;
}

struct spec_ctx {
	struct keel_domain_config *c;
	struct keel_diags *d;
};

static int one_disk(void *ctx, const char *spec, const struct keel_where *iw)
{
	struct spec_ctx *sc = ctx;
	struct keel_disk disk;

	if (keel_disk_parse(spec, &disk, sc->d, iw))
		return -1;
	kc_add_disk(sc->c, &disk, iw);
	return 0;
}

static int one_vif(void *ctx, const char *spec, const struct keel_where *iw)
{
	struct spec_ctx *sc = ctx;
	struct keel_vif vif;

	if (keel_vif_parse(spec, &vif, sc->d, iw))
		return -1;
	kc_add_vif(sc->c, &vif, iw);
	return 0;
}

static int key_disk(struct keel_domain_config *c, const struct kc_value *v,
		    struct keel_diags *d, const struct keel_where *w)
{
	struct spec_ctx sc = { c, d };

	kc_clear_disks(c);
	return each_spec(v, "disk", d, w, one_disk, &sc);
}

static int key_vif(struct keel_domain_config *c, const struct kc_value *v,
		   struct keel_diags *d, const struct keel_where *w)
{
	struct spec_ctx sc = { c, d };

	kc_clear_vifs(c);
	return each_spec(v, "vif", d, w, one_vif, &sc);
}

static const struct {
	const char *key;
	key_fn fn;
} keys[] = {
	{ "name", key_name },		{ "type", key_type },
	{ "builder", key_builder },	{ "uuid", key_uuid },
	{ "memory", key_memory },	{ "maxmem", key_maxmem },
	{ "vcpus", key_vcpus },		{ "maxvcpus", key_maxvcpus },
	{ "cpus", key_cpus },		{ "kernel", key_kernel },
	{ "ramdisk", key_ramdisk },	{ "cmdline", key_cmdline },
	{ "extra", key_extra },		{ "root", key_root },
	{ "on_poweroff", key_on_poweroff },
	{ "on_reboot", key_on_reboot },	{ "on_crash", key_on_crash },
	{ "disk", key_disk },		{ "vif", key_vif },
};

/* Keys xl knows that Keel does not act on yet: named as such, so a user
 * does not hunt for a typo. */
static const char *const xl_only_keys[] = {
	"bootloader", "bootloader_args", "pci", "vfb", "vkb", "vnc", "sdl",
	"serial", "usb", "usbdev", "usbctrl", "channel", "vtpm", "p9",
	"iomem", "ioports", "irqs", "device_model_version",
	"device_model_override", "cpus_soft", "cpu_weight", "cap",
	"on_watchdog", "on_soft_reset", "seclabel", "vga", "videoram",
};

static int apply_one(struct keel_domain_config *c, const struct kc_setting *s,
		     struct keel_diags *d)
{
	struct keel_where w = { s->file, s->line, s->key };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(s->key, keys[i].key))
			return keys[i].fn(c, &s->value, d, &w);

	w.what = NULL;
	for (size_t i = 0; i < sizeof(xl_only_keys) / sizeof(xl_only_keys[0]);
	     i++) {
		if (!strcmp(s->key, xl_only_keys[i])) {
			kc_warn(d, &w, "'%s' is an xl key that Keel does not support yet; ignored",
				s->key);
			return 0;
		}
	}
	kc_warn(d, &w, "unknown key '%s' ignored", s->key);
	return 0;
}

int kc_cfg_apply(struct keel_domain_config *c, const struct kc_settings *s,
		 struct keel_diags *d)
{
	int ret = 0;

	for (size_t i = 0; i < s->n; i++) {
		bool overridden = false;

		for (size_t j = i + 1; j < s->n && !overridden; j++) {
			if (strcmp(s->v[i].key, s->v[j].key))
				continue;
			overridden = true;
			/* Twice in one file is likely a slip; an override
			 * from the command line is the point. */
			if (!strcmp(s->v[i].file, s->v[j].file)) {
				struct keel_where w = { s->v[j].file,
							s->v[j].line, NULL };
				kc_warn(d, &w, "'%s' is set again (first on line %d); the last value is used",
					s->v[j].key, s->v[i].line);
			}
		}
		if (!overridden && apply_one(c, &s->v[i], d))
			ret = -1;
	}
	return ret;
}

int kc_cfg_apply_overrides(struct keel_domain_config *c,
			   const char *const *overrides, size_t n,
			   struct keel_diags *d)
{
	struct kc_settings s = { 0 };
	int ret = 0;

	for (size_t i = 0; i < n; i++)
		if (kc_cfg_parse("<command line>", overrides[i],
				 strlen(overrides[i]), true, i + 1, &s, d))
			ret = -1;
	if (!ret)
		ret = kc_cfg_apply(c, &s, d);
	kc_settings_free(&s);
	return ret;
}
