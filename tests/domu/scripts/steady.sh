#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=steady (tests/dom0/scripts/keel-hostile.sh): the
# well-behaved neighbour of a hostile guest. Through its stock xen-blkfront
# and xen-netfront it keeps writing 1 MiB of random data to xvda, reading it
# back uncached and comparing checksums, and pinging dom0 (10.99.0.1), one
# KEEL-STEADY-ROUND line per round, until dom0 destroys it.
set -u
ip_addr=10.99.0.21 dom0=10.99.0.1
for arg in $(cat /proc/cmdline); do
	case $arg in keel.ip=*) ip_addr=${arg#keel.ip=} ;; esac
done

i=0
while { [ ! -b /dev/xvda ] || [ ! -e /sys/class/net/eth0 ]; } && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -b /dev/xvda ] || [ ! -e /sys/class/net/eth0 ]; then
	echo "KEEL-STEADY-ERROR no xvda or eth0: $(ls /dev | grep xvd | tr '\n' ' ') $(ls /sys/class/net | tr '\n' ' ')"
	exit 1
fi
ip link set lo up
ip addr add "$ip_addr/24" dev eth0
ip link set eth0 up
i=0
until ping -c 1 -W 1 $dom0 >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 120 ]; then
		echo "KEEL-STEADY-ERROR dom0 ($dom0) never answered"
		exit 1
	fi
done
mb=$(($(cat /sys/block/xvda/size) / 2048))
echo "KEEL-STEADY-READY disk_mb=$mb ip=$ip_addr"

round=0
while [ $round -lt 10000 ]; do
	round=$((round + 1))
	off=$((round % mb))
	dd if=/dev/urandom of=/tmp/blk bs=64k count=16 2>/dev/null
	want=$(sha256sum </tmp/blk | cut -d' ' -f1)
	if dd if=/tmp/blk of=/dev/xvda bs=1M seek=$off count=1 conv=fsync 2>/dev/null; then
		echo 3 >/proc/sys/vm/drop_caches
		got=$(dd if=/dev/xvda bs=1M skip=$off count=1 2>/dev/null | sha256sum | cut -d' ' -f1)
		[ "$got" = "$want" ] && disk=ok || disk=fail-readback
	else
		disk=fail-write
	fi
	ping -c 1 -W 5 $dom0 >/dev/null 2>&1 && net=ok || net=fail
	echo "KEEL-STEADY-ROUND $round disk=$disk net=$net"
done
