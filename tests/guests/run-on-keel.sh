#!/bin/sh
# SPDX-License-Identifier: MIT
# Boots build/keel with one test guest as dom0 (first multiboot module) under
# QEMU and judges the serial log by the guest's line in guests.list. A helper
# for trying guests by hand; the integration harness reads guests.list itself.
# Usage: run-on-keel.sh GUEST [KEEL]   (exit 0 = as expected)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
g=$1
keel=${2:-$root/build/keel}
out=$root/build/guests
log=$out/$g.keel.log
want=$(awk -v g="$g" '$1 == g { print $2 }' "$here/guests.list")
[ -n "$want" ] || { echo "unknown guest $g"; exit 2; }
[ -f "$keel" ] || { echo "no hypervisor image $keel"; exit 2; }
[ "$want" = domu ] && { echo "$g runs only as a domU: try the toolstack guest (domctl)"; exit 2; }
mods=$out/$g.elf
[ "$want" = toolstack ] && mods="$mods,$out/domu_child.elf"

rm -f "$log"
timeout 60 qemu-system-x86_64 -M q35 -cpu EPYC -m 512 -display none \
	-no-reboot -serial "file:$log" -kernel "$keel" -initrd "$mods" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null
rc=$?
# the serial console ends lines with CR LF
sed -i 's/\r$//' "$log" 2>/dev/null

# After the guest's "about to ..." line, the hypervisor must say what happened.
after() { sed -n "/$1/,\$p" "$log" | tail -n +2; }
results=$(grep -c 'Test result: ' "$log" 2>/dev/null)
ok=0
case $want in
success)
	[ "$results" = 1 ] && grep -q 'Test result: SUCCESS$' "$log" && ok=1 ;;
reboot)
	# -no-reboot turns the hypervisor's reset into QEMU exiting on its own.
	grep -q 'about to reboot' "$log" && [ "$results" = 0 ] &&
		[ $rc -ne 124 ] && ok=1 ;;
crash)
	grep -q 'about to crash' "$log" && [ "$results" = 0 ] &&
		after 'about to crash' | grep -qi 'crash' && ok=1 ;;
triple_fault)
	grep -q 'about to triple fault' "$log" && [ "$results" = 0 ] &&
		after 'about to triple fault' | grep -qi 'triple.fault' && ok=1 ;;
toolstack)
	# dom0's verdict starts its line; its children's carry "(dN) " before it
	[ "$(grep -c '^Test result: ' "$log")" = 1 ] &&
		grep -q '^Test result: SUCCESS$' "$log" &&
		grep -q '^(d1) Test result: SUCCESS' "$log" && ok=1 ;;
refused)
	[ "$results" = 0 ] && grep -q 'PHYS32_ENTRY' "$log" && ok=1 ;;
esac
if [ $ok = 1 ]; then
	echo "PASS $g ($want)"
	exit 0
fi
echo "FAIL $g: expected $want (QEMU rc $rc), log $log:"
tail -30 "$log" 2>/dev/null | sed 's/^/    /'
exit 1
