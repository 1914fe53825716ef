/*
 * Unit tests of checks/package-sources.c (clause 2.1-4) and of its data,
 * data/official-sources.json.
 *
 * The recorded transcripts write every repository host as *.example.org, so
 * each of them fails as it is (none of its hosts is an official one) and is
 * judged a second time with the example hosts that stand in for the real
 * official mirrors given in extra_official. The expected counts were taken
 * from the sources sections of the transcripts themselves. Inline rows use
 * real host names: official mirrors, a PPA, Docker's repository, EPEL on
 * Alibaba Cloud's mirror, disabled repositories, local and mirror+file ones.
 */
#include "helpers.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundled.h"
#include "check.h"
#include "facts.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"
#include "ytree.h"

extern const struct check_type check_package_sources;
extern const struct bundled_file embedded_official_sources[];

#define TN "S0urcesN0nce"
#define M "@@SRG " TN " "
#define SEC(name, body) M "begin " name "\n" body M "end " name " 0\n"
#define FILE_(path) M "file " path "\n"
#define OS(id, like) SEC("os-release", "ID=" id "\nID_LIKE=\"" like "\"\n")

struct judged {
	struct check_result r;
	char *evidence; /* every line, each ending with \n */
};

static void judge(const struct facts *f, const char *with, struct judged *j)
{
	struct params p = { NULL, 0 };
	struct check_env env = { f, NULL, 0, 0, "sources" };
	struct strbuf sb = STRBUF_INIT;

	test_check_params_ok(&check_package_sources, "c", with, &p);
	check_result_init(&j->r);
	check_package_sources.eval(&p, &env, &j->r);
	for (size_t i = 0; i < j->r.nevidence; i++)
		strbuf_addf(&sb, "%s\n", j->r.evidence[i]);
	j->evidence = strbuf_detach(&sb);
	params_release(&p);
}

static void judged_release(struct judged *j)
{
	check_result_release(&j->r);
	free(j->evidence);
}

/* One expectation: status, exact summary, text every listed evidence line holds. */
struct row {
	const char *what;     /* transcript name, or a label for inline text */
	const char *text;     /* inline transcript body, NULL for a recorded one */
	const char *with;     /* parameters as YAML, NULL for none */
	enum check_status status;
	const char *summary;
	const char *evidence[6]; /* substrings of the evidence, each on some line */
	const char *absent;   /* a substring no evidence line may hold */
};

static int run_row(const struct row *row)
{
	struct facts *f;
	struct judged j;
	int bad = 0;

	if (row->text) {
		char *t = xasprintf(M "gather 1\n%s" M "done\n", row->text);
		f = test_facts_from_text(t);
		free(t);
	} else {
		f = test_facts_from_transcript(row->what);
	}
	judge(f, row->with, &j);
	if (j.r.status != row->status || !j.r.summary || strcmp(j.r.summary, row->summary)) {
		print_error("%s: got %s \"%s\", expected %s \"%s\"\nevidence:\n%s", row->what,
			    check_status_name(j.r.status), j.r.summary ? j.r.summary : "(null)",
			    check_status_name(row->status), row->summary, j.evidence);
		bad++;
	}
	for (size_t i = 0; i < 6 && row->evidence[i]; i++)
		if (!strstr(j.evidence, row->evidence[i])) {
			print_error("%s: no evidence holds \"%s\":\n%s", row->what, row->evidence[i],
				    j.evidence);
			bad++;
		}
	if (row->absent && strstr(j.evidence, row->absent)) {
		print_error("%s: evidence holds \"%s\":\n%s", row->what, row->absent, j.evidence);
		bad++;
	}
	if ((row->status == CHECK_FAIL || row->status == CHECK_ERROR) && !j.r.remediation) {
		print_error("%s: no remediation\n", row->what);
		bad++;
	}
	judged_release(&j);
	facts_free(f);
	return bad;
}

/* ---- the recorded transcripts ---- */

