// SPDX-License-Identifier: GPL-2.0-only
/*
 * The virtual local APIC every vCPU gets: x2APIC, enabled from the start,
 * emulated through MSRs 0x800-0x8ff only (xen-pvh-abi.md §6.1), so no MMIO
 * decoding is needed. It delivers fixed interrupts (IPIs, dom0's device
 * interrupts passed through), NMI, and INIT/STARTUP to start APs.
 */
#include <keel/lib.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/sched.h>
#include <asm/apic.h>
#include <asm/msr.h>
#include <asm/vlapic.h>
#include <asm/vmexit.h>

#define REG(msr) ((msr) - MSR_X2APIC_FIRST)
#define X2APIC_ID 0x02
#define X2APIC_VERSION 0x03
#define X2APIC_TPR 0x08
#define X2APIC_PPR 0x0a
#define X2APIC_EOI 0x0b
#define X2APIC_LDR 0x0d
#define X2APIC_SVR 0x0f
#define X2APIC_ISR0 0x10
#define X2APIC_TMR0 0x18
#define X2APIC_IRR0 0x20
#define X2APIC_ESR 0x28
#define X2APIC_LVT_CMCI 0x2f
#define X2APIC_ICR 0x30
#define X2APIC_LVT_TIMER 0x32
#define X2APIC_LVT_ERROR 0x37
#define X2APIC_TIMER_ICR 0x38
#define X2APIC_TIMER_CCR 0x39
#define X2APIC_TIMER_DCR 0x3e
#define X2APIC_SELF_IPI 0x3f

#define LVT_MASKED (1U << 16)
#define SVR_ENABLED (1U << 8)

static bool test_vec(const u32 *bits, u8 v)
{
	return bits[v / 32] & (1U << (v % 32));
}

static void set_vec(u32 *bits, u8 v)
{
	__atomic_fetch_or(&bits[v / 32], 1U << (v % 32), __ATOMIC_SEQ_CST);
}

static void clear_vec(u32 *bits, u8 v)
{
	__atomic_fetch_and(&bits[v / 32], ~(1U << (v % 32)), __ATOMIC_SEQ_CST);
}

