#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-bench-pvio: PV disk and network throughput for
# bench/pvio.py, each workload run in dom0 (the baseline) and in a guest
# (tests/dom0/guests/pvio.cfg, tests/domu/scripts/bench-pvio.sh) in the same
# boot. The backing file lives on ext4 on the machine's virtio disk
# (/dev/vda, which bench/pvio.py attaches); the guest sees it as xvda through
# keel-blkback. Layout of the file: [0, seq_mb) MiB for the sequential
# workloads, [seq_mb, seq_mb + rand_mb) for the random ones. Order in dom0
# (three rounds) and in the guest (once): sequential read, random read,
# sequential write, random write, then dd's read and write through the page
# cache; reads after drop_caches, and dom0 drops its caches again before
# creating the guest, since what keel-blkback does not do with direct I/O
# goes through dom0's page cache. The workloads are pvio-lib.sh's, which the
# guest's side sources too. The network baseline is the same busybox nc
# pipeline over dom0's loopback (three rounds); the guest's three streams go
# to dom0 over keel-netback and keelbr0, before its disk workloads. The
# receiver (always in dom0) times a stream from its first byte to its end.
# Prints KEEL-BENCH-PVIO-* lines; no `set -e`.
set -u
cfg=/etc/keel/tests
. "$(dirname "$0")/guest-lib.sh" # logdir, wait_log
dir=/var/lib/keel/bench
img=$dir/pvio.img
. "$(dirname "$0")/pvio-lib.sh" # the parameters, seq_dd, randio, ...
say() { echo "KEEL-BENCH-PVIO-$*"; }

# net_recv PORT TAG SECONDS: a busybox nc listener in the background; its
# sink reads one byte, then times the rest of the stream until the sender
# closes, and leaves "bytes seconds" in /tmp/TAG.res. The listener's stdin is
# a fifo nobody writes, so it never half-closes the connection itself.
[ -p /tmp/never ] || mkfifo /tmp/never
net_recv() {
	rm -f "/tmp/$2.res"
	(timeout "$3" nc -l -p "$1" 3<>/tmp/never <&3 | {
		dd bs=1 count=1 of=/dev/null 2>/dev/null
		t0=$(now)
		n=$(wc -c)
		echo "$((n + 1)) $(since "$t0")" >"/tmp/$2.res"
	}) &
}
wait_file() { # PATH SECONDS
	i=0
	while [ ! -s "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ]
}
say "PARAMS seq_mb=$seq_mb rand_n=$rand_n rand_mb=$rand_mb net_mb=$net_mb seed=$seed guest_max_sectors_kb=${max_kb:-default} guest_indirect=${indirect:-default} dom0_cpus=$(cat /sys/devices/system/cpu/online) dom0_memtotal_kb=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)"
i=0
while { ! pidof keel-blkback >/dev/null || ! pidof keel-netback >/dev/null; } && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "BACKENDS blkback=$(pidof keel-blkback >/dev/null && echo running || echo missing) netback=$(pidof keel-netback >/dev/null && echo running || echo missing)"

# 1. The backing file and the dom0 block baseline.
disk=no
mkdir -p "$dir"
if [ -b /dev/vda ] && /sbin/mke2fs -F -q -t ext4 /dev/vda >/tmp/mkfs.err 2>&1 &&
	mount -t ext4 /dev/vda "$dir" 2>>/tmp/mkfs.err; then
	t0=$(now)
	if dd if=/dev/zero of="$img" bs=1M count=$((seq_mb + rand_mb)) conv=fsync 2>/tmp/dd.err; then
		disk=yes
		say "IMAGE bytes=$(wc -c <"$img") fill_seconds=$(since "$t0") fs=ext4 dev=/dev/vda"
	else
		say "ERROR cannot write $img: $(tail -n 1 /tmp/dd.err)"
	fi
else
	say "ERROR no ext4 on /dev/vda: $(tail -n 2 /tmp/mkfs.err 2>/dev/null | tr '\n' ' ')"
fi
# Three rounds (dom0 is fast and cheap to repeat; bench/ takes the median).
if [ $disk = yes ]; then
	for r in 1 2 3; do
		drop_caches
		say "DOM0-SEQ-READ round=$r $(seq_dd read "$img")"
		drop_caches
		say "DOM0-RAND-READ round=$r $(randio read "$img")"
		say "DOM0-SEQ-WRITE round=$r $(seq_dd write "$img")"
		say "DOM0-RAND-WRITE round=$r $(randio write "$img")"
		drop_caches
		say "DOM0-SEQ-READ-CACHED round=$r $(seq_dd cread "$img")"
		say "DOM0-SEQ-WRITE-CACHED round=$r $(seq_dd cwrite "$img")"
	done
fi

# 2. The dom0 network baseline: the same nc pipeline over loopback, three
# rounds.
ip link set lo up
for r in 1 2 3; do
	net_recv $((5001 + r)) loop 300
	sleep 1
	t0=$(now)
	dd if=/dev/zero bs=1M count="$net_mb" 2>/dev/null | nc 127.0.0.1 $((5001 + r))
	rc=$?
	wait_file /tmp/loop.res 60
	say "DOM0-LOOP-TCP round=$r rc=$rc $(awk '{ print "bytes=" $1 " seconds=" $2 }' /tmp/loop.res 2>/dev/null) sender_seconds=$(since "$t0")"
done

# 3. The guest: the test initramfs with keel-iotool appended as a second
# (uncompressed, 4-byte aligned) cpio archive, which the kernel unpacks too.
rm -rf /tmp/pvio-extra
mkdir -p /tmp/pvio-extra/usr/bin
cp /usr/bin/keel-iotool /tmp/pvio-extra/usr/bin/
base=/var/lib/keel/guest-initrd.img
size=$(wc -c <"$base")
{
	cat "$base"
	head -c $(((4 - size % 4) % 4)) /dev/zero
	(cd /tmp/pvio-extra && echo usr/bin/keel-iotool | cpio -o -H newc 2>/dev/null)
} >/tmp/pvio-initrd.img
say "GUEST-INITRD bytes=$(wc -c </tmp/pvio-initrd.img)"

for r in 1 2 3; do
	net_recv $((4991 + 10 * r)) guest$r 900
done
args="keel.pvio_seq_mb=$seq_mb keel.pvio_rand_n=$rand_n keel.pvio_rand_mb=$rand_mb keel.pvio_net_mb=$net_mb keel.pvio_seed=$seed${max_kb:+ keel.pvio_max_sectors_kb=$max_kb}${indirect:+ xen_blkfront.max_indirect_segments=$indirect}"
sed "s/PVIO_ARGS/$args/" "$cfg/pvio.cfg" >/tmp/pvio.cfg
[ $disk = yes ] || sed -i '/^disk/d' /tmp/pvio.cfg
drop_caches
t0=$(now)
keel create /tmp/pvio.cfg >/tmp/create.out 2>&1
rc=$?
say "CREATE rc=$rc disk=$disk seconds=$(since "$t0") $(tail -n 1 /tmp/create.out | tr -d '\r')"
if [ $rc -ne 0 ] && [ $disk = yes ]; then
	# Still measure the network when the disk is what fails.
	keel destroy pvio >/dev/null 2>&1
	sed -i '/^disk/d' /tmp/pvio.cfg
	keel create /tmp/pvio.cfg >/tmp/create.out 2>&1
	rc=$?
	say "CREATE-WITHOUT-DISK rc=$rc $(tail -n 1 /tmp/create.out | tr -d '\r')"
fi
# The guest's results as they come (their times on dom0's console line up
# with a profile taken from outside, e.g. QEMU's monitor).
tail -F "$logdir/guest-pvio.log" 2>/dev/null | while read -r line; do
	case $line in *KEEL-PVIO-G-*) echo "KEEL-BENCH-PVIO-LIVE: ${line#*KEEL-PVIO-G-}" ;; esac