static const struct row transcript_rows[] = {
	/* as recorded, every host is an example one: nothing is official */
	{ "debian-12", NULL, NULL, CHECK_FAIL,
	  "2 of 2 repositories are not official channels of Debian",
	  { "not an official channel: /etc/apt/sources.list.d/debian.sources: deb http://pkgs.example.org/debian bookworm bookworm-updates main",
	    "not an official channel: /etc/apt/sources.list.d/debian.sources: deb http://pkgs.example.org/debian-security bookworm-security main" },
	  NULL },
	{ "debian-12", NULL, "extra_official: [pkgs.example.org]", CHECK_PASS,
	  "all 2 repositories are official channels of Debian",
	  { "official (pkgs.example.org): http://pkgs.example.org/debian\n",
	    "official (pkgs.example.org): http://pkgs.example.org/debian-security\n" },
	  "not an official" },
	/* a path pattern: /debian is not /debian-security */
	{ "debian-12", NULL, "extra_official: [pkgs.example.org/debian]", CHECK_FAIL,
	  "1 of 2 repositories are not official channels of Debian",
	  { "not an official channel: /etc/apt/sources.list.d/debian.sources: deb http://pkgs.example.org/debian-security bookworm-security main" },
	  "example.org/debian bookworm" },
	{ "debian-8", NULL, NULL, CHECK_FAIL, "4 of 4 repositories are not official channels of Debian",
	  { "/etc/apt/sources.list: deb-src http://security.example.org/ jessie/updates main",
	    "/etc/apt/sources.list: deb http://archive.example.org/debian/ jessie main" },
	  NULL },
	{ "debian-8", NULL, "extra_official: [archive.example.org, security.example.org]", CHECK_PASS,
	  "all 4 repositories are official channels of Debian",
	  { "official (archive.example.org): http://archive.example.org/debian/",
	    "official (security.example.org): http://security.example.org/" },
	  NULL },
	{ "ubuntu-22.04", NULL, NULL, CHECK_FAIL,
	  "10 of 10 repositories are not official channels of Ubuntu",
	  { "/etc/apt/sources.list: deb http://archive.example.org/ubuntu jammy-backports main restricted universe multiverse",
	    "/etc/apt/sources.list: deb http://security.example.org/ubuntu jammy-security multiverse" },
	  NULL },
	{ "ubuntu-22.04", NULL, "extra_official: [archive.example.org, security.example.org]", CHECK_PASS,
	  "all 10 repositories are official channels of Ubuntu",
	  { "official (archive.example.org): http://archive.example.org/ubuntu",
	    "official (security.example.org): http://security.example.org/ubuntu" },
	  NULL },
	/* base, updates, extras by mirrorlist; centosplus and contrib disabled */
	{ "centos-6", NULL, NULL, CHECK_FAIL,
	  "3 of 3 repositories are not official channels of CentOS (2 disabled, not judged)",
	  { "/etc/yum.repos.d/CentOS-Base.repo [base]: mirrorlist http://mirrorlist.example.org/?release=$releasever&arch=$basearch&repo=os&infra=$infra" },
	  "centosplus" },
	{ "centos-6", NULL, "extra_official: [mirrorlist.example.org]", CHECK_PASS,
	  "all 3 repositories are official channels of CentOS (2 disabled, not judged)", { NULL }, NULL },
	{ "centos-6", NULL, "{extra_official: [mirrorlist.example.org], allow_disabled: false}", CHECK_PASS,
	  "all 5 repositories are official channels of CentOS", { NULL }, NULL },
	/* base, updates, extras official; EPEL and Remi's two repositories are not */
	{ "centos-7", NULL, "extra_official: [centos.example.org]", CHECK_FAIL,
	  "3 of 6 repositories are not official channels of CentOS (2 disabled, not judged)",
	  { "not an official channel: /etc/yum.repos.d/epel.repo [epel]: baseurl http://epel.example.org/epel/7/$basearch\n",
	    "not an official channel: /etc/yum.repos.d/remi-php74.repo [remi-php74]: baseurl http://remi.example.org/enterprise/7/php74/$basearch/\n",
	    "not an official channel: /etc/yum.repos.d/remi-safe.repo [remi-safe]: baseurl http://remi.example.org/enterprise/7/safe/$basearch/\n" },
	  "epel-debuginfo" },
	{ "centos-7", NULL, "extra_official: [centos.example.org, epel.example.org, remi.example.org]",
	  CHECK_PASS, "all 6 repositories are official channels of CentOS (2 disabled, not judged)",
	  { "official (remi.example.org): http://remi.example.org/enterprise/7/safe/$basearch/" }, NULL },
	/* extras, baseos, appstream by mirrorlist; highavailability and crb disabled */
	{ "rocky-9", NULL, NULL, CHECK_FAIL,
	  "3 of 3 repositories are not official channels of Rocky Linux (2 disabled, not judged)",
	  { "/etc/yum.repos.d/rocky.repo [appstream]: mirrorlist https://mirrors.example.org/mirrorlist?arch=$basearch&repo=AppStream-$releasever$rltype" },
	  "[crb]" },
	{ "rocky-9", NULL, "extra_official: [mirrors.example.org]", CHECK_PASS,
	  "all 3 repositories are official channels of Rocky Linux (2 disabled, not judged)", { NULL },
	  NULL },
	/* five repositories on the Alibaba Cloud Linux mirror; EPEL disabled */
	{ "alinux-3", NULL, NULL, CHECK_FAIL,
	  "5 of 5 repositories are not official channels of Alibaba Cloud Linux (1 disabled, not judged)",
	  { "/etc/yum.repos.d/AliYun.repo [alinux3-updates]: baseurl http://alinux.example.org/alinux/$releasever/updates/$basearch/" },
	  "epel" },
	{ "alinux-3", NULL, "extra_official: [alinux.example.org/alinux]", CHECK_PASS,
	  "all 5 repositories are official channels of Alibaba Cloud Linux (1 disabled, not judged)",
	  { NULL }, NULL },
	{ "alinux-3", NULL, "{extra_official: [alinux.example.org/alinux], allow_disabled: false}",
	  CHECK_FAIL, "1 of 6 repositories are not official channels of Alibaba Cloud Linux",
	  { "/etc/yum.repos.d/epel.repo [epel]: baseurl http://epel.example.org/epel/8/Everything/$basearch" },
	  "alinux3" },
	{ "opensuse-leap-15", NULL, NULL, CHECK_FAIL,
	  "6 of 6 repositories are not official channels of openSUSE",
	  { "/etc/zypp/repos.d/repo-sle-update.repo [repo-sle-update]: baseurl http://download.example.org/update/leap/$releasever/sle/" },
	  NULL },
	{ "opensuse-leap-15", NULL, "extra_official: [download.example.org]", CHECK_PASS,
	  "all 6 repositories are official channels of openSUSE", { NULL }, NULL },
};

