/*
 * cleanup: the last step before capture. What the build left on the VM that
 * must not ship in the image is removed, each item on its own switch (all on
 * by default):
 *
 *   authorized_keys  the build user's (build_user, or the account this run
 *                    logs in as) and root's, except keep_authorized_keys_of
 *   histories        shell and tool history files of root and every home
 *   first_login      the done markers, credentials and MOTD pointers a web
 *                    application's first-login reset left (docs/first-login.md)
 *   extra_paths      the profile's own paths or patterns
 *   tmp              what /tmp and /var/tmp hold, but sockets, what a running
 *                    process has open (or runs in), and mount points
 *   package_cache    downloaded packages: apt-get clean, dnf/yum clean all,
 *                    zypper clean
 *   cloud_init       cloud-init clean --logs --seed, keeping the scripts of
 *                    /var/lib/cloud/scripts (a first-login hook among them)
 *   machine_id       /etc/machine-id emptied (not removed); a
 *                    /var/lib/dbus/machine-id of its own becomes a link to it
 *   host_keys        /etc/ssh/ssh_host_*, once something makes new ones at
 *                    the first boot: cloud-init's ssh module, the
 *                    distribution's sshd-keygen, or a oneshot (systemd) or
 *                    init script (SysV) running ssh-keygen -A installed here
 *   logs             rotated copies under /var/log removed, the other files
 *                    truncated to 0 (their owner and mode kept); the journal
 *                    rotated and vacuumed when journald runs
 *
 * All of it is one remote script (below), run in a check mode for a dry run
 * and in an apply mode otherwise; each item looks before it acts, so a second
 * run finds nothing to do and reports ok. Two things are judged so that the
 * run's own traffic does not count: package caches by downloaded packages
 * (the package lists `run` refreshes are not), and the journal by whether it
 * was rotated in this boot (a mark in /run, which no image captures). Plain
 * log files are judged by their size: on a VM that logs logins to files, a
 * second run truncates what its own login logged, and says so.
 *
 * The connection in use survives all of it: sshd holds the host keys it
 * loaded, an established session does not read authorized_keys again, and
 * nothing restarts sshd. `run` gathers its final facts on a new channel of
 * the same connection, so the hygiene check judges the cleaned VM in the
 * same run; a later run needs a key that was kept. The script goes to `sh
 * -s` on standard input: that shell is not interactive and writes no
 * history when the session ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

static const struct param_spec cleanup_params[] = {
	{ "authorized_keys", PK_BOOL, 0, "true",
	  "remove the authorized_keys of the build user and of root", NULL, 0, 0 },
	{ "histories", PK_BOOL, 0, "true", "remove shell and tool histories of root and every home",
	  NULL, 0, 0 },
	{ "first_login", PK_BOOL, 0, "true",
	  "remove the done markers, credentials and MOTD pointers of web applications' first-login "
	  "resets",
	  NULL, 0, 0 },
	{ "tmp", PK_BOOL, 0, "true",
	  "empty /tmp and /var/tmp, but sockets and what running processes use", NULL, 0, 0 },
	{ "package_cache", PK_BOOL, 0, "true",
	  "remove downloaded packages (apt-get clean, dnf/yum clean all, zypper clean)", NULL, 0, 0 },
	{ "cloud_init", PK_BOOL, 0, "true",
	  "cloud-init clean --logs --seed, keeping /var/lib/cloud/scripts", NULL, 0, 0 },
	{ "machine_id", PK_BOOL, 0, "true",
	  "empty /etc/machine-id; link a /var/lib/dbus/machine-id of its own to it", NULL, 0, 0 },
	{ "host_keys", PK_BOOL, 0, "true",
	  "remove /etc/ssh/ssh_host_*, making sure each instance generates its own at first boot",
	  NULL, 0, 0 },
	{ "logs", PK_BOOL, 0, "true",
	  "truncate the files under /var/log (rotated copies removed), rotate and vacuum the journal",
	  NULL, 0, 0 },
	{ "build_user", PK_STRING, 0, "\"\"",
	  "the account the image was built with; empty: the account this run logs in as", NULL, 0,
	  0 },
	{ "keep_authorized_keys_of", PK_STRING_LIST, 0, "[]",
	  "accounts whose authorized_keys ship in the image", NULL, 0, 0 },
	{ "extra_paths", PK_STRING_LIST, 0, "[]",
	  "more absolute paths or shell patterns to remove", NULL, 0, 0 },
	{ "timeout", PK_DURATION, 0, "10m", "time limit of the cleanup", NULL, 1, 86400 },
	PARAM_END,
};

/* The items the remote script knows, with the switch that turns each on. */
static const struct {
	const char *param, *var;
} cleanup_switches[] = {
	{ "authorized_keys", "DO_KEYS" },   { "histories", "DO_HISTORIES" },
	{ "first_login", "DO_FIRST_LOGIN" }, { "tmp", "DO_TMP" },
	{ "package_cache", "DO_CACHE" },    { "cloud_init", "DO_CLOUD_INIT" },
	{ "machine_id", "DO_MACHINE_ID" },  { "host_keys", "DO_HOST_KEYS" },
	{ "logs", "DO_LOGS" },
};

/* Exported for tests/unit/test_step_cleanup.c only (the step's pure parts). */
int cleanup_valid_account(const char *s);
const char *cleanup_bad_path(const char *s);
char *cleanup_script(const struct params *p, int apply);
enum step_status cleanup_judge(const char *out, size_t len, int dry_run, char **summary,
			       struct strbuf *lines);

/* ---- load-time rules ---- */

/* An account name: letters, digits, '_', '.', '-' (not first), and a final '$'. */
int cleanup_valid_account(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || c == '.' || c == '-' || (c == '$' && i == n - 1))
			continue;
		return 0;
	}
	return 1;
}

