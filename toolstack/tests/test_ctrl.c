// SPDX-License-Identifier: GPL-2.0-only
/* libkeelctrl against the fake hypervisor and a real keelstored: domain
 * creation (what reaches the hypervisor, guest memory, store entries), every
 * refusal with its message and nothing left behind, destroy, shutdown,
 * lifecycle actions, settings, and the xl output formats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "public/hvm/params.h"
#include "public/hvm/start_info.h"
#include "helpers.h"
#include "ctrl_helpers.h"
#include "ctrl_internal.h"

struct guest {
	struct keel_domain_config c;
	struct keel_diags d;
	char *text;
};

/* A config for a synthetic kernel (or the given kernel path). */
static struct guest *guest_cfg(struct test_env *e, const char *extra,
			       const char *kernel)
{
	struct guest *g = calloc(1, sizeof(*g));
	size_t len;
	uint8_t *elf;

	if (!kernel) {
		elf = make_elf_kernel(&len, 8, 0x1000850);
		kernel = env_file(e, "vmlinux", elf, len);
		free(elf);
	}
	assert_true(asprintf(&g->text,
			     "name = \"g1\"\nmemory = 128\nvcpus = 2\nmaxvcpus = 4\n"
			     "kernel = \"%s\"\nextra = \"console=hvc0\"\n"
			     "vif = [ 'bridge=keelbr0' ]\n%s\n",
			     kernel, extra ? extra : "") > 0);
	keel_config_init(&g->c);
	keel_diags_init(&g->d);
	if (keel_config_parse_cfg("g1.cfg", g->text, strlen(g->text), NULL, 0, &g->c, &g->d))
		fail_msg("config: %s", keel_diags_first(&g->d, KEEL_DIAG_ERROR));
	keel_config_generate(&g->c, NULL);
	return g;
}

static void guest_free(struct guest *g)
{
	keel_config_free(&g->c);
	keel_diags_free(&g->d);
	free(g->text);
	free(g);
}

static domid_t create(struct test_env *e, struct guest *g)
{
	struct keel_create_opts o = { 0 };
	domid_t d = 0;

	o.config_text = g->text;
	o.config_len = strlen(g->text);
	o.config_name = "g1.cfg";
	if (keel_domain_create(e->k, &g->c, &o, &d))
		fail_msg("create: %s", e->k->err);
	return d;
}

static unsigned nr_domains(struct test_env *e)
{
	unsigned n = 0;

	for (unsigned d = 0; d < FAKE_MAX_DOMS; d++)
		n += e->fh->dom[d].exists;
	return n;
}

static uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static void test_create(void **state)
{
	struct test_env *e = env_new(4096);
	struct guest *g = guest_cfg(e, NULL, NULL);
	struct hvm_start_info si;
	struct hvm_memmap_table_entry mm[8];
	struct fake_dom *x;
	uint8_t page[4096], acpi[4096];
	char cmdline[64], path[128], *v;
	domid_t d;
	bool yes = false;
	uint64_t xsdt, madt;
	(void)state;

	d = create(e, g);
	assert_int_equal(d, 1);
	x = &e->fh->dom[d];
	assert_false(x->paused);
	assert_int_equal(x->cdf_flags, XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap);
	assert_int_equal(x->emulation_flags, XEN_X86_EMU_LAPIC);
	assert_int_equal(x->max_vcpus, 4);
	assert_int_equal(x->max_pages, 128 * 256);
	assert_int_equal(x->tot_pages, 128 * 256);
	assert_memory_equal(x->handle, g->c.uuid, 16);

	/* vCPU 0 at the PVH entry with EBX = start info. */
	assert_true(x->vcpu_ctx_set);
	assert_int_equal(x->ctx0.user_regs.rip, 0x1000850);
	assert_int_equal(x->ctx0.flags & VGCF_online, VGCF_online);
	assert_true(fake_hv_read(e->fh, d, x->ctx0.user_regs.rbx, &si, sizeof(si)));
	assert_true(x->ctx0.user_regs.rbx < (1ULL << 30));
	assert_int_equal(si.magic, XEN_HVM_START_MAGIC_VALUE);
	assert_int_equal(si.version, 1);
	assert_int_equal(si.flags, 0);
	assert_int_equal(si.nr_modules, 0);
	assert_true(fake_hv_read(e->fh, d, si.cmdline_paddr, cmdline, sizeof(cmdline)));
	assert_string_equal(cmdline, "console=hvc0");

	/* The memory map: in start info and given to the hypervisor, equal. */
	assert_true(si.memmap_entries >= 4 && si.memmap_entries <= 8);
	assert_int_equal(si.memmap_entries, x->nr_e820);
	assert_true(fake_hv_read(e->fh, d, si.memmap_paddr, mm, si.memmap_entries * sizeof(mm[0])));
	for (unsigned i = 0; i < si.memmap_entries; i++) {
		assert_int_equal(mm[i].addr, x->e820[i].addr);
		assert_int_equal(mm[i].size, x->e820[i].size);
		assert_int_equal(mm[i].type, x->e820[i].type);
	}
	assert_int_equal(mm[0].addr, 0);
	assert_int_equal(mm[0].type, XEN_HVM_MEMMAP_TYPE_RAM);
	/* The top of RAM is the reserved special area with both rings. */
	assert_int_equal(mm[si.memmap_entries - 1].addr + mm[si.memmap_entries - 1].size, 128ULL << 20);
	assert_int_equal(mm[si.memmap_entries - 1].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(x->params[HVM_PARAM_CONSOLE_PFN], (128 * 256) - KEEL_SPECIAL_PAGES + KEEL_SPECIAL_CONSOLE);
	assert_int_equal(x->params[HVM_PARAM_STORE_PFN], (128 * 256) - KEEL_SPECIAL_PAGES + KEEL_SPECIAL_XENSTORE);
	assert_int_not_equal(x->params[HVM_PARAM_CONSOLE_EVTCHN], 0);
	assert_int_not_equal(x->params[HVM_PARAM_STORE_EVTCHN], 0);
	assert_int_not_equal(x->params[HVM_PARAM_CONSOLE_EVTCHN], x->params[HVM_PARAM_STORE_EVTCHN]);
	assert_true(fake_hv_read(e->fh, d, x->params[HVM_PARAM_CONSOLE_PFN] << 12, page, sizeof(page)));
	for (size_t i = 0; i < sizeof(page); i++)
		assert_int_equal(page[i], 0);

	/* Kernel bytes at their physical addresses, bss zeroed. */
	assert_true(fake_hv_read(e->fh, d, 0x1000000, page, sizeof(page)));
	assert_int_equal(page[1], 8);
	assert_true(fake_hv_read(e->fh, d, 0x1201800, page, sizeof(page)));
	for (size_t i = 0; i < sizeof(page); i++)
		assert_int_equal(page[i], 0);

	/* ACPI: RSDP -> XSDT -> MADT with 4 LAPICs, 2 enabled, checksums. */
	assert_true(fake_hv_read(e->fh, d, si.rsdp_paddr, acpi, 36));
	assert_memory_equal(acpi, "RSD PTR ", 8);
	assert_int_equal(acpi_sum(acpi, 20), 0);
	assert_int_equal(acpi_sum(acpi, 36), 0);
	memcpy(&xsdt, acpi + 24, 8);
	assert_true(fake_hv_read(e->fh, d, xsdt, acpi, 52));
	assert_memory_equal(acpi, "XSDT", 4);
	assert_int_equal(acpi_sum(acpi, 52), 0);
	memcpy(&madt, acpi + 44, 8);
	assert_true(fake_hv_read(e->fh, d, madt, acpi, 44 + 4 * 8));
	assert_memory_equal(acpi, "APIC", 4);
	assert_int_equal(acpi_sum(acpi, 44 + 4 * 8), 0);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *l = acpi + 44 + i * 8;

		assert_int_equal(l[0], 0);
		assert_int_equal(l[2], i); /* UID */
		assert_int_equal(l[3], i); /* APIC ID */
		assert_int_equal(l[4], i < 2 ? 1 : 0);
	}

	/* Store entries (§8.3) and introduction. */
	v = env_read(e, "/local/domain/1/name");
	assert_string_equal(v, "g1");
	free(v);
	v = env_read(e, "/local/domain/1/domid");
	assert_string_equal(v, "1");
	free(v);
	snprintf(path, sizeof(path), "%llu", (unsigned long long)x->params[HVM_PARAM_CONSOLE_PFN]);
	v = env_read(e, "/local/domain/1/console/ring-ref");
	assert_string_equal(v, path);
	free(v);
	v = env_read(e, "/local/domain/1/memory/static-max");
	assert_string_equal(v, "131072");
	free(v);
	v = env_read(e, "/local/domain/1/vm");
	assert_int_equal(strncmp(v, "/vm/", 4), 0);
	snprintf(path, sizeof(path), "%s/name", v);
	free(v);
	v = env_read(e, path);
	assert_string_equal(v, "g1");
	free(v);
	v = env_read(e, "/libkeel/1/on_reboot");
	assert_string_equal(v, "restart");
	free(v);
	{
		struct ks_handle *h;
		struct ks_perm *p;
		unsigned n;

		assert_int_equal(keel_store(e->k, &h), 0);
		assert_int_equal(ks_is_domain_introduced(h, 1, &yes), 0);
		assert_true(yes);
		/* The guest owns control/ (it writes feature-* there). */
		assert_int_equal(ks_get_perms(h, KS_NO_TXN, "/local/domain/1/control", &p, &n), 0);
		assert_int_equal(p[0].domid, 1);
		free(p);
		assert_int_equal(ks_get_perms(h, KS_NO_TXN, "/local/domain/1", &p, &n), 0);
		assert_int_equal(p[0].domid, 0);
		assert_int_equal(n, 2);
		assert_int_equal(p[1].domid, 1);
		assert_int_equal(p[1].perm, KS_PERM_READ);
		free(p);
	}

	/* destroy: hypervisor, store and saved config all cleaned. */
	assert_int_equal(keel_domain_destroy(e->k, d), 0);
	assert_int_equal(nr_domains(e), 1);
	v = env_read(e, "/local/domain/1/name");
	assert_string_equal(v, "");
	free(v);
	v = env_read(e, "/libkeel/1/uuid");
	assert_string_equal(v, "");
	free(v);
	assert_int_equal(e->fh->free_pages, e->fh->total_pages - 512 * 256);
	guest_free(g);
	env_free(e);
}

