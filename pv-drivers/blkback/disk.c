// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback's backing stores: a raw image file (file:) or a dom0 block
 * device (phy:). Whole-page requests use direct I/O where the store allows
 * it (not on tmpfs, say): the data then crosses dom0 once, by DMA into our
 * buffer, instead of once more through the page cache, and a 4 KiB random
 * read does not pull a readahead window in behind it. Everything else goes
 * through the page cache on a second descriptor; Linux keeps the two views
 * of the file coherent. Flush is fdatasync, discard punches a hole (file) or
 * issues BLKDISCARD (device). */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blkback.h"

int blk_disk_open(struct blk_disk *disk, const char *path, bool readonly, uint32_t domid,
		  uint32_t devid)
{
	struct stat st;
	int err;

	memset(disk, 0, sizeof(*disk));
	disk->dfd = -1;
	disk->fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (disk->fd < 0) {
		err = -errno;
		kb_log_dev(KB_ERR, domid, "vbd", devid, "cannot open %s%s: %s", path,
			   readonly ? " read-only" : " read-write", strerror(errno));
		return err;
	}
	if (fstat(disk->fd, &st) < 0)
		goto err_errno;
	disk->readonly = readonly;
	disk->physical_sector_size = 512;
	if (S_ISBLK(st.st_mode)) {
		uint64_t bytes;
		unsigned pbs;

		if (ioctl(disk->fd, BLKGETSIZE64, &bytes) < 0)
			goto err_errno;
		disk->is_bdev = true;
		disk->sectors = bytes / BLKIF_SECTOR_SIZE;
		if (!ioctl(disk->fd, BLKPBSZGET, &pbs) && pbs >= 512 && pbs <= 65536)
			disk->physical_sector_size = pbs;
	} else if (S_ISREG(st.st_mode)) {
		disk->sectors = (uint64_t)st.st_size / BLKIF_SECTOR_SIZE;
	} else {
		kb_log_dev(KB_ERR, domid, "vbd", devid,
			   "%s is neither a regular file nor a block device", path);
		close(disk->fd);
		return -EINVAL;
	}
	disk->path = strdup(path);
	if (!disk->path) {
		close(disk->fd);
		return -ENOMEM;
	}
	disk->dfd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_DIRECT);
	disk->direct = disk->dfd >= 0;
	if (disk->dfd < 0)
		kb_log_dev(KB_INFO, domid, "vbd", devid, "%s: no direct I/O (%s); using the page cache",
			   path, strerror(errno));
	return 0;

err_errno:
	err = -errno;
	kb_log_dev(KB_ERR, domid, "vbd", devid, "cannot size %s: %s", path, strerror(errno));
	close(disk->fd);
	return err;
}

void blk_disk_close(struct blk_disk *disk)
{
	if (disk->path) {
		if (disk->dfd >= 0)
			close(disk->dfd);
		disk->dfd = -1;
		disk->direct = false;
		close(disk->fd);
		free(disk->path);
		disk->path = NULL;
	}
}

#define DIRECT_ALIGN 4096u

/* The descriptor for this transfer: direct when everything is page-aligned. */
static int fd_for(const struct blk_disk *disk, const void *buf, size_t len, uint64_t off)
{
	if (__atomic_load_n(&disk->direct, __ATOMIC_RELAXED) &&
	    !(((uintptr_t)buf | len | off) & (DIRECT_ALIGN - 1)))
		return disk->dfd;
	return disk->fd;
}

/* A direct transfer the store refused (EINVAL: an alignment it wants
 * larger than a page): this and every later one go through the page cache.
 * (Other queues may be using dfd: it stays open until the disk closes.) */
static bool direct_refused(struct blk_disk *disk, int fd)
{
	if (fd != disk->dfd || errno != EINVAL)
		return false;
	if (__atomic_exchange_n(&disk->direct, false, __ATOMIC_RELAXED))
		kb_log(KB_WARN, "%s: direct I/O refused (%s); using the page cache from now on",
		       disk->path, strerror(EINVAL));
	return true;
}

int blk_disk_read(struct blk_disk *disk, void *buf, size_t len, uint64_t off)
{
	int fd = fd_for(disk, buf, len, off);

	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0 && direct_refused(disk, fd)) {
			fd = disk->fd;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0) {
			/* A file shrunk under us: zeros, as a sparse tail. */
			memset(buf, 0, len);
			return 0;
		}
		buf = (uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
		fd = fd_for(disk, buf, len, off);
	}
	return 0;
}

int blk_disk_write(struct blk_disk *disk, const void *buf, size_t len, uint64_t off)
{
	int fd = fd_for(disk, buf, len, off);

	while (len) {
		ssize_t n = pwrite(fd, buf, len, (off_t)off);

		if (n < 0 && direct_refused(disk, fd)) {
			fd = disk->fd;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
		fd = fd_for(disk, buf, len, off);
	}
	return 0;
}

int blk_disk_flush(struct blk_disk *disk)
{
	return fdatasync(disk->fd) < 0 ? -errno : 0;
}

int blk_disk_discard(struct blk_disk *disk, uint64_t off, uint64_t len)
{
	if (disk->is_bdev) {
		uint64_t range[2] = { off, len };

		return ioctl(disk->fd, BLKDISCARD, range) < 0 ? -errno : 0;
	}
	return fallocate(disk->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
			 (off_t)len) < 0 ?
		       -errno :
		       0;
}
