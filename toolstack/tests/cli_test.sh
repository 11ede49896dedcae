#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Command-level test of the built keel binary: what a user sees on stdout,
# stderr and in the exit code. Usage: cli_test.sh PATH/TO/keel
set -u

KEEL=${1:?usage: cli_test.sh PATH/TO/keel}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
EX="$ROOT/configs/examples"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
	fail=$((fail + 1))
	echo "FAIL: $*"
	echo "  exit: $rc"
	echo "  stdout:"; sed 's/^/    /' "$TMP/out"
	echo "  stderr:"; sed 's/^/    /' "$TMP/err"
}

# run ARGS...: runs keel, leaving $rc, $TMP/out and $TMP/err.
run() {
	"$KEEL" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

expect_rc() { # NAME CODE
	if [ "$rc" -eq "$2" ]; then ok; else bad "$1: expected exit $2"; fi
}

expect_stderr_line() { # NAME LINE
	if grep -qxF -- "$2" "$TMP/err"; then ok; else bad "$1: stderr lacks: $2"; fi
}

expect_stderr_has() { # NAME TEXT
	if grep -qF -- "$2" "$TMP/err"; then ok; else bad "$1: stderr lacks: $2"; fi
}

expect_stdout_has() { # NAME TEXT
	if grep -qF -- "$2" "$TMP/out"; then ok; else bad "$1: stdout lacks: $2"; fi
}

expect_empty() { # NAME FILE
	if [ ! -s "$2" ]; then ok; else bad "$1: $(basename "$2") should be empty"; fi
}

# Checks the dry-run JSON of the example guest with python's json module.
check_example_json() { # NAME
	if python3 -m json.tool "$TMP/out" >/dev/null 2>"$TMP/jsonerr"; then
		ok
	else
		bad "$1: stdout is not JSON: $(cat "$TMP/jsonerr")"
		return
	fi
	if python3 - "$TMP/out" <<'EOF'
import json, re, sys
c = json.load(open(sys.argv[1]))
assert c["c_info"]["type"] == "pvh", c["c_info"]
assert c["c_info"]["name"] == "debian-pvh", c["c_info"]
assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                    c["c_info"]["uuid"]), c["c_info"]
b = c["b_info"]
assert b["max_vcpus"] == 2 and b["avail_vcpus"] == [0, 1], b
assert b["max_memkb"] == 512 * 1024 and b["target_memkb"] == 512 * 1024, b
assert b["kernel"] == "/var/lib/keel/vmlinuz", b
assert b["ramdisk"] == "/var/lib/keel/initrd.img", b
assert b["cmdline"] == "root=/dev/xvda1 console=hvc0 ro", b
assert c["disks"] == [{"pdev_path": "/var/lib/keel/g1.img", "vdev": "xvda",
                       "format": "raw", "readwrite": 1, "is_cdrom": 0}], c["disks"]
assert len(c["nics"]) == 1, c["nics"]
n = c["nics"][0]
assert n["bridge"] == "keelbr0" and n["devid"] == 0, n
assert re.fullmatch(r"00:16:3e(:[0-9a-f]{2}){3}", n["mac"]), n
assert (c["on_poweroff"], c["on_reboot"], c["on_crash"]) == ("destroy", "restart", "destroy"), c
EOF
	then ok; else bad "$1: JSON has unexpected values"; fi
}

# --- dry runs of the examples
run create -n "$EX/guest.cfg"
expect_rc "create -n guest.cfg" 0
expect_empty "create -n guest.cfg" "$TMP/err"
check_example_json "create -n guest.cfg"

run create --dry-run "$EX/guest.xml"
expect_rc "create --dry-run guest.xml" 0
expect_empty "create --dry-run guest.xml" "$TMP/err"
check_example_json "create --dry-run guest.xml"

# Same seed, same generated values: both formats give identical output.
run create -n --seed 11 "$EX/guest.cfg"; cp "$TMP/out" "$TMP/cfg.json"
run create -n --seed 11 "$EX/guest.xml"
if cmp -s "$TMP/cfg.json" "$TMP/out"; then ok; else bad "guest.cfg and guest.xml differ"; fi
run create -n --seed 11 "$EX/guest.cfg"
if cmp -s "$TMP/cfg.json" "$TMP/out"; then ok; else bad "--seed is not reproducible"; fi
run create -n "$EX/guest.cfg"
if ! cmp -s "$TMP/cfg.json" "$TMP/out"; then ok; else bad "unseeded runs should draw fresh values"; fi

# --- overrides on the command line, as with xl
run create -n "$EX/guest.cfg" memory=1024 maxmem=2048 'name="other"' extra=console=hvc0
expect_rc "overrides" 0
expect_stdout_has "overrides" '"target_memkb": 1048576,'
expect_stdout_has "overrides" '"max_memkb": 2097152,'
expect_stdout_has "overrides" '"name": "other",'
expect_stdout_has "overrides" '"cmdline": "root=/dev/xvda1 console=hvc0",'

