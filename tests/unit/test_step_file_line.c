/*
 * Unit tests of the file-line step type (steps/file-line.c): the line edit
 * computed on the controller (replace the first match, drop later ones,
 * insert at the end or the start, remove; a last line without a newline,
 * regex metacharacters, quotes and UTF-8 as data), idempotence (applying
 * an edit to its own output changes nothing), `ls -l` mode strings, owner
 * matching, the remote script under a real /bin/sh with hostile paths, and
 * the parameter rules with file:line:col messages.
 *
 * The step's file is compiled in here so that its static helpers can be
 * tested; its apply function needs a target and is run by
 * tests/e2e/run-steps.sh.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../steps/file-line.c"

#include "vars.h"
#include "ytree.h"

/* ---- parameters, as lint sees them ---- */

struct prow {
	const char *with;
	const char *error; /* NULL: valid; else the formatted message of the first error */
};

static const struct prow prows[] = {
	{ "{path: /etc/ssh/sshd_config, line: 'PermitRootLogin no', regexp: '^#?PermitRootLogin'}", NULL },
	/* hostile content is data: accepted, it never reaches a shell */
	{ "{path: /etc/x, line: \"it's $(touch /tmp/pwn) `id` \\\\ / \\\" é\"}", NULL },
	{ "{path: \"/etc/a b/$(x)\", line: x, create: true, owner: 'root:adm', mode: '0600'}", NULL },
	{ "{path: /etc/x, state: absent, regexp: '^foo'}", NULL },
	{ "{path: /etc/x, state: absent, line: foo}", NULL },
	{ "{path: /etc/x, line: x, owner: '1000:1000', mode: '4755'}", NULL },
	{ "{path: /etc/x, line: x, owner: ':wheel'}", NULL },
	{ "{path: etc/x, line: x}",
	  "w.yaml:1:8: error: 'path' of step 'fl' (file-line) must be the absolute path of a file, found 'etc/x'" },
	{ "{path: /etc/, line: x}",
	  "w.yaml:1:8: error: 'path' of step 'fl' (file-line) must be the absolute path of a file, found '/etc/'" },
	{ "{path: /etc/x, line: \"a\\nb\"}",
	  "w.yaml:1:22: error: 'line' of step 'fl' (file-line) must be one line: it contains a newline" },
	{ "{path: /etc/x}", "p.yaml:1:1: error: step 'fl' (file-line) needs 'line' with state present" },
	{ "{path: /etc/x, state: absent}",
	  "p.yaml:1:1: error: step 'fl' (file-line) needs 'line' or 'regexp' with state absent" },
	{ "{path: /etc/x, line: x, regexp: '('}",
	  "w.yaml:1:33: error: parameter 'regexp' of step 'fl' (file-line) is not a valid regular "
	  "expression: Unmatched ( or \\(" },
	{ "{path: /etc/x, line: x, regexp: ''}",
	  "w.yaml:1:33: error: 'regexp' of step 'fl' (file-line) must not be empty: it matches every line" },
	{ "{path: /etc/x, line: x, owner: 'root;id'}",
	  "w.yaml:1:32: error: 'owner' of step 'fl' (file-line) must be USER, USER:GROUP or :GROUP, found 'root;id'" },
	{ "{path: /etc/x, line: x, owner: '-R'}",
	  "w.yaml:1:32: error: 'owner' of step 'fl' (file-line) must be USER, USER:GROUP or :GROUP, found '-R'" },
	{ "{path: /etc/x, line: x, mode: '644; id'}",
	  "w.yaml:1:31: error: 'mode' of step 'fl' (file-line) must be octal permissions such as \"0644\", found '644; id'" },
	{ "{path: /etc/x, line: x, mode: '0888'}",
	  "w.yaml:1:31: error: 'mode' of step 'fl' (file-line) must be octal permissions such as \"0644\", found '0888'" },
	{ "{path: /etc/x, line: x, state: gone}",
	  "w.yaml:1:32: error: parameter 'state' of step 'fl' (file-line) must be one of present, absent, found 'gone'" },
};

static void test_params(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prows); i++)
		failed += !test_step_param_row(&step_file_line, "fl", prows[i].with,
						 prows[i].error);
	assert_int_equal(failed, 0);
}

/* ---- the edit ---- */

struct erow {
	const char *label;
	const char *in;
	const char *line;
	const char *re;     /* NULL: exact line */
	int absent, at_start;
	int changed;
	const char *out;
	const char *said;   /* describe(): what the summary says */
};

