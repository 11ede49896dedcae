// SPDX-License-Identifier: GPL-2.0-only
/* libvirt-style domain XML (<domain type='xen'>) read through libxml2 (in
 * the keel-xml helper, see xmltree.h) into the same config the xl.cfg
 * parser fills, with the same field checks. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "xmltree.h"

struct xml_ctx {
	const char *file;
	struct keel_domain_config *c;
	struct keel_diags *d;
	int ret;
	char what[64];
	struct keel_where w;
};

static bool named(const struct kx_node *n, const char *name)
{
	return !strcmp(n->name, name);
}

/* Points the context's location at @n, speaking of @what ("<memory>"). */
static const struct keel_where *at(struct xml_ctx *x, const struct kx_node *n,
				   const char *what)
{
	if (what)
		snprintf(x->what, sizeof(x->what), "%s", what);
	else
		snprintf(x->what, sizeof(x->what), "<%s>", n->name);
	x->w = (struct keel_where){ x->file, (int)n->line, x->what };
	return &x->w;
}

static void fail(struct xml_ctx *x)
{
	x->ret = -1;
}

/* The element's text without surrounding blanks; malloc'd. */
static char *text_of(const struct kx_node *n)
{
	const char *s = n->content ? n->content : "";
	const char *e = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	return kc_strndup(s, e - s);
}

static char *attr(const struct kx_node *n, const char *name)
{
	const char *v = kx_attr(n, name);

	return v ? kc_strdup(v) : NULL;
}

static const struct kx_node *child(const struct kx_node *n, const char *name)
{
	for (const struct kx_node *ch = n->children; ch; ch = ch->next)
		if (named(ch, name))
			return ch;
	return NULL;
}

static void unknown(struct xml_ctx *x, const struct kx_node *n)
{
	kc_warn(x->d, at(x, n, NULL), "unknown element ignored");
}

/* Memory in libvirt's units (KiB by default), converted to whole MiB. */
static int memory_mib(struct xml_ctx *x, const struct kx_node *n, unsigned long *mib)
{
	static const struct {
		const char *unit;
		unsigned long long bytes;
	} units[] = {
		{ "b", 1 },		{ "bytes", 1 },
		{ "KB", 1000ULL },	{ "k", 1ULL << 10 },
		{ "KiB", 1ULL << 10 },	{ "MB", 1000000ULL },
		{ "M", 1ULL << 20 },	{ "MiB", 1ULL << 20 },
		{ "GB", 1000000000ULL }, { "G", 1ULL << 30 },
		{ "GiB", 1ULL << 30 },	{ "TB", 1000000000000ULL },
		{ "T", 1ULL << 40 },	{ "TiB", 1ULL << 40 },
	};
	const struct keel_where *w = at(x, n, NULL);
	char *unit = attr(n, "unit"), *s = text_of(n);
	unsigned long long mult = 0, bytes;
	unsigned long value;
	int ret = -1;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(unit ? unit : "KiB", units[i].unit))
			mult = units[i].bytes;
	if (!mult) {
		kc_error(x->d, w, "unknown unit '%s': use KiB, MiB or GiB", unit);
		goto out;
	}
	if (kc_parse_ulong(s, &value, x->d, w))
		goto out;
	if (__builtin_mul_overflow((unsigned long long)value, mult, &bytes) ||
	    bytes / (1ULL << 20) > KEEL_MAX_MEMORY_MIB) {
		kc_error(x->d, w, "%s %s is more than Keel supports (%lu MiB)",
			 s, unit ? unit : "KiB", KEEL_MAX_MEMORY_MIB);
		goto out;
	}
	if (bytes % (1ULL << 20)) {
		kc_error(x->d, w, "%s %s is not a whole number of MiB: Keel sizes guest memory in MiB",
			 s, unit ? unit : "KiB");
		goto out;
	}
	*mib = bytes >> 20;
	ret = 0;
out:
	free(unit);
	free(s);
	return ret;
}

