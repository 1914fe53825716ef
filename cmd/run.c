/* shelfready run -p PROFILE TARGET: remediate, then verify. */
#include <signal.h>
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
#include "run.h"
#include "ssh.h"
#include "types.h"
#include "verify.h"
#include "banned.h"

static const struct cmd_opt run_opts[] = {
	{ "profile", 'p', "PROFILE", OPT_REQUIRED, "profile path or name" },
	{ "dry-run", 'n', NULL, 0, "say what each step would change, change nothing" },
	{ "report", 'r', "FORMAT[=PATH]", OPT_REPEAT, REPORT_FORMATS },
	{ "save-facts", 0, "FILE", 0, "also write the final facts as JSON to FILE" },
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "as-of", 0, "DATE", 0, "judge end-of-life dates and waivers as of DATE (YYYY-MM-DD)" },
	{ "eol-cache", 0, "DIR", 0,
	  "refreshed end-of-life data (default $XDG_CACHE_HOME/shelfready/eol)" },
	{ "no-refresh", 0, NULL, 0, "do not refresh package metadata before gathering" },
	{ "timeout", 0, "SECONDS", 0, "time limit for each fact gathering (default 600)" },
	{ "reconnect-wait", 0, "SECONDS", 0,
	  "how long to wait for the target after it dropped the connection (default 600)" },
	CONNECT_OPTS,
	OPT_END,
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	if (interrupted)
		_exit(130); /* a second Ctrl-C: stop now */
	interrupted = 1;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll() wakes up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static int parse_seconds(const struct cmd_args *a, const char *name, int dflt, int *out)
{
	const char *s = arg_get(a, name);
	char *end;
	long v;

	*out = dflt;
	if (!s)
		return 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || v < 0 || v > 86400) {
		fprintf(stderr, "shelfready run: --%s expects seconds, found '%s'\n", name, s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static void summary(const struct run_report *rep, int dry_run)
{
	printf("shelfready run: %zu step%s in %.1f s%s: %zu changed, %zu ok, %zu skipped, %zu failed",
	       rep->n, rep->n == 1 ? "" : "s", rep->seconds, dry_run ? " (dry run)" : "",
	       rep->counts[STEP_CHANGED], rep->counts[STEP_OK], rep->counts[STEP_SKIPPED],
	       rep->counts[STEP_FAILED]);
	size_t notrun = 0;
	for (size_t i = 0; i < rep->n; i++)
		notrun += !rep->steps[i].ran;
	if (notrun)
		printf(", %zu not run", notrun);
	printf("\n");
	fflush(stdout);
}

static int run_cmd(const struct cmd_args *a)
{
	struct diags d;
	struct loader *l = NULL;
	struct resolved *r = NULL;
	struct facts *f = NULL;
	struct conn_setup cs = { NULL, NULL };
	struct ssh_conn *c = NULL;
	struct error e = ERROR_INIT;
	struct verify_report v;
	struct run_report rep;
	struct report_req reports[MAX_REPORTS];
	struct secrets secrets;
	struct collect_check *cc = NULL;
	size_t nreports = 0, ncc = 0;
	char today[16], *target = NULL, *eol_cache = NULL, *bad = NULL;
	int status = EXIT_USAGE, gather_timeout, reconnect_wait, err;
	int dry_run = arg_get(a, "dry-run") != NULL;

	memset(&v, 0, sizeof(v));
	memset(&rep, 0, sizeof(rep));
	secrets_init(&secrets);
	diags_init(&d);
	if (reports_parse(a, reports, &nreports) ||
	    parse_seconds(a, "timeout", 0, &gather_timeout) < 0 ||
	    parse_seconds(a, "reconnect-wait", 600, &reconnect_wait) < 0)
		goto out;
	/* the whole profile validates, and every secret it needs is there, before anything connects */
	l = loader_from_args(a, &d);
	if (l && d.errors == 0)
		loader_resolve(l, arg_get(a, "profile"), &r, &d);
	diags_sort(&d);
	print_diags(&d);
	if (!r)
		goto out;
	if (run_secrets(r, &secrets, &bad) < 0) {
		fprintf(stderr, "shelfready run: %s\n", bad);
		goto out;
	}
	if (arg_get(a, "as-of"))
		snprintf(today, sizeof(today), "%s", arg_get(a, "as-of"));
	else
		date_today(today, sizeof(today));
	status = conn_setup(a, a->argv[0], &cs);
	if (status)
		goto out;
	secrets_add(&secrets, cs.o->auth.password);
	secrets_add(&secrets, cs.o->auth.passphrase);
	secrets_add(&secrets, cs.o->sudo_password);

	cc = command_checks(r, &ncc);
	err = ssh_connect(cs.o, &c, &e);
	if (err) {
		fprintf(stderr, "shelfready run: %s\n", e.msg);
		status = exit_code_for(err);
		goto out;
	}
	target = target_display(&cs.o->target);
	printf("shelfready run: %s%s%s on %s, %zu step%s%s\n", r->top->name ? r->top->name : "",
	       r->top->version ? " " : "", r->top->version ? r->top->version : "", target, r->nsteps,
	       r->nsteps == 1 ? "" : "s", dry_run ? " (dry run: nothing is changed)" : "");
	fflush(stdout);
	catch_signals();
	struct run_opts ro = { dry_run, arg_get(a, "no-refresh") != NULL, gather_timeout,
			       reconnect_wait, cc, ncc, &interrupted, &secrets, stdout };
	err = run_steps(r, c, &ro, &rep, &f, &e);
	summary(&rep, dry_run);
	if (err == SR_ERR_INTERRUPTED) {
		fprintf(stderr, "shelfready run: %s", e.msg);
		if (rep.left_running)
			fprintf(stderr, "; still running on the target: %s", rep.left_running);
		fprintf(stderr, "\n");
		status = 130;
		goto out;
	}
	if (err) {
		fprintf(stderr, "shelfready run: %s\n", e.msg);
		status = rep.stopped && (!rep.err || rep.err == SR_ERR_REMOTE ||
					 rep.err == SR_ERR_TIMEOUT)
				 ? EXIT_STEP_FAILED
				 : exit_code_for(err);
		goto out;
	}
	if (dry_run) {
		status = EXIT_COMPLIANT;
		goto out;
	}
	if (arg_get(a, "save-facts")) {
		char *json = facts_to_json(f);
		char *text = xasprintf("%s\n", json);
		int bad_write = write_output(a, arg_get(a, "save-facts"), text);
		free(text);
		free(json);
		if (bad_write)
			goto out;
	}
	eol_cache = eol_cache_dir(a);
	verify_run(r, f, today, target, eol_cache, &v);
	status = verify_compliant(&v) ? EXIT_COMPLIANT : EXIT_NONCOMPLIANT;
	/* a failed-but-continued step still fails the run */
	if (rep.counts[STEP_FAILED])
		status = EXIT_STEP_FAILED;
	if (reports_write(a, &v, reports, nreports))
		status = EXIT_USAGE;
out:
	reports_release(reports, nreports);
	run_report_release(&rep);
	verify_report_release(&v);
	secrets_release(&secrets);
	free(cc);
	free(bad);
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

const struct cmd_entry cmd_run = {
	.name = "run",
	.summary = "remediate a target with a profile's steps, then verify it",
	.usage = "TARGET",
	.description =
		"Validate the profile (and that every secret it names is in the environment),\n"
		"connect, gather facts, run the remediation steps in order with their output\n"
		"streamed as [n/N step-id], gather the facts again and judge every check. Each\n"
		"step inspects first and reports ok (nothing to do), changed, skipped or failed;\n"
		"a second run on the same target changes nothing. --dry-run says what each step\n"
		"would change and changes nothing. A failed step stops the run unless it has\n"
		"continue_on_error. Ctrl-C stops after the current command and says what was\n"
		"left running on the target. Exit codes: 0 compliant, 1 not compliant, 2 usage\n"
		"or profile error, 3 connection or authentication failure, 4 a step failed,\n"
		"130 interrupted.",
	.opts = run_opts,
	.min_args = 1,
	.max_args = 1,
	.run = run_cmd,
};
