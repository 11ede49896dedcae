#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds the GRUB (BIOS) rescue images that boot Keel with multiboot2:
#   build/keel.iso        dom0 = the stock Debian kernel + Keel's dom0
#                         initramfs (build/dom0/), a root shell on hvc0
#   build/keel-hello.iso  dom0 = the `hello` test kernel (fast boot-path test)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
dom0_cmdline=$(cat "$root/dom0-linux-patches/cmdline")

# make_iso ISO GRUB_CFG FILE... : FILEs are copied into /boot of the image.
make_iso() {
	out=$1
	cfg=$2
	shift 2
	tree=$build/iso-tree
	rm -rf "$tree"
	mkdir -p "$tree/boot/grub"
	cp "$build/keel" "$tree/boot/keel"
	for f in "$@"; do
		cp "$f" "$tree/boot/"
	done
	printf '%s\n' "$cfg" >"$tree/boot/grub/grub.cfg"
	grub-mkrescue -o "$out" "$tree" >"$build/grub-mkrescue.log" 2>&1 || {
		cat "$build/grub-mkrescue.log" >&2
		echo "make-iso: grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools)" >&2
		exit 1
	}
	echo "  ISO     ${out#"$root"/}"
}

serial='serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
set default=0'

make_iso "$build/keel.iso" "$serial

menuentry \"Keel (dom0: stock Debian Linux)\" {
	multiboot2 /boot/keel console=com1 dom0_mem=1024M
	module2 /boot/vmlinuz $dom0_cmdline
	module2 /boot/initrd.img
}

menuentry \"Keel (dom0: stock Debian Linux, hypervisor debug log, halt on crash)\" {
	multiboot2 /boot/keel console=com1 dom0_mem=1024M loglvl=all noreboot
	module2 /boot/vmlinuz $dom0_cmdline
	module2 /boot/initrd.img
}" "$build/dom0/vmlinuz" "$build/dom0/initrd.img"

make_iso "$build/keel-hello.iso" "$serial

menuentry \"Keel (dom0: hello test kernel)\" {
	multiboot2 /boot/keel console=com1 dom0_mem=256M
	module2 /boot/hello.elf
}" "$build/guests/hello.elf"
