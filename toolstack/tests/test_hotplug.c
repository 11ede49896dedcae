// SPDX-License-Identifier: GPL-2.0-only
/* Hot-plugged disks and vifs against the fake hypervisor and a real
 * keelstored: attach writes what create writes, the refusals and their
 * messages, xl's list formats, detach with a frontend that closes, one that
 * never connected and one that does not answer, persistence through a
 * restart, and destroy's teardown order. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctrl_helpers.h"
#include "ctrl_internal.h"

static const struct keel_where W = { NULL, 0, NULL };

/* Creates a domain named name from cfg text (kernel appended), saved
 * config and all, as keel create does. */
static domid_t create(struct test_env *e, const char *name, const char *devices)
{
	struct keel_domain_config c;
	struct keel_create_opts o = { 0 };
	struct keel_diags d;
	uint8_t *elf;
	size_t len;
	char *text;
	domid_t dom = 0;

	elf = make_elf_kernel(&len, 8, 0x1000850);
	assert_true(asprintf(&text, "name = \"%s\"\nmemory = 64\nkernel = \"%s\"\n%s\n", name,
			     env_file(e, "vmlinux", elf, len), devices) > 0);
	free(elf);
	keel_config_init(&c);
	keel_diags_init(&d);
	if (keel_config_parse_cfg("g.cfg", text, strlen(text), NULL, 0, &c, &d))
		fail_msg("config: %s", keel_diags_first(&d, KEEL_DIAG_ERROR));
	keel_config_generate(&c, NULL);
	o.config_text = text;
	o.config_len = strlen(text);
	o.config_name = "g.cfg";
	if (keel_domain_create(e->k, &c, &o, &dom))
		fail_msg("create: %s", e->k->err);
	keel_config_free(&c);
	keel_diags_free(&d);
	free(text);
	return dom;
}

static int attach_disk(struct test_env *e, domid_t dom, const char *spec)
{
	struct keel_diags d;
	struct keel_disk disk;
	int ret;

	keel_diags_init(&d);
	if (keel_disk_parse(spec, &disk, &d, &W))
		fail_msg("%s: %s", spec, keel_diags_first(&d, KEEL_DIAG_ERROR));
	ret = keel_disk_attach(e->k, dom, &disk);
	keel_disk_free(&disk);
	keel_diags_free(&d);
	return ret;
}

static int attach_vif(struct test_env *e, domid_t dom, const char *spec, unsigned *devid)
{
	struct keel_diags d;
	struct keel_vif vif;
	int ret;

	keel_diags_init(&d);
	if (keel_vif_parse(spec, &vif, &d, &W))
		fail_msg("%s: %s", spec, keel_diags_first(&d, KEEL_DIAG_ERROR));
	ret = keel_vif_attach(e->k, dom, &vif);
	if (devid)
		*devid = vif.devid;
	keel_vif_free(&vif);
	keel_diags_free(&d);
	return ret;
}

static void put(struct test_env *e, const char *path, const char *val)
{
	struct ks_handle *h;

	assert_int_equal(keel_store(e->k, &h), 0);
	assert_int_equal(ks_write(h, KS_NO_TXN, path, val, strlen(val)), 0);
}

static bool exists(struct test_env *e, const char *path)
{
	struct ks_handle *h;
	char *v = NULL;
	int ret;

	assert_int_equal(keel_store(e->k, &h), 0);
	ret = ks_read(h, KS_NO_TXN, path, &v, NULL);
	free(v);
	return ret != -ENOENT;
}

/* Every node under path, "rel=value perms" a line, the domain's id written
 * as D wherever it appears as a path component, in frontend-id and perms. */
