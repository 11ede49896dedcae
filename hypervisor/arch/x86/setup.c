// SPDX-License-Identifier: GPL-2.0-only
/*
 * start_keel(): the boot sequence, from the multiboot hand-off to dom0's
 * first instruction. Each step that can fail says what is wrong and stops.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/page_owner.h>
#include <keel/arch.h>
#include <keel/cmdline.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/sched.h>
#include <keel/setup.h>
#include <keel/version.h>
#include <asm/processor.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/bootinfo.h>
#include <asm/memlayout.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <asm/svm.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/vmexit.h>

struct domain *dom0_build(unsigned int max_vcpus);

bool opt_noreboot;
u64 opt_debug_exit_port;
const char *keel_cmdline = "";

static char opt_console[64] = "com1";
static char opt_loglvl[16] = "info";
static char opt_dom0_mem[32];
static u64 opt_dom0_max_vcpus; /* 0: one vCPU per CPU */
static u64 opt_max_cpus = MAX_CPUS;

static const struct cmdline_param keel_params[] = {
	{ "console", CMDLINE_STRING, opt_console, sizeof(opt_console) },
	{ "loglvl", CMDLINE_STRING, opt_loglvl, sizeof(opt_loglvl) },
	{ "dom0_mem", CMDLINE_STRING, opt_dom0_mem, sizeof(opt_dom0_mem) },
	{ "dom0_max_vcpus", CMDLINE_UINT, &opt_dom0_max_vcpus, 0 },
	{ "maxcpus", CMDLINE_UINT, &opt_max_cpus, 0 },
	{ "noreboot", CMDLINE_BOOL, &opt_noreboot, 0 },
	{ "debug_exit", CMDLINE_UINT, &opt_debug_exit_port, 0 },
};

static void apply_loglvl(void)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	if (!strcmp(opt_loglvl, "all")) {
		console_set_loglevel(LOG_DEBUG);
		return;
	}
	for (int i = 0; i < 4; i++) {
		if (!strcmp(opt_loglvl, names[i])) {
			console_set_loglevel(i);
			return;
		}
	}
	pr_warn("loglvl: unknown level '%s' (use error, warning, info, debug or all)\n",
		opt_loglvl);
}

/* Xen's syntax: "512M", or "max:512M", or "min:...,max:..." (we use max). */
static u64 parse_dom0_mem(void)
{
	const char *s = opt_dom0_mem;
	const char *max = NULL;
	u64 v;

	if (!*s)
		return 0;
	for (const char *p = s; *p; p++)
		if (!strncmp(p, "max:", 4))
			max = p + 4;
	if (max)
		s = max;
	else if (!strncmp(s, "min:", 4))
		s += 4;
	if (parse_size(s, &v, NULL) || v < (16ULL << 20)) {
		pr_warn("dom0_mem: '%s' is not a size of at least 16M (like dom0_mem=512M); using the default\n",
			opt_dom0_mem);
		return 0;
	}
	return v;
}

static void print_e820(void)
{
	static const char *const types[] = { "?", "RAM", "reserved", "ACPI data", "ACPI NVS",
					     "unusable" };

	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];

		pr_debug(" e820 %016llx-%016llx %s\n", e->addr, e->addr + e->size,
			 e->type < ARRAY_SIZE(types) ? types[e->type] : "other");
	}
	printk("memory map from %s: %u entries, %llu MiB RAM\n", boot_info.loader,
	       boot_info.nr_e820, e820_total_ram() >> 20);
}

static void init_allocator(void)
{
	if (page_alloc_init(mem_layout.free, mem_layout.nr_free))
		panic("memory: the hypervisor pool is too small for the allocator's own state");
	if (page_owner_init())
		panic("memory: no room for the page owner table");
	printk("memory: allocator has %llu MiB free\n",
	       (page_alloc_free_count() << PAGE_SHIFT) >> 20);
}

void cpu_secondary_init(void)
{
	svm_cpu_init();
}

void secondary_cpu_idle(void)
{
	scheduler_run();
}

static volatile u64 ticks;

static void timer_interrupt(struct cpu_regs *regs)
{
	(void)regs;
	ticks++;
	sched_timer_interrupt();
}

/* Prove the calibrated timer really interrupts us before relying on it. */
static void check_timer(void)
{
	u64 t0 = arch_now_ns();

	set_irq_handler(VECTOR_TIMER, timer_interrupt);
	lapic_timer_oneshot(1000000);
	local_irq_enable();
	while (!ticks && arch_now_ns() - t0 < 1000000000ULL)
		halt();
	local_irq_disable();
	if (!ticks)
		panic("apic: the local APIC timer does not interrupt");
	printk("apic: timer interrupt after %llu us (asked for 1000)\n", (arch_now_ns() - t0) / 1000);
}

static volatile unsigned int call_count;

static void count_call(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&call_count, 1, __ATOMIC_RELAXED);
}

static void check_cross_cpu_calls(void)
{
	local_irq_enable();
	smp_call_others(count_call, NULL);
	local_irq_disable();
	if (call_count != nr_cpus_online - 1)
		panic("smp: a cross-CPU call reached %u of %u other CPUs", call_count,
		      nr_cpus_online - 1);
	printk("smp: cross-CPU call reached all %u other CPU%s\n", call_count,
	       call_count == 1 ? "" : "s");
}

void start_keel(u32 magic, u32 info)
{
	const char *missing;
	unsigned int dom0_vcpus;

	console_init("com1");
	idt_init();
	percpu_area[0].cpu_id = 0;
	cpu_tables_init(&percpu_area[0]);

	if (bootinfo_parse(magic, info))
		panic("not started by a multiboot loader (magic %#x); boot Keel with GRUB's "
		      "multiboot2 or QEMU's -kernel", magic);
	keel_cmdline = cmdline_skip_image_name(boot_info.cmdline);
	cmdline_parse(keel_cmdline, keel_params, ARRAY_SIZE(keel_params));
	console_init(opt_console);
	apply_loglvl();
	printk("Keel %s, a Xen 4.17-compatible hypervisor (%s)\n", KEEL_VERSION, boot_info.loader);
	printk("command line: %s\n", keel_cmdline);

	missing = svm_check_support();
	if (missing) {
		pr_err("Keel cannot run: %s\n", missing);
		arch_machine_halt(KEEL_HALT_PANIC);
	}
	svm_print_features();

	print_e820();
	relocate_modules();
	plan_memory(parse_dom0_mem());
	init_allocator();
	cpu_tables_init(&percpu_area[0]); /* again, now with IST stacks */

	acpi_init();
	legacy_pic_disable();
	time_init();
	lapic_init();
	lapic_timer_calibrate();
	check_timer();
	svm_cpu_init();
	smp_boot_cpus(MIN(opt_max_cpus, (u64)MAX_CPUS));
	check_cross_cpu_calls();

	dom0_vcpus = opt_dom0_max_vcpus ? opt_dom0_max_vcpus : nr_cpus_possible;
	if (dom0_vcpus > nr_cpus_possible) {
		pr_warn("dom0_max_vcpus: %u asked, but dom0 vCPU n is pinned to CPU n and there are %u CPUs\n",
			dom0_vcpus, nr_cpus_possible);
		dom0_vcpus = nr_cpus_possible;
	}
	dom0_build(dom0_vcpus);
	printk("starting dom0\n");
	scheduler_run();
}
