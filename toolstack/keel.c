// SPDX-License-Identifier: GPL-2.0-only
/* keel: the toolstack command, in the manner of Xen's xl. A thin front end:
 * the config logic lives in libkeelconfig, domain control in libkeelctrl. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "keelconfig.h"
#include "keelctrl.h"
#include "console_client.h"

#define PRIVCMD_PATH "/dev/xen/privcmd"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;
	const char *summary;
};

static int cmd_create(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_list(int argc, char **argv);
static int cmd_destroy(int argc, char **argv);
static int cmd_shutdown(int argc, char **argv);
static int cmd_reboot(int argc, char **argv);
static int cmd_pause(int argc, char **argv);
static int cmd_unpause(int argc, char **argv);
static int cmd_console(int argc, char **argv);
static int cmd_info(int argc, char **argv);
static int cmd_dmesg(int argc, char **argv);
static int cmd_domid(int argc, char **argv);
static int cmd_domname(int argc, char **argv);
static int cmd_rename(int argc, char **argv);
static int cmd_uptime(int argc, char **argv);
static int cmd_vcpu_list(int argc, char **argv);
static int cmd_vcpu_pin(int argc, char **argv);
static int cmd_vcpu_set(int argc, char **argv);
static int cmd_mem_set(int argc, char **argv);
static int cmd_mem_max(int argc, char **argv);
static int cmd_sched_credit(int argc, char **argv);
static int cmd_block_attach(int argc, char **argv);
static int cmd_block_detach(int argc, char **argv);
static int cmd_block_list(int argc, char **argv);
static int cmd_network_attach(int argc, char **argv);
static int cmd_network_detach(int argc, char **argv);
static int cmd_network_list(int argc, char **argv);

static const struct subcommand subcommands[] = {
	{ "create", cmd_create, "[-n|--dry-run] [-c] [-p] [--seed N] CONFIG [KEY=VALUE ...]",
	  "create a domain from an xl.cfg or XML config (-n: check and print it as JSON)" },
	{ "list", cmd_list, "[-l] [DOMAIN ...]", "list domains (-l: as JSON)" },
	{ "destroy", cmd_destroy, "DOMAIN", "terminate a domain immediately" },
	{ "shutdown", cmd_shutdown, "[-w] DOMAIN", "ask a domain to shut down (-w: wait)" },
	{ "reboot", cmd_reboot, "DOMAIN", "ask a domain to reboot" },
	{ "pause", cmd_pause, "DOMAIN", "pause a domain" },
	{ "unpause", cmd_unpause, "DOMAIN", "unpause a paused domain" },
	{ "console", cmd_console, "DOMAIN", "attach to a domain's console" },
	{ "info", cmd_info, "", "show information about the host" },
	{ "dmesg", cmd_dmesg, "[-c]", "read the hypervisor's message buffer" },
	{ "domid", cmd_domid, "NAME", "print a domain's id" },
	{ "domname", cmd_domname, "DOMID", "print a domain's name" },
	{ "rename", cmd_rename, "DOMAIN NEW-NAME", "rename a domain" },
	{ "uptime", cmd_uptime, "[DOMAIN ...]", "print domains' uptime" },
	{ "vcpu-list", cmd_vcpu_list, "[DOMAIN ...]", "list vCPUs and where they run" },
	{ "vcpu-pin", cmd_vcpu_pin, "DOMAIN VCPU|all CPUS|all", "pin a vCPU to host CPUs" },
	{ "vcpu-set", cmd_vcpu_set, "DOMAIN COUNT", "set the number of online vCPUs" },
	{ "mem-set", cmd_mem_set, "DOMAIN MEMORY", "set a domain's memory target" },
	{ "mem-max", cmd_mem_max, "DOMAIN MEMORY", "set a domain's maximum memory" },
	{ "sched-credit", cmd_sched_credit, "[-d DOMAIN [-w WEIGHT] [-c CAP]]",
	  "show or set credit scheduler weight and cap" },
	{ "block-attach", cmd_block_attach, "DOMAIN DISKSPEC",
	  "attach a virtual disk (xl disk syntax: 'file:/img,xvdb,w')" },
	{ "block-detach", cmd_block_detach, "[-f] [-t SECONDS] DOMAIN VDEV|DEVID",
	  "ask the guest to close a virtual disk, then remove it" },
	{ "block-list", cmd_block_list, "DOMAIN ...", "list a domain's virtual disks" },
	{ "network-attach", cmd_network_attach, "DOMAIN [KEY=VALUE ...]",
	  "attach a network interface (xl vif syntax: mac=, bridge=, ...)" },
	{ "network-detach", cmd_network_detach, "[-f] [-t SECONDS] DOMAIN DEVID|MAC",
	  "ask the guest to close a network interface, then remove it" },
	{ "network-list", cmd_network_list, "DOMAIN ...", "list a domain's network interfaces" },
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
		fprintf(f, "  %-15s %s\n", subcommands[i].name,
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
		      "  -p             leave the domain paused after creating it\n"
		      "  --seed N       generate UUID and MACs reproducibly from N (for tests)\n",
		      stdout);
	if (!strcmp(s->name, "block-attach"))
		fputs("\n  DISKSPEC is one disk= entry in xl syntax (xl-disk-configuration(5)),\n"
		      "  e.g. 'file:/var/lib/keel/x.img,xvdb,w' or 'format=raw,vdev=xvdc,access=ro,\n"
		      "  target=/dev/vg/data'; several arguments are joined with ','. The disk\n"
		      "  stays in the domain's saved config: on_reboot=restart brings it back.\n",
		      stdout);
	if (!strcmp(s->name, "network-attach"))
		fputs("\n  KEY=VALUE as in one vif= entry: mac=, bridge= (default " KEEL_DEFAULT_BRIDGE "),\n"
		      "  ip=, vifname=, devid=. Without mac= one is generated under 00:16:3e;\n"
		      "  without devid= the interface gets one past the highest in use.\n",
		      stdout);
	if (!strcmp(s->name, "block-detach") || !strcmp(s->name, "network-detach"))
		fputs("\n  Sets the backend to Closing and waits for the guest's frontend to\n"
		      "  close (Closed) before removing the device.\n"
		      "  -f, --force      remove it without asking the guest\n"
		      "  -t, --timeout S  wait at most S seconds (default 10)\n",
		      stdout);
	return 0;
}

/* The hypervisor and the store, or a message that says what is missing. */
static struct keel_ctl *open_ctl(const char *cmd)
{
	const char *privcmd = getenv("KEEL_PRIVCMD");
	const char *state = getenv("KEEL_STATE_DIR");
	const struct keel_hv_ops *ops;
	struct keel_ctl *k;
	char err[512];
	void *hv;

