// SPDX-License-Identifier: GPL-2.0-only
/* Guest kernel images: an ELF vmlinux, or a bzImage whose payload (XZ or
 * gzip) decompresses to one. The PVH entry comes from the Xen ELF note. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include "public/elfnote.h"
#include "ctrl_internal.h"

/* Larger than any kernel we expect; guards against a bogus size field. */
#define MAX_VMLINUX (1UL << 30)

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void keel_kernel_free(struct keel_kernel *kern)
{
	if (kern->elf_mapped)
		munmap(kern->elf, kern->elf_len);
	else
		free(kern->elf);
	memset(kern, 0, sizeof(*kern));
}

int keel_read_file(struct keel_ctl *k, const char *what, const char *path,
		      uint8_t **buf, size_t *len)
{
	struct stat st;
	size_t done = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return keel_fail(k, ret, "%s '%s': %s: check %s= in the config",
				 what, path, strerror(-ret), what);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return keel_fail(k, -EINVAL, "%s '%s' is not a regular file: check %s= in the config",
				 what, path, what);
	}
	*buf = malloc(st.st_size ? st.st_size : 1);
	if (!*buf) {
		close(fd);
		return keel_fail(k, -ENOMEM, "%s '%s': out of memory reading %lld bytes",
				 what, path, (long long)st.st_size);
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, *buf + done, st.st_size - done);

		if (r <= 0) {
			ret = r < 0 ? -errno : -EIO;
			close(fd);
			free(*buf);
			return keel_fail(k, ret, "%s '%s': read failed: %s",
					 what, path, strerror(-ret));
		}
		done += r;
	}
	close(fd);
	*len = done;
	return 0;
}

static int xz_decompress(struct keel_ctl *k, const char *name,
			 const uint8_t *in, size_t in_len, uint8_t *out,
			 size_t out_len, size_t *got)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;

	if (lzma_stream_decoder(&s, UINT64_MAX, 0) != LZMA_OK)
		return keel_fail(k, -ENOMEM, "kernel '%s': cannot start the XZ decoder", name);
	s.next_in = in;
	s.avail_in = in_len;
	s.next_out = out;
	s.avail_out = out_len;
	/* The build appends the size after the stream: stop at its end. */
	r = lzma_code(&s, LZMA_FINISH);
	*got = out_len - s.avail_out;
	lzma_end(&s);
	if (r != LZMA_STREAM_END)
		return keel_fail(k, -EINVAL, "kernel '%s': the bzImage's XZ payload is damaged (liblzma error %d after %zu bytes): use an intact kernel image",
				 name, (int)r, *got);
	return 0;
}

static int gzip_decompress(struct keel_ctl *k, const char *name,
			   const uint8_t *in, size_t in_len, uint8_t *out,
			   size_t out_len, size_t *got)
{
	z_stream s;
	int r;

	memset(&s, 0, sizeof(s));
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK)
		return keel_fail(k, -ENOMEM, "kernel '%s': cannot start the gzip decoder", name);
	/* 4 GiB caps both sides: zlib's counters are 32-bit. */
	s.next_in = (uint8_t *)in;
	s.avail_in = in_len;
	s.next_out = out;
	s.avail_out = out_len;
	r = inflate(&s, Z_FINISH);
	*got = out_len - s.avail_out;
	inflateEnd(&s);
	if (r != Z_STREAM_END)
		return keel_fail(k, -EINVAL, "kernel '%s': the bzImage's gzip payload is damaged (zlib error %d after %zu bytes): use an intact kernel image",
				 name, r, *got);
	return 0;
}

