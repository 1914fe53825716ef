/*
 * Unit tests of checks/server-guard.c: every recorded transcript (alinux-3
 * runs Server Guard with SysV links; the others have none of it), then
 * inline transcripts for the edge cases: exempt, running but not started at
 * boot, started by systemd only, one of the two processes, links in some
 * runlevels only, masked or disabled units, impostors, unreadable
 * executables, missing and cut-off sections. Each row gives the status, the
 * summary and every line of evidence, exactly.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

extern const struct check_type check_server_guard;

#define MAX_EVIDENCE 16

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* YAML of `with`, or NULL */
	enum check_status status;
	const char *summary;
	const char *evidence[MAX_EVIDENCE]; /* every line, in order */
};

#define REMEDY_START "install Server Guard with the `server-guard` step"

/* ---- inline transcripts ---- */

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"
#define SEC_ST(name, body, st) \
	"@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " " st "\n"
#define FILE_HDR(path) "@@SRG T3stN0nce file " path "\n"

#define ACCOUNTS \
	SEC("accounts", FILE_HDR("/etc/passwd") "root:x:0:0:root:/root:/bin/bash\n")

#define P_SYSTEMD "1\t0\tsystemd\t/usr/lib/systemd/systemd\n"
#define P_DUN "1249\t0\tAliYunDun\t/usr/local/aegis/aegis_client/aegis_12_05/AliYunDun\n"
#define P_UPDATE "1211\t0\tAliYunDunUpdate\t/usr/local/aegis/aegis_update/AliYunDunUpdate\n"
#define P_MONITOR \
	"1262\t0\tAliYunDunMonito\t/usr/local/aegis/aegis_client/aegis_12_05/AliYunDunMonitor\n"
#define BOTH P_SYSTEMD P_DUN P_UPDATE

#define E_DUN "AliYunDun: pid 1249, /usr/local/aegis/aegis_client/aegis_12_05/AliYunDun, user root"
#define E_UPDATE "AliYunDunUpdate: pid 1211, /usr/local/aegis/aegis_update/AliYunDunUpdate, user root"
#define E_NO_MONITOR "AliYunDunMonitor: not running (older versions have none)"
#define E_NO_DUN "AliYunDun: not running (no such process under /usr/local/aegis/)"
#define E_NO_UPDATE "AliYunDunUpdate: not running (no such process under /usr/local/aegis/)"
#define E_NO_AEGIS "aegis: no /etc/init.d/aegis, no rc links and no aegis.service"

/* SysV links S80aegis in the given runlevel directories (Red Hat layout). */
#define RC(n, names) FILE_HDR("/etc/rc.d/rc" n ".d") names
#define INITD FILE_HDR("/etc/init.d") "aegis\nfunctions\n"
#define LINKS_2345 RC("2", "S80aegis\n") RC("3", "S80aegis\n") RC("4", "S80aegis\n") RC("5", "S80aegis\n")

static const struct row rows[] = {
	/* ---- recorded transcripts ---- */
	{ "alinux-3: all three processes, S80aegis in rc2.d-rc5.d", "alinux-3", NULL, NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate, AliYunDunMonitor) and starts at boot "
	  "(S links in runlevels 2-5)",
	  { E_DUN, E_UPDATE,
	    "AliYunDunMonitor: pid 1262, /usr/local/aegis/aegis_client/aegis_12_05/AliYunDunMonitor, "
	    "user root",
	    "aegis (SysV): S links in runlevels 2345" } },
