// SPDX-License-Identifier: GPL-2.0-only
/* The xl.cfg grammar: key = "string" | 'string' | number | [list], with '#'
 * comments, ';' or newline between settings, lists spanning lines. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfg.h"

enum tok_type {
	T_EOF,
	T_NEWLINE,
	T_SEMI,
	T_EQ,
	T_LBRACK,
	T_RBRACK,
	T_COMMA,
	T_WORD,		/* identifiers and numbers */
	T_STRING,
	T_ERROR,	/* already reported */
};

struct token {
	enum tok_type type;
	int line;
	char *text;
};

struct lexer {
	const char *file;
	const char *p, *end;
	int line;
	struct keel_diags *d;
	struct token tok;	/* current token */
	char desc[64];		/* describe()'s words */
};

static void __attribute__((format(printf, 4, 5)))
error_at(struct lexer *lx, int line, const char *what, const char *fmt, ...)
{
	struct keel_where w = { lx->file, line, what };
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = kc_vasprintf(fmt, ap);
	va_end(ap);
	kc_error(lx->d, &w, "%s", msg);
	free(msg);
}

static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '+' ||
	       c == '-';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return tolower((unsigned char)c) - 'a' + 10;
}

/* Reads a quoted string with C-style escapes; lx->p is on the quote. */
static enum tok_type lex_string(struct lexer *lx)
{
	char quote = *lx->p++;
	size_t cap = 16, n = 0;
	char *buf = kc_malloc(cap);

	for (;;) {
		char c;

		if (lx->p >= lx->end || *lx->p == '\n') {
			error_at(lx, lx->tok.line, NULL, "unterminated string");
			goto err;
		}
		c = *lx->p++;
		if (c == quote)
			break;
		if (c == '\\') {
			if (lx->p >= lx->end || *lx->p == '\n') {
				error_at(lx, lx->tok.line, NULL,
					 "unterminated string");
				goto err;
			}
			c = *lx->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '"': case '\'': break;
			case 'x':
				if (lx->end - lx->p < 2 ||
				    !isxdigit((unsigned char)lx->p[0]) ||
				    !isxdigit((unsigned char)lx->p[1])) {
					error_at(lx, lx->line, NULL,
						 "\\x in a string needs two hex digits");
					goto err;
				}
				c = hexval(lx->p[0]) * 16 + hexval(lx->p[1]);
				lx->p += 2;
				break;
			default: {
				char esc[3] = { '\\', c, '\0' };

				error_at(lx, lx->line, NULL,
					 "unknown escape sequence '%s' in string: write \\\\ for a backslash",
					 esc);
				goto err;
			}
			}
		}
		if (n + 2 > cap)
			buf = kc_realloc(buf, cap *= 2);
		buf[n++] = c;
	}
	buf[n] = '\0';
	lx->tok.text = buf;
	return T_STRING;
err:
	free(buf);
	return T_ERROR;
}

static void next(struct lexer *lx)
{
	free(lx->tok.text);
	lx->tok.text = NULL;
	while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' ||
				   *lx->p == '\r'))
		lx->p++;
	if (lx->p < lx->end && *lx->p == '#') {
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
	}
	lx->tok.line = lx->line;
	if (lx->p >= lx->end) {
		lx->tok.type = T_EOF;
		return;
	}
	switch (*lx->p) {
	case '\n':
		lx->p++;
		lx->line++;
		lx->tok.type = T_NEWLINE;
		return;
	case ';': lx->p++; lx->tok.type = T_SEMI; return;
	case '=': lx->p++; lx->tok.type = T_EQ; return;
	case '[': lx->p++; lx->tok.type = T_LBRACK; return;
	case ']': lx->p++; lx->tok.type = T_RBRACK; return;
	case ',': lx->p++; lx->tok.type = T_COMMA; return;
	case '"':
	case '\'':
		lx->tok.type = lex_string(lx);
		return;
	}
	if (is_word_char(*lx->p)) {
		const char *start = lx->p;

		while (lx->p < lx->end && is_word_char(*lx->p))
			lx->p++;
		lx->tok.text = kc_strndup(start, lx->p - start);
		lx->tok.type = T_WORD;
		return;
	}
	char bad[2] = { *lx->p, '\0' };

	error_at(lx, lx->line, NULL, "unexpected character '%s'", bad);
	lx->tok.type = T_ERROR;
}

/* A token as a message names it: "'vcpus'", "the string \"g\"". */
static const char *describe(struct lexer *lx)
{
	const struct token *t = &lx->tok;

	switch (t->type) {
	case T_EOF: return "the end of the file";
	case T_NEWLINE: return "the end of the line";
	case T_SEMI: return "';'";
	case T_EQ: return "'='";
	case T_LBRACK: return "'['";
	case T_RBRACK: return "']'";
	case T_COMMA: return "','";
	case T_WORD:
		snprintf(lx->desc, sizeof(lx->desc), "'%.40s'", t->text);
		return lx->desc;
	case T_STRING:
		snprintf(lx->desc, sizeof(lx->desc), "the string \"%.40s\"",
			 t->text);
		return lx->desc;
	default: return "?";
	}
}

