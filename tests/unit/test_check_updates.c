/*
 * Unit tests of checks/updates.c: every recorded transcript (each update
 * line checked against the transcript's own updates and security-updates
 * sections), the parameters on some of them, then inline transcripts for the
 * edge cases: nothing pending, stale or unknown list age, failed refresh,
 * missing, cut-off and failed listings, distributions without a security
 * classification (CentOS, an unknown rebuild, a failed, missing or cut-off
 * security list, apk), components: important without packages.
 *
 * A row gives the status, the summary, evidence lines and the remediation.
 * With `exact` the evidence must be exactly those lines; otherwise they must
 * appear in that order among the others.
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
#include "ytree.h"

extern const struct check_type check_updates;

#define MAX_EVIDENCE 32

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* YAML of `with`, or NULL */
	enum check_status status;
	const char *summary;
	const char *remedy;     /* NULL: none */
	int exact;              /* evidence is every line, not some of them */
	const char *evidence[MAX_EVIDENCE];
};

/* ---- remediation hints ---- */

#define FIX_APT                                                                          \
	"apt-get update && apt-get upgrade (apt-get dist-upgrade for the updates it keeps " \
	"back, such as new kernel packages)"
#define FIX_APT_LISTS \
	"refresh the package metadata (apt-get update) or gather without --no-refresh, then verify again"
#define FIX_DNF_LISTS \
	"refresh the package metadata (dnf makecache --refresh) or gather without --no-refresh, " \
	"then verify again"
#define FIX_GATHER_UPDATES "gather the facts again: the updates section is missing"

/* ---- evidence of the recorded transcripts ---- */

#define E_REFRESHED "package metadata refreshed by this gather"
#define E_EACH "every pending update is treated as a possible security fix"

#define DEB12_SEC "(bookworm-security/main) [security]"
#define DEB12_APT "apt 2.6.1 -> 2.6.2 " DEB12_SEC
#define DEB12_LIBAPT "libapt-pkg6.0 2.6.1 -> 2.6.2 " DEB12_SEC
#define DEB12_LIBSSL "libssl3 3.0.20-1~deb12u2 -> 3.0.22-1~deb12u2 " DEB12_SEC
#define DEB12_OPENSSL "openssl 3.0.20-1~deb12u2 -> 3.0.22-1~deb12u2 " DEB12_SEC
#define DEB12_ALL                                                                           \
	DEB12_APT, "ca-certificates 20230311+deb12u1 -> 20250419~deb12u2 " DEB12_SEC,      \
		DEB12_LIBAPT, "libbrotli1 1.0.9-2+b6 -> 1.0.9-2+deb12u1 " DEB12_SEC,        \
		"liblzma5 5.4.1-1+deb12u1 -> 5.4.1-1+deb12u2 " DEB12_SEC,                 \
		"libpam-modules 1.5.2-6+deb12u2 -> 1.5.2-6+deb12u3 " DEB12_SEC,           \
		"libpam-modules-bin 1.5.2-6+deb12u2 -> 1.5.2-6+deb12u3 " DEB12_SEC,       \
		"libpam-runtime 1.5.2-6+deb12u2 -> 1.5.2-6+deb12u3 " DEB12_SEC,           \
		"libpam0g 1.5.2-6+deb12u2 -> 1.5.2-6+deb12u3 " DEB12_SEC,                 \
		"libpcre2-8-0 10.42-1 -> 10.42-1+deb12u2 " DEB12_SEC,                     \
		"libsasl2-2 2.1.28+dfsg-10 -> 2.1.28+dfsg-10+deb12u1 " DEB12_SEC,         \
		"libsasl2-modules-db 2.1.28+dfsg-10 -> 2.1.28+dfsg-10+deb12u1 " DEB12_SEC, \
		"libssh2-1 1.10.0-3+b1 -> 1.10.0-3+deb12u1 " DEB12_SEC, DEB12_LIBSSL,      \
		DEB12_OPENSSL, "perl-base 5.36.0-7+deb12u3 -> 5.36.0-7+deb12u4 " DEB12_SEC, \
		"tzdata 2026b-0+deb12u1 -> 2026f-0+deb12u1 " DEB12_SEC

#define JAMMY_SEC "(jammy-updates/main, jammy-security/main) [security]"
#define JAMMY_SSH(p) p " 1:8.9p1-3ubuntu0.7 -> 1:8.9p1-3ubuntu0.10 " JAMMY_SEC
#define JAMMY_META(p) p " 5.15.0.112.112 -> 5.15.0.113.113 " JAMMY_SEC

#define C7_ALL                                                                              \
	"bind-export-libs 32:9.11.4-26.P2.el7_9.15 -> 32:9.11.4-26.P2.el7_9.16 (updates)", \
		"curl 7.29.0-59.el7_9.2 -> 7.29.0-59.el7_9.3 (updates)",                   \
		"expat 2.1.0-15.el7_9 -> 2.1.0-15.el7_9.1 (updates)",                      \
		"glibc 2.17-326.el7_9 -> 2.17-326.el7_9.3 (updates)",                      \
		"glibc-common 2.17-326.el7_9 -> 2.17-326.el7_9.3 (updates)"

