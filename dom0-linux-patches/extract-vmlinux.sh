#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Extracts the ELF vmlinux from an XZ bzImage by its setup header (payload
# layout: xen-pvh-abi.md §1.1) and checks it carries the PVH entry note.
set -eu
in=${1:?usage: extract-vmlinux.sh BZIMAGE OUT}
out=${2:?usage: extract-vmlinux.sh BZIMAGE OUT}

die() {
	echo "extract-vmlinux: $in: $*" >&2
	rm -f "$out"
	exit 1
}

# u8/u16/u32 little-endian at a file offset
le() {
	od -An -t "u$2" -j "$1" -N "$2" --endian=little "$in" | tr -d ' '
}

[ "$(dd if="$in" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || die "no 'HdrS' setup header: not a bzImage"
setup_sects=$(le 497 1)
[ "$setup_sects" -ne 0 ] || setup_sects=4
payload_offset=$(le 584 4)
payload_length=$(le 588 4)
start=$(((setup_sects + 1) * 512 + payload_offset))
[ "$payload_length" -gt 4 ] || die "payload_length $payload_length is too small"
magic=$(od -An -t x1 -j "$start" -N 6 "$in" | tr -d ' ')
[ "$magic" = fd377a585a00 ] || die "payload at $start does not start with the XZ magic (got $magic): not an XZ kernel"

# The build appends the uncompressed size (u32) after the XZ stream.
size=$(od -An -t u4 -j $((start + payload_length - 4)) -N 4 --endian=little "$in" | tr -d ' ')
tail -c +$((start + 1)) "$in" | head -c $((payload_length - 4)) | xz -dc >"$out" ||
	die "xz cannot decompress the payload"
[ "$(wc -c <"$out")" -eq "$size" ] || die "vmlinux is $(wc -c <"$out") bytes, the payload trailer says $size"
[ "$(head -c 4 "$out" | od -An -t x1 | tr -d ' ')" = 7f454c46 ] || die "payload is not an ELF file"
# XEN_ELFNOTE_PHYS32_ENTRY (18): without it the kernel cannot boot as PVH.
entry=$(readelf -n "$out" | grep -A1 -E '^[[:space:]]*Xen[[:space:]].*\(0x00000012\)' |
	sed -n 's/^ *description data: \(..\) \(..\) \(..\) \(..\).*/0x\4\3\2\1/p')
[ -n "$entry" ] || die "vmlinux has no Xen PHYS32_ENTRY note (type 0x12): the kernel lacks CONFIG_PVH=y"
echo "extract-vmlinux: $out: $size bytes, PVH entry (XEN_ELFNOTE_PHYS32_ENTRY) $entry"
