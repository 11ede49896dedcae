#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Puts Debian's stock kernel image (the package linux-image-amd64 depends on)
# at DIR/vmlinuz for the xz decoder test. The .deb is cached in build/cache;
# apt is only asked when no cached kernel .deb exists. Fails loudly otherwise.
set -eu
dir=${1:?usage: xz-kernel.sh DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=$root/build/cache
mkdir -p "$cache" "$dir"

find_deb() {
	ls "$cache"/linux-image-[0-9]*-amd64_*_amd64.deb 2>/dev/null | sort -V | tail -n 1
}

deb=$(find_deb || true)
if [ -z "$deb" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ]; then
		echo "xz-kernel.sh: cannot resolve the kernel package of linux-image-amd64 (run apt-get update)" >&2
		exit 1
	fi
	(cd "$cache" && apt-get download "$pkg") >&2 || {
		echo "xz-kernel.sh: apt-get download $pkg failed" >&2
		exit 1
	}
	deb=$(find_deb)
fi

# Re-extract only when the cached .deb changed.
if [ ! -s "$dir/vmlinuz" ] || [ "$(cat "$dir/vmlinuz.from" 2>/dev/null)" != "$deb" ]; then
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O --wildcards './boot/vmlinuz-*' >"$dir/vmlinuz.tmp"
	[ -s "$dir/vmlinuz.tmp" ] || {
		echo "xz-kernel.sh: no /boot/vmlinuz-* in $deb" >&2
		exit 1
	}
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	echo "$deb" >"$dir/vmlinuz.from"
fi
