/* SPDX-License-Identifier: GPL-2.0-only */
/* Basic fixed-width types shared by all hypervisor code (and host unit tests). */
#ifndef KEEL_TYPES_H
#define KEEL_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;

typedef u64 paddr_t; /* host physical address */
typedef u64 gpaddr_t; /* guest physical address */
typedef u64 gvaddr_t; /* guest virtual (linear) address */

#define PADDR_INVALID (~(paddr_t)0)

#endif
