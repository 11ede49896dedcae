// SPDX-License-Identifier: GPL-2.0-only
/*
 * platform_op (7) and physdev_op (33) for dom0. dom0 owns the hardware and
 * Keel has no IOMMU yet, so PCI devices dom0 reports are accepted and
 * nothing else is needed of them; setting the time moves every domain's
 * wallclock.
 */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/platform.h>

long do_platform_op(struct vcpu *v, u64 arg, u64 a2, u64 a3, u64 a4, u64 a5)
{
	struct xen_platform_op op;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (copy_from_guest(v, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XENPF_INTERFACE_VERSION)
		return -EACCES;
	switch (op.cmd) {
	case XENPF_settime64:
		if (op.u.settime64.mbz)
			return -EINVAL;
		wallclock_set(op.u.settime64.secs, op.u.settime64.nsecs,
			      op.u.settime64.system_time);
		return 0;
	case XENPF_settime32:
		wallclock_set(op.u.settime32.secs, op.u.settime32.nsecs,
			      op.u.settime32.system_time);
		return 0;
	default:
		/* firmware_info, get_dom0_console, pCPU management: not offered */
		return -ENOSYS;
	}
}

long do_physdev_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	(void)v, (void)arg, (void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case PHYSDEVOP_pci_device_add:
	case PHYSDEVOP_pci_device_remove:
	case PHYSDEVOP_manage_pci_add:
	case PHYSDEVOP_manage_pci_add_ext:
	case PHYSDEVOP_manage_pci_remove:
	case PHYSDEVOP_pci_mmcfg_reserved:
		return 0; /* no IOMMU to program: dom0's devices need nothing */
	default:
		return -ENOSYS; /* PIRQs: XENFEAT_hvm_pirqs is off */
	}
}
