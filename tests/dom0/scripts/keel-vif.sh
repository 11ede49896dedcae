#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-vif: keel-netback end to end with stock
# xen-netfront guests (tests/dom0/guests/vif*.cfg, tests/domu/scripts/vif.sh).
# vif1 comes up on keelbr0 (which keel-netback creates), dom0 (10.99.0.1)
# and vif1 ping each other, vif1 sends keel.vif_mb MiB (default 256) over TCP
# to dom0's busybox nc and both print the stream's sha256; vif2 joins the
# bridge and pings vif1; destroying the guests removes their taps. Prints
# KEEL-VIF-* lines for tests/integration/dom0-tests.py. No `set -e`.
set -u
. "$(dirname "$0")/guest-lib.sh"
cfg=/etc/keel/tests
say() { echo "KEEL-VIF-$*"; }
mb=256
for arg in $(cat /proc/cmdline); do
	case $arg in keel.vif_mb=*) mb=${arg#keel.vif_mb=} ;; esac
done

guest_line() { grep -m1 "$2" "$logdir/guest-$1.log" 2>/dev/null | tr -d '\r'; }
netback_log() { sed 's/^/KEEL-VIF-NBLOG: /' /var/log/keel-netback.log 2>/dev/null | tail -${1:-20}; }

i=0
while ! pidof keel-netback >/dev/null && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
pidof keel-netback >/dev/null && say "NETBACK running" || say "NETBACK not running"

# dom0's end of the TCP transfer, listening before vif1 exists. Its stdin
# (a fifo nobody writes) never ends, so it never half-closes the connection
# on the sender, who would then stop sending.
mkfifo /tmp/never
(timeout 900 nc -l -p 5001 3<>/tmp/never <&3 | sha256sum >/tmp/recv.sha) &

sed "s/keel.send_mb=[0-9]*/keel.send_mb=$mb/" "$cfg/vif1.cfg" >/tmp/vif1.cfg
keel create /tmp/vif1.cfg
say "CREATE vif1 rc=$?"
if bridge_up; then
	say "BRIDGE up ports=$(ls /sys/class/net/keelbr0/brif 2>/dev/null | tr '\n' ' ')"
else
	say "BRIDGE missing"
	netback_log
fi

if wait_log vif1 KEEL-VIF-UP 180; then
	say "G1 $(guest_line vif1 KEEL-VIF-UP)"
else
	say "G1 never up"
	tail -20 "$logdir/guest-vif1.log" 2>&1 | sed 's/^/KEEL-VIF-G1LOG: /'
	netback_log
fi
ping -c 3 -W 5 10.99.0.11 >/tmp/ping1 2>&1
say "DOM0-PING-G1 rc=$? $(grep -o '[0-9]* packets received' /tmp/ping1)"
wait_log vif1 KEEL-VIF-PING-DOM0 150
say "G1 $(guest_line vif1 KEEL-VIF-PING-DOM0)"

t0=$(uptime_s)
if wait_log vif1 KEEL-VIF-SENT $((120 + mb * 4)); then
	# nc exits when the sender closes; sha256sum follows.
	i=0
	while [ ! -s /tmp/recv.sha ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	say "G1 $(guest_line vif1 KEEL-VIF-SENT)"
	say "RECV $(cut -d' ' -f1 /tmp/recv.sha 2>/dev/null) mb=$mb waited=$(echo "$(uptime_s) $t0" | awk '{ printf "%.1f", $1 - $2 }')"
else
	say "G1 did not finish sending"
	tail -10 "$logdir/guest-vif1.log" 2>&1 | sed 's/^/KEEL-VIF-G1LOG: /'
fi

keel create "$cfg/vif2.cfg"
say "CREATE vif2 rc=$?"
wait_log vif2 KEEL-VIF-UP 180 && say "G2 $(guest_line vif2 KEEL-VIF-UP)"
wait_log vif2 KEEL-VIF-PING-PEER 200
say "G2 $(guest_line vif2 KEEL-VIF-PING-DOM0)"
say "G2 $(guest_line vif2 KEEL-VIF-PING-PEER)"
ping -c 3 -W 5 10.99.0.12 >/tmp/ping2 2>&1
say "DOM0-PING-G2 rc=$? $(grep -o '[0-9]* packets received' /tmp/ping2)"
say "TAPS $(ls /sys/class/net | grep '^vif' | tr '\n' ' ')"

# Hot-plug: a second NIC for the running vif2, then its removal.
d2=$(keel domid vif2 2>/dev/null)
timeout 60 keel network-attach vif2 bridge=keelbr0
say "ATTACH rc=$?"
i=0
while ! grep -q "d$d2 vif 1: connected:" /var/log/keel-netback.log 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "ATTACHED tap=$([ -e /sys/class/net/vif$d2.1 ] && echo yes || echo no) $(grep -c "d$d2 vif 1: connected:" /var/log/keel-netback.log) $(ls /sys/class/net/keelbr0/brif | tr '\n' ' ')"
keel network-list vif2 2>&1 | sed 's/^/KEEL-VIF-NETLIST: /'
timeout 60 keel network-detach vif2 1
rc=$?
i=0
while [ -e /sys/class/net/vif$d2.1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "DETACH rc=$rc tap=$([ -e /sys/class/net/vif$d2.1 ] && echo yes || echo no)"

keel destroy vif1
keel destroy vif2
i=0
while ls /sys/class/net | grep -q '^vif' && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "TAPS-AFTER [$(ls /sys/class/net | grep '^vif' | tr '\n' ' ')]"
pidof keel-netback >/dev/null && say "NETBACK-ALIVE yes" || say "NETBACK-ALIVE no"
netback_log 30
echo "KEEL-DOM0-TEST: DONE keel-vif"
