// SPDX-License-Identifier: GPL-2.0-only
/*
 * AMD SVM: feature detection, enabling SVM on each CPU, the VMCB of a PVH
 * vCPU, and the VMRUN loop.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/domain.h>
#include <keel/sched.h>
#include <keel/errno.h>
#include <keel/arch.h>
#include <asm/processor.h>
#include <asm/msr.h>
#include <asm/percpu.h>
#include <asm/fpu.h>
#include <asm/svm.h>
#include <asm/vmexit.h>
#include <asm/acpi.h>
#include <public/hvm/params.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include <asm/vlapic.h>
#include <asm/smp.h>
#include <keel/guest_access.h>

struct svm_caps svm_caps;

static const char *const feature_names[] = {
	[0] = "NPT", [1] = "LBRV", [2] = "SVM-lock", [3] = "NRIPS",
	[4] = "TSC-rate", [5] = "VMCB-clean", [6] = "flush-by-ASID",
	[7] = "decode-assists", [10] = "pause-filter", [12] = "pause-threshold",
	[13] = "AVIC", [15] = "VMSAVE-virt", [16] = "vGIF",
};

const char *svm_check_support(void)
{
	struct cpuid_regs r;

	cpuid_count(0x80000000, 0, &r);
	if (r.eax < 0x8000000a)
		return "this CPU has no AMD SVM (AMD-V) support (no CPUID leaf 0x8000000A); "
		       "Keel needs an AMD CPU with SVM and nested paging (QEMU: -cpu EPYC)";
	cpuid_count(0x80000001, 0, &r);
	if (!(r.ecx & (1U << 2)))
		return "this CPU has no AMD SVM (AMD-V) support (CPUID 0x80000001 ECX.SVM = 0); "
		       "Keel needs an AMD CPU with SVM and nested paging (QEMU: -cpu EPYC)";
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return "SVM is disabled by the firmware (VM_CR.SVMDIS = 1); enable "
		       "virtualization (SVM mode) in the BIOS setup";
	cpuid_count(0x8000000a, 0, &r);
	if (!(r.edx & SVM_FEATURE_NPT))
		return "this CPU has SVM but no nested paging (NPT); Keel needs NPT";
	svm_caps.features = r.edx;
	svm_caps.nr_asids = r.ebx;
	svm_caps.revision = r.eax & 0xff;
	return NULL;
}

void svm_print_features(void)
{
	char have[256] = "", missing[256] = "";
	static const unsigned int wanted[] = { 0, 3, 5, 6, 7, 10, 16 };

	for (unsigned int i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (!feature_names[i])
			continue;
		if (svm_caps.features & (1U << i)) {
			strlcpy(have + strlen(have), " ", sizeof(have) - strlen(have));
			strlcpy(have + strlen(have), feature_names[i], sizeof(have) - strlen(have));
		}
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(wanted); i++) {
		if (svm_caps.features & (1U << wanted[i]))
			continue;
		strlcpy(missing + strlen(missing), " ", sizeof(missing) - strlen(missing));
		strlcpy(missing + strlen(missing), feature_names[wanted[i]],
			sizeof(missing) - strlen(missing));
	}
	printk("svm: revision %u, %u ASIDs, features:%s\n", svm_caps.revision,
	       svm_caps.nr_asids, have);
	if (missing[0])
		printk("svm: not available (handled in software):%s\n", missing);
}

void svm_cpu_init(void)
{
	struct percpu *pc = this_cpu();
	paddr_t hsave = alloc_pages(0), host = alloc_pages(0);

	if (hsave == PADDR_INVALID || host == PADDR_INVALID)
		panic("svm: out of memory for the host save areas");
	memset(phys_to_virt(hsave), 0, PAGE_SIZE);
	memset(phys_to_virt(host), 0, PAGE_SIZE);
	pc->hsave_pa = hsave;
	pc->host_vmcb_pa = host;
	pc->next_asid = 1;
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	fpu_cpu_init();
}

/* ---- I/O and MSR permission maps ---- */

static void bitmap_set(u8 *map, unsigned int bit, bool on)
{
	if (on)
		map[bit / 8] |= 1 << (bit % 8);
	else
		map[bit / 8] &= ~(1 << (bit % 8));
}

