// SPDX-License-Identifier: GPL-2.0-only
/* Network interface specs in xl's syntax ("mac=...,bridge=...") and MAC
 * addresses: parsed, checked to be unicast, printed back. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

void keel_vif_free(struct keel_vif *vif)
{
	free(vif->bridge);
	free(vif->ip);
	free(vif->vifname);
	free(vif->model);
	free(vif->script);
	memset(vif, 0, sizeof(*vif));
}

int keel_mac_parse(const char *s, uint8_t mac[6], const char **why)
{
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;

		if (!isxdigit((unsigned char)p[0]) ||
		    !isxdigit((unsigned char)p[1]) ||
		    p[2] != (i == 5 ? '\0' : ':')) {
			*why = "expected six hex bytes separated by ':', e.g. 00:16:3e:12:34:56";
			return -1;
		}
		mac[i] = strtoul((char[]){ p[0], p[1], '\0' }, NULL, 16);
	}
	if (mac[0] & 1) {
		*why = "it is a multicast address (lowest bit of the first byte set): an interface needs a unicast MAC";
		return -1;
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
		*why = "the all-zero MAC cannot name an interface";
		return -1;
	}
	return 0;
}

void keel_mac_format(const uint8_t mac[6], char buf[18])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
		 mac[2], mac[3], mac[4], mac[5]);
}

/* Linux interface names: at most 15 bytes, no '/', no blanks. */
static int check_ifname(const char *key, const char *val,
			struct keel_diags *d, const struct keel_where *w)
{
	size_t len = strlen(val);

	if (len == 0 || len > 15 || strpbrk(val, "/ \t:") ||
	    !strcmp(val, ".") || !strcmp(val, "..")) {
		kc_error(d, w, "%s '%s' is not a valid interface name: use 1 to 15 characters without '/', ':' or blanks",
			 key, val);
		return -1;
	}
	return 0;
}

static int check_ips(const char *val, struct keel_diags *d,
		     const struct keel_where *w)
{
	char *copy = kc_strdup(val), *save = NULL, *tok;
	int ret = 0;

	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		unsigned char buf[sizeof(struct in6_addr)];

		if (inet_pton(AF_INET, tok, buf) != 1 &&
		    inet_pton(AF_INET6, tok, buf) != 1) {
			kc_error(d, w, "ip '%s' is not an IPv4 or IPv6 address",
				 tok);
			ret = -1;
			break;
		}
	}
	free(copy);
	return ret;
}

static int one_param(struct keel_vif *vif, const char *spec, char *tok,
		     struct keel_diags *d, const struct keel_where *w)
{
	char *eq = strchr(tok, '='), *key = tok, *val;
	const char *why;

	if (!eq) {
		kc_error(d, w, "expected key=value in \"%s\", got '%s'", spec,
			 tok);
		return -1;
	}
	*eq = '\0';
	val = eq + 1;

	if (!strcmp(key, "mac")) {
		if (keel_mac_parse(val, vif->mac, &why)) {
			kc_error(d, w, "invalid mac '%s': %s", val, why);
			return -1;
		}
		vif->mac_set = true;
	} else if (!strcmp(key, "bridge")) {
		if (check_ifname(key, val, d, w))
			return -1;
		free(vif->bridge);
		vif->bridge = kc_strdup(val);
	} else if (!strcmp(key, "vifname")) {
		if (check_ifname(key, val, d, w))
			return -1;
		free(vif->vifname);
		vif->vifname = kc_strdup(val);
	} else if (!strcmp(key, "ip")) {
		if (check_ips(val, d, w))
			return -1;
		free(vif->ip);
		vif->ip = kc_strdup(val);
	} else if (!strcmp(key, "model")) {
		kc_warn(d, w, "model '%s' has no effect: a PVH guest has only the PV network device",
			val);
		free(vif->model);
		vif->model = kc_strdup(val);
	} else if (!strcmp(key, "script")) {
		kc_warn(d, w, "script '%s' is not run: Keel's network backend attaches the interface to its bridge itself",
			val);
		free(vif->script);
		vif->script = kc_strdup(val);
	} else if (!strcmp(key, "devid")) {
		char *end;
		unsigned long v = strtoul(val, &end, 10);

		if (!*val || *end || !isdigit((unsigned char)*val) ||
		    v > KEEL_MAX_VIF_DEVID) {
			kc_error(d, w, "devid '%s' is not a number from 0 to %d",
				 val, KEEL_MAX_VIF_DEVID);
			return -1;
		}
		vif->devid = v;
		vif->devid_set = true;
	} else if (!strcmp(key, "type")) {
		if (strcmp(val, "vif")) {
			kc_error(d, w, "type '%s': a PVH guest has only PV interfaces: use type=vif or leave it out",
				 val);
			return -1;
		}
	} else if (!strcmp(key, "backend")) {
		if (strcmp(val, "0") && strcmp(val, "Domain-0")) {
			kc_error(d, w, "backend '%s': Keel serves network interfaces from dom0 only",
				 val);
			return -1;
		}
	} else {
		kc_warn(d, w, "unknown vif parameter '%s' in \"%s\" ignored",
			key, spec);
	}
	return 0;
}

int keel_vif_parse(const char *spec, struct keel_vif *out,
		   struct keel_diags *d, const struct keel_where *w)
{
	char *copy = kc_strdup(spec), *save = NULL, *tok;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *end;

		while (isspace((unsigned char)*tok))
			tok++;
		end = tok + strlen(tok);
		while (end > tok && isspace((unsigned char)end[-1]))
			*--end = '\0';
		if (!*tok)
			continue;
		if (one_param(out, spec, tok, d, w)) {
			ret = -1;
			break;
		}
	}
	free(copy);
	if (ret) {
		keel_vif_free(out);
		return -1;
	}
	if (!out->bridge)
		out->bridge = kc_strdup(KEEL_DEFAULT_BRIDGE);
	return 0;
}

/* Appends ",KEY=VAL" to *spec when val is set. */
static void add_key(char **spec, const char *key, const char *val)
{
	char *next;

	if (!val)
		return;
	next = kc_asprintf("%s,%s=%s", *spec, key, val);
	free(*spec);
	*spec = next;
}

char *keel_vif_spec(const struct keel_vif *vif)
{
	char *spec = kc_asprintf("devid=%u", vif->devid);
	char mac[18];

	if (vif->mac_set) {
		keel_mac_format(vif->mac, mac);
		add_key(&spec, "mac", mac);
	}
	add_key(&spec, "bridge", vif->bridge);
	add_key(&spec, "ip", vif->ip);
	add_key(&spec, "vifname", vif->vifname);
	add_key(&spec, "model", vif->model);
	add_key(&spec, "script", vif->script);
	return spec;
}
