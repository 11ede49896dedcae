// SPDX-License-Identifier: GPL-2.0-only
/*
 * Time: the TSC calibrated against the PIT, nanoseconds since boot, the
 * wallclock read from the CMOS RTC at boot, and the pvclock scale factors.
 */
#include <keel/lib.h>
#include <keel/arch.h>
#include <asm/processor.h>
#include <asm/time.h>
#include <asm/acpi.h>

#define PIT_HZ 1193182
#define CALIBRATE_US 20000

u64 tsc_khz;
u64 tsc_at_boot;
u32 tsc_to_ns_mul;
s8 tsc_to_ns_shift;
static u64 boot_wallclock_sec;
bool tsc_invariant;

void pit_wait_begin(u32 us)
{
	u32 count = (u32)((u64)PIT_HZ * us / 1000000);
	u8 v = inb(0x61);

	/* Channel 2 gate on, speaker off; mode 0 counts down once. */
	outb(0x61, (v & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
}

bool pit_wait_done(void)
{
	return inb(0x61) & 0x20;
}

/* 64x64 -> upper 64 of a 96-bit product, without a libgcc division. */
static u64 mul_frac32(u64 a, u32 mul)
{
	return (u64)(((unsigned __int128)a * mul) >> 32);
}

u64 tsc_to_ns(u64 delta)
{
	if (tsc_to_ns_shift >= 0)
		delta <<= tsc_to_ns_shift;
	else
		delta >>= -tsc_to_ns_shift;
	return mul_frac32(delta, tsc_to_ns_mul);
}

u64 ns_to_tsc(u64 ns)
{
	return ns * tsc_khz / 1000000;
}

/*
 * Pick shift and mul so that ns = (tsc << shift) * mul / 2^32 with mul as
 * large as fits in 32 bits: the pvclock formula guests evaluate.
 */
static void compute_scale(u64 khz)
{
	u64 num = 1000000ULL; /* ns per ms, scaled per kHz below */
	u64 den = khz;
	s8 shift = 0;

	/* want mul = num/den * 2^32 < 2^32, i.e. num < den */
	while (num >= den) {
		den <<= 1;
		shift++;
	}
	while (den >= (num << 1) && shift > -31) {
		num <<= 1;
		shift--;
	}
	tsc_to_ns_mul = (u32)((num << 32) / den);
	tsc_to_ns_shift = shift;
}

static u8 cmos_read(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned int bcd(u8 v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static u64 days_from_civil(u64 y, unsigned int m, unsigned int d)
{
	u64 era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static u64 rtc_read_unix(void)
{
	u8 s, mi, h, d, mo, y, c, s2;
	u8 regb;
	bool binary, h12;
	unsigned int hour;

	for (int tries = 0; tries < 1000000; tries++)
		if (!(cmos_read(0x0a) & 0x80))
			break;
	do {
		s = cmos_read(0x00);
		mi = cmos_read(0x02);
		h = cmos_read(0x04);
		d = cmos_read(0x07);
		mo = cmos_read(0x08);
		y = cmos_read(0x09);
		c = cmos_read(0x32);
		s2 = cmos_read(0x00);
	} while (s != s2);
	regb = cmos_read(0x0b);
	binary = regb & 0x04;
	h12 = !(regb & 0x02);
	hour = bcd(h & 0x7f, binary);
	if (h12 && (h & 0x80))
		hour = (hour % 12) + 12;
	else if (h12 && hour == 12)
		hour = 0;
	{
		unsigned int century = bcd(c, binary);
		u64 year = bcd(y, binary);

		year += (century >= 19 && century <= 21) ? century * 100 : 2000;
		return days_from_civil(year, bcd(mo, binary), bcd(d, binary)) * 86400 +
		       hour * 3600 + bcd(mi, binary) * 60 + bcd(s, binary);
	}
}

#define PMTMR_HZ 3579545

/* One TSC-vs-reference measurement; returns kHz. */
static u64 measure_with_pmtimer(u16 port)
{
	u32 p0, p1, elapsed;
	u64 t0, t1;

	/* Read the reference and the TSC back to back at both ends, so a
	 * descheduled emulator thread shifts both ends alike. */
	p0 = inl(port) & 0xffffff;
	t0 = rdtsc();
	do {
		p1 = inl(port) & 0xffffff;
		t1 = rdtsc();
		elapsed = (p1 - p0) & 0xffffff;
	} while (elapsed < PMTMR_HZ / 20); /* 50 ms */
	return (t1 - t0) * PMTMR_HZ / elapsed / 1000;
}

static u64 measure_with_pit(void)
{
	u64 t0, t1;

	pit_wait_begin(CALIBRATE_US);
	t0 = rdtsc();
	while (!pit_wait_done())
		cpu_relax();
	t1 = rdtsc();
	return (t1 - t0) * 1000 / CALIBRATE_US;
}

static u64 median3(u64 a, u64 b, u64 c)
{
	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

void time_init(void)
{
	u64 k[3];
	const char *ref = acpi_info.pm_timer ? "ACPI PM timer" : "PIT";

	for (int i = 0; i < 3; i++)
		k[i] = acpi_info.pm_timer ? measure_with_pmtimer(acpi_info.pm_timer)
					  : measure_with_pit();
	tsc_khz = median3(k[0], k[1], k[2]);
	if (!tsc_khz)
		panic("time: the TSC does not advance");
	compute_scale(tsc_khz);
	{
		struct cpuid_regs r;

		cpuid_count(0x80000007, 0, &r);
		tsc_invariant = r.edx & (1U << 8);
	}
	boot_wallclock_sec = rtc_read_unix();
	tsc_at_boot = rdtsc();
	printk("time: TSC %llu.%03llu MHz (against the %s), wallclock %llu (from the RTC)\n",
	       tsc_khz / 1000, tsc_khz % 1000, ref, boot_wallclock_sec);
}

u64 arch_now_ns(void)
{
	return tsc_to_ns(rdtsc() - tsc_at_boot);
}

u64 arch_boot_wallclock(u32 *nsec)
{
	if (nsec)
		*nsec = 0;
	return boot_wallclock_sec;
}
