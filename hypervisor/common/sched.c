// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler. Every vCPU sits on the run queue of one CPU (its hard
 * affinity decides which; dom0 vCPU n on CPU n). A CPU shares itself among
 * its runnable vCPUs by weighted fair share: each vCPU's virtual run time
 * grows by (time run) * DEFAULT_WEIGHT / weight, the one furthest behind runs
 * next, for at most one slice while others wait. A domain's cap limits the
 * CPU time all its vCPUs take in each CAP_PERIOD. Idle CPUs HLT.
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

#define MAX_PER_CPU 64
#define SLICE_NS 10000000ULL /* 10 ms while others wait */
#define WAKE_GRANULARITY_NS 1000000ULL /* a waking vCPU preempts if this far behind */
#define CAP_PERIOD_NS 100000000ULL

/*
 * runq_lock protects the run queues, every vCPU's is_running and
 * sched_pause, and the decision to run a vCPU; nests inside no other lock.
 */
static spinlock_t runq_lock = SPINLOCK_INIT;
static struct vcpu *runq[ARCH_MAX_CPUS][MAX_PER_CPU];
static volatile bool dom0_stopped;
static volatile unsigned int dom0_stop_code;

static unsigned int runq_len(unsigned int cpu)
{
	unsigned int n = 0;

	for (int i = 0; i < MAX_PER_CPU; i++)
		n += runq[cpu][i] != NULL;
	return n;
}

static int runq_insert(struct vcpu *v, unsigned int cpu)
{
	for (int i = 0; i < MAX_PER_CPU; i++) {
		if (!runq[cpu][i]) {
			runq[cpu][i] = v;
			v->pcpu = cpu;
			return 0;
		}
	}
	return -1;
}

static void runq_remove(struct vcpu *v)
{
	for (int i = 0; i < MAX_PER_CPU; i++)
		if (runq[v->pcpu][i] == v)
			runq[v->pcpu][i] = NULL;
}

/* The smallest virtual time among the CPU's vCPUs (where a waker starts). */
static u64 runq_min_vruntime(unsigned int cpu, const struct vcpu *except)
{
	u64 min = ~0ULL;

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *u = runq[cpu][i];

		if (u && u != except && u->state == VCPU_RUNNABLE && u->vruntime < min)
			min = u->vruntime;
	}
	return min;
}

int sched_add_vcpu(struct vcpu *v, unsigned int cpu)
{
	unsigned long flags;
	int rc;

	if (cpu >= ARCH_MAX_CPUS)
		return -1;
	flags = spin_lock_irqsave(&runq_lock);
	rc = runq_insert(v, cpu);
	if (!rc) {
		u64 min = runq_min_vruntime(cpu, v);

		v->vruntime = min == ~0ULL ? 0 : min;
	}
	spin_unlock_irqrestore(&runq_lock, flags);
	return rc;
}

unsigned int sched_pick_cpu(u64 affinity, unsigned int nr_cpus)
{
	unsigned int best = ARCH_MAX_CPUS, best_len = ~0U;
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	for (unsigned int c = 0; c < nr_cpus && c < ARCH_MAX_CPUS; c++) {
		unsigned int len;

		if (!(affinity & (1ULL << c)))
			continue;
		len = runq_len(c);
		if (len <= best_len) {
			best = c;
			best_len = len;
		}
	}
	spin_unlock_irqrestore(&runq_lock, flags);
	return best;
}

void sched_remove_vcpu(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	BUG_ON(v->is_running);
	runq_remove(v);
	spin_unlock_irqrestore(&runq_lock, flags);
}

int sched_move_vcpu(struct vcpu *v, unsigned int cpu)
{
	unsigned long flags;
	int rc;

	vcpu_pause(v);
	flags = spin_lock_irqsave(&runq_lock);
	runq_remove(v);
	rc = runq_insert(v, cpu);
	if (rc)
		runq_insert(v, v->pcpu);
	else
		v->vruntime = MIN(v->vruntime, runq_min_vruntime(cpu, v));
	spin_unlock_irqrestore(&runq_lock, flags);
	vcpu_unpause(v);
	return rc;
}

/* ---- pausing: a paused vCPU is off its CPU when vcpu_pause() returns ---- */

