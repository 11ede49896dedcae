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

/* asid_lock protects asid_used; a leaf lock. ASID 0 is the host's. */
static spinlock_t asid_lock = SPINLOCK_INIT;
static bool asid_used[MAX_DOMAINS + 1];

static int asid_alloc(u32 *asid)
{
	u32 limit = MIN((u32)ARRAY_SIZE(asid_used), svm_caps.nr_asids ? svm_caps.nr_asids : ~0U);
	int rc = -ENOSPC;

	spin_lock(&asid_lock);
	for (u32 a = 1; a < limit; a++) {
		if (!asid_used[a]) {
			asid_used[a] = true;
			*asid = a;
			rc = 0;
			break;
		}
	}
	spin_unlock(&asid_lock);
	return rc;
}

static void asid_free(u32 asid)
{
	spin_lock(&asid_lock);
	if (asid && asid < ARRAY_SIZE(asid_used))
		asid_used[asid] = false;
	spin_unlock(&asid_lock);
}

int arch_domain_create(struct domain *d)
{
	int rc;

	/* One ASID per domain, the same on every CPU. A reused ASID is safe:
	 * a CPU flushes whenever it runs a vCPU other than the last one. */
	rc = asid_alloc(&d->arch.asid);
	if (rc) {
		printk("d%u: no free ASID: this CPU has %u, one per domain\n", d->domid,
		       svm_caps.nr_asids);
		return rc;
	}
	rc = arch_p2m_init(d);
	if (rc)
		goto err_asid;
	rc = svm_domain_maps_init(d);
	if (rc)
		goto err_p2m;
	return 0;

err_p2m:
	arch_p2m_destroy(d);
err_asid:
	asid_free(d->arch.asid);
	return rc;
}

void arch_domain_destroy(struct domain *d)
{
	svm_domain_maps_free(d);
	arch_p2m_destroy(d);
	asid_free(d->arch.asid);
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
