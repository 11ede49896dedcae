// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for 2-level event channels: every sub-op's success and error
 * paths, pending/mask/selector/upcall semantics, two-domain channels and
 * domain destroy, port exhaustion, and a long random run against a model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* White-box: the tests look at the locks and port tables from inside. */
#include "../../hypervisor/common/event_channel.c"

/* ---- the hypervisor environment, faked ---- */

#define TEST_MAX_VCPUS 8

static struct domain *doms[MAX_DOMAINS];
static unsigned int raised[MAX_DOMAINS][TEST_MAX_VCPUS]; /* vcpu_raise_upcall() calls */
static int fail_copy_from, fail_copy_to; /* fail the Nth next copy (1 = next) */
static int fail_alloc; /* fail the Nth next xzalloc */
static unsigned int copies_from, copies_to;
static size_t last_from_len, last_to_len;

static void assert_no_event_lock_held(void)
{
	assert_false(evtchn_link_lock.held);
	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		if (doms[i] && doms[i]->evtchn)
			assert_false(doms[i]->evtchn->lock.held);
}

static bool fail_now(int *countdown)
{
	return *countdown && --*countdown == 0;
}

/* Guest addresses are host pointers here. */
int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len)
{
	(void)v;
	assert_no_event_lock_held();
	copies_from++;
	last_from_len = len;
	if (fail_now(&fail_copy_from))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len)
{
	(void)v;
	assert_no_event_lock_held();
	copies_to++;
	last_to_len = len;
	if (fail_now(&fail_copy_to))
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

void *xmalloc(size_t size)
{
	return fail_now(&fail_alloc) ? NULL : malloc(size ? size : 1);
}

void *xzalloc(size_t size)
{
	return fail_now(&fail_alloc) ? NULL : calloc(1, size ? size : 1);
}

void xfree(void *p)
{
	free(p);
}

struct domain *domain_lookup(domid_t domid)
{
	return domid < MAX_DOMAINS ? doms[domid] : NULL;
}

struct domain *domain_from_arg(struct domain *caller, domid_t domid)
{
	if (domid == DOMID_SELF || domid == caller->domid)
		return caller;
	return domain_lookup(domid);
}

/* SCHEDOP_poll wake-ups are the scheduler's business; nothing to model. */
void vcpu_poll_notify(struct domain *d, evtchn_port_t port)
{
	(void)d;
	(void)port;
}

void vcpu_raise_upcall(struct vcpu *v)
{
	/* Only on the 0 -> 1 edge, which the caller has just made. */
	assert_non_null(v->vcpu_info);
	assert_int_equal(v->vcpu_info->evtchn_upcall_pending, 1);
	raised[v->domain->domid][v->vcpu_id]++;
}

static struct domain *mkdom(domid_t id, unsigned int nr_vcpus, bool priv)
{
	struct domain *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_null(doms[id]);
	d->domid = id;
	d->is_privileged = priv;
	d->max_vcpus = nr_vcpus;
	d->shared_info = aligned_alloc(4096, 4096);
	assert_non_null(d->shared_info);
	memset(d->shared_info, 0, 4096);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->domain = d;
		v->vcpu_id = i;
		v->state = VCPU_RUNNABLE;
		v->vcpu_info = &d->shared_info->vcpu_info[i];
		d->vcpus[i] = v;
	}
	assert_int_equal(evtchn_domain_init(d), 0);
	memset(raised[id], 0, sizeof(raised[id]));
	doms[id] = d;
	return d;
}

/* The destroy path: the domain is still findable while its channels close. */
static void rmdom(struct domain *d)
{
	evtchn_domain_destroy(d);
	assert_null(d->evtchn);
	doms[d->domid] = NULL;
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		free(d->vcpus[i]);
	free(d->shared_info);
	free(d);
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < MAX_DOMAINS; i++)
		if (doms[i])
			rmdom(doms[i]);
	fail_copy_from = fail_copy_to = fail_alloc = 0;
	return 0;
}

/* ---- hypercall wrappers: return the error, or the port they made ---- */

static long op(struct domain *d, unsigned int vcpu, unsigned int cmd, void *arg)
{
	long rc = do_event_channel_op(d->vcpus[vcpu], cmd, (u64)(uintptr_t)arg, 0, 0, 0);

	assert_no_event_lock_held();
	return rc;
}

static long alloc_unbound_op(struct domain *c, domid_t dom, domid_t remote)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = remote, .port = 0xdead };
	long rc = op(c, 0, EVTCHNOP_alloc_unbound, &a);

	return rc ? rc : (long)a.port;
}

static long bind_interdomain_op(struct domain *c, domid_t rdom, evtchn_port_t rport)
{
	struct evtchn_bind_interdomain b = { .remote_dom = rdom, .remote_port = rport };
	long rc = op(c, 0, EVTCHNOP_bind_interdomain, &b);

	return rc ? rc : (long)b.local_port;
}

static long bind_virq_op(struct domain *c, u32 virq, u32 vcpu)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = vcpu };
	long rc = op(c, 0, EVTCHNOP_bind_virq, &b);

	return rc ? rc : (long)b.port;
}

static long bind_ipi_op(struct domain *c, u32 vcpu)
{
	struct evtchn_bind_ipi b = { .vcpu = vcpu };
	long rc = op(c, 0, EVTCHNOP_bind_ipi, &b);

	return rc ? rc : (long)b.port;
}

static long port_op(struct domain *c, unsigned int cmd, evtchn_port_t port)
{
	evtchn_port_t p = port;

	return op(c, 0, cmd, &p);
}

static long close_op(struct domain *c, evtchn_port_t port)
{
	return port_op(c, EVTCHNOP_close, port);
}

static long send_op(struct domain *c, evtchn_port_t port)
{
	return port_op(c, EVTCHNOP_send, port);
}

static long unmask_op(struct domain *c, evtchn_port_t port)
{
	return port_op(c, EVTCHNOP_unmask, port);
}

static long bind_vcpu_op(struct domain *c, evtchn_port_t port, u32 vcpu)
{
	struct evtchn_bind_vcpu b = { .port = port, .vcpu = vcpu };

	return op(c, 0, EVTCHNOP_bind_vcpu, &b);
}

static long status_op(struct domain *c, domid_t dom, evtchn_port_t port, struct evtchn_status *st)
{
	memset(st, 0xa5, sizeof(*st));
	st->dom = dom;
	st->port = port;
	return op(c, 0, EVTCHNOP_status, st);
}

static long reset_op(struct domain *c, domid_t dom)
{
	struct evtchn_reset r = { .dom = dom };

	return op(c, 0, EVTCHNOP_reset, &r);
}

/* Status of one's own port, asserting the call works. */
static struct evtchn_status st_of(struct domain *d, evtchn_port_t port)
{
	struct evtchn_status st;

	assert_int_equal(status_op(d, DOMID_SELF, port, &st), 0);
	return st;
}

/* ---- shared_info views ---- */

static bool pending(struct domain *d, evtchn_port_t p)
{
	return d->shared_info->evtchn_pending[p / 64] >> (p % 64) & 1;
}

static void set_mask(struct domain *d, evtchn_port_t p, bool on)
{
	if (on)
		d->shared_info->evtchn_mask[p / 64] |= 1ULL << (p % 64);
	else
		d->shared_info->evtchn_mask[p / 64] &= ~(1ULL << (p % 64));
}

