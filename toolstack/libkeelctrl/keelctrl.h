// SPDX-License-Identifier: GPL-2.0-only
/* libkeelctrl: domain control for the dom0 toolstack. Hypercalls go through
 * an ops table (privcmd in dom0, a simulated machine in tests); on top of it
 * the PVH domain builder, the xenstore entries and the domain lifecycle. */
#ifndef KEELCTRL_H
#define KEELCTRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "public/xen.h"
#include "public/domctl.h"
#include "public/sysctl.h"
#include "public/memory.h"
#include "public/event_channel.h"
#include "keelconfig.h"

struct ks_handle;

/* ---- the hypervisor interface */

/* One entry of the e820 given with XENMEM_set_memory_map (packed, 20 bytes). */
struct keel_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
KEEL_ABI_ASSERT_SIZE(struct keel_e820_entry, 20);

/*
 * What libkeelctrl needs from the hypervisor. Every call returns 0 (or a
 * count, for memory_op) or a negative errno. Buffers are ordinary memory.
 */
struct keel_hv_ops {
	int (*domctl)(void *hv, struct xen_domctl *op);
	int (*sysctl)(void *hv, struct xen_sysctl *op);
	long (*memory_op)(void *hv, unsigned int cmd, void *arg);
	int (*event_channel_op)(void *hv, unsigned int cmd, void *arg);
	int (*hvm_op)(void *hv, unsigned int cmd, void *arg);
	long (*xen_version)(void *hv, unsigned int cmd, void *arg);
	/* Maps n guest frames of dom at one address; NULL with errno set. */
	void *(*map_foreign)(void *hv, domid_t dom, const xen_pfn_t *gfns,
			     size_t n);
	void (*unmap)(void *hv, void *addr, size_t n);
	void (*close)(void *hv);
};

/* /dev/xen/evtchn, or the tests' stand-in: ports bound in this process. */
struct keel_evtchn_ops {
	int (*bind_interdomain)(void *ev, domid_t dom, uint32_t remote_port);
	int (*bind_virq)(void *ev, uint32_t virq);
	int (*unbind)(void *ev, uint32_t port);
	int (*notify)(void *ev, uint32_t port);
	/* Poll-able fd; read_pending returns a fired port, -EAGAIN if none. */
	int (*fd)(void *ev);
	int (*read_pending)(void *ev);
	int (*unmask)(void *ev, uint32_t port);
	void (*close)(void *ev);
};

/* The real ones, on /dev/xen/privcmd and /dev/xen/evtchn (paths for tests). */
int keel_privcmd_open(const char *privcmd_path, const struct keel_hv_ops **ops,
		      void **hv, char *err, size_t errlen);
int keel_evtchn_open(const char *path, const struct keel_evtchn_ops **ops,
		     void **ev);

/* ---- the library handle */

struct keel_ctl {
	const struct keel_hv_ops *ops;
	void *hv;
	struct ks_handle *xs;
	char *state_dir; /* saved configs: /var/lib/keel */
	char err[1024];
};

/* Takes ownership of hv (closed by keel_ctl_close). store may be NULL: the
 * store is opened on first use (socket from $XENSTORED_PATH or default). */
struct keel_ctl *keel_ctl_new(const struct keel_hv_ops *ops, void *hv,
			      struct ks_handle *xs, const char *state_dir);
