// SPDX-License-Identifier: GPL-2.0-only
/* libkeelconfig: a domain's configuration as the toolstack sees it, and the
 * parsers that fill it from xl.cfg files or libvirt-style domain XML. */
#ifndef KEELCONFIG_H
#define KEELCONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <uuid/uuid.h>

/* Xen's HVM_MAX_VCPUS; a PVH guest cannot have more. */
#define KEEL_MAX_VCPUS 128
/* Largest host CPU count a pinning list may name. */
#define KEEL_MAX_CPUS 512
#define KEEL_DOMAIN_NAME_MAX 64
/* Upper bound on a domain's memory: 16 TiB, so KiB values fit anywhere. */
#define KEEL_MAX_MEMORY_MIB (16UL * 1024 * 1024)
#define KEEL_DEFAULT_MEMORY_MIB 128
#define KEEL_DEFAULT_BRIDGE "keelbr0"

/* ---- diagnostics: every message already names its file, line and subject */

enum keel_diag_level { KEEL_DIAG_WARNING, KEEL_DIAG_ERROR };

struct keel_diag {
	enum keel_diag_level level;
	char *msg;
};

struct keel_diags {
	struct keel_diag *v;
	size_t n;
	size_t cap;
};

/* Where a value came from: file (or "<command line>"), line (0 if none) and
 * the subject the message is about ("memory", "disk[0]", "<memory>"). */
struct keel_where {
	const char *file;
	int line;
	const char *what;
};

void keel_diags_init(struct keel_diags *d);
void keel_diags_free(struct keel_diags *d);
size_t keel_diags_count(const struct keel_diags *d, enum keel_diag_level level);
/* The first message of @level, or NULL. */
const char *keel_diags_first(const struct keel_diags *d,
			     enum keel_diag_level level);
