// SPDX-License-Identifier: GPL-2.0-only
/* keel-consoled's engine against the fake hypervisor, a fake event channel
 * device and a real keelstored: logging, attach/detach, input, garbage in a
 * ring, bad clients, new domains appearing, and lifecycle on VIRQ_DOM_EXC. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "public/hvm/params.h"
#include "console_client.h"
#include "consoled.h"
#include "ctrl_helpers.h"

struct setup {
	struct test_env *e;
	struct fake_evtchn *fev;
	struct keel_consoled *cd;
	char sock[160], logdir[160], daemon_log[200];
	FILE *log;
};

static domid_t create_guest(struct test_env *e, const char *name, const char *extra)
{
	struct keel_domain_config c;
	struct keel_diags d;
	struct keel_create_opts o = { 0 };
	char *text;
	size_t len;
	uint8_t *elf = make_elf_kernel(&len, 8, 0x1000850);
	const char *kernel = env_file(e, "vmlinux", elf, len);
	domid_t dom;

	free(elf);
	assert_true(asprintf(&text, "name = \"%s\"\nmemory = 64\nkernel = \"%s\"\n%s\n", name,
			     kernel, extra ? extra : "") > 0);
	keel_config_init(&c);
	keel_diags_init(&d);
	assert_int_equal(keel_config_parse_cfg("t.cfg", text, strlen(text), NULL, 0, &c, &d), 0);
	keel_config_generate(&c, NULL);
	o.config_text = text;
	o.config_len = strlen(text);
	o.config_name = "t.cfg";
	if (keel_domain_create(e->k, &c, &o, &dom))
		fail_msg("create: %s", e->k->err);
	keel_config_free(&c);
	keel_diags_free(&d);
	free(text);
	return dom;
}

/* The guest's side of its console page (shared with the daemon's mapping). */
static struct keel_cons_ring *guest_ring(struct setup *s, domid_t d)
{
	xen_pfn_t gfn = s->e->fh->dom[d].params[HVM_PARAM_CONSOLE_PFN];
	void *p = s->e->k->ops->map_foreign(s->e->k->hv, d, &gfn, 1);

	assert_non_null(p);
	return p;
}

static void guest_write(struct setup *s, domid_t d, struct keel_cons_ring *r, const char *text)
{
	size_t n = strlen(text);
	int port;

	for (size_t i = 0; i < n; i++)
		r->out[(r->out_prod + i) & 2047] = text[i];
	r->out_prod += n;
	port = fake_evtchn_local_port(s->fev, d, s->e->fh->dom[d].params[HVM_PARAM_CONSOLE_EVTCHN]);
	assert_true(port > 0);
	fake_evtchn_fire(s->fev, port);
}

static void steps(struct setup *s, int n)
{
	while (n--)
		assert_int_equal(keel_consoled_step(s->cd, 20), 0);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = 0;
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = 0;
	return buf;
}

static int client_connect(struct setup *s, const char *request)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, s->sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	return fd;
}

/* Reads what arrives within a few daemon turns. */
static char *client_read(struct setup *s, int fd)
{
	static char buf[4096];
	size_t n = 0;

	for (int i = 0; i < 20; i++) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		steps(s, 1);
		if (poll(&p, 1, 0) == 1) {
			r = read(fd, buf + n, sizeof(buf) - 1 - n);
			if (r <= 0)
				break;
			n += r;
		}
	}
	buf[n] = 0;
	return buf;
}

