/*
 * Unit tests of steps/webapp-first-login.c: the load-time rules on its
 * parameters; the files it installs (hook and unit exactly as
 * docs/first-login.md has them; the reset script valid sh, the same for the
 * same parameters, the application's part surviving its heredoc whatever
 * lines it holds, the password reaching no command line); the installer's
 * settings run through the local sh to show they arrive as data; and the
 * judgement of what the installer said. What the files do on a target is
 * tests/e2e/run-webapp.sh's.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"
#include "ytree.h"

extern const struct step_type step_webapp_first_login;

/* The pure parts steps/webapp-first-login.c exports for this test. */
const char *webapp_first_login_bad_account(const char *s, int mysql);
char *webapp_first_login_reset(const struct params *p, const char *part);
char *webapp_first_login_hook(const char *name);
char *webapp_first_login_unit(const struct params *p);
char *webapp_first_login_installer(const struct params *p, const char *part, int apply);
enum step_status webapp_first_login_judge(const char *name, const char *out, size_t len,
					  int dry_run, char **summary, struct strbuf *lines);

#define OWNER "step 'w' (webapp-first-login)"

/* Type and validate `with` as lint does, the profile in base_dir (NULL: bundled). */
static int step_params(const char *with, const char *base_dir, struct params *out, struct diags *d)
{
	return test_step_params(&step_webapp_first_login, "w", base_dir, with, out, d);
}

static void params_ok(const char *with, struct params *out)
{
	struct diags d;
	diags_init(&d);
	if (step_params(with, "tests/unit", out, &d) < 0 || d.n) {
		char *text = test_diags_text(&d);
		fail_msg("with '%s': %s", with ? with : "", text);
	}
	diags_release(&d);
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(step_type_find("webapp-first-login"), &step_webapp_first_login);
	assert_non_null(step_webapp_first_login.apply);
	assert_non_null(step_webapp_first_login.validate);
}

static void test_accepted(void **state)
{
	static const char *const rows[] = {
		/* an empty name (a profile's variable left empty): nothing else is asked for */
		"name: \"\"",
		"name: \"\"\nscript: \"\"",
		"name: shop\nscript: \"read -r pw\"",
		"name: my_app-2\nfile: test_step_webapp.c\ninterpreter: /usr/bin/python3\nuser: admin@example.com",
		"name: db\nbuiltin: mysql\nmysql_users: [root, \"app@%\", \"report@10.0.0.%\"]\n"
		"mysql_defaults_file: /etc/mysql/debian.cnf",
		"name: shop\nscript: x\ntriggers: [systemd]\nafter: [php8.2-fpm.service, \"app@main.service\"]",
		"name: shop\nscript: x\npassword_length: 16",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct params p = { NULL, 0 };
		params_ok(rows[i], &p);
		params_release(&p);
	}
}

