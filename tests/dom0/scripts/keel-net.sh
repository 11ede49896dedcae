#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-net: DHCP on the virtio NIC from QEMU's user
# network, then fetch keel.fetch=IP:PORT:PATH (served by the test on the host,
# reached through the QEMU gateway 10.0.2.2) and print what came back.
set -u
fetch="" # IP:PORT:PATH
for arg in $(cat /proc/cmdline); do
	case $arg in keel.fetch=*) fetch=${arg#keel.fetch=} ;; esac
done
mkdir -p /etc/udhcpc
cat >/etc/udhcpc/default.script <<'S'
#!/bin/sh
case $1 in
bound | renew)
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; done ;;
esac
S
chmod 755 /etc/udhcpc/default.script
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -T 2 -s /etc/udhcpc/default.script
ip addr show eth0
echo "KEEL-NET-ADDR $(ip -4 addr show eth0 | awk '/inet / { print $2 }')"
echo "KEEL-NET-ROUTE $(ip route show default)"
ping -c 1 -W 5 10.0.2.2 >/dev/null 2>&1 && echo "KEEL-NET-PING ok" || echo "KEEL-NET-PING no reply (QEMU user networking may not answer ICMP)"
ip=${fetch%%:*}
rest=${fetch#*:}
echo "KEEL-NET-FETCH $(http-get "$ip" "${rest%%:*}" "${rest#*:}")"
echo "KEEL-DOM0-TEST: DONE keel-net"
