// SPDX-License-Identifier: GPL-2.0-only
/* libkeelconfig internals: allocation helpers and the field setters that the
 * xl.cfg and XML front ends share, so both validate a value the same way. */
#ifndef KEELCONFIG_INTERNAL_H
#define KEELCONFIG_INTERNAL_H

#include <stdarg.h>
#include "keelconfig.h"

/* Allocation failure in a short-lived command is not worth unwinding for. */
void *kc_malloc(size_t n);
void *kc_calloc(size_t n, size_t size);
void *kc_realloc(void *p, size_t n);
char *kc_strdup(const char *s);
char *kc_strndup(const char *s, size_t n);
char *kc_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *kc_vasprintf(const char *fmt, va_list ap);

#define kc_error(d, w, ...) keel_diag_at(d, KEEL_DIAG_ERROR, w, __VA_ARGS__)
#define kc_warn(d, w, ...) keel_diag_at(d, KEEL_DIAG_WARNING, w, __VA_ARGS__)

void kc_src_set(struct keel_src *src, const struct keel_where *w);
void kc_src_free(struct keel_src *src);

/*
 * Decimal, 0x hex or 0 octal, as xl.cfg numbers are. Errors name the value:
 * "expected a number, got \"lots\"".
 */
int kc_parse_ulong(const char *s, unsigned long *out, struct keel_diags *d,
		   const struct keel_where *w);

/* Field setters: each validates, reports through @d at @w, and replaces any
 * earlier value (the last assignment wins, as in xl). */
int kc_set_name(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w);
int kc_set_type(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w);
int kc_set_uuid(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w);
int kc_set_memory(struct keel_domain_config *c, unsigned long mib,
		  struct keel_diags *d, const struct keel_where *w);
int kc_set_maxmem(struct keel_domain_config *c, unsigned long mib,
		  struct keel_diags *d, const struct keel_where *w);
int kc_set_vcpus(struct keel_domain_config *c, unsigned long n,
		 struct keel_diags *d, const struct keel_where *w);
int kc_set_maxvcpus(struct keel_domain_config *c, unsigned long n,
		    struct keel_diags *d, const struct keel_where *w);
/* @field is &c->kernel, &c->ramdisk, ...; @src may be NULL. */
int kc_set_path(char **field, struct keel_src *src, const char *s,
		struct keel_diags *d, const struct keel_where *w);
int kc_set_string(char **field, struct keel_src *src, const char *s,
		  const struct keel_where *w);
int kc_set_action(enum keel_action *field, const char *s,
		  struct keel_diags *d, const struct keel_where *w);
/* Every vCPU pinned to the CPU list @s ("all" unpins). */
int kc_set_cpus(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w);
void kc_clear_cpus(struct keel_domain_config *c);
/* Appends one per-vCPU CPU list (xl's list form of cpus=). */
int kc_add_vcpu_cpus(struct keel_domain_config *c, const char *s,
		     struct keel_diags *d, const struct keel_where *w);

void kc_clear_disks(struct keel_domain_config *c);
void kc_clear_vifs(struct keel_domain_config *c);
/* Takes ownership of *disk / *vif. */
void kc_add_disk(struct keel_domain_config *c, struct keel_disk *disk,
		 const struct keel_where *w);
void kc_add_vif(struct keel_domain_config *c, struct keel_vif *vif,
		const struct keel_where *w);

/* One "key = value" of xl.cfg syntax, for overrides applied to any format. */
struct kc_setting;
int kc_cfg_apply_overrides(struct keel_domain_config *c,
			   const char *const *overrides, size_t n,
			   struct keel_diags *d);

#endif /* KEELCONFIG_INTERNAL_H */