static void test_consoled(void **state)
{
	struct setup s;
	struct keel_cons_ring *r1, *r2;
	char err[256], path[256];
	domid_t d1, d2;
	int fd, bad;
	(void)state;

	memset(&s, 0, sizeof(s));
	s.e = env_new(4096);
	s.fev = fake_evtchn_new();
	snprintf(s.sock, sizeof(s.sock), "%s/consoled.sock", s.e->dir);
	snprintf(s.logdir, sizeof(s.logdir), "%s/log", s.e->dir);
	snprintf(s.daemon_log, sizeof(s.daemon_log), "%s/daemon.log", s.e->dir);
	s.log = fopen(s.daemon_log, "w");
	setenv("XENSTORED_PATH", s.e->sock, 1);

	d1 = create_guest(s.e, "web", NULL);
	s.cd = keel_consoled_new(s.e->k, &fake_evtchn_ops, s.fev, s.sock, s.logdir, true,
				 s.log, err, sizeof(err));
	if (!s.cd)
		fail_msg("consoled: %s", err);
	steps(&s, 2);

	/* Output logged to guest-NAME.log. */
	r1 = guest_ring(&s, d1);
	guest_write(&s, d1, r1, "Linux version 6.1.0-57-amd64\n");
	steps(&s, 2);
	snprintf(path, sizeof(path), "%s/guest-web.log", s.logdir);
	assert_string_equal(slurp(path), "Linux version 6.1.0-57-amd64\n");
	assert_int_equal(r1->out_cons, r1->out_prod);

	/* Attach: first what nobody has seen yet (as a pty holds it), then
	 * live output; typed input reaches the guest's ring. */
	fd = client_connect(&s, "ATTACH 1\n");
	assert_string_equal(client_read(&s, fd), "OK\nLinux version 6.1.0-57-amd64\n");
	bad = client_connect(&s, "ATTACH 1\n");
	assert_string_equal(client_read(&s, bad), "OK\n");
	close(bad);
	guest_write(&s, d1, r1, "web login: ");
	assert_string_equal(client_read(&s, fd), "web login: ");
	assert_int_equal(write(fd, "root\n", 5), 5);
	steps(&s, 3);
	assert_int_equal(r1->in_prod - r1->in_cons, 5);
	assert_memory_equal(r1->in, "root\n", 5);

	/* Garbage indexes: reported once, the ring reset, service goes on. */
	r1->out_prod = r1->out_cons + 100000;
	steps(&s, 2);
	assert_non_null(strstr(slurp(s.daemon_log), "domain 1 (web): console ring indexes are impossible"));
	guest_write(&s, d1, r1, "still here\n");
	assert_string_equal(client_read(&s, fd), "still here\n");

	/* Bad clients get an error and are dropped; the good one stays. */
	bad = client_connect(&s, "HELLO\n");
	assert_string_equal(client_read(&s, bad), "ERR bad request: expected \"ATTACH <domid>\"\n");
	close(bad);
	bad = client_connect(&s, "ATTACH 9\n");
	assert_string_equal(client_read(&s, bad), "ERR domain 9 has no console served by keel-consoled (no such domain, or it has no PV console)\n");
	close(bad);
	bad = client_connect(&s, "ATTACH 1234567890123456789012345678901234567890123456789012345678901234567890\n");
	client_read(&s, bad);
	close(bad);

	/* keel console itself (not on a tty): output reaches its stdout, its
	 * stdin reaches the guest, Ctrl-] ends it with status 0. Output made
	 * before it is attached is held for it: no other client is attached. */
	close(fd);
	{
		int in[2], out[2], status;
		char got[256] = "";
		size_t n = 0;
		pid_t pid;

		assert_int_equal(pipe(in), 0);
		assert_int_equal(pipe(out), 0);
		setenv("KEEL_CONSOLED_SOCKET", s.sock, 1);
		pid = fork();
		if (!pid) {
			dup2(in[0], 0);
			dup2(out[1], 1);
			close(in[1]);
			close(out[0]);
			_exit(keel_console_attach(1, "web") ? 1 : 0);
		}
		close(in[0]);
		close(out[1]);
		for (int i = 0; i < 20; i++)
			steps(&s, 1);
		guest_write(&s, d1, r1, "Debian GNU/Linux 12 web hvc0\n");
		for (int i = 0; i < 100 && !strstr(got, "hvc0\n"); i++) {
			struct pollfd p = { out[0], POLLIN, 0 };

			steps(&s, 1);
			if (poll(&p, 1, 0) == 1 && n < sizeof(got) - 1) {
				ssize_t r = read(out[0], got + n, sizeof(got) - 1 - n);

				if (r > 0)
					n += r;
				got[n] = 0;
			}
		}
		assert_string_equal(got, "Debian GNU/Linux 12 web hvc0\n");
		assert_int_equal(write(in[1], "uname\n\x1d", 7), 7);
		for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
			steps(&s, 1);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		steps(&s, 2);
		assert_memory_equal(r1->in + (r1->in_prod - 6 - 0) % 1024, "uname\n", 6);
		close(in[1]);
		close(out[0]);
	}
	fd = client_connect(&s, "ATTACH 1\n");
	assert_string_equal(client_read(&s, fd), "OK\n");

	/* A domain created while the daemon runs is picked up (@introduceDomain). */
	d2 = create_guest(s.e, "db", NULL);
	for (int i = 0; i < 100 && fake_evtchn_local_port(s.fev, d2, 2) < 0; i++)
		steps(&s, 1);
	r2 = guest_ring(&s, d2);
	guest_write(&s, d2, r2, "db up\n");
	steps(&s, 2);
	snprintf(path, sizeof(path), "%s/guest-db.log", s.logdir);
	assert_string_equal(slurp(path), "db up\n");

	/* Lifecycle: web powers off (on_poweroff=destroy) -> destroyed, its
	 * console client sees the end of the stream. */
	fake_hv_guest_shutdown(s.e->fh, d1, KEEL_SHUTDOWN_poweroff);
	fake_evtchn_fire(s.fev, fake_evtchn_local_port(s.fev, 0, ~0U));
	steps(&s, 3);
	assert_false(s.e->fh->dom[d1].exists);
	assert_string_equal(client_read(&s, fd), "");
	close(fd);
	assert_non_null(strstr(slurp(s.daemon_log), "domain 1 (web): poweroff: destroyed"));
	assert_non_null(strstr(slurp(s.daemon_log), "domain 1 (web): console closed"));
	/* db is still served. */
	guest_write(&s, d2, r2, "db still up\n");
	steps(&s, 2);
	assert_string_equal(slurp(path), "db up\ndb still up\n");

	s.e->k->ops->unmap(s.e->k->hv, r1, 1);
	s.e->k->ops->unmap(s.e->k->hv, r2, 1);
	keel_consoled_free(s.cd);
	fclose(s.log);
	fake_evtchn_free(s.fev);
	env_free(s.e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_consoled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