static void dump(struct ks_handle *h, const char *path, const char *rel, domid_t dom,
		 FILE *f)
{
	char **names, *v = NULL, id[16], sub[256], subrel[256];
	struct ks_perm *p;
	unsigned n, np;

	snprintf(id, sizeof(id), "%u", dom);
	if (!ks_read(h, KS_NO_TXN, path, &v, NULL)) {
		char *s = v, *hit;

		fprintf(f, "%s=", rel);
		/* /local/domain/N/ and /N/ as path parts; N alone. */
		if (!strcmp(s, id) && strstr(rel, "frontend-id"))
			s = "D";
		while ((hit = strstr(s, id)) && hit > s && hit[-1] == '/' &&
		       (hit[strlen(id)] == '/' || !hit[strlen(id)])) {
			fprintf(f, "%.*sD", (int)(hit - s), s);
			s = hit + strlen(id);
		}
		fputs(s, f);
	}
	free(v);
	if (!ks_get_perms(h, KS_NO_TXN, path, &p, &np)) {
		for (unsigned i = 0; i < np; i++)
			fprintf(f, " %s:%u", p[i].domid == dom ? "D" : p[i].domid ? "?" : "0",
				p[i].perm);
		free(p);
	}
	fputc('\n', f);
	if (ks_directory(h, KS_NO_TXN, path, &names, &n))
		return;
	for (unsigned i = 0; i < n; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", path, names[i]);
		snprintf(subrel, sizeof(subrel), "%s/%s", rel, names[i]);
		dump(h, sub, subrel, dom, f);
	}
	free(names);
}

static char *trees(struct test_env *e, domid_t dom)
{
	struct ks_handle *h;
	char *buf = NULL, path[96];
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(keel_store(e->k, &h), 0);
	snprintf(path, sizeof(path), "/local/domain/%u/device", dom);
	dump(h, path, "fe", dom, f);
	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%u", dom);
	dump(h, path, "vbd", dom, f);
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%u", dom);
	dump(h, path, "vif", dom, f);
	fclose(f);
	return buf;
}

static void test_attach_same_as_create(void **state)
{
	struct test_env *e = env_new(4096);
	char *at_create, *attached;
	domid_t d1, d2;
	unsigned devid;
	(void)state;

	d1 = create(e, "g1", "disk = [ 'file:/srv/x.img,xvdb,w', 'phy:/dev/vg/d,xvdc,r' ]\n"
			     "vif = [ 'mac=00:16:3e:00:00:01,bridge=br1,ip=192.0.2.1' ]");
	at_create = trees(e, d1);
	assert_int_equal(keel_domain_destroy(e->k, d1), 0);

	d2 = create(e, "g2", "");
	assert_int_equal(attach_disk(e, d2, "file:/srv/x.img,xvdb,w"), 0);
	assert_int_equal(attach_disk(e, d2, "phy:/dev/vg/d,xvdc,r"), 0);
	assert_int_equal(attach_vif(e, d2, "mac=00:16:3e:00:00:01,bridge=br1,ip=192.0.2.1", &devid), 0);
	assert_int_equal(devid, 0);
	attached = trees(e, d2);
	if (getenv("KEEL_TEST_VERBOSE"))
		fputs(attached, stderr);
	assert_string_equal(attached, at_create);
	assert_non_null(strstr(attached, "\nvbd/51728/params=/srv/x.img 0:0 D:1\n"));
	assert_non_null(strstr(attached, "\nfe/vbd/51728= D:0 0:1\n"));
	assert_non_null(strstr(attached, "\nfe/vbd/51728/backend=/local/domain/0/backend/vbd/D/51728 D:0 0:1\n"));
	assert_non_null(strstr(attached, "\nvbd/51728/frontend-id=D 0:0 D:1\n"));
	assert_non_null(strstr(attached, "\nvif/0/mac=00:16:3e:00:00:01 0:0 D:1\n"));
	free(at_create);
	free(attached);
	env_free(e);
}

