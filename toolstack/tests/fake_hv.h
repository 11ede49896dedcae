// SPDX-License-Identifier: GPL-2.0-only
/* An in-process stand-in for the Keel hypervisor behind libkeelctrl's ops
 * table: domains, their RAM (a memfd per domain, so foreign mappings share
 * pages like the real ones), HVM params, event channels, vCPU contexts,
 * scheduler settings and a hypervisor log. */
#ifndef KEEL_FAKE_HV_H
#define KEEL_FAKE_HV_H

#include "keelctrl.h"

#define FAKE_MAX_DOMS 64
#define FAKE_MAX_VCPUS 128
#define FAKE_GUEST_SPACE (4ULL << 30)

struct fake_dom {
	bool exists;
	bool paused;
	bool dying;
	int shutdown_reason; /* -1: running */
	xen_domain_handle_t handle;
	uint32_t cdf_flags, emulation_flags;
	uint32_t max_vcpus;
	uint64_t max_pages, tot_pages;
	int memfd;
	uint8_t *populated; /* one byte per GFN below FAKE_GUEST_SPACE */
	uint64_t params[64];
	uint32_t next_port;
	struct keel_e820_entry e820[16];
	unsigned nr_e820;
	bool vcpu_ctx_set;
	struct vcpu_guest_context ctx0;
	uint16_t weight, cap;
	uint8_t hard[FAKE_MAX_VCPUS][64];
	uint64_t cpu_time;
};

struct fake_hv {
	struct fake_dom dom[FAKE_MAX_DOMS];
	uint64_t total_pages, free_pages;
	uint32_t nr_cpus;
	char log[4096];
	size_t log_len;
	unsigned nr_calls[64]; /* domctl commands seen */
	/* Fault injection: fail the Nth populate_physmap call (1-based). */
	unsigned fail_populate_at, populate_calls;
};

extern const struct keel_hv_ops fake_hv_ops;

struct fake_hv *fake_hv_new(unsigned long host_mib);
/* A libkeelctrl handle on a new fake machine (the handle owns it). */
struct keel_ctl *fake_ctl_new(unsigned long host_mib, struct ks_handle *xs,
			      const char *state_dir, struct fake_hv **fh);
/* Copies guest-physical memory out; false if any page is unpopulated. */
bool fake_hv_read(struct fake_hv *f, domid_t d, uint64_t paddr, void *buf,
		  size_t len);
/* The guest shutting itself down (SCHEDOP_shutdown). */
void fake_hv_guest_shutdown(struct fake_hv *f, domid_t d, unsigned reason);



/* /dev/xen/evtchn stand-in: bound ports are remembered, "firing" one makes
 * it readable on a pipe; notifications are counted per local port. */
#define FAKE_EV_PORTS 64
struct fake_evtchn {
	int pipe[2];
	struct {
		bool used, virq;
		domid_t dom;
		uint32_t remote;
	} b[FAKE_EV_PORTS];
	unsigned notified[FAKE_EV_PORTS];
};

extern const struct keel_evtchn_ops fake_evtchn_ops;
struct fake_evtchn *fake_evtchn_new(void);
void fake_evtchn_free(struct fake_evtchn *e);
/* The local port bound to (dom, remote), or -1; remote ~0U: the VIRQ. */
int fake_evtchn_local_port(struct fake_evtchn *e, domid_t dom, uint32_t remote);
void fake_evtchn_fire(struct fake_evtchn *e, uint32_t local);
#endif
