/*
 * Unit tests of the emit hooks of the system step types (os-update, package,
 * service, wait-ready, reboot): each body, wrapped as `f() { BODY }` after a
 * stub runtime (sr_say, sr_run, sr_ok, ... writing to a file), must pass
 * `sh -n` and `shellcheck -s sh` (when installed), and run under /bin/sh with
 * fake tools first in PATH to the decision the step's apply function would
 * take: ok, changed or failed, and SR_REBOOT_NEEDED when a reboot is due.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emit.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"

extern const struct step_type step_os_update, step_package, step_service, step_wait_ready,
	step_reboot;

static const char runtime[] =
	"sr_say() { printf 'say %s\\n' \"$*\" >>\"$OUT\"; }\n"
	"sr_run() { \"$@\"; }\n"
	"sr_ok() { printf 'ok %s\\n' \"$*\" >>\"$OUT\"; }\n"
	"sr_changed() { printf 'changed %s\\n' \"$*\" >>\"$OUT\"; }\n"
	"sr_skipped() { printf 'skipped %s\\n' \"$*\" >>\"$OUT\"; }\n"
	"sr_failed() { printf 'failed %s\\n' \"$*\" >>\"$OUT\"; }\n"
	"sr_secret() { eval \"printf '%s' \\\"\\${$1}\\\"\"; }\n"
	"sr_fact() { [ \"$1\" = pkg.manager ] && printf '%s' \"${FAKE_PKG_MANAGER-apt}\"; }\n"
	"SR_REBOOT_NEEDED=0\n";

static char *dir; /* the test's directory: fakes in bin/, logs in log/ */

static void put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(path, 0755);
	free(path);
}

static char *slurp(const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;
	FILE *fp = fopen(path, "r");
	if (fp) {
		while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
			strbuf_add(&sb, buf, n);
		fclose(fp);
	}
	free(path);
	return strbuf_detach(&sb);
}

/* The body of type's hook for `with` (validated as lint does). */
static char *body_of(const struct step_type *t, const char *with)
{
	struct params p = { NULL, 0 };
	struct diags d;
	struct strbuf sb = STRBUF_INIT;
	struct emit_ctx ctx = { NULL, NULL, 1, 1, NULL, EMIT_SH };
	char *err = NULL;

	diags_init(&d);
	if (test_step_params(t, "s", NULL, with, &p, &d) < 0) {
		char *text = test_diags_text(&d);
		fail_msg("%s with '%s': %s", t->name, with, text);
	}
	assert_non_null(t->emit);
	if (t->emit(&p, &ctx, &sb, &err) < 0)
		fail_msg("%s: emit refused: %s", t->name, err);
	params_release(&p);
	diags_release(&d);
	return strbuf_detach(&sb);
}

/* Write the wrapped body as script.sh; check sh -n and shellcheck. */
static void wrap(const char *body)
{
	struct strbuf sb = STRBUF_INIT;
	char *cmd;

	strbuf_addstr(&sb, "#!/bin/sh\n");
	strbuf_addstr(&sb, runtime);
	strbuf_addf(&sb, "f() {\n%s}\nf\necho \"reboot=$SR_REBOOT_NEEDED${SR_REBOOT_WHY:+ ($SR_REBOOT_WHY)}\" >>\"$OUT\"\n", body);
	put("script.sh", sb.buf);
	strbuf_release(&sb);
	cmd = xasprintf("sh -n %s/script.sh", dir);
	if (system(cmd) != 0)
		fail_msg("sh -n refuses the body:\n%s", body);
	free(cmd);
	if (system("command -v shellcheck >/dev/null 2>&1") == 0) {
		cmd = xasprintf("shellcheck -s sh -S warning %s/script.sh >&2", dir);
		if (system(cmd) != 0)
			fail_msg("shellcheck complains about the body");
		free(cmd);
	}
}

/* The hook's body of type t for `with`, written as script.sh (see wrap). */
static void use_step(const struct step_type *t, const char *with)
{
	char *body = body_of(t, with);
	wrap(body);
	free(body);
}

/* Run script.sh with the fakes first in PATH and env; what the runtime recorded. */
static char *run(const char *env)
{
	char *cmd, *out;

	cmd = xasprintf("cd %s && rm -f out && OUT=%s/out SR_LOG_DIR=%s/log PATH=%s/bin:/usr/bin:/bin "
			"%s sh script.sh >run.log 2>&1",
			dir, dir, dir, dir, env ? env : "");
	if (system(cmd) != 0)
		fail_msg("the script failed: %s", cmd);
	free(cmd);
	cmd = xasprintf("%s/unfaked", dir);
	if (access(cmd, F_OK) == 0) {
		char *called = slurp("unfaked");
		fail_msg("the script ran a system tool the test does not fake: %s", called);
	}
	free(cmd);
	out = slurp("out");
	return out;
}

