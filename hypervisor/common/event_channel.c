// SPDX-License-Identifier: GPL-2.0-only
/*
 * Event channels, Xen's 2-level ABI: per-domain port state, the
 * event_channel_op hypercall (32), and delivery into shared_info/vcpu_info.
 */
#include <keel/event.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>

/*
 * Port state lives in buckets of 64 ports (one pending word each), allocated
 * on first use in port order and kept until the domain dies. Most domains
 * use a few dozen ports, dom0 a few hundred, so this costs ~1.5 KiB per
 * bucket instead of 96 KiB up front for all 4096. As in Xen, a port is
 * "valid" when its bucket exists: ports beyond are -EINVAL, free ports inside
 * read back as EVTCHNSTAT_closed.
 */
#define EVTCHN_PER_BUCKET 64
#define EVTCHN_NR_BUCKETS (EVTCHN_MAX_PORTS / EVTCHN_PER_BUCKET)
#define EVTCHN_WORD_BITS (sizeof(xen_ulong_t) * 8)

enum evtchn_state {
	ECS_FREE = 0,
	ECS_RESERVED, /* port 0: Linux reads 0 as "no port" */
	ECS_UNBOUND,
	ECS_INTERDOMAIN,
	ECS_VIRQ,
	ECS_IPI,
};

struct evtchn {
	u8 state; /* enum evtchn_state */
	u8 virq; /* ECS_VIRQ */
	/*
	 * Written under the owner's lock, but read without it by a peer's
	 * send (see evtchn_link_lock), hence atomic accesses.
	 */
	u16 notify_vcpu;
	domid_t remote_domid; /* ECS_UNBOUND: the only domain that may bind */
	evtchn_port_t remote_port; /* ECS_INTERDOMAIN */
	struct domain *remote; /* ECS_INTERDOMAIN */
};

/*
 * Locking, outermost first:
 *
 * evtchn_link_lock (global) is held by every operation that makes or breaks
 * an interdomain link: bind_interdomain, close, reset and domain destroy.
 * While it is held no link anywhere changes, so a peer found through a link
 * stays alive and linked, and the local lock may be dropped to take the
 * locks of both ends in domid order without re-validating.
 *
 * evtchn_domain.lock (per domain, irqsave because VIRQs are raised from
 * interrupt context) protects that domain's ports, buckets and VIRQ map.
 * Two are held at once only in ascending domid order, and only under
 * evtchn_link_lock. EVTCHNOP_send takes only the sender's lock: breaking
 * the link needs that lock too, so the peer cannot go away meanwhile, and
 * the one field of the peer's port it reads (notify_vcpu) is atomic.
 *
 * Inside these: whatever vcpu_raise_upcall() takes.
 */
static spinlock_t evtchn_link_lock = SPINLOCK_INIT;

struct evtchn_domain {
	spinlock_t lock;
	bool dying; /* destroy started: no new ports */
	unsigned int valid_ports; /* ports below have a bucket */
	struct evtchn *bucket[EVTCHN_NR_BUCKETS];
	/* Port bound to each VIRQ on each vCPU (global VIRQs: row 0); 0 = none. */
	u16 virq_port[][NR_VIRQS];
};

static bool virq_is_global(unsigned int virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return false;
	default:
		return true; /* including the x86 arch VIRQs (VIRQ_MCA) */
	}
}

/* ---- 2-level bit operations on words the guest changes concurrently ---- */

static xen_ulong_t port_bit(evtchn_port_t port)
{
	return (xen_ulong_t)1 << (port % EVTCHN_WORD_BITS);
}