static int has_glob(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[')
			return 1;
	return 0;
}

/*
 * Why an extra_paths entry is refused, or NULL when it is fine: an absolute
 * path (or shell pattern) without "." or ".." components or control
 * characters, at least two components deep, the first one literal, and not a
 * pattern over the entries of a system directory (a star right under /usr).
 */
const char *cleanup_bad_path(const char *s)
{
	static const char *const system_dirs[] = { "bin", "boot", "dev", "etc", "lib", "lib32",
						    "lib64", "libx32", "proc", "run", "sbin", "sys",
						    "usr", "var", NULL };
	const char *comp[3];
	size_t len[3], depth = 0;

	if (s[0] != '/')
		return "is not an absolute path";
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "holds a control character";
	for (const char *p = s; *p;) {
		const char *end;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
		if ((end - p == 1 && p[0] == '.') || (end - p == 2 && p[0] == '.' && p[1] == '.'))
			return "has a '.' or '..' component";
		if (depth < ARRAY_SIZE(comp)) {
			comp[depth] = p;
			len[depth] = (size_t)(end - p);
		}
		depth++;
		p = end;
	}
	if (depth < 2)
		return "names a top-level directory: give a path at least two levels deep";
	if (has_glob(comp[0], len[0]))
		return "has a pattern in its first component";
	if (depth == 2 && has_glob(comp[1], len[1]))
		for (size_t i = 0; system_dirs[i]; i++)
			if (strlen(system_dirs[i]) == len[0] && !strncmp(comp[0], system_dirs[i], len[0]))
				return "is a pattern over the entries of a system directory";
	return NULL;
}

static void cleanup_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *user = params_get(p, "build_user");
	const struct param *keep = params_get(p, "keep_authorized_keys_of");
	const struct param *extra = params_get(p, "extra_paths");

	if (user && user->v.s[0] && !cleanup_valid_account(user->v.s))
		diag_error(ctx->d, user->v.pos, "'%s' in 'build_user' of %s is not an account name",
			   user->v.s, ctx->owner);
	for (size_t i = 0; keep && i < keep->v.n; i++) {
		const struct pval *it = &keep->v.items[i];
		if (!cleanup_valid_account(it->s)) {
			diag_error(ctx->d, it->pos,
				   "'%s' in 'keep_authorized_keys_of' of %s is not an account name", it->s,
				   ctx->owner);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keep->v.items[j].s, it->s)) {
				diag_error(ctx->d, it->pos,
					   "'%s' is listed twice in 'keep_authorized_keys_of' of %s", it->s,
					   ctx->owner);
				break;
			}
	}
	for (size_t i = 0; extra && i < extra->v.n; i++) {
		const struct pval *it = &extra->v.items[i];
		const char *why = cleanup_bad_path(it->s);
		if (why)
			diag_error(ctx->d, it->pos, "'%s' in 'extra_paths' of %s %s", it->s, ctx->owner,
				   why);
	}
}

/* ---- the remote script ---- */

