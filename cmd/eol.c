/*
 * shelfready eol list|show|update: the end-of-life data the checks judge
 * with, and refreshing it from the live endoflife.date API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "date.h"
#include "eol.h"
#include "http.h"
#include "types.h"
#include "banned.h"

static const struct cmd_opt eol_opts[] = {
	{ "eol-cache", 0, "DIR", 0,
	  "the cache of refreshed data (default $XDG_CACHE_HOME/shelfready/eol)" },
	{ "as-of", 0, "DATE", 0, "show: judge as of DATE (YYYY-MM-DD) instead of today" },
	{ "extended", 0, NULL, 0, "show: count extended support (LTS, ESM) as maintained" },
	{ "base-url", 0, "URL", 0, "update: the API to fetch from (default " EOL_DEFAULT_BASE_URL ")" },
	{ "ca-file", 0, "FILE", 0, "update: trust the CAs in FILE instead of the system's" },
	{ "timeout", 0, "SECONDS", 0, "update: time limit for each request (default 30)" },
	{ "retries", 0, "N", 0, "update: attempts after a transient failure (default 2)" },
	OPT_END,
};

static int parse_num(const struct cmd_args *a, const char *name, long min, long max, long *out)
{
	const char *s = arg_get(a, name);
	char *end;
	long v;

	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		fprintf(stderr, "shelfready eol: --%s expects a number from %ld to %ld, found '%s'\n",
			name, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int today_of(const struct cmd_args *a, long *today)
{
	char buf[16];
	const char *as_of = arg_get(a, "as-of");

	if (as_of) {
		if (date_parse(as_of, today) < 0) {
			fprintf(stderr, "shelfready eol: --as-of expects a date YYYY-MM-DD, found '%s'\n",
				as_of);
			return -1;
		}
		return 0;
	}
	date_today(buf, sizeof(buf));
	return date_parse(buf, today);
}

static int eol_list(const struct cmd_args *a, const char *cache)
{
	struct eol_db db;
	char *err = NULL;
	long today;
	int status = EXIT_USAGE;

	eol_db_init(&db);
	if (today_of(a, &today) < 0)
		goto out;
	if (eol_db_load(&db, cache, &err) < 0) {
		fprintf(stderr, "shelfready eol: %s\n", err);
		goto out;
	}
	for (size_t i = 0; i < db.n; i++) {
		char *origin = eol_origin_text(&db.v[i], today);
		char *names = eol_cycle_names(&db.v[i], 3);
		printf("%-22s %3zu cycles (%s)  %s\n", db.v[i].name, db.v[i].n, names, origin);
		free(names);
		free(origin);
	}
	status = EXIT_COMPLIANT;
out:
	free(err);
	eol_db_release(&db);
	return status;
}

static void show_cycle(const struct eol_cycle *c, long today, int extended)
{
	struct eol_verdict v;
	char *why;

	eol_judge(c, today, extended, &v);
	why = eol_verdict_text(&v, today);
	printf("%-10s %-14s %s\n", c->cycle, eol_status_name(v.status), why);
	free(why);
}

static int eol_show(const struct cmd_args *a, const char *cache)
{
	struct eol_db db;
	const struct eol_product *p;
	char *err = NULL, *origin = NULL;
	const char *version = a->argc > 2 ? a->argv[2] : NULL;
	int extended = arg_get(a, "extended") != NULL, status = EXIT_USAGE;
	long today;

	eol_db_init(&db);
	if (a->argc < 2) {
		fprintf(stderr, "shelfready eol: show needs a PRODUCT (see shelfready eol list)\n");
		goto out;
	}
	if (today_of(a, &today) < 0)
		goto out;
	if (eol_db_load_product(&db, a->argv[1], cache, &err) < 0) {
		fprintf(stderr, "shelfready eol: %s\n", err);
		goto out;
	}
	p = eol_db_find(&db, a->argv[1]);
	origin = eol_origin_text(p, today);
	printf("%s: %s\n", p->name, origin);
	if (version) {
		const struct eol_cycle *c = eol_cycle_find(p, version);
		if (!c) {
			fprintf(stderr, "shelfready eol: no release cycle of '%s' matches version '%s'\n",
				p->name, version);
			status = EXIT_NONCOMPLIANT;
			goto out;
		}
		show_cycle(c, today, extended);
		char *dates = eol_cycle_text(c);
		printf("%-10s %s\n", "", dates);
		free(dates);
		struct eol_verdict v;
		status = eol_judge(c, today, extended, &v) == EOL_MAINTAINED ? EXIT_COMPLIANT
									   : EXIT_NONCOMPLIANT;
		goto out;
	}
	for (size_t i = 0; i < p->n; i++)
		show_cycle(&p->cycles[i], today, extended);
	status = EXIT_COMPLIANT;
out:
	free(origin);
	free(err);
	eol_db_release(&db);
	return status;
}

static void report_item(void *arg, const struct eol_update_item *it)
{
	(void)arg;
	switch (it->state) {
	case EOLU_UPDATED:
		printf("%-22s updated, %zu cycles\n", it->product, it->cycles);
		break;
	case EOLU_UNCHANGED:
		printf("%-22s not modified\n", it->product);
		break;
	case EOLU_ABSENT:
		printf("%-22s not on the server (404); the bundled data stays\n", it->product);
		break;
	case EOLU_FAILED:
		printf("%-22s failed: %s\n", it->product, it->msg);
		break;
	}
	fflush(stdout);
}

static int eol_update_cmd(const struct cmd_args *a, const char *cache)
{
	struct http_opts ho;
	struct error e = ERROR_INIT;
	long timeout = 30, retries = 2;
	int r, status = EXIT_USAGE;

	memset(&ho, 0, sizeof(ho));
	if (parse_num(a, "timeout", 1, 3600, &timeout) < 0 ||
	    parse_num(a, "retries", 0, 10, &retries) < 0)
		goto out;
	ho.timeout_ms = timeout * 1000;
	ho.connect_timeout_ms = timeout < 10 ? timeout * 1000 : 10000;
	ho.stall_s = timeout < 15 ? timeout : 15;
	ho.retries = (int)retries;
	ho.ca_file = arg_get(a, "ca-file");
	r = eol_update(arg_get(a, "base-url"), cache, (const char *const *)a->argv + 1,
		       (size_t)a->argc - 1, &ho, report_item, NULL, &e);
	if (r < 0) {
		fprintf(stderr, "shelfready eol: %s\n", e.msg);
		status = exit_code_for(r);
		goto out;
	}
	fprintf(stderr, "shelfready eol: the cache in %s is current\n", cache);
	status = EXIT_COMPLIANT;
out:
	error_release(&e);
	return status;
}

static int eol_run(const struct cmd_args *a)
{
	char *cache = eol_cache_dir(a);
	const char *action = a->argv[0];
	int status = EXIT_USAGE;

	if (!strcmp(action, "list") && a->argc == 1)
		status = eol_list(a, cache);
	else if (!strcmp(action, "show") && a->argc <= 3)
		status = eol_show(a, cache);
	else if (!strcmp(action, "update") && !cache)
		fprintf(stderr, "shelfready eol: no cache directory: set XDG_CACHE_HOME or HOME, or "
				"give --eol-cache\n");
	else if (!strcmp(action, "update"))
		status = eol_update_cmd(a, cache);
	else
		cmd_usage(a->cmd, 1);
	free(cache);
	return status;
}

const struct cmd_entry cmd_eol = {
	.name = "eol",
	.summary = "show the end-of-life data, or refresh it from the live API",
	.usage = "list | show PRODUCT [VERSION] | update [PRODUCT...]",
	.description =
		"The end-of-life data the os-maintained and third-party-maintained checks judge\n"
		"with: the endoflife.date snapshot compiled into the binary, replaced product by\n"
		"product by newer data in the cache directory.\n"
		"  list                    every product, where its data comes from\n"
		"  show PRODUCT [VERSION]  the release cycles and whether each is maintained;\n"
		"                          with VERSION, exit 0 when its cycle is maintained, else 1\n"
		"  update [PRODUCT...]     fetch BASE_URL/PRODUCT.json for each product (all by\n"
		"                          default) over verified TLS, as a conditional request when\n"
		"                          the cache has an ETag or Last-Modified, and replace the\n"
		"                          cached file atomically once the data reads back; a failed\n"
		"                          product keeps what it had. Exit 3 when any failed.",
	.opts = eol_opts,
	.min_args = 1,
	.max_args = -1,
	.run = eol_run,
};
