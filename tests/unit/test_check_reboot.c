/*
 * Unit tests of checks/reboot.c: every recorded transcript, then inline
 * transcripts for the edge cases: kernel versions that only compare right
 * version-aware (6.1.0-9 < 6.1.0-18, 1160.el7 < 1160.108.1.el7), flavours,
 * a running kernel that was removed, a Debian kernel upgraded in place,
 * each reboot flag alone, containers without a kernel, and missing or
 * cut-off sections. Each row gives the status, the summary, every line of
 * evidence in order, and the remediation.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "schema.h"
#include "types.h"

extern const struct check_type check_reboot;

#define MAX_EVIDENCE 8

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	enum check_status status;
	const char *summary;
	const char *evidence[MAX_EVIDENCE]; /* every line, in order */
};

#define FIX_REBOOT "reboot the target (the reboot step does it and reconnects), then verify again"
#define FIX_GATHER "gather the facts again: uname, kernels and reboot are needed"

#define E_ABSENT "/var/run/reboot-required absent"
#define E_CONTAINER \
	"no kernel is installed (a container, or a kernel supplied from outside): a reboot starts " \
	"the same kernel"

/* ---- inline transcripts ---- */

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"

#define META SEC("meta", "time=1700000000\nuid=0\nuser=root\n")
#define OS_DEBIAN SEC("os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
#define OS_CENTOS SEC("os-release", "ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n")
#define TOOLS_APT SEC("pkg-tools", "apt-get\t/usr/bin/apt-get\ndpkg\t/usr/bin/dpkg\n")
#define UNAME(release, version) SEC("uname", "Linux\n" release "\nx86_64\n" version "\n")
#define DEB_V(build) "#1 SMP PREEMPT_DYNAMIC Debian " build " (2024-02-01)"
#define KERNELS(list) SEC("kernels", list)
#define VMLINUZ(r) "/boot/vmlinuz-" r "\n"
#define PKG(name, v) name "\t" v "\tamd64\tii \n"
#define REBOOT(body) SEC("reboot", body)
#define NO_FILE "reboot_required_file=no\n"

#define DEB HDR META OS_DEBIAN TOOLS_APT
#define DEB_18 \
	DEB UNAME("6.1.0-18-amd64", DEB_V("6.1.76-1")) KERNELS(VMLINUZ("6.1.0-18-amd64"))

