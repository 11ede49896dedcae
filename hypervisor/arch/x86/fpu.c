// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest FPU/SSE/AVX state. VMRUN does not switch it, and guests set XCR0
 * themselves (XSETBV is not intercepted), so when a CPU changes from one
 * vCPU to another the hypervisor saves the old vCPU's registers and XCR0 and
 * loads the new one's. The hypervisor itself never touches these registers
 * (it is built without SSE).
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <asm/fpu.h>
#include <asm/percpu.h>
#include <asm/processor.h>

#define CPUID1_ECX_XSAVE (1U << 26)
#define FXSAVE_FCW 0
#define FXSAVE_MXCSR 24

static bool have_xsave;

static u64 xgetbv0(void)
{
	u32 lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((u64)hi << 32) | lo;
}

static void xsetbv0(u64 v)
{
	__asm__ volatile("xsetbv" ::"a"((u32)v), "d"((u32)(v >> 32)), "c"(0) : "memory");
}

void fpu_cpu_init(void)
{
	struct cpuid_regs r;
	u64 cr4 = read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	cpuid_count(1, 0, &r);
	have_xsave = r.ecx & CPUID1_ECX_XSAVE;
	if (have_xsave) {
		cpuid_count(0xd, 0, &r);
		/* every component the CPU has must fit the one page each vCPU gets */
		if (r.ecx > PAGE_SIZE)
			panic("fpu: XSAVE area of %u bytes does not fit a page", r.ecx);
		cr4 |= X86_CR4_OSXSAVE;
	}
	write_cr4(cr4);
}

int fpu_vcpu_init(struct vcpu *v)
{
	u8 *area = alloc_page();

	if (!area)
		return -1;
	/* the reset values of FCW and MXCSR; every other register starts at 0 */
	*(u16 *)(area + FXSAVE_FCW) = 0x37f;
	*(u32 *)(area + FXSAVE_MXCSR) = 0x1f80;
	v->arch.fpu_area = area;
	v->arch.xcr0 = 1; /* x87 only, as after reset */
	return 0;
}

void fpu_vcpu_destroy(struct vcpu *v)
{
	/* No CPU may skip loading a later vCPU that reuses this address. */
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		struct vcpu *expected = v;

		__atomic_compare_exchange_n(&percpu_area[c].fpu_owner, &expected, NULL, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
	free_page(v->arch.fpu_area);
	v->arch.fpu_area = NULL;
}

void fpu_load(struct vcpu *v)
{
	struct percpu *pc = this_cpu();

	if (__atomic_load_n(&pc->fpu_owner, __ATOMIC_ACQUIRE) == v && v->arch.fpu_cpu == pc->cpu_id)
		return; /* nothing ran here, nor v elsewhere, since its registers were saved */
	if (have_xsave) {
		xsetbv0(v->arch.xcr0);
		__asm__ volatile("xrstor64 %0" ::"m"(*(u8 *)v->arch.fpu_area), "a"(~0U), "d"(~0U)
				 : "memory");
	} else {
		__asm__ volatile("fxrstor64 %0" ::"m"(*(u8 *)v->arch.fpu_area) : "memory");
	}
	v->arch.fpu_cpu = pc->cpu_id;
	__atomic_store_n(&pc->fpu_owner, v, __ATOMIC_RELEASE);
}

void fpu_save(struct vcpu *v)
{
	if (have_xsave) {
		v->arch.xcr0 = xgetbv0();
		__asm__ volatile("xsave64 %0" : "=m"(*(u8 *)v->arch.fpu_area) : "a"(~0U), "d"(~0U)
				 : "memory");
	} else {
		__asm__ volatile("fxsave64 %0" : "=m"(*(u8 *)v->arch.fpu_area)::"memory");
	}
}