static void test_create_with_ramdisk(void **state)
{
	struct test_env *e = env_new(4096);
	char extra[256];
	uint8_t rd[10000], back[10000];
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	struct guest *g;
	struct fake_dom *x;
	domid_t d;
	(void)state;

	for (size_t i = 0; i < sizeof(rd); i++)
		rd[i] = (uint8_t)(i * 31);
	snprintf(extra, sizeof(extra), "ramdisk = \"%s\"\n",
		 env_file(e, "initrd", rd, sizeof(rd)));
	g = guest_cfg(e, extra, NULL);
	d = create(e, g);
	x = &e->fh->dom[d];
	assert_true(fake_hv_read(e->fh, d, x->ctx0.user_regs.rbx, &si, sizeof(si)));
	assert_int_equal(si.nr_modules, 1);
	assert_true(fake_hv_read(e->fh, d, si.modlist_paddr, &mod, sizeof(mod)));
	assert_int_equal(mod.size, sizeof(rd));
	assert_int_equal(mod.paddr & 0xfff, 0);
	assert_true(mod.paddr >= 0x1210000);
	assert_true(fake_hv_read(e->fh, d, mod.paddr, back, sizeof(back)));
	assert_memory_equal(back, rd, sizeof(rd));
	guest_free(g);
	env_free(e);
}

/* Every refusal: its message, and no domain or store entry left behind. */
static void expect_refusal(struct test_env *e, struct guest *g, const char *msg)
{
	struct keel_create_opts o = { 0 };
	domid_t d;
	unsigned before = nr_domains(e);
	char *v;

	o.config_text = g->text;
	o.config_len = strlen(g->text);
	assert_int_not_equal(keel_domain_create(e->k, &g->c, &o, &d), 0);
	if (strcmp(e->k->err, msg))
		fail_msg("got \"%s\"\nwanted \"%s\"", e->k->err, msg);
	assert_int_equal(nr_domains(e), before);
	v = env_read(e, "/local/domain/2/name");
	assert_string_equal(v, "");
	free(v);
}

