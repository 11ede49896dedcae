// SPDX-License-Identifier: GPL-2.0-only
/* Node permissions: the "r5"-style strings on the wire and the access a
 * connection gets from a node's owner, default and ACL entries. */
#include <stdio.h>
#include <string.h>

#include "xsd.h"

bool perm_parse(const char *s, struct xs_perm *out)
{
	uint64_t id;

	switch (s[0]) {
	case 'n':
		out->perm = PERM_NONE;
		break;
	case 'r':
		out->perm = PERM_READ;
		break;
	case 'w':
		out->perm = PERM_WRITE;
		break;
	case 'b':
		out->perm = PERM_BOTH;
		break;
	default:
		return false;
	}
	if (!parse_u64(s + 1, DOMID_LIMIT - 1, &id))
		return false;
	out->id = (uint32_t)id;
	return true;
}

int perm_format(const struct xs_perm *p, char *out, size_t len)
{
	static const char letters[] = "nrwb";

	return snprintf(out, len, "%c%u", letters[p->perm & 3], p->id);
}

static bool conn_is(const struct conn *c, uint32_t id)
{
	return c->domid == id || (c->target != DOMID_NONE && c->target == id);
}

/* The owner and privileged connections may do anything; anyone else gets
 * their ACL entry (an entry naming the device model's target counts too)
 * or, failing that, the default carried by the owner entry. */
unsigned perm_access(const struct conn *c, const struct xs_perm *p,
		     uint32_t np)
{
	unsigned acc = 0;
	bool listed = false;

	if (c->privileged)
		return PERM_BOTH;
	if (!np)
		return PERM_NONE;
	if (conn_is(c, p[0].id))
		return PERM_BOTH;
	for (uint32_t i = 1; i < np; i++) {
		if (conn_is(c, p[i].id)) {
			acc |= p[i].perm;
			listed = true;
		}
	}
	return listed ? acc : p[0].perm;
}
