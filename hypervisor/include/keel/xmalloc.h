/* SPDX-License-Identifier: GPL-2.0-only */
/* The hypervisor heap: small objects from per-size slabs, big ones from whole pages. */
#ifndef KEEL_XMALLOC_H
#define KEEL_XMALLOC_H

#include <keel/types.h>

/* Results are 16-byte aligned; NULL when memory runs out. xmalloc(0) returns a freeable object. */
void *xmalloc(size_t size);
void *xzalloc(size_t size);
/* xfree(NULL) does nothing; a pointer the heap did not hand out, or a double free, panics. */
void xfree(void *p);

#endif
