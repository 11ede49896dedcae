# SPDX-License-Identifier: GPL-2.0-only
# XZ/LZMA2 decoder (hypervisor/common/xz). Fixtures are made at run time by
# the test itself with xz(1) into build/unit/xz-fixtures; the Debian kernel
# .deb is cached in build/cache by xz-kernel.sh.
UNIT_TESTS += test_xz
test_xz_SRCS := tests/unit/test_xz.c $(patsubst $(ROOT)/%,%,$(sort $(wildcard $(ROOT)/hypervisor/common/xz/*.c)))
$(BUILD)/test_xz: $(wildcard $(ROOT)/hypervisor/common/xz/*.h)
