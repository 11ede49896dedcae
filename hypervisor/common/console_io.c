// SPDX-License-Identifier: GPL-2.0-only
/*
 * console_io (18) and port-0xE9 output: a guest's own console lines. dom0's
 * output goes to the serial console as it is (it is the machine's console);
 * other domains' lines are prefixed with their domain id.
 */
#include <keel/hypercall.h>
#include <keel/console.h>
#include <keel/domain.h>
#include <keel/errno.h>
#include <keel/guest_access.h>
#include <keel/lib.h>
#include <public/xen.h>
#include <public/event_channel.h>
#include <keel/event.h>

#define CHUNK 256
/* Bigger writes are cut here; Linux never writes more than a line or so. */
#define MAX_WRITE (64 * 1024)

void console_input_notify(void)
{
	struct domain *d0 = domain_lookup(0);

	if (d0)
		send_guest_global_virq(d0, VIRQ_CONSOLE);
}

void guest_console_write(struct domain *d, const char *buf, size_t len)
{
	char line[CHUNK + 16];

	if (d->domid == 0) {
		console_write(buf, len);
		return;
	}
	/* A domU's lines carry its id and go into the log ring (keel dmesg). */
	while (len) {
		size_t n = 0, p = 0;

		if (d->console_at_line_end || !d->console_started)
			p = (size_t)snprintf(line, sizeof(line), "(d%u) ", d->domid);
		d->console_started = true;
		while (n < len && n < CHUNK && buf[n] != '\n')
			n++;
		if (n < len && n < CHUNK)
			n++; /* the newline itself */
		memcpy(line + p, buf, n);
		d->console_at_line_end = line[p + n - 1] == '\n';
		console_write_logged(line, p + n);
		buf += n;
		len -= n;
	}
}

long do_console_io(struct vcpu *v, u64 cmd, u64 count, u64 buffer, u64 a4, u64 a5)
{
	char chunk[CHUNK];
	u64 done = 0;

	(void)a4, (void)a5;
	switch (cmd) {
	case CONSOLEIO_write:
		if (count > MAX_WRITE)
			count = MAX_WRITE;
		while (done < count) {
			size_t n = MIN(count - done, (u64)CHUNK);

			if (copy_from_guest(v, chunk, buffer + done, n))
				return -EFAULT;
			guest_console_write(v->domain, chunk, n);
			done += n;
		}
		return 0;
	case CONSOLEIO_read:
		if (!v->domain->is_privileged)
			return -EPERM;
		console_poll_input();
		while (done < count) {
			size_t want = MIN(count - done, (u64)CHUNK);
			size_t n = console_read(chunk, want);

			if (!n)
				break;
			if (copy_to_guest(v, buffer + done, chunk, n))
				return done ? (long)done : -EFAULT;
			done += n;
		}
		return (long)done;
	default:
		return -ENOSYS;
	}
}

long do_vm_assist(struct vcpu *v, u64 cmd, u64 type, u64 a3, u64 a4, u64 a5)
{
	(void)v, (void)a3, (void)a4, (void)a5;
	if (cmd != VMASST_CMD_enable && cmd != VMASST_CMD_disable)
		return -ENOSYS;
	if (type != VMASST_TYPE_runstate_update_flag)
		return -EINVAL;
	return 0;
}
