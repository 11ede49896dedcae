// SPDX-License-Identifier: GPL-2.0-only
/*
 * domctl (36): dom0's toolstack creates, runs and destroys other domains.
 * Xen 4.17's numbers and layouts (public/domctl.h) for the subset Keel
 * implements; the hypercall table lets only dom0 in.
 */
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/sched.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>
#include <public/domctl.h>

/* domctl_lock serialises every domctl; nests outside all domain locks. */
static spinlock_t domctl_lock = SPINLOCK_INIT;

static u64 all_cpus(void)
{
	unsigned int n = arch_nr_cpus();

	return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

static long createdomain(struct xen_domctl *op, struct domain **dead)
{
	struct xen_domctl_createdomain *c = &op->u.createdomain;
	const u32 need = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	struct domain *d;
	domid_t domid = op->domain;

	if ((c->flags & need) != need || (c->flags & ~(need | XEN_DOMCTL_CDF_oos_off))) {
		printk("createdomain: flags %#x: Keel runs PVH domains only (hvm + hap)\n",
		       c->flags);
		return -EINVAL;
	}
	if (c->arch.emulation_flags & ~XEN_X86_EMU_LAPIC) {
		printk("createdomain: emulation flags %#x: a PVH domain has a local APIC and nothing else\n",
		       c->arch.emulation_flags);
		return -EINVAL;
	}
	if (!c->max_vcpus || c->max_vcpus > MAX_VCPUS) {
		printk("createdomain: %u vCPUs: the limit is 1..%u\n", c->max_vcpus, MAX_VCPUS);
		return -EINVAL;
	}
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED) {
		if (domain_free_domid(&domid))
			return -ENOSPC;
	} else if (domid >= MAX_DOMAINS) {
		return -EINVAL;
	} else if (domain_lookup(domid)) {
		return -EEXIST;
	}
	d = domain_create(domid, c->max_vcpus, false);
	if (!d)
		return -ENOMEM;
	memcpy(d->handle, c->handle, sizeof(d->handle));
	for (unsigned int i = 0; i < c->max_vcpus; i++) {
		struct vcpu *v = vcpu_create(d, i);
		unsigned int cpu;

		if (!v)
			goto err_destroy;
		v->affinity = all_cpus();
		/* created paused: the toolstack unpauses once it has built it */
		v->sched_pause = 1;
		cpu = sched_pick_cpu(v->affinity, arch_nr_cpus());
		if (cpu >= ARCH_MAX_CPUS || sched_add_vcpu(v, cpu))
			goto err_destroy;
	}
	d->ctrl_pause = 1;
	op->domain = domid;
	printk("d%u: created (%u vCPUs)\n", domid, c->max_vcpus);
	return 0;

err_destroy:
	if (!domain_destroy(d))
		*dead = d;
	return -ENOMEM;
}

void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
	unsigned int online = 0, max_id = 0;
	bool running = false, blocked = true;

	memset(info, 0, sizeof(*info));
	info->domain = d->domid;
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		u64 t;
		bool r;

		if (!v)
			continue;
		max_id = i;
		vcpu_runstate(v, &t, &r);
		info->cpu_time += t;
		if (v->state == VCPU_OFFLINE || v->state == VCPU_DEAD)
			continue;
		online++;
		running |= r;
		blocked &= v->state == VCPU_BLOCKED;
	}
	info->flags = XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
	if (d->is_dying)
		info->flags |= XEN_DOMINF_dying;
	if (d->is_shutting_down && !d->is_dying)
		info->flags |= XEN_DOMINF_shutdown |
			       ((d->shutdown_code & XEN_DOMINF_shutdownmask) << XEN_DOMINF_shutdownshift);
	if (d->ctrl_pause)
		info->flags |= XEN_DOMINF_paused;
	if (running)
		info->flags |= XEN_DOMINF_running;
	if (online && blocked && !running)
		info->flags |= XEN_DOMINF_blocked;
	info->tot_pages = d->tot_pages;
	info->max_pages = d->is_privileged ? d->tot_pages : d->max_pages;
	info->shared_info_frame = d->shared_info_gfn;
	info->nr_online_vcpus = online;
	info->max_vcpu_id = max_id;
	memcpy(info->handle, d->handle, sizeof(info->handle));
	info->gpaddr_bits = 52;
	info->arch_config.emulation_flags = XEN_X86_EMU_LAPIC;
}

