// SPDX-License-Identifier: GPL-2.0-only
/* The fake kb_xenif of kb_fake.h: a guest's memory, its grant table and
 * its event channels, emulated in-process for unit tests. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kb_fake.h"

#define PAGE_BYTES 4096u
#define MAX_GRANTS 4096
#define MAX_PORTS 64
#define FIRST_REF 8

struct fake_grant {
	bool valid, readonly;
	unsigned page;
};

struct fake_port {
	bool allocated;
	bool bound; /* the backend bound to it */
	uint32_t local; /* the backend's port */
	unsigned notifications;
	struct fake_xenif *owner;
};

struct kb_fake {
	uint16_t domid;
	uint8_t *mem;
	unsigned nr_pages;
	struct fake_grant grants[MAX_GRANTS];
	uint32_t next_ref;
	struct fake_port ports[MAX_PORTS]; /* index = the frontend's port */
	unsigned copy_calls, copy_segs, mappings;
	unsigned fail_copies;
	int fail_err;
};

struct fake_xenif {
	struct kb_xenif x;
	struct kb_fake *f;
	int efd; /* readable while ports are pending */
	pthread_mutex_t lock; /* pending: the test sends, a queue thread reads */
	uint32_t pending[MAX_PORTS];
	unsigned nr_pending;
};

struct kb_fake *kb_fake_new(uint16_t domid, unsigned nr_pages)
{
	struct kb_fake *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->domid = domid;
	f->nr_pages = nr_pages;
	f->next_ref = FIRST_REF;
	if (posix_memalign((void **)&f->mem, PAGE_BYTES, (size_t)nr_pages * PAGE_BYTES)) {
		free(f);
		return NULL;
	}
	memset(f->mem, 0, (size_t)nr_pages * PAGE_BYTES);
	return f;
}

void kb_fake_free(struct kb_fake *f)
{
	if (!f)
		return;
	free(f->mem);
	free(f);
}

void *kb_fake_page(struct kb_fake *f, unsigned idx)
{
	return idx < f->nr_pages ? f->mem + (size_t)idx * PAGE_BYTES : NULL;
}

uint32_t kb_fake_grant(struct kb_fake *f, unsigned idx, bool readonly)
{
	uint32_t ref = f->next_ref++;

	if (ref >= MAX_GRANTS || idx >= f->nr_pages)
		abort(); /* a test bug */
	f->grants[ref] = (struct fake_grant){ true, readonly, idx };
	return ref;
}

void kb_fake_revoke(struct kb_fake *f, uint32_t ref)
{
	if (ref < MAX_GRANTS)
		f->grants[ref].valid = false;
}

static struct fake_xenif *fx(struct kb_xenif *x)
{
	return (struct fake_xenif *)x;
}

static const struct fake_grant *lookup(struct kb_fake *f, uint32_t domid, uint32_t ref, int16_t *st)
{
	if (domid != f->domid) {
		*st = GNTST_bad_domain;
		return NULL;
	}
	if (ref >= MAX_GRANTS || !f->grants[ref].valid) {
		*st = GNTST_bad_gntref;
		return NULL;
	}
	return &f->grants[ref];
}

static void *fake_map(struct kb_xenif *x, uint32_t domid, const uint32_t *refs, unsigned n,
		      bool writable)
{
	struct kb_fake *f = fx(x)->f;
	const struct fake_grant *g0 = NULL;
	int16_t st;

	for (unsigned i = 0; i < n; i++) {
		const struct fake_grant *g = lookup(f, domid, refs[i], &st);

		/* The fake can only hand out contiguous guest pages. */
		if (!g || (writable && g->readonly) || (g0 && g->page != g0->page + i)) {
			errno = EINVAL;
			return NULL;
		}
		if (!g0)
			g0 = g;
	}
	if (!g0) {
		errno = EINVAL;
		return NULL;
	}
	f->mappings++;
	return f->mem + (size_t)g0->page * PAGE_BYTES;
}

static void fake_unmap(struct kb_xenif *x, void *addr, unsigned n)
{
	(void)addr;
	(void)n;
	fx(x)->f->mappings--;
}

static int fake_copy(struct kb_xenif *x, struct kb_copy_seg *segs, unsigned n)
{
	struct kb_fake *f = fx(x)->f;

	f->copy_calls++;
	if (f->fail_copies) {
		f->fail_copies--;
		return f->fail_err;
	}
	for (unsigned i = 0; i < n; i++) {
		struct kb_copy_seg *s = &segs[i];
		bool src_g = s->flags & GNTCOPY_source_gref, dst_g = s->flags & GNTCOPY_dest_gref;

		/* gntdev refuses the whole call for these. */
		if (src_g == dst_g)
			return -EINVAL;
		if ((src_g && s->source.foreign.offset + s->len > PAGE_BYTES) ||
		    (dst_g && s->dest.foreign.offset + s->len > PAGE_BYTES))
			return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		struct kb_copy_seg *s = &segs[i];
		const struct fake_grant *g;
		int16_t st = GNTST_okay;

		if (s->flags & GNTCOPY_source_gref) {
			g = lookup(f, s->source.foreign.domid, s->source.foreign.ref, &st);
			if (g)
				memcpy(s->dest.virt,
				       f->mem + (size_t)g->page * PAGE_BYTES + s->source.foreign.offset,
				       s->len);
		} else {
			g = lookup(f, s->dest.foreign.domid, s->dest.foreign.ref, &st);
			if (g && g->readonly) {
				g = NULL;
				st = GNTST_permission_denied;
			}
			if (g)
				memcpy(f->mem + (size_t)g->page * PAGE_BYTES + s->dest.foreign.offset,
				       s->source.virt, s->len);
		}
		s->status = st;
		f->copy_segs += st == GNTST_okay;
	}
	return 0;
}

