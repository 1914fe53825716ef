/*
 * Unit tests of the expire-password step type (steps/expire-password.c):
 * the parameter rules (hostile account names refused with file:line:col),
 * what the facts say about sshd, the chage script under a real /bin/sh with
 * a fake chage, and the sshd script against a scratch /etc/ssh with a fake
 * sshd that reads the configuration as sshd does (Include, first value
 * wins): a drop-in when the main file includes sshd_config.d, the top of
 * sshd_config otherwise or when an earlier drop-in wins, undo when
 * `sshd -t` refuses, the dry run, and a second run that finds nothing to do.
 *
 * The step's file is compiled in here so that its static helpers can be
 * tested; tests/e2e/run-steps.sh runs it against the testbed.
 */
#include "helpers.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../steps/expire-password.c"

#include "vars.h"
#include "ytree.h"

#define BAD_NAME "in 'users' of step 'ep' (expire-password) is not a valid account name"

static const struct {
	const char *with;
	const char *error;
} prows[] = {
	{ "{users: [root, builder, web-admin, svc_1, host$]}", NULL },
	{ "{disable_password_login: true}", NULL },
	{ "{users: [root], disable_password_login: true}", NULL },
	{ "{users: []}", "w.yaml:1:9: error: step 'ep' (expire-password) needs 'users' (not empty) or "
			 "'disable_password_login: true'" },
	{ "{disable_password_login: false}",
	  "p.yaml:1:1: error: step 'ep' (expire-password) needs 'users' (not empty) or "
	  "'disable_password_login: true'" },
	{ "{users: [root, '$(touch /tmp/pwned)']}", "w.yaml:1:16: error: '$(touch /tmp/pwned)' " BAD_NAME },
	{ "{users: ['`id`']}", "w.yaml:1:10: error: '`id`' " BAD_NAME },
	{ "{users: [\"a'b\"]}", "w.yaml:1:10: error: 'a'b' " BAD_NAME },
	{ "{users: [\"a\\nb\"]}", "w.yaml:1:10: error: 'a\\x0ab' " BAD_NAME },
	{ "{users: ['-d']}", "w.yaml:1:10: error: '-d' " BAD_NAME },
	{ "{users: ['a b']}", "w.yaml:1:10: error: 'a b' " BAD_NAME },
	{ "{users: ['a$b']}", "w.yaml:1:10: error: 'a$b' " BAD_NAME },
	{ "{users: [abcdefghijabcdefghijabcdefghijabc]}",
	  "w.yaml:1:10: error: 'abcdefghijabcdefghijabcdefghijabc' " BAD_NAME },
	{ "{users: root}", "w.yaml:1:9: error: parameter 'users' of step 'ep' (expire-password) "
			   "expects a list of strings, found a string" },
};

static void test_params(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prows); i++)
		failed += !test_step_param_row(&step_expire_password, "ep", prows[i].with,
						 prows[i].error);
	assert_int_equal(failed, 0);
}

/* ---- what the facts say ---- */

#define TN "ePn0nce0"
#define M "@@SRG " TN " "

