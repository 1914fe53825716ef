/*
 * Unit tests of the emit hooks of the script, cleanup, expire-password,
 * webapp-first-login and server-guard step types (lib/emit.h): each body,
 * wrapped as a shell function after a stub runtime, must pass `sh -n` and
 * shellcheck without a warning, and is run under /bin/sh in a scratch
 * directory, with fake tools first on PATH where it would act on the
 * machine. Secrets must never be in the text. (file-line's hook is tested
 * in test_step_file_line.c, against the controller's own edit.)
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emit.h"
#include "schema.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "server-guard.h"

extern const struct step_type step_script, step_cleanup, step_expire_password,
	step_webapp_first_login, step_server_guard;

/* The runtime of lib/emit.h as stubs: every outcome and message goes to $SR_LOG. */
static const char stub_runtime[] =
	"sr_say() { printf 'say %s\\n' \"$*\" >>\"$SR_LOG\"; }\n"
	"sr_run() { \"$@\"; }\n"
	"sr_ok() { printf 'ok %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_changed() { printf 'changed %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_skipped() { printf 'skipped %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_failed() { printf 'failed %s\\n' \"$1\" >>\"$SR_LOG\"; }\n"
	"sr_secret() { printenv \"$1\"; }\n";

static char *scratch_dir(void)
{
	char tmpl[] = "/tmp/shelfready-emit-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void put(const char *path, const char *text, unsigned mode)
{
	assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
}

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len = 0;
	if (read_file(path, 1u << 20, &data, &len) < 0)
		return xstrdup("");
	return data;
}

