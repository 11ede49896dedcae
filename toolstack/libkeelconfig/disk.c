// SPDX-License-Identifier: GPL-2.0-only
/* Disk specs in xl's syntax (xl-disk-configuration(5)): positional target,
 * format, vdev, access; key=value forms; legacy "phy:"-style prefixes. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

enum { POS_TARGET, POS_FORMAT, POS_VDEV, POS_ACCESS, NR_POS };

static const char *const pos_names[NR_POS] = { "target", "format", "vdev",
					       "access" };

struct disk_parse {
	const char *spec;
	struct keel_disk *disk;
	struct keel_diags *d;
	const struct keel_where *w;
	bool given[NR_POS];
	bool legacy_prefix;	/* a "raw:"-style prefix stands for format */
	bool access_rw;		/* rw was asked for explicitly */
};

void keel_disk_free(struct keel_disk *disk)
{
	free(disk->target);
	free(disk->format);
	free(disk->vdev);
	free(disk->backendtype);
	memset(disk, 0, sizeof(*disk));
}

/* LETTERS [PARTITION]: 1..@max_letters letters, a partition 1..@max_part. */
static bool letters_and_partition(const char *p, size_t max_letters,
				  char last_letter, unsigned long max_part)
{
	size_t n = 0;

	while (p[n] >= 'a' && p[n] <= last_letter)
		n++;
	if (n < 1 || n > max_letters)
		return false;
	p += n;
	if (!*p)
		return true;
	if (*p == '0' || strspn(p, "0123456789") != strlen(p) ||
	    strlen(p) > 3)
		return false;
	return strtoul(p, NULL, 10) <= max_part;
}

bool keel_vdev_valid(const char *vdev)
{
	if (!strncmp(vdev, "xvd", 3))
		return letters_and_partition(vdev + 3, 3, 'z', 15);
	if (!strncmp(vdev, "sd", 2))
		return letters_and_partition(vdev + 2, 3, 'z', 15);
	/* Emulated IDE names only ever went up to hdt. */
	if (!strncmp(vdev, "hd", 2))
		return letters_and_partition(vdev + 2, 1, 't', 63);
	return false;
}

static int set_field(struct disk_parse *p, int pos, const char *val)
{
	char **field[NR_POS] = { &p->disk->target, &p->disk->format,
				 &p->disk->vdev, NULL };

	if (p->given[pos]) {
		kc_error(p->d, p->w, "%s given twice in \"%s\"", pos_names[pos],
			 p->spec);
		return -1;
	}
	p->given[pos] = true;
	if (!*val)
		return 0;	/* empty: the default applies */

	if (pos == POS_ACCESS) {
		if (!strcmp(val, "ro") || !strcmp(val, "r")) {
			p->disk->readonly = true;
		} else if (!strcmp(val, "rw") || !strcmp(val, "w")) {
			p->disk->readonly = false;
			p->access_rw = true;
		} else {
			kc_error(p->d, p->w, "invalid access '%s' in \"%s\": use rw, w, ro or r",
				 val, p->spec);
			return -1;
		}
		return 0;
	}
	if (pos == POS_VDEV) {
		/* Legacy "hdc:cdrom" names the device type after the vdev. */
		const char *colon = strchr(val, ':');

		if (colon) {
			if (!strcmp(colon + 1, "cdrom")) {
				p->disk->cdrom = true;
			} else if (strcmp(colon + 1, "disk")) {
				kc_error(p->d, p->w, "unknown device type '%s' in \"%s\": use cdrom or disk",
					 colon + 1, p->spec);
				return -1;
			}
			*field[pos] = kc_strndup(val, colon - val);
			return 0;
		}
	}
	*field[pos] = kc_strdup(val);
	return 0;
}

/* Strips xm-era prefixes ("phy:", "file:", "raw:", "tap:aio:") from a
 * positional target, applying what each one meant. */
static const char *strip_prefixes(struct disk_parse *p, const char *val)
{
	static const char *const formats[] = { "raw", "qcow", "qcow2", "vhd",
					       "qed" };
	for (;;) {
		const char *colon = strchr(val, ':');
		const char *slash = strchr(val, '/');
		size_t n;

		if (!colon || (slash && slash < colon))
			return val;
		n = colon - val;
		if (n == 3 && !strncmp(val, "phy", 3)) {
			free(p->disk->backendtype);
			p->disk->backendtype = kc_strdup("phy");
		} else if ((n == 3 && !strncmp(val, "tap", 3)) ||
			   (n == 4 && !strncmp(val, "tap2", 4))) {
			free(p->disk->backendtype);
			p->disk->backendtype = kc_strdup("tap");
		} else if (!(n == 4 && !strncmp(val, "file", 4)) &&
			   !(n == 3 && !strncmp(val, "aio", 3))) {
			size_t i;

			for (i = 0; i < sizeof(formats) / sizeof(formats[0]);
			     i++)
				if (strlen(formats[i]) == n &&
				    !strncmp(val, formats[i], n))
					break;
			if (i == sizeof(formats) / sizeof(formats[0]))
				return val;
			free(p->disk->format);
			p->disk->format = kc_strndup(val, n);
			p->given[POS_FORMAT] = true;
		}
		p->legacy_prefix = true;
		val = colon + 1;
	}
}

static int positional(struct disk_parse *p, const char *val)
{
	for (int pos = 0; pos < NR_POS; pos++) {
		if (p->given[pos])
			continue;
		/* After a legacy prefix the next positional is the vdev. */
		if (pos == POS_FORMAT && p->legacy_prefix)
			continue;
		if (pos == POS_TARGET)
			val = strip_prefixes(p, val);
		return set_field(p, pos, val);
	}
	kc_error(p->d, p->w, "too many positional parameters in \"%s\" at '%s': the order is target, format, vdev, access",
		 p->spec, val);
	return -1;
}

