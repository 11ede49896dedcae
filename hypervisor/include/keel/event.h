/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Event channels (Xen's 2-level ABI): per-domain port state, the
 * event_channel_op hypercall, and how the rest of the hypervisor raises events.
 */
#ifndef KEEL_EVENT_H
#define KEEL_EVENT_H

#include <keel/types.h>
#include <public/xen.h>
#include <public/event_channel.h>

struct domain;
struct vcpu;

/* Ports a domain may use: all 4096 of the 2-level ABI. Port 0 is never handed out. */
#define EVTCHN_MAX_PORTS EVTCHN_2L_NR_CHANNELS

/*
 * Per-domain event state, set up by domain_create() once shared_info exists
 * and torn down by the destroy path. evtchn_domain_destroy() closes every
 * port; the remote end of each interdomain channel goes back to UNBOUND
 * (expecting this domain), as in Xen. It must run once no vCPU of d can make
 * a hypercall any more; d stays findable by peers until it returns.
 */
int evtchn_domain_init(struct domain *d);
void evtchn_domain_destroy(struct domain *d);

long do_event_channel_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5);

/*
 * Raising events from the hypervisor. All may be called with interrupts off
 * and from interrupt context (the event locks are taken irqsave). A VIRQ
 * nobody bound is dropped silently.
 */
/* Per-vCPU VIRQs (VIRQ_TIMER, VIRQ_DEBUG, ...), to the port bound on v. */
void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq);
/* Global VIRQs (VIRQ_CONSOLE, VIRQ_DOM_EXC, ...), to the vCPU the port notifies. */
void send_guest_global_virq(struct domain *d, unsigned int virq);

/* Is the port's pending bit set, masked or not (SCHEDOP_poll)? False for bad ports. */
bool evtchn_port_pending(struct domain *d, evtchn_port_t port);

/*
 * A new UNBOUND port in d that only remote may bind (DOMID_SELF: d itself);
 * the toolstack path for console and xenstore channels. No permission
 * check: the caller decides. 0 or -ENOSPC/-ENOMEM/-EINVAL (d dying).
 */
int evtchn_alloc_unbound_port(struct domain *d, domid_t remote, evtchn_port_t *port);

/*
 * 2-level delivery of one port to v: set pending; unless it was pending
 * already or is masked, set the port's selector bit; if that bit is new, set
 * evtchn_upcall_pending and on its 0->1 edge call vcpu_raise_upcall(v).
 * Bypasses the port table (no checks on who owns port). Lock-free (atomics on
 * the words the guest shares). With v->vcpu_info NULL only the pending bit
 * is set; whoever gives v a vcpu_info later must flag every selector word
 * and upcall_pending (as VCPUOP_register_vcpu_info does).
 */
void evtchn_set_pending(struct vcpu *v, evtchn_port_t port);

/*
 * Hook implemented by the scheduler/arch code, called by this code:
 * v's evtchn_upcall_pending just went 0 -> 1. Make v take its callback
 * vector soon: wake it if blocked (HLT, SCHEDOP_block/poll) and kick its CPU
 * if it is running in guest mode elsewhere. Called with event locks held and
 * interrupts off, possibly from interrupt context, possibly for the calling
 * vCPU itself; it must not call back into event channel code.
 */
void vcpu_raise_upcall(struct vcpu *v);
/* Hook: `port` of d just became pending; wake a vCPU polling it
 * (SCHEDOP_poll), masked or not. Same calling rules as vcpu_raise_upcall. */
void vcpu_poll_notify(struct domain *d, evtchn_port_t port);

#endif
