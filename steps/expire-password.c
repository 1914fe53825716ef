/*
 * expire-password: make chosen OS accounts change their password at the
 * next login (`chage -d 0`), and, for marketplaces that forbid password
 * login, turn it off in sshd.
 *
 * The accounts' password state and last change come from the facts: an
 * account whose password is locked or empty (key-only, or no password at
 * all) has nothing to expire and is skipped, and the summary says so; one
 * whose last change is already 0 is done.
 *
 * Password login is turned off with PasswordAuthentication no (and
 * KbdInteractiveAuthentication / ChallengeResponseAuthentication no when
 * this sshd has them and AuthenticationMethods is not set by the admin),
 * written to a drop-in that sorts first in /etc/ssh/sshd_config.d when the
 * main config includes that directory, else at the top of sshd_config
 * (sshd keeps the first value it reads). `sshd -t` must accept the result
 * and `sshd -T` must show it in effect, else the old files come back. sshd
 * is then reloaded (SIGHUP re-executes the listener only): the connection in
 * use, served by its own sshd process, stays up.
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

#define EP_DROPIN "/etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf"

static const struct param_spec expire_password_params[] = {
	{ "users", PK_STRING_LIST, 0, NULL,
	  "accounts that must change their password at the next login (chage -d 0)", NULL, 0, 0 },
	{ "disable_password_login", PK_BOOL, 0, "false",
	  "turn password login off in sshd (PasswordAuthentication no), for marketplaces that "
	  "forbid it", NULL, 0, 0 },
	PARAM_END,
};

/* A login name as shadow's useradd accepts it, without a leading '-'. */
static int ep_valid_user(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 32 || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-' || (c == '$' && i == n - 1)))
			return 0;
	}
	return 1;
}

static void expire_password_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *users = params_get(p, "users");

	if ((!users || !users->v.n) && !step_param_bool(p, "disable_password_login"))
		diag_error(ctx->d, users ? users->v.pos : ctx->at,
			   "%s needs 'users' (not empty) or 'disable_password_login: true'", ctx->owner);
	for (size_t i = 0; users && i < users->v.n; i++)
		if (!ep_valid_user(users->v.items[i].s))
			diag_error(ctx->d, users->v.items[i].pos,
				   "'%s' in 'users' of %s is not a valid account name", users->v.items[i].s,
				   ctx->owner);
}

/*
 * Expire each user's password; a failure names the account on stderr. The
 * account the connection logged in as (sudo's SUDO_USER, else the user
 * running it) is printed as "self NAME".
 */
static char *ep_chage_script(const char *const *users, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "st=0\nme=${SUDO_USER:-$(id -un)}\nfor u in");
	for (size_t i = 0; i < n; i++) {
		strbuf_addch(&sb, ' ');
		shell_quote(&sb, users[i]);
	}
	strbuf_addstr(&sb,
		      "; do\n"
		      "  if command -v chage >/dev/null 2>&1; then chage -d 0 -- \"$u\" </dev/null\n"
		      "  else passwd -e -- \"$u\" </dev/null >/dev/null; fi ||\n"
		      "    { printf 'cannot expire the password of %s\\n' \"$u\" >&2; st=1; continue; }\n"
		      "  [ \"$u\" != \"$me\" ] || printf 'self %s\\n' \"$u\"\n"
		      "done\nexit $st\n");
	return strbuf_detach(&sb);
}

/*
 * The sshd part, run on the target. It prints "ok", "would dropin|main
 * KEYS", or "done dropin|main FILE" with "backup FILE" and "reload HOW"; a
 * failure exits non-zero with the reason on stderr (4: sshd -t refused the
 * change, which was undone).
 */
