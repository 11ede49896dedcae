#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Times the xz decoder on Debian's stock kernel payload. The decoder is built
# with the hypervisor's code-generation flags (minus -mcmodel=kernel, which
# cannot link into a host program); the driver is an ordinary host program.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
out=build/unit/xz-bench
mkdir -p "$out"
sh tests/unit/xz-kernel.sh build/unit/xz-fixtures/kernel
objs=""
for src in hypervisor/common/xz/*.c; do
	obj=$out/$(basename "$src" .c).o
	gcc -ffreestanding -fno-builtin -mno-red-zone -mno-sse -mno-mmx -mno-sse2 \
		-fno-pic -fno-pie -O2 -Wall -Wextra -Werror -nostdinc \
		-isystem "$(gcc -print-file-name=include)" -Ihypervisor/include \
		-c "$src" -o "$obj"
	objs="$objs $obj"
done
gcc -O2 -no-pie -Wall -Wextra -Werror -Itests/unit/harness -Ihypervisor/include \
	-o "$out/xz-bench" tests/unit/test_xz_bench.c tests/unit/harness/harness.c $objs
"$out/xz-bench" build/unit/xz-fixtures/kernel/vmlinuz "${1:-5}"
