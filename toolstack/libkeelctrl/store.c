// SPDX-License-Identifier: GPL-2.0-only
/* The xenstore entries a Xen toolstack writes for a PVH domain (xen-pvh-abi
 * §8.3), and libkeel's own bookkeeping under /libkeel/D (dom0 only). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keelstore.h"
#include "ctrl_internal.h"

struct dom_entries {
	struct keel_ctl *k;
	domid_t dom;
	const struct keel_domain_config *c;
	const struct keel_build *b;
	const char *uuid;
};

static int wr(struct ks_handle *h, ks_txn_t t, const char *val,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int wr(struct ks_handle *h, ks_txn_t t, const char *val,
	      const char *fmt, ...)
{
	char path[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return ks_write(h, t, path, val, strlen(val));
}

/* perms: owner first. ro: dom0 owns, the guest reads; rw: the guest owns. */
static int perms(struct ks_handle *h, ks_txn_t t, const char *path,
		 domid_t dom, bool guest_owns)
{
	struct ks_perm p[2];

	if (guest_owns) {
		p[0] = (struct ks_perm){ dom, KS_PERM_NONE };
		return ks_set_perms(h, t, path, p, 1);
	}
	p[0] = (struct ks_perm){ 0, KS_PERM_NONE };
	p[1] = (struct ks_perm){ dom, KS_PERM_READ };
	return ks_set_perms(h, t, path, p, 2);
}

static int write_entries(struct ks_handle *h, ks_txn_t t, void *arg)
{
	struct dom_entries *e = arg;
	const struct keel_domain_config *c = e->c;
	domid_t d = e->dom;
	char dp[64], vm[128], path[256], v[64];
	char macs[KEEL_MAX_VCPUS * 18] = "";
	int ret = 0;

	snprintf(dp, sizeof(dp), "/local/domain/%u", d);
	snprintf(vm, sizeof(vm), "/vm/%s", e->uuid);

#define W(val, ...) do { ret = wr(h, t, (val), __VA_ARGS__); if (ret) return ret; } while (0)
#define MK(p, own) do { ret = ks_mkdir(h, t, (p)); if (!ret) ret = perms(h, t, (p), d, (own)); if (ret) return ret; } while (0)

	MK(dp, false);
	MK(vm, false);
	W(e->uuid, "%s/uuid", vm);
	W(c->name, "%s/name", vm);
	snprintf(v, sizeof(v), "%lld", (long long)time(NULL));
	W(v, "%s/start_time", vm);

	W(c->name, "%s/name", dp);
	snprintf(v, sizeof(v), "%u", d);
	W(v, "%s/domid", dp);
	W(vm, "%s/vm", dp);
	snprintf(path, sizeof(path), "%s/control", dp);
	MK(path, true);
	W("1", "%s/control/platform-feature-multiprocessor-suspend", dp);
	W("1", "%s/control/platform-feature-xs_reset_watches", dp);
	snprintf(path, sizeof(path), "%s/data", dp);
	MK(path, true);
	snprintf(path, sizeof(path), "%s/device", dp);
	MK(path, false);
	snprintf(path, sizeof(path), "%s/memory", dp);
	MK(path, false);
	/* No memory/target: that starts the balloon driver (keel mem-set). */
	snprintf(v, sizeof(v), "%lu", c->maxmem_mib * 1024);
	W(v, "%s/memory/static-max", dp);
	snprintf(path, sizeof(path), "%s/console", dp);
	MK(path, false);
	snprintf(v, sizeof(v), "%" PRIu64, e->b->console_pfn);
	W(v, "%s/console/ring-ref", dp);
	snprintf(v, sizeof(v), "%u", e->b->console_port);
	W(v, "%s/console/port", dp);
	W("xenconsoled", "%s/console/type", dp);
	snprintf(path, sizeof(path), "%s/store", dp);
	MK(path, false);
	snprintf(v, sizeof(v), "%" PRIu64, e->b->store_pfn);
	W(v, "%s/store/ring-ref", dp);
	snprintf(v, sizeof(v), "%u", e->b->store_port);
	W(v, "%s/store/port", dp);

	/* Ours: what the lifecycle watcher and the commands need. */
	snprintf(path, sizeof(path), KEEL_STORE_LIBKEEL "/%u", d);
	W(e->uuid, "%s/uuid", path);
	W(c->name, "%s/name", path);
	W(keel_action_name(c->on_poweroff), "%s/on_poweroff", path);
	W(keel_action_name(c->on_reboot), "%s/on_reboot", path);
	W(keel_action_name(c->on_crash), "%s/on_crash", path);
	snprintf(v, sizeof(v), "%lld", (long long)time(NULL));
	W(v, "%s/start_time", path);
	for (size_t i = 0; i < c->nr_vifs; i++) {
		char mac[18];

		keel_mac_format(c->vifs[i].mac, mac);
		if (i)
			strcat(macs, ",");
		strcat(macs, mac);
	}
	W(macs, "%s/macs", path);
	ret = keel_store_write_devices(h, t, d, c);
	if (ret)
		return ret;
#undef W
#undef MK
	return 0;
}

