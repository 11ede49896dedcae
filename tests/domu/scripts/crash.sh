#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest panics: the toolstack must apply on_crash; dom0 and others go on.
echo "KEEL-GUEST-CRASH-NOW"
echo c >/proc/sysrq-trigger
