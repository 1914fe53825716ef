/*
 * Unit tests of checks/webapp-first-login.c: inline transcripts of the
 * first-login section (docs/first-login.md) with the listening sockets and
 * processes: a reset installed with each trigger, credentials or a done
 * marker left on the build VM, a reset script others may change, no trigger,
 * units that are masked, unguarded or run something else, mechanisms found
 * for applications that were not declared, web servers listening with
 * nothing declared, and missing or cut-off evidence. Each row gives the
 * status, the summary and every line of evidence, exactly. Then the `apps`
 * parameter: its validation and a profile variable carrying it.
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

extern const struct check_type check_webapp_first_login;

#define MAX_EVIDENCE 24

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* YAML of `with`, or NULL */
	enum check_status status;
	const char *summary;
	const char *evidence[MAX_EVIDENCE]; /* every line, in order */
};

/* ---- inline transcripts ---- */

#define N "@@SRG W3bAppN0nce "
#define HDR N "gather 1\n"
#define DONE N "done\n"
#define SEC(name, body) N "begin " name "\n" body N "end " name " 0\n"
#define SEC_ST(name, body, st) N "begin " name "\n" body N "end " name " " st "\n"
#define FILE_HDR(path) N "file " path "\n"

/* the paths of application NAME */
#define P_RESET(a) "/usr/local/libexec/shelfready/first-login-" a
#define P_HOOK(a) "/var/lib/cloud/scripts/per-instance/shelfready-first-login-" a
#define P_UNIT(a) "/etc/systemd/system/shelfready-first-login-" a ".service"
#define P_WANTS(a) "/etc/systemd/system/multi-user.target.wants/shelfready-first-login-" a ".service"
#define P_DONE(a) "/var/lib/shelfready/first-login/" a ".done"
#define P_CRED(a) "/root/.shelfready/first-login/" a ".credentials"

/* lines of the section: path type uid mode target */
#define L_FILE(path, uid, mode) path "\tfile\t" uid "\t" mode "\t\n"
#define L_LINK(path, target) path "\tlink\t0\t777\t" target "\n"
#define RESET(a) L_FILE(P_RESET(a), "0", "700")
#define HOOK(a) L_FILE(P_HOOK(a), "0", "755")
#define UNIT(a) L_FILE(P_UNIT(a), "0", "644")
#define WANTS(a) L_LINK(P_WANTS(a), P_UNIT(a))
#define DONE_MARK(a) L_FILE(P_DONE(a), "0", "644")
#define CRED(a) L_FILE(P_CRED(a), "0", "600")
/* what the script prints of a unit made as docs/first-login.md says */
#define UNIT_BODY(a) \
	FILE_HDR(P_UNIT(a)) "ConditionPathExists=!" P_DONE(a) "\nExecStart=" P_RESET(a) "\n"

#define LISTEN_SSH "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=300,fd=3))\n"
#define LISTEN_NGINX                                                           \
	"tcp LISTEN 0 511 0.0.0.0:80 0.0.0.0:* users:((\"nginx\",pid=812,fd=6))\n" \
	"tcp LISTEN 0 511 [::]:80 [::]:* users:((\"nginx\",pid=812,fd=7))\n"
#define PROCS                                                           \
	SEC("processes", "1\t0\tsystemd\t/usr/lib/systemd/systemd\n"    \
			 "300\t0\tsshd\t/usr/sbin/sshd\n"               \
			 "812\t0\tnginx\t/usr/sbin/nginx\n"             \
			 "900\t1000\tnode\t/usr/local/bin/node\n"       \
			 "950\t1000\tMainThread\t/usr/local/bin/node\n" \
			 "960\t110\tjava\t/usr/lib/jvm/bin/java\n")
#define NOTHING SEC("first-login", "")
#define QUIET SEC("listening", LISTEN_SSH) PROCS

/* evidence */
#define E_ABSENT(p) p ": absent"
#define E_RESET(a) P_RESET(a) ": file, owner uid 0, mode 0700"
#define E_HOOK(a) P_HOOK(a) ": file, owner uid 0, mode 0755"
#define E_UNIT(a) \
	P_UNIT(a) ": file, owner uid 0, mode 0644; ConditionPathExists=!" P_DONE(a) "; ExecStart=" P_RESET(a)