static const char cleanup_sh[] =
	"# The pre-capture cleanup, on the target (POSIX sh, as root). The controller\n"
	"# puts the settings first: MODE (check: say what would be done; apply: do it\n"
	"# and say what was done), DO_* (1 for each item to clean), BUILD_USER,\n"
	"# KEEP_KEYS and EXTRA (newline-separated). Every item looks before it acts\n"
	"# and acts only on what is there, so that a second run finds nothing to do.\n"
	"#\n"
	"# Output, one line per finding: SR <tab> ITEM <tab> VERB <tab> TEXT. Verbs\n"
	"# that change the target: remove, truncate, empty, link, clean, vacuum,\n"
	"# install; the others only inform: rely (what makes new host keys at first\n"
	"# boot), keep (left in place, and why), note, error.\n"
	"#\n"
	"# This script reaches the target on the standard input of `sh -s`, a\n"
	"# non-interactive shell that keeps no history: nothing of this session is\n"
	"# written to a history file when it ends.\n"
	"NL='\n"
	"'\n"
	"FAILED=0\n"
	"\n"
	"say() {\n"
	"    _si=$1 _sv=$2\n"
	"    shift 2\n"
	"    _st=$*\n"
	"    case $_st in *\"$NL\"*) _st=$(printf '%s' \"$_st\" | tr '\\n' '?') ;; esac\n"
	"    printf 'SR\\t%s\\t%s\\t%s\\n' \"$_si\" \"$_sv\" \"$_st\"\n"
	"}\n"
	"act() { [ \"$MODE\" = apply ]; }\n"
	"fail() {\n"
	"    say \"$1\" error \"$2\"\n"
	"    FAILED=1\n"
	"}\n"
	"exists() { [ -e \"$1\" ] || [ -L \"$1\" ]; }\n"
	"# The last line a command printed on stderr, for messages.\n"
	"last_line() { printf '%s' \"$1\" | tail -n 1; }\n"
	"\n"
	"# ---- authorized_keys of the build user and root ----\n"
	"\n"
	"home_of() {\n"
	"    awk -F: -v u=\"$1\" '$1 == u { print $6; f = 1; exit } END { exit !f }' /etc/passwd 2>/dev/null\n"
	"}\n"
	"\n"
	"kept() {\n"
	"    case \"$NL$KEEP_KEYS$NL\" in *\"$NL$1$NL\"*) return 0 ;; esac\n"
	"    return 1\n"
	"}\n"
	"\n"
	"clean_keys() {\n"
	"    _login=${SUDO_USER:-$(id -un)}\n"
	"    _bu=${BUILD_USER:-$_login}\n"
	"    _users=$_bu\n"
	"    [ \"$_bu\" = root ] || _users=\"$_bu${NL}root\"\n"
	"    _oifs=$IFS\n"
	"    IFS=$NL\n"
	"    set -f\n"
	"    for _u in $_users; do\n"
	"        IFS=$_oifs\n"
	"        if kept \"$_u\"; then\n"
	"            say keys keep \"the authorized_keys of $_u (keep_authorized_keys_of)\"\n"
	"            continue\n"
	"        fi\n"
	"        if ! _h=$(home_of \"$_u\"); then\n"
	"            say keys note \"no account $_u\"\n"
	"            continue\n"
	"        fi\n"
	"        [ -n \"$_h\" ] || continue\n"
	"        _h=${_h%/}\n"
	"        for _f in \"$_h/.ssh/authorized_keys\" \"$_h/.ssh/authorized_keys2\"; do\n"
	"            exists \"$_f\" || continue\n"
	"            if act && ! rm -f \"$_f\"; then\n"
	"                fail keys \"cannot remove $_f\"\n"
	"                continue\n"
	"            fi\n"
	"            say keys remove \"$_f\"\n"
	"        done\n"
	"    done\n"
	"    set +f\n"
	"    IFS=$_oifs\n"
	"}\n"
	"\n"
	"# ---- shell and tool histories ----\n"
	"\n"
	"HIST_NAMES='.bash_history .zsh_history .zhistory .sh_history .ash_history .history\n"
	".mysql_history .psql_history .python_history .sqlite_history .node_repl_history\n"
	".rediscli_history .lesshst .viminfo .local/share/fish/fish_history'\n"
	"\n"
	"homes() {\n"
	"    printf '/root\\n'\n"
	"    awk -F: '$6 != \"\" && $6 != \"/\" { print $6 }' /etc/passwd 2>/dev/null\n"
	"}\n"
	"\n"
	"clean_histories() {\n"
	"    _seen=$NL\n"
	"    _oifs=$IFS\n"
	"    IFS=$NL\n"
	"    set -f\n"
	"    for _h in $(homes); do\n"
	"        IFS=$_oifs\n"
	"        _h=${_h%/}\n"
	"        case $_seen in *\"$NL$_h$NL\"*) continue ;; esac\n"
	"        _seen=$_seen$_h$NL\n"
	"        [ -d \"$_h\" ] || continue\n"
	"        for _n in $HIST_NAMES; do\n"
	"            _f=$_h/$_n\n"
	"            # a link (to /dev/null, usually) is a choice someone made: kept\n"
	"            [ -f \"$_f\" ] && [ ! -L \"$_f\" ] || continue\n"
	"            if act && ! rm -f \"$_f\"; then\n"
	"                fail history \"cannot remove $_f\"\n"
	"                continue\n"
	"            fi\n"
	"            say history remove \"$_f\"\n"
	"        done\n"
	"    done\n"
	"    set +f\n"
	"    IFS=$_oifs\n"
	"}\n"
	"\n"
	"# ---- what a web application's first-login reset left (docs/first-login.md) ----\n"
	"\n"
	"clean_first_login() {\n"
	"    for _f in /var/lib/shelfready/first-login/*.done /var/lib/shelfready/first-login/*.done.new \\\n"
	"        /root/.shelfready/first-login/*.credentials /root/.shelfready/first-login/*.credentials.new \\\n"
	"        /etc/motd.d/shelfready-first-login-* /etc/update-motd.d/*shelfready-first-login-*; do\n"
	"        exists \"$_f\" || continue\n"
	"        if act && ! rm -f \"$_f\"; then\n"
	"            fail first-login \"cannot remove $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say first-login remove \"$_f\"\n"
	"    done\n"
	"}\n"
	"\n"
	"# ---- extra paths of the profile (patterns: globbing on, split on newlines only) ----\n"
	"\n"
	"clean_extra() {\n"
	"    [ -n \"$EXTRA\" ] || return 0\n"
	"    _oifs=$IFS\n"
	"    IFS=$NL\n"
	"    set +f\n"
	"    set -- $EXTRA\n"
	"    IFS=$_oifs\n"
	"    for _f in \"$@\"; do\n"
	"        exists \"$_f\" || continue\n"
	"        if act && ! rm -rf \"$_f\"; then\n"
	"            fail extra \"cannot remove $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say extra remove \"$_f\"\n"
	"    done\n"
	"}\n"
	"\n"
	"# ---- /tmp and /var/tmp ----\n"
	"\n"
	"# Paths under /tmp and /var/tmp that running processes hold: open files,\n"
	"# working directories, executables and mapped files.\n"
	"busy_paths() {\n"
	"    ls -l /proc/[0-9]*/fd/ /proc/[0-9]*/cwd /proc/[0-9]*/exe /proc/[0-9]*/root 2>/dev/null |\n"
	"        awk '{ i = index($0, \" -> \"); if (i) print substr($0, i + 4) }'\n"
	"    cat /proc/[0-9]*/maps 2>/dev/null | awk '$6 ~ /^\\// { print $6 }'\n"
	"}\n"
	"\n"
	"in_use() {\n"
	"    printf '%s\\n' \"$BUSY\" | awk -v e=\"$1\" '\n"
	"        { sub(/ \\(deleted\\)$/, \"\") }\n"
	"        $0 == e || index($0, e \"/\") == 1 { f = 1; exit }\n"
	"        END { exit !f }'\n"
	"}\n"
	"\n"
	"has_mount() {\n"
	"    awk -v e=\"$1\" '$2 == e || index($2, e \"/\") == 1 { f = 1; exit } END { exit !f }' /proc/mounts 2>/dev/null\n"
	"}\n"
	"\n"
	"clean_tmp() {\n"
	"    BUSY=$(busy_paths | awk '/^\\/(var\\/)?tmp\\// && !s[$0]++')\n"
	"    for _d in /tmp /var/tmp; do\n"
	"        [ -d \"$_d\" ] && [ ! -L \"$_d\" ] || continue\n"
	"        for _e in \"$_d\"/* \"$_d\"/.[!.]* \"$_d\"/..?*; do\n"
	"            exists \"$_e\" || continue\n"
	"            case ${_e#\"$_d\"/} in\n"
	"            # made at every boot, or held by services: never build leftovers\n"
	"            .X11-unix | .ICE-unix | .XIM-unix | .font-unix | .Test-unix | lost+found | \\\n"
	"                systemd-private-* | snap-private-tmp) continue ;;\n"
	"            *\"$NL\"*)\n"
	"                say tmp keep \"$_e (a name with a newline)\"\n"
	"                continue\n"
	"                ;;\n"
	"            esac\n"
	"            if [ -S \"$_e\" ]; then\n"
	"                say tmp keep \"$_e (a socket)\"\n"
	"            elif in_use \"$_e\"; then\n"
	"                say tmp keep \"$_e (in use by a running process)\"\n"
	"            elif has_mount \"$_e\"; then\n"
	"                say tmp keep \"$_e (a mount point)\"\n"
	"            elif [ -d \"$_e\" ] && [ ! -L \"$_e\" ] && [ -n \"$(find \"$_e\" -type s 2>/dev/null | head -n 1)\" ]; then\n"
	"                say tmp keep \"$_e (holds a socket)\"\n"
	"            elif act && ! rm -rf \"$_e\"; then\n"
	"                fail tmp \"cannot remove $_e\"\n"
	"            else\n"
	"                say tmp remove \"$_e\"\n"
	"            fi\n"
	"        done\n"
	"    done\n"
	"}\n"
	"\n"
	"# ---- package caches: judged on downloaded packages ----\n"
	"\n"
	"count_files() { # DIR PATTERN\n"
	"    [ -d \"$1\" ] || {\n"
	"        echo 0\n"
	"        return\n"
	"    }\n"
	"    find \"$1\" -type f -name \"$2\" 2>/dev/null | wc -l | tr -d ' '\n"
	"}\n"
	"\n"
	"clean_cache_with() { # COUNT COMMAND...\n"
	"    _n=$1\n"
	"    shift\n"
	"    [ \"$_n\" -gt 0 ] || return 0\n"
	"    if act; then\n"
	"        if ! _err=$(\"$@\" 2>&1 >/dev/null); then\n"
	"            fail cache \"$* failed: $(last_line \"$_err\")\"\n"
	"            return\n"
	"        fi\n"
	"    fi\n"
	"    _pk=packages\n"
	"    [ \"$_n\" = 1 ] && _pk=package\n"
	"    say cache clean \"$* ($_n downloaded $_pk)\"\n"
	"}\n"
	"\n"
	"clean_cache() {\n"
	"    if command -v apt-get >/dev/null 2>&1; then\n"
	"        clean_cache_with \"$(count_files /var/cache/apt/archives '*.deb')\" apt-get clean\n"
	"    fi\n"
	"    if command -v dnf >/dev/null 2>&1; then\n"
	"        clean_cache_with \"$(count_files /var/cache/dnf '*.rpm')\" dnf clean all\n"
	"    elif command -v yum >/dev/null 2>&1; then\n"
	"        clean_cache_with \"$(count_files /var/cache/yum '*.rpm')\" yum clean all\n"
	"    fi\n"
	"    if command -v zypper >/dev/null 2>&1; then\n"
	"        clean_cache_with \"$(count_files /var/cache/zypp/packages '*.rpm')\" zypper --non-interactive clean\n"
	"    fi\n"
	"}\n"
	"\n"
	"# ---- cloud-init state ----\n"
	"\n"
	"clean_cloud_init() {\n"
	"    if ! command -v cloud-init >/dev/null 2>&1; then\n"
	"        # not installed: what would make an instance look already initialised\n"
	"        for _f in /var/lib/cloud/instance /var/lib/cloud/instances; do\n"
	"            exists \"$_f\" || continue\n"
	"            if act && ! rm -rf \"$_f\"; then\n"
	"                fail cloud-init \"cannot remove $_f\"\n"
	"                continue\n"
	"            fi\n"
	"            say cloud-init remove \"$_f\"\n"
	"        done\n"
	"        return 0\n"
	"    fi\n"
	"    _left=\n"
	"    # judged on /var/lib/cloud (its logs are the logs item's)\n"
	"    for _f in /var/lib/cloud/* /var/lib/cloud/.[!.]*; do\n"
	"        exists \"$_f\" || continue\n"
	"        [ \"$_f\" = /var/lib/cloud/scripts ] && continue\n"
	"        _left=1\n"
	"        break\n"
	"    done\n"
	"    [ -n \"$_left\" ] || return 0\n"
	"    if act; then\n"
	"        # `cloud-init clean` removes all of /var/lib/cloud, the per-instance,\n"
	"        # per-boot and per-once scripts the image ships (a first-login reset's\n"
	"        # hook among them) included: they are moved aside and put back.\n"
	"        _aside=\n"
	"        if [ -d /var/lib/cloud/scripts ] && [ ! -L /var/lib/cloud/scripts ]; then\n"
	"            if ! _aside=$(mktemp -d /var/lib/.shelfready-cloud-scripts.XXXXXXXX) ||\n"
	"                ! mv /var/lib/cloud/scripts \"$_aside/\"; then\n"
	"                fail cloud-init \"cannot move /var/lib/cloud/scripts aside: not cleaned\"\n"
	"                [ -n \"$_aside\" ] && rmdir \"$_aside\" 2>/dev/null\n"
	"                return\n"
	"            fi\n"
	"        fi\n"
	"        _err=$(cloud-init clean --logs --seed 2>&1 >/dev/null)\n"
	"        _st=$?\n"
	"        if [ -n \"$_aside\" ]; then\n"
	"            if mkdir -p /var/lib/cloud && mv \"$_aside/scripts\" /var/lib/cloud/ && rmdir \"$_aside\"; then\n"
	"                :\n"
	"            else\n"
	"                fail cloud-init \"cannot put /var/lib/cloud/scripts back: it is in $_aside\"\n"
	"            fi\n"
	"        fi\n"
	"        if [ \"$_st\" != 0 ]; then\n"
	"            fail cloud-init \"cloud-init clean failed: $(last_line \"$_err\")\"\n"
	"            return\n"
	"        fi\n"
	"    fi\n"
	"    if [ -d /var/lib/cloud/scripts ]; then\n"
	"        say cloud-init clean \"cloud-init clean --logs --seed (its scripts kept)\"\n"
	"    else\n"
	"        say cloud-init clean \"cloud-init clean --logs --seed\"\n"
	"    fi\n"
	"}\n"
	"\n"
	"# ---- machine ids ----\n"
	"\n"
	"clean_machine_id() {\n"
	"    _m=/etc/machine-id\n"
	"    if [ -f \"$_m\" ] && [ ! -L \"$_m\" ] && [ -s \"$_m\" ]; then\n"
	"        _id=\n"
	"        read -r _id <\"$_m\"\n"
	"        # \"uninitialized\" asks systemd to treat the next boot as the first: fine\n"
	"        if [ \"$_id\" != uninitialized ]; then\n"
	"            if act && ! : >\"$_m\"; then\n"
	"                fail machine-id \"cannot empty $_m\"\n"
	"            else\n"
	"                say machine-id empty \"$_m\"\n"
	"            fi\n"
	"        fi\n"
	"    fi\n"
	"    _d=/var/lib/dbus/machine-id\n"
	"    # a link (to /etc/machine-id, as Debian and Fedora make it) holds no id of its own\n"
	"    if [ -f \"$_d\" ] && [ ! -L \"$_d\" ] && [ -s \"$_d\" ]; then\n"
	"        if [ -e \"$_m\" ]; then\n"
	"            if act && ! ln -sf /etc/machine-id \"$_d\"; then\n"
	"                fail machine-id \"cannot link $_d to /etc/machine-id\"\n"
	"            else\n"
	"                say machine-id link \"$_d\"\n"
	"            fi\n"
	"        elif act && ! rm -f \"$_d\"; then\n"
	"            fail machine-id \"cannot remove $_d\"\n"
	"        else\n"
	"            say machine-id remove \"$_d\"\n"
	"        fi\n"
	"    fi\n"
	"}\n"
	"\n"
	"# ---- SSH host keys, and what makes new ones at the first boot ----\n"
	"\n"
	"KEYGEN_UNIT=/etc/systemd/system/shelfready-ssh-keygen.service\n"
	"KEYGEN_WANTS=/etc/systemd/system/multi-user.target.wants/shelfready-ssh-keygen.service\n"
	"KEYGEN_INIT=/etc/init.d/shelfready-ssh-keygen\n"
	"\n"
	"keygen_unit() {\n"
	"    cat <<EOF\n"
	"# Installed by shelfready's pre-capture cleanup, which removed the SSH host\n"
	"# keys of the build VM: each instance made from the image generates its own\n"
	"# at its first boot.\n"
	"[Unit]\n"
	"Description=Generate the SSH host keys of this instance\n"
	"ConditionPathExistsGlob=!/etc/ssh/ssh_host_*_key\n"
	"Before=ssh.service sshd.service\n"
	"\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=$1 -A\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n"
	"EOF\n"
	"}\n"
	"\n"
	"keygen_init() {\n"
	"    cat <<EOF\n"
	"#!/bin/sh\n"
	"### BEGIN INIT INFO\n"
	"# Provides:          shelfready-ssh-keygen\n"
	"# Required-Start:    \\$local_fs\n"
	"# Required-Stop:\n"
	"# X-Start-Before:    ssh sshd\n"
	"# Default-Start:     2 3 4 5\n"
	"# Default-Stop:\n"
	"# Short-Description: Generate the SSH host keys of this instance\n"
	"### END INIT INFO\n"
	"# Installed by shelfready's pre-capture cleanup, which removed the SSH host\n"
	"# keys of the build VM: each instance made from the image generates its own\n"
	"# at its first boot.\n"
	"case \"\\$1\" in\n"
	"start)\n"
	"    for f in /etc/ssh/ssh_host_*_key; do\n"
	"        [ -e \"\\$f\" ] && exit 0\n"
	"    done\n"
	"    exec $1 -A\n"
	"    ;;\n"
	"stop | restart | force-reload | status) exit 0 ;;\n"
	"*)\n"
	"    echo \"Usage: \\$0 start\" >&2\n"
	"    exit 3\n"
	"    ;;\n"
	"esac\n"
	"EOF\n"
	"}\n"
	"\n"
	"# Is file $1 exactly $2 (a text ending in a newline)?\n"
	"same_text() { [ -f \"$1\" ] && [ ! -L \"$1\" ] && [ \"$(cat \"$1\" 2>/dev/null; echo .)\" = \"$2.\" ]; }\n"
	"\n"
	"put_file() { # PATH MODE TEXT\n"
	"    _t=$1.shelfready-new\n"
	"    mkdir -p \"${1%/*}\" &&\n"
	"        printf '%s' \"$3\" >\"$_t\" && chmod \"$2\" \"$_t\" && mv -f \"$_t\" \"$1\"\n"
	"}\n"
	"\n"
	"# Who makes new host keys at the first boot: the distribution (cloud-init's\n"
	"# ssh module, sshd-keygen units, an sshd init script that runs ssh-keygen),\n"
	"# or ours, installed when nothing else would.\n"
	"regen() {\n"
	"    if command -v cloud-init >/dev/null 2>&1 && [ ! -e /etc/cloud/cloud-init.disabled ]; then\n"
	"        _cfg=$(cat /etc/cloud/cloud.cfg /etc/cloud/cloud.cfg.d/*.cfg 2>/dev/null)\n"
	"        if printf '%s\\n' \"$_cfg\" | grep -Eq '^[[:space:]]*-[[:space:]]*(ssh|cc_ssh|\\[[[:space:]]*ssh[[:space:]]*,.*\\])[[:space:]]*$' &&\n"
	"            ! printf '%s\\n' \"$_cfg\" | grep -Eq '^[[:space:]]*ssh_genkeytypes:[[:space:]]*\\[[[:space:]]*\\]'; then\n"
	"            say regen rely \"cloud-init's ssh module (ssh_genkeytypes)\"\n"
	"            return\n"
	"        fi\n"
	"    fi\n"
	"    _kg=$(command -v ssh-keygen 2>/dev/null)\n"
	"    if [ -d /run/systemd/system ]; then\n"
	"        for _u in /usr/lib/systemd/system /lib/systemd/system /etc/systemd/system; do\n"
	"            for _n in sshd-keygen@.service sshd-keygen.service; do\n"
	"                if [ -f \"$_u/$_n\" ]; then\n"
	"                    say regen rely \"the distribution's $_n\"\n"
	"                    return\n"
	"                fi\n"
	"            done\n"
	"            for _n in sshd.service ssh.service; do\n"
	"                if grep -Eqs 'ssh-keygen[[:space:]]+-A|sshd-gen-keys' \"$_u/$_n\"; then\n"
	"                    say regen rely \"the distribution's $_n (it generates missing keys)\"\n"
	"                    return\n"
	"                fi\n"
	"            done\n"
	"        done\n"
	"        if [ -z \"$_kg\" ]; then\n"
	"            fail regen \"no ssh-keygen here: nothing would make new host keys at the first boot\"\n"
	"            return\n"
	"        fi\n"
	"        _want=$(keygen_unit \"$_kg\")$NL\n"
	"        if same_text \"$KEYGEN_UNIT\" \"$_want\" && [ \"$(readlink \"$KEYGEN_WANTS\")\" = \"$KEYGEN_UNIT\" ]; then\n"
	"            say regen rely \"$KEYGEN_UNIT (a systemd oneshot running ssh-keygen -A)\"\n"
	"            return\n"
	"        fi\n"
	"        if act; then\n"
	"            if ! put_file \"$KEYGEN_UNIT\" 644 \"$_want\" || ! mkdir -p \"${KEYGEN_WANTS%/*}\" ||\n"
	"                ! ln -sf \"$KEYGEN_UNIT\" \"$KEYGEN_WANTS\"; then\n"
	"                fail regen \"cannot install $KEYGEN_UNIT\"\n"
	"                return\n"
	"            fi\n"
	"            systemctl daemon-reload >/dev/null 2>&1\n"
	"        fi\n"
	"        say regen install \"$KEYGEN_UNIT (a systemd oneshot running ssh-keygen -A, enabled)\"\n"
	"        return\n"
	"    fi\n"
	"    for _n in /etc/init.d/sshd /etc/init.d/ssh; do\n"
	"        if grep -Eqs 'ssh-keygen|sshd-gen-keys' \"$_n\"; then\n"
	"            say regen rely \"the distribution's $_n (it generates missing keys)\"\n"
	"            return\n"
	"        fi\n"
	"    done\n"
	"    if [ -z \"$_kg\" ]; then\n"
	"        fail regen \"no ssh-keygen here: nothing would make new host keys at the first boot\"\n"
	"        return\n"
	"    fi\n"
	"    _want=$(keygen_init \"$_kg\")$NL\n"
	"    _linked=\n"
	"    for _l in /etc/rc2.d/S[0-9][0-9]shelfready-ssh-keygen; do\n"
	"        [ -L \"$_l\" ] && _linked=1\n"
	"    done\n"
	"    if same_text \"$KEYGEN_INIT\" \"$_want\" && [ -n \"$_linked\" ]; then\n"
	"        say regen rely \"$KEYGEN_INIT (an init script running ssh-keygen -A)\"\n"
	"        return\n"
	"    fi\n"
	"    if act; then\n"
	"        if ! put_file \"$KEYGEN_INIT\" 755 \"$_want\"; then\n"
	"            fail regen \"cannot install $KEYGEN_INIT\"\n"
	"            return\n"
	"        fi\n"
	"        if [ -z \"$_linked\" ]; then\n"
	"            if command -v update-rc.d >/dev/null 2>&1; then\n"
	"                _err=$(update-rc.d shelfready-ssh-keygen defaults 2>&1 >/dev/null) ||\n"
	"                    fail regen \"update-rc.d shelfready-ssh-keygen defaults failed: $(last_line \"$_err\")\"\n"
	"            else\n"
	"                for _r in 2 3 4 5; do\n"
	"                    mkdir -p \"/etc/rc$_r.d\" && ln -sf ../init.d/shelfready-ssh-keygen \"/etc/rc$_r.d/S01shelfready-ssh-keygen\" ||\n"
	"                        fail regen \"cannot link /etc/rc$_r.d/S01shelfready-ssh-keygen\"\n"
	"                done\n"
	"            fi\n"
	"        fi\n"
	"    fi\n"
	"    say regen install \"$KEYGEN_INIT (an init script running ssh-keygen -A, started in runlevels 2-5)\"\n"
	"}\n"
	"\n"
	"clean_host_keys() {\n"
	"    for _f in /etc/ssh/ssh_host_*; do\n"
	"        exists \"$_f\" || continue\n"
	"        # sshd keeps the keys it loaded: the connection in use is not affected\n"
	"        if act && ! rm -f \"$_f\"; then\n"
	"            fail hostkey \"cannot remove $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say hostkey remove \"$_f\"\n"
	"    done\n"
	"    regen\n"
	"}\n"
	"\n"
	"# ---- logs: last, so that what the cleanup itself logged goes too ----\n"
	"\n"
	"clean_logs() {\n"
	"    [ -d /var/log ] || return 0\n"
	"    # rotated copies (no program writes them any more)\n"
	"    set -- -name '*.[0-9]' -o -name '*.[0-9][0-9]' -o -name '*.gz' -o -name '*.xz' \\\n"
	"        -o -name '*.bz2' -o -name '*.zst' -o -name '*.lz4' -o -name '*.old' \\\n"
	"        -o -name '*-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'\n"
	"    _oifs=$IFS\n"
	"    IFS=$NL\n"
	"    set -f\n"
	"    # Read line by line: a path with a newline in it is left alone.\n"
	"    for _f in $(find /var/log -path /var/log/journal -prune -o -type f ! -path \"*$NL*\" \\( \"$@\" \\) -print 2>/dev/null); do\n"
	"        if act && ! rm -f \"$_f\"; then\n"
	"            fail log \"cannot remove $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say log remove \"$_f\"\n"
	"    done\n"
	"    # The others are truncated, not removed: the programs that write them\n"
	"    # expect them, with their owner and mode.\n"
	"    for _f in $(find /var/log -path /var/log/journal -prune -o -type f -size +0c ! -path \"*$NL*\" ! \\( \"$@\" \\) -print 2>/dev/null); do\n"
	"        if act && ! : >\"$_f\"; then\n"
	"            fail log \"cannot truncate $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say log truncate \"$_f\"\n"
	"    done\n"
	"    set +f\n"
	"    IFS=$_oifs\n"
	"    clean_journal\n"
	"}\n"
	"\n"
	"clean_journal() {\n"
	"    [ -d /var/log/journal ] || return 0\n"
	"    _arch=$(find /var/log/journal -type f \\( -name '*@*.journal' -o -name '*.journal~' \\) 2>/dev/null | head -n 1)\n"
	"    if [ -d /run/systemd/journal ] && command -v journalctl >/dev/null 2>&1; then\n"
	"        # journald writes the active files: they are rotated, and the archive\n"
	"        # vacuumed. The mark in /run (never part of an image) records that this\n"
	"        # boot's journal was rotated, so that a second run finds nothing to do.\n"
	"        if [ -z \"$_arch\" ] && [ -e /run/shelfready/journal-rotated ]; then\n"
	"            return 0\n"
	"        fi\n"
	"        if act; then\n"
	"            journalctl --rotate >/dev/null 2>&1\n"
	"            journalctl --vacuum-time=1s >/dev/null 2>&1\n"
	"            find /var/log/journal -type f \\( -name '*@*.journal' -o -name '*.journal~' \\) -exec rm -f {} + 2>/dev/null\n"
	"            mkdir -p /run/shelfready && : >/run/shelfready/journal-rotated\n"
	"        fi\n"
	"        say journal vacuum \"the journal (journalctl --rotate, --vacuum-time=1s)\"\n"
	"        return\n"
	"    fi\n"
	"    # no journald running: nobody writes these files\n"
	"    _oifs=$IFS\n"
	"    IFS=$NL\n"
	"    set -f\n"
	"    for _f in $(find /var/log/journal -type f -name '*.journal*' ! -path \"*$NL*\" 2>/dev/null); do\n"
	"        IFS=$_oifs\n"
	"        if act && ! rm -f \"$_f\"; then\n"
	"            fail journal \"cannot remove $_f\"\n"
	"            continue\n"
	"        fi\n"
	"        say journal remove \"$_f\"\n"
	"    done\n"
	"    set +f\n"
	"    IFS=$_oifs\n"
	"}\n"
	"\n"
	"# ---- main ----\n"
	"\n"
	"if [ \"$(id -u)\" != 0 ]; then\n"
	"    say all error \"the cleanup needs root: connect as root or with --sudo\"\n"
	"    exit 1\n"
	"fi\n"
	"umask 022\n"
	"[ \"$DO_KEYS\" = 1 ] && clean_keys\n"
	"[ \"$DO_HISTORIES\" = 1 ] && clean_histories\n"
	"[ \"$DO_FIRST_LOGIN\" = 1 ] && clean_first_login\n"
	"clean_extra\n"
	"[ \"$DO_TMP\" = 1 ] && clean_tmp\n"
	"[ \"$DO_CACHE\" = 1 ] && clean_cache\n"
	"[ \"$DO_CLOUD_INIT\" = 1 ] && clean_cloud_init\n"
	"[ \"$DO_MACHINE_ID\" = 1 ] && clean_machine_id\n"
	"[ \"$DO_HOST_KEYS\" = 1 ] && clean_host_keys\n"
	"[ \"$DO_LOGS\" = 1 ] && clean_logs\n"
	"exit \"$FAILED\"\n";

