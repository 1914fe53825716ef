/*
 * Unit tests of the package step type (steps/package.c): the names it
 * accepts (hostile ones refused with file:line:col), what counts as
 * installed, the package managers' command lines (run by a real /bin/sh
 * against fake apt-get, dnf, yum, zypper and apk that record their
 * arguments), the detached run and its log follower, the state query, and
 * the error text taken from a package manager's output.
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

#include "../../steps/package.c"

#include "vars.h"
#include "ytree.h"

#define NOT_A_NAME "is not a package name (letters, digits, + . _ -; no versions, architectures or wildcards)"

static const struct {
	const char *with;
	const char *error;
} prows[] = {
	{ "{names: [bc, less, libstdc++6, python3.11, g++-12, _x]}", NULL },
	{ "{names: [nginx], state: latest, update_cache: true, lock_timeout: 2m, timeout: 1h}", NULL },
	{ "{names: [telnet], state: absent}", NULL },
	{ "{names: bc}", "w.yaml:1:9: error: parameter 'names' of step 'pkg' (package) expects a "
			 "list of strings, found a string" },
	{ "{names: []}", "w.yaml:1:9: error: 'names' of step 'pkg' (package) must name at least one package" },
	{ "{names: [bc, '$(touch /tmp/pwned)']}",
	  "w.yaml:1:14: error: '$(touch /tmp/pwned)' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['`id`']}", "w.yaml:1:10: error: '`id`' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['a b']}", "w.yaml:1:10: error: 'a b' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: [\"x\\ny\"]}", "w.yaml:1:10: error: 'x\\x0ay' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['-o']}", "w.yaml:1:10: error: '-o' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['+x']}", "w.yaml:1:10: error: '+x' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: [bc=1.07]}", "w.yaml:1:10: error: 'bc=1.07' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['libc6:i386']}",
	  "w.yaml:1:10: error: 'libc6:i386' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: ['vim*']}", "w.yaml:1:10: error: 'vim*' in 'names' of step 'pkg' (package) " NOT_A_NAME },
	{ "{names: [bc], state: installed}",
	  "w.yaml:1:22: error: parameter 'state' of step 'pkg' (package) must be one of present, "
	  "absent, latest, found 'installed'" },
};

static void test_params(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(prows); i++)
		failed += !test_step_param_row(&step_package, "pkg", prows[i].with,
						 prows[i].error);
	assert_int_equal(failed, 0);
}

static void test_installed(void **state)
{
	(void)state;
	static const struct {
		const char *status;
		int installed;
	} rows[] = {
		{ "ii ", 1 }, { "ii", 1 }, { "hi ", 1 }, { "iW ", 1 }, { "it ", 1 }, { "rc ", 0 },
		{ "un ", 0 }, { "iU ", 0 }, { "iF ", 0 }, { "pn ", 0 }, { "i", 0 },   { "", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct facts_package p = { (char *)"x", (char *)"1", NULL, (char *)rows[i].status };
		if (pkg_installed(&p) != rows[i].installed)
			fail_msg("status '%s'", rows[i].status);
	}
	struct facts_package apk = { (char *)"x", (char *)"1", NULL, NULL };
	assert_int_equal(pkg_installed(&apk), 1);
	assert_int_equal(pkg_installed(NULL), 0);
}

/* ---- the commands, run against fake package managers ---- */

static char *dir;

static void put(const char *name, const char *text, unsigned mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	assert_int_equal(write_file_atomic(path, text, strlen(text), mode), 0);
	free(path);
}

/* Run script with the fakes first in PATH and D=dir; stdout and stderr, *status. */
static char *run_fake(const char *script, int *status)
{
	struct strbuf out = STRBUF_INIT;
	char buf[512];
	size_t n;

	put("script", script, 0600);
	char *cmd = xasprintf("cd %s && D=%s PATH=%s:/usr/bin:/bin sh script 2>&1", dir, dir, dir);
	FILE *p = popen(cmd, "r");
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	*status = WEXITSTATUS(pclose(p));
	free(cmd);
	return strbuf_detach(&out);
}

static const char fake[] =
	"#!/bin/sh\n"
	"{ printf '%s' \"${0##*/}\"; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; echo; } >>\"$D/calls\"\n"
	"[ -z \"$FAIL\" ] || { echo \"E: Unable to locate package x\" >&2; exit 100; }\n";

static const char *const inst[] = { "bc", "g++-12" };
static const char *const upg[] = { "libssl3" };
static const char *const rem[] = { "telnet" };

struct crow {
	const char *manager;
	int update_cache;
	size_t ni, nu, nr;
	const char *calls; /* what the fakes recorded */
};

