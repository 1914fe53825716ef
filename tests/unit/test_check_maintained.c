/*
 * Unit tests of checks/os-maintained.c and checks/third-party-maintained.c:
 * one row per recorded transcript for each check, judged as of 2026-11-28
 * with the bundled end-of-life data (the snapshot of 2026-08-22), with and
 * without allow_extended where it changes something; then inline
 * transcripts for the edge cases (unknown or missing release, a release
 * newer than the data, CentOS Stream, cut-off sections, unknown versions and
 * programs, paths that do not tell). Each row gives the status, the summary,
 * every line of evidence and the remediation, exactly.
 *
 * What the data says (data/eol/) for the transcripts:
 *   alinux-3         alibaba-cloud-linux 3: eol 2031-03-31        -> maintained
 *   centos-6         centos 6: eol 2020-11-30                     -> ended
 *   centos-7         centos 7: eol 2024-06-30 (no extendedSupport) -> ended
 *   debian-8         debian 8: eol 2018-06-17, extendedSupport 2020-06-30 -> ended
 *   debian-12        debian 12: eol 2026-07-11, extendedSupport (LTS) 2028-06-30
 *                    -> ended unless allow_extended
 *   opensuse-leap-15 opensuse 15.5: eol 2024-12-31                -> ended
 *   rocky-9          rocky-linux 9: eol 2032-05-31                -> maintained
 *   ubuntu-22.04     ubuntu 22.04: eol 2027-04-01, extendedSupport (ESM) 2032-04-09
 *                    -> maintained
 *   upstream: nodejs 16 eol 2023-09-11, nodejs 18 eol 2025-04-30 (both with
 *   extendedSupport true), tomcat 8.5 eol 2024-03-31, eclipse-temurin 8 eol
 *   2030-12-31, redis 6.2 eol 2027-04-01, mariadb 10.6 eol 2026-07-06.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "date.h"
#include "facts.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

extern const struct check_type check_os_maintained;
extern const struct check_type check_third_party_maintained;

#define MAX_EVIDENCE 12
#define TODAY "2026-11-28"

struct row {
	const char *name;
	const struct check_type *type;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* YAML of `with`, or NULL */
	const char *today;      /* NULL: TODAY */
	enum check_status status;
	const char *summary;
	const char *evidence[MAX_EVIDENCE]; /* every line, in order */
	const char *remedy;                 /* exactly; NULL: none */
};

#define OS &check_os_maintained
#define TP &check_third_party_maintained
#define EXT "allow_extended: true"

/* ---- evidence lines shared by many rows ---- */

#define DATA "data: bundled endoflife.date snapshot of 2026-08-22 (98 days before 2026-11-28)"
#define AS_OF "judged as of 2026-11-28; extended support counts: no"
#define AS_OF_EXT "judged as of 2026-11-28; extended support counts: yes (allow_extended)"
#define AS_OF_DEB                                                                                 \
	"judged as of 2026-11-28; extended support counts: yes (debian's LTS is free and served " \
	"from the regular security archive)"
#define TP_AS_OF                                                                                 \
	"judged as of 2026-11-28 with the bundled endoflife.date snapshot of 2026-08-22; extended " \
	"support counts: no"
#define TP_AS_OF_EXT                                                                             \
	"judged as of 2026-11-28 with the bundled endoflife.date snapshot of 2026-08-22; extended " \
	"support counts: yes (allow_extended)"
#define PKG(prog, dir) prog ": from the distribution's packages (path rule: " dir " is package-managed): "
#define OUTSIDE(prog, dir) prog ": outside the package manager (path rule: " dir " is not package-managed): "

#define OS_ALINUX "os: Alibaba Cloud Linux 3 (Soaring Falcon) (id alinux, version_id 3"
#define OS_C6 "os: CentOS release 6.10 (Final) (id centos, version_id 6.10"
#define OS_C7 "os: CentOS Linux 7 (Core) (id centos, version_id 7"
#define OS_D8 "os: Debian GNU/Linux 8 (jessie) (id debian, version_id 8"
#define OS_D12 "os: Debian GNU/Linux 12 (bookworm) (id debian, version_id 12"
#define OS_SUSE "os: openSUSE Leap 15.5 (id opensuse-leap, version_id 15.5"
#define OS_ROCKY "os: Rocky Linux 9.4 (Blue Onyx) (id rocky, version_id 9.4"
#define OS_U22 "os: Ubuntu 22.04.4 LTS (id ubuntu, version_id 22.04"

