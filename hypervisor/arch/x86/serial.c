// SPDX-License-Identifier: GPL-2.0-only
/* 16550 UART driver for the hypervisor console. */
#include <keel/console.h>
#include <asm/processor.h>

#define UART_CLOCK 115200
#define THR 0
#define RBR 0
#define DLL 0
#define IER 1
#define DLM 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR 0x01
#define LSR_THRE 0x20

int serial_init(u16 port, u32 baud)
{
	u32 div;

	if (!baud)
		baud = 115200;
	div = UART_CLOCK / baud;
	if (!div)
		div = 1;
	outb(port + IER, 0);
	outb(port + LCR, 0x80); /* DLAB */
	outb(port + DLL, div & 0xff);
	outb(port + DLM, div >> 8);
	outb(port + LCR, 0x03); /* 8N1 */
	outb(port + FCR, 0x07); /* FIFOs on and cleared */
	outb(port + MCR, 0x03); /* DTR, RTS */
	/* An absent UART reads back all ones. */
	return inb(port + LSR) == 0xff ? -1 : 0;
}

void serial_putc(u16 port, char c)
{
	unsigned int spins = 0;

	while (!(inb(port + LSR) & LSR_THRE) && ++spins < 100000)
		cpu_relax();
	outb(port + THR, (u8)c);
}

int serial_getc(u16 port)
{
	if (!(inb(port + LSR) & LSR_DR))
		return -1;
	return inb(port + RBR);
}
