/* SPDX-License-Identifier: GPL-2.0-only */
/* Handling of #VMEXITs and the emulation pieces they use. */
#ifndef ASM_VMEXIT_H
#define ASM_VMEXIT_H

#include <keel/types.h>

struct vcpu;
struct domain;

void svm_handle_exit(struct vcpu *v);
void svm_print_features(void);
int svm_domain_maps_init(struct domain *d);
void svm_domain_maps_free(struct domain *d);
/* Force every vCPU of d running on another CPU out of the guest, and wait. */
void svm_sync_domain_exits(struct domain *d);

void arch_vcpu_set_real_mode_entry(struct vcpu *v, u8 vector);

/* Inject an exception into the guest at its next entry. */
void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error);
#define svm_inject_gp(v) svm_inject_exception((v), 13, true, 0)
#define svm_inject_ud(v) svm_inject_exception((v), 6, false, 0)

/* Length of the instruction at the guest's RIP if it is `op` (after any
 * prefixes), else a negative errno. */
int insn_length_at_rip(struct vcpu *v, const u8 *op, unsigned int op_len);
/* Advance RIP past the instruction that caused this exit. */
bool svm_skip_insn(struct vcpu *v, const u8 *op, unsigned int op_len, const char *what);

/* Guest CPUID and MSR emulation. */
void guest_cpuid(struct vcpu *v, u32 leaf, u32 subleaf, u32 out[4]);
/* 0 on success, -1 to inject #GP. */
int guest_rdmsr(struct vcpu *v, u32 msr, u64 *val);
int guest_wrmsr(struct vcpu *v, u32 msr, u64 val);

/* Port I/O from a guest: 0 handled, -1 to crash the domain. */
int guest_io(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);

#endif
