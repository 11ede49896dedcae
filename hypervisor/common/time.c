// SPDX-License-Identifier: GPL-2.0-only
/* The wallclock in a domain's shared_info (UTC at system time zero). */
#include <keel/domain.h>
#include <keel/arch.h>
#include <keel/lib.h>

void domain_update_wallclock(struct domain *d)
{
	struct shared_info *s = d->shared_info;
	u32 nsec;
	u64 sec = arch_boot_wallclock(&nsec);

	/* odd version while writing, as with pvclock */
	__atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_sec = (u32)sec;
	s->wc_sec_hi = (u32)(sec >> 32);
	s->wc_nsec = nsec;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
}
