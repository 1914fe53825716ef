#include "helpers.h"

#include <stdlib.h>

#include <string.h>

#include "facts.h"
#include "gather.h"
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

struct facts *test_facts_from_text(const char *text)
{
	struct gather g;
	struct facts *f = NULL;
	char *err = NULL;

	gather_init(&g);
	if (gather_parse(&g, text, strlen(text), NULL, &err) != 0)
		fail_msg("transcript does not frame: %s", err ? err : "?");
	facts_from_gather(&g, &f);
	gather_release(&g);
	return f;
}

struct facts *test_facts_from_transcript(const char *name)
{
	char *path = strchr(name, '/') ? xstrdup(name)
				       : xasprintf("%s/transcripts/%s.txt", test_data_dir(), name);
	char *data = NULL;
	size_t len = 0;
	if (read_file(path, 64u << 20, &data, &len) < 0)
		fail_msg("cannot read transcript %s", path);
	struct facts *f = test_facts_from_text(data);
	free(data);
	free(path);
	return f;
}