static void expect(const char *out, const char *want)
{
	if (!strstr(out, want)) {
		char *log = slurp("run.log");
		fail_msg("want '%s' in:\n%s\n---- output ----\n%s", want, out, log);
	}
}

/* run() with env, and want in what it recorded */
static void run_expect(const char *env, const char *want)
{
	char *out = run(env);
	expect(out, want);
	free(out);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/test-emit-sys-XXXXXX";
	(void)state;
	dir = xstrdup(mkdtemp(tmpl));
	char *cmd = xasprintf("mkdir -p %s/bin %s/log", dir, dir);
	int rc = system(cmd);
	free(cmd);
	/*
	 * The scripts run as root on this machine: every tool that changes a
	 * system is a guard that refuses and tells, unless a test fakes it.
	 */
	static const char *const guarded[] = {
		"apt-get", "apt", "apt-cache", "apt-mark", "dpkg", "dpkg-query", "rpm", "yum", "dnf",
		"zypper", "apk", "needs-restarting", "systemctl", "service", "update-rc.d",
		"chkconfig", "invoke-rc.d", "reboot", "shutdown", "poweroff", "halt", "init",
		"cloud-init", "chage", "passwd", "usermod",
	};
	for (size_t i = 0; i < sizeof(guarded) / sizeof(guarded[0]); i++) {
		char *name = xasprintf("bin/%s", guarded[i]);
		char *text = xasprintf("#!/bin/sh\necho \"%s $*\" >>\"%s/unfaked\"\nexit 99\n",
				       guarded[i], dir);
		put(name, text);
		free(text);
		free(name);
	}
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf %s", dir);
	int rc = system(cmd);
	free(cmd);
	free(dir);
	return rc ? -1 : 0;
}

/* ---- reboot ---- */

static void test_reboot(void **state)
{
	(void)state;
	char *out;
	use_step(&step_reboot, NULL);
	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");
	out = run(NULL);
	expect(out, "ok no reboot needed");
	expect(out, "reboot=0");
	free(out);
	put("bin/needs-restarting", "#!/bin/sh\nexit 1\n");
	out = run(NULL);
	expect(out, "changed reboot needed (needs-restarting -r says so)");
	expect(out, "reboot=1");
	free(out);

	use_step(&step_reboot, "always: true");
	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");
	out = run(NULL);
	expect(out, "changed reboot needed (always)");
	expect(out, "reboot=1");
	free(out);
	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");
}

/* ---- wait-ready ---- */

