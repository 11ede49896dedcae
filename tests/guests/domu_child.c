// SPDX-License-Identifier: MIT
/*
 * domu_child: runs as a domU that the domctl guest (dom0) builds. It checks
 * that it holds no privilege (domctl, sysctl, foreign mappings, other
 * domains' memory, event channels and parameters are refused) and that its
 * own basics work (memory map as dom0 set it, reservation, shared_info and
 * pvclock, console_io, the store channel dom0 allocated for it), prints one
 * "Test result:" line with console_io and shuts down with the reason its
 * command line names. Command line (written by dom0 into its start info):
 *   reason=poweroff|reboot|crash  how to shut down at the end
 *   shinfo=no                     skip mapping shared_info (and the pvclock)
 *   mode=spin                     after the checks, spin until destroyed
 *   mode=wild                     after the checks, read guest-physical memory
 *                                 we were never given: the hypervisor must crash us
 *   pages=N max=N                 what dom0 populated and allowed (4 KiB pages)
 *   store_evtchn=N                the unbound port dom0 allocated for us
 *   poll=timeout                  SCHEDOP_poll a quiet port with a 50 ms timeout
 *   store=bound                   dom0 has bound it: send dom0 an event on it
 *                                 and wait for dom0's answer (needs shared_info)
 *   result=N                      guest-physical address of our struct domu_result
 * As dom0 (booted on its own) it has nothing to test and says SKIP.
 */
#include <public/domctl.h>
#include <public/event_channel.h>
#include <public/hvm/hvm_op.h>
#include <public/hvm/params.h>
#include <public/memory.h>
#include <public/platform.h>
#include <public/sched.h>
#include <public/sysctl.h>

#include "guest.h"
#include "domu_result.h"

#define EACCES XEN_EACCES
#define UNIX_2024_01_01 1704067200ULL
#define UNIX_2100_01_01 4102444800ULL
#define DOM0_IMAGE_GFN 0x1000 /* dom0's test guests load at 16 MiB */

static const char *cmdline = "";
static volatile struct domu_result *result;
static uint8_t shinfo_page[PAGE_SIZE] __aligned(PAGE_SIZE);

/* The value of "key=" on the command line, up to the next space; NULL if absent. */
static const char *arg(const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			const char *v = p + klen + 1, *e = v;

			while (*e && *e != ' ')
				e++;
			*len = (size_t)(e - v);
			return v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}

static int arg_is(const char *key, const char *want)
{
	size_t len;
	const char *v = arg(key, &len);

	return v && len == strlen(want) && !strncmp(v, want, len);
}

static uint64_t arg_u64(const char *key, uint64_t dflt)
{
	size_t len, i;
	const char *v = arg(key, &len);
	uint64_t n = 0;

	if (!v || !len)
		return dflt;
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return dflt;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	return n;
}

static long domctl(struct xen_domctl *op)
{
	return hypercall1(__HYPERVISOR_domctl, (unsigned long)op);
}

static long sysctl(struct xen_sysctl *op)
{
	return hypercall1(__HYPERVISOR_sysctl, (unsigned long)op);
}

static long memory_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

static long evtchn_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg);
}

static long reservation(unsigned int cmd, domid_t domid, xen_pfn_t gfn)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)(uintptr_t)&gfn,
		.nr_extents = 1,
		.domid = domid,
	};

	return memory_op(cmd, &r);
}

static long reservation_size(unsigned int cmd, domid_t domid)
{
	return memory_op(cmd, &domid);
}

static long hvm_param(unsigned int op, domid_t domid, uint32_t index,
		      uint64_t *value)
{
	struct xen_hvm_param p = { .domid = domid, .index = index, .value = *value };
	long rc = hypercall2(__HYPERVISOR_hvm_op, op, (unsigned long)&p);

	*value = p.value;
	return rc;
}