	if (keel_privcmd_open(privcmd ? privcmd : PRIVCMD_PATH, &ops, &hv, err,
			      sizeof(err))) {
		fprintf(stderr, "keel %s: %s\n", cmd, err);
		return NULL;
	}
	k = keel_ctl_new(ops, hv, NULL, state ? state : "/var/lib/keel");
	if (!k) {
		ops->close(hv);
		fprintf(stderr, "keel %s: out of memory\n", cmd);
	}
	return k;
}

static int fail_ctl(struct keel_ctl *k, const char *cmd)
{
	fprintf(stderr, "keel %s: %s\n", cmd, k->err);
	keel_ctl_close(k);
	return 1;
}

/* Exactly n positional arguments after the options, or usage. */
static bool want_args(int argc, char **argv, int n, const char *cmd)
{
	if (argc - optind == n)
		return true;
	(void)argv;
	fprintf(stderr, "keel %s: expected %d argument%s, got %d\n", cmd, n,
		n == 1 ? "" : "s", argc - optind);
	sub_usage(stderr, find(cmd));
	return false;
}

static int no_options(int argc, char **argv, const char *cmd)
{
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "+h")) != -1) {
		if (opt == 'h') {
			sub_usage(stdout, find(cmd));
			return 0;
		}
		sub_usage(stderr, find(cmd));
		return 1;
	}
	return -1;
}

/* xl's memory sizes: a number with an optional b/k/m/g/t suffix, MiB by default. */
static int parse_mem_kib(const char *s, uint64_t *kib)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || strlen(end) > 1)
		return -1;
	switch (tolower((unsigned char)*end)) {
	case 't':
		v <<= 10;
		/* fall through */
	case 'g':
		v <<= 10;
		/* fall through */
	case '\0':
	case 'm':
		v <<= 10;
		/* fall through */
	case 'k':
		break;
	case 'b':
		v >>= 10;
		break;
	default:
		return -1;
	}
	*kib = v;
	return 0;
}

