// SPDX-License-Identifier: GPL-2.0-only
/* vif specs and MAC addresses: accepted forms, defaults, warnings for what
 * Keel does not act on, and the message for each rejected value. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

static const struct keel_where W = { "t.cfg", 4, "vif[0]" };

static void test_good_specs(void **state)
{
	(void)state;
	struct keel_diags d;
	struct keel_vif vif;
	char mac[18];

	keel_diags_init(&d);
	assert_int_equal(keel_vif_parse(" mac=00:16:3E:aa:bb:cc , bridge=br-lan,ip=192.0.2.1 2001:db8::1,vifname=web0",
					&vif, &d, &W), 0);
	assert_int_equal(d.n, 0);
	assert_true(vif.mac_set);
	keel_mac_format(vif.mac, mac);
	assert_string_equal(mac, "00:16:3e:aa:bb:cc");
	assert_string_equal(vif.bridge, "br-lan");
	assert_string_equal(vif.ip, "192.0.2.1 2001:db8::1");
	assert_string_equal(vif.vifname, "web0");
	keel_vif_free(&vif);

	/* Empty spec: every default. */
	assert_int_equal(keel_vif_parse("", &vif, &d, &W), 0);
	assert_int_equal(d.n, 0);
	assert_false(vif.mac_set);
	assert_string_equal(vif.bridge, "keelbr0");
	assert_null(vif.ip);
	keel_vif_free(&vif);

	assert_int_equal(keel_vif_parse("type=vif,backend=0", &vif, &d, &W), 0);
	assert_int_equal(d.n, 0);
	keel_vif_free(&vif);
	keel_diags_free(&d);
}

static void test_warnings(void **state)
{
	(void)state;
	struct keel_diags d;
	struct keel_vif vif;

	keel_diags_init(&d);
	assert_int_equal(keel_vif_parse("bridge=br0,script=vif-bridge,model=e1000,rate=10Mb/s",
					&vif, &d, &W), 0);
	assert_int_equal(keel_diags_count(&d, KEEL_DIAG_WARNING), 3);
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:4: vif[0]: script 'vif-bridge' is not run: Keel's network backend attaches the interface to its bridge itself");
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:4: vif[0]: model 'e1000' has no effect: a PVH guest has only the PV network device");
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:4: vif[0]: unknown vif parameter 'rate' in \"bridge=br0,script=vif-bridge,model=e1000,rate=10Mb/s\" ignored");
	assert_string_equal(vif.script, "vif-bridge");
	assert_string_equal(vif.model, "e1000");
	keel_vif_free(&vif);
	keel_diags_free(&d);
}

