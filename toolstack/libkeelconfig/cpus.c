// SPDX-License-Identifier: GPL-2.0-only
/* CPU lists for vCPU pinning, in xl's syntax: "0-3,5,^1" or "all". Whether
 * the named CPUs exist is only known at create time, on the host. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

bool keel_cpumap_test(const struct keel_cpumap *map, unsigned int cpu)
{
	return cpu < KEEL_MAX_CPUS && (map->bits[cpu / 64] >> (cpu % 64)) & 1;
}

void keel_cpumap_set(struct keel_cpumap *map, unsigned int cpu)
{
	if (cpu < KEEL_MAX_CPUS)
		map->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static void cpumap_clear(struct keel_cpumap *map, unsigned int cpu)
{
	if (cpu < KEEL_MAX_CPUS)
		map->bits[cpu / 64] &= ~(1ULL << (cpu % 64));
}

unsigned int keel_cpumap_weight(const struct keel_cpumap *map)
{
	unsigned int n = 0;

	for (size_t i = 0; i < KEEL_MAX_CPUS / 64; i++)
		n += __builtin_popcountll(map->bits[i]);
	return n;
}

char *keel_cpumap_format(const struct keel_cpumap *map)
{
	char *out = kc_strdup("");

	for (unsigned int cpu = 0; cpu < KEEL_MAX_CPUS; cpu++) {
		unsigned int last = cpu;
		char *next;

		if (!keel_cpumap_test(map, cpu))
			continue;
		while (last + 1 < KEEL_MAX_CPUS && keel_cpumap_test(map, last + 1))
			last++;
		if (last == cpu)
			next = kc_asprintf("%s%s%u", out, *out ? "," : "", cpu);
		else
			next = kc_asprintf("%s%s%u-%u", out, *out ? "," : "",
					   cpu, last);
		free(out);
		out = next;
		cpu = last;
	}
	return out;
}

/* Parses a decimal CPU number at *p, advancing it. */
static int parse_cpu(const char **p, unsigned long *cpu)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	*cpu = strtoul(*p, &end, 10);
	if (errno)
		*cpu = ~0UL;
	*p = end;
	return 0;
}

static int parse_element(const char *elem, struct keel_cpumap *map,
			 const char *whole, struct keel_diags *d,
			 const struct keel_where *w)
{
	const char *p = elem;
	unsigned long first, last;
	bool remove = false;

	if (!strcmp(elem, "all")) {
		memset(map->bits, 0xff, sizeof(map->bits));
		return 0;
	}
	if (*p == '^') {
		remove = true;
		p++;
	}
	if (parse_cpu(&p, &first))
		goto bad;
	last = first;
	if (*p == '-') {
		p++;
		if (parse_cpu(&p, &last))
			goto bad;
	}
	if (*p)
		goto bad;
	if (last >= KEEL_MAX_CPUS) {
		kc_error(d, w, "CPU %s in \"%s\" is beyond the largest CPU number Keel supports (%d)",
			 elem, whole, KEEL_MAX_CPUS - 1);
		return -1;
	}
	if (first > last) {
		kc_error(d, w, "range \"%s\" in \"%s\" runs backwards: write the lower CPU first",
			 elem, whole);
		return -1;
	}
	for (unsigned long cpu = first; cpu <= last; cpu++) {
		if (remove)
			cpumap_clear(map, cpu);
		else
			keel_cpumap_set(map, cpu);
	}
	return 0;
bad:
	kc_error(d, w, "invalid CPU list \"%s\" at \"%s\": expected CPU numbers and ranges such as \"0-3,5,^1\", or \"all\"",
		 whole, elem);
	return -1;
}

int keel_cpumap_parse(const char *s, struct keel_cpumap *map, bool *is_all,
		      struct keel_diags *d, const struct keel_where *w)
{
	char *copy = kc_strdup(s), *save = NULL, *tok;
	int ret = 0;

	memset(map, 0, sizeof(*map));
	*is_all = false;

	if (!strncmp(s, "nodes:", 6)) {
		kc_error(d, w, "\"%s\": pinning to NUMA nodes is not supported by Keel: list CPUs instead, e.g. \"0-3\"",
			 s);
		ret = -1;
		goto out;
	}
	if (strspn(s, " \t") == strlen(s)) {
		kc_error(d, w, "empty CPU list: give CPUs such as \"0-3,5\", or \"all\"");
		ret = -1;
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (*tok == ' ' || *tok == '\t')
			tok++;
		end = tok + strlen(tok);
		while (end > tok && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (parse_element(tok, map, s, d, w)) {
			ret = -1;
			goto out;
		}
	}
	if (!strcmp(s, "all")) {
		*is_all = true;
	} else if (!keel_cpumap_weight(map)) {
		kc_error(d, w, "\"%s\" leaves no CPU to run on", s);
		ret = -1;
	}
out:
	free(copy);
	return ret;
}
