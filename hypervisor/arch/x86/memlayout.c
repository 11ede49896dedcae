// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dividing host RAM at boot. dom0 is identity-mapped, so it gets real RAM
 * ranges from the bottom (it needs the first MiB and the kernel's fixed load
 * addresses); the hypervisor's pool is the rest. Boot modules are moved to
 * the top of low RAM first, so loading dom0's kernel cannot overwrite them.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <asm/memlayout.h>

extern char _start[], _end[];

struct mem_layout mem_layout;

static void sort_ranges(struct mem_range *r, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++) {
		struct mem_range t = r[i];
		unsigned int j = i;

		while (j && r[j - 1].start > t.start) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = t;
	}
}

/* RAM ranges, page-aligned inward, sorted, with `holes` cut out. */
static unsigned int usable_ram(struct mem_range *out, const struct mem_range *holes,
			       unsigned int nr_holes)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];

		if (e->type != E820_RAM || n >= MAX_RANGES)
			continue;
		out[n].start = ALIGN_UP(e->addr, PAGE_SIZE);
		out[n].end = ALIGN_DOWN(e->addr + e->size, PAGE_SIZE);
		if (out[n].end > out[n].start)
			n++;
	}
	for (unsigned int h = 0; h < nr_holes; h++) {
		for (unsigned int i = 0; i < n; i++) {
			struct mem_range *r = &out[i];

			if (holes[h].end <= r->start || holes[h].start >= r->end)
				continue;
			if (holes[h].start > r->start && holes[h].end < r->end && n < MAX_RANGES) {
				out[n].start = holes[h].end; /* split in two */
				out[n].end = r->end;
				n++;
				r->end = holes[h].start;
			} else if (holes[h].start <= r->start) {
				r->start = MIN(holes[h].end, r->end);
			} else {
				r->end = holes[h].start;
			}
		}
	}
	sort_ranges(out, n);
	{
		unsigned int k = 0;

		for (unsigned int i = 0; i < n; i++)
			if (out[i].end > out[i].start)
				out[k++] = out[i];
		n = k;
	}
	return n;
}

void relocate_modules(void)
{
	struct mem_range ram[MAX_RANGES];
	struct mem_range image = { ALIGN_DOWN((paddr_t)(uintptr_t)_start, PAGE_SIZE),
				   ALIGN_UP((paddr_t)(uintptr_t)_end, PAGE_SIZE) };
	unsigned int n = usable_ram(ram, &image, 1);
	u64 total = 0;
	paddr_t dest = 0, lowest_src = ~0ULL, highest_src_end = 0;

	mem_layout.image = image;
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		total += ALIGN_UP(boot_info.modules[i].end - boot_info.modules[i].start, PAGE_SIZE);
		lowest_src = MIN(lowest_src, boot_info.modules[i].start);
		highest_src_end = MAX(highest_src_end, boot_info.modules[i].end);
	}
	if (!total)
		return;
	/* the highest RAM range below 4 GiB (what the boot page tables map) */
	for (unsigned int i = n; i-- > 0;) {
		paddr_t end = MIN(ram[i].end, 1ULL << 32);

		if (end > ram[i].start && end - ram[i].start >= total) {
			dest = end - total;
			break;
		}
	}
	if (!dest || dest < highest_src_end) {
		if (dest && dest + total > lowest_src) {
			/* modules already sit at the top: keep them where they are */
			mem_layout.modules.start = ALIGN_DOWN(lowest_src, PAGE_SIZE);
			mem_layout.modules.end = ALIGN_UP(highest_src_end, PAGE_SIZE);
			return;
		}
		if (!dest)
			panic("boot: no RAM below 4 GiB can hold the %llu KiB of boot modules",
			      total >> 10);
	}
	mem_layout.modules.start = dest;
	mem_layout.modules.end = dest + total;
	/* Highest source first: every destination lies above every source. */
	for (unsigned int done = 0; done < boot_info.nr_modules; done++) {
		struct boot_module *m = NULL;
		paddr_t size, at = dest;

		for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
			struct boot_module *c = &boot_info.modules[i];

			if (c->start >= dest && c->start < dest + total)
				continue; /* already moved */
			if (!m || c->start > m->start)
				m = c;
		}
		if (!m)
			break;
		/* place modules in their original order, module 0 lowest */
		for (unsigned int i = 0; i < (unsigned int)(m - boot_info.modules); i++)
			at += ALIGN_UP(boot_info.modules[i].end - boot_info.modules[i].start,
				       PAGE_SIZE);
		size = m->end - m->start;
		memmove(phys_to_virt(at), phys_to_virt(m->start), size);
		m->start = at;
		m->end = at + size;
	}
}

void plan_memory(u64 dom0_mem)
{
	struct mem_range holes[2] = { mem_layout.image, mem_layout.modules };
	struct mem_range ram[MAX_RANGES];
	unsigned int n = usable_ram(ram, holes, mem_layout.modules.end ? 2 : 1);
	u64 total = 0, want;

	for (unsigned int i = 0; i < n; i++)
		total += ram[i].end - ram[i].start;
	want = dom0_mem;
	if (!want) {
		u64 keep = MAX(128ULL << 20, total / 8);

		want = total > keep * 2 ? total - keep : total / 2;
	}
	if (want + (32ULL << 20) > total) {
		pr_warn("dom0_mem: %llu MiB asked, but only %llu MiB of RAM is free; dom0 gets %llu MiB\n",
			want >> 20, total >> 20, (total - (32ULL << 20)) >> 20);
		want = total - (32ULL << 20);
	}
	want = ALIGN_UP(want, PAGE_SIZE);
	mem_layout.dom0_bytes = 0;
	for (unsigned int i = 0; i < n; i++) {
		u64 size = ram[i].end - ram[i].start;
		u64 take = MIN(size, want - mem_layout.dom0_bytes);

		if (take) {
			mem_layout.dom0[mem_layout.nr_dom0].start = ram[i].start;
			mem_layout.dom0[mem_layout.nr_dom0].end = ram[i].start + take;
			mem_layout.nr_dom0++;
			mem_layout.dom0_bytes += take;
		}
		if (take < size) {
			mem_layout.free[mem_layout.nr_free].start = ram[i].start + take;
			mem_layout.free[mem_layout.nr_free].end = ram[i].end;
			mem_layout.nr_free++;
		}
	}
	printk("memory: %llu MiB RAM; dom0 %llu MiB, hypervisor pool %llu MiB, modules %llu KiB\n",
	       (total + (mem_layout.image.end - mem_layout.image.start) +
		(mem_layout.modules.end - mem_layout.modules.start)) >> 20,
	       mem_layout.dom0_bytes >> 20, (total - mem_layout.dom0_bytes) >> 20,
	       (mem_layout.modules.end - mem_layout.modules.start) >> 10);
}

bool dom0_owns(paddr_t start, paddr_t end)
{
	for (unsigned int i = 0; i < mem_layout.nr_dom0; i++)
		if (start >= mem_layout.dom0[i].start && end <= mem_layout.dom0[i].end)
			return true;
	return false;
}
