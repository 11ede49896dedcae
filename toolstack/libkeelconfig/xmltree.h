// SPDX-License-Identifier: GPL-2.0-only
/* An XML document's element tree as the keel-xml helper (libxml2) reports
 * it, so that keel itself can be a static program without libxml2.
 *
 * keel-xml reads the document on stdin and writes lines, each value with
 * '\' and newline escaped as "\\" and "\n":
 *   keel-xml 1                 first line
 *   X LINE MESSAGE             the document is malformed (libxml2's words)
 *   E DEPTH LINE NAME          an element (the root at depth 0), in document
 *                              order; the lines below belong to it
 *   A NAME VALUE               an attribute, as xmlGetProp gives it
 *   T TEXT                     the element's text, as xmlNodeGetContent
 *                              gives it (all the text inside it)
 *   Z                          last line
 * or, when it cannot do its work at all, one line "F MESSAGE" and status 1. */
#ifndef KEELCONFIG_XMLTREE_H
#define KEELCONFIG_XMLTREE_H

#include <stddef.h>

#define KEEL_XML_MAGIC "keel-xml 1"
/* The helper's name; keel runs the one in its own directory. */
#define KEEL_XML_HELPER "keel-xml"

struct kx_node {
	char *name;
	long line;
	char *content; /* NULL if libxml2 gave none */
	size_t nr_attrs;
	char **attr_names, **attr_values;
	struct kx_node *children, *next;
};

struct kx_doc {
	struct kx_node *root; /* NULL if the document is malformed */
	long error_line;      /* else where libxml2 stopped... */
	char *error;	      /* ...and why */
};

/* Runs keel-xml on @text (named @name in messages) and builds the tree.
 * 0, or -1 with a message in @err when the helper could not be run or
 * answered nonsense (a malformed document is a success: see @doc->error). */
int kx_read_document(const char *name, const char *text, size_t len,
		     struct kx_doc *doc, char *err, size_t errlen);
/* The same, from the helper's output (for tests of the reader). */
int kx_parse_output(const char *out, size_t len, struct kx_doc *doc,
		    char *err, size_t errlen);
void kx_doc_free(struct kx_doc *doc);

/* The attribute's value, or NULL. */
const char *kx_attr(const struct kx_node *n, const char *name);

#endif /* KEELCONFIG_XMLTREE_H */