static void check_start_info(void)
{
	check_eq(start_info->magic, XEN_HVM_START_MAGIC_VALUE, "start info magic");
	check_eq(start_info->version, 1, "start info version");
	check_eq(start_info->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN), 0,
		 "start info flags: neither privileged nor the initial domain");
	check(start_info->cmdline_paddr != 0, "dom0 gave us a command line");
	check(start_info->memmap_paddr != 0 && start_info->memmap_entries > 0,
	      "dom0 gave us a memory map in the start info");
}

static void check_domctl_sysctl_refused(void)
{
	struct xen_domctl d;
	struct xen_sysctl s;

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_getdomaininfo;
	d.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	d.domain = 0;
	d.u.getdomaininfo.domain = 0x5a5a;
	check_eq(domctl(&d), -EPERM, "domctl getdomaininfo(dom0) from a domU");
	check_eq(d.u.getdomaininfo.domain, 0x5a5a, "nothing written back by the refused getdomaininfo");

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_createdomain;
	d.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	d.u.createdomain.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	d.u.createdomain.max_vcpus = 1;
	d.u.createdomain.arch.emulation_flags = XEN_X86_EMU_LAPIC;
	check_eq(domctl(&d), -EPERM, "domctl createdomain from a domU");

	memset(&d, 0, sizeof(d));
	d.cmd = XEN_DOMCTL_pausedomain;
	d.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	d.domain = 0;
	check_eq(domctl(&d), -EPERM, "domctl pausedomain(dom0) from a domU");
	d.cmd = XEN_DOMCTL_destroydomain;
	check_eq(domctl(&d), -EPERM, "domctl destroydomain(dom0) from a domU");
	/* Even a wrong version must not tell a domU more than "not yours". */
	d.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
	check_eq(domctl(&d), -EPERM, "domctl with an old interface version from a domU");

	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_physinfo;
	s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	check_eq(sysctl(&s), -EPERM, "sysctl physinfo from a domU");
	check_eq(s.u.physinfo.total_pages, 0, "physinfo wrote nothing back");
	memset(&s, 0, sizeof(s));
	s.cmd = XEN_SYSCTL_readconsole;
	s.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	s.u.readconsole.buffer = (uint64_t)(uintptr_t)shinfo_page;
	s.u.readconsole.count = 64;
	check_eq(sysctl(&s), -EPERM, "sysctl readconsole from a domU");
}

static void check_memory_refused(void)
{
	static xen_ulong_t idxs[1] = { DOM0_IMAGE_GFN };
	static xen_pfn_t gpfns[1];
	static int errs[1];
	struct xen_add_to_physmap_batch b = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.size = 1,
		.foreign_domid = 0,
		.idxs = (uint64_t)(uintptr_t)idxs,
		.gpfns = (uint64_t)(uintptr_t)gpfns,
		.errs = (uint64_t)(uintptr_t)errs,
	};
	struct xen_add_to_physmap xatp = {
		.domid = 0,
		.space = XENMAPSPACE_shared_info,
		.gpfn = (uintptr_t)shinfo_page >> 12,
	};
	struct xen_remove_from_physmap xrfp = { .domid = 0, .gpfn = DOM0_IMAGE_GFN };
	struct e820_packed e = { 0, 0x100000, XEN_HVM_MEMMAP_TYPE_RAM };
	struct xen_foreign_memory_map fmap = {
		.domid = DOMID_SELF,
		.map = { .nr_entries = 1, .buffer = (uint64_t)(uintptr_t)&e },
	};
	uint64_t non_ram = non_ram_address();

	check(non_ram != 0, "a non-RAM address in our memory map");
	gpfns[0] = non_ram >> 12;
	errs[0] = 0x5a5a;
	check_eq(memory_op(XENMEM_add_to_physmap_batch, &b), -EPERM,
		 "add_to_physmap_batch: map dom0's frame 0x1000 (gmfn_foreign) from a domU");
	check_eq(errs[0], 0x5a5a, "no per-entry status written for the refused batch");
	b.domid = 0;
	b.foreign_domid = DOMID_SELF;
	check_eq(memory_op(XENMEM_add_to_physmap_batch, &b), -EPERM,
		 "add_to_physmap_batch into dom0's physmap from a domU");

	check_eq(reservation(XENMEM_populate_physmap, 0, 0x3f000), -EPERM,
		 "populate_physmap for dom0 from a domU");
	check_eq(reservation(XENMEM_decrease_reservation, 0, DOM0_IMAGE_GFN), -EPERM,
		 "decrease_reservation of dom0's frame 0x1000 from a domU");
	check_eq(reservation_size(XENMEM_current_reservation, 0), -EPERM,
		 "current_reservation of dom0 from a domU");
	check_eq(reservation_size(XENMEM_maximum_reservation, 0), -EPERM,
		 "maximum_reservation of dom0 from a domU");
	check_eq(memory_op(XENMEM_add_to_physmap, &xatp), -EPERM,
		 "add_to_physmap of dom0's shared_info from a domU");
	check_eq(memory_op(XENMEM_remove_from_physmap, &xrfp), -EPERM,
		 "remove_from_physmap of dom0's frame 0x1000 from a domU");
	check_eq(memory_op(XENMEM_set_memory_map, &fmap), -EPERM,
		 "set_memory_map (our own) from a domU");
	fmap.domid = 0;
	check_eq(memory_op(XENMEM_set_memory_map, &fmap), -EPERM,
		 "set_memory_map of dom0 from a domU");
}

