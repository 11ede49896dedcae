// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PVH domain builder: guest RAM from GFN 0, kernel at its ELF physical
 * addresses, boot information (hvm_start_info, module list, memory map,
 * command line) after it, the initrd after that, and the special pages
 * (console and xenstore rings, ACPI tables) at the top of RAM, reserved in
 * the e820. Then the event channels, HVM params and vCPU 0's context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "public/hvm/hvm_op.h"
#include "public/hvm/params.h"
#include "public/hvm/start_info.h"
#include "ctrl_internal.h"

#define PAGE_UP(x) (((x) + KEEL_PAGE_SIZE - 1) & ~(KEEL_PAGE_SIZE - 1))
#define MIB(x) ((uint64_t)(x) << 20)
/* Linux's early PVH page tables map the first 1 GiB only. */
#define BOOTINFO_LIMIT MIB(1024)
/* The ISA hole Linux keeps out of RAM. */
#define ISA_HOLE_START 0xa0000ULL
#define ISA_HOLE_END 0x100000ULL
/* Room left to the guest beyond what is loaded, so it can boot at all. */
#define MIN_FREE MIB(16)

static void e820_add(struct keel_build *b, uint64_t start, uint64_t end,
		     uint32_t type)
{
	if (end <= start)
		return;
	b->e820[b->nr_e820++] = (struct keel_e820_entry){ start, end - start, type };
}

int keel_build_layout(struct keel_ctl *k, struct keel_build *b)
{
	const struct keel_kernel *kern = b->kernel;
	uint64_t top = b->mem_pages << KEEL_PAGE_SHIFT;
	uint64_t special = top - KEEL_SPECIAL_PAGES * KEEL_PAGE_SIZE;
	uint64_t after_boot, end;

	if (top > MIB(KEEL_MAX_GUEST_MIB))
		return keel_fail(k, -EINVAL, "memory=%llu MiB: Keel lays out guests of at most %lu MiB for now (no PCI hole yet): lower memory=",
				 (unsigned long long)(top >> 20), KEEL_MAX_GUEST_MIB);
	if (kern->lo < ISA_HOLE_END)
		return keel_fail(k, -EINVAL, "kernel loads at 0x%llx, below 1 MiB where the guest's boot memory lives: use a kernel linked at 1 MiB or above",
				 (unsigned long long)kern->lo);
	b->bootinfo_paddr = PAGE_UP(kern->hi);
	b->cmdline_paddr = b->bootinfo_paddr + KEEL_PAGE_SIZE;
	after_boot = b->bootinfo_paddr + KEEL_BOOTINFO_PAGES * KEEL_PAGE_SIZE;
	b->ramdisk_paddr = b->ramdisk_len ? after_boot : 0;
	end = PAGE_UP(after_boot + b->ramdisk_len);
	if (b->bootinfo_paddr + KEEL_BOOTINFO_PAGES * KEEL_PAGE_SIZE > BOOTINFO_LIMIT)
		return keel_fail(k, -EINVAL, "kernel ends at 0x%llx, beyond the first 1 GiB where a PVH guest must find its start info: use a smaller kernel",
				 (unsigned long long)kern->hi);
	if (top < end + MIN_FREE ||
	    special < end + MIN_FREE) {
		uint64_t need = (end + MIN_FREE + KEEL_SPECIAL_PAGES * KEEL_PAGE_SIZE + MIB(1) - 1) >> 20;

		return keel_fail(k, -EINVAL, "memory=%llu MiB is too small for this kernel%s (at least %llu MiB needed): raise memory=",
				 (unsigned long long)(top >> 20),
				 b->ramdisk_len ? " and ramdisk" : "",
				 (unsigned long long)need);
	}
	b->special_pfn = special >> KEEL_PAGE_SHIFT;
	b->console_pfn = b->special_pfn + KEEL_SPECIAL_CONSOLE;
	b->store_pfn = b->special_pfn + KEEL_SPECIAL_XENSTORE;
	b->acpi_paddr = special + KEEL_SPECIAL_ACPI * KEEL_PAGE_SIZE;

	b->nr_e820 = 0;
	e820_add(b, 0, ISA_HOLE_START, XEN_HVM_MEMMAP_TYPE_RAM);
	e820_add(b, ISA_HOLE_END, b->bootinfo_paddr, XEN_HVM_MEMMAP_TYPE_RAM);
	e820_add(b, b->bootinfo_paddr, after_boot, XEN_HVM_MEMMAP_TYPE_RESERVED);
	e820_add(b, after_boot, special, XEN_HVM_MEMMAP_TYPE_RAM);
	e820_add(b, special, top, XEN_HVM_MEMMAP_TYPE_RESERVED);
	return 0;
}

