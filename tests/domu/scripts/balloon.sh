#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest reports its MemTotal whenever the balloon driver changes it, so
# dom0's `keel mem-set` can be checked from inside the guest.
# In the background: init goes on to wait for shutdown signals.
watch_memtotal() {
	last=""
	while :; do
		mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)
		if [ "$mem" != "$last" ]; then
			echo "KEEL-GUEST-MEMTOTAL $mem"
			last=$mem
		fi
		sleep 0.2
	done
}
watch_memtotal &
