#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make run`: boots build/keel.iso in QEMU (TCG, AMD SVM) on this terminal's
# serial console. Quit QEMU with Ctrl-A X.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
exec qemu-system-x86_64 -M q35 -cpu EPYC -smp 2 -m 2048 -nographic -no-reboot \
	-cdrom "$root/build/keel.iso" -boot d