/* Every GFN below the top, 2 MiB extents where aligned. */
static int populate(struct keel_ctl *k, struct keel_build *b)
{
	enum { BATCH = 512 };
	xen_pfn_t *gfns = malloc(BATCH * sizeof(*gfns));
	uint64_t pfn = 0;

	if (!gfns)
		return keel_fail(k, -ENOMEM, "out of memory populating guest RAM");
	while (pfn < b->mem_pages) {
		struct xen_memory_reservation r;
		unsigned order = 0, n = 0;
		long ret;

		/* RAM starts at GFN 0, so only a tail under 2 MiB needs 4 KiB extents. */
		if (b->mem_pages - pfn >= 512)
			order = 9;
		while (n < BATCH && b->mem_pages - pfn >= (1ULL << order)) {
			gfns[n++] = pfn;
			pfn += 1ULL << order;
		}
		memset(&r, 0, sizeof(r));
		r.extent_start = (uintptr_t)gfns;
		r.nr_extents = n;
		r.extent_order = order;
		r.domid = b->domid;
		ret = k->ops->memory_op(k->hv, XENMEM_populate_physmap, &r);
		if (ret != (long)n) {
			unsigned long long at = gfns[ret > 0 ? ret : 0];

			free(gfns);
			return keel_fail(k, ret < 0 ? (int)ret : -ENOMEM,
					 "cannot give domain %u its %llu MiB of RAM (populate_physmap stopped at GFN 0x%llx: %s): free host memory or lower memory=",
					 b->domid, (unsigned long long)(b->mem_pages >> 8), at,
					 ret < 0 ? strerror((int)-ret) : "out of memory");
		}
	}
	free(gfns);
	return 0;
}

