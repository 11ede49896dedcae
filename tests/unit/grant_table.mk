# SPDX-License-Identifier: GPL-2.0-only
# v1 grant tables (hypervisor/common/grant_table.c). The test #includes the
# source to check pins, locks and the maptrack from inside; struct domain
# needs the x86 <asm/domain.h>.
UNIT_TESTS += test_grant_table
test_grant_table_SRCS := tests/unit/test_grant_table.c
test_grant_table_CFLAGS := -I$(ROOT)/hypervisor/arch/x86/include
$(BUILD)/test_grant_table: $(ROOT)/hypervisor/common/grant_table.c \
	$(wildcard $(ROOT)/hypervisor/include/public/*.h) \
	$(wildcard $(ROOT)/hypervisor/arch/x86/include/asm/*.h)
