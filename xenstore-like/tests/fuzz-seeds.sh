#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Seed corpus for fuzz_parser: one well-formed request of each kind, as dom0
# (mode byte 0), as domain 7 (1) and on a ring page (2).
set -eu
out=$1
mkdir -p "$out"
msg() { # msg FILE MODE TYPE TXID PAYLOAD(printf format)
	payload=$(mktemp)
	printf "$5" >"$payload"
	len=$(wc -c <"$payload")
	{
		printf "\\$(printf %03o "$2")"
		for v in "$3" 1 "$4" "$len"; do
			printf "\\$(printf %03o $((v & 255)))\\$(printf %03o $(((v >> 8) & 255)))\\$(printf %03o $(((v >> 16) & 255)))\\$(printf %03o $(((v >> 24) & 255)))"
		done
		cat "$payload"
	} >"$out/$1"
	rm -f "$payload"
}
msg read 0 2 0 '/local\0'
msg write 0 11 0 '/a/b\0value'
msg write-dom 1 11 0 'rel/x\0v'
msg mkdir 0 12 0 '/m\0'
msg rm 0 13 0 '/a\0'
msg dir 0 1 0 '/\0'
msg dirpart 0 22 0 '/\0000\0'
msg perms 0 14 0 '/a\0n0\0r5\0'
msg getperms 0 3 0 '/\0'
msg watch 0 4 0 '/a\0tok\0'
msg unwatch 0 5 0 '/a\0tok\0'
msg txstart 0 6 0 '\0'
msg txend 0 7 1 'T\0'
msg introduce 0 8 0 '5\0001\0002\0'
msg release 0 9 0 '5\0'
msg domainpath 0 10 0 '3\0'
msg isintro 0 17 0 '0\0'
msg resume 0 18 0 '5\0'
msg settarget 0 19 0 '5\0006\0'
msg reset 0 21 0 '\0'
msg control 0 0 0 'check\0'
# A ring page: indexes (req_cons=0, req_prod=21, rsp 0/0) then a READ of "/".
{
	printf '\002'
	printf '\000\000\000\000\025\000\000\000\000\000\000\000\000\000\000\000'
	printf '\002\000\000\000\001\000\000\000\000\000\000\000\005\000\000\000/loc\000'
} >"$out/ring-read"