/* A list parameter as newline-separated text. */
static void add_list(struct strbuf *sb, const char *var, const struct param *list)
{
	struct strbuf v = STRBUF_INIT;

	for (size_t i = 0; list && i < list->v.n; i++) {
		if (i)
			strbuf_addch(&v, '\n');
		strbuf_addstr(&v, list->v.items[i].s);
	}
	strbuf_addf(sb, "%s=", var);
	shell_quote(sb, v.buf ? v.buf : "");
	strbuf_addch(sb, '\n');
	strbuf_release(&v);
}

/* The settings, every value shell-quoted, then the script. */
char *cleanup_script(const struct params *p, int apply)
{
	struct strbuf sb = STRBUF_INIT;
	const char *user = step_param_str(p, "build_user");

	strbuf_addf(&sb, "MODE=%s\n", apply ? "apply" : "check");
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_switches); i++) {
		const struct param *sw = params_get(p, cleanup_switches[i].param);
		/* the schema's default (true) applies when the parameter is absent */
		strbuf_addf(&sb, "%s=%d\n", cleanup_switches[i].var, !sw || sw->v.i);
	}
	strbuf_addstr(&sb, "BUILD_USER=");
	shell_quote(&sb, user ? user : "");
	strbuf_addch(&sb, '\n');
	add_list(&sb, "KEEP_KEYS", params_get(p, "keep_authorized_keys_of"));
	add_list(&sb, "EXTRA", params_get(p, "extra_paths"));
	strbuf_addstr(&sb, cleanup_sh);
	return strbuf_detach(&sb);
}

