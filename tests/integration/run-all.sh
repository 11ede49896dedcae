#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# End-to-end tests of the hypervisor under QEMU (TCG, -cpu EPYC = AMD SVM +
# NPT). Each test guest from tests/guests/guests.list runs as dom0 and is
# judged from outside: its result line, the hypervisor's report, and QEMU's
# exit status (isa-debug-exit). Then boot-path tests: GRUB ISO, no SVM, ACPI
# power-off, SMP, command-line handling.
set -u
. "$(dirname "$0")/lib.sh"

KEEL_ARGS="console=com1 noreboot debug_exit=0xf4 dom0_mem=256M"

while read -r g want; do
	case $g in '#'* | '') continue ;; esac
	[ "$want" = input ] && continue # driven by boot-tests.sh
	[ "$want" = domu ] && continue  # runs only as a toolstack guest's child
	mods=$build/guests/$g.elf
	[ "$want" = toolstack ] && mods="$mods,$build/guests/domu_child.elf"
	keel_boot "guest-$g" 90 "$KEEL_ARGS" "$mods"
	results=$(grep -c 'Test result: ' "$log")
	case $want in
	success)
		if [ $rc -eq $EXIT_POWEROFF ] && [ "$results" -eq 1 ] &&
			grep -q 'Test result: SUCCESS' "$log"; then
			pass "guest $g"
		else
			fail "guest $g: want SUCCESS and power-off (exit $EXIT_POWEROFF), QEMU exit $rc" "$log"
		fi ;;
	reboot)
		if [ $rc -eq $EXIT_REBOOT ] && [ "$results" -eq 0 ] &&
			grep -q 'about to reboot' "$log" &&
			grep -q 'dom0 asked for a reboot: rebooting the machine' "$log"; then
			pass "guest $g"
		else
			fail "guest $g: want a machine reboot (exit $EXIT_REBOOT), QEMU exit $rc" "$log"
		fi ;;
	crash)
		if [ $rc -eq $EXIT_CRASH ] && [ "$results" -eq 0 ] &&
			grep -q 'about to crash' "$log" &&
			grep -q 'd0: shutting down (crash)' "$log" &&
			grep -q 'dom0 crashed: halting (noreboot)' "$log"; then
			pass "guest $g"
		else
			fail "guest $g: want the dom0 crash path (exit $EXIT_CRASH), QEMU exit $rc" "$log"
		fi ;;
	triple_fault)
		# the guest prints its CR3 before faulting; the report must show the same
		cr3=$(sed -n 's/^about to triple fault:.* CR3 0x\([0-9a-fA-F]*\).*/\1/p' "$log" | head -1)
		if [ $rc -eq $EXIT_CRASH ] && [ "$results" -eq 0 ] &&
			grep -q 'd0 crashed: triple fault' "$log" &&
			grep -q 'RIP ' "$log" && grep -q 'EFER ' "$log" &&
			[ -n "$cr3" ] && grep -Eqi "  CR0 [0-9a-f]+ CR2 [0-9a-f]+ CR3 0*$cr3 " "$log"; then
			pass "guest $g"
		else
			fail "guest $g: want a triple-fault report with the guest's CR3 ($cr3) (exit $EXIT_CRASH), QEMU exit $rc" "$log"
		fi ;;
	toolstack)
		# dom0's own verdict starts its line; its children's are "(dN) "-prefixed
		if [ $rc -eq $EXIT_POWEROFF ] && [ "$(grep -c '^Test result: ' "$log")" -eq 1 ] &&
			grep -q '^Test result: SUCCESS' "$log" &&
			grep -q '^(keel) d1: created' "$log" && grep -q '^(d1) ' "$log" &&
			grep -q '^(d1) Test result: SUCCESS' "$log" &&
			grep -q '^(keel) d1: destroyed' "$log" &&
			! grep -q '^(d[0-9]*) Test result: [^S]' "$log"; then
			pass "guest $g (with domu_child as d1..)"
		else
			fail "guest $g: want dom0 SUCCESS, d1 created/ran (SUCCESS)/destroyed and power-off (exit $EXIT_POWEROFF), QEMU exit $rc" "$log"
		fi ;;
	refused)
		if [ $rc -eq $EXIT_PANIC ] && [ "$results" -eq 0 ] &&
			grep -q 'dom0 kernel refused: .*XEN_ELFNOTE_PHYS32_ENTRY' "$log"; then
			pass "guest $g"
		else
			fail "guest $g: want the kernel refused for its missing PVH note (exit $EXIT_PANIC), QEMU exit $rc" "$log"
		fi ;;
	*)
		fail "guest $g: unknown expectation '$want' in guests.list" ;;
	esac
done < "$root/tests/guests/guests.list"

. "$(dirname "$0")/boot-tests.sh"

summary
