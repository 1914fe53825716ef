/* shelfready verify -p PROFILE TARGET|--facts FILE: judge a target, read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "collect.h"
#include "date.h"
#include "diag.h"
#include "error.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "strbuf.h"
#include "types.h"
#include "verify.h"
#include "banned.h"

#define MAX_REPORTS 16

extern const struct check_type check_command;

static const struct cmd_opt verify_opts[] = {
	{ "profile", 'p', "PROFILE", OPT_REQUIRED, "profile path or name" },
	{ "facts", 0, "FILE", 0, "judge facts saved by 'shelfready facts' instead of connecting" },
	{ "report", 'r', "FORMAT[=PATH]", OPT_REPEAT,
	  "text (default, to standard output), json, junit or html; =PATH writes it to a file" },
	{ "save-facts", 0, "FILE", 0, "also write the gathered facts as JSON to FILE" },
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "as-of", 0, "DATE", 0, "judge end-of-life dates and waivers as of DATE (YYYY-MM-DD)" },
	{ "eol-cache", 0, "DIR", 0,
	  "refreshed end-of-life data (default $XDG_CACHE_HOME/shelfready/eol)" },
	{ "no-refresh", 0, NULL, 0, "do not refresh package metadata before gathering" },
	{ "timeout", 0, "SECONDS", 0, "time limit for gathering (default 600)" },
	CONNECT_OPTS,
	OPT_END,
};

struct report_req {
	const char *format;
	char *path; /* NULL: standard output */
};

static int parse_reports(const struct cmd_args *a, struct report_req *out, size_t *n)
{
	const char *vals[MAX_REPORTS];
	size_t k = arg_all(a, "report", vals, MAX_REPORTS);
	*n = 0;
	if (!k)
		vals[k++] = "text";
	for (size_t i = 0; i < k; i++) {
		const char *eq = strchr(vals[i], '=');
		char *fmt = eq ? xstrndup(vals[i], (size_t)(eq - vals[i])) : xstrdup(vals[i]);
		static const char *const formats[] = { "text", "json", "junit", "html", NULL };
		const char *known = NULL;
		for (size_t f = 0; formats[f]; f++)
			if (!strcmp(fmt, formats[f]))
				known = formats[f];
		free(fmt);
		if (!known) {
			fprintf(stderr, "shelfready verify: unknown report format in '%s' (text, json, junit or html)\n", vals[i]);
			return EXIT_USAGE;
		}
		out[*n].format = known;
		out[*n].path = eq && eq[1] ? xstrdup(eq + 1) : NULL;
		(*n)++;
	}
	return 0;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	if (!f || fputs(text, f) < 0 || (path ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "shelfready verify: cannot write %s\n", path ? path : "standard output");
		return -1;
	}
	return 0;
}

static int load_facts(const char *path, struct facts **f)
{
	char *data = NULL, *err = NULL;
	size_t len = 0;
	int r = read_file(path, 256u << 20, &data, &len);
	if (r < 0) {
		fprintf(stderr, "shelfready verify: cannot read facts '%s': %s\n", path, strerror(-r));
		return EXIT_USAGE;
	}
	r = facts_from_json(data, len, f, &err);
	free(data);
	if (r < 0) {
		fprintf(stderr, "shelfready verify: '%s' is not a facts file: %s\n", path, err);
		free(err);
		return EXIT_USAGE;
	}
	return 0;
}

