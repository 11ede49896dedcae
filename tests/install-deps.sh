#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Installs the Debian packages every part of Keel needs to build and test.
# Each top-level folder lists its own in deps.txt (one package per line, '#'
# comments). Runs apt-get only when something is missing.
set -eu
cd "$(dirname "$0")/.."
pkgs=$(cat ./*/deps.txt tests/*/deps.txt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | sort -u | grep -v '^$' || true)
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi
echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
