// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs in dom0: asks the hypervisor for its version through
 * /dev/xen/privcmd (IOCTL_PRIVCMD_HYPERCALL, xen_version), and checks that
 * /dev/xen/evtchn and /dev/xen/gntdev open. Exit status 0 only if all work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IOCTL_PRIVCMD_HYPERCALL 0x305000UL
#define HYPERVISOR_xen_version 17
#define XENVER_version 0
#define XENVER_extraversion 1

struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
};

static long hypercall(int fd, uint64_t op, uint64_t a0, uint64_t a1)
{
	struct privcmd_hypercall hc = { .op = op, .arg = { a0, a1 } };

	return ioctl(fd, IOCTL_PRIVCMD_HYPERCALL, &hc);
}

static int try_open(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0) {
		fprintf(stderr, "xen-version: cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("xen-version: %s opens\n", path);
	close(fd);
	return 0;
}

int main(void)
{
	char extra[16] = "";
	long ver;
	int fd = open("/dev/xen/privcmd", O_RDWR);
	int bad = 0;

	if (fd < 0) {
		fprintf(stderr, "xen-version: cannot open /dev/xen/privcmd: %s\n", strerror(errno));
		return 1;
	}
	ver = hypercall(fd, HYPERVISOR_xen_version, XENVER_version, 0);
	if (ver < 0) {
		fprintf(stderr, "xen-version: xen_version failed: %s\n", strerror(errno));
		return 1;
	}
	/* the buffer is a user address: the hypervisor walks dom0's page tables */
	if (hypercall(fd, HYPERVISOR_xen_version, XENVER_extraversion, (uintptr_t)extra) < 0) {
		fprintf(stderr, "xen-version: extraversion failed: %s\n", strerror(errno));
		return 1;
	}
	extra[sizeof(extra) - 1] = '\0';
	printf("xen-version: hypervisor %ld.%ld%s\n", ver >> 16, ver & 0xffff, extra);
	close(fd);
	bad |= try_open("/dev/xen/evtchn");
	bad |= try_open("/dev/xen/gntdev");
	return bad;
}
