// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypercall table: one designated initialiser per implemented call,
 * with the flags that decide who may make it. Everything else is -ENOSYS.
 */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/event.h>
#include <keel/grant_table.h>
#include <keel/lib.h>
#include <public/xen.h>

static const struct hypercall hypercall_table[KEEL_NR_HYPERCALLS] = {
	[__HYPERVISOR_platform_op] = { do_platform_op, HC_PRIVILEGED },
	[__HYPERVISOR_memory_op] = { do_memory_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_xen_version] = { do_xen_version, HC_ANY_DOMAIN },
	[__HYPERVISOR_console_io] = { do_console_io, HC_ANY_DOMAIN },
	[__HYPERVISOR_vm_assist] = { do_vm_assist, HC_ANY_DOMAIN },
	[__HYPERVISOR_vcpu_op] = { do_vcpu_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_sched_op] = { do_sched_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_event_channel_op] = { do_event_channel_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_grant_table_op] = { do_grant_table_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_physdev_op] = { do_physdev_op, HC_PRIVILEGED },
	[__HYPERVISOR_hvm_op] = { do_hvm_op, HC_ANY_DOMAIN },
	[__HYPERVISOR_sysctl] = { do_sysctl, HC_PRIVILEGED },
	[__HYPERVISOR_domctl] = { do_domctl, HC_PRIVILEGED },
};

long hypercall_dispatch(struct vcpu *v, u64 nr, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5)
{
	const struct hypercall *hc;

	if (nr >= KEEL_NR_HYPERCALLS)
		return -ENOSYS;
	hc = &hypercall_table[nr];
	if (!hc->handler)
		return -ENOSYS;
	if ((hc->flags & HC_PRIVILEGED) && !v->domain->is_privileged)
		return -EPERM;
	return hc->handler(v, a1, a2, a3, a4, a5);
}