static void check_other_refused(void)
{
	struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = DOMID_SELF };
	struct evtchn_status st = { .dom = 0, .port = 1 };
	struct sched_remote_shutdown {
		domid_t domain_id;
		uint16_t pad;
		uint32_t reason;
	} rs = { .domain_id = 0, .reason = SHUTDOWN_poweroff };
	struct xen_platform_op pf;
	char c;
	uint64_t v = 0;

	au.port = 0x5a5a;
	check_eq(evtchn_op(EVTCHNOP_alloc_unbound, &au), -EPERM,
		 "alloc_unbound in dom0 from a domU");
	check_eq(au.port, 0x5a5a, "no port written back by the refused alloc_unbound");
	check_eq(evtchn_op(EVTCHNOP_status, &st), -EPERM,
		 "EVTCHNOP_status of dom0's port 1 from a domU");
	check_eq(hvm_param(HVMOP_get_param, 0, HVM_PARAM_STORE_PFN, &v), -EPERM,
		 "HVMOP_get_param of dom0 from a domU");
	v = 0x1234;
	check_eq(hvm_param(HVMOP_set_param, 0, HVM_PARAM_STORE_PFN, &v), -EPERM,
		 "HVMOP_set_param of dom0 from a domU");
	v = 0x1234;
	check_eq(hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_STORE_PFN, &v), -EPERM,
		 "HVMOP_set_param(STORE_PFN) of ourselves (the toolstack's to set)");
	check(hypercall2(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown,
			 (unsigned long)&rs) < 0,
	      "SCHEDOP_remote_shutdown(dom0) from a domU fails");
	check_eq(hypercall3(__HYPERVISOR_console_io, CONSOLEIO_read, 1,
			    (unsigned long)&c),
		 -EPERM, "CONSOLEIO_read from a domU");
	memset(&pf, 0, sizeof(pf));
	pf.cmd = XENPF_settime64;
	pf.interface_version = XENPF_INTERFACE_VERSION;
	check_eq(hypercall1(__HYPERVISOR_platform_op, (unsigned long)&pf), -EPERM,
		 "platform_op settime64 from a domU");
}