#define ALINUX_WHY "eol 2031-03-31 not reached on 2026-11-28: 1584 days left"
#define C6_WHY "eol 2020-11-30 passed 2189 days before 2026-11-28"
#define C7_WHY "eol 2024-06-30 passed 881 days before 2026-11-28"
#define D8_WHY "eol 2018-06-17 passed 3086 days before 2026-11-28, extendedSupport 2020-06-30 passed too"
#define SUSE_WHY "eol 2024-12-31 passed 697 days before 2026-11-28"
#define ROCKY_WHY "eol 2032-05-31 not reached on 2026-11-28: 2011 days left"
#define U22_WHY "eol 2027-04-01 not reached on 2026-11-28: 124 days left"

#define C_ALINUX "product alibaba-cloud-linux, cycle 3: eol 2031-03-31, extendedSupport false, lts false"
#define C_C6 "product centos, cycle 6: eol 2020-11-30, support 2017-05-10, lts false, latest 6.10"
#define C_C7 "product centos, cycle 7: eol 2024-06-30, support 2020-08-06, lts false, latest 7 (2009)"
#define C_D8 "product debian, cycle 8 Jessie: eol 2018-06-17, extendedSupport 2020-06-30, lts false, latest 8.11"
#define C_D12 "product debian, cycle 12 Bookworm: eol 2026-07-11, extendedSupport 2028-06-30, lts false, latest 12.15"
#define C_SUSE "product opensuse, cycle 15.5: eol 2024-12-31, lts false"
#define C_ROCKY "product rocky-linux, cycle 9: eol 2032-05-31, support 2027-05-31, lts false, latest 9.8"
#define C_U22                                                                                  \
	"product ubuntu, cycle 22.04 Jammy Jellyfish: eol 2027-04-01, support 2024-09-30, "     \
	"extendedSupport 2032-04-09, lts true, latest 22.04.5"

#define REMEDY_CENTOS "no release of centos is maintained any more: rebuild the image on a maintained distribution"
#define REMEDY_PKG(os) "rebuild the image on a maintained release of " os ": its packages are maintained only while it is"

/* ---- inline transcripts ---- */

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"
#define CUT(name, body) "@@SRG T3stN0nce begin " name "\n" body

#define REL_U22 SEC("os-release", "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n")
#define REL_ANOLIS SEC("os-release", "PRETTY_NAME=\"Anolis OS 8.8\"\nID=\"anolis\"\nVERSION_ID=\"8.8\"\n")
#define REL_ROCKY SEC("os-release", "PRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\nID=\"rocky\"\nVERSION_ID=\"9.4\"\n")
#define TP_LIST(body) SEC("third-party", body)