done &
live=$!
if bridge_up; then
	say "BRIDGE up ports=$(ls /sys/class/net/keelbr0/brif 2>/dev/null | tr '\n' ' ')"
else
	say "BRIDGE missing"
fi
if wait_log pvio KEEL-PVIO-G-END 560; then
	say "GUEST-END after=$(since "$t0")"
else
	say "GUEST-STUCK after=$(since "$t0")"
	tail -n 30 "$logdir/guest-pvio.log" 2>&1 | tr -d '\r' | sed 's/^/KEEL-BENCH-PVIO-GUESTLOG: /'
fi
kill $live 2>/dev/null
grep -a "KEEL-PVIO-G-" "$logdir/guest-pvio.log" 2>/dev/null | tr -d '\r' | sed 's/^.*KEEL-PVIO-G-/KEEL-BENCH-PVIO-G-/'
for r in 1 2 3; do
	if wait_file /tmp/guest$r.res 10; then
		say "GUEST-TCP round=$r $(awk '{ print "bytes=" $1 " seconds=" $2 }' /tmp/guest$r.res)"
	else
		say "GUEST-TCP round=$r rc=none"
	fi
done
keel destroy pvio >/dev/null 2>&1
# the hypervisor's count of the guest's exits, and its account of the grant
# copies the backends made on the guest's pages, logged as it is destroyed
keel dmesg 2>/dev/null | grep ' exits:' | tail -n 1 | sed 's/^/KEEL-BENCH-PVIO-EXITS: /'
keel dmesg 2>/dev/null | grep 'grant copies by backends:' | tail -n 1 | sed 's/^/KEEL-BENCH-PVIO-GCOPY: /'
grep -v '^$' /var/log/keel-blkback.log 2>/dev/null | tail -n 15 | sed 's/^/KEEL-BENCH-PVIO-BLKBACK: /'
grep -v '^$' /var/log/keel-netback.log 2>/dev/null | tail -n 8 | sed 's/^/KEEL-BENCH-PVIO-NETBACK: /'
umount "$dir" 2>/dev/null
say "DONE"
echo "KEEL-DOM0-TEST: DONE keel-bench-pvio"
