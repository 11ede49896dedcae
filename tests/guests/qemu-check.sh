#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots each test guest under plain QEMU (no hypervisor): proves entry, long
# mode, the port 0xE9 console and the report/exit path. Without Xen every guest
# must say SKIP, except selftest (SUCCESS) and no_pvh_note (QEMU refuses it).
# Usage: qemu-check.sh OUTDIR GUEST...
set -u
out=$1
shift
fail=0
for g in "$@"; do
	elf=$out/$g.elf
	# The PVH note: "Xen", type 0x12, 4-byte desc (8 for hello_note64, none
	# for no_pvh_note); the loader reads nothing else.
	case $g in
	no_pvh_note) want_note= ;;
	hello_note64) want_note=0x00000008 ;;
	*) want_note=0x00000004 ;;
	esac
	note=$(readelf -n "$elf" | awk '$1 == "Xen" && /0x00000012/ { print $2 }')
	if [ "$note" != "$want_note" ]; then
		echo "FAIL $g: PVH note descsz '$note', expected '$want_note'"
		fail=1
	fi
	log=$out/$g.qemu.log
	rm -f "$log"
	timeout 30 qemu-system-x86_64 -M q35 -cpu EPYC -m 256 -nographic \
		-no-reboot -kernel "$elf" -debugcon "file:$log" \
		-global isa-debugcon.iobase=0xe9 \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		>"$out/$g.qemu.out" 2>&1 </dev/null
	rc=$?
	case $g in
	no_pvh_note)
		# QEMU's PVH loader needs the note too; it must fail to boot the image.
		if [ $rc -ne 0 ] && [ $rc -ne 124 ] &&
		   grep -q "PVH ELF Note" "$out/$g.qemu.out"; then
			echo "PASS $g (QEMU refused it: no PVH note)"
		else
			echo "FAIL $g: QEMU did not refuse it (rc $rc), see $out/$g.qemu.out"
			fail=1
		fi
		continue ;;
	selftest) want=SUCCESS ;;
	*) want=SKIP ;;
	esac
	lines=$(grep -c '^Test result: ' "$log" 2>/dev/null)
	if [ "$lines" = 1 ] && grep -qx "Test result: $want" "$log"; then
		echo "PASS $g ($want)"
	else
		echo "FAIL $g: expected one 'Test result: $want' (rc $rc), log $log:"
		sed 's/^/    /' "$log" 2>/dev/null | tail -20
		fail=1
	fi
done
exit $fail
