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
