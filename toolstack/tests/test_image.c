// SPDX-License-Identifier: GPL-2.0-only
/* Guest kernel images: ELF and bzImage (gzip, XZ) parsing, every refusal
 * with its message, and the real Debian 12 kernel end to end. */
#include <dirent.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "public/hvm/start_info.h"
#include "ctrl_helpers.h"

static struct keel_ctl *bare_ctl(void)
{
	struct fake_hv *fh;

	return fake_ctl_new(4096, NULL, "/nonexistent", &fh);
}

static void check_synthetic(const struct keel_kernel *kern, uint64_t entry)
{
	assert_int_equal(kern->entry, entry);
	assert_int_equal(kern->nr_seg, 2);
	assert_int_equal(kern->seg[0].paddr, 0x1000000);
	assert_int_equal(kern->seg[0].filesz, 0x3000);
	assert_int_equal(kern->seg[1].paddr, 0x1200000);
	assert_int_equal(kern->seg[1].memsz, 0x10000);
	assert_int_equal(kern->lo, 0x1000000);
	assert_int_equal(kern->hi, 0x1210000);
	assert_int_equal(kern->seg[0].data[1], 8);
}

static void test_elf_notes(void **state)
{
	struct keel_ctl *k = bare_ctl();
	struct keel_kernel kern;
	size_t len;
	uint8_t *elf;
	(void)state;

	/* 8-byte descriptor (Linux 6.1's .quad) and 4-byte (Xen's docs). */
	elf = make_elf_kernel(&len, 8, 0x1000850);
	assert_int_equal(keel_kernel_parse(k, "vmlinux", elf, len, &kern), 0);
	assert_string_equal(kern.format, "ELF");
	check_synthetic(&kern, 0x1000850);
	keel_kernel_free(&kern);
	elf = make_elf_kernel(&len, 4, 0x1000010);
	assert_int_equal(keel_kernel_parse(k, "vmlinux", elf, len, &kern), 0);
	check_synthetic(&kern, 0x1000010);
	keel_kernel_free(&kern);
	keel_ctl_close(k);
}

static void test_refusals(void **state)
{
	struct keel_ctl *k = bare_ctl();
	struct keel_kernel kern;
	size_t len, blen;
	uint8_t *elf, *bz, *junk;
	(void)state;

	elf = make_elf_kernel(&len, 0, 0);
	assert_int_not_equal(keel_kernel_parse(k, "/boot/nopvh", elf, len, &kern), 0);
	assert_string_equal(k->err, "kernel '/boot/nopvh': guest kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y");

	/* The same through a bzImage: the note is inside the payload. */
	elf = make_elf_kernel(&len, 0, 0);
	bz = make_bzimage(elf, len, "xz", &blen);
	free(elf);
	assert_int_not_equal(keel_kernel_parse(k, "bz", bz, blen, &kern), 0);
	assert_string_equal(k->err, "kernel 'bz': guest kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y");

	elf = make_elf_kernel(&len, 8, 0x1000850);
	bz = make_bzimage(elf, len, "zstd", &blen);
	free(elf);
	assert_int_not_equal(keel_kernel_parse(k, "bz", bz, blen, &kern), 0);
	assert_string_equal(k->err, "kernel 'bz': bzImage payload is compressed with zstd, which keel cannot decompress (XZ and gzip only): use a kernel built with CONFIG_KERNEL_XZ or CONFIG_KERNEL_GZIP, or its uncompressed vmlinux");

	junk = calloc(1, 4096);
	memcpy(junk, "#!/bin/sh\n", 10);
	assert_int_not_equal(keel_kernel_parse(k, "script", junk, 4096, &kern), 0);
	assert_string_equal(k->err, "kernel 'script' is neither an ELF vmlinux nor a bzImage: give the path of a Linux kernel image");

	/* Entry outside the loaded image: a damaged note. */
	elf = make_elf_kernel(&len, 8, 0x100);
	assert_int_not_equal(keel_kernel_parse(k, "bad", elf, len, &kern), 0);
	assert_string_equal(k->err, "kernel 'bad': PVH entry 0x100 lies outside the loaded image: the image is damaged");

	/* Truncated bzImage: the payload runs past the end of the file. */
	elf = make_elf_kernel(&len, 8, 0x1000850);
	bz = make_bzimage(elf, len, "gzip", &blen);
	free(elf);
	assert_int_not_equal(keel_kernel_parse(k, "cut", bz, blen - 100, &kern), 0);
	assert_non_null(strstr(k->err, "lies outside the"));

	assert_int_not_equal(keel_kernel_load(k, "/nonexistent/vmlinuz", &kern), 0);
	assert_string_equal(k->err, "kernel '/nonexistent/vmlinuz': No such file or directory: check kernel= in the config");
	keel_ctl_close(k);
}

