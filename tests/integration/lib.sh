# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the QEMU end-to-end tests. Every QEMU run has a timeout
# and keeps its serial log under build/integration/ for diagnosis.

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
logs=$build/integration
mkdir -p "$logs"
failures=0
passes=0

# QEMU exit status with isa-debug-exit: (code << 1) | 1; codes from keel/setup.h
EXIT_POWEROFF=1
EXIT_REBOOT=3
EXIT_CRASH=5
EXIT_PANIC=7

pass() {
	passes=$((passes + 1))
	echo "PASS $1"
}

fail() {
	failures=$((failures + 1))
	echo "FAIL $1"
	shift
	for f in "$@"; do
		echo "---- last lines of $f"
		tail -40 "$f" | sed 's/^/    /'
	done
}

# keel_boot NAME TIMEOUT KEEL_ARGS MODULES [extra qemu args...]
# Boots build/keel with -kernel (multiboot1). Sets $log and $rc.
keel_boot() {
	name=$1
	t=$2
	args=$3
	mods=$4
	shift 4
	log=$logs/$name.log
	rm -f "$log"
	timeout "$t" qemu-system-x86_64 -M q35 -cpu EPYC -m 512 -smp 2 -display none \
		-no-reboot -monitor none -serial "file:$log" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel "$build/keel" -append "$args" -initrd "$mods" "$@" </dev/null
	rc=$?
}

summary() {
	echo "integration: $passes passed, $failures failed"
	[ "$failures" -eq 0 ]
}