static void test_refusals(void **state)
{
	struct test_env *e = env_new(1024);
	struct guest *g, *first;
	char msg[512], extra[256];
	size_t len;
	uint8_t *elf;
	(void)state;

	g = guest_cfg(e, NULL, "/nonexistent/vmlinuz");
	expect_refusal(e, g, "kernel '/nonexistent/vmlinuz': No such file or directory: check kernel= in the config");
	guest_free(g);

	elf = make_elf_kernel(&len, 0, 0);
	g = guest_cfg(e, NULL, env_file(e, "nopvh", elf, len));
	free(elf);
	snprintf(msg, sizeof(msg), "kernel '%s/nopvh': guest kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y",
		 e->dir);
	expect_refusal(e, g, msg);
	guest_free(g);

	/* Host of 1024 MiB with 512 MiB in dom0. */
	g = guest_cfg(e, "memory = 2048", NULL);
	expect_refusal(e, g, "memory=2048 MiB is more than the host's free memory (512 MiB): lower memory= or destroy other domains");
	guest_free(g);

	g = guest_cfg(e, "memory = 16", NULL);
	expect_refusal(e, g, "memory=16 MiB is too small for this kernel (at least 35 MiB needed): raise memory=");
	guest_free(g);

	snprintf(extra, sizeof(extra), "ramdisk = \"%s/missing.img\"", e->dir);
	g = guest_cfg(e, extra, NULL);
	snprintf(msg, sizeof(msg), "ramdisk '%s/missing.img': No such file or directory: check ramdisk= in the config", e->dir);
	expect_refusal(e, g, msg);
	guest_free(g);

	first = guest_cfg(e, NULL, NULL);
	assert_int_equal(create(e, first), 1);
	g = guest_cfg(e, NULL, NULL);
	{
		struct keel_create_opts o = { 0 };
		domid_t d;

		assert_int_not_equal(keel_domain_create(e->k, &g->c, &o, &d), 0);
		assert_string_equal(e->k->err, "a domain named 'g1' already exists (domain 1): choose another name= or destroy that domain first");
		assert_int_equal(nr_domains(e), 2);
	}
	guest_free(g);

	/* The hypervisor running out of memory half-way: all unwound. */
	e->fh->fail_populate_at = e->fh->populate_calls + 1;
	g = guest_cfg(e, NULL, NULL);
	free(g->c.name);
	g->c.name = strdup("g2");
	expect_refusal(e, g, "cannot give domain 2 its 128 MiB of RAM (populate_physmap stopped at GFN 0x0: Cannot allocate memory): free host memory or lower memory=");
	guest_free(g);
	assert_int_equal(e->fh->free_pages, e->fh->total_pages - 512 * 256 - 128 * 256);
	guest_free(first);
	env_free(e);
}

static void test_malformed_config(void **state)
{
	struct keel_domain_config c;
	struct keel_diags d;
	static const char text[] = "name = \"x\"\nmemory = = 5\n";
	(void)state;

	keel_config_init(&c);
	keel_diags_init(&d);
	assert_int_not_equal(keel_config_parse_cfg("bad.cfg", text, strlen(text), NULL, 0, &c, &d), 0);
	assert_non_null(strstr(keel_diags_first(&d, KEEL_DIAG_ERROR), "bad.cfg:2:"));
	keel_diags_free(&d);
	keel_config_free(&c);
}

static void test_control(void **state)
{
	struct test_env *e = env_new(4096);
	struct guest *g = guest_cfg(e, NULL, NULL);
	struct xen_domctl_sched_credit cr;
	struct keel_cpumap map;
	domid_t d = create(e, g), found;
	char *v;
	(void)state;

	assert_int_equal(keel_domain_lookup(e->k, "g1", &found), 0);
	assert_int_equal(found, d);
	assert_int_equal(keel_domain_lookup(e->k, "1", &found), 0);
	assert_int_equal(keel_domain_lookup(e->k, "Domain-0", &found), 0);
	assert_int_equal(found, 0);
	assert_int_not_equal(keel_domain_lookup(e->k, "nope", &found), 0);
	assert_string_equal(e->k->err, "no domain is named 'nope': see 'keel list'");
	assert_int_not_equal(keel_domain_lookup(e->k, "7", &found), 0);
	assert_string_equal(e->k->err, "domain 7 does not exist: see 'keel list'");

	assert_int_equal(keel_domain_shutdown(e->k, d, "poweroff"), 0);
	v = env_read(e, "/local/domain/1/control/shutdown");
	assert_string_equal(v, "poweroff");
	free(v);
	assert_int_equal(keel_domain_shutdown(e->k, d, "reboot"), 0);
	v = env_read(e, "/local/domain/1/control/shutdown");
	assert_string_equal(v, "reboot");
	free(v);

	assert_int_equal(keel_domain_pause(e->k, d, true), 0);
	assert_true(e->fh->dom[d].paused);
	assert_int_equal(keel_domain_pause(e->k, d, false), 0);
	assert_false(e->fh->dom[d].paused);

	assert_int_equal(keel_domain_rename(e->k, d, "web"), 0);
	v = env_read(e, "/local/domain/1/name");
	assert_string_equal(v, "web");
	free(v);
	assert_int_not_equal(keel_domain_rename(e->k, d, "Domain-0"), 0);
	assert_int_not_equal(keel_domain_rename(e->k, d, "a b"), 0);

	cr.weight = 512;
	cr.cap = 50;
	assert_int_equal(keel_sched_credit(e->k, d, true, &cr), 0);
	memset(&cr, 0, sizeof(cr));
	assert_int_equal(keel_sched_credit(e->k, d, false, &cr), 0);
	assert_int_equal(cr.weight, 512);
	assert_int_equal(cr.cap, 50);
	cr.weight = 0;
	assert_int_not_equal(keel_sched_credit(e->k, d, true, &cr), 0);

	memset(&map, 0, sizeof(map));
	keel_cpumap_set(&map, 2);
	assert_int_equal(keel_vcpu_pin(e->k, d, 1, &map), 0);
	assert_int_equal(e->fh->dom[d].hard[1][0], 4);
	memset(&map, 0, sizeof(map));
	keel_cpumap_set(&map, 9);
	assert_int_not_equal(keel_vcpu_pin(e->k, d, 1, &map), 0);
	assert_string_equal(e->k->err, "cannot pin vCPU 1 of domain 1 to CPUs 9: Invalid argument: name CPUs the host has (see 'keel info')");

	assert_int_equal(keel_domain_set_memmax(e->k, d, 256 * 1024), 0);
	assert_int_equal(e->fh->dom[d].max_pages, 256 * 256);
	assert_int_equal(keel_domain_set_memtarget(e->k, d, 100 * 1024), 0);
	v = env_read(e, "/local/domain/1/memory/target");
	assert_string_equal(v, "102400");
	free(v);
	assert_int_not_equal(keel_domain_set_memtarget(e->k, d, 512 * 1024), 0);

	assert_int_equal(keel_domain_set_vcpus(e->k, d, 3), 0);
	v = env_read(e, "/local/domain/1/cpu/2/availability");
	assert_string_equal(v, "online");
	free(v);
	v = env_read(e, "/local/domain/1/cpu/3/availability");
	assert_string_equal(v, "offline");
	free(v);
	assert_int_not_equal(keel_domain_set_vcpus(e->k, d, 5), 0);
	assert_string_equal(e->k->err, "domain 1 can have 1 to 4 vCPUs online (its maxvcpus): choose a count in that range");

	assert_int_not_equal(keel_domain_destroy(e->k, 0), 0);

	/* A dead store does not keep a domain alive. */
	kill(e->storepid, SIGKILL);
	waitpid(e->storepid, NULL, 0);
	assert_int_not_equal(keel_domain_destroy(e->k, d), 0);
	assert_non_null(strstr(e->k->err, "domain 1 destroyed, but its store entries remain: "));
	assert_false(e->fh->dom[d].exists);
	guest_free(g);
	env_free(e);
}