static const struct erow erows[] = {
	{ "append to a file ending in a newline", "a\nb\n", "c", NULL, 0, 0, 1, "a\nb\nc\n",
	  "add 'c' at line 3" },
	{ "append after a last line without a newline", "a\nb", "c", NULL, 0, 0, 1, "a\nb\nc\n",
	  "add 'c' at line 3" },
	{ "append to an empty file", "", "c", NULL, 0, 0, 1, "c\n", "add 'c' at line 1" },
	{ "insert at the start", "a\nb", "c", NULL, 0, 1, 1, "c\na\nb", "add 'c' at line 1" },
	{ "present already", "a\nc\nb\n", "c", NULL, 0, 0, 0, "a\nc\nb\n", "" },
	{ "present already, last line without newline", "a\nc", "c", NULL, 0, 0, 0, "a\nc", "" },
	{ "a line that only starts like it is not it", "cc\n", "c", NULL, 0, 0, 1, "cc\nc\n",
	  "add 'c' at line 2" },
	{ "replace the match", "#PermitRootLogin yes\nX 1\n", "PermitRootLogin no",
	  "^#?PermitRootLogin[[:space:]]", 0, 0, 1, "PermitRootLogin no\nX 1\n",
	  "replace line 1 '#PermitRootLogin yes' with 'PermitRootLogin no'" },
	{ "replace the first match, drop the later ones", "a\nK=1\nb\nK=2\nK=3", "K=9", "^K=", 0, 0,
	  1, "a\nK=9\nb\n", "replace line 2 'K=1' with 'K=9', remove 2 more matching lines" },
	{ "the match is the line already", "a\nK=9\nb", "K=9", "^K=", 0, 0, 0, "a\nK=9\nb", "" },
	{ "the match is the line, a later one goes", "K=9\nK=1\n", "K=9", "^K=", 0, 0, 1, "K=9\n",
	  "remove 1 line (line 2: 'K=1')" },
	{ "a replaced last line keeps having no newline", "a\nK=1", "K=2", "^K=", 0, 0, 1, "a\nK=2",
	  "replace line 2 'K=1' with 'K=2'" },
	{ "no match: append", "a\n", "K=2", "^K=", 0, 0, 1, "a\nK=2\n", "add 'K=2' at line 2" },
	{ "no match but the line is there", "K2\n", "K2", "^K=", 0, 0, 0, "K2\n", "" },
	{ "metacharacters in the line are data", "x\n", "a.*$(id) `id` \\1 & / '\"", "^a\\.", 0, 0,
	  1, "x\na.*$(id) `id` \\1 & / '\"\n", "add 'a.*$(id) `id` \\1 & / '\"' at line 2" },
	{ "metacharacters: replace", "a.b old\n", "a.*$(id) & \\", "^a\\.b", 0, 0, 1,
	  "a.*$(id) & \\\n", "replace line 1 'a.b old' with 'a.*$(id) & \\'" },
	{ "UTF-8", "naïve=1\n", "naïve=2", "^naïve=", 0, 0, 1, "naïve=2\n",
	  "replace line 1 'naïve=1' with 'naïve=2'" },
	{ "CRLF lines are not equal to the line", "a\r\n", "a", NULL, 0, 0, 1, "a\r\na\n",
	  "add 'a' at line 2" },
	{ "empty lines survive", "\n\na\n\n", "b", NULL, 0, 0, 1, "\n\na\n\nb\n",
	  "add 'b' at line 5" },
	{ "absent: remove every equal line", "a\nb\na\nc", "a", NULL, 1, 0, 1, "b\nc",
	  "remove 2 lines (line 1: 'a')" },
	{ "absent: remove every match", "x=1\ny\nx=2\n", NULL, "^x=", 1, 0, 1, "y\n",
	  "remove 2 lines (line 1: 'x=1')" },
	{ "absent: a last line without a newline", "y\nx=2", NULL, "^x=", 1, 0, 1, "y\n",
	  "remove 1 line (line 2: 'x=2')" },
	{ "absent: nothing to remove", "y\n", NULL, "^x=", 1, 0, 0, "y\n", "" },
	{ "absent: the regexp wins over the line", "a\nb\n", "a", "^b$", 1, 0, 1, "a\n",
	  "remove 1 line (line 2: 'b')" },
	{ "a long line is shortened in the summary", "\n",
	  "0123456789012345678901234567890123456789012345678901234567890123456789", NULL, 0, 0, 1,
	  "\n0123456789012345678901234567890123456789012345678901234567890123456789\n",
	  "add '012345678901234567890123456789012345678901234567890123456...' at line 2" },
};