#define E_WANTS(a) P_WANTS(a) ": symbolic link to " P_UNIT(a)
#define E_DECLARED(a) a ": declared in 'apps'"
#define E_FOUND(a) a ": not declared in 'apps', found on the target"
#define E_NONE_DECLARED "apps: none declared"
#define E_NONE_INSTALLED                                                                     \
	"first-login reset: none installed (looked in /usr/local/libexec/shelfready, "       \
	"/var/lib/cloud/scripts/per-instance, /etc/systemd/system (and its "                 \
	"multi-user.target.wants), /var/lib/shelfready/first-login, /root/.shelfready/first-login)"
#define E_LOOKED                                                                              \
	"looked for: TCP ports 80, 443, 8080, 8443, 8000, 8888; programs nginx, apache2, httpd, " \
	"lighttpd, caddy, java, tomcat, jetty, node, nodejs, php, php-fpm, uwsgi, gunicorn"
#define E_OTHER_SSH "other listening TCP sockets: 0.0.0.0:22 (sshd)"
#define E_NGINX4 "0.0.0.0:80 (nginx): a web server (port 80, program nginx)"
#define E_NGINX6 "[::]:80 (nginx): a web server (port 80, program nginx)"

/* Every file of app a as docs/first-login.md installs it, absent ones in the middle. */
#define ALL_ABSENT_BUT_RESET(a) \
	E_RESET(a), E_ABSENT(P_HOOK(a)), E_ABSENT(P_UNIT(a)), E_ABSENT(P_WANTS(a))

