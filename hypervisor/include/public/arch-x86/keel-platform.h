/* SPDX-License-Identifier: MIT */
/*
 * Keel's PVH domU platform: the I/O ports a guest's ACPI tables (built by
 * the toolstack) point at for power-off and reset, which the hypervisor
 * traps. Not part of Xen's ABI: a Keel guest learns them from its FADT.
 */
#ifndef KEEL_PUBLIC_ARCH_X86_KEEL_PLATFORM_H
#define KEEL_PUBLIC_ARCH_X86_KEEL_PLATFORM_H

/* ACPI sleep control register (hardware-reduced ACPI, FADT 6.0): the guest
 * writes (SLP_TYP << 2) | SLP_EN; SLP_TYP is what the DSDT's \_S5 says. */
#define KEEL_DOMU_SLEEP_CONTROL_PORT 0xb004
#define KEEL_DOMU_SLEEP_STATUS_PORT 0xb005
#define KEEL_DOMU_SLP_TYP_S5 7
#define KEEL_DOMU_SLEEP_SLP_EN (1U << 5)
#define KEEL_DOMU_SLEEP_TYP_SHIFT 2
#define KEEL_DOMU_SLEEP_TYP_MASK (7U << 2)

/* ACPI reset register: the guest writes KEEL_DOMU_RESET_VALUE to reboot. A
 * Keel port, not 0xCF9: the legacy reset ports stay inert in a domU. */
#define KEEL_DOMU_RESET_PORT 0xb006
#define KEEL_DOMU_RESET_VALUE 0x06

#endif
