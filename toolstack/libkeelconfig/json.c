// SPDX-License-Identifier: GPL-2.0-only
/* The config as JSON, laid out with libxl's domain_config field names as
 * `xl create -n` prints them, so scripts that read xl's output read ours. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"

struct jw {
	FILE *f;
	int depth;
	bool first[16];
};

static void indent(struct jw *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("    ", j->f);
}

/* Separator and key for the next member (key NULL inside arrays). */
static void member(struct jw *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	indent(j);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
}

static void open_(struct jw *j, const char *key, char brace)
{
	if (j->depth >= 0 && (key || j->depth))
		member(j, key);
	fputc(brace, j->f);
	j->first[++j->depth] = true;
}

static void close_(struct jw *j, char brace)
{
	bool empty = j->first[j->depth];

	j->depth--;
	if (!empty)
		indent(j);
	fputc(brace, j->f);
}

static void string(struct jw *j, const char *key, const char *s)
{
	if (!s)
		return;
	member(j, key);
	fputc('"', j->f);
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			fprintf(j->f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", j->f);
		else if (ch == '\t')
			fputs("\\t", j->f);
		else if (ch < 0x20)
			fprintf(j->f, "\\u%04x", ch);
		else
			fputc(ch, j->f);
	}
	fputc('"', j->f);
}

static void number(struct jw *j, const char *key, unsigned long long n)
{
	member(j, key);
	fprintf(j->f, "%llu", n);
}

/* libxl's bitmaps print as the list of set bits. */
static void cpumap(struct jw *j, const struct keel_cpumap *map)
{
	bool first = true;

	member(j, NULL);
	fputc('[', j->f);
	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++) {
		if (!keel_cpumap_test(map, cpu))
			continue;
		fprintf(j->f, first ? "%u" : ", %u", cpu);
		first = false;
	}
	fputc(']', j->f);
}

/* libxl's names for the shutdown actions. */
static const char *libxl_action(enum keel_action a)
{
	static const char *const names[] = {
		[KEEL_ACTION_DESTROY] = "destroy",
		[KEEL_ACTION_RESTART] = "restart",
		[KEEL_ACTION_PRESERVE] = "preserve",
		[KEEL_ACTION_RENAME_RESTART] = "restart_rename",
		[KEEL_ACTION_COREDUMP_DESTROY] = "coredump_destroy",
		[KEEL_ACTION_COREDUMP_RESTART] = "coredump_restart",
	};
	return names[a];
}

static void build_info(struct jw *j, const struct keel_domain_config *c)
{
	open_(j, "b_info", '{');
	number(j, "max_vcpus", c->maxvcpus);
	open_(j, "avail_vcpus", '[');
	for (unsigned int i = 0; i < c->vcpus; i++)
		number(j, NULL, i);
	close_(j, ']');
	if (c->cpus.mode == KEEL_CPUS_SAME) {
		open_(j, "vcpu_hard_affinity", '[');
		for (unsigned int i = 0; i < c->maxvcpus; i++)
			cpumap(j, &c->cpus.same);
		close_(j, ']');
	} else if (c->cpus.mode == KEEL_CPUS_PER_VCPU) {
		open_(j, "vcpu_hard_affinity", '[');
		for (size_t i = 0; i < c->cpus.nr_per_vcpu; i++)
			cpumap(j, &c->cpus.per_vcpu[i]);
		close_(j, ']');
	}
	number(j, "max_memkb", (unsigned long long)c->maxmem_mib * 1024);
	number(j, "target_memkb", (unsigned long long)c->memory_mib * 1024);
	string(j, "kernel", c->kernel);
	string(j, "cmdline", c->cmdline);
	string(j, "ramdisk", c->ramdisk);
	open_(j, "type.pvh", '{');
	close_(j, '}');
	close_(j, '}');
}

static void disks(struct jw *j, const struct keel_domain_config *c)
{
	open_(j, "disks", '[');
	for (size_t i = 0; i < c->nr_disks; i++) {
		const struct keel_disk *disk = &c->disks[i];

		open_(j, NULL, '{');
		string(j, "pdev_path", disk->target);
		string(j, "vdev", disk->vdev);
		string(j, "backend", disk->backendtype);
		string(j, "format", disk->target ? disk->format : "empty");
		if (disk->cdrom)
			number(j, "removable", 1);
		number(j, "readwrite", !disk->readonly);
		number(j, "is_cdrom", disk->cdrom);
		close_(j, '}');
	}
	close_(j, ']');
}

static void nics(struct jw *j, const struct keel_domain_config *c)
{
	open_(j, "nics", '[');
	for (size_t i = 0; i < c->nr_vifs; i++) {
		const struct keel_vif *vif = &c->vifs[i];
		char mac[18];

		open_(j, NULL, '{');
		number(j, "devid", vif->devid);
		if (vif->mac_set) {
			keel_mac_format(vif->mac, mac);
			string(j, "mac", mac);
		}
		string(j, "ip", vif->ip);
		string(j, "bridge", vif->bridge);
		string(j, "ifname", vif->vifname);
		string(j, "script", vif->script);
		string(j, "model", vif->model);
		string(j, "nictype", "vif");
		close_(j, '}');
	}
	close_(j, ']');
}

void keel_config_write_json(const struct keel_domain_config *c, FILE *f)
{
	struct jw j = { .f = f, .depth = 0, .first = { true } };

	open_(&j, NULL, '{');
	open_(&j, "c_info", '{');
	string(&j, "type", "pvh");
	string(&j, "name", c->name);
	if (c->uuid_set) {
		char uuid[37];

		uuid_unparse_lower(c->uuid, uuid);
		string(&j, "uuid", uuid);
	}
	close_(&j, '}');
	build_info(&j, c);
	disks(&j, c);
	nics(&j, c);
	string(&j, "on_poweroff", libxl_action(c->on_poweroff));
	string(&j, "on_reboot", libxl_action(c->on_reboot));
	string(&j, "on_crash", libxl_action(c->on_crash));
	close_(&j, '}');
	fputc('\n', f);
}

char *keel_config_json(const struct keel_domain_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	keel_config_write_json(c, f);
	fclose(f);
	return buf;
}