static char *ep_sshd_script(int dry_run)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "dry=%d\n", dry_run ? 1 : 0);
	strbuf_addstr(&sb, "drop=" EP_DROPIN "\n");
	strbuf_addstr(&sb,
		"cfg=/etc/ssh/sshd_config dir=/etc/ssh/sshd_config.d\n"
		"mark='# shelfready expire-password: password login is off (disable_password_login)'\n"
		"sshd=\n"
		"for x in /usr/sbin/sshd /usr/local/sbin/sshd /sbin/sshd; do\n"
		"  [ -x \"$x\" ] && { sshd=$x; break; }\n"
		"done\n"
		"[ -n \"$sshd\" ] || sshd=$(command -v sshd 2>/dev/null)\n"
		"[ -n \"$sshd\" ] || { echo 'sshd is not installed' >&2; exit 3; }\n"
		"[ -f \"$cfg\" ] || { echo \"$cfg does not exist\" >&2; exit 3; }\n"
		"effective() {\n"
		"  T=$(\"$sshd\" -T 2>&1 </dev/null) ||\n"
		"    { printf '%s -T failed: %s\\n' \"$sshd\" \"$T\" | head -n 3 >&2; return 1; }\n"
		"}\n"
		"get() { printf '%s\\n' \"$T\" | awk -v k=\"$1\" '$1 == k { print $2; exit }'; }\n"
		"pending() {\n"
		"  todo=\n"
		"  for k in $want; do\n"
		"    [ \"$(get \"$(printf '%s' \"$k\" | tr 'A-Z' 'a-z')\")\" = no ] || todo=\"$todo $k\"\n"
		"  done\n"
		"}\n"
		"effective || exit 3\n"
		"want=PasswordAuthentication\n"
		"am=$(get authenticationmethods)\n"
		"if [ \"${am:-any}\" = any ]; then\n"
		"  [ -z \"$(get kbdinteractiveauthentication)\" ] || want=\"$want KbdInteractiveAuthentication\"\n"
		"  [ -z \"$(get challengeresponseauthentication)\" ] || want=\"$want ChallengeResponseAuthentication\"\n"
		"fi\n"
		"pending\n"
		"[ -n \"$todo\" ] || { echo ok; exit 0; }\n"
		"how=main\n"
		"if [ -d \"$dir\" ] && grep -Eiq '^[[:space:]]*Include[[:space:]].*sshd_config\\.d/' \"$cfg\"; then\n"
		"  how=dropin\n"
		"fi\n"
		"if [ \"$dry\" = 1 ]; then echo \"would $how$todo\"; exit 0; fi\n"
		"block() { printf '%s\\n' \"$mark\"; for k in $want; do printf '%s no\\n' \"$k\"; done; }\n"
		"umask 022\n"
		"if [ \"$how\" = dropin ]; then\n"
		"  old=\n"
		"  if [ -e \"$drop\" ]; then old=$drop.shelfready-old; cp -p -- \"$drop\" \"$old\" || exit 3; fi\n"
		"  undo() { if [ -n \"$old\" ]; then mv -f -- \"$old\" \"$drop\"; else rm -f -- \"$drop\"; fi; }\n"
		"  block >\"$drop.tmp\" && mv -f -- \"$drop.tmp\" \"$drop\" ||\n"
		"    { rm -f -- \"$drop.tmp\"; echo \"cannot write $drop\" >&2; exit 3; }\n"
		"  if ! out=$(\"$sshd\" -t 2>&1 </dev/null); then\n"
		"    undo\n"
		"    printf 'sshd -t refused the change (undone): %s\\n' \"$out\" | head -n 3 >&2\n"
		"    exit 4\n"
		"  fi\n"
		"  effective || { undo; exit 3; }\n"
		"  pending\n"
		"  if [ -n \"$todo\" ]; then\n"
		"    undo\n"
		"    how=main\n"
		"  else\n"
		"    rm -f -- \"$old\"\n"
		"    echo \"done dropin $drop\"\n"
		"  fi\n"
		"fi\n"
		"if [ \"$how\" = main ]; then\n"
		"  t=$(date +%Y%m%d%H%M%S) || exit 3\n"
		"  b=$cfg.shelfready-$t i=1\n"
		"  while [ -e \"$b\" ]; do b=$cfg.shelfready-$t-$i; i=$((i + 1)); done\n"
		"  cp -p -- \"$cfg\" \"$b\" || { echo \"cannot back up $cfg\" >&2; exit 3; }\n"
		"  new=$cfg.shelfready-new\n"
		"  cp -p -- \"$cfg\" \"$new\" &&\n"
		"    { block; awk -v m=\"$mark\" '\n"
		"        $0 == m { skip = 1; next }\n"
		"        skip && /^(PasswordAuthentication|KbdInteractiveAuthentication|ChallengeResponseAuthentication) no$/ { next }\n"
		"        { skip = 0; print }' \"$b\"; } >\"$new\" &&\n"
		"    mv -f -- \"$new\" \"$cfg\" || { rm -f -- \"$new\"; echo \"cannot write $cfg\" >&2; exit 3; }\n"
		"  undo() { cp -p -- \"$b\" \"$new\" && mv -f -- \"$new\" \"$cfg\"; }\n"
		"  if ! out=$(\"$sshd\" -t 2>&1 </dev/null); then\n"
		"    undo\n"
		"    printf 'sshd -t refused the change (undone): %s\\n' \"$out\" | head -n 3 >&2\n"
		"    exit 4\n"
		"  fi\n"
		"  effective || { undo; exit 3; }\n"
		"  pending\n"
		"  if [ -n \"$todo\" ]; then\n"
		"    undo\n"
		"    echo \"sshd still has$todo on after the change (undone): options on its command line?\" >&2\n"
		"    exit 4\n"
		"  fi\n"
		"  echo \"done main $cfg\"\n"
		"  echo \"backup $b\"\n"
		"fi\n"
		/* reload: the listener re-executes itself; sessions are separate processes */
		"if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then\n"
		"  for u in ssh sshd; do\n"
		"    if systemctl is-active --quiet \"$u.service\" </dev/null &&\n"
		"       systemctl reload \"$u.service\" </dev/null; then\n"
		"      echo \"reload systemctl reload $u.service\"; exit 0\n"
		"    fi\n"
		"  done\n"
		"fi\n"
		"pf=$(get pidfile)\n"
		"pf=${pf:-/run/sshd.pid}\n"
		"if [ -s \"$pf\" ] && p=$(cat \"$pf\") && kill -HUP \"$p\" 2>/dev/null; then\n"
		"  echo \"reload SIGHUP to sshd pid $p\"; exit 0\n"
		"fi\n"
		"for s in /etc/init.d/ssh /etc/init.d/sshd; do\n"
		"  if [ -x \"$s\" ] && \"$s\" reload </dev/null >/dev/null 2>&1; then echo \"reload $s reload\"; exit 0; fi\n"
		"done\n"
		"echo 'the configuration is changed but sshd could not be reloaded: it applies at its next start' >&2\n"
		"exit 5\n");
	return strbuf_detach(&sb);
}

