// SPDX-License-Identifier: GPL-2.0-only
/* xl.cfg parsing: the grammar, every class of error with its exact message,
 * key semantics (defaults, cmdline folding) and command-line overrides. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "helpers.h"

#define MINIMAL "name = \"g\"\nkernel = \"/k\"\n"

static void test_full_config(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		"# a comment line\n"
		"name = 'web-1'   # trailing comment\n"
		"type=\"pvh\"; memory = 0x200; maxmem = 1024\n"
		"vcpus = 2\n"
		"maxvcpus = 4\n"
		"cpus = \"0-3,^1\"\n"
		"uuid = \"6ba7b810-9dad-11d1-80b4-00c04fd430c8\"\n"
		"kernel = \"/boot/vmlinuz\"\n"
		"ramdisk = \"/boot/initrd.img\"\n"
		"cmdline = \"console=hvc0 \\\"quoted\\\"\\tend\"\n"
		"on_poweroff = 'preserve'\n"
		"on_reboot = \"rename-restart\"\n"
		"on_crash = \"coredump-restart\"\n"
		"disk = [\n"
		"    'phy:/dev/vg/web,xvda,w',   # root\n"
		"    'format=raw, vdev=xvdb, access=ro, target=/srv/data,1.img',\n"
		"]\n"
		"vif = [ 'mac=00:16:3e:01:02:03,bridge=br1', '' ]\n",
		NULL);

	expect_clean(p);
	assert_string_equal(p->c.name, "web-1");
	assert_int_equal(p->c.memory_mib, 512);
	assert_int_equal(p->c.maxmem_mib, 1024);
	assert_int_equal(p->c.vcpus, 2);
	assert_int_equal(p->c.maxvcpus, 4);
	assert_int_equal(p->c.cpus.mode, KEEL_CPUS_SAME);
	assert_int_equal(keel_cpumap_weight(&p->c.cpus.same), 3);
	assert_false(keel_cpumap_test(&p->c.cpus.same, 1));
	assert_true(p->c.uuid_set);
	char uuid[37];
	uuid_unparse_lower(p->c.uuid, uuid);
	assert_string_equal(uuid, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
	assert_string_equal(p->c.kernel, "/boot/vmlinuz");
	assert_string_equal(p->c.ramdisk, "/boot/initrd.img");
	assert_string_equal(p->c.cmdline, "console=hvc0 \"quoted\"\tend");
	assert_int_equal(p->c.on_poweroff, KEEL_ACTION_PRESERVE);
	assert_int_equal(p->c.on_reboot, KEEL_ACTION_RENAME_RESTART);
	assert_int_equal(p->c.on_crash, KEEL_ACTION_COREDUMP_RESTART);
	assert_int_equal(p->c.nr_disks, 2);
	assert_string_equal(p->c.disks[0].target, "/dev/vg/web");
	assert_string_equal(p->c.disks[0].backendtype, "phy");
	assert_false(p->c.disks[0].readonly);
	assert_string_equal(p->c.disks[1].target, "/srv/data,1.img");
	assert_string_equal(p->c.disks[1].vdev, "xvdb");
	assert_true(p->c.disks[1].readonly);
	assert_int_equal(p->c.nr_vifs, 2);
	assert_true(p->c.vifs[0].mac_set);
	assert_string_equal(p->c.vifs[0].bridge, "br1");
	assert_false(p->c.vifs[1].mac_set);
	assert_string_equal(p->c.vifs[1].bridge, KEEL_DEFAULT_BRIDGE);
	assert_int_equal(p->c.vifs[1].devid, 1);
	parsed_free(p);
}

/* vif devids: given ones kept, the others the lowest left free, in order. */
static void test_vif_devids(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "vif = [ 'bridge=a', 'devid=0,bridge=b', 'bridge=c', 'devid=5' ]\n", NULL);

	expect_clean(p);
	assert_int_equal(p->c.vifs[0].devid, 1);
	assert_int_equal(p->c.vifs[1].devid, 0);
	assert_int_equal(p->c.vifs[2].devid, 2);
	assert_int_equal(p->c.vifs[3].devid, 5);
	parsed_free(p);
}

