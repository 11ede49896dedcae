#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest powers itself off once it is up: on_poweroff decides what follows.
echo "KEEL-GUEST-POWEROFF-NOW"
poweroff -f
