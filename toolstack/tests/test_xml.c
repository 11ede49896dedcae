// SPDX-License-Identifier: GPL-2.0-only
/* libvirt-style XML parsing: units, vCPUs, devices, each error class with
 * its file:line message, and that the two example configs say the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "helpers.h"
#include "xmltree.h"

#define HEAD "<domain type='xen'>\n<name>g</name>\n"
#define OS "<os><type>xenpvh</type><kernel>/k</kernel></os>\n"
#define TAIL "</domain>\n"

static void test_full_domain(void **state)
{
	(void)state;
	struct parsed *p = parse_xml("g.xml",
		"<?xml version='1.0'?>\n"
		"<domain type='xen'>\n"
		"  <name>web-1</name>\n"
		"  <title>ignored quietly</title>\n"
		"  <uuid>6ba7b810-9dad-11d1-80b4-00c04fd430c8</uuid>\n"
		"  <memory unit='GiB'>1</memory>\n"
		"  <currentMemory>524288</currentMemory>\n"
		"  <vcpu placement='static' current='2' cpuset='0-3,^1'>4</vcpu>\n"
		"  <os>\n"
		"    <type arch='x86_64' machine='xenpvh'>xenpvh</type>\n"
		"    <kernel>/boot/vmlinuz</kernel>\n"
		"    <initrd>/boot/initrd.img</initrd>\n"
		"    <cmdline>root=/dev/xvda1 console=hvc0</cmdline>\n"
		"  </os>\n"
		"  <on_poweroff>preserve</on_poweroff>\n"
		"  <on_reboot>rename-restart</on_reboot>\n"
		"  <on_crash>coredump-destroy</on_crash>\n"
		"  <devices>\n"
		"    <disk type='block' device='disk'>\n"
		"      <source dev='/dev/vg/web'/>\n"
		"      <target dev='xvda' bus='xen'/>\n"
		"    </disk>\n"
		"    <disk type='file' device='cdrom'>\n"
		"      <driver name='qemu' type='raw'/>\n"
		"      <source file='/srv/debian.iso'/>\n"
		"      <target dev='xvdc'/>\n"
		"    </disk>\n"
		"    <disk type='file'>\n"
		"      <source file='/srv/data.img'/>\n"
		"      <target dev='xvdb'/>\n"
		"      <readonly/>\n"
		"    </disk>\n"
		"    <interface type='bridge'>\n"
		"      <mac address='00:16:3e:0a:0b:0c'/>\n"
		"      <source bridge='br1'/>\n"
		"      <target dev='vif-web'/>\n"
		"      <ip address='192.0.2.5'/>\n"
		"      <ip address='2001:db8::5' prefix='64'/>\n"
		"      <model type='netfront'/>\n"
		"    </interface>\n"
		"  </devices>\n"
		"</domain>\n",
		NULL);

	expect_clean(p);
	assert_string_equal(p->c.name, "web-1");
	assert_true(p->c.uuid_set);
	assert_int_equal(p->c.maxmem_mib, 1024);
	assert_int_equal(p->c.memory_mib, 512);
	assert_int_equal(p->c.maxvcpus, 4);
	assert_int_equal(p->c.vcpus, 2);
	assert_int_equal(p->c.cpus.mode, KEEL_CPUS_SAME);
	char *cpus = keel_cpumap_format(&p->c.cpus.same);
	assert_string_equal(cpus, "0,2-3");
	free(cpus);
	assert_string_equal(p->c.kernel, "/boot/vmlinuz");
	assert_string_equal(p->c.ramdisk, "/boot/initrd.img");
	assert_string_equal(p->c.cmdline, "root=/dev/xvda1 console=hvc0");
	assert_int_equal(p->c.on_poweroff, KEEL_ACTION_PRESERVE);
	assert_int_equal(p->c.on_reboot, KEEL_ACTION_RENAME_RESTART);
	assert_int_equal(p->c.on_crash, KEEL_ACTION_COREDUMP_DESTROY);
	assert_int_equal(p->c.nr_disks, 3);
	assert_string_equal(p->c.disks[0].target, "/dev/vg/web");
	assert_string_equal(p->c.disks[0].backendtype, "phy");
	assert_false(p->c.disks[0].readonly);
	assert_true(p->c.disks[1].cdrom);
	assert_true(p->c.disks[1].readonly);
	assert_string_equal(p->c.disks[1].backendtype, "qdisk");
	assert_true(p->c.disks[2].readonly);
	assert_null(p->c.disks[2].backendtype);
	assert_int_equal(p->c.nr_vifs, 1);
	char mac[18];
	keel_mac_format(p->c.vifs[0].mac, mac);
	assert_string_equal(mac, "00:16:3e:0a:0b:0c");
	assert_string_equal(p->c.vifs[0].bridge, "br1");
	assert_string_equal(p->c.vifs[0].vifname, "vif-web");
	assert_string_equal(p->c.vifs[0].ip, "192.0.2.5 2001:db8::5");
	assert_null(p->c.vifs[0].model);
	parsed_free(p);
}

/* libvirt calls PVH "xenpvh"; plain "pvh" is accepted too. */
static void test_os_type_pvh(void **state)
{
	(void)state;
	struct parsed *p = parse_xml("g.xml",
		HEAD "<os><type>pvh</type><kernel>/k</kernel></os>\n" TAIL, NULL);

	expect_clean(p);
	parsed_free(p);
}

