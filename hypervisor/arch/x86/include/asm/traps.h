/* SPDX-License-Identifier: GPL-2.0-only */
/* Interrupt vectors the hypervisor owns and how handlers are registered. */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <asm/regs.h>

/* Keel uses only 0xF0-0xFE (ARCHITECTURE.md decision 3). */
#define VECTOR_TIMER 0xF0
#define VECTOR_CALL_FUNCTION 0xF1
#define VECTOR_KICK 0xF2
#define VECTOR_SPURIOUS 0xFF

typedef void (*irq_handler_t)(struct cpu_regs *regs);
void set_irq_handler(unsigned int vector, irq_handler_t handler);
void idt_init(void);
void idt_load(void);
void dump_cpu_regs(const struct cpu_regs *r);
/* Set when the machine goes down: NMIs then just stop the CPU they hit. */
extern volatile bool machine_stopping;

#endif
