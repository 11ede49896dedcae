// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the libkeelctrl tests (see ctrl_helpers.h). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "public/elfnote.h"
#include "ctrl_helpers.h"

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

struct test_env *env_new(unsigned long host_mib)
{
	struct test_env *e = calloc(1, sizeof(*e));
	const char *bin = getenv("KEELSTORED");
	char path[160], rings[96];
	struct ks_handle *xs = NULL;
	static const char zero[4096];

	assert_non_null(e);
	assert_non_null(bin);
	strcpy(e->dir, "/tmp/keelctrl-test.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	/* Ring pages for the domains the tests will create (fake backend). */
	for (unsigned d = 1; d < 16; d++) {
		snprintf(path, sizeof(path), "%s/ring-%u", e->dir, d);
		write_file(path, zero, sizeof(zero));
	}
	snprintf(e->sock, sizeof(e->sock), "%s/xs.sock", e->dir);
	snprintf(rings, sizeof(rings), "--rings=fake:%s", e->dir);
	e->storepid = fork();
	assert_true(e->storepid >= 0);
	if (!e->storepid) {
		int null = open("/dev/null", O_WRONLY);

		/* Never outlive the test, never hold its output pipe open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(null, 1);
		if (!getenv("KEEL_TEST_VERBOSE"))
			dup2(null, 2);
		execl(bin, bin, "--no-persist", "--no-kernel-ring", rings, "-s",
		      e->sock, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		if (!ks_open(e->sock, &xs))
			break;
		xs = NULL;
		usleep(10000);
	}
	assert_non_null(xs);
	snprintf(path, sizeof(path), "%s/state", e->dir);
	e->k = fake_ctl_new(host_mib, xs, path, &e->fh);
	assert_non_null(e->k);
	return e;
}

void env_free(struct test_env *e)
{
	char cmd[128];

	keel_ctl_close(e->k);
	kill(e->storepid, SIGTERM);
	waitpid(e->storepid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", e->dir);
	free(e);
}

const char *env_file(struct test_env *e, const char *name, const void *data,
		     size_t len)
{
	static char paths[8][160];
	static unsigned slot;
	char *p = paths[slot++ % 8];

	snprintf(p, 160, "%s/%s", e->dir, name);
	write_file(p, data, len);
	return p;
}

char *env_read(struct test_env *e, const char *path)
{
	struct ks_handle *h;
	char *v = NULL;

	assert_int_equal(keel_store(e->k, &h), 0);
	if (ks_read(h, KS_NO_TXN, path, &v, NULL))
		return strdup("");
	return v;
}

/* Layout: ehdr, 3 phdrs, note, then the two segments' bytes. */
uint8_t *make_elf_kernel(size_t *len, unsigned desc_size, uint64_t entry)
{
	const size_t seg1 = 0x3000, seg2 = 0x1800, note_off = 0x200;
	size_t data1 = 0x1000, data2 = data1 + seg1, total = data2 + seg2;
	uint8_t *b = calloc(1, total);
	Elf64_Ehdr *eh = (void *)b;
	Elf64_Phdr *ph = (void *)(b + sizeof(*eh));
	Elf64_Nhdr *n;
	size_t off = note_off;

	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0xffffffff81000000ULL;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 3;

	/* A GUEST_OS note always; the PVH entry note if asked for. */
	n = (void *)(b + off);
	n->n_namesz = 4;
	n->n_descsz = 6;
	n->n_type = XEN_ELFNOTE_GUEST_OS;
	memcpy(b + off + sizeof(*n), "Xen", 4);
	memcpy(b + off + sizeof(*n) + 4, "linux", 6);
	off += sizeof(*n) + 4 + 8;
	if (desc_size) {
		n = (void *)(b + off);
		n->n_namesz = 4;
		n->n_descsz = desc_size;
		n->n_type = XEN_ELFNOTE_PHYS32_ENTRY;
		memcpy(b + off + sizeof(*n), "Xen", 4);
		memcpy(b + off + sizeof(*n) + 4, &entry, desc_size);
		off += sizeof(*n) + 4 + desc_size;
	}
	ph[0].p_type = PT_NOTE;
	ph[0].p_offset = note_off;
	ph[0].p_filesz = off - note_off;
	ph[1].p_type = PT_LOAD;
	ph[1].p_offset = data1;
	ph[1].p_paddr = 0x1000000;
	ph[1].p_vaddr = 0xffffffff81000000ULL;
	ph[1].p_filesz = seg1;
	ph[1].p_memsz = seg1;
	ph[2].p_type = PT_LOAD;
	ph[2].p_offset = data2;
	ph[2].p_paddr = 0x1200000;
	ph[2].p_filesz = seg2;
	ph[2].p_memsz = 0x10000; /* bss to be zeroed */
	for (size_t i = 0; i < seg1; i++)
		b[data1 + i] = (uint8_t)(i * 7 + 1);
	for (size_t i = 0; i < seg2; i++)
		b[data2 + i] = (uint8_t)(i * 13 + 5);
	*len = total;
	return b;
}

uint8_t *make_bzimage(const uint8_t *elf, size_t elf_len, const char *comp,
		      size_t *len)
{
	size_t cap = elf_len + elf_len / 2 + 4096, plen = 0;
	uint8_t *payload = malloc(cap), *b;
	const size_t setup_sects = 3, pm = (setup_sects + 1) * 512, poff = 0x100;
	uint32_t v;

	if (!strcmp(comp, "gzip")) {
		z_stream s;

		memset(&s, 0, sizeof(s));
		assert_int_equal(deflateInit2(&s, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		s.next_in = (uint8_t *)elf;
		s.avail_in = elf_len;
		s.next_out = payload;
		s.avail_out = cap;
		assert_int_equal(deflate(&s, Z_FINISH), Z_STREAM_END);
		plen = cap - s.avail_out;
		deflateEnd(&s);
		/* gzip's own trailer already ends with the size. */
	} else if (!strcmp(comp, "xz")) {
		assert_int_equal(lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL,
							 elf, elf_len, payload,
							 &plen, cap), LZMA_OK);
		v = elf_len;
		memcpy(payload + plen, &v, 4); /* appended by the kernel build */
		plen += 4;
	} else {
		static const uint8_t zstd[] = { 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0 };

		memcpy(payload, zstd, sizeof(zstd));
		plen = sizeof(zstd);
	}
	*len = pm + poff + plen;
	b = calloc(1, *len);
	b[0x1f1] = setup_sects;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;
	b[0x207] = 0x02;
	v = poff;
	memcpy(b + 0x248, &v, 4);
	v = plen;
	memcpy(b + 0x24c, &v, 4);
	memcpy(b + pm + poff, payload, plen);
	free(payload);
	return b;
}
