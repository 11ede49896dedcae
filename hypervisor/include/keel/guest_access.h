/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The only way hypervisor code touches guest memory: copies that walk the
 * guest's page tables and its p2m, and return -EFAULT instead of faulting.
 */
#ifndef KEEL_GUEST_ACCESS_H
#define KEEL_GUEST_ACCESS_H

#include <keel/types.h>

struct vcpu;
struct domain;

/* By guest virtual address, under the vCPU's current paging mode. */
int copy_from_guest(struct vcpu *v, void *dst, gvaddr_t src, size_t len);
int copy_to_guest(struct vcpu *v, gvaddr_t dst, const void *src, size_t len);
/*
 * Between these two calls, on the calling vCPU's own behalf, copies by
 * virtual address remember the last page's translation (not its p2m entry,
 * which is looked up afresh every time): for a hypercall that reads a long
 * array of ops and writes back each one's status. Like a TLB, it assumes
 * the guest does not remap its arguments while the hypercall runs on them.
 */
void guest_walk_cache_begin(struct vcpu *v);
void guest_walk_cache_end(struct vcpu *v);
/* By guest physical address. */
int copy_from_guest_phys(struct domain *d, void *dst, gpaddr_t src, size_t len);
int copy_to_guest_phys(struct domain *d, gpaddr_t dst, const void *src, size_t len);
/* Write zeros (src NULL) or bytes; used by the domain builder. */
int fill_guest_phys(struct domain *d, gpaddr_t dst, const void *src, size_t len);

#endif
