// SPDX-License-Identifier: GPL-2.0-only
/* xen_version (17): Keel answers as Xen 4.17, with its own extra version. */
#include <keel/hypercall.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <keel/version.h>
#include <public/version.h>

#define XEN_MAJOR 4
#define XEN_MINOR 17

static u32 features_submap0(struct domain *d)
{
	u32 f = (1U << XENFEAT_writable_page_tables) |
		(1U << XENFEAT_auto_translated_physmap) |
		(1U << XENFEAT_hvm_callback_vector) |
		(1U << XENFEAT_hvm_safe_pvclock) |
		(1U << XENFEAT_memory_op_vnode_supported);

	if (d->is_privileged)
		f |= 1U << XENFEAT_dom0;
	return f;
}

static long copy_string(struct vcpu *v, u64 arg, const char *s, size_t size)
{
	char buf[XEN_CAPABILITIES_INFO_LEN];

	memset(buf, 0, size);
	strlcpy(buf, s, size);
	return copy_to_guest(v, arg, buf, size) ? -EFAULT : 0;
}

long do_xen_version(struct vcpu *v, u64 cmd, u64 arg, u64 a3, u64 a4, u64 a5)
{
	struct domain *d = v->domain;

	(void)a3, (void)a4, (void)a5;
	switch (cmd) {
	case XENVER_version:
		return (XEN_MAJOR << 16) | XEN_MINOR;
	case XENVER_extraversion:
		return copy_string(v, arg, KEEL_EXTRAVERSION, XEN_EXTRAVERSION_LEN);
	case XENVER_compile_info: {
		struct xen_compile_info info;

		memset(&info, 0, sizeof(info));
		strlcpy(info.compiler, KEEL_COMPILER, sizeof(info.compiler));
		strlcpy(info.compile_by, "keel", sizeof(info.compile_by));
		strlcpy(info.compile_domain, "keel", sizeof(info.compile_domain));
		strlcpy(info.compile_date, KEEL_COMPILE_DATE, sizeof(info.compile_date));
		return copy_to_guest(v, arg, &info, sizeof(info)) ? -EFAULT : 0;
	}
	case XENVER_capabilities:
		return copy_string(v, arg, "hvm-3.0-x86_64", XEN_CAPABILITIES_INFO_LEN);
	case XENVER_changeset:
		return copy_string(v, arg, KEEL_CHANGESET, XEN_CHANGESET_INFO_LEN);
	case XENVER_platform_parameters: {
		struct xen_platform_parameters p = { .virt_start = 0 };

		return copy_to_guest(v, arg, &p, sizeof(p)) ? -EFAULT : 0;
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;

		if (copy_from_guest(v, &fi, arg, sizeof(fi)))
			return -EFAULT;
		if (fi.submap_idx != 0)
			return -EINVAL;
		fi.submap = features_submap0(d);
		return copy_to_guest(v, arg, &fi, sizeof(fi)) ? -EFAULT : 0;
	}
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle:
		return copy_to_guest(v, arg, d->handle, sizeof(d->handle)) ? -EFAULT : 0;
	case XENVER_commandline:
		if (!d->is_privileged)
			return -EPERM;
		return copy_string(v, arg, keel_cmdline, XEN_COMMANDLINE_LEN);
	case XENVER_build_id:
		return -ENODATA;
	default:
		return -ENOSYS;
	}
}
