// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page tables (the p2m): 4-level tables mapping a domain's guest
 * frames to host frames, with 2 MiB leaves where ranges allow, split on
 * demand. The p2m type of each leaf sits in bits the MMU ignores.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/page_alloc.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/arch.h>
#include <asm/vmexit.h>

#define NPT_P (1ULL << 0)
#define NPT_RW (1ULL << 1)
#define NPT_US (1ULL << 2)
#define NPT_PWT (1ULL << 3)
#define NPT_PCD (1ULL << 4)
#define NPT_PS (1ULL << 7)
#define NPT_TYPE_SHIFT 52
#define NPT_TYPE_MASK (0xfULL << NPT_TYPE_SHIFT)
#define NPT_ADDR_MASK 0x000ffffffffff000ULL
#define NPT_TABLE (NPT_P | NPT_RW | NPT_US)

#define PAGES_2M 512ULL

static u64 *table_of(u64 entry)
{
	return phys_to_virt(entry & NPT_ADDR_MASK);
}

static u64 leaf_flags(enum p2m_type t)
{
	u64 f = NPT_P | NPT_RW | NPT_US | ((u64)t << NPT_TYPE_SHIFT);

	if (t == P2M_GRANT_RO)
		f &= ~NPT_RW;
	if (t == P2M_MMIO)
		f |= NPT_PCD | NPT_PWT;
	return f;
}

int arch_p2m_init(struct domain *d)
{
	void *root = alloc_page();

	if (!root)
		return -ENOMEM;
	spin_lock_init(&d->arch.p2m_lock);
	d->arch.npt_root = virt_to_phys(root);
	return 0;
}

static void free_level(u64 *table, int level)
{
	for (int i = 0; i < 512; i++) {
		if (!(table[i] & NPT_P) || (table[i] & NPT_PS) || level == 1)
			continue;
		free_level(table_of(table[i]), level - 1);
	}
	free_page(table);
}

void arch_p2m_destroy(struct domain *d)
{
	if (d->arch.npt_root)
		free_level(phys_to_virt(d->arch.npt_root), 4);
	d->arch.npt_root = 0;
}

/* Turn a 2 MiB leaf into a table of 512 4 KiB leaves with the same type. */
static int split_2m(u64 *entry)
{
	u64 *pt = alloc_page();
	u64 base = *entry & NPT_ADDR_MASK & ~((PAGES_2M << PAGE_SHIFT) - 1);
	u64 flags = *entry & ~NPT_ADDR_MASK & ~NPT_PS;

	if (!pt)
		return -ENOMEM;
	for (int i = 0; i < 512; i++)
		pt[i] = (base + ((u64)i << PAGE_SHIFT)) | flags;
	*entry = virt_to_phys(pt) | NPT_TABLE;
	return 0;
}

/* The entry for gfn at `level` (1 = 4K PTE, 2 = 2M PDE), creating tables. */
static u64 *walk_alloc(struct domain *d, u64 gfn, int level)
{
	u64 *table = phys_to_virt(d->arch.npt_root);

	for (int l = 4; l > level; l--) {
		u64 *e = &table[(gfn >> (9 * (l - 1))) & 511];

		if (!(*e & NPT_P)) {
			u64 *next = alloc_page();

			if (!next)
				return NULL;
			*e = virt_to_phys(next) | NPT_TABLE;
		} else if (*e & NPT_PS) {
			if (l != 2 || split_2m(e))
				return NULL;
		}
		table = table_of(*e);
	}
	return &table[(gfn >> (9 * (level - 1))) & 511];
}

/*
 * After a mapping is removed or changed, no vCPU of the domain may keep
 * using the old translation: each flushes its ASID at its next entry, and
 * vCPUs running right now on other CPUs are forced out first (a removed
 * grant page must be unreachable before the grant is released).
 */
static void flush_all_vcpus(struct domain *d)
{
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			d->vcpus[i]->arch.flush_tlb = true;
	svm_sync_domain_exits(d);
}