static void check_memory_map(void)
{
	static struct e820_packed map[32];
	struct xen_memory_map mm = { .nr_entries = ARRAY_SIZE(map),
				     .buffer = (uint64_t)(uintptr_t)map };
	const struct hvm_memmap_table_entry *si =
		(const void *)(uintptr_t)start_info->memmap_paddr;
	unsigned int i, same = 1;

	if (!check_eq(memory_op(XENMEM_memory_map, &mm), 0, "XENMEM_memory_map"))
		return;
	check_eq(mm.nr_entries, start_info->memmap_entries,
		 "XENMEM_memory_map has as many entries as dom0 set (= our start info)");
	for (i = 0; i < mm.nr_entries && i < start_info->memmap_entries; i++) {
		printf("memory map[%u]: %#llx+%#llx type %u\n", i,
		       (unsigned long long)map[i].addr, (unsigned long long)map[i].size,
		       map[i].type);
		if (map[i].addr != si[i].addr || map[i].size != si[i].size ||
		    map[i].type != si[i].type)
			same = 0;
	}
	check(same, "XENMEM_memory_map entries are those dom0 set with XENMEM_set_memory_map");
}

static void check_reservation(void)
{
	uint64_t pages = arg_u64("pages", 0), max = arg_u64("max", 0);
	/* Just above the highest RAM dom0 gave us (32 MiB). */
	xen_pfn_t gfn = 0x2000;

	if (!check(pages && max, "pages= and max= on the command line"))
		return;
	check_eq(reservation_size(XENMEM_current_reservation, DOMID_SELF), pages,
		 "current_reservation = the pages dom0 populated");
	check_eq(reservation_size(XENMEM_maximum_reservation, DOMID_SELF), max,
		 "maximum_reservation = dom0's max_mem");
	if (max <= pages)
		return;
	/* Balloon up by one page to the limit, past it (refused), and back down. */
	check_eq(reservation(XENMEM_populate_physmap, DOMID_SELF, gfn), 1,
		 "populate_physmap of one page of our own, within max_mem");
	*(volatile uint64_t *)(uintptr_t)(gfn << 12) = 0x1234;
	check_eq(*(volatile uint64_t *)(uintptr_t)(gfn << 12), 0x1234,
		 "the new page holds what we wrote");
	check(reservation(XENMEM_populate_physmap, DOMID_SELF, gfn + 1) <= 0,
	      "populate_physmap past max_mem does nothing");
	check_eq(reservation_size(XENMEM_current_reservation, DOMID_SELF), pages + 1,
		 "current_reservation counts the new page");
	check_eq(reservation(XENMEM_decrease_reservation, DOMID_SELF, gfn), 1,
		 "decrease_reservation gives it back");
	check_eq(reservation_size(XENMEM_current_reservation, DOMID_SELF), pages,
		 "current_reservation back to what dom0 populated");
}

static void check_store_evtchn(void)
{
	uint64_t want = arg_u64("store_evtchn", 0), v = 0;
	struct evtchn_status st = { .dom = DOMID_SELF };
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };

	if (!check(want != 0, "store_evtchn= on the command line"))
		return;
	check_eq(hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, &v), 0,
		 "HVMOP_get_param(STORE_EVTCHN)");
	check_eq(v, want, "STORE_EVTCHN is the port dom0 set");
	st.port = (evtchn_port_t)want;
	check_eq(evtchn_op(EVTCHNOP_status, &st), 0, "EVTCHNOP_status of the store port");
	if (arg_is("store", "bound")) {
		check_eq(st.status, EVTCHNSTAT_interdomain, "store port is bound by dom0 (interdomain)");
		check_eq(st.u.interdomain.dom, 0, "store port: its other end is in dom0");
		check(st.u.interdomain.port != 0, "store port: dom0's end has a port number");
	} else {
		check_eq(st.status, EVTCHNSTAT_unbound, "store port is unbound (waiting for dom0)");
		check_eq(st.u.unbound.dom, 0, "store port: dom0 may bind it");
	}
	check_eq(evtchn_op(EVTCHNOP_alloc_unbound, &au), 0,
		 "alloc_unbound(self, remote dom0), as a frontend does");
	check(au.port != 0 && au.port != want, "a new port, not the store port");
}

/*
 * With dom0 bound to our store port: an event each way. dom0 answers 100 ms
 * after ours arrived, so we are blocked in SCHEDOP_poll by then; its answer
 * must wake us long before the 2 s timeout.
 */
