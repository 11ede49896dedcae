#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-xenstore: keelstored (started by /init) serves
# the dom0 kernel's xenbus ring and its unix socket. Prints KEEL-XS-* lines
# that tests/integration/dom0-tests.py judges: the daemon runs, the kernel's
# xenbus connected to it (the kernel's own nodes), xenstore-utils work through
# /dev/xen/xenbus, /proc/xen/xenbus and the socket, watches fire, the daemon
# survives kill -9, and the kernel log has no xenbus errors.
# No `set -e`: every step reports itself.
set -u
sock=/run/xenstored/socket
# libxenstore takes XENSTORED_PATH as its connection: a socket, or a device
# it opens and speaks the wire protocol on (the kernel forwards it).
via_dev() { XENSTORED_PATH=/dev/xen/xenbus "$@"; }
via_proc() { XENSTORED_PATH=/proc/xen/xenbus "$@"; }
via_sock() { XENSTORED_PATH=$sock "$@"; }
oneline() { tr '\n' ' ' | sed 's/ *$//'; }

pid=$(pidof keelstored)
echo "KEEL-XS-RUNNING pid=${pid:-none} socket=$([ -S $sock ] && echo yes || echo no)"
ls -l /dev/xen/xenbus /dev/xen/xenbus_backend /proc/xen/xenbus 2>&1 | sed 's/^/KEEL-XS-DEV: /'

# The kernel's xenbus_probe thread runs once keelstored's first event reaches
# it; then the kernel writes control/feature-* under /local/domain/0 through
# its ring (drivers/xen/manage.c). Wait for that, up to 30 s.
t0=$(date +%s)
i=0
while [ $i -lt 300 ]; do
	v=$(via_sock timeout 5 xenstore-read /local/domain/0/control/feature-poweroff 2>/dev/null)
	[ "$v" = 1 ] && break
	sleep 0.1
	i=$((i + 1))
done
echo "KEEL-XS-KERNEL-NODES feature-poweroff=${v:-missing} after=$(($(date +%s) - t0))s"
echo "KEEL-XS-KERNEL-CONTROL $(via_sock timeout 5 xenstore-list /local/domain/0/control 2>&1 | oneline)"
via_sock timeout 10 xenstore-ls -p / 2>&1 | sed 's/^/KEEL-XS-LS: /'

# Write through one path, read through every other one.
via_dev timeout 10 xenstore-write /test/a 1
echo "KEEL-XS-DEV-WRITE rc=$?"
echo "KEEL-XS-DEV-READ $(via_dev timeout 10 xenstore-read /test/a 2>&1 | oneline)"
echo "KEEL-XS-PROC-READ $(via_proc timeout 10 xenstore-read /test/a 2>&1 | oneline)"
echo "KEEL-XS-SOCK-READ $(via_sock timeout 10 xenstore-read /test/a 2>&1 | oneline)"
# No XENSTORED_PATH: libxenstore's default socket, /var/run/xenstored/socket
# (/var/run -> /run), as in a Xen dom0's shell.
echo "KEEL-XS-DEFAULT-READ $(env -u XENSTORED_PATH timeout 10 xenstore-read /test/a 2>&1 | oneline)"
via_sock timeout 10 xenstore-write /test/b sock-value
echo "KEEL-XS-SOCK-WRITE rc=$?"
echo "KEEL-XS-DEV-READ-B $(via_dev timeout 10 xenstore-read /test/b 2>&1 | oneline)"
echo "KEEL-XS-DEV-LS $(via_dev timeout 10 xenstore-list /test 2>&1 | oneline)"
# The kernel's ring is dom0's connection: relative paths are under
# /local/domain/0, as for any domain.
via_dev timeout 10 xenstore-write rel/x 7
echo "KEEL-XS-DEV-RELATIVE $(via_sock timeout 10 xenstore-read /local/domain/0/rel/x 2>&1 | oneline)"
via_dev timeout 10 xenstore-rm /test/b
echo "KEEL-XS-DEV-RM rc=$? exists-after=$(via_sock timeout 10 xenstore-exists /test/b && echo yes || echo no)"

# Messages larger than the 1 KiB ring: the kernel and keelstored must both
# stream them through partial reads and index wrap-around.
big=$(seq 1 800 | tr '\n' ,)
via_dev timeout 10 xenstore-write /test/big "$big"
rc=$?
got_dev=$(via_dev timeout 10 xenstore-read /test/big 2>&1)
got_sock=$(via_sock timeout 10 xenstore-read /test/big 2>&1)
same() { [ "$1" = "$big" ] && echo same || echo "differs(${#1} bytes)"; }
echo "KEEL-XS-BIG len=${#big} write-rc=$rc dev=$(same "$got_dev") sock=$(same "$got_sock")"

