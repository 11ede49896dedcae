// SPDX-License-Identifier: GPL-2.0-only
/* Virtual disks and network interfaces added to and removed from a running
 * domain (xl's block-/network-attach, -detach, -list): the same store trees
 * as at create, the xenbus close handshake on detach, and the domain's
 * saved config kept in step so a restart brings back what is attached. */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "keelstore.h"
#include "ctrl_internal.h"

/* xenbus states (xen-pvh-abi §8.4). */
#define XB_UNKNOWN 0
#define XB_INITIALISING 1
#define XB_INITWAIT 2
#define XB_CLOSING 5
#define XB_CLOSED 6

static const char *const xb_state_names[] = {
	"Unknown", "Initialising", "InitWait", "Initialised", "Connected",
	"Closing", "Closed", "Reconfiguring", "Reconfigured",
};

static const char *xb_state_name(int s)
{
	return s >= 0 && s < 9 ? xb_state_names[s] : "invalid";
}

/* A number read from the store, or -1 if missing or not a number. */
static int read_int(struct ks_handle *h, ks_txn_t t, const char *dir, const char *key)
{
	char path[192], *v = NULL, *end;
	long n = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	if (!ks_read(h, t, path, &v, NULL)) {
		n = strtol(v, &end, 10);
		if (end == v || *end || n < 0 || n > 0x7fffffff)
			n = -1;
	}
	free(v);
	return (int)n;
}

static bool node_exists(struct ks_handle *h, ks_txn_t t, const char *path)
{
	char *v = NULL;
	int ret = ks_read(h, t, path, &v, NULL);

	free(v);
	return ret != -ENOENT;
}

