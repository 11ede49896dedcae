/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the hypervisor's <keel/lib.h>: generic hypervisor code is
 * compiled unchanged against libc, printk goes to stderr, panic aborts.
 */
#ifndef KEEL_LIB_H
#define KEEL_LIB_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <keel/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __packed __attribute__((packed))
#define __aligned(n) __attribute__((aligned(n)))
#define __noreturn __attribute__((noreturn))
#define __printf(a, b) __attribute__((format(printf, a, b)))

size_t strlcpy(char *dst, const char *src, size_t size);

#define LOG_ERR 0
#define LOG_WARN 1
#define LOG_INFO 2
#define LOG_DEBUG 3

/* Messages are kept so tests can assert on what the code reported. */
void printk(const char *fmt, ...) __printf(1, 2);
void printk_level(int level, const char *fmt, ...) __printf(2, 3);
#define pr_err(...) printk_level(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk_level(LOG_WARN, __VA_ARGS__)
#define pr_info(...) printk_level(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk_level(LOG_DEBUG, __VA_ARGS__)
/* The last message printk'd (truncated to 1 KiB), for assertions. */
extern char harness_last_printk[1024];

__noreturn void panic(const char *fmt, ...) __printf(1, 2);
#define BUG_ON(cond)                                                  \
	do {                                                          \
		if (unlikely(cond))                                   \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, \
			      __LINE__);                              \
	} while (0)

#endif