void svm_iopm_trap_port(u8 *iopm, u16 port, unsigned int count)
{
	for (unsigned int i = 0; i < count; i++)
		bitmap_set(iopm, port + i, true);
}

static int msrpm_bit(u32 msr)
{
	if (msr < 0x2000)
		return msr * 2;
	if (msr >= 0xc0000000 && msr < 0xc0002000)
		return 0x800 * 8 + (msr - 0xc0000000) * 2;
	if (msr >= 0xc0010000 && msr < 0xc0012000)
		return 0x1000 * 8 + (msr - 0xc0010000) * 2;
	return -1;
}

static void msrpm_pass(u8 *msrpm, u32 msr, bool read, bool write)
{
	int bit = msrpm_bit(msr);

	if (bit < 0)
		return;
	bitmap_set(msrpm, bit, !read);
	bitmap_set(msrpm, bit + 1, !write);
}

/*
 * The MSRs the VMCB swaps on VMLOAD/VMSAVE go straight to the guest; every
 * other MSR is emulated (msr.c).
 */
static void msrpm_init(u8 *msrpm)
{
	static const u32 direct[] = {
		MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR,
		MSR_CSTAR, MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP,
	};

	memset(msrpm, 0xff, 2 * PAGE_SIZE);
	for (unsigned int i = 0; i < ARRAY_SIZE(direct); i++)
		msrpm_pass(msrpm, direct[i], true, true);
	msrpm_pass(msrpm, MSR_IA32_TSC, true, false);
}

int svm_domain_maps_init(struct domain *d)
{
	paddr_t iopm = alloc_pages(2), msrpm = alloc_pages(1);

	if (iopm == PADDR_INVALID || msrpm == PADDR_INVALID)
		goto err_nomem;
	d->arch.iopm_pa = iopm;
	d->arch.msrpm_pa = msrpm;
	msrpm_init(phys_to_virt(msrpm));
	if (d->is_privileged) {
		/* dom0 owns the machine's ports except the ones we keep or trap. */
		u8 *map = phys_to_virt(iopm);

		memset(map, 0, 4 * PAGE_SIZE);
		svm_iopm_trap_port(map, 0xe9, 1);
		svm_iopm_trap_port(map, 0x3f8, 8);
		svm_iopm_trap_port(map, 0x2f8, 8);
		svm_iopm_trap_port(map, 0xcf9, 1);
		svm_iopm_trap_port(map, 0x64, 1);
		if (acpi_info.pm1a_cnt)
			svm_iopm_trap_port(map, acpi_info.pm1a_cnt, 2);
		if (acpi_info.pm1b_cnt)
			svm_iopm_trap_port(map, acpi_info.pm1b_cnt, 2);
		if (acpi_info.have_reset_reg && acpi_info.reset_reg.space_id == 1)
			svm_iopm_trap_port(map, acpi_info.reset_reg.address, 1);
	} else {
		memset(phys_to_virt(iopm), 0xff, 4 * PAGE_SIZE);
	}
	return 0;

err_nomem:
	if (iopm != PADDR_INVALID)
		free_pages(iopm, 2);
	if (msrpm != PADDR_INVALID)
		free_pages(msrpm, 1);
	return -ENOMEM;
}

void svm_domain_maps_free(struct domain *d)
{
	if (d->arch.iopm_pa)
		free_pages(d->arch.iopm_pa, 2);
	if (d->arch.msrpm_pa)
		free_pages(d->arch.msrpm_pa, 1);
}

/* ---- VMCB ---- */

