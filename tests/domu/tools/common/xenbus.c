// SPDX-License-Identifier: GPL-2.0-only
/* One device of a hostile frontend on xenbus: its directories, the
 * backend's state as it moves (read and checked, never trusted), ours, and
 * the handshakes a backend must refuse. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "front.h"

const char *xb_path(const char *dir, const char *key)
{
	static char buf[4][192];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", dir, key);
	return b;
}

int xb_init(struct xb_dev *x, const char *type, unsigned devid)
{
	unsigned long id;

	memset(x, 0, sizeof(*x));
	x->devid = devid;
	snprintf(x->fe, sizeof(x->fe), "device/%s/%u", type, devid);
	x->be = xs_read(xb_path(x->fe, "backend"));
	if (!x->be || xs_read_uint(xb_path(x->fe, "backend-id"), &id) || id > 0x7fef) {
		printf("%s: no backend or backend-id: %s\n", x->fe, strerror(errno));
		return -1;
	}
	x->backend_id = (uint16_t)id;
	return 0;
}

int xb_backend_state(const struct xb_dev *x)
{
	unsigned long s;

	return xs_read_uint(xb_path(x->be, "state"), &s) || s > 8 ? -1 : (int)s;
}

int xb_wait_backend(const struct xb_dev *x, bool (*want)(int), int timeout_s)
{
	long end = now_ms() + timeout_s * 1000L;

	do {
		int s = xb_backend_state(x);

		if (want(s))
			return s;
		usleep(50000);
	} while (now_ms() < end);
	return -1;
}

int xb_switch_state(const struct xb_dev *x, int state)
{
	char s[8];

	snprintf(s, sizeof(s), "%d", state);
	return xs_write(xb_path(x->fe, "state"), s);
}

bool xb_is_initwait(int s)
{
	return s == 2;
}

bool xb_is_closed(int s)
{
	return s == 6;
}

bool xb_is_closing_or_closed(int s)
{
	return s == 5 || s == 6;
}

bool xb_is_settled(int s)
{
	return s >= 4;
}

int xb_write_pairs(const struct xb_dev *x, const char *const *kv)
{
	for (; kv && kv[0]; kv += 2)
		if (kv[1] ? xs_write(xb_path(x->fe, kv[0]), kv[1]) : xs_rm(xb_path(x->fe, kv[0])))
			return -1;
	return 0;
}

int xb_restart(const struct xb_dev *x, int timeout_s)
{
	xb_switch_state(x, 6);
	if (xb_wait_backend(x, xb_is_closed, timeout_s) < 0) {
		printf("%s: backend state %d after our Closed\n", x->fe, xb_backend_state(x));
		return -1;
	}
	xb_switch_state(x, 1);
	if (xb_wait_backend(x, xb_is_initwait, timeout_s) < 0) {
		printf("%s: backend state %d after our Initialising\n", x->fe,
		       xb_backend_state(x));
		return -1;
	}
	return 0;
}

static bool is_own_key(const char *key, const char *const *own)
{
	for (; *own; own++)
		if (!strcmp(key, *own))
			return true;
	return false;
}

void xb_refused_handshake(const char *name, struct xb_dev *x,
			  int (*offer)(void *dev, const char *const *kv), void *dev,
			  const char *const *kv, const char *const *own_keys)
{
	char *err;
	int s, closed, initwait;

	if (offer(dev, kv)) {
		report(name, false, "could not offer a ring");
		return;
	}
	s = xb_wait_backend(x, xb_is_settled, 30);
	err = xs_read(xb_path(x->be, "error"));
	for (const char *const *k = kv; k[0]; k += 2)
		if (!is_own_key(k[0], own_keys))
			xs_rm(xb_path(x->fe, k[0]));
	xb_switch_state(x, 6);
	closed = xb_wait_backend(x, xb_is_closed, 30);
	xb_switch_state(x, 1);
	initwait = xb_wait_backend(x, xb_is_initwait, 30);
	report(name, (s == 5 || s == 6) && closed == 6 && initwait == 2,
	       "%s=%s backend-state=%d error='%s' then closed=%d initwait=%d", kv[0],
	       kv[1] ? kv[1] : "(removed)", s, err ? err : "", closed, initwait);
	free(err);
}
