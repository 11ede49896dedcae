// SPDX-License-Identifier: MIT
/* Reading a Xen pvclock (struct vcpu_time_info) the way Linux does. */
#include "guest.h"

#define VERSION_RETRIES 1000000

/* A consistent snapshot by the version protocol; 0 if the version stays odd. */
int pvclock_read(const volatile struct vcpu_time_info *src,
		 struct vcpu_time_info *t)
{
	unsigned int tries;
	uint32_t v;

	for (tries = 0; tries < VERSION_RETRIES; tries++) {
		v = src->version;
		rmb();
		t->tsc_timestamp = src->tsc_timestamp;
		t->system_time = src->system_time;
		t->tsc_to_system_mul = src->tsc_to_system_mul;
		t->tsc_shift = src->tsc_shift;
		t->flags = src->flags;
		rmb();
		if (!(v & 1) && v == src->version) {
			t->version = v;
			return 1;
		}
		cpu_relax();
	}
	return 0;
}

uint64_t pvclock_ns(const struct vcpu_time_info *t, uint64_t tsc)
{
	uint64_t delta = tsc - t->tsc_timestamp;

	if (t->tsc_shift >= 0)
		delta <<= t->tsc_shift;
	else
		delta >>= -t->tsc_shift;
	return t->system_time +
	       (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
}

/* The TSC rate the pvclock parameters imply (what Linux takes as tsc_khz). */
uint64_t pvclock_tsc_khz(const struct vcpu_time_info *t)
{
	uint64_t khz = (1000000ULL << 32) / t->tsc_to_system_mul;

	return t->tsc_shift >= 0 ? khz >> t->tsc_shift : khz << -t->tsc_shift;
}

uint64_t pvclock_now_ns(const volatile struct shared_info *s)
{
	struct vcpu_time_info t;

	if (!pvclock_read(&s->vcpu_info[0].time, &t))
		return 0;
	return pvclock_ns(&t, rdtsc());
}