run create -n "$EX/guest.cfg" memory=lots
expect_rc "bad override" 1
expect_stderr_line "bad override" 'keel create: <command line>:1: memory: expected a number, got "lots"'

# --- broken configs: non-zero exit, the cause on stderr, nothing on stdout
cat >"$TMP/broken.cfg" <<'EOF'
name = "g"
kernel = "/k"
memory = "lots"
EOF
run create -n "$TMP/broken.cfg"
expect_rc "broken.cfg" 1
expect_stderr_line "broken.cfg" "keel create: $TMP/broken.cfg:3: memory: expected a number, got \"lots\""
expect_empty "broken.cfg" "$TMP/out"

printf 'name = "g"\nkernel = "/k\n' >"$TMP/unterminated.cfg"
run create -n "$TMP/unterminated.cfg"
expect_rc "unterminated.cfg" 1
expect_stderr_line "unterminated.cfg" "keel create: $TMP/unterminated.cfg:2: unterminated string"

printf 'name = "g"\ntype = "hvm"\nkernel = "/k"\n' >"$TMP/hvm.cfg"
run create -n "$TMP/hvm.cfg"
expect_rc "hvm.cfg" 1
expect_stderr_line "hvm.cfg" "keel create: $TMP/hvm.cfg:2: type: \"hvm\" guests are not supported by Keel: Keel runs PVH guests only; use type=\"pvh\" (a stock Linux kernel boots as PVH)"

printf 'name = "g"\n' >"$TMP/nokernel.cfg"
run create -n "$TMP/nokernel.cfg"
expect_rc "nokernel.cfg" 1
expect_stderr_line "nokernel.cfg" "keel create: $TMP/nokernel.cfg: kernel: no kernel given: add kernel=\"/path/to/vmlinuz\" (Keel boots PVH guests from a kernel image)"

printf '<domain type="xen">\n<name>g</nam>\n</domain>\n' >"$TMP/bad.xml"
run create -n "$TMP/bad.xml"
expect_rc "bad.xml" 1
expect_stderr_line "bad.xml" "keel create: $TMP/bad.xml:2: malformed XML: Opening and ending tag mismatch: name line 2 and nam"

# XML recognised by content whatever the name.
printf '  <domain type="xen"><name>g</name><os><type>linux</type><kernel>/k</kernel></os></domain>\n' >"$TMP/pv.cfg"
run create -n "$TMP/pv.cfg"
expect_rc "pv xml in .cfg" 1
expect_stderr_line "pv xml in .cfg" "keel create: $TMP/pv.cfg:1: <os><type>: 'linux' is a Xen PV guest, which Keel does not support: Keel runs PVH guests only; use <type>xenpvh</type>"

run create -n "$TMP/missing.cfg"
expect_rc "missing file" 1
expect_stderr_line "missing file" "keel create: $TMP/missing.cfg: cannot open the config file: No such file or directory"

# --- warnings go to stderr and do not fail the run
printf 'name = "g"\nkernel = "/k"\nfoo = 1\n' >"$TMP/warn.cfg"
run create -n "$TMP/warn.cfg"
expect_rc "warn.cfg" 0
expect_stderr_line "warn.cfg" "keel create: warning: $TMP/warn.cfg:3: unknown key 'foo' ignored"
expect_stdout_has "warn.cfg" '"name": "g",'

# --- creating for real needs the hypervisor; never a faked success
KEEL_PRIVCMD="$TMP/no-privcmd" run create "$EX/guest.cfg"
expect_rc "create without hypervisor" 1
expect_stderr_line "create without hypervisor" "keel create: cannot create domain 'debian-pvh': creating domains needs a running Keel hypervisor with /dev/xen/privcmd ($TMP/no-privcmd: No such file or directory); use -n to check the config without creating it"
expect_empty "create without hypervisor" "$TMP/out"

: >"$TMP/privcmd"
printf 'name = "g"\nkernel = "%s/missing-vmlinuz"\n' "$TMP" >"$TMP/nokernel.cfg"
KEEL_PRIVCMD="$TMP/privcmd" run create "$TMP/nokernel.cfg"
expect_rc "create, missing kernel" 1
expect_stderr_line "create, missing kernel" "keel create: cannot create domain 'g': kernel '$TMP/missing-vmlinuz': No such file or directory: check kernel= in the config"

printf '#!/bin/sh\necho not a kernel\n' >"$TMP/script"
printf 'name = "g"\nkernel = "%s/script"\n' "$TMP" >"$TMP/script.cfg"
KEEL_PRIVCMD="$TMP/privcmd" run create "$TMP/script.cfg"
expect_rc "create, not a kernel" 1
expect_stderr_line "create, not a kernel" "keel create: cannot create domain 'g': kernel '$TMP/script' is neither an ELF vmlinux nor a bzImage: give the path of a Linux kernel image"

printf 'name = "g"\nmemory = = 5\n' >"$TMP/malformed.cfg"
KEEL_PRIVCMD="$TMP/privcmd" run create "$TMP/malformed.cfg"
expect_rc "create, malformed line" 1
expect_stderr_has "create, malformed line" "keel create: $TMP/malformed.cfg:2:"