static int read_text(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return -1;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*text = buf;
	*len = n;
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
	struct keel_create_opts co;
	struct keel_domain_config c;
	struct keel_diags d;
	struct keel_ctl *k = NULL;
	bool dry_run = false, console = false, paused = false;
	uint64_t seed = 0;
	bool seeded = false;
	char *text = NULL;
	size_t len = 0;
	domid_t dom;
	int opt, ret = 1;
	char *end;

	keel_phase(NULL);
	/* '+': KEY=VALUE overrides after CONFIG are never options. */
	while ((opt = getopt_long(argc, argv, "+ncph", opts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			dry_run = true;
			break;
		case 'c':
			console = true;
			break;
		case 'p':
			paused = true;
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
	if (!dry_run)
		fprintf(stderr, "Parsing config from %s\n", argv[optind]);
	ret = keel_config_load(argv[optind],
			       (const char *const *)argv + optind + 1,
			       argc - optind - 1, &c, &d);
	keel_diags_print(&d, stderr, "keel create");
	if (ret) {
		ret = 1;
		goto out;
	}
	keel_phase("read the config");
	keel_config_generate(&c, seeded ? &seed : NULL);
	keel_phase("generate UUID and MACs");
	if (dry_run) {
		keel_config_write_json(&c, stdout);
		ret = fflush(stdout) ? 1 : 0;
		goto out;
	}

	/* KEEL_PRIVCMD lets the command test reach the message below. */
	if (!privcmd)
		privcmd = PRIVCMD_PATH;
	ret = 1;
	if (access(privcmd, F_OK)) {
		fprintf(stderr, "keel create: cannot create domain '%s': creating domains needs a running Keel hypervisor with %s (%s: %s); use -n to check the config without creating it\n",
			c.name, PRIVCMD_PATH, privcmd, strerror(errno));
		goto out;
	}
	if (read_text(argv[optind], &text, &len)) {
		fprintf(stderr, "keel create: cannot read %s: %s\n", argv[optind],
			strerror(errno));
		goto out;
	}
	k = open_ctl("create");
	if (!k)
		goto out;
	keel_phase("open privcmd");
	memset(&co, 0, sizeof(co));
	co.paused = paused;
	co.config_text = text;
	co.config_len = len;
	co.config_name = argv[optind];
	co.overrides = (const char *const *)argv + optind + 1;
	co.nr_overrides = argc - optind - 1;
	if (keel_domain_create(k, &c, &co, &dom)) {
		fprintf(stderr, "keel create: cannot create domain '%s': %s\n", c.name, k->err);
		goto out;
	}
	ret = 0;
	if (console)
		ret = keel_console_attach(dom, c.name) ? 1 : 0;
out:
	keel_ctl_close(k);
	keel_phase("close");
	free(text);
	keel_diags_free(&d);
	keel_config_free(&c);
	return ret;
}

/* DOMAIN arguments resolved to ids; *doms malloc'ed. */
static int lookup_all(struct keel_ctl *k, int argc, char **argv, domid_t **doms,
		      size_t *n, const char *cmd)
{
	*n = argc - optind;
	*doms = calloc(*n ? *n : 1, sizeof(**doms));
	for (size_t i = 0; i < *n; i++)
		if (keel_domain_lookup(k, argv[optind + i], &(*doms)[i])) {
			fprintf(stderr, "keel %s: %s\n", cmd, k->err);
			free(*doms);
			return -1;
		}
	return 0;
}

typedef int (*printer)(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n);

static int list_like(int argc, char **argv, const char *cmd, printer print)
{
	struct keel_ctl *k;
	domid_t *doms;
	size_t n;
	int r = no_options(argc, argv, cmd);

	if (r >= 0)
		return r;
	k = open_ctl(cmd);
	if (!k)
		return 1;
	if (lookup_all(k, argc, argv, &doms, &n, cmd)) {
		keel_ctl_close(k);
		return 1;
	}
	r = print(k, stdout, doms, n);
	free(doms);
	if (r)
		return fail_ctl(k, cmd);
	keel_ctl_close(k);
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	bool json = false;
	struct keel_ctl *k;
	domid_t *doms;
	size_t n;
	int opt, r;

	optind = 1;
	while ((opt = getopt(argc, argv, "+lh")) != -1) {
		if (opt == 'l') {
			json = true;
		} else {
			sub_usage(opt == 'h' ? stdout : stderr, find("list"));
			return opt == 'h' ? 0 : 1;
		}
	}
	k = open_ctl("list");
	if (!k)
		return 1;
	if (lookup_all(k, argc, argv, &doms, &n, "list")) {
		keel_ctl_close(k);
		return 1;
	}
	r = keel_print_list(k, stdout, json, doms, n);
	free(doms);
	if (r)
		return fail_ctl(k, "list");
	keel_ctl_close(k);
	return 0;
}

/* Commands of the form "keel CMD DOMAIN" acting on one domain. */
static int one_domain(int argc, char **argv, const char *cmd,
		      int (*act)(struct keel_ctl *k, domid_t dom))
{
	struct keel_ctl *k;
	domid_t dom;
	int r = no_options(argc, argv, cmd);

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 1, cmd))
		return 1;
	k = open_ctl(cmd);
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) || act(k, dom))
		return fail_ctl(k, cmd);
	keel_ctl_close(k);
	return 0;
}

