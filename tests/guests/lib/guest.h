/* SPDX-License-Identifier: MIT */
/* What a test guest sees of its runtime: console, checks, verdict, Xen detection, probes. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <public/errno.h>
#include <public/xen.h>
#include <public/hvm/start_info.h>

#include "arch.h"
#include "hypercall.h"

/* Hypercalls return these negated; short names keep the checks readable. */
#define EPERM XEN_EPERM
#define ESRCH XEN_ESRCH
#define EFAULT XEN_EFAULT
#define EINVAL XEN_EINVAL
#define ENOSYS XEN_ENOSYS

#define __aligned(x) __attribute__((aligned(x)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum test_result { TEST_SUCCESS, TEST_SKIP, TEST_ERROR, TEST_FAILURE };

/* Every guest provides this; the runtime calls it once Xen has been detected. */
void test_main(void);

/*
 * Set by the one guest that must run without a hypervisor (selftest);
 * every other guest reports SKIP when the Xen signature is missing.
 */
extern const int test_runs_without_xen;

/* Boot facts. */
extern const struct hvm_start_info *start_info;
extern uint32_t xen_cpuid_base; /* 0 when no Xen-compatible hypervisor */

/*
 * A page inside the guest image (so its physical address is guest RAM)
 * whose identity mapping head.S leaves non-present: a pointer to it is
 * "unmapped" for a hypervisor that walks our page tables, as it must.
 */
extern uint8_t unmapped_page[PAGE_SIZE];

/* Console: console_io when Xen is there, port 0xE9 otherwise. */
void console_write(const char *buf, size_t len);
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Checks: each failure is printed with its expression and location. */
#define check(cond, what) check_true(!!(cond), #cond, what, __FILE__, __LINE__)
#define check_eq(got, want, what)                                         \
	check_equal((int64_t)(got), (int64_t)(want), #got, what, __FILE__, \
		    __LINE__)
int check_true(int ok, const char *expr, const char *what, const char *file,
	       int line);
int check_equal(int64_t got, int64_t want, const char *expr, const char *what,
		const char *file, int line);
unsigned int checks_failed(void);

/*
 * Prints the one "Test result:" line, then shuts the domain down with
 * test_shutdown_reason (SHUTDOWN_poweroff unless the test changed it).
 */
__noreturn void report(enum test_result result, const char *fmt, ...)
	__printf(2, 3);
extern unsigned int test_shutdown_reason;
/* Called by report() after the verdict line, before the shutdown (if set). */
extern void (*test_report_hook)(enum test_result result);
/* SCHEDOP_shutdown; if that returns (or no Xen): QEMU's isa-debug-exit. */
__noreturn void shutdown_domain(unsigned int reason);
__noreturn void shutdown_poweroff(void);

/* Xen helpers. */
uint32_t xen_detect(void);
long xen_console_write(const char *buf, size_t len);

/*
 * Read a byte at addr; returns 0, or 1 if that faulted (the exception is
 * recorded in probe_vector / probe_cr2 instead of ending the test).
 */
int probe_read(const volatile void *addr);
extern volatile uint64_t probe_vector, probe_cr2;

/* Run fn at CPL 3 on stack_top; returns fn's RAX. See usermode.S. */
long usermode_call(void (*fn)(void), void *stack_top);

/* The start_info memory map: 1/0, or -1 when there is none. */
int memmap_overlaps_ram(uint64_t start, uint64_t end);

/* One entry of XENMEM_memory_map / XENMEM_set_memory_map (packed e820). */
struct e820_packed {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct e820_packed) == 20, "e820 entry size");
uint64_t non_ram_address(void);

/* pvclock: snapshot by the version protocol (0: version stayed odd), time in ns, TSC rate. */
int pvclock_read(const volatile struct vcpu_time_info *src,
		 struct vcpu_time_info *t);
uint64_t pvclock_ns(const struct vcpu_time_info *t, uint64_t tsc);
uint64_t pvclock_tsc_khz(const struct vcpu_time_info *t);
/* Xen system time now (ns) by vCPU 0's pvclock in a mapped shared_info; 0 if unreadable. */
uint64_t pvclock_now_ns(const volatile struct shared_info *s);

/* ACPI PM timer: an independent clock to judge the TSC by (0 if none). */
uint16_t acpi_pm_timer_port(void);
#define ACPI_PM_TIMER_HZ 3579545ULL

/* freestanding string functions (gcc may emit calls to the first three) */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *haystack, const char *needle);

#endif
