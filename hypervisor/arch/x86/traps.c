// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor's IDT and trap handling: a fault in the hypervisor prints a
 * full register dump and stops; interrupts go to registered handlers.
 */
#include <keel/lib.h>
#include <asm/processor.h>
#include <asm/percpu.h>
#include <asm/traps.h>
#include <asm/apic.h>
#include <asm/vlapic.h>

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 zero;
} __packed;

extern const u64 trap_entry_table[256];
static struct idt_entry idt[256] __aligned(16);
static irq_handler_t irq_handlers[256];
volatile bool machine_stopping;

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
	"reserved 22", "reserved 23", "reserved 24", "reserved 25",
	"reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

static void set_gate(unsigned int vec, u64 handler, u8 ist)
{
	idt[vec].offset_lo = handler & 0xffff;
	idt[vec].selector = KEEL_CS;
	idt[vec].ist = ist;
	idt[vec].type_attr = 0x8e; /* present, DPL0, 64-bit interrupt gate */
	idt[vec].offset_mid = (handler >> 16) & 0xffff;
	idt[vec].offset_hi = handler >> 32;
	idt[vec].zero = 0;
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, trap_entry_table[v], 0);
	idt[2].ist = IST_NMI;
	idt[8].ist = IST_DF;
	idt[18].ist = IST_MC;
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __packed ptr = { sizeof(idt) - 1, (u64)(uintptr_t)idt };

	__asm__ volatile("lidt %0" ::"m"(ptr));
}

void set_irq_handler(unsigned int vector, irq_handler_t handler)
{
	irq_handlers[vector & 0xff] = handler;
}

void dump_cpu_regs(const struct cpu_regs *r)
{
	printk("RIP: %04llx:%016llx RFLAGS: %016llx\n", r->cs, r->rip, r->rflags);
	printk("RSP: %04llx:%016llx error code: %llx\n", r->ss, r->rsp, r->error_code);
	printk("RAX: %016llx RBX: %016llx RCX: %016llx\n", r->rax, r->rbx, r->rcx);
	printk("RDX: %016llx RSI: %016llx RDI: %016llx\n", r->rdx, r->rsi, r->rdi);
	printk("RBP: %016llx R8:  %016llx R9:  %016llx\n", r->rbp, r->r8, r->r9);
	printk("R10: %016llx R11: %016llx R12: %016llx\n", r->r10, r->r11, r->r12);
	printk("R13: %016llx R14: %016llx R15: %016llx\n", r->r13, r->r14, r->r15);
	printk("CR0: %016llx CR2: %016llx CR3: %016llx CR4: %016llx\n",
	       read_cr0(), read_cr2(), read_cr3(), read_cr4());
}

static void dump_stack_words(const struct cpu_regs *r)
{
	const u64 *sp = (const u64 *)(uintptr_t)r->rsp;

	/* Only follow a stack pointer that lies in the identity-mapped image. */
	if (r->rsp < 0x100000 || r->rsp > (1ULL << 32) || (r->rsp & 7))
		return;
	printk("Stack:");
	for (int i = 0; i < 16; i++)
		printk("%s%016llx", (i % 4) ? " " : "\n  ", sp[i]);
	printk("\n");
}

void do_trap(struct cpu_regs *regs)
{
	unsigned int vec = regs->vector;

	if (vec >= 32) {
		if (irq_handlers[vec]) {
			irq_handlers[vec](regs);
		} else if (vec < VECTOR_TIMER && this_cpu()->dom0_vcpu) {
			/* A device interrupt dom0 programmed. Through the IOAPIC
			 * or MSI it is in service here, and the physical EOI waits
			 * for dom0's; from dom0's 8259 (ExtINT on LINT0) it is not
			 * and needs no EOI at all. */
			if (lapic_in_service(vec))
				vlapic_set_irq(this_cpu()->dom0_vcpu, vec, true);
			else
				vlapic_extint(this_cpu()->dom0_vcpu, vec);
			return;
		}
		if (vec != VECTOR_SPURIOUS)
			lapic_eoi();
		return;
	}
	if (vec == 2) {
		/* NMIs only come from Keel itself, to stop CPUs at power-off */
		if (machine_stopping)
			for (;;)
				halt();
		pr_warn("NMI on CPU %u (ignored)\n", this_cpu()->cpu_id);
		return;
	}
	local_irq_disable();
	printk("\n*** Keel hypervisor fault on CPU %u: vector %u (%s) ***\n",
	       this_cpu()->cpu_id, vec, exception_names[vec]);
	dump_cpu_regs(regs);
	dump_stack_words(regs);
	panic("hypervisor fault: %s at RIP %#llx", exception_names[vec], regs->rip);
}
