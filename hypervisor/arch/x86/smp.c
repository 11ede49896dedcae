// SPDX-License-Identifier: GPL-2.0-only
/*
 * SMP: start every CPU the MADT lists (INIT-SIPI-SIPI through the low-memory
 * trampoline), and cross-CPU function calls over an IPI.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/spinlock.h>
#include <asm/processor.h>
#include <asm/percpu.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/traps.h>
#include <asm/smp.h>
#include <asm/time.h>

extern const u8 trampoline_start[], trampoline_end[];
extern u64 trampoline_cr3, trampoline_stack, trampoline_entry;

static volatile unsigned int ap_booting_cpu;

/* call_lock serialises cross-CPU calls; it nests inside no other lock. */
static spinlock_t call_lock = SPINLOCK_INIT;
static void (*volatile call_fn)(void *);
static void *volatile call_arg;
static volatile unsigned int call_pending;

static void call_function_interrupt(struct cpu_regs *regs)
{
	(void)regs;
	call_fn(call_arg);
	__atomic_fetch_sub(&call_pending, 1, __ATOMIC_RELEASE);
}

void smp_call_others(void (*fn)(void *), void *arg)
{
	spin_lock(&call_lock);
	call_fn = fn;
	call_arg = arg;
	call_pending = 0;
	for (unsigned int c = 0; c < nr_cpus_possible; c++) {
		if (c == smp_processor_id() || !percpu_area[c].online)
			continue;
		__atomic_fetch_add(&call_pending, 1, __ATOMIC_ACQUIRE);
		lapic_send_ipi(percpu_area[c].apic_id, VECTOR_CALL_FUNCTION);
	}
	while (__atomic_load_n(&call_pending, __ATOMIC_ACQUIRE))
		cpu_relax();
	spin_unlock(&call_lock);
}

void smp_send_kick(unsigned int cpu)
{
	if (cpu != smp_processor_id() && percpu_area[cpu].online)
		lapic_send_ipi(percpu_area[cpu].apic_id, VECTOR_KICK);
}

static void kick_interrupt(struct cpu_regs *regs)
{
	(void)regs; /* the interrupt itself ends HLT or forces a #VMEXIT */
}

void __attribute__((noreturn)) ap_entry64(void)
{
	struct percpu *pc = &percpu_area[ap_booting_cpu];

	cpu_tables_init(pc);
	lapic_init();
	cpu_secondary_init();
	pc->online = true;
	__atomic_fetch_add(&nr_cpus_online, 1, __ATOMIC_RELEASE);
	secondary_cpu_idle();
}

static bool wait_online(struct percpu *pc, u64 us)
{
	u64 end = rdtsc() + tsc_khz * us / 1000;

	while (rdtsc() < end)
		if (READ_ONCE(pc->online))
			return true;
	return READ_ONCE(pc->online);
}

static void udelay(u64 us)
{
	u64 end = rdtsc() + tsc_khz * us / 1000;

	while (rdtsc() < end)
		cpu_relax();
}

void smp_boot_cpus(unsigned int max_cpus)
{
	u32 my_apic = lapic_id();
	unsigned int next = 1;

	set_irq_handler(VECTOR_CALL_FUNCTION, call_function_interrupt);
	set_irq_handler(VECTOR_KICK, kick_interrupt);
	percpu_area[0].apic_id = my_apic;
	percpu_area[0].online = true;
	nr_cpus_online = 1;

	memcpy(phys_to_virt(TRAMPOLINE_BASE), trampoline_start,
	       trampoline_end - trampoline_start);
	*(u64 *)phys_to_virt(TRAMPOLINE_BASE + ((u8 *)&trampoline_cr3 - trampoline_start)) =
		read_cr3();
	*(u64 *)phys_to_virt(TRAMPOLINE_BASE + ((u8 *)&trampoline_entry - trampoline_start)) =
		(u64)(uintptr_t)ap_entry64;

	for (unsigned int i = 0; i < acpi_info.nr_cpus; i++) {
		u32 apic = acpi_info.cpu_apic_id[i];
		struct percpu *pc;

		if (apic == my_apic)
			continue;
		if (next >= max_cpus) {
			printk("smp: CPU with APIC ID %u not started (limit %u)\n", apic, max_cpus);
			continue;
		}
		pc = &percpu_area[next];
		pc->cpu_id = next;
		pc->apic_id = apic;
		pc->stack_top = cpu_alloc_stack();
		*(u64 *)phys_to_virt(TRAMPOLINE_BASE +
				     ((u8 *)&trampoline_stack - trampoline_start)) = pc->stack_top;
		ap_booting_cpu = next;
		smp_mb();
		lapic_send_init(apic);
		udelay(10000);
		lapic_send_sipi(apic, TRAMPOLINE_BASE >> 12);
		if (!wait_online(pc, 200000)) {
			lapic_send_sipi(apic, TRAMPOLINE_BASE >> 12);
			if (!wait_online(pc, 1000000)) {
				pr_err("smp: CPU with APIC ID %u did not come up\n", apic);
				continue;
			}
		}
		next++;
	}
	nr_cpus_possible = next;
	printk("smp: %u CPU%s online\n", nr_cpus_online, nr_cpus_online > 1 ? "s" : "");
}
