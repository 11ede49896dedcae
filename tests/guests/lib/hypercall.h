/* SPDX-License-Identifier: MIT */
/* Xen hypercalls from a 64-bit PVH guest on AMD: RAX = number, RDI RSI RDX R10 R8, VMMCALL. */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

/*
 * The argument registers are declared as outputs too: Xen may rewrite them
 * for continuations, and a test guest should not depend on their survival
 * (the errors guest checks register preservation on purpose instead).
 */
static inline long hypercall5(unsigned long nr, unsigned long a1,
			      unsigned long a2, unsigned long a3,
			      unsigned long a4, unsigned long a5)
{
	register unsigned long r10 asm("r10") = a4;
	register unsigned long r8 asm("r8") = a5;
	long ret;

	asm volatile(".byte 0x0f, 0x01, 0xd9" /* vmmcall */
		     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
		       "+r"(r8)
		     : "0"(nr)
		     : "memory");
	return ret;
}

static inline long hypercall1(unsigned long nr, unsigned long a1)
{
	return hypercall5(nr, a1, 0, 0, 0, 0);
}

static inline long hypercall2(unsigned long nr, unsigned long a1,
			      unsigned long a2)
{
	return hypercall5(nr, a1, a2, 0, 0, 0);
}

static inline long hypercall3(unsigned long nr, unsigned long a1,
			      unsigned long a2, unsigned long a3)
{
	return hypercall5(nr, a1, a2, a3, 0, 0);
}

static inline long hypercall4(unsigned long nr, unsigned long a1,
			      unsigned long a2, unsigned long a3,
			      unsigned long a4)
{
	return hypercall5(nr, a1, a2, a3, a4, 0);
}

#endif
