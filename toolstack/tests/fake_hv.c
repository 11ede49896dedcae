// SPDX-License-Identifier: GPL-2.0-only
/* The fake hypervisor for libkeelctrl's tests: a small simulated machine
 * that checks what the toolstack sends as the real one would. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "public/hvm/hvm_op.h"
#include "public/version.h"
#include "fake_hv.h"

#define PAGE 4096UL
#define NR_GFNS (FAKE_GUEST_SPACE / PAGE)

struct fake_hv *fake_hv_new(unsigned long host_mib)
{
	struct fake_hv *f = calloc(1, sizeof(*f));

	f->total_pages = (uint64_t)host_mib * 256;
	f->free_pages = f->total_pages - 512 * 256; /* dom0 holds 512 MiB */
	f->nr_cpus = 4;
	f->dom[0].exists = true;
	f->dom[0].shutdown_reason = -1;
	f->dom[0].max_vcpus = 4;
	f->dom[0].tot_pages = f->dom[0].max_pages = 512 * 256;
	f->dom[0].memfd = -1;
	f->dom[0].weight = 256;
	f->dom[0].cpu_time = 12345600000ULL;
	f->log_len = (size_t)snprintf(f->log, sizeof(f->log),
				      "(XEN) Keel fake hypervisor\n(XEN) dom0 started\n");
	return f;
}

static struct fake_dom *dom(struct fake_hv *f, domid_t d)
{
	if (d >= FAKE_MAX_DOMS || !f->dom[d].exists)
		return NULL;
	return &f->dom[d];
}

static void fill_info(struct fake_hv *f, domid_t d, struct xen_domctl_getdomaininfo *i)
{
	struct fake_dom *x = &f->dom[d];

	memset(i, 0, sizeof(*i));
	i->domain = d;
	i->flags = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
	if (x->paused)
		i->flags |= XEN_DOMINF_paused;
	else if (x->shutdown_reason < 0)
		i->flags |= d == 0 ? XEN_DOMINF_running : XEN_DOMINF_blocked;
	if (x->shutdown_reason >= 0)
		i->flags |= XEN_DOMINF_shutdown |
			    (uint32_t)x->shutdown_reason << XEN_DOMINF_shutdownshift;
	if (x->dying)
		i->flags |= XEN_DOMINF_dying;
	i->tot_pages = x->tot_pages;
	i->max_pages = x->max_pages;
	i->cpu_time = x->cpu_time;
	i->nr_online_vcpus = d == 0 ? x->max_vcpus : (x->vcpu_ctx_set ? 1 : 0);
	i->max_vcpu_id = x->max_vcpus ? x->max_vcpus - 1 : XEN_INVALID_MAX_VCPU_ID;
	memcpy(i->handle, x->handle, sizeof(i->handle));
	i->arch_config.emulation_flags = x->emulation_flags;
}

static void free_dom(struct fake_hv *f, struct fake_dom *x)
{
	f->free_pages += x->tot_pages;
	if (x->memfd >= 0)
		close(x->memfd);
	free(x->populated);
	memset(x, 0, sizeof(*x));
}

static int createdomain(struct fake_hv *f, struct xen_domctl *op)
{
	struct xen_domctl_createdomain *c = &op->u.createdomain;
	domid_t d = op->domain;
	struct fake_dom *x;

	if ((c->flags & (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap)) !=
		    (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap) ||
	    c->arch.emulation_flags != XEN_X86_EMU_LAPIC || !c->max_vcpus ||
	    c->max_vcpus > FAKE_MAX_VCPUS)
		return -EINVAL;
	if (d == 0 || d >= DOMID_FIRST_RESERVED) {
		for (d = 1; d < FAKE_MAX_DOMS && f->dom[d].exists; d++)
			;
		if (d == FAKE_MAX_DOMS)
			return -ENOSPC;
	} else if (d >= FAKE_MAX_DOMS || f->dom[d].exists) {
		return -EEXIST;
	}
	x = &f->dom[d];
	memset(x, 0, sizeof(*x));
	x->exists = true;
	x->paused = true;
	x->shutdown_reason = -1;
	memcpy(x->handle, c->handle, sizeof(x->handle));
	x->cdf_flags = c->flags;
	x->emulation_flags = c->arch.emulation_flags;
	x->max_vcpus = c->max_vcpus;
	x->weight = 256;
	x->memfd = memfd_create("fake-guest", MFD_CLOEXEC);
	if (x->memfd < 0 || ftruncate(x->memfd, FAKE_GUEST_SPACE)) {
		x->exists = false;
		return -ENOMEM;
	}
	x->populated = calloc(NR_GFNS, 1);
	x->next_port = 1;
	memset(x->hard, 0xff, sizeof(x->hard));
	op->domain = d;
	return 0;
}