/* ---- what the script said ---- */

/* Verbs that change the target: as done, and as a dry run says it ("would ..."). */
static const struct {
	const char *verb, *done, *would;
} cleanup_verbs[] = {
	{ "remove", "removed", "remove" }, { "truncate", "truncated", "truncate" },
	{ "empty", "emptied", "empty" },   { "link", "linked", "link" },
	{ "clean", "ran", "run" },         { "vacuum", "vacuumed", "vacuum" },
	{ "install", "installed", "install" },
};

/* What the summary counts rather than lists: ITEM VERB, as NOUN / NOUNS. */
static const struct {
	const char *item, *verb, *one, *many;
} cleanup_counted[] = {
	{ "keys", "remove", "authorized_keys file", "authorized_keys files" },
	{ "history", "remove", "history file", "history files" },
	{ "first-login", "remove", "first-login leftover", "first-login leftovers" },
	{ "extra", "remove", "extra path", "extra paths" },
	{ "tmp", "remove", "temporary entry", "temporary entries" },
	{ "cloud-init", "remove", "cloud-init state entry", "cloud-init state entries" },
	{ "hostkey", "remove", "SSH host key file", "SSH host key files" },
	{ "log", "remove", "rotated log", "rotated logs" },
	{ "journal", "remove", "journal file", "journal files" },
	{ "log", "truncate", "log file", "log files" },
};