static int highest_vec(const u32 *bits)
{
	for (int i = 7; i >= 0; i--) {
		u32 w = __atomic_load_n(&bits[i], __ATOMIC_SEQ_CST);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static u32 ldr_of(u32 id)
{
	return ((id >> 4) << 16) | (1U << (id & 15));
}

static u32 ppr(struct vlapic *l)
{
	int isr = highest_vec(l->isr);
	u32 isrv = isr < 0 ? 0 : (u32)isr;

	return (l->tpr & 0xf0) >= (isrv & 0xf0) ? l->tpr & 0xff : isrv & 0xf0;
}

void vlapic_init(struct vcpu *v, u32 apic_id)
{
	struct vlapic *l = &v->arch.vlapic;

	memset(l, 0, sizeof(*l));
	l->id = apic_id;
	l->svr = 0xff;
	for (int i = 0; i < 7; i++)
		l->lvt[i] = LVT_MASKED;
	l->extint_vector = -1;
}

#define LVT_LINT0 4
#define LVT_MODE_EXTINT (7U << 8)

void vlapic_extint(struct vcpu *v, u8 vector)
{
	struct vlapic *l = &v->arch.vlapic;
	u32 lint0 = l->lvt[LVT_LINT0];

	/* The guest routes its 8259 through LINT0 only in virtual-wire mode. */
	if ((lint0 & LVT_MASKED) || (lint0 & (7U << 8)) != LVT_MODE_EXTINT)
		return;
	l->extint_vector = vector;
	vcpu_wake(v);
}

int vlapic_take_extint(struct vcpu *v, bool take)
{
	int vec = v->arch.vlapic.extint_vector;

	if (take)
		v->arch.vlapic.extint_vector = -1;
	return vec;
}

void vlapic_untake_extint(struct vcpu *v, u8 vector)
{
	__atomic_compare_exchange_n(&v->arch.vlapic.extint_vector, &(int){ -1 }, (int)vector,
				    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

void vlapic_set_irq(struct vcpu *v, u8 vector, bool passthrough)
{
	struct vlapic *l = &v->arch.vlapic;

	if (passthrough)
		set_vec(l->passthrough, vector);
	set_vec(l->irr, vector);
	vcpu_wake(v);
}

int vlapic_pending_vector(struct vcpu *v)
{
	struct vlapic *l = &v->arch.vlapic;
	int vec = highest_vec(l->irr);

	if (vec < 0 || !(l->svr & SVR_ENABLED))
		return -1;
	if ((u32)(vec & 0xf0) <= (ppr(l) & 0xf0))
		return -1;
	return vec;
}

void vlapic_ack(struct vcpu *v, u8 vector)
{
	struct vlapic *l = &v->arch.vlapic;

	clear_vec(l->irr, vector);
	set_vec(l->isr, vector);
}

void vlapic_unack(struct vcpu *v, u8 vector)
{
	struct vlapic *l = &v->arch.vlapic;

	/* set IRR first: a concurrent vlapic_set_irq of the same vector merges */
	set_vec(l->irr, vector);
	clear_vec(l->isr, vector);
}

static void eoi(struct vcpu *v)
{
	struct vlapic *l = &v->arch.vlapic;
	int vec = highest_vec(l->isr);

	if (vec < 0)
		return;
	clear_vec(l->isr, vec);
	if (test_vec(l->passthrough, vec)) {
		clear_vec(l->passthrough, vec);
		lapic_eoi(); /* the physical interrupt this vector stood for */
	}
}

static bool logical_match(struct vcpu *t, u32 dest)
{
	u32 ldr = ldr_of(t->arch.vlapic.id);

	/* x2APIC logical: cluster in 31:16, bitmap of 16 members in 15:0 */
	return (ldr >> 16) == (dest >> 16) && (ldr & dest & 0xffff);
}

/* INIT: the target stops and waits for a STARTUP. An AP not started yet
 * is offline already; one that ran (Linux parks a CPU it takes offline in
 * HLT, and sends INIT, STARTUP to bring it back) is taken off its CPU. */
static void init_ap(struct vcpu *t)
{
	t->arch.vlapic.wait_for_sipi = true;
	if (t->state == VCPU_OFFLINE || t->state == VCPU_DEAD)
		return;
	t->state = VCPU_OFFLINE;
	t->hlt_masked = false;
	arch_kick_cpu(t->pcpu); /* if it runs, it leaves at its next check */
}

static void start_ap(struct vcpu *t, u8 vector)
{
	u32 id = t->arch.vlapic.id;

	if (!t->arch.vlapic.wait_for_sipi)
		return; /* a second STARTUP after the AP runs is ignored */
	t->state = VCPU_OFFLINE;
	/* Its VMCB is about to be rewritten: wait until no CPU runs it. */
	while (__atomic_load_n(&t->is_running, __ATOMIC_ACQUIRE)) {
		arch_kick_cpu(t->pcpu);
		arch_cpu_relax();
	}
	for (int i = 0; i < 8; i++)
		if (t->arch.vlapic.passthrough[i] & t->arch.vlapic.isr[i])
			pr_warn("d%uv%u: STARTUP with a physical interrupt in service; its EOI is lost\n",
				t->domain->domid, t->vcpu_id);
	vlapic_init(t, id); /* clears wait_for_sipi too */
	t->timer_deadline = 0;
	t->nr_poll_ports = 0;
	t->poll_deadline = 0;
	arch_vcpu_set_real_mode_entry(t, vector);
	t->state = VCPU_RUNNABLE;
	vcpu_wake(t);
}

static void deliver(struct vcpu *src, struct vcpu *t, u32 mode, u8 vector)
{
	switch (mode) {
	case 0: /* fixed */
	case 1: /* lowest priority: the first match is as good as any */
		vlapic_set_irq(t, vector, false);
		break;
	case 4: /* NMI */
		t->arch.vlapic.nmi_pending = true;
		vcpu_wake(t);
		break;
	case 5: /* INIT */
		if (t != src)
			init_ap(t);
		break;
	case 6: /* STARTUP */
		start_ap(t, vector);
		break;
	default:
		break; /* SMI and reserved modes: dropped */
	}
}

static void send_ipi(struct vcpu *v, u64 icr)
{
	struct domain *d = v->domain;
	u32 dest = icr >> 32;
	u32 mode = (icr >> 8) & 7;
	bool logical = icr & (1U << 11);
	u32 shorthand = (icr >> 18) & 3;
	u8 vector = icr & 0xff;

	if (mode == 5 && !(icr & (1U << 14)))
		return; /* INIT de-assert: nothing to do */
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct vcpu *t = d->vcpus[i];
		bool hit;

		if (!t)
			continue;
		switch (shorthand) {
		case 1: hit = t == v; break;
		case 2: hit = true; break;
		case 3: hit = t != v; break;
		default:
			if (!logical)
				hit = dest == 0xffffffff || t->arch.vlapic.id == dest;
			else
				hit = logical_match(t, dest);
			break;
		}
		if (hit)
			deliver(v, t, mode, vector);
	}
}

int vlapic_rdmsr(struct vcpu *v, u32 msr, u64 *val)
{
	struct vlapic *l = &v->arch.vlapic;
	u32 r = REG(msr);

	switch (r) {
	case X2APIC_ID: *val = l->id; return 0;
	case X2APIC_VERSION: *val = 0x00050014; return 0; /* 6 LVTs, integrated */
	case X2APIC_TPR: *val = l->tpr; return 0;
	case X2APIC_PPR: *val = ppr(l); return 0;
	case X2APIC_LDR: *val = ldr_of(l->id); return 0;
	case X2APIC_SVR: *val = l->svr; return 0;
	case X2APIC_ESR: *val = l->esr; return 0;
	case X2APIC_TIMER_ICR: *val = l->timer_icr; return 0;
	case X2APIC_TIMER_CCR: *val = 0; return 0; /* the LVT timer never runs */
	case X2APIC_TIMER_DCR: *val = l->timer_dcr; return 0;
	default:
		break;
	}
	if (r >= X2APIC_ISR0 && r < X2APIC_ISR0 + 8) {
		*val = l->isr[r - X2APIC_ISR0];
		return 0;
	}
	if (r >= X2APIC_TMR0 && r < X2APIC_TMR0 + 8) {
		*val = l->tmr[r - X2APIC_TMR0];
		return 0;
	}
	if (r >= X2APIC_IRR0 && r < X2APIC_IRR0 + 8) {
		*val = l->irr[r - X2APIC_IRR0];
		return 0;
	}
	if (r == X2APIC_LVT_CMCI) {
		*val = l->lvt[0];
		return 0;
	}
	if (r >= X2APIC_LVT_TIMER && r <= X2APIC_LVT_ERROR) {
		*val = l->lvt[1 + r - X2APIC_LVT_TIMER];
		return 0;
	}
	return -1; /* EOI, ICR and SELF_IPI are write-only in x2APIC mode */
}

int vlapic_wrmsr(struct vcpu *v, u32 msr, u64 val)
{
	struct vlapic *l = &v->arch.vlapic;
	u32 r = REG(msr);

	switch (r) {
	case X2APIC_TPR: l->tpr = val & 0xff; return 0;
	case X2APIC_EOI: eoi(v); return 0;
	case X2APIC_SVR: l->svr = val & 0x1ff; return 0;
	case X2APIC_ESR: l->esr = 0; return 0;
	case X2APIC_ICR: send_ipi(v, val); return 0;
	case X2APIC_TIMER_ICR: l->timer_icr = (u32)val; return 0;
	case X2APIC_TIMER_DCR: l->timer_dcr = val & 0xb; return 0;
	case X2APIC_SELF_IPI: vlapic_set_irq(v, val & 0xff, false); return 0;
	case X2APIC_LVT_CMCI: l->lvt[0] = (u32)val; return 0;
	default:
		break;
	}
	if (r >= X2APIC_LVT_TIMER && r <= X2APIC_LVT_ERROR) {
		l->lvt[1 + r - X2APIC_LVT_TIMER] = (u32)val;
		return 0;
	}
	return -1; /* read-only or reserved */
}
