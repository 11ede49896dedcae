// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for the scheduler (common/sched.c) and the hypercalls that block
 * in it (sched_op.c, vcpu_op.c's singleshot timer): wake conditions of HLT,
 * SCHEDOP_poll, SCHEDOP_yield and SCHEDOP_block, weighted fair share, caps,
 * pausing, the per-CPU timer, and the real scheduling loop driven step by step
 * on a fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* White-box: the tests look at run queues, slices and vruntimes from inside. */
#include "../../hypervisor/common/sched.c"
#include "../../hypervisor/common/sched_op.c"
#include "../../hypervisor/common/vcpu_op.c"

/* ---- the hypervisor environment, faked ---- */

#define T_DOMS 3
#define T_VCPUS 4
#define T_PORTS 64
#define MS 1000000ULL
#define US 1000ULL

static struct domain doms[T_DOMS];
static struct vcpu vcpus[T_DOMS][T_VCPUS];

/* The clock: a variable the tests advance. */
static u64 now_ns;
static unsigned int cur_cpu;

u64 arch_now_ns(void)
{
	return now_ns;
}

unsigned int arch_cpu_id(void)
{
	return cur_cpu;
}

static unsigned int kicks[ARCH_MAX_CPUS];

void arch_kick_cpu(unsigned int cpu)
{
	assert_true(cpu < ARCH_MAX_CPUS);
	kicks[cpu]++;
}

void arch_cpu_relax(void)
{
}

/*
 * The LAPIC one-shot: the last deadline programmed, armed until it fires.
 * A deadline already past fires at once (the real arch_timer_program waits
 * 1 us), so a timer that keeps being set in the past is an interrupt storm.
 */
static u64 timer_last, timer_armed;
static unsigned int timer_programs, timer_irqs;
static bool timer_storm;

void arch_timer_program(u64 deadline_ns)
{
	timer_last = deadline_ns;
	timer_armed = deadline_ns;
	timer_programs++;
}

static void fire_timer_if_due(void)
{
	for (unsigned int n = 0; timer_armed && now_ns >= timer_armed; n++) {
		if (n == 100) {
			timer_storm = true;
			return;
		}
		timer_armed = 0;
		timer_irqs++;
		sched_timer_interrupt();
	}
}

/* What a vCPU could take: an event (upcall, LAPIC or 8259) and NMIs. */
static bool event_pending[T_DOMS][T_VCPUS];

bool arch_vcpu_has_pending_event(struct vcpu *v)
{
	return event_pending[v->domain->domid][v->vcpu_id] || v->arch.vlapic.nmi_pending;
}

bool arch_vcpu_has_nmi(struct vcpu *v)
{
	return v->arch.vlapic.nmi_pending;
}

static bool port_pending[T_DOMS][T_PORTS];

bool evtchn_port_pending(struct domain *d, evtchn_port_t port)
{
	return port < T_PORTS && port_pending[d->domid][port];
}

/* The event channel's side of a VIRQ: the upcall goes pending on its edge. */
static unsigned int virqs[T_DOMS][T_VCPUS];

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
	bool *pending = &event_pending[v->domain->domid][v->vcpu_id];

	assert_int_equal(virq, VIRQ_TIMER);
	virqs[v->domain->domid][v->vcpu_id]++;
	if (!*pending) {
		*pending = true;
		vcpu_raise_upcall(v);
	}
}

static unsigned int console_polls;

void console_poll_input(void)
{
	console_polls++;
}

bool opt_noreboot;

/* Guest addresses are host pointers; the first page is never mapped. */
int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
	(void)v;
	if (len && src < 4096)
		return -EFAULT;
	if (len)
		memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
	(void)v;
	if (len && dst < 4096)
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

static unsigned int shutdowns;

void domain_shutdown(struct domain *d, unsigned int reason)
{
	(void)d;
	(void)reason;
	shutdowns++;
}

void arch_vcpu_dump(struct vcpu *v)
{
	(void)v;
}

paddr_t arch_p2m_lookup(struct domain *d, u64 gfn, enum p2m_type *t)
{
	(void)d;
	(void)gfn;
	*t = P2M_INVALID;
	return PADDR_INVALID;
}

void arch_update_vcpu_time(struct vcpu *v)
{
	(void)v;
}

/*
 * The scheduling loop, scheduler_run() itself, runs on the fake clock: the
 * fake arch_vcpu_run() is the real one's loop (exit, timer interrupt, the
 * guest's action, sched_should_leave) with the guest running EXIT_EVERY_NS
 * between exits; the loop is left by longjmp when the test's budget of runs
 * or time is spent, or when the CPU would idle with nothing to wake it.
 */
#define EXIT_EVERY_NS (100 * US)

static jmp_buf loop_exit;
static unsigned int runs_left;
static u64 stop_at;
static bool returning_from_run, idle_waits;
static struct vcpu *last_ran;
static unsigned int nr_runs, nr_idles;
static u64 ran_ns[T_DOMS][T_VCPUS];
/* The guest's action at an exit (NULL: it just computes). */
static void (*guest_exit)(struct vcpu *v);

void arch_irq_disable(void)
{
	if (returning_from_run) {
		returning_from_run = false;
		return;
	}
	/* the top of the loop: the test's budget decides */
	if (!runs_left || now_ns >= stop_at)
		longjmp(loop_exit, 1);
}

void arch_vcpu_run(struct vcpu *v)
{
	u64 start = now_ns;

	assert_true(v->is_running);
	assert_int_equal(v->pcpu, cur_cpu);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(v->sched_pause, 0);
	last_ran = v;
	nr_runs++;
	runs_left--;
	while (!sched_should_leave(v) && now_ns < stop_at) {
		now_ns += EXIT_EVERY_NS;
		fire_timer_if_due();
		if (guest_exit)
			guest_exit(v);
	}
	ran_ns[v->domain->domid][v->vcpu_id] += now_ns - start;
	returning_from_run = true;
}