static int act_destroy(struct keel_ctl *k, domid_t dom)
{
	return keel_domain_destroy(k, dom);
}

static int act_reboot(struct keel_ctl *k, domid_t dom)
{
	return keel_domain_shutdown(k, dom, "reboot");
}

static int act_pause(struct keel_ctl *k, domid_t dom)
{
	return keel_domain_pause(k, dom, true);
}

static int act_unpause(struct keel_ctl *k, domid_t dom)
{
	return keel_domain_pause(k, dom, false);
}

static int cmd_destroy(int argc, char **argv)
{
	return one_domain(argc, argv, "destroy", act_destroy);
}

static int cmd_reboot(int argc, char **argv)
{
	return one_domain(argc, argv, "reboot", act_reboot);
}

static int cmd_pause(int argc, char **argv)
{
	return one_domain(argc, argv, "pause", act_pause);
}

static int cmd_unpause(int argc, char **argv)
{
	return one_domain(argc, argv, "unpause", act_unpause);
}

static int cmd_shutdown(int argc, char **argv)
{
	struct xen_domctl_getdomaininfo info;
	struct keel_ctl *k;
	bool wait = false;
	domid_t dom;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "+wh")) != -1) {
		if (opt == 'w') {
			wait = true;
		} else {
			sub_usage(opt == 'h' ? stdout : stderr, find("shutdown"));
			return opt == 'h' ? 0 : 1;
		}
	}
	if (!want_args(argc, argv, 1, "shutdown"))
		return 1;
	k = open_ctl("shutdown");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) ||
	    keel_domain_shutdown(k, dom, "poweroff"))
		return fail_ctl(k, "shutdown");
	if (wait) {
		fprintf(stderr, "Waiting for domain %u to shut down\n", dom);
		/* Gone (destroyed by its on_poweroff) or kept shut down. */
		while (!keel_domain_info(k, dom, &info) &&
		       !(info.flags & XEN_DOMINF_shutdown)) {
			struct timespec ts = { 0, 200 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		fprintf(stderr, "Domain %u has shut down\n", dom);
	}
	keel_ctl_close(k);
	return 0;
}

static int cmd_console(int argc, char **argv)
{
	struct keel_ctl *k;
	domid_t dom;
	char *name = NULL;
	int r = no_options(argc, argv, "console");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 1, "console"))
		return 1;
	k = open_ctl("console");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom))
		return fail_ctl(k, "console");
	keel_domain_name(k, dom, &name);
	keel_ctl_close(k);
	r = keel_console_attach(dom, name ? name : argv[optind]);
	free(name);
	return r ? 1 : 0;
}

static int print_info(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n)
{
	(void)doms;
	(void)n;
	return keel_print_info(k, f);
}

static int cmd_info(int argc, char **argv)
{
	int r = no_options(argc, argv, "info");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 0, "info"))
		return 1;
	return list_like(argc, argv, "info", print_info);
}

