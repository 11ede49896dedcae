// SPDX-License-Identifier: GPL-2.0-only
/*
 * The #VMEXIT dispatcher. Every exit either completes the instruction the
 * guest ran, injects the fault hardware would have raised, or crashes the
 * domain with a report that says why — never the hypervisor.
 */
#include <keel/lib.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <public/sched.h>
#include <asm/processor.h>
#include <asm/svm.h>
#include <asm/vmexit.h>
#include <asm/bootinfo.h>
#include <keel/arch.h>

static const u8 op_cpuid[] = { 0x0f, 0xa2 };
static const u8 op_vmmcall[] = { 0x0f, 0x01, 0xd9 };
static const u8 op_rdmsr[] = { 0x0f, 0x32 };
static const u8 op_wrmsr[] = { 0x0f, 0x30 };
static const u8 op_hlt[] = { 0xf4 };
static const u8 op_invd[] = { 0x0f, 0x08 };

void svm_inject_exception(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	u64 ev = EVENTINJ_VALID | EVENTINJ_TYPE_EXCEPTION | vector;

	if (has_error)
		ev |= EVENTINJ_ERROR_VALID | ((u64)error << 32);
	v->arch.vmcb->control.event_inj = ev;
}

static void handle_cpuid(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	u32 out[4];

	guest_cpuid(v, (u32)vmcb->save.rax, (u32)v->arch.regs.rcx, out);
	if (!svm_skip_insn(v, op_cpuid, sizeof(op_cpuid), "CPUID"))
		return;
	vmcb->save.rax = out[0];
	v->arch.regs.rbx = out[1];
	v->arch.regs.rcx = out[2];
	v->arch.regs.rdx = out[3];
}

static void handle_vmmcall(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	struct guest_regs *r = &v->arch.regs;
	u64 nr = vmcb->save.rax;
	u64 rip = vmcb->save.rip;
	long ret;

	if (!svm_skip_insn(v, op_vmmcall, sizeof(op_vmmcall), "VMMCALL"))
		return;
	if (vmcb->save.cpl != 0) {
		/* only the guest kernel may call the hypervisor */
		vmcb->save.rax = (u64)-EPERM;
		return;
	}
	if (!(vmcb->save.efer & EFER_LMA) || !(vmcb->save.cs.attrib & (1 << 9))) {
		/* 32-bit callers pass arguments in EBX, ECX, EDX, ESI, EDI */
		v->arch.hcall_32bit = true;
		ret = hypercall_dispatch(v, (u32)nr, (u32)r->rbx, (u32)r->rcx, (u32)r->rdx,
					 (u32)r->rsi, (u32)r->rdi);
		if (ret == HYPERCALL_RESTART) {
			vmcb->save.rip = rip;
			return;
		}
		vmcb->save.rax = (u32)ret;
		return;
	}
	v->arch.hcall_32bit = false;
	ret = hypercall_dispatch(v, nr, r->rdi, r->rsi, r->rdx, r->r10, r->r8);
	if (ret == HYPERCALL_RESTART) {
		vmcb->save.rip = rip; /* RAX still holds the call number */
		return;
	}
	vmcb->save.rax = (u64)ret;
}

void hypercall_set_arg(struct vcpu *v, unsigned int idx, u64 value)
{
	struct guest_regs *r = &v->arch.regs;
	u64 *regs64[] = { &r->rdi, &r->rsi, &r->rdx, &r->r10, &r->r8 };
	u64 *regs32[] = { &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi };

	if (idx < ARRAY_SIZE(regs64))
		*(v->arch.hcall_32bit ? regs32 : regs64)[idx] = value;
}

static void handle_msr(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	u32 msr = (u32)v->arch.regs.rcx;
	bool write = vmcb->control.exit_info_1 == 1;

	if (write) {
		u64 val = ((v->arch.regs.rdx & 0xffffffff) << 32) | (vmcb->save.rax & 0xffffffff);

		if (guest_wrmsr(v, msr, val)) {
			pr_debug("d%uv%u: wrmsr %#x = %#llx: not emulated, #GP\n",
				 v->domain->domid, v->vcpu_id, msr, val);
			svm_inject_gp(v);
			return;
		}
		svm_skip_insn(v, op_wrmsr, sizeof(op_wrmsr), "WRMSR");
	} else {
		u64 val;

		if (guest_rdmsr(v, msr, &val)) {
			pr_debug("d%uv%u: rdmsr %#x: not emulated, #GP\n",
				 v->domain->domid, v->vcpu_id, msr);
			svm_inject_gp(v);
			return;
		}
		if (!svm_skip_insn(v, op_rdmsr, sizeof(op_rdmsr), "RDMSR"))
			return;
		vmcb->save.rax = (u32)val;
		v->arch.regs.rdx = val >> 32;
	}
}

static void handle_ioio(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	u64 info = vmcb->control.exit_info_1;
	u16 port = info >> 16;
	bool in = info & 1;
	unsigned int size = (info & (1 << 4)) ? 1 : (info & (1 << 5)) ? 2 : 4;
	u32 val;

	if (info & (1 << 2)) {
		domain_crash(v->domain, v, "string I/O (INS/OUTS) to trapped port %#x is not emulated",
			     port);
		return;
	}
	val = in ? 0 : (u32)vmcb->save.rax;
	if (guest_io(v, port, size, in, &val))
		return;
	if (in) {
		u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;

		/* a 32-bit IN zero-extends into RAX; narrower ones merge */
		if (size == 4)
			vmcb->save.rax = val;
		else
			vmcb->save.rax = (vmcb->save.rax & ~mask) | (val & mask);
	}
	vmcb->save.rip = vmcb->control.exit_info_2; /* next RIP, even without NRIPS */
}

