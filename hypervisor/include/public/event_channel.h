/* SPDX-License-Identifier: MIT */
/*
 * event_channel_op hypercall (32): sub-commands, argument layouts, channel
 * status values and the VIRQ numbers, as the Xen 4.17 guest ABI defines them.
 */
#ifndef KEEL_PUBLIC_EVENT_CHANNEL_H
#define KEEL_PUBLIC_EVENT_CHANNEL_H

#include "xen.h"

#define EVTCHNOP_bind_interdomain 0
#define EVTCHNOP_bind_virq 1
#define EVTCHNOP_bind_pirq 2
#define EVTCHNOP_close 3
#define EVTCHNOP_send 4
#define EVTCHNOP_status 5
#define EVTCHNOP_alloc_unbound 6
#define EVTCHNOP_bind_ipi 7
#define EVTCHNOP_bind_vcpu 8
#define EVTCHNOP_unmask 9
#define EVTCHNOP_reset 10
#define EVTCHNOP_init_control 11
#define EVTCHNOP_expand_array 12
#define EVTCHNOP_set_priority 13
#define EVTCHNOP_reset_cont 14

typedef uint32_t evtchn_port_t;

/*
 * The 2-level ABI: one pending and one mask bit per port in shared_info,
 * grouped in xen_ulong_t words that evtchn_pending_sel selects (64 x 64).
 */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/*
 * Virtual interrupts. "Per-vCPU" ones are bound separately on each vCPU;
 * "global" ones exist once per domain, are bound with vcpu 0 and are
 * delivered to whichever vCPU the port notifies (EVTCHNOP_bind_vcpu).
 */
#define VIRQ_TIMER 0 /* per-vCPU: singleshot/periodic timer fired */
#define VIRQ_DEBUG 1 /* per-vCPU: dump debug state */
#define VIRQ_CONSOLE 2 /* global: hypervisor console input (dom0) */
#define VIRQ_DOM_EXC 3 /* global: some domain shut down or died (dom0) */
#define VIRQ_TBUF 4 /* global: trace buffer records */
#define VIRQ_DEBUGGER 6 /* global: a domain paused for the debugger */
#define VIRQ_XENOPROF 7 /* per-vCPU: profiling sample */
#define VIRQ_CON_RING 8 /* global: console ring has data */
#define VIRQ_PCPU_STATE 9 /* global: physical CPU state changed */
#define VIRQ_MEM_EVENT 10 /* global: memory event */
#define VIRQ_ARGO 11 /* global: Argo message */
#define VIRQ_ENOMEM 12 /* global: hypervisor heap low */
#define VIRQ_XENPMU 13 /* per-vCPU: PMU interrupt */
#define VIRQ_ARCH_0 16 /* x86: VIRQ_MCA; every arch VIRQ is global on x86 */
#define VIRQ_ARCH_1 17
#define VIRQ_ARCH_2 18
#define VIRQ_ARCH_3 19
#define VIRQ_ARCH_4 20
#define VIRQ_ARCH_5 21
#define VIRQ_ARCH_6 22
#define VIRQ_ARCH_7 23
#define VIRQ_MCA VIRQ_ARCH_0
#define NR_VIRQS 24

/* EVTCHNOP_alloc_unbound: a port in dom that only remote_dom may bind. */
struct evtchn_alloc_unbound {
	domid_t dom; /* IN: DOMID_SELF, or any domain for a privileged caller */
	domid_t remote_dom; /* IN: DOMID_SELF means the caller */
	evtchn_port_t port; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_alloc_unbound, 8);

/* EVTCHNOP_bind_interdomain: connect a new local port to an unbound one. */
struct evtchn_bind_interdomain {
	domid_t remote_dom; /* IN */
	uint16_t pad;
	evtchn_port_t remote_port; /* IN */
	evtchn_port_t local_port; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_bind_interdomain, 12);

struct evtchn_bind_virq {
	uint32_t virq; /* IN: VIRQ_* */
	uint32_t vcpu; /* IN */
	evtchn_port_t port; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_bind_virq, 12);

#define BIND_PIRQ__WILL_SHARE 1
struct evtchn_bind_pirq {
	uint32_t pirq;
	uint32_t flags; /* BIND_PIRQ__* */
	evtchn_port_t port; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_bind_pirq, 12);

struct evtchn_bind_ipi {
	uint32_t vcpu; /* IN */
	evtchn_port_t port; /* OUT */
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_bind_ipi, 8);

struct evtchn_close {
	evtchn_port_t port;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_close, 4);

struct evtchn_send {
	evtchn_port_t port;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_send, 4);

#define EVTCHNSTAT_closed 0
#define EVTCHNSTAT_unbound 1
#define EVTCHNSTAT_interdomain 2
#define EVTCHNSTAT_pirq 3
#define EVTCHNSTAT_virq 4
#define EVTCHNSTAT_ipi 5

struct evtchn_status {
	domid_t dom; /* IN */
	uint16_t pad;
	evtchn_port_t port; /* IN */
	uint32_t status; /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu; /* OUT: the vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound;
		struct {
			domid_t dom;
			uint16_t pad;
			evtchn_port_t port;
		} interdomain;
		uint32_t pirq;
		uint32_t virq;
	} u;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_status, 24);
_Static_assert(__builtin_offsetof(struct evtchn_status, u) == 16, "evtchn_status.u offset");

struct evtchn_bind_vcpu {
	evtchn_port_t port;
	uint32_t vcpu;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_bind_vcpu, 8);

struct evtchn_unmask {
	evtchn_port_t port;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_unmask, 4);

struct evtchn_reset {
	domid_t dom;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_reset, 2);

/* The FIFO ABI; Keel answers its three calls with -ENOSYS. */
struct evtchn_init_control {
	uint64_t control_gfn;
	uint32_t offset;
	uint32_t vcpu;
	uint8_t link_bits; /* OUT */
	uint8_t pad[7];
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_init_control, 24);

struct evtchn_expand_array {
	uint64_t array_gfn;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_expand_array, 8);

struct evtchn_set_priority {
	evtchn_port_t port;
	uint32_t priority;
};
KEEL_ABI_ASSERT_SIZE(struct evtchn_set_priority, 8);

#endif