static const struct crow crows[] = {
	{ "apt", 1, 2, 1, 1,
	  "apt-get [-q] [-o] [DPkg::Lock::Timeout=60] [-o] [Dpkg::Use-Pty=0] [update]\n"
	  "apt-get [-q] [-o] [DPkg::Lock::Timeout=60] [-o] [Dpkg::Use-Pty=0] [-y] [-o] "
	  "[Dpkg::Options::=--force-confdef] [-o] [Dpkg::Options::=--force-confold] [install] [bc] "
	  "[g++-12] [libssl3]\n"
	  "apt-get [-q] [-o] [DPkg::Lock::Timeout=60] [-o] [Dpkg::Use-Pty=0] [-y] [remove] [telnet]\n" },
	{ "apt", 0, 0, 0, 1,
	  "apt-get [-q] [-o] [DPkg::Lock::Timeout=60] [-o] [Dpkg::Use-Pty=0] [-y] [remove] [telnet]\n" },
	{ "dnf", 1, 2, 1, 1,
	  "dnf [-y] [makecache]\ndnf [-y] [install] [bc] [g++-12]\ndnf [-y] [upgrade] [libssl3]\n"
	  "dnf [-y] [remove] [telnet]\n" },
	{ "yum", 0, 0, 1, 0, "yum [-y] [update] [libssl3]\n" },
	{ "zypper", 1, 2, 1, 1,
	  "zypper [--non-interactive] [refresh]\n"
	  "zypper [--non-interactive] [install] [--auto-agree-with-licenses] [bc] [g++-12]\n"
	  "zypper [--non-interactive] [update] [--auto-agree-with-licenses] [libssl3]\n"
	  "zypper [--non-interactive] [remove] [telnet]\n" },
	{ "apk", 1, 2, 1, 1,
	  "apk [--wait] [60] [update]\napk [--wait] [60] [add] [--upgrade] [bc] [g++-12] [libssl3]\n"
	  "apk [--wait] [60] [del] [telnet]\n" },
	{ "apk", 0, 1, 0, 0, "apk [--wait] [60] [add] [bc]\n" },
};

static char tmpl[] = "/tmp/shelfready-pkg-XXXXXX";

