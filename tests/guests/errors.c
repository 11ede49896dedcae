// SPDX-License-Identifier: MIT
/*
 * errors: the hypercall dispatcher's edges: unknown numbers, a hypercall from
 * CPL 3, unknown sched_op commands, yield, and which registers survive.
 */
#include <public/sched.h>
#include <public/version.h>

#include "guest.h"

static uint8_t user_stack[4096] __aligned(16);

/* CPL 3: xen_version(XENVER_version), then back to ring 0 with RAX. */
extern const uint8_t user_xen_version[];
asm(".pushsection .text\n"
    "user_xen_version:\n"
    "	movl $17, %eax\n" /* __HYPERVISOR_xen_version */
    "	xorl %edi, %edi\n" /* XENVER_version */
    "	xorl %esi, %esi\n"
    "	.byte 0x0f, 0x01, 0xd9\n" /* vmmcall */
    "	int $0x80\n" /* USER_RETURN_VECTOR */
    ".popsection");

/*
 * xen_version(XENVER_version) with a pattern in every register that is not a
 * hypercall argument; stores what they hold afterwards into out[9].
 */
long hypercall_with_patterns(uint64_t *out);
asm(".pushsection .text\n"
    "hypercall_with_patterns:\n"
    "	pushq %rbx\n	pushq %rbp\n	pushq %r12\n	pushq %r13\n"
    "	pushq %r14\n	pushq %r15\n	pushq %rdi\n"
    "	movabsq $0x1111111111111111, %rbx\n"
    "	movabsq $0x2222222222222222, %rcx\n"
    "	movabsq $0x3333333333333333, %rbp\n"
    "	movabsq $0x4444444444444444, %r9\n"
    "	movabsq $0x5555555555555555, %r11\n"
    "	movabsq $0x6666666666666666, %r12\n"
    "	movabsq $0x7777777777777777, %r13\n"
    "	movabsq $0x8888888888888888, %r14\n"
    "	movabsq $0x9999999999999999, %r15\n"
    "	xorl %edi, %edi\n	xorl %esi, %esi\n	movl $17, %eax\n"
    "	.byte 0x0f, 0x01, 0xd9\n"
    "	popq %rdi\n"
    "	movq %rbx, 0(%rdi)\n	movq %rcx, 8(%rdi)\n	movq %rbp, 16(%rdi)\n"
    "	movq %r9, 24(%rdi)\n	movq %r11, 32(%rdi)\n	movq %r12, 40(%rdi)\n"
    "	movq %r13, 48(%rdi)\n	movq %r14, 56(%rdi)\n	movq %r15, 64(%rdi)\n"
    "	popq %r15\n	popq %r14\n	popq %r13\n	popq %r12\n"
    "	popq %rbp\n	popq %rbx\n"
    "	ret\n"
    ".popsection");

static void check_unknown_hypercalls(void)
{
	static const unsigned long numbers[] = { 5, 43, 63, 64, 1000,
						 0xffffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(numbers); i++) {
		long rc = hypercall5(numbers[i], 0, 0, 0, 0, 0);

		if (rc != -ENOSYS)
			printf("hypercall %#lx returned %ld\n", numbers[i], rc);
		check_eq(rc, -ENOSYS, "unknown hypercall number");
	}
}

static void check_preserved_registers(void)
{
	static const char *const names[] = { "rbx", "rcx", "rbp", "r9", "r11",
					     "r12", "r13", "r14", "r15" };
	uint64_t out[ARRAY_SIZE(names)];
	unsigned int i, changed = 0;

	check_eq(hypercall_with_patterns(out), 0x00040011,
		 "xen_version with patterned registers");
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		uint64_t want = 0x1111111111111111ULL * (i + 1);

		if (out[i] != want) {
			printf("%s changed: %#llx\n", names[i],
			       (unsigned long long)out[i]);
			changed++;
		}
	}
	check_eq(changed, 0,
		 "a hypercall changes no register but RAX and its arguments");
}

void test_main(void)
{
	long rc;

	check_unknown_hypercalls();

	rc = usermode_call((void (*)(void))user_xen_version,
			   user_stack + sizeof(user_stack));
	check_eq(rc, -EPERM, "hypercall from CPL 3");

	check_eq(hypercall2(__HYPERVISOR_sched_op, 99, 0), -ENOSYS,
		 "unknown sched_op command");
	check_eq(hypercall2(__HYPERVISOR_sched_op, SCHEDOP_yield, 0), 0,
		 "SCHEDOP_yield");

	check_preserved_registers();
}
