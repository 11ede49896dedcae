/* SPDX-License-Identifier: MIT */
/* hvm_op hypercall (34): sub-commands and argument layouts. */
#ifndef KEEL_PUBLIC_HVM_OP_H
#define KEEL_PUBLIC_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVMOP_pagetable_dying 9
#define HVMOP_get_mem_type 15
#define HVMOP_set_evtchn_upcall_vector 23

struct xen_hvm_param {
	domid_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};
KEEL_ABI_ASSERT_SIZE(struct xen_hvm_param, 16);

#endif