static void parse_vcpu(struct xml_ctx *x, const struct kx_node *n)
{
	char *s = text_of(n), *current = attr(n, "current"),
	     *cpuset = attr(n, "cpuset");
	unsigned long v;

	if (kc_parse_ulong(s, &v, x->d, at(x, n, NULL)) ||
	    kc_set_maxvcpus(x->c, v, x->d, at(x, n, NULL)))
		fail(x);
	if (current &&
	    (kc_parse_ulong(current, &v, x->d, at(x, n, "<vcpu current>")) ||
	     kc_set_vcpus(x->c, v, x->d, at(x, n, "<vcpu current>"))))
		fail(x);
	if (cpuset && kc_set_cpus(x->c, cpuset, x->d, at(x, n, "<vcpu cpuset>")))
		fail(x);
	free(s);
	free(current);
	free(cpuset);
}

static void parse_os(struct xml_ctx *x, const struct kx_node *os)
{
	for (const struct kx_node *n = os->children; n; n = n->next) {
		char *s;

		s = text_of(n);
		if (named(n, "type")) {
			const struct keel_where *w = at(x, n, "<os><type>");

			if (!strcmp(s, "linux") || !strcmp(s, "xen")) {
				kc_error(x->d, w, "'%s' is a Xen PV guest, which Keel does not support: Keel runs PVH guests only; use <type>xenpvh</type>",
					 s);
				fail(x);
			} else if (!strcmp(s, "hvm")) {
				kc_error(x->d, w, "'hvm' guests are not supported by Keel: Keel runs PVH guests only; use <type>xenpvh</type>");
				fail(x);
			} else if (strcmp(s, "xenpvh") && strcmp(s, "pvh")) {
				kc_error(x->d, w, "unknown OS type '%s': use <type>xenpvh</type>",
					 s);
				fail(x);
			}
		} else if (named(n, "kernel")) {
			if (kc_set_path(&x->c->kernel, &x->c->src_kernel, s,
					x->d, at(x, n, "<os><kernel>")))
				fail(x);
		} else if (named(n, "initrd")) {
			if (kc_set_path(&x->c->ramdisk, NULL, s, x->d,
					at(x, n, "<os><initrd>")))
				fail(x);
		} else if (named(n, "cmdline")) {
			kc_set_string(&x->c->cmdline, &x->c->src_cmdline, s,
				      at(x, n, "<os><cmdline>"));
		} else {
			unknown(x, n);
		}
		free(s);
	}
}

static void parse_disk(struct xml_ctx *x, const struct kx_node *n)
{
	struct keel_disk disk = { 0 };
	char *type = attr(n, "type"), *device = attr(n, "device");
	const struct keel_where *w = at(x, n, NULL);
	size_t errors = keel_diags_count(x->d, KEEL_DIAG_ERROR);
	const struct kx_node *ch;
	struct keel_where dw;
	char what[32];

	snprintf(what, sizeof(what), "<disk> %zu", x->c->nr_disks);
	dw = (struct keel_where){ x->file, w->line, what };
	if (device && !strcmp(device, "cdrom"))
		disk.cdrom = disk.readonly = true;
	else if (device && strcmp(device, "disk"))
		kc_error(x->d, &dw, "device '%s' is not supported: use device='disk' or 'cdrom'",
			 device);
	if (type && !strcmp(type, "block"))
		disk.backendtype = kc_strdup("phy");
	else if (!type || strcmp(type, "file"))
		kc_error(x->d, &dw, "type '%s' is not supported: use type='file' or type='block'",
			 type ? type : "(none)");

	if ((ch = child(n, "driver"))) {
		char *name = attr(ch, "name");

		disk.format = attr(ch, "type");
		/* libvirt's Xen driver: <driver name='tap' type='aio'/> is a raw
		 * image, as xl's "tap:aio:" prefix is. */
		if (disk.format && !strcmp(disk.format, "aio")) {
			free(disk.format);
			disk.format = kc_strdup("raw");
		}
		if (name && !strcmp(name, "tap2")) {
			free(name);
			name = kc_strdup("tap");
		}
		if (name && (!strcmp(name, "phy") || !strcmp(name, "tap"))) {
			free(disk.backendtype);
			disk.backendtype = kc_strdup(name);
		} else if (name && !strcmp(name, "qemu")) {
			free(disk.backendtype);
			disk.backendtype = kc_strdup("qdisk");
		}
		free(name);
	}
	if ((ch = child(n, "source")))
		disk.target = attr(ch, type && !strcmp(type, "block") ? "dev" :
							  "file");
	/* As in xl's disk specs: a name that is not a path is under /dev. */
	if (disk.target && disk.target[0] != '/') {
		char *t = kc_asprintf("/dev/%s", disk.target);

		free(disk.target);
		disk.target = t;
	}
	if ((ch = child(n, "target")))
		disk.vdev = attr(ch, "dev");
	if (child(n, "readonly"))
		disk.readonly = true;

	if (!disk.format)
		disk.format = kc_strdup("raw");
	if (!disk.vdev)
		kc_error(x->d, &dw, "no <target dev='...'/>: say which device the guest sees, e.g. xvda");
	else if (!keel_vdev_valid(disk.vdev))
		kc_error(x->d, &dw, "invalid target dev '%s': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda",
			 disk.vdev);
	if (strcmp(disk.format, "raw"))
		kc_error(x->d, &dw, "driver type '%s' is not supported by Keel: its block backend serves raw images only",
			 disk.format);
	if (!disk.target && !disk.cdrom)
		kc_error(x->d, &dw, "no <source %s='...'/>: name the image file or block device",
			 type && !strcmp(type, "block") ? "dev" : "file");

	if (keel_diags_count(x->d, KEEL_DIAG_ERROR) > errors) {
		fail(x);
		keel_disk_free(&disk);
	} else {
		kc_add_disk(x->c, &disk, &dw);
	}
	free(type);
	free(device);
}

