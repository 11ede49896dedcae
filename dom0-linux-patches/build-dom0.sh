#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds Keel's dom0 image from Debian's stock kernel package and busybox-static:
# build/dom0/{vmlinuz,vmlinux,config,initrd.img}. Incremental; see README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$root/build
cache=$build/cache
out=$build/dom0
scripts=$root/tests/dom0/scripts
pvio_lib=$root/tests/domu/scripts/pvio-lib.sh # the PV I/O bench's, shared with the guest
tools=$root/tests/dom0/tools
mkdir -p "$cache" "$out"

# One build at a time: the lead's tests and ours may share the checkout.
if [ -z "${KEEL_DOM0_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
	KEEL_DOM0_LOCKED=1 exec flock "$out/.lock" "$0" "$@"
fi

die() {
	echo "build-dom0: $*" >&2
	exit 1
}
KEEL_ROOT=$root
. "$here/initramfs-lib.sh"

need() {
	command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install the Debian package $2 (tests/install-deps.sh installs dom0-linux-patches/deps.txt)"
}
need dpkg-deb dpkg
need depmod kmod
need python3 python3
need xz xz-utils
need gzip gzip
need readelf binutils
need strip binutils
need make make
need gcc gcc

# fetch PACKAGE GLOB: print the cached .deb of PACKAGE, downloading it with
# apt-get into build/cache when none is cached.
fetch() {
	deb=$(ls "$cache"/$2 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$deb" ]; then
		echo "build-dom0: downloading $1 into $cache" >&2
		(cd "$cache" && apt-get download "$1") >&2 ||
			die "apt-get download $1 failed (network? run 'apt-get update' first)"
		deb=$(ls "$cache"/$2 2>/dev/null | sort -V | tail -n 1)
		[ -n "$deb" ] || die "apt-get download $1 left no $2 in $cache"
	fi
	echo "$deb"
}

# The kernel: exactly the package linux-image-amd64 depends on. Named the way
# apt-get download names it, so tests/unit/xz-kernel.sh shares the same file.
kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -n "$kpkg" ]; then
	kdeb=$(fetch "$kpkg" "${kpkg}_*_amd64.deb")
else
	# No apt lists (offline machine): take the newest cached kernel.
	kdeb=$(ls "$cache"/linux-image-[0-9]*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kdeb" ] || die "cannot resolve the kernel package of linux-image-amd64 and none is cached: run 'apt-get update'"
	echo "build-dom0: apt-cache cannot resolve linux-image-amd64; using cached $(basename "$kdeb")" >&2
fi
bbdeb=$(fetch busybox-static "busybox-static_*_amd64.deb")

# 1. Unpack the kernel package once per .deb, and run depmod on it: the .deb
#    ships no modules.dep (its postinst generates it on an installed system).
tree=$out/kernel-tree
if [ "$(cat "$tree.from" 2>/dev/null)" != "$kdeb" ]; then
	echo "build-dom0: unpacking $(basename "$kdeb")"
	rm -rf "$tree" "$tree.from"
	mkdir -p "$tree"
	dpkg-deb -x "$kdeb" "$tree" || die "cannot unpack $kdeb (corrupt download? delete it and rerun)"
	kver=$(ls "$tree/lib/modules")
	[ -n "$kver" ] && [ "$(echo "$kver" | wc -l)" -eq 1 ] ||
		die "$kdeb: expected one /lib/modules/VERSION, found: $kver"
	depmod -b "$tree" "$kver" || die "depmod failed on $tree"
	echo "$kdeb" >"$tree.from"
fi
kver=$(ls "$tree/lib/modules")
moddir=$tree/lib/modules/$kver

# 2. The kernel image, its config and its ELF, refreshed when the .deb changes.
if [ "$(cat "$out/vmlinuz.from" 2>/dev/null)" != "$kdeb" ] || [ ! -s "$out/vmlinux" ]; then
	rm -f "$out/vmlinuz.from"
	cp "$tree/boot/vmlinuz-$kver" "$out/vmlinuz"
	cp "$tree/boot/config-$kver" "$out/config"
	"$here/extract-vmlinux.sh" "$out/vmlinuz" "$out/vmlinux.tmp"
	mv "$out/vmlinux.tmp" "$out/vmlinux"
	echo "$kdeb" >"$out/vmlinuz.from"
fi

# keelstored, dom0's xenstore (xenstore-like/): built by its own Makefile,
# which rebuilds it only when its sources changed.
make -s -C "$root/xenstore-like" "$build/xenstore-like/keelstored" >&2 ||
	die "cannot build keelstored (make -C xenstore-like)"
keelstored=$build/xenstore-like/keelstored

# The toolstack (keel, keel-consoled) and the test guest's image, so dom0 can
# create guests from the same stock kernel (tests/domu/build-guest.sh).
make -s -C "$root/toolstack" all >&2 || die "cannot build the toolstack (make -C toolstack)"
"$root/tests/domu/build-guest.sh" >&2 || die "cannot build the guest image (tests/domu/build-guest.sh)"
toolstack_bins="$build/toolstack/keel $build/toolstack/keel-xml $build/toolstack/keel-consoled"
# The backends (pv-drivers/): keel-blkback, keel-netback when it exists.
make -s -C "$root/pv-drivers" all >&2 || die "cannot build the backends (make -C pv-drivers)"
for bin in "$build"/pv-drivers/keel-*; do
	[ -x "$bin" ] && toolstack_bins="$toolstack_bins $bin"
done

# 3. The initramfs, rebuilt only when one of its inputs changed.
inputs=$(
	{
		echo "$kdeb $bbdeb ${SOURCE_DATE_EPOCH:-0}"
		sha256sum "$keelstored" $toolstack_bins "$build/domu/initrd.img" "$root/configs/dom0/keel.init"
		cat "$root"/tests/dom0/guests/*.cfg
		cat "$here/build-dom0.sh" "$here/initramfs-lib.sh" "$here/init" "$here/modules.list" \
			"$here/resolve-modules.py" "$here/mkcpio.py"
		for f in "$scripts"/*.sh "$pvio_lib" "$tools"/*.c "$here/host-binaries.list"; do
			[ -f "$f" ] && echo "$f" && cat "$f"
		done
	} | sha256sum | cut -d' ' -f1
)
if [ -s "$out/initrd.img" ] && [ "$(cat "$out/initrd.img.inputs" 2>/dev/null)" = "$inputs" ]; then
	echo "build-dom0: $out/initrd.img is up to date"
	exit 0
fi
rm -f "$out/initrd.img.inputs"

stage=$out/initrd-root
rm -rf "$stage"
mkdir -p "$stage"
for d in bin sbin usr/bin usr/sbin dev proc sys run tmp root mnt etc tests lib/modules/$kver \
	var/log var/lib/keelstored; do
	mkdir -p "$stage/$d"
done
# libxenstore's default socket is /var/run/xenstored/socket.
ln -s /run "$stage/var/run"
chmod 1777 "$stage/tmp"
chmod 700 "$stage/root"

# busybox and a link for each applet it has (the static binary runs here too).
stage_busybox "$stage" "$bbdeb" "$out/busybox.applets"
for applet in sh insmod mount setsid cttyhack poweroff; do
	grep -q "/$applet\$" "$out/busybox.applets" || die "busybox in $bbdeb has no '$applet' applet; /init needs it"
done

# Modules: the list plus every dependency, resolved from depmod's output.
python3 "$here/resolve-modules.py" "$moddir" "$here/modules.list" \
	"$out/modules.order" "$stage/lib/modules/$kver/modules.dep"
while read -r m; do
	mkdir -p "$stage/lib/modules/$kver/$(dirname "$m")"
	cp "$moddir/$m" "$stage/lib/modules/$kver/$m"
done <"$out/modules.order"
cp "$out/modules.order" "$stage/lib/modules/$kver/keel-modules.order"
sed 's/#.*//; /^[[:space:]]*$/d; s/[[:space:]]//g' "$here/modules.list" \
	>"$stage/lib/modules/$kver/keel-modules.wanted"

# Test programs of ours (static), and a few host programs busybox lacks
# (mke2fs for ext4) with the shared libraries they load.
for f in "$tools"/*.c; do
	[ -f "$f" ] || continue
	gcc -static -O2 -Wall -Wextra -Werror -o "$stage/usr/bin/$(basename "$f" .c)" "$f" ||
		die "cannot build $f"
done
sed 's/#.*//; /^[[:space:]]*$/d' "$here/host-binaries.list" | while read -r bin; do
	[ -x "$bin" ] || die "host program $bin is missing (install the package that has it)"
	install -D -m 755 "$bin" "$stage$bin"
	ldd "$bin" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }' | while read -r lib; do
		[ -f "$lib" ] && install -D -m 755 "$lib" "$stage$lib"
	done
done

# glibc dlopens libgcc_s.so.1 for pthread_cancel (xenstore-watch exits that
# way) and for unwinding; ldd does not list it.
libgcc_s=$(ldconfig -p | awk '/libgcc_s\.so\.1 .*x86-64/ { print $NF; exit }')
[ -f "$libgcc_s" ] || die "no libgcc_s.so.1 on the build host (Debian package libgcc-s1)"
install -D -m 755 "$libgcc_s" "$stage$libgcc_s"

# keelstored and the libraries it loads (glibc only); debug info stays in
# build/xenstore-like/keelstored.
install -D -m 755 "$keelstored" "$stage/usr/sbin/keelstored"
strip "$stage/usr/sbin/keelstored"
ldd "$keelstored" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }' | while read -r lib; do
	if [ -f "$lib" ] && [ ! -f "$stage$lib" ]; then
		install -D -m 755 "$lib" "$stage$lib"
	fi
done

# keel (static), keel-xml (its libxml2 helper, run from keel's directory),
# keel-consoled and their libraries; the service script; the guest kernel
# (dom0's own, unmodified) and initramfs; the test guests' configs.
for bin in $toolstack_bins; do
	install -D -m 755 "$bin" "$stage/usr/sbin/$(basename "$bin")"
	strip "$stage/usr/sbin/$(basename "$bin")"
	ldd "$bin" 2>/dev/null | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }' | while read -r lib; do
		if [ -f "$lib" ] && [ ! -f "$stage$lib" ]; then
			install -D -m 755 "$lib" "$stage$lib"
		fi
	done
done
install -D -m 755 "$root/configs/dom0/keel.init" "$stage/etc/init.d/keel"
install -D -m 644 "$out/vmlinuz" "$stage/var/lib/keel/vmlinuz"
install -D -m 644 "$build/domu/initrd.img" "$stage/var/lib/keel/guest-initrd.img"
mkdir -p "$stage/etc/keel/tests"
cp "$root"/tests/dom0/guests/*.cfg "$stage/etc/keel/tests/"

cp "$here/init" "$stage/init"
chmod 755 "$stage/init"
for f in "$scripts"/*.sh "$pvio_lib"; do
	[ -f "$f" ] && install -m 755 "$f" "$stage/tests/"
done
echo "keel-dom0 image: $(dpkg-deb -f "$kdeb" Package Version | tr '\n' ' ')+ $(dpkg-deb -f "$bbdeb" Package Version | tr '\n' ' ')" >"$stage/etc/keel-dom0-release"
stage_root_files "$stage" dom0
pack_initramfs "$stage" "$out" "$inputs"
echo "build-dom0: $out/initrd.img: $(wc -c <"$out/initrd.img") bytes, kernel $kver, $(wc -l <"$out/modules.order") modules"
