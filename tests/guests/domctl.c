// SPDX-License-Identifier: MIT
/*
 * domctl: dom0 as a tiny toolstack. It receives domu_child.elf as its first
 * start-info module and, at the hypercall level only, creates domains
 * (domctl), gives them memory (populate_physmap, max_mem, set_memory_map),
 * loads the child through foreign mappings (add_to_physmap_batch), starts
 * it (setvcpucontext, unpause), waits for VIRQ_DOM_EXC and judges what it
 * sees (getdomaininfo, readconsole), pauses, destroys, counts free pages,
 * and checks the errno of bad requests.
 */
#include <public/domctl.h>
#include <public/elfnote.h>
#include <public/event_channel.h>
#include <public/hvm/hvm_op.h>
#include <public/hvm/params.h>
#include <public/memory.h>
#include <public/sched.h>
#include <public/sysctl.h>

#include "guest.h"
#include "domu_result.h"

#define EACCES XEN_EACCES
#define EBUSY XEN_EBUSY
#define EEXIST XEN_EEXIST

#define MS 1000000ULL
#define SEC 1000000000ULL
#define CHILD_TIMEOUT (20 * SEC) /* a child takes well under 1 s, even under TCG */

/* The child's guest-physical layout: 640 KiB low RAM, 16 MiB at 16 MiB (its image). */
#define CHILD_LOW_PAGES 0xa0
#define CHILD_HIGH_GFN 0x1000
#define CHILD_HIGH_PAGES 0x1000
#define CHILD_PAGES (CHILD_LOW_PAGES + CHILD_HIGH_PAGES)
#define CHILD_MAX_PAGES (CHILD_PAGES + 1) /* one page of room: it balloons by one */
#define CHILD_SI_GFN 1 /* start info, command line, memory map */
#define SI_CMDLINE_OFF 0x100
#define SI_MEMMAP_OFF 0x800
#define SI_RESULT_OFF 0xf00 /* struct domu_result */

#define WINDOW_SIZE (1ULL << 30)
#define MAX_MAP 512
#define NO_DOMID 1000 /* a valid id no domain has */
#define CYCLES 20

/* Minimal ELF64, as much as a loader needs. */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_LOAD 1
#define PT_NOTE 4

struct child {
	const uint8_t *elf;
	uint64_t size;
	uint32_t entry;
	uint64_t first_gfn, nr_frames; /* the frames its PT_LOAD segments cover */
};

static struct child child;
static uint8_t shinfo_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static volatile struct shared_info *shinfo;
static uint8_t ram_probe_page[PAGE_SIZE] __aligned(PAGE_SIZE);
static uint64_t window_pd[512] __aligned(PAGE_SIZE);
static uint64_t window_pdpt[512] __aligned(PAGE_SIZE);
static uint64_t window; /* guest-physical (= virtual) base of our foreign-map window */
static evtchn_port_t dom_exc_port;
static evtchn_port_t store_local_port; /* our end of the last child's store port, if bound */
static unsigned int nr_cpus;
static char log_buf[64 * 1024 + 1];

/* Every check is printed, passed or not: the log tells the whole story. */
#define expect(cond, what)                                                  \
	({                                                                  \
		int ok_ = check(cond, what);                                \
		if (ok_)                                                    \
			printf("ok: %s\n", what);                           \
		ok_;                                                        \
	})
#define expect_eq(got, want, what)                                          \
	({                                                                  \
		int64_t got_ = (int64_t)(got);                              \
		int ok_ = check_eq(got_, want, what);                       \
		if (ok_)                                                    \
			printf("ok: %s (%lld)\n", what, (long long)got_);   \
		ok_;                                                        \
	})

/* --- hypercall wrappers ------------------------------------------------- */

static long domctl(uint32_t cmd, domid_t domid, struct xen_domctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op->domain = domid;
	return hypercall1(__HYPERVISOR_domctl, (unsigned long)op);
}

static long domctl_simple(uint32_t cmd, domid_t domid)
{
	struct xen_domctl op;

	memset(&op, 0, sizeof(op));
	return domctl(cmd, domid, &op);
}

static long sysctl(uint32_t cmd, struct xen_sysctl *op)
{
	op->cmd = cmd;
	op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return hypercall1(__HYPERVISOR_sysctl, (unsigned long)op);
}

static long memory_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_memory_op, cmd, (unsigned long)arg);
}

static long evtchn_op(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_event_channel_op, cmd, (unsigned long)arg);
}

static uint64_t free_pages(void)
{
	struct xen_sysctl op;

	memset(&op, 0, sizeof(op));
	if (sysctl(XEN_SYSCTL_physinfo, &op))
		return 0;
	return op.u.physinfo.free_pages;
}

static long create_domain(uint32_t flags, uint32_t vcpus, domid_t want, domid_t *domid)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	op.u.createdomain.flags = flags;
	op.u.createdomain.max_vcpus = vcpus;
	op.u.createdomain.max_evtchn_port = 1023;
	op.u.createdomain.max_grant_frames = -1;
	op.u.createdomain.max_maptrack_frames = -1;
	op.u.createdomain.grant_opts = 1;
	op.u.createdomain.arch.emulation_flags = XEN_X86_EMU_LAPIC;
	rc = domctl(XEN_DOMCTL_createdomain, want, &op);
	if (!rc && domid)
		*domid = op.domain;
	return rc;
}

/* getdomaininfo for exactly domid: 0, or -ESRCH if it does not exist (any more). */
static long domain_info(domid_t domid, struct xen_domctl_getdomaininfo *info)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	rc = domctl(XEN_DOMCTL_getdomaininfo, domid, &op);
	if (rc)
		return rc;
	*info = op.u.getdomaininfo;
	return op.domain == domid && info->domain == domid ? 0 : -ESRCH;
}

static uint64_t cpu_time(domid_t domid)
{
	struct xen_domctl_getdomaininfo info;

	return domain_info(domid, &info) ? 0 : info.cpu_time;
}

static long max_mem(domid_t domid, uint64_t kb)
{
	struct xen_domctl op;

	memset(&op, 0, sizeof(op));
	op.u.max_mem.max_memkb = kb;
	return domctl(XEN_DOMCTL_max_mem, domid, &op);
}

static long populate(domid_t domid, xen_pfn_t *gfns, uint64_t n, unsigned int order)
{
	struct xen_memory_reservation r = {
		.extent_start = (uint64_t)(uintptr_t)gfns,
		.nr_extents = n,
		.extent_order = order,
		.domid = domid,
	};

	return memory_op(XENMEM_populate_physmap, &r);
}

static long set_vcpu_context(domid_t domid, uint32_t vcpu, uint64_t rip, uint64_t rbx,
			     uint64_t flags)
{
	static struct vcpu_guest_context ctx;
	struct xen_domctl op;

	memset(&ctx, 0, sizeof(ctx));
	ctx.flags = flags;
	ctx.user_regs.rip = rip;
	ctx.user_regs.rbx = rbx;
	memset(&op, 0, sizeof(op));
	op.u.vcpucontext.vcpu = vcpu;
	op.u.vcpucontext.ctxt = (uint64_t)(uintptr_t)&ctx;
	return domctl(XEN_DOMCTL_setvcpucontext, domid, &op);
}