void keel_ctl_close(struct keel_ctl *k);
/* Sets k->err ("FMT") and returns ret (a negative errno). */
int keel_fail(struct keel_ctl *k, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int keel_store(struct keel_ctl *k, struct ks_handle **xs);

/* ---- hypercall wrappers (hv.c) */

int keel_domctl(struct keel_ctl *k, uint32_t cmd, domid_t dom,
		struct xen_domctl *op);
int keel_sysctl(struct keel_ctl *k, uint32_t cmd, struct xen_sysctl *op);
int keel_physinfo(struct keel_ctl *k, struct xen_sysctl_physinfo *pi);
int keel_domain_info(struct keel_ctl *k, domid_t dom,
		     struct xen_domctl_getdomaininfo *info);
/* Every domain; *out malloc'ed. */
int keel_domain_list(struct keel_ctl *k, struct xen_domctl_getdomaininfo **out,
		     unsigned *n);
int keel_readconsole(struct keel_ctl *k, bool clear, FILE *out);

/* ---- guest kernel images (image.c) */

struct keel_segment {
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	const uint8_t *data;
};

#define KEEL_MAX_SEGMENTS 16

struct keel_kernel {
	uint8_t *elf; /* the (decompressed) ELF vmlinux, owned */
	size_t elf_len;
	bool elf_mapped; /* elf is a mapping of the kernel cache, not malloc'ed */
	const char *format; /* "ELF", "bzImage (XZ)", "bzImage (gzip)" */
	uint64_t entry; /* XEN_ELFNOTE_PHYS32_ENTRY */
	struct keel_segment seg[KEEL_MAX_SEGMENTS];
	unsigned nr_seg;
	uint64_t lo, hi; /* physical footprint [lo, hi) */
};

/* Loads the kernel at @path. A compressed kernel is decompressed once:
 * the vmlinux is kept in STATE_DIR/kernel-cache/, keyed by the image file's
 * device, inode, size and modification time, and later loads of the same
 * file map it from there (decompressing Debian's XZ kernel takes seconds
 * under emulation). The cache is best effort: failing to use it only costs
 * time. */
int keel_kernel_load(struct keel_ctl *k, const char *path,
		     struct keel_kernel *out);

/* With KEEL_TIMING set in the environment, prints to stderr how long the
 * step that just ended took ("keel: 0.412 s  load the kernel"), to see where
 * a slow `keel create` spends its time. NULL starts the clock. */
void keel_phase(const char *step);
/* buf is malloc'ed; owned by out on success, freed on failure. */
int keel_kernel_parse(struct keel_ctl *k, const char *name, uint8_t *buf,
		      size_t len, struct keel_kernel *out);
void keel_kernel_free(struct keel_kernel *kern);

/* ---- ACPI tables for a PVH guest (acpi.c) */

/* Builds RSDP, XSDT, FADT (HW-reduced), DSDT and MADT (one LAPIC entry per
 * vCPU up to maxvcpus, APIC ID = ACPI UID = vcpu_id, those >= vcpus
 * disabled) into buf, which sits at guest-physical base. Returns the size
 * used, or 0 if cap is too small. The RSDP is at base. */
size_t keel_acpi_build(uint8_t *buf, size_t cap, uint64_t base,
		       unsigned vcpus, unsigned maxvcpus);

/* ---- the PVH domain builder (build.c) */

#define KEEL_PAGE_SHIFT 12
#define KEEL_PAGE_SIZE 4096UL
/* Pages at the top of guest RAM, reserved in the e820. */
#define KEEL_SPECIAL_CONSOLE 0
#define KEEL_SPECIAL_XENSTORE 1
#define KEEL_SPECIAL_ACPI 2
#define KEEL_SPECIAL_ACPI_PAGES 6
#define KEEL_SPECIAL_PAGES 8
/* start_info + modlist + memmap page, then the command-line page. */
#define KEEL_BOOTINFO_PAGES 2
/* Highest guest RAM Keel lays out without a PCI hole. */
#define KEEL_MAX_GUEST_MIB 3072UL
#define KEEL_MAX_E820 8

struct keel_build {
	/* IN */
	domid_t domid;
	uint64_t mem_pages;
	unsigned vcpus, maxvcpus;
	const struct keel_kernel *kernel;
	const uint8_t *ramdisk;
	size_t ramdisk_len;
	const char *cmdline;
	/* OUT: the layout, for callers and tests */
	uint64_t bootinfo_paddr; /* hvm_start_info */
	uint64_t cmdline_paddr;
	uint64_t ramdisk_paddr;
	uint64_t special_pfn; /* first special page */
	uint64_t acpi_paddr; /* RSDP */
	xen_pfn_t console_pfn, store_pfn;
	evtchn_port_t console_port, store_port;
	struct keel_e820_entry e820[KEEL_MAX_E820];
	unsigned nr_e820;
};

/* Everything from an empty, paused domain to vCPU 0 ready at the PVH entry. */
int keel_build_pvh(struct keel_ctl *k, struct keel_build *b);
/* The layout only (no hypercalls): fails with a message if it cannot fit. */
int keel_build_layout(struct keel_ctl *k, struct keel_build *b);

/* ---- domains (domain.c) */

struct keel_create_opts {
	bool paused; /* leave it paused (xl create -p) */
	const char *config_text; /* saved for restarts; may be NULL */
	size_t config_len;
	const char *config_name;
	const char *const *overrides;
	size_t nr_overrides;
};

/* Creates and starts a domain from a checked config; *domid on success. */
int keel_domain_create(struct keel_ctl *k, struct keel_domain_config *c,
		       const struct keel_create_opts *o, domid_t *domid);
/* Re-creates a domain from the config saved when it was created. */
int keel_domain_recreate(struct keel_ctl *k, domid_t old, domid_t *domid);
int keel_domain_destroy(struct keel_ctl *k, domid_t dom);
/* "poweroff" or "reboot" into control/shutdown, as xl does. */
int keel_domain_shutdown(struct keel_ctl *k, domid_t dom, const char *how);
int keel_domain_pause(struct keel_ctl *k, domid_t dom, bool pause);
int keel_domain_rename(struct keel_ctl *k, domid_t dom, const char *name);
int keel_domain_set_memmax(struct keel_ctl *k, domid_t dom, uint64_t kib);
int keel_domain_set_memtarget(struct keel_ctl *k, domid_t dom, uint64_t kib);
int keel_domain_set_vcpus(struct keel_ctl *k, domid_t dom, unsigned n);
int keel_vcpu_pin(struct keel_ctl *k, domid_t dom, unsigned vcpu,
		  const struct keel_cpumap *map);
int keel_sched_credit(struct keel_ctl *k, domid_t dom, bool set,
		      struct xen_domctl_sched_credit *c);

/* Name lookups: "Domain-0" for dom0 without a name in the store. *name malloc'ed. */
int keel_domain_name(struct keel_ctl *k, domid_t dom, char **name);
/* A domain given as a name or a number; fails with a message if unknown. */
int keel_domain_lookup(struct keel_ctl *k, const char *spec, domid_t *dom);

/* ---- output in xl's formats (format.c) */

struct keel_list_row {
	const char *name;
	const struct xen_domctl_getdomaininfo *info;
};
void keel_format_list_header(FILE *f);
void keel_format_list_row(FILE *f, const struct keel_list_row *r);
/* xl's six state letters, "r-----"; buf[7]. */
void keel_format_state(const struct xen_domctl_getdomaininfo *info, char buf[7]);
int keel_print_list(struct keel_ctl *k, FILE *f, bool json,
		    const domid_t *doms, size_t n);
int keel_print_info(struct keel_ctl *k, FILE *f);
int keel_print_vcpu_list(struct keel_ctl *k, FILE *f, const domid_t *doms,
			 size_t n);
int keel_print_uptime(struct keel_ctl *k, FILE *f, const domid_t *doms,
		      size_t n);

/* ---- hot-plugged disks and network interfaces (hotplug.c) */

/* Writes the device's frontend and backend trees (the same as at create)
 * in one transaction, and adds it to the domain's saved config so a
 * restart brings it back. Refuses a vdev or devid already in use, and a
 * MAC any interface on the host already has. */
int keel_disk_attach(struct keel_ctl *k, domid_t dom, const struct keel_disk *disk);
/* vif->devid (if not devid_set: one past the highest in use) and vif->mac
 * (if not mac_set: generated under 00:16:3e) are filled in. */
int keel_vif_attach(struct keel_ctl *k, domid_t dom, struct keel_vif *vif);

struct keel_detach_opts {
	bool force;		/* remove without asking the guest (xl -f) */
	unsigned timeout_ms;	/* for the frontend to close */
};
#define KEEL_DETACH_TIMEOUT_MS 10000

/* As xl does: backend online=0, state=5 (Closing); waits until the
 * frontend is Closed (6), gone, or never connected; then removes both
 * directories and drops the device from the saved config. @which is a
 * vdev ("xvdb") or a device number ("51728"); for vifs a devid or a MAC. */
int keel_disk_detach(struct keel_ctl *k, domid_t dom, const char *which,
		     const struct keel_detach_opts *o);
int keel_vif_detach(struct keel_ctl *k, domid_t dom, const char *which,
		    const struct keel_detach_opts *o);
/* xl block-list / network-list: the frontends' view, -1 for what is not
 * (yet) there. */
int keel_print_block_list(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n);
int keel_print_network_list(struct keel_ctl *k, FILE *f, const domid_t *doms, size_t n);

/* ---- lifecycle (lifecycle.c) */

enum keel_shutdown_reason {
	KEEL_SHUTDOWN_poweroff = 0,
	KEEL_SHUTDOWN_reboot = 1,
	KEEL_SHUTDOWN_suspend = 2,
	KEEL_SHUTDOWN_crash = 3,
	KEEL_SHUTDOWN_watchdog = 4,
	KEEL_SHUTDOWN_soft_reset = 5,
};

/* On VIRQ_DOM_EXC: every domain that shut down gets its on_* action once.
 * Logs each action to log. Returns how many domains were handled. */
int keel_lifecycle_scan(struct keel_ctl *k, FILE *log);

/* ---- PV console ring (console.c) */

struct keel_cons_ring {
	char in[1024];
	char out[2048];
	uint32_t in_cons, in_prod;
	uint32_t out_cons, out_prod;
};
_Static_assert(sizeof(struct keel_cons_ring) == 3088, "xencons_interface size");

/* Copies what the guest produced into buf (at most len bytes); returns the
 * count, or -EIO if the indexes are impossible (then the ring is reset to
 * empty so a misbehaving guest cannot wedge its reader). */
int keel_cons_read(volatile struct keel_cons_ring *r, char *buf, size_t len);
/* Queues input for the guest; returns bytes queued (may be fewer). */
size_t keel_cons_write(volatile struct keel_cons_ring *r, const char *buf,
		       size_t len);

/* ---- store paths and saved state (store.c) */

int keel_store_write_domain(struct keel_ctl *k, domid_t dom,
			    const struct keel_domain_config *c,
			    const struct keel_build *b);
int keel_store_remove_domain(struct keel_ctl *k, domid_t dom);
/* /libkeel/D/KEY, malloc'ed. */
int keel_store_get(struct keel_ctl *k, domid_t dom, const char *key,
		   char **val);
int keel_store_set(struct keel_ctl *k, domid_t dom, const char *key,
		   const char *val);
/* The domain holding name, or -ENOENT. */
int keel_store_find_name(struct keel_ctl *k, const char *name, domid_t *dom);

#endif /* KEELCTRL_H */
