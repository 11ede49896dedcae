// SPDX-License-Identifier: GPL-2.0-only
/*
 * The hypervisor console: printk with log levels, a log ring kept in memory
 * (read back by the toolstack's dmesg), serial/port-0xE9 output, and the
 * input queue dom0 reads with CONSOLEIO_read.
 */
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/spinlock.h>
#include <keel/arch.h>
#include <keel/keyhandler.h>

#define LOG_RING_SIZE (64 * 1024)
#define INPUT_RING_SIZE 1024
#define MAX_SERIAL 2

static const u16 com_ports[MAX_SERIAL] = { 0x3f8, 0x2f8 };

/* console_lock protects everything below; it nests inside no other lock. */
static spinlock_t console_lock = SPINLOCK_INIT;
static bool com_enabled[MAX_SERIAL] = { true, false }; /* com1 until told */
static bool e9_enabled;
static int loglevel = LOG_INFO;
static char log_ring[LOG_RING_SIZE];
static u64 log_head; /* bytes ever written */
static char input_ring[INPUT_RING_SIZE];
static u32 input_head, input_tail;
static bool at_line_start = true;

static void out_raw(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		for (int p = 0; p < MAX_SERIAL; p++) {
			if (!com_enabled[p])
				continue;
			if (s[i] == '\n')
				serial_putc(com_ports[p], '\r');
			serial_putc(com_ports[p], s[i]);
		}
		if (e9_enabled)
			arch_debugcon_putc(s[i]);
	}
}

static void log_append(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_ring[(log_head + i) % LOG_RING_SIZE] = s[i];
	log_head += len;
}

void console_write(const char *s, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);

	out_raw(s, len);
	spin_unlock_irqrestore(&console_lock, flags);
}

void console_write_logged(const char *s, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&console_lock);

	out_raw(s, len);
	log_append(s, len);
	spin_unlock_irqrestore(&console_lock, flags);
}

static void emit_line_prefixed(const char *s, size_t len)
{
	static const char prefix[] = "(keel) ";

	for (size_t i = 0; i < len; i++) {
		if (at_line_start) {
			out_raw(prefix, sizeof(prefix) - 1);
			log_append(prefix, sizeof(prefix) - 1);
			at_line_start = false;
		}
		out_raw(&s[i], 1);
		log_append(&s[i], 1);
		if (s[i] == '\n')
			at_line_start = true;
	}
}

static void vprintk_level(int level, const char *fmt, va_list ap)
{
	char buf[512];
	int n;
	unsigned long flags;

	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	flags = spin_lock_irqsave(&console_lock);
	if (level <= loglevel)
		emit_line_prefixed(buf, n);
	else
		log_append(buf, n); /* quieter messages still reach dmesg */
	spin_unlock_irqrestore(&console_lock, flags);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_level(LOG_INFO, fmt, ap);
	va_end(ap);
}

void printk_level(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk_level(level, fmt, ap);
	va_end(ap);
}

void console_set_loglevel(int level)
{
	loglevel = level;
}

void console_init(const char *spec)
{
	char item[32];
	int last_com = -1;
	bool any = false;

	if (!spec || !*spec)
		spec = "com1";
	com_enabled[0] = com_enabled[1] = false;
	e9_enabled = false;
	while (*spec) {
		size_t n = 0;

		while (spec[n] && spec[n] != ',' && spec[n] != '+')
			n++;
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, spec, n);
		item[n] = '\0';
		spec += n;
		if (*spec)
			spec++;
		if (!strcmp(item, "com1") || !strcmp(item, "com2")) {
			last_com = item[3] - '1';
			com_enabled[last_com] = true;
			serial_init(com_ports[last_com], 115200);
			any = true;
		} else if (item[0] >= '0' && item[0] <= '9' && last_com >= 0) {
			serial_init(com_ports[last_com], (u32)strtoull(item, NULL, 10));
		} else if (!strcmp(item, "e9") || !strcmp(item, "dbgp")) {
			e9_enabled = true;
			any = true;
		} else if (!strcmp(item, "none")) {
			any = true;
		} else {
			/* Keep a console so the complaint itself is seen. */
			com_enabled[0] = true;
			serial_init(com_ports[0], 115200);
			pr_warn("console: unknown console '%s' (use com1[,baud], com2, e9 or none)\n",
				item);
			any = true;
		}
	}
	if (!any)
		com_enabled[0] = true;
}

bool console_uses_port(u16 port)
{
	for (int p = 0; p < MAX_SERIAL; p++)
		if (com_enabled[p] && port >= com_ports[p] && port < com_ports[p] + 8)
			return true;
	return false;
}

/* Set while a CPU polls the serial input: the characters it read reach the
 * ring in order only if no other CPU appends between its read and its
 * append (two did: "echo" typed, "ceho" read). A CPU that finds it set
 * leaves the input to that one, or to the next poll. */
static bool input_polling;

void console_poll_input(void)
{
	char got[64];
	size_t n = 0;
	bool queued = false;
	unsigned long flags;

	if (__atomic_exchange_n(&input_polling, true, __ATOMIC_ACQUIRE))
		return;
	flags = spin_lock_irqsave(&console_lock);

	for (int p = 0; p < MAX_SERIAL; p++) {
		int c;

		if (!com_enabled[p])
			continue;
		while ((c = serial_getc(com_ports[p])) >= 0 && n < sizeof(got))
			got[n++] = (char)c;
	}
	spin_unlock_irqrestore(&console_lock, flags);

	/* Debug keys run without the lock: they print. */
	for (size_t i = 0; i < n; i++) {
		if (keyhandler_input(got[i]))
			continue;
		flags = spin_lock_irqsave(&console_lock);
		if (input_head - input_tail < INPUT_RING_SIZE)
			input_ring[input_head++ % INPUT_RING_SIZE] = got[i];
		spin_unlock_irqrestore(&console_lock, flags);
		queued = true;
	}
	__atomic_store_n(&input_polling, false, __ATOMIC_RELEASE);
	if (queued)
		console_input_notify(); /* dom0 reads it on VIRQ_CONSOLE */
}

size_t console_read(char *buf, size_t len)
{
	size_t n = 0;
	unsigned long flags = spin_lock_irqsave(&console_lock);

	while (n < len && input_tail != input_head)
		buf[n++] = input_ring[input_tail++ % INPUT_RING_SIZE];
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

size_t console_log_read(char *buf, size_t len, u64 *pos, bool clear)
{
	static u64 cleared_at; /* under console_lock */
	size_t n = 0;
	u64 start;
	unsigned long flags = spin_lock_irqsave(&console_lock);

	start = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	start = MAX(start, cleared_at);
	if (*pos < start || *pos > log_head)
		*pos = start;
	while (n < len && *pos < log_head)
		buf[n++] = log_ring[(*pos)++ % LOG_RING_SIZE];
	if (clear)
		cleared_at = log_head;
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

size_t console_log_copy(char *buf, size_t len, size_t offset)
{
	size_t n = 0;
	u64 start;
	unsigned long flags = spin_lock_irqsave(&console_lock);

	start = log_head > LOG_RING_SIZE ? log_head - LOG_RING_SIZE : 0;
	start += offset;
	while (n < len && start + n < log_head) {
		buf[n] = log_ring[(start + n) % LOG_RING_SIZE];
		n++;
	}
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}
