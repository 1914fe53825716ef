#include "helpers.h"

#include <stdlib.h>

#include "strbuf.h"

const char *test_data_dir(void)
{
	const char *d = getenv("SR_TEST_DATA");
	return d && *d ? d : "tests/data";
}

int test_load(const char *ref, const char *const *vars, struct loader **l, struct resolved **r,
	      struct diags *d)
{
	struct loader_opts o = { TEST_TODAY, NULL };
	*r = NULL;
	*l = loader_new(&o);
	for (size_t i = 0; vars && vars[i]; i++)
		if (loader_add_var(*l, vars[i], d) < 0)
			return -1;
	return loader_resolve(*l, ref, r, d);
}

char *test_diags_text(const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		char *line = diag_format(&d->v[i]);
		strbuf_addf(&sb, "%s\n", line);
		free(line);
	}
	return strbuf_detach(&sb);
}
