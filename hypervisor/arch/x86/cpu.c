// SPDX-License-Identifier: GPL-2.0-only
/* Per-CPU descriptor tables: a GDT with this CPU's TSS, IST stacks, GS base. */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <asm/smp.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/traps.h>

struct percpu percpu_area[MAX_CPUS];
unsigned int nr_cpus_online;
unsigned int nr_cpus_possible = 1;

extern u64 boot_gdt[4];

u64 cpu_alloc_stack(void)
{
	/* 16 KiB stacks: order 2 */
	paddr_t pa = alloc_pages(2);

	if (pa == PADDR_INVALID)
		panic("cpu: out of memory for stacks");
	return (u64)(uintptr_t)phys_to_virt(pa) + 4 * PAGE_SIZE;
}

void cpu_tables_init(struct percpu *pc)
{
	u64 tss = (u64)(uintptr_t)&pc->tss;
	struct {
		u16 limit;
		u64 base;
	} __packed gdtr;

	pc->self = pc;
	memcpy(pc->gdt, boot_gdt, sizeof(boot_gdt));
	/* 64-bit available TSS descriptor occupies two slots */
	pc->gdt[4] = (sizeof(struct tss64) - 1) | ((tss & 0xffffff) << 16) |
		     (0x89ULL << 40) | (((tss >> 24) & 0xff) << 56);
	pc->gdt[5] = tss >> 32;
	memset(&pc->tss, 0, sizeof(pc->tss));
	pc->tss.iomap_base = sizeof(struct tss64);
	if (page_alloc_total_count()) {
		for (int i = 0; i < NR_IST; i++)
			pc->tss.ist[i] = cpu_alloc_stack();
	}

	gdtr.limit = sizeof(pc->gdt) - 1;
	gdtr.base = (u64)(uintptr_t)pc->gdt;
	__asm__ volatile("lgdt %0" ::"m"(gdtr));
	__asm__ volatile("ltr %w0" ::"r"(KEEL_TSS));
	idt_load();
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