static bool masked(struct domain *d, evtchn_port_t p)
{
	return d->shared_info->evtchn_mask[p / 64] >> (p % 64) & 1;
}

static struct vcpu_info *vi(struct domain *d, unsigned int v)
{
	return &d->shared_info->vcpu_info[v];
}

/* What a guest's upcall handler does before looking: take the flags. */
static void guest_ack(struct domain *d, unsigned int v)
{
	vi(d, v)->evtchn_upcall_pending = 0;
	vi(d, v)->evtchn_pending_sel = 0;
}

/* ---- tests ---- */

static void test_fifo_and_unknown_ops_are_enosys(void **state)
{
	struct domain *d = mkdom(0, 1, true);
	static const unsigned int cmds[] = {
		EVTCHNOP_bind_pirq, EVTCHNOP_init_control, EVTCHNOP_expand_array,
		EVTCHNOP_set_priority, EVTCHNOP_reset_cont, 15, 255, 0x80000000u,
	};

	(void)state;
	copies_from = copies_to = 0;
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++)
		assert_int_equal(op(d, 0, cmds[i], NULL), -ENOSYS);
	assert_int_equal(do_event_channel_op(d->vcpus[0], 1ULL << 32, 0, 0, 0, 0), -ENOSYS);
	/* Rejected before any guest access. */
	assert_int_equal(copies_from + copies_to, 0);
}

static void test_abi_copy_sizes(void **state)
{
	struct domain *d = mkdom(0, 1, true);
	struct evtchn_status st;
	long p;

	(void)state;
	p = alloc_unbound_op(d, DOMID_SELF, DOMID_SELF);
	assert_true(p > 0);
	assert_int_equal(last_from_len, 8);
	assert_int_equal(last_to_len, 8);
	status_op(d, DOMID_SELF, p, &st);
	assert_int_equal(last_from_len, 24);
	assert_int_equal(last_to_len, 24);
	bind_virq_op(d, VIRQ_TIMER, 0);
	assert_int_equal(last_from_len, 12);
	send_op(d, p);
	assert_int_equal(last_from_len, 4);
	bind_vcpu_op(d, p, 0);
	assert_int_equal(last_from_len, 8);
	reset_op(d, DOMID_SELF);
	assert_int_equal(last_from_len, 2);
}

static void test_alloc_unbound(void **state)
{
	struct domain *d0 = mkdom(0, 2, true), *d1 = mkdom(1, 1, false);
	struct evtchn_status st;

	(void)state;
	/* Port 0 is reserved: the first port is 1, then the lowest free one. */
	assert_int_equal(alloc_unbound_op(d1, DOMID_SELF, 0), 1);
	assert_int_equal(alloc_unbound_op(d1, 1, DOMID_SELF), 2);
	st = st_of(d1, 1);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 0);
	assert_int_equal(st.vcpu, 0);
	/* remote DOMID_SELF means the caller. */
	assert_int_equal(st_of(d1, 2).u.unbound.dom, 1);

	/* The toolstack allocates in a domU, for itself (remote SELF = dom0). */
	assert_int_equal(alloc_unbound_op(d0, 1, DOMID_SELF), 3);
	assert_int_equal(status_op(d0, 1, 3, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 0);
	/* ... and nothing appeared in dom0. */
	assert_int_equal(alloc_unbound_op(d0, DOMID_SELF, 1), 1);

	assert_int_equal(alloc_unbound_op(d1, 0, 1), -EPERM);
	assert_int_equal(alloc_unbound_op(d0, 7, 1), -ESRCH);
	assert_int_equal(alloc_unbound_op(d1, 7, 1), -ESRCH);
	assert_int_equal(alloc_unbound_op(d0, DOMID_IO, 1), -ESRCH);

	/* Hypervisor-internal allocation: no permission check, SELF = d. */
	evtchn_port_t p;

	assert_int_equal(evtchn_alloc_unbound_port(d1, DOMID_SELF, &p), 0);
	assert_int_equal(p, 4);
	assert_int_equal(st_of(d1, 4).u.unbound.dom, 1);
	assert_int_equal(evtchn_alloc_unbound_port(d1, 0, &p), 0);
	assert_int_equal(p, 5);
	assert_int_equal(st_of(d1, 5).u.unbound.dom, 0);
}

static void test_efault_everywhere(void **state)
{
	struct domain *d = mkdom(0, 2, true), *d1 = mkdom(1, 1, false);
	static const unsigned int cmds[] = {
		EVTCHNOP_bind_interdomain, EVTCHNOP_bind_virq, EVTCHNOP_close,
		EVTCHNOP_send, EVTCHNOP_status, EVTCHNOP_alloc_unbound,
		EVTCHNOP_bind_ipi, EVTCHNOP_bind_vcpu, EVTCHNOP_unmask, EVTCHNOP_reset,
	};
	u8 buf[64] = { 0 };
	struct evtchn_status st;
	long p, u;

	(void)state;
	for (unsigned int i = 0; i < ARRAY_SIZE(cmds); i++) {
		fail_copy_from = 1;
		assert_int_equal(op(d, 0, cmds[i], buf), -EFAULT);
	}
	/* A port the guest cannot learn about is not leaked. */
	fail_copy_to = 1;
	assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 1), -EFAULT);
	fail_copy_to = 1;
	assert_int_equal(alloc_unbound_op(d, 1, DOMID_SELF), -EFAULT);
	fail_copy_to = 1;
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 1), -EFAULT);
	fail_copy_to = 1;
	assert_int_equal(bind_ipi_op(d, 1), -EFAULT);
	assert_int_equal(st_of(d, 1).status, EVTCHNSTAT_closed);
	assert_int_equal(status_op(d, 1, 1, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	/* The VIRQ is free to bind again. */
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 1), 1);

	/* A failed bind_interdomain leaves the remote end unbound, still ours. */
	u = alloc_unbound_op(d1, DOMID_SELF, 0);
	assert_int_equal(u, 1);
	fail_copy_to = 1;
	assert_int_equal(bind_interdomain_op(d, 1, u), -EFAULT);
	assert_int_equal(st_of(d1, u).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d1, u).u.unbound.dom, 0);
	assert_int_equal(st_of(d, 2).status, EVTCHNSTAT_closed);
	assert_false(pending(d, 2));
	p = bind_interdomain_op(d, 1, u);
	assert_int_equal(p, 2);

	/* status copies out; its failure is -EFAULT with nothing changed. */
	fail_copy_to = 1;
	st.dom = DOMID_SELF;
	st.port = 2;
	assert_int_equal(op(d, 0, EVTCHNOP_status, &st), -EFAULT);
	assert_int_equal(st_of(d, 2).status, EVTCHNSTAT_interdomain);
}

