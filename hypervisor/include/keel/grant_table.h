/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Grant tables, version 1: per-domain table frames, the grant_table_op
 * hypercall (map, unmap, copy, sizes, version) and the add_to_physmap hook.
 */
#ifndef KEEL_GRANT_TABLE_H
#define KEEL_GRANT_TABLE_H

#include <keel/types.h>
#include <public/grant_table.h>

struct domain;
struct vcpu;

/* Table size in 4 KiB frames: a domain starts with 1 and may grow to 32. */
#define GNTTAB_INITIAL_FRAMES 1
#define GNTTAB_MAX_FRAMES 32
#define GNTTAB_ENTRIES_PER_FRAME (4096 / sizeof(grant_entry_v1_t))
/* Grant mappings one domain may hold at once (its maptrack handles). */
#define GNTTAB_MAX_MAPTRACK 65536

/*
 * Set up d's table (one zeroed frame, not yet mapped anywhere). 0 or -ENOMEM.
 * Called by domain_create() before the domain can run.
 */
int gnttab_domain_init(struct domain *d);

/*
 * Tear down d's grant state. Must run once no vCPU of d can make a hypercall
 * any more; d's own p2m is left alone (it dies with the domain).
 *  - Every mapping d holds of other domains' grants is released: the
 *    granters' pin counts drop and their GTF_reading/GTF_writing clear.
 *  - Mappings other domains hold of d's grants stay valid, as in Xen: d's
 *    table (frames and pin state) lives on, detached from d, until the last
 *    such mapping is unmapped (by its holder or by its holder's destroy).
 *    The granted RAM frames themselves are not refcounted yet: whatever code
 *    one day frees a dead domain's RAM must keep pinned frames (see the
 *    comment at struct grant_table in grant_table.c).
 * As for event channels, peers that looked d up before this started must be
 * done with their hypercalls before struct domain d is freed.
 */
void gnttab_domain_destroy(struct domain *d);

/*
 * XENMEM_add_to_physmap(space = grant_table): grow d's table to idx + 1
 * frames if needed (idx < GNTTAB_MAX_FRAMES, else -EINVAL), and map frame
 * idx at gfn in d's p2m (P2M_GRANT), removing it from where it was mapped
 * before. 0, -EINVAL (idx or gfn out of range), -ENOMEM, or arch_p2m_map's
 * error.
 */
int gnttab_map_frame(struct domain *d, unsigned long idx, u64 gfn);

/* grant_table_op (20): cmd, uop (guest virtual address of the op array), count. */
long do_grant_table_op(struct vcpu *v, u64 cmd, u64 uop, u64 count, u64 a4, u64 a5);

#endif
