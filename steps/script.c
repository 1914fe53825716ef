/*
 * script: upload a local file or inline text to the target and run it.
 *
 * The script travels on the exec channel's stdin into a private temporary
 * directory (never on a command line), runs with its environment and
 * arguments, and is removed. A script is not idempotent by itself: `creates`
 * (a path) and `unless` (a command) say when there is nothing to do, so that
 * a second run reports ok.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "emit.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "banned.h"

static const struct param_spec script_params[] = {
	{ "inline", PK_STRING, 0, NULL, "script text to run; exactly one of inline and file", NULL, 0, 0 },
	{ "file", PK_STRING, 0, NULL,
	  "local script file, relative to the profile; exactly one of inline and file", NULL, 0, 0 },
	{ "interpreter", PK_STRING, 0, "/bin/sh", "program the script is fed to on the target", NULL, 0, 0 },
	{ "args", PK_STRING_LIST, 0, NULL, "arguments passed to the script, each shell-quoted", NULL, 0, 0 },
	{ "env", PK_STRING_MAP, 0, NULL, "environment variables set for the script", NULL, 0, 0 },
	{ "secret_env", PK_STRING_LIST, 0, NULL,
	  "environment variables of the controller passed to the script under the same names; "
	  "their values are secrets: sent on stdin, never shown", NULL, 0, 0 },
	{ "valid_exit_codes", PK_INT_LIST, 0, "[0]", "exit codes that count as success", NULL, 0, 255 },
	{ "retries", PK_INT, 0, "0", "how many times to retry after a failure", NULL, 0, 100 },
	{ "retry_delay", PK_DURATION, 0, "10s", "pause between attempts", NULL, 0, 3600 },
	{ "timeout", PK_DURATION, 0, "30m", "time limit of one attempt", NULL, 1, 86400 },
	{ "expect_disconnect", PK_BOOL, 0, "false",
	  "the script may drop the connection (a reboot, an sshd restart): not a failure", NULL, 0, 0 },
	{ "creates", PK_STRING, 0, NULL, "a path on the target: when it exists, there is nothing to do",
	  NULL, 0, 0 },
	{ "unless", PK_STRING, 0, NULL,
	  "a read-only shell command on the target: when it exits 0, there is nothing to do", NULL, 0, 0 },
	PARAM_END,
};

static void script_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *in = params_get(p, "inline");
	const struct param *file = params_get(p, "file");
	const struct param *env = params_get(p, "env");
	const struct param *secret = params_get(p, "secret_env");

	for (size_t i = 0; secret && i < secret->v.n; i++)
		if (!vars_valid_name(secret->v.items[i].s))
			diag_error(ctx->d, secret->v.items[i].pos,
				   "'%s' in 'secret_env' of %s is not a valid environment variable name",
				   secret->v.items[i].s, ctx->owner);
	if (!in == !file) {
		diag_error(ctx->d, in ? in->v.pos : ctx->at, "%s needs exactly one of 'inline' and 'file'",
			   ctx->owner);
	} else if (file) {
		if (!ctx->base_dir) {
			diag_error(ctx->d, file->v.pos, "%s: a bundled profile cannot refer to a local file",
				   ctx->owner);
		} else {
			char *path = file->v.s[0] == '/' ? xstrdup(file->v.s)
							 : xasprintf("%s/%s", ctx->base_dir, file->v.s);
			struct stat st;
			if (stat(path, &st) < 0)
				diag_error(ctx->d, file->v.pos, "script file '%s' not found", file->v.s);
			else if (!S_ISREG(st.st_mode))
				diag_error(ctx->d, file->v.pos, "script file '%s' is not a regular file",
					   file->v.s);
			free(path);
		}
	}
	for (size_t i = 0; env && i < env->v.n; i++)
		if (!vars_valid_name(env->v.keys[i]))
			diag_error(ctx->d, env->v.key_pos[i],
				   "'%s' in 'env' of %s is not a valid environment variable name", env->v.keys[i],
				   ctx->owner);
}

/* The script's text: inline, or the local file (validated at load time). */
static char *script_text(const struct params *p, const char *base_dir, char **err)
{
	const char *in = step_param_str(p, "inline"), *file = step_param_str(p, "file");
	char *path, *data = NULL;
	size_t len = 0;
	int r;

	if (in)
		return xstrdup(in);
	path = file[0] == '/' || !base_dir ? xstrdup(file) : xasprintf("%s/%s", base_dir, file);
	r = read_file(path, 16u << 20, &data, &len);
	if (r < 0)
		*err = xasprintf("cannot read script file '%s': %s", path, strerror(-r));
	else if (memchr(data, '\0', len))
		*err = xasprintf("script file '%s' is not text", path), free(data), data = NULL;
	free(path);
	return r < 0 ? NULL : data;
}