static void dev_paths(domid_t dom, const char *type, unsigned devid, char *fe,
		      char *be, size_t len)
{
	snprintf(fe, len, "/local/domain/%u/device/%s/%u", dom, type, devid);
	snprintf(be, len, "/local/domain/0/backend/%s/%u/%u", type, dom, devid);
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* The device ids under /local/domain/D/device/TYPE, sorted; *ids malloc'ed. */
static int list_devids(struct ks_handle *h, domid_t dom, const char *type,
		       unsigned **ids, unsigned *n)
{
	char path[96], **names;
	unsigned count;
	int ret;

	*ids = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/local/domain/%u/device/%s", dom, type);
	ret = ks_directory(h, KS_NO_TXN, path, &names, &count);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return ret;
	*ids = calloc(count ? count : 1, sizeof(**ids));
	if (!*ids) {
		free(names);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < count; i++) {
		char *end;
		unsigned long v = strtoul(names[i], &end, 10);

		if (*names[i] && !*end && v <= 0xffffffffUL)
			(*ids)[(*n)++] = v;
	}
	free(names);
	qsort(*ids, *n, sizeof(**ids), cmp_uint);
	return 0;
}

/* ---- attach */

/* Loads the saved config when keel created dom; *saved says whether. */
static int load_saved(struct keel_ctl *k, domid_t dom, struct keel_saved *s,
		      struct keel_domain_config *c, bool *saved)
{
	int ret = keel_saved_load(k, dom, s, c);

	*saved = !ret;
	return ret == -ENOENT ? 0 : ret;
}

struct attach {
	domid_t dom;
	const char *type;
	unsigned devid;
	const struct keel_disk *disk;
	const struct keel_vif *vif;
};

static int write_device(struct ks_handle *h, ks_txn_t t, void *arg)
{
	const struct attach *a = arg;
	char fe[128], be[128];

	/* Checked inside the transaction: two attaches at once cannot both
	 * take the same device. */
	dev_paths(a->dom, a->type, a->devid, fe, be, sizeof(fe));
	if (node_exists(h, t, fe) || node_exists(h, t, be))
		return -EEXIST;
	return a->disk ? keel_store_write_vbd(h, t, a->dom, a->disk) :
			 keel_store_write_vif(h, t, a->dom, a->vif);
}

static int remove_device(struct ks_handle *h, ks_txn_t t, void *arg)
{
	const struct attach *a = arg;
	char fe[128], be[128];
	int ret;

	dev_paths(a->dom, a->type, a->devid, fe, be, sizeof(fe));
	ret = ks_rm(h, t, be);
	if (ret && ret != -ENOENT)
		return ret;
	ret = ks_rm(h, t, fe);
	return ret == -ENOENT ? 0 : ret;
}

static int check_guest(struct keel_ctl *k, domid_t dom, const char *what)
{
	if (dom == 0)
		return keel_fail(k, -EPERM, "%s are attached to guests, not to domain 0", what);
	return 0;
}

/* Store entries written; now the saved config. If that fails, the device
 * goes again: what is attached and what a restart brings back must agree. */
static int persist_attach(struct keel_ctl *k, struct ks_handle *h, struct attach *a,
			  struct keel_saved *s, struct keel_domain_config *c)
{
	char msg[sizeof(k->err)];
	int ret;

	if (a->disk)
		keel_config_add_disk(c, a->disk);
	else
		keel_config_add_vif(c, a->vif);
	ret = keel_saved_set_devices(k, a->dom, s, c);
	if (ret) {
		memcpy(msg, k->err, sizeof(msg));
		ks_transaction(h, remove_device, a, 10);
		memcpy(k->err, msg, sizeof(msg));
	}
	return ret;
}

/* The last steps of an attach: the store entries, unless the device is
 * already there (in_use: then busy is the error), then the saved config. */
static int write_attach(struct keel_ctl *k, struct ks_handle *h, struct attach *a,
			struct keel_saved *s, struct keel_domain_config *c, bool saved, bool in_use,
			const char *busy, const char *what)
{
	int ret = in_use ? -EEXIST : ks_transaction(h, write_device, a, 10);

	if (ret == -EEXIST)
		return keel_fail(k, ret, "%s", busy);
	if (ret)
		return keel_fail(k, ret, "cannot write domain %u's entries for %s in the store: %s",
				 a->dom, what, strerror(-ret));
	return saved ? persist_attach(k, h, a, s, c) : 0;
}

int keel_disk_attach(struct keel_ctl *k, domid_t dom, const struct keel_disk *disk)
{
	struct keel_domain_config c;
	struct keel_saved s;
	struct ks_handle *h;
	struct attach a = { dom, KEEL_VBD_BACKEND, 0, disk, NULL };
	bool saved = false, in_use = false;
	char busy[256], what[48];
	int num, ret;

	ret = check_guest(k, dom, "virtual disks");
	if (ret)
		return ret;
	num = keel_vdev_number(disk->vdev);
	if (num < 0)
		return keel_fail(k, -EINVAL, "invalid vdev '%s': use xvdX, hdX or sdX", disk->vdev);
	a.devid = num;
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	keel_config_init(&c);
	ret = load_saved(k, dom, &s, &c, &saved);
	if (ret)
		goto out;
	for (size_t i = 0; saved && i < c.nr_disks; i++)
		in_use |= keel_vdev_number(c.disks[i].vdev) == num;
	snprintf(busy, sizeof(busy),
		 "vdev '%s' (device %d) is already in use by domain %u: choose another vdev, or detach that disk first (keel block-detach %u %s)",
		 disk->vdev, num, dom, dom, disk->vdev);
	snprintf(what, sizeof(what), "disk %s", disk->vdev);
	ret = write_attach(k, h, &a, &s, &c, saved, in_use, busy, what);
out:
	if (saved)
		keel_saved_free(&s);
	keel_config_free(&c);
	return ret;
}

/* The domain (and vif) on this host already using mac, if any. */
static bool mac_in_use(struct ks_handle *h, const uint8_t mac[6], unsigned *dom,
		       unsigned *devid)
{
	char want[18], **doms, path[128];
	unsigned nd;
	bool found = false;

	keel_mac_format(mac, want);
	if (ks_directory(h, KS_NO_TXN, "/local/domain/0/backend/" KEEL_VIF_BACKEND, &doms, &nd))
		return false;
	for (unsigned i = 0; i < nd && !found; i++) {
		char **devs;
		unsigned n;

		snprintf(path, sizeof(path), "/local/domain/0/backend/" KEEL_VIF_BACKEND "/%s", doms[i]);
		if (ks_directory(h, KS_NO_TXN, path, &devs, &n))
			continue;
		for (unsigned j = 0; j < n && !found; j++) {
			char *v = NULL;

			snprintf(path, sizeof(path), "/local/domain/0/backend/" KEEL_VIF_BACKEND "/%s/%s/mac",
				 doms[i], devs[j]);
			if (!ks_read(h, KS_NO_TXN, path, &v, NULL) && !strcasecmp(v, want)) {
				found = true;
				*dom = strtoul(doms[i], NULL, 10);
				*devid = strtoul(devs[j], NULL, 10);
			}
			free(v);
		}
		free(devs);
	}
	free(doms);
	return found;
}

static bool mac_in_config(const struct keel_domain_config *c, const uint8_t mac[6])
{
	for (size_t i = 0; i < c->nr_vifs; i++)
		if (c->vifs[i].mac_set && !memcmp(c->vifs[i].mac, mac, 6))
			return true;
	return false;
}

/* xl's choice for a new vif: one past the highest devid in use. */
static int next_devid(struct ks_handle *h, domid_t dom, const struct keel_domain_config *c,
		      unsigned *devid)
{
	unsigned *ids, n, next = 0;
	int ret = list_devids(h, dom, KEEL_VIF_BACKEND, &ids, &n);

	if (ret)
		return ret;
	if (n)
		next = ids[n - 1] + 1;
	free(ids);
	for (size_t i = 0; i < c->nr_vifs; i++)
		if (c->vifs[i].devid >= next)
			next = c->vifs[i].devid + 1;
	if (next > KEEL_MAX_VIF_DEVID)
		return -ENOSPC;
	*devid = next;
	return 0;
}

int keel_vif_attach(struct keel_ctl *k, domid_t dom, struct keel_vif *vif)
{
	struct keel_domain_config c;
	struct keel_saved s;
	struct ks_handle *h;
	struct attach a = { dom, KEEL_VIF_BACKEND, 0, NULL, vif };
	bool saved = false, in_use = false;
	unsigned odom, odev;
	char mac[18], busy[256], what[48];
	int ret;

	ret = check_guest(k, dom, "network interfaces");
	if (ret)
		return ret;
	ret = keel_store(k, &h);
	if (ret)
		return ret;
	keel_config_init(&c);
	ret = load_saved(k, dom, &s, &c, &saved);
	if (ret)
		goto out;
	if (!vif->devid_set) {
		ret = next_devid(h, dom, &c, &vif->devid);
		if (ret) {
			ret = keel_fail(k, ret, "cannot choose a devid for domain %u's new interface: %s",
					dom, strerror(-ret));
			goto out;
		}
	}
	if (vif->mac_set) {
		keel_mac_format(vif->mac, mac);
		if (mac_in_use(h, vif->mac, &odom, &odev)) {
			ret = keel_fail(k, -EEXIST, "MAC %s is already used by domain %u's vif %u: choose another mac=, or leave it out to have one generated",
					mac, odom, odev);
			goto out;
		}
		if (mac_in_config(&c, vif->mac)) {
			ret = keel_fail(k, -EEXIST, "MAC %s is already used by another interface of domain %u: choose another mac=, or leave it out to have one generated",
					mac, dom);
			goto out;
		}
	} else {
		/* 00:16:3e, the OUI Xen's tools draw guest MACs from. */
		do {
			vif->mac[0] = 0x00;
			vif->mac[1] = 0x16;
			vif->mac[2] = 0x3e;
			if (getrandom(vif->mac + 3, 3, 0) != 3) {
				ret = keel_fail(k, -EIO, "cannot draw a random MAC: %s", strerror(errno));
				goto out;
			}
		} while (mac_in_use(h, vif->mac, &odom, &odev) || mac_in_config(&c, vif->mac));
		vif->mac_set = true;
	}
	a.devid = vif->devid;
	for (size_t i = 0; saved && i < c.nr_vifs; i++)
		in_use |= c.vifs[i].devid == vif->devid;
	snprintf(busy, sizeof(busy),
		 "domain %u already has a network interface with devid %u: choose another devid=, or leave it out to have the next free one",
		 dom, vif->devid);
	snprintf(what, sizeof(what), "vif %u", vif->devid);
	ret = write_attach(k, h, &a, &s, &c, saved, in_use, busy, what);
out:
	if (saved)
		keel_saved_free(&s);
	keel_config_free(&c);
	return ret;
}

/* ---- detach */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Nothing to close: the frontend is gone, closed, or never connected
 * (no ring, no event channel shared yet). */
static bool frontend_released(int state)
{
	return state < 0 || state == XB_UNKNOWN || state == XB_INITIALISING ||
	       state == XB_INITWAIT || state == XB_CLOSED;
}

static int ask_to_close(struct ks_handle *h, ks_txn_t t, void *arg)
{
	const struct attach *a = arg;
	char fe[128], be[128], path[160];
	int ret;

	dev_paths(a->dom, a->type, a->devid, fe, be, sizeof(fe));
	if (!node_exists(h, t, be))
		return 0;
	/* As libxl does: offline, then Closing; the frontend answers Closed. */
	snprintf(path, sizeof(path), "%s/online", be);
	ret = ks_write(h, t, path, "0", 1);
	if (!ret) {
		snprintf(path, sizeof(path), "%s/state", be);
		ret = ks_write(h, t, path, "5", 1);
	}
	return ret;
}

/* Waits for the frontend's state to say it let go; *state is the last seen. */
static int wait_released(struct ks_handle *h, const char *fe, unsigned timeout_ms,
			 int *state)
{
	char path[160];
	uint64_t deadline = now_ms() + timeout_ms;
	int ret;

	snprintf(path, sizeof(path), "%s/state", fe);
	ret = ks_watch(h, path, "keel-detach");
	if (ret)
		return ret;
	for (;;) {
		struct pollfd p = { ks_watch_fd(h), POLLIN, 0 };
		uint64_t now;
		char *wpath, *token;

		*state = read_int(h, KS_NO_TXN, fe, "state");
		if (frontend_released(*state)) {
			ret = 0;
			break;
		}
		now = now_ms();
		if (now >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		if (poll(&p, 1, (int)(deadline - now)) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		while (ks_read_watch(h, &wpath, &token) == 0)
			free(wpath);
	}
	ks_unwatch(h, path, "keel-detach");
	return ret;
}

/* libxl's device removal: ask, wait, remove (or, forced, just remove). */
static int device_remove(struct keel_ctl *k, struct attach *a, const char *what,
			 const struct keel_detach_opts *o)
{
	struct ks_handle *h;
	char fe[128], be[128];
	int ret, state = -1;

	ret = keel_store(k, &h);
	if (ret)
		return ret;
	dev_paths(a->dom, a->type, a->devid, fe, be, sizeof(fe));
	if (!o->force) {
		ret = ks_transaction(h, ask_to_close, a, 10);
		if (ret)
			return keel_fail(k, ret, "cannot ask domain %u to close %s (writing %s/state): %s",
					 a->dom, what, be, strerror(-ret));
		ret = wait_released(h, fe, o->timeout_ms, &state);
		if (ret == -ETIMEDOUT)
			return keel_fail(k, ret, "domain %u did not close %s within %u s (its frontend is still %d, %s): the guest may be using it (unmount it or take the interface down there), or use -f to remove it anyway",
					 a->dom, what, (o->timeout_ms + 999) / 1000, state,
					 xb_state_name(state));
		if (ret)
			return keel_fail(k, ret, "cannot watch %s/state: %s", fe, strerror(-ret));
	}
	ret = ks_transaction(h, remove_device, a, 10);
	if (ret)
		return keel_fail(k, ret, "cannot remove %s and %s from the store: %s", fe, be,
				 strerror(-ret));
	return 0;
}

static int persist_detach(struct keel_ctl *k, domid_t dom, bool is_disk, unsigned devid)
{
	struct keel_domain_config c;
	struct keel_saved s;
	bool saved = false;
	int ret;

	keel_config_init(&c);
	ret = load_saved(k, dom, &s, &c, &saved);
	if (ret || !saved)
		goto out;
	for (size_t i = is_disk ? c.nr_disks : c.nr_vifs; i-- > 0;) {
		if (is_disk && keel_vdev_number(c.disks[i].vdev) == (int)devid)
			keel_config_remove_disk(&c, i);
		else if (!is_disk && c.vifs[i].devid == devid)
			keel_config_remove_vif(&c, i);
	}
	ret = keel_saved_set_devices(k, dom, &s, &c);
	keel_saved_free(&s);
out:
	keel_config_free(&c);
	return ret;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static bool device_known(struct keel_ctl *k, struct attach *a)
{
	struct ks_handle *h;
	char fe[128], be[128];

	dev_paths(a->dom, a->type, a->devid, fe, be, sizeof(fe));
	return !keel_store(k, &h) && (node_exists(h, KS_NO_TXN, fe) || node_exists(h, KS_NO_TXN, be));
}

int keel_disk_detach(struct keel_ctl *k, domid_t dom, const char *which,
		     const struct keel_detach_opts *o)
{
	struct attach a = { dom, KEEL_VBD_BACKEND, 0, NULL, NULL };
	char what[96];
	int num, ret;

	if (all_digits(which) && strlen(which) <= 10)
		num = strtoul(which, NULL, 10) > 0x7fffffffUL ? -EINVAL : (int)strtoul(which, NULL, 10);
	else
		num = keel_vdev_number(which);
	if (num < 0)
		return keel_fail(k, -EINVAL, "'%s' is neither a vdev (xvdb) nor a device number (51728): see 'keel block-list %u'",
				 which, dom);
	a.devid = num;
	if (!device_known(k, &a))
		return keel_fail(k, -ENODEV, "domain %u has no virtual disk %s: see 'keel block-list %u'",
				 dom, which, dom);
	snprintf(what, sizeof(what), "its virtual disk %s (device %d)", which, num);
	ret = device_remove(k, &a, what, o);
	return ret ? ret : persist_detach(k, dom, true, num);
}

/* A vif named by its devid, or by its MAC (xl: anything with a ':'). */
static int find_vif(struct keel_ctl *k, domid_t dom, const char *which, unsigned *devid)
{
	struct ks_handle *h;
	uint8_t mac[6], m[6];
	unsigned *ids, n;
	const char *why;
	int ret;

	if (!strchr(which, ':')) {
		if (!all_digits(which) || strlen(which) > 5 || strtoul(which, NULL, 10) > KEEL_MAX_VIF_DEVID)
			return keel_fail(k, -EINVAL, "'%s' is neither a devid (0, 1, ...) nor a MAC: see 'keel network-list %u'",
					 which, dom);
		*devid = strtoul(which, NULL, 10);
		return 0;
	}
	if (keel_mac_parse(which, mac, &why))
		return keel_fail(k, -EINVAL, "invalid MAC '%s': %s", which, why);
	ret = keel_store(k, &h);
	if (!ret)
		ret = list_devids(h, dom, KEEL_VIF_BACKEND, &ids, &n);
	if (ret)
		return keel_fail(k, ret, "cannot list domain %u's network interfaces: %s", dom,
				 strerror(-ret));
	ret = -ENODEV;
	for (unsigned i = 0; i < n && ret; i++) {
		char fe[64], path[96], *v = NULL;
		const char *w;

		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", dom, ids[i]);
		snprintf(path, sizeof(path), "%s/mac", fe);
		if (!ks_read(h, KS_NO_TXN, path, &v, NULL) && !keel_mac_parse(v, m, &w) &&
		    !memcmp(m, mac, 6)) {
			*devid = ids[i];
			ret = 0;
		}
		free(v);
	}
	free(ids);
	if (ret)
		return keel_fail(k, ret, "domain %u has no network interface with MAC %s: see 'keel network-list %u'",
				 dom, which, dom);
	return 0;
}

int keel_vif_detach(struct keel_ctl *k, domid_t dom, const char *which,
		    const struct keel_detach_opts *o)
{
	struct attach a = { dom, KEEL_VIF_BACKEND, 0, NULL, NULL };
	char what[96];
	int ret;

	ret = find_vif(k, dom, which, &a.devid);
	if (ret)
		return ret;
	if (!device_known(k, &a))
		return keel_fail(k, -ENODEV, "domain %u has no network interface %s: see 'keel network-list %u'",
				 dom, which, dom);
	snprintf(what, sizeof(what), "its network interface %u", a.devid);
	ret = device_remove(k, &a, what, o);
	return ret ? ret : persist_detach(k, dom, false, a.devid);
}

/* ---- lists, in xl's formats */

int keel_print_block_list(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n)
{
	struct ks_handle *h;
	int ret = keel_store(k, &h);

	if (ret)
		return ret;
	fprintf(f, "%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state",
		"evt-ch", "ring-ref", "BE-path");
	for (size_t d = 0; d < n; d++) {
		unsigned *ids, nr;

		ret = list_devids(h, doms[d], KEEL_VBD_BACKEND, &ids, &nr);
		if (ret)
			return keel_fail(k, ret, "cannot list domain %u's virtual disks: %s", doms[d],
					 strerror(-ret));
		for (unsigned i = 0; i < nr; i++) {
			char fe[64], path[96], *be = NULL;

			snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%u", doms[d], ids[i]);
			snprintf(path, sizeof(path), "%s/backend", fe);
			if (ks_read(h, KS_NO_TXN, path, &be, NULL))
				be = NULL;
			/* xl's columns: "handle" is the frontend's domain. */
			fprintf(f, "%-5d %-3d %-6d %-5d %-6d %-8d %-30s\n", (int)ids[i],
				read_int(h, KS_NO_TXN, fe, "backend-id"), doms[d],
				read_int(h, KS_NO_TXN, fe, "state"),
				read_int(h, KS_NO_TXN, fe, "event-channel"),
				read_int(h, KS_NO_TXN, fe, "ring-ref"), be ? be : "");
			free(be);
		}
		free(ids);
	}
	return 0;
}

int keel_print_network_list(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n)
{
	struct ks_handle *h;
	int ret = keel_store(k, &h);

	if (ret)
		return ret;
	fprintf(f, "%-3s %-2s %-17s %-6s %-5s %-6s %5s/%-5s %-30s\n", "Idx", "BE", "Mac Addr.",
		"handle", "state", "evt-ch", "tx-", "rx-ring-ref", "BE-path");
	for (size_t d = 0; d < n; d++) {
		unsigned *ids, nr;

		ret = list_devids(h, doms[d], KEEL_VIF_BACKEND, &ids, &nr);
		if (ret)
			return keel_fail(k, ret, "cannot list domain %u's network interfaces: %s",
					 doms[d], strerror(-ret));
		for (unsigned i = 0; i < nr; i++) {
			char fe[64], path[96], *be = NULL, *macs = NULL, mac[18];
			uint8_t m[6] = { 0 }, parsed[6];
			const char *why;

			snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", doms[d], ids[i]);
			snprintf(path, sizeof(path), "%s/backend", fe);
			if (ks_read(h, KS_NO_TXN, path, &be, NULL))
				be = NULL;
			snprintf(path, sizeof(path), "%s/mac", fe);
			if (!ks_read(h, KS_NO_TXN, path, &macs, NULL) &&
			    !keel_mac_parse(macs, parsed, &why))
				memcpy(m, parsed, 6);
			keel_mac_format(m, mac);
			fprintf(f, "%-3d %-2d %s%6d %5d %6d %5d/%-11d %-30s\n", (int)ids[i],
				read_int(h, KS_NO_TXN, fe, "backend-id"), mac, (int)ids[i],
				read_int(h, KS_NO_TXN, fe, "state"),
				read_int(h, KS_NO_TXN, fe, "event-channel"),
				read_int(h, KS_NO_TXN, fe, "tx-ring-ref"),
				read_int(h, KS_NO_TXN, fe, "rx-ring-ref"), be ? be : "");
			free(be);
			free(macs);
		}
		free(ids);
	}
	return 0;
}
