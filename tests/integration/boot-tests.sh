# SPDX-License-Identifier: GPL-2.0-only
# Boot-path tests, sourced by run-all.sh (lib.sh already loaded).

# GRUB (multiboot2) from the ISO: Keel runs keel-hello.iso's default entry (hello as
# dom0); without debug_exit, dom0's power-off must become an ACPI S5 power-off
# (QEMU exits 0 by itself).
log=$logs/grub-iso.log
rm -f "$log"
timeout 120 qemu-system-x86_64 -M q35 -cpu EPYC -m 1024 -smp 2 -display none \
	-no-reboot -monitor none -serial "file:$log" -cdrom "$build/keel-hello.iso" -boot d </dev/null
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

# Debug keys on the serial console: Ctrl-A x3 switches input to Keel, 'd'
# dumps dom0's vCPU, 'C' makes the hypervisor fault on purpose, which must
# give a full register dump and a panic, not a silent reset.
log=$logs/debug-keys.log
rm -f "$log"
(sleep 8; printf '\001\001\001'; sleep 1; printf 'h'; sleep 1; printf 'd'; sleep 1; printf 'C'; sleep 30) |
	timeout 60 qemu-system-x86_64 -M q35 -cpu EPYC -m 512 -smp 2 -display none \
		-no-reboot -monitor none -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$build/keel" \
		-append "console=com1 noreboot debug_exit=0xf4 dom0_mem=256M" \
		-initrd "$build/guests/idle.elf" >"$log" 2>&1
rc=$?
if [ $rc -eq $EXIT_PANIC ] && grep -q 'idle: dom0 is up' "$log" &&
	grep -q 'console input now goes to Keel' "$log" &&
	grep -q 'C  crash the hypervisor' "$log" &&
	grep -q 'd0v0 state: RIP' "$log" &&
	grep -q 'Keel hypervisor fault on CPU 0: vector 6 (#UD invalid opcode)' "$log" &&
	grep -q 'RIP: 0008:' "$log" && grep -q 'Stack:' "$log" &&
	grep -q 'Keel panic on CPU 0: hypervisor fault' "$log"; then
	pass "debug keys; a hypervisor fault prints a register dump and panics"
else
	fail "debug keys / fault dump: want the key help, a vCPU dump, a #UD register dump and a panic (exit $EXIT_PANIC), QEMU exit $rc" "$log"
fi
