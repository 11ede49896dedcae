// SPDX-License-Identifier: MIT
/*
 * selftest: the runtime's own test, run with or without a hypervisor: printf,
 * exception delivery into the guest, CPL 3 round trips, the unmapped page.
 */
#include "guest.h"

const int test_runs_without_xen = 1;

extern const uint8_t user_return_42[];
static uint8_t user_stack[4096] __aligned(16);

/* CPL 3 code: returns 42 and its CS in RAX through the return gate. */
asm(".pushsection .text\n"
    "user_return_42:\n"
    "	movq %cs, %rax\n"
    "	shlq $32, %rax\n"
    "	orq $42, %rax\n"
    "	int $" "0x80" "\n"
    ".popsection");

static void check_printf(void)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d %u %x %#llx %5s|%-3c|%05d %lld", -12,
		 7u, 0xbeefu, 0x123456789abULL, "ab", 'z', 42, -(1LL << 40));
	check(!strncmp(buf, "-12 7 beef 0x123456789ab    ab|z  |00042 -1099511627776", 64),
	      "snprintf formats");
	check_eq(snprintf(buf, 4, "%s", "truncated"), 9,
		 "snprintf returns the untruncated length");
	check(!strncmp(buf, "tru", 4), "snprintf truncates and terminates");
}

static void check_pvclock_math(void)
{
	struct vcpu_time_info t = {
		.tsc_timestamp = 1000,
		.system_time = 5000,
		.tsc_to_system_mul = 0x80000000, /* 0.5 ns per tick: 2 GHz */
	};

	check_eq(pvclock_ns(&t, 3000), 6000, "pvclock at 2 GHz");
	check_eq(pvclock_tsc_khz(&t), 2000000, "pvclock rate 2 GHz");
	t.tsc_shift = 1;
	check_eq(pvclock_ns(&t, 3000), 7000, "pvclock with shift 1");
	check_eq(pvclock_tsc_khz(&t), 1000000, "pvclock rate with shift 1");
	t.tsc_shift = -2;
	check_eq(pvclock_ns(&t, 3000), 5250, "pvclock with shift -2");
	check_eq(pvclock_tsc_khz(&t), 8000000, "pvclock rate with shift -2");
	/* The product needs 72 bits: it must not be truncated to 64. */
	t = (struct vcpu_time_info){ .tsc_to_system_mul = 0xffffffff };
	check_eq(pvclock_ns(&t, 1ULL << 40), (1ULL << 40) - (1ULL << 8),
		 "pvclock 128-bit product");
}

/* Without a hypervisor (QEMU q35), the FADT must lead to a ticking PM timer. */
static void check_pm_timer(void)
{
	uint16_t port = acpi_pm_timer_port();
	uint32_t t0;
	uint64_t tsc0;

	printf("ACPI PM timer at port %#x\n", port);
	if (xen_cpuid_base || !check(port, "FADT names a PM timer"))
		return;
	t0 = inl(port);
	tsc0 = rdtsc();
	while (inl(port) == t0 && rdtsc() - tsc0 < (1ULL << 30))
		cpu_relax();
	check(inl(port) != t0, "the PM timer ticks");
}

/* Any PVH loader (QEMU's too) passes start_info in EBX: check we kept it. */
static void check_start_info(void)
{
	extern const uint8_t pvh_entry[], __bss_end[];
	int ram;

	if (!check(start_info, "start_info address saved from EBX"))
		return;
	check_eq(start_info->magic, XEN_HVM_START_MAGIC_VALUE,
		 "start_info magic");
	ram = memmap_overlaps_ram((uintptr_t)pvh_entry, (uintptr_t)__bss_end);
	check_eq(ram, 1, "the memmap has RAM where we were loaded");
}

void test_main(void)
{
	long ret;

	check_printf();
	check_start_info();

	check_eq(probe_read(user_stack), 0, "probe_read of a mapped page");
	check_eq(probe_read(unmapped_page), 1, "unmapped_page faults");
	check_eq(probe_vector, 14, "...with #PF");
	check_eq(probe_cr2, (uintptr_t)unmapped_page, "...at its address");
	/*
	 * Bare metal (or plain QEMU) reads all-ones from an address nothing
	 * decodes. Keel does not emulate such accesses yet: it crashes the
	 * domain, so the probe is only made without a hypervisor.
	 */
	if (!xen_detect())
		check_eq(probe_read((void *)0xE0000000), 0,
			 "3.5 GiB is identity-mapped (even if nothing is there)");

	ret = usermode_call((void (*)(void))user_return_42,
			    user_stack + sizeof(user_stack));
	check_eq(ret & 0xffffffff, 42, "CPL 3 code ran and came back");
	check_eq(ret >> 32, GDT_USER_CS | 3, "...and it ran at CPL 3");
	ret = usermode_call((void (*)(void))user_return_42,
			    user_stack + sizeof(user_stack));
	check_eq(ret & 0xffffffff, 42, "a second CPL 3 round trip");

	check(read_cr0() & 0x80000000, "paging is on");
	check_pvclock_math();
	check_pm_timer();
}