#define NONE_AT_ALL                                                                            \
	CHECK_FAIL,                                                                            \
		"server guard: AliYunDun is not running; AliYunDunUpdate is not running; aegis is " \
		"not started at boot (no /etc/init.d/aegis or aegis.service)",                      \
	{                                                                                      \
		E_NO_DUN, E_NO_UPDATE, E_NO_MONITOR, E_NO_AEGIS                                \
	}
	{ "centos-6: no server guard (SysV only)", "centos-6", NULL, NULL, NONE_AT_ALL },
	{ "centos-7: no server guard", "centos-7", NULL, NULL, NONE_AT_ALL },
	{ "debian-12: no server guard (testbed)", "debian-12", NULL, NULL, NONE_AT_ALL },
	{ "debian-8: no server guard", "debian-8", NULL, NULL, NONE_AT_ALL },
	{ "opensuse-leap-15: no server guard", "opensuse-leap-15", NULL, NULL, NONE_AT_ALL },
	{ "rocky-9: no server guard", "rocky-9", NULL, NULL, NONE_AT_ALL },
	{ "ubuntu-22.04: no server guard", "ubuntu-22.04", NULL, NULL, NONE_AT_ALL },
	{ "alinux-3 with exempt: false (the profile default)", "alinux-3", NULL,
	  "exempt: 'false'", CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate, AliYunDunMonitor) and starts at boot "
	  "(S links in runlevels 2-5)",
	  { E_DUN, E_UPDATE,
	    "AliYunDunMonitor: pid 1262, /usr/local/aegis/aegis_client/aegis_12_05/AliYunDunMonitor, "
	    "user root",
	    "aegis (SysV): S links in runlevels 2345" } },

	/* ---- exempt ---- */
	{ "exempt: nothing installed, still a pass", "debian-12", NULL, "exempt: true", CHECK_PASS,
	  "server guard not required: the product is exempt",
	  { "parameter 'exempt' is true: international-site, gateway-class and security-class "
	    "products need no Server Guard (clause 1.1-3)" } },
	{ "exempt: even without any facts", NULL, HDR DONE, "exempt: true", CHECK_PASS,
	  "server guard not required: the product is exempt",
	  { "parameter 'exempt' is true: international-site, gateway-class and security-class "
	    "products need no Server Guard (clause 1.1-3)" } },

	/* ---- running, at boot or not ---- */
	{ "running but not started at boot: K links only", NULL,
	  HDR SEC("processes", BOTH) SEC_ST("services",
					    RC("2", "K20aegis\n") RC("3", "K20aegis\n") INITD, "127")
		  ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: aegis is not started at boot (no S link in runlevels 2-5)",
	  { E_DUN, E_UPDATE, E_NO_MONITOR,
	    "aegis (SysV): /etc/init.d/aegis or rc links, but no S link in runlevels 2-5" } },
	{ "running but not started at boot: no script, no unit", NULL,
	  HDR SEC("processes", BOTH) SEC("services", "sshd.service enabled\n") ACCOUNTS DONE, NULL,
	  CHECK_FAIL,
	  "server guard: aegis is not started at boot (no /etc/init.d/aegis or aegis.service)",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, E_NO_AEGIS } },
	{ "started at boot by systemd only", NULL,
	  HDR SEC("processes", BOTH P_MONITOR)
		  SEC("services", "aegis.service enabled enabled\nsshd.service enabled enabled\n")
			  ACCOUNTS DONE,
	  NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate, AliYunDunMonitor) and starts at boot "
	  "(aegis.service is enabled)",
	  { E_DUN, E_UPDATE,
	    "AliYunDunMonitor: pid 1262, /usr/local/aegis/aegis_client/aegis_12_05/AliYunDunMonitor, "
	    "user root",
	    "aegis.service: enabled" } },
	{ "a disabled unit overrides SysV links", NULL,
	  HDR SEC("processes", BOTH) SEC("services", "aegis.service disabled enabled\n" LINKS_2345)
		  ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: aegis.service is disabled, which overrides its SysV links",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "aegis.service: disabled",
	    "aegis (SysV): S links in runlevels 2345" } },
	{ "a unit generated from the SysV script with its links", NULL,
	  HDR SEC("processes", BOTH) SEC("services", "aegis.service generated -\n" LINKS_2345 INITD)
		  ACCOUNTS DONE,
	  NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate) and starts at boot (S links in runlevels "
	  "2-5)",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "aegis.service: generated",
	    "aegis (SysV): S links in runlevels 2345" } },
	{ "masked", NULL,
	  HDR SEC("processes", BOTH) SEC("services", "aegis.service masked enabled\n") ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: aegis.service is masked",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "aegis.service: masked" } },
	{ "S links in runlevels 3 and 5 only", NULL,
	  HDR SEC("processes", BOTH)
		  SEC_ST("services", RC("2", "K20aegis\n") RC("3", "S80aegis\n") RC("5", "S80aegis\n") INITD,
			 "127") ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: aegis has no S link in runlevels 2, 4",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "aegis (SysV): S links in runlevels 35" } },
	{ "Debian layout, update-rc.d links", NULL,
	  HDR SEC("processes", BOTH)
		  SEC_ST("services",
			 FILE_HDR("/etc/rc2.d") "S01aegis\n" FILE_HDR("/etc/rc3.d") "S01aegis\n"
				 FILE_HDR("/etc/rc4.d") "S01aegis\n" FILE_HDR("/etc/rc5.d") "S01aegis\n"
					 FILE_HDR("/etc/init.d") "aegis\n",
			 "127") ACCOUNTS DONE,
	  NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate) and starts at boot (S links in runlevels "
	  "2-5)",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "aegis (SysV): S links in runlevels 2345" } },

	/* ---- which processes ---- */
	{ "only AliYunDun runs", NULL,
	  HDR SEC("processes", P_SYSTEMD P_DUN) SEC("services", "aegis.service enabled\n") ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: AliYunDunUpdate is not running",
	  { E_DUN, E_NO_UPDATE, E_NO_MONITOR, "aegis.service: enabled" } },
	{ "only AliYunDunUpdate runs, not at boot either", NULL,
	  HDR SEC("processes", P_SYSTEMD P_UPDATE) SEC("services", "aegis.service disabled\n")
		  ACCOUNTS DONE,
	  NULL, CHECK_FAIL,
	  "server guard: AliYunDun is not running; aegis is not started at boot (aegis.service is "
	  "disabled)",
	  { E_NO_DUN, E_UPDATE, E_NO_MONITOR, "aegis.service: disabled" } },
	{ "an impostor named AliYunDun in /tmp is not counted", NULL,
	  HDR SEC("processes", P_SYSTEMD "666\t0\tAliYunDun\t/tmp/.x/AliYunDun\n"
					 "667\t0\tAliYunDun\t/usr/bin/python3\n" P_UPDATE)
		  SEC("services", "aegis.service enabled\n") ACCOUNTS DONE,
	  NULL, CHECK_FAIL, "server guard: AliYunDun is not running",
	  { "AliYunDun: pid 666 runs /tmp/.x/AliYunDun, outside /usr/local/aegis/: not counted",
	    "AliYunDun: pid 667 has that name but runs /usr/bin/python3: not counted", E_NO_DUN,
	    E_UPDATE, E_NO_MONITOR, "aegis.service: enabled" } },
	{ "unreadable executables are matched by comm (cut to 15 characters)", NULL,
	  HDR SEC("processes", P_SYSTEMD "1249\t0\tAliYunDun\t\n1211\t0\tAliYunDunUpdate\t\n"
					 "1262\t0\tAliYunDunMonito\t\n1300\t0\tAliYunDunUpdater\t\n")
		  SEC("services", "aegis.service enabled\n") ACCOUNTS DONE,
	  NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate, AliYunDunMonitor) and starts at boot "
	  "(aegis.service is enabled)",
	  { "AliYunDun: pid 1249, executable unreadable, user root",
	    "AliYunDunUpdate: pid 1211, executable unreadable, user root",
	    "AliYunDunMonitor: pid 1262, executable unreadable, user root", "aegis.service: enabled" } },
	{ "a deleted executable (after an update) still counts; no account: uid", NULL,
	  HDR SEC("processes",
		  P_SYSTEMD "1249\t0\tAliYunDun\t/usr/local/aegis/aegis_client/aegis_12_05/AliYunDun "
			    "(deleted)\n" P_UPDATE)
		  SEC("services", "aegis.service enabled\n") DONE,
	  NULL, CHECK_PASS,
	  "server guard runs (AliYunDun, AliYunDunUpdate) and starts at boot (aegis.service is "
	  "enabled)",
	  { "AliYunDun: pid 1249, /usr/local/aegis/aegis_client/aegis_12_05/AliYunDun (deleted), uid 0",
	    "AliYunDunUpdate: pid 1211, /usr/local/aegis/aegis_update/AliYunDunUpdate, uid 0",
	    E_NO_MONITOR, "aegis.service: enabled" } },

	/* ---- missing evidence ---- */
	{ "processes not collected: error", NULL,
	  HDR SEC("services", "aegis.service enabled\n") ACCOUNTS DONE, NULL, CHECK_ERROR,
	  "server guard cannot be judged: processes were not collected",
	  { "processes: not collected", "aegis.service: enabled" } },
	{ "services not collected: error", NULL, HDR SEC("processes", BOTH) ACCOUNTS DONE, NULL,
	  CHECK_ERROR, "server guard cannot be judged: services were not collected",
	  { E_DUN, E_UPDATE, E_NO_MONITOR, "services: not collected" } },
	{ "a finding wins over missing evidence", NULL, HDR SEC("processes", P_SYSTEMD) DONE, NULL,
	  CHECK_FAIL,
	  "server guard: AliYunDun is not running; AliYunDunUpdate is not running (also: services "
	  "were not collected)",
	  { E_NO_DUN, E_NO_UPDATE, E_NO_MONITOR, "services: not collected" } },
	{ "a process list cut off is an error", NULL,
	  HDR SEC("services", "aegis.service enabled\n") "@@SRG T3stN0nce begin processes\n" P_SYSTEMD,
	  NULL, CHECK_ERROR, "server guard cannot be judged: the process list is incomplete",
	  { "processes: section 'processes' did not end", "aegis.service: enabled" } },
};

