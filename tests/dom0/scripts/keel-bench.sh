#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-bench: toolstack timings for bench/toolstack.py.
# Prints KEEL-BENCH-* lines (seconds, from /proc/uptime) and nothing else of
# note; bench/ turns them into the report.
set -u
cfg=/etc/keel/tests
logdir=/var/log/keel
now() { cut -d' ' -f1 /proc/uptime; }
since() { echo "$(now) $1" | awk '{ printf "%.3f", $1 - $2 }'; }

for i in 1 2 3; do
	t0=$(now)
	KEEL_TIMING=1 keel create "$cfg/g1.cfg" >/dev/null 2>/tmp/create.err ||
		echo "KEEL-BENCH-ERROR create $i failed: $(tail -n 1 /tmp/create.err)"
	echo "KEEL-BENCH-CREATE-RETURN $(since "$t0")"
	# keel create's own account of its steps (KEEL_TIMING)
	sed -n 's/^keel: \([0-9.]*\) s  \(.*\)/KEEL-BENCH-STEP \1 \2/p' /tmp/create.err
	j=0
	while ! grep -q "Linux version" "$logdir/guest-g1.log" 2>/dev/null && [ $j -lt 1200 ]; do
		sleep 0.05
		j=$((j + 1))
	done
	echo "KEEL-BENCH-FIRST-CONSOLE-LINE $(since "$t0")"
	while ! grep -q KEEL-GUEST-UP "$logdir/guest-g1.log" 2>/dev/null && [ $j -lt 2400 ]; do
		sleep 0.05
		j=$((j + 1))
	done
	echo "KEEL-BENCH-GUEST-INIT $(since "$t0")"
	t1=$(now)
	k=0
	while [ $k -lt 20 ]; do
		keel list >/dev/null 2>&1
		k=$((k + 1))
	done
	echo "KEEL-BENCH-LIST-20 $(since "$t1")"
	# Single calls timed from fork to exit, beside the same-run baseline of
	# a trivial process (tests/dom0/tools/keel-spawntime.c); keel --help is
	# keel's start-up and exit without privcmd or the store.
	keel-spawntime 20 list keel list
	keel-spawntime 20 help keel --help
	keel-spawntime 20 spawn cat /proc/uptime
	keel destroy g1 >/dev/null 2>&1
	rm -f "$logdir/guest-g1.log"
done
t2=$(now)
for i in 1 2 3; do
	keel create -p "$cfg/g1.cfg" >/dev/null 2>&1 && keel destroy g1 >/dev/null 2>&1
done
echo "KEEL-BENCH-CYCLES-3 $(since "$t2")"
# The same-run baseline: dom0 spawning a process and reading /proc 20 times,
# what any command, keel list included, pays at least.
t3=$(now)
k=0
while [ $k -lt 20 ]; do
	cat /proc/uptime >/dev/null
	k=$((k + 1))
done
echo "KEEL-BENCH-SPAWN-20 $(since "$t3")"