#define RLSA_SSH "[security: RLSA-2024:4312, RLSA-2024:4928]"
#define ROCKY_SSH(p) p " 8.7p1-38.el9 -> 8.7p1-38.el9_4.4 (baseos) " RLSA_SSH
#define ROCKY_PY(p) p " 3.9.18-3.el9_4.1 -> 3.9.18-3.el9_4.3 (baseos) [security: RLSA-2024:5138]"
#define ROCKY_KRB5 "krb5-libs 1.21.1-2.el9_4 -> 1.21.1-2.el9_4.1 (baseos) [security: RLSA-2024:5312]"

#define AL3 "(alinux3-updates) [security: ALINUX3-SA-2024:"
#define AL3_SSH(p) p " 8.0p1-17.0.2.al8 -> 8.0p1-19.0.1.al8 " AL3 "0061]"
#define AL3_SSL(p) p " 1:1.1.1k-9.0.1.al8 -> 1:1.1.1k-12.0.1.al8 " AL3 "0074]"
#define AL3_CURL(p) p " 7.61.1-34.0.1.al8.1 -> 7.61.1-34.0.1.al8.3 " AL3 "0089]"

#define SLE "(Update repository with updates from SUSE Linux Enterprise 15) [security]"
#define SLE_SSH(p) p " 8.4p1-150300.3.37.1 -> 8.4p1-150300.3.40.1 " SLE
#define SLE_SSL(p) p " 1.1.1l-150500.17.28.1 -> 1.1.1l-150500.17.31.1 " SLE
#define SLE_CURL(p) p " 8.0.1-150400.5.44.1 -> 8.0.1-150400.5.47.1 " SLE
#define SLE_KERNEL "kernel-default 5.14.21-150500.55.65.1 -> 5.14.21-150500.55.68.1 " SLE

#define JESSIE "(jessie/updates/main) [security]"
#define PHP5(p) p " 5.6.40+dfsg-0+deb8u9 -> 5.6.40+dfsg-0+deb8u10 " JESSIE
#define CURL8(p) p " 7.38.0-4+deb8u15 -> 7.38.0-4+deb8u16 " JESSIE
#define SSL8(p) p " 1.0.1t-1+deb8u11 -> 1.0.1t-1+deb8u12 " JESSIE

/* ---- inline transcripts ---- */

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"
#define SEC_ST(name, body, st) \
	"@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " " st "\n"

/* The target's clock, and list times 1 hour and 2 days before it. */
#define META SEC("meta", "time=1700000000\nuid=0\nuser=root\n")
#define T_1H "1699996400"
#define T_2D "1699827200"

#define OS_DEBIAN SEC("os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
#define TOOLS_APT SEC("pkg-tools", "apt-get\t/usr/bin/apt-get\ndpkg\t/usr/bin/dpkg\n")
#define PKGS_DEB                                                     \
	SEC("packages", "openssl\t3.0.20-1~deb12u2\tamd64\tii \n"   \
			"libssl3\t3.0.20-1~deb12u2\tamd64\tii \n"   \
			"hello\t2.10-3\tamd64\tii \n")
#define APT_LISTS(t) SEC("lists-age", "/var/lib/apt/lists/partial\t" t "\n")

#define POL_OPENSSL_SEC                                                                     \
	"openssl:\n  Installed: 3.0.20-1~deb12u2\n  Candidate: 3.0.22-1~deb12u2\n"          \
	"  Version table:\n     3.0.22-1~deb12u2 500\n"                                      \
	"        500 http://pkgs.example.org/debian-security bookworm-security/main amd64 Packages\n" \
	" *** 3.0.20-1~deb12u2 500\n"                                                        \
	"        500 http://pkgs.example.org/debian bookworm/main amd64 Packages\n"          \
	"        100 /var/lib/dpkg/status\n"
#define POL_OPENSSL_NONE                                                                   \
	"openssl:\n  Installed: 3.0.20-1~deb12u2\n  Candidate: 3.0.20-1~deb12u2\n"         \
	"  Version table:\n *** 3.0.20-1~deb12u2 500\n"                                     \
	"        500 http://pkgs.example.org/debian bookworm/main amd64 Packages\n"         \
	"        100 /var/lib/dpkg/status\n"
#define POL_HELLO_UPD                                                                   \
	"hello:\n  Installed: 2.10-3\n  Candidate: 2.10-3+deb12u1\n"                     \
	"  Version table:\n     2.10-3+deb12u1 500\n"                                     \
	"        500 http://pkgs.example.org/debian bookworm-updates/main amd64 Packages\n" \
	" *** 2.10-3 500\n"                                                               \
	"        500 http://pkgs.example.org/debian bookworm/main amd64 Packages\n"       \
	"        100 /var/lib/dpkg/status\n"

#define DEB_BASE HDR META OS_DEBIAN TOOLS_APT PKGS_DEB
#define E_OPENSSL "openssl 3.0.20-1~deb12u2 -> 3.0.22-1~deb12u2 (bookworm-security/main) [security]"
#define E_HELLO "hello 2.10-3 -> 2.10-3+deb12u1 (bookworm-updates/main)"
#define E_LISTS_1H "package lists 1h old (not refreshed by this gather; at most 1d allowed)"
#define E_LISTS_2D \
	"the package lists are 2d old, more than the 1d allowed: pending fixes may be missing"

