# SPDX-License-Identifier: GPL-2.0-only
# Generic hypervisor libraries (hypervisor/common/lib, allocators, cmdline, PVH ELF).
# String and printf tests include the source under renamed symbols, so no _SRCS beyond the test.
UNIT_TESTS += test_string test_vsnprintf
test_string_SRCS := tests/unit/test_string.c
test_vsnprintf_SRCS := tests/unit/test_vsnprintf.c
# The tests #include their source file, so make must know it as a prerequisite.
$(BUILD)/test_string: $(ROOT)/hypervisor/common/lib/string.c
$(BUILD)/test_vsnprintf: $(ROOT)/hypervisor/common/lib/vsnprintf.c

UNIT_TESTS += test_page_alloc
test_page_alloc_SRCS := tests/unit/test_page_alloc.c hypervisor/common/page_alloc.c

UNIT_TESTS += test_xmalloc
test_xmalloc_SRCS := tests/unit/test_xmalloc.c hypervisor/common/xmalloc.c hypervisor/common/page_alloc.c

UNIT_TESTS += test_cmdline
test_cmdline_SRCS := tests/unit/test_cmdline.c hypervisor/common/cmdline.c

UNIT_TESTS += test_pvh_elf
test_pvh_elf_SRCS := tests/unit/test_pvh_elf.c hypervisor/common/pvh_elf.c
test_pvh_elf_CFLAGS := -D_GNU_SOURCE
