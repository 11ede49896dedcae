// SPDX-License-Identifier: GPL-2.0-only
/* The domain config: its defaults, the field setters both file formats go
 * through, and the cross-field checks made once every value is known. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

static const char *const action_names[] = {
	[KEEL_ACTION_DESTROY] = "destroy",
	[KEEL_ACTION_RESTART] = "restart",
	[KEEL_ACTION_PRESERVE] = "preserve",
	[KEEL_ACTION_RENAME_RESTART] = "rename-restart",
	[KEEL_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
	[KEEL_ACTION_COREDUMP_RESTART] = "coredump-restart",
};

const char *keel_action_name(enum keel_action a)
{
	return action_names[a];
}

int keel_action_parse(const char *s, enum keel_action *a)
{
	for (size_t i = 0; i < sizeof(action_names) / sizeof(action_names[0]);
	     i++) {
		if (!strcmp(s, action_names[i])) {
			*a = i;
			return 0;
		}
	}
	return -1;
}

void keel_config_init(struct keel_domain_config *c)
{
	memset(c, 0, sizeof(*c));
	c->on_poweroff = KEEL_ACTION_DESTROY;
	c->on_reboot = KEEL_ACTION_RESTART;
	c->on_crash = KEEL_ACTION_DESTROY;
}

void kc_src_set(struct keel_src *src, const struct keel_where *w)
{
	free(src->file);
	src->file = w && w->file ? kc_strdup(w->file) : NULL;
	src->line = w ? w->line : 0;
}

void kc_src_free(struct keel_src *src)
{
	free(src->file);
	src->file = NULL;
	src->line = 0;
}

void kc_clear_disks(struct keel_domain_config *c)
{
	for (size_t i = 0; i < c->nr_disks; i++) {
		keel_disk_free(&c->disks[i]);
		kc_src_free(&c->src_disks[i]);
	}
	free(c->disks);
	free(c->src_disks);
	c->disks = NULL;
	c->src_disks = NULL;
	c->nr_disks = 0;
}

void kc_clear_vifs(struct keel_domain_config *c)
{
	for (size_t i = 0; i < c->nr_vifs; i++) {
		keel_vif_free(&c->vifs[i]);
		kc_src_free(&c->src_vifs[i]);
	}
	free(c->vifs);
	free(c->src_vifs);
	c->vifs = NULL;
	c->src_vifs = NULL;
	c->nr_vifs = 0;
}

void kc_add_disk(struct keel_domain_config *c, struct keel_disk *disk,
		 const struct keel_where *w)
{
	c->disks = kc_realloc(c->disks, (c->nr_disks + 1) * sizeof(*c->disks));
	c->src_disks = kc_realloc(c->src_disks,
				  (c->nr_disks + 1) * sizeof(*c->src_disks));
	c->disks[c->nr_disks] = *disk;
	memset(&c->src_disks[c->nr_disks], 0, sizeof(struct keel_src));
	kc_src_set(&c->src_disks[c->nr_disks], w);
	c->nr_disks++;
	memset(disk, 0, sizeof(*disk));
}

void kc_add_vif(struct keel_domain_config *c, struct keel_vif *vif,
		const struct keel_where *w)
{
	c->vifs = kc_realloc(c->vifs, (c->nr_vifs + 1) * sizeof(*c->vifs));
	c->src_vifs = kc_realloc(c->src_vifs,
				 (c->nr_vifs + 1) * sizeof(*c->src_vifs));
	c->vifs[c->nr_vifs] = *vif;
	memset(&c->src_vifs[c->nr_vifs], 0, sizeof(struct keel_src));
	kc_src_set(&c->src_vifs[c->nr_vifs], w);
	c->nr_vifs++;
	memset(vif, 0, sizeof(*vif));
}

static char *dup_or_null(const char *s)
{
	return s ? kc_strdup(s) : NULL;
}

void keel_config_add_disk(struct keel_domain_config *c,
			  const struct keel_disk *disk)
{
	struct keel_disk copy = *disk;

	copy.target = dup_or_null(disk->target);
	copy.format = dup_or_null(disk->format);
	copy.vdev = dup_or_null(disk->vdev);
	copy.backendtype = dup_or_null(disk->backendtype);
	kc_add_disk(c, &copy, NULL);
}

void keel_config_add_vif(struct keel_domain_config *c,
			 const struct keel_vif *vif)
{
	struct keel_vif copy = *vif;

	copy.bridge = dup_or_null(vif->bridge);
	copy.ip = dup_or_null(vif->ip);
	copy.vifname = dup_or_null(vif->vifname);
	copy.model = dup_or_null(vif->model);
	copy.script = dup_or_null(vif->script);
	kc_add_vif(c, &copy, NULL);
}

void keel_config_remove_disk(struct keel_domain_config *c, size_t i)
{
	if (i >= c->nr_disks)
		return;
	keel_disk_free(&c->disks[i]);
	kc_src_free(&c->src_disks[i]);
	c->nr_disks--;
	memmove(&c->disks[i], &c->disks[i + 1], (c->nr_disks - i) * sizeof(*c->disks));
	memmove(&c->src_disks[i], &c->src_disks[i + 1],
		(c->nr_disks - i) * sizeof(*c->src_disks));
}

void keel_config_remove_vif(struct keel_domain_config *c, size_t i)
{
	if (i >= c->nr_vifs)
		return;
	keel_vif_free(&c->vifs[i]);
	kc_src_free(&c->src_vifs[i]);
	c->nr_vifs--;
	memmove(&c->vifs[i], &c->vifs[i + 1], (c->nr_vifs - i) * sizeof(*c->vifs));
	memmove(&c->src_vifs[i], &c->src_vifs[i + 1],
		(c->nr_vifs - i) * sizeof(*c->src_vifs));
}

void kc_clear_cpus(struct keel_domain_config *c)
{
	free(c->cpus.per_vcpu);
	memset(&c->cpus, 0, sizeof(c->cpus));
}

void keel_config_free(struct keel_domain_config *c)
{
	free(c->name);
	free(c->kernel);
	free(c->ramdisk);
	free(c->cmdline);
	free(c->root);
	free(c->extra);
	free(c->source);
	kc_clear_cpus(c);
	kc_clear_disks(c);
	kc_clear_vifs(c);
	kc_src_free(&c->src_name);
	kc_src_free(&c->src_memory);
	kc_src_free(&c->src_maxmem);
	kc_src_free(&c->src_vcpus);
	kc_src_free(&c->src_maxvcpus);
	kc_src_free(&c->src_cpus);
	kc_src_free(&c->src_cmdline);
	kc_src_free(&c->src_kernel);
	keel_config_init(c);
}

int kc_parse_ulong(const char *s, unsigned long *out, struct keel_diags *d,
		   const struct keel_where *w)
{
	char *end;

	/* strtoul would quietly accept "-1" and leading blanks. */
	if (!isdigit((unsigned char)s[0]))
		goto bad;
	errno = 0;
	*out = strtoul(s, &end, 0);
	if (*end)
		goto bad;
	if (errno == ERANGE) {
		kc_error(d, w, "number %s is too large", s);
		return -1;
	}
	return 0;
