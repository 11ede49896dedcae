// SPDX-License-Identifier: MIT
/* Runtime entry, the check counters and the single verdict line of every test guest. */
#include <public/sched.h>

#include "guest.h"

#define ISA_DEBUG_EXIT_PORT 0xf4

const struct hvm_start_info *start_info;
extern uint64_t start_info_paddr;
void traps_init(void);

/* Overridden by the one guest that runs without a hypervisor (selftest). */
const int test_runs_without_xen __attribute__((weak));

/* How report() ends the domain; a domU test may ask for another reason. */
unsigned int test_shutdown_reason = SHUTDOWN_poweroff;
void (*test_report_hook)(enum test_result result);

static unsigned int nr_checks, nr_failed;
static int reported;

static const char *const result_names[] = {
	[TEST_SUCCESS] = "SUCCESS",
	[TEST_SKIP] = "SKIP",
	[TEST_ERROR] = "ERROR",
	[TEST_FAILURE] = "FAILURE",
};

int check_true(int ok, const char *expr, const char *what, const char *file,
	       int line)
{
	nr_checks++;
	if (!ok) {
		nr_failed++;
		printf("FAIL: %s: %s (%s:%d)\n", what, expr, file, line);
	}
	return ok;
}

int check_equal(int64_t got, int64_t want, const char *expr, const char *what,
		const char *file, int line)
{
	nr_checks++;
	if (got != want) {
		nr_failed++;
		printf("FAIL: %s: %s is %lld (%#llx), expected %lld (%#llx) (%s:%d)\n",
		       what, expr, (long long)got, (unsigned long long)got,
		       (long long)want, (unsigned long long)want, file, line);
	}
	return got == want;
}

unsigned int checks_failed(void)
{
	return nr_failed;
}

__noreturn void shutdown_domain(unsigned int reason)
{
	struct sched_shutdown arg = { .reason = reason };

	if (xen_cpuid_base)
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown,
			   (unsigned long)&arg);
	/* No hypervisor, or it let us go on: QEMU's isa-debug-exit, then stop. */
	outl(ISA_DEBUG_EXIT_PORT, 0);
	for (;;)
		asm volatile("cli; hlt");
}

__noreturn void shutdown_poweroff(void)
{
	shutdown_domain(SHUTDOWN_poweroff);
}

__noreturn void report(enum test_result result, const char *fmt, ...)
{
	va_list ap;

	/* A fault while reporting must not print a second verdict. */
	if (reported)
		shutdown_domain(test_shutdown_reason);
	reported = 1;
	if (fmt) {
		/* One write per line: a domU's console lines get their "(dN) " prefix per write. */
		char msg[200];

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		printf("%s\n", msg);
	}
	printf("Test result: %s\n", result_names[result]);
	if (test_report_hook)
		test_report_hook(result);
	shutdown_domain(test_shutdown_reason);
}

void lib_start(void)
{
	traps_init();
	start_info = (const struct hvm_start_info *)start_info_paddr;
	xen_cpuid_base = xen_detect();
	if (!xen_cpuid_base && !test_runs_without_xen)
		report(TEST_SKIP, "no Xen-compatible hypervisor (CPUID signature \"XenVMMXenVMM\" missing)");
	test_main();
	if (nr_failed)
		report(TEST_FAILURE, "%u of %u checks failed", nr_failed,
		       nr_checks);
	/* A guest that checked nothing has not tested anything. */
	if (!nr_checks)
		report(TEST_ERROR, "the test made no checks");
	report(TEST_SUCCESS, "%u checks passed", nr_checks);
}
