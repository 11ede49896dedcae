// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler. Each vCPU is pinned to one CPU (dom0 vCPU n on CPU n); a
 * CPU runs its runnable vCPUs in turn and idles with HLT when none is.
 * When dom0 stops, the machine follows it (power off, reboot, or the crash
 * path that honours noreboot).
 */
#include <keel/sched.h>
#include <keel/arch.h>
#include <keel/domain.h>
#include <keel/hypercall.h>
#include <keel/lib.h>
#include <keel/console.h>
#include <keel/setup.h>
#include <public/sched.h>
#include <public/event_channel.h>
#include <keel/event.h>

#define MAX_PER_CPU 16

/* runq_lock protects the run queues; nests inside no other lock. */
static spinlock_t runq_lock = SPINLOCK_INIT;
static struct vcpu *runq[ARCH_MAX_CPUS][MAX_PER_CPU];
static volatile bool dom0_stopped;
static volatile unsigned int dom0_stop_code;

int sched_add_vcpu(struct vcpu *v, unsigned int cpu)
{
	int rc = -1;

	if (cpu >= ARCH_MAX_CPUS)
		return -1;
	spin_lock(&runq_lock);
	for (int i = 0; i < MAX_PER_CPU; i++) {
		if (!runq[cpu][i]) {
			runq[cpu][i] = v;
			v->pcpu = cpu;
			rc = 0;
			break;
		}
	}
	spin_unlock(&runq_lock);
	return rc;
}

void vcpu_wake(struct vcpu *v)
{
	/* Only a blocked vCPU wakes; an offline one waits for INIT/STARTUP. */
	if (v->state == VCPU_OFFLINE || v->state == VCPU_DEAD)
		return;
	if (v->state == VCPU_BLOCKED)
		v->state = VCPU_RUNNABLE;
	arch_kick_cpu(v->pcpu);
}

void vcpu_poll_notify(struct domain *d, evtchn_port_t port)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (!v || v->state != VCPU_BLOCKED)
			continue;
		for (unsigned int p = 0; p < v->nr_poll_ports; p++) {
			if (v->poll_ports[p] == port) {
				arch_kick_cpu(v->pcpu); /* pick_next sees the port */
				break;
			}
		}
	}
}

void vcpu_block_on_hlt(struct vcpu *v, bool interrupts_enabled)
{
	/* Linux parks CPUs this way when it stops them: worth a debug line only */
	if (!interrupts_enabled)
		pr_debug("d%uv%u: HLT with interrupts disabled; only an NMI can wake it\n",
			 v->domain->domid, v->vcpu_id);
	v->state = VCPU_BLOCKED;
}

void vcpu_yield(struct vcpu *v)
{
	(void)v; /* one vCPU per CPU for now: nothing else to run */
}

void sched_domain_stopped(struct domain *d)
{
	if (d->domid != 0)
		return;
	dom0_stop_code = d->shutdown_code;
	dom0_stopped = true;
}

static __attribute__((noreturn)) void dom0_stop_action(unsigned int code)
{
	switch (code) {
	case SHUTDOWN_poweroff:
		printk("dom0 powered off: powering off the machine\n");
		arch_machine_poweroff();
	case SHUTDOWN_reboot:
		printk("dom0 asked for a reboot: rebooting the machine\n");
		arch_machine_reboot();
	default:
		if (opt_noreboot) {
			printk("dom0 crashed: halting (noreboot)\n");
			arch_machine_halt(KEEL_HALT_CRASH);
		}
		printk("dom0 crashed: rebooting in 5 seconds (boot with noreboot to stay halted)\n");
		arch_delay_ns(5000000000ULL);
		arch_machine_reboot();
	}
}

/* ---- timers: each CPU's LAPIC one-shot serves the vCPUs pinned to it ---- */

#define CONSOLE_POLL_NS 10000000ULL /* 100 Hz on CPU 0: input and debug keys */

static u64 next_console_poll;

static void timer_reprogram(unsigned int cpu)
{
	u64 next = ~0ULL;

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (v && v->timer_deadline && v->timer_deadline < next)
			next = v->timer_deadline;
		if (v && v->poll_deadline && v->poll_deadline < next)
			next = v->poll_deadline;
	}
	if (cpu == 0 && next_console_poll < next)
		next = next_console_poll;
	if (next != ~0ULL)
		arch_timer_program(next);
}

void sched_timer_interrupt(void)
{
	unsigned int cpu = arch_cpu_id();
	u64 now = arch_now_ns();

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (v && v->timer_deadline && v->timer_deadline <= now) {
			v->timer_deadline = 0;
			send_guest_vcpu_virq(v, VIRQ_TIMER);
		}
	}
	if (cpu == 0 && now >= next_console_poll) {
		console_poll_input();
		next_console_poll = now + CONSOLE_POLL_NS;
	}
	timer_reprogram(cpu);
}

void vcpu_set_timer(struct vcpu *v, u64 deadline)
{
	/* Past deadlines fire at once, as Linux expects (flags = 0). */
	v->timer_deadline = deadline ? MAX(deadline, 1ULL) : 0;
	if (v->pcpu == arch_cpu_id())
		timer_reprogram(v->pcpu);
	else
		arch_kick_cpu(v->pcpu);
}

void vcpu_raise_upcall(struct vcpu *v)
{
	vcpu_wake(v);
}

/* A blocked vCPU wakes for an interrupt it can take, or the end of a poll. */
static bool vcpu_should_wake(struct vcpu *v)
{
	if (v->nr_poll_ports || v->poll_deadline) {
		bool done = v->poll_deadline && arch_now_ns() >= v->poll_deadline;

		for (unsigned int i = 0; i < v->nr_poll_ports && !done; i++)
			done = evtchn_port_pending(v->domain, v->poll_ports[i]);
		if (done) {
			v->nr_poll_ports = 0;
			v->poll_deadline = 0;
			return true;
		}
	}
	return arch_vcpu_has_pending_event(v);
}

static struct vcpu *pick_next(unsigned int cpu)
{
	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (v && v->state == VCPU_BLOCKED && vcpu_should_wake(v))
			v->state = VCPU_RUNNABLE;
		if (v && v->state == VCPU_RUNNABLE)
			return v;
	}
	return NULL;
}

void scheduler_run(void)
{
	unsigned int cpu = arch_cpu_id();

	timer_reprogram(cpu);
	for (;;) {
		struct vcpu *v;

		/* Interrupts stay off from the check to the HLT that waits. */
		arch_irq_disable();
		if (dom0_stopped && cpu == 0)
			dom0_stop_action(dom0_stop_code);
		v = pick_next(cpu);
		if (v) {
			arch_vcpu_run(v);
			continue;
		}
		timer_reprogram(cpu);
		arch_idle();
	}
}
