#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Conformance and system tests against a running keelstored: Debian's
# xenstore-utils, Xen's test-xenstore, kill -9 durability, concurrency and
# 1000 watchers. Usage: conformance.sh BUILD_DIR XEN_EXTRACT_DIR
set -eu

B=$1
XEN=$2
DAEMON=${DAEMON:-$B/keelstored-asan}
RUN=$(mktemp -d /dev/shm/keelstored-conf.XXXXXX 2>/dev/null || mktemp -d)
DISK=$B/conformance-state
SOCK=$RUN/socket
export XENSTORED_PATH=$SOCK
PID=
fails=0

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null || true
	rm -rf "$RUN"
}
trap cleanup EXIT

start() { # start STATEFILE [RINGS]
	"$DAEMON" --rings="${2:-none}" -s "$SOCK" -S "$1" 2>>"$B/keelstored-conformance.log" &
	PID=$!
	for _ in $(seq 100); do
		[ -S "$SOCK" ] && xenstore-exists / 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: keelstored did not start; see $B/keelstored-conformance.log"
	exit 1
}

stop() {
	kill "$PID"
	wait "$PID" || { echo "FAIL: keelstored exited with an error"; fails=$((fails + 1)); }
	PID=
}

check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		echo "  expected: $(printf '%s' "$2" | od -c | head -5)"
		echo "  actual:   $(printf '%s' "$3" | od -c | head -5)"
		fails=$((fails + 1))
	fi
}

: >"$B/keelstored-conformance.log"
mkdir -p "$DISK"
rm -f "$DISK"/state*
start "$DISK/state"

# ---- xenstore-utils ----
xenstore-write /conf/a 1 /conf/b "hello world" /conf/sub/c x
check "xenstore-read" "1
hello world" "$(xenstore-read /conf/a /conf/b)"
check "xenstore-list" "a
b
sub" "$(xenstore-list /conf)"
check "xenstore-ls" 'a = "1"
b = "hello world"
sub = ""
 c = "x"' "$(xenstore-ls /conf)"
check "xenstore-ls -f" '/conf/a = "1"
/conf/b = "hello world"
/conf/sub = ""
/conf/sub/c = "x"' "$(xenstore-ls -f /conf)"
xenstore-exists /conf/a && r=0 || r=$?
check "xenstore-exists (present)" 0 "$r"
xenstore-exists /conf/nope 2>/dev/null && r=0 || r=$?
check "xenstore-exists (absent)" 1 "$r"
xenstore-read /conf/nope 2>/dev/null && r=0 || r=$?
check "xenstore-read (absent) fails" 1 "$r"
xenstore-chmod /conf/a r5 w6
check "xenstore-chmod + ls -p" 'a = "1"  . . . . . . . . . . . . . . . . . . . . . . . . . .  (r5,w6)' \
	"$(xenstore-ls -p /conf | grep '^a ')"
xenstore-chmod -r /conf/sub b7
check "xenstore-chmod -r" "sub (b7)
c (b7)" "$(xenstore-ls -p /conf | sed -n 's/^ *\(sub\|c\) = .*(\(.*\))$/\1 (\2)/p')"
xenstore-rm /conf/b
check "xenstore-rm" "a
sub" "$(xenstore-list /conf)"
xenstore-rm -t /conf/sub/c
check "xenstore-rm -t (removes empty parents)" "a" "$(xenstore-list /conf)"
xenstore-write rel/x 9
check "relative path is under /local/domain/0" 9 "$(xenstore-read /local/domain/0/rel/x)"

xenstore-watch -n 3 /conf/w >"$RUN/watch.out" 2>&1 &
WPID=$!
sleep 0.3
xenstore-write /conf/w/one 1
xenstore-write /conf/w 2
wait "$WPID" || true
check "xenstore-watch (initial event + 2 changes)" "/conf/w
/conf/w/one
/conf/w" "$(cat "$RUN/watch.out")"

# ---- Xen's test-xenstore (libxenstore from the same Xen build) ----
if LD_LIBRARY_PATH="$XEN/usr/lib/x86_64-linux-gnu" \
	"$XEN/usr/lib/xen-4.17/bin/test-xenstore" -i 3 >"$RUN/txs.out" 2>&1; then
	echo "ok: test-xenstore (all tests, 3 iterations)"
else
	echo "FAIL: test-xenstore"; cat "$RUN/txs.out"; fails=$((fails + 1))
fi
LD_LIBRARY_PATH="$XEN/usr/lib/x86_64-linux-gnu" \
	"$XEN/usr/lib/xen-4.17/bin/test-xenstore" -r 3 >"$RUN/txr.out" 2>&1 && r=0 || r=$?
check "test-xenstore -r 3 (random mix for 3 s)" 0 "$r"

# ---- durability: an acknowledged write survives kill -9 ----
xenstore-write /durable/v "acknowledged"
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=
start "$DISK/state"
check "value survives kill -9 + restart" "acknowledged" "$(xenstore-read /durable/v)"
check "permissions survive kill -9 + restart" "(r5,w6)" \
	"$(xenstore-ls -p /conf | sed -n 's/^a .*(\(.*\))$/(\1)/p')"

# ---- a library client lives through kill -9 + restart of the daemon ----
rm -f "$RUN/ready"
"$B/test/restart_client" 3000 "$RUN/ready" 1 &
CPID=$!
for _ in $(seq 100); do [ -e "$RUN/ready" ] && break; sleep 0.05; done
sleep 1
kill -9 "$PID"
wait "$PID" 2>/dev/null || true
PID=
start "$DISK/state"
if wait "$CPID"; then echo "ok: libkeelstore client survives daemon kill -9"; else
	echo "FAIL: libkeelstore client across daemon restart"; fails=$((fails + 1)); fi
stop

# ---- domain rings (fake /dev/xen) survive kill -9 of the daemon ----
RINGS=$RUN/rings
mkdir -p "$RINGS"
rm -f "$DISK/state"
start "$DISK/state" "fake:$RINGS"
if "$B/test/fake_guest" "$RINGS" 5 setup; then
	kill -9 "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	start "$DISK/state" "fake:$RINGS"
	if "$B/test/fake_guest" "$RINGS" 5 after; then
		echo "ok: domain ring re-attached after kill -9"
	else
		echo "FAIL: domain ring after restart"; fails=$((fails + 1))
	fi
else
	echo "FAIL: fake guest setup"; fails=$((fails + 1))
fi
stop

# ---- concurrency and watches (state on tmpfs: this is about the daemon,
# not the disk's fsync latency) ----
DAEMON=$B/keelstored
start "$RUN/state"
if "$B/test/concurrency" 32 500; then echo "ok: concurrency"; else fails=$((fails + 1)); fi
if "$B/test/watchers" 1000; then echo "ok: watchers"; else fails=$((fails + 1)); fi
stop

if [ "$fails" -ne 0 ]; then
	echo "conformance: $fails FAILED"
	exit 1
fi
echo "conformance: all passed"
