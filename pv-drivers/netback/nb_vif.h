/* SPDX-License-Identifier: GPL-2.0-only */
/* keel-netback's libkeelback driver: the "vif" backend directory. */
#ifndef NB_VIF_H
#define NB_VIF_H

#include "kb_backend.h"

#define NB_MAX_QUEUES 2u
#define NB_DEFAULT_BRIDGE "keelbr0"

extern const struct kb_backend_ops nb_backend_ops;

#endif /* NB_VIF_H */