static int verify_run_cmd(const struct cmd_args *a)
{
	struct diags d;
	struct loader *l = NULL;
	struct resolved *r = NULL;
	struct facts *f = NULL;
	struct conn_setup cs = { NULL, NULL };
	struct ssh_conn *c = NULL;
	struct error e = ERROR_INIT;
	struct verify_report v;
	struct report_req reports[MAX_REPORTS];
	size_t nreports = 0;
	char today[16];
	char *target = NULL, *eol_cache = NULL;
	int status = EXIT_USAGE;

	memset(&v, 0, sizeof(v));
	diags_init(&d);
	if (!!arg_get(a, "facts") == (a->argc == 1)) {
		fprintf(stderr, "shelfready verify: give either a TARGET or --facts FILE\n");
		goto out;
	}
	if (parse_reports(a, reports, &nreports))
		goto out;
	/* the whole profile validates before anything connects */
	l = loader_from_args(a, &d);
	if (l && d.errors == 0)
		loader_resolve(l, arg_get(a, "profile"), &r, &d);
	diags_sort(&d);
	print_diags(&d);
	if (!r)
		goto out;
	if (arg_get(a, "as-of"))
		snprintf(today, sizeof(today), "%s", arg_get(a, "as-of"));
	else
		date_today(today, sizeof(today));

	if (arg_get(a, "facts")) {
		status = load_facts(arg_get(a, "facts"), &f);
		if (status)
			goto out;
		target = xasprintf("facts from %s", arg_get(a, "facts"));
	} else {
		status = conn_setup(a, a->argv[0], &cs);
		if (status)
			goto out;
		/* the commands of `command` checks travel in the same round trip */
		struct collect_check *cc = xcalloc(r->nchecks ? r->nchecks : 1, sizeof(*cc));
		size_t ncc = 0;
		for (size_t i = 0; i < r->nchecks; i++) {
			const struct param *cmd = params_get(&r->checks[i].params, "command");
			if (r->checks[i].def->type == &check_command && cmd && r->checks[i].enabled != ENABLED_NO) {
				cc[ncc].id = r->checks[i].def->it.id;
				cc[ncc].command = cmd->v.s;
				ncc++;
			}
		}
		int err = ssh_connect(cs.o, &c, &e);
		if (!err) {
			struct collect_opts co = { arg_get(a, "no-refresh") != NULL, 0, NULL, NULL, cc, ncc };
			err = collect_facts(c, &co, &f, NULL, NULL, &e);
		}
		free(cc);
		if (err) {
			fprintf(stderr, "shelfready verify: %s\n", e.msg);
			status = exit_code_for(e.code);
			goto out;
		}
		target = target_display(&cs.o->target);
		if (arg_get(a, "save-facts")) {
			char *json = facts_to_json(f);
			struct strbuf sb = STRBUF_INIT;
			strbuf_addf(&sb, "%s\n", json);
			int bad = write_file(arg_get(a, "save-facts"), sb.buf);
			strbuf_release(&sb);
			free(json);
			if (bad)
				goto out;
		}
	}
	eol_cache = eol_cache_dir(a);
	verify_run(r, f, today, target, eol_cache, &v);
	int color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	status = verify_compliant(&v) ? EXIT_COMPLIANT : EXIT_NONCOMPLIANT;
	for (size_t i = 0; i < nreports; i++) {
		int to_tty = color && !reports[i].path;
		const char *fmt = reports[i].format;
		char *text = !strcmp(fmt, "json")    ? report_json(&v)
			     : !strcmp(fmt, "junit") ? report_junit(&v)
			     : !strcmp(fmt, "html")  ? report_html(&v)
						     : report_text(&v, to_tty);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, text);
		if (!strcmp(reports[i].format, "json"))
			strbuf_addch(&sb, '\n');
		if (write_file(reports[i].path, sb.buf))
			status = EXIT_USAGE;
		strbuf_release(&sb);
		free(text);
	}
out:
	for (size_t i = 0; i < nreports; i++)
		free(reports[i].path);
	verify_report_release(&v);
	free(eol_cache);
	free(target);
	facts_free(f);
	ssh_close(c);
	conn_setup_release(&cs);
	error_release(&e);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	return status;
}

const struct cmd_entry cmd_verify = {
	.name = "verify",
	.summary = "judge a target against a profile, read-only; exit 0 only if compliant",
	.usage = "[TARGET]",
	.description =
		"Validate the profile, gather facts from TARGET in one round trip (or read them\n"
		"from --facts FILE), judge every check in C and report. Nothing is changed on the\n"
		"target. Exit codes: 0 compliant, 1 not compliant (a check failed or could not be\n"
		"judged; waived and skipped checks do not count), 2 usage or profile error,\n"
		"3 connection or authentication failure.",
	.opts = verify_opts,
	.min_args = 0,
	.max_args = 1,
	.run = verify_run_cmd,
};
