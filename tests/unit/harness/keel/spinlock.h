/* SPDX-License-Identifier: GPL-2.0-only */
/* Host stand-in for <keel/spinlock.h>: unit tests are single-threaded. */
#ifndef KEEL_SPINLOCK_H
#define KEEL_SPINLOCK_H

typedef struct {
	int held;
} spinlock_t;

#define SPINLOCK_INIT { 0 }
static inline void spin_lock_init(spinlock_t *l) { l->held = 0; }
static inline void spin_lock(spinlock_t *l) { l->held = 1; }
static inline void spin_unlock(spinlock_t *l) { l->held = 0; }
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	l->held = 1;
	return 0;
}
static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long f)
{
	(void)f;
	l->held = 0;
}

#endif