static int keyword(struct disk_parse *p, const char *key, const char *val)
{
	if (!strcmp(key, "format"))
		return set_field(p, POS_FORMAT, val);
	if (!strcmp(key, "vdev"))
		return set_field(p, POS_VDEV, val);
	if (!strcmp(key, "access"))
		return set_field(p, POS_ACCESS, val);
	if (!strcmp(key, "devtype")) {
		if (!strcmp(val, "cdrom")) {
			p->disk->cdrom = true;
		} else if (strcmp(val, "disk") && *val) {
			kc_error(p->d, p->w, "unknown devtype '%s' in \"%s\": use cdrom or disk",
				 val, p->spec);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "backendtype")) {
		if (strcmp(val, "phy") && strcmp(val, "qdisk") &&
		    strcmp(val, "tap")) {
			kc_error(p->d, p->w, "unknown backendtype '%s' in \"%s\": use phy, qdisk or tap",
				 val, p->spec);
			return -1;
		}
		free(p->disk->backendtype);
		p->disk->backendtype = kc_strdup(val);
		return 0;
	}
	if (!strcmp(key, "backend")) {
		if (strcmp(val, "0") && strcmp(val, "Domain-0")) {
			kc_error(p->d, p->w, "backend '%s' in \"%s\": Keel serves disks from dom0 only",
				 val, p->spec);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "script")) {
		kc_warn(p->d, p->w, "script '%s' is not run: Keel's block backend opens the target itself",
			val);
		return 0;
	}
	kc_warn(p->d, p->w, "unknown disk parameter '%s' in \"%s\" ignored",
		key, p->spec);
	return 0;
}

static int finish(struct disk_parse *p)
{
	struct keel_disk *disk = p->disk;

	if (!disk->vdev) {
		kc_error(p->d, p->w, "no vdev in \"%s\": say which device the guest sees, e.g. \"file:/img,xvda,w\"",
			 p->spec);
		return -1;
	}
	if (!keel_vdev_valid(disk->vdev)) {
		kc_error(p->d, p->w, "invalid vdev '%s': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda",
			 disk->vdev);
		return -1;
	}
	if (!disk->format)
		disk->format = kc_strdup("raw");
	if (strcmp(disk->format, "raw")) {
		kc_error(p->d, p->w, "format '%s' is not supported by Keel: its block backend serves raw images only (convert with: qemu-img convert -O raw)",
			 disk->format);
		return -1;
	}
	if (disk->cdrom) {
		if (p->access_rw) {
			kc_error(p->d, p->w, "a cdrom is read-only: drop access=rw");
			return -1;
		}
		disk->readonly = true;
	} else if (!disk->target) {
		kc_error(p->d, p->w, "no target in \"%s\": name an image file or block device",
			 p->spec);
		return -1;
	}
	/* A target that is not a path names a device under /dev. */
	if (disk->target && disk->target[0] != '/') {
		char *t = kc_asprintf("/dev/%s", disk->target);

		free(disk->target);
		disk->target = t;
	}
	return 0;
}

static int one_param(struct disk_parse *p, char *tok)
{
	static const char *const idle_flags[] = { "discard", "no-discard",
						  "direct-io-safe", "trusted",
						  "untrusted" };
	char *eq = strchr(tok, '=');

	if (eq) {
		*eq = '\0';
		return keyword(p, tok, eq + 1);
	}
	if (!strcmp(tok, "cdrom")) {
		p->disk->cdrom = true;
		return 0;
	}
	for (size_t i = 0; i < sizeof(idle_flags) / sizeof(idle_flags[0]); i++) {
		if (!strcmp(tok, idle_flags[i])) {
			kc_warn(p->d, p->w, "flag '%s' has no effect in Keel yet",
				tok);
			return 0;
		}
	}
	return positional(p, tok);
}

int keel_disk_parse(const char *spec, struct keel_disk *out,
		    struct keel_diags *d, const struct keel_where *w)
{
	struct disk_parse p = { .spec = spec, .disk = out, .d = d, .w = w };
	const char *s = spec;

	memset(out, 0, sizeof(*out));
	while (*s) {
		const char *comma, *end;
		char *tok;
		int ret;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		/* target= takes the rest of the spec, commas and all. */
		if (!strncmp(s, "target=", 7)) {
			if (p.given[POS_TARGET]) {
				kc_error(d, w, "target given twice in \"%s\"",
					 spec);
				goto err;
			}
			p.given[POS_TARGET] = true;
			if (s[7])
				out->target = kc_strdup(s + 7);
			break;
		}
		comma = strchr(s, ',');
		end = comma ? comma : s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		tok = kc_strndup(s, end - s);
		ret = one_param(&p, tok);
		free(tok);
		if (ret)
			goto err;
		if (!comma)
			break;
		s = comma + 1;
	}
	if (finish(&p))
		goto err;
	return 0;
err:
	keel_disk_free(out);
	return -1;
}

char *keel_disk_spec(const struct keel_disk *disk)
{
	char *spec = kc_asprintf("format=%s,vdev=%s,access=%s",
				 disk->format ? disk->format : "raw", disk->vdev,
				 disk->readonly ? "ro" : "rw");
	char *next;

	if (disk->backendtype) {
		next = kc_asprintf("%s,backendtype=%s", spec, disk->backendtype);
		free(spec);
		spec = next;
	}
	if (disk->cdrom) {
		next = kc_asprintf("%s,devtype=cdrom", spec);
		free(spec);
		spec = next;
	}
	/* Last: target= takes the rest of the spec, commas and all. */
	if (disk->target) {
		next = kc_asprintf("%s,target=%s", spec, disk->target);
		free(spec);
		spec = next;
	}
	return spec;
}