static void append(char **s, const char *sep, const char *key,
		   const char *val)
{
	char *next = kc_asprintf("%s%s%s%s", *s, **s ? sep : "", key, val);

	free(*s);
	*s = next;
}

/* Gathers the interface's pieces into an xl vif spec, so one parser
 * checks MACs, names and addresses for both formats. */
static void parse_interface(struct xml_ctx *x, const struct kx_node *n)
{
	char *type = attr(n, "type"), *spec = kc_strdup(""),
	     *ips = kc_strdup(""), *v;
	struct keel_vif vif;
	struct keel_where w;
	char what[40];

	snprintf(what, sizeof(what), "<interface> %zu", x->c->nr_vifs);
	w = (struct keel_where){ x->file, (int)n->line, what };
	if (!type || strcmp(type, "bridge")) {
		kc_error(x->d, &w, "type '%s' is not supported: Keel attaches interfaces to a bridge: use <interface type='bridge'> with <source bridge='...'/>",
			 type ? type : "(none)");
		fail(x);
		goto out;
	}
	for (const struct kx_node *ch = n->children; ch; ch = ch->next) {
		const char *key = NULL, *field = NULL;

		if (named(ch, "mac"))
			key = "mac=", field = "address";
		else if (named(ch, "source"))
			key = "bridge=", field = "bridge";
		else if (named(ch, "script"))
			key = "script=", field = "path";
		else if (named(ch, "target"))
			key = "vifname=", field = "dev";
		else if (named(ch, "model"))
			key = "model=", field = "type";
		else if (named(ch, "ip"))
			key = "", field = "address";
		else
			unknown(x, ch);
		v = field ? attr(ch, field) : NULL;
		if (!v)
			continue;
		if (!*key)
			append(&ips, " ", "", v);
		/* netfront is what a PVH guest gets anyway. */
		else if (strcmp(key, "model=") || strcmp(v, "netfront"))
			append(&spec, ",", key, v);
		free(v);
	}
	if (*ips)
		append(&spec, ",", "ip=", ips);
	if (!strstr(spec, "bridge=")) {
		kc_error(x->d, &w, "no <source bridge='...'/>: name the bridge to attach the interface to");
		fail(x);
		goto out;
	}
	if (keel_vif_parse(spec, &vif, x->d, &w))
		fail(x);
	else
		kc_add_vif(x->c, &vif, &w);
out:
	free(type);
	free(spec);
	free(ips);
}

