#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Helpers the dom0 test scripts that drive guests source (not a test itself):
# waiting on a guest's console log (keel-consoled writes
# /var/log/keel/guest-NAME.log) or a daemon's log, and on a domain going
# away; per-phase copies of a guest config; a guest's marker lines.
logdir=/var/log/keel
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# wait_grep FILE PATTERN SECONDS: FILE has a line matching PATTERN
wait_grep() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_log NAME PATTERN SECONDS: the guest's console log shows PATTERN
wait_log() {
	wait_grep "$logdir/guest-$1.log" "$2" "$3"
}

# wait_gone NAME SECONDS: keel no longer knows the domain
wait_gone() {
	i=0
	while [ $i -lt $(($2 * 10)) ]; do
		keel domid "$1" >/dev/null 2>&1 || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# guest_cfg CFG NAME TEST: CFG with the guest's name (name =, keel.name=)
# and keel.test= replaced, as /tmp/NAME.cfg: one config, several phases
guest_cfg() {
	sed -e "s/^name = .*/name = \"$2\"/" -e "s/keel\.name=[^ \"]*/keel.name=$2/" \
		-e "s/keel\.test=[^ \"]*/keel.test=$3/" "$1" >"/tmp/$2.cfg"
}

# guest_markers NAME MARK PREFIX: the lines of the guest's console log that
# carry MARK, with everything up to MARK replaced by PREFIX
guest_markers() {
	grep -a "$2" "$logdir/guest-$1.log" 2>/dev/null | tr -d '\r' | sed "s/^.*$2/$3/"
}

# bridge_up: waits up to 2 minutes for keelbr0 (keel-netback creates it with
# the first vif) and gives dom0 10.99.0.1/24 on it; returns 1 if it never came
bridge_up() {
	i=0
	while [ ! -e /sys/class/net/keelbr0 ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -e /sys/class/net/keelbr0 ] || return 1
	ip addr add 10.99.0.1/24 dev keelbr0
}

# ---- The hostile tests (keel-hostile.sh, keel-hostile-net.sh): their
# well-behaved neighbour `steady` (tests/dom0/guests/steady.cfg,
# tests/domu/scripts/steady.sh) and the end of the attacker. These report
# through the caller's say() and show_log NAME [LINES].

# steady_rounds: the rounds of disk checks and pings steady has reported
steady_rounds() {
	n=$(grep -c "KEEL-STEADY-ROUND" "$logdir/guest-steady.log" 2>/dev/null)
	echo "${n:-0}"
}

# steady_start: steady on a fresh disk, keelbr0 (which its vif brings)
# with dom0's 10.99.0.1, and two rounds done
steady_start() {
	mkdir -p /var/lib/keel
	rm -f /var/lib/keel/steady.img
	dd if=/dev/zero of=/var/lib/keel/steady.img bs=1M count=0 seek=16 2>/dev/null
	keel create /etc/keel/tests/steady.cfg
	say "CREATE steady rc=$?"
	say "BRIDGE $(bridge_up && echo up || echo missing)"
	if ! wait_log steady "KEEL-STEADY-ROUND 2 " 300; then
		say "STEADY never ran"
		show_log steady
	fi
	say "STEADY-BEFORE rounds=$(steady_rounds)"
}

# attacker_start CFG NAME: the attacker, created from CFG; sets t0 (when it
# started) and hostile (its domid)
attacker_start() {
	t0=$(uptime_s)
	keel create "$1"
	say "CREATE $2 rc=$?"
	hostile=$(keel domid "$2" 2>/dev/null)
	say "HOSTILE-DOMID $hostile"
}

# attacker_end NAME T0: the attacker's KEEL-HOSTILE-END (else its log, and
# it is destroyed), then it is gone
attacker_end() {
	if wait_log "$1" "KEEL-HOSTILE-END" 300; then
		say "HOSTILE-END rounds=$(steady_rounds) seconds=$(echo "$(uptime_s) $2" | awk '{ printf "%.1f", $1 - $2 }')"
	else
		say "HOSTILE-STUCK"
		show_log "$1"
		keel destroy "$1" >/dev/null 2>&1
	fi
	wait_gone "$1" 120 && say "GONE $1"
}

# steady_finish: three more rounds after the attack, steady destroyed, and
# its totals and failed rounds
steady_finish() {
	after=$(($(steady_rounds) + 3))
	wait_log steady "KEEL-STEADY-ROUND $after " 180 || show_log steady 10
	say "STEADY-AFTER rounds=$(steady_rounds)"
	keel destroy steady
	wait_gone steady 120 && say "GONE steady"
	say "STEADY-TOTAL rounds=$(steady_rounds) disk_fail=$(grep -c 'KEEL-STEADY-ROUND.*disk=fail' "$logdir/guest-steady.log") net_fail=$(grep -c 'KEEL-STEADY-ROUND.*net=fail' "$logdir/guest-steady.log")"
	grep -a "KEEL-STEADY-ROUND.*fail\|KEEL-STEADY-ERROR" "$logdir/guest-steady.log" | head -5 |
		tr -d '\r' | while read -r line; do say "STEADY-LOG: $line"; done
}
