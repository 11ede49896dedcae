# SPDX-License-Identifier: GPL-2.0-only
# Guest memory copies (hypervisor/common/guest_access.c) over a faked page
# walk and p2m; struct vcpu needs the x86 <asm/domain.h>.
UNIT_TESTS += test_guest_access
test_guest_access_SRCS := tests/unit/test_guest_access.c hypervisor/common/guest_access.c
test_guest_access_CFLAGS := -I$(ROOT)/hypervisor/arch/x86/include