static void test_attach_refusals(void **state)
{
	struct test_env *e = env_new(4096);
	domid_t d1, d2;
	unsigned devid;
	char *before, *after;
	(void)state;

	d1 = create(e, "g1", "disk = [ 'file:/srv/a.img,xvda,w' ]\nvif = [ 'mac=00:16:3e:00:00:01' ]");
	d2 = create(e, "g2", "");
	before = trees(e, d1);

	assert_int_equal(attach_disk(e, d1, "file:/srv/b.img,xvda,w"), -EEXIST);
	assert_string_equal(e->k->err, "vdev 'xvda' (device 51712) is already in use by domain 1: choose another vdev, or detach that disk first (keel block-detach 1 xvda)");
	assert_int_equal(attach_vif(e, d1, "mac=00:16:3e:00:00:01", NULL), -EEXIST);
	assert_string_equal(e->k->err, "MAC 00:16:3e:00:00:01 is already used by domain 1's vif 0: choose another mac=, or leave it out to have one generated");
	/* Any interface on the host: both would be on the same bridge. */
	assert_int_equal(attach_vif(e, d2, "mac=00:16:3E:00:00:01,bridge=br9", NULL), -EEXIST);
	assert_string_equal(e->k->err, "MAC 00:16:3e:00:00:01 is already used by domain 1's vif 0: choose another mac=, or leave it out to have one generated");
	assert_int_equal(attach_vif(e, d1, "devid=0", NULL), -EEXIST);
	assert_string_equal(e->k->err, "domain 1 already has a network interface with devid 0: choose another devid=, or leave it out to have the next free one");
	{
		struct keel_disk disk = { 0 };

		disk.vdev = "xvdb";
		disk.target = "/x";
		assert_int_equal(keel_disk_attach(e->k, 0, &disk), -EPERM);
		assert_string_equal(e->k->err, "virtual disks are attached to guests, not to domain 0");
	}
	after = trees(e, d1);
	assert_string_equal(before, after);
	free(after);

	/* Generated MAC and next devid: one past the highest. */
	assert_int_equal(attach_vif(e, d1, "devid=4", &devid), 0);
	assert_int_equal(attach_vif(e, d1, "", &devid), 0);
	assert_int_equal(devid, 5);
	after = env_read(e, "/local/domain/1/device/vif/5/mac");
	assert_int_equal(strncmp(after, "00:16:3e:", 9), 0);
	free(after);
	free(before);
	env_free(e);
}

static char *capture_list(struct test_env *e, domid_t dom, bool disks)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (disks)
		assert_int_equal(keel_print_block_list(e->k, f, &dom, 1), 0);
	else
		assert_int_equal(keel_print_network_list(e->k, f, &dom, 1), 0);
	fclose(f);
	return buf;
}

static void test_list_formats(void **state)
{
	struct test_env *e = env_new(4096);
	domid_t d;
	char *out;
	(void)state;

	d = create(e, "g1", "disk = [ 'file:/srv/a.img,xvda,w', 'file:/srv/b.img,xvdb,w' ]\n"
			    "vif = [ 'mac=00:16:3e:0a:0b:0c' ]");
	assert_int_equal(attach_vif(e, d, "mac=00:16:3e:0a:0b:0d,devid=12", NULL), 0);
	/* A connected frontend for xvda and vif 0, as blkfront/netfront write it. */
	put(e, "/local/domain/1/device/vbd/51712/state", "4");
	put(e, "/local/domain/1/device/vbd/51712/event-channel", "9");
	put(e, "/local/domain/1/device/vbd/51712/ring-ref", "8");
	put(e, "/local/domain/1/device/vif/0/state", "4");
	put(e, "/local/domain/1/device/vif/0/event-channel", "11");
	put(e, "/local/domain/1/device/vif/0/tx-ring-ref", "768");
	put(e, "/local/domain/1/device/vif/0/rx-ring-ref", "769");

	out = capture_list(e, d, true);
	assert_string_equal(out,
		"Vdev  BE  handle state evt-ch ring-ref BE-path                       \n"
		"51712 0   1      4     9      8        /local/domain/0/backend/vbd/1/51712\n"
		"51728 0   1      1     -1     -1       /local/domain/0/backend/vbd/1/51728\n");
	free(out);
	out = capture_list(e, d, false);
	assert_string_equal(out,
		"Idx BE Mac Addr.         handle state evt-ch   tx-/rx-ring-ref BE-path                       \n"
		"0   0  00:16:3e:0a:0b:0c     0     4     11   768/769         /local/domain/0/backend/vif/1/0\n"
		"12  0  00:16:3e:0a:0b:0d    12     1     -1    -1/-1          /local/domain/0/backend/vif/1/12\n");
	free(out);
	env_free(e);
}