static void test_pinning_at_create(void **state)
{
	struct test_env *e = env_new(4096);
	struct guest *g = guest_cfg(e, "cpus = [ \"2\", \"1-3\" ]", NULL);
	domid_t d = create(e, g);
	(void)state;

	assert_int_equal(e->fh->dom[d].hard[0][0], 0x4);
	assert_int_equal(e->fh->dom[d].hard[1][0], 0xe);
	assert_int_equal(e->fh->dom[d].hard[2][0], 0xff); /* unpinned */
	guest_free(g);

	/* A CPU the host lacks: refused by the hypervisor, unwound, explained. */
	g = guest_cfg(e, "name = \"g2\"\ncpus = \"9\"", NULL);
	expect_refusal(e, g, "cannot pin vCPU 0 of domain 2 to CPUs 9: Invalid argument: name CPUs the host has (see 'keel info')");
	guest_free(g);
	env_free(e);
}

static void test_lifecycle(void **state)
{
	struct test_env *e = env_new(4096);
	struct guest *g = guest_cfg(e, "on_crash = \"preserve\"", NULL);
	FILE *log = tmpfile();
	domid_t d = create(e, g), d2;
	uint8_t uuid[16];
	char *v;
	(void)state;

	/* reboot (on_reboot=restart by default): same name and UUID, new id. */
	memcpy(uuid, e->fh->dom[d].handle, 16);
	fake_hv_guest_shutdown(e->fh, d, KEEL_SHUTDOWN_reboot);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 1);
	assert_false(e->fh->dom[d].exists && e->fh->dom[d].shutdown_reason >= 0);
	assert_int_equal(keel_domain_lookup(e->k, "g1", &d2), 0);
	assert_memory_equal(e->fh->dom[d2].handle, uuid, 16);
	assert_false(e->fh->dom[d2].paused);
	assert_int_equal(nr_domains(e), 2);

	/* crash with on_crash=preserve: kept, shown as crashed, handled once. */
	fake_hv_guest_shutdown(e->fh, d2, KEEL_SHUTDOWN_crash);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 1);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 0);
	assert_true(e->fh->dom[d2].exists);
	{
		struct xen_domctl_getdomaininfo info;
		char st[7];

		assert_int_equal(keel_domain_info(e->k, d2, &info), 0);
		keel_format_state(&info, st);
		assert_string_equal(st, "---sc-");
	}
	assert_int_equal(keel_domain_destroy(e->k, d2), 0);

	/* poweroff (on_poweroff=destroy): gone. */
	free(g->c.name);
	g->c.name = strdup("g3");
	d = create(e, g);
	fake_hv_guest_shutdown(e->fh, d, KEEL_SHUTDOWN_poweroff);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 1);
	assert_int_equal(nr_domains(e), 1);
	v = env_read(e, "/local/domain/1/name");
	assert_string_equal(v, "");
	free(v);
	fclose(log);
	guest_free(g);
	env_free(e);
}