/* Maps [paddr, paddr+len) of the guest; *base is the mapping of paddr's page. */
static void *map_range(struct keel_ctl *k, struct keel_build *b, uint64_t paddr,
		       uint64_t len, size_t *npages)
{
	uint64_t first = paddr >> KEEL_PAGE_SHIFT;
	uint64_t last = (paddr + len - 1) >> KEEL_PAGE_SHIFT;
	size_t n = last - first + 1;
	xen_pfn_t *gfns = malloc(n * sizeof(*gfns));
	void *p;

	if (!gfns) {
		keel_fail(k, -ENOMEM, "out of memory mapping guest memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		gfns[i] = first + i;
	p = k->ops->map_foreign(k->hv, b->domid, gfns, n);
	free(gfns);
	if (!p) {
		keel_fail(k, -errno, "cannot map domain %u's memory at 0x%llx (%zu pages): %s",
			  b->domid, (unsigned long long)paddr, n, strerror(errno));
		return NULL;
	}
	*npages = n;
	return p;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint64_t acc = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return !acc;
}

/*
 * Copies len bytes of data to guest paddr; the rest of a segment (its
 * memsz beyond filesz) is left as it is: zero. The guest's RAM is fresh from populate_physmap, which the hypervisor
 * hands out zeroed, so only pages holding a non-zero byte are mapped and
 * written: half of a 6.1 vmlinux's loaded pages are zero (.bss, .brk and
 * padding), and mapping foreign pages is the costly part of building.
 */
static int load(struct keel_ctl *k, struct keel_build *b, uint64_t paddr,
		const void *data, uint64_t len)
{
	const uint8_t *src = data;
	uint64_t end = paddr + len;
	uint64_t page = paddr & ~(KEEL_PAGE_SIZE - 1);

	while (page < end) {
		uint64_t run_start, run_end;
		size_t n;
		uint8_t *p;

		/* Skip pages whose part of the data is all zero. */
		for (; page < end; page += KEEL_PAGE_SIZE) {
			uint64_t lo = page < paddr ? paddr : page;
			uint64_t hi = page + KEEL_PAGE_SIZE < end ? page + KEEL_PAGE_SIZE : end;

			if (!all_zero(src + (lo - paddr), hi - lo))
				break;
		}
		if (page >= end)
			break;
		/* Then the run of pages that are not. */
		run_start = page;
		for (; page < end; page += KEEL_PAGE_SIZE) {
			uint64_t lo = page < paddr ? paddr : page;
			uint64_t hi = page + KEEL_PAGE_SIZE < end ? page + KEEL_PAGE_SIZE : end;

			if (all_zero(src + (lo - paddr), hi - lo))
				break;
		}
		run_end = page < end ? page : end;
		if (run_start < paddr)
			run_start = paddr;
		p = map_range(k, b, run_start, run_end - run_start, &n);
		if (!p)
			return -EFAULT;
		memcpy(p + (run_start & (KEEL_PAGE_SIZE - 1)), src + (run_start - paddr),
		       run_end - run_start);
		k->ops->unmap(k->hv, p, n);
	}
	return 0;
}

static int write_bootinfo(struct keel_ctl *k, struct keel_build *b)
{
	size_t n, cmdlen = b->cmdline ? strlen(b->cmdline) : 0;
	struct hvm_start_info *si;
	struct hvm_modlist_entry *mod;
	struct hvm_memmap_table_entry *mm;
	uint8_t *p;

	if (cmdlen >= KEEL_PAGE_SIZE)
		return keel_fail(k, -E2BIG, "command line is %zu bytes long; a PVH guest takes at most %lu: shorten cmdline=/extra=",
				 cmdlen, KEEL_PAGE_SIZE - 1);
	p = map_range(k, b, b->bootinfo_paddr, KEEL_BOOTINFO_PAGES * KEEL_PAGE_SIZE, &n);
	if (!p)
		return -EFAULT;
	memset(p, 0, n * KEEL_PAGE_SIZE);
	si = (void *)p;
	mod = (void *)(p + 64);
	mm = (void *)(p + 128);
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->flags = 0;
	if (b->ramdisk_len) {
		si->nr_modules = 1;
		si->modlist_paddr = b->bootinfo_paddr + 64;
		mod->paddr = b->ramdisk_paddr;
		mod->size = b->ramdisk_len;
	}
	if (cmdlen) {
		memcpy(p + KEEL_PAGE_SIZE, b->cmdline, cmdlen);
		si->cmdline_paddr = b->cmdline_paddr;
	}
	si->rsdp_paddr = b->acpi_paddr;
	si->memmap_paddr = b->bootinfo_paddr + 128;
	si->memmap_entries = b->nr_e820;
	for (unsigned i = 0; i < b->nr_e820; i++) {
		mm[i].addr = b->e820[i].addr;
		mm[i].size = b->e820[i].size;
		mm[i].type = b->e820[i].type;
	}
	k->ops->unmap(k->hv, p, n);
	return 0;
}

static int write_special(struct keel_ctl *k, struct keel_build *b)
{
	size_t n, used;
	uint8_t *p;

	p = map_range(k, b, b->special_pfn << KEEL_PAGE_SHIFT,
		      KEEL_SPECIAL_PAGES * KEEL_PAGE_SIZE, &n);
	if (!p)
		return -EFAULT;
	memset(p, 0, n * KEEL_PAGE_SIZE);
	used = keel_acpi_build(p + KEEL_SPECIAL_ACPI * KEEL_PAGE_SIZE,
			       KEEL_SPECIAL_ACPI_PAGES * KEEL_PAGE_SIZE,
			       b->acpi_paddr, b->vcpus, b->maxvcpus);
	k->ops->unmap(k->hv, p, n);
	if (!used)
		return keel_fail(k, -E2BIG, "cannot build ACPI tables for %u vCPUs", b->maxvcpus);
	return 0;
}

static int set_param(struct keel_ctl *k, domid_t dom, uint32_t idx, uint64_t v)
{
	struct xen_hvm_param p = { .domid = dom, .index = idx, .value = v };
	int ret = k->ops->hvm_op(k->hv, HVMOP_set_param, &p);

	if (ret)
		return keel_fail(k, ret, "cannot set HVM param %u of domain %u: %s",
				 idx, dom, strerror(-ret));
	return 0;
}

static int alloc_unbound(struct keel_ctl *k, domid_t dom, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = dom, .remote_dom = 0 };
	int ret = k->ops->event_channel_op(k->hv, EVTCHNOP_alloc_unbound, &a);

	if (ret)
		return keel_fail(k, ret, "cannot allocate an event channel for domain %u: %s",
				 dom, strerror(-ret));
	*port = a.port;
	return 0;
}

static int set_memory_map(struct keel_ctl *k, struct keel_build *b)
{
	struct xen_foreign_memory_map fmap;
	struct keel_e820_entry e820[KEEL_MAX_E820];
	long ret;

	memcpy(e820, b->e820, sizeof(e820));
	memset(&fmap, 0, sizeof(fmap));
	fmap.domid = b->domid;
	fmap.map.nr_entries = b->nr_e820;
	fmap.map.buffer = (uintptr_t)e820;
	ret = k->ops->memory_op(k->hv, XENMEM_set_memory_map, &fmap);
	if (ret)
		return keel_fail(k, (int)ret, "cannot set domain %u's memory map: %s",
				 b->domid, strerror((int)-ret));
	return 0;
}

static int start_vcpu0(struct keel_ctl *k, struct keel_build *b)
{
	struct vcpu_guest_context *ctx = calloc(1, sizeof(*ctx));
	struct xen_domctl op;
	int ret;

	if (!ctx)
		return keel_fail(k, -ENOMEM, "out of memory");
	ctx->flags = VGCF_online;
	ctx->user_regs.rip = b->kernel->entry;
	ctx->user_regs.rbx = b->bootinfo_paddr;
	ctx->user_regs.rflags = 2;
	keel_touch(ctx, sizeof(*ctx));
	memset(&op, 0, sizeof(op));
	op.u.vcpucontext.vcpu = 0;
	op.u.vcpucontext.ctxt = (uintptr_t)ctx;
	ret = keel_domctl(k, XEN_DOMCTL_setvcpucontext, b->domid, &op);
	free(ctx);
	if (ret)
		return keel_fail(k, ret, "cannot set vCPU 0 of domain %u at the PVH entry 0x%llx: %s",
				 b->domid, (unsigned long long)b->kernel->entry,
				 strerror(-ret));
	return 0;
}

int keel_build_pvh(struct keel_ctl *k, struct keel_build *b)
{
	const struct keel_kernel *kern = b->kernel;
	int ret;

	ret = keel_build_layout(k, b);
	if (ret)
		return ret;
	ret = populate(k, b);
	if (ret)
		return ret;
	keel_phase("populate_physmap");
	ret = set_memory_map(k, b);
	if (ret)
		return ret;
	for (unsigned i = 0; i < kern->nr_seg; i++) {
		ret = load(k, b, kern->seg[i].paddr, kern->seg[i].data,
			   kern->seg[i].filesz);
		if (ret)
			return ret;
	}
	keel_phase("copy the kernel in");
	if (b->ramdisk_len) {
		ret = load(k, b, b->ramdisk_paddr, b->ramdisk, b->ramdisk_len);
		if (ret)
			return ret;
		keel_phase("copy the ramdisk in");
	}
	ret = write_special(k, b);
	if (ret)
		return ret;
	ret = write_bootinfo(k, b);
	if (ret)
		return ret;
	ret = alloc_unbound(k, b->domid, &b->store_port);
	if (ret)
		return ret;
	ret = alloc_unbound(k, b->domid, &b->console_port);
	if (ret)
		return ret;
	ret = set_param(k, b->domid, HVM_PARAM_STORE_PFN, b->store_pfn);
	if (!ret)
		ret = set_param(k, b->domid, HVM_PARAM_STORE_EVTCHN, b->store_port);
	if (!ret)
		ret = set_param(k, b->domid, HVM_PARAM_CONSOLE_PFN, b->console_pfn);
	if (!ret)
		ret = set_param(k, b->domid, HVM_PARAM_CONSOLE_EVTCHN, b->console_port);
	if (ret)
		return ret;
	return start_vcpu0(k, b);
}
