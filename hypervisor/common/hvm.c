// SPDX-License-Identifier: GPL-2.0-only
/* hvm_op (34): HVM parameters, the way a PVH guest and the toolstack use them. */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/hvm/hvm_op.h>
#include <public/hvm/params.h>

/* What an unprivileged guest may do to its own parameters. */
static bool guest_may_read(u32 index)
{
	switch (index) {
	case HVM_PARAM_CALLBACK_IRQ:
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_PFN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		return true;
	default:
		return false;
	}
}

static long check_callback_irq(u64 value)
{
	u64 type = value >> HVM_PARAM_CALLBACK_TYPE_SHIFT;

	if (type == HVM_PARAM_CALLBACK_TYPE_VECTOR && (value & 0xff) < 0x10)
		return -EINVAL;
	if (type != HVM_PARAM_CALLBACK_TYPE_GSI && type != HVM_PARAM_CALLBACK_TYPE_VECTOR)
		return -EINVAL; /* PCI INTx needs an emulated platform device */
	return 0;
}

static long hvm_param(struct vcpu *v, u64 arg, bool set)
{
	struct xen_hvm_param p;
	struct domain *d;
	bool self;
	long rc;

	if (copy_from_guest(v, &p, arg, sizeof(p)))
		return -EFAULT;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	d = domain_from_arg(v->domain, p.domid);
	if (!d)
		return -ESRCH;
	self = d == v->domain;
	if (!self && !v->domain->is_privileged)
		return -EPERM;
	if (set) {
		if (!v->domain->is_privileged && p.index != HVM_PARAM_CALLBACK_IRQ)
			return -EPERM;
		if (p.index == HVM_PARAM_CALLBACK_IRQ) {
			rc = check_callback_irq(p.value);
			if (rc)
				return rc;
		}
		spin_lock(&d->lock);
		d->hvm_params[p.index] = p.value;
		spin_unlock(&d->lock);
		return 0;
	}
	if (!v->domain->is_privileged && !guest_may_read(p.index))
		return -EPERM;
	spin_lock(&d->lock);
	p.value = d->hvm_params[p.index];
	spin_unlock(&d->lock);
	return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
}

long do_hvm_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	(void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case HVMOP_set_param:
		return hvm_param(v, arg, true);
	case HVMOP_get_param:
		return hvm_param(v, arg, false);
	default:
		return -ENOSYS;
	}
}
