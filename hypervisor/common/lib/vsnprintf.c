// SPDX-License-Identifier: GPL-2.0-only
/* C99 vsnprintf/snprintf for the hypervisor: integers, %c, %s, %p; no floating point. */
#include <keel/lib.h>

#define FL_LEFT 0x01
#define FL_ZERO 0x02
#define FL_PLUS 0x04
#define FL_SPACE 0x08
#define FL_ALT 0x10
#define FL_UPPER 0x20

/* Counts every character so the return value is the untruncated length. */
struct out {
	char *buf;
	size_t size;
	size_t pos;
};

static void out_char(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

struct spec {
	unsigned int flags;
	int width;
	int prec; /* -1: none given */
};

/* len bytes of s (which may include NUL), space-padded to the width. */
static void out_padded(struct out *o, const char *s, size_t len,
		       const struct spec *sp)
{
	int pad = (size_t)sp->width > len ? sp->width - (int)len : 0;
	size_t i;

	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	for (i = 0; i < len; i++)
		out_char(o, s[i]);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

/* v is the magnitude; neg says a signed conversion saw a negative value. */
static void out_num(struct out *o, unsigned long long v, bool neg,
		    unsigned int base, bool is_signed, const struct spec *sp)
{
	const char *digits = sp->flags & FL_UPPER ? "0123456789ABCDEF" :
						    "0123456789abcdef";
	char tmp[24]; /* 22 octal digits hold 2^64 - 1 */
	int nd = 0, zeros, pad;
	char sign = 0;
	const char *prefix = "";

	while (v) {
		tmp[nd++] = digits[v % base];
		v /= base;
	}
	if (is_signed) {
		if (neg)
			sign = '-';
		else if (sp->flags & FL_PLUS)
			sign = '+';
		else if (sp->flags & FL_SPACE)
			sign = ' ';
	}
	/* Precision 0 with value 0 prints no digits; otherwise at least one. */
	zeros = (sp->prec >= 0 ? sp->prec : 1) - nd;
	if (sp->flags & FL_ALT) {
		if (base == 16 && nd)
			prefix = sp->flags & FL_UPPER ? "0X" : "0x";
		else if (base == 8 && zeros <= 0 && (nd == 0 || tmp[nd - 1] != '0'))
			zeros = 1; /* %#o: the first digit must be 0 */
	}
	if (zeros < 0)
		zeros = 0;
	pad = sp->width - nd - zeros - (sign ? 1 : 0) - (int)strlen(prefix);
	if (pad > 0 && (sp->flags & FL_ZERO) && !(sp->flags & FL_LEFT) &&
	    sp->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FL_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	while (*prefix)
		out_char(o, *prefix++);
	out_repeat(o, '0', zeros);
	while (nd)
		out_char(o, tmp[--nd]);
	if (sp->flags & FL_LEFT)
		out_repeat(o, ' ', pad);
}

enum length { LEN_HH, LEN_H, LEN_INT, LEN_L, LEN_LL, LEN_Z, LEN_T, LEN_J };

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z: /* the signed type of size_t's width */
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_T:
		return (unsigned long long)va_arg(*ap, ptrdiff_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int parse_int(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (v < 100000000)
			v = v * 10 + (*(*fmt)++ - '0');
		else
			(*fmt)++;
	}
	return v;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	/* Work on a copy so helpers can take it by pointer on every ABI. */
	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { 0, 0, -1 };
		enum length len = LEN_INT;
		unsigned long long v;
		long long sv;
		char c;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FL_LEFT;
			else if (*fmt == '0')
				sp.flags |= FL_ZERO;
			else if (*fmt == '+')
				sp.flags |= FL_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FL_SPACE;
			else if (*fmt == '#')
				sp.flags |= FL_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			fmt++;
			sp.width = va_arg(args, int);
			if (sp.width < 0) {
				sp.flags |= FL_LEFT;
				/* -INT_MIN overflows; saturate instead. */
				sp.width = sp.width < -0x7fffffff ? 0x7fffffff :
								    -sp.width;
			}
		} else {
			sp.width = parse_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				sp.prec = va_arg(args, int);
				if (sp.prec < 0)
					sp.prec = -1;
			} else {
				sp.prec = parse_int(&fmt);
			}
		}
		switch (*fmt) {
		case 'h':
			len = fmt[1] == 'h' ? LEN_HH : LEN_H;
			fmt += len == LEN_HH ? 2 : 1;
			break;
		case 'l':
			len = fmt[1] == 'l' ? LEN_LL : LEN_L;
			fmt += len == LEN_LL ? 2 : 1;
			break;
		case 'z':
			len = LEN_Z;
			fmt++;
			break;
		case 't':
			len = LEN_T;
			fmt++;
			break;
		case 'j':
			len = LEN_J;
			fmt++;
			break;
		}

		switch (c = *fmt++) {
		case 'd':
		case 'i':
			sv = arg_signed(&args, len);
			v = sv < 0 ? -(unsigned long long)sv : (unsigned long long)sv;
			out_num(&o, v, sv < 0, 10, true, &sp);
			break;
		case 'u':
			out_num(&o, arg_unsigned(&args, len), false, 10, false, &sp);
			break;
		case 'X':
			sp.flags |= FL_UPPER;
			/* fall through */
		case 'x':
			out_num(&o, arg_unsigned(&args, len), false, 16, false, &sp);
			break;
		case 'o':
			out_num(&o, arg_unsigned(&args, len), false, 8, false, &sp);
			break;
		case 'p': {
			/* Always 0x and 16 digits, so addresses line up in logs. */
			char tmp[18] = { '0', 'x' };
			int i;

			v = (uintptr_t)va_arg(args, void *);
			for (i = 17; i >= 2; i--, v >>= 4)
				tmp[i] = "0123456789abcdef"[v & 0xf];
			out_padded(&o, tmp, sizeof(tmp), &sp);
			break;
		}
		case 'c': {
			char ch = (char)va_arg(args, int);

			out_padded(&o, &ch, 1, &sp);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);

			if (!s)
				s = "(null)";
			out_padded(&o, s, sp.prec >= 0 ? strnlen(s, sp.prec) : strlen(s),
				   &sp);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown conversion: show it as written so the bug is visible. */
			fmt = c ? fmt : fmt - 1;
			while (start < fmt)
				out_char(&o, *start++);
			break;
		}
	}
	va_end(args);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > 0x7fffffff ? 0x7fffffff : (int)o.pos;
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