#define OS_CENTOS SEC("os-release", "ID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n")
#define OS_ROCKY SEC("os-release", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\n")
#define OS_NAVY SEC("os-release", "ID=\"navy\"\nID_LIKE=\"rhel\"\nVERSION_ID=\"9\"\n")
#define TOOLS_DNF SEC("pkg-tools", "dnf\t/usr/bin/dnf\nrpm\t/usr/bin/rpm\n")
#define TOOLS_YUM SEC("pkg-tools", "yum\t/usr/bin/yum\nrpm\t/usr/bin/rpm\n")
#define PKGS_RPM                                                    \
	SEC("packages", "openssl\t1:3.0.7-27.el9\tx86_64\tii\n"    \
			"tzdata\t0:2024a-1.el9\tnoarch\tii\n")
#define RPM_LISTS(t) SEC("lists-age", "/var/cache/dnf/baseos.solv\t" t "\n")
#define UPD_BOTH                                                            \
	SEC_ST("updates",                                                   \
	       "\nopenssl.x86_64          1:3.0.7-28.el9_4          baseos\n"   \
	       "tzdata.noarch           2024a-2.el9               baseos\n",  \
	       "100")
#define UPD_TZDATA \
	SEC_ST("updates", "\ntzdata.noarch           2024a-2.el9               baseos\n", "100")
#define SECURITY_OPENSSL \
	SEC("security-updates", "RLSA-2024:9999 Important/Sec. openssl-1:3.0.7-28.el9_4.x86_64\n")
#define SECURITY_EMPTY SEC("security-updates", "")
#define E_RPM_OPENSSL "openssl 1:3.0.7-27.el9 -> 1:3.0.7-28.el9_4 (baseos)"
#define E_RPM_TZDATA "tzdata 2024a-1.el9 -> 2024a-2.el9 (baseos)"

