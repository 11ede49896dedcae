// SPDX-License-Identifier: GPL-2.0-only
/* Plays a guest against a keelstored started with --rings=fake:DIR, across a
 * kill -9 of the daemon: "setup" introduces the domain and registers a watch
 * over its ring; "after" (once the daemon was restarted) checks that the
 * ring was re-attached and the watch kept. Usage: fake_guest DIR DOMID PHASE */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "keelstore.h"
#include "../src/backend_fake.h"

#define PORT 3U

static struct xenstore_domain_interface *ring;
static const char *dir;
static uint32_t domid;

static void fail(const char *what)
{
	fprintf(stderr, "fake_guest dom%u: FAILED: %s\n", domid, what);
	exit(1);
}

static void notify(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint32_t msg[2] = { domid, PORT };
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir, FAKE_DAEMON_SOCK);
	sendto(fd, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
}

static void ring_put(const void *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		for (int t = 0; ring->req_prod - ring->req_cons == XENSTORE_RING_SIZE; t++) {
			if (t > 5000)
				fail("daemon does not consume the request ring");
			notify();
			usleep(1000);
		}
		ring->req[MASK_XENSTORE_IDX(ring->req_prod)] = ((const char *)p)[i];
		__atomic_store_n(&ring->req_prod, ring->req_prod + 1, __ATOMIC_RELEASE);
	}
	notify();
}

static void ring_get(void *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		for (int t = 0; __atomic_load_n(&ring->rsp_prod, __ATOMIC_ACQUIRE) ==
				ring->rsp_cons; t++) {
			if (t > 5000)
				fail("no response on the ring");
			usleep(1000);
		}
		((char *)p)[i] = ring->rsp[MASK_XENSTORE_IDX(ring->rsp_cons)];
		ring->rsp_cons++;
	}
	notify();
}

/* One request; returns the reply (static), skipping watch events unless
 * want_event, in which case the next event is returned. */
static const char *talk(uint32_t type, const char *a, size_t alen, bool want_event)
{
	static uint32_t req_id = 100;
	static char data[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg h = { type, ++req_id, 0, (uint32_t)alen };

	if (type != XS_WATCH_EVENT) {
		ring_put(&h, sizeof(h));
		ring_put(a, alen);
	}
	for (;;) {
		ring_get(&h, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			fail("oversized reply");
		ring_get(data, h.len);
		data[h.len] = '\0';
		if ((h.type == XS_WATCH_EVENT) == want_event)
			return data;
	}
}

int main(int argc, char **argv)
{
	struct ks_handle *h;
	char path[256], home[64];
	const char *r;
	int fd, rc;
	bool yes;

	if (argc != 4)
		return 2;
	dir = argv[1];
	domid = (uint32_t)atoi(argv[2]);
	snprintf(path, sizeof(path), "%s/ring-%u", dir, domid);
	snprintf(home, sizeof(home), "/local/domain/%u", domid);
	if ((rc = ks_open(NULL, &h)))
		fail("cannot connect to the daemon's socket");

	if (!strcmp(argv[3], "setup")) {
		struct ks_perm p = { domid, KS_PERM_NONE };

		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, FAKE_PAGE_SIZE) < 0)
			fail("cannot create the ring page file");
		ring = mmap(NULL, FAKE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (ks_mkdir(h, KS_NO_TXN, home) || ks_set_perms(h, KS_NO_TXN, home, &p, 1))
			fail("toolstack part: cannot create the domain's home");
		if ((rc = ks_introduce(h, domid, 1, PORT)))
			fail("INTRODUCE refused");
		if (strcmp(talk(XS_WRITE, "name\0guest", 10, false), "OK"))
			fail("write over the ring");
		if (strcmp(talk(XS_WATCH, "w\0tok", 6, false), "OK"))
			fail("watch over the ring");
		if (strcmp(talk(XS_WATCH_EVENT, NULL, 0, true), "w"))
			fail("initial watch event");
		printf("fake_guest dom%u: introduced, wrote, watching\n", domid);
	} else {
		fd = open(path, O_RDWR);
		if (fd < 0)
			fail("ring page file is gone");
		ring = mmap(NULL, FAKE_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (ks_is_domain_introduced(h, domid, &yes) || !yes)
			fail("domain no longer introduced after restart");
		r = talk(XS_READ, "name", 5, false);
		if (strcmp(r, "guest"))
			fail("read over the re-attached ring");
		snprintf(path, sizeof(path), "%s/w/x", home);
		if (ks_write(h, KS_NO_TXN, path, "1", 1))
			fail("dom0 write");
		if (strcmp(talk(XS_WATCH_EVENT, NULL, 0, true), "w/x"))
			fail("watch event after restart");
		printf("fake_guest dom%u: ring re-attached, data and watch kept\n", domid);
	}
	ks_close(h);
	return 0;
}