bad:
	kc_error(d, w, "expected a number, got \"%s\"", s);
	return -1;
}

int kc_set_name(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w)
{
	size_t len = strlen(s);

	if (!len) {
		kc_error(d, w, "the domain name is empty");
		return -1;
	}
	if (len > KEEL_DOMAIN_NAME_MAX) {
		kc_error(d, w, "the domain name is %zu characters long; the limit is %d",
			 len, KEEL_DOMAIN_NAME_MAX);
		return -1;
	}
	for (const char *p = s; *p; p++) {
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p)) {
			kc_error(d, w, "\"%s\" contains '%c': a domain name may use only letters, digits, '-', '_' and '.'",
				 s, *p);
			return -1;
		}
	}
	/* Commands take a name or a domid wherever they take a domain. */
	if (strspn(s, "0123456789") == len) {
		kc_error(d, w, "\"%s\" is a number and would be mistaken for a domain id: use a name with a letter in it",
			 s);
		return -1;
	}
	if (!strcmp(s, "Domain-0")) {
		kc_error(d, w, "\"Domain-0\" is the name of dom0: choose another name");
		return -1;
	}
	free(c->name);
	c->name = kc_strdup(s);
	kc_src_set(&c->src_name, w);
	return 0;
}

int kc_set_type(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w)
{
	(void)c;
	if (!strcmp(s, "pvh"))
		return 0;
	if (!strcmp(s, "pv") || !strcmp(s, "hvm")) {
		kc_error(d, w, "\"%s\" guests are not supported by Keel: Keel runs PVH guests only; use type=\"pvh\" (a stock Linux kernel boots as PVH)",
			 s);
		return -1;
	}
	kc_error(d, w, "unknown guest type \"%s\": use type=\"pvh\"", s);
	return -1;
}

