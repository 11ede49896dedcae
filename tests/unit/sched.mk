# SPDX-License-Identifier: GPL-2.0-only
# The scheduler (hypervisor/common/sched.c) with the hypercalls that block in
# it (sched_op.c, vcpu_op.c's singleshot timer). The test #includes them to
# drive run queues, vruntimes and the scheduling loop on a fake clock; struct
# vcpu needs the x86 <asm/domain.h>.
UNIT_TESTS += test_sched
test_sched_SRCS := tests/unit/test_sched.c
test_sched_CFLAGS := -I$(ROOT)/hypervisor/arch/x86/include
$(BUILD)/test_sched: $(ROOT)/hypervisor/common/sched.c \
	$(ROOT)/hypervisor/common/sched_op.c $(ROOT)/hypervisor/common/vcpu_op.c \
	$(wildcard $(ROOT)/hypervisor/include/public/*.h) \
	$(wildcard $(ROOT)/hypervisor/arch/x86/include/asm/*.h)