run create
expect_rc "create without config" 1
expect_stderr_line "create without config" "keel create: no config file given"

# --- hot-plug: specs are checked before the hypervisor is needed, with the
# messages of disk=/vif= in a config
KEEL_PRIVCMD="$TMP/no-privcmd" run block-attach g1 'file:/x.img,xvd1,w'
expect_rc "block-attach, bad vdev" 1
expect_stderr_line "block-attach, bad vdev" "keel block-attach: invalid vdev 'xvd1': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda"
KEEL_PRIVCMD="$TMP/no-privcmd" run block-attach g1 'qcow2:/x.img,xvdb,w'
expect_rc "block-attach, qcow2" 1
expect_stderr_line "block-attach, qcow2" "keel block-attach: format 'qcow2' is not supported by Keel: its block backend serves raw images only (convert with: qemu-img convert -O raw)"
KEEL_PRIVCMD="$TMP/no-privcmd" run block-attach g1 'file:/x.img,xvdb,rx'
expect_rc "block-attach, bad access" 1
expect_stderr_line "block-attach, bad access" "keel block-attach: invalid access 'rx' in \"file:/x.img,xvdb,rx\": use rw, w, ro or r"
KEEL_PRIVCMD="$TMP/no-privcmd" run block-attach g1 /x.img
expect_rc "block-attach, no vdev" 1
expect_stderr_line "block-attach, no vdev" "keel block-attach: no vdev in \"/x.img\": say which device the guest sees, e.g. \"file:/img,xvda,w\""
KEEL_PRIVCMD="$TMP/no-privcmd" run network-attach g1 mac=01:16:3e:00:00:01
expect_rc "network-attach, multicast MAC" 1
expect_stderr_line "network-attach, multicast MAC" "keel network-attach: invalid mac '01:16:3e:00:00:01': it is a multicast address (lowest bit of the first byte set): an interface needs a unicast MAC"
KEEL_PRIVCMD="$TMP/no-privcmd" run network-attach g1 bridge=br0 oops
expect_rc "network-attach, not key=value" 1
expect_stderr_line "network-attach, not key=value" "keel network-attach: expected key=value in \"bridge=br0,oops\", got 'oops'"
KEEL_PRIVCMD="$TMP/no-privcmd" run network-attach g1 devid=x
expect_rc "network-attach, bad devid" 1
expect_stderr_line "network-attach, bad devid" "keel network-attach: devid 'x' is not a number from 0 to 65535"
# A good spec goes on to the hypervisor.
KEEL_PRIVCMD="$TMP/no-privcmd" run block-attach g1 file:/x.img xvdb w
expect_rc "block-attach, good spec" 1
expect_stderr_line "block-attach, good spec" "keel block-attach: cannot open $TMP/no-privcmd: No such file or directory: keel runs in dom0 on a running Keel hypervisor (is the xen_privcmd module loaded?)"
run block-detach -t soon g1 xvdb
expect_rc "block-detach -t soon" 1
expect_stderr_line "block-detach -t soon" 'keel block-detach: -t: expected seconds from 0 to 3600, got "soon"'
run block-detach g1
expect_rc "block-detach, one argument" 1
expect_stderr_line "block-detach, one argument" "keel block-detach: expected 2 arguments, got 1"
run block-list
expect_rc "block-list, no domain" 1
expect_stderr_line "block-list, no domain" "keel block-list: expected at least 1 domain, got 0"

# --- the command's front end
run help
expect_rc "help" 0
for sub in create list destroy shutdown reboot pause unpause console info dmesg \
	domid domname rename uptime vcpu-list vcpu-pin vcpu-set mem-set mem-max \
	sched-credit block-attach block-detach block-list network-attach \
	network-detach network-list; do
	if grep -q "^  $sub " "$TMP/out"; then ok; else bad "help does not list $sub"; fi
	[ "$sub" = create ] && continue
	KEEL_PRIVCMD="$TMP/no-privcmd" run "$sub"
	expect_rc "$sub" 1
	case $sub in
	list | info | dmesg | uptime | vcpu-list | sched-credit)
		expect_stderr_line "$sub" "keel $sub: cannot open $TMP/no-privcmd: No such file or directory: keel runs in dom0 on a running Keel hypervisor (is the xen_privcmd module loaded?)"
		;;
	*)
		expect_stderr_has "$sub" "keel $sub: expected "
		;;
	esac
	run help
done

run --help
expect_rc "--help" 0
expect_stdout_has "--help" "Usage: keel <subcommand> [args]"

run help create
expect_rc "help create" 0
expect_stdout_has "help create" "Usage: keel create [-n|--dry-run] [-c] [-p] [--seed N] CONFIG [KEY=VALUE ...]"

run
expect_rc "no subcommand" 1
expect_empty "no subcommand" "$TMP/out"

run frobnicate
expect_rc "unknown subcommand" 1
expect_stderr_line "unknown subcommand" "keel: unknown subcommand 'frobnicate': run 'keel help' for the list"

echo "keel-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
