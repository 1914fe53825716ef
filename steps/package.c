/*
 * package: make packages installed (present), installed at the newest
 * version the repositories offer (latest), or removed (absent), with the
 * target's package manager: apt-get, dnf, yum, zypper or apk, as the facts
 * name it.
 *
 * What is installed, and what has a pending update, comes from the facts;
 * only the packages that need it are passed to the package manager, which
 * runs non-interactively (apt keeps changed configuration files) and waits
 * for a package lock held by another process. It runs detached from the
 * SSH session, its output in a log that is followed: a dropped connection
 * does not interrupt dpkg or rpm, and the step connects again and waits for
 * it to finish. Afterwards each package's state is queried again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

static const char *const pkg_states[] = { "present", "absent", "latest", NULL };

static const struct param_spec package_params[] = {
	{ "names", PK_STRING_LIST, 1, NULL,
	  "package names (no versions, architectures or wildcards)", NULL, 0, 0 },
	{ "state", PK_ENUM, 0, "present",
	  "present (installed), latest (installed, no update pending) or absent (removed)",
	  pkg_states, 0, 0 },
	{ "update_cache", PK_BOOL, 0, "false",
	  "refresh the package lists before installing (gathering facts refreshes them already "
	  "unless --no-refresh)", NULL, 0, 0 },
	{ "lock_timeout", PK_DURATION, 0, "10m",
	  "how long to wait for a package lock held by another process", NULL, 0, 86400 },
	{ "timeout", PK_DURATION, 0, "30m", "time limit of the package manager's run", NULL, 1,
	  86400 },
	PARAM_END,
};

/* Letters, digits and + . _ -, starting with a letter, digit or _. */
static int pkg_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!(alnum || c == '_' || (i && (c == '+' || c == '.' || c == '-'))))
			return 0;
	}
	return 1;
}

static void package_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *names = params_get(p, "names");

	if (names && !names->v.n)
		diag_error(ctx->d, names->v.pos, "'names' of %s must name at least one package",
			   ctx->owner);
	for (size_t i = 0; names && i < names->v.n; i++)
		if (!pkg_valid_name(names->v.items[i].s))
			diag_error(ctx->d, names->v.items[i].pos,
				   "'%s' in 'names' of %s is not a package name (letters, digits, + . _ -; "
				   "no versions, architectures or wildcards)",
				   names->v.items[i].s, ctx->owner);
}

/* Installed, as dpkg's status ("ii", "hi", triggers pending), rpm's "ii" or apk's NULL says. */
static int pkg_installed(const struct facts_package *p)
{
	if (!p)
		return 0;
	if (!p->status)
		return 1;
	return strlen(p->status) >= 2 && strchr("iWt", p->status[1]) != NULL;
}

static void add_list(struct strbuf *sb, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strbuf_addch(sb, ' ');
		shell_quote(sb, v[i]);
	}
}

/*
 * What the package manager is to do: the names of each list, or, for
 * `emit`, lists known only when the script runs, in the shell variables I,
 * U and R (names of the validated kind, split on blanks with globbing off).
 */
struct pkg_lists {
	const char *const *install, *const *upgrade, *const *remove;
	size_t ninstall, nupgrade, nremove;
	int runtime;
};

enum { L_INSTALL = 1, L_UPGRADE = 2, L_REMOVE = 4 };

/* The words of the lists in mask, each with a blank before it. */
static void add_lists(struct strbuf *sb, const struct pkg_lists *l, int mask)
{
	if (l->runtime) {
		if (mask & L_INSTALL)
			strbuf_addstr(sb, " $I");
		if (mask & L_UPGRADE)
			strbuf_addstr(sb, " $U");
		if (mask & L_REMOVE)
			strbuf_addstr(sb, " $R");
		return;
	}
	if (mask & L_INSTALL)
		add_list(sb, l->install, l->ninstall);
	if (mask & L_UPGRADE)
		add_list(sb, l->upgrade, l->nupgrade);
	if (mask & L_REMOVE)
		add_list(sb, l->remove, l->nremove);
}

/*
 * Open a command that acts on the lists in mask: 0 when they are known to
 * be empty (leave the command out); at run time, behind a test.
 */
