// SPDX-License-Identifier: GPL-2.0-only
/*
 * Building dom0 as a PVH domain: its RAM identity-mapped, the kernel from
 * the first boot module loaded at its ELF physical addresses, the second
 * module as its initrd, and an hvm_start_info (v1) with command line,
 * memory map, module list and the firmware's RSDP.
 */
#include <keel/lib.h>
#include <keel/page.h>
#include <keel/arch.h>
#include <keel/cmdline.h>
#include <keel/domain.h>
#include <keel/guest_access.h>
#include <keel/pvh_elf.h>
#include <keel/sched.h>
#include <keel/xmalloc.h>
#include <keel/xz.h>
#include <keel/errno.h>
#include <keel/page_alloc.h>
#include <public/hvm/start_info.h>
#include <asm/acpi.h>
#include <asm/memlayout.h>
#include <asm/vmexit.h>
#include <asm/vlapic.h>
#include <asm/percpu.h>

#define MAX_MEMMAP 128
#define CMDLINE_OFFSET 0x100
#define MODLIST_OFFSET 0xc00
#define MEMMAP_OFFSET 0x1000

struct dom0_map_piece {
	u64 start, end;
	u32 type;
};

static int write_to_dom0(void *ctx, u64 gpa, const void *src, size_t len)
{
	return fill_guest_phys(ctx, gpa, src, len);
}

static unsigned int add_piece(struct dom0_map_piece *p, unsigned int n, u64 s, u64 e, u32 t)
{
	if (e > s && n < MAX_MEMMAP)
		p[n++] = (struct dom0_map_piece){ s, e, t };
	return n;
}

/* dom0's view: its RAM as RAM, the rest of host RAM as reserved, firmware
 * regions as the firmware described them, start_info pages reserved. */
static unsigned int build_memmap(struct dom0_map_piece *p)
{
	unsigned int n = 0;
	u64 si_start = DOM0_START_INFO_GPA;
	u64 si_end = si_start + DOM0_START_INFO_PAGES * PAGE_SIZE;

	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];
		u64 s = e->addr, end = e->addr + e->size;

		if (e->type != E820_RAM) {
			n = add_piece(p, n, s, end, e->type);
			continue;
		}
		while (s < end) {
			u64 next = end;
			u32 type = XEN_HVM_MEMMAP_TYPE_RESERVED;

			for (unsigned int r = 0; r < mem_layout.nr_dom0; r++) {
				const struct mem_range *d = &mem_layout.dom0[r];

				if (s >= d->start && s < d->end) {
					type = XEN_HVM_MEMMAP_TYPE_RAM;
					next = MIN(next, d->end);
				} else if (d->start > s) {
					next = MIN(next, d->start);
				}
			}
			if (type == XEN_HVM_MEMMAP_TYPE_RAM && s < si_end && next > si_start) {
				/* carve the start_info pages out of this RAM piece */
				n = add_piece(p, n, s, MIN(next, si_start), type);
				n = add_piece(p, n, MAX(s, si_start), MIN(next, si_end),
					      XEN_HVM_MEMMAP_TYPE_RESERVED);
				n = add_piece(p, n, MAX(s, si_end), next, type);
			} else {
				n = add_piece(p, n, s, next, type);
			}
			s = next;
		}
	}
	/* sort by address, then merge neighbours of the same type */
	for (unsigned int i = 1; i < n; i++) {
		struct dom0_map_piece t = p[i];
		unsigned int j = i;

		while (j && p[j - 1].start > t.start) {
			p[j] = p[j - 1];
			j--;
		}
		p[j] = t;
	}
	{
		unsigned int k = 0;

		for (unsigned int i = 0; i < n; i++) {
			if (k && p[k - 1].end == p[i].start && p[k - 1].type == p[i].type)
				p[k - 1].end = p[i].end;
			else
				p[k++] = p[i];
		}
		n = k;
	}
	return n;
}

static void map_dom0_memory(struct domain *d)
{
	for (unsigned int i = 0; i < mem_layout.nr_dom0; i++) {
		const struct mem_range *r = &mem_layout.dom0[i];

		if (arch_p2m_map(d, r->start >> PAGE_SHIFT, r->start,
				 (r->end - r->start) >> PAGE_SHIFT, P2M_RAM))
			panic("dom0: out of memory for its nested page tables");
		d->tot_pages += (r->end - r->start) >> PAGE_SHIFT;
	}
	/* Firmware regions (ACPI tables, BIOS, legacy video) are dom0's too. */
	for (unsigned int i = 0; i < boot_info.nr_e820; i++) {
		const struct e820_entry *e = &boot_info.e820[i];
		u64 s = ALIGN_DOWN(e->addr, PAGE_SIZE), end = ALIGN_UP(e->addr + e->size, PAGE_SIZE);

		if (e->type == E820_RAM)
			continue;
		arch_p2m_map(d, s >> PAGE_SHIFT, s, (end - s) >> PAGE_SHIFT, P2M_MMIO);
	}
	arch_p2m_map(d, 0xa0000 >> PAGE_SHIFT, 0xa0000, (0x100000 - 0xa0000) >> PAGE_SHIFT,
		     P2M_MMIO);
	/* dom0 RAM below 1 MiB may overlap the legacy window above: remap it */
	for (unsigned int i = 0; i < mem_layout.nr_dom0; i++) {
		const struct mem_range *r = &mem_layout.dom0[i];

		if (r->start < 0x100000 && r->end > 0xa0000) {
			u64 s = MAX(r->start, 0xa0000ULL), e = MIN(r->end, 0x100000ULL);

			arch_p2m_map(d, s >> PAGE_SHIFT, s, (e - s) >> PAGE_SHIFT, P2M_RAM);
		}
	}
}