/* on_reboot=restart of a guest made from XML: its saved config is read
 * again through keel-xml. */
static void test_lifecycle_xml(void **state)
{
	struct test_env *e = env_new(4096);
	struct xen_domctl_getdomaininfo info;
	struct keel_create_opts o = { 0 };
	struct keel_domain_config c;
	struct keel_diags dg;
	FILE *log = tmpfile();
	uint8_t *elf, uuid[16];
	const char *kernel;
	char *text;
	size_t len;
	domid_t d, d2;
	(void)state;

	elf = make_elf_kernel(&len, 8, 0x1000850);
	kernel = env_file(e, "vmlinux", elf, len);
	free(elf);
	assert_true(asprintf(&text,
			     "<domain type='xen'>\n<name>gx</name>\n"
			     "<memory unit='MiB'>96</memory>\n<vcpu>1</vcpu>\n"
			     "<os><type>xenpvh</type><kernel>%s</kernel></os>\n</domain>\n",
			     kernel) > 0);
	keel_config_init(&c);
	keel_diags_init(&dg);
	if (keel_config_parse_xml("gx.xml", text, strlen(text), NULL, 0, &c, &dg))
		fail_msg("config: %s", keel_diags_first(&dg, KEEL_DIAG_ERROR));
	keel_config_generate(&c, NULL);
	o.config_text = text;
	o.config_len = strlen(text);
	o.config_name = "gx.xml";
	if (keel_domain_create(e->k, &c, &o, &d))
		fail_msg("create: %s", e->k->err);
	memcpy(uuid, e->fh->dom[d].handle, 16);

	fake_hv_guest_shutdown(e->fh, d, KEEL_SHUTDOWN_reboot);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 1);
	assert_int_equal(keel_domain_lookup(e->k, "gx", &d2), 0);
	assert_true(e->fh->dom[d2].exists);
	assert_true(e->fh->dom[d2].shutdown_reason < 0);
	assert_memory_equal(e->fh->dom[d2].handle, uuid, 16);
	assert_int_equal(keel_domain_info(e->k, d2, &info), 0);
	assert_int_equal(info.max_pages, 96 * 256);
	assert_int_equal(info.max_vcpu_id, 0);
	assert_int_equal(keel_domain_destroy(e->k, d2), 0);
	fclose(log);
	keel_config_free(&c);
	keel_diags_free(&dg);
	free(text);
	env_free(e);
}

static char *capture(void (*fn)(struct test_env *, FILE *), struct test_env *e)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(e, f);
	fclose(f);
	return buf;
}

static void do_list(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_print_list(e->k, f, false, NULL, 0), 0);
}

static void do_list_json(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_print_list(e->k, f, true, NULL, 0), 0);
}

static void do_info(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_print_info(e->k, f), 0);
}

static void do_vcpus(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_print_vcpu_list(e->k, f, NULL, 0), 0);
}

static void do_uptime(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_print_uptime(e->k, f, NULL, 0), 0);
}

static void do_dmesg(struct test_env *e, FILE *f)
{
	assert_int_equal(keel_readconsole(e->k, false, f), 0);
}