# Several clients on the kernel's device at once (each has its own
# connection state in the kernel, all share the one ring).
j=1
while [ $j -le 4 ]; do
	(
		k=1
		while [ $k -le 15 ]; do
			via_dev timeout 10 xenstore-write /test/par/$j $k || echo "KEEL-XS-PAR-ERROR writer $j write $k"
			k=$((k + 1))
		done
	) &
	j=$((j + 1))
done
wait
echo "KEEL-XS-PARALLEL $(for j in 1 2 3 4; do via_sock timeout 10 xenstore-read /test/par/$j 2>&1; done | oneline)"

# The kernel's own watches (drivers/xen/manage.c watches control/sysrq):
# a write through the socket must reach the kernel, which runs the sysrq and
# clears the node. 'h' only prints the sysrq help to the kernel log.
sysrq_test() { # NAME
	before=$(dmesg | grep -c 'sysrq: HELP')
	via_sock timeout 10 xenstore-write /local/domain/0/control/sysrq h
	i=0
	while [ $i -lt 100 ]; do
		[ "$(dmesg | grep -c 'sysrq: HELP')" -gt "$before" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	echo "KEEL-XS-KERNEL-WATCH-$1 sysrq-help=$(($(dmesg | grep -c 'sysrq: HELP') - before)) node-after='$(via_sock timeout 10 xenstore-read /local/domain/0/control/sysrq 2>&1 | oneline)'"
}
sysrq_test FIRST

# Watches: each registration fires once, then once per write. A watcher on
# the kernel's device and one on the socket; writes through the other path.
watch_test() { # NAME WATCHER-WRAPPER WRITER-WRAPPER
	out=/tmp/watch-$1.out
	: >"$out"
	$2 timeout 30 xenstore-watch -n 3 /test/w >"$out" 2>&1 &
	wpid=$!
	i=0
	while [ ! -s "$out" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	$3 timeout 10 xenstore-write /test/w/x "$1-1"
	$3 timeout 10 xenstore-write /test/w "$1-2"
	wait $wpid
	rc=$?
	echo "KEEL-XS-WATCH-$1 rc=$rc events=$(wc -l <"$out") $(oneline <"$out")"
}
watch_test DEV via_dev via_sock
watch_test SOCK via_sock via_dev

# Restart: kill -9; /init's service loop starts keelstored again, which
# restores its state and re-attaches the kernel's ring (unbinding the old
# local port when the process died left the kernel's port unbound again).
if [ -n "$pid" ]; then
	kill -9 $pid
	i=0
	new=""
	while [ $i -lt 100 ]; do
		new=$(pidof keelstored)
		[ -n "$new" ] && [ "$new" != "$pid" ] && [ -S $sock ] && break
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	echo "KEEL-XS-RESTART old=$pid new=${new:-none}"
	echo "KEEL-XS-RESTART-SOCK-READ $(via_sock timeout 10 xenstore-read /test/a 2>&1 | oneline)"
	echo "KEEL-XS-RESTART-DEV-READ $(via_dev timeout 10 xenstore-read /test/a 2>&1 | oneline)"
	via_dev timeout 10 xenstore-write /test/after-restart yes
	echo "KEEL-XS-RESTART-DEV-WRITE rc=$? read=$(via_sock timeout 10 xenstore-read /test/after-restart 2>&1 | oneline)"
	# The kernel registered its watches before the restart: they must still
	# fire (keelstored keeps a ring connection's watches in its state).
	sysrq_test RESTART
fi

sed 's/^/KEEL-XS-LOG: /' /var/log/keelstored.log
dmesg >/tmp/dmesg.txt
grep -v -i 'command line' /tmp/dmesg.txt | grep -i -E 'xenbus|xenstore|xs_' | sed 's/^/KEEL-XS-KLOG: /'
bad=$(grep -v -i 'command line' /tmp/dmesg.txt | grep -i -E 'xenbus|xenstore' | grep -c -i -E 'error|fail|warn|not quiescent|timeout|bug')
echo "KEEL-XS-KLOG-BAD $bad"
echo "KEEL-DMESG-BAD $(grep -c -E 'BUG|WARNING|Oops|Call Trace' /tmp/dmesg.txt)"
grep -E 'BUG|WARNING|Oops|Call Trace' /tmp/dmesg.txt | sed 's/^/KEEL-DMESG: /'
echo "KEEL-DOM0-TEST: DONE keel-xenstore"
