// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instruction lengths for intercepted instructions. QEMU's SVM has no NRIPS
 * (qemu-tcg-notes.md), so RIP is advanced by decoding the bytes at the
 * guest's RIP: legacy prefixes, REX, then the expected opcode.
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <asm/boot.h>
#include <asm/svm.h>
#include <asm/vmexit.h>

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

int insn_length_at_rip(struct vcpu *v, const u8 *op, unsigned int op_len)
{
	struct vmcb *vmcb = v->arch.vmcb;
	bool long64 = (vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & (1 << 9));
	u64 rip = vmcb->save.rip + (long64 ? 0 : vmcb->save.cs.base);
	u8 bytes[15];
	unsigned int i = 0;

	if (!long64)
		rip = (u32)rip;
	/* Read byte by byte: the instruction may end right before an unmapped page. */
	for (unsigned int n = 0; n < sizeof(bytes); n++) {
		if (copy_from_guest(v, &bytes[n], rip + n, 1)) {
			if (n == 0)
				return -EFAULT;
			memset(&bytes[n], 0, sizeof(bytes) - n);
			break;
		}
	}
	while (i < sizeof(bytes) && is_legacy_prefix(bytes[i]))
		i++;
	if (long64 && i < sizeof(bytes) && (bytes[i] & 0xf0) == 0x40)
		i++;
	if (i + op_len > sizeof(bytes) || memcmp(&bytes[i], op, op_len))
		return -EINVAL;
	return i + op_len;
}

bool svm_skip_insn(struct vcpu *v, const u8 *op, unsigned int op_len, const char *what)
{
	struct vmcb *vmcb = v->arch.vmcb;
	int len;

	if (svm_caps.features & SVM_FEATURE_NRIPS) {
		vmcb->save.rip = vmcb->control.next_rip;
		return true;
	}
	len = insn_length_at_rip(v, op, op_len);
	if (len < 0) {
		domain_crash(v->domain, v, "%s exit, but the instruction at RIP %#llx is %s",
			     what, vmcb->save.rip,
			     len == -EFAULT ? "unreadable" : "not that instruction");
		return false;
	}
	vmcb->save.rip += len;
	return true;
}