static const struct row rows[] = {
	/* ---- installed as docs/first-login.md says ---- */
	{ "declared, cloud-init hook", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress")) QUIET DONE, "apps: wordpress",
	  CHECK_PASS, "first-login credential reset installed for wordpress (cloud-init hook)",
	  { E_DECLARED("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")) } },
	{ "declared, systemd only", NULL,
	  HDR SEC("first-login", RESET("grafana") UNIT("grafana") WANTS("grafana") UNIT_BODY("grafana"))
		  QUIET DONE,
	  "apps: grafana", CHECK_PASS, "first-login credential reset installed for grafana (systemd unit)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_ABSENT(P_HOOK("grafana")), E_UNIT("grafana"),
	    E_WANTS("grafana"), E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "both triggers, two apps separated by a comma and a blank, web server noted", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress") RESET("grafana") HOOK("grafana")
					 UNIT("grafana") WANTS("grafana") UNIT_BODY("grafana"))
		  SEC("listening", LISTEN_SSH LISTEN_NGINX) PROCS DONE,
	  "apps: 'grafana, wordpress'", CHECK_PASS,
	  "first-login credential reset installed for grafana (cloud-init hook, systemd unit), "
	  "wordpress (cloud-init hook)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_HOOK("grafana"), E_UNIT("grafana"),
	    E_WANTS("grafana"), E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")),
	    E_DECLARED("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")), E_NGINX4, E_NGINX6 } },
	{ "a done marker with the cloud-init hook: noted, it runs per instance anyway", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress") DONE_MARK("wordpress")) QUIET DONE,
	  "apps: wordpress", CHECK_PASS,
	  "first-login credential reset installed for wordpress (cloud-init hook)",
	  { E_DECLARED("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    P_DONE("wordpress") ": present; the cloud-init hook runs once per instance anyway (the "
				"pre-capture cleanup removes the marker)",
	    E_ABSENT(P_CRED("wordpress")) } },

	/* ---- left on the build VM ---- */
	{ "a credentials file made on the build VM", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress") CRED("wordpress")) QUIET DONE,
	  "apps: wordpress", CHECK_FAIL,
	  "wordpress: the credentials file " P_CRED("wordpress") " exists: made on the build VM, it "
	  "would ship in the image, the same on every instance",
	  { E_DECLARED("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")),
	    P_CRED("wordpress") ": file, owner uid 0, mode 0600 (contents not collected)" } },
	{ "a done marker with only the systemd trigger", NULL,
	  HDR SEC("first-login", RESET("grafana") UNIT("grafana") WANTS("grafana") DONE_MARK("grafana")
					 UNIT_BODY("grafana")) QUIET DONE,
	  "apps: grafana", CHECK_FAIL,
	  "grafana: the done marker " P_DONE("grafana") " exists: with only the systemd trigger the "
	  "reset will not run on the instances made from the image",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_ABSENT(P_HOOK("grafana")), E_UNIT("grafana"),
	    E_WANTS("grafana"), P_DONE("grafana") ": present", E_ABSENT(P_CRED("grafana")) } },

	/* ---- the reset script ---- */
	{ "a reset script that group may write and root does not own", NULL,
	  HDR SEC("first-login", L_FILE(P_RESET("wordpress"), "1000", "775") HOOK("wordpress")) QUIET DONE,
	  "apps: wordpress", CHECK_FAIL,
	  "wordpress: the reset script " P_RESET("wordpress") " is owned by uid 1000, not root; "
	  "wordpress: the reset script " P_RESET("wordpress") " is writable by group (mode 0775)",
	  { E_DECLARED("wordpress"), P_RESET("wordpress") ": file, owner uid 1000, mode 0775",
	    E_HOOK("wordpress"), E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")) } },
	{ "a reset script that is a directory", NULL,
	  HDR SEC("first-login", P_RESET("a") "\tdir\t0\t755\t\n" HOOK("a")) QUIET DONE, "apps: a",
	  CHECK_FAIL, "a: the reset script " P_RESET("a") " is not a regular file (a directory)",
	  { E_DECLARED("a"), P_RESET("a") ": directory, owner uid 0, mode 0755", E_HOOK("a"),
	    E_ABSENT(P_UNIT("a")), E_ABSENT(P_WANTS("a")), E_ABSENT(P_DONE("a")),
	    E_ABSENT(P_CRED("a")) } },
	{ "a reset script that is a symbolic link, and one that is not executable", NULL,
	  HDR SEC("first-login", L_LINK(P_RESET("a"), "/opt/a/reset.sh") HOOK("a")
					 L_FILE(P_RESET("b"), "0", "600") HOOK("b")) QUIET DONE,
	  "apps: a b", CHECK_FAIL,
	  "a: the reset script " P_RESET("a") " is not a regular file (a symbolic link); "
	  "b: the reset script " P_RESET("b") " is not executable (mode 0600)",
	  { E_DECLARED("a"), P_RESET("a") ": symbolic link to /opt/a/reset.sh", E_HOOK("a"),
	    E_ABSENT(P_UNIT("a")), E_ABSENT(P_WANTS("a")), E_ABSENT(P_DONE("a")),
	    E_ABSENT(P_CRED("a")), E_DECLARED("b"), P_RESET("b") ": file, owner uid 0, mode 0600",
	    E_HOOK("b"), E_ABSENT(P_UNIT("b")), E_ABSENT(P_WANTS("b")), E_ABSENT(P_DONE("b")),
	    E_ABSENT(P_CRED("b")) } },

	/* ---- triggers ---- */
	{ "no trigger", NULL, HDR SEC("first-login", RESET("wordpress")) QUIET DONE, "apps: wordpress",
	  CHECK_FAIL,
	  "wordpress: no first-boot trigger (neither " P_HOOK("wordpress") " nor " P_UNIT("wordpress")
	  " enabled in multi-user.target.wants)",
	  { E_DECLARED("wordpress"), ALL_ABSENT_BUT_RESET("wordpress"), E_ABSENT(P_DONE("wordpress")),
	    E_ABSENT(P_CRED("wordpress")) } },
	{ "a unit that is not enabled, and a hook others may write", NULL,
	  HDR SEC("first-login", RESET("grafana") L_FILE(P_HOOK("grafana"), "0", "777") UNIT("grafana")
					 UNIT_BODY("grafana")) QUIET DONE,
	  "apps: grafana", CHECK_FAIL,
	  "grafana: the cloud-init hook " P_HOOK("grafana") " is writable by group and others (mode "
	  "0777); grafana: no working first-boot trigger (the cloud-init hook is not usable; the "
	  "systemd unit is not enabled)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), P_HOOK("grafana") ": file, owner uid 0, mode 0777",
	    E_UNIT("grafana"), E_ABSENT(P_WANTS("grafana")) " (the unit is not enabled)",
	    E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "a hook nobody may execute, an enabled unit that is absent", NULL,
	  HDR SEC("first-login", RESET("grafana") L_FILE(P_HOOK("grafana"), "0", "644") WANTS("grafana"))
		  QUIET DONE,
	  "apps: grafana", CHECK_FAIL,
	  "grafana: the cloud-init hook " P_HOOK("grafana") " is not executable (mode 0644); grafana: "
	  "no working first-boot trigger (the cloud-init hook is not usable; the enabled unit is absent)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), P_HOOK("grafana") ": file, owner uid 0, mode 0644",
	    E_ABSENT(P_UNIT("grafana")), E_WANTS("grafana") " (the unit it enables is absent)",
	    E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "a masked unit", NULL,
	  HDR SEC("first-login", RESET("grafana") L_LINK(P_UNIT("grafana"), "/dev/null") WANTS("grafana"))
		  QUIET DONE,
	  "apps: grafana", CHECK_FAIL,
	  "grafana: the unit " P_UNIT("grafana") " is masked (a link to /dev/null); grafana: no working "
	  "first-boot trigger (no cloud-init hook; the systemd unit is not usable)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_ABSENT(P_HOOK("grafana")),
	    P_UNIT("grafana") ": symbolic link to /dev/null", E_WANTS("grafana"),
	    E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "a unit without the guard that runs something else", NULL,
	  HDR SEC("first-login", RESET("grafana") UNIT("grafana") WANTS("grafana")
					 FILE_HDR(P_UNIT("grafana")) "ExecStart=/bin/sh\n") QUIET DONE,
	  "apps: grafana", CHECK_FAIL,
	  "grafana: the unit " P_UNIT("grafana") " has no ConditionPathExists=!" P_DONE("grafana")
	  ": it would reset the credentials at every boot; grafana: the unit " P_UNIT("grafana")
	  " does not run " P_RESET("grafana") " (ExecStart=/bin/sh); grafana: no working first-boot "
	  "trigger (no cloud-init hook; the systemd unit is not usable)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_ABSENT(P_HOOK("grafana")),
	    P_UNIT("grafana") ": file, owner uid 0, mode 0644; ExecStart=/bin/sh", E_WANTS("grafana"),
	    E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "systemd's ExecStart= prefixes are allowed", NULL,
	  HDR SEC("first-login", RESET("grafana") UNIT("grafana") WANTS("grafana")
					 FILE_HDR(P_UNIT("grafana")) "ConditionPathExists=!" P_DONE("grafana")
					 "\nExecStart=-" P_RESET("grafana") "\n") QUIET DONE,
	  "apps: grafana", CHECK_PASS, "first-login credential reset installed for grafana (systemd unit)",
	  { E_DECLARED("grafana"), E_RESET("grafana"), E_ABSENT(P_HOOK("grafana")),
	    P_UNIT("grafana") ": file, owner uid 0, mode 0644; ConditionPathExists=!" P_DONE("grafana")
			      "; ExecStart=-" P_RESET("grafana"),
	    E_WANTS("grafana"), E_ABSENT(P_DONE("grafana")), E_ABSENT(P_CRED("grafana")) } },
	{ "declared but nothing installed", NULL, HDR NOTHING QUIET DONE, "apps: wordpress", CHECK_FAIL,
	  "wordpress: no reset script " P_RESET("wordpress") "; wordpress: no first-boot trigger "
	  "(neither " P_HOOK("wordpress") " nor " P_UNIT("wordpress") " enabled in "
	  "multi-user.target.wants)",
	  { E_DECLARED("wordpress"), E_ABSENT(P_RESET("wordpress")), E_ABSENT(P_HOOK("wordpress")),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")) } },

	/* ---- found but not declared ---- */
	{ "an undeclared application is judged too", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress") RESET("ghost") CRED("ghost"))
		  QUIET DONE,
	  "apps: wordpress", CHECK_FAIL,
	  "ghost: no first-boot trigger (neither " P_HOOK("ghost") " nor " P_UNIT("ghost")
	  " enabled in multi-user.target.wants); ghost: the credentials file " P_CRED("ghost")
	  " exists: made on the build VM, it would ship in the image, the same on every instance",
	  { E_DECLARED("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")), E_FOUND("ghost"),
	    ALL_ABSENT_BUT_RESET("ghost"), E_ABSENT(P_DONE("ghost")),
	    P_CRED("ghost") ": file, owner uid 0, mode 0600 (contents not collected)" } },
	{ "nothing declared, a complete reset installed: it passes (the web server is noted)", NULL,
	  HDR SEC("first-login", RESET("wordpress") HOOK("wordpress")
					 L_FILE("/usr/local/libexec/shelfready/first-login-Old.bak", "0", "700")
					 FILE_HDR(P_UNIT("unlisted")) "ExecStart=/bin/true\n")
		  SEC("listening", LISTEN_SSH LISTEN_NGINX) PROCS DONE,
	  NULL, CHECK_PASS, "first-login credential reset installed for wordpress (cloud-init hook)",
	  { "/usr/local/libexec/shelfready/first-login-Old.bak: not a file of the first-login reset "
	    "(its name gives no application name): ignored",
	    E_FOUND("wordpress"), E_RESET("wordpress"), E_HOOK("wordpress"),
	    E_ABSENT(P_UNIT("wordpress")), E_ABSENT(P_WANTS("wordpress")),
	    E_ABSENT(P_DONE("wordpress")), E_ABSENT(P_CRED("wordpress")), E_NGINX4, E_NGINX6 } },

	/* ---- nothing declared, nothing installed: web servers decide ---- */
	{ "nginx on :80, nothing declared", NULL,
	  HDR NOTHING SEC("listening", LISTEN_SSH LISTEN_NGINX) PROCS
		  SEC("third-party", "nginx\t/usr/sbin/nginx\tnginx version: nginx/1.22.1\n") DONE,
	  NULL, CHECK_FAIL,
	  "no first-login credential reset is installed for the web application served on "
	  "0.0.0.0:80 (nginx), [::]:80 (nginx)",
	  { E_NONE_DECLARED, E_NONE_INSTALLED, E_NGINX4, E_NGINX6, E_OTHER_SSH, E_LOOKED,
	    "nginx: installed at /usr/sbin/nginx, not listening now" } },
	{ "nothing listens, nothing declared", NULL,
	  HDR NOTHING SEC("listening", LISTEN_SSH "udp UNCONN 0 0 0.0.0.0:68 0.0.0.0:*\n") PROCS DONE,
	  NULL, CHECK_PASS, "no web server listens and no first-login reset is installed",
	  { E_NONE_DECLARED, E_NONE_INSTALLED, E_OTHER_SSH, E_LOOKED } },
	{ "nothing at all listens", NULL, HDR NOTHING SEC("listening", "") DONE, NULL, CHECK_PASS,
	  "no web server listens and no first-login reset is installed",
	  { E_NONE_DECLARED, E_NONE_INSTALLED, "other listening TCP sockets: none", E_LOOKED } },
	{ "web servers by program on other ports; loopback only is not counted", NULL,
	  HDR NOTHING
		  SEC("listening",
		      LISTEN_SSH "tcp LISTEN 0 511 *:3000 *:* users:((\"MainThread\",pid=950,fd=20))\n"
				 "tcp LISTEN 0 100 127.0.0.1:8080 0.0.0.0:* users:((\"java\",pid=960,fd=40))\n"
				 "tcp LISTEN 0 100 0.0.0.0:8443 0.0.0.0:*\n"
				 "tcp LISTEN 0 128 10.0.0.5:9000 0.0.0.0:* users:((\"php-fpm8.2\",pid=970,fd=9))\n")
			  PROCS DONE,
	  "web_ports: [8443]", CHECK_FAIL,
	  "no first-login credential reset is installed for the web application served on "
	  "*:3000 (MainThread), 0.0.0.0:8443 (process unknown), 10.0.0.5:9000 (php-fpm8.2)",
	  { E_NONE_DECLARED, E_NONE_INSTALLED, "*:3000 (MainThread): a web server (program node)",
	    "127.0.0.1:8080 (java): a web server (program java) on loopback only: not reachable from "
	    "outside, not counted",
	    "0.0.0.0:8443 (process unknown): a web server (port 8443)",
	    "10.0.0.5:9000 (php-fpm8.2): a web server (program php-fpm8.2)", E_OTHER_SSH,
	    "looked for: TCP ports 8443; programs nginx, apache2, httpd, lighttpd, caddy, java, "
	    "tomcat, jetty, node, nodejs, php, php-fpm, uwsgi, gunicorn" } },

	/* ---- missing evidence ---- */
	{ "the section is missing: error", NULL, HDR QUIET DONE, "apps: wordpress", CHECK_ERROR,
	  "first-login reset cannot be judged: first-login files were not collected",
	  { "first-login files: not collected" } },
	{ "a recorded transcript without the section: error", "debian-12", NULL, NULL, CHECK_ERROR,
	  "first-login reset cannot be judged: first-login files were not collected",
	  { "first-login files: not collected" } },
	{ "the section cut off: error", NULL, HDR QUIET N "begin first-login\n" RESET("wordpress"), NULL,
	  CHECK_ERROR, "first-login reset cannot be judged: first-login files are incomplete",
	  { "first-login files: section 'first-login' did not end" } },
	{ "nothing declared or installed, listening not collected: error", NULL, HDR NOTHING PROCS DONE,
	  NULL, CHECK_ERROR, "first-login reset cannot be judged: listening sockets were not collected",
	  { E_NONE_DECLARED, E_NONE_INSTALLED, "listening sockets: not collected" } },
	{ "/root could not be listed: error", NULL,
	  HDR SEC_ST("first-login", "unreadable\t/root\n" RESET("wordpress") HOOK("wordpress"), "1")
		  QUIET DONE,
	  "apps: wordpress", CHECK_ERROR,
	  "first-login reset cannot be judged: /root could not be listed (gather as root)",
	  { "/root: cannot be listed by the user the facts were gathered as", E_DECLARED("wordpress"),
	    E_RESET("wordpress"), E_HOOK("wordpress"), E_ABSENT(P_UNIT("wordpress")),
	    E_ABSENT(P_WANTS("wordpress")), E_ABSENT(P_DONE("wordpress")),
	    E_ABSENT(P_CRED("wordpress")) } },
	{ "an owner not reported: error; a finding wins over it", NULL,
	  HDR SEC("first-login", P_RESET("a") "\tfile\t\t\t\n" HOOK("a") RESET("b")) QUIET DONE, "apps: a b",
	  CHECK_FAIL,
	  "b: no first-boot trigger (neither " P_HOOK("b") " nor " P_UNIT("b") " enabled in "
	  "multi-user.target.wants) (also: the owner or mode of " P_RESET("a") " was not reported)",
	  { E_DECLARED("a"), P_RESET("a") ": file, owner unknown, mode unknown", E_HOOK("a"),
	    E_ABSENT(P_UNIT("a")), E_ABSENT(P_WANTS("a")), E_ABSENT(P_DONE("a")),
	    E_ABSENT(P_CRED("a")), E_DECLARED("b"), ALL_ABSENT_BUT_RESET("b"), E_ABSENT(P_DONE("b")),
	    E_ABSENT(P_CRED("b")) } },
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
	/* a remediation exactly when it did not pass, naming the step and the document */
	if (row->status == CHECK_PASS)
		return !r->remediation;
	if (!r->remediation)
		return 0;
	if (row->status == CHECK_FAIL)
		return strstr(r->remediation, "`webapp-first-login` step") &&
		       strstr(r->remediation, "docs/first-login.md");
	return 1;
}

static void test_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		failed += !test_check_row(&check_webapp_first_login, row->name, row->with, row->transcript, row->text,
					  NULL, row_matches, row);
	}
	assert_int_equal(failed, 0);
}

