// SPDX-License-Identifier: GPL-2.0-only
/*
 * vcpu_op (24): moving vcpu_info out of shared_info, the runstate area, and
 * the singleshot timer a PVH Linux uses as its clock event device.
 */
#include <keel/hypercall.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/sched.h>
#include <public/vcpu.h>

static long register_vcpu_info(struct vcpu *caller, struct vcpu *v, u64 arg)
{
	struct vcpu_register_vcpu_info info;
	struct vcpu_info *new;
	enum p2m_type t;
	paddr_t hpa;

	if (copy_from_guest(caller, &info, arg, sizeof(info)))
		return -EFAULT;
	if (info.offset > PAGE_SIZE - sizeof(struct vcpu_info) || info.rsvd)
		return -EINVAL;
	if (v->vcpu_info_registered)
		return -EINVAL; /* once per vCPU, as in Xen */
	hpa = arch_p2m_lookup(v->domain, info.mfn, &t);
	if (hpa == PADDR_INVALID || t != P2M_RAM)
		return -EINVAL;
	new = (struct vcpu_info *)((u8 *)phys_to_virt(hpa) + info.offset);
	if (v->vcpu_info)
		memcpy(new, v->vcpu_info, sizeof(*new));
	else
		memset(new, 0, sizeof(*new));
	/* Nothing raised before the move may be lost: make the guest rescan. */
	new->evtchn_upcall_pending = 1;
	new->evtchn_pending_sel = ~0ULL;
	v->vcpu_info = new;
	v->vcpu_info_registered = true;
	arch_update_vcpu_time(v);
	return 0;
}

long do_vcpu_op(struct vcpu *caller, u64 cmd, u64 vcpuid, u64 arg, u64 a4, u64 a5)
{
	struct domain *d = caller->domain;
	struct vcpu *v;

	(void)a4, (void)a5;
	if (vcpuid >= d->max_vcpus || !(v = d->vcpus[vcpuid]))
		return -ENOENT;
	switch (cmd) {
	case VCPUOP_register_vcpu_info:
		return register_vcpu_info(caller, v, arg);
	case VCPUOP_register_runstate_memory_area: {
		struct vcpu_register_runstate_memory_area area;

		if (copy_from_guest(caller, &area, arg, sizeof(area)))
			return -EFAULT;
		/* Recorded; steal time stays zero until the area is kept up. */
		v->runstate_gva = area.addr;
		return 0;
	}
	case VCPUOP_is_up:
		return v->state != VCPU_OFFLINE;
	case VCPUOP_stop_periodic_timer:
		return 0; /* Keel never starts a periodic timer */
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer t;

		if (v != caller)
			return -EINVAL;
		if (copy_from_guest(caller, &t, arg, sizeof(t)))
			return -EFAULT;
		if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < arch_now_ns())
			return -ETIME;
		vcpu_set_timer(v, t.timeout_abs_ns);
		return 0;
	}
	case VCPUOP_stop_singleshot_timer:
		if (v != caller)
			return -EINVAL;
		vcpu_set_timer(v, 0);
		return 0;
	default:
		return -ENOSYS;
	}
}