static void check_store_ping(void)
{
	volatile struct shared_info *s = (void *)shinfo_page;
	evtchn_port_t port = (evtchn_port_t)arg_u64("store_evtchn", 0);
	struct evtchn_send send = { .port = port };
	struct sched_poll poll = { .ports = (uint64_t)(uintptr_t)&port, .nr_ports = 1 };
	uint64_t now = pvclock_now_ns(s), waited;
	int pending;

	if (!check(port && now, "store port and a running pvclock for the event exchange"))
		return;
	/* Masked: we poll, no upcall is set up. */
	__atomic_fetch_or(&s->evtchn_mask[port / 64], 1ULL << (port % 64), __ATOMIC_SEQ_CST);
	check_eq(evtchn_op(EVTCHNOP_send, &send), 0, "EVTCHNOP_send to dom0 on the store port");
	poll.timeout = now + 2000000000ULL;
	check_eq(hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll), 0,
		 "SCHEDOP_poll for dom0's answer");
	waited = pvclock_now_ns(s) - now;
	pending = !!(s->evtchn_pending[port / 64] & (1ULL << (port % 64)));
	printf("store port %u: the poll returned after %llu us; port %spending\n", port,
	       (unsigned long long)waited / 1000, pending ? "" : "not ");
	check(pending, "dom0's answer is pending on the store port");
	check(waited < 1900000000ULL,
	      "dom0's answer woke us from SCHEDOP_poll (not its 2 s timeout)");
}

/* SCHEDOP_poll on a port nobody signals must come back at its timeout. */
static void check_poll_timeout(void)
{
	volatile struct shared_info *s = (void *)shinfo_page;
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct sched_poll poll = { .nr_ports = 1 };
	uint64_t t0, t1;

	if (!check_eq(evtchn_op(EVTCHNOP_alloc_unbound, &au), 0, "a quiet port to poll"))
		return;
	poll.ports = (uint64_t)(uintptr_t)&au.port;
	t0 = pvclock_now_ns(s);
	poll.timeout = t0 + 50000000ULL;
	printf("polling port %u with a 50 ms timeout\n", au.port);
	check_eq(hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&poll), 0,
		 "SCHEDOP_poll with a timeout");
	t1 = pvclock_now_ns(s);
	printf("the poll returned after %llu us\n", (unsigned long long)(t1 - t0) / 1000);
	check(t1 - t0 >= 50000000ULL, "SCHEDOP_poll returned no earlier than its timeout");
}

static void check_shared_info(void)
{
	volatile struct shared_info *s = (void *)shinfo_page;
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.gpfn = (uintptr_t)shinfo_page >> 12,
	};
	struct vcpu_time_info t0, t1;
	uint64_t tsc0, khz, sec;
	uint32_t v;

	memset(shinfo_page, 0xff, sizeof(shinfo_page));
	if (!check_eq(memory_op(XENMEM_add_to_physmap, &xatp), 0,
		      "add_to_physmap(shared_info) at one of our RAM pages"))
		return;
	if (!check(pvclock_read(&s->vcpu_info[0].time, &t0), "pvclock version even") ||
	    !check(t0.tsc_to_system_mul != 0, "pvclock tsc_to_system_mul set"))
		return;
	khz = pvclock_tsc_khz(&t0);
	if (!check(khz >= 100000 && khz <= 10000000, "pvclock TSC rate 100 MHz..10 GHz"))
		return;
	tsc0 = rdtsc();
	while (rdtsc() - tsc0 < khz * 20) /* 20 ms */
		cpu_relax();
	check(pvclock_read(&s->vcpu_info[0].time, &t1), "pvclock version even again");
	check(pvclock_ns(&t1, rdtsc()) >= pvclock_ns(&t0, tsc0) + 19000000,
	      "pvclock advanced by the 20 ms we spun");
	printf("pvclock: system time %llu ns, TSC %llu kHz\n",
	       (unsigned long long)pvclock_ns(&t1, rdtsc()), (unsigned long long)khz);
	v = s->wc_version;
	rmb();
	sec = s->wc_sec | (uint64_t)s->wc_sec_hi << 32;
	check(!(v & 1) && sec > UNIX_2024_01_01 && sec < UNIX_2100_01_01,
	      "wallclock between 2024 and 2100");
}