/* The remediation says what to remove when credentials or a done marker were found. */
static void test_remedy(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_text(
		HDR SEC("first-login", RESET("g") UNIT("g") WANTS("g") DONE_MARK("g") CRED("g") UNIT_BODY("g"))
			QUIET DONE);
	struct params p = { NULL, 0 };
	struct check_result r;
	struct check_env env = { .f = f };

	test_check_params_ok(&check_webapp_first_login, "fl", "apps: g", &p);
	check_result_init(&r);
	check_webapp_first_login.eval(&p, &env, &r);
	assert_int_equal(r.status, CHECK_FAIL);
	assert_non_null(strstr(r.remediation, "remove the credentials files made on the build VM"));
	assert_non_null(strstr(r.remediation, "remove the done markers before capture"));
	check_result_release(&r);
	params_release(&p);
	facts_free(f);
}

/* ---- the type and its parameters ---- */

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(check_type_find("webapp-first-login"), &check_webapp_first_login);
	assert_non_null(check_webapp_first_login.eval);
}

static void test_defaults(void **state)
{
	(void)state;
	struct params p = { NULL, 0 };
	test_check_params_ok(&check_webapp_first_login, "fl", NULL, &p);
	assert_string_equal(params_get(&p, "apps")->v.s, "");
	const struct param *ports = params_get(&p, "web_ports");
	assert_int_equal(ports->v.n, 6);
	assert_int_equal(ports->v.items[0].i, 80);
	assert_int_equal(ports->v.items[5].i, 8888);
	params_release(&p);
}

