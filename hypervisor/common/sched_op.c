// SPDX-License-Identifier: GPL-2.0-only
/* sched_op (29): yield, block, and a guest's request to shut itself down. */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/sched.h>

long do_sched_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	struct sched_shutdown sd;

	(void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case SCHEDOP_yield:
		vcpu_yield(v);
		return 0;
	case SCHEDOP_block:
		vcpu_block_on_hlt(v, true);
		return 0;
	case SCHEDOP_shutdown:
		if (copy_from_guest(v, &sd, arg, sizeof(sd)))
			return -EFAULT;
		if (sd.reason > SHUTDOWN_soft_reset)
			return -EINVAL;
		if (sd.reason == SHUTDOWN_suspend || sd.reason == SHUTDOWN_soft_reset)
			return -EOPNOTSUPP; /* no save/restore yet: the guest goes on */
		domain_shutdown(v->domain, sd.reason);
		return 0;
	case SCHEDOP_shutdown_code:
		if (copy_from_guest(v, &sd, arg, sizeof(sd)))
			return -EFAULT;
		v->domain->shutdown_code = sd.reason;
		return 0;
	default:
		return -ENOSYS;
	}
}