/* HLT until the armed timer (a kick would end it too; tests kick by hand). */
void arch_idle(void)
{
	nr_idles++;
	if (!idle_waits || !timer_armed || timer_armed > stop_at)
		longjmp(loop_exit, 1);
	now_ns = MAX(now_ns, timer_armed);
	fire_timer_if_due();
}

static unsigned int poweroffs, reboots, halts;

void arch_machine_poweroff(void)
{
	poweroffs++;
	longjmp(loop_exit, 1);
}

void arch_machine_reboot(void)
{
	reboots++;
	longjmp(loop_exit, 1);
}

void arch_machine_halt(unsigned int why)
{
	assert_int_equal(why, KEEL_HALT_CRASH);
	halts++;
	longjmp(loop_exit, 1);
}

void arch_delay_ns(u64 ns)
{
	now_ns += ns;
}

/* Run cpu's scheduling loop for at most `runs` vCPU runs and until `until`. */
static void run_loop(unsigned int cpu, unsigned int runs, u64 until)
{
	cur_cpu = cpu;
	runs_left = runs;
	stop_at = until;
	last_ran = NULL;
	returning_from_run = false;
	if (!setjmp(loop_exit))
		scheduler_run();
	assert_false(runq_lock.held);
}

/* One scheduling decision: the vCPU that ran (until it left, 50 ms at most), or NULL. */
static struct vcpu *run_once(unsigned int cpu)
{
	run_loop(cpu, 1, now_ns + 50 * MS);
	return last_ran;
}

/* ---- fixtures ---- */

static int setup(void **state)
{
	(void)state;
	memset(doms, 0, sizeof(doms));
	memset(vcpus, 0, sizeof(vcpus));
	memset(runq, 0, sizeof(runq));
	memset(slice_end, 0, sizeof(slice_end));
	memset(slice_expired, 0, sizeof(slice_expired));
	memset(cpu_scheduling, 0, sizeof(cpu_scheduling));
	memset(kicks, 0, sizeof(kicks));
	memset(event_pending, 0, sizeof(event_pending));
	memset(port_pending, 0, sizeof(port_pending));
	memset(virqs, 0, sizeof(virqs));
	memset(ran_ns, 0, sizeof(ran_ns));
	dom0_stopped = false;
	dom0_stop_code = 0;
	now_ns = 1000 * MS;
	next_console_poll = now_ns + CONSOLE_POLL_NS;
	cur_cpu = 1;
	timer_last = timer_armed = 0;
	timer_programs = timer_irqs = 0;
	timer_storm = false;
	console_polls = shutdowns = 0;
	poweroffs = reboots = halts = 0;
	nr_runs = nr_idles = 0;
	guest_exit = NULL;
	idle_waits = false;
	opt_noreboot = false;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_false(runq_lock.held);
	assert_false(timer_storm);
	return 0;
}

/* vCPU `id` of domain `domid`, runnable, on `cpu`'s run queue. */
static struct vcpu *mkvcpu(domid_t domid, unsigned int id, unsigned int cpu)
{
	struct domain *d = &doms[domid];
	struct vcpu *v = &vcpus[domid][id];

	d->domid = domid;
	d->sched_weight = SCHED_DEFAULT_WEIGHT;
	d->max_vcpus = MAX(d->max_vcpus, id + 1);
	d->vcpus[id] = v;
	v->domain = d;
	v->vcpu_id = id;
	v->state = VCPU_RUNNABLE;
	v->affinity = 1ULL << cpu;
	assert_int_equal(sched_add_vcpu(v, cpu), 0);
	return v;
}

static void set_event(struct vcpu *v, bool on)
{
	event_pending[v->domain->domid][v->vcpu_id] = on;
}

static struct vcpu *pick(unsigned int cpu)
{
	return pick_next(cpu, now_ns);
}

static u64 cpu_ns(const struct vcpu *v)
{
	return ran_ns[v->domain->domid][v->vcpu_id];
}

/* The guest side of the hypercalls: arguments in (host) guest memory. */
static long poll_op(struct vcpu *v, const u32 *ports, u32 nr, u64 timeout)
{
	struct sched_poll p = { .ports = (u64)(uintptr_t)ports, .nr_ports = nr, .timeout = timeout };

	return do_sched_op(v, SCHEDOP_poll, (u64)(uintptr_t)&p, 0, 0, 0);
}

static long yield_op(struct vcpu *v)
{
	return do_sched_op(v, SCHEDOP_yield, 0, 0, 0, 0);
}

/* A port of d goes pending, as event_channel.c's set_pending() reports it. */
static void raise_port(struct vcpu *v, evtchn_port_t port)
{
	port_pending[v->domain->domid][port] = true;
	vcpu_poll_notify(v->domain, port);
}

/* ---- a block states its own wake conditions (commit 6272872) ---- */

/*
 * A poll with a timeout that an event ended early, then a HLT with interrupts
 * on: the old deadline passing and the old port going pending must not end
 * the HLT (before the fix the HLT inherited both and woke at once).
 */
static void test_hlt_after_poll_ended_early(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[] = { 5 };
	u64 deadline = now_ns + 1 * MS;

	(void)state;
	assert_int_equal(poll_op(v, ports, 1, deadline), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	now_ns += 100 * US;
	set_event(v, true); /* not the port: an upcall */
	assert_ptr_equal(pick(1), v);
	assert_int_equal(v->state, VCPU_RUNNABLE);

	set_event(v, false); /* the guest takes it, then idles */
	vcpu_block_on_hlt(v, true);
	now_ns = deadline + 1 * MS;
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);

	memset(kicks, 0, sizeof(kicks));
	raise_port(v, 5);
	assert_int_equal(kicks[1], 0);
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);

	set_event(v, true);
	assert_ptr_equal(pick(1), v);
}