/* Lists: trailing commas, nesting, one line or many, ';' separators. */
static void test_lists(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "vcpus=2;vif = [ 'bridge=br0', ]; disk = [];cpus=[\n\n\"1\",\n# c\n\"2\"\n,\n]\n",
		NULL);

	expect_clean(p);
	assert_int_equal(p->c.nr_vifs, 1);
	assert_int_equal(p->c.nr_disks, 0);
	assert_int_equal(p->c.cpus.nr_per_vcpu, 2);
	assert_true(keel_cpumap_test(&p->c.cpus.per_vcpu[1], 2));
	parsed_free(p);

	/* CRLF line ends and a UTF-8 byte-order mark are harmless. */
	p = parse_cfg("g.cfg", "\xef\xbb\xbfname = \"g\"\r\nkernel = '/k'\r\n", NULL);
	expect_clean(p);
	assert_string_equal(p->c.kernel, "/k");
	parsed_free(p);

	p = parse_cfg("g.cfg", MINIMAL "vif = [ [ 'bridge=br0' ] ]\n", NULL);
	expect_error(p, "g.cfg:3: vif[0]: expected a spec string, got a list");
	parsed_free(p);
}

static void test_defaults(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg", MINIMAL, NULL);

	expect_clean(p);
	assert_int_equal(p->c.memory_mib, KEEL_DEFAULT_MEMORY_MIB);
	assert_int_equal(p->c.maxmem_mib, KEEL_DEFAULT_MEMORY_MIB);
	assert_int_equal(p->c.vcpus, 1);
	assert_int_equal(p->c.maxvcpus, 1);
	assert_int_equal(p->c.cpus.mode, KEEL_CPUS_ANY);
	assert_false(p->c.uuid_set);
	assert_null(p->c.cmdline);
	assert_int_equal(p->c.on_poweroff, KEEL_ACTION_DESTROY);
	assert_int_equal(p->c.on_reboot, KEEL_ACTION_RESTART);
	assert_int_equal(p->c.on_crash, KEEL_ACTION_DESTROY);
	assert_int_equal(p->c.nr_disks, 0);
	assert_int_equal(p->c.nr_vifs, 0);
	parsed_free(p);

	/* maxmem defaults to memory, maxvcpus to vcpus. */
	p = parse_cfg("g.cfg", MINIMAL "memory = 768\nvcpus = 3\n", NULL);
	expect_clean(p);
	assert_int_equal(p->c.maxmem_mib, 768);
	assert_int_equal(p->c.maxvcpus, 3);
	parsed_free(p);
}

/* Each syntax error class, with the message a user sees. */
static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ MINIMAL "extra = \"console=hvc0\n", "g.cfg:3: unterminated string" },
		{ MINIMAL "extra = 'abc\\", "g.cfg:3: unterminated string" },
		{ MINIMAL "disk = [ 'a,xvda',\n 'b,xvdb'\n",
		  "g.cfg:3: disk: unterminated list: the '[' on this line has no matching ']'" },
		{ "name \"g\"\n",
		  "g.cfg:1: name: expected '=' after the key, got the string \"g\"" },
		{ MINIMAL "memory = lots\n",
		  "g.cfg:3: memory: unquoted value 'lots': put strings in quotes, e.g. \"...\"" },
		{ MINIMAL "memory =\n",
		  "g.cfg:3: memory: expected a value (a \"string\", a number or a [list]), got the end of the line" },
		{ MINIMAL "memory = 512 vcpus = 2\n",
		  "g.cfg:3: memory: unexpected 'vcpus' after the value: end the setting with a newline or ';'" },
		{ MINIMAL "disk = [ 'a' 'b' ]\n",
		  "g.cfg:3: disk: expected ',' or ']' in the list, got the string \"b\"" },
		{ MINIMAL "disk = [ 'a',, 'b' ]\n",
		  "g.cfg:3: disk: expected a value (a \"string\", a number or a [list]), got ','" },
		{ MINIMAL "= 5\n", "g.cfg:3: expected a setting (key = value), got '='" },
		{ MINIMAL "9lives = 5\n", "g.cfg:3: expected a setting (key = value), got '9lives'" },
		{ MINIMAL "extra = \"a\\qb\"\n",
		  "g.cfg:3: unknown escape sequence '\\q' in string: write \\\\ for a backslash" },
		{ MINIMAL "extra = \"\\x4\"\n", "g.cfg:3: \\x in a string needs two hex digits" },
		{ MINIMAL "memory @ 5\n", "g.cfg:3: unexpected character '@'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed *p = parse_cfg("g.cfg", cases[i].text, NULL);

		expect_error(p, cases[i].msg);
		parsed_free(p);
	}
}

