// SPDX-License-Identifier: MIT
/* Finding a Xen-compatible hypervisor, and the console it gives us (or port 0xE9). */
#include <public/arch-x86/cpuid.h>

#include "guest.h"

#define DEBUGCON_PORT 0xe9

uint32_t xen_cpuid_base;
static int console_io_broken;

/* As Linux does: the first base 0x40000x00 with the signature and at least leaves 1 and 2. */
uint32_t xen_detect(void)
{
	uint32_t base;

	if (!(cpuid(1).ecx & (1U << 31)))
		return 0;
	for (base = XEN_CPUID_FIRST_LEAF; base < 0x40010000; base += 0x100) {
		struct cpuid_regs r = cpuid(base);

		if (r.ebx == XEN_CPUID_SIGNATURE_EBX &&
		    r.ecx == XEN_CPUID_SIGNATURE_ECX &&
		    r.edx == XEN_CPUID_SIGNATURE_EDX && r.eax - base >= 2)
			return base;
	}
	return 0;
}

long xen_console_write(const char *buf, size_t len)
{
	return hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, len,
			  (unsigned long)buf);
}

/*
 * Like Linux's xenboot console: console_io when there is Xen, port 0xE9 when
 * there is none or console_io fails (so a broken console_io still leaves the
 * verdict readable; the console_io guest tests console_io itself).
 */
void console_write(const char *buf, size_t len)
{
	if (xen_cpuid_base && !console_io_broken) {
		if (xen_console_write(buf, len) >= 0)
			return;
		console_io_broken = 1;
	}
	while (len--)
		outb(DEBUGCON_PORT, (uint8_t)*buf++);
}