static void test_transcripts(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(transcript_rows); i++)
		bad += run_row(&transcript_rows[i]);
	assert_int_equal(bad, 0);
}

/* ---- inline transcripts with real hosts ---- */

#define UBUNTU OS("ubuntu", "debian")
#define UBUNTU_LIST                                                                      \
	FILE_("/etc/apt/sources.list")                                                   \
	"deb http://cn.archive.ubuntu.com/ubuntu/ jammy main restricted\n"               \
	"deb [arch=amd64] http://archive.ubuntu.com/ubuntu jammy-updates main\n"         \
	"# deb http://ppa.launchpadcontent.net/commented/out/ubuntu jammy main\n"        \
	"deb http://security.ubuntu.com/ubuntu jammy-security main\n"                    \
	"deb http://mirrors.aliyun.com/ubuntu/ jammy-backports main\n"                   \
	"deb mirror://mirrors.ubuntu.com/mirrors.txt jammy main\n"

#define DEBIAN OS("debian", "")
#define DEBIAN_SOURCES                                                                   \
	FILE_("/etc/apt/sources.list.d/debian.sources")                                  \
	"Types: deb deb-src\nURIs: https://deb.debian.org/debian\n"                      \
	"Suites: bookworm bookworm-updates\nComponents: main\n\n"                        \
	"Types: deb\nURIs: http://mirrors.cloud.aliyuncs.com/debian-security\n"          \
	"Suites: bookworm-security\nComponents: main\n"

