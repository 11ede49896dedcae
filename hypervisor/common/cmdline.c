// SPDX-License-Identifier: GPL-2.0-only
/* Parses the hypervisor command line; a bad option is reported and skipped, never fatal. */
#include <keel/cmdline.h>
#include <keel/errno.h>
#include <keel/lib.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decimal, or hex after 0x; -EINVAL on no digits or overflow. */
static int parse_uint(const char *s, u64 *out, const char **end)
{
	unsigned int base = 10, d;
	bool any = false;
	u64 v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			break;
		if (v > (~0ULL - d) / base)
			return -EINVAL;
		v = v * base + d;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*out = v;
	*end = s;
	return 0;
}

int parse_size(const char *s, u64 *out, const char **end)
{
	const char *p;
	unsigned int shift = 0;
	u64 v;

	if (parse_uint(s, &v, &p))
		return -EINVAL;
	switch (*p) {
	case 'T': case 't':
		shift = 40;
		break;
	case 'G': case 'g':
		shift = 30;
		break;
	case 'M': case 'm':
		shift = 20;
		break;
	case 'K': case 'k':
		shift = 10;
		break;
	}
	if (shift) {
		p++;
		if (v > (~0ULL >> shift))
			return -EINVAL;
		v <<= shift;
	}
	if (end)
		*end = p;
	else if (*p)
		return -EINVAL;
	*out = v;
	return 0;
}

/* The one spelling of each truth value that the option may take. */
static int parse_bool(const char *v, size_t len, bool *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" };
	static const char *const no[] = { "0", "no", "off", "false" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == len && !strncmp(v, yes[i], len)) {
			*out = true;
			return 0;
		}
		if (strlen(no[i]) == len && !strncmp(v, no[i], len)) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct cmdline_param *find_param(const char *name, size_t len,
					      const struct cmdline_param *params,
					      size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (strlen(params[i].name) == len &&
		    !strncmp(params[i].name, name, len))
			return &params[i];
	return NULL;
}

/* Apply one option; value is NULL for a bare "name". Returns 1 on a problem. */
static int apply(const struct cmdline_param *p, const char *val, size_t vlen)
{
	const char *end;
	u64 v;
	int rc;

	if (p->type == CMDLINE_BOOL) {
		bool b = true;

		if (val && parse_bool(val, vlen, &b)) {
			pr_warn("cmdline: %s: bad boolean '%.*s' (use 1/0, yes/no, on/off or true/false)\n",
				p->name, (int)vlen, val);
			return 1;
		}
		*(bool *)p->var = b;
		return 0;
	}
	if (!val || !vlen) {
		pr_warn("cmdline: %s: needs a value (%s=...)\n", p->name, p->name);
		return 1;
	}
	switch (p->type) {
	case CMDLINE_UINT:
		rc = parse_uint(val, &v, &end);
		if (rc || end != val + vlen) {
			pr_warn("cmdline: %s: bad number '%.*s' (decimal, or hex with 0x)\n",
				p->name, (int)vlen, val);
			return 1;
		}
		*(u64 *)p->var = v;
		return 0;
	case CMDLINE_SIZE:
		rc = parse_size(val, &v, &end);
		if (rc || end != val + vlen) {
			pr_warn("cmdline: %s: bad size '%.*s' (like 512M, 4G or 0x100000)\n",
				p->name, (int)vlen, val);
			return 1;
		}
		*(u64 *)p->var = v;
		return 0;
	default: {
		char *dst = p->var;
		bool truncated = vlen >= p->size;
		size_t n;

		BUG_ON(!p->size);
		n = truncated ? p->size - 1 : vlen;
		memcpy(dst, val, n);
		dst[n] = '\0';
		if (truncated) {
			pr_warn("cmdline: %s: value truncated to %zu characters\n",
				p->name, n);
			return 1;
		}
		return 0;
	}
	}
}

int cmdline_parse(const char *cmdline, const struct cmdline_param *params, size_t nr)
{
	const char *s = cmdline ? cmdline : "";
	int problems = 0;

	for (;;) {
		const char *word, *eq, *val = NULL;
		const struct cmdline_param *p;
		size_t nlen, vlen = 0;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		word = s;
		while (*s && !is_space(*s))
			s++;
		for (eq = word; eq < s && *eq != '='; eq++)
			;
		nlen = eq - word;
		if (eq < s) {
			val = eq + 1;
			vlen = s - val;
		}

		p = find_param(word, nlen, params, nr);
		if (!p && !val && nlen > 3 && !strncmp(word, "no-", 3)) {
			p = find_param(word + 3, nlen - 3, params, nr);
			if (p && p->type == CMDLINE_BOOL) {
				*(bool *)p->var = false;
				continue;
			}
			p = NULL;
		}
		if (!p) {
			pr_warn("cmdline: unknown option '%.*s'\n", (int)nlen, word);
			problems++;
			continue;
		}
		problems += apply(p, val, vlen);
	}
	return problems;
}

const char *cmdline_skip_image_name(const char *cmdline)
{
	const char *s = cmdline, *w;
	bool slash = false, eq = false;

	if (!s)
		return "";
	while (is_space(*s))
		s++;
	for (w = s; *w && !is_space(*w); w++) {
		slash |= *w == '/';
		eq |= *w == '=';
	}
	if (!slash || eq)
		return s;
	while (is_space(*w))
		w++;
	return w;
}
