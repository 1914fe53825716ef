/*
 * libFuzzer target for the profile loader: YAML parsing, the profile model,
 * extends, variables, conditions, parameter typing and plan rendering.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "plan.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct loader_opts o = { "2026-06-15", NULL };
	struct loader *l = loader_new(&o);
	struct resolved *r = NULL;
	struct diags d;

	diags_init(&d);
	loader_add_var(l, "fuzz_var=value with ${braces} and 'quotes'", &d);
	if (loader_resolve_buffer(l, "fuzz.yaml", (const char *)data, size, &r, &d) == 0) {
		free(plan_text(r));
		free(plan_json(r));
	}
	diags_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d.v[i]));
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	return 0;
}
