// SPDX-License-Identifier: MIT
/*
 * triple_fault: ud2 with an empty IDT (#UD -> #GP -> #DF -> shutdown). The
 * harness checks that the hypervisor reports it with the guest state printed
 * here first.
 */
#include "guest.h"

#define MSR_EFER 0xc0000080

extern const uint8_t triple_fault_rip[];

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 3)
		asm volatile("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		asm volatile("mov %%cr4, %0" : "=r"(v));
	else
		v = read_cr0();
	return v;
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

void test_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) empty_idt = { 0, 0 };

	printf("about to triple fault: RIP %p CR0 %#llx CR3 %#llx CR4 %#llx EFER %#llx\n",
	       triple_fault_rip, (unsigned long long)read_cr(0),
	       (unsigned long long)read_cr(3), (unsigned long long)read_cr(4),
	       (unsigned long long)rdmsr(MSR_EFER));
	asm volatile("lidt %0\n"
		     ".globl triple_fault_rip\n"
		     "triple_fault_rip:\n"
		     "ud2" ::"m"(empty_idt));
	report(TEST_FAILURE, "the guest ran on after a triple fault");
}
