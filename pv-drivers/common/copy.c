// SPDX-License-Identifier: GPL-2.0-only
/* Batches of grant copies: built while requests are parsed, issued with
 * one IOCTL_GNTDEV_GRANT_COPY (or the test fake's equivalent). */
#include <errno.h>
#include <stdlib.h>

#include "kb_xenif.h"

#define PAGE_BYTES 4096u

int kb_copy_batch_init(struct kb_copy_batch *b, unsigned cap)
{
	b->segs = calloc(cap, sizeof(*b->segs));
	b->n = 0;
	b->cap = b->segs ? cap : 0;
	return b->segs ? 0 : -ENOMEM;
}

void kb_copy_batch_free(struct kb_copy_batch *b)
{
	free(b->segs);
	b->segs = NULL;
	b->n = b->cap = 0;
}

static struct kb_copy_seg *add(struct kb_copy_batch *b, uint16_t offset, uint16_t len, int *idx)
{
	struct kb_copy_seg *s;

	if ((unsigned)offset + len > PAGE_BYTES || !len) {
		*idx = -EINVAL;
		return NULL;
	}
	if (b->n == b->cap) {
		*idx = -ENOSPC;
		return NULL;
	}
	*idx = (int)b->n;
	s = &b->segs[b->n++];
	s->len = len;
	s->status = GNTST_general_error;
	return s;
}

int kb_copy_from_guest(struct kb_copy_batch *b, uint16_t domid, uint32_t gref, uint16_t offset,
		       void *dst, uint16_t len)
{
	int idx;
	struct kb_copy_seg *s = add(b, offset, len, &idx);

	if (!s)
		return idx;
	s->source.foreign.ref = gref;
	s->source.foreign.offset = offset;
	s->source.foreign.domid = domid;
	s->dest.virt = dst;
	s->flags = GNTCOPY_source_gref;
	return idx;
}

int kb_copy_to_guest(struct kb_copy_batch *b, uint16_t domid, uint32_t gref, uint16_t offset,
		     const void *src, uint16_t len)
{
	int idx;
	struct kb_copy_seg *s = add(b, offset, len, &idx);

	if (!s)
		return idx;
	s->source.virt = (void *)src;
	s->dest.foreign.ref = gref;
	s->dest.foreign.offset = offset;
	s->dest.foreign.domid = domid;
	s->flags = GNTCOPY_dest_gref;
	return idx;
}

unsigned kb_copy_batch_run(struct kb_copy_batch *b, struct kb_xenif *x)
{
	unsigned bad = 0;

	if (!b->n)
		return 0;
	if (x->ops->copy(x, b->segs, b->n) < 0) {
		for (unsigned i = 0; i < b->n; i++)
			b->segs[i].status = GNTST_general_error;
		return b->n;
	}
	for (unsigned i = 0; i < b->n; i++)
		bad += b->segs[i].status != GNTST_okay;
	return bad;
}

const char *kb_gntst_str(int16_t status)
{
	switch (status) {
	case GNTST_okay:
		return "okay";
	case GNTST_general_error:
		return "general error";
	case GNTST_bad_domain:
		return "bad domain";
	case GNTST_bad_gntref:
		return "bad grant reference";
	case GNTST_bad_handle:
		return "bad handle";
	case GNTST_bad_virt_addr:
		return "bad virtual address";
	case GNTST_bad_dev_addr:
		return "bad device address";
	case GNTST_no_device_space:
		return "no device space";
	case GNTST_permission_denied:
		return "permission denied";
	case GNTST_bad_page:
		return "bad page";
	case GNTST_bad_copy_arg:
		return "bad copy argument";
	case GNTST_address_too_big:
		return "address too big";
	case GNTST_eagain:
		return "try again";
	case GNTST_no_space:
		return "no space";
	default:
		return "unknown grant status";
	}
}
