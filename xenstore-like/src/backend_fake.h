/* SPDX-License-Identifier: GPL-2.0-only */
/* The file/socket-based fake of /dev/xen, shared by the daemon (--rings=fake)
 * and by tests that play the guest's side. */
#ifndef KEELSTORED_BACKEND_FAKE_H
#define KEELSTORED_BACKEND_FAKE_H

#include "xsd.h"

#define FAKE_PAGE_SIZE 4096U
#define FAKE_DAEMON_SOCK "xenstored.evtchn"
/* A guest "notifies" by sending {domid, its port} to FAKE_DAEMON_SOCK; the
 * kernel ring uses this pseudo domid and port. */
#define FAKE_KERNEL_DOMID 0xfffffffeU
#define FAKE_KERNEL_PORT 1U
/* Binding this remote port fails, to test INTRODUCE's error path. */
#define FAKE_BAD_PORT 0xdeadU

extern const struct ring_backend_ops fake_ring_backend;
void *fake_ring_backend_open(const char *dir, const char **err);
void fake_ring_backend_close(void *ctx);

#endif /* KEELSTORED_BACKEND_FAKE_H */