static void test_facts_sshd(void **state)
{
	(void)state;
	static const struct {
		const char *section; /* the sshd section's body, NULL: none */
		int status;
		int off;
	} rows[] = {
		{ "passwordauthentication no\nkbdinteractiveauthentication no\nauthenticationmethods any\n", 0, 1 },
		{ "passwordauthentication yes\nkbdinteractiveauthentication no\n", 0, 0 },
		{ "passwordauthentication no\nkbdinteractiveauthentication yes\n", 0, 0 },
		{ "passwordauthentication no\nchallengeresponseauthentication yes\n", 0, 0 },
		/* the admin chose the methods: keyboard-interactive is theirs */
		{ "passwordauthentication no\nkbdinteractiveauthentication yes\n"
		  "authenticationmethods publickey,keyboard-interactive\n", 0, 1 },
		{ "passwordauthentication no\n", 0, 1 },
		/* sshd -T failed: the config files are not the effective settings */
		{ "PasswordAuthentication no\n", 1, -1 },
		{ NULL, 0, -1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *t = rows[i].section
				  ? xasprintf(M "gather 1\n" M "begin sshd\n%s" M "end sshd %d\n" M "done\n",
					      rows[i].section, rows[i].status)
				  : xstrdup(M "gather 1\n" M "done\n");
		struct facts *f = test_facts_from_text(t);
		int off = facts_password_login_off(f);
		if (off != rows[i].off)
			fail_msg("row %zu: %d, want %d", i, off, rows[i].off);
		facts_free(f);
		free(t);
	}
}

/* ---- the scripts, under a real /bin/sh ---- */

static char *root;

/* Run script with /etc/, /run/ and sshd under root; output (both streams) and *status. */
static char *run_in_root(const char *script, const char *env, int *status)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	char buf[512];
	size_t n;

	for (const char *p = script; *p; p++) {
		if (!strncmp(p, "/usr/sbin/sshd ", 15)) {
			strbuf_addf(&sb, "%s/bin/sshd ", root);
			p += 14;
			continue;
		}
		if (!strncmp(p, "/etc/", 5) || !strncmp(p, "/run/", 5))
			strbuf_addstr(&sb, root);
		strbuf_addch(&sb, *p);
	}
	char *file = xasprintf("%s/script", root);
	assert_int_equal(write_file_atomic(file, sb.buf, sb.len, 0600), 0);
	char *cmd = xasprintf("cd %s && %s PATH=%s/bin:/usr/bin:/bin sh %s 2>&1", root, env ? env : "",
			      root, file);
	FILE *p = popen(cmd, "r");
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	*status = WEXITSTATUS(pclose(p));
	free(cmd);
	free(file);
	strbuf_release(&sb);
	return strbuf_detach(&out);
}

static void put(const char *rel, const char *text, unsigned mode)
{
	char *path = xasprintf("%s/%s", root, rel);
	char *d = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	assert_int_equal(mkdir_p(d, 0755), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
	free(d);
	free(path);
}

static char *get(const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel), *data = NULL;
	size_t len;
	if (read_file(path, 1 << 20, &data, &len) < 0)
		data = NULL;
	free(path);
	return data;
}

static int exists(const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	int e = access(path, F_OK) == 0;
	free(path);
	return e;
}