/*
 * The same when the event came while the vCPU was still on its CPU (woken by
 * vcpu_wake() between the poll and the scheduler's check): it never went
 * through the scheduler, so only the HLT itself can drop the poll's state.
 */
static void test_hlt_after_poll_woken_before_leaving(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[] = { 5 };
	u64 deadline = now_ns + 1 * MS;

	(void)state;
	v->is_running = true;
	assert_int_equal(poll_op(v, ports, 1, deadline), 0);
	set_event(v, true);
	vcpu_raise_upcall(v); /* from another CPU, before this one checks */
	assert_false(sched_should_leave(v));
	set_event(v, false);
	vcpu_block_on_hlt(v, true);
	assert_true(sched_should_leave(v));
	v->is_running = false;

	now_ns = deadline + 1 * MS;
	assert_null(pick(1));
	memset(kicks, 0, sizeof(kicks));
	raise_port(v, 5);
	assert_int_equal(kicks[1], 0);
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);
}

/* A yield's sleep that an event ended, then a HLT: the same rule. */
static void test_hlt_after_yield_sleep_ended_early(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);

	(void)state;
	assert_int_equal(yield_op(v), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	now_ns += 50 * US;
	set_event(v, true);
	assert_ptr_equal(pick(1), v);

	set_event(v, false);
	vcpu_block_on_hlt(v, true);
	now_ns += YIELD_SLEEP_NS * 10;
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);
}

/* SCHEDOP_block is a HLT with interrupts on: it drops a poll's state too. */
static void test_schedop_block(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[] = { 5 };

	(void)state;
	assert_int_equal(poll_op(v, ports, 1, now_ns + MS), 0);
	set_event(v, true);
	assert_ptr_equal(pick(1), v);
	set_event(v, false);
	assert_int_equal(do_sched_op(v, SCHEDOP_block, 0, 0, 0, 0), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_false(v->hlt_masked);
	now_ns += 10 * MS;
	raise_port(v, 5);
	assert_null(pick(1));
	set_event(v, true);
	assert_ptr_equal(pick(1), v);
	assert_int_equal(do_sched_op(v, 99, 0, 0, 0, 0), -ENOSYS);
}

/* ---- SCHEDOP_poll ---- */

static void test_poll_returns_at_once(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[] = { 3, 7 };

	(void)state;
	port_pending[1][7] = true; /* masked or not: the fake does not care */
	assert_int_equal(poll_op(v, ports, 2, 0), 0);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(poll_op(v, ports, 2, now_ns + MS), 0);
	assert_int_equal(v->state, VCPU_RUNNABLE);

	port_pending[1][7] = false;
	assert_int_equal(poll_op(v, ports, 2, now_ns), 0); /* timeout now: past */
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(poll_op(v, ports, 2, now_ns - 1), 0);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(poll_op(v, ports, 0, now_ns - 1), 0);
	assert_int_equal(v->state, VCPU_RUNNABLE);
}

static void test_poll_blocks_until_port(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	struct vcpu *w = mkvcpu(2, 0, 1); /* another domain: same port numbers */
	u32 ports[] = { 3, 7 };

	(void)state;
	assert_int_equal(poll_op(v, ports, 2, 0), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_int_equal(v->nr_poll_ports, 2);
	assert_int_equal(v->poll_ports[0], 3);
	assert_int_equal(v->poll_ports[1], 7);
	assert_int_equal(v->poll_deadline, 0);
	w->state = VCPU_BLOCKED; /* so only v can be picked */

	memset(kicks, 0, sizeof(kicks));
	now_ns += 10 * MS;
	assert_null(pick(1));
	raise_port(v, 9); /* not polled */
	raise_port(w, 7); /* polled number, other domain */
	assert_int_equal(kicks[1], 0);
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);

	raise_port(v, 7);
	assert_int_equal(kicks[1], 1);
	assert_ptr_equal(pick(1), v);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(v->nr_poll_ports, 0);
}

static void test_poll_timeout(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[] = { 3 };
	u64 deadline = now_ns + 2 * MS;

	(void)state;
	assert_int_equal(poll_op(v, ports, 1, deadline), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_null(run_once(1)); /* idles, with the timer set for the timeout */
	assert_int_equal(timer_last, deadline);
	now_ns = deadline - 1;
	assert_null(pick(1));
	now_ns = deadline;
	assert_ptr_equal(pick(1), v);
	assert_int_equal(v->poll_deadline, 0);
}

/* No ports and no timeout: it waits for an event, as a HLT would. */
static void test_poll_nothing_waits_for_event(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);

	(void)state;
	assert_int_equal(poll_op(v, NULL, 0, 0), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	now_ns += 1000 * MS;
	assert_null(pick(1));
	set_event(v, true);
	assert_ptr_equal(pick(1), v);
}

static void test_poll_errors(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	u32 ports[ARRAY_SIZE(v->poll_ports) + 1] = { 0 };
	struct sched_poll bad_ports = { .ports = 16, .nr_ports = 1 };

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(ports); i++)
		ports[i] = 10 + i;
	port_pending[1][10] = true; /* pending, but the call is refused first */
	assert_int_equal(poll_op(v, ports, ARRAY_SIZE(ports), 0), -EINVAL);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(poll_op(v, ports, ~0U, 0), -EINVAL);
	assert_int_equal(v->state, VCPU_RUNNABLE);

	assert_int_equal(do_sched_op(v, SCHEDOP_poll, 16, 0, 0, 0), -EFAULT);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(do_sched_op(v, SCHEDOP_poll, (u64)(uintptr_t)&bad_ports, 0, 0, 0),
			 -EFAULT);
	assert_int_equal(v->state, VCPU_RUNNABLE);

	/* the most ports there is room for is fine */
	port_pending[1][10] = false;
	assert_int_equal(poll_op(v, ports, ARRAY_SIZE(v->poll_ports), 0), 0);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_int_equal(v->nr_poll_ports, ARRAY_SIZE(v->poll_ports));
	raise_port(v, 10 + ARRAY_SIZE(v->poll_ports) - 1);
	assert_ptr_equal(pick(1), v);
}

/* ---- HLT ---- */

static void test_hlt_masked_wakes_only_for_nmi(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);

	(void)state;
	vcpu_block_on_hlt(v, false);
	assert_int_equal(v->state, VCPU_BLOCKED);
	assert_true(v->hlt_masked);
	set_event(v, true);
	vcpu_wake(v);
	assert_int_equal(v->state, VCPU_BLOCKED);
	vcpu_raise_upcall(v);
	assert_int_equal(v->state, VCPU_BLOCKED);
	now_ns += 1000 * MS;
	assert_null(pick(1));
	assert_int_equal(v->state, VCPU_BLOCKED);

	v->arch.vlapic.nmi_pending = true;
	assert_ptr_equal(pick(1), v);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_false(v->hlt_masked);

	/* the other way an NMI arrives: vcpu_wake() from the sender */
	v->arch.vlapic.nmi_pending = false;
	vcpu_block_on_hlt(v, false);
	vcpu_wake(v);
	assert_int_equal(v->state, VCPU_BLOCKED);
	v->arch.vlapic.nmi_pending = true;
	vcpu_wake(v);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_false(v->hlt_masked);
}

