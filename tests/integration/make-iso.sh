#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Builds build/keel.iso: a GRUB (BIOS) rescue image whose menu boots Keel
# with multiboot2 and hands it dom0's kernel as module2. Until the stock
# Linux dom0 lands, dom0 is the `hello` test guest.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
iso=$build/iso
rm -rf "$iso"
mkdir -p "$iso/boot/grub"
cp "$build/keel" "$iso/boot/keel"
cp "$build/guests/hello.elf" "$iso/boot/dom0.elf"
cat > "$iso/boot/grub/grub.cfg" <<'CFG'
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
set default=0

menuentry "Keel (dom0: hello test kernel)" {
	multiboot2 /boot/keel console=com1 dom0_mem=256M
	module2 /boot/dom0.elf
}

menuentry "Keel (dom0: hello test kernel, debug log, halt on crash)" {
	multiboot2 /boot/keel console=com1 dom0_mem=256M loglvl=all noreboot
	module2 /boot/dom0.elf
}
CFG
grub-mkrescue -o "$build/keel.iso" "$iso" >"$build/grub-mkrescue.log" 2>&1 || {
	cat "$build/grub-mkrescue.log" >&2
	echo "make-iso: grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools)" >&2
	exit 1
}
echo "  ISO     build/keel.iso"
