// SPDX-License-Identifier: GPL-2.0-only
/* domctl.h/sysctl.h against Xen 4.17: every listed struct size, member
 * offset and size, and constant must match libxen-dev's headers. */
#include <stdio.h>
#include <string.h>
#include "helpers.h"
#include "abi/layout_table.h"

static void test_layouts_match_xen(void **state)
{
	unsigned int bad = 0;
	(void)state;

	assert_int_equal(keel_layout_len, xen_layout_len);
	for (size_t i = 0; i < keel_layout_len; i++) {
		const struct layout_row *k = &keel_layout[i], *x = &xen_layout[i];

		assert_string_equal(k->what, x->what);
		if (k->offset != x->offset || k->size != x->size) {
			fprintf(stderr, "%s: keel offset %zu size %zu, xen offset %zu size %zu\n",
				k->what, k->offset, k->size, x->offset, x->size);
			bad++;
		}
	}
	printf("compared %zu layout facts with Xen 4.17\n", keel_layout_len);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts_match_xen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
