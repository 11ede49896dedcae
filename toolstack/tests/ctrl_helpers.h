// SPDX-License-Identifier: GPL-2.0-only
/* Helpers for the libkeelctrl tests: a keelstored of the test's own (fake
 * rings in a temporary directory), synthetic kernel images, temp files. */
#ifndef KEELCTRL_TEST_HELPERS_H
#define KEELCTRL_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/types.h>

#include "keelctrl.h"
#include "keelstore.h"
#include "fake_hv.h"

struct test_env {
	char dir[64]; /* temporary directory, removed at the end */
	pid_t storepid;
	char sock[128];
	struct fake_hv *fh;
	struct keel_ctl *k;
};

/* A fresh directory, keelstored on it ($KEELSTORED), and a fake machine
 * of host_mib MiB behind a keel_ctl that talks to that store. */
struct test_env *env_new(unsigned long host_mib);
void env_free(struct test_env *e);
/* Writes a file under e->dir; returns its path (static buffer per call slot). */
const char *env_file(struct test_env *e, const char *name, const void *data,
		     size_t len);
/* Reads a store path ("" if missing; malloc'ed). */
char *env_read(struct test_env *e, const char *path);

/* An x86-64 ELF "kernel": two PT_LOADs at 16 MiB and 18 MiB, a PT_NOTE with
 * the PVH entry (desc_size 4 or 8; 0 = no PVH note, other notes only). */
uint8_t *make_elf_kernel(size_t *len, unsigned desc_size, uint64_t entry);
/* Wraps an ELF in a bzImage (setup header 2.15), payload compressed with
 * "gzip" or "xz" (or "zstd": magic only, for the refusal). */
uint8_t *make_bzimage(const uint8_t *elf, size_t elf_len, const char *comp,
		      size_t *len);

#endif
