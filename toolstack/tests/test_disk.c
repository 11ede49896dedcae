// SPDX-License-Identifier: GPL-2.0-only
/* Disk specs (xl-disk-configuration(5)): positional, key=value and legacy
 * prefix forms as tables of input and expected result or message. */
#include <stdlib.h>
#include <string.h>
#include "helpers.h"

static const struct keel_where W = { "t.cfg", 9, "disk[0]" };

static void test_good_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *target, *vdev, *backend;
		bool readonly, cdrom;
	} cases[] = {
		/* The equivalent forms from the xl documentation. */
		{ "/dev/vg/guest-volume,,hda", "/dev/vg/guest-volume", "hda", NULL, false, false },
		{ "/dev/vg/guest-volume,raw,hda,rw", "/dev/vg/guest-volume", "hda", NULL, false, false },
		{ "format=raw, vdev=hda, access=rw, target=/dev/vg/guest-volume", "/dev/vg/guest-volume", "hda", NULL, false, false },
		{ "raw:/dev/vg/guest-volume,hda,w", "/dev/vg/guest-volume", "hda", NULL, false, false },
		{ "/root/image.iso,,hdc,cdrom", "/root/image.iso", "hdc", NULL, true, true },
		{ "/root/image.iso,,hdc,,cdrom", "/root/image.iso", "hdc", NULL, true, true },
		{ "/root/image.iso,raw,hdc,devtype=cdrom", "/root/image.iso", "hdc", NULL, true, true },
		{ "format=raw, vdev=hdc, access=ro, devtype=cdrom, target=/root/image.iso", "/root/image.iso", "hdc", NULL, true, true },
		{ "raw:/root/image.iso,hdc:cdrom,ro", "/root/image.iso", "hdc", NULL, true, true },
		/* xm-era forms seen in the wild. */
		{ "file:/var/lib/keel/g1.img,xvda,w", "/var/lib/keel/g1.img", "xvda", NULL, false, false },
		{ "phy:/dev/vg/g1,xvda1,r", "/dev/vg/g1", "xvda1", "phy", true, false },
		{ "phy:sdb,sda,w", "/dev/sdb", "sda", "phy", false, false },
		{ "tap:aio:/srv/g.img,xvdb,w", "/srv/g.img", "xvdb", "tap", false, false },
		/* Named and positional mixed; target= keeps commas. */
		{ "vdev=xvdz, /srv/a.img", "/srv/a.img", "xvdz", NULL, false, false },
		{ "access=r,vdev=sdaa,backendtype=qdisk,target=/srv/x,y.img", "/srv/x,y.img", "sdaa", "qdisk", true, false },
		{ "devtype=cdrom,vdev=xvdd", NULL, "xvdd", NULL, true, true },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keel_diags d;
		struct keel_disk disk;

		keel_diags_init(&d);
		assert_int_equal(keel_disk_parse(cases[i].spec, &disk, &d, &W), 0);
		assert_int_equal(d.n, 0);
		if (cases[i].target)
			assert_string_equal(disk.target, cases[i].target);
		else
			assert_null(disk.target);
		assert_string_equal(disk.vdev, cases[i].vdev);
		assert_string_equal(disk.format, "raw");
		if (cases[i].backend)
			assert_string_equal(disk.backendtype, cases[i].backend);
		else
			assert_null(disk.backendtype);
		assert_int_equal(disk.readonly, cases[i].readonly);
		assert_int_equal(disk.cdrom, cases[i].cdrom);
		keel_disk_free(&disk);
		keel_diags_free(&d);
	}
}

