#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=hostile (tests/dom0/scripts/keel-hostile.sh) and, as
# `hostile.sh net`, keel.test=hostile-net (keel-hostile-net.sh): booted with
# keel.skipmod= naming the stock frontend, so no kernel driver takes the
# device; our hostile frontend drives it itself and prints KEEL-HOSTILE-*
# lines: keel-hostile-blkfront xvda (51712, read-write) and xvdb (51728,
# read-only), or keel-hostile-netfront vif 0. Then power off.
# keel.flood_s=N sets how long it floods the ring.
set -u
case ${1:-blk} in
net)
	module=xen_netfront driver=xen-netfront takes="the NIC" flood=10
	set -- /usr/bin/keel-hostile-netfront 0
	;;
*)
	module=xen_blkfront driver=xen-blkfront takes="the disks" flood=20
	set -- /usr/bin/keel-hostile-blkfront 51712 51728
	;;
esac
for arg in $(cat /proc/cmdline); do
	case $arg in keel.flood_s=*) flood=${arg#keel.flood_s=} ;; esac
done
if grep -q "^$module " /proc/modules; then
	echo "KEEL-HOSTILE-GUEST $driver is loaded: it would take $takes"
fi
echo "KEEL-HOSTILE-GUEST devices $(ls /dev/xen 2>/dev/null | tr '\n' ' ') nics $(ls /sys/class/net | tr '\n' ' ')"
"$@" "$flood"
echo "KEEL-HOSTILE-EXIT rc=$?"
echo "KEEL-HOSTILE-END"
poweroff -f
