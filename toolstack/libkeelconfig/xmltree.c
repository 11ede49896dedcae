// SPDX-License-Identifier: GPL-2.0-only
/* Runs the keel-xml helper and reads the element tree it prints (the form
 * is in xmltree.h). keel is static, and libxml2 cannot be loaded into a
 * static program: under QEMU's TCG a dynamically linked keel spent most of
 * a `keel list` having its randomly placed libc translated again. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "internal.h"
#include "xmltree.h"

extern char **environ;

static void node_free(struct kx_node *n)
{
	while (n) {
		struct kx_node *next = n->next;

		node_free(n->children);
		for (size_t i = 0; i < n->nr_attrs; i++) {
			free(n->attr_names[i]);
			free(n->attr_values[i]);
		}
		free(n->attr_names);
		free(n->attr_values);
		free(n->name);
		free(n->content);
		free(n);
		n = next;
	}
}

void kx_doc_free(struct kx_doc *doc)
{
	node_free(doc->root);
	free(doc->error);
	doc->root = NULL;
	doc->error = NULL;
}

const char *kx_attr(const struct kx_node *n, const char *name)
{
	for (size_t i = 0; i < n->nr_attrs; i++)
		if (!strcmp(n->attr_names[i], name))
			return n->attr_values[i];
	return NULL;
}

/* The escaped value of [s, e) with "\\" and "\n" undone, or NULL. */
static char *unescape(const char *s, const char *e)
{
	char *out = kc_malloc(e - s + 1), *o = out;

	while (s < e) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		if (e - s < 2 || (s[1] != '\\' && s[1] != 'n')) {
			free(out);
			return NULL;
		}
		*o++ = s[1] == 'n' ? '\n' : '\\';
		s += 2;
	}
	*o = '\0';
	return out;
}

/* "NUMBER " at *s: the number, *s past the space; -1 if there is none. */
static long number(const char **s, const char *e)
{
	long v = 0;
	const char *p = *s;

	if (p == e || *p < '0' || *p > '9')
		return -1;
	while (p < e && *p >= '0' && *p <= '9') {
		if (v > (LONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	if (p == e || *p != ' ')
		return -1;
	*s = p + 1;
	return v;
}

struct builder {
	struct kx_node **last; /* the latest element at each depth */
	size_t levels, cap;    /* depths in use; allocated */
	struct kx_node *cur;
};

static int add_element(struct kx_doc *doc, struct builder *b, const char *s,
		       const char *e)
{
	long depth = number(&s, e), line = number(&s, e);
	struct kx_node *n;

	if (depth < 0 || line < 0 || s == e || (size_t)depth > b->levels ||
	    (depth == 0 && doc->root))
		return -1;
	n = kc_calloc(1, sizeof(*n));
	n->name = kc_strndup(s, e - s);
	n->line = line;
	if (depth == 0)
		doc->root = n;
	else if ((size_t)depth < b->levels)
		b->last[depth]->next = n;
	else
		b->last[depth - 1]->children = n;
	if ((size_t)depth == b->cap) {
		b->cap = b->cap * 2 + 16;
		b->last = kc_realloc(b->last, b->cap * sizeof(*b->last));
	}
	b->last[depth] = n;
	b->levels = depth + 1;
	b->cur = n;
	return 0;
}

static int add_attr(struct kx_node *n, const char *s, const char *e)
{
	const char *sp = memchr(s, ' ', e - s);
	char *v;

	if (!n || !sp || sp == s || !(v = unescape(sp + 1, e)))
		return -1;
	n->attr_names = kc_realloc(n->attr_names, (n->nr_attrs + 1) * sizeof(char *));
	n->attr_values = kc_realloc(n->attr_values, (n->nr_attrs + 1) * sizeof(char *));
	n->attr_names[n->nr_attrs] = kc_strndup(s, sp - s);
	n->attr_values[n->nr_attrs++] = v;
	return 0;
}

int kx_parse_output(const char *out, size_t len, struct kx_doc *doc,
		    char *err, size_t errlen)
{
	const char *p = out, *end = out + len;
	struct builder b = { 0 };
	bool done = false, first = true;
	unsigned lineno = 0;
	int ret = 0;

	memset(doc, 0, sizeof(*doc));
	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', end - p), *s = p + 2;

		lineno++;
		if (!nl || done) {
			ret = -1;
			break;
		}
		if (first) {
			ret = (size_t)(nl - p) == strlen(KEEL_XML_MAGIC) &&
					      !memcmp(p, KEEL_XML_MAGIC, nl - p) ? 0 : -1;
			first = false;
		} else if (nl - p == 1 && *p == 'Z') {
			done = true;
		} else if (nl - p < 2 || p[1] != ' ') {
			ret = -1;
		} else if (*p == 'E') {
			ret = add_element(doc, &b, s, nl);
		} else if (*p == 'A') {
			ret = add_attr(b.cur, s, nl);
		} else if (*p == 'T' && b.cur && !b.cur->content) {
			b.cur->content = unescape(s, nl);
			ret = b.cur->content ? 0 : -1;
		} else if (*p == 'X' && !doc->root && !doc->error) {
			long line = number(&s, nl);

			doc->error = line < 0 ? NULL : unescape(s, nl);
			doc->error_line = line;
			ret = doc->error ? 0 : -1;
		} else {
			ret = -1;
		}
		p = nl + 1;
	}
	free(b.last);
	if (ret) {
		snprintf(err, errlen, "%s's answer is garbled (its line %u)",
			 KEEL_XML_HELPER, lineno);
	} else if (!done || (!doc->root && !doc->error)) {
		snprintf(err, errlen, "%s's answer is cut short (%u lines)",
			 KEEL_XML_HELPER, lineno);
		ret = -1;
	}
	if (ret)
		kx_doc_free(doc);
	return ret;
}

/* keel-xml beside the running program, or $KEEL_XML_HELPER. */
static char *helper_path(void)
{
	const char *env = getenv("KEEL_XML_HELPER");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env && *env)
		return kc_strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return kc_strdup("/usr/sbin/" KEEL_XML_HELPER);
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	return kc_asprintf("%s/%s", slash ? exe : ".", KEEL_XML_HELPER);
}

/* The document on a memfd as the helper's stdin: nothing to deadlock on. */
static int input_fd(const char *text, size_t len)
{
	int fd = memfd_create("keel-xml-input", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto err;
		off += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) == 0)
		return fd;
err:
	close(fd);
	return -1;
}

