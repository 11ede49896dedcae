/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between generic hypervisor code (common/) and architecture
 * code (arch/<arch>/). Generic code reaches the architecture only through the
 * functions declared here; each architecture implements all of them.
 */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/types.h>

struct domain;
struct vcpu;
struct boot_info;

/* Write one byte to the debug console port (port 0xE9 on x86). */
void arch_debugcon_putc(char c);

/* Nanoseconds since the hypervisor started; monotonic, same on every CPU. */
u64 arch_now_ns(void);
/* UTC seconds at arch_now_ns() == 0 (from the platform clock at boot). */
u64 arch_boot_wallclock(u32 *nsec);

/* Machine-wide power actions; they do not return. */
__attribute__((noreturn)) void arch_machine_poweroff(void);
__attribute__((noreturn)) void arch_machine_reboot(void);
/* Stop for good; `why` is one of KEEL_HALT_* (keel/setup.h). */
__attribute__((noreturn)) void arch_machine_halt(unsigned int why);

/* This CPU's number, its idle step (wait for an interrupt), a kick to
 * another CPU, and a busy delay. */
#define ARCH_MAX_CPUS 64
unsigned int arch_cpu_id(void);
/* CPUs online (numbered 0..n-1), and their clock in kHz. */
unsigned int arch_nr_cpus(void);
u64 arch_cpu_khz(void);
void arch_idle(void);
void arch_kick_cpu(unsigned int cpu);
void arch_delay_ns(u64 ns);
/* Spin-wait hint (PAUSE on x86). */
void arch_cpu_relax(void);
/* Interrupt this CPU at system time `deadline_ns` (one-shot). */
void arch_timer_program(u64 deadline_ns);
void arch_irq_disable(void);

/* Per-domain and per-vCPU architecture state (VMCB, nested page tables). */
int arch_domain_create(struct domain *d);
void arch_domain_destroy(struct domain *d);
int arch_p2m_init(struct domain *d);
void arch_p2m_destroy(struct domain *d);
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
/* Start the vCPU at a PVH entry point: 32-bit flat protected mode, EBX =
 * start info (xen-pvh-abi.md §1.2). */
void arch_vcpu_set_pvh_entry(struct vcpu *v, u32 entry, u32 ebx);
/* Does the vCPU have an interrupt or event it could take (HLT wake-up)? */
bool arch_vcpu_has_pending_event(struct vcpu *v);
/* An NMI is waiting: the one event that ends a HLT with interrupts off. */
bool arch_vcpu_has_nmi(struct vcpu *v);
/* Print the vCPU's architectural state (used in crash reports). */
void arch_vcpu_dump(struct vcpu *v);
/* Run the vCPU until something needs the scheduler; returns to the caller. */
void arch_vcpu_run(struct vcpu *v);
/* Fill the vCPU's pvclock in the vcpu_info the guest sees. */
void arch_update_vcpu_time(struct vcpu *v);

/*
 * Guest-physical memory map of a domain (nested page tables). Types say what
 * backs a guest frame; copies to and from guests accept only P2M_RAM (and the
 * hypervisor pages mapped into a guest, like shared_info).
 */
enum p2m_type {
	P2M_INVALID = 0,
	P2M_RAM = 1,
	P2M_MMIO = 2,
	P2M_SHARED_INFO = 3,
	P2M_GRANT = 4,
	P2M_FOREIGN = 5,
	/* A grant mapped read-only: the guest must not be able to write it. */
	P2M_GRANT_RO = 6,
};
int arch_p2m_map(struct domain *d, u64 gfn, paddr_t hpa, u64 nr_pages, enum p2m_type t);
int arch_p2m_unmap(struct domain *d, u64 gfn, u64 nr_pages);
/*
 * Visit every leaf of d's p2m (nr = 1 or 512 pages from gfn/hpa); when the
 * callback returns true the leaf is removed (and the domain's TLBs flushed
 * once at the end). Runs under the p2m lock: the callback must not map or
 * unmap in d.
 */
typedef bool (*p2m_walk_fn)(void *ctx, u64 gfn, paddr_t hpa, u64 nr, enum p2m_type t);
void arch_p2m_walk(struct domain *d, p2m_walk_fn cb, void *ctx);
/* Host address backing gfn, or PADDR_INVALID; *t receives the type. */
paddr_t arch_p2m_lookup(struct domain *d, u64 gfn, enum p2m_type *t);

/* Guest virtual (linear, under the vCPU's current paging mode) to guest
 * physical; -EFAULT when not mapped with the access asked for. *writable
 * (if not NULL) says whether a write would have been allowed too. */
int arch_gva_to_gpa(struct vcpu *v, gvaddr_t gva, bool write, gpaddr_t *gpa, bool *writable);

#endif
