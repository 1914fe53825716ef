/*
 * Unit tests of steps/cleanup.c: the load-time rules on its parameters
 * (account names, extra paths), the settings it puts before its remote
 * script (run through the local sh with hostile values, to show they arrive
 * as data), the script's syntax, and the judgement of what the script said
 * (status, summary and every line shown, exactly). What the script does on a
 * target is tests/e2e/run-cleanup.sh's.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"
#include "ytree.h"

extern const struct step_type step_cleanup;

/* The pure parts steps/cleanup.c exports for this test. */
int cleanup_valid_account(const char *s);
const char *cleanup_bad_path(const char *s);
char *cleanup_script(const struct params *p, int apply);
enum step_status cleanup_judge(const char *out, size_t len, int dry_run, char **summary,
			       struct strbuf *lines);

/* Type and validate `with` (YAML, NULL: none) as lint does; 0 and *out, or -1. */
static int step_params(const char *with, struct params *out, struct diags *d)
{
	return test_step_params(&step_cleanup, "c", NULL, with, out, d);
}

static void params_ok(const char *with, struct params *out)
{
	struct diags d;
	diags_init(&d);
	if (step_params(with, out, &d) < 0 || d.n) {
		char *text = test_diags_text(&d);
		fail_msg("with '%s': %s", with ? with : "", text);
	}
	diags_release(&d);
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(step_type_find("cleanup"), &step_cleanup);
	assert_non_null(step_cleanup.apply);
	assert_non_null(step_cleanup.validate);
}

static void test_defaults(void **state)
{
	static const char *const on[] = { "authorized_keys", "histories", "first_login", "tmp",
					   "package_cache", "cloud_init", "machine_id", "host_keys",
					   "logs" };
	struct params p = { NULL, 0 };
	(void)state;

	params_ok(NULL, &p);
	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		const struct param *v = params_get(&p, on[i]);
		assert_non_null(v);
		assert_true(v->is_default);
		assert_int_equal(v->v.i, 1);
	}
	assert_string_equal(params_get(&p, "build_user")->v.s, "");
	assert_int_equal(params_get(&p, "keep_authorized_keys_of")->v.n, 0);
	assert_int_equal(params_get(&p, "extra_paths")->v.n, 0);
	assert_int_equal(params_get(&p, "timeout")->v.i, 600);
	params_release(&p);
}

static const struct {
	const char *with;
	const char *diags; /* every message, exactly */
} refused[] = {
	{ "build_user: \"deploy user\"",
	  "w.yaml:1:13: error: 'deploy user' in 'build_user' of step 'c' (cleanup) is not an account "
	  "name\n" },
	{ "keep_authorized_keys_of: [root, web, root]",
	  "w.yaml:1:38: error: 'root' is listed twice in 'keep_authorized_keys_of' of step 'c' "
	  "(cleanup)\n" },
	{ "keep_authorized_keys_of: [-rf]",
	  "w.yaml:1:27: error: '-rf' in 'keep_authorized_keys_of' of step 'c' (cleanup) is not an "
	  "account name\n" },
	{ "extra_paths: [opt/cache, /, /opt, /*/cache]",
	  "w.yaml:1:15: error: 'opt/cache' in 'extra_paths' of step 'c' (cleanup) is not an absolute "
	  "path\n"
	  "w.yaml:1:26: error: '/' in 'extra_paths' of step 'c' (cleanup) names a top-level "
	  "directory: give a path at least two levels deep\n"
	  "w.yaml:1:29: error: '/opt' in 'extra_paths' of step 'c' (cleanup) names a top-level "
	  "directory: give a path at least two levels deep\n"
	  "w.yaml:1:35: error: '/*/cache' in 'extra_paths' of step 'c' (cleanup) has a pattern in "
	  "its first component\n" },
	{ "extra_paths: [/usr/*, /etc/*.conf, /opt/../etc/shadow, \"/opt/a\\nb\"]",
	  "w.yaml:1:15: error: '/usr/*' in 'extra_paths' of step 'c' (cleanup) is a pattern over the "
	  "entries of a system directory\n"
	  "w.yaml:1:23: error: '/etc/*.conf' in 'extra_paths' of step 'c' (cleanup) is a pattern over "
	  "the entries of a system directory\n"
	  "w.yaml:1:36: error: '/opt/../etc/shadow' in 'extra_paths' of step 'c' (cleanup) has a '.' "
	  "or '..' component\n"
	  "w.yaml:1:56: error: '/opt/a\\x0ab' in 'extra_paths' of step 'c' (cleanup) holds a control "
	  "character\n" },
	{ "host_keys: maybe",
	  "w.yaml:1:12: error: parameter 'host_keys' of step 'c' (cleanup) expects true or false, "
	  "found 'maybe'\n" },
	{ "extra_paths: /opt/cache",
	  "w.yaml:1:14: error: parameter 'extra_paths' of step 'c' (cleanup) expects a list of "
	  "strings, found a string\n" },
};

