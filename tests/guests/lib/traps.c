// SPDX-License-Identifier: MIT
/*
 * IDT and TSS of the test guests: an unexpected exception is an error of the
 * test (reported with its state), not a silent reboot.
 */
#include "guest.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};
_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));
_Static_assert(sizeof(struct tss64) == 104, "TSS size");

extern const uint8_t trap_stubs[];
extern const uint8_t probe_read_insn[], probe_read_fixup[];
extern void usermode_return(void);
extern uint64_t gdt[GDT_ENTRIES];

struct tss64 tss;
static struct idt_gate idt[256] __aligned(16);
volatile uint64_t probe_vector, probe_cr2;

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
	"#DF", "?",   "#TS", "#NP", "#SS", "#GP", "#PF", "?",
	"#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "?",   "?",
	"?",   "?",   "?",   "?",   "#HV", "#VC", "#SX", "?",
};

static void set_gate(unsigned int vec, void *handler, unsigned int dpl)
{
	uint64_t addr = (uint64_t)handler;

	idt[vec] = (struct idt_gate){
		.offset_lo = addr & 0xffff,
		.selector = GDT_KERNEL_CS,
		.type_attr = 0x80 | (dpl << 5) | 0xe, /* present, 64-bit interrupt gate */
		.offset_mid = (addr >> 16) & 0xffff,
		.offset_hi = addr >> 32,
	};
}

void traps_init(void)
{
	uint64_t base = (uint64_t)&tss;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };
	unsigned int vec;

	for (vec = 0; vec < 32; vec++)
		set_gate(vec, (void *)(trap_stubs + 16 * vec), 0);
	/* DPL 3 so that code at CPL 3 may "int" its way back (usermode.S). */
	set_gate(USER_RETURN_VECTOR, usermode_return, 3);
	asm volatile("lidt %0" ::"m"(idtr));

	/* 64-bit available TSS; no I/O bitmap (iomap_base past the limit). */
	tss.iomap_base = sizeof(tss);
	gdt[GDT_TSS / 8] = (sizeof(tss) - 1) | ((base & 0xffffff) << 16) |
			   (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	gdt[GDT_TSS / 8 + 1] = base >> 32;
	asm volatile("ltr %w0" ::"r"(GDT_TSS));
}

void trap_handler(struct trap_frame *f)
{
	if (f->rip == (uint64_t)probe_read_insn) {
		probe_vector = f->vector;
		probe_cr2 = f->vector == 14 ? read_cr2() : 0;
		f->rip = (uint64_t)probe_read_fixup;
		return;
	}
	printf("unexpected exception %llu (%s) error code %#llx at RIP %#llx "
	       "CS %#llx RFLAGS %#llx RSP %#llx CR2 %#llx\n",
	       (unsigned long long)f->vector, vector_names[f->vector & 31],
	       (unsigned long long)f->error_code, (unsigned long long)f->rip,
	       (unsigned long long)f->cs, (unsigned long long)f->rflags,
	       (unsigned long long)f->rsp, (unsigned long long)read_cr2());
	report(TEST_ERROR, "unexpected exception %s in the test",
	       vector_names[f->vector & 31]);
}