/* Whether there is nothing to do: 1 yes (*why set), 0 no, -1 on error. */
static int nothing_to_do(const struct params *p, struct step_ctx *ctx, const char **why,
			 struct error *e)
{
	const char *creates = step_param_str(p, "creates"), *unless = step_param_str(p, "unless");
	struct strbuf sh = STRBUF_INIT;
	struct exec_result res;
	int ret = 0;

	memset(&res, 0, sizeof(res));
	if (!creates && !unless)
		return 0;
	if (creates) {
		strbuf_addstr(&sh, "test -e ");
		shell_quote(&sh, creates);
		strbuf_addstr(&sh, " && exit 0\n");
	}
	if (unless) {
		strbuf_addf(&sh, "(%s\n) >/dev/null 2>&1 && exit 1\n", unless);
	}
	strbuf_addstr(&sh, "exit 2\n");
	ret = step_sh(ctx, sh.buf, 60, 1, &res, e);
	if (!ret) {
		ret = res.status == 0 || res.status == 1;
		*why = res.status == 0 ? "'creates' exists" : "'unless' succeeded";
	}
	exec_result_release(&res);
	strbuf_release(&sh);
	return ret;
}

static int valid_exit(const struct params *p, int status)
{
	const struct param *codes = params_get(p, "valid_exit_codes");
	if (!codes || codes->v.kind != PV_LIST)
		return status == 0;
	for (size_t i = 0; i < codes->v.n; i++)
		if (codes->v.items[i].i == status)
			return 1;
	return 0;
}

/* The remote wrapper: script into a private directory, run, clean up, exit with its status. */
static char *wrapper(const struct params *p, const char *text)
{
	const struct param *env = params_get(p, "env"), *args = params_get(p, "args");
	const struct param *secret = params_get(p, "secret_env");
	const char *interp = step_param_str(p, "interpreter");
	struct strbuf sb = STRBUF_INIT;
	char *eof = shell_heredoc_eof(text);

	strbuf_addstr(&sb, "umask 077\nd=$(mktemp -d /tmp/shelfready-script.XXXXXXXX) || exit 125\n"
			   "trap 'rm -rf \"$d\"' EXIT\n");
	strbuf_addf(&sb, "cat >\"$d/script\" <<'%s'\n%s%s%s\n", eof, text,
		    text[0] && text[strlen(text) - 1] != '\n' ? "\n" : "", eof);
	for (size_t i = 0; env && i < env->v.n; i++) {
		strbuf_addf(&sb, "%s=", env->v.keys[i]);
		shell_quote(&sb, env->v.items[i].s);
		strbuf_addf(&sb, "; export %s\n", env->v.keys[i]);
	}
	/* checked by run_secrets before anything connected */
	for (size_t i = 0; secret && i < secret->v.n; i++) {
		const char *val = getenv(secret->v.items[i].s);
		strbuf_addf(&sb, "%s=", secret->v.items[i].s);
		shell_quote(&sb, val ? val : "");
		strbuf_addf(&sb, "; export %s\n", secret->v.items[i].s);
	}
	strbuf_addstr(&sb, "cd \"$d\" || exit 125\n");
	shell_quote(&sb, interp ? interp : "/bin/sh");
	strbuf_addstr(&sb, " \"$d/script\"");
	for (size_t i = 0; args && i < args->v.n; i++) {
		strbuf_addch(&sb, ' ');
		shell_quote(&sb, args->v.items[i].s);
	}
	strbuf_addstr(&sb, " </dev/null\nexit $?\n");
	free(eof);
	return strbuf_detach(&sb);
}

static void sleep_s(long long s, const volatile sig_atomic_t *cancel)
{
	for (long long i = 0; i < s * 10 && !(cancel && *cancel); i++) {
		struct timespec ts = { 0, 100000000L };
		nanosleep(&ts, NULL);
	}
}