static long vcpu_info(domid_t domid, uint32_t vcpu, struct xen_domctl_getvcpuinfo *vi)
{
	struct xen_domctl op;
	long rc;

	memset(&op, 0, sizeof(op));
	op.u.getvcpuinfo.vcpu = vcpu;
	rc = domctl(XEN_DOMCTL_getvcpuinfo, domid, &op);
	*vi = op.u.getvcpuinfo;
	return rc;
}

static long hvm_param(unsigned int cmd, domid_t domid, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = { .domid = domid, .index = index, .value = *value };
	long rc = hypercall2(__HYPERVISOR_hvm_op, cmd, (unsigned long)&p);

	*value = p.value;
	return rc;
}

static uint64_t now_ns(void)
{
	return pvclock_now_ns(shinfo);
}

static void wait_ns(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		cpu_relax();
}

/* --- the hypervisor log (readconsole) ------------------------------------ */

static long log_rc;
static uint32_t log_count;

static const char *read_log(void)
{
	struct xen_sysctl op;

	memset(&op, 0, sizeof(op));
	op.u.readconsole.buffer = (uint64_t)(uintptr_t)log_buf;
	op.u.readconsole.count = sizeof(log_buf) - 1;
	log_rc = sysctl(XEN_SYSCTL_readconsole, &op);
	log_count = log_rc ? 0 : op.u.readconsole.count;
	log_buf[log_count < sizeof(log_buf) ? log_count : 0] = '\0';
	return log_buf;
}

/* The last line in the log that contains prefix (from there, copied to line), or 0. */
static int last_log_line(const char *prefix, char *line, size_t size)
{
	const char *log = read_log(), *p = log, *found = NULL;
	size_t n = 0;

	while ((p = strstr(p, prefix)))
		found = p++;
	if (!found) {
		size_t len = strlen(log);

		printf("readconsole: rc %ld, %u bytes, %zu before the first NUL; no \"%s\"; it ends: \"%s\"\n",
		       log_rc, log_count, len, prefix, len > 120 ? log + len - 120 : log);
		return 0;
	}
	while (found[n] && found[n] != '\n' && n + 1 < size) {
		line[n] = found[n];
		n++;
	}
	line[n] = '\0';
	return 1;
}

/* --- VIRQ_DOM_EXC ------------------------------------------------------- */

static int test_and_clear_pending(evtchn_port_t port)
{
	volatile xen_ulong_t *w = &shinfo->evtchn_pending[port / 64];
	xen_ulong_t bit = 1ULL << (port % 64);

	return !!(__atomic_fetch_and(w, ~bit, __ATOMIC_SEQ_CST) & bit);
}

static long poll_port(evtchn_port_t port, uint64_t deadline)
{
	struct sched_poll p = {
		.ports = (uint64_t)(uintptr_t)&port,
		.nr_ports = 1,
		.timeout = deadline,
	};

	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_poll, (unsigned long)&p);
}

/*
 * Block (SCHEDOP_poll on the VIRQ_DOM_EXC port) until domid has shut down.
 * Returns 1 with its info if it did; *fired says the VIRQ was seen.
 */
static int wait_for_shutdown(domid_t domid, struct xen_domctl_getdomaininfo *info, int *fired)
{
	uint64_t deadline = now_ns() + CHILD_TIMEOUT;
	long rc;

	*fired = 0;
	for (;;) {
		*fired |= test_and_clear_pending(dom_exc_port);
		if (domain_info(domid, info))
			return 0;
		if (info->flags & XEN_DOMINF_shutdown) {
			*fired |= test_and_clear_pending(dom_exc_port);
			return 1;
		}
		if (now_ns() >= deadline) {
			printf("d%u: no shutdown after %llu s (flags %#x, cpu_time %llu ns)\n", domid,
			       CHILD_TIMEOUT / SEC, info->flags, (unsigned long long)info->cpu_time);
			return 0;
		}
		rc = poll_port(dom_exc_port, deadline);
		if (rc) {
			printf("SCHEDOP_poll returned %ld\n", rc);
			return 0;
		}
	}
}

/* --- dom0's own setup ----------------------------------------------------- */

static uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/*
 * A 1 GiB window of guest-physical space that is not in dom0's memory map,
 * identity-mapped with 2 MiB pages: foreign frames appear there. Above
 * 64 GiB (clear of any 64-bit PCI window), below the CPU's address width.
 */
static int setup_window(void)
{
	unsigned int bits = cpuid(0x80000000).eax >= 0x80000008 ?
				    (cpuid(0x80000008).eax & 0xff) : 36;
	uint64_t limit = bits >= 64 ? ~0ULL : 1ULL << bits, w;
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & ~0xfffULL), *pdpt;
	const struct hvm_memmap_table_entry *map =
		(const void *)(uintptr_t)start_info->memmap_paddr;
	unsigned int i;

	for (w = 64ULL << 30; w + WINDOW_SIZE <= limit && w < (1ULL << 48); w += WINDOW_SIZE) {
		int clash = 0;

		for (i = 0; i < start_info->memmap_entries; i++)
			if (map[i].addr < w + WINDOW_SIZE && w < map[i].addr + map[i].size)
				clash = 1;
		if (!clash)
			break;
	}
	if (w + WINDOW_SIZE > limit || w >= (1ULL << 48))
		return 0;
	if (!(pml4[w >> 39] & 1))
		pml4[w >> 39] = (uintptr_t)window_pdpt | 3;
	pdpt = (uint64_t *)(uintptr_t)(pml4[w >> 39] & 0x000ffffffffff000ULL);
	for (i = 0; i < 512; i++)
		window_pd[i] = (w + ((uint64_t)i << 21)) | 0x83; /* present, writable, 2 MiB */
	pdpt[(w >> 30) & 511] = (uintptr_t)window_pd | 3;
	asm volatile("mov %0, %%cr3" ::"r"(read_cr3()) : "memory");
	window = w;
	printf("foreign-map window at %#llx (CPU address width %u bits)\n",
	       (unsigned long long)w, bits);
	return 1;
}

static int map_own_shared_info(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.gpfn = (uintptr_t)shinfo_page >> 12,
	};

	shinfo = (void *)shinfo_page;
	return expect_eq(memory_op(XENMEM_add_to_physmap, &xatp), 0,
			 "dom0 maps its own shared_info (for pvclock and event bits)");
}

