#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=cpuwatch: reports the guest's online CPUs on its console
# (KEEL-GUEST-CPUS online=LIST) at start and whenever the list changes, e.g.
# when `keel vcpu-set` takes a vCPU away or gives it back. It also does what
# a distribution's udev rule does in a Xen guest: Linux's xenbus CPU hotplug
# only makes a CPU given back present again (its sysfs directory reappears),
# and user space puts it online. Then the init goes on to its shell, the
# watcher staying in the background.
(
	last="" present=""
	while :; do
		now=$(cat /sys/devices/system/cpu/online)
		if [ "$now" != "$last" ]; then
			echo "KEEL-GUEST-CPUS online=$now"
			last=$now
		fi
		seen=""
		for d in /sys/devices/system/cpu/cpu[0-9]*; do
			[ -d "$d" ] || continue
			cpu=${d##*/}
			seen="$seen $cpu "
			case "$present" in *" $cpu "*) continue ;; esac
			# new since the last look: the "add" event udev would see
			if [ -n "$present" ] && [ "$(cat "$d/online" 2>/dev/null)" = 0 ]; then
				echo "KEEL-GUEST-CPU-ADDED $cpu"
				echo 1 >"$d/online" || echo "KEEL-GUEST-CPU-ONLINE-FAILED $cpu"
			fi
		done
		present=$seen
		sleep 0.2
	done
) </dev/null >/dev/console 2>&1 &
