#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-net: DHCP on the virtio NIC from QEMU's user
# network, then fetch keel.url (served by the test on the host, reached
# through the QEMU gateway 10.0.2.2) and print what came back.
set -u
url=""
for arg in $(cat /proc/cmdline); do
	case $arg in keel.url=*) url=${arg#keel.url=} ;; esac
done
mkdir -p /usr/share/udhcpc
cat >/usr/share/udhcpc/default.script <<'S'
#!/bin/sh
case $1 in
bound | renew)
	ip addr add "$ip/${mask:-24}" dev "$interface"
	for r in $router; do ip route add default via "$r" dev "$interface"; done ;;
esac
S
chmod 755 /usr/share/udhcpc/default.script
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -T 2
echo "KEEL-NET-ADDR $(ip -4 -o addr show eth0 | awk '{ print $4 }')"
echo "KEEL-NET-ROUTE $(ip route show default)"
echo "KEEL-NET-FETCH $(wget -q -T 10 -O - "$url")"
echo "KEEL-DOM0-TEST: DONE keel-net"