static void script_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	struct exec_result res;
	const char *why = NULL;
	char *text = NULL, *err = NULL, *sh = NULL;
	long long retries = step_param_int(p, "retries", 0);
	long long delay = step_param_int(p, "retry_delay", 10);
	int timeout = (int)step_param_int(p, "timeout", 1800);
	int expect_disconnect = step_param_bool(p, "expect_disconnect");
	int done;

	memset(&res, 0, sizeof(res));
	text = script_text(p, ctx->base_dir, &err);
	if (!text) {
		step_failed(r, "%s", err);
		goto out;
	}
	done = nothing_to_do(p, ctx, &why, &e);
	if (done < 0) {
		step_failed_error(r, &e);
		goto out;
	}
	if (done) {
		step_ok(r, "nothing to do: %s", why);
		goto out;
	}
	if (ctx->dry_run) {
		step_changed(r, "would run the script (%zu bytes)", strlen(text));
		goto out;
	}
	sh = wrapper(p, text);
	ctx->left_running = xasprintf("the script of step '%s', until it ends by itself "
				      "(shelfready cannot stop a remote command)",
				      ctx->rs->def->it.id);
	for (long long attempt = 0;; attempt++) {
		exec_result_release(&res);
		memset(&res, 0, sizeof(res));
		int rc = step_sh(ctx, sh, timeout, 0, &res, &e);
		if (rc == SR_ERR_CONNECT && expect_disconnect) {
			step_say(ctx, "the connection dropped, as expected; connecting again");
			if (step_reconnect(ctx, &e) < 0) {
				step_failed_error(r, &e);
				goto out;
			}
			ctx->facts_stale = 1;
			step_changed(r, "ran; the target dropped the connection as expected and is back");
			goto out;
		}
		if (rc == SR_ERR_INTERRUPTED) {
			step_failed_error(r, &e);
			goto out;
		}
		if (!rc && valid_exit(p, res.status)) {
			step_changed(r, "ran: exit %d", res.status);
			goto out;
		}
		if (attempt >= retries) {
			if (rc)
				step_failed_error(r, &e);
			else
				step_failed(r, "exit %d%s%s (attempt %lld of %lld)", res.status,
					    res.signal ? ", signal " : "", res.signal ? res.signal : "",
					    attempt + 1, retries + 1);
			goto out;
		}
		step_say(ctx, "attempt %lld of %lld failed (%s); again in %lld s", attempt + 1,
			 retries + 1, rc ? e.msg : "bad exit status", delay);
		sleep_s(delay, ctx->cancel);
	}
out:
	exec_result_release(&res);
	error_release(&e);
	free(text);
	free(err);
	free(sh);
}

/*
 * Before a command holding value single-quoted: tell shellcheck that what
 * looks like an expansion or a quote in it is data. 1 when it was needed.
 */
static int data_note(struct strbuf *sh, const char *indent, const char *value)
{
	if (!strpbrk(value, "$`'\"\\"))
		return 0;
	strbuf_addf(sh, "%s# shellcheck disable=SC2016,SC2089,SC2090 # profile data, single-quoted\n",
		    indent);
	return 1;
}

/*
 * For `emit`: the same on the machine itself. The text (a `file` is read
 * now, relative to the profile) goes into a private directory with a
 * here-document whose terminator it does not contain; `secret_env` values
 * come from the machine's environment when the script runs (sr_secret),
 * never from here. `expect_disconnect` means nothing without a connection
 * and is ignored. `timeout` applies when the machine has timeout(1).
 */