struct judgement {
	size_t counts[ARRAY_SIZE(cleanup_counted)];
	struct strbuf once;   /* "; "-separated changes listed one by one */
	struct strbuf regen;  /* what makes new host keys */
	struct strbuf errors;
	struct strbuf kept;   /* what was left in place on purpose, but temporary entries */
	size_t changes, kept_tmp;
};

static void add_sep(struct strbuf *sb, const char *sep, const char *text, size_t n)
{
	if (sb->len)
		strbuf_addstr(sb, sep);
	strbuf_add(sb, text, n);
}

static int field_is(const char *f, size_t n, const char *s)
{
	return strlen(s) == n && !memcmp(f, s, n);
}

/* One line of output: "SR\tITEM\tVERB\tTEXT"; its human form goes to lines. */
static void judge_line(struct judgement *j, const char *l, size_t n, int dry_run,
		       struct strbuf *lines)
{
	const char *f[4];
	size_t fl[4], k = 0;
	const char *p = l, *end = l + n;

	while (k < 4) {
		const char *tab = k < 3 ? memchr(p, '\t', (size_t)(end - p)) : NULL;
		f[k] = p;
		fl[k] = tab ? (size_t)(tab - p) : (size_t)(end - p);
		k++;
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k < 4 || !field_is(f[0], fl[0], "SR")) {
		/* not the script's: shown as it is */
		strbuf_addstr(lines, "| ");
		strbuf_add(lines, l, n);
		strbuf_addch(lines, '\n');
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cleanup_verbs); i++) {
		size_t c;
		if (!field_is(f[2], fl[2], cleanup_verbs[i].verb))
			continue;
		j->changes++;
		strbuf_addf(lines, "%s%s ", dry_run ? "would " : "",
			    dry_run ? cleanup_verbs[i].would : cleanup_verbs[i].done);
		strbuf_add(lines, f[3], fl[3]);
		strbuf_addch(lines, '\n');
		for (c = 0; c < ARRAY_SIZE(cleanup_counted); c++)
			if (field_is(f[1], fl[1], cleanup_counted[c].item) &&
			    field_is(f[2], fl[2], cleanup_counted[c].verb))
				break;
		if (c < ARRAY_SIZE(cleanup_counted)) {
			j->counts[c]++;
		} else {
			if (j->once.len)
				strbuf_addstr(&j->once, "; ");
			strbuf_addf(&j->once, "%s%s ", dry_run ? "would " : "",
				    dry_run ? cleanup_verbs[i].would : cleanup_verbs[i].done);
			strbuf_add(&j->once, f[3], fl[3]);
		}
		if (field_is(f[1], fl[1], "regen"))
			add_sep(&j->regen, ", ", f[3], fl[3]);
		return;
	}
	if (field_is(f[2], fl[2], "rely")) {
		add_sep(&j->regen, ", ", f[3], fl[3]);
		strbuf_addstr(lines, "new host keys at first boot: ");
	} else if (field_is(f[2], fl[2], "keep")) {
		if (field_is(f[1], fl[1], "tmp"))
			j->kept_tmp++;
		else
			add_sep(&j->kept, ", ", f[3], fl[3]);
		strbuf_addstr(lines, "kept ");
	} else if (field_is(f[2], fl[2], "error")) {
		add_sep(&j->errors, "; ", f[3], fl[3]);
		strbuf_addstr(lines, "error: ");
	}
	strbuf_add(lines, f[3], fl[3]);
	strbuf_addch(lines, '\n');
}