static const struct {
	const char *with;
	const char *base_dir;
	const char *diags; /* every message, exactly */
} refused[] = {
	{ "name: Shop\nscript: x", "d",
	  "w.yaml:1:7: error: 'Shop' in 'name' of " OWNER " is not a web application name "
	  "([a-z0-9][a-z0-9_-]*)\n" },
	{ "name: shop", "d",
	  "w.yaml:1:7: error: " OWNER " needs exactly one of 'script', 'file' and 'builtin' (an "
	  "empty 'script' counts as none): the application-specific part of the reset of 'shop'\n" },
	{ "name: shop\nscript: \"\"", "d",
	  "w.yaml:1:7: error: " OWNER " needs exactly one of 'script', 'file' and 'builtin' (an "
	  "empty 'script' counts as none): the application-specific part of the reset of 'shop'\n" },
	{ "name: shop\nscript: x\nbuiltin: mysql\nmysql_users: [root]", "d",
	  "w.yaml:2:9: error: " OWNER " needs exactly one of 'script', 'file' and 'builtin' (an "
	  "empty 'script' counts as none): the application-specific part of the reset of 'shop'\n" },
	{ "name: shop\nfile: reset.sh", NULL,
	  "w.yaml:2:7: error: " OWNER ": a bundled profile cannot refer to a local file\n" },
	{ "name: shop\nfile: no-such-reset.sh", "tests/unit",
	  "w.yaml:2:7: error: reset script file 'no-such-reset.sh' not found\n" },
	{ "name: shop\nfile: .", "tests/unit",
	  "w.yaml:2:7: error: reset script file '.' is not a regular file\n" },
	{ "name: shop\nscript: x\ninterpreter: python3\nuser: \"a\\tb\"", "d",
	  "w.yaml:3:14: error: 'interpreter' of " OWNER " must be an absolute path without blanks\n"
	  "w.yaml:4:7: error: 'user' of " OWNER " holds a control character\n" },
	{ "name: shop\nscript: x\ntriggers: [systemd, cron, systemd]\nafter: [\"bad unit\"]", "d",
	  "w.yaml:3:21: error: 'cron' in 'triggers' of " OWNER " is not cloud-init or systemd\n"
	  "w.yaml:3:27: error: 'systemd' is listed twice in 'triggers' of " OWNER "\n"
	  "w.yaml:4:9: error: 'bad unit' in 'after' of " OWNER " is not a systemd unit name\n" },
	{ "name: shop\nscript: x\ntriggers: []", "d",
	  "w.yaml:3:11: error: 'triggers' of " OWNER " is empty\n" },
	{ "name: db\nbuiltin: mysql", "d",
	  "w.yaml:2:10: error: " OWNER ": builtin mysql needs 'mysql_users'\n" },
	{ "name: db\nbuiltin: mysql\nmysql_users: [\"a'b\", \"u@\", \"@h\", \"x@h'\"]\nuser: admin\n"
	  "interpreter: /bin/bash\nmysql_defaults_file: my.cnf",
	  "d",
	  "w.yaml:3:15: error: 'a'b' in 'mysql_users' of " OWNER " is not USER or USER@HOST (letters, "
	  "digits, '_', '.', '$', '-'; the host also '%')\n"
	  "w.yaml:3:22: error: 'u@' in 'mysql_users' of " OWNER " is not USER or USER@HOST (letters, "
	  "digits, '_', '.', '$', '-'; the host also '%')\n"
	  "w.yaml:3:28: error: '@h' in 'mysql_users' of " OWNER " is not USER or USER@HOST (letters, "
	  "digits, '_', '.', '$', '-'; the host also '%')\n"
	  "w.yaml:3:34: error: 'x@h'' in 'mysql_users' of " OWNER " is not USER or USER@HOST "
	  "(letters, digits, '_', '.', '$', '-'; the host also '%')\n"
	  "w.yaml:4:7: error: " OWNER ": 'user' is for script and file; builtin mysql names its "
	  "accounts in 'mysql_users'\n"
	  "w.yaml:5:14: error: " OWNER ": 'interpreter' is for script and file, not builtin mysql\n"
	  "w.yaml:6:22: error: 'mysql_defaults_file' of " OWNER " must be an absolute path without "
	  "blanks\n" },
	{ "name: shop\nscript: x\nmysql_users: [root]\nmysql_defaults_file: /etc/my.cnf", "d",
	  "w.yaml:3:14: error: " OWNER ": 'mysql_users' is for builtin mysql\n"
	  "w.yaml:4:22: error: " OWNER ": 'mysql_defaults_file' is for builtin mysql\n" },
	{ "name: db\nbuiltin: postgres", "d",
	  "w.yaml:2:10: error: parameter 'builtin' of " OWNER " must be one of mysql, found "
	  "'postgres'\n" },
	{ "script: x", "d", "w.yaml:1:1: error: missing required parameter 'name' for " OWNER "\n" },
	{ "name: shop\nscript: x\npassword_length: 8", "d",
	  "w.yaml:3:18: error: parameter 'password_length' of " OWNER " must be between 16 and 128, "
	  "found 8\n" },
};