static void test_refused(void **state)
{
	int failed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		struct params p = { NULL, 0 };
		struct diags d;
		diags_init(&d);
		int ret = step_params(refused[i].with, &p, &d);
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

static void test_paths(void **state)
{
	static const struct {
		const char *path, *why;
	} rows[] = {
		{ "/opt/build/*", NULL },
		{ "/home/builder/.cache", NULL },
		{ "/var/cache/app/*.tmp", NULL },
		{ "/etc/build-stamp", NULL },
		{ "/srv/*", NULL },
		{ "/opt/it's $(here)/x", NULL },
		{ "//opt//build//", NULL },
		{ "/var/*", "is a pattern over the entries of a system directory" },
		{ "/lib64/?", "is a pattern over the entries of a system directory" },
		{ "/usr/lib/*", NULL },
		{ "/[a-z]*/x", "has a pattern in its first component" },
		{ "/opt/./x", "has a '.' or '..' component" },
		{ "/opt/..", "has a '.' or '..' component" },
		{ "/opt/..x", NULL },
		{ "//", "names a top-level directory: give a path at least two levels deep" },
		{ "", "is not an absolute path" },
		{ "/opt/\tx", "holds a control character" },
	};
	int failed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *why = cleanup_bad_path(rows[i].path);
		if (!why != !rows[i].why || (why && strcmp(why, rows[i].why))) {
			print_error("'%s': expected %s, got %s\n", rows[i].path,
				    rows[i].why ? rows[i].why : "fine", why ? why : "fine");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void test_accounts(void **state)
{
	(void)state;
	assert_true(cleanup_valid_account("root"));
	assert_true(cleanup_valid_account("ec2-user"));
	assert_true(cleanup_valid_account("web_1.admin"));
	assert_true(cleanup_valid_account("HOST$"));
	assert_false(cleanup_valid_account(""));
	assert_false(cleanup_valid_account("-x"));
	assert_false(cleanup_valid_account(".hidden"));
	assert_false(cleanup_valid_account("a$b"));
	assert_false(cleanup_valid_account("a b"));
	assert_false(cleanup_valid_account("a'b"));
	assert_false(cleanup_valid_account("a\nb"));
}

/* ---- the settings before the script ---- */

#define BODY_START "# The pre-capture cleanup, on the target"

/* Run text with the local sh; its stdout (owned), or NULL. */
static char *run_sh(const char *text)
{
	char path[] = "/tmp/sr-test-cleanup-XXXXXX";
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
	cmd = xasprintf("sh %s", path);
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

/* The settings of cleanup_script(with), as the shell sees them. */
static char *settings(const char *with, int apply)
{
	struct params p = { NULL, 0 };
	char *script, *body, *out;
	struct strbuf sb = STRBUF_INIT;

	params_ok(with, &p);
	script = cleanup_script(&p, apply);
	body = strstr(script, BODY_START);
	assert_non_null(body);
	strbuf_add(&sb, script, (size_t)(body - script));
	strbuf_addstr(&sb, "printf '%s|' \"$MODE\" \"$DO_KEYS$DO_HISTORIES$DO_FIRST_LOGIN$DO_TMP"
			   "$DO_CACHE$DO_CLOUD_INIT$DO_MACHINE_ID$DO_HOST_KEYS$DO_LOGS\" "
			   "\"$BUILD_USER\" \"$KEEP_KEYS\" \"$EXTRA\"\n");
	out = run_sh(sb.buf);
	strbuf_release(&sb);
	free(script);
	params_release(&p);
	return out;
}

static void test_settings(void **state)
{
	char *out;
	(void)state;

	out = settings(NULL, 1);
	assert_non_null(out);
	assert_string_equal(out, "apply|111111111||||");
	free(out);

	out = settings("tmp: false\nlogs: false\nbuild_user: deploy$\n"
		       "keep_authorized_keys_of: [root, web]\n"
		       "extra_paths: [\"/opt/it's $(touch /tmp/sr-pwned) `id`/*\", \"/srv/a  b\"]",
		       0);
	assert_non_null(out);
	assert_string_equal(out, "check|111011110|deploy$|root\nweb|/opt/it's $(touch /tmp/sr-pwned) "
				 "`id`/*\n/srv/a  b|");
	free(out);
	assert_int_equal(access("/tmp/sr-pwned", F_OK), -1);
}

static void test_syntax(void **state)
{
	struct params p = { NULL, 0 };
	char *script, *check, *out;
	(void)state;

	params_ok("extra_paths: [/opt/build/*]", &p);
	script = cleanup_script(&p, 1);
	/* `sh -n` reads the whole script without running it */
	check = xasprintf("set -n\n%s", script);
	out = run_sh(check);
	assert_non_null(out);
	assert_string_equal(out, "");
	free(out);
	free(check);
	free(script);
	params_release(&p);
}

/* ---- the judgement ---- */

#define L(item, verb, text) "SR\t" item "\t" verb "\t" text "\n"

static const struct {
	const char *name;
	const char *out;
	int dry_run;
	enum step_status status;
	const char *summary;
	const char *lines;
} judged[] = {
	{ "nothing at all", "", 0, STEP_OK, "nothing to do: clean for capture", "" },
	{ "clean, host keys by cloud-init",
	  L("regen", "rely", "cloud-init's ssh module (ssh_genkeytypes)"), 0, STEP_OK,
	  "nothing to do: clean for capture; new host keys at first boot: cloud-init's ssh module "
	  "(ssh_genkeytypes)",
	  "new host keys at first boot: cloud-init's ssh module (ssh_genkeytypes)\n" },
	{ "a build VM cleaned",
	  L("keys", "remove", "/root/.ssh/authorized_keys")
	  L("keys", "keep", "the authorized_keys of deploy (keep_authorized_keys_of)")
	  L("history", "remove", "/root/.bash_history")
	  L("history", "remove", "/home/builder/.viminfo")
	  L("tmp", "remove", "/tmp/build")
	  L("tmp", "keep", "/tmp/.s (a socket)")
	  L("tmp", "keep", "/var/tmp/x (in use by a running process)")
	  L("cache", "clean", "apt-get clean (3 downloaded packages)")
	  L("machine-id", "empty", "/etc/machine-id")
	  L("machine-id", "link", "/var/lib/dbus/machine-id to /etc/machine-id")
	  L("hostkey", "remove", "/etc/ssh/ssh_host_ed25519_key")
	  L("hostkey", "remove", "/etc/ssh/ssh_host_ed25519_key.pub")
	  L("regen", "install", "/etc/init.d/shelfready-ssh-keygen (an init script)")
	  L("log", "remove", "/var/log/syslog.1")
	  L("log", "truncate", "/var/log/dpkg.log"),
	  0, STEP_CHANGED,
	  "removed 1 authorized_keys file, 2 history files, 1 temporary entry, 2 SSH host key files, "
	  "1 rotated log; truncated 1 log file; ran apt-get clean (3 downloaded packages); emptied "
	  "/etc/machine-id; linked /var/lib/dbus/machine-id to /etc/machine-id; installed "
	  "/etc/init.d/shelfready-ssh-keygen (an init script); new host keys at first boot: "
	  "/etc/init.d/shelfready-ssh-keygen (an init script); kept the authorized_keys of deploy "
	  "(keep_authorized_keys_of) and 2 temporary entries (in use, sockets, mount points)",
	  "removed /root/.ssh/authorized_keys\n"
	  "kept the authorized_keys of deploy (keep_authorized_keys_of)\n"
	  "removed /root/.bash_history\n"
	  "removed /home/builder/.viminfo\n"
	  "removed /tmp/build\n"
	  "kept /tmp/.s (a socket)\n"
	  "kept /var/tmp/x (in use by a running process)\n"
	  "ran apt-get clean (3 downloaded packages)\n"
	  "emptied /etc/machine-id\n"
	  "linked /var/lib/dbus/machine-id to /etc/machine-id\n"
	  "removed /etc/ssh/ssh_host_ed25519_key\n"
	  "removed /etc/ssh/ssh_host_ed25519_key.pub\n"
	  "installed /etc/init.d/shelfready-ssh-keygen (an init script)\n"
	  "removed /var/log/syslog.1\n"
	  "truncated /var/log/dpkg.log\n" },
	{ "the same, a dry run",
	  L("history", "remove", "/root/.bash_history")
	  L("cache", "clean", "apt-get clean (1 downloaded package)")
	  L("journal", "vacuum", "the journal (journalctl --rotate, --vacuum-time=1s)"),
	  1, STEP_CHANGED,
	  "would remove 1 history file; would run apt-get clean (1 downloaded package); would "
	  "vacuum the journal (journalctl --rotate, --vacuum-time=1s)",
	  "would remove /root/.bash_history\n"
	  "would run apt-get clean (1 downloaded package)\n"
	  "would vacuum the journal (journalctl --rotate, --vacuum-time=1s)\n" },
	{ "an error, after some work",
	  L("history", "remove", "/root/.bash_history")
	  L("cache", "error", "apt-get clean failed: E: Could not get lock")
	  L("regen", "error", "no ssh-keygen here: nothing would make new host keys at the first boot"),
	  0, STEP_FAILED,
	  "apt-get clean failed: E: Could not get lock; no ssh-keygen here: nothing would make new "
	  "host keys at the first boot (done: removed 1 history file)",
	  "removed /root/.bash_history\n"
	  "error: apt-get clean failed: E: Could not get lock\n"
	  "error: no ssh-keygen here: nothing would make new host keys at the first boot\n" },
	{ "lines that are not the script's",
	  "Reading package lists...\nSR\tonly two\n" L("keys", "note", "no account deploy"), 0,
	  STEP_OK, "nothing to do: clean for capture",
	  "| Reading package lists...\n| SR\tonly two\nno account deploy\n" },
	{ "an unknown verb informs", L("tmp", "ponder", "/tmp/x") "SR\ta\tb\tc\td\n", 0, STEP_OK,
	  "nothing to do: clean for capture", "/tmp/x\nc\td\n" },
	{ "no final newline", "SR\tlog\ttruncate\t/var/log/wtmp", 0, STEP_CHANGED,
	  "truncated 1 log file", "truncated /var/log/wtmp\n" },
};

static void test_judge(void **state)
{
	int failed = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(judged); i++) {
		struct strbuf lines = STRBUF_INIT;
		char *summary = NULL;
		enum step_status st = cleanup_judge(judged[i].out, strlen(judged[i].out),
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
		cmocka_unit_test(test_registered), cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),    cmocka_unit_test(test_paths),
		cmocka_unit_test(test_accounts),   cmocka_unit_test(test_settings),
		cmocka_unit_test(test_syntax),     cmocka_unit_test(test_judge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