static void test_chage(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/shelfready-ep-XXXXXX";
	int status;

	root = mkdtemp(tmpl);
	assert_non_null(root);
	put("bin/chage",
	    "#!/bin/sh\n"
	    "printf '%s|' \"$@\" >>calls; echo >>calls\n"
	    "[ \"$4\" = nosuch ] && { echo \"chage: user 'nosuch' does not exist\" >&2; exit 1; }\n"
	    "exit 0\n",
	    0755);
	const char *const users[] = { "root", "nosuch", "web-admin" };
	char *sh = ep_chage_script(users, 3);
	char *out = run_in_root(sh, "SUDO_USER=web-admin", &status);
	assert_int_equal(status, 1);
	/* every account is tried; the failure is named; the login account is told */
	assert_string_equal(out, "chage: user 'nosuch' does not exist\n"
				 "cannot expire the password of nosuch\nself web-admin\n");
	char *calls = get("calls");
	assert_string_equal(calls, "-d|0|--|root|\n-d|0|--|nosuch|\n-d|0|--|web-admin|\n");
	free(calls);
	free(out);
	free(sh);
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/*
 * A fake sshd: -t fails when the file fail-t exists; -T prints the settings
 * as sshd reads them (Include expanded in place, the first value of each
 * keyword wins, defaults last).
 */
static const char fake_sshd[] =
	"#!/bin/sh\n"
	"R=$(cd \"$(dirname \"$0\")/..\" && pwd)\n"
	"emit() {\n"
	"  while IFS= read -r l; do\n"
	"    case $l in\n"
	"    Include\\ *)\n"
	"      for g in $R${l#Include }; do [ -f \"$g\" ] && emit <\"$g\"; done ;;\n"
	"    *) printf '%s\\n' \"$l\" ;;\n"
	"    esac\n"
	"  done\n"
	"}\n"
	"case $1 in\n"
	"-t) [ -e \"$R/fail-t\" ] && { echo \"$R/etc/ssh/sshd_config line 1: Bad configuration option\" >&2; exit 255; }; exit 0 ;;\n"
	"-T)\n"
	"  emit <\"$R/etc/ssh/sshd_config\" | awk -v pf=\"$R/run/sshd.pid\" '\n"
	"    /^#/ || NF < 2 { next }\n"
	"    { k = tolower($1); if (!(k in v)) { v[k] = $2; o[++n] = k } }\n"
	"    END {\n"
	"      if (!(\"passwordauthentication\" in v)) { v[\"passwordauthentication\"] = \"yes\"; o[++n] = \"passwordauthentication\" }\n"
	"      if (!(\"kbdinteractiveauthentication\" in v)) { v[\"kbdinteractiveauthentication\"] = \"yes\"; o[++n] = \"kbdinteractiveauthentication\" }\n"
	"      if (!(\"authenticationmethods\" in v)) { v[\"authenticationmethods\"] = \"any\"; o[++n] = \"authenticationmethods\" }\n"
	"      for (i = 1; i <= n; i++) print o[i], v[o[i]]\n"
	"      print \"pidfile\", pf\n"
	"    }' ;;\n"
	"esac\n";

#define INCLUDE "Include /etc/ssh/sshd_config.d/*.conf\n"
#define MAIN_REST "PermitRootLogin prohibit-password\nPasswordAuthentication yes\nUsePAM yes\n"

struct srow {
	const char *label;
	const char *main;     /* sshd_config */
	const char *early;    /* sshd_config.d/00-aaa.conf, NULL: none */
	int fail_t, dry;
	int status;
	const char *first;    /* the first line of the output */
	int dropin;           /* the drop-in is there afterwards */
	int main_changed;
	const char *settings; /* the fake sshd -T's first lines afterwards */
};

static const struct srow srows[] = {
	{ "Include: a drop-in", INCLUDE MAIN_REST, NULL, 0, 0, 0,
	  "done dropin " EP_DROPIN, 1, 0,
	  "passwordauthentication no\nkbdinteractiveauthentication no\n" },
	{ "an earlier drop-in wins: the top of sshd_config", INCLUDE MAIN_REST,
	  "PasswordAuthentication yes\n", 0, 0, 0, "done main /etc/ssh/sshd_config", 0, 1,
	  "passwordauthentication no\nkbdinteractiveauthentication no\n" },
	{ "no Include: the top of sshd_config", MAIN_REST, NULL, 0, 0, 0,
	  "done main /etc/ssh/sshd_config", 0, 1,
	  "passwordauthentication no\nkbdinteractiveauthentication no\n" },
	{ "sshd -t refuses: undone", INCLUDE MAIN_REST, NULL, 1, 0, 4,
	  "sshd -t refused the change (undone): ", 0, 0, "port 2222\npermitrootlogin prohibit-password\n" },
	{ "sshd -t refuses, no Include: undone", MAIN_REST, NULL, 1, 0, 4,
	  "sshd -t refused the change (undone): ", 0, 0,
	  "permitrootlogin prohibit-password\npasswordauthentication yes\n" },
	{ "dry run", INCLUDE MAIN_REST, NULL, 0, 1, 0,
	  "would dropin PasswordAuthentication KbdInteractiveAuthentication", 0, 0,
	  "port 2222\npermitrootlogin prohibit-password\n" },
	{ "dry run, no Include", MAIN_REST, NULL, 0, 1, 0,
	  "would main PasswordAuthentication KbdInteractiveAuthentication", 0, 0,
	  "permitrootlogin prohibit-password\npasswordauthentication yes\n" },
	{ "nothing to do", "PasswordAuthentication no\nKbdInteractiveAuthentication no\n", NULL, 0, 0, 0,
	  "ok", 0, 0, "passwordauthentication no\nkbdinteractiveauthentication no\n" },
	{ "methods chosen by the admin: only PasswordAuthentication",
	  INCLUDE "AuthenticationMethods publickey,keyboard-interactive\nPasswordAuthentication yes\n",
	  NULL, 0, 1, 0, "would dropin PasswordAuthentication\n", 0, 0,
	  "port 2222\nauthenticationmethods publickey,keyboard-interactive\n" },
};

static void test_sshd(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/shelfready-ep-XXXXXX";
	int failed = 0, status;

	root = mkdtemp(tmpl);
	assert_non_null(root);
	put("bin/sshd", fake_sshd, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(srows); i++) {
		const struct srow *w = &srows[i];
		char *cmd = xasprintf("rm -rf '%s/etc' '%s/run' '%s/fail-t'", root, root, root);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		put("etc/ssh/sshd_config", w->main, 0644);
		put("etc/ssh/sshd_config.d/00-testbed-listen.conf", "Port 2222\n", 0644);
		if (w->early)
			put("etc/ssh/sshd_config.d/00-aaa.conf", w->early, 0644);
		if (w->fail_t)
			put("fail-t", "", 0644);
		/* a listener to reload: a shell that reports the SIGHUP */
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (!pid) {
			execl("/bin/sh", "sh", "-c", "trap 'exit 42' HUP; while :; do sleep 0.05; done",
			      (char *)NULL);
			_exit(127);
		}
		char num[32];
		snprintf(num, sizeof(num), "%d\n", (int)pid);
		put("run/sshd.pid", num, 0644);
		usleep(100000); /* let it set its trap */

		char *sh = ep_sshd_script(w->dry);
		char *raw = run_in_root(sh, NULL, &status);
		free(sh);
		/* the output, with the scratch root taken out of the paths */
		struct strbuf sb = STRBUF_INIT;
		for (const char *q = raw; *q;) {
			if (!strncmp(q, root, strlen(root))) {
				q += strlen(root);
				continue;
			}
			strbuf_addch(&sb, *q++);
		}
		char *out = strbuf_detach(&sb);
		free(raw);
		int wst = 0, hup;
		int changed = w->status == 0 && !w->dry && strcmp(w->first, "ok");
		for (int k = 0; k < (changed ? 40 : 4) && waitpid(pid, &wst, WNOHANG) == 0; k++)
			usleep(50000);
		if (waitpid(pid, &wst, WNOHANG) == 0) {
			kill(pid, SIGTERM);
			waitpid(pid, &wst, 0);
		}
		hup = WIFEXITED(wst) && WEXITSTATUS(wst) == 42;

		char *main_now = get("etc/ssh/sshd_config");
		int main_changed = strcmp(main_now ? main_now : "", w->main) != 0;
		int dropin = exists("etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf");
		sh = xasprintf("%s/bin/sshd -T", root);
		FILE *p = popen(sh, "r");
		char settings[256] = "";
		size_t n = fread(settings, 1, sizeof(settings) - 1, p);
		settings[n] = '\0';
		pclose(p);
		free(sh);
		/* the first two lines */
		char *second = strchr(settings, '\n');
		if (second && (second = strchr(second + 1, '\n')))
			second[1] = '\0';
		if (status != w->status || strncmp(out, w->first, strlen(w->first)) ||
		    dropin != w->dropin || main_changed != w->main_changed ||
		    strcmp(settings, w->settings) || hup != changed) {
			print_error("row %zu (%s): exit %d, dropin %d, main changed %d, sighup %d\n"
				    "  output: %s\n  settings: %s\n",
				    i, w->label, status, dropin, main_changed, hup, out, settings);
			failed++;
		}
		if (changed && w->main_changed) {
			/* the backup holds the old file; a second run finds nothing to do */
			char *bak = strstr(out, "backup ");
			char *nl = bak ? strchr(bak, '\n') : NULL;
			if (!bak || !nl) {
				print_error("row %zu: no backup line in: %s\n", i, out);
				failed++;
			} else {
				char *path = xasprintf("%s%.*s", root, (int)(nl - bak - 7), bak + 7);
				char *old = NULL;
				size_t len;
				if (read_file(path, 1 << 20, &old, &len) < 0 || strcmp(old, w->main)) {
					print_error("row %zu: the backup '%s' does not hold the old file\n", i, path);
					failed++;
				}
				free(old);
				free(path);
			}
			if (strncmp(main_now, "# shelfready", 12)) {
				print_error("row %zu: sshd_config does not start with the block: %s\n", i, main_now);
				failed++;
			}
		}
		if (changed) {
			sh = ep_sshd_script(0);
			char *again = run_in_root(sh, NULL, &status);
			if (status || strcmp(again, "ok\n")) {
				print_error("row %zu: the second run says (%d): %s\n", i, status, again);
				failed++;
			}
			free(again);
			free(sh);
		}
		free(main_now);
		free(out);
	}
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_facts_sshd),
		cmocka_unit_test(test_chage),
		cmocka_unit_test(test_sshd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
