// SPDX-License-Identifier: GPL-2.0-only
/* Values generated at create time (UUID, MACs), seeded or random, and the
 * JSON a dry run prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helpers.h"
#include "internal.h"

#define MINIMAL "name = \"g\"\nkernel = \"/k\"\n"

static void test_uuid_generation(void **state)
{
	(void)state;
	uint64_t seed = 7, other = 8;
	char a[37], b[37], c[37];
	struct parsed *p1 = parse_cfg("g.cfg", MINIMAL, NULL);
	struct parsed *p2 = parse_cfg("g.cfg", MINIMAL, NULL);
	struct parsed *p3 = parse_cfg("g.cfg", MINIMAL, NULL);

	assert_false(p1->c.uuid_set);
	keel_config_generate(&p1->c, &seed);
	keel_config_generate(&p2->c, &seed);
	keel_config_generate(&p3->c, &other);
	uuid_unparse_lower(p1->c.uuid, a);
	uuid_unparse_lower(p2->c.uuid, b);
	uuid_unparse_lower(p3->c.uuid, c);
	/* Seeded: reproducible, and a seed changes it. */
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	/* A proper random (version 4, RFC 4122 variant) UUID. */
	assert_int_equal(uuid_type(p1->c.uuid), 4);
	assert_int_equal(uuid_variant(p1->c.uuid), UUID_VARIANT_DCE);
	assert_false(uuid_is_null(p1->c.uuid));
	parsed_free(p1);
	parsed_free(p2);
	parsed_free(p3);

	/* Unseeded: fresh values each time. */
	p1 = parse_cfg("g.cfg", MINIMAL, NULL);
	p2 = parse_cfg("g.cfg", MINIMAL, NULL);
	keel_config_generate(&p1->c, NULL);
	keel_config_generate(&p2->c, NULL);
	assert_int_not_equal(uuid_compare(p1->c.uuid, p2->c.uuid), 0);
	assert_int_equal(uuid_type(p1->c.uuid), 4);
	parsed_free(p1);
	parsed_free(p2);

	/* A UUID from the config is kept. */
	p1 = parse_cfg("g.cfg", MINIMAL "uuid = \"6BA7B810-9DAD-11D1-80B4-00C04FD430C8\"\n", NULL);
	expect_clean(p1);
	keel_config_generate(&p1->c, NULL);
	uuid_unparse_lower(p1->c.uuid, a);
	assert_string_equal(a, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
	parsed_free(p1);
}

static void test_mac_generation(void **state)
{
	(void)state;
	uint64_t seed = 1;
	struct parsed *p = parse_cfg("g.cfg",
		MINIMAL "vif = [ '', 'mac=00:16:3e:12:34:56', 'bridge=br1' ]\n", NULL);
	struct parsed *q = parse_cfg("g.cfg",
		MINIMAL "vif = [ '', 'mac=00:16:3e:12:34:56', 'bridge=br1' ]\n", NULL);
	char mac[18];

	expect_clean(p);
	keel_config_generate(&p->c, &seed);
	keel_config_generate(&q->c, &seed);
	for (size_t i = 0; i < 3; i++) {
		assert_true(p->c.vifs[i].mac_set);
		assert_int_equal(p->c.vifs[i].mac[0], 0x00);
		assert_int_equal(p->c.vifs[i].mac[1], 0x16);
		assert_int_equal(p->c.vifs[i].mac[2], 0x3e);
		assert_memory_equal(p->c.vifs[i].mac, q->c.vifs[i].mac, 6);
	}
	keel_mac_format(p->c.vifs[1].mac, mac);
	assert_string_equal(mac, "00:16:3e:12:34:56");
	assert_memory_not_equal(p->c.vifs[0].mac, p->c.vifs[2].mac, 6);
	parsed_free(p);
	parsed_free(q);
}

/* Many generated MACs in one domain never collide. */
static void test_mac_uniqueness(void **state)
{
	(void)state;
	struct keel_domain_config c;
	struct keel_diags d;

	keel_config_init(&c);
	keel_diags_init(&d);
	for (int i = 0; i < 300; i++) {
		struct keel_vif vif;
		struct keel_where w = { "g.cfg", 1, "vif" };

		assert_int_equal(keel_vif_parse("", &vif, &d, &w), 0);
		kc_add_vif(&c, &vif, &w);
	}
	uint64_t seed = 5;
	keel_config_generate(&c, &seed);
	for (size_t i = 0; i < c.nr_vifs; i++)
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(c.vifs[i].mac, c.vifs[j].mac, 6);
	keel_config_free(&c);
	keel_diags_free(&d);
}

static void test_json(void **state)
{
	(void)state;
	uint64_t seed = 3;
	struct parsed *p = parse_cfg("g.cfg",
		"name = \"g\"\nkernel = \"/k\"\nextra = \"a \\\"b\\\"\\\\c\"\n"
		"vcpus = 2\nmaxvcpus = 3\ncpus = \"1,3\"\nmaxmem = 256\nmemory = 128\n"
		"on_reboot = \"rename-restart\"\non_crash = \"coredump-destroy\"\n"
		"disk = [ 'devtype=cdrom,vdev=hdc' ]\n"
		"vif = [ 'mac=00:16:3e:00:00:01,ip=192.0.2.1,vifname=v0,script=s' ]\n",
		NULL);
	char *json;

	assert_int_equal(p->ret, 0);
	keel_config_generate(&p->c, &seed);
	json = keel_config_json(&p->c);
	assert_non_null(json);
	static const char *const want[] = {
		"\"c_info\": {\n        \"type\": \"pvh\",\n        \"name\": \"g\",\n        \"uuid\": \"",
		"\"max_vcpus\": 3,",
		"\"avail_vcpus\": [\n            0,\n            1\n        ],",
		"\"vcpu_hard_affinity\": [\n            [1, 3],\n            [1, 3],\n            [1, 3]\n        ],",
		"\"max_memkb\": 262144,",
		"\"target_memkb\": 131072,",
		"\"cmdline\": \"a \\\"b\\\"\\\\c\",",
		"\"type.pvh\": {}",
		"\"vdev\": \"hdc\",\n            \"format\": \"empty\",\n            \"removable\": 1,\n            \"readwrite\": 0,\n            \"is_cdrom\": 1",
		"\"devid\": 0,\n            \"mac\": \"00:16:3e:00:00:01\",\n            \"ip\": \"192.0.2.1\",\n            \"bridge\": \"keelbr0\",\n            \"ifname\": \"v0\",\n            \"script\": \"s\",\n            \"nictype\": \"vif\"",
		"\"on_poweroff\": \"destroy\",\n    \"on_reboot\": \"restart_rename\",\n    \"on_crash\": \"coredump_destroy\"\n}\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(json, want[i]))
			fail_msg("JSON lacks:\n%s\nJSON is:\n%s", want[i], json);
	assert_null(strstr(json, "\"ramdisk\""));
	free(json);
	parsed_free(p);
}

static void test_action_names(void **state)
{
	(void)state;
	for (int a = KEEL_ACTION_DESTROY; a <= KEEL_ACTION_COREDUMP_RESTART; a++) {
		enum keel_action back;

		assert_int_equal(keel_action_parse(keel_action_name(a), &back), 0);
		assert_int_equal(back, a);
	}
	enum keel_action x;
	assert_int_equal(keel_action_parse("soft-reset", &x), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uuid_generation),
		cmocka_unit_test(test_mac_generation),
		cmocka_unit_test(test_mac_uniqueness),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_action_names),
	};

	return cmocka_run_group_tests_name("domain config", tests, NULL, NULL);
}