static long setvcpucontext(struct vcpu *caller, struct domain *d, struct xen_domctl *op)
{
	struct vcpu_guest_context *ctx;
	struct vcpu *v;
	long rc = 0;

	if (op->u.vcpucontext.vcpu >= d->max_vcpus || !d->vcpus[op->u.vcpucontext.vcpu])
		return -EINVAL;
	v = d->vcpus[op->u.vcpucontext.vcpu];
	if (!d->ctrl_pause)
		return -EBUSY; /* only a paused domain's vCPU state may change */
	ctx = xmalloc(sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	if (copy_from_guest(caller, ctx, op->u.vcpucontext.ctxt, sizeof(*ctx))) {
		rc = -EFAULT;
		goto out;
	}
	/* PVH: a 32-bit entry point and the start info address in EBX (§1.2). */
	if (ctx->user_regs.rip >> 32 || ctx->user_regs.rbx >> 32) {
		printk("d%u: setvcpucontext: PVH entry %#llx / start info %#llx above 4 GiB\n",
		       d->domid, (unsigned long long)ctx->user_regs.rip,
		       (unsigned long long)ctx->user_regs.rbx);
		rc = -EINVAL;
		goto out;
	}
	arch_vcpu_set_pvh_entry(v, (u32)ctx->user_regs.rip, (u32)ctx->user_regs.rbx);
	v->state = (ctx->flags & VGCF_online) ? VCPU_RUNNABLE : VCPU_OFFLINE;
out:
	xfree(ctx);
	return rc;
}

static long getvcpuinfo(struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_getvcpuinfo *vi = &op->u.getvcpuinfo;
	struct vcpu *v;
	bool running;
	u64 t;

	if (vi->vcpu >= d->max_vcpus || !(v = d->vcpus[vi->vcpu]))
		return -ESRCH;
	vcpu_runstate(v, &t, &running);
	vi->cpu_time = t;
	vi->online = v->state != VCPU_OFFLINE && v->state != VCPU_DEAD;
	vi->blocked = v->state == VCPU_BLOCKED;
	vi->running = running;
	vi->cpu = v->pcpu;
	return 0;
}

static long vcpuaffinity(struct vcpu *caller, struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_vcpuaffinity *a = &op->u.vcpuaffinity;
	struct xenctl_bitmap *map = &a->cpumap_hard;
	u8 bytes[8] = { 0 };
	unsigned int nbytes = MIN((map->nr_bits + 7) / 8, (u32)sizeof(bytes));
	struct vcpu *v;
	u64 mask = 0;

	if (a->vcpu >= d->max_vcpus || !(v = d->vcpus[a->vcpu]))
		return -EINVAL;
	if (!(a->flags & XEN_VCPUAFFINITY_HARD))
		return 0; /* soft affinity: no preference to honour yet */
	if (op->cmd == XEN_DOMCTL_getvcpuaffinity) {
		for (unsigned int i = 0; i < nbytes; i++)
			bytes[i] = (u8)(v->affinity >> (8 * i));
		return copy_to_guest(caller, map->bitmap, bytes, nbytes) ? -EFAULT : 0;
	}
	if (d->is_privileged)
		return -EPERM; /* dom0 vCPU n stays on CPU n: its devices' interrupts land there */
	if (copy_from_guest(caller, bytes, map->bitmap, nbytes))
		return -EFAULT;
	for (unsigned int i = 0; i < nbytes; i++)
		mask |= (u64)bytes[i] << (8 * i);
	if (map->nr_bits < 64)
		mask &= (1ULL << map->nr_bits) - 1;
	mask &= all_cpus();
	if (!mask)
		return -EINVAL;
	v->affinity = mask;
	if (!(mask & (1ULL << v->pcpu)) && sched_move_vcpu(v, sched_pick_cpu(mask, arch_nr_cpus())))
		return -EBUSY;
	for (unsigned int i = 0; i < nbytes; i++)
		bytes[i] = (u8)(mask >> (8 * i));
	return copy_to_guest(caller, map->bitmap, bytes, nbytes) ? -EFAULT : 0;
}

static long scheduler_op(struct domain *d, struct xen_domctl *op)
{
	struct xen_domctl_scheduler_op *s = &op->u.scheduler_op;

	if (s->sched_id != XEN_SCHEDULER_CREDIT)
		return -EINVAL;
	if (s->cmd == XEN_DOMCTL_SCHEDOP_getinfo) {
		s->u.credit.weight = (u16)d->sched_weight;
		s->u.credit.cap = (u16)d->sched_cap;
		return 0;
	}
	if (s->cmd != XEN_DOMCTL_SCHEDOP_putinfo)
		return -EINVAL;
	if (s->u.credit.cap > 100 * d->max_vcpus)
		return -EINVAL;
	if (s->u.credit.weight)
		d->sched_weight = s->u.credit.weight;
	d->sched_cap = s->u.credit.cap;
	return 0;
}

static long pause_domain(struct domain *d, bool pause)
{
	if (d->is_privileged)
		return -EINVAL;
	if (pause) {
		d->ctrl_pause++;
		domain_pause(d);
	} else {
		if (!d->ctrl_pause)
			return -EINVAL;
		d->ctrl_pause--;
		domain_unpause(d);
	}
	return 0;
}

long do_domctl(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct xen_domctl op;
	struct domain *d = NULL, *dead = NULL;
	bool copy_back = false;
	long rc;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;

	spin_lock(&domctl_lock);
	if (op.cmd != XEN_DOMCTL_createdomain && op.cmd != XEN_DOMCTL_getdomaininfo) {
		d = domain_lookup(op.domain);
		if (!d || d->is_dying) {
			rc = -ESRCH;
			goto out;
		}
	}
	switch (op.cmd) {
	case XEN_DOMCTL_createdomain:
		rc = createdomain(&op, &dead);
		copy_back = !rc;
		break;
	case XEN_DOMCTL_destroydomain:
		rc = domain_destroy(d);
		if (!rc)
			dead = d;
		break;
	case XEN_DOMCTL_pausedomain:
	case XEN_DOMCTL_unpausedomain:
		rc = pause_domain(d, op.cmd == XEN_DOMCTL_pausedomain);
		break;
	case XEN_DOMCTL_getdomaininfo:
		/* Xen 4.17: the first domain whose id is >= the one asked for */
		d = domain_next(op.domain);
		if (!d) {
			rc = -ESRCH;
			break;
		}
		domain_getinfo(d, &op.u.getdomaininfo);
		op.domain = d->domid;
		rc = 0;
		copy_back = true;
		break;
	case XEN_DOMCTL_max_mem:
		d->max_pages = op.u.max_mem.max_memkb >> 2;
		rc = 0;
		break;
	case XEN_DOMCTL_setvcpucontext:
		rc = setvcpucontext(v, d, &op);
		break;
	case XEN_DOMCTL_getvcpuinfo:
		rc = getvcpuinfo(d, &op);
		copy_back = !rc;
		break;
	case XEN_DOMCTL_max_vcpus:
		/* vCPUs come with createdomain since Xen 4.13; accept the same number */
		rc = op.u.max_vcpus.max == d->max_vcpus ? 0 : -EINVAL;
		break;
	case XEN_DOMCTL_setvcpuaffinity:
	case XEN_DOMCTL_getvcpuaffinity:
		rc = vcpuaffinity(v, d, &op);
		break;
	case XEN_DOMCTL_scheduler_op:
		rc = scheduler_op(d, &op);
		copy_back = !rc;
		break;
	case XEN_DOMCTL_setdomainhandle:
		memcpy(d->handle, op.u.setdomainhandle.handle, sizeof(d->handle));
		rc = 0;
		break;
	default:
		rc = -EOPNOTSUPP;
		break;
	}
out:
	spin_unlock(&domctl_lock);
	if (dead) {
		/* no CPU may still be inside a hypercall that looked it up */
		sched_synchronize();
		domain_free(dead);
		domain_notify_dom0();
	}
	if (copy_back && copy_to_guest(v, arg, &op, sizeof(op)))
		rc = -EFAULT;
	return rc;
}