static void test_bzimage(void **state)
{
	static const char *const comps[] = { "gzip", "xz" };
	struct keel_ctl *k = bare_ctl();
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct keel_kernel kern;
		size_t len, blen;
		uint8_t *elf = make_elf_kernel(&len, 8, 0x1000850);
		uint8_t *bz = make_bzimage(elf, len, comps[i], &blen);

		assert_int_equal(keel_kernel_parse(k, "bz", bz, blen, &kern), 0);
		assert_string_equal(kern.format, i ? "bzImage (XZ)" : "bzImage (gzip)");
		assert_int_equal(kern.elf_len, len);
		assert_memory_equal(kern.elf, elf, len);
		check_synthetic(&kern, 0x1000850);
		keel_kernel_free(&kern);
		free(elf);
	}
	keel_ctl_close(k);
}

static unsigned cache_entries(const char *dir)
{
	char path[128];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/kernel-cache", dir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "vmlinux-", 8);
	closedir(d);
	return n;
}

static void write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The second load of a compressed kernel maps the cached vmlinux; a changed
 * image or a damaged entry means decompressing again. */
static void test_kernel_cache(void **state)
{
	char dir[] = "/tmp/keel-kcache-XXXXXX", img[96], entry[512], cmd[160];
	struct fake_hv *fh;
	struct keel_ctl *k;
	struct keel_kernel kern;
	size_t len, glen, xlen;
	uint8_t *elf, *gz, *xz;
	struct dirent *e;
	DIR *d;
	(void)state;

	assert_non_null(mkdtemp(dir));
	k = fake_ctl_new(4096, NULL, dir, &fh);
	elf = make_elf_kernel(&len, 8, 0x1000850);
	gz = make_bzimage(elf, len, "gzip", &glen);
	xz = make_bzimage(elf, len, "xz", &xlen);
	snprintf(img, sizeof(img), "%s/vmlinuz", dir);
	write_file(img, gz, glen);

	assert_int_equal(keel_kernel_load(k, img, &kern), 0);
	assert_false(kern.elf_mapped);
	assert_string_equal(kern.format, "bzImage (gzip)");
	keel_kernel_free(&kern);
	assert_int_equal(cache_entries(dir), 1);

	assert_int_equal(keel_kernel_load(k, img, &kern), 0);
	assert_true(kern.elf_mapped);
	assert_string_equal(kern.format, "bzImage (gzip)");
	assert_int_equal(kern.elf_len, len);
	assert_memory_equal(kern.elf, elf, len);
	check_synthetic(&kern, 0x1000850);
	keel_kernel_free(&kern);

	/* A new image in the same file: decompressed, the old entry replaced. */
	write_file(img, xz, xlen);
	assert_int_equal(keel_kernel_load(k, img, &kern), 0);
	assert_false(kern.elf_mapped);
	assert_string_equal(kern.format, "bzImage (XZ)");
	keel_kernel_free(&kern);
	assert_int_equal(cache_entries(dir), 1);

	/* A damaged entry is dropped and rebuilt, never used. */
	snprintf(cmd, sizeof(cmd), "%s/kernel-cache", dir);
	d = opendir(cmd);
	assert_non_null(d);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "vmlinux-", 8))
			snprintf(entry, sizeof(entry), "%s/%s", cmd, e->d_name);
	closedir(d);
	assert_int_equal(truncate(entry, 100), 0);
	assert_int_equal(keel_kernel_load(k, img, &kern), 0);
	assert_false(kern.elf_mapped);
	assert_memory_equal(kern.elf, elf, len);
	keel_kernel_free(&kern);
	assert_int_equal(keel_kernel_load(k, img, &kern), 0);
	assert_true(kern.elf_mapped);
	check_synthetic(&kern, 0x1000850);
	keel_kernel_free(&kern);

	keel_ctl_close(k);
	free(elf);
	free(gz);
	free(xz);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* Damaged images: random bytes changed in the headers and notes, random
 * truncation. Never a crash (ASan/UBSan watch), always a message. */
