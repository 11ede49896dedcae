#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Boots build/dom0/{vmlinuz,initrd.img} straight under QEMU (no hypervisor) and
# checks the dom0 initramfs: modules, smoke test, shell, power-off. Logs: build/dom0/test/.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
img=$root/build/dom0
logs=$img/test
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-90}
mkdir -p "$logs"
for f in vmlinuz initrd.img modules.order; do
	[ -s "$img/$f" ] || {
		echo "boot-native: $img/$f missing: run dom0-linux-patches/build-dom0.sh first" >&2
		exit 1
	}
done
command -v mke2fs >/dev/null || {
	echo "boot-native: mke2fs not found: install e2fsprogs" >&2
	exit 1
}

passes=0
failures=0
pass() {
	passes=$((passes + 1))
	echo "PASS $1"
}
fail() {
	failures=$((failures + 1))
	echo "FAIL $1"
	echo "---- last lines of $log"
	tail -n 40 "$log" | sed 's/^/    /'
}
# check DESCRIPTION FIXED-STRING: the log of the current boot has the line.
check() {
	if grep -qF -- "$2" "$log"; then
		pass "$name: $1"
	else
		fail "$name: $1 (no '$2' in the log)"
	fi
}
check_absent() {
	if grep -qF -- "$2" "$log"; then
		fail "$name: $1 (found '$2' in the log)"
	else
		pass "$name: $1"
	fi
}

# boot NAME APPEND [extra qemu args]: sets $log, $rc, $secs. QEMU's stdin is
# $input (default: nothing).
input=/dev/null
boot() {
	name=$1
	append=$2
	shift 2
	log=$logs/$name.log
	start=$(date +%s)
	rc=0
	timeout "$TIMEOUT" "$QEMU" -M q35 -cpu EPYC -m 1024 -nographic -no-reboot \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$append" \
		"$@" <"$input" >"$log" 2>&1 || rc=$?
	secs=$(($(date +%s) - start))
	echo "     $name: QEMU exit $rc after ${secs}s, log $log"
}
# QEMU exits 0 when the guest powers off under -no-reboot; timeout gives 124.
check_poweroff() {
	if [ "$rc" -eq 0 ] && grep -q 'reboot: Power down' "$log"; then
		pass "$name: powers off, QEMU exits ($secs s)"
	else
		fail "$name: want power-off and QEMU exit 0, got exit $rc (124 = timeout after ${TIMEOUT}s)"
	fi
}

kver=$(ls "$img/kernel-tree/lib/modules")

# 1. keel.test=smoke with a virtio disk (ext4, a per-run token in a file) and
#    a virtio NIC: every non-Xen module loads, Xen ones fail with ENODEV.
token=keel-smoke-$$-$(date +%s)
disk=$logs/smoke-disk.img
files=$logs/smoke-files
rm -rf "$files" "$disk"
mkdir -p "$files"
echo "$token" >"$files/hello.txt"
mke2fs -q -t ext4 -L keel-smoke -d "$files" "$disk" 8M >/dev/null
boot smoke "console=ttyS0 loglevel=4 keel.test=smoke" \
	-drive "file=$disk,if=none,format=raw,id=d0,readonly=on" -device virtio-blk-pci,drive=d0 \
	-netdev user,id=n0 -device virtio-net-pci,netdev=n0
check "init ran and printed its banner" "Keel dom0 initramfs: Linux $kver"
while read -r path; do
	m=${path##*/}
	m=${m%.ko}
	case $m in
	xen*)
		check "$m fails natively with ENODEV (reported by name)" "keel-init: module $m: load failed"
		;;
	*)
		if grep -q "^keel-init: loaded: .*\<$m " "$log"; then
			pass "$name: $m loads"
		else
			fail "$name: $m did not load (not in the 'keel-init: loaded:' line)"
		fi
		;;
	esac
done <"$img/modules.order"
for m in virtio_pci virtio_blk virtio_net ext4; do
	check "smoke sees $m loaded" "smoke: module $m: loaded"
done
check "smoke reports the Xen modules' failure as expected" "smoke: module xen_evtchn: not loaded, expected without a hypervisor"
check "ext4 on virtio-blk mounts and reads back this run's token" "smoke: ext4 on /dev/vda: mounted, hello.txt: $token"
check "virtio-net has an interface" "driver virtio_net"
check "smoke test passes" "KEEL-DOM0-TEST: PASS smoke"
check_poweroff

# 2. A test that does not exist must be reported as a failure, then power off.
#    This boot takes the default dom0 command line (dom0-linux-patches/cmdline)
#    with the console moved to ttyS0; earlyprintk=xen is dropped because it
#    hangs a kernel that runs without Xen (it issues console_io hypercalls).
cmdline=$(cat "$root/dom0-linux-patches/cmdline")
native_cmdline=$(echo "$cmdline" | sed 's/ *earlyprintk=xen//')
boot missing-test "$native_cmdline console=ttyS0 keel.test=no-such-test"
check "the default command line reaches the kernel" "Kernel command line: $native_cmdline console=ttyS0"
check "an unknown keel.test is a failure" "KEEL-DOM0-TEST: FAIL no-such-test"
check_poweroff

# 3. Without keel.test: an interactive shell with job control on the console.
#    Commands go in once the shell is up; the shell powers the machine off.
fifo=$logs/shell.in
rm -f "$fifo"
mkfifo "$fifo"
log=$logs/shell.log
: >"$log"
(
	exec 3>"$fifo"
	i=0
	while ! grep -q 'keel-init: starting a shell' "$log" && [ $i -lt $((TIMEOUT * 2)) ]; do
		sleep 0.5
		i=$((i + 1))
	done
	sleep 2
	printf '%s\n' 'sleep 30 &' 'jobs' 'echo SHELL-OK-$((6 * 7)) $(tty)' \
		'rmmod ext4 jbd2 && modprobe ext4 && echo MODPROBE-OK-$(grep -c "^jbd2 " /proc/modules)' \
		'poweroff -f' >&3
	exec sleep "$TIMEOUT"
) &
writer=$!
input=$fifo
boot shell "console=ttyS0 loglevel=4"
input=/dev/null
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true
rm -f "$fifo"
check "the shell runs commands on ttyS0" "SHELL-OK-42 /dev/ttyS0"
check_absent "the shell has job control" "job control turned off"
check "jobs lists the background job" "Running"
check "busybox modprobe resolves dependencies from the initramfs's modules.dep" "MODPROBE-OK-1"
check_poweroff

echo "dom0 native boot: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