/* Where the initrd goes: right after the kernel, else the highest dom0 RAM
 * below 4 GiB (Linux keeps only 32 bits of its address). */
static u64 place_initrd(const struct pvh_kernel_info *k, u64 size)
{
	u64 at = ALIGN_UP(k->load_end, PAGE_SIZE);

	if (dom0_owns(at, at + size))
		return at;
	for (unsigned int i = mem_layout.nr_dom0; i-- > 0;) {
		const struct mem_range *r = &mem_layout.dom0[i];
		u64 end = MIN(r->end, 1ULL << 32);

		if (end > r->start && end - r->start >= size) {
			at = ALIGN_DOWN(end - size, PAGE_SIZE);
			if (at + size <= k->load_start || at >= k->load_end)
				return at;
		}
	}
	return 0;
}

/*
 * A stock distribution kernel is a bzImage with an XZ-compressed vmlinux
 * inside (xen-pvh-abi.md §1.1): unpack it into hypervisor memory, so the ELF
 * loader sees the vmlinux. Anything else is left for pvh_elf_parse to judge.
 */
static int decompress_bzimage(const void **image, size_t *size, int *order)
{
	const u8 *payload;
	size_t payload_len, out_len = 0;
	enum pvh_compression comp;
	const char *why = NULL;
	u32 unpacked;
	paddr_t buf;
	u64 t0;
	int rc;

	if (pvh_bzimage_payload(*image, *size, &payload, &payload_len, &comp, &why) ||
	    comp != PVH_COMP_XZ || payload_len < 8)
		return 0;
	memcpy(&unpacked, payload + payload_len - 4, 4);
	*order = 0;
	while ((PAGE_SIZE << *order) < unpacked)
		(*order)++;
	buf = alloc_pages(*order);
	if (buf == PADDR_INVALID) {
		pr_err("dom0: no %u MiB of hypervisor memory to unpack the kernel into\n",
		       unpacked >> 20);
		return -ENOMEM;
	}
	t0 = arch_now_ns();
	rc = xz_decompress(payload, payload_len - 4, phys_to_virt(buf), unpacked, &out_len, NULL,
			   &why);
	if (rc || out_len != unpacked) {
		pr_err("dom0: the kernel's XZ payload is damaged: %s\n",
		       why ? why : "size differs from the one the bzImage states");
		free_pages(buf, *order);
		return rc ? rc : -EINVAL;
	}
	printk("dom0: unpacked the XZ bzImage payload: %u KiB in %llu ms\n", unpacked >> 10,
	       (arch_now_ns() - t0) / 1000000);
	*image = phys_to_virt(buf);
	*size = unpacked;
	return 0;
}

struct domain *dom0_build(unsigned int max_vcpus)
{
	struct boot_module *kmod, *initrd = NULL;
	struct pvh_kernel_info *kinfo = xzalloc(sizeof(*kinfo));
	const char *why = NULL;
	struct dom0_map_piece *map = xzalloc(sizeof(*map) * MAX_MEMMAP);
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	const char *cmdline;
	struct domain *d;
	struct vcpu *v;
	unsigned int nr_map;
	u64 si_gpa = DOM0_START_INFO_GPA;
	const void *kimage;
	size_t ksize;
	int unpacked_order = -1;
	int rc;

	if (!kinfo || !map)
		panic("dom0: out of memory");
	if (!boot_info.nr_modules)
		panic("no dom0 kernel: give it as the first boot module "
		      "(GRUB: module2 /boot/vmlinuz ...; QEMU: -initrd kernel)");
	kmod = &boot_info.modules[0];
	if (boot_info.nr_modules > 1)
		initrd = &boot_info.modules[1];

	kimage = phys_to_virt(kmod->start);
	ksize = kmod->end - kmod->start;
	if (decompress_bzimage(&kimage, &ksize, &unpacked_order))
		panic("dom0 kernel refused: the bzImage's payload could not be unpacked");
	rc = pvh_elf_parse(kimage, ksize, kinfo, &why);
	if (rc)
		panic("dom0 kernel refused: %s", why ? why : "unrecognised image");
	for (unsigned int i = 0; i < kinfo->nr_segments; i++) {
		const struct pvh_elf_segment *s = &kinfo->seg[i];

		if (!dom0_owns(s->paddr, s->paddr + s->memsz))
			panic("dom0 kernel refused: it loads at %#llx-%#llx, which is not dom0 RAM "
			      "(dom0 has %llu MiB from the bottom of RAM; raise dom0_mem=?)",
			      s->paddr, s->paddr + s->memsz, mem_layout.dom0_bytes >> 20);
	}