static void test_validate(void **state)
{
	(void)state;
	static const struct {
		const char *with, *err;
	} cases[] = {
		{ "apps: wordpress", NULL },
		{ "apps: 'wordpress, my_app-2,0ad'", NULL },
		{ "apps: ' , '", NULL },
		{ "apps: WordPress", "w.yaml:1:7: error: 'WordPress' in 'apps' of check 'fl' "
				     "(webapp-first-login) is not an application name ([a-z0-9][a-z0-9_-]*)" },
		{ "apps: 'a, -b'", "w.yaml:1:7: error: '-b' in 'apps' of check 'fl' (webapp-first-login) is "
				   "not an application name ([a-z0-9][a-z0-9_-]*)" },
		{ "apps: 'a/../b'", "w.yaml:1:7: error: 'a/../b' in 'apps' of check 'fl' "
				    "(webapp-first-login) is not an application name ([a-z0-9][a-z0-9_-]*)" },
		{ "apps: 'a b a'", "w.yaml:1:7: error: 'a' is listed twice in 'apps' of check 'fl' "
				   "(webapp-first-login)" },
		{ "apps: [a, b]", "w.yaml:1:7: error: parameter 'apps' of check 'fl' (webapp-first-login) "
				  "expects a string, found a list" },
		{ "web_ports: [0]", "w.yaml:1:13: error: parameter 'web_ports' of check 'fl' "
				    "(webapp-first-login) must be between 1 and 65535, found 0" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct diags d;
		struct params p = { NULL, 0 };
		diags_init(&d);
		int ret = test_check_params(&check_webapp_first_login, "fl", cases[i].with, &p, &d);
		char *text = test_diags_text(&d);
		if (cases[i].err ? ret == 0 || !strstr(text, cases[i].err) : ret != 0) {
			print_error("'%s': ret %d, diagnostics:\n%s", cases[i].with, ret, text);
			fail();
		}
		free(text);
		params_release(&p);
		diags_release(&d);
	}
}

/* The bundled profile passes ${webapps}: a string of names, checked like the parameter. */
static void test_apps_from_var(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		int ok;
	} cases[] = { { "", 1 }, { "wordpress", 1 }, { "wordpress,grafana", 1 }, { "Bad!", 0 } };
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ydoc *doc = NULL;
		struct diags d;
		struct vars vars;
		struct params p = { NULL, 0 };
		const char *with = "apps: ${webapps}";
		diags_init(&d);
		vars_init(&vars);
		vars_set(&vars, "webapps", cases[i].value, (struct srcpos){ NULL, 0, 0 }, "test");
		assert_int_equal(ytree_parse("w.yaml", with, strlen(with), &doc, &d), 0);
		int ret = params_from_yaml(check_webapp_first_login.params, doc->root,
					   (struct srcpos){ "p.yaml", 1, 1 }, &vars,
					   "check 'fl' (webapp-first-login)", &p, &d);
		assert_int_equal(ret, 0);
		struct type_ctx ctx = { "check 'fl' (webapp-first-login)", { "p.yaml", 1, 1 }, NULL, &d };
		check_webapp_first_login.validate(&p, &ctx);
		assert_int_equal(d.errors == 0, cases[i].ok);
		assert_string_equal(params_get(&p, "apps")->v.s, cases[i].value);
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
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_apps_from_var),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_remedy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
