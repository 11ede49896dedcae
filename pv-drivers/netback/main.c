// SPDX-License-Identifier: GPL-2.0-only
/* keel-netback: serves every guest's virtual network interfaces from dom0
 * (/local/domain/0/backend/vif/<domid>/<handle>), each as a tap device
 * vif<domid>.<handle> on a Linux bridge. Logs to stderr.
 * Usage: keel-netback [-s STORE_SOCKET] [-v] */
#include "keelback.h"
#include "nb_vif.h"

int main(int argc, char **argv)
{
	return kb_daemon_main("keel-netback", &nb_backend_ops, argc, argv);
}
