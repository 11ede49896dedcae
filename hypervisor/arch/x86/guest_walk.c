// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest page-table walks: turn a guest linear address into a guest-physical
 * one under whichever paging mode the vCPU is in (none, 32-bit, PAE, 4-level).
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/arch.h>
#include <keel/guest_access.h>
#include <asm/boot.h>
#include <asm/svm.h>

#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define ADDR_MASK_64 0x000ffffffffff000ULL

static int read_entry(struct domain *d, u64 gpa, u64 *e, bool wide)
{
	u32 narrow;

	if (wide)
		return copy_from_guest_phys(d, e, gpa, 8);
	if (copy_from_guest_phys(d, &narrow, gpa, 4))
		return -EFAULT;
	*e = narrow;
	return 0;
}

int arch_gva_to_gpa(struct vcpu *v, gvaddr_t gva, bool write, gpaddr_t *gpa, bool *writable)
{
	struct vmcb *vmcb = v->arch.vmcb;
	struct domain *d = v->domain;
	u64 e, table;
	int levels, shift;
	bool wide, rw = true;

	if (writable)
		*writable = true;
	if (!(vmcb->save.cr0 & X86_CR0_PG)) {
		*gpa = (vmcb->save.efer & EFER_LMA) ? gva : (u32)gva;
		return 0;
	}
	if (vmcb->save.efer & EFER_LMA) {
		/* non-canonical addresses never translate */
		if ((u64)((s64)(gva << 16) >> 16) != gva)
			return -EFAULT;
		table = vmcb->save.cr3 & ADDR_MASK_64;
		levels = 4;
		wide = true;
	} else if (vmcb->save.cr4 & X86_CR4_PAE) {
		gva = (u32)gva;
		if (read_entry(d, (vmcb->save.cr3 & 0xffffffe0) + ((gva >> 30) & 3) * 8, &e, true))
			return -EFAULT;
		if (!(e & PTE_P))
			return -EFAULT;
		table = e & ADDR_MASK_64;
		levels = 2;
		wide = true;
	} else {
		gva = (u32)gva;
		table = vmcb->save.cr3 & 0xfffff000;
		levels = 2;
		wide = false;
	}

	for (int l = levels; l >= 1; l--) {
		shift = wide ? 12 + 9 * (l - 1) : 12 + 10 * (l - 1);
		u64 index = (gva >> shift) & (wide ? 511 : 1023);

		if (read_entry(d, table + index * (wide ? 8 : 4), &e, wide))
			return -EFAULT;
		rw = rw && (e & PTE_RW);
		if (!(e & PTE_P) || (write && !rw))
			return -EFAULT;
		if (l > 1 && (e & PTE_PS)) {
			u64 span = 1ULL << shift;
			u64 base;

			if (!wide && !(vmcb->save.cr4 & X86_CR4_PSE))
				goto table_entry;
			if (wide && l > 3)
				return -EFAULT; /* no 512 GiB pages */
			if (wide) {
				base = e & ADDR_MASK_64 & ~(span - 1);
			} else {
				/* 4 MiB page: bits 20:13 extend the address above 4 GiB */
				base = (e & 0xffc00000ULL) | ((e & 0x1fe000ULL) << 19);
			}
			*gpa = base | (gva & (span - 1));
			if (writable)
				*writable = rw;
			return 0;
		}
table_entry:
		table = wide ? (e & ADDR_MASK_64) : (e & 0xfffff000);
	}
	*gpa = table | (gva & 0xfff);
	if (writable)
		*writable = rw;
	return 0;
}
