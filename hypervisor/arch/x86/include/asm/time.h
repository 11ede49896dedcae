/* SPDX-License-Identifier: GPL-2.0-only */
/* TSC-based time keeping for the hypervisor and the guests' pvclock. */
#ifndef ASM_TIME_H
#define ASM_TIME_H

#include <keel/types.h>

extern u64 tsc_khz;
extern u64 tsc_at_boot;
/* pvclock scaling: ns = ((tsc - tsc_at_boot) << shift) * mul >> 32 */
extern u32 tsc_to_ns_mul;
extern s8 tsc_to_ns_shift;
extern bool tsc_invariant;

void time_init(void);
u64 tsc_to_ns(u64 tsc_delta);
u64 ns_to_tsc(u64 ns);
/* Busy-wait using the PIT; for calibration only. */
void pit_wait_begin(u32 us);
bool pit_wait_done(void);

#endif
