#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 smoke test, run by /init for keel.test=smoke: reports the system and
# checks that dom0's modules loaded (Xen ones only where there is a Xen/Keel).
# No `set -e`: every check reports itself and the script must always reach
# its verdict line.
set -u
name=smoke
failed=0
bad() {
	echo "smoke: FAIL: $*"
	failed=1
}

echo "smoke: uname: $(uname -a)"
echo "smoke: cmdline: $(cat /proc/cmdline)"
hv=$(cat /sys/hypervisor/type 2>/dev/null || echo none)
echo "smoke: hypervisor: $hv"
moddir=/lib/modules/$(uname -r)
[ -f "$moddir/keel-modules.wanted" ] || bad "no $moddir/keel-modules.wanted: initramfs built for another kernel?"

echo "smoke: loaded modules:"
cut -d' ' -f1 /proc/modules | sort | sed 's/^/smoke:   /'
echo "smoke: /dev/xen:"
ls -l /dev/xen 2>&1 | sed 's/^/smoke:   /'

loaded() { grep -q "^$1 " /proc/modules; }

# Every module named in modules.list must be loaded; Xen's return ENODEV
# without a Xen-compatible hypervisor, which is the expected outcome natively.
while read -r m; do
	m=$(echo "$m" | tr - _)
	case $m in
	xen*)
		if [ "$hv" = xen ]; then
			loaded "$m" && echo "smoke: module $m: loaded" || bad "module $m not loaded under $hv"
		elif loaded "$m"; then
			echo "smoke: module $m: loaded (no hypervisor, unexpected but harmless)"
		else
			echo "smoke: module $m: not loaded, expected without a hypervisor"
		fi
		;;
	*)
		loaded "$m" && echo "smoke: module $m: loaded" || bad "module $m not loaded"
		;;
	esac
done <"$moddir/keel-modules.wanted"

if [ "$hv" = xen ]; then
	for d in evtchn gntdev gntalloc privcmd xenbus xenbus_backend; do
		[ -c "/dev/xen/$d" ] && echo "smoke: /dev/xen/$d: present" || bad "/dev/xen/$d missing"
	done
	grep -q control_d /proc/xen/capabilities 2>/dev/null &&
		echo "smoke: /proc/xen/capabilities: control_d (we are dom0)" ||
		bad "xenfs not mounted on /proc/xen or no control_d in /proc/xen/capabilities"
fi

# With a virtio disk holding an ext4 filesystem (the native test attaches
# one, label keel-smoke), mount it and read the file it carries.
for b in /sys/block/vd*; do
	[ -e "$b" ] || continue
	dev=/dev/${b##*/}
	echo "smoke: virtio disk $dev, $(cat "$b/size") sectors"
	mkdir -p /mnt/smoke
	if mount -t ext4 -o ro "$dev" /mnt/smoke 2>/tmp/mount.err; then
		echo "smoke: ext4 on $dev: mounted, hello.txt: $(cat /mnt/smoke/hello.txt 2>&1)"
		umount /mnt/smoke
	else
		bad "cannot mount $dev as ext4: $(cat /tmp/mount.err)"
	fi
done
for n in /sys/class/net/*; do
	[ -e "$n/device/driver" ] || continue
	echo "smoke: network interface ${n##*/}, driver $(basename "$(readlink "$n/device/driver")")"
done

if [ "$failed" -eq 0 ]; then
	echo "KEEL-DOM0-TEST: PASS $name"
else
	echo "KEEL-DOM0-TEST: FAIL $name"
fi
