/* SPDX-License-Identifier: GPL-2.0-only */
/* Domains and vCPUs: the generic state every architecture shares. */
#ifndef KEEL_DOMAIN_H
#define KEEL_DOMAIN_H

#include <keel/types.h>
#include <keel/spinlock.h>
#include <asm/domain.h>
#include <public/xen.h>
#include <public/hvm/params.h>

#define MAX_VCPUS 64
#define MAX_DOMAINS 64

enum vcpu_state {
	VCPU_OFFLINE,
	VCPU_RUNNABLE,
	VCPU_BLOCKED,
	VCPU_DEAD,
};

/* The memory map a domain is given (the XENMEM_memory_map wire format). */
struct e820_packed {
	u64 addr;
	u64 size;
	u32 type;
} __attribute__((packed));

struct vcpu {
	struct domain *domain;
	unsigned int vcpu_id;
	unsigned int pcpu; /* the CPU it is pinned to */
	enum vcpu_state state;
	/* blocked in HLT with interrupts off (how Linux parks a CPU it takes
	 * offline): only an NMI, or INIT/STARTUP, gets it going again */
	bool hlt_masked;
	struct vcpu_info *vcpu_info; /* where the guest sees it (hypervisor VA) */
	bool vcpu_info_registered; /* moved out of shared_info by the guest */
	u64 runstate_gva; /* VCPUOP_register_runstate_memory_area, 0 if none */
	u64 timer_deadline; /* singleshot timer, system time in ns; 0 = off */
	/* SCHEDOP_poll: the ports waited for, and when to give up (0: never) */
	unsigned int nr_poll_ports;
	u32 poll_ports[8];
	u64 poll_deadline;
	/* scheduler state (common/sched.c; is_running and sched_pause under its lock) */
	u64 affinity; /* hard affinity: bit n = CPU n */
	u64 vruntime; /* weighted CPU time, ns */
	u64 run_start; /* when it last went on a CPU */
	u64 cpu_time; /* CPU time used, ns */
	unsigned int sched_pause; /* > 0: kept off the CPUs */
	bool is_running;
	bool yielded;
	bool woken; /* vcpu_wake() ended a block: the scheduler has yet to place it */
	/* guest_walk_cache_begin/end (keel/guest_access.h); only the vCPU's
	 * own hypercall touches it */
	struct walk_cache {
		gvaddr_t gva_page;
		gpaddr_t gpa_page;
		bool enabled, valid, writable;
	} walk_cache;
	struct arch_vcpu arch;
};

/* Why a vCPU left the guest (counted per domain; the summary is logged when
 * the domain is destroyed: where a guest's time in the hypervisor went). */
enum exit_kind {
	EXIT_INTR, /* a host interrupt, NMI or interrupt window */
	EXIT_HYPERCALL,
	EXIT_MSR,
	EXIT_IO,
	EXIT_HLT,
	EXIT_NPF,
	EXIT_OTHER,
	EXIT_KINDS
};
#define HYPERCALL_COUNTED 64 /* hypercall numbers counted one by one */

struct domain {
	domid_t domid;
	bool is_privileged;
	u8 handle[16]; /* the domain's UUID */
	unsigned int max_vcpus;
	struct vcpu *vcpus[MAX_VCPUS];
	struct evtchn_domain *evtchn; /* event channels, with their own lock (keel/event.h) */
	struct grant_table *grant_table; /* grant tables, with their own lock (keel/grant_table.h) */
	u64 exit_count[EXIT_KINDS]; /* atomic adds, any vCPU */
	u64 hypercall_count[HYPERCALL_COUNTED];
	struct { u32 key; u64 n; } io_port_count[8]; /* key: port + 1; 0 = free */
	/* GNTTABOP_copy ops other domains ran on this domain's grants (its
	 * backends' I/O): their bytes, their time in all, and the part of it
	 * that moved bytes. Atomic adds, any CPU. */
	u64 gcopy_ops, gcopy_bytes, gcopy_ns, gcopy_move_ns;

	/* lock protects the fields below; nests inside no other lock. */
	spinlock_t lock;
	struct shared_info *shared_info; /* one page, hypervisor-owned */
	u64 shared_info_gfn; /* where the guest mapped it, or ~0 */
	u64 hvm_params[HVM_NR_PARAMS];
	bool is_shutting_down;
	unsigned int shutdown_code;
	u64 tot_pages;
	struct e820_packed *memmap;
	unsigned int nr_memmap;
	u64 max_pages; /* populate_physmap stops here */
	unsigned int ctrl_pause; /* pausedomain count (the toolstack's) */
	bool is_dying; /* destroydomain in progress or done */
	/* console_io output: whether the next byte starts a line */
	bool console_started, console_at_line_end;
	u64 create_time_ns;
	/* foreign mappings of this domain's pages that dom0 still holds */
	u64 foreign_refs;

	/* scheduler: weight, cap (% of one CPU, 0 = none), the cap's bookkeeping */
	unsigned int sched_weight;
	unsigned int sched_cap;
	u64 cap_period_start;
	u64 cap_used_ns;

	struct arch_domain arch;
};

#define INVALID_GFN (~0ULL)

struct domain *domain_create(domid_t domid, unsigned int max_vcpus, bool privileged);
struct domain *domain_lookup(domid_t domid);
/* The existing domain with the smallest id >= from, or NULL. */
struct domain *domain_next(domid_t from);
/* A domid no domain uses (1..MAX_DOMAINS-1, not the one handed out last). */
int domain_free_domid(domid_t *domid);
/*
 * destroydomain, part one (under the domctl lock): d stops for good, its
 * channels, grants and memory are released and it leaves the domain list.
 * -EINVAL for dom0, -ESRCH if already dying. Part two, domain_free(), runs
 * once no CPU can still hold a pointer to d (sched_synchronize()).
 */
int domain_destroy(struct domain *d);
void domain_free(struct domain *d);
/* Give back every RAM page d owns and revoke others' mappings of them. */
void domain_release_memory(struct domain *d);
struct xen_domctl_getdomaininfo;
/* getdomaininfo's view of d (domctl and sysctl getdomaininfolist). */
void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info);
/* Tell dom0 (VIRQ_DOM_EXC) that a domain shut down, crashed or died. */
void domain_notify_dom0(void);
/* Resolve a domid argument the way hypercalls do (DOMID_SELF = caller). */
struct domain *domain_from_arg(struct domain *caller, domid_t domid);
struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id);
/* The guest asked to stop (SCHEDOP_shutdown); reason is SHUTDOWN_*. */
void domain_shutdown(struct domain *d, unsigned int reason);
/* The guest did something it must not; it dies, the hypervisor goes on. */
void domain_crash(struct domain *d, struct vcpu *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write the wallclock and every vCPU's pvclock into a new shared_info. */
void domain_update_wallclock(struct domain *d);
/* dom0 set the time: UTC was secs.nsecs at system time system_time. */
void wallclock_set(u64 secs, u32 nsecs, u64 system_time);

static inline unsigned int domain_memory_map(struct domain *d,
					     const struct e820_packed **map)
{
	*map = d->memmap;
	return d->nr_memmap;
}

#endif