void vcpu_pause(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	v->sched_pause++;
	spin_unlock_irqrestore(&runq_lock, flags);
	if (v->pcpu == arch_cpu_id() && v->is_running)
		return; /* the caller is v itself: it stops when this exit completes */
	arch_kick_cpu(v->pcpu);
	while (__atomic_load_n(&v->is_running, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
}

void vcpu_unpause(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	BUG_ON(!v->sched_pause);
	v->sched_pause--;
	spin_unlock_irqrestore(&runq_lock, flags);
	arch_kick_cpu(v->pcpu);
}

void domain_pause(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_pause(d->vcpus[i]);
}

void domain_unpause(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_unpause(d->vcpus[i]);
}

/* ---- waking and blocking ---- */

void vcpu_wake(struct vcpu *v)
{
	/* Only a blocked vCPU wakes; an offline one waits for INIT/STARTUP. */
	if (v->state == VCPU_OFFLINE || v->state == VCPU_DEAD)
		return;
	if (v->state == VCPU_BLOCKED) {
		/* an interrupt does not end a HLT with interrupts off */
		if (v->hlt_masked && !arch_vcpu_has_nmi(v))
			return;
		v->hlt_masked = false;
		/* placed (try_wake) by its CPU, which holds runq_lock for it */
		__atomic_store_n(&v->woken, true, __ATOMIC_RELEASE);
		v->state = VCPU_RUNNABLE;
	}
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

/*
 * Every block states its own wake conditions: a poll or a yield's sleep
 * that something else ended leaves its ports and deadline behind, and a
 * later HLT must not inherit them (a past deadline would end it at once).
 * Only the vCPU itself blocks, on its own CPU, so nothing races these writes.
 */
void vcpu_block_on_poll(struct vcpu *v, unsigned int nr_ports, u64 deadline)
{
	v->nr_poll_ports = nr_ports;
	v->poll_deadline = deadline;
	v->hlt_masked = false;
	v->state = VCPU_BLOCKED;
}

void vcpu_block_on_hlt(struct vcpu *v, bool interrupts_enabled)
{
	/* Linux parks CPUs this way when it stops them: worth a debug line only */
	if (!interrupts_enabled)
		pr_debug("d%uv%u: HLT with interrupts disabled; only an NMI can wake it\n",
			 v->domain->domid, v->vcpu_id);
	v->nr_poll_ports = 0;
	v->poll_deadline = 0;
	v->hlt_masked = !interrupts_enabled;
	v->state = VCPU_BLOCKED;
}

/*
 * SCHEDOP_yield gives way to the other vCPUs of this CPU. With none ready to
 * run it would only spin through the hypervisor (Linux's console writer
 * yields in a loop until dom0 drains its ring), and under QEMU's TCG a
 * spinning vCPU takes the host time the other CPU's vCPUs (dom0) need. So
 * then it sleeps: until an event for it, or YIELD_SLEEP_NS at most.
 */
#define YIELD_SLEEP_NS 200000ULL

static bool can_run(struct vcpu *v, u64 now);

void vcpu_yield(struct vcpu *v)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);
	u64 now = arch_now_ns();
	bool others = false;

	for (int i = 0; i < MAX_PER_CPU && !others; i++) {
		struct vcpu *u = runq[v->pcpu][i];

		others = u && u != v && can_run(u, now);
	}
	spin_unlock_irqrestore(&runq_lock, flags);
	if (others) {
		v->yielded = true;
		return;
	}
	vcpu_block_on_poll(v, 0, now + YIELD_SLEEP_NS);
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

/* ---- CPU time, weights and caps ---- */

static u64 weighted(const struct vcpu *v, u64 ns)
{
	unsigned int w = v->domain->sched_weight ? v->domain->sched_weight : SCHED_DEFAULT_WEIGHT;

	return ns * SCHED_DEFAULT_WEIGHT / w;
}

/* Has the vCPU's domain used up its cap for this period? */
static bool domain_capped(struct domain *d, u64 now)
{
	u64 used;

	if (!d->sched_cap)
		return false;
	if (now - d->cap_period_start >= CAP_PERIOD_NS) {
		d->cap_period_start = now - (now % CAP_PERIOD_NS);
		__atomic_store_n(&d->cap_used_ns, 0, __ATOMIC_RELAXED);
	}
	used = __atomic_load_n(&d->cap_used_ns, __ATOMIC_RELAXED);
	return used * 100 >= (u64)d->sched_cap * CAP_PERIOD_NS;
}

static void account(struct vcpu *v, u64 now)
{
	u64 ran = now - v->run_start;

	v->run_start = now;
	v->cpu_time += ran;
	v->vruntime += weighted(v, ran);
	__atomic_fetch_add(&v->domain->cap_used_ns, ran, __ATOMIC_RELAXED);
}

/* ---- timers: each CPU's LAPIC one-shot serves the vCPUs queued on it ---- */

#define CONSOLE_POLL_NS 10000000ULL /* 100 Hz on CPU 0: input and debug keys */

static u64 next_console_poll;
/* When the running vCPU's slice ends (0: no timer for it), and whether it has. */
static u64 slice_end[ARCH_MAX_CPUS];
static bool slice_expired[ARCH_MAX_CPUS];

/*
 * Under runq_lock. A poll's deadline counts only while it can end the wait:
 * one left behind by a vCPU an event woke, or held by a paused one, would
 * once past set the timer in the past at every interrupt (a storm). A vCPU
 * held back by its cap needs the timer at the end of the period.
 */
static void timer_reprogram_locked(unsigned int cpu)
{
	u64 now = arch_now_ns(), next = ~0ULL;

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (!v)
			continue;
		if (v->timer_deadline && v->timer_deadline < next)
			next = v->timer_deadline;
		if (v->state == VCPU_BLOCKED && !v->sched_pause && v->poll_deadline &&
		    v->poll_deadline < next)
			next = v->poll_deadline;
		if (v->state == VCPU_RUNNABLE && !v->sched_pause && domain_capped(v->domain, now))
			next = MIN(next, v->domain->cap_period_start + CAP_PERIOD_NS);
	}
	if (slice_end[cpu] && slice_end[cpu] < next)
		next = slice_end[cpu];
	if (cpu == 0 && next_console_poll < next)
		next = next_console_poll;
	if (next != ~0ULL)
		arch_timer_program(next);
}

static void timer_reprogram(unsigned int cpu)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	timer_reprogram_locked(cpu);
	spin_unlock_irqrestore(&runq_lock, flags);
}