/* A guest's frontend in a child process: on backend Closing, it checks the
 * backend went offline, then answers Closing and Closed. */
static pid_t closing_frontend(struct test_env *e, const char *fe, const char *be)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (!pid) {
		struct ks_handle *h;
		char path[160], *v, *wp, *tok;
		int ok = 1;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (ks_open(e->sock, &h))
			_exit(2);
		snprintf(path, sizeof(path), "%s/state", be);
		ks_watch(h, path, "fe");
		for (;;) {
			struct pollfd p = { ks_watch_fd(h), POLLIN, 0 };

			v = NULL;
			if (!ks_read(h, KS_NO_TXN, path, &v, NULL) && !strcmp(v, "5")) {
				free(v);
				break;
			}
			free(v);
			poll(&p, 1, 1000);
			while (!ks_read_watch(h, &wp, &tok))
				free(wp);
		}
		snprintf(path, sizeof(path), "%s/online", be);
		if (ks_read(h, KS_NO_TXN, path, &v, NULL) || strcmp(v, "0"))
			ok = 0;
		snprintf(path, sizeof(path), "%s/state", fe);
		ks_write(h, KS_NO_TXN, path, "5", 1);
		usleep(50000);
		ks_write(h, KS_NO_TXN, path, "6", 1);
		ks_close(h);
		_exit(ok ? 0 : 3);
	}
	return pid;
}