static void test_bad_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *msg;
	} cases[] = {
		{ "mac=00:16:3e:00:00", "t.cfg:4: vif[0]: invalid mac '00:16:3e:00:00': expected six hex bytes separated by ':', e.g. 00:16:3e:12:34:56" },
		{ "mac=00-16-3e-00-00-01", "t.cfg:4: vif[0]: invalid mac '00-16-3e-00-00-01': expected six hex bytes separated by ':', e.g. 00:16:3e:12:34:56" },
		{ "mac=00:16:3e:00:00:011", "t.cfg:4: vif[0]: invalid mac '00:16:3e:00:00:011': expected six hex bytes separated by ':', e.g. 00:16:3e:12:34:56" },
		{ "mac=ff:ff:ff:ff:ff:ff", "t.cfg:4: vif[0]: invalid mac 'ff:ff:ff:ff:ff:ff': it is a multicast address (lowest bit of the first byte set): an interface needs a unicast MAC" },
		{ "mac=00:00:00:00:00:00", "t.cfg:4: vif[0]: invalid mac '00:00:00:00:00:00': the all-zero MAC cannot name an interface" },
		{ "bridge=a-very-long-bridge-name", "t.cfg:4: vif[0]: bridge 'a-very-long-bridge-name' is not a valid interface name: use 1 to 15 characters without '/', ':' or blanks" },
		{ "bridge=", "t.cfg:4: vif[0]: bridge '' is not a valid interface name: use 1 to 15 characters without '/', ':' or blanks" },
		{ "vifname=a/b", "t.cfg:4: vif[0]: vifname 'a/b' is not a valid interface name: use 1 to 15 characters without '/', ':' or blanks" },
		{ "ip=192.0.2.300", "t.cfg:4: vif[0]: ip '192.0.2.300' is not an IPv4 or IPv6 address" },
		{ "ip=192.0.2.1 bogus", "t.cfg:4: vif[0]: ip 'bogus' is not an IPv4 or IPv6 address" },
		{ "type=ioemu", "t.cfg:4: vif[0]: type 'ioemu': a PVH guest has only PV interfaces: use type=vif or leave it out" },
		{ "backend=netdom", "t.cfg:4: vif[0]: backend 'netdom': Keel serves network interfaces from dom0 only" },
		{ "bridge=br0,keelbr0", "t.cfg:4: vif[0]: expected key=value in \"bridge=br0,keelbr0\", got 'keelbr0'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keel_diags d;
		struct keel_vif vif;

		keel_diags_init(&d);
		assert_int_equal(keel_vif_parse(cases[i].spec, &vif, &d, &W), -1);
		assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
				    cases[i].msg);
		assert_null(vif.bridge);
		keel_diags_free(&d);
	}
}

static void test_mac_parse(void **state)
{
	(void)state;
	uint8_t mac[6];
	const char *why;
	char buf[18];

	assert_int_equal(keel_mac_parse("02:00:00:00:00:01", mac, &why), 0);
	assert_int_equal(mac[0], 0x02);
	assert_int_equal(mac[5], 0x01);
	keel_mac_format(mac, buf);
	assert_string_equal(buf, "02:00:00:00:00:01");
	assert_int_equal(keel_mac_parse("03:00:00:00:00:01", mac, &why), -1);
	assert_int_equal(keel_mac_parse("", mac, &why), -1);
	assert_int_equal(keel_mac_parse("0:16:3e:0:0:1", mac, &why), -1);
}

/* devid=, as xl takes it, and keel_vif_spec reading back into the same vif. */
static void test_devid_and_round_trip(void **state)
{
	struct keel_diags d;
	struct keel_vif a, b;
	char *sa, *sb;
	(void)state;

	keel_diags_init(&d);
	assert_int_equal(keel_vif_parse("devid=7,mac=00:16:3e:01:02:03,bridge=br1,ip=192.0.2.1 2001:db8::1,vifname=web0",
					&a, &d, &W), 0);
	assert_true(a.devid_set);
	assert_int_equal(a.devid, 7);
	sa = keel_vif_spec(&a);
	assert_string_equal(sa, "devid=7,mac=00:16:3e:01:02:03,bridge=br1,ip=192.0.2.1 2001:db8::1,vifname=web0");
	assert_int_equal(keel_vif_parse(sa, &b, &d, &W), 0);
	assert_int_equal(d.n, 0);
	sb = keel_vif_spec(&b);
	assert_string_equal(sa, sb);
	free(sa);
	free(sb);
	keel_vif_free(&a);
	keel_vif_free(&b);

	assert_int_equal(keel_vif_parse("devid=x", &a, &d, &W), -1);
	expect_diag(&d, KEEL_DIAG_ERROR, "t.cfg:4: vif[0]: devid 'x' is not a number from 0 to 65535");
	assert_int_equal(keel_vif_parse("devid=65536", &a, &d, &W), -1);
	expect_diag(&d, KEEL_DIAG_ERROR, "t.cfg:4: vif[0]: devid '65536' is not a number from 0 to 65535");
	keel_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_specs),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_devid_and_round_trip),
	};

	return cmocka_run_group_tests_name("vif specs", tests, NULL, NULL);
}