static void seg_set(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit, u64 base)
{
	s->selector = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

int arch_vcpu_create(struct vcpu *v)
{
	struct domain *d = v->domain;
	paddr_t pa = alloc_pages(0);
	struct vmcb *vmcb;

	if (pa == PADDR_INVALID)
		return -ENOMEM;
	vmcb = phys_to_virt(pa);
	memset(vmcb, 0, PAGE_SIZE);
	v->arch.vmcb = vmcb;
	v->arch.vmcb_pa = pa;

	vmcb->control.intercept_misc1 = INTERCEPT_INTR | INTERCEPT_NMI | INTERCEPT_SMI |
					INTERCEPT_CPUID | INTERCEPT_INVD | INTERCEPT_HLT |
					INTERCEPT_INVLPGA | INTERCEPT_IOIO_PROT |
					INTERCEPT_MSR_PROT | INTERCEPT_TASK_SWITCH |
					INTERCEPT_SHUTDOWN;
	vmcb->control.intercept_misc2 = INTERCEPT_VMRUN | INTERCEPT_VMMCALL | INTERCEPT_VMLOAD |
					INTERCEPT_VMSAVE | INTERCEPT_STGI | INTERCEPT_CLGI |
					INTERCEPT_SKINIT | INTERCEPT_ICEBP |
					INTERCEPT_MONITOR | INTERCEPT_MWAIT;
	vmcb->control.iopm_base_pa = d->arch.iopm_pa;
	vmcb->control.msrpm_base_pa = d->arch.msrpm_pa;
	vmcb->control.asid = d->arch.asid;
	vmcb->control.tlb_control = TLB_CONTROL_FLUSH_GUEST;
	vmcb->control.int_ctl = V_INTR_MASKING;
	vmcb->control.np_enable = 1;
	vmcb->control.n_cr3 = d->arch.npt_root;
	vmcb->control.tsc_offset = 0;

	/* The architectural reset state; the domain builder sets the entry. */
	seg_set(&vmcb->save.cs, 0xf000, 0x9b, 0xffff, 0xffff0000);
	seg_set(&vmcb->save.ds, 0, 0x93, 0xffff, 0);
	vmcb->save.es = vmcb->save.ss = vmcb->save.fs = vmcb->save.gs = vmcb->save.ds;
	seg_set(&vmcb->save.gdtr, 0, 0, 0xffff, 0);
	vmcb->save.idtr = vmcb->save.gdtr;
	seg_set(&vmcb->save.ldtr, 0, 0x82, 0xffff, 0);
	seg_set(&vmcb->save.tr, 0, 0x8b, 0xffff, 0);
	vmcb->save.cr0 = X86_CR0_ET | X86_CR0_CD | X86_CR0_NW;
	vmcb->save.efer = EFER_SVME;
	vmcb->save.rflags = 2;
	vmcb->save.rip = 0xfff0;
	vmcb->save.dr6 = 0xffff0ff0;
	vmcb->save.dr7 = 0x400;
	vmcb->save.g_pat = 0x0007040600070406ULL;
	v->arch.msr_pat = vmcb->save.g_pat;
	v->arch.guest_efer = 0;
	v->arch.mtrr_def_type = 0xc06; /* MTRRs enabled, fixed enabled, WB */
	/* x2APIC enabled from the start, so the guest never touches xAPIC MMIO */
	v->arch.apic_base = APIC_DEFAULT_BASE | APICBASE_ENABLE | APICBASE_X2APIC |
			    (v->vcpu_id == 0 ? APICBASE_BSP : 0);
	/* APIC ID = vCPU id, as the toolstack's MADT says (dom0's are set later) */
	vlapic_init(v, v->vcpu_id);
	v->arch.virq_vector = -1;
	if (fpu_vcpu_init(v)) {
		free_pages(pa, 0);
		v->arch.vmcb = NULL;
		return -ENOMEM;
	}
	return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
	if (v->arch.fpu_area)
		fpu_vcpu_destroy(v);
	if (v->arch.vmcb)
		free_pages(v->arch.vmcb_pa, 0);
	v->arch.vmcb = NULL;
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		struct vcpu *expected = v;

		__atomic_compare_exchange_n(&percpu_area[c].last_vcpu, &expected, NULL, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	}
}

/* PVH start state (xen-pvh-abi.md §1.2): 32-bit flat protected mode, no paging. */
void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx)
{
	struct vmcb *vmcb = v->arch.vmcb;

	seg_set(&vmcb->save.cs, 0x10, 0xc9b, 0xffffffff, 0);
	seg_set(&vmcb->save.ds, 0x18, 0xc93, 0xffffffff, 0);
	vmcb->save.es = vmcb->save.ss = vmcb->save.fs = vmcb->save.gs = vmcb->save.ds;
	seg_set(&vmcb->save.tr, 0x20, 0x8b, 0x67, 0);
	vmcb->save.cr0 = X86_CR0_PE | X86_CR0_ET;
	vmcb->save.cr3 = 0;
	vmcb->save.cr4 = 0;
	vmcb->save.efer = EFER_SVME;
	v->arch.guest_efer = 0;
	vmcb->save.rflags = 2;
	vmcb->save.rip = entry;
	vmcb->save.rsp = 0;
	vmcb->save.rax = 0;
	vmcb->save.cpl = 0;
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	v->arch.regs.rbx = ebx;
}