static int cmd_dmesg(int argc, char **argv)
{
	struct keel_ctl *k;
	bool clear = false;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "+ch")) != -1) {
		if (opt == 'c') {
			clear = true;
		} else {
			sub_usage(opt == 'h' ? stdout : stderr, find("dmesg"));
			return opt == 'h' ? 0 : 1;
		}
	}
	if (!want_args(argc, argv, 0, "dmesg"))
		return 1;
	k = open_ctl("dmesg");
	if (!k)
		return 1;
	if (keel_readconsole(k, clear, stdout))
		return fail_ctl(k, "dmesg");
	keel_ctl_close(k);
	return 0;
}

static int cmd_domid(int argc, char **argv)
{
	struct keel_ctl *k;
	domid_t dom;
	int r = no_options(argc, argv, "domid");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 1, "domid"))
		return 1;
	k = open_ctl("domid");
	if (!k)
		return 1;
	if (!strcmp(argv[optind], "Domain-0")) {
		dom = 0;
	} else if (keel_store_find_name(k, argv[optind], &dom)) {
		fprintf(stderr, "keel domid: no domain is named '%s': see 'keel list'\n",
			argv[optind]);
		keel_ctl_close(k);
		return 1;
	}
	printf("%u\n", dom);
	keel_ctl_close(k);
	return 0;
}

static int cmd_domname(int argc, char **argv)
{
	struct keel_ctl *k;
	domid_t dom;
	char *name = NULL;
	int r = no_options(argc, argv, "domname");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 1, "domname"))
		return 1;
	k = open_ctl("domname");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom))
		return fail_ctl(k, "domname");
	if (keel_domain_name(k, dom, &name)) {
		fprintf(stderr, "keel domname: domain %u has no name in the store\n", dom);
		keel_ctl_close(k);
		return 1;
	}
	printf("%s\n", name);
	free(name);
	keel_ctl_close(k);
	return 0;
}

static int cmd_rename(int argc, char **argv)
{
	struct keel_ctl *k;
	domid_t dom;
	int r = no_options(argc, argv, "rename");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 2, "rename"))
		return 1;
	k = open_ctl("rename");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) ||
	    keel_domain_rename(k, dom, argv[optind + 1]))
		return fail_ctl(k, "rename");
	keel_ctl_close(k);
	return 0;
}

static int cmd_uptime(int argc, char **argv)
{
	return list_like(argc, argv, "uptime", keel_print_uptime);
}

static int cmd_vcpu_list(int argc, char **argv)
{
	return list_like(argc, argv, "vcpu-list", keel_print_vcpu_list);
}

static int cmd_vcpu_pin(int argc, char **argv)
{
	struct xen_domctl_getdomaininfo info;
	struct keel_where w = { "<command line>", 0, "CPUS" };
	struct keel_cpumap map;
	struct keel_diags d;
	struct keel_ctl *k;
	unsigned first = 0, last;
	bool all;
	domid_t dom;
	char *end;
	int r = no_options(argc, argv, "vcpu-pin");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 3, "vcpu-pin"))
		return 1;
	keel_diags_init(&d);
	if (keel_cpumap_parse(argv[optind + 2], &map, &all, &d, &w)) {
		keel_diags_print(&d, stderr, "keel vcpu-pin");
		keel_diags_free(&d);
		return 1;
	}
	keel_diags_free(&d);
	k = open_ctl("vcpu-pin");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) || keel_domain_info(k, dom, &info))
		return fail_ctl(k, "vcpu-pin");
	last = info.max_vcpu_id;
	if (strcmp(argv[optind + 1], "all")) {
		first = strtoul(argv[optind + 1], &end, 10);
		if (*end || !*argv[optind + 1] || first > info.max_vcpu_id) {
			fprintf(stderr, "keel vcpu-pin: '%s' is not a vCPU of domain %u (0-%u or all)\n",
				argv[optind + 1], dom, info.max_vcpu_id);
			keel_ctl_close(k);
			return 1;
		}
		last = first;
	}
	for (unsigned v = first; v <= last; v++)
		if (keel_vcpu_pin(k, dom, v, &map))
			return fail_ctl(k, "vcpu-pin");
	keel_ctl_close(k);
	return 0;
}