#define CENTOS OS("centos", "rhel fedora")
#define CENTOS_ALIYUN                                                                    \
	FILE_("/etc/yum.repos.d/CentOS-Base.repo")                                       \
	"[base]\nbaseurl=http://mirrors.cloud.aliyuncs.com/centos/$releasever/os/$basearch/\n" \
	"        http://mirrors.aliyun.com/centos/$releasever/os/$basearch/\n"           \
	"gpgcheck=1\n[updates]\nbaseurl=http://mirrors.cloud.aliyuncs.com/centos/$releasever/updates/$basearch/\n" \
	"[centos-vault]\nbaseurl=https://vault.centos.org/7.9.2009/os/$basearch/\n"

#define EPEL_ALIYUN                                                                      \
	FILE_("/etc/yum.repos.d/epel.repo")                                              \
	"[epel]\nname=Extra Packages for Enterprise Linux 7 - $basearch\n"               \
	"baseurl=http://mirrors.cloud.aliyuncs.com/epel/7/$basearch\nenabled=1\n"

#define DOCKER_DEB822                                                                    \
	FILE_("/etc/apt/sources.list.d/docker.sources")                                  \
	"Types: deb\nURIs: https://download.docker.com/linux/debian\nSuites: bookworm\n" \
	"Components: stable\nSigned-By: /etc/apt/keyrings/docker.asc\n"