int arch_p2m_map(struct domain *d, u64 gfn, paddr_t hpa, u64 nr, enum p2m_type t)
{
	int rc = 0;
	bool replaced = false; /* a new entry where none was needs no flush */
	unsigned long flags = spin_lock_irqsave(&d->arch.p2m_lock);

	while (nr) {
		u64 hfn = hpa >> PAGE_SHIFT;
		u64 *e;

		if (!(gfn % PAGES_2M) && !(hfn % PAGES_2M) && nr >= PAGES_2M) {
			e = walk_alloc(d, gfn, 2);
			if (e && (*e & NPT_P) && !(*e & NPT_PS)) {
				/* a table sits here already: fill it 4K by 4K */
				e = NULL;
			} else if (e) {
				replaced |= (*e & NPT_P) != 0;
				*e = (hpa & NPT_ADDR_MASK) | leaf_flags(t) | NPT_PS;
				gfn += PAGES_2M;
				hpa += PAGES_2M << PAGE_SHIFT;
				nr -= PAGES_2M;
				continue;
			}
		}
		e = walk_alloc(d, gfn, 1);
		if (!e) {
			rc = -ENOMEM;
			break;
		}
		replaced |= (*e & NPT_P) != 0;
		*e = (hpa & NPT_ADDR_MASK) | leaf_flags(t);
		gfn++;
		hpa += PAGE_SIZE;
		nr--;
	}
	if (replaced)
		flush_all_vcpus(d);
	spin_unlock_irqrestore(&d->arch.p2m_lock, flags);
	return rc;
}

int arch_p2m_unmap(struct domain *d, u64 gfn, u64 nr)
{
	int rc = 0;
	unsigned long flags = spin_lock_irqsave(&d->arch.p2m_lock);

	for (; nr; nr--, gfn++) {
		u64 *table = phys_to_virt(d->arch.npt_root);
		u64 *e = NULL;

		for (int l = 4; l >= 1; l--) {
			e = &table[(gfn >> (9 * (l - 1))) & 511];
			if (!(*e & NPT_P)) {
				e = NULL;
				break;
			}
			if (l == 1)
				break;
			if (*e & NPT_PS) {
				if (l != 2 || split_2m(e)) {
					rc = -ENOMEM;
					e = NULL;
					break;
				}
			}
			table = table_of(*e);
		}
		if (e)
			*e = 0;
	}
	flush_all_vcpus(d);
	spin_unlock_irqrestore(&d->arch.p2m_lock, flags);
	return rc;
}

paddr_t arch_p2m_lookup(struct domain *d, u64 gfn, enum p2m_type *t)
{
	u64 *table;
	paddr_t result = PADDR_INVALID;
	unsigned long flags;

	if (gfn >> 40)
		return PADDR_INVALID;
	flags = spin_lock_irqsave(&d->arch.p2m_lock);
	table = phys_to_virt(d->arch.npt_root);
	for (int l = 4; l >= 1; l--) {
		u64 e = table[(gfn >> (9 * (l - 1))) & 511];

		if (!(e & NPT_P))
			break;
		if (l == 1 || (e & NPT_PS)) {
			u64 span = 1ULL << (9 * (l - 1)); /* pages per leaf */

			result = (e & NPT_ADDR_MASK & ~((span << PAGE_SHIFT) - 1)) +
				 ((gfn & (span - 1)) << PAGE_SHIFT);
			if (t)
				*t = (enum p2m_type)((e & NPT_TYPE_MASK) >> NPT_TYPE_SHIFT);
			break;
		}
		table = table_of(e);
	}
	spin_unlock_irqrestore(&d->arch.p2m_lock, flags);
	return result;
}

static bool walk_level(u64 *table, int level, u64 gfn_base, p2m_walk_fn cb, void *ctx)
{
	bool cleared = false;

	for (u64 i = 0; i < 512; i++) {
		u64 e = table[i];
		u64 gfn = gfn_base + (i << (9 * (level - 1)));

		if (!(e & NPT_P))
			continue;
		if (level == 1 || (e & NPT_PS)) {
			u64 span = 1ULL << (9 * (level - 1));
			enum p2m_type t = (enum p2m_type)((e & NPT_TYPE_MASK) >> NPT_TYPE_SHIFT);

			if (cb(ctx, gfn, e & NPT_ADDR_MASK & ~((span << PAGE_SHIFT) - 1), span, t)) {
				table[i] = 0;
				cleared = true;
			}
			continue;
		}
		cleared |= walk_level(table_of(e), level - 1, gfn, cb, ctx);
	}
	return cleared;
}

void arch_p2m_walk(struct domain *d, p2m_walk_fn cb, void *ctx)
{
	unsigned long flags = spin_lock_irqsave(&d->arch.p2m_lock);

	if (d->arch.npt_root && walk_level(phys_to_virt(d->arch.npt_root), 4, 0, cb, ctx))
		flush_all_vcpus(d);
	spin_unlock_irqrestore(&d->arch.p2m_lock, flags);
}
