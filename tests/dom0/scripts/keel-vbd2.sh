#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-vbd2: keel-blkback beyond the happy path.
# 1. A guest appends 1 MiB chunks with fsync to a file on ext4 on a file:
#    disk and is destroyed (keel destroy) in the middle; a second guest on
#    the same disk runs e2fsck and lists every chunk's sha256.
# 2./3. A running guest gets a phy: disk (a loop device over a file in
#    dom0) by keel block-attach, reads what dom0 put there, writes what
#    dom0 then finds in the file, and loses the disk by keel block-detach.
# Prints KEEL-VBD2-* lines for tests/integration/dom0-tests.py (test_vbd2).
set -u
. "$(dirname "$0")/guest-lib.sh"
cfg=/etc/keel/tests
kill_img=/var/lib/keel/kill.img
phy_img=/var/lib/keel/phy.img
blog=/var/log/keel-blkback.log
min_chunks=8
say() { echo "KEEL-VBD2-$*"; }

# chunks NAME: how many CHUNK lines (fsync returned) the guest printed
chunks() {
	n=$(grep -ac "KEEL-VBD-CHUNK " "$logdir/guest-$1.log" 2>/dev/null)
	echo "${n:-0}"
}

# finish NAME SECONDS: waits for the guest's END line and for it to power
# off (destroying it if stuck), then copies its KEEL-VBD lines here
finish() {
	if ! wait_log "$1" "KEEL-VBD-END" "$2"; then
		say "GUEST-STUCK $1; console log:"
		tail -30 "$logdir/guest-$1.log" 2>&1 | sed "s/^/KEEL-VBD2-LOG-$1: /"
		keel destroy "$1" >/dev/null 2>&1
	fi
	wait_gone "$1" 120 && say "GONE $1"
	guest_markers "$1" KEEL-VBD- "KEEL-VBD2-G-$1: "
}

# blkback_lines DOMID DEVID: keel-blkback's log lines about that device
blkback_lines() {
	grep -a "keel-blkback: .*d$1 vbd $2: " "$blog" 2>/dev/null
}

i=0
while ! pidof keel-blkback >/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
bpid=$(pidof keel-blkback)
say "BLKBACK pid=${bpid:-none}"
mkdir -p /var/lib/keel

# ---- 1. destroyed in the middle of fsync'ed writes
rm -f "$kill_img"
dd if=/dev/zero of="$kill_img" bs=1M count=0 seek=128 2>/dev/null
guest_cfg "$cfg/vbd2-fsync.cfg" vbd2w vbd-fsync
keel create /tmp/vbd2w.cfg
say "CREATE vbd2w rc=$?"
dw=$(keel domid vbd2w 2>/dev/null)
i=0
while [ "$(chunks vbd2w)" -lt $min_chunks ] && [ $i -lt 3000 ]; do
	grep -aq "KEEL-VBD-FSYNC-ALL-DONE\|KEEL-VBD-ERROR" "$logdir/guest-vbd2w.log" 2>/dev/null && break
	sleep 0.1
	i=$((i + 1))
done
before=$(chunks vbd2w)
keel destroy vbd2w
rc=$?
say "KILL vbd2w rc=$rc chunks-before=$before"
wait_gone vbd2w 60 && say "GONE vbd2w"
# The second guest must not meet a backend still writing for the first:
# keel-blkback logs the disconnect once the queue threads have ended.
if wait_grep "$blog" "d$dw vbd 51712: disconnected after" 60 &&
	wait_grep "$blog" "d$dw vbd 51712: backend directory removed" 10; then
	say "KILLED-BACKEND-REMOVED d$dw"
fi
say "KILL-AFTER chunks=$(chunks vbd2w)"
guest_markers vbd2w KEEL-VBD- "KEEL-VBD2-G-vbd2w: "
blkback_lines "$dw" 51712 | sed 's/^/KEEL-VBD2-BLKLOG-KILL: /'

guest_cfg "$cfg/vbd2-fsync.cfg" vbd2v vbd-fsck
keel create /tmp/vbd2v.cfg
say "CREATE vbd2v rc=$?"
finish vbd2v 300

# ---- 2./3. phy: backing, hot-plugged into a running guest
rm -f "$phy_img"
dd if=/dev/zero of="$phy_img" bs=1M count=0 seek=32 2>/dev/null
head -c 4194304 /dev/urandom >/tmp/phy-head
dd if=/tmp/phy-head of="$phy_img" bs=1M conv=notrunc 2>/dev/null
say "PHY-IMG bytes=$(wc -c <"$phy_img") head=$(head -c 4194304 "$phy_img" | sha256sum | cut -d' ' -f1)"
loop=$(losetup -f)
losetup "$loop" "$phy_img"
say "LOOP dev=$loop rc=$? sectors=$(blockdev --getsz "$loop" 2>&1)"

keel create "$cfg/vbd2-hotplug.cfg"
say "CREATE vbd2hp rc=$?"
dh=$(keel domid vbd2hp 2>/dev/null)
wait_log vbd2hp "KEEL-VBD-HP-READY" 300 || say "HP guest never ready"
timeout 60 keel block-attach vbd2hp "phy:$loop,xvdb,w"
say "ATTACH rc=$?"
wait_log vbd2hp "KEEL-VBD-HP-DISK" 120
fe=/local/domain/$dh/device/vbd/51728
i=0
while [ "$(xenstore-read "$fe/state" 2>/dev/null)" != 4 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
keel block-list vbd2hp 2>&1 | sed 's/^/KEEL-VBD2-BLOCKLIST: /'
if wait_log vbd2hp "KEEL-VBD-HP-WROTE" 300; then
	say "PHY-DOM0 head=$(head -c 4194304 "$phy_img" | sha256sum | cut -d' ' -f1) written=$(dd if="$phy_img" bs=1M skip=4 count=4 2>/dev/null | sha256sum | cut -d' ' -f1)"
else
	say "HP guest did not write"
fi
timeout 60 keel block-detach vbd2hp xvdb
say "DETACH rc=$?"
wait_grep "$blog" "d$dh vbd 51728: backend directory removed" 30
be=/local/domain/0/backend/vbd/$dh/51728
say "AFTER-DETACH be-dir=$(xenstore-exists "$be" 2>/dev/null && echo present || echo gone) fe-dir=$(xenstore-exists "$fe" 2>/dev/null && echo present || echo gone) blkback-fds-on-loop=$(ls -l "/proc/$bpid/fd" 2>/dev/null | grep -c "$loop\$")"
keel block-list vbd2hp 2>&1 | sed 's/^/KEEL-VBD2-BLOCKLIST-AFTER: /'
finish vbd2hp 300
losetup -d "$loop"
say "LOSETUP-D rc=$?"
blkback_lines "$dh" 51728 | sed 's/^/KEEL-VBD2-BLKLOG-HP: /'

# Every guest is gone: so must be every backend directory (none written
# back by keel-blkback after the toolstack removed it).
sleep 1
left=$(xenstore-list /local/domain/0/backend/vbd 2>/dev/null | tr '\n' ' ')
say "BACKENDS-LEFT [${left% }]"
[ -n "$left" ] && xenstore-ls -f /local/domain/0/backend/vbd 2>&1 | sed 's/^/KEEL-VBD2-STORE: /'
say "BLKBACK-AFTER pid=$(pidof keel-blkback)"
sed 's/^/KEEL-VBD2-BLKBACK: /' "$blog" 2>/dev/null | tail -30
say "DONE"