static int cmd_open(struct strbuf *sb, const struct pkg_lists *l, int mask)
{
	if (!l->runtime)
		return ((mask & L_INSTALL) && l->ninstall) || ((mask & L_UPGRADE) && l->nupgrade) ||
		       ((mask & L_REMOVE) && l->nremove);
	strbuf_addf(sb, "if [ -n \"%s%s%s\" ]; then\n", mask & L_INSTALL ? "$I" : "",
		    mask & L_UPGRADE ? "$U" : "", mask & L_REMOVE ? "$R" : "");
	return 1;
}

static void cmd_close(struct strbuf *sb, const struct pkg_lists *l)
{
	if (l->runtime)
		strbuf_addstr(sb, "fi\n");
}

/*
 * The package manager's commands, as a script (run detached on the target,
 * or by the emitted script): install the missing packages, bring installed
 * ones to the newest version, remove the ones to remove. D is a private
 * directory the script may use.
 */
static char *pkg_commands(const char *manager, int update_cache, long long lock_timeout,
			  const struct pkg_lists *l)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "LT=%lld\n", lock_timeout);
	if (l->runtime)
		strbuf_addstr(&sb, "set -f\n");
	if (!strcmp(manager, "apt")) {
		strbuf_addstr(&sb,
			"DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a APT_LISTCHANGES_FRONTEND=none\n"
			"export DEBIAN_FRONTEND NEEDRESTART_MODE APT_LISTCHANGES_FRONTEND\n"
			"# older apt ignores DPkg::Lock::Timeout: retry while the lock is held\n"
			"aptget() {\n"
			"  end=$(($(date +%s) + LT))\n"
			"  while :; do\n"
			"    apt-get -q -o DPkg::Lock::Timeout=\"$LT\" -o Dpkg::Use-Pty=0 \"$@\" </dev/null 2>\"$D/err\"\n"
			"    rc=$?\n"
			"    cat \"$D/err\" >&2\n"
			"    if [ $rc != 0 ] && [ \"$(date +%s)\" -lt \"$end\" ] &&\n"
			"       grep -Eq 'Could not get lock|Unable to acquire the dpkg frontend lock|Unable to lock' \"$D/err\"; then\n"
			"      echo 'waiting for the package lock'; sleep 5; continue\n"
			"    fi\n"
			"    return $rc\n"
			"  done\n"
			"}\n");
		if (update_cache)
			strbuf_addstr(&sb, "aptget update || exit $?\n");
		if (cmd_open(&sb, l, L_INSTALL | L_UPGRADE)) {
			strbuf_addstr(&sb, "aptget -y -o Dpkg::Options::=--force-confdef "
					   "-o Dpkg::Options::=--force-confold install");
			add_lists(&sb, l, L_INSTALL | L_UPGRADE);
			strbuf_addstr(&sb, " || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_REMOVE)) {
			strbuf_addstr(&sb, "aptget -y remove");
			add_lists(&sb, l, L_REMOVE);
			strbuf_addstr(&sb, " || exit $?\n");
			cmd_close(&sb, l);
		}
	} else if (!strcmp(manager, "dnf") || !strcmp(manager, "yum")) {
		/* both wait for their own lock */
		strbuf_addf(&sb, "m=%s\n", manager);
		if (update_cache)
			strbuf_addstr(&sb, "\"$m\" -y makecache </dev/null || exit $?\n");
		if (cmd_open(&sb, l, L_INSTALL)) {
			strbuf_addstr(&sb, "\"$m\" -y install");
			add_lists(&sb, l, L_INSTALL);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_UPGRADE)) {
			strbuf_addf(&sb, "\"$m\" -y %s", strcmp(manager, "yum") ? "upgrade" : "update");
			add_lists(&sb, l, L_UPGRADE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_REMOVE)) {
			strbuf_addstr(&sb, "\"$m\" -y remove");
			add_lists(&sb, l, L_REMOVE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
	} else if (!strcmp(manager, "zypper")) {
		strbuf_addstr(&sb, "ZYPP_LOCK_TIMEOUT=$LT\nexport ZYPP_LOCK_TIMEOUT\n");
		if (update_cache)
			strbuf_addstr(&sb, "zypper --non-interactive refresh </dev/null || exit $?\n");
		if (cmd_open(&sb, l, L_INSTALL)) {
			strbuf_addstr(&sb, "zypper --non-interactive install --auto-agree-with-licenses");
			add_lists(&sb, l, L_INSTALL);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_UPGRADE)) {
			strbuf_addstr(&sb, "zypper --non-interactive update --auto-agree-with-licenses");
			add_lists(&sb, l, L_UPGRADE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_REMOVE)) {
			strbuf_addstr(&sb, "zypper --non-interactive remove");
			add_lists(&sb, l, L_REMOVE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
	} else if (!strcmp(manager, "apk")) {
		if (update_cache)
			strbuf_addstr(&sb, "apk --wait \"$LT\" update </dev/null || exit $?\n");
		if (cmd_open(&sb, l, L_INSTALL | L_UPGRADE)) {
			strbuf_addstr(&sb, "apk --wait \"$LT\" add");
			if (l->runtime)
				strbuf_addstr(&sb, " ${U:+--upgrade}");
			else if (l->nupgrade)
				strbuf_addstr(&sb, " --upgrade");
			add_lists(&sb, l, L_INSTALL | L_UPGRADE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
		if (cmd_open(&sb, l, L_REMOVE)) {
			strbuf_addstr(&sb, "apk --wait \"$LT\" del");
			add_lists(&sb, l, L_REMOVE);
			strbuf_addstr(&sb, " </dev/null || exit $?\n");
			cmd_close(&sb, l);
		}
	} else {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* Prints "pkg NAME<TAB>STATUS<TAB>VERSION" for each name; empty fields when not installed. */
static char *pkg_query_script(const char *manager, const char *const *names, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "set --");
	add_list(&sb, names, n);
	strbuf_addstr(&sb, "\nfor p; do\n");
	if (!strcmp(manager, "apt"))
		strbuf_addstr(&sb, "  v=$(dpkg-query -W -f='${db:Status-Abbrev}\\t${Version}\\n' \"$p\" "
				   "2>/dev/null </dev/null | head -n 1)\n");
	else if (!strcmp(manager, "apk"))
		strbuf_addstr(&sb, "  v=\n  apk info -e \"$p\" >/dev/null 2>&1 </dev/null && v=\"ii \t\"\n");
	else
		strbuf_addstr(&sb, "  if v=$(rpm -q --qf '%{VERSION}-%{RELEASE}\\n' \"$p\" 2>/dev/null </dev/null); "
				   "then v=\"ii \t$(printf '%s\\n' \"$v\" | head -n 1)\"; else v=; fi\n");
	strbuf_addstr(&sb, "  printf 'pkg %s\\t%s\\n' \"$p\" \"$v\"\ndone\n");
	return strbuf_detach(&sb);
}

static int is_error_line(const char *s, size_t n)
{
	static const char *const prefixes[] = { "E: ", "Error", "ERROR", "error:", "No match for argument",
						"No provider of", "Package '", NULL };
	for (size_t i = 0; prefixes[i]; i++)
		if (n >= strlen(prefixes[i]) && !strncmp(s, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

/* The package manager's complaint from its output: its error lines, else its last line. */
static char *pkg_error_text(const char *out, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = out, *end = out + len, *last = NULL;
	size_t lastn = 0, nerr = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (n) {
			last = p;
			lastn = n;
		}
		if (n && is_error_line(p, n) && nerr < 3) {
			if (sb.len)
				strbuf_addstr(&sb, "; ");
			strbuf_add(&sb, p, n);
			nerr++;
		}
		p = nl ? nl + 1 : end;
	}
	if (!sb.len && last)
		strbuf_add(&sb, last, lastn);
	if (!sb.len)
		strbuf_addstr(&sb, "no message");
	return strbuf_detach(&sb);
}

/* ---- on the target ---- */

/*
 * Start script (in directory d, which must not exist) detached, or with
 * script NULL attach to the one running there; follow its log (from the
 * end when attaching) until it ends, then exit with its status. d stays:
 * a follower left behind by a dropped connection may still be reading it
 * (rm_script removes it). 125: the run's directory is gone, or the run
 * ended without a status.
 */
static char *detached(const char *d, const char *script)
{
	struct strbuf sb = STRBUF_INIT;
	char token[17];

	strbuf_addstr(&sb, "D=");
	shell_quote(&sb, d);
	strbuf_addstr(&sb, "\n");
	if (script) {
		random_token(token, sizeof(token));
		strbuf_addf(&sb,
			"umask 077\n"
			"mkdir \"$D\" || { echo \"cannot create $D\" >&2; exit 125; }\n"
			"cat >\"$D/run\" <<'SHELFREADY_%s'\n"
			"%s"
			"SHELFREADY_%s\n"
			"cat >\"$D/wrap\" <<'SHELFREADY_%s'\n"
			"trap '' HUP PIPE\n"
			"D=$1\n"
			"export D\n"
			"echo $$ >\"$D/pid\"\n"
			"sh \"$D/run\" </dev/null >>\"$D/log\" 2>&1\n"
			"echo $? >\"$D/status.tmp\"\n"
			"mv -f \"$D/status.tmp\" \"$D/status\"\n"
			"SHELFREADY_%s\n"
			": >\"$D/log\"\n"
			"if command -v setsid >/dev/null 2>&1; then\n"
			"  setsid sh \"$D/wrap\" \"$D\" </dev/null >/dev/null 2>&1 &\n"
			"else\n"
			"  sh \"$D/wrap\" \"$D\" </dev/null >/dev/null 2>&1 &\n"
			"fi\n"
			"off=0\n",
			token, script, token, token, token);
	} else {
		strbuf_addstr(&sb, "[ -d \"$D\" ] || { echo \"$D is gone\" >&2; exit 125; }\n"
				   "off=$(wc -c <\"$D/log\") || exit 125\n"
				   "off=$((off + 0))\n");
	}
	strbuf_addstr(&sb,
		"C=$D/chunk.$$\n"
		"while :; do\n"
		"  [ -d \"$D\" ] || { echo \"$D is gone\" >&2; exit 125; }\n"
		"  fin=0\n"
		"  [ -e \"$D/status\" ] && fin=1\n"
		"  if [ $fin = 0 ] && [ -s \"$D/pid\" ] && ! kill -0 \"$(cat \"$D/pid\")\" 2>/dev/null; then\n"
		"    [ -e \"$D/status\" ] && fin=1 ||\n"
		"      { echo \"the run in $D ended without an exit status\" >&2; exit 125; }\n"
		"  fi\n"
		"  tail -c +$((off + 1)) \"$D/log\" >\"$C\" 2>/dev/null\n"
		"  n=$(wc -c <\"$C\")\n"
		"  n=$((n + 0))\n"
		"  if [ \"$n\" -gt 0 ]; then cat \"$C\"; off=$((off + n)); fi\n"
		"  [ $fin = 1 ] && break\n"
		"  sleep 1\n"
		"done\n"
		"rm -f \"$C\"\n"
		"st=$(cat \"$D/status\")\n"
		"exit \"${st:-125}\"\n");
	return strbuf_detach(&sb);
}

/* Run commands detached; 0 and *status, or -1 with r set. */
static int run_detached(struct step_ctx *ctx, const char *what, const char *commands, int timeout,
			struct exec_result *res, struct step_result *r)
{
	struct error e = ERROR_INIT;
	char token[13], *d, *sh;
	int rc, ret = -1;

	random_token(token, sizeof(token));
	d = xasprintf("/tmp/shelfready-package-%s", token);
	sh = detached(d, commands);
	rc = step_sh(ctx, sh, timeout, 0, res, &e);
	if (rc == SR_ERR_CONNECT) {
		step_say(ctx, "the connection dropped; %s goes on on the target; connecting again", what);
		error_release(&e);
		if (!step_reconnect(ctx, &e)) {
			free(sh);
			sh = detached(d, NULL);
			exec_result_release(res);
			memset(res, 0, sizeof(*res));
			rc = step_sh(ctx, sh, timeout, 0, res, &e);
		} else {
			rc = e.code;
		}
	}
	if (rc) {
		if (rc == SR_ERR_INTERRUPTED || rc == SR_ERR_TIMEOUT || rc == SR_ERR_CONNECT)
			ctx->left_running = xasprintf("%s (its log: %s/log)", what, d);
		step_failed_error(r, &e);
		goto out;
	}
	/* its status is known: the directory can go */
	{
		struct exec_result rm;
		struct strbuf sb = STRBUF_INIT;
		memset(&rm, 0, sizeof(rm));
		strbuf_addstr(&sb, "rm -rf -- ");
		shell_quote(&sb, d);
		strbuf_addch(&sb, '\n');
		error_release(&e);
		step_sh(ctx, sb.buf, 60, 1, &rm, &e);
		exec_result_release(&rm);
		strbuf_release(&sb);
	}
	ret = 0;
out:
	error_release(&e);
	free(d);
	free(sh);
	return ret;
}

struct pkg_now {
	char *name;
	int installed;
	char *version;
};

/* Query the packages' state after the run into now[] (n entries). */
static int query(struct step_ctx *ctx, const char *manager, const char *const *names, size_t n,
		 struct pkg_now *now, struct step_result *r)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	char *sh = pkg_query_script(manager, names, n);
	int ret = -1;

	memset(&res, 0, sizeof(res));
	if (step_sh(ctx, sh, 120, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		now[i].name = xstrdup(names[i]);
		now[i].installed = 0;
		now[i].version = NULL;
	}
	const char *s = res.out.buf ? res.out.buf : "";
	while (*s) {
		size_t ln = strcspn(s, "\n");
		const char *f[3];
		size_t fl[3];
		if (ln > 4 && !strncmp(s, "pkg ", 4) &&
		    facts_cut(s + 4, ln - 4, '\t', f, fl, 3) == 3) {
			for (size_t i = 0; i < n; i++) {
				if (strlen(names[i]) != fl[0] || memcmp(names[i], f[0], fl[0]))
					continue;
				struct facts_package fp = { NULL, NULL, NULL, xstrndup(f[1], fl[1]) };
				now[i].installed = fl[1] && pkg_installed(&fp);
				free(fp.status);
				free(now[i].version);
				now[i].version = fl[2] ? xstrndup(f[2], fl[2]) : NULL;
			}
		}
		s += ln + (s[ln] == '\n');
	}
	ret = 0;
out:
	exec_result_release(&res);
	error_release(&e);
	free(sh);
	return ret;
}

static void add_names(struct strbuf *sb, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", v[i]);
}

/* The names of `names`, each once, in order, into all (room for all of them); how many. */
static size_t unique_names(const struct param *names, const char **all)
{
	size_t n = 0;
	for (size_t i = 0; i < names->v.n; i++) {
		int dup = 0;
		for (size_t k = 0; k < n; k++)
			dup |= !strcmp(all[k], names->v.items[i].s);
		if (!dup)
			all[n++] = names->v.items[i].s;
	}
	return n;
}

static const char *tool_of(const char *manager)
{
	return !strcmp(manager, "apt") ? "apt-get" : manager;
}

static int has_update(const struct facts *f, const char *name)
{
	for (size_t i = 0; i < f->updates.list.n; i++)
		if (f->updates.list.v[i].name && !strcmp(f->updates.list.v[i].name, name))
			return 1;
	return 0;
}

static void package_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	const struct param *names = params_get(p, "names");
	const char *state = step_param_str(p, "state");
	const char *manager = ctx->f->packages.manager;
	int latest = state && !strcmp(state, "latest"), absent = state && !strcmp(state, "absent");
	int updates_known = ctx->f->updates.src.section != NULL && ctx->f->updates.src.status == 0;
	size_t n = names->v.n, ninstall = 0, nupgrade = 0, nremove = 0, nok = 0;
	const char **install = xcalloc(n + 1, sizeof(*install));
	const char **upgrade = xcalloc(n + 1, sizeof(*upgrade));
	const char **remove = xcalloc(n + 1, sizeof(*remove));
	const char **all = xcalloc(n + 1, sizeof(*all));
	const char **before = xcalloc(n + 1, sizeof(*before));
	struct pkg_now *now = xcalloc(n + 1, sizeof(*now));
	struct strbuf what = STRBUF_INIT;
	struct exec_result res;
	char *cmds = NULL, *err = NULL;
	size_t nall = 0;

	memset(&res, 0, sizeof(res));
	if (!ctx->f->packages.src.section || !manager) {
		step_failed(r, "no supported package manager on the target (apt-get, dnf, yum, zypper, apk)");
		goto out;
	}
	nall = unique_names(names, all);
	for (size_t i = 0; i < nall; i++) {
		const char *name = all[i];
		const struct facts_package *fp = facts_package_find(ctx->f, name);
		int inst = pkg_installed(fp);
		before[i] = inst && fp->version ? fp->version : NULL;
		if (absent)
			inst ? (void)(remove[nremove++] = name) : (void)nok++;
		else if (!inst)
			install[ninstall++] = name;
		else if (latest && (!updates_known || has_update(ctx->f, name)))
			upgrade[nupgrade++] = name;
		else
			nok++;
	}
	if (!ninstall && !nupgrade && !nremove) {
		add_names(&what, all, nall);
		step_ok(r, "%s %s %s", what.buf, nall == 1 ? "is" : "are",
			absent ? "not installed" : latest ? "installed, no update pending" : "installed");
		goto out;
	}
	if (ninstall) {
		strbuf_addstr(&what, "install ");
		add_names(&what, install, ninstall);
	}
	if (nupgrade) {
		strbuf_addf(&what, "%supgrade ", what.len ? ", " : "");
		add_names(&what, upgrade, nupgrade);
		if (!updates_known)
			strbuf_addstr(&what, " (if an update is available)");
	}
	if (nremove) {
		strbuf_addf(&what, "%sremove ", what.len ? ", " : "");
		add_names(&what, remove, nremove);
	}
	if (ctx->dry_run) {
		step_changed(r, "would %s (%s)", what.buf, tool_of(manager));
		goto out;
	}
	{
		struct pkg_lists l = { install, upgrade, remove, ninstall, nupgrade, nremove, 0 };
		cmds = pkg_commands(manager, step_param_bool(p, "update_cache"),
				    step_param_int(p, "lock_timeout", 600), &l);
	}
	if (!cmds) {
		step_failed(r, "package manager '%s' is not supported", manager);
		goto out;
	}
	char *label = xasprintf("%s: %s", tool_of(manager), what.buf);
	int rd = run_detached(ctx, label, cmds, (int)step_param_int(p, "timeout", 1800), &res, r);
	free(label);
	if (rd < 0)
		goto out;
	if (res.status != 0) {
		err = pkg_error_text(res.out.buf ? res.out.buf : "", res.out.len);
		step_failed(r, "%s failed (exit %d): %s", tool_of(manager), res.status, err);
		goto out;
	}
	ctx->facts_stale = 1;
	if (query(ctx, manager, all, nall, now, r) < 0)
		goto out;
	/* judge by what is there now */
	strbuf_reset(&what);
	int changed = 0;
	for (size_t i = 0; i < nall; i++) {
		if (absent ? now[i].installed : !now[i].installed) {
			step_failed(r, "'%s' is %s after %s ran", all[i],
				    absent ? "still installed" : "not installed", tool_of(manager));
			goto out;
		}
	}
	for (size_t i = 0; i < ninstall; i++)
		strbuf_addf(&what, "%s%s", what.len ? ", " : "installed ", install[i]);
	changed |= ninstall > 0;
	{
		size_t nup = 0;
		for (size_t i = 0; i < nall; i++) {
			int in_upgrade = 0;
			for (size_t k = 0; k < nupgrade; k++)
				in_upgrade |= upgrade[k] == all[i];
			if (!in_upgrade)
				continue;
			if (before[i] && now[i].version && !strcmp(before[i], now[i].version))
				continue;
			if (nup)
				strbuf_addstr(&what, ", ");
			else
				strbuf_addf(&what, "%supgraded ", what.len ? "; " : "");
			strbuf_addf(&what, "%s%s%s", all[i], now[i].version ? " to " : "",
				    now[i].version ? now[i].version : "");
			nup++;
		}
		changed |= nup > 0;
	}
	if (nremove) {
		strbuf_addf(&what, "%sremoved ", what.len ? "; " : "");
		add_names(&what, remove, nremove);
		changed = 1;
	}
	if (changed)
		step_changed(r, "%s (%s)", what.buf, tool_of(manager));
	else {
		add_names(&what, upgrade, nupgrade);
		step_ok(r, "no update was available for %s", what.buf);
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(now[i].name);
		free(now[i].version);
	}
	free(now);
	free(install);
	free(upgrade);
	free(remove);
	free(all);
	free(before);
	free(cmds);
	free(err);
	exec_result_release(&res);
	strbuf_release(&what);
}

/* ---- emit: on the machine itself ---- */

static const char *const pkg_managers[] = { "apt", "dnf", "yum", "zypper", "apk", NULL };

/*
 * The shared part of the emitted body: _pk_look NAME sets _pk_in (1 when
 * installed, as pkg_installed says) and _pk_v (the version) from the query
 * output in _pk_q; _pk_fail_text prints the package manager's complaint from
 * its log, as pkg_error_text does.
 */
static const char pkg_emit_common[] =
	"_pk_tab=$(printf '\\t')\n"
	"_pk_look() {\n"
	"    _pk_in=0 _pk_v=''\n"
	"    _pk_l=$(printf '%s\\n' \"$_pk_q\" | grep -F \"pkg $1$_pk_tab\" | head -n 1)\n"
	"    [ -n \"$_pk_l\" ] || return 0\n"
	"    _pk_l=${_pk_l#*\"$_pk_tab\"}\n"
	"    case ${_pk_l%%\"$_pk_tab\"*} in ?[iWt]*) _pk_in=1 ;; esac\n"
	"    _pk_v=${_pk_l#*\"$_pk_tab\"}\n"
	"}\n"
	"_pk_fail_text() {\n"
	"    awk -v q=\"'\" '\n"
	"        { sub(/[\\r ]+$/, \"\") }\n"
	"        length($0) { last = $0 }\n"
	"        n < 3 && ($0 ~ /^(E: |Error|ERROR|error:|No match for argument|No provider of)/ ||\n"
	"            substr($0, 1, 9) == \"Package \" q) { e = e (n ? \"; \" : \"\") $0; n++ }\n"
	"        END { print e != \"\" ? e : last != \"\" ? last : \"no message\" }' \"$1\"\n"
	"}\n";

/*
 * For `emit`: the same decisions on the machine itself. The package manager
 * is the one sr_fact names; what is installed is queried first (there are no
 * facts), so `latest` passes every installed package to the package manager,
 * which upgrades those with an update, and the versions before and after
 * tell what changed. The commands are pkg_commands' with the lists given at
 * run time; the result is judged and worded as package_apply does.
 */
static int package_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			char **err)
{
	const struct param *names = params_get(p, "names");
	const char *state = step_param_str(p, "state");
	int latest = state && !strcmp(state, "latest"), absent = state && !strcmp(state, "absent");
	const char **all = xcalloc(names->v.n + 1, sizeof(*all));
	struct pkg_lists rl = { NULL, NULL, NULL, 0, 0, 0, 1 };
	struct strbuf listed = STRBUF_INIT;
	size_t n = unique_names(names, all);

	(void)ctx;
	(void)err;
	add_names(&listed, all, n);
	strbuf_addstr(sh, pkg_emit_common);
	strbuf_addstr(sh, "case $(sr_fact pkg.manager) in\n");
	for (size_t m = 0; pkg_managers[m]; m++) {
		char *q = pkg_query_script(pkg_managers[m], all, n);
		char *cmds = pkg_commands(pkg_managers[m], step_param_bool(p, "update_cache"),
					  step_param_int(p, "lock_timeout", 600), &rl);
		char *eof = shell_heredoc_eof(cmds);
		strbuf_addf(sh, "%s)\n    _pk_tool=%s\n    _pk_query() {\n%s    }\n"
				"    _pk_cmds() {\n        cat <<'%s'\n%s%s\n    }\n    ;;\n",
			    pkg_managers[m], tool_of(pkg_managers[m]), q, eof, cmds, eof);
		free(eof);
		free(cmds);
		free(q);
	}
	strbuf_addstr(sh, "*)\n    sr_failed \"no supported package manager here (apt-get, dnf, yum, "
			  "zypper, apk)\"\n    return 0\n    ;;\nesac\n"
			  "_pk_q=$(_pk_query)\nI='' U='' R=''\n");
	/* the decisions, one package at a time */
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sh, "_pk_look ");
		shell_quote(sh, all[i]);
		strbuf_addf(sh, "\n_pk_b%zu=$_pk_v\n", i);
		if (absent)
			strbuf_addf(sh, "_pk_a%zu=''\nif [ \"$_pk_in\" = 1 ]; then _pk_a%zu=remove R=\"$R %s\"; fi\n",
				    i, i, all[i]);
		else if (latest)
			strbuf_addf(sh, "if [ \"$_pk_in\" = 1 ]; then _pk_a%zu=upgrade U=\"$U %s\"; "
					"else _pk_a%zu=install I=\"$I %s\"; fi\n",
				    i, all[i], i, all[i]);
		else
			strbuf_addf(sh, "_pk_a%zu=''\nif [ \"$_pk_in\" = 0 ]; then _pk_a%zu=install I=\"$I %s\"; fi\n",
				    i, i, all[i]);
	}
	strbuf_addstr(sh, "if [ -z \"$I$U$R\" ]; then\n    sr_ok ");
	{
		char *msg = xasprintf("%s %s %s", listed.buf, n == 1 ? "is" : "are",
				      absent ? "not installed" : "installed");
		shell_quote(sh, msg);
		free(msg);
	}
	strbuf_addf(sh, "\n    return 0\nfi\n"
			"_pk_d=$(mktemp -d \"${TMPDIR:-/tmp}/shelfready-package.XXXXXX\") || {\n"
			"    sr_failed \"cannot make a temporary directory\"\n"
			"    return 0\n"
			"}\n"
			"_pk_cmds >\"$_pk_d/run\"\n"
			"set -- env D=\"$_pk_d\" I=\"$I\" U=\"$U\" R=\"$R\" sh -c "
			"'{ sh \"$1/run\" 2>&1; echo \"$?\" >\"$1/status\"; } | tee \"$1/log\"' sh \"$_pk_d\"\n"
			"if command -v timeout >/dev/null 2>&1; then set -- timeout %lld \"$@\"; fi\n"
			"sr_run \"$@\"\n"
			"_pk_st=$(cat \"$_pk_d/status\" 2>/dev/null)\n"
			"if [ \"${_pk_st:-x}\" != 0 ]; then\n"
			"    sr_failed \"$_pk_tool failed (exit ${_pk_st:-unknown}): $(_pk_fail_text \"$_pk_d/log\")\"\n"
			"    rm -rf \"$_pk_d\"\n"
			"    return 0\n"
			"fi\n"
			"rm -rf \"$_pk_d\"\n"
			"_pk_q=$(_pk_query)\n"
			"_pk_w='' _pk_il='' _pk_rl='' _pk_up='' _pk_upn=''\n",
		    step_param_int(p, "timeout", 1800));
	/* judged by what is there now, in package_apply's words */
	for (size_t i = 0; i < n; i++) {
		strbuf_addstr(sh, "_pk_look ");
		shell_quote(sh, all[i]);
		strbuf_addf(sh, "\nif [ \"$_pk_in\" = %d ]; then\n    sr_failed ", absent ? 1 : 0);
		{
			char *msg = xasprintf("'%s' is %s after $_pk_tool ran", all[i],
					      absent ? "still installed" : "not installed");
			strbuf_addch(sh, '"');
			strbuf_addstr(sh, msg); /* names hold no shell-special characters */
			strbuf_addch(sh, '"');
			free(msg);
		}
		strbuf_addf(sh, "\n    return 0\nfi\n"
				"case $_pk_a%zu in\n"
				"install) _pk_il=\"${_pk_il:+$_pk_il, }%s\" ;;\n"
				"remove) _pk_rl=\"${_pk_rl:+$_pk_rl, }%s\" ;;\n"
				"upgrade)\n"
				"    _pk_upn=\"${_pk_upn:+$_pk_upn, }%s\"\n"
				"    if [ \"$_pk_b%zu\" != \"$_pk_v\" ] || [ -z \"$_pk_v\" ]; then\n"
				"        _pk_up=\"${_pk_up:+$_pk_up, }%s${_pk_v:+ to $_pk_v}\"\n"
				"    fi\n"
				"    ;;\n"
				"esac\n",
			    i, all[i], all[i], all[i], i, all[i]);
	}
	strbuf_addstr(sh, "if [ -n \"$_pk_il\" ]; then _pk_w=\"installed $_pk_il\"; fi\n"
			  "if [ -n \"$_pk_up\" ]; then _pk_w=\"${_pk_w:+$_pk_w; }upgraded $_pk_up\"; fi\n");
	strbuf_addstr(sh, "if [ -n \"$_pk_rl\" ]; then _pk_w=\"${_pk_w:+$_pk_w; }removed $_pk_rl\"; fi\n"
			  "if [ -n \"$_pk_w\" ]; then\n"
			  "    sr_changed \"$_pk_w ($_pk_tool)\"\n"
			  "else\n"
			  "    sr_ok \"no update was available for $_pk_upn\"\n"
			  "fi\n");
	strbuf_release(&listed);
	free(all);
	return 0;
}

const struct step_type step_package = {
	.name = "package",
	.summary = "install, upgrade or remove packages with the target's package manager",
	.doc =
		"Install (`present`), install or upgrade to the newest available version "
		"(`latest`), or remove (`absent`) packages with the package manager the facts "
		"name: `apt-get` (non-interactive, keeping changed configuration files), `dnf`, "
		"`yum`, `zypper` or `apk`. What is installed and what has a pending update come "
		"from the facts; only the packages that need it are passed on. A package lock "
		"held by another process is waited for (`lock_timeout`). The package manager runs "
		"detached from the SSH session with its output in a log that is followed: if the "
		"connection drops, dpkg or rpm is not interrupted, and the step connects again "
		"and waits for it. Afterwards each package's state is queried; an unknown package "
		"fails the step with the package manager's message.",
	.params = package_params,
	.validate = package_validate,
	.apply = package_apply,
	.emit = package_emit,
};