/* The counted changes of verb, "N noun, N noun", appended to sb after sep. */
static void add_counts(struct strbuf *sb, const struct judgement *j, const char *verb,
		       const char *label)
{
	int first = 1;

	for (size_t c = 0; c < ARRAY_SIZE(cleanup_counted); c++) {
		if (!j->counts[c] || strcmp(cleanup_counted[c].verb, verb))
			continue;
		if (first) {
			if (sb->len)
				strbuf_addstr(sb, "; ");
			strbuf_addf(sb, "%s ", label);
			first = 0;
		} else {
			strbuf_addstr(sb, ", ");
		}
		strbuf_addf(sb, "%zu %s", j->counts[c],
			    j->counts[c] == 1 ? cleanup_counted[c].one : cleanup_counted[c].many);
	}
}

/*
 * Judge the script's output: STEP_CHANGED when it changed (or in a dry run
 * would change) anything, STEP_FAILED when it reported an error, STEP_OK
 * otherwise; *summary (owned) says what, and every line's human form is
 * appended to lines, one a line.
 */
enum step_status cleanup_judge(const char *out, size_t len, int dry_run, char **summary,
			       struct strbuf *lines)
{
	struct judgement j;
	struct strbuf sb = STRBUF_INIT;
	const char *p = out, *end = out + len;
	enum step_status st;