uint32_t kb_fake_alloc_port(struct kb_fake *f)
{
	for (uint32_t p = 1; p < MAX_PORTS; p++) {
		if (!f->ports[p].allocated) {
			f->ports[p] = (struct fake_port){ .allocated = true };
			return p;
		}
	}
	abort();
}

static int fake_bind(struct kb_xenif *x, uint32_t domid, uint32_t remote_port, uint32_t *local)
{
	struct kb_fake *f = fx(x)->f;
	struct fake_port *p;

	if (domid != f->domid || remote_port >= MAX_PORTS)
		return -EINVAL;
	p = &f->ports[remote_port];
	if (!p->allocated || p->bound)
		return -EINVAL;
	p->bound = true;
	p->owner = fx(x);
	p->local = 100 + remote_port;
	*local = p->local;
	return 0;
}

static struct fake_port *by_local(struct kb_fake *f, uint32_t local)
{
	uint32_t remote = local - 100;

	if (local < 100 || remote >= MAX_PORTS || !f->ports[remote].bound)
		return NULL;
	return &f->ports[remote];
}

static void fake_unbind(struct kb_xenif *x, uint32_t local)
{
	struct fake_port *p = by_local(fx(x)->f, local);

	if (p) {
		p->bound = false;
		p->owner = NULL;
	}
}

static int fake_notify(struct kb_xenif *x, uint32_t local)
{
	struct fake_port *p = by_local(fx(x)->f, local);

	if (!p)
		return -EINVAL;
	p->notifications++;
	return 0;
}

void kb_fake_send(struct kb_fake *f, uint32_t remote_port)
{
	struct fake_port *p = remote_port < MAX_PORTS ? &f->ports[remote_port] : NULL;
	struct fake_xenif *o;
	uint64_t one = 1;

	if (!p || !p->bound)
		return;
	o = p->owner;
	pthread_mutex_lock(&o->lock);
	for (unsigned i = 0; i < o->nr_pending; i++) {
		if (o->pending[i] == p->local) {
			pthread_mutex_unlock(&o->lock);
			return;
		}
	}
	o->pending[o->nr_pending++] = p->local;
	if (write(o->efd, &one, sizeof(one)) < 0)
		abort();
	pthread_mutex_unlock(&o->lock);
}

unsigned kb_fake_notifications(struct kb_fake *f, uint32_t remote_port)
{
	return remote_port < MAX_PORTS ? f->ports[remote_port].notifications : 0;
}

static int fake_pending(struct kb_xenif *x, uint32_t *ports, unsigned max)
{
	struct fake_xenif *o = fx(x);
	unsigned n;
	uint64_t v;
	int ret;

	pthread_mutex_lock(&o->lock);
	n = o->nr_pending < max ? o->nr_pending : max;
	memcpy(ports, o->pending, n * sizeof(*ports));
	memmove(o->pending, o->pending + n, (o->nr_pending - n) * sizeof(*ports));
	o->nr_pending -= n;
	ret = (int)n;
	if (!o->nr_pending && read(o->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		ret = -errno;
	pthread_mutex_unlock(&o->lock);
	return ret;
}

static int fake_unmask(struct kb_xenif *x, uint32_t local)
{
	return by_local(fx(x)->f, local) ? 0 : -EINVAL;
}

static int fake_fd(struct kb_xenif *x)
{
	return fx(x)->efd;
}

static void fake_close(struct kb_xenif *x)
{
	struct fake_xenif *o = fx(x);

	for (unsigned p = 0; p < MAX_PORTS; p++)
		if (o->f->ports[p].owner == o)
			fake_unbind(x, o->f->ports[p].local);
	close(o->efd);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static const struct kb_xenif_ops fake_ops = {
	.map = fake_map,
	.unmap = fake_unmap,
	.copy = fake_copy,
	.bind = fake_bind,
	.unbind = fake_unbind,
	.notify = fake_notify,
	.pending = fake_pending,
	.unmask = fake_unmask,
	.fd = fake_fd,
	.close = fake_close,
};

struct kb_xenif *kb_fake_xenif(struct kb_fake *f)
{
	struct fake_xenif *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->f = f;
	o->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pthread_mutex_init(&o->lock, NULL);
	o->x.ops = &fake_ops;
	o->x.priv = o;
	return &o->x;
}

unsigned kb_fake_copy_calls(struct kb_fake *f)
{
	return f->copy_calls;
}

unsigned kb_fake_copy_segs(struct kb_fake *f)
{
	return f->copy_segs;
}

unsigned kb_fake_mappings(struct kb_fake *f)
{
	return f->mappings;
}

void kb_fake_fail_copies(struct kb_fake *f, unsigned n, int err)
{
	f->fail_copies = n;
	f->fail_err = err;
}
