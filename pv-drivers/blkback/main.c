// SPDX-License-Identifier: GPL-2.0-only
/* keel-blkback: serves every guest's virtual block devices from dom0
 * (/local/domain/0/backend/vbd/<domid>/<dev>). Logs to stderr.
 * Usage: keel-blkback [-s STORE_SOCKET] [-v] */
#include "blkback.h"

int main(int argc, char **argv)
{
	return kb_daemon_main("keel-blkback", &blk_backend_ops, argc, argv);
}
