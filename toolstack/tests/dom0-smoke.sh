#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end smoke test of the toolstack, to run INSIDE dom0 on Keel (not
# part of `make test`; tests/integration calls it). Needs keelstored,
# keel-consoled and keel on PATH and a PVH kernel.
# Usage: dom0-smoke.sh KERNEL [RAMDISK]
# Prints "Test result: SUCCESS" or "Test result: FAILURE" as its last line.
set -u

KERNEL=${1:?usage: dom0-smoke.sh KERNEL [RAMDISK]}
RAMDISK=${2:-}
TMP=$(mktemp -d)
fail() {
	echo "dom0-smoke: $*"
	keel list 2>&1 | sed 's/^/dom0-smoke: list: /'
	tail -n 20 /var/log/keel-consoled.log 2>/dev/null | sed 's/^/dom0-smoke: consoled: /'
	echo "Test result: FAILURE"
	exit 1
}

pidof keelstored >/dev/null || fail "keelstored is not running"
pidof keel-consoled >/dev/null || fail "keel-consoled is not running (configs/dom0/keel.init start)"

{
	echo 'name = "smoke"'
	echo 'memory = 256'
	echo 'vcpus = 2'
	echo "kernel = \"$KERNEL\""
	[ -n "$RAMDISK" ] && echo "ramdisk = \"$RAMDISK\""
	echo 'extra = "console=hvc0 loglevel=8"'
	echo 'on_poweroff = "destroy"'
} >"$TMP/smoke.cfg"

start=$(date +%s)
KEEL_DEBUG=${KEEL_DEBUG:-0} keel create "$TMP/smoke.cfg" || fail "keel create failed"
keel list | grep -q '^smoke ' || fail "smoke is not in keel list"
dom=$(keel domid smoke) || fail "keel domid smoke failed"
[ "$(keel domname "$dom")" = smoke ] || fail "keel domname $dom is not smoke"

# The guest's first console lines, through its PV console ring.
log=/var/log/keel/guest-smoke.log
i=0
until grep -q 'Linux version' "$log" 2>/dev/null; do
	i=$((i + 1))
	[ $i -gt 300 ] && fail "no 'Linux version' line in $log after 300 s"
	sleep 1
done
echo "dom0-smoke: first console line after $(($(date +%s) - start)) s"

keel vcpu-list smoke || fail "keel vcpu-list failed"
keel list -l >"$TMP/list.json" || fail "keel list -l failed"
keel destroy smoke || fail "keel destroy failed"
keel list | grep -q '^smoke ' && fail "smoke still listed after destroy"
rm -rf "$TMP"
echo "Test result: SUCCESS"