static void test_refused(void **state)
{
	int failed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		struct params p = { NULL, 0 };
		struct diags d;
		diags_init(&d);
		int ret = step_params(refused[i].with, refused[i].base_dir, &p, &d);
		char *text = test_diags_text(&d);
		if (ret == 0 || strcmp(text, refused[i].diags)) {
			print_error("'%s': got %d:\n%s", refused[i].with, ret, text);
			failed++;
		}
		if (ret == 0)
			params_release(&p);
		free(text);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

static void test_accounts(void **state)
{
	(void)state;
	assert_null(webapp_first_login_bad_account("root", 1));
	assert_null(webapp_first_login_bad_account("app@%", 1));
	assert_null(webapp_first_login_bad_account("r.o_o-t$@::1", 1));
	assert_non_null(webapp_first_login_bad_account("", 1));
	assert_non_null(webapp_first_login_bad_account("a b", 1));
	assert_non_null(webapp_first_login_bad_account("a@b@c", 1));
	assert_non_null(webapp_first_login_bad_account("a`id`", 1));
	assert_null(webapp_first_login_bad_account("Admin User <admin@example.com>", 0));
	assert_string_equal(webapp_first_login_bad_account("a\nb", 0), "holds a control character");
	assert_string_equal(webapp_first_login_bad_account("", 0), "is empty");
}

/* ---- the files ---- */

static void test_hook_and_unit(void **state)
{
	struct params p = { NULL, 0 };
	char *text;
	(void)state;

	text = webapp_first_login_hook("shop");
	assert_string_equal(text, "#!/bin/sh\nexec /usr/local/libexec/shelfready/first-login-shop\n");
	free(text);

	params_ok("name: shop\nscript: x", &p);
	text = webapp_first_login_unit(&p);
	assert_string_equal(text,
			    "[Unit]\n"
			    "Description=New shop credentials at the first boot of this instance\n"
			    "ConditionPathExists=!/var/lib/shelfready/first-login/shop.done\n"
			    "After=cloud-final.service\n"
			    "\n"
			    "[Service]\n"
			    "Type=oneshot\n"
			    "ExecStart=/usr/local/libexec/shelfready/first-login-shop\n"
			    "RemainAfterExit=yes\n"
			    "\n"
			    "[Install]\n"
			    "WantedBy=multi-user.target\n");
	free(text);
	params_release(&p);

	params_ok("name: db\nbuiltin: mysql\nmysql_users: [app]\n"
		  "after: [mariadb.service, web.service]",
		  &p);
	text = webapp_first_login_unit(&p);
	assert_non_null(strstr(text, "\nAfter=cloud-final.service mysql.service mariadb.service "
				     "mysqld.service web.service\n"));
	free(text);
	params_release(&p);
}

/* Run text with the local sh, with args; its stdout (owned), or NULL when sh failed. */
static char *run_sh(const char *text, const char *args)
{
	char path[] = "/tmp/sr-test-webapp-XXXXXX";
	int fd = mkstemp(path);
	char *cmd, *out = NULL;
	struct strbuf sb = STRBUF_INIT;
	FILE *f;
	char buf[4096];
	size_t n;

	if (fd < 0)
		return NULL;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	cmd = xasprintf("sh %s %s", path, args ? args : "");
	f = popen(cmd, "r");
	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	if (f && pclose(f) == 0)
		out = strbuf_detach(&sb);
	strbuf_release(&sb);
	unlink(path);
	free(cmd);
	return out;
}

static void assert_syntax(const char *script)
{
	char *check = xasprintf("set -n\n%s", script);
	char *out = run_sh(check, NULL);
	if (!out)
		fail_msg("not valid sh:\n%s", script);
	free(out);
	free(check);
}

/*
 * The application's part as the reset script writes it to $work/part: the
 * heredoc of the reset, run on its own into a temporary directory.
 */
static char *part_as_written(const char *reset)
{
	const char *start = strstr(reset, "cat >\"$work/part\" <<'");
	const char *d, *d_end, *end;
	char dir[] = "/tmp/sr-test-webapp-part-XXXXXX";
	char *delim, *text, *out, *path, *data = NULL;
	size_t len;

	assert_non_null(start);
	d = start + strlen("cat >\"$work/part\" <<'");
	d_end = strchr(d, '\'');
	delim = xasprintf("\n%.*s\n", (int)(d_end - d), d);
	end = strstr(d_end, delim);
	assert_non_null(end);
	assert_non_null(mkdtemp(dir));
	text = xasprintf("work=%s\n%.*s\n", dir, (int)(end + strlen(delim) - start), start);
	out = run_sh(text, NULL);
	assert_non_null(out);
	path = xasprintf("%s/part", dir);
	assert_int_equal(read_file(path, 1 << 20, &data, &len), 0);
	unlink(path);
	rmdir(dir);
	free(path);
	free(out);
	free(text);
	free(delim);
	return data;
}

static void test_reset_script(void **state)
{
	static const char *const parts[] = {
		"read -r pw\nprintf '%s\\n' \"$pw\" >/opt/app/admin.pass\n",
		"no final newline",
		"cat <<'SHELFREADY_APP_EOF'\nnot the end\nSHELFREADY_APP_EOF\nSHELFREADY_APP_EOF_1\n",
		"it's $(not run) `either` \\ ${x}\n\n",
	};
	struct params p = { NULL, 0 };
	(void)state;

	params_ok("name: shop\nscript: x\nuser: \"o'brien\"\ninterpreter: /usr/bin/env", &p);
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		char *reset = webapp_first_login_reset(&p, parts[i]), *again, *part, *want;
		assert_syntax(reset);
		assert_true(str_starts_with(reset, "#!/bin/sh\n"));
		assert_non_null(strstr(reset, "\napp='shop'\nlength=24\n"));
		assert_non_null(strstr(reset, "printf 'user=%s\\n' 'o'\\''brien' >>\"$work/credentials\"\n"));
		assert_non_null(strstr(reset, "\t\texec '/usr/bin/env' \"$work/part\" <\"$work/password\"\n"));
		/* the same parameters make the same file: a second run finds it up to date */
		again = webapp_first_login_reset(&p, parts[i]);
		assert_string_equal(reset, again);
		part = part_as_written(reset);
		want = str_ends_with(parts[i], "\n") ? xstrdup(parts[i]) : xasprintf("%s\n", parts[i]);
		assert_string_equal(part, want);
		free(want);
		free(part);
		free(again);
		free(reset);
	}
	params_release(&p);
}