static void parse_devices(struct xml_ctx *x, const struct kx_node *devs)
{
	for (const struct kx_node *n = devs->children; n; n = n->next) {
		if (named(n, "disk"))
			parse_disk(x, n);
		else if (named(n, "interface"))
			parse_interface(x, n);
		else
			unknown(x, n);
	}
}

static void parse_domain(struct xml_ctx *x, const struct kx_node *dom)
{
	static const char *const quiet[] = { "title", "description",
					     "metadata" };
	char *type = attr(dom, "type");

	if (!type || strcmp(type, "xen")) {
		kc_error(x->d, at(x, dom, NULL),
			 "domain type '%s' is not supported: use <domain type='xen'>",
			 type ? type : "(none)");
		fail(x);
	}
	free(type);

	for (const struct kx_node *n = dom->children; n; n = n->next) {
		unsigned long mib;
		char *s;
		size_t i;

		s = text_of(n);
		if (named(n, "name")) {
			if (kc_set_name(x->c, s, x->d, at(x, n, NULL)))
				fail(x);
		} else if (named(n, "uuid")) {
			if (kc_set_uuid(x->c, s, x->d, at(x, n, NULL)))
				fail(x);
		} else if (named(n, "memory")) {
			/* libvirt's <memory> is the maximum... */
			if (memory_mib(x, n, &mib) ||
			    kc_set_maxmem(x->c, mib, x->d, at(x, n, NULL)))
				fail(x);
		} else if (named(n, "currentMemory")) {
			/* ...and <currentMemory> what the guest starts with. */
			if (memory_mib(x, n, &mib) ||
			    kc_set_memory(x->c, mib, x->d, at(x, n, NULL)))
				fail(x);
		} else if (named(n, "vcpu")) {
			parse_vcpu(x, n);
		} else if (named(n, "os")) {
			parse_os(x, n);
		} else if (named(n, "on_poweroff")) {
			if (kc_set_action(&x->c->on_poweroff, s, x->d,
					  at(x, n, NULL)))
				fail(x);
		} else if (named(n, "on_reboot")) {
			if (kc_set_action(&x->c->on_reboot, s, x->d,
					  at(x, n, NULL)))
				fail(x);
		} else if (named(n, "on_crash")) {
			if (kc_set_action(&x->c->on_crash, s, x->d,
					  at(x, n, NULL)))
				fail(x);
		} else if (named(n, "devices")) {
			parse_devices(x, n);
		} else {
			for (i = 0; i < sizeof(quiet) / sizeof(quiet[0]); i++)
				if (named(n, quiet[i]))
					break;
			if (i == sizeof(quiet) / sizeof(quiet[0]))
				unknown(x, n);
		}
		free(s);
	}
}

int keel_config_parse_xml(const char *name, const char *text, size_t len,
			  const char *const *overrides, size_t nr_overrides,
			  struct keel_domain_config *c, struct keel_diags *d)
{
	struct xml_ctx x = { .file = name, .c = c, .d = d };
	struct kx_doc doc;
	char err[512];

	free(c->source);
	c->source = kc_strdup(name);
	c->from_xml = true;

	if (kx_read_document(name, text, len, &doc, err, sizeof(err))) {
		kc_error(d, &(struct keel_where){ name, 0, NULL },
			 "cannot read XML configs: %s", err);
		return -1;
	}
	if (doc.error) {
		size_t n = strlen(doc.error);

		while (n && isspace((unsigned char)doc.error[n - 1]))
			doc.error[--n] = '\0';
		kc_error(d, &(struct keel_where){ name, (int)doc.error_line, NULL },
			 "malformed XML: %s", doc.error);
		kx_doc_free(&doc);
		return -1;
	}
	if (!named(doc.root, "domain")) {
		kc_error(d, at(&x, doc.root, NULL),
			 "the root element must be <domain type='xen'>");
		x.ret = -1;
	} else {
		parse_domain(&x, doc.root);
	}
	kx_doc_free(&doc);

	if (kc_cfg_apply_overrides(c, overrides, nr_overrides, d))
		x.ret = -1;
	if (keel_config_validate(c, d))
		x.ret = -1;
	return x.ret;
}