static void test_damaged_images(void **state)
{
	struct keel_ctl *k = bare_ctl();
	size_t len, blen;
	uint8_t *elf = make_elf_kernel(&len, 8, 0x1000850);
	uint8_t *bz = make_bzimage(elf, len, "gzip", &blen);
	unsigned seed = 12345, ok = 0, refused = 0;
	(void)state;

	for (unsigned iter = 0; iter < 3000; iter++) {
		bool use_bz = iter % 3 == 0;
		size_t n = use_bz ? blen : len;
		uint8_t *img = malloc(n);
		struct keel_kernel kern;

		memcpy(img, use_bz ? bz : elf, n);
		for (unsigned flips = 1 + rand_r(&seed) % 4; flips; flips--) {
			/* Mostly where the structure is: headers, notes, setup. */
			size_t at = rand_r(&seed) % (rand_r(&seed) % 2 ? 0x300 : n);

			img[at] = (uint8_t)rand_r(&seed);
		}
		if (rand_r(&seed) % 4 == 0)
			n = rand_r(&seed) % n + 1;
		k->err[0] = 0;
		if (keel_kernel_parse(k, "damaged", img, n, &kern)) {
			assert_true(strlen(k->err) > 10);
			refused++;
		} else {
			assert_true(kern.nr_seg > 0 && kern.entry >= kern.lo && kern.entry < kern.hi);
			keel_kernel_free(&kern);
			ok++;
		}
	}
	printf("3000 damaged images: %u refused with a message, %u still loadable\n", refused, ok);
	assert_true(refused > 1000);
	free(elf);
	free(bz);
	keel_ctl_close(k);
}

/*
 * The real thing: Debian 12's stock kernel package, downloaded with
 * apt-get (or found in build/cache), unpacked with dpkg-deb. Our XZ path is
 * checked against xz(1) decompressing the same payload.
 */
static char *find_debian_kernel(char *dir, size_t dirlen)
{
	const char *cache = getenv("KEEL_KERNEL_DEB_DIR");
	char cmd[1024], deb[512] = "", *vmlinuz = NULL;
	struct dirent *de;
	DIR *d;

	if (!cache)
		cache = "/tmp";
	mkdir(cache, 0755);
	d = opendir(cache);
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "linux-image-6.1", 15) && strstr(de->d_name, "amd64.deb") &&
		    !strstr(de->d_name, "dbg"))
			snprintf(deb, sizeof(deb), "%s/%s", cache, de->d_name);
	if (d)
		closedir(d);
	if (!*deb) {
		/* linux-image-amd64 is a metapackage: fetch what it depends on. */
		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && p=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/.*Depends: \\(linux-image-6[^ ]*-amd64\\)$/\\1/p' | head -1) && [ -n \"$p\" ] && apt-get download \"$p\" >/dev/null 2>&1",
			 cache);
		if (system(cmd))
			return NULL;
		return find_debian_kernel(dir, dirlen);
	}
	snprintf(dir, dirlen, "/tmp/keel-debian-kernel.XXXXXX");
	if (!mkdtemp(dir))
		return NULL;
	snprintf(cmd, sizeof(cmd), "dpkg-deb --fsys-tarfile '%s' | tar -x -C '%s' --wildcards './boot/vmlinuz-*'",
		 deb, dir);
	if (system(cmd))
		return NULL;
	snprintf(cmd, sizeof(cmd), "ls %s/boot/vmlinuz-* 2>/dev/null | head -1", dir);
	{
		FILE *p = popen(cmd, "r");
		char line[512];

		if (p && fgets(line, sizeof(line), p)) {
			line[strcspn(line, "\n")] = 0;
			vmlinuz = strdup(line);
		}
		if (p)
			pclose(p);
	}
	return vmlinuz;
}

static uint8_t *xz_cli_vmlinux(const char *vmlinuz, size_t *len)
{
	char cmd[1024];
	uint8_t *out = NULL;
	size_t cap = 0, n = 0, r;
	FILE *p;

	/* Independent of our code: locate the XZ magic with od/grep-free C,
	 * hand the tail to xz --single-stream (which ignores the size trailer). */
	FILE *f = fopen(vmlinuz, "rb");
	uint8_t hdr[0x250];
	uint32_t off;
	size_t pm;

	if (!f || fread(hdr, 1, sizeof(hdr), f) != sizeof(hdr))
		return NULL;
	fclose(f);
	memcpy(&off, hdr + 0x248, 4);
	pm = ((hdr[0x1f1] ? hdr[0x1f1] : 4) + 1) * 512;
	snprintf(cmd, sizeof(cmd), "tail -c +%zu '%s' | xz -dc --single-stream 2>/dev/null",
		 pm + off + 1, vmlinuz);
	p = popen(cmd, "r");
	if (!p)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1 << 24;
			out = realloc(out, cap);
		}
		r = fread(out + n, 1, cap - n, p);
		if (!r)
			break;
		n += r;
	}
	pclose(p);
	*len = n;
	return out;
}

/*
 * A whole domain built from the Debian kernel on the fake hypervisor: every
 * PT_LOAD of the xz(1)-decompressed ELF is in guest memory at its p_paddr
 * (bss zeroed), vCPU 0 starts at the PVH entry with EBX = start info.
 */