void sched_timer_interrupt(void)
{
	unsigned int cpu = arch_cpu_id();
	u64 now = arch_now_ns();
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (v && v->timer_deadline && v->timer_deadline <= now) {
			v->timer_deadline = 0;
			send_guest_vcpu_virq(v, VIRQ_TIMER);
		}
	}
	if (slice_end[cpu] && now >= slice_end[cpu]) {
		/* the vCPU leaves at its next exit if another one is waiting */
		slice_end[cpu] = 0;
		slice_expired[cpu] = true;
	}
	if (cpu == 0 && now >= next_console_poll) {
		next_console_poll = now + CONSOLE_POLL_NS;
		spin_unlock_irqrestore(&runq_lock, flags);
		console_poll_input();
		timer_reprogram(cpu);
		return;
	}
	timer_reprogram_locked(cpu);
	spin_unlock_irqrestore(&runq_lock, flags);
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
	if (v->hlt_masked)
		return arch_vcpu_has_nmi(v);
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

/*
 * Under runq_lock: a blocked vCPU that has something to take becomes runnable.
 * Whether it woke here or vcpu_wake() woke it (which cannot take runq_lock),
 * it starts a little behind the others rather than far ahead of them: the
 * time it slept is no credit to take the CPU with. True if it woke here.
 */
static bool try_wake(struct vcpu *v, unsigned int cpu)
{
	bool woke = v->state == VCPU_BLOCKED && !v->sched_pause && vcpu_should_wake(v);
	u64 min;

	if (woke) {
		v->hlt_masked = false;
		v->state = VCPU_RUNNABLE;
	}
	if (!__atomic_exchange_n(&v->woken, false, __ATOMIC_ACQUIRE) && !woke)
		return false;
	min = runq_min_vruntime(cpu, v);
	if (min != ~0ULL && v->vruntime + SLICE_NS / 2 < min)
		v->vruntime = min - SLICE_NS / 2;
	return woke;
}

static bool can_run(struct vcpu *v, u64 now)
{
	return v->state == VCPU_RUNNABLE && !v->sched_pause && !domain_capped(v->domain, now);
}

/* Under runq_lock: wake what should wake; the runnable vCPU furthest behind. */
static struct vcpu *pick_next(unsigned int cpu, u64 now)
{
	struct vcpu *best = NULL;

	for (int i = 0; i < MAX_PER_CPU; i++) {
		struct vcpu *v = runq[cpu][i];

		if (!v)
			continue;
		try_wake(v, cpu);
		if (can_run(v, now) && (!best || v->vruntime < best->vruntime))
			best = v;
	}
	return best;
}