/* Prints every message, one a line: "PREFIX: warning: MSG" / "PREFIX: MSG". */
void keel_diags_print(const struct keel_diags *d, FILE *f, const char *prefix);
/* Adds "FILE:LINE: WHAT: MSG" (parts that are NULL/0 are left out). */
void keel_diag_at(struct keel_diags *d, enum keel_diag_level level,
		  const struct keel_where *w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- pieces of a domain */

enum keel_action {
	KEEL_ACTION_DESTROY,
	KEEL_ACTION_RESTART,
	KEEL_ACTION_PRESERVE,
	KEEL_ACTION_RENAME_RESTART,
	KEEL_ACTION_COREDUMP_DESTROY,
	KEEL_ACTION_COREDUMP_RESTART,
};

/* The xl.cfg spelling ("rename-restart"). */
const char *keel_action_name(enum keel_action a);
/* Returns 0 and sets *a, or -1 for a word that is no action. */
int keel_action_parse(const char *s, enum keel_action *a);

struct keel_cpumap {
	uint64_t bits[KEEL_MAX_CPUS / 64];
};

enum keel_cpus_mode {
	KEEL_CPUS_ANY,		/* no pinning ("all" or not given) */
	KEEL_CPUS_SAME,		/* every vCPU on the same set */
	KEEL_CPUS_PER_VCPU,	/* vCPU i on per_vcpu[i]; later vCPUs unpinned */
};

struct keel_cpu_affinity {
	enum keel_cpus_mode mode;
	struct keel_cpumap same;
	struct keel_cpumap *per_vcpu;
	size_t nr_per_vcpu;
};

/* Parses "0-3,5,^1" or "all" (xl's CPU list syntax); *is_all says whether
 * the list was exactly "all". Errors go to @d, attributed to @w. */
int keel_cpumap_parse(const char *s, struct keel_cpumap *map, bool *is_all,
		      struct keel_diags *d, const struct keel_where *w);
bool keel_cpumap_test(const struct keel_cpumap *map, unsigned int cpu);
void keel_cpumap_set(struct keel_cpumap *map, unsigned int cpu);
unsigned int keel_cpumap_weight(const struct keel_cpumap *map);
/* Shortest list form, "0-3,5"; malloc'd. */
char *keel_cpumap_format(const struct keel_cpumap *map);

struct keel_disk {
	char *target;		/* image or device path; NULL: empty cdrom */
	char *format;		/* "raw" */
	char *vdev;		/* "xvda" */
	char *backendtype;	/* "phy", "qdisk", "tap" or NULL (default) */
	bool readonly;
	bool cdrom;
};

/* Parses one xl disk spec (xl-disk-configuration(5)) into @out. */
int keel_disk_parse(const char *spec, struct keel_disk *out,
		    struct keel_diags *d, const struct keel_where *w);
void keel_disk_free(struct keel_disk *disk);
/* Whether @vdev is a name Keel accepts (xvdX, hdX, sdX, optional partition). */
bool keel_vdev_valid(const char *vdev);
/* The disk as one xl spec that keel_disk_parse reads back into the same
 * disk ("format=raw,vdev=xvdb,access=rw,target=/img"); malloc'd. Used to
 * keep hot-plugged disks in a domain's saved config. */
char *keel_disk_spec(const struct keel_disk *disk);

/* Highest vif devid accepted (xl's devid= takes any; netfront, an int). */
#define KEEL_MAX_VIF_DEVID 65535

struct keel_vif {
	unsigned int devid;
	bool devid_set;		/* devid= given; otherwise the lowest free */
	uint8_t mac[6];
	bool mac_set;
	char *bridge;
	char *ip;
	char *vifname;
	char *model;
	char *script;
};

/* Parses one xl vif spec ("mac=...,bridge=...") into @out. */
int keel_vif_parse(const char *spec, struct keel_vif *out,
		   struct keel_diags *d, const struct keel_where *w);
void keel_vif_free(struct keel_vif *vif);
/* Parses "00:16:3e:12:34:56"; returns -1 with a reason in @why. */
int keel_mac_parse(const char *s, uint8_t mac[6], const char **why);
/* Writes "00:16:3e:12:34:56" into buf[18]. */
void keel_mac_format(const uint8_t mac[6], char buf[18]);
/* The vif as one xl spec that keel_vif_parse reads back into the same vif
 * ("devid=1,mac=00:16:3e:..,bridge=keelbr0"); malloc'd. */
char *keel_vif_spec(const struct keel_vif *vif);

/* ---- the domain */

struct keel_src {
	char *file;
	int line;
};

struct keel_domain_config {
	char *name;
	uuid_t uuid;
	bool uuid_set;
	unsigned long memory_mib;
	unsigned long maxmem_mib;
	unsigned int vcpus;
	unsigned int maxvcpus;
	struct keel_cpu_affinity cpus;
	char *kernel;
	char *ramdisk;
	char *cmdline;		/* final command line after validation */
	char *root;		/* xl's root= and extra=, folded into cmdline */
	char *extra;
	enum keel_action on_poweroff;
	enum keel_action on_reboot;
	enum keel_action on_crash;
	struct keel_disk *disks;
	size_t nr_disks;
	struct keel_vif *vifs;
	size_t nr_vifs;

	/* Where each field was set, for cross-field messages. */
	char *source;		/* the config file's name */
	bool from_xml;		/* so messages speak the file's own language */
	struct keel_src src_name, src_memory, src_maxmem, src_vcpus,
		src_maxvcpus, src_cpus, src_cmdline, src_kernel;
	struct keel_src *src_disks;
	struct keel_src *src_vifs;
};

void keel_config_init(struct keel_domain_config *c);
void keel_config_free(struct keel_domain_config *c);

/*
 * Parses a whole config, applies the "key=value" overrides (xl.cfg syntax;
 * an unquoted value is taken as a string) and validates the result.
 * Returns 0 on success, -1 if any error was added to @d. Warnings (unknown
 * keys and the like) are added to @d either way; the caller shows them.
 * @name is the file name used in messages.
 */
int keel_config_parse_cfg(const char *name, const char *text, size_t len,
			  const char *const *overrides, size_t nr_overrides,
			  struct keel_domain_config *c, struct keel_diags *d);
int keel_config_parse_xml(const char *name, const char *text, size_t len,
			  const char *const *overrides, size_t nr_overrides,
			  struct keel_domain_config *c, struct keel_diags *d);

enum keel_config_format {
	KEEL_FORMAT_XLCFG,
	KEEL_FORMAT_XML,
};

/* XML if the text starts with '<' after whitespace, or if @name ends in
 * ".xml"; xl.cfg otherwise. */
enum keel_config_format keel_config_detect(const char *name, const char *text,
					   size_t len);

/* Reads @path, detects its format and parses it as above. */
int keel_config_load(const char *path, const char *const *overrides,
		     size_t nr_overrides, struct keel_domain_config *c,
		     struct keel_diags *d);

/* Cross-field checks and defaults; called by the parsers above. */
int keel_config_validate(struct keel_domain_config *c, struct keel_diags *d);

/*
 * Fills what is generated at create time: the UUID if none was given, and
 * the MAC of every vif without one (00:16:3e:xx:xx:xx, unique within the
 * domain). @seed NULL draws fresh random values; a seed gives the same
 * values every time, for tests and reproducible dry runs.
 */
void keel_config_generate(struct keel_domain_config *c, const uint64_t *seed);

/* Devices added to or removed from a checked config (hot-plug): the add
 * functions copy @disk / @vif; no checks are made here. */
void keel_config_add_disk(struct keel_domain_config *c,
			  const struct keel_disk *disk);
void keel_config_add_vif(struct keel_domain_config *c,
			 const struct keel_vif *vif);
void keel_config_remove_disk(struct keel_domain_config *c, size_t i);
void keel_config_remove_vif(struct keel_domain_config *c, size_t i);

/* The config as JSON, in the field names of libxl's domain_config, as
 * `xl create -n` prints it (the subset Keel has). */
void keel_config_write_json(const struct keel_domain_config *c, FILE *f);
char *keel_config_json(const struct keel_domain_config *c);

#endif /* KEELCONFIG_H */
