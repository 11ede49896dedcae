// SPDX-License-Identifier: GPL-2.0-only
/* The xenstore entries of a domain's virtual disks and network interfaces
 * (xen-pvh-abi §8.3): frontend directories the guest owns, backend
 * directories dom0's userspace backends (pv-drivers/) serve. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keelstore.h"
#include "ctrl_internal.h"

/* IDE majors for hda..hdt, two disks per major. */
static const unsigned ide_major[] = { 3, 22, 33, 34, 56, 57, 88, 89, 90, 91 };

int keel_vdev_number(const char *vdev)
{
	unsigned disk = 0, part = 0, letters = 0;
	const char *p;
	int prefix;

	if (!strncmp(vdev, "xvd", 3))
		prefix = 3;
	else if (!strncmp(vdev, "sd", 2) || !strncmp(vdev, "hd", 2))
		prefix = 2;
	else
		return -EINVAL;
	for (p = vdev + prefix; *p >= 'a' && *p <= 'z'; p++, letters++)
		disk = disk * 26 + (*p - 'a' + 1);
	if (!letters || letters > 3)
		return -EINVAL;
	disk--;
	if (*p) {
		char *end;

		part = strtoul(p, &end, 10);
		if (*end || !isdigit((unsigned char)*p))
			return -EINVAL;
	}
	if (vdev[0] == 'h') {
		if (disk >= 20 || part > 63)
			return -EINVAL;
		return ide_major[disk / 2] << 8 | (disk % 2) << 6 | part;
	}
	if (part > 15)
		return -EINVAL;
	if (disk < 16)
		return (vdev[0] == 'x' ? 202 : 8) << 8 | disk << 4 | part;
	/* Xen's extended form for disks beyond the 16th. */
	return 1 << 28 | disk << 8 | part;
}

static int wr(struct ks_handle *h, ks_txn_t t, const char *dir, const char *key,
	      const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	return ks_write(h, t, path, val, strlen(val));
}

/* owner first: the side that writes it; the other side reads. */
static int dir_perms(struct ks_handle *h, ks_txn_t t, const char *path,
		     domid_t owner, domid_t reader)
{
	struct ks_perm p[2] = { { owner, KS_PERM_NONE }, { reader, KS_PERM_READ } };
	int ret = ks_mkdir(h, t, path);

	return ret ? ret : ks_set_perms(h, t, path, p, 2);
}

int keel_store_write_vbd(struct ks_handle *h, ks_txn_t t, domid_t d,
			 const struct keel_disk *disk)
{
	char fe[128], be[128], v[32], dv[16];
	int num = keel_vdev_number(disk->vdev), ret;

	if (num < 0)
		return num;
	snprintf(dv, sizeof(dv), "%d", num);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%d", d, num);
	snprintf(be, sizeof(be), "/local/domain/0/backend/" KEEL_VBD_BACKEND "/%u/%d", d, num);
	/* Backend first: frontends look for it as soon as their node appears. */
	if ((ret = dir_perms(h, t, be, 0, d)) ||
	    (ret = wr(h, t, be, "frontend", fe)) ||
	    (snprintf(v, sizeof(v), "%u", d), ret = wr(h, t, be, "frontend-id", v)) ||
	    (ret = wr(h, t, be, "online", "1")) || (ret = wr(h, t, be, "state", "1")) ||
	    (ret = wr(h, t, be, "dev", disk->vdev)) ||
	    (ret = wr(h, t, be, "type", disk->backendtype ? disk->backendtype : "file")) ||
	    (ret = wr(h, t, be, "mode", disk->readonly ? "r" : "w")) ||
	    (ret = wr(h, t, be, "params", disk->target ? disk->target : "")) ||
	    (ret = wr(h, t, be, "removable", disk->cdrom ? "1" : "0")) ||
	    (ret = wr(h, t, be, "bootable", "1")) ||
	    (ret = wr(h, t, be, "device-type", disk->cdrom ? "cdrom" : "disk")))
		return ret;
	if ((ret = dir_perms(h, t, fe, d, 0)) || (ret = wr(h, t, fe, "backend", be)) ||
	    (ret = wr(h, t, fe, "backend-id", "0")) || (ret = wr(h, t, fe, "state", "1")) ||
	    (ret = wr(h, t, fe, "virtual-device", dv)) ||
	    (ret = wr(h, t, fe, "device-type", disk->cdrom ? "cdrom" : "disk")) ||
	    (ret = wr(h, t, fe, "trusted", "1")))
		return ret;
	return 0;
}

int keel_store_write_vif(struct ks_handle *h, ks_txn_t t, domid_t d,
			 const struct keel_vif *vif)
{
	char fe[128], be[128], v[32], mac[18];
	int ret;

	keel_mac_format(vif->mac, mac);
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", d, vif->devid);
	snprintf(be, sizeof(be), "/local/domain/0/backend/" KEEL_VIF_BACKEND "/%u/%u", d, vif->devid);
	snprintf(v, sizeof(v), "%u", vif->devid);
	/* netfront waits for the backend's state node: it must exist first. */
	if ((ret = dir_perms(h, t, be, 0, d)) || (ret = wr(h, t, be, "frontend", fe)) ||
	    (ret = wr(h, t, be, "online", "1")) || (ret = wr(h, t, be, "state", "1")) ||
	    (ret = wr(h, t, be, "handle", v)) || (ret = wr(h, t, be, "mac", mac)) ||
	    (ret = wr(h, t, be, "bridge", vif->bridge ? vif->bridge : KEEL_DEFAULT_BRIDGE)) ||
	    (vif->ip && (ret = wr(h, t, be, "ip", vif->ip))) ||
	    (vif->vifname && (ret = wr(h, t, be, "vifname", vif->vifname))))
		return ret;
	snprintf(v, sizeof(v), "%u", d);
	if ((ret = wr(h, t, be, "frontend-id", v)))
		return ret;
	snprintf(v, sizeof(v), "%u", vif->devid);
	if ((ret = dir_perms(h, t, fe, d, 0)) || (ret = wr(h, t, fe, "backend", be)) ||
	    (ret = wr(h, t, fe, "backend-id", "0")) || (ret = wr(h, t, fe, "state", "1")) ||
	    (ret = wr(h, t, fe, "handle", v)) || (ret = wr(h, t, fe, "mac", mac)))
		return ret;
	return 0;
}

int keel_store_write_devices(struct ks_handle *h, ks_txn_t t, domid_t d,
			     const struct keel_domain_config *c)
{
	int ret;

	for (size_t i = 0; i < c->nr_disks; i++) {
		ret = keel_store_write_vbd(h, t, d, &c->disks[i]);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < c->nr_vifs; i++) {
		ret = keel_store_write_vif(h, t, d, &c->vifs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int keel_store_remove_backends(struct keel_ctl *k, domid_t d)
{
	static const char *const types[] = { KEEL_VBD_BACKEND, KEEL_VIF_BACKEND };
	struct ks_handle *h;
	char path[96];
	int ret = keel_store(k, &h);

	for (size_t i = 0; !ret && i < 2; i++) {
		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%u", types[i], d);
		ret = ks_rm(h, KS_NO_TXN, path);
		if (ret == -ENOENT)
			ret = 0;
	}
	return ret;
}
