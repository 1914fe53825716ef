/*
 * libFuzzer target for the gather transcript: the framing parser, the file
 * iterator, every section parser (facts_from_gather), the lookups, the JSON
 * writer, and the JSON reader (on the writer's output, which must read back
 * to the same text, and on the input itself).
 *
 * Inputs that are not a transcript are also tried behind a valid header, so
 * that the section parsers see arbitrary bytes early in a run.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "gather.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const struct facts *f)
{
	char *j1 = facts_to_json(f), *j2, *err = NULL;
	struct facts *back = NULL;

	if (facts_from_json(j1, strlen(j1), &back, &err) < 0) {
		fprintf(stderr, "facts JSON does not read back: %s\n", err);
		abort();
	}
	j2 = facts_to_json(back);
	if (strcmp(j1, j2)) {
		fprintf(stderr, "facts JSON round trip differs\n");
		abort();
	}
	free(j1);
	free(j2);
	facts_free(back);
}

static void exercise(const struct gather *g)
{
	struct facts *f = NULL;

	for (size_t i = 0; i < g->nr; i++) {
		struct gather_files it;
		struct gather_file file;
		size_t total = 0;
		gather_files_init(&it, g, &g->sections[i]);
		while (gather_files_next(&it, &file))
			total += file.len + strlen(file.path);
		gather_files_release(&it);
		if (total > g->len * 2 + 1)
			abort(); /* files never overlap */
	}
	(void)gather_complete(g);
	if (facts_from_gather(g, &f) < 0)
		return;
	for (const struct fact_name *n = fact_names; n->name; n++)
		(void)facts_lookup(f, n->name);
	(void)facts_sshd_get(f, "permitrootlogin");
	(void)facts_component_find(f, "openssl");
	(void)facts_service_find(f, "aegis");
	(void)facts_account_find(f, "root");
	(void)facts_package_find(f, "openssl");
	round_trip(f);
	facts_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char header[] = "@@SRG fuzzN0nce gather 1\n";
	struct gather g;
	struct facts *f = NULL;

	gather_init(&g);
	if (gather_parse(&g, (const char *)data, size, NULL, NULL) == 0) {
		exercise(&g);
		gather_release(&g);
	} else if (size < (1u << 20)) {
		char *buf = xmalloc(sizeof(header) + size);
		memcpy(buf, header, sizeof(header) - 1);
		memcpy(buf + sizeof(header) - 1, data, size);
		if (gather_parse(&g, buf, sizeof(header) - 1 + size, "fuzzN0nce", NULL) == 0)
			exercise(&g);
		gather_release(&g);
		free(buf);
	}

	/* the JSON reader on the raw input */
	if (facts_from_json((const char *)data, size, &f, NULL) == 0) {
		round_trip(f);
		facts_free(f);
	}
	return 0;
}