static int bind_dom_exc(void)
{
	struct evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };

	if (!expect_eq(evtchn_op(EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_DOM_EXC on vCPU 0"))
		return 0;
	dom_exc_port = bv.port;
	/* Masked: we poll for it, no upcall wanted (none is set up anyway). */
	__atomic_fetch_or(&shinfo->evtchn_mask[bv.port / 64], 1ULL << (bv.port % 64),
			  __ATOMIC_SEQ_CST);
	test_and_clear_pending(dom_exc_port);
	printf("VIRQ_DOM_EXC on port %u\n", bv.port);
	return 1;
}

/* --- the child image ------------------------------------------------------ */

static int parse_child(void)
{
	const struct hvm_modlist_entry *mod;
	const struct elf64_ehdr *eh;
	const struct elf64_phdr *ph;
	uint64_t lo = ~0ULL, hi = 0;
	unsigned int i;

	if (!check(start_info->nr_modules >= 1 && start_info->modlist_paddr,
		   "the child's ELF is our first start-info module"))
		return 0;
	mod = (const void *)(uintptr_t)start_info->modlist_paddr;
	child.elf = (const void *)(uintptr_t)mod[0].paddr;
	child.size = mod[0].size;
	eh = (const void *)child.elf;
	printf("child module at %#llx, %llu bytes\n", (unsigned long long)mod[0].paddr,
	       (unsigned long long)child.size);
	if (!check(child.size >= sizeof(*eh) && !memcmp(eh->ident, "\177ELF\2\1", 6) &&
			   eh->phentsize == sizeof(*ph) &&
			   eh->phoff + (uint64_t)eh->phnum * sizeof(*ph) <= child.size,
		   "the module is a little-endian ELF64 image"))
		return 0;
	ph = (const void *)(child.elf + eh->phoff);
	for (i = 0; i < eh->phnum; i++) {
		if (ph[i].offset + ph[i].filesz > child.size)
			return check(0, "segments lie inside the module");
		if (ph[i].type == PT_LOAD && ph[i].memsz) {
			if (ph[i].paddr < lo)
				lo = ph[i].paddr;
			if (ph[i].paddr + ph[i].memsz > hi)
				hi = ph[i].paddr + ph[i].memsz;
		} else if (ph[i].type == PT_NOTE) {
			const uint8_t *n = child.elf + ph[i].offset, *end = n + ph[i].filesz;

			while (n + 12 <= end) {
				uint32_t namesz, descsz, type;
				const uint8_t *desc;

				memcpy(&namesz, n, 4);
				memcpy(&descsz, n + 4, 4);
				memcpy(&type, n + 8, 4);
				desc = n + 12 + ((namesz + 3) & ~3U);
				if (desc + descsz > end)
					break;
				if (namesz == 4 && !memcmp(n + 12, "Xen", 4) &&
				    type == XEN_ELFNOTE_PHYS32_ENTRY && descsz >= 4)
					memcpy(&child.entry, desc, 4);
				n = desc + ((descsz + 3) & ~3U);
			}
		}
	}
	if (!check(child.entry != 0, "the child has a XEN_ELFNOTE_PHYS32_ENTRY note") ||
	    !check(lo < hi && lo >= (uint64_t)CHILD_HIGH_GFN << 12 &&
			   hi <= (uint64_t)(CHILD_HIGH_GFN + CHILD_HIGH_PAGES) << 12,
		   "the child's image fits the 16 MiB we give it at 16 MiB"))
		return 0;
	child.first_gfn = lo >> 12;
	child.nr_frames = ((hi + PAGE_SIZE - 1) >> 12) - child.first_gfn;
	if (!check(child.nr_frames + 1 <= MAX_MAP, "the child's image is at most 2 MiB"))
		return 0;
	printf("child: PVH entry %#x, image %#llx-%#llx (%llu frames)\n", child.entry,
	       (unsigned long long)lo, (unsigned long long)hi,
	       (unsigned long long)child.nr_frames);
	return 1;
}

/* Where child guest-physical address gpa appears while its frames are mapped. */
static uint8_t *in_window(uint64_t gpa)
{
	uint64_t gfn = gpa >> 12;

	if (gfn == CHILD_SI_GFN)
		return (uint8_t *)(uintptr_t)(window + (gpa & 0xfff));
	return (uint8_t *)(uintptr_t)(window + ((1 + gfn - child.first_gfn) << 12) +
				      (gpa & 0xfff));
}

/*
 * Map frame idx of domid at our gpfn (XENMAPSPACE_gmfn_foreign); *err gets
 * the per-frame result, which starts as a marker the hypervisor must replace.
 */
static long map_foreign_frame(domid_t domid, xen_ulong_t idx, xen_pfn_t gpfn, int *err)
{
	static xen_ulong_t idxs[1];
	static xen_pfn_t gpfns[1];
	static int errs[1];
	struct xen_add_to_physmap_batch batch = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.size = 1,
		.foreign_domid = domid,
		.idxs = (uint64_t)(uintptr_t)idxs,
		.gpfns = (uint64_t)(uintptr_t)gpfns,
		.errs = (uint64_t)(uintptr_t)errs,
	};
	long rc;

	idxs[0] = idx;
	gpfns[0] = gpfn;
	errs[0] = 0x5a5a;
	rc = memory_op(XENMEM_add_to_physmap_batch, &batch);
	*err = errs[0];
	return rc;
}

/* The child's struct domu_result, through a foreign mapping of its start-info page. */
static int read_child_result(domid_t domid, struct domu_result *out)
{
	struct xen_remove_from_physmap x = { .domid = DOMID_SELF, .gpfn = window >> 12 };
	int err;
	long rc;

	rc = map_foreign_frame(domid, CHILD_SI_GFN, window >> 12, &err);
	if (rc || err) {
		printf("d%u: mapping its start-info page: rc %ld, errs[0] %d\n", domid, rc, err);
		return 0;
	}
	memcpy(out, (const void *)(uintptr_t)(window + SI_RESULT_OFF), sizeof(*out));
	rc = memory_op(XENMEM_remove_from_physmap, &x);
	if (rc)
		printf("d%u: remove_from_physmap of its start-info page: %ld\n", domid, rc);
	return !rc;
}

/* The child finished its checks, recorded SUCCESS, and we could read it. */
static int child_succeeded(domid_t domid)
{
	struct domu_result r = { 0 };

	if (!check(read_child_result(domid, &r), "map the shut-down child's result page"))
		return 0;
	if (r.magic != DOMU_RESULT_MAGIC || r.state != DOMU_DONE || r.result != TEST_SUCCESS)
		printf("d%u result page: magic %#x state %u result %u, %u checks failed\n", domid,
		       r.magic, r.state, r.result, r.checks_failed);
	return check_eq(r.magic, DOMU_RESULT_MAGIC, "the child's result page has its magic") &&
	       check_eq(r.state, DOMU_DONE, "the child finished its checks") &&
	       check_eq(r.result, TEST_SUCCESS, "the child's verdict is SUCCESS");
}

/* Populate, describe, load and point vCPU 0 at the child. verbose: print every check. */
static int build_child(domid_t domid, const char *args, int verbose)
{
	static xen_pfn_t gfns[CHILD_LOW_PAGES];
	static xen_ulong_t idxs[MAX_MAP];
	static xen_pfn_t gpfns[MAX_MAP];
	static int errs[MAX_MAP];
	static const struct e820_packed e820[] = {
		{ 0, CHILD_LOW_PAGES << 12, XEN_HVM_MEMMAP_TYPE_RAM },
		{ (uint64_t)CHILD_HIGH_GFN << 12, (uint64_t)CHILD_HIGH_PAGES << 12,
		  XEN_HVM_MEMMAP_TYPE_RAM },
	};
	struct xen_foreign_memory_map fmap = {
		.domid = domid,
		.map = { .nr_entries = ARRAY_SIZE(e820), .buffer = (uint64_t)(uintptr_t)e820 },
	};
	struct xen_add_to_physmap_batch batch = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.foreign_domid = domid,
		.idxs = (uint64_t)(uintptr_t)idxs,
		.gpfns = (uint64_t)(uintptr_t)gpfns,
		.errs = (uint64_t)(uintptr_t)errs,
	};
	struct evtchn_alloc_unbound au = { .dom = domid, .remote_dom = 0 };
	const struct elf64_ehdr *eh = (const void *)child.elf;
	const struct elf64_phdr *ph = (const void *)(child.elf + eh->phoff);
	struct hvm_start_info *si;
	struct hvm_memmap_table_entry *mm;
	char cmdline[256];
	uint64_t i, n, v;
	unsigned int bad = 0, failed = checks_failed();
	long rc;

#define STEP(cond, what)                                                        \
	do {                                                                    \
		if (!(verbose ? expect(cond, what) : check(cond, what)))        \
			return 0;                                               \
	} while (0)
#define STEP_EQ(got, want, what)                                                \
	do {                                                                    \
		if (!(verbose ? expect_eq(got, want, what) : check_eq(got, want, what))) \
			return 0;                                               \
	} while (0)

	STEP_EQ(max_mem(domid, CHILD_MAX_PAGES * 4), 0, "max_mem (KiB)");
	for (i = 0; i < CHILD_LOW_PAGES; i++)
		gfns[i] = i;
	STEP_EQ(populate(domid, gfns, CHILD_LOW_PAGES, 0), CHILD_LOW_PAGES,
		"populate_physmap: 160 single pages below 640 KiB");
	for (i = 0; i < CHILD_HIGH_PAGES / 512; i++)
		gfns[i] = CHILD_HIGH_GFN + i * 512;
	STEP_EQ(populate(domid, gfns, CHILD_HIGH_PAGES / 512, 9), CHILD_HIGH_PAGES / 512,
		"populate_physmap: 8 extents of order 9 at 16 MiB");
	STEP_EQ(memory_op(XENMEM_set_memory_map, &fmap), 0, "set_memory_map (2 RAM entries)");

	STEP_EQ(evtchn_op(EVTCHNOP_alloc_unbound, &au), 0,
		"alloc_unbound in the child for dom0 (its store channel)");
	v = au.port;
	STEP_EQ(hvm_param(HVMOP_set_param, domid, HVM_PARAM_STORE_EVTCHN, &v), 0,
		"set the child's HVM_PARAM_STORE_EVTCHN");
	v = 0;
	STEP_EQ(hvm_param(HVMOP_get_param, domid, HVM_PARAM_STORE_EVTCHN, &v), 0,
		"get the child's HVM_PARAM_STORE_EVTCHN");
	STEP_EQ(v, au.port, "the child's STORE_EVTCHN reads back");
	store_local_port = 0;
	if (strstr(args, "store=bound")) {
		struct evtchn_bind_interdomain bi = { .remote_dom = domid, .remote_port = au.port };
		struct evtchn_status st = { .dom = DOMID_SELF };

		STEP_EQ(evtchn_op(EVTCHNOP_bind_interdomain, &bi), 0,
			"bind_interdomain to the child's store port");
		store_local_port = bi.local_port;
		__atomic_fetch_or(&shinfo->evtchn_mask[bi.local_port / 64],
				  1ULL << (bi.local_port % 64), __ATOMIC_SEQ_CST);
		test_and_clear_pending(bi.local_port);
		st.port = bi.local_port;
		STEP_EQ(evtchn_op(EVTCHNOP_status, &st), 0, "EVTCHNOP_status of our end");
		STEP_EQ(st.status, EVTCHNSTAT_interdomain, "our end is interdomain");
		STEP_EQ(st.u.interdomain.dom, domid, "... to the child");
		STEP_EQ(st.u.interdomain.port, au.port, "... its store port");
	}

	/* Frame 0 of the window: the start info page; then the image. */
	n = 1 + child.nr_frames;
	idxs[0] = CHILD_SI_GFN;
	for (i = 1; i < n; i++)
		idxs[i] = child.first_gfn + i - 1;
	for (i = 0; i < n; i++) {
		gpfns[i] = (window >> 12) + i;
		errs[i] = 0x5a5a;
	}
	batch.size = (uint16_t)n;
	STEP_EQ(memory_op(XENMEM_add_to_physmap_batch, &batch), 0,
		"add_to_physmap_batch: the child's start-info page and image frames");
	for (i = 0; i < n; i++)
		if (errs[i])
			bad++;
	if (bad)
		printf("add_to_physmap_batch: errs[0] %d, %u of %llu entries failed\n", errs[0],
		       bad, (unsigned long long)n);
	STEP_EQ(bad, 0, "every entry of the batch mapped (errs all 0)");
	for (i = 0; i < n; i++)
		if (*(volatile uint64_t *)(uintptr_t)(window + (i << 12)) != 0)
			bad++;
	STEP_EQ(bad, 0, "the child's fresh frames read as zeros through the window");

	/* Load: the image range zeroed (bss), then each segment's file bytes. */
	memset(in_window(child.first_gfn << 12), 0, child.nr_frames << 12);
	for (i = 0; i < eh->phnum; i++)
		if (ph[i].type == PT_LOAD && ph[i].filesz)
			memcpy(in_window(ph[i].paddr), child.elf + ph[i].offset, ph[i].filesz);

	snprintf(cmdline, sizeof(cmdline), "%s pages=%u max=%u store_evtchn=%u result=%u", args,
		 CHILD_PAGES, CHILD_MAX_PAGES, au.port, (CHILD_SI_GFN << 12) + SI_RESULT_OFF);
	si = (void *)in_window(CHILD_SI_GFN << 12);
	memset(si, 0, PAGE_SIZE);
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;
	si->cmdline_paddr = (CHILD_SI_GFN << 12) + SI_CMDLINE_OFF;
	memcpy((uint8_t *)si + SI_CMDLINE_OFF, cmdline, strlen(cmdline) + 1);
	si->memmap_paddr = (CHILD_SI_GFN << 12) + SI_MEMMAP_OFF;
	si->memmap_entries = ARRAY_SIZE(e820);
	mm = (void *)((uint8_t *)si + SI_MEMMAP_OFF);
	for (i = 0; i < ARRAY_SIZE(e820); i++) {
		mm[i].addr = e820[i].addr;
		mm[i].size = e820[i].size;
		mm[i].type = e820[i].type;
	}

	for (i = 0; i < n; i++) {
		struct xen_remove_from_physmap x = { .domid = DOMID_SELF, .gpfn = gpfns[i] };

		rc = memory_op(XENMEM_remove_from_physmap, &x);
		if (rc) {
			printf("remove_from_physmap(%#llx) = %ld\n", (unsigned long long)gpfns[i], rc);
			bad++;
		}
	}
	STEP_EQ(bad, 0, "remove_from_physmap of every window frame");

	STEP_EQ(set_vcpu_context(domid, 0, child.entry, CHILD_SI_GFN << 12, VGCF_online), 0,
		"setvcpucontext vCPU 0: PVH entry, EBX = start info");
	if (verbose)
		printf("d%u built: command line \"%s\"\n", domid, cmdline);
	return checks_failed() == failed;
#undef STEP
#undef STEP_EQ
}