static void record_result(enum test_result r)
{
	if (!result)
		return;
	result->result = r;
	result->checks_failed = checks_failed();
	barrier();
	result->state = DOMU_DONE;
}

/*
 * A domU owns no I/O ports: PCI config space reads as absent, and a machine
 * reset (0xCF9), ACPI S5 (q35's PM1a_CNT 0x604) or QEMU's isa-debug-exit
 * (0xF4) written by us must change nothing (dom0 goes on and judges us).
 */
static void check_ports(void)
{
	static const uint16_t timers[] = { 0x608, 0xb008 }; /* PM timer on q35, piix4 */
	unsigned int i;

	outl(0xcf8, 0x80000000U); /* bus 0 device 0 function 0, vendor/device id */
	check_eq(inl(0xcfc), 0xffffffffU, "PCI config space reads as absent from a domU");
	for (i = 0; i < ARRAY_SIZE(timers); i++)
		check_eq(inl(timers[i]), 0xffffffffU, "the host's ACPI PM timer port reads as absent");
	outb(0xcf9, 0x06);
	asm volatile("outw %0, %1" ::"a"((uint16_t)0x2000), "Nd"((uint16_t)0x604));
	outl(0xf4, 0x7);
	printf("wrote a reset to 0xCF9, S5 to PM1a_CNT and an exit code to 0xF4: still here\n");
	check(1, "a domU's reset/S5/debug-exit port writes change nothing");
}

static __noreturn void wild_read(void)
{
	uint64_t gpa = non_ram_address();

	if (result) {
		result->checks_failed = checks_failed();
		barrier();
		result->state = DOMU_WILD;
	}
	printf("%u checks failed; now reading guest-physical %#llx, which we do not have\n",
	       checks_failed(), (unsigned long long)gpa);
	(void)*(volatile uint64_t *)(uintptr_t)gpa;
	report(TEST_FAILURE, "read guest-physical %#llx that is not ours and went on",
	       (unsigned long long)gpa);
}

static __noreturn void spin(void)
{
	if (result)
		result->state = DOMU_SPINNING;
	printf("spinning until destroyed\n");
	for (;;)
		cpu_relax();
}

void test_main(void)
{
	size_t len;
	const char *reason;

	if (start_info->flags & SIF_INITDOMAIN)
		report(TEST_SKIP, "domu_child must run as a domU (dom0's domctl guest starts it)");
	if (start_info->cmdline_paddr)
		cmdline = (const char *)(uintptr_t)start_info->cmdline_paddr;
	if (arg_is("reason", "crash"))
		test_shutdown_reason = SHUTDOWN_crash;
	else if (arg_is("reason", "reboot"))
		test_shutdown_reason = SHUTDOWN_reboot;
	if (arg_u64("result", 0)) {
		result = (void *)(uintptr_t)arg_u64("result", 0);
		result->magic = DOMU_RESULT_MAGIC;
		result->state = DOMU_RUNNING;
		test_report_hook = record_result;
	}
	reason = arg("reason", &len);
	check(reason != NULL, "reason= on the command line");
	check_eq(xen_console_write("domU child: console_io works\n", 29), 0,
		 "console_io write from a domU");
	printf("domU child: command line \"%s\"\n", cmdline);

	check_start_info();
	check_domctl_sysctl_refused();
	check_memory_refused();
	check_other_refused();
	check_memory_map();
	check_reservation();
	check_store_evtchn();
	check_ports();
	if (!arg_is("shinfo", "no"))
		check_shared_info();
	if (arg_is("poll", "timeout"))
		check_poll_timeout();
	if (arg_is("store", "bound"))
		check_store_ping();
	if (arg_is("mode", "wild"))
		wild_read();
	if (arg_is("mode", "spin")) {
		printf("%u checks failed\n", checks_failed());
		spin();
	}
}