static void test_edit(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(erows); i++) {
		const struct erow *w = &erows[i];
		regex_t re;
		struct strbuf out = STRBUF_INIT, again = STRBUF_INIT, said = STRBUF_INIT;
		struct fl_outcome oc, oc2;
		if (w->re)
			assert_int_equal(regcomp(&re, w->re, REG_EXTENDED | REG_NOSUB), 0);
		struct fl_edit ed = { w->line, w->re ? &re : NULL, w->absent, w->at_start };
		int changed = fl_edit_apply(w->in, strlen(w->in), &ed, &out, &oc);
		if (changed)
			describe(&said, &oc, w->line ? w->line : "");
		/* idempotent: the edit of its own output changes nothing */
		int twice = fl_edit_apply(out.buf ? out.buf : "", out.len, &ed, &again, &oc2);
		if (changed != w->changed || strcmp(out.buf ? out.buf : "", w->out) ||
		    strcmp(said.buf ? said.buf : "", w->said) || twice ||
		    strcmp(again.buf ? again.buf : "", out.buf ? out.buf : "")) {
			print_error("row %zu (%s): changed %d (want %d), twice %d\n  out:  '%s'\n  want: "
				    "'%s'\n  said: '%s'\n  want: '%s'\n",
				    i, w->label, changed, w->changed, twice, out.buf ? out.buf : "", w->out,
				    said.buf ? said.buf : "", w->said);
			failed++;
		}
		fl_outcome_release(&oc);
		fl_outcome_release(&oc2);
		strbuf_release(&out);
		strbuf_release(&again);
		strbuf_release(&said);
		if (w->re)
			regfree(&re);
	}
	assert_int_equal(failed, 0);
}

/* ---- ls -l, owners, modes ---- */

