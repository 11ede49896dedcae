// SPDX-License-Identifier: MIT
/*
 * version: xen_version (17) sub-commands as a PVH dom0 sees them, their exact
 * values, and the errors for an unknown command and for bad buffers.
 */
#include <public/version.h>

#include "guest.h"

static long xen_version(unsigned int cmd, void *arg)
{
	return hypercall2(__HYPERVISOR_xen_version, cmd, (unsigned long)arg);
}

/* A string the hypervisor wrote into a 0xAA-filled buffer ends within it. */
static int terminated(const char *s, size_t size)
{
	return strnlen(s, size) < size;
}

static void check_strings(void)
{
	static char caps[XEN_CAPABILITIES_INFO_LEN];
	struct xen_compile_info ci;
	char extra[XEN_EXTRAVERSION_LEN];

	memset(extra, 0xaa, sizeof(extra));
	check_eq(xen_version(XENVER_extraversion, extra), 0, "extraversion");
	check(terminated(extra, sizeof(extra)),
	      "extraversion NUL-terminated within 16 bytes");
	extra[sizeof(extra) - 1] = '\0';
	printf("extraversion \"%s\"\n", extra);

	memset(&ci, 0xaa, sizeof(ci));
	check_eq(xen_version(XENVER_compile_info, &ci), 0, "compile_info");
	check(terminated(ci.compiler, sizeof(ci.compiler)),
	      "compile_info.compiler terminated");
	check(terminated(ci.compile_by, sizeof(ci.compile_by)),
	      "compile_info.compile_by terminated");
	check(terminated(ci.compile_domain, sizeof(ci.compile_domain)),
	      "compile_info.compile_domain terminated");
	check(terminated(ci.compile_date, sizeof(ci.compile_date)),
	      "compile_info.compile_date terminated");

	memset(caps, 0xaa, sizeof(caps));
	check_eq(xen_version(XENVER_capabilities, caps), 0, "capabilities");
	check(terminated(caps, sizeof(caps)), "capabilities terminated");
	caps[sizeof(caps) - 1] = '\0';
	printf("capabilities \"%s\"\n", caps);
	check(strstr(caps, "hvm-3.0-x86_64") != NULL,
	      "capabilities include hvm-3.0-x86_64");
}

static void check_features(void)
{
	struct xen_feature_info fi = { .submap_idx = 0, .submap = 0xdeadbeef };
	uint32_t f;

	check_eq(xen_version(XENVER_get_features, &fi), 0, "get_features 0");
	f = fi.submap;
	printf("features submap 0: %#x\n", f);
	check(f & (1U << XENFEAT_auto_translated_physmap),
	      "auto_translated_physmap");
	check(f & (1U << XENFEAT_hvm_callback_vector), "hvm_callback_vector");
	check(f & (1U << XENFEAT_hvm_safe_pvclock), "hvm_safe_pvclock");
	check(f & (1U << XENFEAT_dom0), "dom0 feature bit");
	check(!(f & (1U << XENFEAT_hvm_pirqs)),
	      "no hvm_pirqs (Linux would route IRQs through event channels)");

	fi = (struct xen_feature_info){ .submap_idx = 1 };
	check_eq(xen_version(XENVER_get_features, &fi), -EINVAL,
		 "get_features submap 1");
}

static void check_bad_buffers(void)
{
	char *beyond_ram = (char *)(uintptr_t)non_ram_address();

	/* Make sure the page really is absent, or the test proves nothing. */
	if (check_eq(probe_read(unmapped_page), 1,
		     "unmapped_page is not mapped in our page tables"))
		check_eq(xen_version(XENVER_extraversion, unmapped_page),
			 -EFAULT,
			 "extraversion into an unmapped virtual address");

	if (check(beyond_ram, "found a non-RAM address below 4 GiB")) {
		printf("non-RAM guest-physical address %p (identity-mapped)\n",
		       beyond_ram);
		check_eq(xen_version(XENVER_extraversion, beyond_ram), -EFAULT,
			 "extraversion into a guest-physical address that is not RAM");
	}
}

void test_main(void)
{
	uint8_t handle[32];
	unsigned int i, untouched = 0;
	long v = xen_version(XENVER_version, NULL);

	printf("xen_version: %#lx\n", v);
	check_eq(v, 0x00040011, "XENVER_version is 4.17");
	check_eq(xen_version(XENVER_pagesize, NULL), 4096, "pagesize");

	memset(handle, 0xaa, sizeof(handle));
	check_eq(xen_version(XENVER_guest_handle, handle), 0, "guest_handle");
	for (i = 16; i < sizeof(handle); i++)
		untouched += handle[i] == 0xaa;
	check_eq(untouched, 16, "guest_handle writes exactly 16 bytes");

	check_strings();
	check_features();
	check_eq(xen_version(0x7fff, NULL), -ENOSYS, "unknown sub-command");
	check_bad_buffers();
}