/* cloud-init that runs for the first N calls (N in the file n), then is done */
static const char fake_cloud_init[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"n=$(cat \"$d/n\" 2>/dev/null || echo 0)\n"
	"echo $((n - 1)) >\"$d/n\"\n"
	"if [ \"$n\" -gt 0 ]; then echo 'status: running'; else echo 'status: done'; fi\n";

static void test_wait_ready(void **state)
{
	(void)state;
	char *out;

	put("bin/cloud-init", fake_cloud_init);

	use_step(&step_wait_ready, "poll_interval: 1s");
	put("n", "0\n");
	run_expect(NULL, "ok nothing to wait for: cloud-init has finished, no package manager lock is held");
	put("n", "2\n");
	out = run(NULL);
	expect(out, "say waiting for cloud-init (status: running)");
	expect(out, "ok waited ");
	expect(out, " s for cloud-init\n");
	free(out);
	/* from cloud-init's runcmd: never wait for cloud-init itself */
	put("n", "100\n");
	out = run("SR_UNDER_CLOUD_INIT=1");
	expect(out, "say running from cloud-init: not waiting for it to finish");
	expect(out, "ok nothing to wait for: running from cloud-init");
	free(out);

	use_step(&step_wait_ready, "timeout: 1s\npoll_interval: 1s");
	put("n", "100\n");
	out = run(NULL);
	expect(out, "failed still busy after ");
	expect(out, "cloud-init (status: running)");
	free(out);

	use_step(&step_wait_ready, "cloud_init: false");
	run_expect(NULL, "ok nothing to wait for: cloud-init not asked for");
}

/* ---- service ---- */

static void test_service(void **state)
{
	(void)state;
	static const char *const withs[] = {
		"name: no-such-svc-x\nstate: started",
		"name: no-such-svc-x.service\nstate: stopped\nenabled: false",
		"name: no-such-svc-x\nstate: restarted\nenabled: true",
		"name: no-such-svc-x\nstate: reloaded",
		"name: no-such-svc-x\nenabled: true",
	};
	for (size_t i = 0; i < ARRAY_SIZE(withs); i++) {
		char *out;
		use_step(&step_service, withs[i]);
		out = run(NULL);
		expect(out, "failed no service 'no-such-svc-x' here");
		free(out);
	}
}

/* ---- os-update, against a fake apt ---- */

/*
 * apt-get -s prints the Inst lines of the file inst; install and upgrade
 * move what they name into the dpkg status file (pkgs, "name<TAB>version");
 * every call is recorded in calls.
 */
static const char fake_apt_get[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"echo \"apt-get $*\" >>\"$d/calls\"\n"
	"case \" $* \" in\n"
	"*' -s '*) cat \"$d/inst\"; exit 0 ;;\n"
	"*' update '*) echo 'Reading package lists...'; exit 0 ;;\n"
	"*' install '*)\n"
	"    for a; do case $a in -*|install) ;; *) n=${a%%:*}\n"
	"        awk -F '\\t' -v n=\"$n\" '$1 == n { $2 = $2 \"+1\" } { print $1 \"\\t\" $2 }' \"$d/pkgs\" >\"$d/pkgs.new\"\n"
	"        mv \"$d/pkgs.new\" \"$d/pkgs\" ;; esac; done\n"
	"    exit 0 ;;\n"
	"esac\n"
	"exit 0\n";

static const char fake_dpkg_query[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"awk -F '\\t' '{ print $1 \"\\t\" $2 \"\\tii \" }' \"$d/pkgs\"\n";

static void test_os_update(void **state)
{
	(void)state;
	char *out, *calls;

	put("bin/apt-get", fake_apt_get);
	put("bin/dpkg-query", fake_dpkg_query);
	put("bin/apt-mark", "#!/bin/sh\nexit 0\n");
	put("bin/dpkg", "#!/bin/sh\nexit 0\n");
	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");
	put("pkgs", "openssl\t3.0.1\nbash\t5.2\n");

	use_step(&step_os_update, NULL);
	/* only a non-security update pending */
	put("inst", "Inst bash [5.2] (5.3 Debian:12.5/stable [amd64])\n");
	put("calls", "");
	run_expect(NULL, "ok no pending security updates\n");
	calls = slurp("calls");
	if (strstr(calls, "install"))
		fail_msg("installed with nothing pending:\n%s", calls);
	free(calls);

	/* a security update: upgraded, by name and architecture */
	put("inst", "Inst bash [5.2] (5.3 Debian:12.5/stable [amd64])\n"
		    "Inst openssl [3.0.1] (3.0.2 Debian-Security:12/stable-security [amd64])\n"
		    "Inst newdep (1.0 Debian:12.5/stable [amd64])\n");
	out = run(NULL);
	expect(out, "changed upgraded 1 package: openssl\n");
	expect(out, "reboot=0");
	free(out);
	calls = slurp("calls");
	expect(calls, "install --only-upgrade --no-remove openssl:amd64\n");
	free(calls);

	/* then a reboot is needed: the framework is told */
	put("pkgs", "openssl\t3.0.1\nbash\t5.2\n");
	put("bin/needs-restarting", "#!/bin/sh\nexit 1\n");
	out = run(NULL);
	expect(out, "changed upgraded 1 package: openssl; reboot needed (needs-restarting -r says so)");
	expect(out, "reboot=1");
	free(out);
	/* nothing pending, but the reboot an earlier upgrade asked for is still due */
	put("inst", "");
	run_expect(NULL, "changed no pending security updates; reboot needed");
	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");

	/* excluded: nothing to do */
	use_step(&step_os_update, "exclude: ['openss*']");
	put("inst", "Inst openssl [3.0.1] (3.0.2 Debian-Security:12/stable-security [amd64])\n");
	run_expect(NULL, "ok no pending security updates (1 excluded)\n");

	/* two exclusions: each its own word, neither run as a command */
	use_step(&step_os_update, "exclude: ['openss*', 'libssl3']");
	run_expect(NULL, "ok no pending security updates (1 excluded)\n");

	/* reboot: never, scope all */
	use_step(&step_os_update, "scope: all\nreboot: never\nlock_timeout: 30s");
	put("bin/needs-restarting", "#!/bin/sh\nexit 1\n");
	put("inst", "Inst bash [5.2] (5.3 Debian:12.5/stable [amd64])\n");
	put("calls", "");
	run_expect(NULL, "reboot=0");
	calls = slurp("calls");
	expect(calls, "-o DPkg::Lock::Timeout=30 -o Dpkg::Options::=--force-confdef -o "
		      "Dpkg::Options::=--force-confold -o APT::Get::Upgrade-Allow-New=true upgrade");
	free(calls);

	put("bin/needs-restarting", "#!/bin/sh\nexit 0\n");
}

/* ---- package, against a fake apt ---- */

/*
 * The dpkg database is the file db ("name<TAB>version"): dpkg-query -W
 * prints a package's status and version from it; apt-get install adds a
 * package at 1.0 or bumps an installed one (unless NOUP), remove deletes it;
 * every call is recorded in calls; FAIL makes apt-get fail as it does for
 * an unknown package, NOINST makes it do nothing.
 */
static const char fake_pkg_apt_get[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"echo \"apt-get $*\" >>\"$d/calls\"\n"
	"[ -z \"${FAIL-}\" ] || { echo 'E: Unable to locate package x' >&2; exit 100; }\n"
	"[ -z \"${NOINST-}\" ] || exit 0\n"
	"op=\n"
	"for a; do\n"
	"    case $a in\n"
	"    install | remove) op=$a ;;\n"
	"    -* | *=*) ;;\n"
	"    *)\n"
	"        [ -n \"$op\" ] || continue\n"
	"        awk -F '\\t' -v n=\"$a\" -v op=\"$op\" -v noup=\"${NOUP-}\" '\n"
	"            $1 == n { seen = 1; if (op == \"remove\") next; if (noup == \"\") $2 = $2 \"+1\" }\n"
	"            { print $1 \"\\t\" $2 }\n"
	"            END { if (!seen && op == \"install\") print n \"\\t1.0\" }' \"$d/db\" >\"$d/db.new\"\n"
	"        mv \"$d/db.new\" \"$d/db\"\n"
	"        echo \"Setting up $a ...\"\n"
	"        ;;\n"
	"    esac\n"
	"done\n";

static const char fake_pkg_dpkg_query[] =
	"#!/bin/sh\n"
	"d=${0%/bin/*}\n"
	"for n; do :; done\n"
	"awk -F '\\t' -v n=\"$n\" '$1 == n { print \"ii \\t\" $2; f = 1 } END { exit !f }' \"$d/db\"\n";

static void test_package(void **state)
{
	(void)state;
	char *calls;

	put("bin/apt-get", fake_pkg_apt_get);
	put("bin/dpkg-query", fake_pkg_dpkg_query);
	put("db", "libc6\t2.36\n");

	/* present: installed once, then ok; a name given twice is handled once */
	use_step(&step_package, "names: [bc, less, bc]");
	put("calls", "");
	run_expect(NULL, "changed installed bc, less (apt-get)\n");
	calls = slurp("calls");
	expect(calls, " install bc less\n");
	free(calls);
	put("calls", "");
	run_expect(NULL, "ok bc, less are installed\n");
	calls = slurp("calls");
	if (*calls)
		fail_msg("apt-get ran with nothing to do: %s", calls);
	free(calls);

	/* the package manager fails: its complaint, and the exit status */
	put("db", "libc6\t2.36\n");
	run_expect("FAIL=1", "failed apt-get failed (exit 100): E: Unable to locate package x\n");
	/* it succeeds without installing: the query after it tells */
	run_expect("NOINST=1", "failed 'bc' is not installed after apt-get ran\n");
	/* no package manager the step knows */
	run_expect("FAKE_PKG_MANAGER=", "failed no supported package manager here (apt-get, dnf, yum, zypper, apk)\n");

	/* latest: a missing one installed, an installed one upgraded when an update exists */
	use_step(&step_package, "names: [bc, libc6]\nstate: latest");
	put("db", "libc6\t2.36\n");
	run_expect(NULL, "changed installed bc; upgraded libc6 to 2.36+1 (apt-get)\n");
	run_expect("NOUP=1", "ok no update was available for bc, libc6\n");

	/* one name */
	use_step(&step_package, "names: [nano]");
	run_expect(NULL, "changed installed nano (apt-get)\n");

	/* absent */
	use_step(&step_package, "names: [bc, nano]\nstate: absent");
	put("db", "libc6\t2.36\nbc\t1.0\n");
	run_expect(NULL, "changed removed bc (apt-get)\n");
	run_expect(NULL, "ok bc, nano are not installed\n");
	put("db", "bc\t1.0\n");
	run_expect("NOINST=1", "failed 'bc' is still installed after apt-get ran\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reboot),
		cmocka_unit_test(test_wait_ready),
		cmocka_unit_test(test_service),
		cmocka_unit_test(test_os_update),
		cmocka_unit_test(test_package),
	};
	return cmocka_run_group_tests_name("step_emit_sys", tests, setup, teardown);
}