int kc_set_uuid(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w)
{
	uuid_t u;

	if (uuid_parse(s, u)) {
		kc_error(d, w, "\"%s\" is not a UUID: expected the form 01234567-89ab-cdef-0123-456789abcdef",
			 s);
		return -1;
	}
	if (uuid_is_null(u)) {
		kc_error(d, w, "the nil UUID cannot name a domain: remove uuid= to have one generated");
		return -1;
	}
	uuid_copy(c->uuid, u);
	c->uuid_set = true;
	return 0;
}

static int check_memory(unsigned long mib, struct keel_diags *d,
			const struct keel_where *w)
{
	if (mib == 0) {
		kc_error(d, w, "0 MiB: a domain needs memory");
		return -1;
	}
	if (mib > KEEL_MAX_MEMORY_MIB) {
		kc_error(d, w, "%lu MiB is more than Keel supports (%lu MiB)",
			 mib, KEEL_MAX_MEMORY_MIB);
		return -1;
	}
	return 0;
}

int kc_set_memory(struct keel_domain_config *c, unsigned long mib,
		  struct keel_diags *d, const struct keel_where *w)
{
	if (check_memory(mib, d, w))
		return -1;
	c->memory_mib = mib;
	kc_src_set(&c->src_memory, w);
	return 0;
}

int kc_set_maxmem(struct keel_domain_config *c, unsigned long mib,
		  struct keel_diags *d, const struct keel_where *w)
{
	if (check_memory(mib, d, w))
		return -1;
	c->maxmem_mib = mib;
	kc_src_set(&c->src_maxmem, w);
	return 0;
}

static int check_vcpus(unsigned long n, struct keel_diags *d,
		       const struct keel_where *w)
{
	if (n < 1 || n > KEEL_MAX_VCPUS) {
		kc_error(d, w, "%lu is out of range: a domain has between 1 and %d vCPUs",
			 n, KEEL_MAX_VCPUS);
		return -1;
	}
	return 0;
}

int kc_set_vcpus(struct keel_domain_config *c, unsigned long n,
		 struct keel_diags *d, const struct keel_where *w)
{
	if (check_vcpus(n, d, w))
		return -1;
	c->vcpus = n;
	kc_src_set(&c->src_vcpus, w);
	return 0;
}

int kc_set_maxvcpus(struct keel_domain_config *c, unsigned long n,
		    struct keel_diags *d, const struct keel_where *w)
{
	if (check_vcpus(n, d, w))
		return -1;
	c->maxvcpus = n;
	kc_src_set(&c->src_maxvcpus, w);
	return 0;
}

int kc_set_path(char **field, struct keel_src *src, const char *s,
		struct keel_diags *d, const struct keel_where *w)
{
	if (!*s) {
		kc_error(d, w, "the path is empty");
		return -1;
	}
	return kc_set_string(field, src, s, w);
}

