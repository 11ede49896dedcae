// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-in for vcpu_raise_upcall() (keel/event.h) until the scheduler
 * defines it, so the image links meanwhile; delete this file then.
 */
#include <keel/event.h>
#include <keel/domain.h>
#include <keel/sched.h>

/*
 * The arch code injects the callback vector at VM entry while
 * evtchn_upcall_pending is set, so waking a blocked vCPU is enough
 * (vcpu_wake() also kicks its CPU). A vCPU not started yet must not be
 * started by an event: it sees the event once it runs, as in Xen.
 */
__attribute__((weak)) void vcpu_raise_upcall(struct vcpu *v)
{
	if (v->state == VCPU_BLOCKED || v->state == VCPU_RUNNABLE)
		vcpu_wake(v);
}
