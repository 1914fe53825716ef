/*
 * command: run a command on the target and judge its exit code and output.
 *
 * The commands of all `command` checks travel in the single fact-gathering
 * round trip (lib/collect.c prepends them to the gather script, which prints
 * each one's stdout as a section check-ID with its exit status; see
 * docs/gather-format.md), so judging is, as for every check, a pure function
 * of the facts: facts.checks[] holds {id, status, output}.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

/* Evidence shows at most this many lines of output, each cut at this many bytes. */
#define SHOW_LINES 10
#define SHOW_WIDTH 200
/* What timeout returns, and the limit sr_check in scripts/gather.sh gives a command. */
#define TIMEOUT_STATUS 124
#define TIMEOUT_SECONDS 120

static const struct param_spec command_params[] = {
	{ "command", PK_STRING, 1, NULL, "shell command run on the target by /bin/sh", NULL, 0, 0 },
	{ "exit_code", PK_INT, 0, "0", "exit code that passes", NULL, 0, 255 },
	{ "stdout_matches", PK_REGEX, 0, NULL,
	  "extended regular expression the output must match (^ and $ match at each line)", NULL, 0,
	  0 },
	{ "stdout_not_matches", PK_REGEX, 0, NULL,
	  "extended regular expression the output must not match (^ and $ match at each line)", NULL,
	  0, 0 },
	PARAM_END,
};

/* One line of output for evidence: at most SHOW_WIDTH bytes. */
static void show_line(struct check_result *r, const char *label, const char *line, size_t n)
{
	check_evidence(r, "%s%.*s%s", label, (int)(n > SHOW_WIDTH ? SHOW_WIDTH : n), line,
		       n > SHOW_WIDTH ? "..." : "");
}

static void show_output(struct check_result *r, const struct facts_check *c)
{
	const char *p = c->output ? c->output : "";
	size_t lines = 0, shown = 0;

	if (!*p) {
		check_evidence(r, "output: (none)");
	} else {
		lines = 1;
		for (const char *q = p; (q = strchr(q, '\n')); q++)
			lines++;
		while (p && shown < SHOW_LINES) {
			const char *nl = strchr(p, '\n');
			show_line(r, "output: ", p, nl ? (size_t)(nl - p) : strlen(p));
			shown++;
			p = nl ? nl + 1 : NULL;
		}
		if (lines > shown)
			check_evidence(r, "output: ... %zu more lines", lines - shown);
	}
	if (c->truncated)
		check_evidence(r, "output: cut at %u KiB on the target", FACTS_CHECK_OUTPUT_MAX >> 10);
}

/* Does re match somewhere in the output? 1 yes, 0 no, -1 it does not compile. */
static int search(const char *re, const char *text, const char **line, size_t *line_len)
{
	regex_t rx;
	regmatch_t m;
	int rc;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE))
		return -1;
	rc = regexec(&rx, text, 1, &m, 0);
	regfree(&rx);
	if (rc)
		return 0;
	/* the line holding the start of the match */
	const char *s = text + m.rm_so, *e;
	while (s > text && s[-1] != '\n')
		s--;
	e = strchr(s, '\n');
	*line = s;
	*line_len = e ? (size_t)(e - s) : strlen(s);
	return 1;
}

static void command_eval(const struct params *p, const struct check_env *env, struct check_result *r)
{
	const struct facts_check *c = facts_check_find(env->f, env->check_id);
	const struct param *want_p = params_get(p, "exit_code");
	const struct param *match = params_get(p, "stdout_matches");
	const struct param *nomatch = params_get(p, "stdout_not_matches");
	long long want = want_p ? want_p->v.i : 0;
	struct strbuf why = STRBUF_INIT, ok = STRBUF_INIT;
	const char *text, *line;
	size_t ll;
	int failed = 0, unsure = 0;

	if (!c) {
		check_error(r, "the command did not run: gather facts with this profile");
		check_remedy(r, "gather the facts with the profile that holds this check (shelfready "
				"verify or run), so that its command travels with them");
		return;
	}
	if (c->status < 0) {
		check_error(r, "the command did not finish");
		show_output(r, c);
		check_remedy(r, "gather the facts again");
		return;
	}
	text = c->output ? c->output : "";

	if (c->status == TIMEOUT_STATUS)
		check_evidence(r, "exit status %lld (what timeout returns for a command still running "
				  "after %d s)", c->status, TIMEOUT_SECONDS);
	else if (c->status == 127)
		check_evidence(r, "exit status 127 (command not found)");
	else
		check_evidence(r, "exit status %lld", c->status);
	if (c->status != want) {
		strbuf_addf(&why, "exit status %lld, expected %lld", c->status, want);
		failed = 1;
	} else {
		strbuf_addf(&ok, "exit status %lld", c->status);
	}

	if (match) {
		int m = search(match->v.s, text, &line, &ll);
		if (m < 0) {
			check_error(r, "'stdout_matches' is not a valid regular expression");
			check_remedy(r, "fix the regular expression in the profile");
			goto out;
		}
		if (m) {
			strbuf_addf(&ok, "%soutput matches /%s/", ok.len ? ", " : "", match->v.s);
			show_line(r, "matching line: ", line, ll);
		} else if (c->truncated) {
			unsure = 1;
		} else {
			strbuf_addf(&why, "%soutput does not match /%s/", why.len ? "; " : "", match->v.s);
			failed = 1;
		}
	}
	if (nomatch) {
		int m = search(nomatch->v.s, text, &line, &ll);
		if (m < 0) {
			check_error(r, "'stdout_not_matches' is not a valid regular expression");
			check_remedy(r, "fix the regular expression in the profile");
			goto out;
		}
		if (m) {
			strbuf_addf(&why, "%soutput matches /%s/", why.len ? "; " : "", nomatch->v.s);
			show_line(r, "matching line: ", line, ll);
			failed = 1;
		} else if (c->truncated) {
			unsure = 1;
		} else {
			strbuf_addf(&ok, "%soutput does not match /%s/", ok.len ? ", " : "", nomatch->v.s);
		}
	}
	show_output(r, c);

	if (failed) {
		check_fail(r, "%s", why.buf);
		struct strbuf rem = STRBUF_INIT;
		strbuf_addf(&rem, "make the command exit with %lld", want);
		if (match)
			strbuf_addf(&rem, ", printing output that matches /%s/", match->v.s);
		if (nomatch)
			strbuf_addf(&rem, ", printing nothing that matches /%s/", nomatch->v.s);
		check_remedy(r, "%s", rem.buf);
		strbuf_release(&rem);
	} else if (unsure) {
		check_error(r, "the output was cut at %u KiB on the target: cannot tell whether the rest "
			       "matches", FACTS_CHECK_OUTPUT_MAX >> 10);
		check_remedy(r, "make the command print less (filter it on the target)");
	} else {
		check_pass(r, "%s", ok.buf);
	}
out:
	strbuf_release(&why);
	strbuf_release(&ok);
}

const struct check_type check_command = {
	.name = "command",
	.summary = "run a command on the target and judge its exit code and output",
	.params = command_params,
	.validate = NULL,
	.eval = command_eval,
};
