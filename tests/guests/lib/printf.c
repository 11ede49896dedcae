// SPDX-License-Identifier: MIT
/* A small printf for the test guests: %d %i %u %x %X %p %s %c %%, flags 0 - #, width, h l ll z. */
#include "guest.h"

struct sink {
	void (*put)(struct sink *s, char c);
	char *buf;
	size_t size, len;
};

static void put_str(struct sink *s, const char *str, int width, int left)
{
	int len = (int)strlen(str);

	while (!left && width-- > len)
		s->put(s, ' ');
	while (*str)
		s->put(s, *str++);
	while (left && width-- > len)
		s->put(s, ' ');
}

static void put_num(struct sink *s, uint64_t v, int neg, unsigned int base,
		    int upper, int width, int zero, int left, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, plen = (int)strlen(prefix) + neg;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (!left && !zero)
		while (width-- > n + plen)
			s->put(s, ' ');
	if (neg)
		s->put(s, '-');
	while (*prefix)
		s->put(s, *prefix++);
	if (!left && zero)
		while (width-- > n + plen)
			s->put(s, '0');
	while (n)
		s->put(s, tmp[--n]);
	while (left && width-- > n + plen)
		s->put(s, ' ');
}

static void format(struct sink *s, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int zero = 0, left = 0, alt = 0, width = 0, lng = 0;
		uint64_t v;
		int64_t sv;

		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		for (;; fmt++) {
			if (fmt[1] == '0')
				zero = 1;
			else if (fmt[1] == '-')
				left = 1;
			else if (fmt[1] == '#')
				alt = 1;
			else
				break;
		}
		while (fmt[1] >= '0' && fmt[1] <= '9')
			width = width * 10 + (*++fmt - '0');
		while (fmt[1] == 'l' || fmt[1] == 'z' || fmt[1] == 'h') {
			if (*++fmt != 'h')
				lng++;
		}
		switch (*++fmt) {
		case 'd':
		case 'i':
			sv = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			put_num(s, sv < 0 ? -(uint64_t)sv : (uint64_t)sv, sv < 0,
				10, 0, width, zero, left, "");
			break;
		case 'u':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_num(s, v, 0, 10, 0, width, zero, left, "");
			break;
		case 'x':
		case 'X':
			v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			put_num(s, v, 0, 16, *fmt == 'X', width, zero, left,
				alt ? "0x" : "");
			break;
		case 'p':
			put_num(s, (uint64_t)va_arg(ap, void *), 0, 16, 0, width,
				zero, left, "0x");
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			put_str(s, str ? str : "(null)", width, left);
			break;
		}
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), '\0' };

			put_str(s, c, width, left);
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			return;
		default:
			s->put(s, '%');
			s->put(s, *fmt);
		}
	}
}

/* Console output goes out a line at a time: one hypercall per line, not per byte. */
static void put_console(struct sink *s, char c)
{
	s->buf[s->len++] = c;
	if (c == '\n' || s->len == s->size) {
		console_write(s->buf, s->len);
		s->len = 0;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	char line[256];
	struct sink s = { put_console, line, sizeof(line), 0 };

	format(&s, fmt, ap);
	if (s.len)
		console_write(line, s.len);
	return 0;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 0;
}

static void put_buffer(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { put_buffer, buf, size, 0 };

	format(&s, fmt, ap);
	if (size)
		buf[s.len < size ? s.len : size - 1] = '\0';
	return (int)s.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
