// SPDX-License-Identifier: MIT
/*
 * hvm_param: HVMOP_set_param/get_param for what a PVH Linux dom0 uses
 * (CALLBACK_IRQ, STORE_PFN) and the errors for bad index, domain, command.
 */
#include <public/hvm/hvm_op.h>
#include <public/hvm/params.h>

#include "guest.h"

#define CALLBACK_VECTOR_F3                                            \
	(((uint64_t)HVM_PARAM_CALLBACK_TYPE_VECTOR                    \
	  << HVM_PARAM_CALLBACK_TYPE_SHIFT) |                         \
	 0xf3)

static long hvm_param(unsigned int op, domid_t domid, uint32_t index,
		      uint64_t *value)
{
	struct xen_hvm_param p = {
		.domid = domid,
		.index = index,
		.value = *value,
	};
	long rc = hypercall2(__HYPERVISOR_hvm_op, op, (unsigned long)&p);

	*value = p.value;
	return rc;
}

void test_main(void)
{
	uint64_t v;

	v = CALLBACK_VECTOR_F3;
	check_eq(hvm_param(HVMOP_set_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
			   &v),
		 0, "set CALLBACK_IRQ to vector 0xF3, as Linux does");
	v = 0;
	check_eq(hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ,
			   &v),
		 0, "get CALLBACK_IRQ");
	check_eq(v, CALLBACK_VECTOR_F3, "CALLBACK_IRQ reads back");

	/* Junk in, so that "unset reads as 0" is really written. */
	v = 0x5a5a5a5a5a5a5a5aULL;
	check_eq(hvm_param(HVMOP_get_param, DOMID_SELF, HVM_PARAM_STORE_PFN,
			   &v),
		 0, "get STORE_PFN on dom0");
	check_eq(v, 0, "STORE_PFN unset reads as 0");

	v = 0;
	check_eq(hvm_param(HVMOP_get_param, DOMID_SELF, 1000, &v), -EINVAL,
		 "index 1000 (>= HVM_NR_PARAMS)");
	check_eq(hvm_param(HVMOP_set_param, DOMID_SELF, 1000, &v), -EINVAL,
		 "set index 1000");
	check_eq(hvm_param(HVMOP_get_param, 7, HVM_PARAM_STORE_PFN, &v),
		 -ESRCH, "non-existent domain 7");
	/* A whole xen_hvm_param as argument: a wrong handler must not overrun. */
	check_eq(hvm_param(1000, DOMID_SELF, HVM_PARAM_STORE_PFN, &v), -ENOSYS,
		 "unknown hvm_op 1000");
	check_eq(hypercall2(__HYPERVISOR_hvm_op, HVMOP_get_param,
			    (unsigned long)unmapped_page),
		 -EFAULT, "argument at an unmapped address");
}