/*
 * If the child's store port is bound on our side (store=bound), wait for its
 * event on it and answer with one of ours.
 */
static void answer_child(domid_t domid)
{
	struct evtchn_send send = { .port = store_local_port };
	uint64_t deadline = now_ns() + CHILD_TIMEOUT;
	int got = 0;

	while (!(got = test_and_clear_pending(store_local_port)) && now_ns() < deadline)
		poll_port(store_local_port, deadline);
	expect(got, "the child's event arrived on our end of its store port");
	wait_ns(100 * MS); /* the child is blocked in SCHEDOP_poll by now */
	expect_eq(evtchn_op(EVTCHNOP_send, &send), 0, "EVTCHNOP_send the answer to the child");
	wait_ns(50 * MS);
	{
		struct xen_domctl_getvcpuinfo vi;

		vcpu_info(domid, 0, &vi);
		printf("d%u: answered on our port %u; 50 ms later its vCPU 0: CPU %u, %s, cpu_time %llu us\n",
		       domid, store_local_port, vi.cpu,
		       vi.blocked ? "blocked" : vi.running ? "running" : "runnable",
		       (unsigned long long)vi.cpu_time / 1000);
	}
}

/* Unpause, wait for the shutdown, judge reason, VIRQ, cpu_time and the child's verdict. */
static int run_child(domid_t domid, unsigned int reason, int verbose)
{
	static const char *const names[] = { "poweroff", "reboot", "suspend", "crash" };
	struct xen_domctl_getdomaininfo info;
	unsigned int failed = checks_failed();
	int fired;

	test_and_clear_pending(dom_exc_port);
	if (!check_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0, "unpausedomain"))
		return 0;
	if (store_local_port)
		answer_child(domid);
	if (!check(wait_for_shutdown(domid, &info, &fired),
		   "the child shut down (getdomaininfo: XEN_DOMINF_shutdown)"))
		return 0;
	check(fired, "VIRQ_DOM_EXC fired for the child's shutdown");
	check_eq((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask, reason,
		 "shutdown reason in getdomaininfo flags");
	check(info.cpu_time > 0, "cpu_time > 0 after the child ran");
	check(!(info.flags & XEN_DOMINF_dying), "a shut-down domain is not dying");
	child_succeeded(domid);
	if (verbose || checks_failed() != failed)
		printf("d%u: shut down (%s), flags %#x, cpu_time %llu us, tot_pages %llu\n",
		       domid, reason < ARRAY_SIZE(names) ? names[reason] : "?", info.flags,
		       (unsigned long long)info.cpu_time / 1000,
		       (unsigned long long)info.tot_pages);
	return checks_failed() == failed;
}