static void test_hlt_unmasked_wakes_for_event(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);

	(void)state;
	vcpu_block_on_hlt(v, true);
	assert_false(v->hlt_masked);
	now_ns += 1000 * MS;
	assert_null(pick(1));
	set_event(v, true);
	assert_ptr_equal(pick(1), v);
	assert_int_equal(v->state, VCPU_RUNNABLE);

	set_event(v, false);
	vcpu_block_on_hlt(v, true);
	memset(kicks, 0, sizeof(kicks));
	vcpu_raise_upcall(v);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(kicks[1], 1);
}

/* An offline or dead vCPU is not woken by anything but INIT/STARTUP. */
static void test_offline_not_woken(void **state)
{
	struct vcpu *v = mkvcpu(1, 0, 1);
	struct vcpu *w = mkvcpu(1, 1, 1);

	(void)state;
	v->state = VCPU_OFFLINE;
	w->state = VCPU_DEAD;
	set_event(v, true);
	set_event(w, true);
	v->arch.vlapic.nmi_pending = true;
	vcpu_wake(v);
	vcpu_wake(w);
	assert_int_equal(v->state, VCPU_OFFLINE);
	assert_int_equal(w->state, VCPU_DEAD);
	assert_null(pick(1));
	assert_null(run_once(1));
}

/* ---- SCHEDOP_yield ---- */

static void test_yield_with_other_runnable(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);

	(void)state;
	b->vruntime = a->vruntime + 5 * MS; /* b is ahead: a would stay on */
	a->is_running = true;
	a->run_start = now_ns;
	assert_false(sched_should_leave(a));
	assert_int_equal(yield_op(a), 0);
	assert_int_equal(a->state, VCPU_RUNNABLE);
	assert_true(sched_should_leave(a));
	assert_false(sched_should_leave(a)); /* one yield, one leave */
	a->is_running = false;
}

static void test_yield_alone_sleeps(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);
	struct vcpu *c = mkvcpu(2, 0, 1);
	struct vcpu *far = mkvcpu(1, 2, 2); /* another CPU's: no matter */
	u64 deadline = now_ns + YIELD_SLEEP_NS;

	(void)state;
	assert_int_equal(YIELD_SLEEP_NS, 200 * US);
	vcpu_block_on_hlt(b, true); /* blocked */
	c->sched_pause = 1; /* paused */
	(void)far;
	assert_int_equal(yield_op(a), 0);
	assert_int_equal(a->state, VCPU_BLOCKED);
	assert_false(a->yielded);
	assert_int_equal(a->poll_deadline, deadline);
	assert_int_equal(a->nr_poll_ports, 0);

	assert_null(run_once(1));
	assert_int_equal(timer_last, deadline);
	now_ns = deadline - 1;
	assert_null(pick(1));
	now_ns = deadline;
	assert_ptr_equal(pick(1), a);
}

static void test_yield_sleep_ended_by_event(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);

	(void)state;
	assert_int_equal(yield_op(a), 0);
	assert_int_equal(a->state, VCPU_BLOCKED);
	now_ns += 20 * US;
	assert_null(pick(1));
	set_event(a, true);
	assert_ptr_equal(pick(1), a);
}

/* A capped-out domain's vCPU is not "another runnable vCPU" either. */
static void test_yield_other_capped(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(2, 0, 1);

	(void)state;
	doms[2].sched_cap = 10;
	doms[2].cap_period_start = now_ns;
	doms[2].cap_used_ns = CAP_PERIOD_NS; /* used up */
	assert_int_equal(yield_op(a), 0);
	assert_int_equal(a->state, VCPU_BLOCKED);
	assert_null(pick(1));
	(void)b;
}

/* ---- fair share ---- */

static void test_pick_furthest_behind(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);
	struct vcpu *c = mkvcpu(2, 0, 1);
	struct vcpu *d = mkvcpu(2, 1, 1);
	struct vcpu *e = mkvcpu(2, 2, 1);

	(void)state;
	a->vruntime = 5 * MS;
	b->vruntime = 3 * MS;
	c->vruntime = 7 * MS;
	d->vruntime = 1 * MS;
	e->vruntime = 0;
	d->sched_pause = 1;
	e->state = VCPU_OFFLINE;
	assert_ptr_equal(pick(1), b);
	b->state = VCPU_BLOCKED;
	assert_ptr_equal(pick(1), a);
	d->sched_pause = 0;
	assert_ptr_equal(pick(1), d);
	d->state = VCPU_DEAD;
	assert_ptr_equal(pick(1), a);
	a->sched_pause = 2;
	assert_ptr_equal(pick(1), c);
	doms[2].sched_cap = 50;
	doms[2].cap_period_start = now_ns;
	doms[2].cap_used_ns = CAP_PERIOD_NS / 2; /* 50% used: capped out */
	assert_null(pick(1));
	now_ns += CAP_PERIOD_NS; /* a new period */
	assert_ptr_equal(pick(1), c);
}

