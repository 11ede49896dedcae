#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-hostile-net: a hostile guest against
# keel-netback while a well-behaved one keeps working. `steady` (stock
# frontends, tests/domu/scripts/steady.sh) checks its disk and pings dom0
# over keelbr0 in a loop; `hostilenet` (keel-hostile-netfront,
# tests/domu/scripts/hostile-net.sh) offers handshakes keel-netback must
# refuse, breaks the protocol so that it must disconnect, sends malformed
# packets and RX requests, storms its event channel and floods its TX ring.
# When it says how many packets keel-netback accepted, dom0 answers with its
# tap's counters (in the guest's data/ directory). Afterwards dom0 reports
# keel-netback's pid, fds and threads and its log lines about the hostile
# domain. Prints KEEL-NETATTACK-* lines for tests/integration/dom0-tests.py.
set -u
. "$(dirname "$0")/guest-lib.sh"
cfg=/etc/keel/tests
say() { echo "KEEL-NETATTACK-$*"; }
show_log() { tail -${2:-30} "$logdir/guest-$1.log" 2>&1 | tr -d '\r' | sed "s/^/KEEL-NETATTACK-LOG-$1: /"; }
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
threads() { ls "/proc/$1/task" 2>/dev/null | wc -l; }

i=0
while { ! pidof keel-blkback >/dev/null || ! pidof keel-netback >/dev/null; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
netback=$(pidof keel-netback)
say "DAEMONS blkback=$(pidof keel-blkback) netback=$netback"
# What keel-netback holds with no guest: the same again at the end, or it
# leaked what a refused handshake or a disconnect left behind.
say "NETBACK-START fds=$(fds "$netback") threads=$(threads "$netback")"

# 1. The well-behaved guest, until it has done two rounds.
steady_start

# 2. The attack. The guest's tally is answered with the counters of its
# tap, which keel-netback recreates on every connection.
attacker_start "$cfg/hostile-net.cfg" hostilenet
tap=/sys/class/net/vif$hostile.0/statistics
if wait_log hostilenet "KEEL-HOSTILE-FLOOD-START" 300; then
	say "FLOOD-START rounds=$(steady_rounds)"
	say "THREADS-IN-FLOOD $(threads "$netback") fds=$(fds "$netback")"
fi
wait_log hostilenet "KEEL-HOSTILE-tx-flood " 300 && say "FLOOD-END rounds=$(steady_rounds)"
if wait_log hostilenet "KEEL-HOSTILE-TALLY" 120; then
	counts="rx_packets=$(cat "$tap/rx_packets" 2>/dev/null) tx_packets=$(cat "$tap/tx_packets" 2>/dev/null)"
	xenstore-write "/local/domain/$hostile/data/keel-hostile-tap" "$counts"
	say "TAP $counts rx_dropped=$(cat "$tap/rx_dropped" 2>/dev/null) rx_errors=$(cat "$tap/rx_errors" 2>/dev/null) $(grep -a -m1 KEEL-HOSTILE-TALLY "$logdir/guest-hostilenet.log" | tr -d '\r')"
fi
attacker_end hostilenet "$t0"

# 3. The neighbour goes on: three more rounds after the attack.
steady_finish

# 4. keel-netback is the same process, back to what it held before, and
# what it said about the hostile guest.
i=0
while { [ "$(threads "$netback")" -gt 1 ] || ls /sys/class/net | grep -q '^vif'; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "DAEMONS-AFTER blkback=$(pidof keel-blkback) netback=$(pidof keel-netback)"
say "NETBACK-END fds=$(fds "$netback") threads=$(threads "$netback") taps=[$(ls /sys/class/net | grep '^vif' | tr '\n' ' ')]"
say "NBLOG-LINES $(grep -c "d$hostile vif" /var/log/keel-netback.log 2>/dev/null)"
grep "d$hostile vif" /var/log/keel-netback.log 2>/dev/null | head -300 | sed 's/^/KEEL-NETATTACK-NBLOG: /'
grep -a "KEEL-HOSTILE-" "$logdir/guest-hostilenet.log" | tr -d '\r' | sed 's/^.*KEEL-HOSTILE-/KEEL-NETATTACK-G: KEEL-HOSTILE-/'
echo "KEEL-DOM0-TEST: DONE keel-hostile-net"
