/*
 * Unit tests of the service step type (steps/service.c): what it decides
 * to do from the wanted and the current state, the names it accepts, the
 * parameter rules, and its remote scripts run by a real /bin/sh against a
 * fake SysV layout (an init.d script and rc links in a scratch root, the
 * paths rewritten): probing, enabling and disabling by rc links.
 *
 * The step's file is compiled in here so that its static helpers can be
 * tested; tests/e2e/run-steps.sh runs it against the testbed.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../steps/service.c"

#include "vars.h"
#include "ytree.h"

static const struct {
	const char *with;
	const char *error;
} prows[] = {
	{ "{name: cron, state: started}", NULL },
	{ "{name: ssh.service, enabled: false}", NULL },
	{ "{name: getty@tty1, state: stopped, enabled: false}", NULL },
	{ "{name: systemd-networkd, state: reloaded, timeout: 30s}", NULL },
	{ "{name: cron}", "p.yaml:1:1: error: step 'svc' (service) needs 'state' or 'enabled' (or both)" },
	{ "{name: 'cron; touch /tmp/pwned', state: started}",
	  "w.yaml:1:8: error: 'name' of step 'svc' (service) is not a valid service name: "
	  "'cron; touch /tmp/pwned' (letters, digits, _ . @ : + -)" },
	{ "{name: '$(id)', state: started}",
	  "w.yaml:1:8: error: 'name' of step 'svc' (service) is not a valid service name: '$(id)' "
	  "(letters, digits, _ . @ : + -)" },
	{ "{name: '-h', state: started}",
	  "w.yaml:1:8: error: 'name' of step 'svc' (service) is not a valid service name: '-h' "
	  "(letters, digits, _ . @ : + -)" },
	{ "{name: ../../bin/sh, state: started}",
	  "w.yaml:1:8: error: 'name' of step 'svc' (service) is not a valid service name: "
	  "'../../bin/sh' (letters, digits, _ . @ : + -)" },
	{ "{name: cron, state: running}",
	  "w.yaml:1:21: error: parameter 'state' of step 'svc' (service) must be one of started, "
	  "stopped, restarted, reloaded, found 'running'" },
	{ "{name: cron, enabled: yes}",
	  "w.yaml:1:23: error: parameter 'enabled' of step 'svc' (service) expects true or false, found 'yes'" },
};

static void test_params(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prows); i++)
		failed += !test_step_param_row(&step_service, "svc", prows[i].with,
						 prows[i].error);
	assert_int_equal(failed, 0);
}

struct plan_row {
	const char *state;   /* NULL: not asked */
	int want_enabled;    /* -1: not asked */
	int is_enabled;
	const char *unit;    /* systemd's unit file state, NULL under SysV */
	int active;          /* 1, 0, -1 unknown */
	int ok;
	int enable;
	enum svc_run run;
	const char *why;
};

static const struct plan_row plan_rows[] = {
	{ "started", -1, 0, NULL, 1, 1, -1, SVC_NONE, NULL },
	{ "started", -1, 0, NULL, 0, 1, -1, SVC_START, NULL },
	{ "stopped", -1, 1, NULL, 1, 1, -1, SVC_STOP, NULL },
	{ "stopped", -1, 1, NULL, 0, 1, -1, SVC_NONE, NULL },
	{ "restarted", -1, 1, NULL, 1, 1, -1, SVC_RESTART, NULL },
	{ "restarted", -1, 1, NULL, 0, 1, -1, SVC_START, NULL },
	{ "reloaded", -1, 1, NULL, 1, 1, -1, SVC_RELOAD, NULL },
	{ "reloaded", -1, 1, NULL, 0, 1, -1, SVC_START, NULL },
	{ NULL, 1, 1, NULL, 0, 1, -1, SVC_NONE, NULL },
	{ NULL, 1, 0, NULL, 0, 1, 1, SVC_NONE, NULL },
	{ NULL, 0, 1, "enabled", 1, 1, 0, SVC_NONE, NULL },
	{ "stopped", 0, 1, "enabled", 1, 1, 0, SVC_STOP, NULL },
	{ "started", 1, 0, "disabled", 0, 1, 1, SVC_START, NULL },
	{ "started", 1, 0, "generated", 0, 1, 1, SVC_START, NULL },
	/* the status of a SysV script that has none */
	{ "started", -1, 1, NULL, -1, 0, -1, SVC_NONE, "its status is unknown" },
	{ "stopped", -1, 1, NULL, -1, 0, -1, SVC_NONE, "its status is unknown" },
	{ "restarted", -1, 1, NULL, -1, 1, -1, SVC_RESTART, NULL },
	{ NULL, 1, 0, NULL, -1, 1, 1, SVC_NONE, NULL },
	/* masked and static units */
	{ NULL, 1, 0, "masked", 0, 0, -1, SVC_NONE, "it is masked" },
	{ "started", -1, 0, "masked", 0, 0, -1, SVC_NONE, "it is masked" },
	{ "stopped", 0, 0, "masked", 0, 1, -1, SVC_NONE, NULL },
	{ NULL, 1, 0, "static", 0, 0, -1, SVC_NONE, "its unit is static" },
	{ NULL, 1, 0, "indirect", 0, 0, -1, SVC_NONE, "its unit is static" },
	{ NULL, 0, 0, "static", 1, 1, -1, SVC_NONE, NULL },
	{ "started", -1, 0, "static", 0, 1, -1, SVC_START, NULL },
};

