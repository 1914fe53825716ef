/* shelfready verify -p PROFILE TARGET|--facts FILE: judge a target, read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "collect.h"
#include "date.h"
#include "diag.h"
#include "error.h"
#include "facts.h"
#include "packer.h"
#include "profile.h"
#include "ssh.h"
#include "strbuf.h"
#include "types.h"
#include "verify.h"
#include "banned.h"

static const struct cmd_opt verify_opts[] = {
	{ "profile", 'p', "PROFILE", OPT_REQUIRED, "profile path or name" },
	{ "facts", 0, "FILE", 0,
	  "judge saved facts instead of connecting: JSON from 'shelfready facts', or a transcript "
	  "('shelfready facts --raw', or printed by a script from 'shelfready emit')" },
	{ "report", 'r', "FORMAT[=PATH]", OPT_REPEAT, REPORT_FORMATS },
	{ "save-facts", 0, "FILE", 0, "also write the gathered facts as JSON to FILE" },
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "as-of", 0, "DATE", 0, "judge end-of-life dates and waivers as of DATE (YYYY-MM-DD)" },
	{ "eol-cache", 0, "DIR", 0,
	  "refreshed end-of-life data (default $XDG_CACHE_HOME/shelfready/eol)" },
	{ "no-refresh", 0, NULL, 0, "do not refresh package metadata before gathering" },
	{ "timeout", 0, "SECONDS", 0, "time limit for gathering (default 600)" },
	{ "packer-manifest", 0, "FILE", 0,
	  "name in the reports the artifact of the last run in this Packer manifest" },
	{ "packer-build", 0, "NAME", 0,
	  "the build of that run to name (needed when it has several: $PACKER_BUILD_NAME)" },
	CONNECT_OPTS,
	OPT_END,
};

static int load_facts(const char *path, struct facts **f)
{
	char *data = NULL, *err = NULL;
	size_t len = 0;
	int r = read_file(path, 256u << 20, &data, &len);
	if (r < 0) {
		fprintf(stderr, "shelfready verify: cannot read facts '%s': %s\n", path, strerror(-r));
		return EXIT_USAGE;
	}
	/* a transcript, as 'shelfready facts --raw' or an emitted script prints it */
	if (len >= 6 && !memcmp(data, "@@SRG ", 6)) {
		struct error e = ERROR_INIT;
		r = collect_parse(data, len, NULL, f, &e);
		free(data);
		if (r < 0) {
			fprintf(stderr, "shelfready verify: '%s' is not a complete facts transcript: %s\n",
				path, e.msg);
			error_release(&e);
			return EXIT_USAGE;
		}
		error_release(&e);
		return 0;
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
	struct packer_build *artifact = NULL;
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
	if (reports_parse(a, reports, &nreports))
		goto out;
	/* the whole profile validates before anything connects */
	l = loader_from_args(a, &d);
	if (l && d.errors == 0)
		loader_resolve(l, arg_get(a, "profile"), &r, &d);
	diags_sort(&d);
	print_diags(&d);
	if (!r)
		goto out;
	if (packer_pick(arg_get(a, "packer-manifest"), arg_get(a, "packer-build"), &artifact, &e)) {
		fprintf(stderr, "shelfready verify: %s\n", e.msg);
		goto out;
	}
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
		size_t ncc = 0;
		struct collect_check *cc = command_checks(r, &ncc);
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
			int bad = write_output(a, arg_get(a, "save-facts"), sb.buf);
			strbuf_release(&sb);
			free(json);
			if (bad)
				goto out;
		}
	}
	eol_cache = eol_cache_dir(a);
	verify_run(r, f, today, target, eol_cache, &v);
	v.artifact = artifact;
	status = verify_compliant(&v) ? EXIT_COMPLIANT : EXIT_NONCOMPLIANT;
	if (reports_write(a, &v, reports, nreports))
		status = EXIT_USAGE;
out:
	reports_release(reports, nreports);
	verify_report_release(&v);
	free(eol_cache);
	free(target);
	packer_build_free(artifact);
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