static int bitmap_copy(uint8_t *dst, size_t dstlen, const struct xenctl_bitmap *b,
		       bool to_caller)
{
	size_t n = (b->nr_bits + 7) / 8;
	uint8_t *p = (uint8_t *)(uintptr_t)b->bitmap;

	if (!p)
		return -EFAULT;
	if (n > dstlen)
		n = dstlen;
	if (to_caller)
		memcpy(p, dst, n);
	else
		memcpy(dst, p, n);
	return 0;
}

static int fake_domctl(void *hv, struct xen_domctl *op)
{
	struct fake_hv *f = hv;
	struct fake_dom *x;

	if (op->interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;
	if (op->cmd < 64)
		f->nr_calls[op->cmd]++;
	if (op->cmd == XEN_DOMCTL_createdomain)
		return createdomain(f, op);
	if (op->cmd == XEN_DOMCTL_getdomaininfo) {
		/* Xen 4.17: the first domain at or above the one asked for. */
		for (domid_t d = op->domain; d < FAKE_MAX_DOMS; d++)
			if (f->dom[d].exists) {
				fill_info(f, d, &op->u.getdomaininfo);
				op->domain = d;
				return 0;
			}
		return -ESRCH;
	}
	x = dom(f, op->domain);
	if (!x)
		return -ESRCH;
	switch (op->cmd) {
	case XEN_DOMCTL_destroydomain:
		if (op->domain == 0)
			return -EPERM;
		free_dom(f, x);
		return 0;
	case XEN_DOMCTL_pausedomain:
		x->paused = true;
		return 0;
	case XEN_DOMCTL_unpausedomain:
		if (op->domain && !x->vcpu_ctx_set)
			return -EINVAL; /* nothing would run */
		x->paused = false;
		return 0;
	case XEN_DOMCTL_max_mem:
		x->max_pages = op->u.max_mem.max_memkb / 4;
		return 0;
	case XEN_DOMCTL_setvcpucontext: {
		struct vcpu_guest_context *c = (void *)(uintptr_t)op->u.vcpucontext.ctxt;

		if (op->u.vcpucontext.vcpu >= x->max_vcpus || !c)
			return -EINVAL;
		if (op->u.vcpucontext.vcpu == 0) {
			x->ctx0 = *c;
			x->vcpu_ctx_set = true;
		}
		return 0;
	}
	case XEN_DOMCTL_getvcpuinfo: {
		uint32_t v = op->u.getvcpuinfo.vcpu;

		if (v >= x->max_vcpus)
			return -ESRCH;
		op->u.getvcpuinfo.online = op->domain == 0 || (v == 0 && x->vcpu_ctx_set);
		op->u.getvcpuinfo.running = op->domain == 0 && v == 0;
		op->u.getvcpuinfo.blocked = !op->u.getvcpuinfo.running;
		op->u.getvcpuinfo.cpu = v % f->nr_cpus;
		op->u.getvcpuinfo.cpu_time = v == 0 ? x->cpu_time : 0;
		return 0;
	}
	case XEN_DOMCTL_setvcpuaffinity:
	case XEN_DOMCTL_getvcpuaffinity: {
		struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
		bool get = op->cmd == XEN_DOMCTL_getvcpuaffinity;
		uint8_t all[64];

		if (a->vcpu >= x->max_vcpus)
			return -EINVAL;
		if (!get) {
			uint8_t tmp[64] = { 0 };
			bool any = false;

			bitmap_copy(tmp, sizeof(tmp), &a->cpumap_hard, false);
			for (unsigned c = 0; c < f->nr_cpus; c++)
				any |= tmp[c / 8] >> (c % 8) & 1;
			if (!any)
				return -EINVAL;
			memcpy(x->hard[a->vcpu], tmp, sizeof(tmp));
			return 0;
		}
		if (a->flags & XEN_VCPUAFFINITY_HARD)
			bitmap_copy(x->hard[a->vcpu], 64, &a->cpumap_hard, true);
		memset(all, 0xff, sizeof(all));
		if (a->flags & XEN_VCPUAFFINITY_SOFT)
			bitmap_copy(all, 64, &a->cpumap_soft, true);
		return 0;
	}
	case XEN_DOMCTL_scheduler_op: {
		struct xen_domctl_scheduler_op *s = &op->u.scheduler_op;

		if (s->sched_id != XEN_SCHEDULER_CREDIT)
			return -EINVAL;
		if (s->cmd == XEN_DOMCTL_SCHEDOP_getinfo) {
			s->u.credit.weight = x->weight;
			s->u.credit.cap = x->cap;
			return 0;
		}
		if (s->cmd != XEN_DOMCTL_SCHEDOP_putinfo || !s->u.credit.weight ||
		    s->u.credit.cap > 100 * x->max_vcpus)
			return -EINVAL;
		x->weight = s->u.credit.weight;
		x->cap = s->u.credit.cap;
		return 0;
	}
	case XEN_DOMCTL_setdomainhandle:
		memcpy(x->handle, op->u.setdomainhandle.handle, sizeof(x->handle));
		return 0;
	default:
		return -ENOSYS;
	}
}

static int fake_sysctl(void *hv, struct xen_sysctl *op)
{
	struct fake_hv *f = hv;

	if (op->interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;
	switch (op->cmd) {
	case XEN_SYSCTL_physinfo:
		memset(&op->u.physinfo, 0, sizeof(op->u.physinfo));
		op->u.physinfo.threads_per_core = 1;
		op->u.physinfo.cores_per_socket = f->nr_cpus;
		op->u.physinfo.nr_cpus = f->nr_cpus;
		op->u.physinfo.max_cpu_id = f->nr_cpus - 1;
		op->u.physinfo.nr_nodes = 1;
		op->u.physinfo.cpu_khz = 2495312;
		op->u.physinfo.capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap;
		op->u.physinfo.total_pages = f->total_pages;
		op->u.physinfo.free_pages = f->free_pages;
		return 0;
	case XEN_SYSCTL_sched_id:
		op->u.sched_id.sched_id = XEN_SCHEDULER_CREDIT;
		return 0;
	case XEN_SYSCTL_getdomaininfolist: {
		struct xen_sysctl_getdomaininfolist *l = &op->u.getdomaininfolist;
		struct xen_domctl_getdomaininfo *out = (void *)(uintptr_t)l->buffer;
		uint32_t n = 0;

		for (domid_t d = l->first_domain; d < FAKE_MAX_DOMS && n < l->max_domains; d++)
			if (f->dom[d].exists)
				fill_info(f, d, &out[n++]);
		l->num_domains = n;
		return 0;
	}
	case XEN_SYSCTL_readconsole: {
		struct xen_sysctl_readconsole *r = &op->u.readconsole;
		size_t from = r->incremental ? r->index : 0, n;

		if (from > f->log_len)
			from = f->log_len;
		n = f->log_len - from;
		if (n > r->count)
			n = r->count;
		memcpy((void *)(uintptr_t)r->buffer, f->log + from, n);
		r->count = n;
		r->index = from + n;
		if (r->clear)
			f->log_len = 0;
		return 0;
	}
	default:
		return -ENOSYS;
	}
}

static long populate(struct fake_hv *f, struct xen_memory_reservation *r)
{
	struct fake_dom *x = dom(f, r->domid);
	xen_pfn_t *gfns = (void *)(uintptr_t)r->extent_start;
	uint64_t per = 1ULL << r->extent_order;
	xen_ulong_t i;

	if (!x || r->domid == 0)
		return -ESRCH;
	if (r->extent_order != 0 && r->extent_order != 9)
		return -EINVAL;
	if (f->fail_populate_at && ++f->populate_calls == f->fail_populate_at)
		return -ENOMEM;
	for (i = 0; i < r->nr_extents; i++) {
		uint64_t g = gfns[i];

		if (g & (per - 1) || g + per > NR_GFNS)
			return i ? (long)i : -EINVAL;
		if (x->tot_pages + per > x->max_pages || f->free_pages < per)
			return (long)i;
		for (uint64_t p = g; p < g + per; p++)
			if (!x->populated[p]) {
				x->populated[p] = 1;
				x->tot_pages++;
				f->free_pages--;
			}
	}
	return (long)i;
}

static long fake_memory_op(void *hv, unsigned int cmd, void *arg)
{
	struct fake_hv *f = hv;

	if (cmd == XENMEM_populate_physmap)
		return populate(f, arg);
	if (cmd == XENMEM_set_memory_map) {
		struct xen_foreign_memory_map *m = arg;
		struct fake_dom *x = dom(f, m->domid);

		if (!x)
			return -ESRCH;
		if (m->map.nr_entries > 16)
			return -E2BIG;
		memcpy(x->e820, (void *)(uintptr_t)m->map.buffer,
		       m->map.nr_entries * sizeof(struct keel_e820_entry));
		x->nr_e820 = m->map.nr_entries;
		return 0;
	}
	return -ENOSYS;
}

static int fake_event_channel_op(void *hv, unsigned int cmd, void *arg)
{
	struct fake_hv *f = hv;
	struct evtchn_alloc_unbound *a = arg;
	struct fake_dom *x;

	if (cmd != EVTCHNOP_alloc_unbound)
		return -ENOSYS;
	x = dom(f, a->dom);
	if (!x || !dom(f, a->remote_dom))
		return -ESRCH;
	a->port = x->next_port++;
	return 0;
}

static int fake_hvm_op(void *hv, unsigned int cmd, void *arg)
{
	struct fake_hv *f = hv;
	struct xen_hvm_param *p = arg;
	struct fake_dom *x = dom(f, p->domid);

	if (!x)
		return -ESRCH;
	if (p->index >= 64)
		return -EINVAL;
	if (cmd == HVMOP_set_param)
		x->params[p->index] = p->value;
	else if (cmd == HVMOP_get_param)
		p->value = x->params[p->index];
	else
		return -ENOSYS;
	return 0;
}

static long fake_xen_version(void *hv, unsigned int cmd, void *arg)
{
	(void)hv;
	if (cmd == XENVER_version)
		return 4 << 16 | 17;
	if (cmd == XENVER_extraversion) {
		memset(arg, 0, XEN_EXTRAVERSION_LEN);
		strcpy(arg, ".0-keel");
		return 0;
	}
	return -ENOSYS;
}

static void *fake_map_foreign(void *hv, domid_t d, const xen_pfn_t *gfns, size_t n)
{
	struct fake_hv *f = hv;
	struct fake_dom *x = dom(f, d);
	uint8_t *base;

	if (!x || x->memfd < 0) {
		errno = ESRCH;
		return NULL;
	}
	base = mmap(NULL, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (gfns[i] >= NR_GFNS || !x->populated[gfns[i]] ||
		    mmap(base + i * PAGE, PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, x->memfd, gfns[i] * PAGE) == MAP_FAILED) {
			munmap(base, n * PAGE);
			errno = EFAULT;
			return NULL;
		}
	}
	return base;
}

static void fake_unmap(void *hv, void *addr, size_t n)
{
	(void)hv;
	munmap(addr, n * PAGE);
}

static void fake_close(void *hv)
{
	struct fake_hv *f = hv;

	for (unsigned d = 1; d < FAKE_MAX_DOMS; d++)
		if (f->dom[d].exists)
			free_dom(f, &f->dom[d]);
	free(f);
}

const struct keel_hv_ops fake_hv_ops = {
	.domctl = fake_domctl,
	.sysctl = fake_sysctl,
	.memory_op = fake_memory_op,
	.event_channel_op = fake_event_channel_op,
	.hvm_op = fake_hvm_op,
	.xen_version = fake_xen_version,
	.map_foreign = fake_map_foreign,
	.unmap = fake_unmap,
	.close = fake_close,
};

struct keel_ctl *fake_ctl_new(unsigned long host_mib, struct ks_handle *xs,
			      const char *state_dir, struct fake_hv **fh)
{
	struct fake_hv *f = fake_hv_new(host_mib);

	*fh = f;
	return keel_ctl_new(&fake_hv_ops, f, xs, state_dir);
}

bool fake_hv_read(struct fake_hv *f, domid_t d, uint64_t paddr, void *buf,
		  size_t len)
{
	struct fake_dom *x = dom(f, d);
	uint64_t first = paddr / PAGE, last;

	if (!x || !len)
		return false;
	last = (paddr + len - 1) / PAGE;
	for (uint64_t p = first; p <= last; p++)
		if (p >= NR_GFNS || !x->populated[p])
			return false;
	return pread(x->memfd, buf, len, paddr) == (ssize_t)len;
}

void fake_hv_guest_shutdown(struct fake_hv *f, domid_t d, unsigned reason)
{
	struct fake_dom *x = dom(f, d);

	if (x)
		x->shutdown_reason = reason;
}

/* ---- event channel device */

struct fake_evtchn *fake_evtchn_new(void)
{
	struct fake_evtchn *e = calloc(1, sizeof(*e));

	if (pipe2(e->pipe, O_NONBLOCK | O_CLOEXEC)) {
		free(e);
		return NULL;
	}
	return e;
}

void fake_evtchn_free(struct fake_evtchn *e)
{
	close(e->pipe[0]);
	close(e->pipe[1]);
	free(e);
}

static int fev_bind(struct fake_evtchn *e, domid_t dom, uint32_t remote, bool virq)
{
	for (uint32_t p = 1; p < FAKE_EV_PORTS; p++)
		if (!e->b[p].used) {
			e->b[p].used = true;
			e->b[p].virq = virq;
			e->b[p].dom = dom;
			e->b[p].remote = remote;
			e->notified[p] = 0;
			return (int)p;
		}
	return -ENOSPC;
}

static int fev_bind_interdomain(void *ev, domid_t dom, uint32_t remote_port)
{
	return fev_bind(ev, dom, remote_port, false);
}

static int fev_bind_virq(void *ev, uint32_t virq)
{
	(void)virq;
	return fev_bind(ev, 0, ~0U, true);
}

static int fev_unbind(void *ev, uint32_t port)
{
	struct fake_evtchn *e = ev;

	if (port >= FAKE_EV_PORTS || !e->b[port].used)
		return -EINVAL;
	e->b[port].used = false;
	return 0;
}

static int fev_notify(void *ev, uint32_t port)
{
	struct fake_evtchn *e = ev;

	if (port >= FAKE_EV_PORTS || !e->b[port].used)
		return -EINVAL;
	e->notified[port]++;
	return 0;
}

static int fev_fd(void *ev)
{
	return ((struct fake_evtchn *)ev)->pipe[0];
}

static int fev_read_pending(void *ev)
{
	struct fake_evtchn *e = ev;
	uint32_t port;

	if (read(e->pipe[0], &port, sizeof(port)) != sizeof(port))
		return -EAGAIN;
	return (int)port;
}

static int fev_unmask(void *ev, uint32_t port)
{
	(void)ev;
	(void)port;
	return 0;
}

static void fev_close(void *ev)
{
	fake_evtchn_free(ev);
}

const struct keel_evtchn_ops fake_evtchn_ops = {
	.bind_interdomain = fev_bind_interdomain,
	.bind_virq = fev_bind_virq,
	.unbind = fev_unbind,
	.notify = fev_notify,
	.fd = fev_fd,
	.read_pending = fev_read_pending,
	.unmask = fev_unmask,
	.close = fev_close,
};

int fake_evtchn_local_port(struct fake_evtchn *e, domid_t dom, uint32_t remote)
{
	for (uint32_t p = 1; p < FAKE_EV_PORTS; p++)
		if (e->b[p].used && (remote == ~0U ? e->b[p].virq :
				     !e->b[p].virq && e->b[p].dom == dom && e->b[p].remote == remote))
			return (int)p;
	return -1;
}

void fake_evtchn_fire(struct fake_evtchn *e, uint32_t local)
{
	if (write(e->pipe[1], &local, sizeof(local)) != sizeof(local))
		abort();
}
