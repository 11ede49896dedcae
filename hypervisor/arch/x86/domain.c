// SPDX-License-Identifier: GPL-2.0-only
/* x86 parts of domains and vCPUs: ASIDs, NPT, permission maps, pvclock, dumps. */
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/lib.h>
#include <keel/page.h>
#include <asm/processor.h>
#include <asm/percpu.h>
#include <asm/svm.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/vmexit.h>
#include <asm/apic.h>

int arch_domain_create(struct domain *d)
{
	int rc;

	/* One ASID per domain, the same on every CPU (a domain's vCPUs are
	 * pinned and each CPU flushes an ASID the first time it runs it). */
	d->arch.asid = d->domid + 1;
	if (svm_caps.nr_asids && d->arch.asid >= svm_caps.nr_asids)
		return -ENOSPC;
	rc = arch_p2m_init(d);
	if (rc)
		return rc;
	rc = svm_domain_maps_init(d);
	if (rc) {
		arch_p2m_destroy(d);
		return rc;
	}
	return 0;
}

void arch_domain_destroy(struct domain *d)
{
	svm_domain_maps_free(d);
	arch_p2m_destroy(d);
}

void arch_vcpu_dump(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	struct guest_regs *r = &v->arch.regs;

	pr_err("d%uv%u state: RIP %04x:%016llx RSP %016llx RFLAGS %08llx CPL %u\n",
	       v->domain->domid, v->vcpu_id, vmcb->save.cs.selector, vmcb->save.rip,
	       vmcb->save.rsp, vmcb->save.rflags, vmcb->save.cpl);
	pr_err("  CR0 %016llx CR2 %016llx CR3 %016llx CR4 %016llx\n", vmcb->save.cr0,
	       vmcb->save.cr2, vmcb->save.cr3, vmcb->save.cr4);
	pr_err("  EFER %016llx (guest view %016llx)\n", vmcb->save.efer,
	       vmcb->save.efer & ~(u64)EFER_SVME);
	pr_err("  exit code %#llx info1 %#llx info2 %#llx int_info %#llx\n",
	       vmcb->control.exit_code, vmcb->control.exit_info_1, vmcb->control.exit_info_2,
	       vmcb->control.exit_int_info);
	pr_err("  RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", vmcb->save.rax, r->rbx,
	       r->rcx, r->rdx);
	pr_err("  RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", r->rsi, r->rdi, r->rbp,
	       r->r8);
}

void arch_update_vcpu_time(struct vcpu *v)
{
	struct vcpu_time_info *t;
	u64 tsc;

	if (!v->vcpu_info)
		return;
	t = &v->vcpu_info->time;
	__atomic_store_n(&t->version, t->version + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	tsc = rdtsc();
	t->tsc_timestamp = tsc + v->arch.vmcb->control.tsc_offset;
	t->system_time = tsc_to_ns(tsc - tsc_at_boot);
	t->tsc_to_system_mul = tsc_to_ns_mul;
	t->tsc_shift = tsc_to_ns_shift;
	t->flags = tsc_invariant ? XEN_PVCLOCK_TSC_STABLE_BIT : 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&t->version, t->version + 1, __ATOMIC_RELEASE);
}

unsigned int arch_cpu_id(void)
{
	return this_cpu()->cpu_id;
}

unsigned int arch_nr_cpus(void)
{
	return nr_cpus_online;
}

u64 arch_cpu_khz(void)
{
	return tsc_khz;
}

void arch_idle(void)
{
	safe_halt();
	local_irq_disable();
}

void arch_timer_program(u64 deadline_ns)
{
	u64 now = arch_now_ns();

	lapic_timer_oneshot(deadline_ns > now ? deadline_ns - now : 1000);
}

void arch_irq_disable(void)
{
	local_irq_disable();
}

void arch_kick_cpu(unsigned int cpu)
{
	smp_send_kick(cpu);
}

void arch_cpu_relax(void)
{
	cpu_relax();
}

void arch_delay_ns(u64 ns)
{
	u64 end = rdtsc() + ns_to_tsc(ns);

	while (rdtsc() < end)
		cpu_relax();
}

void arch_debugcon_putc(char c)
{
	outb(0xe9, (u8)c);
}