static bool bit_test_and_set(xen_ulong_t *words, evtchn_port_t port)
{
	xen_ulong_t m = port_bit(port);

	return __atomic_fetch_or(&words[port / EVTCHN_WORD_BITS], m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test_and_clear(xen_ulong_t *words, evtchn_port_t port)
{
	xen_ulong_t m = port_bit(port);

	return __atomic_fetch_and(&words[port / EVTCHN_WORD_BITS], ~m, __ATOMIC_SEQ_CST) & m;
}

static bool bit_test(xen_ulong_t *words, evtchn_port_t port)
{
	return __atomic_load_n(&words[port / EVTCHN_WORD_BITS], __ATOMIC_SEQ_CST) & port_bit(port);
}

/* The selector bit for port's word is new: flag the upcall, kick on its edge. */
static void mark_word_pending(struct vcpu *v, struct vcpu_info *vi, evtchn_port_t port)
{
	unsigned int word = port / EVTCHN_WORD_BITS;
	xen_ulong_t sel = (xen_ulong_t)1 << word;

	if (__atomic_fetch_or(&vi->evtchn_pending_sel, sel, __ATOMIC_SEQ_CST) & sel)
		return; /* the guest has yet to scan this word: it will see the port */
	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
		vcpu_raise_upcall(v);
}

/* Deliver port of d to v (may be NULL: a vCPU that no longer exists). */
static void set_pending(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
	struct shared_info *s = d->shared_info;
	struct vcpu_info *vi;

	if (bit_test_and_set(s->evtchn_pending, port))
		return;
	/* SCHEDOP_poll waits for a port pending whether masked or not. */
	vcpu_poll_notify(d, port);
	/* Masked: the guest picks it up on unmask (EVTCHNOP_unmask re-raises). */
	if (bit_test(s->evtchn_mask, port) || !v)
		return;
	vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);
	if (vi) /* else whoever sets vcpu_info flags every word then */
		mark_word_pending(v, vi, port);
}

void evtchn_set_pending(struct vcpu *v, evtchn_port_t port)
{
	if (port < EVTCHN_MAX_PORTS)
		set_pending(v->domain, v, port);
}

bool evtchn_port_pending(struct domain *d, evtchn_port_t port)
{
	if (port >= EVTCHN_MAX_PORTS || !d->shared_info)
		return false;
	return bit_test(d->shared_info->evtchn_pending, port);
}

/* ---- port table ---- */

static struct evtchn *port_chn(struct evtchn_domain *ed, evtchn_port_t port)
{
	return &ed->bucket[port / EVTCHN_PER_BUCKET][port % EVTCHN_PER_BUCKET];
}

static struct evtchn *valid_chn(struct evtchn_domain *ed, evtchn_port_t port)
{
	return port < ed->valid_ports ? port_chn(ed, port) : NULL;
}

static struct vcpu *domain_vcpu(struct domain *d, unsigned int id)
{
	return id < d->max_vcpus ? d->vcpus[id] : NULL;
}

static unsigned int notify_vcpu(const struct evtchn *chn)
{
	return __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
}

static void set_notify_vcpu(struct evtchn *chn, unsigned int id)
{
	__atomic_store_n(&chn->notify_vcpu, (u16)id, __ATOMIC_RELAXED);
}

/* Lowest free port, growing the table by one bucket if needed. Under ed->lock. */
static int get_free_port(struct evtchn_domain *ed)
{
	struct evtchn *b;
	evtchn_port_t port;

	if (ed->dying)
		return -EINVAL;
	for (port = 1; port < ed->valid_ports; port++)
		if (port_chn(ed, port)->state == ECS_FREE)
			return port;
	if (ed->valid_ports >= EVTCHN_MAX_PORTS)
		return -ENOSPC;
	b = xzalloc(EVTCHN_PER_BUCKET * sizeof(*b));
	if (!b)
		return -ENOMEM;
	ed->bucket[ed->valid_ports / EVTCHN_PER_BUCKET] = b;
	if (!ed->valid_ports) {
		b[0].state = ECS_RESERVED;
		port = 1;
	}
	ed->valid_ports += EVTCHN_PER_BUCKET;
	return port;
}

/* The port is closed: no stale event may greet whoever binds it next. */
static void free_port(struct domain *d, struct evtchn *chn, evtchn_port_t port)
{
	bit_test_and_clear(d->shared_info->evtchn_pending, port);
	chn->state = ECS_FREE;
	chn->remote = NULL;
	set_notify_vcpu(chn, 0);
}

/* Take the locks of both ends (the same domain once) in domid order. */
static void lock_pair(struct domain *a, struct domain *b, unsigned long *fa, unsigned long *fb)
{
	if (a == b) {
		*fa = spin_lock_irqsave(&a->evtchn->lock);
	} else if (a->domid < b->domid) {
		*fa = spin_lock_irqsave(&a->evtchn->lock);
		*fb = spin_lock_irqsave(&b->evtchn->lock);
	} else {
		*fb = spin_lock_irqsave(&b->evtchn->lock);
		*fa = spin_lock_irqsave(&a->evtchn->lock);
	}
}

static void unlock_pair(struct domain *a, struct domain *b, unsigned long fa, unsigned long fb)
{
	if (a == b) {
		spin_unlock_irqrestore(&a->evtchn->lock, fa);
	} else if (a->domid < b->domid) {
		spin_unlock_irqrestore(&b->evtchn->lock, fb);
		spin_unlock_irqrestore(&a->evtchn->lock, fa);
	} else {
		spin_unlock_irqrestore(&a->evtchn->lock, fa);
		spin_unlock_irqrestore(&b->evtchn->lock, fb);
	}
}

/* ---- operations (the hypercall's and the hypervisor's own) ---- */

static long evtchn_close(struct domain *d, evtchn_port_t port)
{
	struct evtchn_domain *ed = d->evtchn;
	struct domain *rd = d;
	struct evtchn *chn, *rchn;
	unsigned long f, rf = 0;
	long rc = 0;

	spin_lock(&evtchn_link_lock);
	f = spin_lock_irqsave(&ed->lock);
	chn = valid_chn(ed, port);
	if (chn && chn->state == ECS_INTERDOMAIN && chn->remote != d) {
		/* The link cannot change while we hold evtchn_link_lock. */
		rd = chn->remote;
		spin_unlock_irqrestore(&ed->lock, f);
		lock_pair(d, rd, &f, &rf);
	}
	switch (chn ? chn->state : ECS_FREE) {
	case ECS_FREE:
	case ECS_RESERVED:
		rc = -EINVAL;
		goto out;
	case ECS_VIRQ: {
		unsigned int row = virq_is_global(chn->virq) ? 0 : notify_vcpu(chn);

		if (ed->virq_port[row][chn->virq] == port)
			ed->virq_port[row][chn->virq] = 0;
		break;
	}
	case ECS_INTERDOMAIN:
		rchn = port_chn(rd->evtchn, chn->remote_port);
		BUG_ON(rchn->state != ECS_INTERDOMAIN || rchn->remote != d);
		/* The peer waits for us to come back, as Xen does. */
		rchn->state = ECS_UNBOUND;
		rchn->remote = NULL;
		rchn->remote_domid = d->domid;
		break;
	default: /* ECS_UNBOUND, ECS_IPI: nothing else refers to them */
		break;
	}
	free_port(d, chn, port);
out:
	unlock_pair(d, rd, f, rf);
	spin_unlock(&evtchn_link_lock);
	return rc;
}

static long evtchn_alloc_unbound(struct domain *d, domid_t remote, evtchn_port_t *port)
{
	struct evtchn_domain *ed = d->evtchn;
	unsigned long f;
	int p;

	f = spin_lock_irqsave(&ed->lock);
	p = get_free_port(ed);
	if (p > 0) {
		struct evtchn *chn = port_chn(ed, p);

		chn->state = ECS_UNBOUND;
		chn->remote_domid = remote;
		set_notify_vcpu(chn, 0);
		*port = p;
	}
	spin_unlock_irqrestore(&ed->lock, f);
	return p < 0 ? p : 0;
}

int evtchn_alloc_unbound_port(struct domain *d, domid_t remote, evtchn_port_t *port)
{
	return evtchn_alloc_unbound(d, remote == DOMID_SELF ? d->domid : remote, port);
}

static long evtchn_bind_interdomain(struct domain *ld, struct domain *rd, evtchn_port_t rport,
			     evtchn_port_t *lport)
{
	struct evtchn *lchn, *rchn;
	unsigned long lf, rf = 0;
	long rc;

	spin_lock(&evtchn_link_lock);
	lock_pair(ld, rd, &lf, &rf);
	rc = get_free_port(ld->evtchn);
	if (rc < 0)
		goto out;
	*lport = rc;
	rc = 0;
	rchn = valid_chn(rd->evtchn, rport);
	if (!rchn || rchn->state != ECS_UNBOUND || rchn->remote_domid != ld->domid) {
		rc = -EINVAL;
		goto out;
	}
	lchn = port_chn(ld->evtchn, *lport);
	lchn->state = ECS_INTERDOMAIN;
	lchn->remote = rd;
	lchn->remote_port = rport;
	set_notify_vcpu(lchn, 0);
	rchn->state = ECS_INTERDOMAIN;
	rchn->remote = ld;
	rchn->remote_port = *lport;
	/*
	 * Sends to the unbound end were dropped; raise the new port once so a
	 * notification the peer made before we bound is not lost (as Xen does).
	 */
	set_pending(ld, domain_vcpu(ld, 0), *lport);
out:
	unlock_pair(ld, rd, lf, rf);
	spin_unlock(&evtchn_link_lock);
	return rc;
}

static long evtchn_bind_virq(struct domain *d, unsigned int virq, unsigned int vcpu,
		      evtchn_port_t *port)
{
	struct evtchn_domain *ed = d->evtchn;
	struct evtchn *chn;
	unsigned long f;
	int p;

	if (virq >= NR_VIRQS)
		return -EINVAL;
	if (virq_is_global(virq) && vcpu != 0)
		return -EINVAL;
	if (!domain_vcpu(d, vcpu))
		return -ENOENT;
	f = spin_lock_irqsave(&ed->lock);
	if (ed->virq_port[vcpu][virq]) {
		p = -EEXIST;
		goto out;
	}
	p = get_free_port(ed);
	if (p < 0)
		goto out;
	chn = port_chn(ed, p);
	chn->state = ECS_VIRQ;
	chn->virq = virq;
	set_notify_vcpu(chn, vcpu);
	ed->virq_port[vcpu][virq] = p;
	*port = p;
out:
	spin_unlock_irqrestore(&ed->lock, f);
	return p < 0 ? p : 0;
}

static long evtchn_bind_ipi(struct domain *d, unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_domain *ed = d->evtchn;
	unsigned long f;
	int p;

	if (!domain_vcpu(d, vcpu))
		return -ENOENT;
	f = spin_lock_irqsave(&ed->lock);
	p = get_free_port(ed);
	if (p > 0) {
		port_chn(ed, p)->state = ECS_IPI;
		set_notify_vcpu(port_chn(ed, p), vcpu);
		*port = p;
	}
	spin_unlock_irqrestore(&ed->lock, f);
	return p < 0 ? p : 0;
}

static long evtchn_send(struct domain *d, evtchn_port_t port)
{
	struct evtchn_domain *ed = d->evtchn;
	struct evtchn *chn, *rchn;
	struct domain *rd;
	unsigned long f;
	long rc = 0;

	f = spin_lock_irqsave(&ed->lock);
	chn = valid_chn(ed, port);
	switch (chn ? chn->state : ECS_FREE) {
	case ECS_INTERDOMAIN:
		rd = chn->remote;
		rchn = port_chn(rd->evtchn, chn->remote_port);
		set_pending(rd, domain_vcpu(rd, notify_vcpu(rchn)), chn->remote_port);
		break;
	case ECS_IPI:
		set_pending(d, domain_vcpu(d, notify_vcpu(chn)), port);
		break;
	case ECS_UNBOUND:
		break; /* nobody listens yet: dropped, and bind raises the port */
	default: /* closed, reserved, and VIRQs, which only the hypervisor raises */
		rc = -EINVAL;
		break;
	}
	spin_unlock_irqrestore(&ed->lock, f);
	return rc;
}

static long evtchn_status_get(struct domain *d, struct evtchn_status *st)
{
	struct evtchn_domain *ed = d->evtchn;
	struct evtchn *chn;
	unsigned long f;
	long rc = 0;

	f = spin_lock_irqsave(&ed->lock);
	chn = valid_chn(ed, st->port);
	if (!chn) {
		rc = -EINVAL;
		goto out;
	}
	memset(&st->u, 0, sizeof(st->u));
	st->vcpu = notify_vcpu(chn);
	switch (chn->state) {
	case ECS_UNBOUND:
		st->status = EVTCHNSTAT_unbound;
		st->u.unbound.dom = chn->remote_domid;
		break;
	case ECS_INTERDOMAIN:
		st->status = EVTCHNSTAT_interdomain;
		st->u.interdomain.dom = chn->remote->domid;
		st->u.interdomain.port = chn->remote_port;
		break;
	case ECS_VIRQ:
		st->status = EVTCHNSTAT_virq;
		st->u.virq = chn->virq;
		break;
	case ECS_IPI:
		st->status = EVTCHNSTAT_ipi;
		break;
	default:
		st->status = EVTCHNSTAT_closed;
		break;
	}
out:
	spin_unlock_irqrestore(&ed->lock, f);
	return rc;
}

static long evtchn_bind_vcpu(struct domain *d, evtchn_port_t port, unsigned int vcpu)
{
	struct evtchn_domain *ed = d->evtchn;
	struct evtchn *chn;
	unsigned long f;
	long rc = 0;

	if (!domain_vcpu(d, vcpu))
		return -ENOENT;
	f = spin_lock_irqsave(&ed->lock);
	chn = valid_chn(ed, port);
	switch (chn ? chn->state : ECS_FREE) {
	case ECS_VIRQ:
		/* A per-vCPU VIRQ belongs to its vCPU; only global ones move. */
		if (!virq_is_global(chn->virq)) {
			rc = -EINVAL;
			break;
		}
		set_notify_vcpu(chn, vcpu);
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		set_notify_vcpu(chn, vcpu);
		break;
	default: /* IPIs are tied to their vCPU; closed ports have nothing to move */
		rc = -EINVAL;
		break;
	}
	spin_unlock_irqrestore(&ed->lock, f);
	return rc;
}

/*
 * A pending event hidden by the mask reaches its vCPU now; Linux calls this
 * when it unmasks a pending port or one bound to another vCPU.
 */
static long evtchn_unmask(struct domain *d, evtchn_port_t port)
{
	struct evtchn_domain *ed = d->evtchn;
	struct shared_info *s = d->shared_info;
	struct evtchn *chn;
	struct vcpu *v;
	unsigned long f;

	f = spin_lock_irqsave(&ed->lock);
	chn = valid_chn(ed, port);
	if (!chn) {
		spin_unlock_irqrestore(&ed->lock, f);
		return -EINVAL;
	}
	v = domain_vcpu(d, notify_vcpu(chn));
	if (bit_test_and_clear(s->evtchn_mask, port) && bit_test(s->evtchn_pending, port) && v) {
		struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);

		if (vi)
			mark_word_pending(v, vi, port);
	}
	spin_unlock_irqrestore(&ed->lock, f);
	return 0;
}

