// SPDX-License-Identifier: MIT
/*
 * console_io: CONSOLEIO_write of a 2000-byte line that crosses a page
 * boundary, CONSOLEIO_read, and the errors for a bad command or buffer.
 *
 * The harness checks the serial log for that line, which is exactly:
 *   "KEEL-CONSOLE-IO-2000:" followed by the characters 'A' + (i % 26) for
 *   i = 21 .. 1998, then "\n" (2000 bytes in all, newline included).
 */
#include "guest.h"

#define MARKER "KEEL-CONSOLE-IO-2000:"
#define LINE_LEN 2000

/* Two pages, the line placed to straddle them. */
static char buf[2 * PAGE_SIZE] __aligned(PAGE_SIZE);

static long console_io(unsigned int cmd, unsigned long count, void *p)
{
	return hypercall3(__HYPERVISOR_console_io, cmd, count,
			  (unsigned long)p);
}

void test_main(void)
{
	char *line = buf + PAGE_SIZE - LINE_LEN / 2;
	char in[16 + 16];
	unsigned int i, untouched = 0;
	long rc;

	memcpy(line, MARKER, sizeof(MARKER) - 1);
	for (i = sizeof(MARKER) - 1; i < LINE_LEN - 1; i++)
		line[i] = (char)('A' + i % 26);
	line[LINE_LEN - 1] = '\n';

	printf("console_io: a %u-byte line follows, from %p to %p\n", LINE_LEN,
	       line, line + LINE_LEN - 1);
	check_eq(console_io(CONSOLEIO_write, LINE_LEN, line), 0,
		 "CONSOLEIO_write of 2000 bytes across a page boundary");
	check_eq(console_io(CONSOLEIO_write, 0, line), 0,
		 "CONSOLEIO_write of 0 bytes");

	memset(in, 0xaa, sizeof(in));
	rc = console_io(CONSOLEIO_read, 16, in);
	printf("CONSOLEIO_read returned %ld\n", rc);
	check(rc >= 0 && rc <= 16, "CONSOLEIO_read(16) returns 0..16 bytes");
	for (i = 16; i < sizeof(in); i++)
		untouched += (uint8_t)in[i] == 0xaa;
	check_eq(untouched, 16, "CONSOLEIO_read writes no more than count");

	check_eq(console_io(99, 1, line), -ENOSYS, "unknown console_io command");
	if (check_eq(probe_read(unmapped_page), 1, "unmapped_page is unmapped"))
		check_eq(console_io(CONSOLEIO_write, 16, unmapped_page),
			 -EFAULT, "CONSOLEIO_write from an unmapped buffer");
}