static void test_interdomain_two_domains(void **state)
{
	struct domain *d0 = mkdom(0, 2, true), *d1 = mkdom(1, 2, false), *d2 = mkdom(2, 1, false);
	struct evtchn_status st;
	long u, l;

	(void)state;
	u = alloc_unbound_op(d1, DOMID_SELF, 0);
	assert_int_equal(u, 1);
	/* Sent into the void: dropped, but binding raises the new port. */
	assert_int_equal(send_op(d1, u), 0);
	assert_false(pending(d1, u));

	/* Only the expected domain may bind, only to an unbound port. */
	assert_int_equal(bind_interdomain_op(d2, 1, u), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 0), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 2), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 63), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 64), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 4096), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 1, 0xffffffffu), -EINVAL);
	assert_int_equal(bind_interdomain_op(d0, 9, u), -ESRCH);
	assert_int_equal(bind_interdomain_op(d0, DOMID_IO, u), -ESRCH);

	memset(raised, 0, sizeof(raised));
	l = bind_interdomain_op(d0, 1, u);
	assert_int_equal(l, 1);
	assert_true(pending(d0, l));
	assert_int_equal(raised[0][0], 1);
	assert_int_equal(vi(d0, 0)->evtchn_pending_sel, 1);
	assert_int_equal(bind_interdomain_op(d0, 1, u), -EINVAL); /* already bound */
	assert_int_equal(bind_interdomain_op(d2, 1, u), -EINVAL);

	st = st_of(d0, l);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 1);
	assert_int_equal(st.u.interdomain.port, u);
	st = st_of(d1, u);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 0);
	assert_int_equal(st.u.interdomain.port, l);

	/* Each end's send raises the other end, on its notify vCPU. */
	assert_int_equal(bind_vcpu_op(d1, u, 1), 0);
	assert_int_equal(send_op(d0, l), 0);
	assert_true(pending(d1, u));
	assert_int_equal(raised[1][1], 1);
	assert_int_equal(raised[1][0], 0);
	assert_int_equal(vi(d1, 1)->evtchn_pending_sel, 1);
	assert_int_equal(vi(d1, 0)->evtchn_pending_sel, 0);
	d0->shared_info->evtchn_pending[0] = 0;
	guest_ack(d0, 0);
	assert_int_equal(send_op(d1, u), 0);
	assert_true(pending(d0, l));
	assert_int_equal(raised[0][0], 2);

	/* Closing one end leaves the other unbound, waiting for the closer. */
	assert_int_equal(close_op(d1, u), 0);
	assert_false(pending(d1, u)); /* close clears pending */
	assert_int_equal(st_of(d1, u).status, EVTCHNSTAT_closed);
	st = st_of(d0, l);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	assert_true(pending(d0, l)); /* the survivor keeps its pending bit */
	assert_int_equal(send_op(d0, l), 0); /* unbound: dropped */
	assert_int_equal(send_op(d1, u), -EINVAL);
	assert_int_equal(close_op(d1, u), -EINVAL);

	/* dom1 may bind back to the survivor. */
	u = bind_interdomain_op(d1, 0, l);
	assert_int_equal(u, 1);
	assert_int_equal(st_of(d0, l).status, EVTCHNSTAT_interdomain);
	assert_int_equal(st_of(d0, l).u.interdomain.port, u);

	/* Closing the higher-domid end first takes the locks the other way. */
	assert_int_equal(close_op(d0, l), 0);
	assert_int_equal(st_of(d1, u).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d1, u).u.unbound.dom, 0);
	assert_int_equal(close_op(d1, u), 0);
	assert_int_equal(st_of(d1, u).status, EVTCHNSTAT_closed);
}

static void test_loopback(void **state)
{
	struct domain *d = mkdom(0, 2, true);
	long a, b;

	(void)state;
	/* dom0's kernel and its xenstored: both ends in one domain. */
	a = alloc_unbound_op(d, DOMID_SELF, DOMID_SELF);
	assert_int_equal(a, 1);
	b = bind_interdomain_op(d, DOMID_SELF, a);
	assert_int_equal(b, 2);
	assert_true(pending(d, b));
	assert_false(pending(d, a));
	assert_int_equal(st_of(d, a).u.interdomain.port, b);
	assert_int_equal(st_of(d, a).u.interdomain.dom, 0);
	assert_int_equal(st_of(d, b).u.interdomain.port, a);
	assert_int_equal(send_op(d, b), 0);
	assert_true(pending(d, a));
	/* Bound by explicit domid too. */
	long c = alloc_unbound_op(d, DOMID_SELF, 0);

	assert_int_equal(bind_interdomain_op(d, 0, c), 4);
	assert_int_equal(close_op(d, a), 0);
	assert_int_equal(st_of(d, b).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d, b).u.unbound.dom, 0);
	assert_int_equal(bind_interdomain_op(d, DOMID_SELF, b), 1);
	assert_int_equal(reset_op(d, DOMID_SELF), 0);
	for (evtchn_port_t p = 0; p < 64; p++)
		assert_int_equal(st_of(d, p).status, EVTCHNSTAT_closed);
}

static void test_domain_destroy_unbinds_peers(void **state)
{
	struct domain *d0 = mkdom(0, 1, true), *d1 = mkdom(1, 1, false), *d2 = mkdom(2, 1, false);
	long l1, l2, u1, u2, lb;

	(void)state;
	u1 = alloc_unbound_op(d1, DOMID_SELF, 0);
	l1 = bind_interdomain_op(d0, 1, u1);
	u2 = alloc_unbound_op(d0, DOMID_SELF, 1);
	l2 = bind_interdomain_op(d1, 0, u2);
	lb = alloc_unbound_op(d2, DOMID_SELF, 1);
	assert_int_equal(bind_interdomain_op(d1, 2, lb), l2 + 1);
	assert_true(bind_virq_op(d1, VIRQ_TIMER, 0) > 0);
	assert_true(bind_ipi_op(d1, 0) > 0);
	/* Grow dom1 past one bucket so destroy frees several. */
	for (int i = 0; i < 100; i++)
		assert_true(alloc_unbound_op(d1, DOMID_SELF, 2) > 0);

	rmdom(d1);
	assert_int_equal(st_of(d0, l1).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d0, l1).u.unbound.dom, 1);
	assert_int_equal(st_of(d0, u2).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d0, u2).u.unbound.dom, 1);
	assert_int_equal(st_of(d2, lb).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d2, lb).u.unbound.dom, 1);
	assert_int_equal(send_op(d0, l1), 0);
	assert_int_equal(bind_interdomain_op(d0, 1, u1), -ESRCH);

	/* Events for a domain without event state are dropped, not crashes. */
	struct domain fake = *d2;

	fake.evtchn = NULL;
	send_guest_global_virq(&fake, VIRQ_DOM_EXC);
	evtchn_domain_destroy(&fake);

	/* A new domain 1 starts empty and can take the ports back. */
	d1 = mkdom(1, 1, false);
	assert_int_equal(bind_interdomain_op(d1, 0, l1), 1);
	assert_int_equal(st_of(d0, l1).u.interdomain.port, 1);
	rmdom(d0);
	assert_int_equal(st_of(d1, 1).status, EVTCHNSTAT_unbound);
	assert_int_equal(st_of(d1, 1).u.unbound.dom, 0);
}