static int setup(void **state)
{
	(void)state;
	dir = mkdtemp(tmpl);
	if (!dir)
		return -1;
	put("apt-get", fake, 0755);
	put("dnf", fake, 0755);
	put("yum", fake, 0755);
	put("zypper", fake, 0755);
	put("apk", fake, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return test_rm_rf(dir);
}

static void test_commands(void **state)
{
	(void)state;
	int failed = 0, status;

	/* each row twice: the lists written in, and (for emit) given at run time in I, U, R */
	for (size_t k = 0; k < 2 * ARRAY_SIZE(crows); k++) {
		size_t i = k / 2;
		const struct crow *w = &crows[i];
		struct pkg_lists l = { inst, upg, rem, w->ni, w->nu, w->nr, 0 };
		struct pkg_lists rl = { NULL, NULL, NULL, 0, 0, 0, 1 };
		char *sh = pkg_commands(w->manager, w->update_cache, 60, k % 2 ? &rl : &l);
		if (k % 2) {
			/* names joined by blanks, as the emitted script passes them */
			char *with = xasprintf("I='%s'\nU='%s'\nR='%s'\n%s",
					       w->ni == 2 ? "bc g++-12" : w->ni ? "bc" : "",
					       w->nu ? "libssl3" : "", w->nr ? "telnet" : "", sh);
			free(sh);
			sh = with;
		}
		put("calls", "", 0600);
		char *out = run_fake(sh, &status);
		char *calls = NULL;
		size_t len;
		char *path = xasprintf("%s/calls", dir);
		assert_int_equal(read_file(path, 65536, &calls, &len), 0);
		if (status || strcmp(calls, w->calls)) {
			print_error("row %zu (%s, %s): exit %d\n  calls: %s\n  want:  %s\n  output: %s\n",
				    i, w->manager, k % 2 ? "lists at run time" : "lists written in",
				    status, calls, w->calls, out);
			failed++;
		}
		free(path);
		free(calls);
		free(out);
		free(sh);
	}
	struct pkg_lists one = { inst, NULL, NULL, 1, 0, 0, 0 };
	assert_null(pkg_commands("pacman", 0, 60, &one));

	/* a failure stops the script with the package manager's status */
	struct pkg_lists inst_rem = { inst, NULL, rem, 1, 0, 1, 0 };
	char *sh = pkg_commands("apt", 0, 60, &inst_rem);
	char *with_fail = xasprintf("FAIL=1\nexport FAIL\n%s", sh);
	put("calls", "", 0600);
	char *out = run_fake(with_fail, &status);
	assert_int_equal(status, 100);
	assert_non_null(strstr(out, "E: Unable to locate package x"));
	char *calls = NULL;
	size_t len;
	char *path = xasprintf("%s/calls", dir);
	assert_int_equal(read_file(path, 65536, &calls, &len), 0);
	assert_null(strstr(calls, "remove")); /* not reached */
	free(calls);
	free(path);
	free(out);
	free(with_fail);
	free(sh);
	assert_int_equal(failed, 0);
}

static void test_query(void **state)
{
	(void)state;
	int status;
	/* dpkg-query: bc installed, telnet removed with its configuration, nosuch unknown */
	put("dpkg-query",
	    "#!/bin/sh\n"
	    "eval \"p=\\${$#}\"\n"
	    "case $p in\n"
	    "bc) printf 'ii \\t1.07.1-3+b1\\n' ;;\n"
	    "telnet) printf 'rc \\t0.17\\n' ;;\n"
	    "*) echo \"dpkg-query: no packages found matching $p\" >&2; exit 1 ;;\n"
	    "esac\n",
	    0755);
	const char *const names[] = { "bc", "telnet", "nosuch" };
	char *sh = pkg_query_script("apt", names, 3);
	char *out = run_fake(sh, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "pkg bc\tii \t1.07.1-3+b1\npkg telnet\trc \t0.17\npkg nosuch\t\n");
	free(sh);
	free(out);
	put("rpm",
	    "#!/bin/sh\n"
	    "eval \"p=\\${$#}\"\n"
	    "[ \"$p\" = bc ] && { echo 1.07.1-10.el9; exit 0; }\n"
	    "echo \"package $p is not installed\"; exit 1\n",
	    0755);
	sh = pkg_query_script("dnf", names, 2);
	out = run_fake(sh, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "pkg bc\tii \t1.07.1-10.el9\npkg telnet\t\n");
	free(sh);
	free(out);
}

static void test_detached(void **state)
{
	(void)state;
	int status;
	char *d = xasprintf("%s/run-1", dir);
	/* output on both streams, a line without a newline at the end, a status */
	char *sh = detached(d, "echo one\necho two >&2\nsleep 1\nprintf 'three'\nexit 7\n");
	char *out = run_fake(sh, &status);
	assert_int_equal(status, 7);
	assert_string_equal(out, "one\ntwo\nthree");
	free(sh);
	free(out);
	/* attaching again (as after a dropped connection) gives the status, not the old output */
	sh = detached(d, NULL);
	out = run_fake(sh, &status);
	assert_int_equal(status, 7);
	assert_string_equal(out, "");
	free(sh);
	free(out);
	/* once the directory is gone, a follower stops */
	char *cmd = xasprintf("rm -rf '%s'", d);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	sh = detached(d, NULL);
	out = run_fake(sh, &status);
	assert_int_equal(status, 125);
	free(sh);
	free(out);
	/* a run that died without writing its status does not keep a follower waiting */
	char *pid = xasprintf("%s/pid", d);
	char *log = xasprintf("%s/log", d);
	assert_int_equal(mkdir_p(d, 0700), 0);
	assert_int_equal(write_file_atomic(pid, "999999999\n", 10, 0600), 0);
	assert_int_equal(write_file_atomic(log, "half\n", 5, 0600), 0);
	sh = detached(d, NULL);
	out = run_fake(sh, &status);
	assert_int_equal(status, 125);
	assert_non_null(strstr(out, "ended without an exit status"));
	free(sh);
	free(out);
	free(pid);
	free(log);
	free(d);
}

static void test_error_text(void **state)
{
	(void)state;
	static const struct {
		const char *out;
		const char *text;
	} rows[] = {
		{ "Reading package lists...\nBuilding dependency tree...\n"
		  "E: Unable to locate package nosuch\n",
		  "E: Unable to locate package nosuch" },
		{ "Last metadata expiration check: 0:01:02 ago.\nNo match for argument: nosuch\n"
		  "Error: Unable to find a match: nosuch\n",
		  "No match for argument: nosuch; Error: Unable to find a match: nosuch" },
		{ "Loading repository data...\nPackage 'nosuch' not found.\n", "Package 'nosuch' not found." },
		{ "ERROR: unable to select packages:\n  nosuch (no such package):\n",
		  "ERROR: unable to select packages:" },
		{ "something\nwent wrong   \r\n\n", "went wrong" },
		{ "", "no message" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *t = pkg_error_text(rows[i].out, strlen(rows[i].out));
		if (strcmp(t, rows[i].text))
			fail_msg("row %zu: '%s'", i, t);
		free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_installed),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_detached),
		cmocka_unit_test(test_error_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