static void evtchn_close_all(struct domain *d)
{
	unsigned int n, port;
	unsigned long f;

	/* valid_ports only grows; evtchn_close() takes the locks itself. */
	f = spin_lock_irqsave(&d->evtchn->lock);
	n = d->evtchn->valid_ports;
	spin_unlock_irqrestore(&d->evtchn->lock, f);
	for (port = 1; port < n; port++)
		evtchn_close(d, port);
}

void send_guest_vcpu_virq(struct vcpu *v, unsigned int virq)
{
	struct domain *d = v->domain;
	struct evtchn_domain *ed = d->evtchn;
	unsigned long f;
	unsigned int port;

	BUG_ON(virq >= NR_VIRQS || virq_is_global(virq));
	if (!ed)
		return;
	f = spin_lock_irqsave(&ed->lock);
	port = ed->virq_port[v->vcpu_id][virq];
	if (port)
		set_pending(d, v, port);
	spin_unlock_irqrestore(&ed->lock, f);
}

void send_guest_global_virq(struct domain *d, unsigned int virq)
{
	struct evtchn_domain *ed = d->evtchn;
	unsigned long f;
	unsigned int port;

	BUG_ON(virq >= NR_VIRQS || !virq_is_global(virq));
	if (!ed)
		return;
	f = spin_lock_irqsave(&ed->lock);
	port = ed->virq_port[0][virq];
	if (port)
		set_pending(d, domain_vcpu(d, notify_vcpu(port_chn(ed, port))), port);
	spin_unlock_irqrestore(&ed->lock, f);
}