static void test_virq_rules(void **state)
{
	struct domain *d = mkdom(0, 3, true);
	long t0, t1, t2, con, dbg;

	(void)state;
	t0 = bind_virq_op(d, VIRQ_TIMER, 0);
	t1 = bind_virq_op(d, VIRQ_TIMER, 1);
	t2 = bind_virq_op(d, VIRQ_TIMER, 2);
	assert_int_equal(t0, 1);
	assert_int_equal(t1, 2);
	assert_int_equal(t2, 3);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 1), -EEXIST);
	dbg = bind_virq_op(d, VIRQ_DEBUG, 1);
	assert_int_equal(dbg, 4);
	assert_int_equal(bind_virq_op(d, VIRQ_XENOPROF, 2), 5);
	assert_int_equal(bind_virq_op(d, VIRQ_XENPMU, 2), 6);

	/* Global VIRQs: vcpu 0 only, once per domain. */
	assert_int_equal(bind_virq_op(d, VIRQ_CONSOLE, 1), -EINVAL);
	assert_int_equal(bind_virq_op(d, VIRQ_MCA, 2), -EINVAL);
	con = bind_virq_op(d, VIRQ_CONSOLE, 0);
	assert_int_equal(con, 7);
	assert_int_equal(bind_virq_op(d, VIRQ_CONSOLE, 0), -EEXIST);
	assert_int_equal(bind_virq_op(d, VIRQ_DOM_EXC, 0), 8);
	assert_int_equal(bind_virq_op(d, VIRQ_ARCH_7, 0), 9);

	/* Bad numbers. */
	assert_int_equal(bind_virq_op(d, NR_VIRQS, 0), -EINVAL);
	assert_int_equal(bind_virq_op(d, 0xffffffffu, 0), -EINVAL);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 3), -ENOENT);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 0xffffffffu), -ENOENT);
	assert_int_equal(bind_virq_op(d, VIRQ_DOM_EXC, 3), -EINVAL); /* global check first */

	struct evtchn_status st = st_of(d, t1);

	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);
	assert_int_equal(st_of(d, con).u.virq, VIRQ_CONSOLE);

	/* Delivery: per-vCPU to that vCPU, global to the notify vCPU. */
	send_guest_vcpu_virq(d->vcpus[2], VIRQ_TIMER);
	assert_true(pending(d, t2));
	assert_false(pending(d, t0));
	assert_int_equal(raised[0][2], 1);
	assert_int_equal(raised[0][0], 0);
	send_guest_global_virq(d, VIRQ_CONSOLE);
	assert_true(pending(d, con));
	assert_int_equal(raised[0][0], 1);
	assert_int_equal(bind_vcpu_op(d, con, 2), 0);
	d->shared_info->evtchn_pending[0] = 0;
	guest_ack(d, 2);
	send_guest_global_virq(d, VIRQ_CONSOLE);
	assert_int_equal(raised[0][2], 2);
	assert_int_equal(raised[0][0], 1);
	assert_int_equal(st_of(d, con).vcpu, 2);
	/* Nobody bound: dropped. */
	send_guest_global_virq(d, VIRQ_TBUF);
	send_guest_vcpu_virq(d->vcpus[0], VIRQ_XENOPROF);
	assert_int_equal(d->shared_info->evtchn_pending[0], 1ULL << con);

	/* Guests cannot send on a VIRQ port. */
	assert_int_equal(send_op(d, t0), -EINVAL);

	/* Close frees the VIRQ for rebinding; the global one re-targeted to
	 * vCPU 2 is still found through vCPU 0's map. */
	assert_int_equal(close_op(d, t1), 0);
	assert_int_equal(close_op(d, con), 0);
	send_guest_vcpu_virq(d->vcpus[1], VIRQ_TIMER);
	send_guest_global_virq(d, VIRQ_CONSOLE);
	assert_int_equal(d->shared_info->evtchn_pending[0], 0);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 1), t1);
	assert_int_equal(bind_virq_op(d, VIRQ_CONSOLE, 0), con);
	assert_int_equal(st_of(d, con).vcpu, 0); /* back to vCPU 0 */
}

static void test_ipi(void **state)
{
	struct domain *d = mkdom(0, 2, false);
	long p;

	(void)state;
	assert_int_equal(bind_ipi_op(d, 2), -ENOENT);
	assert_int_equal(bind_ipi_op(d, 0x10000), -ENOENT);
	p = bind_ipi_op(d, 1);
	assert_int_equal(p, 1);
	assert_int_equal(st_of(d, p).status, EVTCHNSTAT_ipi);
	assert_int_equal(st_of(d, p).vcpu, 1);
	assert_int_equal(send_op(d, p), 0);
	assert_true(pending(d, p));
	assert_int_equal(vi(d, 1)->evtchn_pending_sel, 1);
	assert_int_equal(vi(d, 1)->evtchn_upcall_pending, 1);
	assert_int_equal(raised[0][1], 1);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 0);
	assert_int_equal(close_op(d, p), 0);
	assert_false(pending(d, p));
}

static void test_bind_vcpu(void **state)
{
	struct domain *d = mkdom(0, 3, true);
	long t, ipi, u, con, l;

	(void)state;
	t = bind_virq_op(d, VIRQ_TIMER, 1);
	ipi = bind_ipi_op(d, 1);
	u = alloc_unbound_op(d, DOMID_SELF, DOMID_SELF);
	con = bind_virq_op(d, VIRQ_CONSOLE, 0);
	assert_int_equal(bind_vcpu_op(d, t, 2), -EINVAL);
	assert_int_equal(bind_vcpu_op(d, ipi, 2), -EINVAL);
	assert_int_equal(bind_vcpu_op(d, u, 2), 0);
	assert_int_equal(bind_vcpu_op(d, con, 1), 0);
	assert_int_equal(bind_vcpu_op(d, u, 3), -ENOENT);
	assert_int_equal(bind_vcpu_op(d, 0, 1), -EINVAL);
	assert_int_equal(bind_vcpu_op(d, 63, 1), -EINVAL); /* free */
	assert_int_equal(bind_vcpu_op(d, 64, 1), -EINVAL); /* beyond the table */
	assert_int_equal(bind_vcpu_op(d, 4096, 1), -EINVAL);
	assert_int_equal(st_of(d, u).vcpu, 2);
	assert_int_equal(st_of(d, t).vcpu, 1);
	assert_int_equal(st_of(d, ipi).vcpu, 1);

	/* The binding carries over when the unbound port gets connected... */
	l = bind_interdomain_op(d, DOMID_SELF, u);
	assert_int_equal(st_of(d, u).vcpu, 2);
	assert_int_equal(st_of(d, l).vcpu, 0);
	assert_int_equal(bind_vcpu_op(d, l, 1), 0);
	guest_ack(d, 0);
	d->shared_info->evtchn_pending[0] = 0;
	memset(raised, 0, sizeof(raised));
	assert_int_equal(send_op(d, l), 0);
	assert_int_equal(raised[0][2], 1);
	assert_int_equal(send_op(d, u), 0);
	assert_int_equal(raised[0][1], 1);
	/* ... and is reset when a port is freed. */
	assert_int_equal(close_op(d, u), 0);
	assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 0), u);
	assert_int_equal(st_of(d, u).vcpu, 0);
}