/* What the facts say about sshd: 1 password login is off, 0 on, -1 unknown. */
static int facts_password_login_off(const struct facts *f)
{
	const char *pa, *am;
	if (!f->sshd.src.section || !f->sshd.effective)
		return -1;
	pa = facts_sshd_get(f, "passwordauthentication");
	if (!pa || strcmp(pa, "no"))
		return 0;
	am = facts_sshd_get(f, "authenticationmethods");
	if (am && strcmp(am, "any"))
		return 1;
	for (int i = 0; i < 2; i++) {
		const char *v = facts_sshd_get(f, i ? "challengeresponseauthentication"
						    : "kbdinteractiveauthentication");
		if (v && strcmp(v, "no"))
			return 0;
	}
	return 1;
}

static const char *first_line(const struct strbuf *sb, char *buf, size_t size)
{
	const char *s = sb->buf ? sb->buf : "";
	size_t n = strcspn(s, "\n");
	if (!n)
		return "no message";
	snprintf(buf, size, "%.*s", (int)n, s);
	return buf;
}

/* The value of the output line "key value", or NULL. */
static char *out_value(const struct strbuf *out, const char *key)
{
	const char *s = out->buf ? out->buf : "";
	size_t kl = strlen(key);
	while (*s) {
		size_t n = strcspn(s, "\n");
		if (n > kl && !strncmp(s, key, kl) && s[kl] == ' ')
			return xstrndup(s + kl + 1, n - kl - 1);
		if (n == kl && !strncmp(s, key, kl))
			return xstrdup("");
		s += n + (s[n] == '\n');
	}
	return NULL;
}

/*
 * The sshd part: appends what it did (or would do) to what. 1 changed (or
 * would), 0 nothing to do, -1 failed (r set).
 */
