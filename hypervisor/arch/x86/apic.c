// SPDX-License-Identifier: GPL-2.0-only
/* The physical local APIC in xAPIC mode: EOI, IPIs, INIT/SIPI, one-shot timer. */
#include <keel/lib.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <asm/apic.h>
#include <asm/time.h>
#include <asm/traps.h>
#include <asm/percpu.h>

#define APIC_ID 0x20
#define APIC_EOI 0xb0
#define APIC_SVR 0xf0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define ICR_BUSY (1 << 12)
#define LVT_MASKED (1 << 16)

static volatile u8 *apic_base = (volatile u8 *)(uintptr_t)APIC_DEFAULT_BASE;
static u64 apic_timer_khz; /* timer ticks per ms at divide-by-1 */

static inline u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(apic_base + reg);
}

static inline void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(apic_base + reg) = v;
}

void lapic_init(void)
{
	u64 base = rdmsr(MSR_IA32_APICBASE);

	/* xAPIC mode, enabled, at the architectural address. */
	base &= ~APICBASE_X2APIC;
	wrmsr(MSR_IA32_APICBASE, base | APICBASE_ENABLE);
	apic_base = (volatile u8 *)(uintptr_t)(base & ~0xfffULL);
	apic_write(APIC_SVR, 0x100 | VECTOR_SPURIOUS);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	apic_write(APIC_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_TIMER_DIV, 0xb); /* divide by 1 */
}

u32 lapic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

bool lapic_in_service(u8 vector)
{
	return apic_read(0x100 + (vector / 32) * 0x10) & (1U << (vector % 32));
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static void icr_send(u32 apic_id, u32 lo)
{
	while (apic_read(APIC_ICR_LO) & ICR_BUSY)
		cpu_relax();
	apic_write(APIC_ICR_HI, apic_id << 24);
	apic_write(APIC_ICR_LO, lo);
}

void lapic_send_ipi(u32 apic_id, u8 vector)
{
	icr_send(apic_id, vector); /* fixed, physical, edge */
}

void lapic_send_init(u32 apic_id)
{
	icr_send(apic_id, 0x4500); /* INIT, assert, level */
}

void lapic_send_sipi(u32 apic_id, u8 page)
{
	icr_send(apic_id, 0x4600 | page);
}

void lapic_timer_calibrate(void)
{
	u64 t0, t1;
	u32 c1;

	apic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	t0 = rdtsc();
	do {
		t1 = rdtsc();
	} while (t1 - t0 < tsc_khz * 10); /* 10 ms */
	c1 = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	apic_timer_khz = (0xffffffffULL - c1) / 10;
	if (!apic_timer_khz)
		apic_timer_khz = 1;
	printk("apic: timer %llu kHz\n", apic_timer_khz);
}

void lapic_timer_oneshot(u64 ns)
{
	u64 ticks = ns * apic_timer_khz / 1000000;

	if (!ticks)
		ticks = 1;
	if (ticks > 0xffffffffULL)
		ticks = 0xffffffffULL;
	apic_write(APIC_LVT_TIMER, VECTOR_TIMER); /* one-shot, unmasked */
	apic_write(APIC_TIMER_INIT, (u32)ticks);
}

void lapic_timer_periodic(u64 ns)
{
	u64 ticks = ns * apic_timer_khz / 1000000;

	apic_write(APIC_LVT_TIMER, (1 << 17) | VECTOR_TIMER); /* periodic */
	apic_write(APIC_TIMER_INIT, (u32)MIN(MAX(ticks, 1ULL), 0xffffffffULL));
}

void lapic_timer_stop(void)
{
	apic_write(APIC_TIMER_INIT, 0);
}

/* Stop a CPU for good, even one spinning with interrupts off: an NMI. */
void lapic_send_nmi_stop(unsigned int cpu)
{
	icr_send(percpu_area[cpu].apic_id, 0x400 | 0x4000); /* NMI, assert */
}

/*
 * The legacy 8259 PICs start out delivering IRQ 0 on vector 8, where the
 * CPU reports double faults. Move them to 0x20-0x2f and mask every line;
 * the hypervisor takes no legacy interrupts (dom0 may program them later).
 */
void legacy_pic_disable(void)
{
	outb(0x20, 0x11); /* ICW1: init, ICW4 follows */
	outb(0xa0, 0x11);
	outb(0x21, 0x20); /* ICW2: vector base */
	outb(0xa1, 0x28);
	outb(0x21, 0x04); /* ICW3: slave on IRQ 2 */
	outb(0xa1, 0x02);
	outb(0x21, 0x01); /* ICW4: 8086 mode */
	outb(0xa1, 0x01);
	outb(0x21, 0xff); /* mask all */
	outb(0xa1, 0xff);
}