static void test_2l_delivery(void **state)
{
	struct domain *d = mkdom(0, 2, false);
	struct vcpu *v0;
	long p[130];

	(void)state;
	v0 = d->vcpus[0];
	for (int i = 1; i < 130; i++) {
		p[i] = bind_ipi_op(d, 0);
		assert_int_equal(p[i], i);
	}
	/* First event: pending, selector bit, upcall flag, one raise. */
	assert_int_equal(send_op(d, 3), 0);
	assert_true(pending(d, 3));
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 1);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 1);
	assert_int_equal(raised[0][0], 1);
	/* Already pending: nothing new, even with the guest's flags down. */
	assert_int_equal(send_op(d, 3), 0);
	assert_int_equal(raised[0][0], 1);
	guest_ack(d, 0);
	assert_int_equal(send_op(d, 3), 0);
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 0);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 0);
	assert_int_equal(raised[0][0], 1);
	vi(d, 0)->evtchn_upcall_pending = 1;
	vi(d, 0)->evtchn_pending_sel = 1;
	/* Another port of the same word: its bit, no raise. */
	assert_int_equal(send_op(d, 5), 0);
	assert_true(pending(d, 5));
	assert_int_equal(raised[0][0], 1);
	/* A port of word 1 while the upcall is still flagged: selector only. */
	assert_int_equal(send_op(d, 70), 0);
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 3);
	assert_int_equal(raised[0][0], 1);
	/* The guest cleared the flag but has not taken word 0 yet: the bit it
	 * will still see is enough (Xen: no raise unless the selector bit is new). */
	vi(d, 0)->evtchn_upcall_pending = 0;
	assert_int_equal(send_op(d, 6), 0);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 0);
	assert_int_equal(raised[0][0], 1);
	/* Selector bit clear but upcall still flagged: the bit, no second raise. */
	vi(d, 0)->evtchn_upcall_pending = 1;
	vi(d, 0)->evtchn_pending_sel = 0;
	assert_int_equal(send_op(d, 129), 0);
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 4);
	assert_int_equal(raised[0][0], 1);

	/* Masked: pending only; unmask re-raises. */
	guest_ack(d, 0);
	memset(d->shared_info->evtchn_pending, 0, sizeof(d->shared_info->evtchn_pending));
	set_mask(d, 9, true);
	assert_int_equal(send_op(d, 9), 0);
	assert_true(pending(d, 9));
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 0);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 0);
	assert_int_equal(raised[0][0], 1);
	assert_true(evtchn_port_pending(d, 9)); /* SCHEDOP_poll ignores the mask */
	assert_int_equal(unmask_op(d, 9), 0);
	assert_false(masked(d, 9));
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 1);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 1);
	assert_int_equal(raised[0][0], 2);
	/* Unmasking again, or an unmasked port: nothing. */
	assert_int_equal(unmask_op(d, 9), 0);
	assert_int_equal(raised[0][0], 2);
	/* Masked and not pending: unmask only clears the mask. */
	guest_ack(d, 0);
	set_mask(d, 10, true);
	assert_int_equal(unmask_op(d, 10), 0);
	assert_false(masked(d, 10));
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 0);
	assert_int_equal(raised[0][0], 2);
	/* Masked pending with the selector bit already up: no raise. */
	set_mask(d, 11, true);
	send_op(d, 11);
	vi(d, 0)->evtchn_pending_sel = 1;
	assert_int_equal(unmask_op(d, 11), 0);
	assert_int_equal(raised[0][0], 2);
	assert_int_equal(vi(d, 0)->evtchn_upcall_pending, 0);
	/* Unmask goes to the port's notify vCPU, not the caller. */
	guest_ack(d, 0);
	long u = alloc_unbound_op(d, DOMID_SELF, DOMID_SELF);

	assert_int_equal(bind_vcpu_op(d, u, 1), 0);
	set_mask(d, u, true);
	long l = bind_interdomain_op(d, DOMID_SELF, u);

	send_op(d, l);
	assert_true(pending(d, u));
	assert_int_equal(raised[0][1], 0);
	assert_int_equal(unmask_op(d, u), 0);
	assert_int_equal(raised[0][1], 1);
	assert_int_equal(vi(d, 1)->evtchn_pending_sel, 1ULL << (u / 64));

	/* Unmask works on any port of the table, bound or not (as Xen). */
	set_mask(d, 100, true);
	assert_int_equal(close_op(d, 100), 0);
	assert_int_equal(unmask_op(d, 100), 0);
	assert_false(masked(d, 100));
	assert_int_equal(unmask_op(d, 0), 0);
	assert_int_equal(unmask_op(d, 192), -EINVAL);
	assert_int_equal(unmask_op(d, 4096), -EINVAL);

	/* Close clears pending but not the mask (the guest owns the mask). */
	set_mask(d, 12, true);
	send_op(d, 12);
	assert_int_equal(close_op(d, 12), 0);
	assert_false(pending(d, 12));
	assert_true(masked(d, 12));
	assert_false(evtchn_port_pending(d, 12));
	assert_false(evtchn_port_pending(d, 4096));
	assert_false(evtchn_port_pending(d, 0xffffffffu));

	/* The raw entry point, and word 63. */
	guest_ack(d, 0);
	evtchn_set_pending(v0, 4095);
	assert_true(pending(d, 4095));
	assert_int_equal(vi(d, 0)->evtchn_pending_sel, 1ULL << 63);
	evtchn_set_pending(v0, 4096); /* ignored */

	/* A vCPU without vcpu_info: the pending bit only, no raise. */
	unsigned int before = raised[0][1];

	guest_ack(d, 1);
	d->vcpus[1]->vcpu_info = NULL;
	evtchn_set_pending(d->vcpus[1], 40);
	assert_true(pending(d, 40));
	assert_int_equal(raised[0][1], before);
	assert_int_equal(vi(d, 1)->evtchn_pending_sel, 0);
	assert_int_equal(vi(d, 1)->evtchn_upcall_pending, 0);
	d->vcpus[1]->vcpu_info = vi(d, 1);
}

static void test_close_send_errors(void **state)
{
	struct domain *d = mkdom(0, 1, false);
	long p;

	(void)state;
	/* Nothing allocated yet: no table at all. */
	assert_int_equal(close_op(d, 1), -EINVAL);
	assert_int_equal(send_op(d, 1), -EINVAL);
	assert_int_equal(unmask_op(d, 1), -EINVAL);
	p = alloc_unbound_op(d, DOMID_SELF, 5);
	assert_int_equal(close_op(d, 0), -EINVAL);
	assert_int_equal(send_op(d, 0), -EINVAL);
	assert_int_equal(close_op(d, 2), -EINVAL);
	assert_int_equal(send_op(d, 2), -EINVAL);
	assert_int_equal(close_op(d, 4096), -EINVAL);
	assert_int_equal(send_op(d, 0x80000000u), -EINVAL);
	assert_int_equal(send_op(d, p), 0);
	assert_false(pending(d, p));
	assert_int_equal(close_op(d, p), 0);
	assert_int_equal(close_op(d, p), -EINVAL);
}