/* ---- running a row ---- */

static int row_matches(const void *arg, const struct check_result *r)
{
	const struct row *row = arg;
	size_t n = 0;
	while (n < MAX_EVIDENCE && row->evidence[n])
		n++;
	if (r->status != row->status || !r->summary || strcmp(r->summary, row->summary) ||
	    r->nevidence != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(r->evidence[i], row->evidence[i]))
			return 0;
	/* a remediation exactly when it did not pass */
	if (row->status == CHECK_PASS)
		return !r->remediation;
	if (!r->remediation)
		return 0;
	if (row->status == CHECK_FAIL)
		return !strncmp(r->remediation, REMEDY_START, strlen(REMEDY_START));
	return 1;
}

static void test_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		failed += !test_check_row(&check_server_guard, row->name, row->with, row->transcript, row->text,
					  NULL, row_matches, row);
	}
	assert_int_equal(failed, 0);
}

/* ---- the type itself ---- */

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(check_type_find("server-guard"), &check_server_guard);
	assert_non_null(check_server_guard.eval);
}

static void test_exempt_default_false(void **state)
{
	(void)state;
	struct params p = { NULL, 0 };
	test_check_params_ok(&check_server_guard, "sg", NULL, &p);
	const struct param *ex = params_get(&p, "exempt");
	assert_non_null(ex);
	assert_true(ex->is_default);
	assert_int_equal(ex->v.i, 0);
	params_release(&p);
}