static void test_memory_units(void **state)
{
	static const struct {
		const char *elem;
		unsigned long mib;
	} cases[] = {
		{ "<memory>262144</memory>", 256 },
		{ "<memory unit='KiB'>262144</memory>", 256 },
		{ "<memory unit='k'>262144</memory>", 256 },
		{ "<memory unit='MiB'>300</memory>", 300 },
		{ "<memory unit='M'>300</memory>", 300 },
		{ "<memory unit='GiB'>2</memory>", 2048 },
		{ "<memory unit='b'>1048576</memory>", 1 },
		{ "<memory unit='MB'>1048576</memory>", 1000000 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;

		assert_true(asprintf(&text, HEAD OS "%s\n" TAIL,
				     cases[i].elem) > 0);
		struct parsed *p = parse_xml("g.xml", text, NULL);

		expect_clean(p);
		/* currentMemory defaults to memory, as in libvirt. */
		assert_int_equal(p->c.maxmem_mib, cases[i].mib);
		assert_int_equal(p->c.memory_mib, cases[i].mib);
		parsed_free(p);
		free(text);
	}
}

static void test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *msg;
	} cases[] = {
		{ HEAD "<memory>lots</memory>\n" OS TAIL,
		  "g.xml:3: <memory>: expected a number, got \"lots\"" },
		{ HEAD "<memory unit='KiB'>1000</memory>\n" OS TAIL,
		  "g.xml:3: <memory>: 1000 KiB is not a whole number of MiB: Keel sizes guest memory in MiB" },
		{ HEAD "<memory unit='parsec'>1</memory>\n" OS TAIL,
		  "g.xml:3: <memory>: unknown unit 'parsec': use KiB, MiB or GiB" },
		{ HEAD "<memory unit='MiB'>256</memory>\n<currentMemory unit='MiB'>512</currentMemory>\n" OS TAIL,
		  "g.xml:3: <memory>: 256 MiB is less than <currentMemory> (512 MiB): the maximum must be at least the initial memory" },
		{ HEAD "<vcpu current='4'>2</vcpu>\n" OS TAIL,
		  "g.xml:3: <vcpu>: 2 is less than current (4): the maximum must be at least the number of vCPUs started" },
		{ HEAD "<vcpu>0</vcpu>\n" OS TAIL,
		  "g.xml:3: <vcpu>: 0 is out of range: a domain has between 1 and 128 vCPUs" },
		{ HEAD "<vcpu cpuset='nodes:0'>1</vcpu>\n" OS TAIL,
		  "g.xml:3: <vcpu cpuset>: \"nodes:0\": pinning to NUMA nodes is not supported by Keel: list CPUs instead, e.g. \"0-3\"" },
		{ HEAD "<os><type>linux</type><kernel>/k</kernel></os>\n" TAIL,
		  "g.xml:3: <os><type>: 'linux' is a Xen PV guest, which Keel does not support: Keel runs PVH guests only; use <type>xenpvh</type>" },
		{ HEAD "<os><type>hvm</type><kernel>/k</kernel></os>\n" TAIL,
		  "g.xml:3: <os><type>: 'hvm' guests are not supported by Keel: Keel runs PVH guests only; use <type>xenpvh</type>" },
		{ HEAD "<os><type>xenpvh</type></os>\n" TAIL,
		  "g.xml: <os><kernel>: no kernel given: add <kernel>/path/to/vmlinuz</kernel> inside <os> (Keel boots PVH guests from a kernel image)" },
		{ "<domain type='xen'>\n" OS TAIL,
		  "g.xml: <name>: no domain name given: add <name>NAME</name>" },
		{ "<domain type='kvm'>\n<name>g</name>\n" OS TAIL,
		  "g.xml:1: <domain>: domain type 'kvm' is not supported: use <domain type='xen'>" },
		{ "<guest>\n</guest>\n",
		  "g.xml:1: <guest>: the root element must be <domain type='xen'>" },
		{ HEAD OS "<on_crash>explode</on_crash>\n" TAIL,
		  "g.xml:4: <on_crash>: unknown action \"explode\": use destroy, restart, preserve, rename-restart, coredump-destroy or coredump-restart" },
		{ HEAD "<uuid>xyz</uuid>\n" OS TAIL,
		  "g.xml:3: <uuid>: \"xyz\" is not a UUID: expected the form 01234567-89ab-cdef-0123-456789abcdef" },
		{ HEAD OS "<devices>\n<disk type='file'>\n<source file='/a.img'/>\n</disk>\n</devices>\n" TAIL,
		  "g.xml:5: <disk> 0: no <target dev='...'/>: say which device the guest sees, e.g. xvda" },
		{ HEAD OS "<devices>\n<disk type='file'>\n<target dev='xvda'/>\n</disk>\n</devices>\n" TAIL,
		  "g.xml:5: <disk> 0: no <source file='...'/>: name the image file or block device" },
		{ HEAD OS "<devices>\n<disk type='file'>\n<driver type='qcow2'/><source file='/a'/><target dev='xvda'/>\n</disk>\n</devices>\n" TAIL,
		  "g.xml:5: <disk> 0: driver type 'qcow2' is not supported by Keel: its block backend serves raw images only" },
		{ HEAD OS "<devices>\n<disk type='network'>\n<source file='/a'/><target dev='xvda'/>\n</disk>\n</devices>\n" TAIL,
		  "g.xml:5: <disk> 0: type 'network' is not supported: use type='file' or type='block'" },
		{ HEAD OS "<devices>\n<disk type='file'>\n<source file='/a'/><target dev='vda'/>\n</disk>\n</devices>\n" TAIL,
		  "g.xml:5: <disk> 0: invalid target dev 'vda': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ HEAD OS "<devices>\n<interface type='network'>\n<source network='default'/>\n</interface>\n</devices>\n" TAIL,
		  "g.xml:5: <interface> 0: type 'network' is not supported: Keel attaches interfaces to a bridge: use <interface type='bridge'> with <source bridge='...'/>" },
		{ HEAD OS "<devices>\n<interface type='bridge'>\n</interface>\n</devices>\n" TAIL,
		  "g.xml:5: <interface> 0: no <source bridge='...'/>: name the bridge to attach the interface to" },
		{ HEAD OS "<devices>\n<interface type='bridge'>\n<source bridge='br0'/><mac address='00:16:3e:zz:00:00'/>\n</interface>\n</devices>\n" TAIL,
		  "g.xml:5: <interface> 0: invalid mac '00:16:3e:zz:00:00': expected six hex bytes separated by ':', e.g. 00:16:3e:12:34:56" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed *p = parse_xml("g.xml", cases[i].text, NULL);

		expect_error(p, cases[i].msg);
		parsed_free(p);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	struct parsed *p = parse_xml("g.xml",
		"<domain type='xen'>\n<name>g</nam>\n</domain>\n", NULL);

	expect_error(p, "g.xml:2: malformed XML: Opening and ending tag mismatch: name line 2 and nam");
	parsed_free(p);

	p = parse_xml("g.xml", "<domain type='xen'>\n<name>g</name>\n", NULL);
	expect_error(p, "g.xml:3: malformed XML: Premature end of data in tag domain line 1");
	parsed_free(p);

	p = parse_xml("empty.xml", "", NULL);
	expect_error(p, "empty.xml:1: malformed XML: Document is empty");
	parsed_free(p);
}

static void test_unknown_elements_warn(void **state)
{
	(void)state;
	struct parsed *p = parse_xml("g.xml",
		HEAD OS "<clock offset='utc'/>\n<devices>\n<console type='pty'/>\n</devices>\n" TAIL,
		NULL);

	assert_int_equal(p->ret, 0);
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.xml:4: <clock>: unknown element ignored");
	expect_diag(&p->d, KEEL_DIAG_WARNING,
		    "g.xml:6: <console>: unknown element ignored");
	parsed_free(p);
}

static void test_xml_overrides(void **state)
{
	(void)state;
	const char *const ov[] = { "memory=64", "vcpus=1", NULL };
	struct parsed *p = parse_xml("g.xml",
		HEAD OS "<memory unit='MiB'>128</memory>\n<vcpu>2</vcpu>\n" TAIL,
		ov);

	expect_clean(p);
	assert_int_equal(p->c.memory_mib, 64);
	assert_int_equal(p->c.maxmem_mib, 128);
	assert_int_equal(p->c.vcpus, 1);
	assert_int_equal(p->c.maxvcpus, 2);
	parsed_free(p);
}

/* What libxml2 makes of entities, character references, CDATA and a DTD's
 * default attribute reaches the config unchanged through keel-xml. */
static void test_through_helper(void **state)
{
	(void)state;
	struct parsed *p = parse_xml("g.xml",
		"<?xml version='1.0'?>\n"
		"<!DOCTYPE domain [<!ATTLIST domain type CDATA 'xen'>"
		"<!ENTITY k '/boot/vm'>]>\n"
		"<domain>\n<name>g</name><!-- a comment -->\n"
		"<os><type>xenpvh</type><kernel>&k;linuz</kernel>\n"
		"<cmdline>a\\b &amp; c&#10;d <![CDATA[<x>]]></cmdline></os>\n"
		"<devices><disk type='file'><source file='/img&#10;\\n'/>"
		"<target dev='xvda'/></disk></devices>\n"
		TAIL, NULL);

	expect_clean(p);
	assert_string_equal(p->c.kernel, "/boot/vmlinuz");
	assert_string_equal(p->c.cmdline, "a\\b & c\nd <x>");
	assert_int_equal(p->c.nr_disks, 1);
	assert_string_equal(p->c.disks[0].target, "/img\n\\n");
	parsed_free(p);
}

static void expect_garbled(const char *out, const char *msg)
{
	struct kx_doc doc;
	char err[256] = "";

	assert_int_equal(kx_parse_output(out, strlen(out), &doc, err, sizeof(err)), -1);
	assert_null(doc.root);
	assert_null(doc.error);
	if (strcmp(err, msg))
		fail_msg("for output \"%s\": got \"%s\", want \"%s\"", out, err, msg);
}

/* The reader of keel-xml's answer: the tree it builds, and refusals. */
static void test_helper_output(void **state)
{
	(void)state;
	const char *good = "keel-xml 1\nE 0 1 domain\nA type xen\nA x a\\\\b\\nc\nT t\n"
			   "E 1 2 name\nT g\nE 2 3 inner\nE 1 4 os\nE 1 5 on_crash\nZ\n";
	struct kx_doc doc;
	struct kx_node *r;
	char err[256] = "";

	assert_int_equal(kx_parse_output(good, strlen(good), &doc, err, sizeof(err)), 0);
	r = doc.root;
	assert_non_null(r);
	assert_string_equal(r->name, "domain");
	assert_int_equal(r->line, 1);
	assert_string_equal(kx_attr(r, "type"), "xen");
	assert_string_equal(kx_attr(r, "x"), "a\\b\nc");
	assert_null(kx_attr(r, "y"));
	assert_string_equal(r->content, "t");
	assert_string_equal(r->children->name, "name");
	assert_string_equal(r->children->content, "g");
	assert_string_equal(r->children->children->name, "inner");
	assert_int_equal(r->children->children->line, 3);
	assert_null(r->children->children->content);
	assert_string_equal(r->children->next->name, "os");
	assert_null(r->children->next->children);
	assert_string_equal(r->children->next->next->name, "on_crash");
	assert_null(r->children->next->next->next);
	kx_doc_free(&doc);

	good = "keel-xml 1\nX 7 bad \\\\ thing\\n\nZ\n";
	assert_int_equal(kx_parse_output(good, strlen(good), &doc, err, sizeof(err)), 0);
	assert_null(doc.root);
	assert_int_equal(doc.error_line, 7);
	assert_string_equal(doc.error, "bad \\ thing\n");
	kx_doc_free(&doc);

	expect_garbled("", "keel-xml's answer is cut short (0 lines)");
	expect_garbled("keel-xml 1\nE 0 1 domain\n", "keel-xml's answer is cut short (2 lines)");
	expect_garbled("keel-xml 1\nZ\n", "keel-xml's answer is cut short (2 lines)");
	expect_garbled("keel-xml 2\nE 0 1 domain\nZ\n", "keel-xml's answer is garbled (its line 1)");
	expect_garbled("keel-xml 1\nE 0 1 domain\nZ", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1 domain\nZ\nE 1 2 x\n", "keel-xml's answer is garbled (its line 4)");
	expect_garbled("keel-xml 1\nE 1 1 domain\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nE 0 1 a\nE 2 1 b\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1 a\nE 0 2 b\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nE 0 x a\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nE 0 99999999999999999999 a\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nA type xen\nE 0 1 a\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nE 0 1 a\nA type\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1 a\nT x\\q\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1 a\nT x\\\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nE 0 1 a\nT x\nT y\nZ\n", "keel-xml's answer is garbled (its line 4)");
	expect_garbled("keel-xml 1\nE 0 1 a\nX 1 late\nZ\n", "keel-xml's answer is garbled (its line 3)");
	expect_garbled("keel-xml 1\nX one bad\nZ\n", "keel-xml's answer is garbled (its line 2)");
	expect_garbled("keel-xml 1\nQ what\nZ\n", "keel-xml's answer is garbled (its line 2)");
}

/* A helper that is missing, fails, dies or answers nonsense is reported as
 * such, by name. */
static void test_helper_failures(void **state)
{
	(void)state;
	static const struct {
		const char *script, *msg;
	} cases[] = {
		{ NULL, "g.xml: cannot read XML configs: cannot run %s: No such file or directory: install keel-xml, keel's libxml2 helper, in keel's directory" },
		{ "echo 'F no memory'; exit 1", "g.xml: cannot read XML configs: %s: no memory" },
		{ "exit 127", "g.xml: cannot read XML configs: %s exited with status 127 (a library it needs is missing? it needs Debian's libxml2 package)" },
		{ "echo 'keel-xml 1'; exit 3", "g.xml: cannot read XML configs: %s exited with status 3" },
		{ "kill -9 $$", "g.xml: cannot read XML configs: %s was killed by signal 9" },
		{ "cat >/dev/null; echo 'keel-xml 1'; echo 'E 0 1 domain'", "g.xml: cannot read XML configs: keel-xml's answer is cut short (2 lines)" },
	};
	char *saved = getenv("KEEL_XML_HELPER") ? strdup(getenv("KEEL_XML_HELPER")) : NULL;
	char dir[] = "/tmp/keel-xml-test.XXXXXX", path[64], msg[512];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/keel-xml", dir);
	setenv("KEEL_XML_HELPER", path, 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parsed *p;

		unlink(path);
		if (cases[i].script) {
			FILE *f = fopen(path, "w");

			assert_non_null(f);
			fprintf(f, "#!/bin/sh\n%s\n", cases[i].script);
			fclose(f);
			assert_int_equal(chmod(path, 0755), 0);
		}
		p = parse_xml("g.xml", HEAD OS TAIL, NULL);
		snprintf(msg, sizeof(msg), cases[i].msg, path);
		expect_error(p, msg);
		parsed_free(p);
	}
	unlink(path);
	rmdir(dir);
	if (saved)
		setenv("KEEL_XML_HELPER", saved, 1);
	else
		unsetenv("KEEL_XML_HELPER");
	free(saved);
}

/* configs/examples/guest.cfg and guest.xml describe the same guest. */
static void test_examples_equivalent(void **state)
{
	(void)state;
	struct keel_domain_config cfg, xml;
	struct keel_diags d;
	uint64_t seed = 42;
	char *a, *b;

	keel_diags_init(&d);
	keel_config_init(&cfg);
	keel_config_init(&xml);
	assert_int_equal(keel_config_load(KEEL_SOURCE_DIR "/configs/examples/guest.cfg",
					  NULL, 0, &cfg, &d), 0);
	assert_int_equal(keel_config_load(KEEL_SOURCE_DIR "/configs/examples/guest.xml",
					  NULL, 0, &xml, &d), 0);
	assert_int_equal(d.n, 0);
	assert_false(cfg.from_xml);
	assert_true(xml.from_xml);

	/* Field by field first, so a failure says which one differs. */
	assert_string_equal(cfg.name, xml.name);
	assert_string_equal(cfg.kernel, "/var/lib/keel/vmlinuz");
	assert_string_equal(xml.kernel, "/var/lib/keel/vmlinuz");
	assert_string_equal(cfg.ramdisk, "/var/lib/keel/initrd.img");
	assert_string_equal(xml.ramdisk, cfg.ramdisk);
	assert_string_equal(xml.cmdline, cfg.cmdline);
	assert_int_equal(cfg.memory_mib, 512);
	assert_int_equal(xml.memory_mib, 512);
	assert_int_equal(cfg.maxmem_mib, xml.maxmem_mib);
	assert_int_equal(cfg.vcpus, 2);
	assert_int_equal(xml.vcpus, 2);
	assert_int_equal(cfg.nr_disks, 1);
	assert_int_equal(xml.nr_disks, 1);
	assert_string_equal(cfg.disks[0].target, "/var/lib/keel/g1.img");
	assert_string_equal(xml.disks[0].target, cfg.disks[0].target);
	assert_string_equal(xml.disks[0].vdev, "xvda");
	assert_false(xml.disks[0].readonly);
	assert_int_equal(cfg.nr_vifs, 1);
	assert_int_equal(xml.nr_vifs, 1);
	assert_string_equal(xml.vifs[0].bridge, "keelbr0");

	/* Then everything, through the JSON that carries every field. */
	keel_config_generate(&cfg, &seed);
	keel_config_generate(&xml, &seed);
	a = keel_config_json(&cfg);
	b = keel_config_json(&xml);
	assert_string_equal(a, b);
	free(a);
	free(b);
	keel_config_free(&cfg);
	keel_config_free(&xml);
	keel_diags_free(&d);
}

/* Each <disk>/<interface> and the xl spec that says the same: one device,
 * compared through the canonical spec that carries every field. */
static void test_devices_match_xl(void **state)
{
	static const struct {
		const char *xl, *xml;
	} disks[] = {
		{ "file:/srv/a.img,xvdb,w",
		  "<disk type='file' device='disk'><source file='/srv/a.img'/><target dev='xvdb'/></disk>" },
		{ "/srv/a.img,raw,xvdb,r",
		  "<disk type='file'><driver name='file' type='raw'/><source file='/srv/a.img'/><target dev='xvdb' bus='xen'/><readonly/></disk>" },
		{ "phy:/dev/vg/web,xvda,w",
		  "<disk type='block' device='disk'><source dev='/dev/vg/web'/><target dev='xvda'/></disk>" },
		{ "phy:sdb,xvdc,w",
		  "<disk type='block'><source dev='sdb'/><target dev='xvdc'/></disk>" },
		{ "/srv/d.iso,raw,hdc,ro,devtype=cdrom",
		  "<disk type='file' device='cdrom'><source file='/srv/d.iso'/><target dev='hdc'/></disk>" },
		{ "vdev=hdd,devtype=cdrom",
		  "<disk type='file' device='cdrom'><target dev='hdd'/><readonly/></disk>" },
		{ "tap:aio:/srv/t.img,xvde,w",
		  "<disk type='file'><driver name='tap' type='aio'/><source file='/srv/t.img'/><target dev='xvde'/></disk>" },
		{ "backendtype=qdisk,vdev=xvdf,target=/srv/q.img",
		  "<disk type='file'><driver name='qemu' type='raw'/><source file='/srv/q.img'/><target dev='xvdf'/></disk>" },
	};
	static const struct {
		const char *xl, *xml;
	} vifs[] = {
		{ "mac=00:16:3e:01:02:03,bridge=br1",
		  "<interface type='bridge'><mac address='00:16:3E:01:02:03'/><source bridge='br1'/></interface>" },
		{ "bridge=keelbr0,vifname=web0,ip=192.0.2.5 2001:db8::5",
		  "<interface type='bridge'><source bridge='keelbr0'/><target dev='web0'/><ip address='192.0.2.5'/><ip address='2001:db8::5' prefix='64'/><model type='netfront'/></interface>" },
		{ "bridge=br2,script=vif-bridge",
		  "<interface type='bridge'><source bridge='br2'/><script path='vif-bridge'/></interface>" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(disks) / sizeof(disks[0]); i++) {
		char *text, *a, *b;
		struct parsed *x, *c;

		assert_true(asprintf(&text, HEAD OS "<devices>%s</devices>" TAIL, disks[i].xml) > 0);
		x = parse_xml("g.xml", text, NULL);
		free(text);
		assert_true(asprintf(&text, "name='g'\nkernel='/k'\ndisk=['%s']\n", disks[i].xl) > 0);
		c = parse_cfg("g.cfg", text, NULL);
		free(text);
		if (x->ret || c->ret)
			fail_msg("disk %zu: xml %s / xl %s", i, keel_diags_first(&x->d, KEEL_DIAG_ERROR),
				 keel_diags_first(&c->d, KEEL_DIAG_ERROR));
		assert_int_equal(x->c.nr_disks, 1);
		assert_int_equal(c->c.nr_disks, 1);
		a = keel_disk_spec(&x->c.disks[0]);
		b = keel_disk_spec(&c->c.disks[0]);
		if (strcmp(a, b))
			fail_msg("disk %zu: xml gives \"%s\", xl \"%s\"", i, a, b);
		free(a);
		free(b);
		parsed_free(x);
		parsed_free(c);
	}
	for (size_t i = 0; i < sizeof(vifs) / sizeof(vifs[0]); i++) {
		char *text, *a, *b;
		struct parsed *x, *c;

		assert_true(asprintf(&text, HEAD OS "<devices>%s</devices>" TAIL, vifs[i].xml) > 0);
		x = parse_xml("g.xml", text, NULL);
		free(text);
		assert_true(asprintf(&text, "name='g'\nkernel='/k'\nvif=['%s']\n", vifs[i].xl) > 0);
		c = parse_cfg("g.cfg", text, NULL);
		free(text);
		if (x->ret || c->ret)
			fail_msg("vif %zu: xml %s / xl %s", i, keel_diags_first(&x->d, KEEL_DIAG_ERROR),
				 keel_diags_first(&c->d, KEEL_DIAG_ERROR));
		assert_int_equal(x->c.nr_vifs, 1);
		assert_int_equal(c->c.nr_vifs, 1);
		a = keel_vif_spec(&x->c.vifs[0]);
		b = keel_vif_spec(&c->c.vifs[0]);
		if (strcmp(a, b))
			fail_msg("vif %zu: xml gives \"%s\", xl \"%s\"", i, a, b);
		free(a);
		free(b);
		parsed_free(x);
		parsed_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_domain),
		cmocka_unit_test(test_os_type_pvh),
		cmocka_unit_test(test_memory_units),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_unknown_elements_warn),
		cmocka_unit_test(test_xml_overrides),
		cmocka_unit_test(test_examples_equivalent),
		cmocka_unit_test(test_devices_match_xl),
		cmocka_unit_test(test_through_helper),
		cmocka_unit_test(test_helper_output),
		cmocka_unit_test(test_helper_failures),
	};
	return cmocka_run_group_tests_name("XML parser", tests, NULL, NULL);
}