static const struct row inline_rows[] = {
	{ "ubuntu official mirrors", UBUNTU SEC("sources", UBUNTU_LIST), NULL, CHECK_PASS,
	  "all 5 repositories are official channels of Ubuntu",
	  { "official (Ubuntu): http://cn.archive.ubuntu.com/ubuntu/",
	    "official (Ubuntu): http://mirrors.aliyun.com/ubuntu/",
	    "official (Ubuntu): mirror://mirrors.ubuntu.com/mirrors.txt" },
	  "launchpad" },
	{ "a ppa", UBUNTU SEC("sources", UBUNTU_LIST
		FILE_("/etc/apt/sources.list.d/ondrej-ubuntu-php-jammy.list")
		"deb https://ppa.launchpadcontent.net/ondrej/php/ubuntu/ jammy main\n"
		"# deb-src https://ppa.launchpadcontent.net/ondrej/php/ubuntu/ jammy main\n"),
	  NULL, CHECK_FAIL, "1 of 6 repositories are not official channels of Ubuntu",
	  { "not an official channel: /etc/apt/sources.list.d/ondrej-ubuntu-php-jammy.list: deb https://ppa.launchpadcontent.net/ondrej/php/ubuntu/ jammy main" },
	  "official (" },
	{ "a ppa accepted by the vendor", UBUNTU SEC("sources", UBUNTU_LIST
		FILE_("/etc/apt/sources.list.d/ondrej-ubuntu-php-jammy.list")
		"deb https://ppa.launchpadcontent.net/ondrej/php/ubuntu/ jammy main\n"),
	  "extra_official: [ppa.launchpadcontent.net/ondrej/php]", CHECK_PASS,
	  "all 6 repositories are official channels of Ubuntu",
	  { "official (ppa.launchpadcontent.net/ondrej/php): https://ppa.launchpadcontent.net/ondrej/php/ubuntu/" },
	  NULL },
	{ "debian official", DEBIAN SEC("sources", DEBIAN_SOURCES), NULL, CHECK_PASS,
	  "all 2 repositories are official channels of Debian",
	  { "official (Debian): https://deb.debian.org/debian",
	    "official (Debian): http://mirrors.cloud.aliyuncs.com/debian-security" },
	  NULL },
	{ "docker", DEBIAN SEC("sources", DEBIAN_SOURCES DOCKER_DEB822), NULL, CHECK_FAIL,
	  "1 of 3 repositories are not official channels of Debian",
	  { "not an official channel: /etc/apt/sources.list.d/docker.sources: deb https://download.docker.com/linux/debian bookworm stable" },
	  NULL },
	{ "docker, documented by the vendor", DEBIAN SEC("sources", DEBIAN_SOURCES DOCKER_DEB822),
	  "extra_official: [download.docker.com]", CHECK_PASS,
	  "all 3 repositories are official channels of Debian",
	  { "official (download.docker.com): https://download.docker.com/linux/debian" }, NULL },
	/* Alibaba Cloud's mirror is official under the distribution's own directory only */
	{ "docker-ce on the aliyun mirror", DEBIAN SEC("sources", DEBIAN_SOURCES
		FILE_("/etc/apt/sources.list.d/docker.list")
		"deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://mirrors.aliyun.com/docker-ce/linux/debian bookworm stable\n"),
	  NULL, CHECK_FAIL, "1 of 3 repositories are not official channels of Debian",
	  { "/etc/apt/sources.list.d/docker.list: deb https://mirrors.aliyun.com/docker-ce/linux/debian bookworm stable" },
	  NULL },
	{ "a path that leaves the directory", DEBIAN SEC("sources",
		FILE_("/etc/apt/sources.list")
		"deb http://mirrors.aliyun.com/debian/../docker-ce/linux/debian bookworm stable\n"
		"deb http://deb.debian.org.evil.example/debian bookworm main\n"
		"deb http://evildeb.debian.org/debian bookworm main\n"),
	  NULL, CHECK_FAIL, "3 of 3 repositories are not official channels of Debian",
	  { "/debian/../docker-ce/", "deb.debian.org.evil.example", "evildeb.debian.org" }, NULL },
	{ "centos on the aliyun mirror", CENTOS SEC("sources", CENTOS_ALIYUN), NULL, CHECK_PASS,
	  "all 3 repositories are official channels of CentOS",
	  { "official (CentOS): http://mirrors.aliyun.com/centos/$releasever/os/$basearch/",
	    "official (CentOS): https://vault.centos.org/7.9.2009/os/$basearch/" },
	  NULL },
	/* EPEL is not the distribution's: reported, with the way to accept it */
	{ "epel on the aliyun mirror", CENTOS SEC("sources", CENTOS_ALIYUN EPEL_ALIYUN), NULL, CHECK_FAIL,
	  "1 of 4 repositories are not official channels of CentOS",
	  { "not an official channel: /etc/yum.repos.d/epel.repo [epel]: baseurl http://mirrors.cloud.aliyuncs.com/epel/7/$basearch (epel: to accept it, add 'epel' to extra_official)" },
	  NULL },
	{ "epel accepted", CENTOS SEC("sources", CENTOS_ALIYUN EPEL_ALIYUN), "extra_official: [epel]",
	  CHECK_PASS, "all 4 repositories are official channels of CentOS",
	  { "official (epel): http://mirrors.cloud.aliyuncs.com/epel/7/$basearch" }, NULL },
	{ "epel by metalink", OS("rocky", "rhel centos fedora") SEC("sources",
		FILE_("/etc/yum.repos.d/rocky.repo")
		"[baseos]\nmirrorlist=https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever\n"
		FILE_("/etc/yum.repos.d/epel.repo")
		"[epel]\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-$releasever&arch=$basearch\n"),
	  NULL, CHECK_FAIL, "1 of 2 repositories are not official channels of Rocky Linux",
	  { "[epel]: mirrorlist https://mirrors.fedoraproject.org/metalink?repo=epel-$releasever&arch=$basearch (epel: to accept it" },
	  NULL },
	/* a disabled repository is not judged unless allow_disabled is false */
	{ "a disabled repository", CENTOS SEC("sources", CENTOS_ALIYUN
		FILE_("/etc/yum.repos.d/docker-ce.repo")
		"[docker-ce-stable]\nbaseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\nenabled=0\n"),
	  NULL, CHECK_PASS, "all 3 repositories are official channels of CentOS (1 disabled, not judged)",
	  { NULL }, "docker" },
	{ "a disabled repository, judged", CENTOS SEC("sources", CENTOS_ALIYUN
		FILE_("/etc/yum.repos.d/docker-ce.repo")
		"[docker-ce-stable]\nbaseurl=https://download.docker.com/linux/centos/$releasever/$basearch/stable\nenabled=0\n"),
	  "allow_disabled: false", CHECK_FAIL, "1 of 4 repositories are not official channels of CentOS",
	  { "/etc/yum.repos.d/docker-ce.repo [docker-ce-stable]: baseurl https://download.docker.com/linux/centos/$releasever/$basearch/stable" },
	  NULL },
	{ "a disabled deb822 stanza", DEBIAN SEC("sources", DEBIAN_SOURCES DOCKER_DEB822 "Enabled: no\n"),
	  NULL, CHECK_PASS, "all 2 repositories are official channels of Debian (1 disabled, not judged)",
	  { NULL }, NULL },
	{ "a local repository", DEBIAN SEC("sources", DEBIAN_SOURCES FILE_("/etc/apt/sources.list")
		"deb [trusted=yes] file:/srv/repo ./\n"),
	  NULL, CHECK_FAIL, "1 of 3 repositories are not official channels of Debian",
	  { "local repository, not an official channel: /etc/apt/sources.list: deb file:/srv/repo ./" },
	  NULL },
	{ "a mirror list file", DEBIAN SEC("sources", FILE_("/etc/apt/sources.list.d/debian.sources")
		"Types: deb\nURIs: mirror+file:///etc/apt/mirrors/debian.list\nSuites: bookworm\nComponents: main\n"),
	  NULL, CHECK_ERROR, "cannot tell where 1 of 1 repositories download from",
	  { "cannot tell (a mirror list in a file the gather does not read): /etc/apt/sources.list.d/debian.sources: deb mirror+file:///etc/apt/mirrors/debian.list bookworm main" },
	  NULL },
	{ "suse cloud plugin", OS("sles", "suse") SEC("sources", FILE_("/etc/zypp/repos.d/SLE-Module-Basesystem.repo")
		"[SLE-Module-Basesystem15-SP5-Updates]\nbaseurl=plugin:/susecloud?credentials=Basesystem_Module_x86_64&path=/repo/SUSE/Updates/SLE-Module-Basesystem/15-SP5/x86_64/update/\n"),
	  NULL, CHECK_PASS, "all 1 repositories are official channels of SUSE Linux Enterprise", { NULL }, NULL },
	{ "apk", OS("alpine", "") SEC("sources", FILE_("/etc/apk/repositories")
		"https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n@testing https://dl-4.alpinelinux.org/alpine/edge/testing\n"
		"http://mirrors.aliyun.com/alpine/v3.19/community\n"),
	  NULL, CHECK_PASS, "all 3 repositories are official channels of Alpine Linux", { NULL }, NULL },
	/* a derivative: its parent's list by ID_LIKE; its own repository is not on it */
	{ "a derivative", OS("linuxmint", "ubuntu debian") SEC("sources", UBUNTU_LIST
		FILE_("/etc/apt/sources.list.d/official-package-repositories.list")
		"deb http://packages.linuxmint.com virginia main upstream import backport\n"),
	  NULL, CHECK_FAIL, "1 of 6 repositories are not official channels of Ubuntu",
	  { "packages.linuxmint.com" }, NULL },
	{ "no repository", DEBIAN SEC("sources", ""), NULL, CHECK_PASS, "no package repository is enabled",
	  { NULL }, NULL },
	{ "sources not collected", DEBIAN, NULL, CHECK_ERROR, "the package sources were not collected",
	  { NULL }, NULL },
	{ "os not collected", SEC("sources", DEBIAN_SOURCES), NULL, CHECK_ERROR,
	  "the distribution was not collected: cannot tell which channels are official", { NULL }, NULL },
	{ "no list for the distribution", OS("plan9", "") SEC("sources", DEBIAN_SOURCES), NULL, CHECK_ERROR,
	  "no list of official package sources for 'plan9'", { NULL }, NULL },
	{ "no list, but the vendor names them", OS("plan9", "") SEC("sources", DEBIAN_SOURCES),
	  "extra_official: [deb.debian.org, '*.aliyuncs.com']", CHECK_PASS, "all 2 repositories are official channels",
	  { "official (*.aliyuncs.com): http://mirrors.cloud.aliyuncs.com/debian-security" }, NULL },
	{ "a URL prefix", DEBIAN SEC("sources", DEBIAN_SOURCES DOCKER_DEB822),
	  "extra_official: ['https://download.docker.com/linux']", CHECK_PASS,
	  "all 3 repositories are official channels of Debian", { NULL }, NULL },
	{ "a URL prefix at a boundary", DEBIAN SEC("sources", DEBIAN_SOURCES DOCKER_DEB822),
	  "extra_official: ['https://download.docker.com/lin']", CHECK_FAIL,
	  "1 of 3 repositories are not official channels of Debian", { NULL }, NULL },
};

