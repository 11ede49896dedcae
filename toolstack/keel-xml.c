// SPDX-License-Identifier: GPL-2.0-only
/* keel-xml: libxml2 on behalf of the static keel. Reads one XML document on
 * stdin and prints its element tree in the plain form libkeelconfig/xml.c
 * reads back (xmltree.h); what the elements mean is decided there. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include "xmltree.h"

static void put_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", stdout);
		else if (*s == '\n')
			fputs("\\n", stdout);
		else
			putchar(*s);
	}
}

static bool printed_before(const xmlNode *n, const xmlAttr *upto,
			   const xmlChar *name)
{
	for (const xmlAttr *a = n->properties; a && a != upto; a = a->next)
		if (xmlStrEqual(a->name, name))
			return true;
	return false;
}

static void put_attr(const xmlNode *n, const xmlChar *name)
{
	/* xmlGetProp, not the attribute's own text: entity references and a
	 * DTD's default values come out as libkeelconfig always saw them. */
	xmlChar *v = xmlGetProp(n, name);

	if (!v)
		return;
	printf("A %s ", (const char *)name);
	put_escaped((const char *)v);
	putchar('\n');
	xmlFree(v);
}

/* Attributes a DTD of the document gives @n without the document saying
 * them: xmlGetProp answers with those too. */
static void put_dtd_defaults(const xmlNode *n, const xmlDtd *dtd)
{
	if (!dtd)
		return;
	for (const xmlNode *d = dtd->children; d; d = d->next) {
		const xmlAttribute *a = (const xmlAttribute *)d;

		if (d->type != XML_ATTRIBUTE_DECL || !a->defaultValue ||
		    !xmlStrEqual(a->elem, n->name) ||
		    printed_before(n, NULL, a->name))
			continue;
		put_attr(n, a->name);
	}
}

static void put_element(const xmlNode *n, unsigned depth)
{
	xmlChar *content;

	printf("E %u %ld %s\n", depth, xmlGetLineNo(n), (const char *)n->name);
	for (const xmlAttr *a = n->properties; a; a = a->next)
		if (!printed_before(n, a, a->name))
			put_attr(n, a->name);
	if (n->doc) {
		put_dtd_defaults(n, n->doc->intSubset);
		if (n->doc->extSubset != n->doc->intSubset)
			put_dtd_defaults(n, n->doc->extSubset);
	}
	content = xmlNodeGetContent(n);
	if (content) {
		fputs("T ", stdout);
		put_escaped((const char *)content);
		putchar('\n');
		xmlFree(content);
	}
	for (const xmlNode *ch = n->children; ch; ch = ch->next)
		if (ch->type == XML_ELEMENT_NODE)
			put_element(ch, depth + 1);
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : "stdin";
	size_t len = 0, cap = 0;
	char *text = NULL;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNodePtr root;

	for (;;) {
		size_t got;

		if (cap - len < 4096) {
			cap = cap * 2 + 65536;
			text = realloc(text, cap);
			if (!text) {
				printf("F out of memory reading the document\n");
				return 1;
			}
		}
		got = fread(text + len, 1, cap - len, stdin);
		len += got;
		if (!got)
			break;
	}
	if (ferror(stdin) || len > INT_MAX) {
		printf("F %s\n", ferror(stdin) ? "cannot read the document on stdin" :
						 "the document is larger than keel-xml reads");
		return 1;
	}
	puts(KEEL_XML_MAGIC);
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		printf("F cannot set up the XML parser (out of memory?)\n");
		return 1;
	}
	/* No network, no entity expansion: a config file is data, not code. */
	doc = xmlCtxtReadMemory(ctxt, text, (int)len, name, NULL,
				XML_PARSE_NONET | XML_PARSE_NOERROR |
					XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES);
	if (!doc) {
		const xmlError *err = xmlCtxtGetLastError(ctxt);

		printf("X %d ", err ? err->line : 0);
		put_escaped(err && err->message ? err->message : "unknown error");
		putchar('\n');
	} else {
		root = xmlDocGetRootElement(doc);
		if (root)
			put_element(root, 0);
		xmlFreeDoc(doc);
	}
	xmlFreeParserCtxt(ctxt);
	xmlCleanupParser();
	free(text);
	puts("Z");
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