int kc_set_string(char **field, struct keel_src *src, const char *s,
		  const struct keel_where *w)
{
	free(*field);
	*field = kc_strdup(s);
	if (src)
		kc_src_set(src, w);
	return 0;
}

int kc_set_action(enum keel_action *field, const char *s,
		  struct keel_diags *d, const struct keel_where *w)
{
	if (keel_action_parse(s, field)) {
		kc_error(d, w, "unknown action \"%s\": use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart",
			 s);
		return -1;
	}
	return 0;
}

int kc_set_cpus(struct keel_domain_config *c, const char *s,
		struct keel_diags *d, const struct keel_where *w)
{
	struct keel_cpumap map;
	bool all;

	if (keel_cpumap_parse(s, &map, &all, d, w))
		return -1;
	kc_clear_cpus(c);
	c->cpus.mode = all ? KEEL_CPUS_ANY : KEEL_CPUS_SAME;
	c->cpus.same = map;
	kc_src_set(&c->src_cpus, w);
	return 0;
}

int kc_add_vcpu_cpus(struct keel_domain_config *c, const char *s,
		     struct keel_diags *d, const struct keel_where *w)
{
	struct keel_cpumap map;
	bool all;

	if (keel_cpumap_parse(s, &map, &all, d, w))
		return -1;
	c->cpus.mode = KEEL_CPUS_PER_VCPU;
	c->cpus.per_vcpu = kc_realloc(c->cpus.per_vcpu,
				      (c->cpus.nr_per_vcpu + 1) * sizeof(map));
	c->cpus.per_vcpu[c->cpus.nr_per_vcpu++] = map;
	kc_src_set(&c->src_cpus, w);
	return 0;
}

static struct keel_where where_of(const struct keel_src *src,
				  const struct keel_domain_config *c,
				  const char *what)
{
	struct keel_where w = { src->file ? src->file : c->source, src->line,
				what };
	return w;
}

/* root= and extra= make the command line the way xl does it: cmdline=
 * wins outright, otherwise "root=ROOT EXTRA". */
static void build_cmdline(struct keel_domain_config *c, struct keel_diags *d)
{
	char *line = NULL;
	struct keel_where w;

	if (c->cmdline) {
		if (c->root || c->extra) {
			w = where_of(&c->src_cmdline, c, "cmdline");
			kc_warn(d, &w, "cmdline= is set, so root= and extra= are ignored");
		}
		return;
	}
	if (c->root && c->extra)
		line = kc_asprintf("root=%s %s", c->root, c->extra);
	else if (c->root)
		line = kc_asprintf("root=%s", c->root);
	else if (c->extra)
		line = kc_strdup(c->extra);
	c->cmdline = line;
}

static void check_devices(struct keel_domain_config *c, struct keel_diags *d)
{
	struct keel_where w;
	char what[32], mac[18];

	for (size_t i = 0; i < c->nr_disks; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->disks[i].vdev, c->disks[j].vdev))
				continue;
			snprintf(what, sizeof(what), "disk[%zu]", i);
			w = where_of(&c->src_disks[i], c, what);
			kc_error(d, &w, "vdev '%s' is already used by disk[%zu]: give each disk its own vdev",
				 c->disks[i].vdev, j);
			break;
		}
	}
	for (size_t i = 0; i < c->nr_vifs; i++) {
		if (!c->vifs[i].devid_set)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!c->vifs[j].devid_set ||
			    c->vifs[j].devid != c->vifs[i].devid)
				continue;
			snprintf(what, sizeof(what), "vif[%zu]", i);
			w = where_of(&c->src_vifs[i], c, what);
			kc_error(d, &w, "devid %u is already used by vif[%zu]: give each interface its own devid",
				 c->vifs[i].devid, j);
			break;
		}
	}
	/* The rest get the lowest devids left free, in order (0, 1, ... when
	 * none is given). */
	for (size_t i = 0; i < c->nr_vifs; i++) {
		unsigned next = 0;
		bool taken;

		if (c->vifs[i].devid_set)
			continue;
		do {
			taken = false;
			for (size_t j = 0; j < c->nr_vifs && !taken; j++)
				if (j != i && (c->vifs[j].devid_set || j < i) &&
				    c->vifs[j].devid == next)
					taken = true;
			if (taken)
				next++;
		} while (taken);
		c->vifs[i].devid = next;
	}
	for (size_t i = 0; i < c->nr_vifs; i++) {
		if (!c->vifs[i].mac_set)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (!c->vifs[j].mac_set ||
			    memcmp(c->vifs[i].mac, c->vifs[j].mac, 6))
				continue;
			snprintf(what, sizeof(what), "vif[%zu]", i);
			keel_mac_format(c->vifs[i].mac, mac);
			w = where_of(&c->src_vifs[i], c, what);
			kc_error(d, &w, "MAC %s is already used by vif[%zu]: give each interface its own MAC",
				 mac, j);
			break;
		}
	}
}

