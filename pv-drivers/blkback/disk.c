// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback's backing stores: a raw image file (file:) or a dom0 block
 * device (phy:), through the page cache; flush is fdatasync, discard punches
 * a hole (file) or issues BLKDISCARD (device). */
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
		close(disk->fd);
		free(disk->path);
		disk->path = NULL;
	}
}

int blk_disk_read(struct blk_disk *disk, void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(disk->fd, buf, len, (off_t)off);

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
	}
	return 0;
}

int blk_disk_write(struct blk_disk *disk, const void *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pwrite(disk->fd, buf, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf = (const uint8_t *)buf + n;
		len -= (size_t)n;
		off += (uint64_t)n;
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