static const struct row rows[] = {
	/* ---- os-maintained on the recorded transcripts ---- */
	{ "alinux-3", OS, "alinux-3", NULL, NULL, NULL, CHECK_PASS,
	  "alibaba-cloud-linux 3 is maintained until 2031-03-31",
	  { OS_ALINUX ", from os-release)", DATA, C_ALINUX, AS_OF, ALINUX_WHY }, NULL },
	{ "centos-6", OS, "centos-6", NULL, NULL, NULL, CHECK_FAIL,
	  "centos 6 is no longer maintained: end of life 2020-11-30",
	  { OS_C6 ", from redhat-release)", DATA, C_C6, AS_OF, C6_WHY }, REMEDY_CENTOS },
	{ "centos-7", OS, "centos-7", NULL, NULL, NULL, CHECK_FAIL,
	  "centos 7 is no longer maintained: end of life 2024-06-30",
	  { OS_C7 ", from os-release)", DATA, C_C7, AS_OF, C7_WHY }, REMEDY_CENTOS },
	{ "centos-7, allow_extended: the data has no extended support", OS, "centos-7", NULL, EXT,
	  NULL, CHECK_FAIL, "centos 7 is no longer maintained: end of life 2024-06-30",
	  { OS_C7 ", from os-release)", DATA, C_C7, AS_OF_EXT, C7_WHY }, REMEDY_CENTOS },
	{ "debian-8", OS, "debian-8", NULL, NULL, NULL, CHECK_FAIL,
	  "debian 8 is no longer maintained: end of life 2018-06-17",
	  { OS_D8 ", from os-release)", DATA, C_D8, AS_OF_DEB, D8_WHY },
	  "rebuild the image on a maintained release of debian (13, 12)" },
	{ "debian-8, allow_extended: LTS ended too", OS, "debian-8", NULL, EXT, NULL, CHECK_FAIL,
	  "debian 8 is no longer maintained: end of life 2018-06-17",
	  { OS_D8 ", from os-release)", DATA, C_D8, AS_OF_EXT, D8_WHY },
	  "rebuild the image on a maintained release of debian (13, 12)" },
	/*
	 * the data: Debian 12's regular security support ended 2026-07-11, its LTS
	 * runs to 2028-06-30; Debian LTS is free and in the regular security
	 * archive, so it counts without allow_extended
	 */
	{ "debian-12: LTS counts", OS, "debian-12", NULL, NULL, NULL, CHECK_PASS,
	  "debian 12 is maintained until 2028-06-30 (extended support)",
	  { OS_D12 ", from os-release)", DATA, C_D12, AS_OF_DEB,
	    "eol 2026-07-11 passed 140 days before 2026-11-28, extendedSupport 2028-06-30 not "
	    "reached: 580 days left" },
	  NULL },
	{ "debian-12, allow_extended: Debian LTS", OS, "debian-12", NULL, EXT, NULL, CHECK_PASS,
	  "debian 12 is maintained until 2028-06-30 (extended support)",
	  { OS_D12 ", from os-release)", DATA, C_D12, AS_OF_EXT,
	    "eol 2026-07-11 passed 140 days before 2026-11-28, extendedSupport 2028-06-30 not "
	    "reached: 580 days left" },
	  NULL },
	{ "debian-12 on its eol day", OS, "debian-12", NULL, NULL, "2026-07-11", CHECK_PASS,
	  "debian 12 is maintained until 2026-07-11",
	  { OS_D12 ", from os-release)",
	    "data: bundled endoflife.date snapshot of 2026-08-22", C_D12,
	    "judged as of 2026-07-11; extended support counts: yes (debian's LTS is free and served "
	    "from the regular security archive)",
	    "eol 2026-07-11 not reached on 2026-07-11: 0 days left" },
	  NULL },
	{ "debian-12 the day after: LTS", OS, "debian-12", NULL, NULL, "2026-07-12", CHECK_PASS,
	  "debian 12 is maintained until 2028-06-30 (extended support)",
	  { OS_D12 ", from os-release)",
	    "data: bundled endoflife.date snapshot of 2026-08-22", C_D12,
	    "judged as of 2026-07-12; extended support counts: yes (debian's LTS is free and served "
	    "from the regular security archive)",
	    "eol 2026-07-11 passed 1 days before 2026-07-12, extendedSupport 2028-06-30 not reached: "
	    "719 days left" },
	  NULL },
	{ "debian-12 after its LTS", OS, "debian-12", NULL, NULL, "2028-07-01", CHECK_FAIL,
	  "debian 12 is no longer maintained: end of life 2026-07-11",
	  { OS_D12 ", from os-release)",
	    "data: bundled endoflife.date snapshot of 2026-08-22 (679 days before 2028-07-01)", C_D12,
	    "judged as of 2028-07-01; extended support counts: yes (debian's LTS is free and served "
	    "from the regular security archive)",
	    "eol 2026-07-11 passed 721 days before 2028-07-01, extendedSupport 2028-06-30 passed too" },
	  "rebuild the image on a maintained release of debian (13)" },
	{ "opensuse-leap-15", OS, "opensuse-leap-15", NULL, NULL, NULL, CHECK_FAIL,
	  "opensuse 15.5 is no longer maintained: end of life 2024-12-31",
	  { OS_SUSE ", from os-release)", DATA, C_SUSE, AS_OF, SUSE_WHY },
	  "rebuild the image on a maintained release of opensuse (16.0)" },
	{ "rocky-9", OS, "rocky-9", NULL, NULL, NULL, CHECK_PASS,
	  "rocky-linux 9 is maintained until 2032-05-31",
	  { OS_ROCKY ", from os-release)", DATA, C_ROCKY, AS_OF, ROCKY_WHY }, NULL },
	{ "ubuntu-22.04", OS, "ubuntu-22.04", NULL, NULL, NULL, CHECK_PASS,
	  "ubuntu 22.04 is maintained until 2027-04-01",
	  { OS_U22 ", from os-release)", DATA, C_U22, AS_OF, U22_WHY }, NULL },
	{ "ubuntu-22.04, allow_extended: standard support still runs", OS, "ubuntu-22.04", NULL, EXT,
	  NULL, CHECK_PASS, "ubuntu 22.04 is maintained until 2027-04-01",
	  { OS_U22 ", from os-release)", DATA, C_U22, AS_OF_EXT, U22_WHY }, NULL },

	/* ---- os-maintained, edge cases ---- */
	{ "no release file at all", OS, NULL, HDR DONE, NULL, NULL, CHECK_ERROR,
	  "the os release was not collected", { NULL },
	  "gather facts again: the os-release section is missing" },
	{ "os-release cut off", OS, NULL,
	  HDR CUT("os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"),
	  NULL, NULL, CHECK_ERROR, "the section 'os-release' did not end", { NULL },
	  "gather facts again" },
	{ "a distribution without end-of-life data", OS, NULL, HDR REL_ANOLIS DONE, NULL, NULL,
	  CHECK_ERROR, "no end-of-life data for os 'anolis'",
	  { "os: Anolis OS 8.8 (id anolis, version_id 8.8, from os-release)" },
	  "judge the release's support by hand and waive this check with the reason" },
	{ "a release without a version", OS, NULL,
	  HDR SEC("os-release", "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n") DONE, NULL,
	  NULL, CHECK_ERROR, "the os release has no version",
	  { "os: Debian GNU/Linux trixie/sid (id debian, version_id unknown, from os-release)" },
	  "judge the release's support by hand and waive this check with the reason" },
	{ "a release newer than the data", OS, NULL,
	  HDR SEC("os-release", "PRETTY_NAME=\"Ubuntu 26.10\"\nID=ubuntu\nVERSION_ID=\"26.10\"\n") DONE,
	  NULL, NULL, CHECK_ERROR, "no release cycle of 'ubuntu' matches version '26.10'",
	  { "os: Ubuntu 26.10 (id ubuntu, version_id 26.10, from os-release)", DATA,
	    "cycles in the data: 26.04, 25.10, 25.04, 24.10, 24.04, 23.10, 23.04, 22.10, 22.04, "
	    "21.10, 21.04, 20.10, ..." },
	  "refresh the end-of-life data (a release newer than the data), or judge the release by "
	  "hand and waive this check with the reason" },
	{ "CentOS Stream says ID=centos", OS, NULL,
	  HDR SEC("os-release", "NAME=\"CentOS Stream\"\nPRETTY_NAME=\"CentOS Stream 9\"\nID=\"centos\"\nVERSION_ID=\"9\"\n") DONE,
	  NULL, NULL, CHECK_PASS, "centos-stream 9 is maintained until 2027-05-31",
	  { "os: CentOS Stream 9 (id centos, version_id 9, from os-release)", DATA,
	    "product centos-stream, cycle 9: eol 2027-05-31, support 2027-05-31, lts false", AS_OF,
	    "eol 2027-05-31 not reached on 2026-11-28: 184 days left" },
	  NULL },
	{ "eol false: no end announced", OS, NULL,
	  HDR SEC("os-release", "PRETTY_NAME=\"Oracle Linux Server 10.0\"\nID=\"ol\"\nVERSION_ID=\"10.0\"\n") DONE,
	  NULL, NULL, CHECK_PASS, "oracle-linux 10 is maintained, no end announced",
	  { "os: Oracle Linux Server 10.0 (id ol, version_id 10.0, from os-release)", DATA,
	    "product oracle-linux, cycle 10: eol false, extendedSupport true, lts false, latest 10.1",
	    AS_OF, "eol false: no end announced" },
	  NULL },
	{ "Amazon Linux 2 ended on 2026-06-30", OS, NULL,
	  HDR SEC("os-release", "PRETTY_NAME=\"Amazon Linux 2\"\nID=\"amzn\"\nVERSION_ID=\"2\"\n") DONE,
	  NULL, NULL, CHECK_FAIL, "amazon-linux 2 is no longer maintained: end of life 2026-06-30",
	  { "os: Amazon Linux 2 (id amzn, version_id 2, from os-release)", DATA,
	    "product amazon-linux, cycle 2: eol 2026-06-30, support 2026-06-30, lts false, latest "
	    "2.0.20260817.0",
	    AS_OF, "eol 2026-06-30 passed 151 days before 2026-11-28" },
	  "rebuild the image on a maintained release of amazon-linux (2023)" },

	/* ---- third-party-maintained on the recorded transcripts ---- */
	{ "alinux-3: node 18 under /opt", TP, "alinux-3", NULL, NULL, NULL, CHECK_FAIL,
	  "1 of 2 third-party components are not maintained: node 18.20.3",
	  { OS_ALINUX "): alibaba-cloud-linux 3 maintained", TP_AS_OF,
	    PKG("nginx 1.20.1 (/usr/sbin/nginx)", "/usr/sbin")
	    "maintained with alibaba-cloud-linux 3 (" ALINUX_WHY "); upstream, not decisive: nginx "
	    "1.20: eol 2022-05-24 passed 1649 days before 2026-11-28",
	    OUTSIDE("node 18.20.3 (/opt/node-v18.20.3-linux-x64/bin/node)", "/opt")
	    "not maintained upstream: nodejs 18: eol 2025-04-30 passed 577 days before 2026-11-28; "
	    "extendedSupport true (no end announced) does not count (allow_extended is off)" },
	  "node at /opt/node-v18.20.3-linux-x64/bin/node: upgrade to a maintained nodejs release "
	  "(26, 24, 22) or install it from the distribution's packages" },
	{ "alinux-3, allow_extended: Node.js 18's vendor support counts", TP, "alinux-3", NULL, EXT,
	  NULL, CHECK_PASS, "every third-party component is maintained: nginx 1.20.1, node 18.20.3",
	  { OS_ALINUX "): alibaba-cloud-linux 3 maintained", TP_AS_OF_EXT,
	    PKG("nginx 1.20.1 (/usr/sbin/nginx)", "/usr/sbin")
	    "maintained with alibaba-cloud-linux 3 (" ALINUX_WHY "); upstream, not decisive: nginx "
	    "1.20: eol 2022-05-24 passed 1649 days before 2026-11-28",
	    OUTSIDE("node 18.20.3 (/opt/node-v18.20.3-linux-x64/bin/node)", "/opt")
	    "maintained upstream: nodejs 18: eol 2025-04-30 passed 577 days before 2026-11-28, "
	    "extendedSupport true: no end announced" },
	  NULL },
	{ "centos-6: packages of an ended release", TP, "centos-6", NULL, NULL, NULL, CHECK_FAIL,
	  "2 of 2 third-party components are not maintained: httpd 2.2.15, php 5.3.3",
	  { OS_C6 "): centos 6 not maintained", TP_AS_OF,
	    PKG("httpd 2.2.15 (/usr/sbin/httpd)", "/usr/sbin")
	    "not maintained: centos 6 is not (" C6_WHY "); upstream, not decisive: "
	    "apache-http-server 2.2: eol 2017-07-11 passed 3427 days before 2026-11-28",
	    PKG("php 5.3.3 (/usr/bin/php)", "/usr/bin")
	    "not maintained: centos 6 is not (" C6_WHY "); upstream, not decisive: php 5.3: eol "
	    "2014-08-14 passed 4489 days before 2026-11-28" },
	  REMEDY_PKG("centos") },
	{ "centos-7: packages of an ended release, Tomcat 8.5 under /opt", TP, "centos-7", NULL, NULL,
	  NULL, CHECK_FAIL,
	  "5 of 5 third-party components are not maintained: php-fpm 7.4.33, nginx 1.20.1, php "
	  "7.4.33, java 1.8.0, tomcat 8.5.99",
	  { OS_C7 "): centos 7 not maintained", TP_AS_OF,
	    PKG("php-fpm 7.4.33 (/usr/sbin/php-fpm)", "/usr/sbin")
	    "not maintained: centos 7 is not (" C7_WHY "); upstream, not decisive: php 7.4: eol "
	    "2022-11-28 passed 1461 days before 2026-11-28",
	    PKG("nginx 1.20.1 (/usr/sbin/nginx)", "/usr/sbin")
	    "not maintained: centos 7 is not (" C7_WHY "); upstream, not decisive: nginx 1.20: eol "
	    "2022-05-24 passed 1649 days before 2026-11-28",
	    PKG("php 7.4.33 (/usr/bin/php)", "/usr/bin")
	    "not maintained: centos 7 is not (" C7_WHY "); upstream, not decisive: php 7.4: eol "
	    "2022-11-28 passed 1461 days before 2026-11-28",
	    PKG("java 1.8.0 (/usr/bin/java)", "/usr/bin")
	    "not maintained: centos 7 is not (" C7_WHY "); upstream, not decisive: eclipse-temurin "
	    "8: eol 2030-12-31 not reached on 2026-11-28: 1494 days left",
	    OUTSIDE("tomcat 8.5.99 (/opt/apache-tomcat-8.5.99/bin/catalina.sh)", "/opt")
	    "not maintained upstream: tomcat 8.5: eol 2024-03-31 passed 972 days before 2026-11-28" },
	  REMEDY_PKG("centos") "; tomcat at /opt/apache-tomcat-8.5.99/bin/catalina.sh: upgrade to a "
	  "maintained tomcat release (11.0, 10.1, 9.0) or install it from the distribution's packages" },
	{ "debian-8: PHP 5.6, MySQL 5.5, Apache 2.4 from jessie", TP, "debian-8", NULL, NULL, NULL,
	  CHECK_FAIL,
	  "3 of 3 third-party components are not maintained: mysqld 5.5.62, apache2 2.4.10, php 5.6.40",
	  { OS_D8 "): debian 8 not maintained", TP_AS_OF,
	    PKG("mysqld 5.5.62 (/usr/sbin/mysqld)", "/usr/sbin")
	    "not maintained: debian 8 is not (" D8_WHY "); upstream, not decisive: mysql 5.5: eol "
	    "2018-12-31 passed 2889 days before 2026-11-28",
	    PKG("apache2 2.4.10 (/usr/sbin/apache2)", "/usr/sbin")
	    "not maintained: debian 8 is not (" D8_WHY "); upstream, not decisive: "
	    "apache-http-server 2.4: eol false: no end announced",
	    PKG("php 5.6.40 (/usr/bin/php)", "/usr/bin")
	    "not maintained: debian 8 is not (" D8_WHY "); upstream, not decisive: php 5.6: eol "
	    "2018-12-31 passed 2889 days before 2026-11-28" },
	  REMEDY_PKG("debian") },
	{ "debian-12: none found", TP, "debian-12", NULL, NULL, NULL, CHECK_PASS,
	  "no third-party programs found", { NULL }, NULL },
	{ "opensuse-leap-15: MariaDB and Apache of an ended Leap", TP, "opensuse-leap-15", NULL, NULL,
	  NULL, CHECK_FAIL,
	  "3 of 3 third-party components are not maintained: mysqld 10.6.18, mariadbd 10.6.18, httpd "
	  "2.4.51",
	  { OS_SUSE "): opensuse 15.5 not maintained", TP_AS_OF,
	    PKG("mysqld 10.6.18 (/usr/sbin/mysqld)", "/usr/sbin")
	    "not maintained: opensuse 15.5 is not (" SUSE_WHY "); upstream, not decisive: mariadb "
	    "10.6: eol 2026-07-06 passed 145 days before 2026-11-28; extendedSupport 2029-08-23 does "
	    "not count (allow_extended is off)",
	    PKG("mariadbd 10.6.18 (/usr/sbin/mariadbd)", "/usr/sbin")
	    "not maintained: opensuse 15.5 is not (" SUSE_WHY "); upstream, not decisive: mariadb "
	    "10.6: eol 2026-07-06 passed 145 days before 2026-11-28; extendedSupport 2029-08-23 does "
	    "not count (allow_extended is off)",
	    PKG("httpd 2.4.51 (/usr/sbin/httpd)", "/usr/sbin")
	    "not maintained: opensuse 15.5 is not (" SUSE_WHY "); upstream, not decisive: "
	    "apache-http-server 2.4: eol false: no end announced" },
	  REMEDY_PKG("opensuse") },
	{ "rocky-9: Redis from the distribution", TP, "rocky-9", NULL, NULL, NULL, CHECK_PASS,
	  "every third-party component is maintained: redis-server 6.2.7",
	  { OS_ROCKY "): rocky-linux 9 maintained", TP_AS_OF,
	    PKG("redis-server 6.2.7 (/usr/bin/redis-server)", "/usr/bin")
	    "maintained with rocky-linux 9 (" ROCKY_WHY "); upstream, not decisive: redis 6.2: eol "
	    "2027-04-01 not reached on 2026-11-28: 124 days left" },
	  NULL },
	{ "ubuntu-22.04: node 16 under /usr/local, nginx from the archive", TP, "ubuntu-22.04", NULL,
	  NULL, NULL, CHECK_FAIL, "1 of 2 third-party components are not maintained: node 16.20.2",
	  { OS_U22 "): ubuntu 22.04 maintained", TP_AS_OF,
	    OUTSIDE("node 16.20.2 (/usr/local/bin/node)", "/usr/local")
	    "not maintained upstream: nodejs 16: eol 2023-09-11 passed 1174 days before 2026-11-28; "
	    "extendedSupport true (no end announced) does not count (allow_extended is off)",
	    PKG("nginx 1.18.0 (/usr/sbin/nginx)", "/usr/sbin")
	    "maintained with ubuntu 22.04 (" U22_WHY "); upstream, not decisive: nginx 1.18: eol "
	    "2021-04-20 passed 2048 days before 2026-11-28" },
	  "node at /usr/local/bin/node: upgrade to a maintained nodejs release (26, 24, 22) or "
	  "install it from the distribution's packages" },

	/* ---- third-party-maintained, edge cases ---- */
	{ "not collected", TP, NULL, HDR REL_U22 DONE, NULL, NULL, CHECK_ERROR,
	  "third-party programs were not collected", { NULL },
	  "gather facts again: the third-party section is missing" },
	{ "cut off", TP, NULL, HDR REL_U22 CUT("third-party", "node\t/usr/local/bin/node\tv22.1.0\n"),
	  NULL, NULL, CHECK_ERROR, "the section 'third-party' did not end: the list may be cut short",
	  { NULL }, "gather facts again" },
	{ "an empty list", TP, NULL, HDR REL_U22 TP_LIST("") DONE, NULL, NULL, CHECK_PASS,
	  "no third-party programs found", { NULL }, NULL },
	{ "Java 8 under /opt: Temurin 8 runs to 2030", TP, NULL,
	  HDR REL_U22 TP_LIST("java\t/opt/jdk8u402-b06/bin/java\topenjdk version \"1.8.0_402\"\n") DONE,
	  NULL, NULL, CHECK_PASS, "every third-party component is maintained: java 1.8.0",
	  { OS_U22 "): ubuntu 22.04 maintained", TP_AS_OF,
	    OUTSIDE("java 1.8.0 (/opt/jdk8u402-b06/bin/java)", "/opt")
	    "maintained upstream: eclipse-temurin 8: eol 2030-12-31 not reached on 2026-11-28: 1494 "
	    "days left" },
	  NULL },
	{ "a version that is not known, beside one that fails", TP, NULL,
	  HDR REL_U22 TP_LIST("tomcat\t/opt/tomcat/bin/catalina.sh\t\n"
			      "node\t/usr/local/bin/node\tv16.20.2\n") DONE,
	  NULL, NULL, CHECK_FAIL,
	  "1 of 2 third-party components are not maintained: node 16.20.2 (cannot judge: tomcat)",
	  { OS_U22 "): ubuntu 22.04 maintained", TP_AS_OF,
	    OUTSIDE("tomcat (version unknown) (/opt/tomcat/bin/catalina.sh)", "/opt")
	    "error: its version is not known",
	    OUTSIDE("node 16.20.2 (/usr/local/bin/node)", "/usr/local")
	    "not maintained upstream: nodejs 16: eol 2023-09-11 passed 1174 days before 2026-11-28; "
	    "extendedSupport true (no end announced) does not count (allow_extended is off)" },
	  "node at /usr/local/bin/node: upgrade to a maintained nodejs release (26, 24, 22) or "
	  "install it from the distribution's packages" },
	{ "a version that is not known, alone", TP, NULL,
	  HDR REL_U22 TP_LIST("tomcat\t/opt/tomcat/bin/catalina.sh\t\n") DONE, NULL, NULL,
	  CHECK_ERROR, "cannot judge 1 of 1 third-party components: tomcat",
	  { OS_U22 "): ubuntu 22.04 maintained", TP_AS_OF,
	    OUTSIDE("tomcat (version unknown) (/opt/tomcat/bin/catalina.sh)", "/opt")
	    "error: its version is not known" },
	  "judge them by hand and waive this check with the reason, or refresh the end-of-life data" },
	{ "a line the data does not have, a program it does not know, no path", TP, NULL,
	  HDR REL_U22 TP_LIST("nginx\t/usr/local/nginx/sbin/nginx\tnginx version: nginx/1.17.10\n"
			      "perl\t/usr/bin/perl\tThis is perl 5, version 34\n"
			      "node\t\tv16.20.2\n") DONE,
	  NULL, NULL, CHECK_ERROR,
	  "cannot judge 3 of 3 third-party components: nginx 1.17.10, perl, node 16.20.2",
	  { OS_U22 "): ubuntu 22.04 maintained", TP_AS_OF,
	    OUTSIDE("nginx 1.17.10 (/usr/local/nginx/sbin/nginx)", "/usr/local")
	    "error: no release cycle of 'nginx' matches version '1.17.10'",
	    "perl (version unknown) (/usr/bin/perl): error: no end-of-life product for program 'perl'",
	    "node 16.20.2 ((path unknown)): error: cannot tell whether it came from a package; "
	    "upstream: nodejs 16: eol 2023-09-11 passed 1174 days before 2026-11-28; "
	    "extendedSupport true (no end announced) does not count (allow_extended is off)" },
	  "judge them by hand and waive this check with the reason, or refresh the end-of-life data" },
	{ "packages of a release without data; PHP 8.3 by hand is maintained", TP, NULL,
	  HDR REL_ANOLIS TP_LIST("nginx\t/usr/sbin/nginx\tnginx version: nginx/1.20.1\n"
				 "php\t/usr/local/bin/php\tPHP 8.3.6 (cli)\n") DONE,
	  NULL, NULL, CHECK_ERROR, "cannot judge 1 of 2 third-party components: nginx 1.20.1",
	  { "os: Anolis OS 8.8 (id anolis, version_id 8.8): error: no end-of-life data for os 'anolis'",
	    TP_AS_OF,
	    PKG("nginx 1.20.1 (/usr/sbin/nginx)", "/usr/sbin")
	    "error: no end-of-life data for os 'anolis'; upstream, not decisive: nginx 1.20: eol "
	    "2022-05-24 passed 1649 days before 2026-11-28",
	    OUTSIDE("php 8.3.6 (/usr/local/bin/php)", "/usr/local")
	    "maintained upstream: php 8.3: eol 2027-12-31 not reached on 2026-11-28: 398 days left" },
	  "judge them by hand and waive this check with the reason, or refresh the end-of-life data" },
	{ "MySQL 8.0 and Redis 7.0 by hand, MariaDB 11.4 by hand, Jetty from a package", TP, NULL,
	  HDR REL_ROCKY TP_LIST(
		  "mysqld\t/usr/local/mysql/bin/mysqld\t/usr/local/mysql/bin/mysqld  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)\n"
		  "redis-server\t/opt/redis/bin/redis-server\tRedis server v=7.0.15 sha=00000000:0\n"
		  "mariadbd\t/opt/mariadb/bin/mariadbd\t/opt/mariadb/bin/mariadbd  Ver 11.4.2-MariaDB for Linux\n"
		  "jetty\t/usr/share/jetty9/start.jar\tjetty-9.4.53.v20231009\n") DONE,
	  NULL, NULL, CHECK_FAIL,
	  "2 of 4 third-party components are not maintained: mysqld 8.0.36, redis-server 7.0.15",
	  { OS_ROCKY "): rocky-linux 9 maintained", TP_AS_OF,
	    OUTSIDE("mysqld 8.0.36 (/usr/local/mysql/bin/mysqld)", "/usr/local")
	    "not maintained upstream: mysql 8.0: eol 2026-04-30 passed 212 days before 2026-11-28",
	    OUTSIDE("redis-server 7.0.15 (/opt/redis/bin/redis-server)", "/opt")
	    "not maintained upstream: redis 7.0: eol 2024-07-29 passed 852 days before 2026-11-28",
	    OUTSIDE("mariadbd 11.4.2 (/opt/mariadb/bin/mariadbd)", "/opt")
	    "maintained upstream: mariadb 11.4: eol 2029-05-29 not reached on 2026-11-28: 913 days "
	    "left",
	    PKG("jetty 9.4.53 (/usr/share/jetty9/start.jar)", "/usr/share")
	    "maintained with rocky-linux 9 (" ROCKY_WHY "); upstream, not decisive: eclipse-jetty "
	    "9.4: eol 2025-08-14 passed 471 days before 2026-11-28; extendedSupport true (no end "
	    "announced) does not count (allow_extended is off)" },
	  "mysqld at /usr/local/mysql/bin/mysqld: upgrade to a maintained mysql release (9.7, 8.4) or "
	  "install it from the distribution's packages; redis-server at "
	  "/opt/redis/bin/redis-server: upgrade to a maintained redis release (8.10, 8.8, 8.6, 8.4) "
	  "or install it from the distribution's packages" },
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
	if (!row->remedy != !r->remediation)
		return 0;
	return !row->remedy || !strcmp(row->remedy, r->remediation);
}

