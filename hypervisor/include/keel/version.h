/* SPDX-License-Identifier: GPL-2.0-only */
/* Keel's own version strings (the build fills in the generated parts). */
#ifndef KEEL_VERSION_H
#define KEEL_VERSION_H

#define KEEL_VERSION "0.1"
/* Shown to guests as Xen's extraversion: "4.17" + this, at most 15 chars. */
#define KEEL_EXTRAVERSION "-keel0.1"

#ifndef KEEL_CHANGESET
#define KEEL_CHANGESET "unknown"
#endif
#ifndef KEEL_COMPILE_DATE
#define KEEL_COMPILE_DATE __DATE__ " " __TIME__
#endif
#define KEEL_COMPILER "gcc " __VERSION__

/* The hypervisor's command line, as given by the boot loader. */
extern const char *keel_cmdline;

#endif