static int destroy_child(domid_t domid)
{
	struct xen_domctl_getdomaininfo info;
	char prefix[32], line[80];

	if (!check_eq(domctl_simple(XEN_DOMCTL_destroydomain, domid), 0, "destroydomain"))
		return 0;
	check_eq(domain_info(domid, &info), -ESRCH, "getdomaininfo no longer finds it");
	snprintf(prefix, sizeof(prefix), "d%u: destroyed", domid);
	check(last_log_line(prefix, line, sizeof(line)),
	      "the hypervisor logged \"dN: destroyed\"");
	return 1;
}

/* --- the scenarios ---------------------------------------------------------- */

static uint64_t free_at_start;

static void check_physinfo(void)
{
	struct xen_sysctl op;

	memset(&op, 0, sizeof(op));
	if (!expect_eq(sysctl(XEN_SYSCTL_physinfo, &op), 0, "sysctl physinfo"))
		return;
	nr_cpus = op.u.physinfo.nr_cpus;
	free_at_start = op.u.physinfo.free_pages;
	printf("physinfo: %u CPUs, %llu pages total, %llu free, cpu_khz %u\n", nr_cpus,
	       (unsigned long long)op.u.physinfo.total_pages,
	       (unsigned long long)op.u.physinfo.free_pages, op.u.physinfo.cpu_khz);
	expect(nr_cpus >= 1, "physinfo: at least one CPU");
	expect(op.u.physinfo.free_pages > CHILD_PAGES * 3 &&
		       op.u.physinfo.free_pages < op.u.physinfo.total_pages,
	       "physinfo: room for three children, less free than total");
	memset(&op, 0, sizeof(op));
	expect_eq(sysctl(XEN_SYSCTL_sched_id, &op), 0, "sysctl sched_id");
	expect_eq(op.u.sched_id.sched_id, XEN_SCHEDULER_CREDIT, "the credit scheduler");
	{
		uint64_t t0 = now_ns(), t1;

		expect_eq(poll_port(dom_exc_port, t0 + 50 * MS), 0,
			  "dom0: SCHEDOP_poll on a quiet port with a 50 ms timeout");
		t1 = now_ns();
		printf("dom0: the poll returned after %llu us\n", (unsigned long long)(t1 - t0) / 1000);
		expect(t1 - t0 >= 50 * MS, "... not before the timeout");
	}
}

