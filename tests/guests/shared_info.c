// SPDX-License-Identifier: MIT
/*
 * shared_info: XENMEM_add_to_physmap(shared_info) and what the page then holds:
 * a pvclock that keeps time against an independent clock, a plausible
 * wallclock; plus the error returns of bad add_to_physmap calls.
 */
#include <public/arch-x86/cpuid.h>
#include <public/memory.h>

#include "guest.h"

#define NSEC_PER_SEC 1000000000ULL
#define WAIT_MS 100
#define UNIX_2024_01_01 1704067200ULL
#define UNIX_2100_01_01 4102444800ULL
#define VERSION_RETRIES 1000000

static uint8_t shinfo_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static uint8_t scratch_page[PAGE_SIZE] __aligned(PAGE_SIZE);

static long add_to_physmap(domid_t domid, uint32_t space, uint64_t idx,
			   void *page)
{
	struct xen_add_to_physmap xatp = {
		.domid = domid,
		.space = space,
		.idx = idx,
		.gpfn = (uintptr_t)page >> 12,
	};

	return hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap,
			  (unsigned long)&xatp);
}

/*
 * How many ns really passed between two TSC reads, by a clock that is not the
 * pvclock: the ACPI PM timer, else the TSC rate of CPUID leaf 0x40000003.
 */
struct ref_clock {
	uint16_t pm_port;
	uint32_t pm0;
	uint64_t leaf3_khz;
};

static void ref_start(struct ref_clock *r)
{
	struct cpuid_regs c = cpuid(xen_cpuid_base);
	uint64_t t0;

	r->pm_port = acpi_pm_timer_port();
	if (r->pm_port) {
		/* A port that does not tick (not passed through) is no clock. */
		r->pm0 = inl(r->pm_port);
		t0 = rdtsc();
		while (inl(r->pm_port) == r->pm0 && rdtsc() - t0 < (1ULL << 28))
			cpu_relax();
		if (inl(r->pm_port) == r->pm0)
			r->pm_port = 0;
	}
	if (c.eax >= xen_cpuid_base + 3)
		r->leaf3_khz = cpuid_count(xen_cpuid_base + 3, 0).ecx;
	if (r->pm_port)
		r->pm0 = inl(r->pm_port);
}

static uint64_t ref_elapsed_ns(const struct ref_clock *r, uint64_t tsc_delta,
			       const char **name)
{
	if (r->pm_port) {
		/* 24 bits are enough for 100 ms and work for both timer widths. */
		uint32_t ticks = (inl(r->pm_port) - r->pm0) & 0xffffff;

		*name = "ACPI PM timer";
		return ticks * NSEC_PER_SEC / ACPI_PM_TIMER_HZ;
	}
	if (r->leaf3_khz) {
		*name = "CPUID 0x40000003 TSC kHz";
		return tsc_delta * 1000000ULL / r->leaf3_khz;
	}
	*name = NULL;
	return 0;
}

static void check_pvclock(volatile struct shared_info *s)
{
	struct vcpu_time_info t0 = { 0 }, t1 = { 0 };
	struct ref_clock ref = { 0 };
	uint64_t tsc0, tsc1, ns0, ns1, khz, elapsed, ref_ns;
	const char *ref_name;

	if (!check(pvclock_read(&s->vcpu_info[0].time, &t0),
		   "vcpu_info[0].time.version becomes even"))
		return;
	printf("vcpu 0 time: version %u tsc_timestamp %#llx system_time %llu mul %#x shift %d flags %#x\n",
	       t0.version, (unsigned long long)t0.tsc_timestamp,
	       (unsigned long long)t0.system_time, t0.tsc_to_system_mul,
	       t0.tsc_shift, t0.flags);
	if (!check(t0.tsc_to_system_mul != 0, "tsc_to_system_mul != 0"))
		return;
	khz = pvclock_tsc_khz(&t0);
	printf("TSC %llu kHz by the pvclock\n", (unsigned long long)khz);
	/* Out of range, the 100 ms wait below would be meaningless or endless. */
	if (!check(khz >= 100000 && khz <= 10000000,
		   "pvclock TSC rate between 100 MHz and 10 GHz"))
		return;

	ref_start(&ref);
	tsc0 = rdtsc();
	check(t0.tsc_timestamp <= tsc0,
	      "tsc_timestamp is not in the future of our TSC");
	ns0 = pvclock_ns(&t0, tsc0);
	while (rdtsc() - tsc0 < khz * WAIT_MS)
		cpu_relax();
	tsc1 = rdtsc();
	ref_ns = ref_elapsed_ns(&ref, tsc1 - tsc0, &ref_name);
	if (!check(pvclock_read(&s->vcpu_info[0].time, &t1),
		   "vcpu_info[0].time.version even on the second read"))
		return;
	ns1 = pvclock_ns(&t1, tsc1);
	check(ns1 > ns0, "pvclock system time advances");
	check(t1.system_time >= t0.system_time,
	      "system_time field never goes back");
	elapsed = ns1 - ns0;
	printf("pvclock: %llu ns elapsed; %s: %llu ns\n",
	       (unsigned long long)elapsed, ref_name ? ref_name : "no reference",
	       (unsigned long long)ref_ns);
	if (ref_name)
		check(elapsed * 20 >= ref_ns * 19 && elapsed * 20 <= ref_ns * 21,
		      "pvclock elapsed time within 5% of the reference clock");
	else
		printf("no independent clock (no PM timer, no CPUID 0x40000003 kHz): pvclock rate not checked\n");
}