int kx_read_document(const char *name, const char *text, size_t len,
		     struct kx_doc *doc, char *err, size_t errlen)
{
	char *path = helper_path(), *out = NULL;
	char *argv[] = { path, (char *)name, NULL };
	posix_spawn_file_actions_t fa;
	size_t olen = 0, cap = 0;
	int in, pipefd[2], status, e, ret = -1;
	pid_t pid;

	memset(doc, 0, sizeof(*doc));
	in = input_fd(text, len);
	if (in < 0) {
		snprintf(err, errlen, "cannot hand the document to %s: %s", path,
			 strerror(errno));
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(err, errlen, "cannot run %s: %s", path, strerror(errno));
		goto out_in;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	e = posix_spawn(&pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (e) {
		snprintf(err, errlen, "cannot run %s: %s: install keel-xml, keel's libxml2 helper, in keel's directory",
			 path, strerror(e));
		close(pipefd[0]);
		goto out_in;
	}
	for (;;) {
		ssize_t r;

		if (cap - olen < 4096)
			out = kc_realloc(out, cap = cap * 2 + 16384);
		r = read(pipefd[0], out + olen, cap - olen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		olen += (size_t)r;
	}
	close(pipefd[0]);
	while ((e = waitpid(pid, &status, 0) < 0 ? errno : 0) == EINTR)
		;
	if (e) {
		snprintf(err, errlen, "cannot wait for %s: %s", path, strerror(e));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		ret = kx_parse_output(out, olen, doc, err, errlen);
	} else if (WIFEXITED(status) && olen > 2 && !memcmp(out, "F ", 2)) {
		const char *nl = memchr(out, '\n', olen);
		char *msg = unescape(out + 2, nl ? nl : out + olen);

		snprintf(err, errlen, "%s: %s", path, msg ? msg : "failed");
		free(msg);
	} else if (WIFEXITED(status)) {
		snprintf(err, errlen, "%s exited with status %d%s", path, WEXITSTATUS(status),
			 WEXITSTATUS(status) == 127 ?
				 " (a library it needs is missing? it needs Debian's libxml2 package)" : "");
	} else {
		snprintf(err, errlen, "%s was killed by signal %d", path,
			 WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	free(out);
out_in:
	close(in);
out:
	free(path);
	return ret;
}