static int sshd_part(struct step_ctx *ctx, struct strbuf *what, struct step_result *r)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	char *sh = NULL, *v = NULL, msg[512];
	int ret = -1;

	memset(&res, 0, sizeof(res));
	if (facts_password_login_off(ctx->f) == 1)
		return 0;
	sh = ep_sshd_script(ctx->dry_run);
	if (step_sh(ctx, sh, 120, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	if (res.status != 0) {
		step_failed(r, "cannot turn password login off: %s",
			    first_line(&res.err, msg, sizeof(msg)));
		goto out;
	}
	if ((v = out_value(&res.out, "ok"))) {
		ret = 0;
		goto out;
	}
	if ((v = out_value(&res.out, "would"))) {
		int dropin = !strncmp(v, "dropin", 6);
		strbuf_addf(what, "%swould turn password login off:%s no in %s and reload sshd",
			    what->len ? "; " : "", v + (dropin ? 6 : 4),
			    dropin ? EP_DROPIN : "/etc/ssh/sshd_config (at the top)");
		ret = 1;
		goto out;
	}
	free(v);
	v = out_value(&res.out, "done");
	if (!v) {
		step_failed(r, "cannot turn password login off: unexpected output from the target");
		goto out;
	}
	strbuf_addf(what, "%spassword login off (%s", what->len ? "; " : "",
		    strchr(v, ' ') ? strchr(v, ' ') + 1 : v);
	free(v);
	if ((v = out_value(&res.out, "backup")))
		strbuf_addf(what, ", backup %s", v);
	free(v);
	v = out_value(&res.out, "reload");
	strbuf_addf(what, "), sshd reloaded (%s)", v ? v : "?");
	{
		const char *how = ssh_auth_method(ctx->c);
		if (how && (str_starts_with(how, "password") || str_starts_with(how, "keyboard")))
			step_say(ctx, "warning: this connection logged in with a password; after a "
				      "reconnect (a reboot) only a key will do");
	}
	ret = 1;
out:
	exec_result_release(&res);
	error_release(&e);
	free(sh);
	free(v);
	return ret;
}

static void add_names(struct strbuf *sb, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		strbuf_addf(sb, "%s'%s'", i ? ", " : "", v[i]);
}

static void expire_password_apply(const struct params *p, struct step_ctx *ctx,
				  struct step_result *r)
{
	const struct param *users = params_get(p, "users");
	const struct facts_accounts *as = &ctx->f->accounts;
	size_t n = users ? users->v.n : 0;
	const char **todo = xcalloc(n + 1, sizeof(*todo)), **done = xcalloc(n + 1, sizeof(*done));
	const char **missing = xcalloc(n + 1, sizeof(*missing));
	const char **unknown = xcalloc(n + 1, sizeof(*unknown));
	size_t ntodo = 0, ndone = 0, nmissing = 0, nunknown = 0;
	struct strbuf what = STRBUF_INIT, skipped = STRBUF_INIT;
	struct exec_result res;
	struct error e = ERROR_INIT;
	char *sh = NULL, *self = NULL, msg[512];
	int changed = 0;

	memset(&res, 0, sizeof(res));
	if (n && !as->src.section) {
		step_failed(r, "the facts have no accounts: cannot tell whose password to expire");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const char *u = users->v.items[i].s;
		const struct facts_account *a = facts_account_find(ctx->f, u);
		int dup = 0;
		for (size_t k = 0; k < i; k++)
			dup |= !strcmp(users->v.items[k].s, u);
		if (dup)
			continue;
		if (!a)
			missing[nmissing++] = u;
		else if (!a->password || !strcmp(a->password, "unknown"))
			unknown[nunknown++] = u;
		else if (!strcmp(a->password, "locked"))
			strbuf_addf(&skipped, "%s'%s' (password locked: key-only or disabled)",
				    skipped.len ? ", " : "", u);
		else if (!strcmp(a->password, "empty"))
			strbuf_addf(&skipped, "%s'%s' (no password set)", skipped.len ? ", " : "", u);
		else if (a->lastchg == 0)
			done[ndone++] = u;
		else
			todo[ntodo++] = u;
	}
	if (nmissing) {
		strbuf_addstr(&what, nmissing == 1 ? "no account " : "no accounts ");
		add_names(&what, missing, nmissing);
		step_failed(r, "%s on the target", what.buf);
		goto out;
	}
	if (nunknown) {
		add_names(&what, unknown, nunknown);
		step_failed(r, "cannot tell whether %s %s a password: /etc/shadow was not readable "
			       "(connect as root or use --sudo)",
			    what.buf, nunknown == 1 ? "has" : "have");
		goto out;
	}

	if (ntodo) {
		strbuf_addstr(&what, ctx->dry_run ? "would expire the password of " : "expired the password of ");
		add_names(&what, todo, ntodo);
		strbuf_addstr(&what, " (change at next login)");
		if (!ctx->dry_run) {
			sh = ep_chage_script(todo, ntodo);
			if (step_sh(ctx, sh, 120, 1, &res, &e)) {
				step_failed_error(r, &e);
				goto out;
			}
			if (res.status != 0) {
				step_failed(r, "%s", first_line(&res.err, msg, sizeof(msg)));
				goto out;
			}
			self = out_value(&res.out, "self");
		}
		changed = 1;
	}
	if (step_param_bool(p, "disable_password_login")) {
		int s = sshd_part(ctx, &what, r);
		if (s < 0)
			goto out;
		if (!s)
			strbuf_addf(&what, "%spassword login is already off", what.len ? "; " : "");
		changed |= s;
	}
	if (ndone) {
		strbuf_addf(&what, "%s%s", what.len ? "; " : "", changed ? "already expired: " : "nothing to do: ");
		add_names(&what, done, ndone);
		strbuf_addstr(&what, " must already change the password at next login");
	}
	if (skipped.len)
		strbuf_addf(&what, "%s%sskipped %s", what.len ? "; " : "",
			    changed || ndone ? "" : "nothing to do: ", skipped.buf);
	if (self) {
		step_say(ctx, "warning: '%s' is the account this connection logged in as: until its "
			      "password is changed, sshd refuses it commands without a terminal",
			 self);
		strbuf_addf(&what, "; note: '%s' is the login account: new SSH sessions as it need a "
				   "terminal until the password is changed (make this step the last one)",
			    self);
	}
	if (changed)
		step_changed(r, "%s", what.buf);
	else
		step_ok(r, "%s", what.len ? what.buf : "nothing to do");
out:
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&what);
	strbuf_release(&skipped);
	free(sh);
	free(self);
	free(todo);
	free(done);
	free(missing);
	free(unknown);
}