static void check_wallclock(volatile struct shared_info *s)
{
	struct vcpu_time_info t = { 0 };
	unsigned int tries;
	uint32_t v = 1, nsec = 0;
	uint64_t sec = 0, now;

	for (tries = 0; tries < VERSION_RETRIES; tries++) {
		v = s->wc_version;
		rmb();
		sec = s->wc_sec | (uint64_t)s->wc_sec_hi << 32;
		nsec = s->wc_nsec;
		rmb();
		if (!(v & 1) && v == s->wc_version)
			break;
		cpu_relax();
	}
	check(!(v & 1), "wc_version even");
	printf("wallclock at system time 0: %llu.%09u (version %u)\n",
	       (unsigned long long)sec, nsec, v);
	check(nsec < NSEC_PER_SEC, "wc_nsec below one second");
	check(sec > UNIX_2024_01_01 && sec < UNIX_2100_01_01,
	      "wallclock base between 2024 and 2100 (the RTC was read)");
	if (pvclock_read(&s->vcpu_info[0].time, &t)) {
		now = sec + (pvclock_ns(&t, rdtsc()) + nsec) / NSEC_PER_SEC;
		check(now > UNIX_2024_01_01 && now < UNIX_2100_01_01,
		      "wallclock now between 2024 and 2100");
	}
}

static void check_bad_calls(void)
{
	struct xen_add_to_physmap *bad = (void *)unmapped_page;

	check_eq(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 1,
				scratch_page),
		 -EINVAL, "shared_info idx 1");
	check_eq(add_to_physmap(DOMID_SELF, 99, 0, scratch_page), -EINVAL,
		 "unknown space 99");
	check_eq(add_to_physmap(7, XENMAPSPACE_shared_info, 0, scratch_page),
		 -ESRCH, "non-existent domain 7");
	if (check_eq(probe_read(bad), 1, "unmapped_page is not mapped"))
		check_eq(hypercall2(__HYPERVISOR_memory_op,
				    XENMEM_add_to_physmap, (unsigned long)bad),
			 -EFAULT, "argument struct at an unmapped address");
}

void test_main(void)
{
	volatile struct shared_info *s = (void *)shinfo_page;
	static const uint8_t poison[sizeof(struct vcpu_time_info)] = {
		[0 ... sizeof(struct vcpu_time_info) - 1] = 0xff
	};

	/* All-ones: an odd version and junk that a real mapping replaces. */
	memset(shinfo_page, 0xff, sizeof(shinfo_page));
	if (!check_eq(add_to_physmap(DOMID_SELF, XENMAPSPACE_shared_info, 0,
				     shinfo_page),
		      0, "add_to_physmap(shared_info) at one of our RAM pages"))
		return;
	check(memcmp((const void *)&s->vcpu_info[0].time, poison,
		     sizeof(poison)),
	      "our page now shows the shared_info frame");
	check_pvclock(s);
	check_wallclock(s);
	check_bad_calls();
}