int evtchn_domain_init(struct domain *d)
{
	struct evtchn_domain *ed;

	ed = xzalloc(sizeof(*ed) + d->max_vcpus * sizeof(ed->virq_port[0]));
	if (!ed)
		return -ENOMEM;
	spin_lock_init(&ed->lock);
	d->evtchn = ed;
	return 0;
}

void evtchn_domain_destroy(struct domain *d)
{
	struct evtchn_domain *ed = d->evtchn;
	unsigned long f;
	unsigned int i;

	if (!ed)
		return;
	f = spin_lock_irqsave(&ed->lock);
	ed->dying = true;
	spin_unlock_irqrestore(&ed->lock, f);
	evtchn_close_all(d);
	/* Nothing links to d any more, and d itself makes no more hypercalls. */
	d->evtchn = NULL;
	for (i = 0; i < EVTCHN_NR_BUCKETS; i++)
		xfree(ed->bucket[i]);
	xfree(ed);
}

/* ---- the hypercall ---- */

/* A domid argument: the domain, or NULL (-ESRCH); *rc = -EPERM if not ours to touch. */
static struct domain *target_domain(struct vcpu *v, domid_t dom, long *rc)
{
	struct domain *d = domain_from_arg(v->domain, dom);

	if (!d || !d->evtchn) {
		*rc = -ESRCH;
		return NULL;
	}
	if (d != v->domain && !v->domain->is_privileged) {
		*rc = -EPERM;
		return NULL;
	}
	return d;
}