static void test_inline(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(inline_rows); i++)
		bad += run_row(&inline_rows[i]);
	assert_int_equal(bad, 0);
}

/* ---- host patterns, through extra_official on a one-repository transcript ---- */

static void test_patterns(void **state)
{
	(void)state;
	static const struct {
		const char *url, *pattern;
		int official;
	} rows[] = {
		{ "http://a.example.com/x", "a.example.com", 1 },
		{ "http://A.Example.COM:8080/x", "a.example.com", 1 },
		{ "http://user:pw@a.example.com/x", "a.example.com", 1 },
		{ "http://[2001:db8::1]/x", "a.example.com", 0 },
		{ "http://b.a.example.com/x", "a.example.com", 0 },
		{ "http://b.a.example.com/x", "*.a.example.com", 1 },
		{ "http://c.b.a.example.com/x", "*.a.example.com", 1 },
		{ "http://a.example.com/x", "*.a.example.com", 0 },
		{ "http://xa.example.com/x", "*.a.example.com", 0 },
		{ "http://ftp.us.example.com/x", "ftp.*.example.com", 1 },
		{ "http://ftp.a.b.example.com/x", "ftp.*.example.com", 0 },
		{ "http://m-eu.example.com/x", "m-*.example.com", 1 },
		{ "http://m.example.com/x", "m-*.example.com", 0 },
		{ "http://a.example.com/repo", "a.example.com/repo", 1 },
		{ "http://a.example.com/repo/", "a.example.com/repo", 1 },
		{ "http://a.example.com/repo?x=1", "a.example.com/repo", 1 },
		{ "http://a.example.com/repo2", "a.example.com/repo", 0 },
		{ "http://a.example.com/repo2", "a.example.com/repo*", 1 },
		{ "http://a.example.com/rep", "a.example.com/repo", 0 },
		{ "http://a.example.com/repo/../other", "a.example.com/repo", 0 },
		{ "http://a.example.com/repo/%2e%2e/other", "a.example.com/repo", 0 },
		{ "http://a.example.com/repo/../other", "a.example.com", 1 },
		{ "tor+http://a.example.com/x", "a.example.com", 1 },
		{ "file:/a.example.com", "a.example.com", 0 },
		{ "http://a.example.com.evil.test/x", "a.example.com", 0 },
	};
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *text = xasprintf(M "gather 1\n" OS("debian", "")
				       SEC("sources", FILE_("/etc/apt/sources.list") "deb %s x main\n") M
				       "done\n", rows[i].url);
		char *with = xasprintf("extra_official: ['%s']", rows[i].pattern);
		struct facts *f = test_facts_from_text(text);
		struct judged j;
		judge(f, with, &j);
		if ((j.r.status == CHECK_PASS) != rows[i].official) {
			print_error("%s with '%s': %s (%s)\n", rows[i].url, rows[i].pattern,
				    check_status_name(j.r.status), j.r.summary);
			bad++;
		}
		judged_release(&j);
		facts_free(f);
		free(with);
		free(text);
	}
	assert_int_equal(bad, 0);
}