static int cmd_vcpu_set(int argc, char **argv)
{
	struct keel_ctl *k;
	domid_t dom;
	unsigned long n;
	char *end;
	int r = no_options(argc, argv, "vcpu-set");

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 2, "vcpu-set"))
		return 1;
	n = strtoul(argv[optind + 1], &end, 10);
	if (*end || !*argv[optind + 1]) {
		fprintf(stderr, "keel vcpu-set: expected a vCPU count, got \"%s\"\n",
			argv[optind + 1]);
		return 1;
	}
	k = open_ctl("vcpu-set");
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) || keel_domain_set_vcpus(k, dom, n))
		return fail_ctl(k, "vcpu-set");
	keel_ctl_close(k);
	return 0;
}

static int mem_cmd(int argc, char **argv, const char *cmd, bool max)
{
	struct keel_ctl *k;
	uint64_t kib;
	domid_t dom;
	int r = no_options(argc, argv, cmd);

	if (r >= 0)
		return r;
	if (!want_args(argc, argv, 2, cmd))
		return 1;
	if (parse_mem_kib(argv[optind + 1], &kib)) {
		fprintf(stderr, "keel %s: invalid memory size \"%s\": give a number with an optional b, k, m, g or t suffix (MiB by default)\n",
			cmd, argv[optind + 1]);
		return 1;
	}
	k = open_ctl(cmd);
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) ||
	    (max ? keel_domain_set_memmax(k, dom, kib) : keel_domain_set_memtarget(k, dom, kib)))
		return fail_ctl(k, cmd);
	keel_ctl_close(k);
	return 0;
}

static int cmd_mem_set(int argc, char **argv)
{
	return mem_cmd(argc, argv, "mem-set", false);
}

static int cmd_mem_max(int argc, char **argv)
{
	return mem_cmd(argc, argv, "mem-max", true);
}

static int cmd_sched_credit(int argc, char **argv)
{
	struct xen_domctl_getdomaininfo *v = NULL;
	struct xen_domctl_sched_credit cr;
	const char *dname = NULL;
	long weight = -1, cap = -1;
	struct keel_ctl *k;
	unsigned count = 0;
	domid_t dom;
	char *end;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "+d:w:c:h")) != -1) {
		switch (opt) {
		case 'd':
			dname = optarg;
			break;
		case 'w':
		case 'c':
			errno = 0;
			*(opt == 'w' ? &weight : &cap) = strtol(optarg, &end, 10);
			if (errno || *end || !*optarg ||
			    (opt == 'w' ? weight < 1 || weight > 65535 : cap < 0 || cap > 65535)) {
				fprintf(stderr, "keel sched-credit: -%c: expected %s, got \"%s\"\n",
					opt, opt == 'w' ? "a weight from 1 to 65535" :
							  "a cap in percent of one CPU (0 = none)",
					optarg);
				return 1;
			}
			break;
		default:
			sub_usage(opt == 'h' ? stdout : stderr, find("sched-credit"));
			return opt == 'h' ? 0 : 1;
		}
	}
	if ((weight >= 0 || cap >= 0) && !dname) {
		fputs("keel sched-credit: -w and -c need -d DOMAIN\n", stderr);
		return 1;
	}
	k = open_ctl("sched-credit");
	if (!k)
		return 1;
	if (dname) {
		if (keel_domain_lookup(k, dname, &dom))
			return fail_ctl(k, "sched-credit");
		if (weight >= 0 || cap >= 0) {
			if (keel_sched_credit(k, dom, false, &cr))
				return fail_ctl(k, "sched-credit");
			if (weight >= 0)
				cr.weight = weight;
			if (cap >= 0)
				cr.cap = cap;
			if (keel_sched_credit(k, dom, true, &cr))
				return fail_ctl(k, "sched-credit");
			keel_ctl_close(k);
			return 0;
		}
	} else if (keel_domain_list(k, &v, &count)) {
		return fail_ctl(k, "sched-credit");
	}
	printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
	for (unsigned i = 0; i < (dname ? 1 : count); i++) {
		domid_t d = dname ? dom : v[i].domain;
		char *name = NULL;

		if (keel_sched_credit(k, d, false, &cr)) {
			free(v);
			return fail_ctl(k, "sched-credit");
		}
		keel_domain_name(k, d, &name);
		printf("%-33s %4u %6u %4u\n", name ? name : "(null)", d, cr.weight, cr.cap);
		free(name);
	}
	free(v);
	keel_ctl_close(k);
	return 0;
}

/* The arguments from optind on, joined with ',' (xl's multistring specs). */
static char *join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	char *s;

	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = from; i < argc; i++) {
		if (i > from)
			strcat(s, ",");
		strcat(s, argv[i]);
	}
	return s;
}