int keel_config_validate(struct keel_domain_config *c, struct keel_diags *d)
{
	size_t errors = keel_diags_count(d, KEEL_DIAG_ERROR);
	struct keel_where w;

	if (!c->name) {
		w = (struct keel_where){ c->source, 0,
					 c->from_xml ? "<name>" : "name" };
		kc_error(d, &w, c->from_xml ?
			 "no domain name given: add <name>NAME</name>" :
			 "no domain name given: add name=\"NAME\"");
	}
	if (!c->kernel) {
		w = (struct keel_where){ c->source, 0,
					 c->from_xml ? "<os><kernel>" :
						       "kernel" };
		kc_error(d, &w, c->from_xml ?
			 "no kernel given: add <kernel>/path/to/vmlinuz</kernel> inside <os> (Keel boots PVH guests from a kernel image)" :
			 "no kernel given: add kernel=\"/path/to/vmlinuz\" (Keel boots PVH guests from a kernel image)");
	}

	if (!c->memory_mib)
		c->memory_mib = c->maxmem_mib ? c->maxmem_mib :
						KEEL_DEFAULT_MEMORY_MIB;
	if (!c->maxmem_mib) {
		c->maxmem_mib = c->memory_mib;
	} else if (c->maxmem_mib < c->memory_mib) {
		w = where_of(&c->src_maxmem, c,
			     c->from_xml ? "<memory>" : "maxmem");
		kc_error(d, &w, "%lu MiB is less than %s (%lu MiB): the maximum must be at least the initial memory",
			 c->maxmem_mib,
			 c->from_xml ? "<currentMemory>" : "memory",
			 c->memory_mib);
	}

	if (!c->vcpus)
		c->vcpus = c->maxvcpus ? c->maxvcpus : 1;
	if (!c->maxvcpus) {
		c->maxvcpus = c->vcpus;
	} else if (c->maxvcpus < c->vcpus) {
		w = where_of(&c->src_maxvcpus, c,
			     c->from_xml ? "<vcpu>" : "maxvcpus");
		kc_error(d, &w, "%u is less than %s (%u): the maximum must be at least the number of vCPUs started",
			 c->maxvcpus,
			 c->from_xml ? "current" : "vcpus", c->vcpus);
	}
	if (c->cpus.mode == KEEL_CPUS_PER_VCPU &&
	    c->cpus.nr_per_vcpu > c->maxvcpus) {
		w = where_of(&c->src_cpus, c, "cpus");
		kc_warn(d, &w, "%zu CPU lists for %u vCPUs: the extra lists are ignored",
			c->cpus.nr_per_vcpu, c->maxvcpus);
		c->cpus.nr_per_vcpu = c->maxvcpus;
	}

	build_cmdline(c, d);
	check_devices(c, d);
	return keel_diags_count(d, KEEL_DIAG_ERROR) > errors ? -1 : 0;
}
