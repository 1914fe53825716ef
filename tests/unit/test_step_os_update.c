/*
 * Unit tests of steps/os-update.c: what it would install and the job script
 * it builds, from the facts of recorded transcripts of every package manager
 * (apt on Debian and Ubuntu, dnf on Rocky and Alibaba Cloud Linux, yum on
 * CentOS, zypper on openSUSE) and the step's parameters. Each row names
 * text the script must hold and text it must not; every script must also
 * pass `sh -n`. Then the schema: defaults, and exclusions that are not
 * package names or patterns refused at load time.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"
#include "schema.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

extern const struct step_type step_os_update;

/* Exported by steps/os-update.c for these tests. */
char *os_update_pending(const struct facts *f, const struct params *p, long long *n, char **err);
char *os_update_job(const struct facts *f, const struct params *p, const char *job, char **err);

#define MAX_TEXT 12
#define JOB "os-update-t3stj0b1"

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* the step's `with:` mapping, or NULL */
	long long pending;      /* what os_update_pending counts; -2: it refuses */
	const char *first;      /* how its description starts */
	const char *want[MAX_TEXT]; /* in the job script (or, when refused, in the error) */
	const char *not[MAX_TEXT];  /* never in the job script */
};

#define APT_OPTS                                                                          \
	"-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o "          \
	"Dpkg::Options::=--force-confold"
#define DNF "run dnf -y --setopt=exit_on_lock=True upgrade"
#define YUM "run yum -y --setopt=exit_on_lock=1 update"
#define ZYPPER "run zypper --non-interactive "
#define EVERY "installing every pending update, since each may be a security fix"

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"

