// SPDX-License-Identifier: GPL-2.0-only
/* A netif queue's life: its staging buffers, attaching its two rings, and
 * the two ways it complains about its guest (a rate-limited line per bad
 * packet, or one line and a disconnect for a broken protocol). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb_log.h"
#include "nb.h"

/* Bad packets logged: a burst, then one every 10 s (with a count of those
 * held back), so a misbehaving guest cannot flood the log, even by
 * reconnecting, and a later problem of the same device still shows. */
#define NB_COMPLAINTS_BURST 20u
#define NB_COMPLAINTS_INTERVAL_MS 10000u

void nb_complaints_init(struct kb_ratelimit *rl)
{
	kb_ratelimit_init(rl, NB_COMPLAINTS_BURST, NB_COMPLAINTS_INTERVAL_MS, kb_now_ms());
}

int nb_queue_init(struct nb_queue *q, uint32_t domid, uint32_t devid, uint32_t index,
		  const struct nb_env *env)
{
	memset(q, 0, sizeof(*q));
	q->domid = domid;
	q->devid = devid;
	q->index = index;
	q->env = env;
	nb_complaints_init(&q->complaints);
	q->fe.rx_csum = q->fe.rx_csum_v6 = true;
	q->arena = malloc(NB_ARENA);
	q->rx_hold_buf = malloc(NB_MAX_FRAME + sizeof(struct virtio_net_hdr));
	if (!q->arena || !q->rx_hold_buf) {
		nb_queue_fini(q);
		return -ENOMEM;
	}
	return 0;
}

void nb_queue_fini(struct nb_queue *q)
{
	free(q->arena);
	free(q->rx_hold_buf);
	q->arena = q->rx_hold_buf = NULL;
}

int nb_queue_attach(struct nb_queue *q, void *tx_ring, void *rx_ring)
{
	int ret = kb_ring_attach(&q->tx, tx_ring, NB_PAGE_SIZE, NETIF_TX_SLOT_SIZE);

	if (!ret)
		ret = kb_ring_attach(&q->rx, rx_ring, NB_PAGE_SIZE, NETIF_RX_SLOT_SIZE);
	if (ret)
		return ret;
	if (q->tx.nr_slots != NB_RING_SLOTS || q->rx.nr_slots != NB_RING_SLOTS)
		return -EINVAL;
	q->broken = false;
	q->why[0] = 0;
	q->rx_held = q->rx_stalled = false;
	/* The complaints go on where they were: a guest that reconnects gets
	 * no fresh burst of log lines. */
	return 0;
}

static void vlog(struct nb_queue *q, enum kb_log_level lvl, const char *fmt, va_list ap)
{
	char msg[200];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (q->index)
		kb_log_dev(lvl, q->domid, "vif", q->devid, "queue %u: %s", q->index, msg);
	else
		kb_log_dev(lvl, q->domid, "vif", q->devid, "%s", msg);
}

void nb_complain(struct nb_queue *q, const char *fmt, ...)
{
	uint64_t held;
	va_list ap;

	if (!kb_ratelimit_allow(&q->complaints, kb_now_ms(), &held))
		return;
	if (held)
		kb_log_dev(KB_WARN, q->domid, "vif", q->devid,
			   "%llu more bad packets were not logged", (unsigned long long)held);
	va_start(ap, fmt);
	vlog(q, KB_WARN, fmt, ap);
	va_end(ap);
}

void nb_break(struct nb_queue *q, const char *fmt, ...)
{
	va_list ap;

	if (q->broken)
		return;
	q->broken = true;
	va_start(ap, fmt);
	vsnprintf(q->why, sizeof(q->why), fmt, ap);
	va_end(ap);
}
