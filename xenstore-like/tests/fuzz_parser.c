// SPDX-License-Identifier: GPL-2.0-only
/* libFuzzer target: arbitrary bytes as a client's message stream (from dom0
 * or from an unprivileged domain), or as a guest's ring page with arbitrary
 * indexes, fed through the real framing, dispatcher and handlers. */
#include <stdint.h>
#include <string.h>

#include "../src/xsd.h"

static struct daemon d;
static bool ready;
static const uint8_t *feed;
static size_t feed_len, feed_off;

static ssize_t fz_recv(struct conn *c, void *buf, size_t len)
{
	(void)c;
	if (feed_off == feed_len)
		return 0;
	if (len > feed_len - feed_off)
		len = feed_len - feed_off;
	memcpy(buf, feed + feed_off, len);
	feed_off += len;
	return (ssize_t)len;
}

static ssize_t fz_send(struct conn *c, const void *buf, size_t len)
{
	(void)c;
	(void)buf;
	return (ssize_t)len;
}

static const struct transport_ops fz_transport = {
	.recv = fz_recv,
	.send = fz_send,
};

static int fz_notify(void *ctx, uint32_t port)
{
	(void)ctx;
	(void)port;
	return 0;
}

static struct ring_backend_ops fz_backend;

static void fuzz_stream(uint8_t mode)
{
	struct conn *c = conn_new(&d, &fz_transport, (mode & 1) ? 7 : 0, "fuzz");

	/* Give the unprivileged client a home it owns, as a toolstack would. */
	c->privileged = !(mode & 1);
	while (!c->dead && feed_off < feed_len) {
		size_t before = feed_off;

		conn_handle_input(c);
		daemon_sync_and_flush(&d);
		if (feed_off == before && !c->more_input)
			break;
	}
	conn_free(c);
}

static void fuzz_ring(void)
{
	static struct xenstore_domain_interface page;
	struct domain dom = { .domid = 9, .iface = &page };
	struct conn *c;
	size_t n;

	memset(&page, 0, sizeof(page));
	n = feed_len < 16 ? feed_len : 16;
	memcpy(&page.req_cons, feed, n);
	n = feed_len - n < sizeof(page.req) ? feed_len - n : sizeof(page.req);
	memcpy(page.req, feed + 16, n);
	c = conn_new(&d, &ring_transport, 9, "fuzz ring");
	c->dom = &dom;
	dom.conn = c;
	for (int i = 0; i < 8 && !c->dead && !c->broken; i++) {
		conn_handle_input(c);
		daemon_sync_and_flush(&d);
	}
	conn_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		xsd_quiet = true;
		daemon_init(&d);
		fz_backend = null_ring_backend;
		fz_backend.notify = fz_notify;
		d.rb = &fz_backend;
		store_init_root(&d.st);
		ready = true;
	}
	if (size < 1)
		return 0;
	feed = data + 1;
	feed_len = size - 1;
	feed_off = 0;
	if (data[0] & 2)
		fuzz_ring();
	else
		fuzz_stream(data[0]);
	/* Keep the tree small so every input runs at the same speed. */
	if (d.st.nodes.count > 2000 || d.watches) {
		daemon_fini(&d);
		ready = false;
	}
	return 0;
}