/* ---- emit: on the machine itself ---- */

/*
 * For `emit`: what apply learns from the facts is read from /etc/shadow
 * when the script runs (locked "!"/"*" or empty: skipped; last change 0:
 * done); the expiry and the sshd part are the scripts above, run by `sh -s`
 * (ep_sshd_script prints no secret and takes no profile value).
 */
static int expire_password_emit(const struct params *p, const struct emit_ctx *ctx,
				struct strbuf *sh, char **err)
{
	const struct param *users = params_get(p, "users");
	char *chage = NULL, *sshd = NULL;

	(void)ctx;
	(void)err;
	strbuf_addstr(sh, "_ep_todo='' _ep_done='' _ep_skip=''\n");
	if (users && users->v.n) {
		/* through "$@": a loop over literal words is a shellcheck warning */
		strbuf_addstr(sh, "set --");
		for (size_t i = 0; i < users->v.n; i++) {
			strbuf_addch(sh, ' ');
			shell_quote(sh, users->v.items[i].s);
		}
		strbuf_addstr(sh,
			"\nfor _ep_u in \"$@\"; do\n"
			"\tcase \" $_ep_todo $_ep_done $_ep_skip \" in *\" $_ep_u \"*) continue ;; esac\n"
			"\tif [ ! -r /etc/shadow ]; then sr_failed \"/etc/shadow is not readable\"; return; fi\n"
			"\t_ep_s=$(awk -F: -v u=\"$_ep_u\" '$1 == u { print ($2 == \"\" ? \"empty\" : "
			"$2 ~ /^[!*]/ ? \"locked\" : \"set\") \" \" $3; f = 1; exit } END { exit !f }' /etc/shadow) || {\n"
			"\t\tsr_failed \"no account '$_ep_u' on this machine\"\n\t\treturn\n\t}\n"
			"\tcase $_ep_s in\n"
			"\tlocked*|empty*) _ep_skip=\"$_ep_skip $_ep_u\" ;;\n"
			"\t\"set 0\") _ep_done=\"$_ep_done $_ep_u\" ;;\n"
			"\t*) _ep_todo=\"$_ep_todo $_ep_u\" ;;\n"
			"\tesac\n"
			"done\n");
	}
	strbuf_addstr(sh, "_ep_what='' _ep_changed=0\n"
			  "if [ -n \"$_ep_todo\" ]; then\n"
			  "\t# shellcheck disable=SC2086 # account names: validated, no blanks\n"
			  "\tset -- $_ep_todo\n");
	chage = ep_chage_script(NULL, 0);
	/* "for u in; do" would be a syntax error: the names come from "$@" instead */
	{
		char *hit = strstr(chage, "for u in; do");
		if (hit) {
			struct strbuf fixed = STRBUF_INIT;
			strbuf_add(&fixed, chage, (size_t)(hit - chage));
			strbuf_addstr(&fixed, "for u in \"$@\"; do");
			strbuf_addstr(&fixed, hit + strlen("for u in; do"));
			free(chage);
			chage = strbuf_detach(&fixed);
		}
	}
	strbuf_addf(sh, "\tif ! _ep_out=$(sh -s \"$@\" <<'SHELFREADY_EP_CHAGE'\n%sSHELFREADY_EP_CHAGE\n"
			"\t); then\n"
			"\t\tsr_failed \"cannot expire the password of:$_ep_todo\"\n\t\treturn\n\tfi\n"
			"\tcase $_ep_out in *self*) sr_say \"warning: the password of the account running "
			"this ($_ep_out) is expired\" ;; esac\n"
			"\t_ep_what=\"expired the password of:$_ep_todo (change at next login)\"\n"
			"\t_ep_changed=1\n"
			"fi\n",
		    chage);
	if (step_param_bool(p, "disable_password_login")) {
		sshd = ep_sshd_script(0);
		strbuf_addf(sh, "_ep_out=$(sh -s <<'SHELFREADY_EP_SSHD'\n%sSHELFREADY_EP_SSHD\n)\n"
				"_ep_st=$?\n"
				"if [ \"$_ep_st\" != 0 ]; then\n"
				"\tsr_failed \"cannot turn password login off (exit $_ep_st)\"\n\treturn\nfi\n"
				"case $_ep_out in\n"
				"ok*) _ep_what=\"${_ep_what:+$_ep_what; }password login is already off\" ;;\n"
				"*)\n"
				"\t_ep_what=\"${_ep_what:+$_ep_what; }password login off, sshd reloaded\"\n"
				"\t_ep_changed=1\n"
				"\t;;\n"
				"esac\n",
			    sshd);
	}
	strbuf_addstr(sh, "[ -z \"$_ep_done\" ] || _ep_what=\"${_ep_what:+$_ep_what; }already expired:$_ep_done\"\n"
			  "[ -z \"$_ep_skip\" ] || _ep_what=\"${_ep_what:+$_ep_what; }skipped (locked or "
			  "no password):$_ep_skip\"\n"
			  "if [ \"$_ep_changed\" = 1 ]; then\n\tsr_changed \"$_ep_what\"\n"
			  "else\n\tsr_ok \"nothing to do${_ep_what:+: $_ep_what}\"\nfi\n");
	free(chage);
	free(sshd);
	return 0;
}