bool sched_should_leave(struct vcpu *v)
{
	unsigned int cpu = v->pcpu;
	unsigned long flags;
	u64 now, vr;
	bool leave = false;

	if (v->state != VCPU_RUNNABLE || __atomic_load_n(&v->sched_pause, __ATOMIC_RELAXED) || dom0_stopped)
		return true;
	now = arch_now_ns();
	flags = spin_lock_irqsave(&runq_lock);
	/*
	 * Its run so far counts now: toward its cap (a vCPU alone on its CPU
	 * never ends its run, so counting only ended runs let it take the
	 * whole CPU), and in the vruntime a waker is placed behind.
	 */
	account(v, now);
	leave = domain_capped(v->domain, now);
	vr = v->vruntime;
	for (int i = 0; i < MAX_PER_CPU && !leave; i++) {
		struct vcpu *u = runq[cpu][i];

		if (!u || u == v)
			continue;
		/* waking has side effects on a poll: do it here, not twice */
		if (try_wake(u, cpu))
			leave = true; /* let pick_next weigh it */
		else if (can_run(u, now))
			leave = v->yielded || slice_expired[cpu] ||
				u->vruntime + WAKE_GRANULARITY_NS < vr;
	}
	v->yielded = false;
	spin_unlock_irqrestore(&runq_lock, flags);
	return leave;
}

/* ---- quiescent points: a CPU between hypercalls holds no domain pointer ---- */

static u64 quiesce_gen[ARCH_MAX_CPUS];
static bool cpu_scheduling[ARCH_MAX_CPUS];

void sched_quiescent(void)
{
	__atomic_fetch_add(&quiesce_gen[arch_cpu_id()], 1, __ATOMIC_RELEASE);
}

void sched_synchronize(void)
{
	unsigned int me = arch_cpu_id();
	u64 seen[ARCH_MAX_CPUS];

	for (unsigned int c = 0; c < ARCH_MAX_CPUS; c++) {
		if (c == me || !__atomic_load_n(&cpu_scheduling[c], __ATOMIC_ACQUIRE))
			continue;
		seen[c] = __atomic_load_n(&quiesce_gen[c], __ATOMIC_ACQUIRE);
		arch_kick_cpu(c);
	}
	for (unsigned int c = 0; c < ARCH_MAX_CPUS; c++) {
		if (c == me || !__atomic_load_n(&cpu_scheduling[c], __ATOMIC_ACQUIRE))
			continue;
		while (__atomic_load_n(&quiesce_gen[c], __ATOMIC_ACQUIRE) == seen[c])
			arch_cpu_relax();
	}
}

void scheduler_run(void)
{
	unsigned int cpu = arch_cpu_id();

	__atomic_store_n(&cpu_scheduling[cpu], true, __ATOMIC_RELEASE);
	timer_reprogram(cpu);
	for (;;) {
		struct vcpu *v;
		u64 now;

		sched_quiescent();
		/* Interrupts stay off from the check to the HLT that waits. */
		arch_irq_disable();
		if (dom0_stopped && cpu == 0)
			dom0_stop_action(dom0_stop_code);
		spin_lock(&runq_lock);
		now = arch_now_ns();
		v = pick_next(cpu, now);
		slice_expired[cpu] = false;
		if (v) {
			v->is_running = true;
			v->run_start = now;
			/* no slice timer while the vCPU has the CPU to itself */
			slice_end[cpu] = runq_len(cpu) > 1 ? now + SLICE_NS : 0;
		} else {
			slice_end[cpu] = 0;
		}
		timer_reprogram_locked(cpu);
		spin_unlock(&runq_lock);
		if (v) {
			arch_vcpu_run(v);
			arch_irq_disable(); /* the run returns with interrupts on */
			spin_lock(&runq_lock);
			account(v, arch_now_ns());
			v->is_running = false;
			spin_unlock(&runq_lock);
			continue;
		}
		arch_idle();
	}
}

void vcpu_runstate(struct vcpu *v, u64 *cpu_time, bool *running)
{
	unsigned long flags = spin_lock_irqsave(&runq_lock);

	*cpu_time = v->cpu_time + (v->is_running ? arch_now_ns() - v->run_start : 0);
	*running = v->is_running;
	spin_unlock_irqrestore(&runq_lock, flags);
}