static int device_attach(int argc, char **argv, const char *cmd, bool disk)
{
	struct keel_where w = { NULL, 0, NULL };
	struct keel_diags d;
	struct keel_disk dk;
	struct keel_vif vif;
	struct keel_ctl *k;
	domid_t dom;
	char *spec;
	int r = no_options(argc, argv, cmd), ret;

	if (r >= 0)
		return r;
	if (argc - optind < (disk ? 2 : 1)) {
		fprintf(stderr, "keel %s: expected %s\n", cmd,
			disk ? "a domain and a disk spec" : "a domain");
		sub_usage(stderr, find(cmd));
		return 1;
	}
	spec = join_args(argc, argv, optind + 1);
	if (!spec) {
		fprintf(stderr, "keel %s: out of memory\n", cmd);
		return 1;
	}
	/* The spec first: its mistakes need no hypervisor. */
	keel_diags_init(&d);
	ret = disk ? keel_disk_parse(spec, &dk, &d, &w) : keel_vif_parse(spec, &vif, &d, &w);
	keel_diags_print(&d, stderr, strcmp(cmd, "block-attach") ? "keel network-attach" :
								   "keel block-attach");
	keel_diags_free(&d);
	free(spec);
	if (ret)
		return 1;
	r = 1;
	k = open_ctl(cmd);
	if (!k)
		goto out;
	if (keel_domain_lookup(k, argv[optind], &dom) ||
	    (disk ? keel_disk_attach(k, dom, &dk) : keel_vif_attach(k, dom, &vif))) {
		fail_ctl(k, cmd);
		goto out;
	}
	keel_ctl_close(k);
	r = 0;
out:
	if (disk)
		keel_disk_free(&dk);
	else
		keel_vif_free(&vif);
	return r;
}

static int cmd_block_attach(int argc, char **argv)
{
	return device_attach(argc, argv, "block-attach", true);
}

static int cmd_network_attach(int argc, char **argv)
{
	return device_attach(argc, argv, "network-attach", false);
}

static int device_detach(int argc, char **argv, const char *cmd, bool disk)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct keel_detach_opts o = { false, KEEL_DETACH_TIMEOUT_MS };
	struct keel_ctl *k;
	unsigned long secs;
	domid_t dom;
	char *end;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+ft:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o.force = true;
			break;
		case 't':
			errno = 0;
			secs = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || !isdigit((unsigned char)*optarg) ||
			    secs > 3600) {
				fprintf(stderr, "keel %s: -t: expected seconds from 0 to 3600, got \"%s\"\n",
					cmd, optarg);
				return 1;
			}
			o.timeout_ms = secs * 1000;
			break;
		case 'h':
			sub_usage(stdout, find(cmd));
			return 0;
		default:
			sub_usage(stderr, find(cmd));
			return 1;
		}
	}
	if (!want_args(argc, argv, 2, cmd))
		return 1;
	k = open_ctl(cmd);
	if (!k)
		return 1;
	if (keel_domain_lookup(k, argv[optind], &dom) ||
	    (disk ? keel_disk_detach(k, dom, argv[optind + 1], &o) :
		    keel_vif_detach(k, dom, argv[optind + 1], &o)))
		return fail_ctl(k, cmd);
	keel_ctl_close(k);
	return 0;
}

static int cmd_block_detach(int argc, char **argv)
{
	return device_detach(argc, argv, "block-detach", true);
}

static int cmd_network_detach(int argc, char **argv)
{
	return device_detach(argc, argv, "network-detach", false);
}

static int device_list(int argc, char **argv, const char *cmd, printer print)
{
	int r = no_options(argc, argv, cmd);

	if (r >= 0)
		return r;
	if (argc - optind < 1) {
		fprintf(stderr, "keel %s: expected at least 1 domain, got 0\n", cmd);
		sub_usage(stderr, find(cmd));
		return 1;
	}
	return list_like(argc, argv, cmd, print);
}

static int cmd_block_list(int argc, char **argv)
{
	return device_list(argc, argv, "block-list", keel_print_block_list);
}

static int cmd_network_list(int argc, char **argv)
{
	return device_list(argc, argv, "network-list", keel_print_network_list);
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
	return s->fn(argc - 1, argv + 1);
}