/* What inject_pending() sets to offer an interrupt through V_IRQ. */
#define V_IRQ_REQUEST (V_IRQ | V_IGN_TPR | (0xfU << V_INTR_PRIO_SHIFT))

/* An AP after INIT-SIPI: real mode at vector:0000 (xen-pvh-abi.md §6.1). */
void arch_vcpu_set_real_mode_entry(struct vcpu *v, u8 vector)
{
	struct vmcb *vmcb = v->arch.vmcb;

	seg_set(&vmcb->save.cs, (u16)vector << 8, 0x9b, 0xffff, (u64)vector << 12);
	seg_set(&vmcb->save.ds, 0, 0x93, 0xffff, 0);
	vmcb->save.es = vmcb->save.ss = vmcb->save.fs = vmcb->save.gs = vmcb->save.ds;
	seg_set(&vmcb->save.gdtr, 0, 0, 0xffff, 0);
	vmcb->save.idtr = vmcb->save.gdtr;
	seg_set(&vmcb->save.ldtr, 0, 0x82, 0xffff, 0);
	seg_set(&vmcb->save.tr, 0, 0x8b, 0xffff, 0);
	vmcb->save.cr0 = X86_CR0_ET;
	vmcb->save.cr3 = 0;
	vmcb->save.cr4 = 0;
	vmcb->save.efer = EFER_SVME;
	vmcb->save.rflags = 2;
	vmcb->save.rip = 0;
	vmcb->save.rsp = 0;
	vmcb->save.rax = 0;
	vmcb->save.cpl = 0;
	memset(&v->arch.regs, 0, sizeof(v->arch.regs));
	vmcb->control.tlb_control = TLB_CONTROL_FLUSH_GUEST;
	/* A CPU started again (taken offline, then INIT and STARTUP) keeps
	 * nothing of its last life: no event half-delivered, no interrupt
	 * offered, no long mode in its EFER. */
	vmcb->control.event_inj = 0;
	vmcb->control.exit_int_info = 0;
	vmcb->control.int_ctl &= ~V_IRQ_REQUEST;
	vmcb->control.intercept_misc1 &= ~INTERCEPT_VINTR;
	v->arch.virq_vector = -1;
	v->arch.guest_efer = 0;
}

/* The event-channel upcall vector, if the guest asked for one and it is due. */
static int upcall_vector(struct vcpu *v)
{
	u64 cb = v->domain->hvm_params[HVM_PARAM_CALLBACK_IRQ];

	if ((cb >> HVM_PARAM_CALLBACK_TYPE_SHIFT) != HVM_PARAM_CALLBACK_TYPE_VECTOR)
		return -1;
	if (!v->vcpu_info || !READ_ONCE(v->vcpu_info->evtchn_upcall_pending))
		return -1;
	return cb & 0xff;
}

bool arch_vcpu_has_nmi(struct vcpu *v)
{
	return READ_ONCE(v->arch.vlapic.nmi_pending);
}

bool arch_vcpu_has_pending_event(struct vcpu *v)
{
	return upcall_vector(v) >= 0 || vlapic_pending_vector(v) >= 0 ||
	       vlapic_take_extint(v, false) >= 0 || v->arch.vlapic.nmi_pending;
}