/* Each semantic error class, with its exact message. */
static void test_value_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ "name = \"g\"\nkernel = \"/k\"\n\n\n\n\nmemory = \"lots\"\n",
		  "g.cfg:7: memory: expected a number, got \"lots\"" },
		{ MINIMAL "memory = -5\n", "g.cfg:3: memory: expected a number, got \"-5\"" },
		{ MINIMAL "memory = 512M\n", "g.cfg:3: memory: expected a number, got \"512M\"" },
		{ MINIMAL "memory = 0\n", "g.cfg:3: memory: 0 MiB: a domain needs memory" },
		{ MINIMAL "memory = [ 1 ]\n", "g.cfg:3: memory: expected a number, got a list" },
		{ MINIMAL "memory = 99999999999999999999999\n",
		  "g.cfg:3: memory: number 99999999999999999999999 is too large" },
		{ MINIMAL "memory = 512\nmaxmem = 256\n",
		  "g.cfg:4: maxmem: 256 MiB is less than memory (512 MiB): the maximum must be at least the initial memory" },
		{ MINIMAL "vcpus = 0\n",
		  "g.cfg:3: vcpus: 0 is out of range: a domain has between 1 and 128 vCPUs" },
		{ MINIMAL "vcpus = 129\n",
		  "g.cfg:3: vcpus: 129 is out of range: a domain has between 1 and 128 vCPUs" },
		{ MINIMAL "vcpus = 4\nmaxvcpus = 2\n",
		  "g.cfg:4: maxvcpus: 2 is less than vcpus (4): the maximum must be at least the number of vCPUs started" },
		{ MINIMAL "type = \"pv\"\n",
		  "g.cfg:3: type: \"pv\" guests are not supported by Keel: Keel runs PVH guests only; use type=\"pvh\" (a stock Linux kernel boots as PVH)" },
		{ MINIMAL "type = \"hvm\"\n",
		  "g.cfg:3: type: \"hvm\" guests are not supported by Keel: Keel runs PVH guests only; use type=\"pvh\" (a stock Linux kernel boots as PVH)" },
		{ MINIMAL "type = \"pvhh\"\n", "g.cfg:3: type: unknown guest type \"pvhh\": use type=\"pvh\"" },
		{ MINIMAL "builder = \"hvm\"\n",
		  "g.cfg:3: builder: builder=\"hvm\" selects a HVM guest, which Keel does not support: remove builder= and use type=\"pvh\"" },
		{ MINIMAL "on_crash = \"explode\"\n",
		  "g.cfg:3: on_crash: unknown action \"explode\": use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart" },
		{ MINIMAL "uuid = \"1234\"\n",
		  "g.cfg:3: uuid: \"1234\" is not a UUID: expected the form 01234567-89ab-cdef-0123-456789abcdef" },
		{ MINIMAL "uuid = \"00000000-0000-0000-0000-000000000000\"\n",
		  "g.cfg:3: uuid: the nil UUID cannot name a domain: remove uuid= to have one generated" },
		{ "kernel = \"/k\"\nname = \"42\"\n",
		  "g.cfg:2: name: \"42\" is a number and would be mistaken for a domain id: use a name with a letter in it" },
		{ "kernel = \"/k\"\nname = \"a b\"\n",
		  "g.cfg:2: name: \"a b\" contains ' ': a domain name may use only letters, digits, '-', '_' and '.'" },
		{ "kernel = \"/k\"\nname = \"Domain-0\"\n",
		  "g.cfg:2: name: \"Domain-0\" is the name of dom0: choose another name" },
		{ "kernel = \"/k\"\nname = \"\"\n", "g.cfg:2: name: the domain name is empty" },
		{ "name = \"g\"\nkernel = \"\"\n", "g.cfg:2: kernel: the path is empty" },
		{ "name = \"g\"\n",
		  "g.cfg: kernel: no kernel given: add kernel=\"/path/to/vmlinuz\" (Keel boots PVH guests from a kernel image)" },
		{ "kernel = \"/k\"\n", "g.cfg: name: no domain name given: add name=\"NAME\"" },
		{ MINIMAL "kernel = [ \"/k\" ]\n", "g.cfg:3: kernel: expected a string, got a list" },
		{ MINIMAL "cpus = \"0-x\"\n",
		  "g.cfg:3: cpus: invalid CPU list \"0-x\" at \"0-x\": expected CPU numbers and ranges such as \"0-3,5,^1\", or \"all\"" },
		{ MINIMAL "disk = [ 'file:/a.img,xvda,w',\n\n  'file:/b.img,xvd1,w' ]\n",
		  "g.cfg:5: disk[1]: invalid vdev 'xvd1': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ MINIMAL "disk = [ 'file:/a.img,xvda,w', 'file:/b.img,xvda,r' ]\n",
		  "g.cfg:3: disk[1]: vdev 'xvda' is already used by disk[0]: give each disk its own vdev" },
		{ MINIMAL "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:01' ]\n",
		  "g.cfg:3: vif[1]: MAC 00:16:3e:00:00:01 is already used by vif[0]: give each interface its own MAC" },
		{ MINIMAL "vif = [ 'devid=2', 'bridge=br1,devid=2' ]\n",
		  "g.cfg:3: vif[1]: devid 2 is already used by vif[0]: give each interface its own devid" },
		{ MINIMAL "vif = [ 'mac=01:16:3e:00:00:01' ]\n",
		  "g.cfg:3: vif[0]: invalid mac '01:16:3e:00:00:01': it is a multicast address (lowest bit of the first byte set): an interface needs a unicast MAC" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed *p = parse_cfg("g.cfg", cases[i].text, NULL);

		expect_error(p, cases[i].msg);
		parsed_free(p);
	}
}