static int script_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
		       char **err)
{
	const struct param *env = params_get(p, "env"), *args = params_get(p, "args");
	const struct param *secret = params_get(p, "secret_env");
	const struct param *codes = params_get(p, "valid_exit_codes");
	const char *interp = step_param_str(p, "interpreter");
	const char *creates = step_param_str(p, "creates"), *unless = step_param_str(p, "unless");
	long long retries = step_param_int(p, "retries", 0);
	long long delay = step_param_int(p, "retry_delay", 10);
	long long timeout = step_param_int(p, "timeout", 1800);
	char *text = script_text(p, ctx->base_dir, err), *eof;

	if (!text)
		return -1;
	eof = shell_heredoc_eof(text);
	if (step_param_bool(p, "expect_disconnect"))
		strbuf_addstr(sh, "# expect_disconnect: nothing to reconnect to here (ignored)\n");
	if (creates) {
		data_note(sh, "", creates);
		strbuf_addstr(sh, "if [ -e ");
		shell_quote(sh, creates);
		strbuf_addstr(sh, " ]; then\n\tsr_ok \"nothing to do: 'creates' exists\"\n\treturn\nfi\n");
	}
	if (unless) {
		data_note(sh, "", unless);
		strbuf_addstr(sh, "if sh -c ");
		shell_quote(sh, unless);
		strbuf_addstr(sh, " >/dev/null 2>&1 </dev/null; then\n"
				  "\tsr_ok \"nothing to do: 'unless' succeeded\"\n\treturn\nfi\n");
	}
	strbuf_addstr(sh, "_sc_d=$(umask 077 && mktemp -d /tmp/shelfready-script.XXXXXXXX) || {\n"
			  "\tsr_failed \"cannot make a private temporary directory\"\n\treturn\n}\n");
	strbuf_addf(sh, "if ! cat >\"$_sc_d/script\" <<'%s'\n%s%s%s\nthen\n"
			"\trm -rf \"$_sc_d\"\n\tsr_failed \"cannot write the script\"\n\treturn\nfi\n",
		    eof, text, text[0] && text[strlen(text) - 1] != '\n' ? "\n" : "", eof);
	strbuf_addstr(sh, "_sc_n=0\nwhile :; do\n\t_sc_n=$((_sc_n + 1))\n\t(\n"
			  "\t\tcd \"$_sc_d\" || exit 125\n");
	for (size_t i = 0; env && i < env->v.n; i++) {
		data_note(sh, "\t\t", env->v.items[i].s);
		strbuf_addf(sh, "\t\texport %s=", env->v.keys[i]);
		shell_quote(sh, env->v.items[i].s);
		strbuf_addch(sh, '\n');
	}
	for (size_t i = 0; secret && i < secret->v.n; i++)
		strbuf_addf(sh, "\t\t%s=$(sr_secret %s) || exit 125\n\t\texport %s\n",
			    secret->v.items[i].s, secret->v.items[i].s, secret->v.items[i].s);
	for (size_t i = 0; args && i < args->v.n; i++)
		if (data_note(sh, "\t\t", args->v.items[i].s))
			break;
	if (interp)
		data_note(sh, "\t\t", interp);
	strbuf_addstr(sh, "\t\tset -- ");
	shell_quote(sh, interp ? interp : "/bin/sh");
	strbuf_addstr(sh, " \"$_sc_d/script\"");
	for (size_t i = 0; args && i < args->v.n; i++) {
		strbuf_addch(sh, ' ');
		shell_quote(sh, args->v.items[i].s);
	}
	strbuf_addf(sh, "\n\t\tif command -v timeout >/dev/null 2>&1; then\n"
			"\t\t\tset -- timeout %lld \"$@\"\n\t\tfi\n"
			"\t\tsr_run \"$@\" </dev/null\n\t)\n\t_sc_st=$?\n\tcase $_sc_st in\n\t",
		    timeout);
	if (!codes || codes->v.kind != PV_LIST || !codes->v.n)
		strbuf_addstr(sh, "0");
	for (size_t i = 0; codes && codes->v.kind == PV_LIST && i < codes->v.n; i++)
		strbuf_addf(sh, "%s%lld", i ? "|" : "", (long long)codes->v.items[i].i);
	strbuf_addf(sh, ")\n\t\trm -rf \"$_sc_d\"\n\t\tsr_changed \"ran: exit $_sc_st\"\n\t\treturn\n"
			"\t\t;;\n\tesac\n"
			"\tif [ \"$_sc_n\" -gt %lld ]; then\n\t\trm -rf \"$_sc_d\"\n"
			"\t\tsr_failed \"exit $_sc_st (attempt $_sc_n of %lld)\"\n\t\treturn\n\tfi\n"
			"\tsr_say \"attempt $_sc_n of %lld failed (exit $_sc_st); again in %lld s\"\n"
			"\tsleep %lld\ndone\n",
		    retries, retries + 1, retries + 1, delay, delay);
	free(eof);
	free(text);
	return 0;
}

const struct step_type step_script = {
	.name = "script",
	.summary = "upload a local file or inline text to the target and run it",
	.doc =
		"Exactly one of `inline` and `file`; a `file` is relative to the profile and must "
		"exist (bundled profiles cannot use `file`). The script travels on the exec "
		"channel's standard input into a private temporary directory on the target, runs "
		"there with `interpreter`, its `args`, `env` and `secret_env`, and is removed. A "
		"script is not idempotent by itself: `creates` (a path) and `unless` (a command) "
		"say when there is nothing to do, so that a second run reports ok. With "
		"`expect_disconnect`, a connection the script drops (a reboot, an sshd restart) is "
		"connected to again and the step counts as changed.",
	.params = script_params,
	.validate = script_validate,
	.apply = script_apply,
	.emit = script_emit,
};