static void build_debian_domain(const char *vmlinuz, const uint8_t *ref, uint64_t entry)
{
	const Elf64_Ehdr *eh = (const void *)ref;
	const Elf64_Phdr *ph = (const void *)(ref + eh->e_phoff);
	struct test_env *e = env_new(4096);
	struct keel_domain_config c;
	struct keel_diags d;
	struct hvm_start_info si;
	struct fake_dom *x;
	uint8_t *mem;
	char *text, cmdline[64];
	domid_t dom;

	assert_true(asprintf(&text, "name = \"debian\"\nmemory = 512\nvcpus = 2\nkernel = \"%s\"\n"
				    "extra = \"console=hvc0\"\n", vmlinuz) > 0);
	keel_config_init(&c);
	keel_diags_init(&d);
	assert_int_equal(keel_config_parse_cfg("debian.cfg", text, strlen(text), NULL, 0, &c, &d), 0);
	keel_config_generate(&c, NULL);
	if (keel_domain_create(e->k, &c, NULL, &dom))
		fail_msg("create: %s", e->k->err);
	x = &e->fh->dom[dom];
	assert_int_equal(x->ctx0.user_regs.rip, entry);
	assert_true(fake_hv_read(e->fh, dom, x->ctx0.user_regs.rbx, &si, sizeof(si)));
	assert_int_equal(si.magic, XEN_HVM_START_MAGIC_VALUE);
	assert_int_equal(si.version, 1);
	/* Boot info right after the kernel's footprint, below 1 GiB. */
	assert_true(x->ctx0.user_regs.rbx >= 0x4a00000 && x->ctx0.user_regs.rbx < (1U << 30));
	assert_true(fake_hv_read(e->fh, dom, si.cmdline_paddr, cmdline, sizeof(cmdline)));
	assert_string_equal(cmdline, "console=hvc0");
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		mem = malloc(ph[i].p_memsz);
		assert_true(fake_hv_read(e->fh, dom, ph[i].p_paddr, mem, ph[i].p_memsz));
		assert_memory_equal(mem, ref + ph[i].p_offset, ph[i].p_filesz);
		for (uint64_t b = ph[i].p_filesz; b < ph[i].p_memsz; b++)
			if (mem[b])
				fail_msg("segment %u: byte 0x%llx of bss is not zero", i,
					 (unsigned long long)b);
		free(mem);
	}
	printf("built domain %u from %s: entry 0x%llx, start info at 0x%llx\n", dom, vmlinuz,
	       (unsigned long long)x->ctx0.user_regs.rip,
	       (unsigned long long)x->ctx0.user_regs.rbx);
	keel_diags_free(&d);
	keel_config_free(&c);
	free(text);
	env_free(e);
}

static void test_debian_kernel(void **state)
{
	struct keel_ctl *k = bare_ctl();
	struct keel_kernel kern;
	char dir[64], cmd[128];
	char *vmlinuz = find_debian_kernel(dir, sizeof(dir));
	const Elf64_Ehdr *eh;
	const Elf64_Phdr *ph;
	uint8_t *ref;
	size_t ref_len = 0;
	unsigned loads = 0;
	uint64_t entry;
	(void)state;

	if (!vmlinuz) {
		printf("SKIP: Debian linux-image-6.1 package not obtainable (apt-get download failed)\n");
		keel_ctl_close(k);
		skip();
	}
	assert_int_equal(keel_kernel_load(k, vmlinuz, &kern), 0);
	printf("%s: %s, PVH entry 0x%llx, %u segments, footprint 0x%llx-0x%llx\n",
	       vmlinuz, kern.format, (unsigned long long)kern.entry, kern.nr_seg,
	       (unsigned long long)kern.lo, (unsigned long long)kern.hi);
	assert_string_equal(kern.format, "bzImage (XZ)");
	/* 6.1's pvh_start_xen sits just after the start of .text at 16 MiB. */
	assert_true(kern.entry > 0x1000000 && kern.entry < 0x1100000);
	assert_int_equal(kern.lo, 0x1000000);

	ref = xz_cli_vmlinux(vmlinuz, &ref_len);
	assert_non_null(ref);
	assert_int_equal(ref_len, kern.elf_len);
	assert_memory_equal(ref, kern.elf, ref_len);
	/* Segments as the ELF's own program headers say. */
	eh = (const void *)ref;
	ph = (const void *)(ref + eh->e_phoff);
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		assert_int_equal(kern.seg[loads].paddr, ph[i].p_paddr);
		assert_int_equal(kern.seg[loads].memsz, ph[i].p_memsz);
		assert_ptr_equal(kern.seg[loads].data, kern.elf + ph[i].p_offset);
		loads++;
	}
	assert_int_equal(loads, kern.nr_seg);
	entry = kern.entry;
	keel_kernel_free(&kern);
	keel_ctl_close(k);

	build_debian_domain(vmlinuz, ref, entry);
	free(ref);
	free(vmlinuz);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_notes),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_kernel_cache),
		cmocka_unit_test(test_damaged_images),
		cmocka_unit_test(test_debian_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
