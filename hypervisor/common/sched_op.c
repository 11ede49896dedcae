// SPDX-License-Identifier: GPL-2.0-only
/* sched_op (29): yield, block, and a guest's request to shut itself down. */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/sched.h>
#include <keel/arch.h>
#include <keel/event.h>

/*
 * SCHEDOP_poll: sleep until one of the ports is pending (masked or not) or
 * the timeout passes. Linux's PV spinlocks use it; it must return 0.
 */
static long sched_poll(struct vcpu *v, u64 arg)
{
	struct sched_poll poll;
	u32 ports[ARRAY_SIZE(v->poll_ports)];

	if (copy_from_guest(v, &poll, arg, sizeof(poll)))
		return -EFAULT;
	if (poll.nr_ports > ARRAY_SIZE(ports))
		return -EINVAL;
	if (copy_from_guest(v, ports, poll.ports, poll.nr_ports * sizeof(u32)))
		return -EFAULT;
	for (unsigned int i = 0; i < poll.nr_ports; i++)
		if (evtchn_port_pending(v->domain, ports[i]))
			return 0;
	if (poll.timeout && poll.timeout <= arch_now_ns())
		return 0;
	memcpy(v->poll_ports, ports, sizeof(ports));
	vcpu_block_on_poll(v, poll.nr_ports, poll.timeout);
	return 0;
}

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
		if (sd.reason == SHUTDOWN_crash) {
			pr_err("*** d%u crashed: the guest reported a crash (SCHEDOP_shutdown) ***\n",
			       v->domain->domid);
			arch_vcpu_dump(v);
		}
		domain_shutdown(v->domain, sd.reason);
		return 0;
	case SCHEDOP_poll:
		return sched_poll(v, arg);
	case SCHEDOP_shutdown_code:
		if (copy_from_guest(v, &sd, arg, sizeof(sd)))
			return -EFAULT;
		v->domain->shutdown_code = sd.reason;
		return 0;
	default:
		return -ENOSYS;
	}
}
