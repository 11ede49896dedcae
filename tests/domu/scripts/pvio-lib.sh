#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Shared (sourced) by the two sides of the PV I/O bench, the guest's
# bench-pvio.sh and dom0's keel-bench-pvio.sh (build-dom0.sh copies it into
# dom0 too): the parameters from the kernel command line and the workloads,
# so that dom0's baseline and the guest run exactly the same thing.
seq_mb=64 rand_n=2000 rand_mb=64 net_mb=32 seed=1 phase_s=150 max_kb= indirect= ip_addr=10.99.0.21
for arg in $(cat /proc/cmdline); do
	case $arg in
	keel.pvio_seq_mb=*) seq_mb=${arg#*=} ;;
	keel.pvio_rand_n=*) rand_n=${arg#*=} ;;
	keel.pvio_rand_mb=*) rand_mb=${arg#*=} ;;
	keel.pvio_net_mb=*) net_mb=${arg#*=} ;;
	keel.pvio_seed=*) seed=${arg#*=} ;;
	keel.pvio_phase_s=*) phase_s=${arg#*=} ;;
	keel.pvio_max_sectors_kb=*) max_kb=${arg#*=} ;;
	keel.pvio_indirect=*) indirect=${arg#*=} ;;
	keel.ip=*) ip_addr=${arg#*=} ;;
	esac
done
# Clock: keel-iotool's CLOCK_MONOTONIC; /proc/uptime counts hundredths.
now() { keel-iotool now 2>/dev/null || cut -d' ' -f1 /proc/uptime; }
since() { echo "$(now) $1" | awk '{ printf "%.4f", $1 - $2 }'; }
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}
# seq_dd read|write|cread|cwrite PATH: dd bs=1M of seq_mb MiB with O_DIRECT,
# or through the page cache (c...), writes ending with fsync.
seq_dd() {
	t0=$(now)
	case $1 in
	read) dd if="$2" of=/dev/null bs=1M count="$seq_mb" iflag=direct 2>/tmp/dd.err ;;
	write) dd if=/dev/zero of="$2" bs=1M count="$seq_mb" oflag=direct conv=notrunc,fsync 2>/tmp/dd.err ;;
	cread) dd if="$2" of=/dev/null bs=1M count="$seq_mb" 2>/tmp/dd.err ;;
	cwrite) dd if=/dev/zero of="$2" bs=1M count="$seq_mb" conv=notrunc,fsync 2>/tmp/dd.err ;;
	esac
	rc=$?
	echo "rc=$rc bytes=$((seq_mb * 1048576)) seconds=$(since "$t0")$([ $rc -ne 0 ] && echo " error=$(tail -n 1 /tmp/dd.err | tr ' ' '_')")"
}
# randio read|write PATH: rand_n 4 KiB O_DIRECT operations, queue depth 1
randio() {
	if ! command -v keel-iotool >/dev/null; then
		echo "rc=127 error=no_keel-iotool_here"
		return
	fi
	out=$(keel-iotool "$1" "$2" "$seq_mb" "$rand_mb" "$rand_n" "$seed" 2>&1)
	echo "rc=$? $(echo "$out" | sed 's/^KEEL-IOTOOL //' | tr '\n' ' ')"
}