	d = domain_create(0, max_vcpus, true);
	if (!d)
		panic("dom0: cannot create the domain (out of memory)");
	map_dom0_memory(d);

	rc = pvh_elf_load(kimage, kinfo, write_to_dom0, d);
	if (rc)
		panic("dom0: loading the kernel failed (%d)", rc);
	if (unpacked_order >= 0)
		free_pages(virt_to_phys(kimage), unpacked_order);

	memset(&si, 0, sizeof(si));
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	si.flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
	fill_guest_phys(d, si_gpa, NULL, DOM0_START_INFO_PAGES * PAGE_SIZE);
	{
		/* dom0's own RSDP/XSDT/MADT: only its vCPUs, UID == vcpu_id */
		static u8 tables[4096];
		u32 ids[MAX_CPUS];
		size_t len;

		for (unsigned int i = 0; i < max_vcpus; i++)
			ids[i] = percpu_area[i].apic_id;
		len = acpi_build_dom0_tables(tables, sizeof(tables), DOM0_ACPI_GPA, ids, max_vcpus);
		if (len) {
			fill_guest_phys(d, DOM0_ACPI_GPA, tables, len);
			si.rsdp_paddr = DOM0_ACPI_GPA;
		} else {
			si.rsdp_paddr = acpi_info.rsdp;
		}
	}

	cmdline = cmdline_skip_image_name(kmod->cmdline);
	if (strlen(cmdline) >= MODLIST_OFFSET - CMDLINE_OFFSET)
		panic("dom0 command line is longer than %d bytes", MODLIST_OFFSET - CMDLINE_OFFSET - 1);
	fill_guest_phys(d, si_gpa + CMDLINE_OFFSET, cmdline, strlen(cmdline) + 1);
	si.cmdline_paddr = si_gpa + CMDLINE_OFFSET;

	if (initrd) {
		u64 size = initrd->end - initrd->start;
		u64 at = place_initrd(kinfo, size);

		if (!at)
			panic("dom0: no room in dom0 RAM below 4 GiB for its %llu KiB initrd",
			      size >> 10);
		fill_guest_phys(d, at, phys_to_virt(initrd->start), size);
		memset(&mod, 0, sizeof(mod));
		mod.paddr = at;
		mod.size = size;
		fill_guest_phys(d, si_gpa + MODLIST_OFFSET, &mod, sizeof(mod));
		si.nr_modules = 1;
		si.modlist_paddr = si_gpa + MODLIST_OFFSET;
		printk("dom0: initrd at %#llx (%llu KiB)\n", at, size >> 10);
	}

	nr_map = build_memmap(map);
	for (unsigned int i = 0; i < nr_map; i++) {
		struct hvm_memmap_table_entry e = { map[i].start, map[i].end - map[i].start,
						    map[i].type, 0 };

		fill_guest_phys(d, si_gpa + MEMMAP_OFFSET + i * sizeof(e), &e, sizeof(e));
	}
	si.memmap_paddr = si_gpa + MEMMAP_OFFSET;
	si.memmap_entries = nr_map;
	fill_guest_phys(d, si_gpa, &si, sizeof(si));

	d->memmap = xzalloc(nr_map * sizeof(*d->memmap));
	if (d->memmap) {
		for (unsigned int i = 0; i < nr_map; i++)
			d->memmap[i] = (struct e820_packed){ map[i].start,
							     map[i].end - map[i].start,
							     map[i].type };
		d->nr_memmap = nr_map;
	}

	/* vCPU n runs on CPU n with that CPU's APIC ID, so the interrupts dom0
	 * programs into devices reach the right CPU unchanged. */
	for (unsigned int i = 0; i < max_vcpus; i++) {
		struct vcpu *ap = vcpu_create(d, i);

		if (!ap)
			panic("dom0: cannot create vCPU %u", i);
		vlapic_init(ap, percpu_area[i].apic_id);
		sched_add_vcpu(ap, i);
		percpu_area[i].dom0_vcpu = ap;
	}
	v = d->vcpus[0];
	arch_vcpu_set_pvh_entry(v, kinfo->phys32_entry, (u32)si_gpa);
	printk("dom0: PVH kernel %#llx-%#llx, entry %#x, %llu MiB RAM, %u vCPU%s, command line \"%s\"\n",
	       kinfo->load_start, kinfo->load_end, kinfo->phys32_entry,
	       (d->tot_pages << PAGE_SHIFT) >> 20, max_vcpus, max_vcpus > 1 ? "s" : "", cmdline);
	for (unsigned int i = 0; i < nr_map; i++)
		pr_debug("dom0 memmap: %016llx-%016llx type %u\n", map[i].start, map[i].end,
			 map[i].type);
	v->state = VCPU_RUNNABLE;
	xfree(map);
	xfree(kinfo);
	return d;
}