static void check_errors(void)
{
	struct xen_domctl op;
	struct xen_sysctl sop;
	struct xen_domctl_getdomaininfo info;
	domid_t domid = 0, other = 0;
	xen_pfn_t gfns[2] = { 0x100, 0x101 };
	static xen_ulong_t idx[1];
	static xen_pfn_t gpfn[1];
	static int err[1];
	struct xen_add_to_physmap_batch batch = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_gmfn_foreign,
		.size = 1,
		.idxs = (uint64_t)(uintptr_t)idx,
		.gpfns = (uint64_t)(uintptr_t)gpfn,
		.errs = (uint64_t)(uintptr_t)err,
	};
	uint64_t before;

	printf("== bad requests and their errno\n");
	memset(&op, 0, sizeof(op));
	op.cmd = XEN_DOMCTL_getdomaininfo;
	op.interface_version = XEN_DOMCTL_INTERFACE_VERSION - 1;
	expect_eq(hypercall1(__HYPERVISOR_domctl, (unsigned long)&op), -EACCES,
		  "domctl with interface version 0x14");
	memset(&sop, 0, sizeof(sop));
	sop.cmd = XEN_SYSCTL_physinfo;
	sop.interface_version = XEN_SYSCTL_INTERFACE_VERSION + 1;
	expect_eq(hypercall1(__HYPERVISOR_sysctl, (unsigned long)&sop), -EACCES,
		  "sysctl with interface version 0x16");

	expect_eq(create_domain(XEN_DOMCTL_CDF_hap, 1, 0, NULL), -EINVAL,
		  "createdomain with flags hap but not hvm");
	expect_eq(create_domain(0, 1, 0, NULL), -EINVAL, "createdomain with flags 0 (a PV domain)");
	expect_eq(create_domain(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, 0, 0, NULL), -EINVAL,
		  "createdomain with max_vcpus 0");

	expect_eq(domain_info(NO_DOMID, &info), -ESRCH, "getdomaininfo of unknown domid 1000");
	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, NO_DOMID), -ESRCH,
		  "pausedomain of unknown domid 1000");
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, NO_DOMID), -ESRCH,
		  "unpausedomain of unknown domid 1000");
	expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, NO_DOMID), -ESRCH,
		  "destroydomain of unknown domid 1000");
	expect_eq(max_mem(NO_DOMID, 1024), -ESRCH, "max_mem of unknown domid 1000");
	expect_eq(set_vcpu_context(NO_DOMID, 0, child.entry, 0x1000, VGCF_online), -ESRCH,
		  "setvcpucontext of unknown domid 1000");
	expect_eq(populate(NO_DOMID, gfns, 1, 0), -ESRCH, "populate_physmap for unknown domid 1000");
	idx[0] = 0;
	gpfn[0] = window >> 12;
	batch.foreign_domid = NO_DOMID;
	expect_eq(memory_op(XENMEM_add_to_physmap_batch, &batch), -ESRCH,
		  "add_to_physmap_batch from unknown domid 1000");

	expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, 0), -EINVAL, "destroydomain of dom0");
	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, 0), -EINVAL, "pausedomain of dom0 (itself)");

	if (!expect_eq(create_domain(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, 1, 0, &domid), 0,
		       "createdomain (1 vCPU) for the error checks"))
		return;
	expect_eq(create_domain(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, 1, domid, NULL), -EEXIST,
		  "createdomain with the id of an existing domain");
	expect_eq(set_vcpu_context(domid, 1, child.entry, 0x1000, VGCF_online), -EINVAL,
		  "setvcpucontext of vCPU 1 of a 1-vCPU domain");
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0,
		  "unpausedomain of the new (offline-vCPU) domain");
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), -EINVAL,
		  "unpausedomain of a domain the toolstack has not paused");
	expect_eq(set_vcpu_context(domid, 0, child.entry, 0x1000, VGCF_online), -EBUSY,
		  "setvcpucontext on an unpaused domain");
	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, domid), 0, "pausedomain again");

	/* max_mem of one page: the second of two extents must be refused. */
	expect_eq(max_mem(domid, 4), 0, "max_mem 4 KiB");
	before = free_pages();
	expect_eq(populate(domid, gfns, 2, 0), 1, "populate_physmap of 2 pages under a 1-page max_mem does 1");
	expect_eq(memory_op(XENMEM_current_reservation, &domid), 1, "current_reservation is 1 page");
	before -= free_pages();
	printf("free pages went down by %llu\n", (unsigned long long)before);
	/* Keel takes a new domain's nested page tables from the same pool. */
	expect(before >= 1 && before <= 1 + 4,
	       "physinfo free_pages went down by the page plus at most 4 NPT table pages");
	gfns[1] = 0x100;
	expect(populate(domid, &gfns[1], 1, 0) <= 0, "populate_physmap of an already populated GFN does nothing");

	/* Foreign maps: never over dom0's RAM; nothing for an unpopulated frame. */
	memset(ram_probe_page, 0xa5, sizeof(ram_probe_page));
	idx[0] = 0x100;
	gpfn[0] = (uintptr_t)ram_probe_page >> 12;
	err[0] = 0;
	batch.foreign_domid = domid;
	expect_eq(memory_op(XENMEM_add_to_physmap_batch, &batch), 0,
		  "add_to_physmap_batch over a page of dom0's RAM: the batch itself is processed");
	expect(err[0] < 0, "... and its entry fails (never hide dom0's RAM behind a foreign frame)");
	expect(ram_probe_page[0] == 0xa5 && ram_probe_page[PAGE_SIZE - 1] == 0xa5,
	       "dom0's page still holds its own bytes");
	idx[0] = 0x200; /* not populated */
	gpfn[0] = window >> 12;
	err[0] = 0;
	expect_eq(memory_op(XENMEM_add_to_physmap_batch, &batch), 0,
		  "add_to_physmap_batch of an unpopulated child frame: the batch is processed");
	expect(err[0] < 0, "... and its entry fails");
	if (err[0] == 0) {
		struct xen_remove_from_physmap x = { .domid = DOMID_SELF, .gpfn = window >> 12 };

		memory_op(XENMEM_remove_from_physmap, &x);
	}
	batch.foreign_domid = 0;
	expect_eq(memory_op(XENMEM_add_to_physmap_batch, &batch), -EINVAL,
		  "add_to_physmap_batch of dom0's own frames (foreign_domid 0)");

	/* Two at once: a second domain gets another id. */
	if (expect_eq(create_domain(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, 2, 0, &other), 0,
		      "createdomain (2 vCPUs) next to it")) {
		expect(other != domid && other != 0, "a different, non-zero domid");
		expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, other), 0, "destroydomain of it");
	}
	expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, domid), 0, "destroydomain");
	expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, domid), -ESRCH,
		  "destroydomain of the same domain again");
	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, domid), -ESRCH,
		  "pausedomain of a destroyed domain");
}

/* Create a child with nr vCPUs, check its fresh state, build it. 0 on failure. */
static domid_t new_child(uint32_t vcpus, const char *args, int verbose)
{
	struct xen_domctl_getdomaininfo info;
	domid_t domid;

	if (!check_eq(create_domain(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap, vcpus, 0, &domid), 0,
		      "createdomain")) {
		static struct xen_domctl_getdomaininfo list[16];
		struct xen_sysctl sop;
		unsigned int i;

		/* Say what exists, so a refusal can be told from a leak of domains. */
		memset(&sop, 0, sizeof(sop));
		sop.u.getdomaininfolist.max_domains = ARRAY_SIZE(list);
		sop.u.getdomaininfolist.buffer = (uint64_t)(uintptr_t)list;
		if (!sysctl(XEN_SYSCTL_getdomaininfolist, &sop))
			for (i = 0; i < sop.u.getdomaininfolist.num_domains; i++)
				printf("existing domain %u: flags %#x, %llu pages\n", list[i].domain,
				       list[i].flags, (unsigned long long)list[i].tot_pages);
		printf("free pages %llu\n", (unsigned long long)free_pages());
		return 0;
	}
	if (verbose) {
		printf("== d%u: %u vCPU%s, \"%s\"\n", domid, vcpus, vcpus > 1 ? "s" : "", args);
		expect(domid != 0 && domid < DOMID_FIRST_RESERVED, "createdomain returned a domU id");
		if (expect_eq(domain_info(domid, &info), 0, "getdomaininfo of the new domain")) {
			expect(info.flags & XEN_DOMINF_paused, "a new domain is paused");
			expect(info.flags & XEN_DOMINF_hvm_guest, "... and an HVM (PVH) guest");
			expect(!(info.flags & XEN_DOMINF_shutdown), "... not shut down");
			expect_eq(info.tot_pages, 0, "... with no memory");
			expect_eq(info.max_vcpu_id, vcpus - 1, "... max_vcpu_id");
			expect_eq(info.nr_online_vcpus, 0, "... no vCPU online yet");
		}
	}
	if (!build_child(domid, args, verbose)) {
		domctl_simple(XEN_DOMCTL_destroydomain, domid);
		return 0;
	}
	if (verbose && expect_eq(domain_info(domid, &info), 0, "getdomaininfo of the built domain")) {
		expect_eq(info.tot_pages, CHILD_PAGES, "tot_pages = what we populated");
		expect_eq(info.max_pages, CHILD_MAX_PAGES, "max_pages = max_mem / 4 KiB");
		expect_eq(info.nr_online_vcpus, 1, "vCPU 0 online after setvcpucontext(VGCF_online)");
		expect(info.flags & XEN_DOMINF_paused, "still paused");
		expect_eq(memory_op(XENMEM_current_reservation, &domid), CHILD_PAGES,
			  "current_reservation of the child");
		expect_eq(memory_op(XENMEM_maximum_reservation, &domid), CHILD_MAX_PAGES,
			  "maximum_reservation of the child");
	}
	return domid;
}

