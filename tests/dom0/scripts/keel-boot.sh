#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-boot: reports what tests/integration/dom0-tests.py
# judges from outside (CPUs, clock, sleep, per-CPU progress, privcmd, dmesg).
set -u
echo "KEEL-CPUS online=$(cat /sys/devices/system/cpu/online) n=$(nproc)"
echo "KEEL-DATE $(date +%s)"
xen-version
echo "KEEL-XENVER rc=$?"

echo "KEEL-SLEEP-START"
sleep 2
echo "KEEL-SLEEP-END"

# A busy loop pinned to each vCPU for 3 seconds; each reports its count.
grep -E '^ *[0-9]+:.*timer[0-9]' /proc/interrupts | sed 's/^/KEEL-TIMER-BEFORE /'
n=$(nproc)
c=0
while [ $c -lt "$n" ]; do
	taskset -c $c sh -c 'i=0; end=$(($(date +%s) + 3)); while [ $(date +%s) -lt $end ]; do i=$((i + 1)); done; echo "KEEL-BUSY cpu='$c' iterations=$i"' &
	c=$((c + 1))
done
wait
grep -E '^ *[0-9]+:.*timer[0-9]' /proc/interrupts | sed 's/^/KEEL-TIMER-AFTER /'

dmesg >/tmp/dmesg.txt
echo "KEEL-DMESG-BAD $(grep -c -E 'BUG|WARNING|Oops|Call Trace' /tmp/dmesg.txt)"
grep -E 'BUG|WARNING|Oops|Call Trace' /tmp/dmesg.txt | sed 's/^/KEEL-DMESG: /'
grep -i -E 'xen' /tmp/dmesg.txt | sed 's/^/KEEL-XEN: /'
echo "KEEL-DOM0-TEST: DONE keel-boot"
