#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest, keel.test=hostile-net (tests/dom0/scripts/keel-hostile-net.sh): the
# hostile guest of hostile.sh, with keel-hostile-netfront on vif 0.
exec sh /tests/hostile.sh net