/* ---- parameters ---- */

static int validate_diags(const char *with, const char *want)
{
	struct ydoc *doc = NULL;
	struct diags d;
	struct vars vars;
	struct params p = { NULL, 0 };
	struct srcpos at = { "t.yaml", 1, 1 };
	int bad = 0;

	diags_init(&d);
	vars_init(&vars);
	assert_int_equal(ytree_parse("t.yaml", with, strlen(with), &doc, &d), 0);
	assert_int_equal(params_from_yaml(check_package_sources.params, doc->root, at, &vars,
					  "check 'c' (package-sources)", &p, &d),
			 0);
	struct type_ctx ctx = { "check 'c' (package-sources)", at, NULL, &d };
	check_package_sources.validate(&p, &ctx);
	char *t = test_diags_text(&d);
	if (want ? !strstr(t, want) : d.n != 0) {
		print_error("%s: diagnostics:\n%s(expected %s)\n", with, t, want ? want : "none");
		bad = 1;
	}
	free(t);
	params_release(&p);
	diags_release(&d);
	vars_release(&vars);
	ydoc_free(doc);
	return bad;
}

static void test_validate(void **state)
{
	(void)state;
	int bad = 0;
	bad += validate_diags("extra_official: [epel, repo.vendor.example, mirrors.example.com/vendor, "
			      "'*.cdn.example.com', 'https://repo.example.com/x', 'plugin:/x']",
			      NULL);
	bad += validate_diags("extra_official: [nosuchgroup]",
			      "t.yaml:1:18: error: 'nosuchgroup' in 'extra_official' of check 'c' "
			      "(package-sources) is not a host name nor a group of official sources");
	bad += validate_diags("extra_official: [a.example.com, 'bad host.example']",
			      "t.yaml:1:33: error: 'bad host.example' in 'extra_official' of check 'c' "
			      "(package-sources) is not a host pattern");
	bad += validate_diags("extra_official: ['..example.com']", "is not a host pattern");
	bad += validate_diags("extra_official: ['a.example.com.']", "is not a host pattern");
	bad += validate_diags("extra_official: ['/debian']", "is not a host pattern");
	bad += validate_diags("extra_official: ['a$b.example.com']", "is not a host pattern");
	bad += validate_diags("allow_disabled: false", NULL);
	assert_int_equal(bad, 0);
}