static void test_all_errors_reported(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		"name = \"g\"\nmemory = \"lots\"\nvcpus = 0\n", NULL);

	assert_int_equal(p->ret, -1);
	expect_diag(&p->d, KEEL_DIAG_ERROR,
		    "g.cfg:2: memory: expected a number, got \"lots\"");
	expect_diag(&p->d, KEEL_DIAG_ERROR,
		    "g.cfg:3: vcpus: 0 is out of range: a domain has between 1 and 128 vCPUs");
	expect_diag(&p->d, KEEL_DIAG_ERROR,
		    "g.cfg: kernel: no kernel given: add kernel=\"/path/to/vmlinuz\" (Keel boots PVH guests from a kernel image)");
	parsed_free(p);
}

static void test_warnings(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "\nfoo = 1\npci = [ '01:00.0' ]\nmemory = 256\nmemory = 384\n",
		NULL);

	assert_int_equal(p->ret, 0);
	assert_int_equal(keel_diags_count(&p->d, KEEL_DIAG_ERROR), 0);
	assert_int_equal(keel_diags_count(&p->d, KEEL_DIAG_WARNING), 3);
	expect_diag(&p->d, KEEL_DIAG_WARNING, "g.cfg:4: unknown key 'foo' ignored");
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.cfg:5: 'pci' is an xl key that Keel does not support yet; ignored");
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.cfg:7: 'memory' is set again (first on line 6); the last value is used");
	assert_int_equal(p->c.memory_mib, 384);
	parsed_free(p);
}

static void test_cmdline_folding(void **state)
{
	static const struct {
		const char *extra_text;
		const char *cmdline;
	} cases[] = {
		{ "root = \"/dev/xvda1\"\nextra = \"console=hvc0\"\n",
		  "root=/dev/xvda1 console=hvc0" },
		{ "root = \"/dev/xvda1\"\n", "root=/dev/xvda1" },
		{ "extra = \"console=hvc0 quiet\"\n", "console=hvc0 quiet" },
		{ "cmdline = \"ro\"\n", "ro" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		assert_true(asprintf(&text, MINIMAL "%s", cases[i].extra_text) > 0);
		struct parsed *p = parse_cfg("g.cfg", text, NULL);

		expect_clean(p);
		assert_string_equal(p->c.cmdline, cases[i].cmdline);
		parsed_free(p);
		free(text);
	}

	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "cmdline = \"quiet\"\nroot = \"/dev/xvda1\"\n", NULL);
	assert_int_equal(p->ret, 0);
	assert_string_equal(p->c.cmdline, "quiet");
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.cfg:3: cmdline: cmdline= is set, so root= and extra= are ignored");
	parsed_free(p);
}

