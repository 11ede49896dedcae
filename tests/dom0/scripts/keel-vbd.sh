#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-vbd: PV disks end to end through keel-blkback
# and the guests' stock xen-blkfront. A guest makes ext4 on a file-backed
# disk, writes 64 MiB and powers off; a second guest on the same disk reads
# the checksum back and runs e2fsck; both check that the read-only disk
# refuses writes. Prints KEEL-VBD-* lines for tests/integration/dom0-tests.py.
set -u
. "$(dirname "$0")/guest-lib.sh"
cfg=/etc/keel/tests
img=/var/lib/keel/g1.img
ro=/var/lib/keel/ro.img
say() { echo "KEEL-VBD-$*"; }

# run_guest NAME TEST: creates the guest, waits for its END line and for it
# to power off, and copies its KEEL-VBD lines to the console.
run_guest() {
	guest_cfg "$cfg/vbd.cfg" "$1" "$2"
	t0=$(uptime_s)
	keel create "/tmp/$1.cfg"
	say "CREATE $1 rc=$?"
	if wait_log "$1" "KEEL-VBD-END" 600; then
		say "GUEST-END $1 after=$(echo "$(uptime_s) $t0" | awk '{ printf "%.1f", $1 - $2 }')"
	else
		say "GUEST-STUCK $1; console log:"
		tail -30 "$logdir/guest-$1.log" 2>&1 | sed "s/^/KEEL-VBD-LOG-$1: /"
		keel destroy "$1" >/dev/null 2>&1
	fi
	wait_gone "$1" 120 && say "GONE $1"
	guest_markers "$1" KEEL-VBD- "KEEL-VBD-G-$1: "
}

pidof keel-blkback >/dev/null && say "BLKBACK running" || say "BLKBACK not running"
mkdir -p /var/lib/keel
rm -f "$img" "$ro"
dd if=/dev/zero of="$img" bs=1M count=0 seek=96 2>/dev/null
yes keel-read-only-disk | head -c 16777216 >"$ro"
say "IMAGES g1=$(wc -c <"$img") ro=$(wc -c <"$ro") ro-sum=$(head -c 1048576 "$ro" | sha256sum | cut -d' ' -f1)"

run_guest vbd1 vbd-write
run_guest vbd2 vbd-verify
say "RO-IMG-SUM-END $(head -c 1048576 "$ro" | sha256sum | cut -d' ' -f1)"
say "IMG-ALLOCATED-KB $(du -k "$img" | cut -f1)"
sed 's/^/KEEL-VBD-BLKBACK: /' /var/log/keel-blkback.log 2>/dev/null | tail -40
say "DONE"