/* Every line that names the password: only printf (a builtin) and its own checks. */
static void assert_password_in_no_command(const char *script)
{
	for (const char *l = script; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);
		char *line = xstrndup(l, n), *s = line;
		while (*s == '\t' || *s == ' ')
			s++;
		if (*s != '#' && strstr(s, "$pw") && !str_starts_with(s, "printf ") &&
		    !str_starts_with(s, "if ! printf ") && !str_starts_with(s, "[ \"${#pw}\""))
			fail_msg("the password reaches a command: %s", line);
		free(line);
		l = nl ? nl + 1 : NULL;
	}
}

static void test_reset_mysql(void **state)
{
	struct params p = { NULL, 0 };
	char *reset;
	(void)state;

	params_ok("name: db\nbuiltin: mysql\nmysql_users: [root, \"app@%\"]\npassword_length: 32", &p);
	reset = webapp_first_login_reset(&p, NULL);
	assert_syntax(reset);
	assert_password_in_no_command(reset);
	assert_non_null(strstr(reset, "\tif ! printf \"ALTER USER '%s'@'%s' IDENTIFIED BY '%s' "
				      "PASSWORD EXPIRE;\\n\" \"$1\" \"$2\" \"$pw\" | mysql_do; then\n"));
	assert_non_null(strstr(reset, "\t\"$client\" --protocol=socket --user=root --batch "
				      "--skip-column-names \"$@\"\n"));
	assert_non_null(strstr(reset, "\nset_password 'root' 'localhost'\nset_password 'app' '%'\n"));
	assert_non_null(strstr(reset, "\nlength=32\n"));
	free(reset);
	params_release(&p);

	params_ok("name: db\nbuiltin: mysql\nmysql_users: [app]\n"
		  "mysql_defaults_file: /etc/mysql/debian.cnf",
		  &p);
	reset = webapp_first_login_reset(&p, NULL);
	assert_syntax(reset);
	assert_non_null(strstr(reset, "\t\"$client\" --defaults-extra-file='/etc/mysql/debian.cnf' "
				      "--protocol=socket --batch --skip-column-names \"$@\"\n"));
	free(reset);
	params_release(&p);

	params_ok("name: shop\nscript: x", &p);
	reset = webapp_first_login_reset(&p, "read -r pw\n");
	assert_password_in_no_command(reset);
	free(reset);
	params_release(&p);
}