static void test_plan(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(plan_rows); i++) {
		const struct plan_row *w = &plan_rows[i];
		struct svc_plan plan = { 7, SVC_NONE };
		const char *why = NULL;
		int ok = svc_plan_make(w->state, w->want_enabled, w->is_enabled, w->unit, w->active,
				       &plan, &why) == 0;
		if (ok != w->ok || (ok && (plan.enable != w->enable || plan.run != w->run)) ||
		    (!ok && (!why || strncmp(why, w->why, strlen(w->why))))) {
			print_error("row %zu: ok %d enable %d run %d why '%s'\n", i, ok, plan.enable,
				    (int)plan.run, why ? why : "");
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* ---- the scripts, against a scratch root ---- */

static char *root;

/* The script with /etc/ and /run/ under root, run by sh; its stdout and *status. */
static char *run_in_root(const char *script, int *status)
{
	struct strbuf sb = STRBUF_INIT, out = STRBUF_INIT;
	char buf[512];
	size_t n;

	for (const char *p = script; *p; p++) {
		if (!strncmp(p, "/etc/", 5) || !strncmp(p, "/run/", 5))
			strbuf_addstr(&sb, root);
		strbuf_addch(&sb, *p);
	}
	char *file = xasprintf("%s/script", root);
	assert_int_equal(write_file_atomic(file, sb.buf, sb.len, 0600), 0);
	/* no update-rc.d, chkconfig or systemctl: the rc links are made by hand */
	char *cmd = xasprintf("cd %s && PATH=/usr/bin:/bin sh %s 2>/dev/null", root, file);
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
	char *dir = xstrndup(path, (size_t)(strrchr(path, '/') - path));
	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
	free(dir);
	free(path);
}

static int links_of(const char *name, char kind)
{
	int n = 0;
	for (int lvl = 2; lvl <= 5; lvl++) {
		for (int num = 0; num < 100; num++) {
			char *path = xasprintf("%s/etc/rc%d.d/%c%02d%s", root, lvl, kind, num, name);
			struct stat st;
			n += lstat(path, &st) == 0;
			free(path);
		}
	}
	return n;
}

static void test_scripts(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/shelfready-svc-XXXXXX";
	int status;
	struct svc_probe pr;
	struct strbuf sb = STRBUF_INIT;

	root = mkdtemp(tmpl);
	assert_non_null(root);
	/* an init script whose status is a flag file */
	char *script = xasprintf("#!/bin/sh\nf=%s/running\n"
				 "case $1 in\n"
				 "start) : >\"$f\"; echo started ;;\n"
				 "stop) rm -f \"$f\"; echo stopped ;;\n"
				 "restart) : >\"$f\" ;;\n"
				 "status) [ -e \"$f\" ] && exit 0; exit 3 ;;\n"
				 "*) exit 3 ;;\n"
				 "esac\n",
				 root);
	put("etc/init.d/demo", script, 0755);
	free(script);
	put("etc/rc2.d/.keep", "", 0644);
	put("etc/rc3.d/.keep", "", 0644);
	put("etc/rc4.d/.keep", "", 0644);
	put("etc/rc5.d/.keep", "", 0644);

	/* probe: SysV, loaded, no links, not running */
	char *sh = svc_script("demo", NULL, -1, 0);
	char *out = run_in_root(sh, &status);
	assert_int_equal(status, 0);
	strbuf_addstr(&sb, out);
	parse_probe(&sb, &pr);
	assert_string_equal(pr.init, "sysv");
	assert_string_equal(pr.load, "loaded");
	assert_string_equal(pr.enabled, "0");
	assert_string_equal(pr.active, "0");
	assert_int_equal(probe_enabled(&pr), 0);
	assert_int_equal(probe_active(&pr), 0);
	svc_probe_release(&pr);
	free(sh);
	free(out);

	/* enable and start */
	struct svc_plan plan = { 1, SVC_START };
	sh = svc_script("demo", &plan, -1, 0);
	out = run_in_root(sh, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "started\n");
	assert_int_equal(links_of("demo", 'S'), 4);
	free(sh);
	free(out);
	sh = svc_script("demo", NULL, 1, 2);
	out = run_in_root(sh, &status);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, out);
	parse_probe(&sb, &pr);
	assert_string_equal(pr.enabled, "4");
	assert_int_equal(probe_enabled(&pr), 1);
	assert_int_equal(probe_active(&pr), 1);
	svc_probe_release(&pr);
	free(sh);
	free(out);

	/* disable and stop: S links become K links */
	plan = (struct svc_plan){ 0, SVC_STOP };
	sh = svc_script("demo", &plan, -1, 0);
	out = run_in_root(sh, &status);
	assert_int_equal(status, 0);
	assert_int_equal(links_of("demo", 'S'), 0);
	assert_int_equal(links_of("demo", 'K'), 4);
	free(sh);
	free(out);

	/* enabling again replaces the K links */
	plan = (struct svc_plan){ 1, SVC_NONE };
	sh = svc_script("demo", &plan, -1, 0);
	out = run_in_root(sh, &status);
	assert_int_equal(status, 0);
	assert_int_equal(links_of("demo", 'S'), 4);
	assert_int_equal(links_of("demo", 'K'), 0);
	free(sh);
	free(out);

	/* a service that does not exist */
	sh = svc_script("nosuch", NULL, -1, 0);
	out = run_in_root(sh, &status);
	strbuf_reset(&sb);
	strbuf_addstr(&sb, out);
	parse_probe(&sb, &pr);
	assert_string_equal(pr.load, "not-found");
	svc_probe_release(&pr);
	free(sh);
	free(out);
	plan = (struct svc_plan){ -1, SVC_START };
	sh = svc_script("nosuch", &plan, -1, 0);
	out = run_in_root(sh, &status);
	assert_int_equal(status, 3);
	free(sh);
	free(out);

	strbuf_release(&sb);
	char *cmd = xasprintf("rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_scripts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