/* The profiles pass ${server_guard_exempt}: a variable that is not a boolean is refused. */
static void test_exempt_from_var(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		int ok;
		long long exempt;
	} cases[] = { { "true", 1, 1 }, { "false", 1, 0 }, { "yes", 0, 0 } };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ydoc *doc = NULL;
		struct diags d;
		struct vars vars;
		struct params p = { NULL, 0 };
		const char *with = "exempt: ${server_guard_exempt}";
		diags_init(&d);
		vars_init(&vars);
		vars_set(&vars, "server_guard_exempt", cases[i].value, (struct srcpos){ NULL, 0, 0 },
			 "test");
		assert_int_equal(ytree_parse("w.yaml", with, strlen(with), &doc, &d), 0);
		int ret = params_from_yaml(check_server_guard.params, doc->root,
					   (struct srcpos){ "p.yaml", 1, 1 }, &vars, "check 'sg' (server-guard)",
					   &p, &d);
		assert_int_equal(ret == 0, cases[i].ok);
		if (ret == 0)
			assert_int_equal(params_get(&p, "exempt")->v.i, cases[i].exempt);
		else
			assert_int_equal(d.errors, 1);
		params_release(&p);
		ydoc_free(doc);
		vars_release(&vars);
		diags_release(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_exempt_default_false),
		cmocka_unit_test(test_exempt_from_var),
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
