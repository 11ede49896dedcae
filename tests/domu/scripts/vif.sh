#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# keel.test=vif (tests/dom0/scripts/keel-vif.sh): the stock xen-netfront's
# eth0 gets keel.ip=A.B.C.D/24 on dom0's bridge; the guest pings dom0
# (10.99.0.1) and keel.peer=IP if given, and with keel.send_mb=N sends N MiB
# to dom0's port 5001 with busybox nc, printing the stream's sha256. Prints
# KEEL-VIF-* lines that dom0 reads from this guest's console log.
set -u
ip_addr="" peer="" send_mb=0 dom0=10.99.0.1
for arg in $(cat /proc/cmdline); do
	case $arg in
	keel.ip=*) ip_addr=${arg#keel.ip=} ;;
	keel.peer=*) peer=${arg#keel.peer=} ;;
	keel.send_mb=*) send_mb=${arg#keel.send_mb=} ;;
	esac
done

i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -e /sys/class/net/eth0 ]; then
	echo "KEEL-VIF-NO-ETH0 $(ls /sys/class/net | tr '\n' ' ')"
	exit 1
fi
ip link set lo up
ip addr add "$ip_addr/24" dev eth0
ip link set eth0 up
echo "KEEL-VIF-UP ip=$ip_addr mac=$(cat /sys/class/net/eth0/address) features=$(cat /sys/class/net/eth0/features 2>/dev/null)"

# ping_until IP SECONDS: one reply within the time
ping_until() {
	t=0
	while [ $t -lt "$2" ]; do
		ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		t=$((t + 1))
	done
	return 1
}

if ping_until $dom0 120; then
	echo "KEEL-VIF-PING-DOM0 ok $(ping -c 3 -W 2 $dom0 2>&1 | grep -o '[0-9]* packets received')"
else
	echo "KEEL-VIF-PING-DOM0 fail"
fi
if [ -n "$peer" ]; then
	if ping_until "$peer" 120; then
		echo "KEEL-VIF-PING-PEER ok $peer"
	else
		echo "KEEL-VIF-PING-PEER fail $peer"
	fi
fi

if [ "$send_mb" -gt 0 ]; then
	# A 4 MiB random block, sent send_mb/4 times; the checksum is taken
	# from the same stream through a fifo.
	dd if=/dev/urandom of=/tmp/blk bs=1M count=4 2>/dev/null
	mkfifo /tmp/sum.fifo
	n=$((send_mb / 4))
	tries=0
	while [ $tries -lt 60 ]; do
		sha256sum </tmp/sum.fifo >/tmp/sent.sha &
		sumpid=$!
		start=$(cut -d' ' -f1 /proc/uptime)
		k=0
		while [ $k -lt $n ]; do
			cat /tmp/blk
			k=$((k + 1))
		done | tee /tmp/sum.fifo | nc $dom0 5001
		rc=$?
		wait $sumpid
		end=$(cut -d' ' -f1 /proc/uptime)
		[ $rc -eq 0 ] && break
		tries=$((tries + 1))
		sleep 1
	done
	echo "KEEL-VIF-SENT $(cut -d' ' -f1 /tmp/sent.sha) bytes=$((n * 4194304)) rc=$rc seconds=$(echo "$end $start" | awk '{ printf "%.1f", $1 - $2 }')"
fi
echo "KEEL-VIF-DONE"
