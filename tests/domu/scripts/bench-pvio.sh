#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=bench-pvio (tests/dom0/scripts/keel-bench-pvio.sh): first
# three TCP streams of net_mb MiB to dom0 (10.99.0.1:5001) with busybox nc through
# xen-netfront; then the workloads dom0 ran on the backing file, here on the
# stock xen-blkfront's /dev/xvda (the same file, through keel-blkback):
# sequential read, 4 KiB random read, sequential write, 4 KiB random write
# (dd and keel-iotool, O_DIRECT, caches dropped before reads), then dd's
# sequential read and write again through the guest's page cache. The network
# goes first so that a disk that hangs cannot take its figure with it; each
# disk workload runs in the background and is abandoned after phase_s
# seconds (an I/O the backend never answers leaves it unkillable). Prints
# KEEL-PVIO-G-* lines and powers off.
set -u
dom0=10.99.0.1
. /tests/pvio-lib.sh
say() { echo "KEEL-PVIO-G-$*"; }
# phase NAME FUNCTION ARGS...: prints "NAME <result>", or NAME rc=timeout
# and returns 1 when the workload has not finished after phase_s seconds.
phase() {
	name=$1
	shift
	rm -f /tmp/phase.out /tmp/phase.tmp
	("$@" >/tmp/phase.tmp 2>&1; mv /tmp/phase.tmp /tmp/phase.out) &
	i=0
	while [ ! -e /tmp/phase.out ] && [ $i -lt "$phase_s" ]; do
		sleep 1
		i=$((i + 1))
	done
	if [ -e /tmp/phase.out ]; then
		say "$name $(cat /tmp/phase.out)"
		return 0
	fi
	say "$name rc=timeout error=not_finished_after_${phase_s}_s"
	return 1
}

# 1. The network.
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -e /sys/class/net/eth0 ]; then
	ip link set lo up
	ip addr add "$ip_addr/24" dev eth0
	ip link set eth0 up
	t=0
	while [ $t -lt 120 ] && ! ping -c 1 -W 1 $dom0 >/dev/null 2>&1; do
		t=$((t + 1))
	done
	say "NET ip=$ip_addr ping_tries=$t"
	# Three streams, to dom0's ports 5001, 5011 and 5021.
	for r in 1 2 3; do
		tries=0
		while [ $tries -lt 30 ]; do
			t0=$(now)
			dd if=/dev/zero bs=1M count="$net_mb" 2>/dev/null | nc $dom0 $((4991 + 10 * r))
			rc=$?
			[ $rc -eq 0 ] && break
			tries=$((tries + 1))
			sleep 1
		done
		say "NET-SENT round=$r rc=$rc tries=$tries bytes=$((net_mb * 1048576)) sender_seconds=$(since "$t0")"
	done
else
	say "NONET $(ls /sys/class/net | tr '\n' ' ')"
fi

# 2. The disk.
i=0
while [ ! -b /dev/xvda ] && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ -b /dev/xvda ]; then
	q=/sys/block/xvda/queue
	# A diagnostic knob, off by default: requests of at most 44 KiB (11
	# segments) never need BLKIF_OP_INDIRECT.
	[ -n "$max_kb" ] && echo "$max_kb" >$q/max_sectors_kb
	say "DISK sectors=$(cat /sys/block/xvda/size) queues=$(ls /sys/block/xvda/mq 2>/dev/null | wc -l) max_segments=$(cat $q/max_segments) max_sectors_kb=$(cat $q/max_sectors_kb)"
	drop_caches
	phase SEQ-READ seq_dd read /dev/xvda &&
		drop_caches &&
		phase RAND-READ randio read /dev/xvda &&
		phase SEQ-WRITE seq_dd write /dev/xvda &&
		phase RAND-WRITE randio write /dev/xvda &&
		drop_caches &&
		phase SEQ-READ-CACHED seq_dd cread /dev/xvda &&
		phase SEQ-WRITE-CACHED seq_dd cwrite /dev/xvda
	dmesg | grep -E 'xvda|blkfront' | tail -n 8 | sed 's/^/KEEL-PVIO-G-DMESG: /'
else
	say "NODISK after=60s have=[$(ls /dev | grep xvd | tr '\n' ' ')]"
fi
say "END"
poweroff -f
