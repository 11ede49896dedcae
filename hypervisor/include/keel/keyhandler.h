/* SPDX-License-Identifier: GPL-2.0-only */
/* Debug keys on the serial console (Ctrl-A x3 switches input to Keel). */
#ifndef KEEL_KEYHANDLER_H
#define KEEL_KEYHANDLER_H

#include <keel/types.h>

/* Feed one input byte; true if Keel consumed it (dom0 must not see it). */
bool keyhandler_input(char c);

#endif
