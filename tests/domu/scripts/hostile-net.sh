#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=hostile-net (tests/dom0/scripts/keel-hostile-net.sh):
# booted with keel.skipmod=xen-netfront, so no kernel driver takes the NIC;
# the hostile frontend keel-hostile-netfront drives vif 0 itself and prints
# KEEL-HOSTILE-* lines. Then power off. keel.flood_s=N sets how long it
# floods the TX ring.
set -u
flood=10
for arg in $(cat /proc/cmdline); do
	case $arg in keel.flood_s=*) flood=${arg#keel.flood_s=} ;; esac
done
if grep -q '^xen_netfront ' /proc/modules; then
	echo "KEEL-HOSTILE-GUEST xen-netfront is loaded: it would take the NIC"
fi
echo "KEEL-HOSTILE-GUEST devices $(ls /dev/xen 2>/dev/null | tr '\n' ' ') nics $(ls /sys/class/net | tr '\n' ' ')"
/usr/bin/keel-hostile-netfront 0 "$flood"
echo "KEEL-HOSTILE-EXIT rc=$?"
echo "KEEL-HOSTILE-END"
poweroff -f