/* A paused vCPU is never run, and a blocked one is not woken while paused. */
static void test_pause(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);

	(void)state;
	memset(kicks, 0, sizeof(kicks));
	vcpu_pause(a);
	assert_int_equal(a->sched_pause, 1);
	assert_int_equal(kicks[1], 1);
	vcpu_pause(a);
	assert_ptr_equal(run_once(1), b);
	vcpu_block_on_hlt(b, true);
	domain_pause(&doms[1]);
	set_event(b, true);
	assert_null(pick(1));
	assert_int_equal(b->state, VCPU_BLOCKED);
	assert_null(run_once(1));
	domain_unpause(&doms[1]);
	assert_ptr_equal(pick(1), b);
	vcpu_unpause(a);
	assert_int_equal(a->sched_pause, 1); /* pauses nest */
	b->vruntime = a->vruntime + 1;
	assert_ptr_equal(pick(1), b);
	vcpu_unpause(a);
	assert_int_equal(a->sched_pause, 0);
	assert_ptr_equal(pick(1), a);

	/* the running vCPU leaves at its next check */
	a->is_running = true;
	a->run_start = now_ns;
	assert_false(sched_should_leave(a));
	cur_cpu = 1;
	vcpu_pause(a); /* a pausing itself: no wait for itself */
	assert_true(sched_should_leave(a));
	a->is_running = false;
	vcpu_unpause(a);
}

/* A vCPU that joins a CPU starts level with the one furthest behind. */
static void test_add_and_move(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b, *c;

	(void)state;
	a->vruntime = 40 * MS;
	b = mkvcpu(1, 1, 1);
	assert_int_equal(b->vruntime, 40 * MS);
	c = mkvcpu(1, 2, 2);
	assert_int_equal(c->vruntime, 0);
	c->vruntime = 100 * MS;
	assert_int_equal(sched_move_vcpu(c, 1), 0);
	assert_int_equal(c->pcpu, 1);
	assert_int_equal(c->vruntime, 40 * MS); /* no credit for its old CPU's time */
	assert_int_equal(runq_len(1), 3);
	assert_int_equal(runq_len(2), 0);
	assert_int_equal(sched_pick_cpu(0x6, 4), 2);
	assert_int_equal(sched_pick_cpu(0x2, 4), 1);
	assert_int_equal(sched_pick_cpu(0x10, 4), ARCH_MAX_CPUS);
	assert_int_equal(sched_pick_cpu(0, 4), ARCH_MAX_CPUS);
	sched_remove_vcpu(c);
	assert_int_equal(runq_len(1), 2);
	assert_int_equal(sched_add_vcpu(c, ARCH_MAX_CPUS), -1);
}

/*
 * A vCPU woken after a long sleep starts at most half a slice behind the
 * others on its CPU: the time it slept is no credit to take the CPU with.
 * Found by this test: an interrupt or event channel upcall woke the vCPU
 * through vcpu_wake(), which made it runnable directly, so pick_next never
 * placed it and it kept the vruntime it went to sleep with.
 */
static void check_wake_placement(void (*wake)(struct vcpu *))
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);
	struct vcpu *c = mkvcpu(1, 2, 1);

	vcpu_block_on_hlt(b, true);
	vcpu_block_on_hlt(c, true);
	a->vruntime = 10000 * MS;
	b->vruntime = 0;
	c->vruntime = 10000 * MS - SLICE_NS / 4; /* close enough: keeps its lead */
	now_ns += 10000 * MS;
	wake(b);
	wake(c);
	assert_ptr_equal(pick(1), b);
	assert_int_equal(b->state, VCPU_RUNNABLE);
	/* half a slice behind a, or behind c if c was runnable by then */
	assert_in_range(b->vruntime, 10000 * MS - SLICE_NS / 4 - SLICE_NS / 2,
			10000 * MS - SLICE_NS / 2);
	assert_int_equal(c->vruntime, 10000 * MS - SLICE_NS / 4);
	assert_int_equal(a->vruntime, 10000 * MS);
}

static void wake_by_event(struct vcpu *v)
{
	set_event(v, true);
}

static void wake_by_upcall(struct vcpu *v)
{
	set_event(v, true);
	vcpu_raise_upcall(v);
	assert_int_equal(v->state, VCPU_RUNNABLE);
}

static void test_wake_placement_found_by_scheduler(void **state)
{
	(void)state;
	check_wake_placement(wake_by_event);
}

static void test_wake_placement_by_upcall(void **state)
{
	(void)state;
	check_wake_placement(wake_by_upcall);
}

/* Alone on its CPU a waker keeps its vruntime (there is no one to be fair to). */
static void test_wake_alone_keeps_vruntime(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);

	(void)state;
	vcpu_block_on_hlt(a, true);
	a->vruntime = 7;
	set_event(a, true);
	assert_ptr_equal(pick(1), a);
	assert_int_equal(a->vruntime, 7);
}

/* Two vCPUs that never stop computing share the CPU by weight. */
static void test_loop_shares_by_weight(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(2, 0, 1);
	u64 end = now_ns + 1000 * MS;

	(void)state;
	run_loop(1, ~0U, end);
	assert_int_equal(cpu_ns(a) + cpu_ns(b), 1000 * MS);
	assert_in_range(cpu_ns(a), 490 * MS, 510 * MS);
	assert_int_equal(a->cpu_time, cpu_ns(a));

	memset(ran_ns, 0, sizeof(ran_ns));
	doms[1].sched_weight = 2 * SCHED_DEFAULT_WEIGHT;
	end = now_ns + 3000 * MS;
	run_loop(1, ~0U, end);
	assert_in_range(cpu_ns(a), 1980 * MS, 2020 * MS);
	assert_in_range(cpu_ns(b), 980 * MS, 1020 * MS);
}