long do_event_channel_op(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	struct domain *d = v->domain, *target = d;
	union {
		struct evtchn_alloc_unbound alloc;
		struct evtchn_bind_interdomain inter;
		struct evtchn_bind_virq virq;
		struct evtchn_bind_ipi ipi;
		struct evtchn_bind_vcpu vcpu;
		struct evtchn_status status;
		struct evtchn_reset reset;
		evtchn_port_t port; /* close, send, unmask */
	} op;
	static const u8 op_size[] = {
		[EVTCHNOP_bind_interdomain] = sizeof(op.inter),
		[EVTCHNOP_bind_virq] = sizeof(op.virq),
		[EVTCHNOP_close] = sizeof(op.port),
		[EVTCHNOP_send] = sizeof(op.port),
		[EVTCHNOP_status] = sizeof(op.status),
		[EVTCHNOP_alloc_unbound] = sizeof(op.alloc),
		[EVTCHNOP_bind_ipi] = sizeof(op.ipi),
		[EVTCHNOP_bind_vcpu] = sizeof(op.vcpu),
		[EVTCHNOP_unmask] = sizeof(op.port),
		[EVTCHNOP_reset] = sizeof(op.reset),
	};
	evtchn_port_t *created = NULL; /* the port a bind made, to undo on -EFAULT */
	long rc = 0;

	(void)a3, (void)a4, (void)a5;
	/* 2-level only: Linux falls back to it when the FIFO calls fail. */
	if (cmd >= ARRAY_SIZE(op_size) || !op_size[cmd])
		return -ENOSYS;
	if (!d->evtchn)
		return -ESRCH;
	if (copy_from_guest(v, &op, arg, op_size[cmd]))
		return -EFAULT;

	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		target = target_domain(v, op.alloc.dom, &rc);
		if (!target)
			return rc;
		rc = evtchn_alloc_unbound(target, op.alloc.remote_dom == DOMID_SELF ?
						   d->domid : op.alloc.remote_dom,
				   &op.alloc.port);
		created = &op.alloc.port;
		break;
	case EVTCHNOP_bind_interdomain:
		target = domain_lookup(op.inter.remote_dom == DOMID_SELF ?
					       d->domid : op.inter.remote_dom);
		if (!target || !target->evtchn)
			return -ESRCH;
		rc = evtchn_bind_interdomain(d, target, op.inter.remote_port, &op.inter.local_port);
		created = &op.inter.local_port;
		break;
	case EVTCHNOP_bind_virq:
		rc = evtchn_bind_virq(d, op.virq.virq, op.virq.vcpu, &op.virq.port);
		created = &op.virq.port;
		break;
	case EVTCHNOP_bind_ipi:
		rc = evtchn_bind_ipi(d, op.ipi.vcpu, &op.ipi.port);
		created = &op.ipi.port;
		break;
	case EVTCHNOP_close:
		return evtchn_close(d, op.port);
	case EVTCHNOP_send:
		return evtchn_send(d, op.port);
	case EVTCHNOP_unmask:
		return evtchn_unmask(d, op.port);
	case EVTCHNOP_bind_vcpu:
		return evtchn_bind_vcpu(d, op.vcpu.port, op.vcpu.vcpu);
	case EVTCHNOP_status:
		target = target_domain(v, op.status.dom, &rc);
		if (!target)
			return rc;
		rc = evtchn_status_get(target, &op.status);
		break;
	case EVTCHNOP_reset:
		target = target_domain(v, op.reset.dom, &rc);
		if (!target)
			return rc;
		evtchn_close_all(target);
		return 0;
	}
	if (rc)
		return rc;
	if (copy_to_guest(v, arg, &op, op_size[cmd])) {
		/* The guest cannot learn the port: do not leak it. */
		if (created)
			evtchn_close(cmd == EVTCHNOP_alloc_unbound ? target : d, *created);
		return -EFAULT;
	}
	return 0;
}