static void value_free(struct kc_value *v)
{
	free(v->text);
	for (size_t i = 0; i < v->nr_items; i++)
		value_free(&v->items[i]);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

static int parse_value(struct lexer *lx, const char *key, struct kc_value *v);

static int parse_list(struct lexer *lx, const char *key, struct kc_value *v)
{
	int open_line = lx->tok.line;

	v->kind = KC_LIST;
	v->line = open_line;
	next(lx);
	for (;;) {
		while (lx->tok.type == T_NEWLINE)
			next(lx);
		if (lx->tok.type == T_RBRACK)
			break;
		if (lx->tok.type == T_EOF) {
			error_at(lx, open_line, key,
				 "unterminated list: the '[' on this line has no matching ']'");
			return -1;
		}
		v->items = kc_realloc(v->items,
				      (v->nr_items + 1) * sizeof(*v->items));
		memset(&v->items[v->nr_items], 0, sizeof(*v->items));
		if (parse_value(lx, key, &v->items[v->nr_items++]))
			return -1;
		while (lx->tok.type == T_NEWLINE)
			next(lx);
		if (lx->tok.type == T_COMMA) {
			next(lx);
			continue;
		}
		if (lx->tok.type == T_RBRACK)
			break;
		if (lx->tok.type == T_EOF) {
			error_at(lx, open_line, key,
				 "unterminated list: the '[' on this line has no matching ']'");
			return -1;
		}
		if (lx->tok.type != T_ERROR)
			error_at(lx, lx->tok.line, key,
				 "expected ',' or ']' in the list, got %s",
				 describe(lx));
		return -1;
	}
	next(lx);
	return 0;
}

static int parse_value(struct lexer *lx, const char *key, struct kc_value *v)
{
	v->line = lx->tok.line;
	switch (lx->tok.type) {
	case T_LBRACK:
		return parse_list(lx, key, v);
	case T_STRING:
		v->kind = KC_ATOM;
		v->quoted = true;
		v->text = lx->tok.text;
		lx->tok.text = NULL;
		next(lx);
		return 0;
	case T_WORD:
		if (isdigit((unsigned char)lx->tok.text[0]) ||
		    ((lx->tok.text[0] == '-' || lx->tok.text[0] == '+') &&
		     isdigit((unsigned char)lx->tok.text[1]))) {
			v->kind = KC_ATOM;
			v->text = lx->tok.text;
			lx->tok.text = NULL;
			next(lx);
			return 0;
		}
		error_at(lx, lx->tok.line, key,
			 "unquoted value '%s': put strings in quotes, e.g. \"...\"",
			 lx->tok.text);
		return -1;
	case T_ERROR:
		return -1;
	default:
		error_at(lx, lx->tok.line, key,
			 "expected a value (a \"string\", a number or a [list]), got %s",
			 describe(lx));
		return -1;
	}
}

static bool is_key(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Command-line overrides: `extra=console=hvc0` needs no quotes. */
static bool bare_rest(struct lexer *lx, struct kc_value *v)
{
	const char *p = lx->p, *e = lx->end;

	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (p < e && (*p == '"' || *p == '\'' || *p == '['))
		return false;
	while (e > p && isspace((unsigned char)e[-1]))
		e--;
	v->kind = KC_ATOM;
	v->line = lx->line;
	v->text = kc_strndup(p, e - p);
	lx->p = lx->end;
	next(lx);
	return true;
}

int kc_cfg_parse(const char *file, const char *text, size_t len,
		 bool bare_value, int first_line, struct kc_settings *out,
		 struct keel_diags *d)
{
	struct lexer lx = { .file = file, .p = text, .end = text + len,
			    .line = first_line, .d = d };
	int ret = -1;

	/* Editors on some systems start UTF-8 files with a byte-order mark. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		lx.p += 3;
	next(&lx);
	for (;;) {
		struct kc_setting s = { 0 };

		while (lx.tok.type == T_NEWLINE || lx.tok.type == T_SEMI)
			next(&lx);
		if (lx.tok.type == T_EOF)
			break;
		if (lx.tok.type == T_ERROR)
			goto out;
		if (lx.tok.type != T_WORD || !is_key(lx.tok.text)) {
			error_at(&lx, lx.tok.line, NULL,
				 "expected a setting (key = value), got %s",
				 describe(&lx));
			goto out;
		}
		s.key = lx.tok.text;
		lx.tok.text = NULL;
		s.line = lx.tok.line;
		next(&lx);
		if (lx.tok.type != T_EQ) {
			if (lx.tok.type != T_ERROR)
				error_at(&lx, lx.tok.line, s.key,
					 "expected '=' after the key, got %s",
					 describe(&lx));
			free(s.key);
			goto out;
		}
		if (!(bare_value && bare_rest(&lx, &s.value))) {
			next(&lx);
			if (parse_value(&lx, s.key, &s.value)) {
				value_free(&s.value);
				free(s.key);
				goto out;
			}
		}
		if (lx.tok.type != T_NEWLINE && lx.tok.type != T_SEMI &&
		    lx.tok.type != T_EOF) {
			if (lx.tok.type != T_ERROR)
				error_at(&lx, lx.tok.line, s.key,
					 "unexpected %s after the value: end the setting with a newline or ';'",
					 describe(&lx));
			value_free(&s.value);
			free(s.key);
			goto out;
		}
		s.file = kc_strdup(file);
		out->v = kc_realloc(out->v, (out->n + 1) * sizeof(*out->v));
		out->v[out->n++] = s;
	}
	ret = 0;
out:
	free(lx.tok.text);
	return ret;
}

void kc_settings_free(struct kc_settings *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		free(s->v[i].file);
		value_free(&s->v[i].value);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