/* A cap holds a domain to its share of CAP_PERIOD_NS even with CPU to spare. */
static void test_loop_cap(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(2, 0, 1);

	(void)state;
	doms[1].sched_cap = 25;
	doms[1].cap_period_start = now_ns;
	run_loop(1, ~0U, now_ns + 1000 * MS);
	assert_in_range(cpu_ns(a), 240 * MS, 260 * MS);
	assert_int_equal(cpu_ns(a) + cpu_ns(b), 1000 * MS);
}

/*
 * A capped vCPU alone on its CPU is held to its cap too, and comes back when
 * the next period starts. Found by this test: the cap counted only the
 * time of runs that had ended, and a vCPU alone never ended its run, so it
 * took the whole CPU; and nothing woke the idle CPU when the period ended.
 */
static void test_loop_cap_alone(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	u64 end = now_ns + 1000 * MS;

	(void)state;
	doms[1].sched_cap = 25;
	doms[1].cap_period_start = now_ns;
	idle_waits = true;
	run_loop(1, ~0U, end);
	assert_true(now_ns >= end); /* the CPU did not sleep for good */
	assert_in_range(cpu_ns(a), 245 * MS, 255 * MS);
	assert_true(nr_runs >= 10);
}

/*
 * Through the real path: b sleeps in HLT for 10 s while a computes; b's
 * singleshot timer wakes it (VIRQ_TIMER, upcall, vcpu_wake) and from then on
 * both compute. a must keep about half of the CPU, not wait 10 s for b to
 * catch up.
 */
static bool sleeper_slept;

static void hlt_until_timer_once(struct vcpu *v)
{
	if (v == &vcpus[2][0] && !sleeper_slept) {
		sleeper_slept = true;
		vcpu_set_timer(v, now_ns + 10000 * MS);
		vcpu_block_on_hlt(v, true);
	}
}

static void test_loop_sleeper_does_not_monopolise(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(2, 0, 1);
	u64 woke;

	(void)state;
	sleeper_slept = false;
	b->vruntime = a->vruntime + 1; /* b runs second */
	guest_exit = hlt_until_timer_once;
	run_loop(1, ~0U, now_ns + 10 * MS);
	assert_int_equal(b->state, VCPU_BLOCKED);
	assert_in_range(b->timer_deadline, now_ns + 9990 * MS, now_ns + 10000 * MS);
	guest_exit = NULL;
	run_loop(1, ~0U, b->timer_deadline + 1 * MS);
	assert_int_equal(virqs[2][0], 1);
	assert_int_equal(b->state, VCPU_RUNNABLE);
	woke = now_ns;
	memset(ran_ns, 0, sizeof(ran_ns));
	run_loop(1, ~0U, woke + 100 * MS);
	assert_in_range(cpu_ns(a), 40 * MS, 60 * MS);
	assert_in_range(cpu_ns(b), 40 * MS, 60 * MS);
}

/* ---- leaving the CPU ---- */

static void test_should_leave(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);

	(void)state;
	a->is_running = true;
	a->run_start = now_ns;
	b->vruntime = a->vruntime;
	b->state = VCPU_BLOCKED;
	now_ns += 100 * MS;
	assert_false(sched_should_leave(a)); /* alone */
	assert_int_equal(a->cpu_time, 100 * MS); /* counted as it goes */
	assert_int_equal(a->vruntime, b->vruntime + 100 * MS);
	b->vruntime = a->vruntime;
	b->state = VCPU_RUNNABLE;
	now_ns += WAKE_GRANULARITY_NS;
	assert_false(sched_should_leave(a)); /* b is behind, not far enough */
	now_ns += 1;
	assert_true(sched_should_leave(a));

	/* a blocked vCPU that can wake: let pick_next weigh it */
	b->vruntime = a->vruntime + 100 * MS;
	assert_false(sched_should_leave(a));
	vcpu_block_on_hlt(b, true);
	set_event(b, true);
	assert_true(sched_should_leave(a));
	assert_int_equal(b->state, VCPU_RUNNABLE);

	/* the slice is over and another waits */
	assert_false(sched_should_leave(a));
	slice_expired[1] = true;
	assert_true(sched_should_leave(a));
	b->sched_pause = 1;
	assert_false(sched_should_leave(a)); /* no one waits */
	b->sched_pause = 0;
	slice_expired[1] = false;

	/* its own state says go */
	vcpu_block_on_hlt(a, true);
	assert_true(sched_should_leave(a));
	a->state = VCPU_RUNNABLE;
	a->sched_pause = 1;
	assert_true(sched_should_leave(a));
	a->sched_pause = 0;
	doms[1].sched_cap = 1;
	doms[1].cap_period_start = now_ns;
	doms[1].cap_used_ns = CAP_PERIOD_NS;
	assert_true(sched_should_leave(a));
	doms[1].sched_cap = 0;
	assert_false(sched_should_leave(a));
	sched_domain_stopped(&doms[0]); /* dom0 stopped: everyone goes */
	assert_true(sched_should_leave(a));
	a->is_running = false;
}

/* A vCPU with the CPU to itself has no slice timer; with company it has. */
static void test_loop_slice_timer(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);

	(void)state;
	vcpu_block_on_hlt(b, true);
	sched_remove_vcpu(b);
	run_loop(1, 1, now_ns + 50 * MS);
	assert_ptr_equal(last_ran, a);
	assert_int_equal(slice_end[1], 0);
	assert_int_equal(timer_irqs, 0);

	assert_int_equal(sched_add_vcpu(b, 1), 0);
	b->vruntime = a->vruntime + 20 * SLICE_NS; /* far ahead: only the slice ends a's turn */
	b->state = VCPU_RUNNABLE;
	run_loop(1, 1, now_ns + 100 * SLICE_NS);
	assert_ptr_equal(last_ran, a);
	assert_int_equal(timer_irqs, 1);
}