static const struct row rows[] = {
	/* ---- recorded transcripts, default parameters ---- */
	{ "debian-12: 17 security updates from bookworm-security (testbed)", "debian-12", NULL, NULL,
	  CHECK_FAIL, "17 pending security updates", FIX_APT, 1,
	  { "package lists 29m old (not refreshed by this gather; at most 1d allowed)", DEB12_ALL } },
	{ "ubuntu-22.04: 9 security updates, cloud-init and snapd are not", "ubuntu-22.04", NULL,
	  NULL, CHECK_FAIL, "9 pending security updates", FIX_APT, 1,
	  { E_REFRESHED,
	    "libssl3 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16 " JAMMY_SEC,
	    JAMMY_META("linux-generic"), JAMMY_META("linux-headers-generic"),
	    JAMMY_META("linux-image-generic"), JAMMY_SSH("openssh-client"),
	    JAMMY_SSH("openssh-server"), JAMMY_SSH("openssh-sftp-server"),
	    "openssl 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16 " JAMMY_SEC,
	    "tzdata 2024a-0ubuntu0.22.04 -> 2024a-0ubuntu0.22.04.1 " JAMMY_SEC,
	    "2 more pending updates are not security updates" } },
	{ "centos-7: empty updateinfo, 21 updates: each possibly a security fix", "centos-7", NULL,
	  NULL, CHECK_FAIL,
	  "21 pending updates, each possibly a security fix (no security classification)",
	  "yum update", 0,
	  { E_REFRESHED, "centos publishes no security advisories for its updates: " E_EACH, C7_ALL,
	    "libssh2 1.8.0-4.el7_9.1 -> 1.8.0-4.el7_9.2 (updates)",
	    "php 7.4.33-12.el7.remi -> 7.4.33-13.el7.remi (remi-php74)",
	    "python-libs 2.7.5-94.el7_9 -> 2.7.5-94.el7_9.1 (updates)" } },
	{ "rocky-9: RLSA advisories mark 10 of 15 updates", "rocky-9", NULL, NULL, CHECK_FAIL,
	  "10 pending security updates", "dnf update --security", 0,
	  { "package lists 58m old (not refreshed by this gather; at most 1d allowed)", ROCKY_KRB5,
	    ROCKY_SSH("openssh"), ROCKY_SSH("openssh-clients"), ROCKY_SSH("openssh-server"),
	    ROCKY_PY("python3"), ROCKY_PY("python3-libs"),
	    "5 more pending updates are not security updates" } },
	{ "alinux-3: ALINUX3-SA advisories mark 10 of 13 updates", "alinux-3", NULL, NULL,
	  CHECK_FAIL, "10 pending security updates", "dnf update --security", 1,
	  { E_REFRESHED, AL3_CURL("curl"),
	    "kernel 5.10.134-16.3.al8 -> 5.10.134-17.al8 " AL3 "0080]",
	    "kernel-tools 5.10.134-16.3.al8 -> 5.10.134-17.al8 " AL3 "0080]", AL3_CURL("libcurl"),
	    "libssh 0.9.6-10.al8 -> 0.9.6-13.al8 " AL3 "0083]", AL3_SSH("openssh"),
	    AL3_SSH("openssh-clients"), AL3_SSH("openssh-server"), AL3_SSL("openssl"),
	    AL3_SSL("openssl-libs"), "3 more pending updates are not security updates" } },
	{ "opensuse-leap-15: security patches mark 9 of 12 updates", "opensuse-leap-15", NULL, NULL,
	  CHECK_FAIL, "9 pending security updates", "zypper patch --category security", 1,
	  { E_REFRESHED, SLE_CURL("curl"), SLE_KERNEL, SLE_CURL("libcurl4"),
	    SLE_SSL("libopenssl1_1"), SLE_SSH("openssh"), SLE_SSH("openssh-clients"),
	    SLE_SSH("openssh-common"), SLE_SSH("openssh-server"), SLE_SSL("openssl-1_1"),
	    "3 more pending updates are not security updates" } },
	{ "debian-8: 14 updates from jessie/updates, lists 12h55m old", "debian-8", NULL, NULL,
	  CHECK_FAIL, "14 pending security updates", FIX_APT, 1,
	  { "package lists 12h55m old (not refreshed by this gather; at most 1d allowed)",
	    CURL8("curl"), PHP5("libapache2-mod-php5"), CURL8("libcurl3"),
	    CURL8("libcurl3-gnutls"), SSL8("libssl1.0.0"),
	    "linux-image-3.16.0-10-amd64 3.16.78-1 -> 3.16.81-1 " JESSIE,
	    "linux-image-amd64 3.16+63+deb8u5 -> 3.16+63+deb8u6 " JESSIE, SSL8("openssl"),
	    PHP5("php5"), PHP5("php5-cli"), PHP5("php5-common"), PHP5("php5-mysql"),
	    "sudo 1.8.10p3-1+deb8u6 -> 1.8.10p3-1+deb8u7 " JESSIE,
	    "tzdata 2019c-0+deb8u1 -> 2020a-0+deb8u1 " JESSIE } },
	{ "centos-6: security list failed (no plugin): all 9 updates count", "centos-6", NULL, NULL,
	  CHECK_FAIL,
	  "9 pending updates, each possibly a security fix (no security classification)",
	  "yum update", 1,
	  { "package lists 7h41m old (not refreshed by this gather; at most 1d allowed)",
	    "security-updates failed (status 1): " E_EACH,
	    "curl 7.19.7-53.el6_9 -> 7.19.7-54.el6_10 (updates)",
	    "glibc 2.12-1.212.el6 -> 2.12-1.212.el6_10.3 (updates)",
	    "glibc-common 2.12-1.212.el6 -> 2.12-1.212.el6_10.3 (updates)",
	    "kernel 2.6.32-754.10.1.el6 -> 2.6.32-754.11.1.el6 (updates)",
	    "kernel-firmware 2.6.32-754.10.1.el6 -> 2.6.32-754.11.1.el6 (updates)",
	    "nss 3.36.0-8.el6 -> 3.36.0-9.el6_10 (updates)",
	    "python 2.6.6-66.el6_8 -> 2.6.6-68.el6_10 (updates)",
	    "python-libs 2.6.6-66.el6_8 -> 2.6.6-68.el6_10 (updates)",
	    "tzdata 2018e-3.el6 -> 2019a-1.el6 (updates)" } },

	/* ---- recorded transcripts, other parameters ---- */
	{ "debian-12, components: important: apt and openssl", "debian-12", NULL,
	  "components: important", CHECK_FAIL, "4 pending security updates of important components",
	  FIX_APT, 1,
	  { "package lists 29m old (not refreshed by this gather; at most 1d allowed)",
	    "apt: " DEB12_APT, "apt: " DEB12_LIBAPT, "openssl: " DEB12_LIBSSL,
	    "openssl: " DEB12_OPENSSL,
	    "13 more pending updates are not security updates of important components" } },
	{ "debian-12, max_list_age: 10m: stale, but the pending updates still fail", "debian-12",
	  NULL, "max_list_age: 10m", CHECK_FAIL, "17 pending security updates", FIX_APT, 1,
	  { "the package lists are 29m old, more than the 10m allowed: pending fixes may be missing",
	    DEB12_ALL } },
	{ "ubuntu-22.04, scope: all: cloud-init and snapd too", "ubuntu-22.04", NULL, "scope: all",
	  CHECK_FAIL, "11 pending updates (9 security)", FIX_APT, 0,
	  { E_REFRESHED,
	    "cloud-init 24.1.3-0ubuntu1~22.04.1 -> 24.1.3-0ubuntu1~22.04.5 (jammy-updates/main)",
	    "libssl3 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16 " JAMMY_SEC,
	    "snapd 2.63+22.04 -> 2.63+22.04ubuntu0.1 (jammy-updates/main)" } },
	{ "ubuntu-22.04, components: important: kernel, openssl, openssh", "ubuntu-22.04", NULL,
	  "components: important", CHECK_FAIL,
	  "6 pending security updates of important components", FIX_APT, 1,
	  { E_REFRESHED, "openssl: libssl3 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16 " JAMMY_SEC,
	    "kernel: " JAMMY_META("linux-image-generic"), "openssh: " JAMMY_SSH("openssh-client"),
	    "openssh: " JAMMY_SSH("openssh-server"), "openssh: " JAMMY_SSH("openssh-sftp-server"),
	    "openssl: openssl 3.0.2-0ubuntu1.15 -> 3.0.2-0ubuntu1.16 " JAMMY_SEC,
	    "5 more pending updates are not security updates of important components" } },
	{ "centos-7, components: important: still unclassified", "centos-7", NULL,
	  "components: important", CHECK_FAIL,
	  "7 pending updates of important components, each possibly a security fix (no security "
	  "classification)",
	  "yum update", 0,
	  { "centos publishes no security advisories for its updates: " E_EACH,
	    "curl: curl 7.29.0-59.el7_9.2 -> 7.29.0-59.el7_9.3 (updates)",
	    "glibc: glibc 2.17-326.el7_9 -> 2.17-326.el7_9.3 (updates)",
	    "glibc: glibc-common 2.17-326.el7_9 -> 2.17-326.el7_9.3 (updates)",
	    "curl: libcurl 7.29.0-59.el7_9.2 -> 7.29.0-59.el7_9.3 (updates)",
	    "python: python 2.7.5-94.el7_9 -> 2.7.5-94.el7_9.1 (updates)",
	    "python: python-libs 2.7.5-94.el7_9 -> 2.7.5-94.el7_9.1 (updates)",
	    "14 more pending updates are not of important components" } },
	{ "rocky-9, scope: all: bug fixes too", "rocky-9", NULL, "scope: all", CHECK_FAIL,
	  "15 pending updates (10 security)", "dnf update", 0,
	  { "NetworkManager 1:1.46.0-8.el9_4 -> 1:1.46.0-13.el9_4 (baseos)",
	    "curl 7.76.1-29.el9_4 -> 7.76.1-29.el9_4.1 (baseos)", ROCKY_KRB5,
	    "tzdata 2024a-1.el9 -> 2024a-2.el9 (baseos)" } },
	{ "rocky-9, max_list_age: 30m: stale lists noted", "rocky-9", NULL, "max_list_age: 30m",
	  CHECK_FAIL, "10 pending security updates", "dnf update --security", 0,
	  { "the package lists are 58m old, more than the 30m allowed: pending fixes may be missing",
	    ROCKY_KRB5 } },
	{ "opensuse-leap-15, scope: all: zypper patch and update", "opensuse-leap-15", NULL,
	  "scope: all", CHECK_FAIL, "12 pending updates (9 security)", "zypper patch && zypper update",
	  0,
	  { "libzypp 17.34.1-150500.6.4.1 -> 17.35.1-150500.6.7.1 (Update repository with updates "
	    "from SUSE Linux Enterprise 15)",
	    "vim 9.1.0330-150500.20.12.1 -> 9.1.0330-150500.20.15.1 (Main Update Repository)" } },

	/* ---- apt, inline ---- */
	{ "nothing pending, fresh lists: pass", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE) DONE, NULL, CHECK_PASS,
	  "no pending security updates", NULL, 1, { E_LISTS_1H } },
	{ "nothing pending, scope: all: pass", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE) DONE, "scope: all", CHECK_PASS,
	  "no pending updates", NULL, 1, { E_LISTS_1H } },
	{ "only a non-security update: pass with scope: security", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE POL_HELLO_UPD) DONE, NULL,
	  CHECK_PASS, "no pending security updates", NULL, 1,
	  { E_LISTS_1H, "1 more pending update is not a security update" } },
	{ "only a non-security update: fail with scope: all", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE POL_HELLO_UPD) DONE, "scope: all",
	  CHECK_FAIL, "1 pending update (0 security)", FIX_APT, 1, { E_LISTS_1H, E_HELLO } },
	{ "one security update: fail", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_SEC POL_HELLO_UPD) DONE, NULL,
	  CHECK_FAIL, "1 pending security update", FIX_APT, 1,
	  { E_LISTS_1H, E_OPENSSL, "1 more pending update is not a security update" } },
	{ "components: important: only the openssl one", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_SEC POL_HELLO_UPD) DONE,
	  "{components: important, scope: all}", CHECK_FAIL,
	  "1 pending update of important components (1 security)", FIX_APT, 1,
	  { E_LISTS_1H, "openssl: " E_OPENSSL, "1 more pending update is not of an important component" } },
	{ "components: important, only an unimportant update: pass", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE POL_HELLO_UPD) DONE,
	  "{components: important, scope: all}", CHECK_PASS,
	  "no pending updates of important components", NULL, 1,
	  { E_LISTS_1H, "1 more pending update is not of an important component" } },
	{ "components: important without packages: error", NULL,
	  HDR META OS_DEBIAN TOOLS_APT APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_SEC) DONE,
	  "components: important", CHECK_ERROR,
	  "the important components are not known: packages were not collected",
	  "gather the facts again: the packages section is missing", 1, { NULL } },

	/* ---- freshness ---- */
	{ "stale lists, nothing pending: error", NULL,
	  DEB_BASE APT_LISTS(T_2D) SEC("updates", POL_OPENSSL_NONE) DONE, NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the package lists are 2d old, more than the 1d allowed",
	  FIX_APT_LISTS, 1, { E_LISTS_2D } },
	{ "stale lists, only a non-security update: error", NULL,
	  DEB_BASE APT_LISTS(T_2D) SEC("updates", POL_OPENSSL_NONE POL_HELLO_UPD) DONE, NULL,
	  CHECK_ERROR,
	  "pending updates cannot be judged: the package lists are 2d old, more than the 1d allowed",
	  FIX_APT_LISTS, 1, { E_LISTS_2D, "1 more pending update is not a security update" } },
	{ "stale lists, a security update: fail, staleness noted", NULL,
	  DEB_BASE APT_LISTS(T_2D) SEC("updates", POL_OPENSSL_SEC) DONE, NULL, CHECK_FAIL,
	  "1 pending security update", FIX_APT, 1, { E_LISTS_2D, E_OPENSSL } },
	{ "lists 2d old are fine with max_list_age: 3d", NULL,
	  DEB_BASE APT_LISTS(T_2D) SEC("updates", POL_OPENSSL_NONE) DONE, "max_list_age: 3d",
	  CHECK_PASS, "no pending security updates", NULL, 1,
	  { "package lists 2d old (not refreshed by this gather; at most 3d allowed)" } },
	{ "lists-age not collected: error", NULL,
	  DEB_BASE SEC("updates", POL_OPENSSL_NONE) DONE, NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the age of the package lists is not known (not "
	  "refreshed, lists-age not collected)",
	  FIX_APT_LISTS, 1,
	  { "the age of the package lists is not known (not refreshed, lists-age not collected): "
	    "pending fixes may be missing" } },
	{ "lists-age empty: error", NULL,
	  DEB_BASE SEC("lists-age", "") SEC("updates", POL_OPENSSL_NONE) DONE, NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the age of the package lists is not known (not "
	  "refreshed, no list files with a time)",
	  FIX_APT_LISTS, 1,
	  { "the age of the package lists is not known (not refreshed, no list files with a "
	    "time): pending fixes may be missing" } },
	{ "target clock unknown: list age unknown, error", NULL,
	  HDR OS_DEBIAN TOOLS_APT PKGS_DEB APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE) DONE,
	  NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the age of the package lists is not known (not "
	  "refreshed, the target's clock is not known)",
	  FIX_APT_LISTS, 1,
	  { "the age of the package lists is not known (not refreshed, the target's clock is not "
	    "known): pending fixes may be missing" } },
	{ "refresh failed: error", NULL,
	  DEB_BASE SEC_ST("refresh", "E: Failed to fetch http://pkgs.example.org/debian/dists/"
				     "bookworm-security/InRelease\n", "100")
		  APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_NONE) DONE,
	  NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the package metadata refresh failed (status 100)",
	  FIX_APT_LISTS, 1, { "the package metadata refresh failed (status 100)" } },
	{ "refresh failed, a security update: fail, failure noted", NULL,
	  DEB_BASE SEC_ST("refresh", "E: Temporary failure resolving 'pkgs.example.org'\n", "100")
		  APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_SEC) DONE,
	  NULL, CHECK_FAIL, "1 pending security update", FIX_APT, 1,
	  { "the package metadata refresh failed (status 100)", E_OPENSSL } },
	{ "refresh succeeded: old list files are no error", NULL,
	  DEB_BASE SEC("refresh", "Hit:1 http://pkgs.example.org/debian bookworm InRelease\n")
		  APT_LISTS(T_2D) SEC("updates", POL_OPENSSL_NONE) DONE,
	  NULL, CHECK_PASS, "no pending security updates", NULL, 1, { E_REFRESHED } },

	/* ---- listings missing, cut off or failed ---- */
	{ "updates not collected: error", NULL, DEB_BASE APT_LISTS(T_1H) DONE, NULL, CHECK_ERROR,
	  "pending updates were not collected", FIX_GATHER_UPDATES, 1, { NULL } },
	{ "no sections at all: error", NULL, HDR DONE, NULL, CHECK_ERROR,
	  "pending updates were not collected", FIX_GATHER_UPDATES, 1, { NULL } },
	{ "updates cut off: error", NULL,
	  DEB_BASE APT_LISTS(T_1H) "@@SRG T3stN0nce begin updates\n" POL_OPENSSL_NONE, NULL,
	  CHECK_ERROR, "the list of pending updates was cut off",
	  "gather the facts again: the updates section did not end", 1, { NULL } },
	{ "apt-cache policy failed: error", NULL,
	  DEB_BASE APT_LISTS(T_1H) SEC_ST("updates", "", "1") DONE, NULL, CHECK_ERROR,
	  "listing pending updates failed (status 1)", "make 'apt' work on the target, then verify again",
	  1, { NULL } },
	{ "no package manager known: error", NULL,
	  HDR META OS_DEBIAN APT_LISTS(T_1H) SEC("updates", POL_OPENSSL_SEC) DONE, NULL, CHECK_ERROR,
	  "pending updates cannot be judged: the package manager is not known",
	  "gather the facts again: no apt, dnf, yum, zypper or apk was found", 1, { NULL } },
	{ "dnf exit 100 with nothing listed: error", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) SEC_ST("updates", "\n", "100")
		  SECURITY_EMPTY DONE,
	  NULL, CHECK_ERROR, "dnf says updates are pending (status 100) but listed none",
	  "run 'dnf check-update' on the target and report its output", 1, { NULL } },
	{ "dnf check-update failed: error", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) SEC_ST("updates", "", "1")
		  SECURITY_EMPTY DONE,
	  NULL, CHECK_ERROR, "listing pending updates failed (status 1)",
	  "make 'dnf' work on the target, then verify again", 1, { NULL } },
	{ "dnf, nothing pending (exit 0): pass", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) SEC("updates", "") SECURITY_EMPTY DONE,
	  NULL, CHECK_PASS, "no pending security updates", NULL, 1,
	  { "package lists 1h old (not refreshed by this gather; at most 1d allowed)" } },

	/* ---- security classification (dnf, yum) ---- */
	{ "rocky: advisory marks openssl, tzdata is a bug fix", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_BOTH SECURITY_OPENSSL DONE, NULL,
	  CHECK_FAIL, "1 pending security update", "dnf update --security", 1,
	  { "package lists 1h old (not refreshed by this gather; at most 1d allowed)",
	    E_RPM_OPENSSL " [security: RLSA-2024:9999]",
	    "1 more pending update is not a security update" } },
	{ "rocky: empty advisory list, only a bug fix pending: pass", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA SECURITY_EMPTY DONE, NULL,
	  CHECK_PASS, "no pending security updates", NULL, 0,
	  { "1 more pending update is not a security update" } },
	{ "centos-style: empty advisory list while updates are pending: fail", NULL,
	  HDR META OS_CENTOS TOOLS_YUM PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA SECURITY_EMPTY DONE,
	  NULL, CHECK_FAIL,
	  "1 pending update, each possibly a security fix (no security classification)",
	  "yum update", 1,
	  { "package lists 1h old (not refreshed by this gather; at most 1d allowed)",
	    "centos publishes no security advisories for its updates: " E_EACH, E_RPM_TZDATA } },
	{ "centos-style, nothing pending: pass", NULL,
	  HDR META OS_CENTOS TOOLS_YUM PKGS_RPM RPM_LISTS(T_1H) SEC("updates", "") SECURITY_EMPTY
		  DONE,
	  NULL, CHECK_PASS, "no pending security updates", NULL, 1,
	  { "package lists 1h old (not refreshed by this gather; at most 1d allowed)" } },
	{ "centos-style, scope: all: no classification said", NULL,
	  HDR META OS_CENTOS TOOLS_YUM PKGS_RPM RPM_LISTS(T_1H) UPD_BOTH SECURITY_EMPTY DONE,
	  "scope: all", CHECK_FAIL, "2 pending updates (no security classification)", "yum update",
	  0, { "centos publishes no security advisories for its updates: " E_EACH, E_RPM_OPENSSL,
	       E_RPM_TZDATA } },
	{ "unknown rebuild: an empty advisory list is not trusted", NULL,
	  HDR META OS_NAVY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA SECURITY_EMPTY DONE, NULL,
	  CHECK_FAIL, "1 pending update, each possibly a security fix (no security classification)",
	  "dnf update", 0, { "navy is not known to publish security advisories: " E_EACH } },
	{ "security list failed: every update counts", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA
		  SEC_ST("security-updates", "", "1") DONE,
	  NULL, CHECK_FAIL,
	  "1 pending update, each possibly a security fix (no security classification)",
	  "dnf update", 0, { "security-updates failed (status 1): " E_EACH, E_RPM_TZDATA } },
	{ "security list not collected: every update counts", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA DONE, NULL, CHECK_FAIL,
	  "1 pending update, each possibly a security fix (no security classification)",
	  "dnf update", 0, { "security-updates was not collected: " E_EACH, E_RPM_TZDATA } },
	{ "security list cut off: every update counts", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_1H) UPD_TZDATA
		  "@@SRG T3stN0nce begin security-updates\n",
	  NULL, CHECK_FAIL,
	  "1 pending update, each possibly a security fix (no security classification)",
	  "dnf update", 0, { "security-updates did not finish: " E_EACH, E_RPM_TZDATA } },
	{ "apk marks nothing: every update counts", NULL,
	  HDR META SEC("os-release", "ID=alpine\nVERSION_ID=3.19.1\n")
		  SEC("pkg-tools", "apk\t/sbin/apk\n") SEC("packages", "busybox-1.36.1-r15\n")
			  SEC("lists-age", "/var/cache/apk/APKINDEX.4a1b2c3d.tar.gz\t" T_1H "\n")
				  SEC("updates", "(1/1) Upgrading busybox (1.36.1-r15 -> 1.36.1-r19)\n")
					  DONE,
	  NULL, CHECK_FAIL,
	  "1 pending update, each possibly a security fix (no security classification)",
	  "apk update && apk upgrade", 1,
	  { "package lists 1h old (not refreshed by this gather; at most 1d allowed)",
	    "apk marks no security updates: " E_EACH, "busybox 1.36.1-r15 -> 1.36.1-r19" } },
	{ "dnf, stale lists, only a bug fix: error", NULL,
	  HDR META OS_ROCKY TOOLS_DNF PKGS_RPM RPM_LISTS(T_2D) UPD_TZDATA SECURITY_EMPTY DONE, NULL,
	  CHECK_ERROR,
	  "pending updates cannot be judged: the package lists are 2d old, more than the 1d allowed",
	  FIX_DNF_LISTS, 1, { E_LISTS_2D, "1 more pending update is not a security update" } },
};

