// SPDX-License-Identifier: GPL-2.0-only
/* panic(): a hypervisor invariant broke; say what, on which CPU, and stop. */
#include <keel/lib.h>
#include <keel/arch.h>
#include <keel/setup.h>

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("\n****************************************\n");
	pr_err("Keel panic on CPU %u: %s\n", arch_cpu_id(), msg);
	pr_err("****************************************\n");
	if (!opt_noreboot) {
		pr_err("rebooting in 5 seconds\n");
		arch_delay_ns(5000000000ULL);
		arch_machine_reboot();
	}
	arch_machine_halt(KEEL_HALT_PANIC);
}
