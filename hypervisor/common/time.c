// SPDX-License-Identifier: GPL-2.0-only
/* The wallclock in a domain's shared_info (UTC at system time zero). */
#include <keel/domain.h>
#include <keel/arch.h>
#include <keel/lib.h>

/* UTC at system time zero, once dom0 has set the time (XENPF_settime). */
static bool wc_from_dom0;
static u64 wc_sec;
static u32 wc_nsec;

static u64 wallclock_at_zero(u32 *nsec)
{
	if (!wc_from_dom0)
		return arch_boot_wallclock(nsec);
	*nsec = wc_nsec;
	return wc_sec;
}

void wallclock_set(u64 secs, u32 nsecs, u64 system_time)
{
	/* "UTC was secs.nsecs at system_time": move it back to time zero */
	u64 t = secs * 1000000000ULL + nsecs - system_time;

	wc_sec = t / 1000000000ULL;
	wc_nsec = t % 1000000000ULL;
	wc_from_dom0 = true;
	for (domid_t id = 0; id < MAX_DOMAINS; id++) {
		struct domain *d = domain_lookup(id);

		if (d)
			domain_update_wallclock(d);
	}
}

void domain_update_wallclock(struct domain *d)
{
	struct shared_info *s = d->shared_info;
	u32 nsec;
	u64 sec = wallclock_at_zero(&nsec);

	/* odd version while writing, as with pvclock */
	__atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_sec = (u32)sec;
	s->wc_sec_hi = (u32)(sec >> 32);
	s->wc_nsec = nsec;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_RELEASE);
}
