/* SPDX-License-Identifier: MIT */
/*
 * Error numbers hypercalls return (negated), as Xen's public errno.h names
 * them; the values equal Linux's, so guests compare against -XEN_Exxx.
 */
#ifndef KEEL_PUBLIC_ERRNO_H
#define KEEL_PUBLIC_ERRNO_H

#define XEN_EPERM 1
#define XEN_ENOENT 2
#define XEN_ESRCH 3
#define XEN_EINTR 4
#define XEN_EIO 5
#define XEN_ENXIO 6
#define XEN_E2BIG 7
#define XEN_EBADF 9
#define XEN_EAGAIN 11
#define XEN_ENOMEM 12
#define XEN_EACCES 13
#define XEN_EFAULT 14
#define XEN_EBUSY 16
#define XEN_EEXIST 17
#define XEN_ENODEV 19
#define XEN_EINVAL 22
#define XEN_ENOSPC 28
#define XEN_EROFS 30
#define XEN_ENOSYS 38
#define XEN_ENOTEMPTY 39
#define XEN_ENODATA 61
#define XEN_ETIME 62
#define XEN_EOPNOTSUPP 95
#define XEN_EISCONN 106
#define XEN_ETIMEDOUT 110

#endif