static void one_child(uint32_t vcpus, const char *args, unsigned int reason)
{
	struct xen_domctl_getvcpuinfo vi;
	domid_t domid = new_child(vcpus, args, 1);

	if (!domid)
		return;
	{
	if (vcpus > 1) {
		expect_eq(vcpu_info(domid, 1, &vi), 0, "getvcpuinfo of vCPU 1");
		expect_eq(vi.online, 0, "vCPU 1 (never given a context) is offline");
		expect_eq(vcpu_info(domid, vcpus, &vi), -ESRCH, "getvcpuinfo of a vCPU beyond max");
	}
	char prefix[48], line[96];

	if (run_child(domid, reason, 1))
		printf("ok: d%u ran, passed its checks and shut down as asked\n", domid);
	/* Xen's console ring (xl dmesg) holds a domU's console_io lines, "(dN) "-prefixed. */
	snprintf(prefix, sizeof(prefix), "(d%u) Test result: ", domid);
	if (expect(last_log_line(prefix, line, sizeof(line)),
		   "the child's console_io line \"(dN) Test result:\" is in the console ring (readconsole)"))
		expect(!strncmp(line + strlen(prefix), "SUCCESS", 8), "... and says SUCCESS");
	}
	expect_eq(vcpu_info(domid, 0, &vi), 0, "getvcpuinfo of vCPU 0");
	expect(vi.cpu_time > 0, "vCPU 0 cpu_time > 0");
	if (destroy_child(domid))
		printf("ok: d%u destroyed\n", domid);
	if (store_local_port) {
		struct evtchn_close cl = { .port = store_local_port };

		expect_eq(evtchn_op(EVTCHNOP_close, &cl), 0,
			  "close our end of the destroyed child's store port");
		store_local_port = 0;
	}
}

static void pause_and_destroy_running(void)
{
	struct xen_domctl_getdomaininfo info;
	uint64_t t0, t1, t2, t3, deadline, w0, w1;
	struct xen_domctl_getvcpuinfo vi;
	struct domu_result r = { 0 };
	domid_t domid = new_child(1, "mode=spin reason=poweroff shinfo=no", 1);
	int fired;

	if (!domid)
		return;
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0, "unpausedomain (spinning child)");
	deadline = now_ns() + CHILD_TIMEOUT;
	while (read_child_result(domid, &r) && r.state != DOMU_SPINNING && now_ns() < deadline)
		wait_ns(20 * MS);
	if (!expect_eq(r.state, DOMU_SPINNING,
		       "its result page (mapped while it runs) says it is spinning"))
		printf("d%u result page: magic %#x state %u\n", domid, r.magic, r.state);
	expect_eq(set_vcpu_context(domid, 0, child.entry, 0x1000, VGCF_online), -EBUSY,
		  "setvcpucontext on a running domain");
	expect_eq(domain_info(domid, &info), 0, "getdomaininfo of the running child");
	expect(!(info.flags & (XEN_DOMINF_paused | XEN_DOMINF_shutdown)),
	       "neither paused nor shut down");
	t0 = info.cpu_time;
	w0 = now_ns();
	wait_ns(100 * MS);
	t1 = cpu_time(domid);
	w1 = now_ns();
	vcpu_info(domid, 0, &vi);
	printf("cpu_time %llu us, %llu us later %llu us (its vCPU 0 on CPU %u)\n",
	       (unsigned long long)t0 / 1000, (unsigned long long)(w1 - w0) / 1000,
	       (unsigned long long)t1 / 1000, vi.cpu);
	expect(t1 > t0, "cpu_time grows while it runs");
	/* One vCPU cannot run longer than the time that passed (1 ms of slack). */
	expect(t1 - t0 <= w1 - w0 + MS, "a 1-vCPU domain's cpu_time grows no faster than time");

	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, domid), 0, "pausedomain");
	expect_eq(domctl_simple(XEN_DOMCTL_pausedomain, domid), 0, "pausedomain again (nests)");
	expect_eq(domain_info(domid, &info), 0, "getdomaininfo of the paused child");
	expect(info.flags & XEN_DOMINF_paused, "XEN_DOMINF_paused");
	expect(!(info.flags & XEN_DOMINF_running), "not running");
	t1 = info.cpu_time;
	wait_ns(200 * MS);
	t2 = cpu_time(domid);
	printf("paused: cpu_time %llu us, 200 ms later %llu us\n", (unsigned long long)t1 / 1000,
	       (unsigned long long)t2 / 1000);
	expect_eq(t2, t1, "cpu_time stands still while paused");
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0, "unpausedomain once");
	wait_ns(100 * MS);
	expect_eq(cpu_time(domid), t2, "still paused after one of two unpauses");
	t2 = cpu_time(domid);
	w0 = now_ns();
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0, "unpausedomain twice");
	wait_ns(200 * MS);
	t3 = cpu_time(domid);
	w1 = now_ns();
	printf("unpaused: cpu_time %llu us, %llu us later %llu us\n", (unsigned long long)t2 / 1000,
	       (unsigned long long)(w1 - w0) / 1000, (unsigned long long)t3 / 1000);
	expect(t3 > t2, "cpu_time grows again once unpaused");
	expect(t3 - t2 <= w1 - w0 + MS,
	       "after a pause, cpu_time still grows no faster than time (the paused time is not counted)");

	/* A foreign mapping that is still there when its domain goes. */
	{
		int err;

		expect(map_foreign_frame(domid, CHILD_SI_GFN, (window >> 12) + 1, &err) == 0 &&
			       err == 0,
		       "map a frame of the running child, and keep it mapped");
	}
	test_and_clear_pending(dom_exc_port);
	if (expect_eq(domctl_simple(XEN_DOMCTL_destroydomain, domid), 0,
		      "destroydomain of the running child (one of its frames still mapped by dom0)")) {
		struct xen_remove_from_physmap x = { .domid = DOMID_SELF, .gpfn = (window >> 12) + 1 };

		expect_eq(memory_op(XENMEM_remove_from_physmap, &x), 0,
			  "remove_from_physmap of that mapping after the destroy");
		fired = test_and_clear_pending(dom_exc_port);
		if (!fired && !poll_port(dom_exc_port, now_ns() + 5 * SEC))
			fired = test_and_clear_pending(dom_exc_port);
		expect(fired, "VIRQ_DOM_EXC fired for the destruction");
		expect_eq(domain_info(domid, &info), -ESRCH, "getdomaininfo no longer finds it");
	}
}

/* A child that touches memory it was never given: only it may suffer. */
static void wild_child(void)
{
	struct xen_domctl_getdomaininfo info;
	struct domu_result r = { 0 };
	domid_t domid = new_child(1, "mode=wild reason=poweroff shinfo=no", 1);
	char prefix[32], line[200];
	int fired;

	if (!domid)
		return;
	test_and_clear_pending(dom_exc_port);
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, domid), 0, "unpausedomain");
	if (expect(wait_for_shutdown(domid, &info, &fired), "the child was stopped")) {
		expect(fired, "VIRQ_DOM_EXC fired for it");
		expect_eq((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
			  SHUTDOWN_crash, "the hypervisor crashed it (reason crash)");
		if (expect(read_child_result(domid, &r), "read its result page")) {
			expect_eq(r.state, DOMU_WILD, "it got as far as the wild read, no further");
			expect_eq(r.checks_failed, 0, "its checks before that passed");
		}
		snprintf(prefix, sizeof(prefix), "d%u crashed: ", domid);
		if (expect(last_log_line(prefix, line, sizeof(line)),
			   "the hypervisor logged why it crashed the child"))
			printf("hypervisor: %s\n", line);
	}
	destroy_child(domid);
}

