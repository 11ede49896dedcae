#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# dom0 on Keel, keel.test=keel-crash: crash the dom0 kernel on purpose; the
# hypervisor must report dom0's crash (and halt, with noreboot).
echo "KEEL-CRASH-NOW"
echo c >/proc/sysrq-trigger