/* The body type t emits for the YAML `with` (must succeed). */
static char *emit_body(const struct step_type *t, const char *with, const char *base_dir)
{
	struct params p;
	struct diags d;
	struct emit_ctx ctx;
	struct strbuf sh = STRBUF_INIT;
	char *err = NULL;

	diags_init(&d);
	if (test_step_params(t, "s", base_dir, with, &p, &d) < 0) {
		char *text = test_diags_text(&d);
		fail_msg("with '%s': %s", with, text);
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.index = 1;
	ctx.total = 1;
	ctx.base_dir = base_dir;
	assert_non_null(t->emit);
	if (t->emit(&p, &ctx, &sh, &err) < 0)
		fail_msg("emit failed: %s", err ? err : "?");
	params_release(&p);
	diags_release(&d);
	return strbuf_detach(&sh);
}

/* The stub runtime, the body as function f, and a call of f. */
static char *wrap(const char *body)
{
	return xasprintf("%sf() {\n%s}\nf || echo 'failed returned non-zero' >>\"$SR_LOG\"\n",
			 stub_runtime, body);
}

static int sh_status(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* sh -n and shellcheck (when installed) accept the wrapped body without a word. */
static void lint_body(const char *body)
{
	char *dir = scratch_dir(), *path = xasprintf("%s/body.sh", dir);
	char *out = xasprintf("%s/lint.out", dir), *script = wrap(body), *cmd;

	put(path, script, 0644);
	cmd = xasprintf("sh -n '%s' >'%s' 2>&1", path, out);
	if (sh_status(cmd))
		fail_msg("sh -n: %s\n%s", slurp(out), script);
	free(cmd);
	if (sh_status("command -v shellcheck >/dev/null 2>&1") == 0) {
		cmd = xasprintf("shellcheck -s sh '%s' >'%s' 2>&1", path, out);
		if (sh_status(cmd))
			fail_msg("shellcheck:\n%s\n%s", slurp(out), script);
		free(cmd);
	} else {
		print_message("shellcheck is not installed: only sh -n checked\n");
	}
	cmd = xasprintf("rm -rf '%s'", dir);
	sh_status(cmd);
	free(cmd);
	free(dir);
	free(path);
	free(out);
	free(script);
}

/*
 * Run the wrapped body under /bin/sh in dir, with dir/bin first on PATH and
 * the environment assignments env (sh words, may be ""); the log of outcomes.
 */
static char *run_body(const char *dir, const char *body, const char *env)
{
	char *path = xasprintf("%s/body.sh", dir), *log = xasprintf("%s/log", dir);
	char *script = wrap(body), *cmd, *out;

	put(path, script, 0644);
	unlink(log);
	cmd = xasprintf("cd '%s' && SR_LOG='%s' PATH='%s/bin':\"$PATH\" %s /bin/sh '%s' "
			">'%s/out' 2>&1",
			dir, log, dir, env, path, dir);
	sh_status(cmd);
	out = slurp(log);
	free(cmd);
	free(script);
	free(path);
	free(log);
	return out;
}

static void fake_tool(const char *dir, const char *name, const char *text)
{
	char *bin = xasprintf("%s/bin", dir), *path = xasprintf("%s/bin/%s", dir, name);
	mkdir(bin, 0755);
	put(path, text, 0755);
	free(bin);
	free(path);
}

static void rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	sh_status(cmd);
	free(cmd);
}

static int exists(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	int r = access(path, F_OK) == 0;
	free(path);
	return r;
}

/* ---- script ---- */

static void test_script(void **state)
{
	(void)state;
	char *dir = scratch_dir();
	/* hostile text and values: all data */
	char *with = xasprintf(
		"{inline: \"echo \\\"$1|$2|$GREETING|$TOKEN\\\" >\\\"%s/ran\\\"\\nexit 3\\n"
		"SHELFREADY_EOF_x `id` $(id) 'q'\\n\", args: [\"a b\", \"$(touch pwned)\"], "
		"env: {GREETING: \"it's `x`\"}, secret_env: [TOKEN], valid_exit_codes: [0, 3], "
		"creates: \"%s/done flag\", unless: \"test -e '%s/skip'\", expect_disconnect: true}",
		dir, dir, dir);
	char *body = emit_body(&step_script, with, NULL);
	lint_body(body);
	assert_null(strstr(body, "s3cr3t-value"));

	char *log = run_body(dir, body, "TOKEN=s3cr3t-value");
	assert_string_equal(log, "changed ran: exit 3\n");
	char *ran = xasprintf("%s/ran", dir), *got = slurp(ran);
	assert_string_equal(got, "a b|$(touch pwned)|it's `x`|s3cr3t-value\n");
	assert_false(exists(dir, "pwned"));
	free(got);
	free(log);

	/* unless succeeds: nothing runs */
	unlink(ran);
	char *skip = xasprintf("%s/skip", dir);
	put(skip, "", 0644);
	log = run_body(dir, body, "TOKEN=s3cr3t-value");
	assert_string_equal(log, "ok nothing to do: 'unless' succeeded\n");
	assert_false(exists(dir, "ran"));
	unlink(skip);
	free(log);

	/* creates exists: nothing runs */
	char *flag = xasprintf("%s/done flag", dir);
	put(flag, "", 0644);
	log = run_body(dir, body, "TOKEN=s3cr3t-value");
	assert_string_equal(log, "ok nothing to do: 'creates' exists\n");
	assert_false(exists(dir, "ran"));
	unlink(flag);
	free(log);

	/* the secret is not set: the script does not run with an empty one */
	log = run_body(dir, body, "");
	assert_non_null(strstr(log, "failed exit 125"));
	assert_false(exists(dir, "ran"));
	free(log);
	free(body);
	free(with);

	/* an exit code not listed, with retries: every attempt, then failed */
	with = xasprintf("{inline: \"echo x >>'%s/tries'; exit 4\", retries: 2, retry_delay: 0s}", dir);
	body = emit_body(&step_script, with, NULL);
	lint_body(body);
	log = run_body(dir, body, "");
	assert_string_equal(log, "say attempt 1 of 3 failed (exit 4); again in 0 s\n"
				 "say attempt 2 of 3 failed (exit 4); again in 0 s\n"
				 "failed exit 4 (attempt 3 of 3)\n");
	char *tries = xasprintf("%s/tries", dir);
	got = slurp(tries);
	assert_string_equal(got, "x\nx\nx\n");
	free(got);
	free(log);
	free(body);
	free(with);

	/* a local file, relative to the profile, with another interpreter; no temp dir left */
	char *file = xasprintf("%s/job.sh", dir);
	put(file, "printf '%s' \"$0\" | grep -q /shelfready-script. && echo file-ok >\"$1\"\n", 0644);
	with = xasprintf("{file: job.sh, interpreter: /bin/sh, args: ['%s/ran']}", dir);
	body = emit_body(&step_script, with, dir);
	lint_body(body);
	log = run_body(dir, body, "");
	assert_string_equal(log, "changed ran: exit 0\n");
	got = slurp(ran);
	assert_string_equal(got, "file-ok\n");
	free(got);
	free(log);
	free(body);
	free(with);

	free(file);
	free(tries);
	free(flag);
	free(skip);
	free(ran);
	rm_rf(dir);
	free(dir);
}

/* ---- server-guard ---- */

static const char installer[] = "#!/bin/sh\nprintf '%s\\n' \"$@\" >\"$SG_DIR/ran\"\n";

static void sg_fakes(const char *dir)
{
	/* curl and wget write the installer where -o/-O says; ps and systemctl see it ran */
	char *curl = xasprintf("#!/bin/sh\nprintf '%%s\\n' \"$*\" >'%s/curl-args'\n"
			       "while [ $# -gt 0 ]; do\n"
			       "  case $1 in -o|-O) shift; cat '%s/installer.src' >\"$1\" ;; esac\n"
			       "  shift\ndone\n", dir, dir);
	fake_tool(dir, "curl", curl);
	fake_tool(dir, "ps", "#!/bin/sh\n[ -e \"$SG_DIR/ran\" ] && printf 'sh\\nAliYunDun\\nAliYunDunUpdate\\n'\nexit 0\n");
	fake_tool(dir, "systemctl", "#!/bin/sh\n[ \"$1\" = is-enabled ] && [ -e \"$SG_DIR/ran\" ] && echo enabled\nexit 0\n");
	fake_tool(dir, "sleep", "#!/bin/sh\nexit 0\n");
	free(curl);
}

static void test_server_guard(void **state)
{
	(void)state;
	char *dir = scratch_dir(), hex[65];
	char *src = xasprintf("%s/installer.src", dir), *env = xasprintf("SG_DIR='%s' SG_CODE='c0de-s3cret'", dir);
	put(src, installer, 0644);
	sg_fakes(dir);
	assert_int_equal(step_server_guard_sha256(installer, strlen(installer), hex), 0);

	/* a digest that does not match: refused, never run, nothing left */
	char *with = xasprintf("{url: 'https://example.invalid/install.sh', sha256: '%064d', "
			       "args: ['-k={install_code}', \"it's $(x)\"], install_code_env: SG_CODE}",
			       0);
	char *body = emit_body(&step_server_guard, with, NULL);
	lint_body(body);
	assert_null(strstr(body, "c0de-s3cret"));
	char *log = run_body(dir, body, env);
	if (!strstr(log, "failed the installer's SHA-256 is ") || !strstr(log, "refused, not run"))
		fail_msg("log: %s", log);
	assert_false(exists(dir, "ran"));
	const char *cmd = "ls -d /tmp/shelfready-server-guard.* >/dev/null 2>&1";
	assert_int_not_equal(sh_status(cmd), 0);
	char *cargs = xasprintf("%s/curl-args", dir), *got = slurp(cargs);
	assert_non_null(strstr(got, "--proto =https"));
	assert_non_null(strstr(got, "--fail"));
	free(got), free(log), free(body), free(with);

	/* the pinned digest: run with the install code from the environment, then ok */
	with = xasprintf("{url: 'https://example.invalid/install.sh', sha256: '%s', "
			 "args: ['-k={install_code}', \"it's $(x)\"], install_code_env: SG_CODE}",
			 hex);
	body = emit_body(&step_server_guard, with, NULL);
	lint_body(body);
	log = run_body(dir, body, env);
	assert_string_equal(log, "say downloading the installer from https://example.invalid/install.sh\n"
				 "say running the installer\n"
				 "changed installed: AliYunDun and AliYunDunUpdate running; started at boot\n");
	char *ran = xasprintf("%s/ran", dir);
	got = slurp(ran);
	assert_string_equal(got, "-k=c0de-s3cret\nit's $(x)\n");
	free(got), free(log);
	log = run_body(dir, body, env);
	assert_string_equal(log, "ok already installed and running; started at boot\n");
	free(log);
	/* the install code is not set: failed before anything is downloaded */
	unlink(ran);
	log = run_body(dir, body, "");
	assert_non_null(strstr(log, "failed the environment variable SG_CODE"));
	free(log), free(body), free(with);

	/* insecure_skip_sha256 warns loudly */
	with = xstrdup("{url: 'https://example.invalid/i.sh', insecure_skip_sha256: true}");
	struct params p;
	struct diags d;
	diags_init(&d);
	assert_int_equal(test_step_params(&step_server_guard, "s", NULL, with, &p, &d), 0);
	params_release(&p);
	diags_release(&d);
	body = emit_body(&step_server_guard, with, NULL);
	lint_body(body);
	log = run_body(dir, body, env);
	assert_non_null(strstr(log, "say WARNING: INSECURE: insecure_skip_sha256"));
	assert_non_null(strstr(log, "changed installed"));
	free(log), free(body), free(with);

	free(ran);
	free(cargs);
	free(src);
	free(env);
	rm_rf(dir);
	free(dir);
}

/* ---- cleanup ---- */

static void test_cleanup(void **state)
{
	(void)state;
	char *dir = scratch_dir();
	/* every item on, as the bundled profile has it: linted only (it would clean this machine) */
	char *body = emit_body(&step_cleanup, "{keep_authorized_keys_of: [deploy]}", NULL);
	lint_body(body);
	assert_non_null(strstr(body, "sr_say \"build_user is empty"));
	free(body);

	/* run with only extra_paths, hostile names, and `id` saying root */
	fake_tool(dir, "id", "#!/bin/sh\necho 0\n");
	char *with = xasprintf("{authorized_keys: false, histories: false, first_login: false, "
			       "tmp: false, package_cache: false, cloud_init: false, machine_id: false, "
			       "host_keys: false, logs: false, build_user: deploy, "
			       "extra_paths: ['%s/junk*', \"%s/it's $(touch pwned)\"]}",
			       dir, dir);
	body = emit_body(&step_cleanup, with, NULL);
	lint_body(body);
	char *a = xasprintf("%s/junk1", dir), *b = xasprintf("%s/it's $(touch pwned)", dir);
	put(a, "x", 0644);
	put(b, "x", 0644);
	char *log = run_body(dir, body, "");
	if (!strstr(log, "changed 2 change(s): clean for capture\n") || !strstr(log, "say remove "))
		fail_msg("log: %s", log);
	assert_false(exists(dir, "junk1"));
	assert_false(exists(dir, "it's $(touch pwned)"));
	assert_false(exists(dir, "pwned"));
	free(log);
	log = run_body(dir, body, "");
	assert_string_equal(log, "ok nothing to do: clean for capture\n");
	free(log);
	free(a);
	free(b);
	free(body);
	free(with);
	rm_rf(dir);
	free(dir);
}

/* ---- expire-password ---- */

static void test_expire_password(void **state)
{
	(void)state;
	char *dir = scratch_dir();
	/* chage and sshd are fakes: the shadow file is the machine's, read-only */
	char *body = emit_body(&step_expire_password,
			       "{users: [root, nosuchuser-x], disable_password_login: true}", NULL);
	lint_body(body);
	free(body);
	fake_tool(dir, "chage", "#!/bin/sh\nprintf '%s\\n' \"$*\" >>\"$EP_DIR/chage\"\n");
	body = emit_body(&step_expire_password, "{users: [nosuchuser-x]}", NULL);
	char *env = xasprintf("EP_DIR='%s'", dir);
	char *log = run_body(dir, body, env);
	if (access("/etc/shadow", R_OK) == 0)
		assert_string_equal(log, "failed no account 'nosuchuser-x' on this machine\n");
	assert_false(exists(dir, "chage"));
	free(log);
	free(body);
	/* root: expired with chage -d 0 (the fake), or skipped when its password is locked */
	body = emit_body(&step_expire_password, "{users: [root, root]}", NULL);
	log = run_body(dir, body, env);
	if (access("/etc/shadow", R_OK) == 0) {
		char *calls = xasprintf("%s/chage", dir), *got = slurp(calls);
		if (!strncmp(log, "changed ", 8))
			assert_string_equal(got, "-d 0 -- root\n");
		else if (strcmp(log, "ok nothing to do: skipped (locked or no password): root\n") &&
			 strcmp(log, "ok nothing to do: already expired: root\n"))
			fail_msg("log: %s", log);
		free(calls);
		free(got);
	}
	free(log);
	free(body);
	free(env);
	rm_rf(dir);
	free(dir);
}

/* ---- webapp-first-login ---- */

/*
 * The installer writes under /usr/local, /etc and /var/lib: here `sh` is a
 * fake that keeps the installer it is given and answers with the SR lines
 * of the file lines and the exit status in the file status.
 */
static const char fake_installer_sh[] =
	"#!/bin/sh\n"
	"cat >\"$WF_DIR/installer\"\n"
	"cat \"$WF_DIR/lines\"\n"
	"exit \"$(cat \"$WF_DIR/status\")\"\n";

enum step_status webapp_first_login_judge(const char *name, const char *out, size_t len,
					  int dry_run, char **summary, struct strbuf *lines);

/*
 * The log of the emitted body, for the installer output out, is the step's
 * own judgement of out, word for word: its lines said, then its result.
 */
static void same_words_as_run(const char *log, const char *name, const char *out)
{
	struct strbuf lines = STRBUF_INIT, want = STRBUF_INIT;
	char *summary = NULL;
	enum step_status st = webapp_first_login_judge(name, out, strlen(out), 0, &summary, &lines);

	for (const char *p = lines.buf; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		strbuf_addf(&want, "say %.*s\n", (int)n, p);
		p += n + (nl != NULL);
	}
	strbuf_addf(&want, "%s %s\n", step_status_name(st), summary);
	if (strcmp(log, want.buf))
		fail_msg("the script's words:\n%s\nthe step's:\n%s", log, want.buf);
	free(summary);
	strbuf_release(&lines);
	strbuf_release(&want);
}

static void test_webapp_first_login(void **state)
{
	(void)state;
	char *dir = scratch_dir(), *body, *log, *env, *path, *text;

	env = xasprintf("WF_DIR='%s'", dir);
	path = xasprintf("%s/reset-fakeapp.sh", dir);
	put(path, "printf 'the part: %s\\n' \"$(cat)\" >/opt/fakeapp/admin.pass\n", 0644);
	free(path);
	body = emit_body(&step_webapp_first_login,
			 "{name: fakeapp, file: reset-fakeapp.sh, user: admin, triggers: [systemd]}", dir);
	lint_body(body);
	/* the part was read when the script was written */
	assert_non_null(strstr(body, "/opt/fakeapp/admin.pass"));
	fake_tool(dir, "sh", fake_installer_sh);

	path = xasprintf("%s/lines", dir);
	put(path,
	    "SR\tinstall\treset script\t/usr/local/libexec/shelfready/first-login-fakeapp\n"
	    "SR\tok\tsystemd unit\t/etc/systemd/system/shelfready-first-login-fakeapp.service\n"
	    "SR\tinstall\tlink enabling the unit\t/etc/systemd/system/multi-user.target.wants/x\n"
	    "SR\tremove\tMOTD pointer\t/etc/motd.d/shelfready-first-login-fakeapp\n"
	    "SR\tremove\tMOTD pointer\t/etc/motd.d/shelfready-first-login-fakeapp.new\n"
	    "a stray line\n",
	    0644);
	text = xasprintf("%s/status", dir);
	put(text, "0\n", 0644);
	log = run_body(dir, body, env);
	assert_string_equal(log,
		"say installed reset script /usr/local/libexec/shelfready/first-login-fakeapp\n"
		"say up to date: systemd unit /etc/systemd/system/shelfready-first-login-fakeapp.service\n"
		"say installed link enabling the unit /etc/systemd/system/multi-user.target.wants/x\n"
		"say removed MOTD pointer /etc/motd.d/shelfready-first-login-fakeapp\n"
		"say removed MOTD pointer /etc/motd.d/shelfready-first-login-fakeapp.new\n"
		"say | a stray line\n"
		"changed first-login reset of fakeapp: installed reset script, link enabling the unit; "
		"removed MOTD pointer; up to date: systemd unit\n");
	char *out = slurp(path);
	same_words_as_run(log, "fakeapp", out);
	free(out);
	free(log);
	/* what the fake sh was given: the installer in apply mode, the part inside */
	char *installer_path = xasprintf("%s/installer", dir), *given = slurp(installer_path);
	assert_non_null(strstr(given, "MODE=apply\n"));
	assert_non_null(strstr(given, "NAME='fakeapp'\n"));
	assert_non_null(strstr(given, "/opt/fakeapp/admin.pass"));
	free(given);
	free(installer_path);

	/* all up to date */
	put(path,
	    "SR\tok\treset script\t/usr/local/libexec/shelfready/first-login-fakeapp\n"
	    "SR\tok\tsystemd unit\t/etc/systemd/system/shelfready-first-login-fakeapp.service\n",
	    0644);
	log = run_body(dir, body, env);
	if (!strstr(log, "ok first-login reset of fakeapp installed and up to date: reset script, "
			 "systemd unit\n"))
		fail_msg("log: %s", log);
	out = slurp(path);
	same_words_as_run(log, "fakeapp", out);
	free(out);
	free(log);
	/* an error line, and the installer's exit status */
	put(path, "SR\terror\treset script\tcannot write /usr/local/x\n", 0644);
	put(text, "1\n", 0644);
	log = run_body(dir, body, env);
	if (!strstr(log, "say error: cannot write /usr/local/x\n") ||
	    !strstr(log, "failed first-login reset of fakeapp: cannot write /usr/local/x\n"))
		fail_msg("log: %s", log);
	out = slurp(path);
	same_words_as_run(log, "fakeapp", out);
	free(out);
	free(log);
	put(path, "SR\tok\treset script\t/usr/local/libexec/shelfready/first-login-fakeapp\n", 0644);
	put(text, "3\n", 0644);
	log = run_body(dir, body, env);
	if (!strstr(log, "failed the installer exited with status 3\n"))
		fail_msg("log: %s", log);
	free(log);
	free(body);

	/* no application named: skipped, nothing run */
	body = emit_body(&step_webapp_first_login, "{name: ''}", dir);
	lint_body(body);
	log = run_body(dir, body, env);
	assert_string_equal(log, "skipped no web application named ('name' is empty)\n");
	free(log);
	free(body);

	/* the built-in mysql part needs no file */
	body = emit_body(&step_webapp_first_login,
			 "{name: db, builtin: mysql, mysql_users: [root], triggers: [cloud-init]}", dir);
	lint_body(body);
	assert_non_null(strstr(body, "PASSWORD EXPIRE"));
	free(body);

	free(path);
	free(text);
	free(env);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_server_guard),
		cmocka_unit_test(test_cleanup),
		cmocka_unit_test(test_expire_password),
		cmocka_unit_test(test_webapp_first_login),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