static void test_formats(void **state)
{
	struct test_env *e = env_new(4096);
	struct guest *g = guest_cfg(e, NULL, NULL);
	char *out, cmd[512], path[128];
	FILE *f;
	(void)state;

	create(e, g);
	e->fh->dom[1].cpu_time = 1234567890;
	out = capture(do_list, e);
	assert_string_equal(out,
		"Name                                        ID   Mem VCPUs\tState\tTime(s)\n"
		"Domain-0                                     0   512     4     r-----      12.3\n"
		"g1                                           1   128     1     -b----       1.2\n");
	free(out);

	/* list -l: valid JSON, [{domid, config}], config as create -n prints it. */
	out = capture(do_list_json, e);
	snprintf(path, sizeof(path), "%s/list.json", e->dir);
	f = fopen(path, "w");
	fputs(out, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import json,sys; l=json.load(open(\"%s\")); "
		 "assert [x[\"domid\"] for x in l]==[0,1]; "
		 "assert l[1][\"config\"][\"c_info\"][\"name\"]==\"g1\"; "
		 "assert l[0][\"config\"][\"c_info\"][\"name\"]==\"Domain-0\"'", path);
	if (system(cmd))
		fail_msg("list -l output is not what xl prints:\n%s", out);
	free(out);

	out = capture(do_info, e);
	assert_non_null(strstr(out, "\nnr_cpus                : 4\n"));
	assert_non_null(strstr(out, "\ncpu_mhz                : 2495.312\n"));
	assert_non_null(strstr(out, "\ntotal_memory           : 4096\n"));
	assert_non_null(strstr(out, "\nfree_memory            : 3456\n"));
	assert_non_null(strstr(out, "\nxen_major              : 4\nxen_minor              : 17\nxen_extra              : .0-keel\nxen_version            : 4.17.0-keel\n"));
	assert_non_null(strstr(out, "\nxen_scheduler          : credit\n"));
	free(out);

	out = capture(do_vcpus, e);
	assert_non_null(strstr(out, "Name                                ID  VCPU   CPU State   Time(s) Affinity (Hard / Soft)\n"));
	assert_non_null(strstr(out, "\ng1                                   1     0    0   -b-       1.2  all / all\n"));
	assert_non_null(strstr(out, "\ng1                                   1     1    -   --p       0.0  all / all\n"));
	free(out);

	out = capture(do_uptime, e);
	assert_non_null(strstr(out, "Name                                ID Uptime\n"));
	assert_non_null(strstr(out, "\ng1                                   1  0:00:0"));
	assert_non_null(strstr(out, "\nDomain-0                             0 "));
	free(out);

	out = capture(do_dmesg, e);
	assert_string_equal(out, "(XEN) Keel fake hypervisor\n(XEN) dom0 started\n");
	free(out);
	assert_int_equal(keel_readconsole(e->k, true, stdout), 0);
	out = capture(do_dmesg, e);
	assert_string_equal(out, "");
	free(out);
	guest_free(g);
	env_free(e);
}

static void test_console_ring(void **state)
{
	struct keel_cons_ring *r = calloc(1, sizeof(*r));
	char buf[4096];
	(void)state;

	memcpy(r->out, "hello\n", 6);
	r->out_prod = 6;
	assert_int_equal(keel_cons_read(r, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "hello\n", 6);
	assert_int_equal(r->out_cons, 6);
	assert_int_equal(keel_cons_read(r, buf, sizeof(buf)), 0);
	/* Wrapping around the 2048-byte ring. */
	r->out_cons = r->out_prod = 0xfffffffe;
	r->out[2046] = 'a';
	r->out[2047] = 'b';
	r->out[0] = 'c';
	r->out_prod += 3;
	assert_int_equal(keel_cons_read(r, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "abc", 3);
	/* A guest claiming more than the ring holds: refused, ring reset. */
	r->out_prod = r->out_cons + 5000;
	assert_int_equal(keel_cons_read(r, buf, sizeof(buf)), -EIO);
	assert_int_equal(r->out_cons, r->out_prod);
	/* Input: at most the 1024-byte ring. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(keel_cons_write(r, buf, 2000), 1024);
	assert_int_equal(keel_cons_write(r, buf, 10), 0);
	r->in_cons = r->in_prod;
	assert_int_equal(keel_cons_write(r, "ls\n", 3), 3);
	assert_memory_equal(r->in + (r->in_cons & 1023), "ls\n", 3);
	free(r);
}


static void test_devices(void **state)
{
	static const struct {
		const char *vdev;
		int num;
	} nums[] = {
		{ "xvda", 51712 }, { "xvdb", 51728 }, { "xvda1", 51713 }, { "xvdp15", 51967 },
		{ "xvdq", (1 << 28) | (16 << 8) }, { "xvdaa", (1 << 28) | (26 << 8) },
		{ "sda", 2048 }, { "sdb2", 2066 }, { "hda", 768 }, { "hdb", 832 },
		{ "hdc", 5632 }, { "hdc63", 5695 }, { "vda", -EINVAL }, { "xvda16", -EINVAL },
	};
	struct test_env *e = env_new(4096);
	struct guest *g;
	char *v, mac[18];
	(void)state;

	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (keel_vdev_number(nums[i].vdev) != nums[i].num)
			fail_msg("%s: %d, expected %d", nums[i].vdev,
				 keel_vdev_number(nums[i].vdev), nums[i].num);

	g = guest_cfg(e, "disk = [ '/srv/g1.img,raw,xvda,rw', '/srv/cd.iso,raw,xvdc,cdrom' ]", NULL);
	assert_int_equal(create(e, g), 1);
#define EXPECT(path, val) do { v = env_read(e, path); assert_string_equal(v, val); free(v); } while (0)
	EXPECT("/local/domain/1/device/vbd/51712/backend", "/local/domain/0/backend/vbd/1/51712");
	EXPECT("/local/domain/1/device/vbd/51712/backend-id", "0");
	EXPECT("/local/domain/1/device/vbd/51712/state", "1");
	EXPECT("/local/domain/1/device/vbd/51712/virtual-device", "51712");
	EXPECT("/local/domain/1/device/vbd/51712/device-type", "disk");
	EXPECT("/local/domain/0/backend/vbd/1/51712/frontend", "/local/domain/1/device/vbd/51712");
	EXPECT("/local/domain/0/backend/vbd/1/51712/frontend-id", "1");
	EXPECT("/local/domain/0/backend/vbd/1/51712/params", "/srv/g1.img");
	EXPECT("/local/domain/0/backend/vbd/1/51712/mode", "w");
	EXPECT("/local/domain/0/backend/vbd/1/51712/online", "1");
	EXPECT("/local/domain/0/backend/vbd/1/51712/state", "1");
	EXPECT("/local/domain/1/device/vbd/51744/device-type", "cdrom");
	EXPECT("/local/domain/0/backend/vbd/1/51744/mode", "r");
	keel_mac_format(g->c.vifs[0].mac, mac);
	EXPECT("/local/domain/1/device/vif/0/mac", mac);
	EXPECT("/local/domain/1/device/vif/0/backend", "/local/domain/0/backend/vif/1/0");
	EXPECT("/local/domain/1/device/vif/0/handle", "0");
	EXPECT("/local/domain/0/backend/vif/1/0/mac", mac);
	EXPECT("/local/domain/0/backend/vif/1/0/bridge", "keelbr0");
	EXPECT("/local/domain/0/backend/vif/1/0/state", "1");
	{
		struct ks_handle *h;
		struct ks_perm *p;
		unsigned n;

		assert_int_equal(keel_store(e->k, &h), 0);
		assert_int_equal(ks_get_perms(h, KS_NO_TXN, "/local/domain/1/device/vbd/51712", &p, &n), 0);
		assert_int_equal(p[0].domid, 1);
		free(p);
		assert_int_equal(ks_get_perms(h, KS_NO_TXN, "/local/domain/0/backend/vbd/1/51712", &p, &n), 0);
		assert_int_equal(p[0].domid, 0);
		assert_int_equal(p[1].domid, 1);
		assert_int_equal(p[1].perm, KS_PERM_READ);
		free(p);
	}
	assert_int_equal(keel_domain_destroy(e->k, 1), 0);
	EXPECT("/local/domain/0/backend/vbd/1/51712/state", "");
	EXPECT("/local/domain/0/backend/vif/1/0/state", "");
#undef EXPECT
	guest_free(g);
	env_free(e);
}

static void test_layout_limits(void **state)
{
	struct fake_hv *fh;
	struct keel_ctl *k = fake_ctl_new(4096, NULL, "/nonexistent", &fh);
	struct keel_kernel kern;
	struct keel_build b;
	size_t len;
	uint8_t *elf = make_elf_kernel(&len, 8, 0x1000850);
	(void)state;

	assert_int_equal(keel_kernel_parse(k, "v", elf, len, &kern), 0);
	memset(&b, 0, sizeof(b));
	b.kernel = &kern;
	b.vcpus = b.maxvcpus = 1;
	b.mem_pages = 4096ULL * 256;
	assert_int_not_equal(keel_build_layout(k, &b), 0);
	assert_string_equal(k->err, "memory=4096 MiB: Keel lays out guests of at most 3072 MiB for now (no PCI hole yet): lower memory=");
	b.mem_pages = 3072ULL * 256;
	assert_int_equal(keel_build_layout(k, &b), 0);
	/* Boot info right after the kernel, reserved; RAM around it. */
	assert_int_equal(b.bootinfo_paddr, 0x1210000);
	assert_int_equal(b.nr_e820, 5);
	assert_int_equal(b.e820[2].addr, 0x1210000);
	assert_int_equal(b.e820[2].type, XEN_HVM_MEMMAP_TYPE_RESERVED);
	assert_int_equal(b.e820[3].type, XEN_HVM_MEMMAP_TYPE_RAM);
	keel_kernel_free(&kern);
	keel_ctl_close(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_create_with_ramdisk),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_malformed_config),
		cmocka_unit_test(test_control),
		cmocka_unit_test(test_pinning_at_create),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_lifecycle_xml),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_console_ring),
		cmocka_unit_test(test_devices),
		cmocka_unit_test(test_layout_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