/*
 * Interrupts reach the guest as a virtual interrupt (V_IRQ with the vector in
 * int_vector), which the CPU delivers when the guest's RFLAGS.IF allows it,
 * and never through EVENTINJ. QEMU's TCG (7.2) delivers an EVENTINJ
 * interrupt inside VMRUN but leaves the vector behind in its pending-
 * exception slot (helper_vmrun sets cs->exception_index and never clears it);
 * if the vCPU is then asked to stop (QEMU's round-robin kick between CPUs, an
 * IPI from the other CPU, an I/O event) before anything overwrites the slot,
 * QEMU delivers the vector a second time, on the handler's first instruction
 * with IF=0. Linux then runs the nested handler as if from kernel mode: no
 * SWAPGS, user GS base, recursive page faults on the per-CPU area. V_IRQ
 * goes through QEMU's ordinary interrupt path, which delivers once.
 * NMIs and exceptions keep EVENTINJ: QEMU delivers those through its
 * exception path, which clears the slot.
 */
enum { VIRQ_LAPIC = 1, VIRQ_UPCALL, VIRQ_EXTINT };

#define EVENTINJ_TYPE_MASK (7ULL << 8)
#define EVENTINJ_TYPE_SOFT_INT (4ULL << 8)

/*
 * Right after #VMEXIT: did the guest take the interrupt offered at entry?
 * The CPU clears V_IRQ when it delivers it. A delivery cut short by the exit
 * (EXITINTINFO names the vector; QEMU records it as an exception) never
 * reached the guest either: the vector goes back to pending and is offered
 * again, which is what re-injecting it would achieve.
 */
static void virq_settle(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	int vec = v->arch.virq_vector;
	u64 info = vmcb->control.exit_int_info;
	bool taken = !(vmcb->control.int_ctl & V_IRQ);

	if (vec < 0)
		return;
	if ((info & EVENTINJ_VALID) && (info & 0xff) == (u64)vec &&
	    ((info & EVENTINJ_TYPE_MASK) == EVENTINJ_TYPE_INTR ||
	     (info & EVENTINJ_TYPE_MASK) == EVENTINJ_TYPE_EXCEPTION)) {
		vmcb->control.exit_int_info = 0;
		taken = false;
	}
	if (!taken) {
		if (v->arch.virq_source == VIRQ_LAPIC)
			vlapic_unack(v, (u8)vec);
		else if (v->arch.virq_source == VIRQ_EXTINT)
			vlapic_untake_extint(v, (u8)vec);
	}
	vmcb->control.int_ctl &= ~V_IRQ_REQUEST;
	v->arch.virq_vector = -1;
}

/*
 * Is the guest about to run HLT, in the shadow of an STI? QEMU does not
 * restore the interrupt shadow (int_state) at VMRUN, so an interrupt offered
 * now would arrive before the HLT, and the HLT would then sleep through the
 * wake-up it was waiting for. On hardware the interrupt ends the HLT: the
 * same as stepping over it and delivering.
 */
static bool shadowed_hlt(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	bool long64 = (vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & (1 << 9));
	u64 rip = vmcb->save.rip + (long64 ? 0 : vmcb->save.cs.base);
	u8 op;

	if (!long64)
		rip = (u32)rip;
	return !copy_from_guest(v, &op, rip, 1) && op == 0xf4;
}

/*
 * Before each entry: re-inject an event whose delivery an exit cut short,
 * then an NMI, then offer the highest pending interrupt through V_IRQ if the
 * guest can take it now (IF set, no interrupt shadow); if it cannot, ask for
 * a VINTR exit the moment it can (the interrupt-window technique).
 */
