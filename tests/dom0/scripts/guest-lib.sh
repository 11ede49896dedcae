#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Helpers the dom0 test scripts that drive guests source (not a test itself):
# waiting on a guest's console log (keel-consoled writes
# /var/log/keel/guest-NAME.log) and on a domain going away.
logdir=/var/log/keel
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# wait_log NAME PATTERN SECONDS: the guest's console log shows PATTERN
wait_log() {
	i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -q "$2" "$logdir/guest-$1.log" 2>/dev/null && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
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
