// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine power: ACPI S5 through the FADT's PM1 control registers, reset
 * through the FADT reset register, 0xCF9 or the keyboard controller. With
 * debug_exit=PORT (QEMU's isa-debug-exit) the outcome is also QEMU's exit
 * status: (code << 1) | 1, code being KEEL_EXIT_* / KEEL_HALT_*.
 */
#include <keel/lib.h>
#include <keel/arch.h>
#include <keel/setup.h>
#include <keel/page.h>
#include <asm/processor.h>
#include <asm/acpi.h>
#include <asm/percpu.h>
#include <asm/smp.h>
#include <asm/apic.h>
#include <asm/traps.h>

#define SLP_EN (1U << 13)

static void stop_this_cpu(void *unused)
{
	(void)unused;
	for (;;) {
		local_irq_disable();
		halt();
	}
}

static void debug_exit(unsigned int code)
{
	if (opt_debug_exit_port)
		outl((u16)opt_debug_exit_port, code);
}

static void stop_other_cpus(void)
{
	static bool stopping;

	if (__atomic_exchange_n(&stopping, true, __ATOMIC_SEQ_CST))
		return;
	machine_stopping = true;
	for (unsigned int c = 0; c < nr_cpus_possible; c++)
		if (c != arch_cpu_id() && percpu_area[c].online)
			lapic_send_nmi_stop(c);
}

void arch_machine_poweroff(void)
{
	local_irq_disable();
	stop_other_cpus();
	debug_exit(KEEL_EXIT_POWEROFF);
	if (acpi_info.have_s5 && acpi_info.pm1a_cnt) {
		u16 v = inw(acpi_info.pm1a_cnt) & ~(7U << 10);

		if (acpi_info.pm1b_cnt)
			outw(acpi_info.pm1b_cnt, v | (acpi_info.slp_typ_s5b << 10) | SLP_EN);
		outw(acpi_info.pm1a_cnt, v | (acpi_info.slp_typ_s5a << 10) | SLP_EN);
		arch_delay_ns(100000000ULL);
	}
	pr_err("power off through ACPI failed (no S5 in the firmware tables?); halting\n");
	stop_this_cpu(NULL);
	__builtin_unreachable();
}

void arch_machine_reboot(void)
{
	local_irq_disable();
	stop_other_cpus();
	debug_exit(KEEL_EXIT_REBOOT);
	if (acpi_info.have_reset_reg) {
		if (acpi_info.reset_reg.space_id == 1)
			outb((u16)acpi_info.reset_reg.address, acpi_info.reset_value);
		else if (acpi_info.reset_reg.space_id == 0)
			*(volatile u8 *)phys_to_virt(acpi_info.reset_reg.address) =
				acpi_info.reset_value;
		arch_delay_ns(50000000ULL);
	}
	outb(0xcf9, 0x02);
	outb(0xcf9, 0x06);
	arch_delay_ns(50000000ULL);
	outb(0x64, 0xfe);
	arch_delay_ns(50000000ULL);
	/* last resort: a triple fault resets every x86 machine */
	{
		struct {
			u16 limit;
			u64 base;
		} __packed null_idt = { 0, 0 };

		__asm__ volatile("lidt %0; int3" ::"m"(null_idt));
	}
	stop_this_cpu(NULL);
	__builtin_unreachable();
}

void arch_machine_halt(unsigned int why)
{
	local_irq_disable();
	stop_other_cpus();
	debug_exit(why);
	stop_this_cpu(NULL);
	__builtin_unreachable();
}
