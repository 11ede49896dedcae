// SPDX-License-Identifier: GPL-2.0-only
/* What happens to a domain that shut down: on_poweroff / on_reboot /
 * on_crash from its config (kept under /libkeel/D), applied once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrl_internal.h"

static const char *reason_name(unsigned r)
{
	switch (r) {
	case KEEL_SHUTDOWN_poweroff: return "poweroff";
	case KEEL_SHUTDOWN_reboot: return "reboot";
	case KEEL_SHUTDOWN_suspend: return "suspend";
	case KEEL_SHUTDOWN_crash: return "crash";
	case KEEL_SHUTDOWN_watchdog: return "watchdog";
	case KEEL_SHUTDOWN_soft_reset: return "soft_reset";
	default: return "unknown";
	}
}

static int apply(struct keel_ctl *k, FILE *log, domid_t d, unsigned reason)
{
	const char *key = reason == KEEL_SHUTDOWN_reboot ? "on_reboot" :
			  reason == KEEL_SHUTDOWN_poweroff ? "on_poweroff" : "on_crash";
	char *act = NULL, *name = NULL, *uuid = NULL;
	enum keel_action a = KEEL_ACTION_DESTROY;
	domid_t nd;
	int ret;

	/* Suspend is for save/restore, which keel does not have yet. */
	if (reason == KEEL_SHUTDOWN_suspend)
		return 0;
	if (!keel_store_get(k, d, key, &act))
		keel_action_parse(act, &a);
	keel_domain_name(k, d, &name);
	if (keel_store_get(k, d, "uuid", &uuid)) {
		free(act);
		free(name);
		return 0; /* not created by keel: not ours to act on */
	}
	free(uuid);
	keel_store_set(k, d, "handled", reason_name(reason));
	switch (a) {
	case KEEL_ACTION_PRESERVE:
		fprintf(log, "domain %u (%s): %s: %s=preserve, keeping it\n", d,
			name ? name : "?", reason_name(reason), key);
		ret = 0;
		break;
	case KEEL_ACTION_RESTART:
	case KEEL_ACTION_RENAME_RESTART:
	case KEEL_ACTION_COREDUMP_RESTART:
		ret = keel_domain_recreate(k, d, &nd);
		if (ret)
			fprintf(log, "domain %u (%s): %s: restart failed: %s\n", d,
				name ? name : "?", reason_name(reason), k->err);
		else
			fprintf(log, "domain %u (%s): %s: restarted as domain %u\n", d,
				name ? name : "?", reason_name(reason), nd);
		break;
	default:
		ret = keel_domain_destroy(k, d);
		if (ret)
			fprintf(log, "domain %u (%s): %s: destroy failed: %s\n", d,
				name ? name : "?", reason_name(reason), k->err);
		else
			fprintf(log, "domain %u (%s): %s: destroyed\n", d,
				name ? name : "?", reason_name(reason));
		break;
	}
	fflush(log);
	free(act);
	free(name);
	return ret;
}

int keel_lifecycle_scan(struct keel_ctl *k, FILE *log)
{
	struct xen_domctl_getdomaininfo *v;
	unsigned count;
	int handled = 0, ret;

	ret = keel_domain_list(k, &v, &count);
	if (ret)
		return ret;
	for (unsigned i = 0; i < count; i++) {
		unsigned reason;
		char *done = NULL;

		if (!v[i].domain || !(v[i].flags & XEN_DOMINF_shutdown) ||
		    (v[i].flags & XEN_DOMINF_dying))
			continue;
		/* Preserved domains stay shut down: handle each shutdown once. */
		if (!keel_store_get(k, v[i].domain, "handled", &done)) {
			free(done);
			continue;
		}
		reason = (v[i].flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
		apply(k, log, v[i].domain, reason);
		handled++;
	}
	free(v);
	return handled;
}
