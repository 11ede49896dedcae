// SPDX-License-Identifier: GPL-2.0-only
/* The backend side of a guest's PV console ring (struct xencons_interface):
 * drain what the guest wrote, queue what the user typed. */
#include <errno.h>

#include "keelctrl.h"

int keel_cons_read(volatile struct keel_cons_ring *r, char *buf, size_t len)
{
	uint32_t cons = r->out_cons, prod = r->out_prod;
	size_t n = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(r->out)) {
		/* A guest bug or attack: drop everything and go on. */
		r->out_cons = prod;
		return -EIO;
	}
	while (cons != prod && n < len)
		buf[n++] = r->out[cons++ & (sizeof(r->out) - 1)];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->out_cons = cons;
	return (int)n;
}

size_t keel_cons_write(volatile struct keel_cons_ring *r, const char *buf,
		       size_t len)
{
	uint32_t cons = r->in_cons, prod = r->in_prod;
	size_t n = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (prod - cons > sizeof(r->in))
		return 0;
	while (n < len && prod - cons < sizeof(r->in))
		r->in[prod++ & (sizeof(r->in) - 1)] = buf[n++];
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->in_prod = prod;
	return n;
}