static void handle_hlt(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;

	if (!svm_skip_insn(v, op_hlt, sizeof(op_hlt), "HLT"))
		return;
	vcpu_block_on_hlt(v, vmcb->save.rflags & (1 << 9));
}

static const char *npf_access(u64 err)
{
	if (err & (1 << 4))
		return "instruction fetch";
	return (err & (1 << 1)) ? "write" : "read";
}

/*
 * dom0 owns the machine's devices: the first touch of guest-physical memory
 * that is neither RAM nor the local APIC maps it 1:1 (uncached) and retries.
 */
static bool dom0_map_device_memory(struct domain *d, u64 gpa)
{
	u64 page = gpa & ~0xfffULL;

	if (!d->is_privileged || e820_is_ram_range(page, page + 0x1000) ||
	    (page >= 0xfee00000ULL && page < 0xfef00000ULL))
		return false;
	return arch_p2m_map(d, page >> 12, page, 1, P2M_MMIO) == 0;
}

/* The first eight ports a domain traps on, with their counts. */
static void count_port(struct domain *d, u16 port)
{
	u32 key = (u32)port + 1;

	for (unsigned int i = 0; i < ARRAY_SIZE(d->io_port_count); i++) {
		u32 seen = 0;

		if (__atomic_compare_exchange_n(&d->io_port_count[i].key, &seen, key, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
		    seen == key) {
			__atomic_fetch_add(&d->io_port_count[i].n, 1, __ATOMIC_RELAXED);
			return;
		}
	}
}

static void count_exit(struct vcpu *v, u64 code)
{
	struct domain *d = v->domain;
	enum exit_kind kind;

	switch (code) {
	case VMEXIT_VINTR:
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_SMI: kind = EXIT_INTR; break;
	case VMEXIT_VMMCALL:
		kind = EXIT_HYPERCALL;
		if (v->arch.vmcb->save.rax < HYPERCALL_COUNTED)
			__atomic_fetch_add(&d->hypercall_count[v->arch.vmcb->save.rax], 1,
					   __ATOMIC_RELAXED);
		break;
	case VMEXIT_MSR: kind = EXIT_MSR; break;
	case VMEXIT_IOIO:
		kind = EXIT_IO;
		count_port(d, (u16)(v->arch.vmcb->control.exit_info_1 >> 16));
		break;
	case VMEXIT_HLT: kind = EXIT_HLT; break;
	case VMEXIT_NPF: kind = EXIT_NPF; break;
	default: kind = EXIT_OTHER; break;
	}
	__atomic_fetch_add(&d->exit_count[kind], 1, __ATOMIC_RELAXED);
}

void svm_handle_exit(struct vcpu *v)
{
	struct vmcb *vmcb = v->arch.vmcb;
	u64 code = vmcb->control.exit_code;

	count_exit(v, code);
	switch (code) {
	case VMEXIT_VINTR: /* the interrupt window opened: inject_pending acts */
	case VMEXIT_INTR:
	case VMEXIT_NMI:
	case VMEXIT_SMI:
		break; /* the host took it when GIF was set again */
	case VMEXIT_CPUID:
		handle_cpuid(v);
		break;
	case VMEXIT_VMMCALL:
		handle_vmmcall(v);
		break;
	case VMEXIT_MSR:
		handle_msr(v);
		break;
	case VMEXIT_IOIO:
		handle_ioio(v);
		break;
	case VMEXIT_HLT:
		handle_hlt(v);
		break;
	case VMEXIT_INVD:
		/* INVD would drop dirty lines of memory the guest shares */
		__asm__ volatile("wbinvd" ::: "memory");
		svm_skip_insn(v, op_invd, sizeof(op_invd), "INVD");
		break;
	case VMEXIT_VMRUN:
	case VMEXIT_VMLOAD:
	case VMEXIT_VMSAVE:
	case VMEXIT_STGI:
	case VMEXIT_CLGI:
	case VMEXIT_SKINIT:
	case VMEXIT_INVLPGA:
	case VMEXIT_MONITOR:
	case VMEXIT_MWAIT:
		svm_inject_ud(v); /* not offered to guests (hidden in CPUID) */
		break;
	case VMEXIT_ICEBP:
		svm_inject_exception(v, 1, false, 0);
		break;
	case VMEXIT_SHUTDOWN:
		domain_crash(v->domain, v, "triple fault (shutdown #VMEXIT)");
		break;
	case VMEXIT_NPF:
		if (dom0_map_device_memory(v->domain, vmcb->control.exit_info_2))
			break;
		domain_crash(v->domain, v,
			     "%s of guest-physical address %#llx, which is not mapped (NPF error %#llx)",
			     npf_access(vmcb->control.exit_info_1), vmcb->control.exit_info_2,
			     vmcb->control.exit_info_1);
		break;
	case VMEXIT_TASK_SWITCH:
		domain_crash(v->domain, v, "hardware task switch, which is not supported");
		break;
	case VMEXIT_INVALID:
		domain_crash(v->domain, v, "VMRUN refused the guest state (VMEXIT_INVALID)");
		break;
	default:
		domain_crash(v->domain, v, "unhandled #VMEXIT %#llx (info1 %#llx, info2 %#llx)",
			     code, vmcb->control.exit_info_1, vmcb->control.exit_info_2);
		break;
	}
}