static void test_installer(void **state)
{
	struct params p = { NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	char *inst, *reset, *hook, *unit, *out, *want, *body;
	const char *part = "it's $(not run)\n";
	(void)state;

	params_ok("name: shop\nscript: x\ntriggers: [systemd, cloud-init]", &p);
	inst = webapp_first_login_installer(&p, part, 0);
	assert_syntax(inst);
	/* the settings, printed by the shell that reads them */
	body = strstr(inst, "# Install the first-login reset");
	assert_non_null(body);
	strbuf_add(&sb, inst, (size_t)(body - inst));
	strbuf_addstr(&sb, "printf '%s|' \"$MODE\" \"$NAME\" \"$TRIGGERS\" \"$RESET\" \"$HOOK\" \"$UNIT\"\n");
	out = run_sh(sb.buf, NULL);
	assert_non_null(out);
	reset = webapp_first_login_reset(&p, part);
	hook = webapp_first_login_hook("shop");
	unit = webapp_first_login_unit(&p);
	want = xasprintf("check|shop|systemd cloud-init|%s|%s|%s|", reset, hook, unit);
	assert_string_equal(out, want);
	free(want);
	free(unit);
	free(hook);
	free(reset);
	free(out);
	free(inst);
	strbuf_release(&sb);
	params_release(&p);

	params_ok("name: shop\nscript: x", &p);
	inst = webapp_first_login_installer(&p, part, 1);
	assert_true(str_starts_with(inst, "MODE=apply\nNAME='shop'\nTRIGGERS=''\n"));
	free(inst);
	params_release(&p);
}

/* ---- the judgement ---- */

#define L(verb, what, path) "SR\t" verb "\t" what "\t" path "\n"
#define RESET_PATH "/usr/local/libexec/shelfready/first-login-shop"
#define HOOK_PATH "/var/lib/cloud/scripts/per-instance/shelfready-first-login-shop"

static const struct {
	const char *name, *out;
	int dry_run;
	enum step_status status;
	const char *summary, *lines;
} judged[] = {
	{ "installed", L("install", "reset script", RESET_PATH) L("install", "cloud-init hook", HOOK_PATH),
	  0, STEP_CHANGED, "first-login reset of shop: installed reset script, cloud-init hook",
	  "installed reset script " RESET_PATH "\ninstalled cloud-init hook " HOOK_PATH "\n" },
	{ "up to date", L("ok", "reset script", RESET_PATH) L("ok", "cloud-init hook", HOOK_PATH), 0,
	  STEP_OK, "first-login reset of shop installed and up to date: reset script, cloud-init hook",
	  "up to date: reset script " RESET_PATH "\nup to date: cloud-init hook " HOOK_PATH "\n" },
	{ "leftovers of a reset that ran here, a dry run",
	  L("ok", "reset script", RESET_PATH)
	  L("remove", "credentials file", "/root/.shelfready/first-login/shop.credentials")
	  L("remove", "MOTD pointer", "/etc/motd.d/shelfready-first-login-shop")
	  L("remove", "MOTD pointer", "/etc/motd.d/shelfready-first-login-shop.new"),
	  1, STEP_CHANGED,
	  "first-login reset of shop: would remove credentials file, MOTD pointer; up to date: reset "
	  "script",
	  "up to date: reset script " RESET_PATH "\n"
	  "would remove credentials file /root/.shelfready/first-login/shop.credentials\n"
	  "would remove MOTD pointer /etc/motd.d/shelfready-first-login-shop\n"
	  "would remove MOTD pointer /etc/motd.d/shelfready-first-login-shop.new\n" },
	{ "an error", L("install", "reset script", RESET_PATH)
	  L("error", "triggers", "neither cloud-init nor systemd runs here") "sh: oops\n",
	  0, STEP_FAILED, "first-login reset of shop: neither cloud-init nor systemd runs here",
	  "installed reset script " RESET_PATH "\nerror: neither cloud-init nor systemd runs here\n"
	  "| sh: oops\n" },
	{ "nothing said", "", 0, STEP_OK, "first-login reset of shop installed and up to date: nothing",
	  "" },
};

static void test_judge(void **state)
{
	int failed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(judged); i++) {
		struct strbuf lines = STRBUF_INIT;
		char *summary = NULL;
		enum step_status st = webapp_first_login_judge("shop", judged[i].out, strlen(judged[i].out),
							       judged[i].dry_run, &summary, &lines);
		const char *l = lines.buf ? lines.buf : "";
		if (st != judged[i].status || strcmp(summary, judged[i].summary) ||
		    strcmp(l, judged[i].lines)) {
			print_error("%s: got %s\n  summary: \"%s\"\n  lines: \"%s\"\n", judged[i].name,
				    step_status_name(st), summary, l);
			failed++;
		}
		free(summary);
		strbuf_release(&lines);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),   cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),      cmocka_unit_test(test_accounts),
		cmocka_unit_test(test_hook_and_unit), cmocka_unit_test(test_reset_script),
		cmocka_unit_test(test_reset_mysql),  cmocka_unit_test(test_installer),
		cmocka_unit_test(test_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