static void dump(const struct check_result *res)
{
	fprintf(stderr, "  got %s: %s\n", check_status_name(res->status),
		res->summary ? res->summary : "(no summary)");
	for (size_t i = 0; i < res->nevidence; i++)
		fprintf(stderr, "    | %s\n", res->evidence[i]);
	fprintf(stderr, "    fix: %s\n", res->remediation ? res->remediation : "(none)");
}

/* Is every expected line there, in order (all of them and nothing else when exact)? */
static int evidence_ok(const struct row *row, const struct check_result *res)
{
	size_t j = 0, k = 0;
	for (; k < MAX_EVIDENCE && row->evidence[k]; k++) {
		while (j < res->nevidence && strcmp(res->evidence[j], row->evidence[k])) {
			if (row->exact)
				return 0;
			j++;
		}
		if (j == res->nevidence)
			return 0;
		j++;
	}
	return !row->exact || j == res->nevidence;
}

static void eval_row(const struct row *row, struct check_result *res)
{
	struct diags d;
	struct ydoc *doc = NULL;
	struct params params = { NULL, 0 };
	struct facts *f = row->transcript ? test_facts_from_transcript(row->transcript)
					  : test_facts_from_text(row->text);

	diags_init(&d);
	if (row->with)
		assert_int_equal(ytree_parse("with.yaml", row->with, strlen(row->with), &doc, &d), 0);
	assert_int_equal(params_from_yaml(check_updates.params, doc ? doc->root : NULL,
					  (struct srcpos){ "p.yaml", 1, 1 }, NULL,
					  "check 'c' (updates)", &params, &d),
			 0);
	assert_int_equal(d.errors, 0);

	struct check_env env = { .f = f };
	check_updates.eval(&params, &env, res);

	params_release(&params);
	ydoc_free(doc);
	diags_release(&d);
	facts_free(f);
}

