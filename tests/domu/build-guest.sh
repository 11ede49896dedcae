#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds the guest image Keel's domU tests boot: the same stock Debian kernel
# as dom0 (build/dom0/vmlinuz, unmodified) and a small busybox initramfs,
# build/domu/initrd.img, whose /init (tests/domu/init) reports the guest's
# state on its PV console and runs keel.test=NAME from tests/domu/scripts.
# Needs build/dom0 (dom0-linux-patches/build-dom0.sh) for the kernel tree,
# busybox and the module resolver.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$root/build
dom0=$build/dom0
out=$build/domu
patches=$root/dom0-linux-patches

die() {
	echo "build-guest: $*" >&2
	exit 1
}
KEEL_ROOT=$root
. "$patches/initramfs-lib.sh"

tree=$dom0/kernel-tree
[ -d "$tree/lib/modules" ] && [ -s "$dom0/vmlinuz" ] ||
	die "no $dom0/kernel-tree or vmlinuz: build dom0's image first (make dom0)"
bbdeb=$(ls "$build"/cache/busybox-static_*_amd64.deb 2>/dev/null | sort -V | tail -n 1)
[ -n "$bbdeb" ] || die "no busybox-static .deb in $build/cache: build dom0's image first (make dom0)"
kver=$(ls "$tree/lib/modules")
moddir=$tree/lib/modules/$kver

mkdir -p "$out"
inputs=$(
	{
		echo "$bbdeb $(cat "$dom0/vmlinuz.from" 2>/dev/null)"
		cat "$here/build-guest.sh" "$here/init" "$here/modules.list" "$patches/mkcpio.py" \
			"$here/host-binaries.list" \
			"$patches/initramfs-lib.sh" \
			"$patches/resolve-modules.py"
		for f in "$here"/scripts/*.sh "$here"/tools/*/*.[ch]; do
			[ -f "$f" ] && echo "$f" && cat "$f"
		done
	} | sha256sum | cut -d' ' -f1
)
if [ -s "$out/initrd.img" ] && [ "$(cat "$out/initrd.img.inputs" 2>/dev/null)" = "$inputs" ]; then
	exit 0
fi
rm -f "$out/initrd.img.inputs"

stage=$out/initrd-root
rm -rf "$stage"
for d in bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt etc tests lib/modules/$kver; do
	mkdir -p "$stage/$d"
done
chmod 1777 "$stage/tmp"
stage_busybox "$stage" "$bbdeb" "$out/busybox.applets"

python3 "$patches/resolve-modules.py" "$moddir" "$here/modules.list" \
	"$out/modules.order" "$stage/lib/modules/$kver/modules.dep"
while read -r m; do
	mkdir -p "$stage/lib/modules/$kver/$(dirname "$m")"
	cp "$moddir/$m" "$stage/lib/modules/$kver/$m"
done <"$out/modules.order"
cp "$out/modules.order" "$stage/lib/modules/$kver/keel-modules.order"

# Host programs (mke2fs, e2fsck for the disk tests) and their libraries.
sed 's/#.*//; /^[[:space:]]*$/d' "$here/host-binaries.list" | while read -r bin; do
	[ -x "$bin" ] || die "host program $bin is missing (install the package that has it)"
	install -D -m 755 "$bin" "$stage$bin"
	ldd "$bin" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }' | while read -r lib; do
		if [ -f "$lib" ] && [ ! -f "$stage$lib" ]; then
			install -D -m 755 "$lib" "$stage$lib"
		fi
	done
done

# Test programs of ours, static: each folder of tests/domu/tools is one
# program of that name (they may use hypervisor/include/public), built
# with what they share in tools/common (front.h).
for d in "$here"/tools/*/; do
	[ -d "$d" ] || continue
	prog=$(basename "$d")
	[ "$prog" = common ] && continue
	gcc -static -O2 -Wall -Wextra -Werror -I"$root/hypervisor/include" -I"$here/tools/common" \
		-o "$stage/usr/bin/$prog" "$d"*.c "$here"/tools/common/*.c || die "cannot build $prog from $d"
	strip "$stage/usr/bin/$prog"
done

install -m 755 "$here/init" "$stage/init"
for f in "$here"/scripts/*.sh; do
	[ -f "$f" ] && install -m 755 "$f" "$stage/tests/"
done
stage_root_files "$stage" domU
pack_initramfs "$stage" "$out" "$inputs"
echo "build-guest: $out/initrd.img: $(wc -c <"$out/initrd.img") bytes, $(wc -l <"$out/modules.order") modules"