static void test_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		failed += !test_check_row(row->type, row->name, row->with, row->transcript, row->text,
					  row->today ? row->today : TODAY, row_matches, row);
	}
	assert_int_equal(failed, 0);
}

/* Every recorded transcript has a row for each check. */
static void test_every_transcript(void **state)
{
	(void)state;
	static const char *const names[] = { "alinux-3", "centos-6", "centos-7", "debian-8",
					     "debian-12", "opensuse-leap-15", "rocky-9",
					     "ubuntu-22.04" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		for (int t = 0; t < 2; t++) {
			const struct check_type *type = t ? TP : OS;
			int found = 0;
			for (size_t k = 0; k < ARRAY_SIZE(rows); k++)
				found += rows[k].type == type && rows[k].transcript &&
					 !strcmp(rows[k].transcript, names[i]) && !rows[k].with &&
					 !rows[k].today;
			if (found != 1)
				fail_msg("%s: %d default rows for %s", names[i], found, type->name);
		}
}

/* ---- the types themselves ---- */

static void test_types(void **state)
{
	(void)state;
	const struct check_type *types[] = { OS, TP };
	assert_string_equal(check_os_maintained.name, "os-maintained");
	assert_string_equal(check_third_party_maintained.name, "third-party-maintained");
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		struct params p = { NULL, 0 };
		assert_non_null(types[i]->eval);
		test_check_params_ok(types[i], "m", NULL, &p);
		const struct param *ext = params_get(&p, "allow_extended");
		assert_non_null(ext);
		assert_true(ext->is_default);
		assert_int_equal(ext->v.kind, PV_BOOL);
		assert_int_equal(ext->v.i, 0);
		params_release(&p);
		test_check_params_ok(types[i], "m", EXT, &p);
		assert_int_equal(params_get(&p, "allow_extended")->v.i, 1);
		params_release(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_every_transcript),
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