/*
 * The data: the compiled-in copy is the file; every pattern is one the
 * check accepts (checked through validate); names and ids are unique.
 */
static void test_data(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	struct strbuf with = STRBUF_INIT;
	struct facts_strs ids = { NULL, 0, 0 };
	const cJSON *d, *it;

	assert_int_equal(read_file("data/official-sources.json", 1 << 20, &text, &len), 0);
	assert_string_equal(embedded_official_sources[0].name, "official-sources");
	assert_int_equal(embedded_official_sources[0].len, len);
	assert_memory_equal(embedded_official_sources[0].data, text, len);
	cJSON *root = cJSON_ParseWithLength(text, len);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "schema")->valuestring,
			    "shelfready.official-sources/1");
	strbuf_addstr(&with, "extra_official: [");
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "distributions")) {
		assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(d, "name")));
		assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "ids")) > 0);
		assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(d, "sources")) > 0);
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d, "ids")) {
			assert_false(facts_strs_has(&ids, it->valuestring));
			facts_strs_push(&ids, it->valuestring, strlen(it->valuestring));
		}
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d, "sources"))
			strbuf_addf(&with, "'%s', ", it->valuestring);
	}
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "groups")) {
		const char *name = cJSON_GetObjectItemCaseSensitive(d, "name")->valuestring;
		assert_null(strpbrk(name, ".:/"));
		strbuf_addf(&with, "'%s', ", name);
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d, "sources"))
			strbuf_addf(&with, "'%s', ", it->valuestring);
	}
	strbuf_addstr(&with, "]");
	assert_int_equal(validate_diags(with.buf, NULL), 0);
	/* the distributions of the recorded transcripts all have a list */
	static const char *const have[] = { "debian", "ubuntu", "centos", "rocky", "alinux",
					    "opensuse-leap", "almalinux", "anolis", NULL };
	for (size_t i = 0; have[i]; i++)
		assert_true(facts_strs_has(&ids, have[i]));
	cJSON_Delete(root);
	facts_strs_release(&ids);
	strbuf_release(&with);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcripts),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
