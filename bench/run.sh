#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# `make bench`: every benchmark in bench/. They print figures; they never fail
# a build. Needs the images `make` builds (hypervisor, dom0 with the toolstack).
set -u
cd "$(dirname "$0")/.."
make --no-print-directory hypervisor dom0 >/dev/null || exit 1
python3 bench/toolstack.py
python3 bench/pvio.py
