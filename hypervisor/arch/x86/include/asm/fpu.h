/* SPDX-License-Identifier: GPL-2.0-only */
/* Saving and loading a vCPU's FPU/SSE/AVX registers and XCR0 (arch/x86/fpu.c). */
#ifndef ASM_FPU_H
#define ASM_FPU_H

struct vcpu;

/* On every CPU at bring-up: enable FXSR/XSAVE for the hypervisor's use. */
void fpu_cpu_init(void);
/* A vCPU's save area, in its reset state. */
int fpu_vcpu_init(struct vcpu *v);
void fpu_vcpu_destroy(struct vcpu *v);
/* Before running v on this CPU; after it stops running here. */
void fpu_load(struct vcpu *v);
void fpu_save(struct vcpu *v);

#endif
