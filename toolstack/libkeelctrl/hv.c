// SPDX-License-Identifier: GPL-2.0-only
/* The library handle and the domctl/sysctl wrappers over the ops table. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "keelstore.h"
#include "ctrl_internal.h"

struct keel_ctl *keel_ctl_new(const struct keel_hv_ops *ops, void *hv,
			      struct ks_handle *xs, const char *state_dir)
{
	struct keel_ctl *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->ops = ops;
	k->hv = hv;
	k->xs = xs;
	k->state_dir = strdup(state_dir ? state_dir : "/var/lib/keel");
	if (!k->state_dir) {
		free(k);
		return NULL;
	}
	return k;
}

void keel_ctl_close(struct keel_ctl *k)
{
	if (!k)
		return;
	if (k->xs)
		ks_close(k->xs);
	keel_phase("close the store connection");
	if (k->ops && k->ops->close)
		k->ops->close(k->hv);
	keel_phase("close privcmd");
	free(k->state_dir);
	free(k);
}

int keel_fail(struct keel_ctl *k, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->err, sizeof(k->err), fmt, ap);
	va_end(ap);
	return ret;
}

int keel_store(struct keel_ctl *k, struct ks_handle **xs)
{
	int ret;

	if (!k->xs) {
		ret = ks_open(NULL, &k->xs);
		if (ret) {
			k->xs = NULL;
			return keel_fail(k, ret, "cannot reach the store (keelstored) at %s: %s: start keelstored in dom0",
					 getenv("XENSTORED_PATH") ? getenv("XENSTORED_PATH") :
								   "/run/xenstored/socket",
					 strerror(-ret));
		}
	}
	*xs = k->xs;
	return 0;
}

char *keel_state_path(struct keel_ctl *k, const char *uuid, const char *ext)
{
	char *p;

	if (asprintf(&p, "%s/%s.%s", k->state_dir, uuid, ext) < 0)
		return NULL;
	return p;
}

void keel_touch(void *buf, size_t len)
{
	volatile uint8_t *p = buf;
	uint8_t v;

	/* Rewrite one byte per page with its own value: a write fault. */
	for (size_t off = 0; off < len; off += KEEL_PAGE_SIZE - ((uintptr_t)(p + off) & (KEEL_PAGE_SIZE - 1))) {
		v = p[off];
		p[off] = v;
	}
	if (len) {
		v = p[len - 1];
		p[len - 1] = v;
	}
}

int keel_domctl(struct keel_ctl *k, uint32_t cmd, domid_t dom,
		struct xen_domctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op->domain = dom;
	return k->ops->domctl(k->hv, op);
}

int keel_sysctl(struct keel_ctl *k, uint32_t cmd, struct xen_sysctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return k->ops->sysctl(k->hv, op);
}

int keel_physinfo(struct keel_ctl *k, struct xen_sysctl_physinfo *pi)
{
	struct xen_sysctl op;
	int ret;

	memset(&op, 0, sizeof(op));
	ret = keel_sysctl(k, XEN_SYSCTL_physinfo, &op);
	if (ret)
		return keel_fail(k, ret, "cannot read the host's CPU and memory figures (sysctl physinfo): %s",
				 strerror(-ret));
	*pi = op.u.physinfo;
	return 0;
}

int keel_domain_info(struct keel_ctl *k, domid_t dom,
		     struct xen_domctl_getdomaininfo *info)
{
	struct xen_domctl op;
	int ret;

	memset(&op, 0, sizeof(op));
	ret = keel_domctl(k, XEN_DOMCTL_getdomaininfo, dom, &op);
	/* Like Xen, getdomaininfo answers for the next domain up: check. */
	if (!ret && op.u.getdomaininfo.domain != dom)
		ret = -ESRCH;
	if (ret)
		return keel_fail(k, ret, "domain %u does not exist: see 'keel list'", dom);
	*info = op.u.getdomaininfo;
	return 0;
}

int keel_domain_list(struct keel_ctl *k, struct xen_domctl_getdomaininfo **out,
		     unsigned *n)
{
	enum { BATCH = 64 };
	struct xen_domctl_getdomaininfo *v = NULL, *nv;
	unsigned count = 0;
	domid_t first = 0;

	for (;;) {
		struct xen_sysctl op;
		int ret;

		nv = realloc(v, (count + BATCH) * sizeof(*v));
		if (!nv) {
			free(v);
			return keel_fail(k, -ENOMEM, "out of memory listing domains");
		}
		v = nv;
		/* Resident before the call: the hypervisor walks our page tables. */
		memset(v + count, 0, BATCH * sizeof(*v));
		memset(&op, 0, sizeof(op));
		op.u.getdomaininfolist.first_domain = first;
		op.u.getdomaininfolist.max_domains = BATCH;
		op.u.getdomaininfolist.buffer = (uintptr_t)(v + count);
		ret = keel_sysctl(k, XEN_SYSCTL_getdomaininfolist, &op);
		if (ret) {
			free(v);
			return keel_fail(k, ret, "cannot list domains (sysctl getdomaininfolist): %s",
					 strerror(-ret));
		}
		count += op.u.getdomaininfolist.num_domains;
		if (op.u.getdomaininfolist.num_domains < BATCH)
			break;
		first = v[count - 1].domain + 1;
	}
	*out = v;
	*n = count;
	return 0;
}

int keel_readconsole(struct keel_ctl *k, bool clear, FILE *out)
{
	enum { CHUNK = 16384 };
	char *buf = malloc(CHUNK);
	uint32_t index = 0;

	if (!buf)
		return keel_fail(k, -ENOMEM, "out of memory reading the hypervisor log");
	for (;;) {
		struct xen_sysctl op;
		int ret;

		memset(buf, 0, CHUNK);
		memset(&op, 0, sizeof(op));
		op.u.readconsole.incremental = 1;
		op.u.readconsole.index = index;
		op.u.readconsole.buffer = (uintptr_t)buf;
		op.u.readconsole.count = CHUNK;
		ret = keel_sysctl(k, XEN_SYSCTL_readconsole, &op);
		if (ret) {
			free(buf);
			return keel_fail(k, ret, "cannot read the hypervisor log (sysctl readconsole): %s",
					 strerror(-ret));
		}
		if (!op.u.readconsole.count)
			break;
		fwrite(buf, 1, op.u.readconsole.count, out);
		index = op.u.readconsole.index;
	}
	if (clear) {
		struct xen_sysctl op;
		int ret;

		memset(&op, 0, sizeof(op));
		op.u.readconsole.clear = 1;
		op.u.readconsole.buffer = (uintptr_t)buf;
		op.u.readconsole.count = 0;
		ret = keel_sysctl(k, XEN_SYSCTL_readconsole, &op);
		if (ret) {
			free(buf);
			return keel_fail(k, ret, "cannot clear the hypervisor log: %s",
					 strerror(-ret));
		}
	}
	free(buf);
	return 0;
}