/* ---- the CPU's timer ---- */

static void test_timer_reprogram_earliest(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);
	struct vcpu *far = mkvcpu(2, 0, 2);
	u64 t0 = now_ns;

	(void)state;
	timer_reprogram_locked(1);
	assert_int_equal(timer_programs, 0); /* nothing to wait for */

	far->timer_deadline = t0 + 1 * MS; /* another CPU's business */
	a->timer_deadline = t0 + 5 * MS;
	timer_reprogram_locked(1);
	assert_int_equal(timer_last, t0 + 5 * MS);

	assert_int_equal(poll_op(b, NULL, 0, t0 + 3 * MS), 0);
	timer_reprogram_locked(1);
	assert_int_equal(timer_last, t0 + 3 * MS);

	slice_end[1] = t0 + 2 * MS;
	timer_reprogram_locked(1);
	assert_int_equal(timer_last, t0 + 2 * MS);

	a->timer_deadline = t0 + 1 * MS;
	timer_reprogram_locked(1);
	assert_int_equal(timer_last, t0 + 1 * MS);

	a->timer_deadline = 0;
	slice_end[1] = 0;
	timer_reprogram_locked(1);
	assert_int_equal(timer_last, t0 + 3 * MS);

	/* CPU 0 also polls the console */
	next_console_poll = t0 + 4 * MS;
	timer_reprogram_locked(2);
	assert_int_equal(timer_last, t0 + 1 * MS);
	far->timer_deadline = 0;
	timer_programs = 0;
	timer_reprogram_locked(2);
	assert_int_equal(timer_programs, 0);
	timer_reprogram_locked(0);
	assert_int_equal(timer_last, t0 + 4 * MS);
}

static void test_timer_interrupt(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 1);
	u64 t0 = now_ns;

	(void)state;
	a->timer_deadline = t0 + 1 * MS;
	b->timer_deadline = t0 + 3 * MS;
	slice_end[1] = t0 + 2 * MS;
	vcpu_block_on_hlt(a, true);
	cur_cpu = 1;
	now_ns = t0 + 1 * MS;
	sched_timer_interrupt();
	assert_int_equal(virqs[1][0], 1);
	assert_int_equal(virqs[1][1], 0);
	assert_int_equal(a->timer_deadline, 0);
	assert_int_equal(a->state, VCPU_RUNNABLE); /* the VIRQ woke it */
	assert_false(slice_expired[1]);
	assert_int_equal(timer_last, t0 + 2 * MS);

	now_ns = t0 + 2 * MS;
	sched_timer_interrupt();
	assert_true(slice_expired[1]);
	assert_int_equal(slice_end[1], 0);
	assert_int_equal(timer_last, t0 + 3 * MS);
	assert_int_equal(virqs[1][0], 1);

	now_ns = t0 + 5 * MS;
	timer_programs = 0;
	sched_timer_interrupt();
	assert_int_equal(virqs[1][1], 1);
	assert_int_equal(timer_programs, 0); /* nothing left to wait for */
	assert_int_equal(console_polls, 0);
}

static void test_timer_console_poll(void **state)
{
	(void)state;
	cur_cpu = 0;
	now_ns = next_console_poll - 1;
	sched_timer_interrupt();
	assert_int_equal(console_polls, 0);
	assert_int_equal(timer_last, next_console_poll);
	now_ns += 1;
	sched_timer_interrupt();
	assert_int_equal(console_polls, 1);
	assert_int_equal(next_console_poll, now_ns + CONSOLE_POLL_NS);
	assert_int_equal(timer_last, now_ns + CONSOLE_POLL_NS);
	assert_false(runq_lock.held);
	cur_cpu = 1;
	now_ns += CONSOLE_POLL_NS;
	sched_timer_interrupt();
	assert_int_equal(console_polls, 1); /* only CPU 0 polls */
}

/*
 * A poll or yield deadline matters only while the vCPU waits for it. Found
 * by these tests: a vCPU that an event woke before its deadline, and one
 * paused while it waited, kept the deadline; once it passed, every timer
 * interrupt set the timer in the past again (an interrupt every microsecond
 * on that CPU, until the vCPU blocked again or was unpaused).
 */
static void test_no_timer_storm_after_early_wake(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);

	(void)state;
	assert_int_equal(yield_op(a), 0);
	now_ns += 50 * US;
	set_event(a, true);
	vcpu_raise_upcall(a);
	set_event(a, false);
	run_loop(1, ~0U, now_ns + 10 * MS); /* a computes, alone */
	assert_false(timer_storm);
	assert_true(timer_irqs <= 1);
	assert_true(!timer_armed || timer_armed > now_ns);
}

static void test_no_timer_storm_while_paused(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(2, 0, 1);
	u32 ports[] = { 4 };
	u64 deadline = now_ns + 1 * MS;

	(void)state;
	assert_int_equal(poll_op(a, ports, 1, deadline), 0);
	domain_pause(&doms[1]); /* the toolstack pauses a's domain */
	run_loop(1, ~0U, now_ns + 20 * MS); /* b computes */
	assert_false(timer_storm);
	assert_true(timer_irqs <= 3); /* the deadline, the slice */
	assert_true(!timer_armed || timer_armed > now_ns);
	assert_int_equal(a->state, VCPU_BLOCKED);
	domain_unpause(&doms[1]);
	a->vruntime = b->vruntime;
	assert_ptr_equal(pick(1), a); /* its timeout has passed */
	(void)b;
}

/* ---- VCPUOP singleshot timer ---- */