static const char *compression_name(const uint8_t *p, size_t len)
{
	static const struct {
		const char *name;
		uint8_t magic[6];
		size_t n;
	} m[] = {
		{ "XZ", { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6 },
		{ "gzip", { 0x1f, 0x8b }, 2 },
		{ "bzip2", { 'B', 'Z', 'h' }, 3 },
		{ "LZMA", { 0x5d, 0, 0 }, 3 },
		{ "LZ4", { 0x02, 0x21, 0x4c, 0x18 }, 4 },
		{ "LZO", { 0x89, 'L', 'Z', 'O' }, 4 },
		{ "zstd", { 0x28, 0xb5, 0x2f, 0xfd }, 4 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (len >= m[i].n && !memcmp(p, m[i].magic, m[i].n))
			return m[i].name;
	return NULL;
}

/* bzImage: setup header at 0x1f1 ("HdrS" at 0x202), payload location at
 * 0x248/0x24c relative to the protected-mode code after the setup sectors. */
static int bzimage_extract(struct keel_ctl *k, const char *name, uint8_t **buf,
			   size_t *len, const char **format)
{
	const uint8_t *b = *buf;
	size_t setup_sects, pm_start, off, plen, out_len, got = 0;
	uint16_t version = b[0x206] | b[0x207] << 8;
	const char *comp;
	uint8_t *out;
	int ret;

	if (version < 0x208)
		return keel_fail(k, -EINVAL, "kernel '%s': bzImage boot protocol %u.%02u has no payload fields (needs 2.08 or later): use a newer kernel or its vmlinux",
				 name, version >> 8, version & 0xff);
	setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	pm_start = (setup_sects + 1) * 512;
	off = le32(b + 0x248);
	plen = le32(b + 0x24c);
	if (pm_start > *len || off > *len - pm_start || plen > *len - pm_start - off ||
	    plen < 8)
		return keel_fail(k, -EINVAL, "kernel '%s': bzImage payload (offset %zu, length %zu) lies outside the %zu-byte file: the image is truncated or damaged",
				 name, off, plen, *len);
	b += pm_start + off;
	comp = compression_name(b, plen);
	if (!comp || (strcmp(comp, "XZ") && strcmp(comp, "gzip")))
		return keel_fail(k, -ENOTSUP, "kernel '%s': bzImage payload is compressed with %s, which keel cannot decompress (XZ and gzip only): use a kernel built with CONFIG_KERNEL_XZ or CONFIG_KERNEL_GZIP, or its uncompressed vmlinux",
				 name, comp ? comp : "an unknown method");
	/* Both formats end with the uncompressed size (little-endian u32). */
	out_len = le32(b + plen - 4);
	if (!out_len || out_len > MAX_VMLINUX)
		return keel_fail(k, -EINVAL, "kernel '%s': bzImage payload claims %zu uncompressed bytes: the image is damaged",
				 name, out_len);
	out = malloc(out_len);
	if (!out)
		return keel_fail(k, -ENOMEM, "kernel '%s': out of memory for the %zu-byte vmlinux",
				 name, out_len);
	if (!strcmp(comp, "XZ"))
		ret = xz_decompress(k, name, b, plen - 4, out, out_len, &got);
	else
		ret = gzip_decompress(k, name, b, plen, out, out_len, &got);
	if (ret) {
		free(out);
		return ret;
	}
	free(*buf);
	*buf = out;
	*len = got;
	*format = !strcmp(comp, "XZ") ? "bzImage (XZ)" : "bzImage (gzip)";
	return 0;
}

static int find_pvh_entry(struct keel_ctl *k, const char *name,
			  struct keel_kernel *kern, const Elf64_Phdr *ph,
			  unsigned phnum)
{
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t off = ph[i].p_offset, end;

		if (ph[i].p_type != PT_NOTE)
			continue;
		if (off % 4 || off > kern->elf_len || ph[i].p_filesz > kern->elf_len - off)
			return keel_fail(k, -EINVAL, "kernel '%s': ELF note segment %u lies outside the file: the image is damaged",
					 name, i);
		end = off + ph[i].p_filesz;
		while (off + sizeof(Elf64_Nhdr) <= end) {
			const Elf64_Nhdr *n = (const void *)(kern->elf + off);
			uint64_t namesz = (n->n_namesz + 3) & ~3ULL;
			uint64_t descsz = (n->n_descsz + 3) & ~3ULL;
			const uint8_t *nm = kern->elf + off + sizeof(*n);
			const uint8_t *desc = nm + namesz;

			if (namesz + descsz > end - off - sizeof(*n))
				break;
			if (n->n_namesz == 4 && !memcmp(nm, "Xen", 4) &&
			    n->n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
				if (n->n_descsz == 4)
					kern->entry = le32(desc);
				else if (n->n_descsz == 8)
					kern->entry = (uint32_t)(le32(desc) |
						(uint64_t)le32(desc + 4) << 32);
				else
					return keel_fail(k, -EINVAL, "kernel '%s': PVH entry note has a %u-byte value (expected 4 or 8): the image is damaged",
							 name, n->n_descsz);
				return 0;
			}
			off += sizeof(*n) + namesz + descsz;
		}
	}
	return keel_fail(k, -ENOEXEC, "kernel '%s': guest kernel has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY): use a kernel built with CONFIG_PVH=y",
			 name);
}

static int parse_elf(struct keel_ctl *k, const char *name,
		     struct keel_kernel *kern)
{
	const Elf64_Ehdr *eh = (const void *)kern->elf;
	const Elf64_Phdr *ph;
	int ret;

	if (kern->elf_len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64)
		return keel_fail(k, -ENOEXEC, "kernel '%s' is not an x86-64 ELF image: use a 64-bit x86 Linux kernel",
				 name);
	if (eh->e_phentsize != sizeof(*ph) || eh->e_phoff % 8 || eh->e_phoff > kern->elf_len ||
	    (uint64_t)eh->e_phnum * sizeof(*ph) > kern->elf_len - eh->e_phoff)
		return keel_fail(k, -EINVAL, "kernel '%s': ELF program headers lie outside the file: the image is damaged",
				 name);
	ph = (const void *)(kern->elf + eh->e_phoff);
	ret = find_pvh_entry(k, name, kern, ph, eh->e_phnum);
	if (ret)
		return ret;
	kern->lo = UINT64_MAX;
	kern->hi = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct keel_segment *s;

		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_offset > kern->elf_len ||
		    ph[i].p_filesz > kern->elf_len - ph[i].p_offset ||
		    ph[i].p_filesz > ph[i].p_memsz)
			return keel_fail(k, -EINVAL, "kernel '%s': ELF segment %u lies outside the file: the image is damaged",
					 name, i);
		if (ph[i].p_paddr > (1ULL << 32) || ph[i].p_memsz > (1ULL << 32))
			return keel_fail(k, -EINVAL, "kernel '%s': ELF segment %u is loaded at 0x%llx, above 4 GiB: PVH kernels load below 4 GiB",
					 name, i, (unsigned long long)ph[i].p_paddr);
		if (kern->nr_seg == KEEL_MAX_SEGMENTS)
			return keel_fail(k, -E2BIG, "kernel '%s' has more than %d loadable segments",
					 name, KEEL_MAX_SEGMENTS);
		s = &kern->seg[kern->nr_seg++];
		s->paddr = ph[i].p_paddr;
		s->filesz = ph[i].p_filesz;
		s->memsz = ph[i].p_memsz;
		s->data = kern->elf + ph[i].p_offset;
		if (s->paddr < kern->lo)
			kern->lo = s->paddr;
		if (s->paddr + s->memsz > kern->hi)
			kern->hi = s->paddr + s->memsz;
	}
	if (!kern->nr_seg)
		return keel_fail(k, -EINVAL, "kernel '%s' has no loadable segments", name);
	if (kern->entry < kern->lo || kern->entry >= kern->hi)
		return keel_fail(k, -EINVAL, "kernel '%s': PVH entry 0x%llx lies outside the loaded image: the image is damaged",
				 name, (unsigned long long)kern->entry);
	return 0;
}

