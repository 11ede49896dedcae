/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which domain owns each page the allocator handed to a guest as RAM. The
 * destroy path uses it to find every mapping of a dying domain's pages in
 * other domains (dom0's foreign and grant maps) before the pages are reused.
 */
#ifndef KEEL_PAGE_OWNER_H
#define KEEL_PAGE_OWNER_H

#include <keel/types.h>
#include <public/xen.h>

#define PAGE_OWNER_NONE DOMID_INVALID

/* Once, after page_alloc_init(). -ENOMEM if the table does not fit. */
int page_owner_init(void);
void page_set_owner(paddr_t pa, domid_t owner);
/* PAGE_OWNER_NONE for pages no guest owns (or outside the allocator). */
domid_t page_get_owner(paddr_t pa);

#endif