static void two_children(void)
{
	struct xen_domctl_getdomaininfo info;
	struct xen_domctl_getvcpuinfo vi;
	static struct xen_domctl_getdomaininfo list[8];
	struct xen_sysctl sop;
	struct xen_domctl op;
	uint8_t map = 0x2;
	domid_t a, b;
	unsigned int i, seen = 0;
	int fired;

	printf("== two children at once\n");
	a = new_child(1, "reason=poweroff shinfo=no", 0);
	b = new_child(2, "reason=reboot", 0);
	if (!expect(a && b, "two children built side by side"))
		goto out;
	printf("d%u and d%u built\n", a, b);

	memset(&op, 0, sizeof(op));
	op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
	op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_putinfo;
	op.u.scheduler_op.u.credit.weight = 512;
	expect_eq(domctl(XEN_DOMCTL_scheduler_op, b, &op), 0, "credit putinfo weight 512");
	memset(&op, 0, sizeof(op));
	op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
	op.u.scheduler_op.cmd = XEN_DOMCTL_SCHEDOP_getinfo;
	expect_eq(domctl(XEN_DOMCTL_scheduler_op, b, &op), 0, "credit getinfo");
	expect_eq(op.u.scheduler_op.u.credit.weight, 512, "weight reads back");
	memset(&op, 0, sizeof(op));
	memset(op.u.setdomainhandle.handle, 0x42, sizeof(op.u.setdomainhandle.handle));
	expect_eq(domctl(XEN_DOMCTL_setdomainhandle, b, &op), 0, "setdomainhandle");
	if (nr_cpus >= 2) {
		memset(&op, 0, sizeof(op));
		op.u.vcpuaffinity.vcpu = 0;
		op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
		op.u.vcpuaffinity.cpumap_hard.bitmap = (uint64_t)(uintptr_t)&map;
		op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
		expect_eq(domctl(XEN_DOMCTL_setvcpuaffinity, b, &op), 0,
			  "setvcpuaffinity: d-b vCPU 0 on CPU 1 only");
		map = 0;
		expect_eq(domctl(XEN_DOMCTL_getvcpuaffinity, b, &op), 0, "getvcpuaffinity");
		expect_eq(map, 0x2, "hard affinity reads back as CPU 1");
	}

	memset(&sop, 0, sizeof(sop));
	sop.u.getdomaininfolist.first_domain = 0;
	sop.u.getdomaininfolist.max_domains = ARRAY_SIZE(list);
	sop.u.getdomaininfolist.buffer = (uint64_t)(uintptr_t)list;
	if (expect_eq(sysctl(XEN_SYSCTL_getdomaininfolist, &sop), 0, "getdomaininfolist")) {
		for (i = 0; i < sop.u.getdomaininfolist.num_domains && i < ARRAY_SIZE(list); i++)
			seen |= (list[i].domain == 0) | (list[i].domain == a) << 1 |
				(list[i].domain == b) << 2;
		expect_eq(seen, 7, "the list has dom0 and both children");
	}

	test_and_clear_pending(dom_exc_port);
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, a), 0, "unpause the first");
	expect_eq(domctl_simple(XEN_DOMCTL_unpausedomain, b), 0, "unpause the second");
	if (expect(wait_for_shutdown(a, &info, &fired), "the first child shut down"))
		expect_eq((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
			  SHUTDOWN_poweroff, "the first: reason poweroff");
	if (expect(wait_for_shutdown(b, &info, &fired), "the second child shut down")) {
		expect_eq((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
			  SHUTDOWN_reboot, "the second: reason reboot (a domU reboot stays a domU matter)");
		expect(info.handle[0] == 0x42 && info.handle[15] == 0x42,
		       "getdomaininfo shows the handle we set");
		if (nr_cpus >= 2) {
			expect_eq(vcpu_info(b, 0, &vi), 0, "getvcpuinfo of the pinned vCPU");
			expect_eq(vi.cpu, 1, "it ran on CPU 1");
		}
	}
	for (i = 0; i < 2; i++)
		if (child_succeeded(i ? b : a))
			printf("ok: d%u says SUCCESS\n", i ? b : a);
out:
	if (a)
		destroy_child(a);
	if (b)
		destroy_child(b);
}

static void cycles(uint64_t baseline)
{
	uint64_t f;
	unsigned int i, ok = 0;

	printf("== %u create/build/run/destroy cycles\n", CYCLES);
	for (i = 0; i < CYCLES; i++) {
		domid_t domid = new_child(1 + i % 2, "reason=poweroff shinfo=no", 0);

		if (!domid)
			break;
		if (run_child(domid, SHUTDOWN_poweroff, 0) & destroy_child(domid))
			ok++;
		f = free_pages();
		if (f != baseline)
			printf("cycle %u (d%u): free pages %llu, baseline %llu (%lld)\n", i, domid,
			       (unsigned long long)f, (unsigned long long)baseline,
			       (long long)(f - baseline));
	}
	expect_eq(ok, CYCLES, "cycles that built, ran, shut down and destroyed cleanly");
	expect_eq(free_pages(), baseline, "free pages back to the baseline after the cycles");
}

/* Free pages must come back exactly once a scenario has destroyed its domains. */
static void expect_free(uint64_t mark, const char *what)
{
	uint64_t f = free_pages();

	if (f != mark)
		printf("free pages %llu, before: %llu (%lld)\n", (unsigned long long)f,
		       (unsigned long long)mark, (long long)(f - mark));
	expect_eq(f, mark, what);
}

void test_main(void)
{
	uint64_t mark;

	if (!(start_info->flags & SIF_INITDOMAIN))
		report(TEST_SKIP, "the domctl guest must run as dom0");
	if (!map_own_shared_info() || !bind_dom_exc() || !parse_child())
		return;
	if (!check(setup_window(), "a 1 GiB window of free guest-physical space for foreign maps"))
		return;
	check_physinfo();

	/* The first child also settles dom0's own bookkeeping (tables for the window). */
	one_child(1, "reason=poweroff shinfo=no", SHUTDOWN_poweroff);
	mark = free_pages();
	printf("free pages: %llu at start, %llu after the first child (dom0 kept %lld)\n",
	       (unsigned long long)free_at_start, (unsigned long long)mark,
	       (long long)(free_at_start - mark));
	expect(free_at_start >= mark && free_at_start - mark <= 64,
	       "at most 64 pages stay with dom0's own tables after the first child");

	one_child(2, "reason=poweroff shinfo=yes poll=timeout", SHUTDOWN_poweroff);
	one_child(1, "reason=crash store=bound", SHUTDOWN_crash);
	expect_free(mark, "free pages back after a child that mapped shared_info over its RAM");

	mark = free_pages();
	check_errors();
	expect_free(mark, "free pages back after the error checks");

	mark = free_pages();
	pause_and_destroy_running();
	expect_free(mark, "free pages back after destroying a running child");

	mark = free_pages();
	wild_child();
	expect_free(mark, "free pages back after the child the hypervisor crashed");

	mark = free_pages();
	two_children();
	expect_free(mark, "free pages back after two children (one mapped shared_info)");

	cycles(free_pages());
}
