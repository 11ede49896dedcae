# SPDX-License-Identifier: GPL-2.0-only
# Shell functions shared by the two initramfs builders (dom0-linux-patches/
# build-dom0.sh for dom0, tests/domu/build-guest.sh for test guests).
# Sourced; the caller defines die() and sets KEEL_ROOT to the checkout.

# stage_busybox STAGE BUSYBOX_DEB APPLET_LIST: busybox-static at STAGE/bin,
# a link for each applet, and the applet list written to APPLET_LIST.
stage_busybox() {
	dpkg-deb --fsys-tarfile "$2" | tar -x -O ./bin/busybox >"$1/bin/busybox" ||
		die "no ./bin/busybox in $2"
	chmod 755 "$1/bin/busybox"
	"$1/bin/busybox" --list-full >"$3" || die "cannot run $1/bin/busybox --list-full"
	while read -r applet; do
		# linuxrc is busybox init for initrd-as-root-device; the kernel runs /init.
		case $applet in bin/busybox | linuxrc) continue ;; esac
		mkdir -p "$1/$(dirname "$applet")"
		ln -sf /bin/busybox "$1/$applet"
	done <"$3"
}

# stage_root_files STAGE PROMPT: passwd, group and a profile with PROMPT.
stage_root_files() {
	echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
	printf '%s\n' 'root:x:0:' 'tty:x:5:' >"$1/etc/group"
	printf '%s\n' "export PS1=\"$2:\\w# \"" 'export PATH=/sbin:/usr/sbin:/bin:/usr/bin' >"$1/etc/profile"
}

# pack_initramfs STAGE OUT_DIR INPUTS_HASH: OUT_DIR/initrd.img (gzip'd cpio),
# replaced atomically, and the hash of its inputs beside it. /dev/console
# must be in the archive: the kernel opens it for /init before devtmpfs.
pack_initramfs() {
	python3 "$KEEL_ROOT/dom0-linux-patches/mkcpio.py" "$1" "$2/initrd.cpio" \
		--node dev/console:c:5:1:600 || die "mkcpio failed on $1"
	gzip -n -9 -c "$2/initrd.cpio" >"$2/initrd.img.tmp"
	mv "$2/initrd.img.tmp" "$2/initrd.img"
	rm -f "$2/initrd.cpio"
	echo "$3" >"$2/initrd.img.inputs"
}