	memset(&j, 0, sizeof(j));
	while (out && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n)
			judge_line(&j, p, n, dry_run, lines);
		p += n + 1;
	}
	add_counts(&sb, &j, "remove", dry_run ? "would remove" : "removed");
	add_counts(&sb, &j, "truncate", dry_run ? "would truncate" : "truncated");
	if (j.once.len) {
		if (sb.len)
			strbuf_addstr(&sb, "; ");
		strbuf_addstr(&sb, j.once.buf);
	}
	if (j.errors.len) {
		struct strbuf done = STRBUF_INIT;
		strbuf_addf(&done, "%s", j.errors.buf);
		if (sb.len)
			strbuf_addf(&done, " (%s: %s)", dry_run ? "it would also" : "done", sb.buf);
		strbuf_release(&sb);
		sb = done;
		st = STEP_FAILED;
	} else {
		if (!j.changes)
			strbuf_addstr(&sb, "nothing to do: clean for capture");
		if (j.regen.len)
			strbuf_addf(&sb, "; new host keys at first boot: %s", j.regen.buf);
		st = j.changes ? STEP_CHANGED : STEP_OK;
	}
	if (j.kept.len)
		strbuf_addf(&sb, "; kept %s", j.kept.buf);
	if (j.kept_tmp)
		strbuf_addf(&sb, "%s %zu temporary entr%s (in use, sockets, mount points)",
			    j.kept.len ? " and" : "; kept", j.kept_tmp, j.kept_tmp == 1 ? "y" : "ies");
	*summary = strbuf_detach(&sb);
	strbuf_release(&j.kept);
	strbuf_release(&j.once);
	strbuf_release(&j.regen);
	strbuf_release(&j.errors);
	return st;
}

/* ---- the step ---- */

static void say_lines(struct step_ctx *ctx, const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		step_say(ctx, "%.*s", (int)n, p);
		p += n + (nl != NULL);
	}
}

static void cleanup_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	struct exec_result res;
	struct strbuf lines = STRBUF_INIT, err = STRBUF_INIT;
	char *sh = cleanup_script(p, !ctx->dry_run), *summary = NULL;
	int timeout = (int)step_param_int(p, "timeout", 600);
	enum step_status st;

	memset(&res, 0, sizeof(res));
	if (step_sh(ctx, sh, timeout, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	st = cleanup_judge(res.out.buf, res.out.len, ctx->dry_run, &summary, &lines);
	say_lines(ctx, lines.buf);
	/* what the commands printed on stderr, for the failures it explains */
	if (res.err.len) {
		strbuf_addstr(&err, "| ");
		for (size_t i = 0; i < res.err.len; i++) {
			strbuf_addch(&err, res.err.buf[i]);
			if (res.err.buf[i] == '\n' && i + 1 < res.err.len)
				strbuf_addstr(&err, "| ");
		}
		say_lines(ctx, err.buf);
	}
	if (res.out_truncated)
		step_say(ctx, "the output was cut off after %zu bytes", res.out.len);
	if (st != STEP_FAILED && res.status != 0) {
		step_failed(r, "the cleanup script exited with status %d%s%s", res.status,
			    res.signal ? ", signal " : "", res.signal ? res.signal : "");
		goto out;
	}
	switch (st) {
	case STEP_CHANGED:
		step_changed(r, "%s", summary);
		break;
	case STEP_FAILED:
		step_failed(r, "%s", summary);
		break;
	default:
		step_ok(r, "%s", summary);
		break;
	}
out:
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&lines);
	strbuf_release(&err);
	free(summary);
	free(sh);
}

/* ---- emit: on the machine itself ---- */

/*
 * For `emit`: the same script, in apply mode, fed to `sh -s` by a
 * here-document (a terminator it does not contain), its "SR" lines shown
 * and judged as cleanup_judge does, in awk. There is no session to
 * protect here; with an empty build_user the build user is sudo's
 * SUDO_USER, else root (whose keys go anyway).
 */
static int cleanup_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			char **err)
{
	char *script = cleanup_script(p, 1), *eof = shell_heredoc_eof(script);
	const char *user = step_param_str(p, "build_user");

	(void)ctx;
	(void)err;
	if (!user || !*user)
		strbuf_addstr(sh, "sr_say \"build_user is empty: the build user is ${SUDO_USER:-root}\"\n");
	strbuf_addf(sh, "set -- sh -s\n"
			"if command -v timeout >/dev/null 2>&1; then set -- timeout %lld \"$@\"; fi\n"
			"_cl_out=$(\"$@\" <<'%s'\n%s%s\n)\n"
			"_cl_st=$?\n",
		    step_param_int(p, "timeout", 600), eof, script, eof);
	strbuf_addstr(sh,
		"_cl_lines=$(printf '%s\\n' \"$_cl_out\" | awk -F '\\t' '\n"
		"\t$1 == \"SR\" && NF >= 4 { t = $4; for (i = 5; i <= NF; i++) t = t \"\\t\" $i; print $3 \" \" t; next }\n"
		"\tNF { print \"| \" $0 }')\n"
		"printf '%s\\n' \"$_cl_lines\" | while IFS= read -r _cl_l; do\n"
		"\t[ -z \"$_cl_l\" ] || sr_say \"$_cl_l\"\n"
		"done\n"
		"_cl_n=$(printf '%s\\n' \"$_cl_out\" | awk -F '\\t' '$1 == \"SR\" && "
		"$3 ~ /^(remove|truncate|empty|link|clean|vacuum|install)$/ { n++ } END { print n + 0 }')\n"
		"_cl_e=$(printf '%s\\n' \"$_cl_out\" | awk -F '\\t' '$1 == \"SR\" && $3 == \"error\" "
		"{ e = e (e == \"\" ? \"\" : \"; \") $4 } END { print e }')\n"
		"if [ -n \"$_cl_e\" ]; then\n"
		"\tsr_failed \"$_cl_e\"\n"
		"elif [ \"$_cl_st\" != 0 ]; then\n"
		"\tsr_failed \"the cleanup script exited with status $_cl_st\"\n"
		"elif [ \"$_cl_n\" -gt 0 ]; then\n"
		"\tsr_changed \"$_cl_n change(s): clean for capture\"\n"
		"else\n"
		"\tsr_ok \"nothing to do: clean for capture\"\n"
		"fi\n");
	free(eof);
	free(script);
	return 0;
}

const struct step_type step_cleanup = {
	.name = "cleanup",
	.summary = "pre-capture cleanup: host keys, histories, logs, machine-id, temporary files, "
		   "package caches, cloud-init state, build keys",
	.params = cleanup_params,
	.validate = cleanup_validate,
	.apply = cleanup_apply,
	.emit = cleanup_emit,
};
