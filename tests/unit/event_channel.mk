# SPDX-License-Identifier: GPL-2.0-only
# 2-level event channels (hypervisor/common/event_channel.c). The test
# #includes the source so it can check lock and link invariants from inside;
# struct domain needs the x86 <asm/domain.h>.
UNIT_TESTS += test_event_channel
test_event_channel_SRCS := tests/unit/test_event_channel.c
test_event_channel_CFLAGS := -I$(ROOT)/hypervisor/arch/x86/include
$(BUILD)/test_event_channel: $(ROOT)/hypervisor/common/event_channel.c \
	$(wildcard $(ROOT)/hypervisor/include/public/*.h) \
	$(wildcard $(ROOT)/hypervisor/arch/x86/include/asm/*.h)
