// SPDX-License-Identifier: GPL-2.0-only
/* The hypervisor heap on top of the page allocator: one-page slabs per size class, pages for big objects. */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/spinlock.h>
#include <keel/xmalloc.h>

/*
 * Every heap page starts with a header, so xfree() finds it by rounding the
 * pointer down to its page: a big object is returned just past its header,
 * inside the first page of its block.
 */
#define SLAB_MAGIC 0x51ab51abU
#define BIG_MAGIC 0xb16b16b1U

/* Aligned so that the object after it is 16-byte aligned too. */
struct big_hdr {
	u32 magic;
	u32 order;
} __aligned(16);

#define SLAB_MAX_OBJS (PAGE_SIZE / 16)

struct slab {
	u32 magic;
	u16 cls;
	u16 nr_free;
	struct slab *next, *prev; /* in the class's list of slabs with room */
	u64 free_map[SLAB_MAX_OBJS / 64]; /* bit set = object free */
	u8 pad[8];
};
_Static_assert(sizeof(struct slab) % 16 == 0, "slab objects must stay 16-byte aligned");

#define SLAB_ROOM (PAGE_SIZE - sizeof(struct slab))

/* Each class is the largest multiple of 16 for its number of objects per page. */
static const u16 class_size[] = { 16,  32,  48,	 64,  96,  128, 192, 256,
				  336, 448, 576, 672, 800, 1008, 1344, 2016 };
#define NR_CLASSES ARRAY_SIZE(class_size)

/* Protects the slab lists and headers; nests outside page_alloc_lock. */
static spinlock_t heap_lock = SPINLOCK_INIT;
static struct slab *partial[NR_CLASSES];

static unsigned int objs_per_slab(unsigned int cls)
{
	return SLAB_ROOM / class_size[cls];
}

static void partial_add(struct slab *s)
{
	s->prev = NULL;
	s->next = partial[s->cls];
	if (s->next)
		s->next->prev = s;
	partial[s->cls] = s;
}

static void partial_del(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
}

static struct slab *slab_new(unsigned int cls)
{
	struct slab *s = alloc_page();
	unsigned int i, n = objs_per_slab(cls);

	if (!s)
		return NULL;
	s->magic = SLAB_MAGIC;
	s->cls = cls;
	s->nr_free = n;
	for (i = 0; i < n; i++)
		s->free_map[i / 64] |= 1ULL << (i % 64);
	partial_add(s);
	return s;
}

static void *slab_alloc(unsigned int cls)
{
	struct slab *s = partial[cls];
	unsigned int w, bit;

	if (!s && !(s = slab_new(cls)))
		return NULL;
	for (w = 0; !s->free_map[w]; w++)
		;
	bit = __builtin_ctzll(s->free_map[w]);
	s->free_map[w] &= ~(1ULL << bit);
	if (!--s->nr_free)
		partial_del(s);
	return (u8 *)(s + 1) + (w * 64 + bit) * class_size[cls];
}

static void slab_free(struct slab *s, void *p)
{
	size_t off = (u8 *)p - (u8 *)(s + 1);
	unsigned int idx;

	BUG_ON(s->cls >= NR_CLASSES);
	BUG_ON((u8 *)p < (u8 *)(s + 1) || off % class_size[s->cls]);
	idx = off / class_size[s->cls];
	BUG_ON(idx >= objs_per_slab(s->cls));
	BUG_ON(s->free_map[idx / 64] & (1ULL << (idx % 64)));
	s->free_map[idx / 64] |= 1ULL << (idx % 64);
	if (s->nr_free++ == 0)
		partial_add(s);
	/* An empty slab goes straight back: the page allocator is the only cache. */
	if (s->nr_free == objs_per_slab(s->cls)) {
		partial_del(s);
		s->magic = 0;
		free_page(s);
	}
}

static void *big_alloc(size_t size)
{
	unsigned int order = 0;
	struct big_hdr *h;
	paddr_t pa;

	if (size > (PAGE_SIZE << PAGE_ALLOC_MAX_ORDER) - sizeof(*h))
		return NULL;
	while ((PAGE_SIZE << order) - sizeof(*h) < size)
		order++;
	pa = alloc_pages(order);
	if (pa == PADDR_INVALID)
		return NULL;
	h = phys_to_virt(pa);
	h->magic = BIG_MAGIC;
	h->order = order;
	return h + 1;
}

void *xmalloc(size_t size)
{
	unsigned long flags;
	unsigned int cls;
	void *p;

	for (cls = 0; cls < NR_CLASSES; cls++)
		if (size <= class_size[cls])
			break;
	if (cls == NR_CLASSES)
		return big_alloc(size);

	flags = spin_lock_irqsave(&heap_lock);
	p = slab_alloc(cls);
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *xzalloc(size_t size)
{
	void *p = xmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void xfree(void *p)
{
	void *page = (void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
	struct big_hdr *h = page;
	unsigned long flags;

	if (!p)
		return;
	if (h->magic == BIG_MAGIC && p == (void *)(h + 1)) {
		h->magic = 0; /* a second xfree of it then panics */
		free_pages(virt_to_phys(h), h->order);
		return;
	}
	BUG_ON(h->magic != SLAB_MAGIC);
	flags = spin_lock_irqsave(&heap_lock);
	slab_free(page, p);
	spin_unlock_irqrestore(&heap_lock, flags);
}
