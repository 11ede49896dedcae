/* SPDX-License-Identifier: GPL-2.0-only */
/* In-process keelstored for unit tests: a daemon with the fake ring backend,
 * socketpair clients and simulated guest rings, pumped by hand. */
#ifndef KEELSTORED_TEST_HARNESS_H
#define KEELSTORED_TEST_HARNESS_H

#include "../src/xsd.h"
#include "../src/backend_fake.h"

struct msg {
	struct xsd_sockmsg h;
	char data[XENSTORE_PAYLOAD_MAX + 1];
};

struct th {
	struct daemon d;
	char dir[64];
};

struct guest {
	uint32_t domid, port;
	struct xenstore_domain_interface *ring;
	char dir[64];
};

void th_init(struct th *t);
void th_fini(struct th *t);
void th_pump(struct th *t);
int th_client(struct th *t);
void th_send(int fd, uint32_t type, uint32_t req_id, uint32_t tx,
	     const void *p, size_t len);
/* Next message (pumping first); false if none within the pumps. */
bool th_recv(struct th *t, int fd, struct msg *m);
/* Request and its reply, skipping (and counting) watch events. */
void th_req(struct th *t, int fd, uint32_t type, uint32_t tx, const void *p,
	    size_t len, struct msg *m);
/* Shorthands: returns the reply payload, or the error name. */
const char *th_do(struct th *t, int fd, uint32_t type, uint32_t tx,
		  const char *a, const char *b);
const char *th_write(struct th *t, int fd, uint32_t tx, const char *path,
		     const char *val);

void guest_create(struct th *t, struct guest *g, uint32_t domid,
		  uint32_t port);
void guest_send(struct th *t, struct guest *g, uint32_t type, uint32_t req_id,
		uint32_t tx, const void *p, size_t len);
void guest_raw(struct th *t, struct guest *g, const void *p, size_t len);
bool guest_recv(struct th *t, struct guest *g, struct msg *m);
const char *guest_do(struct th *t, struct guest *g, uint32_t type,
		     const char *a, const char *b);

#endif
