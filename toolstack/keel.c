// SPDX-License-Identifier: GPL-2.0-only
/* keel: the toolstack command, in the manner of Xen's xl. A thin front end:
 * the config logic lives in libkeelconfig, domain control in libkeelctrl. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "keelconfig.h"

#define PRIVCMD_PATH "/dev/xen/privcmd"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
};

static int cmd_create(int argc, char **argv);
static int cmd_help(int argc, char **argv);

/* Commands that need the hypervisor say so honestly until they exist. */
static const struct subcommand subcommands[] = {
	{ "create", cmd_create, "[-n|--dry-run] [-c] [--seed N] CONFIG [KEY=VALUE ...]",
	  "create a domain from an xl.cfg or XML config (-n: check and print it as JSON)" },
	{ "list", NULL, "[-l] [DOMAIN ...]", "list domains (-l: as JSON)" },
	{ "destroy", NULL, "DOMAIN", "terminate a domain immediately" },
	{ "shutdown", NULL, "[-w] DOMAIN", "ask a domain to shut down (-w: wait)" },
	{ "reboot", NULL, "DOMAIN", "ask a domain to reboot" },
	{ "pause", NULL, "DOMAIN", "pause a domain" },
	{ "unpause", NULL, "DOMAIN", "unpause a paused domain" },
	{ "console", NULL, "DOMAIN", "attach to a domain's console" },
	{ "info", NULL, "", "show information about the host" },
	{ "dmesg", NULL, "[-c]", "read the hypervisor's message buffer" },
	{ "domid", NULL, "NAME", "print a domain's id" },
	{ "domname", NULL, "DOMID", "print a domain's name" },
	{ "rename", NULL, "DOMAIN NEW-NAME", "rename a domain" },
	{ "uptime", NULL, "[DOMAIN ...]", "print domains' uptime" },
	{ "vcpu-list", NULL, "[DOMAIN ...]", "list vCPUs and where they run" },
	{ "vcpu-pin", NULL, "DOMAIN VCPU CPUS", "pin a vCPU to host CPUs" },
	{ "vcpu-set", NULL, "DOMAIN COUNT", "set the number of online vCPUs" },
	{ "mem-set", NULL, "DOMAIN MEMORY", "set a domain's memory target" },
	{ "mem-max", NULL, "DOMAIN MEMORY", "set a domain's maximum memory" },
	{ "sched-credit", NULL, "[-d DOMAIN [-w WEIGHT] [-c CAP]]",
	  "show or set credit scheduler weight and cap" },
	{ "help", cmd_help, "[SUBCOMMAND]", "show this help, or one subcommand's" },
};

#define NR_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fputs("Usage: keel <subcommand> [args]\n\nSubcommands:\n", f);
	for (size_t i = 0; i < NR_SUBCOMMANDS; i++)
		fprintf(f, "  %-13s %s\n", subcommands[i].name,
			subcommands[i].summary);
	fputs("\n'keel help SUBCOMMAND' shows a subcommand's arguments.\n", f);
}

static void sub_usage(FILE *f, const struct subcommand *s)
{
	fprintf(f, "Usage: keel %s %s\n  %s\n", s->name, s->args, s->summary);
}

static int cmd_help(int argc, char **argv)
{
	const struct subcommand *s;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	s = find(argv[1]);
	if (!s) {
		fprintf(stderr, "keel help: unknown subcommand '%s': run 'keel help' for the list\n",
			argv[1]);
		return 1;
	}
	sub_usage(stdout, s);
	if (!strcmp(s->name, "create"))
		fputs("\n  CONFIG is xl.cfg syntax, or libvirt-style XML if it starts with '<'\n"
		      "  or ends in .xml. KEY=VALUE pairs override the file's settings\n"
		      "  (xl.cfg syntax; unquoted values are strings).\n"
		      "  -n, --dry-run  parse and validate, print the config as JSON, create nothing\n"
		      "  -c             attach to the console once the domain is created\n"
		      "  --seed N       generate UUID and MACs reproducibly from N (for tests)\n",
		      stdout);
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *privcmd = getenv("KEEL_PRIVCMD");
	struct keel_domain_config c;
	struct keel_diags d;
	bool dry_run = false;
	uint64_t seed = 0;
	bool seeded = false;
	int opt, ret = 1;
	char *end;

	/* '+': KEY=VALUE overrides after CONFIG are never options. */
	while ((opt = getopt_long(argc, argv, "+nch", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry_run = true;
			break;
		case 'c':
			/* Meaningful once domains can be created. */
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno || *end || !*optarg) {
				fprintf(stderr, "keel create: --seed: expected a number, got \"%s\"\n",
					optarg);
				return 1;
			}
			seeded = true;
			break;
		case 'h':
			sub_usage(stdout, find("create"));
			return 0;
		default:
			sub_usage(stderr, find("create"));
			return 1;
		}
	}
	if (optind >= argc) {
		fputs("keel create: no config file given\n", stderr);
		sub_usage(stderr, find("create"));
		return 1;
	}

	keel_config_init(&c);
	keel_diags_init(&d);
	ret = keel_config_load(argv[optind],
			       (const char *const *)argv + optind + 1,
			       argc - optind - 1, &c, &d);
	keel_diags_print(&d, stderr, "keel create");
	if (ret) {
		ret = 1;
		goto out;
	}
	if (dry_run) {
		keel_config_generate(&c, seeded ? &seed : NULL);
		keel_config_write_json(&c, stdout);
		ret = fflush(stdout) ? 1 : 0;
		goto out;
	}

	/* KEEL_PRIVCMD lets the command test reach both messages below. */
	if (!privcmd)
		privcmd = PRIVCMD_PATH;
	if (access(privcmd, F_OK)) {
		fprintf(stderr, "keel create: cannot create domain '%s': creating domains needs a running Keel hypervisor with %s (%s: %s); use -n to check the config without creating it\n",
			c.name, PRIVCMD_PATH, privcmd, strerror(errno));
	} else {
		fprintf(stderr, "keel create: cannot create domain '%s': %s is present, but this keel cannot build domains yet (see toolstack/README.md); use -n to check the config without creating it\n",
			c.name, privcmd);
	}
	ret = 1;
out:
	keel_diags_free(&d);
	keel_config_free(&c);
	return ret;
}

int main(int argc, char **argv)
{
	const struct subcommand *s;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	s = find(argv[1]);
	if (!s) {
		fprintf(stderr, "keel: unknown subcommand '%s': run 'keel help' for the list\n",
			argv[1]);
		return 1;
	}
	if (!s->fn) {
		fprintf(stderr, "keel %s: not implemented yet\n", s->name);
		return 1;
	}
	return s->fn(argc - 1, argv + 1);
}