static const struct row rows[] = {
	/* ---- recorded transcripts ---- */
	{ "debian-12: testbed without a kernel of its own", "debian-12", NULL, CHECK_PASS,
	  "no reboot pending", { "running kernel 6.18.44-fc-v782", E_CONTAINER, E_ABSENT } },
	{ "ubuntu-22.04: 112 installed, 107 running, reboot-required", "ubuntu-22.04", NULL,
	  CHECK_FAIL,
	  "reboot pending: newer kernel 5.15.0-112-generic installed (running 5.15.0-107-generic)",
	  { "running kernel 5.15.0-107-generic", "newest installed kernel 5.15.0-112-generic",
	    "/var/run/reboot-required exists",
	    "reboot-required.pkgs: linux-image-5.15.0-112-generic, linux-base" } },
	{ "centos-7: newest (1160.108.1 over 1160) runs, needs-restarting 0", "centos-7", NULL,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 3.10.0-1160.108.1.el7.x86_64",
	    "newest installed kernel 3.10.0-1160.108.1.el7.x86_64", E_ABSENT,
	    "needs-restarting -r: no reboot needed (status 0)" } },
	{ "rocky-9: 427.24.1 installed, 427.13.1 running, needs-restarting 1", "rocky-9", NULL,
	  CHECK_FAIL,
	  "reboot pending: newer kernel 5.14.0-427.24.1.el9_4.x86_64 installed (running "
	  "5.14.0-427.13.1.el9_4.x86_64)",
	  { "running kernel 5.14.0-427.13.1.el9_4.x86_64",
	    "newest installed kernel 5.14.0-427.24.1.el9_4.x86_64", E_ABSENT,
	    "needs-restarting -r: a reboot is needed (status 1)" } },
	{ "alinux-3: newest runs, no needs-restarting", "alinux-3", NULL, CHECK_PASS,
	  "no reboot pending",
	  { "running kernel 5.10.134-16.3.al8.x86_64", "newest installed kernel 5.10.134-16.3.al8.x86_64",
	    E_ABSENT } },
	{ "opensuse-leap-15: newest -default runs", "opensuse-leap-15", NULL, CHECK_PASS,
	  "no reboot pending",
	  { "running kernel 5.14.21-150500.55.65-default",
	    "newest installed kernel 5.14.21-150500.55.65-default", E_ABSENT } },
	{ "debian-8: 3.16.0-10 runs its installed build 3.16.78-1", "debian-8", NULL, CHECK_PASS,
	  "no reboot pending",
	  { "running kernel 3.16.0-10-amd64", "newest installed kernel 3.16.0-10-amd64",
	    "linux-image-3.16.0-10-amd64 3.16.78-1 installed, the running kernel is build 3.16.78-1",
	    E_ABSENT } },
	{ "centos-6: newest runs, needs-restarting has no -r (status 2)", "centos-6", NULL,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 2.6.32-754.10.1.el6.x86_64",
	    "newest installed kernel 2.6.32-754.10.1.el6.x86_64", E_ABSENT,
	    "needs-restarting -r could not tell (status 2)" } },

	/* ---- kernels ---- */
	{ "debian: the running kernel is the only one and its build", NULL,
	  DEB_18 SEC("packages", PKG("linux-image-6.1.0-18-amd64", "6.1.76-1")) REBOOT(NO_FILE) DONE,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "linux-image-6.1.0-18-amd64 6.1.76-1 installed, the running kernel is build 6.1.76-1",
	    E_ABSENT } },
	{ "debian: same release upgraded in place since boot", NULL,
	  DEB_18 SEC("packages", PKG("linux-image-6.1.0-18-amd64", "6.1.90-1")) REBOOT(NO_FILE) DONE,
	  CHECK_FAIL, "reboot pending: linux-image-6.1.0-18-amd64 was upgraded to 6.1.90-1 since boot",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "linux-image-6.1.0-18-amd64 6.1.90-1 installed, the running kernel is build 6.1.76-1",
	    E_ABSENT } },
	{ "debian: 6.1.0-18 is newer than 6.1.0-9 (not by string)", NULL,
	  DEB UNAME("6.1.0-18-amd64", "#1 SMP") KERNELS(VMLINUZ("6.1.0-18-amd64") VMLINUZ("6.1.0-9-amd64"))
		  REBOOT(NO_FILE) DONE,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64", E_ABSENT } },
	{ "debian: 6.1.0-9 runs, 6.1.0-18 installed", NULL,
	  DEB UNAME("6.1.0-9-amd64", "#1 SMP") KERNELS(VMLINUZ("6.1.0-18-amd64") VMLINUZ("6.1.0-9-amd64"))
		  REBOOT(NO_FILE) DONE,
	  CHECK_FAIL, "reboot pending: newer kernel 6.1.0-18-amd64 installed (running 6.1.0-9-amd64)",
	  { "running kernel 6.1.0-9-amd64", "newest installed kernel 6.1.0-18-amd64", E_ABSENT } },
	{ "a newer kernel of another flavour does not count", NULL,
	  DEB UNAME("6.1.0-18-cloud-amd64", "#1 SMP")
		  KERNELS(VMLINUZ("6.1.0-18-cloud-amd64") VMLINUZ("6.1.0-20-amd64")) REBOOT(NO_FILE) DONE,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 6.1.0-18-cloud-amd64", "newest installed kernel 6.1.0-18-cloud-amd64",
	    E_ABSENT } },
	{ "the running kernel was removed: a reboot starts an older one", NULL,
	  DEB UNAME("6.1.0-18-amd64", "#1 SMP") KERNELS(VMLINUZ("6.1.0-17-amd64")) REBOOT(NO_FILE) DONE,
	  CHECK_FAIL,
	  "reboot pending: the running kernel 6.1.0-18-amd64 is not installed any more: a reboot "
	  "would start 6.1.0-17-amd64",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-17-amd64", E_ABSENT } },
	{ "rhel: 1160.el7 runs, 1160.108.1.el7 installed", NULL,
	  HDR META OS_CENTOS UNAME("3.10.0-1160.el7.x86_64", "#1 SMP")
		  KERNELS(VMLINUZ("3.10.0-1160.108.1.el7.x86_64") VMLINUZ("3.10.0-1160.el7.x86_64"))
			  REBOOT(NO_FILE) DONE,
	  CHECK_FAIL,
	  "reboot pending: newer kernel 3.10.0-1160.108.1.el7.x86_64 installed (running "
	  "3.10.0-1160.el7.x86_64)",
	  { "running kernel 3.10.0-1160.el7.x86_64",
	    "newest installed kernel 3.10.0-1160.108.1.el7.x86_64", E_ABSENT } },
	{ "container: no kernel installed, none in the packages: pass", NULL,
	  DEB UNAME("6.8.0-31-generic", "#31-Ubuntu SMP") KERNELS("")
		  SEC("packages", PKG("bash", "5.2.15-2+b2")) REBOOT(NO_FILE) DONE,
	  CHECK_PASS, "no reboot pending",
	  { "running kernel 6.8.0-31-generic", E_CONTAINER, E_ABSENT } },
	{ "no kernel found although a kernel package is installed: error", NULL,
	  DEB UNAME("6.1.0-18-amd64", "#1 SMP") KERNELS("")
		  SEC("packages", PKG("linux-image-6.1.0-18-amd64", "6.1.76-1")) REBOOT(NO_FILE) DONE,
	  CHECK_ERROR,
	  "whether a reboot is pending is not known: kernel packages are installed but no kernel "
	  "was found in /boot or /lib/modules",
	  { "running kernel 6.1.0-18-amd64",
	    "kernel packages are installed but no kernel was found in /boot or /lib/modules",
	    E_ABSENT } },

	/* ---- flags ---- */
	{ "reboot-required alone, no pkgs file", NULL,
	  DEB_18 REBOOT("reboot_required_file=yes\n") DONE, CHECK_FAIL,
	  "reboot pending: /var/run/reboot-required exists",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "/var/run/reboot-required exists" } },
	{ "reboot-required for libc6 (no kernel involved)", NULL,
	  DEB_18 REBOOT("reboot_required_file=yes\npkg=libc6\npkg=libssl3\n") DONE, CHECK_FAIL,
	  "reboot pending: /var/run/reboot-required exists",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "/var/run/reboot-required exists", "reboot-required.pkgs: libc6, libssl3" } },
	{ "needs-restarting -r alone (a core library was updated)", NULL,
	  HDR META OS_CENTOS UNAME("3.10.0-1160.108.1.el7.x86_64", "#1 SMP")
		  KERNELS(VMLINUZ("3.10.0-1160.108.1.el7.x86_64"))
			  REBOOT(NO_FILE "needs_restarting=1\n") DONE,
	  CHECK_FAIL, "reboot pending: needs-restarting -r: a reboot is needed (status 1)",
	  { "running kernel 3.10.0-1160.108.1.el7.x86_64",
	    "newest installed kernel 3.10.0-1160.108.1.el7.x86_64", E_ABSENT,
	    "needs-restarting -r: a reboot is needed (status 1)" } },
	{ "newer kernel and both flags: the kernel names the result", NULL,
	  DEB UNAME("6.1.0-9-amd64", "#1 SMP") KERNELS(VMLINUZ("6.1.0-18-amd64") VMLINUZ("6.1.0-9-amd64"))
		  REBOOT("reboot_required_file=yes\npkg=linux-image-6.1.0-18-amd64\nneeds_restarting=1\n")
			  DONE,
	  CHECK_FAIL, "reboot pending: newer kernel 6.1.0-18-amd64 installed (running 6.1.0-9-amd64)",
	  { "running kernel 6.1.0-9-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "/var/run/reboot-required exists", "reboot-required.pkgs: linux-image-6.1.0-18-amd64",
	    "needs-restarting -r: a reboot is needed (status 1)" } },
	{ "reboot-required state unreadable: error", NULL,
	  DEB_18 REBOOT("reboot_required_file=maybe\n") DONE, CHECK_ERROR,
	  "whether a reboot is pending is not known: whether /var/run/reboot-required exists is not "
	  "known",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "whether /var/run/reboot-required exists is not known" } },

	/* ---- missing or cut-off sections ---- */
	{ "nothing collected: error", NULL, HDR DONE, CHECK_ERROR,
	  "whether a reboot is pending is not known: the running kernel is not known (uname was not "
	  "collected)",
	  { "the running kernel is not known (uname was not collected)",
	    "reboot flags were not collected" } },
	{ "kernels not collected: error", NULL,
	  DEB UNAME("6.1.0-18-amd64", "#1 SMP") REBOOT(NO_FILE) DONE, CHECK_ERROR,
	  "whether a reboot is pending is not known: the installed kernels were not collected",
	  { "running kernel 6.1.0-18-amd64", "the installed kernels were not collected", E_ABSENT } },
	{ "kernels cut off: error", NULL,
	  DEB UNAME("6.1.0-18-amd64", "#1 SMP") REBOOT(NO_FILE)
		  "@@SRG T3stN0nce begin kernels\n" VMLINUZ("6.1.0-18-amd64"),
	  CHECK_ERROR, "whether a reboot is pending is not known: the list of installed kernels was cut off",
	  { "running kernel 6.1.0-18-amd64", "the list of installed kernels was cut off", E_ABSENT } },
	{ "reboot flags not collected: error", NULL, DEB_18 DONE, CHECK_ERROR,
	  "whether a reboot is pending is not known: reboot flags were not collected",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "reboot flags were not collected" } },
	{ "reboot section cut off: error", NULL,
	  DEB_18 "@@SRG T3stN0nce begin reboot\n" NO_FILE, CHECK_ERROR,
	  "whether a reboot is pending is not known: the reboot section was cut off",
	  { "running kernel 6.1.0-18-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "the reboot section was cut off" } },
	{ "reboot flags not collected but a newer kernel: fail", NULL,
	  DEB UNAME("6.1.0-9-amd64", "#1 SMP") KERNELS(VMLINUZ("6.1.0-18-amd64") VMLINUZ("6.1.0-9-amd64"))
		  DONE,
	  CHECK_FAIL, "reboot pending: newer kernel 6.1.0-18-amd64 installed (running 6.1.0-9-amd64)",
	  { "running kernel 6.1.0-9-amd64", "newest installed kernel 6.1.0-18-amd64",
	    "reboot flags were not collected" } },
};

static void dump(const struct check_result *res)
{
	fprintf(stderr, "  got %s: %s\n", check_status_name(res->status),
		res->summary ? res->summary : "(no summary)");
	for (size_t i = 0; i < res->nevidence; i++)
		fprintf(stderr, "    | %s\n", res->evidence[i]);
	fprintf(stderr, "    fix: %s\n", res->remediation ? res->remediation : "(none)");
}

static void test_row(void **state)
{
	const struct row *row = *state;
	struct facts *f = row->transcript ? test_facts_from_transcript(row->transcript)
					  : test_facts_from_text(row->text);
	struct params none = { NULL, 0 };
	struct check_env env = { .f = f };
	struct check_result res;
	const char *remedy = row->status == CHECK_FAIL	  ? FIX_REBOOT
			     : row->status == CHECK_ERROR ? FIX_GATHER
							  : NULL;
	size_t k = 0;

	check_result_init(&res);
	check_reboot.eval(&none, &env, &res);

	int ok = res.status == row->status && res.summary && !strcmp(res.summary, row->summary);
	for (; ok && k < MAX_EVIDENCE && row->evidence[k]; k++)
		ok = k < res.nevidence && !strcmp(res.evidence[k], row->evidence[k]);
	ok = ok && k == res.nevidence &&
	     (remedy ? res.remediation && !strcmp(res.remediation, remedy) : !res.remediation);
	if (!ok) {
		fprintf(stderr, "row '%s':\n  want %s: %s\n", row->name, check_status_name(row->status),
			row->summary);
		for (k = 0; k < MAX_EVIDENCE && row->evidence[k]; k++)
			fprintf(stderr, "    = %s\n", row->evidence[k]);
		dump(&res);
	}
	check_result_release(&res);
	facts_free(f);
	if (!ok)
		fail_msg("row '%s' did not match", row->name);
}

/* Registered, and without parameters: any `with` key is refused. */
static void test_schema(void **state)
{
	(void)state;
	struct params p;
	struct diags d;

	assert_ptr_equal(check_type_find("reboot"), &check_reboot);
	assert_null(check_reboot.params[0].key);
	diags_init(&d);
	assert_int_equal(params_from_yaml(check_reboot.params, NULL, (struct srcpos){ "p.yaml", 1, 1 },
					  NULL, "check 'r' (reboot)", &p, &d),
			 0);
	assert_int_equal(p.n, 0);
	params_release(&p);
	diags_release(&d);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(rows) / sizeof(rows[0]) + 1];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tests[n++] = (struct CMUnitTest){ rows[i].name, test_row, NULL, NULL,
						  (void *)&rows[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_schema);
	return _cmocka_run_group_tests("check_reboot", tests, n, NULL, NULL);
}