static void test_perm_mode(void **state)
{
	(void)state;
	static const struct {
		const char *perm;
		int mode;
	} rows[] = {
		{ "-rw-r--r--", 0644 },   { "-rw-r--r--.", 0644 }, { "-rwxr-x---+", 0750 },
		{ "-rwsr-xr-x", 04755 },  { "-rwSr--r--", 04644 }, { "-rwxr-sr-x", 02755 },
		{ "drwxrwxrwt", 01777 },  { "-rw-rw-rwT", 01666 }, { "----------", 0 },
		{ "-rwxrwxrwx", 0777 },   { "-rw-r--r", -1 },      { "-rwtr--r--", -1 },
		{ "-rw-r--r-s", -1 },     { "-rw-r-zr--", -1 },    { "", -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		int got = fl_perm_mode(rows[i].perm);
		if (got != rows[i].mode)
			fail_msg("'%s': %o, want %o", rows[i].perm, (unsigned)got, (unsigned)rows[i].mode);
	}
}

static void test_owner(void **state)
{
	(void)state;
	static const struct {
		const char *want;
		int valid, matches; /* against root:adm, 0:4 */
	} rows[] = {
		{ "root", 1, 1 },      { "root:adm", 1, 1 },  { "0:4", 1, 1 },      { ":adm", 1, 1 },
		{ ":4", 1, 1 },        { "root:root", 1, 0 }, { "www-data", 1, 0 }, { "1000", 1, 0 },
		{ "0", 1, 1 },         { "machine$", 1, 0 },  { "a b", 0, 0 },      { "root:", 0, 0 },
		{ "-h", 0, 0 },        { "$(id)", 0, 0 },     { "", 0, 0 },         { "a:b:c", 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		int valid = fl_valid_owner(rows[i].want);
		int m = valid && fl_owner_matches(rows[i].want, "root", "adm", 0, 4);
		if (valid != rows[i].valid || m != rows[i].matches)
			fail_msg("'%s': valid %d matches %d", rows[i].want, valid, m);
	}
	unsigned mode = 0;
	assert_true(fl_valid_mode("0644", &mode));
	assert_int_equal(mode, 0644);
	assert_true(fl_valid_mode("4755", &mode));
	assert_int_equal(mode, 04755);
	assert_true(fl_valid_mode("600", &mode));
	assert_int_equal(mode, 0600);
	assert_false(fl_valid_mode("06444", &mode));
	assert_false(fl_valid_mode("64", &mode));
	assert_false(fl_valid_mode("0x44", &mode));
}

/* ---- the remote part, under a real /bin/sh ---- */

/* Run script with sh in directory dir; its output (stdout and stderr) and *status. */
static char *sh_out(const char *dir, const char *script, int *status)
{
	struct strbuf out = STRBUF_INIT;
	char tmpl[] = "/tmp/shelfready-fl-XXXXXX", buf[512];
	int fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
	close(fd);
	char *cmd = xasprintf("cd %s && sh %s 2>&1", dir, tmpl);
	FILE *p = popen(cmd, "r");
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	*status = WEXITSTATUS(pclose(p));
	unlink(tmpl);
	free(cmd);
	return strbuf_detach(&out);
}

static void test_finish_script(void **state)
{
	(void)state;
	char dir[] = "/tmp/shelfready-fl-dir-XXXXXX";
	assert_non_null(mkdtemp(dir));
	/* a hostile file name: quotes, $(...), backticks, a newline; run in dir */
	char *path = xasprintf("%s/it's $(touch pwned) `touch pwned` \"$x\"\nz", dir);
	char *stage = xasprintf("%s/.stage", dir);
	char *canary = xasprintf("%s/pwned", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("old\n", f);
	fclose(f);
	f = fopen(stage, "w");
	assert_non_null(f);
	fputs("new\n", f);
	fclose(f);

	char *sh = finish_script(path, stage, 1, NULL, 0640);
	int status;
	char *out = sh_out(dir, sh, &status);
	if (status)
		fail_msg("exit %d: %s", status, out);
	/* it says where the backup is, and the backup holds the old text */
	size_t pl = strlen(path);
	if (strncmp(out, path, pl) || strncmp(out + pl, ".shelfready-", 12))
		fail_msg("backup line: '%s'", out);
	char *bak = xstrndup(out, strcspn(out + pl, "\n") + pl);
	char *data = NULL;
	size_t len = 0;
	assert_int_equal(read_file(bak, 1024, &data, &len), 0);
	assert_string_equal(data, "old\n");
	free(data);
	assert_int_equal(read_file(path, 1024, &data, &len), 0);
	assert_string_equal(data, "new\n");
	free(data);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_not_equal(access(stage, F_OK), 0);
	assert_int_not_equal(access(canary, F_OK), 0);

	/* mode only: no stage, no backup */
	free(sh);
	free(out);
	sh = finish_script(path, NULL, 1, NULL, 0600);
	out = sh_out(dir, sh, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_not_equal(access(canary, F_OK), 0);

	unlink(bak);
	unlink(path);
	rmdir(dir);
	free(bak);
	free(sh);
	free(out);
	free(path);
	free(stage);
	free(canary);
}

/* ---- emit: the same edit in sh and awk on the machine itself ---- */

/* The runtime of lib/emit.h as stubs writing each outcome to $SR_LOG. */
static const char stub_runtime[] =
	"sr_say() { printf 'say %s\\n' \"$*\" >>\"$SR_LOG\"; }\n"
	"sr_run() { \"$@\"; }\n"
	"sr_ok() { printf 'ok %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_changed() { printf 'changed %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_skipped() { printf 'skipped %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_failed() { printf 'failed %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_secret() { printenv \"$1\"; }\n";

/* s as a YAML double-quoted scalar. */
static void yaml_dq(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addf(sb, "\\%c", *s);
		else if (*s == '\r')
			strbuf_addstr(sb, "\\r");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}

static int run_cmd(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp_or_empty(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	if (read_file(path, 1u << 20, &data, &len) < 0)
		return xstrdup("");
	return data;
}

/* The body the hook emits for the YAML with, wrapped as f() after the stub runtime. */
static char *emitted(const char *with)
{
	struct params p;
	struct diags d;
	struct emit_ctx ctx;
	struct strbuf sh = STRBUF_INIT;
	char *err = NULL, *script;

	diags_init(&d);
	if (test_step_params(&step_file_line, "fl", NULL, with, &p, &d) < 0)
		fail_msg("with %s: %s", with, test_diags_text(&d));
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(step_file_line.emit(&p, &ctx, &sh, &err), 0);
	script = xasprintf("%sf() {\n%s}\nf || echo 'failed non-zero' >>\"$SR_LOG\"\n", stub_runtime,
			   sh.buf);
	params_release(&p);
	diags_release(&d);
	strbuf_release(&sh);
	return script;
}

/* Run script under /bin/sh in dir; what it logged. */
static char *run_emitted(const char *dir, const char *script)
{
	char *path = xasprintf("%s/body.sh", dir), *log = xasprintf("%s/log", dir), *cmd, *out;
	assert_int_equal(write_file_atomic(path, script, strlen(script), 0644), 0);
	unlink(log);
	cmd = xasprintf("cd '%s' && SR_LOG='%s' /bin/sh '%s' >'%s/out' 2>&1", dir, log, path, dir);
	run_cmd(cmd);
	out = slurp_or_empty(log);
	unlink(path);
	free(cmd);
	free(path);
	free(log);
	return out;
}

static void lint_emitted(const char *dir, const char *script)
{
	char *path = xasprintf("%s/lint.sh", dir), *cmd;
	assert_int_equal(write_file_atomic(path, script, strlen(script), 0644), 0);
	cmd = xasprintf("sh -n '%s' && { ! command -v shellcheck >/dev/null 2>&1 || "
			"shellcheck -s sh '%s' >&2; }",
			path, path);
	if (run_cmd(cmd))
		fail_msg("sh -n or shellcheck refused:\n%s", script);
	unlink(path);
	free(cmd);
	free(path);
}

/* More rows for the emitted edit: what would break sed or a shell. */
static const struct erow hostile_rows[] = {
	{ "quotes, $(), backticks, slashes", "x\n", "it's \"$(touch pwned)\" `touch pwned` /a/b\\c",
	  NULL, 0, 0, 1, NULL, NULL },
	{ "regexp with quotes and slashes", "a'b/c=1\nz\n", "a'b/c=$(id)", "^a'b/c=", 0, 0, 1, NULL,
	  NULL },
	{ "regexp metacharacters", "k[1]=(x)|y\n", "k[1]=2", "^k\\[1\\]=\\(x\\)\\|y$", 0, 0, 1, NULL,
	  NULL },
	{ "a line that looks like a number", "1\n01\n", "1.0", NULL, 0, 0, 1, NULL, NULL },
	{ "percent signs and backslash-n", "%s\n", "%d \\n %%", NULL, 0, 1, 1, NULL, NULL },
	{ "UTF-8 regexp, missing final newline", "clé=1\nb", "clé=2", "^clé=[0-9]+$", 0, 0, 1, NULL,
	  NULL },
	{ "interval", "aa\naaa\n", NULL, "^a{2}$", 1, 0, 1, NULL, NULL },
};

static void emit_row(const char *dir, const struct erow *w, size_t i, int *failed)
{
	char *path = xasprintf("%s/conf 'x' $(y)", dir), *pwned = xasprintf("%s/pwned", dir);
	struct strbuf with = STRBUF_INIT, want = STRBUF_INIT;
	struct fl_outcome oc;
	regex_t re;

	if (w->re)
		assert_int_equal(regcomp(&re, w->re, REG_EXTENDED | REG_NOSUB), 0);
	struct fl_edit ed = { w->line, w->re ? &re : NULL, w->absent, w->at_start };
	int changed = fl_edit_apply(w->in, strlen(w->in), &ed, &want, &oc);

	strbuf_addstr(&with, "{path: ");
	yaml_dq(&with, path);
	if (w->line) {
		strbuf_addstr(&with, ", line: ");
		yaml_dq(&with, w->line);
	}
	if (w->re) {
		strbuf_addstr(&with, ", regexp: ");
		yaml_dq(&with, w->re);
	}
	strbuf_addf(&with, ", state: %s, insert: %s, backup: false}", w->absent ? "absent" : "present",
		    w->at_start ? "start" : "end");
	assert_int_equal(write_file_atomic(path, w->in, strlen(w->in), 0640), 0);
	char *script = emitted(with.buf);
	if (i < 3)
		lint_emitted(dir, script);
	char *log = run_emitted(dir, script), *got = slurp_or_empty(path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	const char *want_text = want.buf ? want.buf : "";
	if (strcmp(got, want_text) || strncmp(log, changed ? "changed " : "ok ", changed ? 8 : 3) ||
	    (st.st_mode & 07777) != 0640 || access(pwned, F_OK) == 0) {
		print_error("row %zu (%s): log '%s'\n  got:  '%s'\n  want: '%s'\n  mode %04o\n", i,
			    w->label, log, got, want_text, (unsigned)(st.st_mode & 07777));
		(*failed)++;
	}
	unlink(path);
	free(script);
	free(log);
	free(got);
	free(path);
	free(pwned);
	fl_outcome_release(&oc);
	strbuf_release(&with);
	strbuf_release(&want);
	if (w->re)
		regfree(&re);
}

static void test_emit_edit(void **state)
{
	(void)state;
	char dir[] = "/tmp/shelfready-fl-emit-XXXXXX";
	int failed = 0;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < ARRAY_SIZE(hostile_rows); i++)
		emit_row(dir, &hostile_rows[i], i, &failed);
	for (size_t i = 0; i < ARRAY_SIZE(erows); i++)
		emit_row(dir, &erows[i], ARRAY_SIZE(hostile_rows) + i, &failed);
	assert_int_equal(failed, 0);
	/* no stage or match file is left behind */
	char *cmd = xasprintf("cd '%s' && rm -f log out && [ -z \"$(ls -A)\" ] && cd / && rmdir '%s'",
			      dir, dir);
	assert_int_equal(run_cmd(cmd), 0);
	free(cmd);
}

/* create, backup, owner and mode, a symbolic link, absent files, NUL bytes */
static void test_emit_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/shelfready-fl-emit-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/new.conf", dir), *link = xasprintf("%s/link", dir);
	char *with, *script, *log, *got, *cmd;
	struct stat st;

	/* absent file, state present without create: failed; with create: made, 0600 */
	with = xasprintf("{path: '%s', line: 'a=1'}", path);
	script = emitted(with);
	log = run_emitted(dir, script);
	assert_non_null(strstr(log, "failed "));
	assert_non_null(strstr(log, "set 'create: true'"));
	free(with), free(script), free(log);
	with = xasprintf("{path: '%s', line: 'a=1', create: true, mode: '0600', owner: '%d:%d'}", path,
			 (int)getuid(), (int)getgid());
	script = emitted(with);
	lint_emitted(dir, script);
	log = run_emitted(dir, script);
	assert_int_equal(strncmp(log, "changed created ", 16), 0);
	got = slurp_or_empty(path);
	assert_string_equal(got, "a=1\n");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(got), free(log);
	/* again: ok */
	log = run_emitted(dir, script);
	assert_int_equal(strncmp(log, "ok ", 3), 0);
	free(log), free(script), free(with);

	/* through a symbolic link, with a backup; the mode is kept, then changed alone */
	assert_int_equal(symlink("new.conf", link), 0);
	with = xasprintf("{path: '%s', line: 'a=2', regexp: '^a='}", link);
	script = emitted(with);
	log = run_emitted(dir, script);
	if (!strstr(log, "changed changed '") || !strstr(log, "replaced line 1 (backup '"))
		fail_msg("log: %s", log);
	got = slurp_or_empty(path);
	assert_string_equal(got, "a=2\n");
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	cmd = xasprintf("cat '%s'/new.conf.shelfready-* | grep -qx 'a=1'", dir);
	assert_int_equal(run_cmd(cmd), 0);
	free(cmd), free(got), free(log), free(script), free(with);
	with = xasprintf("{path: '%s', line: 'a=2', mode: '0644'}", path);
	script = emitted(with);
	log = run_emitted(dir, script);
	assert_non_null(strstr(log, "mode -> 0644"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(log);
	log = run_emitted(dir, script);
	assert_int_equal(strncmp(log, "ok ", 3), 0);
	free(log), free(script), free(with);

	/* absent: nothing to remove in a missing file; NUL bytes: refused */
	with = xasprintf("{path: '%s/missing', state: absent, line: x}", dir);
	script = emitted(with);
	log = run_emitted(dir, script);
	assert_int_equal(strncmp(log, "ok ", 3), 0);
	free(log), free(script), free(with);
	assert_int_equal(write_file_atomic(path, "a\0b\n", 4, 0644), 0);
	with = xasprintf("{path: '%s', line: x}", path);
	script = emitted(with);
	log = run_emitted(dir, script);
	assert_non_null(strstr(log, "NUL bytes"));
	free(log), free(script), free(with);

	cmd = xasprintf("rm -rf '%s'", dir);
	run_cmd(cmd);
	free(cmd);
	free(path);
	free(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_perm_mode),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_finish_script),
		cmocka_unit_test(test_emit_edit),
		cmocka_unit_test(test_emit_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