int keel_store_write_domain(struct keel_ctl *k, domid_t dom,
			    const struct keel_domain_config *c,
			    const struct keel_build *b)
{
	struct dom_entries e = { k, dom, c, b, NULL };
	struct ks_handle *h;
	char uuid[37];
	int ret;

	ret = keel_store(k, &h);
	if (ret)
		return ret;
	uuid_unparse_lower(c->uuid, uuid);
	e.uuid = uuid;
	ret = ks_transaction(h, write_entries, &e, 10);
	if (ret)
		return keel_fail(k, ret, "cannot write domain %u's entries in the store: %s",
				 dom, strerror(-ret));
	ret = ks_introduce(h, dom, b->store_pfn, b->store_port);
	if (ret)
		return keel_fail(k, ret, "the store (keelstored) refused to introduce domain %u (ring GFN 0x%llx, port %u): %s",
				 dom, (unsigned long long)b->store_pfn, b->store_port,
				 strerror(-ret));
	return 0;
}

/* The store connection and the path of one of libkeel's own nodes for dom. */
static int libkeel_node(struct keel_ctl *k, domid_t dom, const char *key, struct ks_handle **h,
			char *path, size_t len)
{
	int ret = keel_store(k, h);

	if (!ret)
		snprintf(path, len, KEEL_STORE_LIBKEEL "/%u/%s", dom, key);
	return ret;
}

int keel_store_get(struct keel_ctl *k, domid_t dom, const char *key, char **val)
{
	struct ks_handle *h;
	char path[128];
	int ret = libkeel_node(k, dom, key, &h, path, sizeof(path));

	return ret ? ret : ks_read(h, KS_NO_TXN, path, val, NULL);
}

int keel_store_set(struct keel_ctl *k, domid_t dom, const char *key,
		   const char *val)
{
	struct ks_handle *h;
	char path[128];
	int ret = libkeel_node(k, dom, key, &h, path, sizeof(path));

	return ret ? ret : ks_write(h, KS_NO_TXN, path, val, strlen(val));
}

int keel_store_remove_domain(struct keel_ctl *k, domid_t dom)
{
	struct ks_handle *h;
	char path[128], *vm = NULL;
	int ret;

	ret = keel_store(k, &h);
	if (ret)
		return ret;
	/* Backends first, while the domain still exists: each sees its
	 * directory vanish and lets go of the rings and event channels. */
	ret = keel_store_remove_backends(k, dom);
	if (ret)
		return keel_fail(k, ret, "cannot remove domain %u's backend entries from the store: %s",
				 dom, strerror(-ret));
	/* The domain may never have been introduced: that is fine. */
	ks_release(h, dom);
	snprintf(path, sizeof(path), "/local/domain/%u/vm", dom);
	if (!ks_read(h, KS_NO_TXN, path, &vm, NULL) && !strncmp(vm, "/vm/", 4))
		ks_rm(h, KS_NO_TXN, vm);
	free(vm);
	/* With it go the frontends (device/vbd, device/vif). */
	snprintf(path, sizeof(path), "/local/domain/%u", dom);
	ret = ks_rm(h, KS_NO_TXN, path);
	if (ret && ret != -ENOENT)
		return keel_fail(k, ret, "cannot remove %s from the store: %s", path,
				 strerror(-ret));
	snprintf(path, sizeof(path), KEEL_STORE_LIBKEEL "/%u", dom);
	ret = ks_rm(h, KS_NO_TXN, path);
	if (ret && ret != -ENOENT)
		return keel_fail(k, ret, "cannot remove %s from the store: %s", path,
				 strerror(-ret));
	return 0;
}

int keel_store_find_name(struct keel_ctl *k, const char *name, domid_t *dom)
{
	struct ks_handle *h;
	char **ids;
	unsigned n;
	int ret;

	ret = keel_store(k, &h);
	if (ret)
		return ret;
	ret = ks_directory(h, KS_NO_TXN, "/local/domain", &ids, &n);
	if (ret == -ENOENT)
		return -ENOENT;
	if (ret)
		return keel_fail(k, ret, "cannot list /local/domain in the store: %s",
				 strerror(-ret));
	ret = -ENOENT;
	for (unsigned i = 0; i < n; i++) {
		char path[96], *v = NULL;

		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		if (!ks_read(h, KS_NO_TXN, path, &v, NULL) && !strcmp(v, name)) {
			*dom = (domid_t)strtoul(ids[i], NULL, 10);
			ret = 0;
		}
		free(v);
		if (!ret)
			break;
	}
	free(ids);
	return ret;
}