static void test_cpus_forms(void **state)
{
	(void)state;
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "vcpus = 2\ncpus = [ \"2\", \"3-5,^4\" ]\n", NULL);

	expect_clean(p);
	assert_int_equal(p->c.cpus.mode, KEEL_CPUS_PER_VCPU);
	assert_int_equal(p->c.cpus.nr_per_vcpu, 2);
	char *s = keel_cpumap_format(&p->c.cpus.per_vcpu[1]);
	assert_string_equal(s, "3,5");
	free(s);
	parsed_free(p);

	p = parse_cfg("g.cfg", MINIMAL "cpus = \"all\"\n", NULL);
	expect_clean(p);
	assert_int_equal(p->c.cpus.mode, KEEL_CPUS_ANY);
	parsed_free(p);

	p = parse_cfg("g.cfg", MINIMAL "cpus = [ \"1\", \"2\" ]\n", NULL);
	assert_int_equal(p->ret, 0);
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.cfg:3: cpus: 2 CPU lists for 1 vCPUs: the extra lists are ignored");
	assert_int_equal(p->c.cpus.nr_per_vcpu, 1);
	parsed_free(p);
}

static void test_overrides(void **state)
{
	(void)state;
	const char *const ov[] = { "memory=1024", "extra=console=hvc0 quiet",
				   "name=\"other\"",
				   "disk=['file:/x.img,xvdb,r']", NULL };
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "memory = 512\ndisk = [ 'file:/a.img,xvda,w' ]\n", ov);

	expect_clean(p);
	assert_int_equal(p->c.memory_mib, 1024);
	assert_string_equal(p->c.cmdline, "console=hvc0 quiet");
	assert_string_equal(p->c.name, "other");
	assert_int_equal(p->c.nr_disks, 1);
	assert_string_equal(p->c.disks[0].vdev, "xvdb");
	parsed_free(p);

	/* An overridden bad value is never looked at. */
	const char *const rescue[] = { "memory=64", NULL };
	p = parse_cfg("g.cfg", MINIMAL "memory = \"lots\"\n", rescue);
	expect_clean(p);
	assert_int_equal(p->c.memory_mib, 64);
	parsed_free(p);

	const char *const bad[] = { "vcpus=2", "memory=x", NULL };
	p = parse_cfg("g.cfg", MINIMAL, bad);
	expect_error(p, "<command line>:2: memory: expected a number, got \"x\"");
	parsed_free(p);

	const char *const unknown[] = { "colour=\"blue\"", NULL };
	p = parse_cfg("g.cfg", MINIMAL, unknown);
	assert_int_equal(p->ret, 0);
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "<command line>:1: unknown key 'colour' ignored");
	parsed_free(p);

	const char *const nokey[] = { "memory", NULL };
	p = parse_cfg("g.cfg", MINIMAL, nokey);
	expect_error(p, "<command line>:1: memory: expected '=' after the key, got the end of the file");
	parsed_free(p);
}

static void test_load_file(void **state)
{
	(void)state;
	struct keel_domain_config c;
	struct keel_diags d;
	char path[] = "/tmp/keelcfg-XXXXXX";
	int fd;

	keel_config_init(&c);
	keel_diags_init(&d);
	assert_int_equal(keel_config_load("/nonexistent/dir/guest.cfg", NULL, 0,
					  &c, &d), -1);
	assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
			    "/nonexistent/dir/guest.cfg: cannot open the config file: No such file or directory");
	keel_diags_free(&d);

	assert_int_equal(keel_config_load("/tmp", NULL, 0, &c, &d), -1);
	assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
			    "/tmp: cannot read the config file: Is a directory");
	keel_diags_free(&d);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = MINIMAL "memory=\"x\"\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(keel_config_load(path, NULL, 0, &c, &d), -1);
	char *want;
	assert_true(asprintf(&want, "%s:3: memory: expected a number, got \"x\"",
			     path) > 0);
	assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR), want);
	free(want);
	unlink(path);
	keel_diags_free(&d);
	keel_config_free(&c);
}

static void test_detect(void **state)
{
	(void)state;
	assert_int_equal(keel_config_detect("g.cfg", "  \n<domain/>", 10),
			 KEEL_FORMAT_XML);
	assert_int_equal(keel_config_detect("g", "name='x'", 8),
			 KEEL_FORMAT_XLCFG);
	assert_int_equal(keel_config_detect("g.XML", "", 0), KEEL_FORMAT_XML);
	assert_int_equal(keel_config_detect("g.cfg", "# <x>", 5),
			 KEEL_FORMAT_XLCFG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_cmdline_folding),
		cmocka_unit_test(test_cpus_forms),
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_vif_devids),
	};

	return cmocka_run_group_tests_name("xl.cfg parser", tests, NULL, NULL);
}
