# SPDX-License-Identifier: GPL-2.0-only
# Boot-path tests, sourced by run-all.sh (lib.sh already loaded).

# GRUB (multiboot2) from the ISO: Keel runs the ISO's default entry (hello as
# dom0); without debug_exit, dom0's power-off must become an ACPI S5 power-off
# (QEMU exits 0 by itself).
log=$logs/grub-iso.log
rm -f "$log"
timeout 120 qemu-system-x86_64 -M q35 -cpu EPYC -m 1024 -smp 2 -display none \
	-no-reboot -monitor none -serial "file:$log" -cdrom "$build/keel.iso" -boot d </dev/null
rc=$?
if [ $rc -eq 0 ] && grep -q '(multiboot2)' "$log" && grep -q 'Test result: SUCCESS' "$log" &&
	grep -q 'powering off the machine' "$log"; then
	pass "GRUB ISO boot (multiboot2) and ACPI power-off"
else
	fail "GRUB ISO boot: want multiboot2 banner, SUCCESS and ACPI power-off (exit 0), QEMU exit $rc" "$log"
fi

# A CPU without SVM, and one with SVM but no nested paging: one line naming
# what is missing, then a halt.
for cpu in "qemu64,-svm:no AMD SVM" "qemu64:SVM but no nested paging (NPT)"; do
	model=${cpu%%:*}
	want=${cpu#*:}
	keel_boot "cpu-$model" 60 "console=com1 debug_exit=0xf4" "$build/guests/hello.elf" -cpu "$model"
	if [ $rc -eq $EXIT_PANIC ] && [ "$(grep -c "Keel cannot run: .*$want" "$log")" -eq 1 ] &&
		! grep -q 'Test result' "$log"; then
		pass "-cpu $model: refused, naming what is missing"
	else
		fail "-cpu $model: want one 'Keel cannot run: ...$want' line and a halt (exit $EXIT_PANIC), QEMU exit $rc" "$log"
	fi
done

# Reboot without debug_exit: the machine really resets (-no-reboot ends QEMU).
keel_boot reboot-reset 90 "console=com1 dom0_mem=256M" "$build/guests/shutdown_reboot.elf"
if [ $rc -eq 0 ] && grep -q 'rebooting the machine' "$log" &&
	[ "$(grep -c 'Keel 0' "$log")" -eq 1 ]; then
	pass "dom0 reboot resets the machine"
else
	fail "dom0 reboot: want a machine reset (QEMU exit 0 under -no-reboot), QEMU exit $rc" "$log"
fi

# SMP: every CPU in the MADT comes up; command-line problems are reported, not fatal.
keel_boot smp4 120 "console=com1 noreboot debug_exit=0xf4 dom0_mem=256M bogus_option=1 loglvl=debug" \
	"$build/guests/hello.elf" -smp 4
if [ $rc -eq $EXIT_POWEROFF ] && grep -q 'smp: 4 CPUs online' "$log" &&
	grep -q "unknown option 'bogus_option'" "$log" && grep -q 'Test result: SUCCESS' "$log"; then
	pass "SMP bring-up of 4 CPUs; unknown options reported"
else
	fail "SMP/cmdline: want 4 CPUs online, the unknown option reported and SUCCESS, QEMU exit $rc" "$log"
fi
