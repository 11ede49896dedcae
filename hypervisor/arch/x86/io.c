// SPDX-License-Identifier: GPL-2.0-only
/*
 * Trapped guest port I/O: the debug console port 0xE9, the hypervisor's own
 * serial ports, and the ports dom0 uses to power off or reset the machine,
 * which become orderly domain shutdowns.
 */
#include <keel/lib.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <public/arch-x86/keel-platform.h>
#include <public/sched.h>
#include <asm/processor.h>
#include <asm/acpi.h>
#include <asm/vmexit.h>

#define SLP_EN (1U << 13)
#define SLP_TYP_SHIFT 10

void guest_console_write(struct domain *d, const char *buf, size_t len);

static u32 port_in(u16 port, unsigned int size)
{
	switch (size) {
	case 1: return inb(port);
	case 2: return inw(port);
	default: return inl(port);
	}
}

static void port_out(u16 port, unsigned int size, u32 val)
{
	switch (size) {
	case 1: outb(port, val); break;
	case 2: outw(port, val); break;
	default: outl(port, val); break;
	}
}

static bool is_pm1_cnt(u16 port)
{
	return (acpi_info.pm1a_cnt && port == acpi_info.pm1a_cnt) ||
	       (acpi_info.pm1b_cnt && port == acpi_info.pm1b_cnt);
}

static void pm1_write(struct domain *d, u16 port, u32 val)
{
	u8 typ = (val >> SLP_TYP_SHIFT) & 7;
	u8 s5 = port == acpi_info.pm1a_cnt ? acpi_info.slp_typ_s5a : acpi_info.slp_typ_s5b;

	if (!(val & SLP_EN)) {
		port_out(port, 2, val);
		return;
	}
	if (acpi_info.have_s5 && typ == s5) {
		printk("d%u: ACPI S5 (power off) requested through PM1 control\n", d->domid);
		domain_shutdown(d, SHUTDOWN_poweroff);
		return;
	}
	pr_warn("d%u: ACPI sleep type %u requested; sleep states are not supported, ignored\n",
		d->domid, typ);
}

/*
 * A domU has no devices: reads float high and writes are dropped, except the
 * power-off and reset registers its ACPI tables name (public/arch-x86/
 * keel-platform.h), which end it the way SCHEDOP_shutdown would.
 */
/*
 * A guest has no PIT. Absent ports read all ones, except channel 2's counter,
 * which reads 0: Linux's quick TSC calibration waits for its high byte to
 * leave 0xff, up to 100000 reads, each a #VMEXIT (seconds of a guest's boot
 * under QEMU's TCG); with 0 it gives up at the first read and keeps the TSC
 * frequency Xen's time info gives it.
 */
#define PIT_CH2_PORT 0x42

static int domu_io(struct domain *d, u16 port, bool in, u32 *val, unsigned int size)
{
	if (in) {
		*val = port == KEEL_DOMU_SLEEP_STATUS_PORT || port == PIT_CH2_PORT ?
			       0 :
			       0xffffffffU >> (32 - 8 * size);
		return 0;
	}
	if (port == KEEL_DOMU_SLEEP_CONTROL_PORT && (*val & KEEL_DOMU_SLEEP_SLP_EN)) {
		u32 typ = (*val & KEEL_DOMU_SLEEP_TYP_MASK) >> KEEL_DOMU_SLEEP_TYP_SHIFT;

		if (typ == KEEL_DOMU_SLP_TYP_S5) {
			printk("d%u: ACPI S5 (power off) requested\n", d->domid);
			domain_shutdown(d, SHUTDOWN_poweroff);
		} else {
			pr_warn("d%u: ACPI sleep type %u requested; sleep states are not supported, ignored\n",
				d->domid, typ);
		}
	} else if (port == KEEL_DOMU_RESET_PORT && (*val & 0xff) == KEEL_DOMU_RESET_VALUE) {
		printk("d%u: reset requested through the ACPI reset register\n", d->domid);
		domain_shutdown(d, SHUTDOWN_reboot);
	}
	return 0;
}

int guest_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val)
{
	struct domain *d = v->domain;

	if (port == 0xe9) {
		if (in) {
			*val = 0xe9; /* what QEMU's debugcon answers: "present" */
		} else {
			char c = (char)*val;

			guest_console_write(d, &c, 1);
		}
		return 0;
	}
	if (!d->is_privileged)
		return domu_io(d, port, in, val, size);
	if (console_uses_port(port)) {
		/* the hypervisor's serial port: dom0 sees an absent device */
		if (in)
			*val = 0xffffffffU >> (32 - 8 * size);
		return 0;
	}
	if (in) {
		*val = port_in(port, size);
		return 0;
	}
	if (is_pm1_cnt(port) && size == 2) {
		pm1_write(d, port, *val);
		return 0;
	}
	if (port == 0xcf9 && size == 1 && (*val & 0x04)) {
		printk("d%u: reset requested through port 0xCF9\n", d->domid);
		domain_shutdown(d, SHUTDOWN_reboot);
		return 0;
	}
	if (port == 0x64 && size == 1 && (*val & 0xff) == 0xfe) {
		printk("d%u: reset requested through the keyboard controller\n", d->domid);
		domain_shutdown(d, SHUTDOWN_reboot);
		return 0;
	}
	if (acpi_info.have_reset_reg && acpi_info.reset_reg.space_id == 1 &&
	    port == acpi_info.reset_reg.address && (*val & 0xff) == acpi_info.reset_value) {
		printk("d%u: reset requested through the ACPI reset register\n", d->domid);
		domain_shutdown(d, SHUTDOWN_reboot);
		return 0;
	}
	port_out(port, size, *val);
	return 0;
}