static long sshot_op(struct vcpu *v, unsigned int id, u64 timeout, u32 flags)
{
	struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = timeout, .flags = flags };

	return do_vcpu_op(v, VCPUOP_set_singleshot_timer, id, (u64)(uintptr_t)&t, 0, 0);
}

static void test_singleshot_timer(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	struct vcpu *b = mkvcpu(1, 1, 2);

	(void)state;
	cur_cpu = 1;
	assert_int_equal(sshot_op(a, 0, now_ns + 3 * MS, VCPU_SSHOTTMR_future), 0);
	assert_int_equal(a->timer_deadline, now_ns + 3 * MS);
	assert_int_equal(timer_last, now_ns + 3 * MS);
	assert_int_equal(sshot_op(a, 0, now_ns - 1, VCPU_SSHOTTMR_future), -ETIME);
	assert_int_equal(a->timer_deadline, now_ns + 3 * MS);
	assert_int_equal(sshot_op(a, 1, now_ns + MS, 0), -EINVAL); /* not its own */
	assert_int_equal(sshot_op(a, T_VCPUS, now_ns + MS, 0), -ENOENT);
	assert_int_equal(do_vcpu_op(a, VCPUOP_set_singleshot_timer, 0, 16, 0, 0), -EFAULT);
	assert_int_equal(do_vcpu_op(a, VCPUOP_stop_singleshot_timer, 1, 0, 0, 0), -EINVAL);
	assert_int_equal(a->timer_deadline, now_ns + 3 * MS);

	/* a past deadline without the flag fires at once */
	assert_int_equal(sshot_op(a, 0, now_ns - 1, 0), 0);
	fire_timer_if_due();
	assert_int_equal(virqs[1][0], 1);
	assert_int_equal(a->timer_deadline, 0);

	assert_int_equal(sshot_op(a, 0, now_ns + 3 * MS, 0), 0);
	assert_int_equal(do_vcpu_op(a, VCPUOP_stop_singleshot_timer, 0, 0, 0, 0), 0);
	assert_int_equal(a->timer_deadline, 0);

	/* a vCPU's timer on another CPU: that CPU is told to reprogram */
	memset(kicks, 0, sizeof(kicks));
	timer_programs = 0;
	assert_int_equal(sshot_op(b, 1, now_ns + 3 * MS, 0), 0);
	assert_int_equal(kicks[2], 1);
	assert_int_equal(timer_programs, 0);
}

/* ---- dom0's end is the machine's ---- */

static void test_dom0_stop(void **state)
{
	(void)state;
	mkvcpu(0, 0, 0);
	mkvcpu(1, 0, 1);
	doms[1].shutdown_code = SHUTDOWN_poweroff;
	sched_domain_stopped(&doms[1]);
	assert_false(dom0_stopped);

	doms[0].shutdown_code = SHUTDOWN_poweroff;
	sched_domain_stopped(&doms[0]);
	run_loop(1, 1, ~0ULL); /* not CPU 0's job elsewhere */
	assert_int_equal(poweroffs, 0);
	run_loop(0, 1, ~0ULL);
	assert_int_equal(poweroffs, 1);

	doms[0].shutdown_code = SHUTDOWN_reboot;
	sched_domain_stopped(&doms[0]);
	run_loop(0, 1, ~0ULL);
	assert_int_equal(reboots, 1);

	doms[0].shutdown_code = SHUTDOWN_crash;
	sched_domain_stopped(&doms[0]);
	opt_noreboot = true;
	run_loop(0, 1, ~0ULL);
	assert_int_equal(halts, 1);
	opt_noreboot = false;
	now_ns = 0;
	run_loop(0, 1, ~0ULL);
	assert_int_equal(reboots, 2);
	assert_int_equal(now_ns, 5000 * MS); /* after the 5 s it promised */
}

/* ---- CPU time as the toolstack sees it ---- */

static void test_runstate(void **state)
{
	struct vcpu *a = mkvcpu(1, 0, 1);
	u64 t;
	bool running;

	(void)state;
	run_loop(1, 1, now_ns + 3 * MS);
	vcpu_runstate(a, &t, &running);
	assert_int_equal(t, 3 * MS);
	assert_false(running);
	a->is_running = true;
	a->run_start = now_ns;
	now_ns += 2 * MS;
	vcpu_runstate(a, &t, &running);
	assert_int_equal(t, 5 * MS);
	assert_true(running);
	a->is_running = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_hlt_after_poll_ended_early),
		T(test_hlt_after_poll_woken_before_leaving),
		T(test_hlt_after_yield_sleep_ended_early),
		T(test_schedop_block),
		T(test_poll_returns_at_once),
		T(test_poll_blocks_until_port),
		T(test_poll_timeout),
		T(test_poll_nothing_waits_for_event),
		T(test_poll_errors),
		T(test_hlt_masked_wakes_only_for_nmi),
		T(test_hlt_unmasked_wakes_for_event),
		T(test_offline_not_woken),
		T(test_yield_with_other_runnable),
		T(test_yield_alone_sleeps),
		T(test_yield_sleep_ended_by_event),
		T(test_yield_other_capped),
		T(test_pick_furthest_behind),
		T(test_pause),
		T(test_add_and_move),
		T(test_wake_placement_found_by_scheduler),
		T(test_wake_placement_by_upcall),
		T(test_wake_alone_keeps_vruntime),
		T(test_loop_shares_by_weight),
		T(test_loop_cap),
		T(test_loop_cap_alone),
		T(test_loop_sleeper_does_not_monopolise),
		T(test_should_leave),
		T(test_loop_slice_timer),
		T(test_timer_reprogram_earliest),
		T(test_timer_interrupt),
		T(test_timer_console_poll),
		T(test_no_timer_storm_after_early_wake),
		T(test_no_timer_storm_while_paused),
		T(test_singleshot_timer),
		T(test_dom0_stop),
		T(test_runstate),
#undef T
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