static void inject_pending(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	int lapic, upcall, extint, vec;
	bool if_set, can_take;

	vmcb->control.int_ctl &= ~V_IRQ_REQUEST;
	vmcb->control.intercept_misc1 &= ~INTERCEPT_VINTR;
	if (vmcb->control.exit_int_info & EVENTINJ_VALID) {
		u64 ev = vmcb->control.exit_int_info;

		/* QEMU records an external interrupt cut short as an exception
		 * (virq_settle has taken back the one offered through V_IRQ) */
		if ((ev & EVENTINJ_TYPE_MASK) == EVENTINJ_TYPE_EXCEPTION && (ev & 0xff) >= 32)
			ev &= ~(EVENTINJ_TYPE_MASK | EVENTINJ_ERROR_VALID);
		/* INT n: RIP is still on the instruction, which runs again (with
		 * no NRIPS a re-injection would return to the INT, not past it) */
		if ((ev & EVENTINJ_TYPE_MASK) != EVENTINJ_TYPE_SOFT_INT)
			vmcb->control.event_inj = ev;
		vmcb->control.exit_int_info = 0;
	}
	if (vmcb->control.event_inj & EVENTINJ_VALID)
		return; /* one event per entry; the rest wait for the next exit */
	if (v->arch.vlapic.nmi_pending) {
		v->arch.vlapic.nmi_pending = false;
		vmcb->control.event_inj = EVENTINJ_VALID | EVENTINJ_TYPE_NMI | 2;
		return;
	}
	lapic = vlapic_pending_vector(v);
	upcall = upcall_vector(v);
	extint = vlapic_take_extint(v, false);
	vec = MAX(MAX(lapic, upcall), extint);
	if (vec < 0)
		return;
	if_set = vmcb->save.rflags & (1 << 9);
	can_take = if_set && !(vmcb->control.int_state & 1);
	if (if_set && !can_take && shadowed_hlt(v)) {
		vmcb->save.rip += 1;
		vmcb->control.int_state = 0;
		can_take = true;
	}
	if (!can_take) {
		vmcb->control.int_ctl |= V_IRQ_REQUEST;
		vmcb->control.int_vector = 0;
		vmcb->control.intercept_misc1 |= INTERCEPT_VINTR;
		return;
	}
	if (vec == extint) {
		vlapic_take_extint(v, true); /* ExtINT bypasses IRR and ISR */
		v->arch.virq_source = VIRQ_EXTINT;
	} else if (vec == lapic && vec != upcall) {
		vlapic_ack(v, (u8)vec);
		v->arch.virq_source = VIRQ_LAPIC;
	} else {
		v->arch.virq_source = VIRQ_UPCALL;
	}
	v->arch.virq_vector = vec;
	vmcb->control.int_vector = (u32)vec;
	vmcb->control.int_ctl |= V_IRQ_REQUEST;
}

void svm_sync_domain_exits(struct domain *d)
{
	unsigned int me = this_cpu()->cpu_id;
	u64 seen[MAX_CPUS];
	bool wait[MAX_CPUS];

	for (unsigned int c = 0; c < nr_cpus_possible; c++) {
		struct percpu *pc = &percpu_area[c];
		struct vcpu *cur = READ_ONCE(pc->current);

		wait[c] = c != me && cur && cur->domain == d && READ_ONCE(pc->in_guest);
		if (wait[c]) {
			seen[c] = __atomic_load_n(&pc->vmexits, __ATOMIC_ACQUIRE);
			smp_send_kick(c);
		}
	}
	/* The other CPU needs nothing from us to leave the guest: no deadlock. */
	for (unsigned int c = 0; c < nr_cpus_possible; c++)
		while (wait[c] && READ_ONCE(percpu_area[c].in_guest) &&
		       __atomic_load_n(&percpu_area[c].vmexits, __ATOMIC_ACQUIRE) == seen[c])
			cpu_relax();
}

void arch_vcpu_run(struct vcpu *v)
{
	struct percpu *pc = this_cpu();
	struct vmcb *vmcb = v->arch.vmcb;

	pc->current = v;
	fpu_load(v);
	if (pc->last_vcpu != v) {
		/* vCPUs of one domain share its ASID: no stale translations */
		vmcb->control.tlb_control = TLB_CONTROL_FLUSH_GUEST;
		pc->last_vcpu = v;
	}
	while (!sched_should_leave(v)) {
		local_irq_disable();
		inject_pending(v);
		svm_clgi();
		local_irq_enable();
		if (v->arch.flush_tlb) {
			v->arch.flush_tlb = false;
			vmcb->control.tlb_control = TLB_CONTROL_FLUSH_GUEST;
		}
		sched_quiescent();
		WRITE_ONCE(pc->in_guest, true);
		svm_vmrun(&v->arch.regs, v->arch.vmcb_pa, pc->host_vmcb_pa);
		WRITE_ONCE(pc->in_guest, false);
		__atomic_fetch_add(&pc->vmexits, 1, __ATOMIC_RELEASE);
		vmcb->control.tlb_control = 0;
		virq_settle(v);
		svm_stgi(); /* a pending physical interrupt is taken here */
		local_irq_disable();
		svm_handle_exit(v);
	}
	fpu_save(v);
	local_irq_enable();
	pc->current = NULL;
}