static void test_row(void **state)
{
	const struct row *row = *state;
	struct check_result res;
	check_result_init(&res);
	eval_row(row, &res);

	int ok = res.status == row->status && res.summary && !strcmp(res.summary, row->summary) &&
		 evidence_ok(row, &res) &&
		 (row->remedy ? res.remediation && !strcmp(res.remediation, row->remedy)
			      : !res.remediation);
	if (!ok) {
		fprintf(stderr, "row '%s':\n  want %s: %s\n", row->name, check_status_name(row->status),
			row->summary);
		for (size_t k = 0; k < MAX_EVIDENCE && row->evidence[k]; k++)
			fprintf(stderr, "    %s %s\n", row->exact ? "=" : "~", row->evidence[k]);
		fprintf(stderr, "    fix: %s\n", row->remedy ? row->remedy : "(none)");
		dump(&res);
	}
	check_result_release(&res);
	if (!ok)
		fail_msg("row '%s' did not match", row->name);
}

/* The schema: defaults as documented, bad values refused, the type in the table. */
static void test_schema(void **state)
{
	(void)state;
	struct diags d;
	struct params p;
	struct ydoc *doc = NULL;

	assert_ptr_equal(check_type_find("updates"), &check_updates);
	diags_init(&d);
	assert_int_equal(params_from_yaml(check_updates.params, NULL, (struct srcpos){ "p.yaml", 1, 1 },
					  NULL, "check 'c' (updates)", &p, &d),
			 0);
	assert_string_equal(params_get(&p, "scope")->v.s, "security");
	assert_string_equal(params_get(&p, "components")->v.s, "all");
	assert_int_equal(params_get(&p, "max_list_age")->v.i, 86400);
	params_release(&p);

	static const char *const bad[] = { "scope: everything", "components: some",
					   "max_list_age: soon", "max_list_age: 400d",
					   "max_age: 1d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t before = d.errors;
		assert_int_equal(ytree_parse("with.yaml", bad[i], strlen(bad[i]), &doc, &d), 0);
		if (params_from_yaml(check_updates.params, doc->root, (struct srcpos){ "p.yaml", 1, 1 },
				     NULL, "check 'c' (updates)", &p, &d) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_true(d.errors > before);
		ydoc_free(doc);
		doc = NULL;
	}
	for (const struct param_spec *s = check_updates.params; s->key; s++)
		assert_non_null(s->doc);
	diags_release(&d);
}

/* Parameters missing altogether (a caller that built none) mean the defaults. */
static void test_no_params(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("rocky-9");
	struct check_env env = { .f = f };
	struct params none = { NULL, 0 };
	struct check_result res;

	check_result_init(&res);
	check_updates.eval(&none, &env, &res);
	assert_int_equal(res.status, CHECK_FAIL);
	assert_string_equal(res.summary, "10 pending security updates");
	check_result_release(&res);
	facts_free(f);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(rows) / sizeof(rows[0]) + 2];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		tests[n++] = (struct CMUnitTest){ rows[i].name, test_row, NULL, NULL,
						  (void *)&rows[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_schema);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_params);
	return _cmocka_run_group_tests("check_updates", tests, n, NULL, NULL);
}