static const struct row rows[] = {
	/* ---- apt ---- */
	{ "debian-12: the 17 security updates, by name, only upgraded", "debian-12", NULL, NULL, 17,
	  "apt 2.6.1 -> 2.6.2, ca-certificates 20230311+deb12u1 -> 20250419~deb12u2",
	  { "B=/var/log/shelfready/'" JOB "'\n", "export DEBIAN_FRONTEND=noninteractive",
	    "run apt-get -q -o DPkg::Lock::Timeout=600 update ||",
	    "run apt-get " APT_OPTS " install --only-upgrade --no-remove \\\n    'apt:amd64'",
	    "\\\n    'ca-certificates' \\\n", "\\\n    'openssl:amd64' \\\n",
	    "\\\n    'tzdata' || finish $?\n", "LOCKED='Could not get lock|", "STEP=done\nfinish 0\n",
	    "run dpkg --configure -a || finish $?", "apt-mark showauto 2>/dev/null | sort >\"$B.auto\"" },
	  { "Upgrade-Allow-New", "STEP=hold", "--security", "zypper", "dnf" } },
	{ "debian-12: scope all, lock timeout 90 s", "debian-12", NULL,
	  "scope: all\nlock_timeout: 90s", 17, "apt 2.6.1 -> 2.6.2",
	  { "LOCK_TIMEOUT=90\n", "run apt-get -q -o DPkg::Lock::Timeout=90 update ||",
	    "-o DPkg::Lock::Timeout=90 -o Dpkg::Options::=--force-confdef -o "
	    "Dpkg::Options::=--force-confold -o APT::Get::Upgrade-Allow-New=true upgrade || finish $?\n" },
	  { "--only-upgrade", "'openssl:amd64'", "Timeout=600" } },
	{ "debian-12: openssl and libpam* excluded: left out and held", "debian-12", NULL,
	  "exclude: [openssl, 'libpam*']", 12, "apt 2.6.1 -> 2.6.2",
	  { "STEP=hold\nhold 'openssl' 'libpam*'\n", "apt-mark hold \"$_n\"",
	    "apt-mark unhold $HELD", "'libssl3:amd64'" },
	  { "'openssl:amd64'", "'libpam0g:amd64'", "'libpam-runtime'" } },
	{ "debian-12: every pending update excluded: nothing pending", "debian-12", NULL,
	  "exclude: ['*']", 0, "", { "install --only-upgrade --no-remove || finish $?" }, { "'apt:" } },
	{ "ubuntu-22.04: 9 of 11 are security updates", "ubuntu-22.04", NULL, NULL, 9,
	  "libssl3 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16",
	  { "'libssl3:amd64'", "'linux-image-generic:amd64'", "'tzdata'" },
	  { "'cloud-init'", "'snapd" } },
	{ "ubuntu-22.04: scope all counts all 11", "ubuntu-22.04", NULL, "scope: all", 11,
	  "cloud-init ", { "APT::Get::Upgrade-Allow-New=true upgrade" }, { "--only-upgrade" } },
	{ "debian-8: apt of 2015 gets the same commands", "debian-8", NULL, NULL, 14, "curl ",
	  { "install --only-upgrade --no-remove", "'libssl1.0.0:amd64'" }, { "--with-new-pkgs" } },

	/* ---- dnf, yum ---- */
	{ "rocky-9: dnf upgrade --security", "rocky-9", NULL, NULL, 10, "kernel ",
	  { DNF " --security || finish $?\n", "rpm -qa --qf", "LOCKED='already locked by|",
	    "release() { :; }" },
	  { "apt-get", "--exclude", "zypper", EVERY } },
	{ "rocky-9: scope all without kernel*", "rocky-9", NULL, "scope: all\nexclude: ['kernel*']",
	  11, "NetworkManager ", { DNF " --exclude='kernel*' || finish $?\n" }, { "--security" } },
	{ "rocky-9: security with two exclusions", "rocky-9", NULL,
	  "exclude: [kernel-core, 'openssh-*']", 7, "kernel ",
	  { DNF " --security --exclude='kernel-core' --exclude='openssh-*' || finish $?\n" }, { NULL } },
	{ "alinux-3: Alibaba Cloud Linux publishes advisories: dnf --security", "alinux-3", NULL, NULL,
	  10, "curl ", { DNF " --security || finish $?\n" }, { EVERY } },
	{ "centos-7: no advisories, so every update may be a security fix", "centos-7", NULL, NULL,
	  21, "bind-export-libs ", { YUM " || finish $?\n", EVERY, "LOCKED='Existing lock |" },
	  { "--security", "dnf" } },
	{ "centos-6: the security list failed: every update", "centos-6", NULL, NULL, 9, "curl ",
	  { YUM " || finish $?\n", EVERY }, { "--security" } },

	/* ---- zypper ---- */
	{ "opensuse-leap-15: security patches, again after zypper updated itself", "opensuse-leap-15",
	  NULL, NULL, 9, "curl ",
	  { ZYPPER "refresh ||", ZYPPER "patch --category security --auto-agree-with-licenses\n",
	    "    102) REBOOT=1; break ;;\n", "    103)\n", "LOCKED='System management is locked'" },
	  { "zlock '", "update --auto", "apt-get" } },
	{ "opensuse-leap-15: update everything but the kernel, locked meanwhile", "opensuse-leap-15",
	  NULL, "scope: all\nexclude: [kernel-default]", 11, "curl ",
	  { "STEP=lock\nzlock 'kernel-default'\n", ZYPPER "update --auto-agree-with-licenses\n",
	    "zypper --non-interactive removelock \"$_p\"" },
	  { "--category security" } },

	/* ---- refused ---- */
	{ "no package manager in the facts", NULL,
	  HDR SEC("os-release", "ID=debian\n") DONE, NULL, -2, NULL,
	  { "the package manager is not known" }, { NULL } },
	{ "apk is not one os-update knows", NULL,
	  HDR SEC("os-release", "ID=alpine\n") SEC("pkg-tools", "apk\t/sbin/apk\n") DONE, NULL, -2,
	  NULL, { "cannot update with 'apk': os-update knows apt, dnf, yum and zypper" }, { NULL } },
	{ "updates not collected: the count is not known", NULL,
	  HDR SEC("os-release", "ID=rocky\n") SEC("pkg-tools", "rpm\t/usr/bin/rpm\ndnf\t/usr/bin/dnf\n")
		  DONE,
	  NULL, -1, "", { DNF " || finish $?\n", EVERY }, { NULL } },
};

/* The step's parameters from YAML, as lint validates them. */
static int step_params(const char *with, struct params *out, struct diags *d)
{
	return test_step_params(&step_os_update, "u", NULL, with, out, d);
}

/* Does sh -n accept script? */
static int sh_syntax_ok(const char *script)
{
	char path[] = "/tmp/test-os-update-XXXXXX";
	int fd = mkstemp(path), ok;
	FILE *fp;
	char *cmd;

	if (fd < 0)
		return 0;
	fp = fdopen(fd, "w");
	if (!fp) {
		close(fd);
		unlink(path);
		return 0;
	}
	fputs(script, fp);
	fclose(fp);
	cmd = xasprintf("sh -n %s", path);
	ok = system(cmd) == 0;
	free(cmd);
	unlink(path);
	return ok;
}