int keel_kernel_parse(struct keel_ctl *k, const char *name, uint8_t *buf,
		      size_t len, struct keel_kernel *out)
{
	const char *format = "ELF";
	int ret;

	memset(out, 0, sizeof(*out));
	if (len >= 0x250 && !memcmp(buf + 0x202, "HdrS", 4)) {
		ret = bzimage_extract(k, name, &buf, &len, &format);
		if (ret)
			goto fail;
	} else if (len < 4 || memcmp(buf, ELFMAG, SELFMAG)) {
		ret = keel_fail(k, -ENOEXEC, "kernel '%s' is neither an ELF vmlinux nor a bzImage: give the path of a Linux kernel image",
				name);
		goto fail;
	}
	out->elf = buf;
	out->elf_len = len;
	out->format = format;
	ret = parse_elf(k, name, out);
	if (ret)
		keel_kernel_free(out);
	return ret;
fail:
	free(buf);
	return ret;
}

/* ---- the cache of decompressed kernels */

#define KERNEL_CACHE_DIR "kernel-cache"
/* Entries kept: a 6.1 vmlinux is ~66 MB, and dom0's /var may be RAM. */
#define KERNEL_CACHE_MAX 3
/* An entry is written only if a quarter of the filesystem and this much
 * stay free after it. */
#define KERNEL_CACHE_MIN_LEFT (128ULL << 20)