static void test_status(void **state)
{
	struct domain *d0 = mkdom(0, 2, true), *d1 = mkdom(1, 2, false), *d2 = mkdom(2, 1, false);
	struct evtchn_status st;

	(void)state;
	/* No table yet: every port is -EINVAL, as in Xen before the first bucket. */
	assert_int_equal(status_op(d1, DOMID_SELF, 0, &st), -EINVAL);
	assert_int_equal(bind_ipi_op(d1, 1), 1);
	st = st_of(d1, 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	assert_int_equal(st.vcpu, 0);
	assert_int_equal(st.u.virq, 0); /* union cleared, not left as garbage */
	assert_int_equal(st_of(d1, 63).status, EVTCHNSTAT_closed);
	assert_int_equal(status_op(d1, DOMID_SELF, 64, &st), -EINVAL);
	assert_int_equal(status_op(d1, DOMID_SELF, 0xffffffffu, &st), -EINVAL);
	st = st_of(d1, 1);
	assert_int_equal(st.status, EVTCHNSTAT_ipi);
	assert_int_equal(st.vcpu, 1);
	/* IN fields come back as given. */
	assert_int_equal(st.dom, DOMID_SELF);
	assert_int_equal(st.port, 1);

	assert_int_equal(status_op(d1, 2, 1, &st), -EPERM);
	assert_int_equal(status_op(d1, 0, 1, &st), -EPERM);
	assert_int_equal(status_op(d1, 1, 1, &st), 0); /* itself by number */
	assert_int_equal(status_op(d0, 1, 1, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_ipi);
	assert_int_equal(status_op(d0, 5, 1, &st), -ESRCH);
	assert_int_equal(status_op(d2, 5, 1, &st), -ESRCH);
	assert_int_equal(status_op(d0, DOMID_INVALID, 1, &st), -ESRCH);
}

static void test_reset(void **state)
{
	struct domain *d0 = mkdom(0, 1, true), *d1 = mkdom(1, 2, false), *d2 = mkdom(2, 1, false);
	long u, l, t;

	(void)state;
	u = alloc_unbound_op(d1, DOMID_SELF, 0);
	l = bind_interdomain_op(d0, 1, u);
	t = bind_virq_op(d1, VIRQ_TIMER, 1);
	bind_ipi_op(d1, 0);
	alloc_unbound_op(d1, DOMID_SELF, 2);
	assert_int_equal(reset_op(d1, 0), -EPERM);
	assert_int_equal(reset_op(d2, 1), -EPERM);
	assert_int_equal(reset_op(d0, 9), -ESRCH);
	assert_int_equal(reset_op(d1, 9), -ESRCH);
	assert_int_equal(st_of(d1, t).status, EVTCHNSTAT_virq);

	assert_int_equal(reset_op(d1, DOMID_SELF), 0);
	for (evtchn_port_t p = 0; p < 64; p++)
		assert_int_equal(st_of(d1, p).status, EVTCHNSTAT_closed);
	assert_int_equal(st_of(d0, l).status, EVTCHNSTAT_unbound);
	assert_int_equal(bind_virq_op(d1, VIRQ_TIMER, 1), 1);
	/* Resetting an empty domain is fine; dom0 resets another domain. */
	assert_int_equal(reset_op(d2, DOMID_SELF), 0);
	assert_int_equal(reset_op(d0, 1), 0);
	assert_int_equal(st_of(d1, 1).status, EVTCHNSTAT_closed);
	/* dom0's own channels survive another domain's reset, unbound. */
	assert_int_equal(st_of(d0, l).status, EVTCHNSTAT_unbound);
	assert_int_equal(reset_op(d0, DOMID_SELF), 0);
	assert_int_equal(st_of(d0, l).status, EVTCHNSTAT_closed);
}

static void test_port_exhaustion(void **state)
{
	struct domain *d = mkdom(0, 1, true);
	long p;

	(void)state;
	for (unsigned int i = 1; i < EVTCHN_MAX_PORTS; i++)
		assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 0), i);
	assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 0), -ENOSPC);
	assert_int_equal(bind_ipi_op(d, 0), -ENOSPC);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 0), -ENOSPC);
	p = alloc_unbound_op(d, DOMID_SELF, DOMID_SELF);
	assert_int_equal(p, -ENOSPC);
	assert_int_equal(bind_interdomain_op(d, DOMID_SELF, 7), -ENOSPC);
	assert_int_equal(st_of(d, 4095).status, EVTCHNSTAT_unbound);
	/* The lowest free port comes back first. */
	assert_int_equal(close_op(d, 2000), 0);
	assert_int_equal(close_op(d, 1000), 0);
	assert_int_equal(bind_ipi_op(d, 0), 1000);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 0), 2000);
	assert_int_equal(bind_ipi_op(d, 0), -ENOSPC);
	assert_int_equal(reset_op(d, DOMID_SELF), 0);
	assert_int_equal(bind_ipi_op(d, 0), 1);
}

static void test_out_of_memory(void **state)
{
	struct domain *d = mkdom(0, 1, true);
	struct domain dummy = { .domid = 5, .max_vcpus = 1 };

	(void)state;
	fail_alloc = 1;
	assert_int_equal(evtchn_domain_init(&dummy), -ENOMEM);
	assert_null(dummy.evtchn);
	/* The first port needs the first bucket. */
	fail_alloc = 1;
	assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 0), -ENOMEM);
	assert_int_equal(alloc_unbound_op(d, DOMID_SELF, 0), 1);
	for (int i = 2; i < 64; i++)
		assert_int_equal(bind_ipi_op(d, 0), i);
	fail_alloc = 1;
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 0), -ENOMEM);
	assert_int_equal(bind_virq_op(d, VIRQ_TIMER, 0), 64);
}

/* ---- the random run against a model ---- */

#define M_DOMS 3
#define M_PORTS EVTCHN_MAX_PORTS

struct mport {
	u8 state; /* ECS_* */
	u8 virq;
	u16 notify;
	domid_t rdom; /* unbound: who may bind; interdomain: the peer */
	u32 rport;
};

struct mdom {
	bool priv;
	unsigned int nv;
	unsigned int valid;
	struct mport p[M_PORTS];
	u16 virq_map[TEST_MAX_VCPUS][NR_VIRQS];
	u8 pend[M_PORTS], mask[M_PORTS];
	u64 sel[TEST_MAX_VCPUS];
	u8 upcall[TEST_MAX_VCPUS];
	unsigned int raises[TEST_MAX_VCPUS];
};

static struct mdom model[M_DOMS];
static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned int rndn(unsigned int n)
{
	return rnd() % n;
}

static const unsigned int m_vcpus[M_DOMS] = { 4, 2, 1 };

static void m_init(unsigned int id)
{
	memset(&model[id], 0, sizeof(model[id]));
	model[id].priv = id == 0;
	model[id].nv = m_vcpus[id];
}

static void m_set_pending(unsigned int d, unsigned int v, u32 port)
{
	struct mdom *m = &model[d];
	u64 bit = 1ULL << (port / 64);

	if (m->pend[port])
		return;
	m->pend[port] = 1;
	if (m->mask[port] || (m->sel[v] & bit))
		return;
	m->sel[v] |= bit;
	if (!m->upcall[v]) {
		m->upcall[v] = 1;
		m->raises[v]++;
	}
}

static long m_free_port(unsigned int d)
{
	struct mdom *m = &model[d];

	for (u32 p = 1; p < M_PORTS; p++) {
		if (m->p[p].state != ECS_FREE)
			continue;
		if (p >= m->valid)
			m->valid = (p / 64 + 1) * 64;
		return p;
	}
	return -ENOSPC;
}