const struct step_type step_expire_password = {
	.name = "expire-password",
	.summary = "make accounts change their password at the next login; optionally turn "
		   "password login off in sshd",
	.doc =
		"Make OS accounts change their password at the next login (`chage -d 0`, else "
		"`passwd -e`). Which accounts need it comes from the facts: one whose password is "
		"locked (`!` or `*`: key-only or disabled) or empty has nothing to expire and is "
		"skipped, and the summary names it; one whose last change is already 0 is done. "
		"An account that does not exist fails the step before anything changes. Expiring "
		"the account shelfready logs in as makes sshd refuse it later sessions without a "
		"terminal (this run goes on): make it the last step, or connect as another user.\n\n"
		"With `disable_password_login: true` (marketplaces that forbid password login), "
		"`PasswordAuthentication no` (and `KbdInteractiveAuthentication no`, "
		"`ChallengeResponseAuthentication no` where this sshd has them, unless "
		"`AuthenticationMethods` is set) goes into "
		"`/etc/ssh/sshd_config.d/00-shelfready-no-password-login.conf` when `sshd_config` "
		"includes that directory, otherwise at the top of `sshd_config` (with a backup); "
		"sshd keeps the first value it reads. `sshd -t` must accept the result and `sshd "
		"-T` must show it in effect, or the old files come back and the step fails. sshd "
		"is then reloaded (`systemctl reload`, else SIGHUP to its pid file's process): "
		"sessions, the one in use included, stay up.\n\n"
		"One of the two is required.",
	.params = expire_password_params,
	.validate = expire_password_validate,
	.apply = expire_password_apply,
	.emit = expire_password_emit,
};
