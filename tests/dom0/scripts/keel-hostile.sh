#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-hostile: a hostile guest against
# keel-blkback while a well-behaved one keeps working. `steady` (stock
# frontends, tests/domu/scripts/steady.sh) checks its disk and pings dom0
# in a loop; `hostile` (keel-hostile-blkfront, tests/domu/scripts/
# hostile.sh) sends malformed requests, floods its ring and breaks its ring
# index. Afterwards dom0 compares the hostile guest's images with what they
# must hold (the pattern written here, plus the one valid write), and
# reports the backends' pids and keel-blkback's log lines about the hostile
# domain. Prints KEEL-ATTACK-* lines for tests/integration/dom0-tests.py.
set -u
. "$(dirname "$0")/guest-lib.sh"
cfg=/etc/keel/tests
img=/var/lib/keel/hostile.img
ro=/var/lib/keel/hostile-ro.img
say() { echo "KEEL-ATTACK-$*"; }

# pattern LABEL FIRST COUNT: sectors FIRST.. of an image, each "LABEL sector
# N" padded to 511 bytes and a newline (what keel-hostile-blkfront expects).
pattern() {
	awk -v label="$1" -v first="$2" -v n="$3" \
		'BEGIN { for (i = first; i < first + n; i++) printf "%-511s\n", label " sector " i }'
}
show_log() { tail -${3:-30} "$logdir/guest-$1.log" 2>&1 | tr -d '\r' | sed "s/^/KEEL-ATTACK-LOG-$1: /"; }

i=0
while { ! pidof keel-blkback >/dev/null || ! pidof keel-netback >/dev/null; } && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
blkback=$(pidof keel-blkback)
netback=$(pidof keel-netback)
say "DAEMONS blkback=$blkback netback=$netback"
# What keel-blkback holds with no guest: the same again at the end, or it
# leaked what a refused handshake or a disconnect left behind.
fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status" 2>/dev/null; }
say "BLKBACK-START fds=$(fds "$blkback") rss_kb=$(rss "$blkback") threads=$(ls /proc/"$blkback"/task 2>/dev/null | wc -l)"

mkdir -p /var/lib/keel
pattern keel-hostile-disk 0 16384 >"$img"
pattern keel-hostile-ro 0 2048 >"$ro"
cp "$img" /tmp/hostile.orig
cp "$ro" /tmp/hostile-ro.orig
say "IMAGES hostile=$(wc -c <"$img") ro=$(wc -c <"$ro")"

# 1. The well-behaved guest, until it has done two rounds.
steady_start

# 2. The attack.
attacker_start "$cfg/hostile.cfg" hostile
wait_log hostile "KEEL-HOSTILE-FLOOD-START" 300 && say "FLOOD-START rounds=$(steady_rounds)"
wait_log hostile "KEEL-HOSTILE-flood " 300 && say "FLOOD-END rounds=$(steady_rounds)"
attacker_end hostile "$t0"

# 3. The neighbour goes on: three more rounds after the attack.
steady_finish

# 4. The images: the hostile disk holds dom0's pattern except for the
# guest's one valid write, which holds the guest's; the read-only one is
# unchanged. cmp also fails on a file that grew (a write past the end).
valid=$(grep -a -m1 "KEEL-HOSTILE-VALID-WRITE" "$logdir/guest-hostile.log" | tr -d '\r')
sector=$(echo "$valid" | sed -n 's/.*sector=\([0-9]*\) .*/\1/p')
count=$(echo "$valid" | sed -n 's/.*sectors=\([0-9]*\) .*/\1/p')
label=$(echo "$valid" | sed -n 's/.*label=\([^ ]*\).*/\1/p')
cp /tmp/hostile.orig /tmp/hostile.want
if [ -n "$sector" ] && [ -n "$count" ] && [ -n "$label" ]; then
	pattern "$label" "$sector" "$count" | dd of=/tmp/hostile.want bs=512 seek="$sector" conv=notrunc 2>/dev/null
fi
if cmp "$img" /tmp/hostile.want >/dev/null 2>&1; then
	say "IMAGE-CHECK same valid_write=$sector+$count"
else
	say "IMAGE-CHECK differs size=$(wc -c <"$img") valid_write=$sector+$count sectors: $(cmp -l "$img" /tmp/hostile.want 2>&1 | awk '{ print int(($1 - 1) / 512) }' | uniq | head -20 | tr '\n' ' ')"
fi
if cmp "$ro" /tmp/hostile-ro.orig >/dev/null 2>&1; then
	say "RO-IMAGE-CHECK same"
else
	say "RO-IMAGE-CHECK differs size=$(wc -c <"$ro")"
fi

# 5. The backends are the same processes, and what keel-blkback said.
say "DAEMONS-AFTER blkback=$(pidof keel-blkback) netback=$(pidof keel-netback)"
i=0
while [ "$(ls /proc/"$blkback"/task 2>/dev/null | wc -l)" -gt 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
say "BLKBACK-END fds=$(fds "$blkback") rss_kb=$(rss "$blkback") threads=$(ls /proc/"$blkback"/task 2>/dev/null | wc -l)"
grep "d$hostile vbd" /var/log/keel-blkback.log 2>/dev/null | head -400 | sed 's/^/KEEL-ATTACK-BBLOG: /'
grep -a "KEEL-HOSTILE-" "$logdir/guest-hostile.log" | tr -d '\r' | sed 's/^.*KEEL-HOSTILE-/KEEL-ATTACK-G: KEEL-HOSTILE-/'
echo "KEEL-DOM0-TEST: DONE keel-hostile"