static bool m_global(unsigned int virq)
{
	return !(virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF ||
		 virq == VIRQ_XENPMU);
}

static long m_close(unsigned int d, u32 port)
{
	struct mdom *m = &model[d];
	struct mport *c;

	if (port >= m->valid || port == 0 || m->p[port].state == ECS_FREE)
		return -EINVAL;
	c = &m->p[port];
	if (c->state == ECS_VIRQ) {
		unsigned int row = m_global(c->virq) ? 0 : c->notify;

		m->virq_map[row][c->virq] = 0;
	} else if (c->state == ECS_INTERDOMAIN) {
		struct mport *r = &model[c->rdom].p[c->rport];

		r->state = ECS_UNBOUND;
		r->rdom = d;
	}
	m->pend[port] = 0;
	memset(c, 0, sizeof(*c));
	return 0;
}

static int m_target(unsigned int caller, domid_t dom, long *rc)
{
	if (dom == DOMID_SELF || dom == caller)
		return caller;
	if (dom >= M_DOMS) {
		*rc = -ESRCH;
		return -1;
	}
	if (!model[caller].priv) {
		*rc = -EPERM;
		return -1;
	}
	return dom;
}

static domid_t r_domid(void)
{
	static const domid_t ids[] = { 0, 1, 2, DOMID_SELF, DOMID_SELF, 3, 9 };

	return ids[rndn(ARRAY_SIZE(ids))];
}

static u32 r_port(unsigned int d)
{
	const struct mdom *m = &model[d];
	u32 start, p;

	switch (rndn(8)) {
	case 0:
		return rndn(4096 + 64);
	case 1:
		return rnd() & 0xffffffffu;
	case 2:
	case 3:
		return rndn(m->valid ? m->valid : 1);
	default: /* mostly a port in use, if there is one */
		start = rndn(m->valid ? m->valid : 1);
		for (p = start; p < m->valid; p++)
			if (m->p[p].state != ECS_FREE)
				return p;
		for (p = 1; p < start; p++)
			if (m->p[p].state != ECS_FREE)
				return p;
		return start;
	}
}

static void m_compare_shared(unsigned int d)
{
	struct domain *dom = doms[d];
	struct mdom *m = &model[d];

	for (u32 p = 0; p < M_PORTS; p++) {
		assert_int_equal(pending(dom, p), m->pend[p]);
		assert_int_equal(masked(dom, p), m->mask[p]);
	}
	for (unsigned int v = 0; v < m->nv; v++) {
		assert_int_equal(vi(dom, v)->evtchn_pending_sel, m->sel[v]);
		assert_int_equal(vi(dom, v)->evtchn_upcall_pending, m->upcall[v]);
		assert_int_equal(raised[d][v], m->raises[v]);
	}
}