/* "vmlinux-DEV-INO-" identifies the image file, the rest its version. */
static void cache_name(const struct stat *st, const char *comp, char *name, size_t len,
		       size_t *file_prefix)
{
	int n = snprintf(name, len, "vmlinux-%llx-%llx-", (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino);

	*file_prefix = n;
	snprintf(name + n, len - n, "%llx-%lld.%09ld.%s", (unsigned long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, comp);
}

static int cache_open_dir(struct keel_ctl *k, bool create)
{
	char *dir;
	int fd;

	if (asprintf(&dir, "%s/" KERNEL_CACHE_DIR, k->state_dir) < 0)
		return -1;
	if (create) {
		mkdir(k->state_dir, 0700);
		mkdir(dir, 0700);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

/* Maps the cached vmlinux of the image @st describes, or fails. */
static int cache_lookup(struct keel_ctl *k, const char *path, const struct stat *st,
			struct keel_kernel *out)
{
	static const char *const comps[][2] = { { "xz", "bzImage (XZ)" },
						{ "gz", "bzImage (gzip)" } };
	char name[160];
	size_t prefix;
	int dfd = cache_open_dir(k, false);

	if (dfd < 0)
		return -1;
	for (size_t i = 0; i < 2; i++) {
		struct stat cst;
		void *p;
		int fd;

		cache_name(st, comps[i][0], name, sizeof(name), &prefix);
		fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		p = MAP_FAILED;
		if (!fstat(fd, &cst) && cst.st_size > 0 && (uint64_t)cst.st_size <= MAX_VMLINUX)
			p = mmap(NULL, cst.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (p == MAP_FAILED)
			break;
		memset(out, 0, sizeof(*out));
		out->elf = p;
		out->elf_len = cst.st_size;
		out->elf_mapped = true;
		out->format = comps[i][1];
		if (!parse_elf(k, path, out)) {
			close(dfd);
			return 0;
		}
		/* A damaged entry: forget it and decompress again. */
		keel_kernel_free(out);
		unlinkat(dfd, name, 0);
		break;
	}
	close(dfd);
	return -1;
}

/* Older versions of the same image file go; then the oldest entries beyond
 * KERNEL_CACHE_MAX. */
static void cache_trim(int dfd, const char *keep, size_t file_prefix)
{
	char oldest[256];
	DIR *d;
	struct dirent *e;

	for (;;) {
		time_t oldest_t = 0;
		unsigned n = 0;
		int fd = dup(dfd);

		if (fd < 0 || !(d = fdopendir(fd))) {
			if (fd >= 0)
				close(fd);
			return;
		}
		rewinddir(d);
		while ((e = readdir(d))) {
			struct stat st;

			if (strncmp(e->d_name, "vmlinux-", 8) || !strcmp(e->d_name, keep))
				continue;
			if (!strncmp(e->d_name, keep, file_prefix)) {
				unlinkat(dfd, e->d_name, 0);
				continue;
			}
			if (fstatat(dfd, e->d_name, &st, 0))
				continue;
			n++;
			if (!oldest_t || st.st_mtime < oldest_t) {
				oldest_t = st.st_mtime;
				snprintf(oldest, sizeof(oldest), "%s", e->d_name);
			}
		}
		closedir(d);
		/* An entry that cannot be removed ends the trimming. */
		if (n < KERNEL_CACHE_MAX || unlinkat(dfd, oldest, 0))
			return;
	}
}

static void cache_store(struct keel_ctl *k, const struct stat *st, const struct keel_kernel *kern)
{
	const char *comp = !strcmp(kern->format, "bzImage (XZ)") ? "xz" : "gz";
	char name[160], tmp[176];
	size_t prefix, done = 0;
	struct statvfs vfs;
	int dfd = cache_open_dir(k, true), fd;

	if (dfd < 0)
		return;
	/*
	 * Only where it leaves room: dom0's /var may be RAM, and a full
	 * filesystem would cost the guests' disk images, not just time.
	 */
	if (fstatvfs(dfd, &vfs) ||
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < kern->elf_len + KERNEL_CACHE_MIN_LEFT ||
	    ((uint64_t)vfs.f_bavail * vfs.f_frsize - kern->elf_len) * 4 <
		    (uint64_t)vfs.f_blocks * vfs.f_frsize)
		goto out;
	cache_name(st, comp, name, sizeof(name), &prefix);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (done < kern->elf_len) {
		ssize_t w = write(fd, kern->elf + done, kern->elf_len - done);

		if (w <= 0)
			break;
		done += w;
	}
	/* Renamed only when whole: a reader never sees a partial entry. */
	if (close(fd) || done != kern->elf_len || renameat(dfd, tmp, dfd, name)) {
		unlinkat(dfd, tmp, 0);
		goto out;
	}
	cache_trim(dfd, name, prefix);
out:
	close(dfd);
}

int keel_kernel_load(struct keel_ctl *k, const char *path,
		     struct keel_kernel *out)
{
	struct stat st;
	uint8_t *buf;
	size_t len;
	int ret;

	if (!stat(path, &st) && S_ISREG(st.st_mode) && !cache_lookup(k, path, &st, out))
		return 0;
	ret = keel_read_file(k, "kernel", path, &buf, &len);
	if (ret)
		return ret;
	ret = keel_kernel_parse(k, path, buf, len, out);
	/* st describes the file read unless it changed in between: then the
	 * entry's key is stale and is never looked up again. */
	if (!ret && strcmp(out->format, "ELF"))
		cache_store(k, &st, out);
	return ret;
}