static void test_row(void **state)
{
	const struct row *row = *state;
	struct facts *f = row->transcript ? test_facts_from_transcript(row->transcript)
					  : test_facts_from_text(row->text);
	struct params p = { NULL, 0 };
	struct diags d;
	char *err = NULL, *pending, *job = NULL;
	long long n = -3;
	int ok = 1;

	diags_init(&d);
	if (step_params(row->with, &p, &d) < 0) {
		char *text = test_diags_text(&d);
		fail_msg("row '%s': with '%s': %s", row->name, row->with, text);
	}
	pending = os_update_pending(f, &p, &n, &err);
	if (row->pending == -2) {
		ok = !pending && err && strstr(err, row->want[0]);
		if (!ok)
			fprintf(stderr, "row '%s': want refusal '%s', got %s\n", row->name, row->want[0],
				err ? err : pending);
		free(err);
		err = NULL;
		job = os_update_job(f, &p, JOB, &err);
		ok = ok && !job && err && strstr(err, row->want[0]);
		goto out;
	}
	if (!pending || n != row->pending || !str_starts_with(pending, row->first)) {
		fprintf(stderr, "row '%s': want %lld pending starting '%s', got %lld: %s\n", row->name,
			row->pending, row->first, n, pending ? pending : err);
		ok = 0;
	}
	job = os_update_job(f, &p, JOB, &err);
	if (!job) {
		fprintf(stderr, "row '%s': no job: %s\n", row->name, err);
		ok = 0;
		goto out;
	}
	for (size_t i = 0; i < MAX_TEXT && row->want[i]; i++)
		if (!strstr(job, row->want[i])) {
			fprintf(stderr, "row '%s': the job lacks '%s'\n", row->name, row->want[i]);
			ok = 0;
		}
	for (size_t i = 0; i < MAX_TEXT && row->not[i]; i++)
		if (strstr(job, row->not[i])) {
			fprintf(stderr, "row '%s': the job has '%s'\n", row->name, row->not[i]);
			ok = 0;
		}
	if (!sh_syntax_ok(job)) {
		fprintf(stderr, "row '%s': sh -n refuses the job\n", row->name);
		ok = 0;
	}
	if (!ok)
		fprintf(stderr, "---- job ----\n%s-------------\n", job);
out:
	free(job);
	free(pending);
	free(err);
	params_release(&p);
	diags_release(&d);
	facts_free(f);
	if (!ok)
		fail_msg("row '%s' did not match", row->name);
}

/* Registered; the defaults are the documented ones. */
static void test_schema(void **state)
{
	(void)state;
	static const struct {
		const char *key, *def;
	} defaults[] = {
		{ "scope", "security" },   { "reboot", "if-required" }, { "lock_timeout", "10m" },
		{ "timeout", "1h" },       { "reboot_timeout", "10m" }, { "exclude", NULL },
	};

	assert_ptr_equal(step_type_find("os-update"), &step_os_update);
	assert_non_null(step_type_find("wait-ready"));
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		const struct param_spec *s = step_os_update.params;
		while (s->key && strcmp(s->key, defaults[i].key))
			s++;
		assert_non_null(s->key);
		if (defaults[i].def)
			assert_string_equal(s->def, defaults[i].def);
		else
			assert_null(s->def);
		assert_non_null(s->doc);
	}
}

/* Exclusions that are not names or patterns never reach a command line. */
static void test_hostile_exclude(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"exclude: ['$(reboot)']", "exclude: ['a b']",   "exclude: [\"x'y\"]",
		"exclude: ['-y']",        "exclude: ['']",      "exclude: ['a;b']",
		"exclude: ['a|b']",       "exclude: ['`id`']",  "exclude: [\"a\\nb\"]",
	};
	static const char *const good[] = {
		"exclude: [libstdc++6, 'kernel*', 'python3.1?', 'lib[ab]c', 'pkg:amd64', a_b-c.d]",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct params p;
		struct diags d;
		diags_init(&d);
		if (step_params(bad[i], &p, &d) == 0) {
			params_release(&p);
			fail_msg("'%s' was accepted", bad[i]);
		}
		char *text = test_diags_text(&d);
		if (!strstr(text, "is not a package name or glob pattern"))
			fail_msg("'%s': %s", bad[i], text);
		free(text);
		diags_release(&d);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct params p;
		struct diags d;
		diags_init(&d);
		if (step_params(good[i], &p, &d) < 0) {
			char *text = test_diags_text(&d);
			fail_msg("'%s' was refused: %s", good[i], text);
		}
		params_release(&p);
		diags_release(&d);
	}
}

int main(void)
{
	struct CMUnitTest tests[sizeof(rows) / sizeof(rows[0]) + 2];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tests[n++] = (struct CMUnitTest){ rows[i].name, test_row, NULL, NULL,
						  (void *)&rows[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_schema);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_hostile_exclude);
	return _cmocka_run_group_tests("step_os_update", tests, n, NULL, NULL);
}