static void m_compare_status(unsigned int d)
{
	struct mdom *m = &model[d];
	struct evtchn_status st;

	for (u32 p = 0; p < m->valid + 64 && p < M_PORTS; p++) {
		long rc = status_op(doms[0], d, p, &st);

		if (p >= m->valid) {
			assert_int_equal(rc, -EINVAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(st.vcpu, m->p[p].notify);
		switch (m->p[p].state) {
		case ECS_FREE:
			assert_int_equal(st.status, EVTCHNSTAT_closed);
			break;
		case ECS_UNBOUND:
			assert_int_equal(st.status, EVTCHNSTAT_unbound);
			assert_int_equal(st.u.unbound.dom, m->p[p].rdom);
			break;
		case ECS_INTERDOMAIN:
			assert_int_equal(st.status, EVTCHNSTAT_interdomain);
			assert_int_equal(st.u.interdomain.dom, m->p[p].rdom);
			assert_int_equal(st.u.interdomain.port, m->p[p].rport);
			break;
		case ECS_VIRQ:
			assert_int_equal(st.status, EVTCHNSTAT_virq);
			assert_int_equal(st.u.virq, m->p[p].virq);
			break;
		case ECS_IPI:
			assert_int_equal(st.status, EVTCHNSTAT_ipi);
			break;
		}
	}
	/* The implementation's own view agrees: links are symmetric. */
	struct evtchn_domain *ed = doms[d]->evtchn;

	assert_int_equal(ed->valid_ports, m->valid);
	for (u32 p = 1; p < ed->valid_ports; p++) {
		struct evtchn *c = port_chn(ed, p);

		if (c->state != ECS_INTERDOMAIN)
			continue;
		struct evtchn *r = port_chn(c->remote->evtchn, c->remote_port);

		assert_int_equal(r->state, ECS_INTERDOMAIN);
		assert_ptr_equal(r->remote, doms[d]);
		assert_int_equal(r->remote_port, p);
	}
}

/* Run one random hypercall or hypervisor event, predicting its outcome. */
static void m_step(void)
{
	unsigned int c = rndn(M_DOMS), kind = rndn(100);
	struct mdom *m = &model[c];
	struct domain *dc = doms[c];
	long rc, want = 0;
	int t;

	if (kind < 12) { /* alloc_unbound */
		domid_t dom = r_domid(), rem = r_domid();

		t = m_target(c, dom, &want);
		if (t >= 0) {
			want = m_free_port(t);
			if (want > 0) {
				struct mport *p = &model[t].p[want];

				p->state = ECS_UNBOUND;
				p->rdom = rem == DOMID_SELF ? c : rem;
			}
		}
		rc = alloc_unbound_op(dc, dom, rem);
	} else if (kind < 24) { /* bind_interdomain, mostly to a port expecting us */
		domid_t rdom = r_domid();
		u32 rport = r_port(rdom < M_DOMS ? rdom : c);
		int rd = rdom == DOMID_SELF ? (int)c : rdom < M_DOMS ? rdom : -1;

		if (rd >= 0 && rndn(2)) {
			for (u32 p = 1; p < model[rd].valid; p++)
				if (model[rd].p[p].state == ECS_UNBOUND && model[rd].p[p].rdom == c) {
					rport = p;
					break;
				}
		}
		if (rd < 0) {
			want = -ESRCH;
		} else {
			want = m_free_port(c);
			if (want > 0) {
				struct mport *r = rport < model[rd].valid ? &model[rd].p[rport] : NULL;

				if (!r || r->state != ECS_UNBOUND || r->rdom != c) {
					want = -EINVAL;
				} else {
					struct mport *l = &m->p[want];

					l->state = ECS_INTERDOMAIN;
					l->rdom = rd;
					l->rport = rport;
					r->state = ECS_INTERDOMAIN;
					r->rdom = c;
					r->rport = want;
					m_set_pending(c, 0, want);
				}
			}
		}
		rc = bind_interdomain_op(dc, rdom, rport);
	} else if (kind < 32) { /* bind_virq */
		u32 virq = rndn(NR_VIRQS + 2), vcpu = rndn(5);

		if (virq >= NR_VIRQS || (m_global(virq) && vcpu))
			want = -EINVAL;
		else if (vcpu >= m->nv)
			want = -ENOENT;
		else if (m->virq_map[vcpu][virq])
			want = -EEXIST;
		else if ((want = m_free_port(c)) > 0) {
			m->p[want].state = ECS_VIRQ;
			m->p[want].virq = virq;
			m->p[want].notify = vcpu;
			m->virq_map[vcpu][virq] = want;
		}
		rc = bind_virq_op(dc, virq, vcpu);
	} else if (kind < 38) { /* bind_ipi */
		u32 vcpu = rndn(5);

		if (vcpu >= m->nv)
			want = -ENOENT;
		else if ((want = m_free_port(c)) > 0) {
			m->p[want].state = ECS_IPI;
			m->p[want].notify = vcpu;
		}
		rc = bind_ipi_op(dc, vcpu);
	} else if (kind < 46) { /* close */
		u32 port = r_port(c);

		want = m_close(c, port);
		rc = close_op(dc, port);
	} else if (kind < 62) { /* send */
		u32 port = r_port(c);
		struct mport *p = port < m->valid ? &m->p[port] : NULL;

		if (!p || port == 0)
			want = -EINVAL;
		else if (p->state == ECS_INTERDOMAIN)
			m_set_pending(p->rdom, model[p->rdom].p[p->rport].notify, p->rport);
		else if (p->state == ECS_IPI)
			m_set_pending(c, p->notify, port);
		else if (p->state != ECS_UNBOUND)
			want = -EINVAL;
		rc = send_op(dc, port);
	} else if (kind < 68) { /* bind_vcpu */
		u32 port = r_port(c), vcpu = rndn(5);
		struct mport *p = port < m->valid ? &m->p[port] : NULL;

		if (vcpu >= m->nv)
			want = -ENOENT;
		else if (!p || port == 0)
			want = -EINVAL;
		else if (p->state == ECS_UNBOUND || p->state == ECS_INTERDOMAIN ||
			 (p->state == ECS_VIRQ && m_global(p->virq)))
			p->notify = vcpu;
		else
			want = -EINVAL;
		rc = bind_vcpu_op(dc, port, vcpu);
	} else if (kind < 74) { /* unmask */
		u32 port = r_port(c);

		if (port >= m->valid) {
			want = -EINVAL;
		} else if (m->mask[port]) {
			unsigned int v = m->p[port].notify;
			u64 bit = 1ULL << (port / 64);

			m->mask[port] = 0;
			if (m->pend[port] && !(m->sel[v] & bit)) {
				m->sel[v] |= bit;
				if (!m->upcall[v]) {
					m->upcall[v] = 1;
					m->raises[v]++;
				}
			}
		}
		rc = unmask_op(dc, port);
	} else if (kind < 76) { /* status, one port */
		struct evtchn_status st;
		domid_t dom = r_domid();

		t = m_target(c, dom, &want);
		u32 port = r_port(t >= 0 ? (unsigned int)t : c);

		if (t >= 0 && port >= model[t].valid)
			want = -EINVAL;
		rc = status_op(dc, dom, port, &st);
		assert_int_equal(rc, want);
		if (!rc)
			assert_int_equal(st.vcpu, model[t].p[port].notify);
		return;
	} else if (kind < 77) { /* reset, rarely: it wipes out what the run built */
		domid_t dom = r_domid();

		if (rndn(4))
			return;

		t = m_target(c, dom, &want);
		if (t >= 0)
			for (u32 p = 1; p < model[t].valid; p++)
				m_close(t, p);
		rc = reset_op(dc, dom);
	} else if (kind < 78) { /* destroy and re-create a domU, rarely too */
		unsigned int d = 1 + rndn(M_DOMS - 1);

		if (rndn(4))
			return;

		for (u32 p = 1; p < model[d].valid; p++)
			m_close(d, p);
		rmdom(doms[d]);
		mkdom(d, m_vcpus[d], false);
		m_init(d);
		return;
	} else if (kind < 84) { /* the hypervisor raises a VIRQ */
		unsigned int virq = rndn(NR_VIRQS);

		if (m_global(virq)) {
			u16 port = m->virq_map[0][virq];

			if (port)
				m_set_pending(c, m->p[port].notify, port);
			send_guest_global_virq(dc, virq);
		} else {
			unsigned int v = rndn(m->nv);
			u16 port = m->virq_map[v][virq];

			if (port)
				m_set_pending(c, v, port);
			send_guest_vcpu_virq(dc->vcpus[v], virq);
		}
		return;
	} else if (kind < 92) { /* the guest masks or unmasks a port itself */
		u32 port = rndn(m->valid ? m->valid : 1);

		m->mask[port] ^= 1;
		set_mask(dc, port, m->mask[port]);
		return;
	} else { /* the guest takes an upcall: flags, then some pending bits */
		unsigned int v = rndn(m->nv);

		m->upcall[v] = 0;
		m->sel[v] = 0;
		guest_ack(dc, v);
		for (u32 p = 0; p < m->valid; p++) {
			if (m->pend[p] && rndn(2)) {
				m->pend[p] = 0;
				dc->shared_info->evtchn_pending[p / 64] &= ~(1ULL << (p % 64));
			}
		}
		return;
	}
	assert_int_equal(rc, want);
}

static void test_model_random(void **state)
{
	const char *seed_env = getenv("KEEL_EVTCHN_SEED");
	const char *steps_env = getenv("KEEL_EVTCHN_STEPS");
	u64 seed = seed_env ? strtoull(seed_env, NULL, 0) : 0x5eed0f2c0ffeeULL;
	unsigned long steps = steps_env ? strtoul(steps_env, NULL, 0) : 500000;

	(void)state;
	rng_state = seed ? seed : 1;
	for (unsigned int d = 0; d < M_DOMS; d++) {
		mkdom(d, m_vcpus[d], d == 0);
		m_init(d);
	}
	for (unsigned long i = 0; i < steps; i++) {
		m_step();
		if (i % 1000 == 999) {
			for (unsigned int d = 0; d < M_DOMS; d++) {
				m_compare_shared(d);
				m_compare_status(d);
			}
		}
	}
	for (unsigned int d = 0; d < M_DOMS; d++) {
		m_compare_shared(d);
		m_compare_status(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fifo_and_unknown_ops_are_enosys, teardown),
		cmocka_unit_test_teardown(test_abi_copy_sizes, teardown),
		cmocka_unit_test_teardown(test_alloc_unbound, teardown),
		cmocka_unit_test_teardown(test_efault_everywhere, teardown),
		cmocka_unit_test_teardown(test_interdomain_two_domains, teardown),
		cmocka_unit_test_teardown(test_loopback, teardown),
		cmocka_unit_test_teardown(test_domain_destroy_unbinds_peers, teardown),
		cmocka_unit_test_teardown(test_virq_rules, teardown),
		cmocka_unit_test_teardown(test_ipi, teardown),
		cmocka_unit_test_teardown(test_bind_vcpu, teardown),
		cmocka_unit_test_teardown(test_2l_delivery, teardown),
		cmocka_unit_test_teardown(test_close_send_errors, teardown),
		cmocka_unit_test_teardown(test_status, teardown),
		cmocka_unit_test_teardown(test_reset, teardown),
		cmocka_unit_test_teardown(test_port_exhaustion, teardown),
		cmocka_unit_test_teardown(test_out_of_memory, teardown),
		cmocka_unit_test_teardown(test_model_random, teardown),
	};

	return cmocka_run_group_tests_name("event_channel", tests, NULL, NULL);
}
