/* SPDX-License-Identifier: MIT */
/* x86 instruction wrappers and segment/page layout shared by the test-guest runtime's C and asm. */
#ifndef GUEST_ARCH_H
#define GUEST_ARCH_H

/* GDT layout, also used by head.S and usermode.S (so: plain numbers only above the guard). */
#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_USER_DS 0x18
#define GDT_USER_CS 0x20
#define GDT_TSS 0x28
#define GDT_ENTRIES 7 /* the TSS descriptor takes two slots */

/* The gate user mode uses to come back to ring 0 (DPL 3, see usermode.S). */
#define USER_RETURN_VECTOR 0x80

#define PAGE_SIZE 4096

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	asm volatile("cpuid"
		     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
		     : "0"(leaf), "2"(subleaf));
	return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf)
{
	return cpuid_count(leaf, 0);
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	/* lfence: keep the read from drifting before the code it times. */
	asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val),
		     "d"((uint32_t)(val >> 32))
		     : "memory");
}

static inline void outb(uint16_t port, uint8_t val)
{
	asm volatile("outb %0, %1" ::"a"(val), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t val)
{
	asm volatile("outl %0, %1" ::"a"(val), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t val;

	asm volatile("inl %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void barrier(void)
{
	asm volatile("" ::: "memory");
}

/* The pvclock and wallclock version protocol needs loads ordered. */
static inline void rmb(void)
{
	asm volatile("lfence" ::: "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" ::: "memory");
}

#endif /* __ASSEMBLER__ */
#endif