static void test_detach(void **state)
{
	struct test_env *e = env_new(4096);
	struct keel_detach_opts o = { false, 5000 }, quick = { false, 300 }, force = { true, 0 };
	const char *fe = "/local/domain/1/device/vbd/51728", *be = "/local/domain/0/backend/vbd/1/51728";
	char *v;
	domid_t d;
	pid_t pid;
	int status;
	(void)state;

	d = create(e, "g1", "disk = [ 'file:/srv/a.img,xvda,w', 'file:/srv/b.img,xvdb,w', 'file:/srv/c.img,xvdc,w' ]\n"
			    "vif = [ 'mac=00:16:3e:00:00:01', 'mac=00:16:3e:00:00:02' ]");

	/* A frontend that closes when asked. */
	put(e, "/local/domain/1/device/vbd/51728/state", "4");
	pid = closing_frontend(e, fe, be);
	assert_int_equal(keel_disk_detach(e->k, d, "xvdb", &o), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(exists(e, fe));
	assert_false(exists(e, be));
	assert_true(exists(e, "/local/domain/1/device/vbd/51712"));

	/* One that never connected (no ring shared): removed at once. */
	assert_int_equal(keel_disk_detach(e->k, d, "51744", &o), 0);
	assert_false(exists(e, "/local/domain/1/device/vbd/51744"));
	assert_false(exists(e, "/local/domain/0/backend/vbd/1/51744"));

	/* One that does not answer: a timeout that says what to do, and the
	 * device stays, its backend Closing. */
	put(e, "/local/domain/1/device/vbd/51712/state", "4");
	assert_int_equal(keel_disk_detach(e->k, d, "xvda", &quick), -ETIMEDOUT);
	assert_string_equal(e->k->err, "domain 1 did not close its virtual disk xvda (device 51712) within 1 s (its frontend is still 4, Connected): the guest may be using it (unmount it or take the interface down there), or use -f to remove it anyway");
	v = env_read(e, "/local/domain/0/backend/vbd/1/51712/state");
	assert_string_equal(v, "5");
	free(v);
	assert_true(exists(e, "/local/domain/1/device/vbd/51712"));
	assert_int_equal(keel_disk_detach(e->k, d, "xvda", &force), 0);
	assert_false(exists(e, "/local/domain/1/device/vbd/51712"));
	assert_false(exists(e, "/local/domain/0/backend/vbd/1/51712"));

	/* Unknown devices and bad names. */
	assert_int_equal(keel_disk_detach(e->k, d, "xvdq", &o), -ENODEV);
	assert_string_equal(e->k->err, "domain 1 has no virtual disk xvdq: see 'keel block-list 1'");
	assert_int_equal(keel_disk_detach(e->k, d, "vda", &o), -EINVAL);
	assert_string_equal(e->k->err, "'vda' is neither a vdev (xvdb) nor a device number (51728): see 'keel block-list 1'");

	/* vifs by MAC and by devid; netfront's Closed ends it the same way. */
	put(e, "/local/domain/1/device/vif/1/state", "4");
	pid = closing_frontend(e, "/local/domain/1/device/vif/1", "/local/domain/0/backend/vif/1/1");
	assert_int_equal(keel_vif_detach(e->k, d, "00:16:3E:00:00:02", &o), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_false(exists(e, "/local/domain/1/device/vif/1"));
	assert_false(exists(e, "/local/domain/0/backend/vif/1/1"));
	assert_int_equal(keel_vif_detach(e->k, d, "00:16:3e:00:00:09", &o), -ENODEV);
	assert_string_equal(e->k->err, "domain 1 has no network interface with MAC 00:16:3e:00:00:09: see 'keel network-list 1'");
	assert_int_equal(keel_vif_detach(e->k, d, "7", &o), -ENODEV);
	assert_string_equal(e->k->err, "domain 1 has no network interface 7: see 'keel network-list 1'");
	assert_int_equal(keel_vif_detach(e->k, d, "0", &o), 0);
	assert_false(exists(e, "/local/domain/1/device/vif/0"));
	env_free(e);
}

static char *state_file(struct test_env *e, domid_t d, const char *ext)
{
	char *uuid = NULL, *path, *text = NULL;
	size_t len;

	assert_int_equal(keel_store_get(e->k, d, "uuid", &uuid), 0);
	path = keel_state_path(e->k, uuid, ext);
	assert_int_equal(keel_read_file(e->k, "state", path, (uint8_t **)&text, &len), 0);
	text = realloc(text, len + 1);
	text[len] = 0;
	free(uuid);
	free(path);
	return text;
}

static void test_persistence(void **state)
{
	struct test_env *e = env_new(4096);
	struct keel_detach_opts o = { false, 1000 };
	FILE *log = tmpfile();
	domid_t d, d2;
	char *v;
	(void)state;

	d = create(e, "g1", "disk = [ 'file:/srv/a.img,xvda,w' ]\nvif = [ 'bridge=br0' ]");
	assert_int_equal(attach_disk(e, d, "vdev=xvdb,access=r,target=/srv/\"q\",b.img"), 0);
	assert_int_equal(attach_vif(e, d, "mac=00:16:3e:00:00:07,bridge=br1", NULL), 0);
	assert_int_equal(keel_disk_detach(e->k, d, "xvda", &o), 0);
	v = state_file(e, d, "args");
	assert_non_null(strstr(v, "g.cfg\ndisk=[\"format=raw,vdev=xvdb,access=ro,target=/srv/\\\"q\\\",b.img\"]\nvif=[\"devid=0,mac="));
	assert_non_null(strstr(v, "bridge=br0\",\"devid=1,mac=00:16:3e:00:00:07,bridge=br1\"]\n"));
	free(v);
	v = state_file(e, d, "json");
	assert_non_null(strstr(v, "\"vdev\": \"xvdb\""));
	assert_null(strstr(v, "\"vdev\": \"xvda\""));
	free(v);

	/* on_reboot=restart: the guest comes back with what is attached now. */
	fake_hv_guest_shutdown(e->fh, d, KEEL_SHUTDOWN_reboot);
	assert_int_equal(keel_lifecycle_scan(e->k, log), 1);
	assert_int_equal(keel_domain_lookup(e->k, "g1", &d2), 0);
	{
		char fe[96];

		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/51712", d2);
		assert_false(exists(e, fe));
		snprintf(fe, sizeof(fe), "/local/domain/0/backend/vbd/%u/51728/params", d2);
		v = env_read(e, fe);
		assert_string_equal(v, "/srv/\"q\",b.img");
		free(v);
		snprintf(fe, sizeof(fe), "/local/domain/0/backend/vbd/%u/51728/mode", d2);
		v = env_read(e, fe);
		assert_string_equal(v, "r");
		free(v);
		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/1/mac", d2);
		v = env_read(e, fe);
		assert_string_equal(v, "00:16:3e:00:00:07");
		free(v);
		snprintf(fe, sizeof(fe), "/local/domain/0/backend/vif/%u/1/bridge", d2);
		v = env_read(e, fe);
		assert_string_equal(v, "br1");
		free(v);
		snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/0/mac", d2);
		v = env_read(e, fe);
		assert_int_equal(strncmp(v, "00:16:3e:", 9), 0);
		free(v);
	}
	/* Detached after the restart: gone from the next one too. */
	assert_int_equal(keel_vif_detach(e->k, d2, "1", &o), 0);
	v = state_file(e, d2, "args");
	assert_null(strstr(v, "00:16:3e:00:00:07"));
	free(v);
	fclose(log);
	env_free(e);
}

/* destroy: backends hear first (their directories go), then the frontends
 * with /local/domain/D, then the domain itself. */
static void test_destroy_teardown(void **state)
{
	struct test_env *e = env_new(4096);
	struct ks_handle *w;
	char *path, *tok;
	int first_be = -1, first_fe = -1, i = 0;
	domid_t d;
	(void)state;

	d = create(e, "g1", "disk = [ 'file:/srv/a.img,xvda,w' ]\nvif = [ '' ]");
	assert_int_equal(attach_disk(e, d, "file:/srv/b.img,xvdb,w"), 0);
	assert_int_equal(ks_open(e->sock, &w), 0);
	assert_int_equal(ks_watch(w, "/local/domain/0/backend/vbd/1/51728", "be"), 0);
	assert_int_equal(ks_watch(w, "/local/domain/1/device/vbd/51728", "fe"), 0);
	usleep(100000);
	while (!ks_read_watch(w, &path, &tok))
		free(path);
	assert_int_equal(keel_domain_destroy(e->k, d), 0);
	assert_false(e->fh->dom[d].exists);
	usleep(200000);
	while (!ks_read_watch(w, &path, &tok)) {
		if (!strcmp(tok, "be") && first_be < 0)
			first_be = i;
		if (!strcmp(tok, "fe") && first_fe < 0)
			first_fe = i;
		i++;
		free(path);
	}
	assert_true(first_be >= 0 && first_fe >= 0);
	assert_true(first_be < first_fe);
	assert_false(exists(e, "/local/domain/0/backend/vbd/1"));
	assert_false(exists(e, "/local/domain/0/backend/vif/1"));
	assert_false(exists(e, "/local/domain/1"));
	ks_close(w);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_same_as_create),
		cmocka_unit_test(test_attach_refusals),
		cmocka_unit_test(test_list_formats),
		cmocka_unit_test(test_detach),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_destroy_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