static void test_bad_specs(void **state)
{
	static const struct {
		const char *spec;
		const char *msg;
	} cases[] = {
		{ "/a.img", "t.cfg:9: disk[0]: no vdev in \"/a.img\": say which device the guest sees, e.g. \"file:/img,xvda,w\"" },
		{ "/a.img,,xvda,rx", "t.cfg:9: disk[0]: invalid access 'rx' in \"/a.img,,xvda,rx\": use rw, w, ro or r" },
		{ "/a.img,,xvda,w,extra", "t.cfg:9: disk[0]: too many positional parameters in \"/a.img,,xvda,w,extra\" at 'extra': the order is target, format, vdev, access" },
		{ "/a.img,qcow2,xvda", "t.cfg:9: disk[0]: format 'qcow2' is not supported by Keel: its block backend serves raw images only (convert with: qemu-img convert -O raw)" },
		{ "qcow2:/a.img,xvda,w", "t.cfg:9: disk[0]: format 'qcow2' is not supported by Keel: its block backend serves raw images only (convert with: qemu-img convert -O raw)" },
		{ "/a.img,,vda", "t.cfg:9: disk[0]: invalid vdev 'vda': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ "/a.img,,hdz", "t.cfg:9: disk[0]: invalid vdev 'hdz': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ "/a.img,,xvda0", "t.cfg:9: disk[0]: invalid vdev 'xvda0': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ "/a.img,,xvda16", "t.cfg:9: disk[0]: invalid vdev 'xvda16': use xvdX, hdX or sdX (X a letter, optionally followed by a partition number), e.g. xvda" },
		{ "vdev=xvda,vdev=xvdb,target=/a", "t.cfg:9: disk[0]: vdev given twice in \"vdev=xvda,vdev=xvdb,target=/a\"" },
		{ "/a.img,,xvda,r,access=w", "t.cfg:9: disk[0]: access given twice in \"/a.img,,xvda,r,access=w\"" },
		{ "vdev=xvda", "t.cfg:9: disk[0]: no target in \"vdev=xvda\": name an image file or block device" },
		{ "/a.iso,,hdc,rw,devtype=cdrom", "t.cfg:9: disk[0]: a cdrom is read-only: drop access=rw" },
		{ "/a.img,,xvda,devtype=floppy", "t.cfg:9: disk[0]: unknown devtype 'floppy' in \"/a.img,,xvda,devtype=floppy\": use cdrom or disk" },
		{ "/a.img,,xvda:tape", "t.cfg:9: disk[0]: unknown device type 'tape' in \"/a.img,,xvda:tape\": use cdrom or disk" },
		{ "/a.img,,xvda,backendtype=nbd", "t.cfg:9: disk[0]: unknown backendtype 'nbd' in \"/a.img,,xvda,backendtype=nbd\": use phy, qdisk or tap" },
		{ "/a.img,,xvda,backend=driverdom", "t.cfg:9: disk[0]: backend 'driverdom' in \"/a.img,,xvda,backend=driverdom\": Keel serves disks from dom0 only" },
		{ "target=/a,target=/b", NULL },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keel_diags d;
		struct keel_disk disk;

		keel_diags_init(&d);
		if (!cases[i].msg) {
			/* target= swallows the rest: the path has a comma. */
			assert_int_equal(keel_disk_parse(cases[i].spec, &disk, &d, &W), -1);
			assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
					    "t.cfg:9: disk[0]: no vdev in \"target=/a,target=/b\": say which device the guest sees, e.g. \"file:/img,xvda,w\"");
		} else {
			assert_int_equal(keel_disk_parse(cases[i].spec, &disk, &d, &W), -1);
			assert_string_equal(keel_diags_first(&d, KEEL_DIAG_ERROR),
					    cases[i].msg);
		}
		/* A failed parse leaves nothing to free. */
		assert_null(disk.target);
		assert_null(disk.vdev);
		keel_diags_free(&d);
	}
}

static void test_disk_warnings(void **state)
{
	(void)state;
	struct keel_diags d;
	struct keel_disk disk;

	keel_diags_init(&d);
	assert_int_equal(keel_disk_parse("/a.img,,xvda,script=block-iscsi,discard,colour=red",
					 &disk, &d, &W), 0);
	assert_int_equal(d.n, 3);
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:9: disk[0]: script 'block-iscsi' is not run: Keel's block backend opens the target itself");
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:9: disk[0]: flag 'discard' has no effect in Keel yet");
	expect_diag(&d, KEEL_DIAG_WARNING,
		    "t.cfg:9: disk[0]: unknown disk parameter 'colour' in \"/a.img,,xvda,script=block-iscsi,discard,colour=red\" ignored");
	keel_disk_free(&disk);
	keel_diags_free(&d);
}

static void test_vdev_names(void **state)
{
	static const char *const good[] = { "xvda", "xvdz", "xvdaa", "xvdzzz",
					    "xvda1", "xvda15", "hda", "hdt",
					    "hda63", "sda", "sdab", "sdc3" };
	static const char *const bad[] = { "", "xvd", "xvdA", "xvdaaaa", "xvda0",
					   "xvda16", "xvda01", "hdu", "hdaa",
					   "hda64", "vda", "sd", "d0p1", "51712",
					   "xvda-1" };
	(void)state;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (!keel_vdev_valid(good[i]))
			fail_msg("vdev '%s' should be accepted", good[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (keel_vdev_valid(bad[i]))
			fail_msg("vdev '%s' should be rejected", bad[i]);
	}
}

/* keel_disk_spec: what keeps a hot-plugged disk in the saved config. It
 * reads back into the same disk, whatever form the first spec had. */
static void test_spec_round_trip(void **state)
{
	static const char *const specs[] = {
		"file:/var/lib/keel/x.img,xvdb,w",
		"phy:/dev/vg/a,xvda,r",
		"/srv/d.iso,raw,hdc,ro,devtype=cdrom",
		"vdev=hdd,devtype=cdrom",
		"backendtype=qdisk,vdev=xvdf,target=/srv/a,b.img",
		"sdb,raw,xvdz",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		struct keel_disk a, b;
		struct keel_diags d;
		char *sa, *sb;

		keel_diags_init(&d);
		if (keel_disk_parse(specs[i], &a, &d, &W))
			fail_msg("%s: %s", specs[i], keel_diags_first(&d, KEEL_DIAG_ERROR));
		sa = keel_disk_spec(&a);
		if (keel_disk_parse(sa, &b, &d, &W))
			fail_msg("%s -> %s: %s", specs[i], sa, keel_diags_first(&d, KEEL_DIAG_ERROR));
		assert_int_equal(d.n, 0);
		sb = keel_disk_spec(&b);
		assert_string_equal(sa, sb);
		assert_string_equal(a.vdev, b.vdev);
		assert_int_equal(a.readonly, b.readonly);
		assert_int_equal(a.cdrom, b.cdrom);
		if (a.target)
			assert_string_equal(a.target, b.target);
		else
			assert_null(b.target);
		free(sa);
		free(sb);
		keel_disk_free(&a);
		keel_disk_free(&b);
		keel_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_specs),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_disk_warnings),
		cmocka_unit_test(test_vdev_names),
		cmocka_unit_test(test_spec_round_trip),
	};

	return cmocka_run_group_tests_name("disk specs", tests, NULL, NULL);
}
