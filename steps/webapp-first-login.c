/*
 * webapp-first-login: install the first-boot credential reset of a web
 * application NAME, as docs/first-login.md fixes it (clause 2.2.2-4 of the
 * review standard): the reset script
 * /usr/local/libexec/shelfready/first-login-NAME (root, 0700) and its
 * triggers, a cloud-init per-instance hook and/or an enabled systemd
 * oneshot guarded by the done marker.
 *
 * The reset script is a wrapper this step writes around an
 * application-specific part. The wrapper does what every application needs:
 * a new random password (letters and digits), given to the part on its
 * standard input and in a root-only file ($SHELFREADY_PASSWORD_FILE), the
 * credentials stored root-only, the MOTD pointer, the done marker last. The
 * part only tells the application: `script` (inline text) or `file` (a local
 * file, read when the step runs), run by `interpreter`; or `builtin: mysql`,
 * which runs `ALTER USER ... IDENTIFIED BY ... PASSWORD EXPIRE` for each of
 * `mysql_users` through the mysql client as root on the server's socket,
 * the statement on the client's standard input (a password is never an
 * argument, which `ps` would show).
 *
 * Idempotent: each file is compared with what it should be and written only
 * when it differs, so a second run reports ok. The reset never runs on the
 * build VM; a credentials file, done marker or MOTD pointer that one left
 * there (a reboot of the build VM started the unit) is removed. A dry run
 * compares and says what it would write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "emit.h"
#include "facts.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

#define WF_LIBEXEC "/usr/local/libexec/shelfready/first-login-"
#define WF_DONE_DIR "/var/lib/shelfready/first-login/"

static const char *const wf_builtins[] = { "mysql", NULL };
static const char *const wf_triggers[] = { "cloud-init", "systemd", NULL };

static const struct param_spec wf_params[] = {
	{ "name", PK_STRING, 1, NULL,
	  "the web application, [a-z0-9][a-z0-9_-]*: it names the files of the reset; empty: none, "
	  "the step does nothing",
	  NULL, 0, 0 },
	{ "script", PK_STRING, 0, NULL,
	  "the application-specific part: text run by interpreter, the new password on its standard "
	  "input; one of script, file and builtin",
	  NULL, 0, 0 },
	{ "file", PK_STRING, 0, NULL,
	  "the application-specific part from a local file, relative to the profile", NULL, 0, 0 },
	{ "builtin", PK_ENUM, 0, NULL,
	  "a built-in application-specific part: mysql (ALTER USER ... PASSWORD EXPIRE for each of "
	  "mysql_users)",
	  wf_builtins, 0, 0 },
	{ "interpreter", PK_STRING, 0, "/bin/sh", "program that runs script or file on the target",
	  NULL, 0, 0 },
	{ "user", PK_STRING, 0, NULL,
	  "the account the new password is for, written with it in the credentials file", NULL, 0,
	  0 },
	{ "mysql_users", PK_STRING_LIST, 0, NULL,
	  "builtin mysql: the accounts, USER or USER@HOST (localhost when no host is given)", NULL, 0,
	  0 },
	{ "mysql_defaults_file", PK_STRING, 0, NULL,
	  "builtin mysql: an option file on the target saying how root reaches the server (default: "
	  "root on the server's socket)",
	  NULL, 0, 0 },
	{ "triggers", PK_STRING_LIST, 0, NULL,
	  "cloud-init, systemd: the triggers to install; default: cloud-init when it is installed, "
	  "systemd when it is the init",
	  wf_triggers, 0, 0 },
	{ "after", PK_STRING_LIST, 0, NULL,
	  "systemd units the oneshot starts after (the application's own); builtin mysql adds "
	  "mysql, mariadb and mysqld",
	  NULL, 0, 0 },
	{ "password_length", PK_INT, 0, "24", "letters and digits in each new password", NULL, 16,
	  128 },
	{ "timeout", PK_DURATION, 0, "5m", "time limit of the installation", NULL, 1, 3600 },
	PARAM_END,
};

/* Exported for tests/unit/test_step_webapp.c only (the step's pure parts). */
const char *webapp_first_login_bad_account(const char *s, int mysql);
char *webapp_first_login_reset(const struct params *p, const char *part);
char *webapp_first_login_hook(const char *name);
char *webapp_first_login_unit(const struct params *p);
char *webapp_first_login_installer(const struct params *p, const char *part, int apply);
enum step_status webapp_first_login_judge(const char *name, const char *out, size_t len,
					  int dry_run, char **summary, struct strbuf *lines);

/* ---- load-time rules ---- */

static int in_set(char c, const char *extra)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr(extra, c));
}

/*
 * Why s is refused as an account: with mysql, of mysql_users (USER or
 * USER@HOST: letters, digits, '_', '.', '$', '-'; the host also '%', ':');
 * otherwise of `user` (no control characters). NULL when fine.
 */
const char *webapp_first_login_bad_account(const char *s, int mysql)
{
	const char *at;

	if (!*s)
		return "is empty";
	if (!mysql) {
		for (const char *c = s; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return "holds a control character";
		return strlen(s) > 256 ? "is longer than 256 bytes" : NULL;
	}
	at = strchr(s, '@');
	for (const char *c = s; *c && c != at; c++)
		if (!in_set(*c, "_.$-"))
			return "is not USER or USER@HOST (letters, digits, '_', '.', '$', '-')";
	if (at == s || (at && !at[1]))
		return "is not USER or USER@HOST";
	for (const char *c = at ? at + 1 : ""; *c; c++)
		if (!in_set(*c, "_.%:-"))
			return "has a host that is not a name, an address or a pattern with '%'";
	return NULL;
}

static int valid_unit(const char *s)
{
	if (!*s || strlen(s) > 255)
		return 0;
	for (const char *c = s; *c; c++)
		if (!in_set(*c, "@._:-\\"))
			return 0;
	return 1;
}

static int absolute_clean(const char *s)
{
	if (s[0] != '/')
		return 0;
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c <= 0x20 || *c == 0x7f)
			return 0;
	return 1;
}

static void check_file(const struct param *file, const struct type_ctx *ctx)
{
	char *path;
	struct stat st;

	if (!ctx->base_dir) {
		diag_error(ctx->d, file->v.pos, "%s: a bundled profile cannot refer to a local file",
			   ctx->owner);
		return;
	}
	path = file->v.s[0] == '/' ? xstrdup(file->v.s) : xasprintf("%s/%s", ctx->base_dir, file->v.s);
	if (stat(path, &st) < 0)
		diag_error(ctx->d, file->v.pos, "reset script file '%s' not found", file->v.s);
	else if (!S_ISREG(st.st_mode))
		diag_error(ctx->d, file->v.pos, "reset script file '%s' is not a regular file", file->v.s);
	free(path);
}

static void check_list(const struct param *l, const char *key, const struct type_ctx *ctx,
		       int (*ok)(const char *), const char *what)
{
	if (!l)
		return;
	if (!l->v.n)
		diag_error(ctx->d, l->v.pos, "'%s' of %s is empty", key, ctx->owner);
	for (size_t i = 0; i < l->v.n; i++) {
		const struct pval *it = &l->v.items[i];
		if (!ok(it->s)) {
			diag_error(ctx->d, it->pos, "'%s' in '%s' of %s is not %s", it->s, key, ctx->owner,
				   what);
			continue;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(l->v.items[j].s, it->s)) {
				diag_error(ctx->d, it->pos, "'%s' is listed twice in '%s' of %s", it->s, key,
					   ctx->owner);
				break;
			}
	}
}

static int valid_trigger(const char *s)
{
	return !strcmp(s, "cloud-init") || !strcmp(s, "systemd");
}

static int valid_mysql_user(const char *s)
{
	return !webapp_first_login_bad_account(s, 1);
}

static void wf_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *name = params_get(p, "name"), *script = params_get(p, "script");
	const struct param *file = params_get(p, "file"), *builtin = params_get(p, "builtin");
	const struct param *user = params_get(p, "user"), *interp = params_get(p, "interpreter");
	const struct param *users = params_get(p, "mysql_users");
	const struct param *defaults = params_get(p, "mysql_defaults_file");
	int parts;

	/* empty: no application (a profile's variable left empty); nothing to install */
	if (!name || !name->v.s[0])
		return;
	if (!facts_webapp_name_valid(name->v.s, strlen(name->v.s))) {
		diag_error(ctx->d, name->v.pos,
			   "'%s' in 'name' of %s is not a web application name ([a-z0-9][a-z0-9_-]*)",
			   name->v.s, ctx->owner);
		return;
	}
	if (script && !script->v.s[0])
		script = NULL; /* an empty variable: no script */
	parts = !!script + !!file + !!builtin;
	if (parts != 1)
		diag_error(ctx->d, parts ? (script ? script->v.pos : file ? file->v.pos : builtin->v.pos)
					 : name->v.pos,
			   "%s needs exactly one of 'script', 'file' and 'builtin' (an empty 'script' "
			   "counts as none): the application-specific part of the reset of '%s'",
			   ctx->owner, name->v.s);
	if (file)
		check_file(file, ctx);
	if (interp && !absolute_clean(interp->v.s))
		diag_error(ctx->d, interp->v.pos,
			   "'interpreter' of %s must be an absolute path without blanks", ctx->owner);
	if (user) {
		const char *why = webapp_first_login_bad_account(user->v.s, 0);
		if (why)
			diag_error(ctx->d, user->v.pos, "'user' of %s %s", ctx->owner, why);
	}
	check_list(params_get(p, "triggers"), "triggers", ctx, valid_trigger,
		   "cloud-init or systemd");
	check_list(params_get(p, "after"), "after", ctx, valid_unit, "a systemd unit name");
	if (builtin) {
		if (!users)
			diag_error(ctx->d, builtin->v.pos, "%s: builtin mysql needs 'mysql_users'",
				   ctx->owner);
		check_list(users, "mysql_users", ctx, valid_mysql_user,
			   "USER or USER@HOST (letters, digits, '_', '.', '$', '-'; the host also '%')");
		if (user)
			diag_error(ctx->d, user->v.pos,
				   "%s: 'user' is for script and file; builtin mysql names its accounts "
				   "in 'mysql_users'",
				   ctx->owner);
		if (interp && !interp->is_default)
			diag_error(ctx->d, interp->v.pos,
				   "%s: 'interpreter' is for script and file, not builtin mysql", ctx->owner);
		if (defaults && !absolute_clean(defaults->v.s))
			diag_error(ctx->d, defaults->v.pos,
				   "'mysql_defaults_file' of %s must be an absolute path without blanks",
				   ctx->owner);
	} else {
		if (users)
			diag_error(ctx->d, users->v.pos, "%s: 'mysql_users' is for builtin mysql",
				   ctx->owner);
		if (defaults)
			diag_error(ctx->d, defaults->v.pos,
				   "%s: 'mysql_defaults_file' is for builtin mysql", ctx->owner);
	}
}

/* ---- the files ---- */

/* A heredoc delimiter that is no line of text: the same for the same text. */
static char *delimiter(const char *text)
{
	for (unsigned n = 0;; n++) {
		char *d = n ? xasprintf("SHELFREADY_APP_EOF_%u", n) : xstrdup("SHELFREADY_APP_EOF");
		size_t dl = strlen(d);
		int found = 0;
		for (const char *l = text; l && *l;) {
			const char *nl = strchr(l, '\n');
			size_t ll = nl ? (size_t)(nl - l) : strlen(l);
			if (ll == dl && !memcmp(l, d, dl)) {
				found = 1;
				break;
			}
			l = nl ? nl + 1 : NULL;
		}
		if (!found)
			return d;
		free(d);
	}
}

static const char wf_reset_head[] =
	"umask 077\n"
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
	"export PATH\n"
	"dir=/root/.shelfready/first-login\n"
	"cred=$dir/$app.credentials\n"
	"mark=/var/lib/shelfready/first-login/$app.done\n"
	"\n"
	"say() { printf 'first-login-%s: %s\\n' \"$app\" \"$*\" >&2; }\n"
	"die() {\n"
	"\tsay \"$*\"\n"
	"\texit 1\n"
	"}\n"
	"\n"
	"[ \"$(id -u)\" = 0 ] || die \"must run as root\"\n"
	"work=$(mktemp -d) || die \"cannot make a private directory\"\n"
	"trap 'rm -rf \"$work\"' EXIT\n"
	"trap 'exit 1' HUP INT TERM\n"
	": >\"$work/credentials\" || die \"cannot write in $work\"\n"
	"\n"
	"# A new random password of $length letters and digits, in $pw.\n"
	"new_password() {\n"
	"\tpw=$(LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom 2>/dev/null | head -c \"$length\")\n"
	"\t[ \"${#pw}\" -eq \"$length\" ] || die \"cannot generate a password\"\n"
	"}\n"
	"\n"
	"# Store what $work/credentials holds under the header $1, for root only:\n"
	"# written beside the credentials file, then renamed over it.\n"
	"store() {\n"
	"\tmkdir -p \"$dir\" && chmod 700 /root/.shelfready \"$dir\" || die \"cannot create $dir\"\n"
	"\t{\n"
	"\t\tprintf '# %s\\n' \"$1\"\n"
	"\t\tcat \"$work/credentials\"\n"
	"\t} >\"$cred.new\" && chmod 600 \"$cred.new\" && mv -f \"$cred.new\" \"$cred\" ||\n"
	"\t\tdie \"cannot write $cred\"\n"
	"}\n"
	"\n"
	"# The pointer in the message of the day: a file in /etc/motd.d where\n"
	"# pam_motd reads that directory, a script in /etc/update-motd.d where only\n"
	"# that is read. It names the file, never the password.\n"
	"motd() {\n"
	"\tmsg=\"$app: new credentials were made at the first boot of this instance; they are in $cred (readable by root only). Change the password at your first login.\"\n"
	"\tif [ -d /etc/update-motd.d ] && ! grep -qs /etc/motd.d /lib/security/pam_motd.so \\\n"
	"\t\t/lib64/security/pam_motd.so /lib/*/security/pam_motd.so /usr/lib/security/pam_motd.so \\\n"
	"\t\t/usr/lib64/security/pam_motd.so /usr/lib/*/security/pam_motd.so; then\n"
	"\t\tf=/etc/update-motd.d/90-shelfready-first-login-$app\n"
	"\t\tprintf '#!/bin/sh\\ncat <<\"EOF\"\\n%s\\nEOF\\n' \"$msg\" >\"$f.new\" && chmod 755 \"$f.new\"\n"
	"\telse\n"
	"\t\tf=/etc/motd.d/shelfready-first-login-$app\n"
	"\t\t{ [ -d /etc/motd.d ] || mkdir -m 755 /etc/motd.d; } &&\n"
	"\t\t\tprintf '%s\\n' \"$msg\" >\"$f.new\" && chmod 644 \"$f.new\"\n"
	"\tfi && mv -f \"$f.new\" \"$f\" || die \"cannot write the message of the day ($f)\"\n"
	"}\n"
	"\n";

static const char wf_reset_tail[] =
	"store \"$app credentials, made at the first boot of this instance: change the password at "
	"your first login\"\n"
	"motd\n"
	"mkdir -p /var/lib/shelfready/first-login &&\n"
	"\tchmod 755 /var/lib/shelfready /var/lib/shelfready/first-login &&\n"
	"\t: >\"$mark.new\" && chmod 644 \"$mark.new\" && mv -f \"$mark.new\" \"$mark\" ||\n"
	"\tdie \"cannot write $mark\"\n"
	"say \"new credentials are in $cred\"\n";

static void add_var(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, "%s=", name);
	shell_quote(sb, value);
	strbuf_addch(sb, '\n');
}

static void add_script_part(struct strbuf *sb, const struct params *p, const char *part)
{
	const char *interp = step_param_str(p, "interpreter"), *user = step_param_str(p, "user");
	char *eof = delimiter(part);
	size_t n = strlen(part);

	strbuf_addstr(sb, "# The application's part: the password on its standard input, and in\n"
			  "# the file $SHELFREADY_PASSWORD_FILE.\n");
	strbuf_addf(sb, "cat >\"$work/part\" <<'%s'\n%s%s%s\n", eof, part,
		    n && part[n - 1] != '\n' ? "\n" : "", eof);
	strbuf_addstr(sb, "new_password\n"
			  "printf '%s\\n' \"$pw\" >\"$work/password\" || die \"cannot write in $work\"\n");
	if (user) {
		strbuf_addstr(sb, "printf 'user=%s\\n' ");
		shell_quote(sb, user);
		strbuf_addstr(sb, " >>\"$work/credentials\"\n");
	}
	strbuf_addstr(sb, "printf 'password=%s\\n' \"$pw\" >>\"$work/credentials\"\n"
			  "(\n"
			  "\tumask 022\n"
			  "\tSHELFREADY_APP=$app SHELFREADY_PASSWORD_FILE=$work/password");
	if (user) {
		strbuf_addstr(sb, " SHELFREADY_USER=");
		shell_quote(sb, user);
	}
	strbuf_addstr(sb, " \\\n\t\texec ");
	shell_quote(sb, interp ? interp : "/bin/sh");
	strbuf_addstr(sb, " \"$work/part\" <\"$work/password\"\n"
			  ")\n"
			  "st=$?\n"
			  "if [ \"$st\" != 0 ]; then\n"
			  "\tstore \"$app: the reset FAILED (exit status $st) after making this password: it "
			  "may or may not be set\"\n"
			  "\tdie \"the application's part of the reset failed (exit status $st); the next "
			  "boot tries again\"\n"
			  "fi\n\n");
	free(eof);
}

static void add_mysql_part(struct strbuf *sb, const struct params *p)
{
	const struct param *users = params_get(p, "mysql_users");
	const char *defaults = step_param_str(p, "mysql_defaults_file");

	strbuf_addstr(sb, "# MySQL or MariaDB accounts, through the client as root on the server's\n"
			  "# socket; each statement on the client's standard input.\n"
			  "client=$(command -v mysql || command -v mariadb) || die \"no mysql client\"\n"
			  "mysql_do() {\n\t\"$client\"");
	if (defaults) {
		strbuf_addstr(sb, " --defaults-extra-file=");
		shell_quote(sb, defaults);
		strbuf_addstr(sb, " --protocol=socket");
	} else {
		strbuf_addstr(sb, " --protocol=socket --user=root");
	}
	strbuf_addstr(sb, " --batch --skip-column-names \"$@\"\n}\n"
			  "i=0\n"
			  "until mysql_do -e 'SELECT 1' >/dev/null 2>&1; do\n"
			  "\ti=$((i + 1))\n"
			  "\t[ \"$i\" -lt 300 ] || die \"the server did not answer on its socket within 5 "
			  "minutes\"\n"
			  "\tsleep 1\n"
			  "done\n"
			  "set_password() {\n"
			  "\tnew_password\n"
			  "\tif ! printf \"ALTER USER '%s'@'%s' IDENTIFIED BY '%s' PASSWORD EXPIRE;\\n\" "
			  "\"$1\" \"$2\" \"$pw\" | mysql_do; then\n"
			  "\t\t[ -s \"$work/credentials\" ] && store \"$app: the reset FAILED at $1@$2: the "
			  "accounts below have these new passwords\"\n"
			  "\t\tdie \"ALTER USER for $1@$2 failed; the next boot tries again\"\n"
			  "\tfi\n"
			  "\tprintf 'user=%s@%s\\npassword=%s\\n' \"$1\" \"$2\" \"$pw\" >>\"$work/credentials\"\n"
			  "}\n");
	for (size_t i = 0; users && i < users->v.n; i++) {
		const char *u = users->v.items[i].s, *at = strchr(u, '@');
		char *name = at ? xstrndup(u, (size_t)(at - u)) : xstrdup(u);
		strbuf_addstr(sb, "set_password ");
		shell_quote(sb, name);
		strbuf_addch(sb, ' ');
		shell_quote(sb, at ? at + 1 : "localhost");
		strbuf_addch(sb, '\n');
		free(name);
	}
	strbuf_addch(sb, '\n');
}

/* The reset script: the wrapper around part (NULL for a builtin). */
char *webapp_first_login_reset(const struct params *p, const char *part)
{
	struct strbuf sb = STRBUF_INIT;
	const char *name = step_param_str(p, "name");

	strbuf_addf(&sb,
		    "#!/bin/sh\n"
		    "# First-boot credential reset of the web application '%s', installed by\n"
		    "# shelfready's webapp-first-login step (its docs/first-login.md). Run as root\n"
		    "# at the first boot of each instance: a new random password for the\n"
		    "# application, stored for root only, pointed to by the message of the day;\n"
		    "# the done marker last. On failure it exits non-zero without the marker,\n"
		    "# and the next boot tries again.\n",
		    name);
	add_var(&sb, "app", name);
	strbuf_addf(&sb, "length=%lld\n", step_param_int(p, "password_length", 24));
	strbuf_addstr(&sb, wf_reset_head);
	if (part)
		add_script_part(&sb, p, part);
	else
		add_mysql_part(&sb, p);
	strbuf_addstr(&sb, wf_reset_tail);
	return strbuf_detach(&sb);
}

char *webapp_first_login_hook(const char *name)
{
	return xasprintf("#!/bin/sh\nexec " WF_LIBEXEC "%s\n", name);
}

/* Add unit to the blank-separated list in sb, unless it is there. */
static void add_after(struct strbuf *sb, const char *unit)
{
	size_t n = strlen(unit);

	for (const char *p = sb->buf; p && *p;) {
		const char *end = strchr(p, ' ');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && !memcmp(p, unit, n))
			return;
		p = end ? end + 1 : NULL;
	}
	strbuf_addf(sb, " %s", unit);
}

char *webapp_first_login_unit(const struct params *p)
{
	const char *name = step_param_str(p, "name");
	const struct param *after = params_get(p, "after");
	struct strbuf units = STRBUF_INIT;
	char *unit;

	strbuf_addstr(&units, "cloud-final.service");
	if (step_param_str(p, "builtin")) {
		add_after(&units, "mysql.service");
		add_after(&units, "mariadb.service");
		add_after(&units, "mysqld.service");
	}
	for (size_t i = 0; after && i < after->v.n; i++)
		add_after(&units, after->v.items[i].s);
	unit = xasprintf("[Unit]\n"
			 "Description=New %s credentials at the first boot of this instance\n"
			 "ConditionPathExists=!" WF_DONE_DIR "%s.done\n"
			 "After=%s\n"
			 "\n"
			 "[Service]\n"
			 "Type=oneshot\n"
			 "ExecStart=" WF_LIBEXEC "%s\n"
			 "RemainAfterExit=yes\n"
			 "\n"
			 "[Install]\n"
			 "WantedBy=multi-user.target\n",
			 name, name, units.buf, name);
	strbuf_release(&units);
	return unit;
}

/* ---- on the target ---- */

static const char wf_install_sh[] =
	"# Install the first-login reset of web application NAME (docs/first-login.md),\n"
	"# on the target (POSIX sh, as root). The controller puts the settings first:\n"
	"# MODE (check or apply), NAME, TRIGGERS (cloud-init and/or systemd, blank\n"
	"# separated; empty: those that apply here), and the texts RESET, HOOK and\n"
	"# UNIT. Each file is compared first and written only when it differs; a\n"
	"# credentials file, done marker or MOTD pointer that a reset left on this\n"
	"# VM is removed (the reset is for the instances, never for the build VM).\n"
	"#\n"
	"# Output, one line per file: SR <tab> VERB <tab> WHAT <tab> PATH, VERB being\n"
	"# install or remove (changes), ok (up to date) or error.\n"
	"FAILED=0\n"
	"say() { printf 'SR\\t%s\\t%s\\t%s\\n' \"$1\" \"$2\" \"$3\"; }\n"
	"act() { [ \"$MODE\" = apply ]; }\n"
	"fail() {\n"
	"    say error \"$1\" \"$2\"\n"
	"    FAILED=1\n"
	"}\n"
	"exists() { [ -e \"$1\" ] || [ -L \"$1\" ]; }\n"
	"\n"
	"RESET_PATH=/usr/local/libexec/shelfready/first-login-$NAME\n"
	"HOOK_PATH=/var/lib/cloud/scripts/per-instance/shelfready-first-login-$NAME\n"
	"UNIT_PATH=/etc/systemd/system/shelfready-first-login-$NAME.service\n"
	"WANTS_PATH=/etc/systemd/system/multi-user.target.wants/shelfready-first-login-$NAME.service\n"
	"CHANGED=\n"
	"\n"
	"# PATH is a regular file of root's with MODE (octal) and the text TEXT.\n"
	"same_file() { # PATH MODE TEXT\n"
	"    [ -f \"$1\" ] && [ ! -L \"$1\" ] && [ \"$(stat -c '%u %a' \"$1\" 2>/dev/null)\" = \"0 $2\" ] &&\n"
	"        [ \"$(cat \"$1\" 2>/dev/null; echo .)\" = \"$3.\" ]\n"
	"}\n"
	"\n"
	"put_file() { # WHAT PATH MODE TEXT\n"
	"    if same_file \"$2\" \"$3\" \"$4\"; then\n"
	"        say ok \"$1\" \"$2\"\n"
	"        return 0\n"
	"    fi\n"
	"    if act; then\n"
	"        _t=${2%/*}/.${2##*/}.shelfready-new\n"
	"        if ! (umask 022 && mkdir -p \"${2%/*}\") || ! (umask 077 && printf '%s' \"$4\" >\"$_t\") ||\n"
	"            ! chown 0:0 \"$_t\" || ! chmod \"$3\" \"$_t\" || ! mv -f \"$_t\" \"$2\"; then\n"
	"            rm -f \"$_t\"\n"
	"            fail \"$1\" \"cannot write $2\"\n"
	"            return 1\n"
	"        fi\n"
	"    fi\n"
	"    CHANGED=1\n"
	"    say install \"$1\" \"$2\"\n"
	"}\n"
	"\n"
	"drop() { # WHAT PATH\n"
	"    exists \"$2\" || return 0\n"
	"    if act && ! rm -f \"$2\"; then\n"
	"        fail \"$1\" \"cannot remove $2\"\n"
	"        return 1\n"
	"    fi\n"
	"    CHANGED=1\n"
	"    say remove \"$1\" \"$2\"\n"
	"}\n"
	"\n"
	"if [ \"$(id -u)\" != 0 ]; then\n"
	"    fail all \"installing a first-login reset needs root: connect as root or with --sudo\"\n"
	"    exit 1\n"
	"fi\n"
	"\n"
	"want_hook=0\n"
	"want_unit=0\n"
	"if [ -z \"$TRIGGERS\" ]; then\n"
	"    command -v cloud-init >/dev/null 2>&1 && want_hook=1\n"
	"    [ -d /run/systemd/system ] && want_unit=1\n"
	"    if [ \"$want_hook$want_unit\" = 00 ]; then\n"
	"        fail triggers \"neither cloud-init nor systemd runs here: name the triggers to install in 'triggers'\"\n"
	"        exit 1\n"
	"    fi\n"
	"else\n"
	"    case \" $TRIGGERS \" in *\" cloud-init \"*) want_hook=1 ;; esac\n"
	"    case \" $TRIGGERS \" in *\" systemd \"*) want_unit=1 ;; esac\n"
	"fi\n"
	"\n"
	"put_file \"reset script\" \"$RESET_PATH\" 700 \"$RESET\"\n"
	"if [ \"$want_hook\" = 1 ]; then\n"
	"    put_file \"cloud-init hook\" \"$HOOK_PATH\" 700 \"$HOOK\"\n"
	"else\n"
	"    drop \"cloud-init hook\" \"$HOOK_PATH\"\n"
	"fi\n"
	"if [ \"$want_unit\" = 1 ]; then\n"
	"    put_file \"systemd unit\" \"$UNIT_PATH\" 644 \"$UNIT\" || :\n"
	"    if [ \"$(readlink \"$WANTS_PATH\" 2>/dev/null)\" = \"$UNIT_PATH\" ]; then\n"
	"        say ok \"link enabling the unit\" \"$WANTS_PATH\"\n"
	"    else\n"
	"        if act && ! { mkdir -p \"${WANTS_PATH%/*}\" && rm -f \"$WANTS_PATH\" && ln -s \"$UNIT_PATH\" \"$WANTS_PATH\"; }; then\n"
	"            fail \"link enabling the unit\" \"cannot link $WANTS_PATH\"\n"
	"        else\n"
	"            CHANGED=1\n"
	"            say install \"link enabling the unit\" \"$WANTS_PATH\"\n"
	"        fi\n"
	"    fi\n"
	"else\n"
	"    drop \"link enabling the unit\" \"$WANTS_PATH\"\n"
	"    drop \"systemd unit\" \"$UNIT_PATH\"\n"
	"fi\n"
	"if act && [ -d /run/systemd/system ] && [ -n \"$CHANGED\" ]; then\n"
	"    systemctl daemon-reload >/dev/null 2>&1\n"
	"fi\n"
	"\n"
	"# what a reset that ran on this VM left\n"
	"for _f in \"/root/.shelfready/first-login/$NAME.credentials\" \"/root/.shelfready/first-login/$NAME.credentials.new\"; do\n"
	"    drop \"credentials file\" \"$_f\"\n"
	"done\n"
	"for _f in \"/var/lib/shelfready/first-login/$NAME.done\" \"/var/lib/shelfready/first-login/$NAME.done.new\"; do\n"
	"    drop \"done marker\" \"$_f\"\n"
	"done\n"
	"for _f in \"/etc/motd.d/shelfready-first-login-$NAME\" \"/etc/update-motd.d/90-shelfready-first-login-$NAME\"; do\n"
	"    drop \"MOTD pointer\" \"$_f\"\n"
	"    drop \"MOTD pointer\" \"$_f.new\"\n"
	"done\n"
	"exit \"$FAILED\"\n";

/* The installer: the settings, every value shell-quoted, then the script. */
char *webapp_first_login_installer(const struct params *p, const char *part, int apply)
{
	struct strbuf sb = STRBUF_INIT, trig = STRBUF_INIT;
	const char *name = step_param_str(p, "name");
	const struct param *triggers = params_get(p, "triggers");
	char *reset = webapp_first_login_reset(p, part);
	char *hook = webapp_first_login_hook(name);
	char *unit = webapp_first_login_unit(p);

	for (size_t i = 0; triggers && i < triggers->v.n; i++) {
		if (i)
			strbuf_addch(&trig, ' ');
		strbuf_addstr(&trig, triggers->v.items[i].s);
	}
	strbuf_addf(&sb, "MODE=%s\n", apply ? "apply" : "check");
	add_var(&sb, "NAME", name);
	add_var(&sb, "TRIGGERS", trig.buf ? trig.buf : "");
	add_var(&sb, "RESET", reset);
	add_var(&sb, "HOOK", hook);
	add_var(&sb, "UNIT", unit);
	strbuf_addstr(&sb, wf_install_sh);
	strbuf_release(&trig);
	free(reset);
	free(hook);
	free(unit);
	return strbuf_detach(&sb);
}

/* ---- what the installer said ---- */

struct wf_judgement {
	struct strbuf installed, removed, current, errors, other;
};

static void add_item(struct strbuf *sb, const char *what, size_t n)
{
	/* each kind once: the MOTD pointer has two names, the done marker its .new */
	for (const char *p = sb->buf; p && *p;) {
		const char *end = strstr(p, ", ");
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && !memcmp(p, what, n))
			return;
		p = end ? end + 2 : NULL;
	}
	if (sb->len)
		strbuf_addstr(sb, ", ");
	strbuf_add(sb, what, n);
}

/*
 * Judge the installer's output: STEP_CHANGED when it wrote or removed (or in
 * a dry run would) anything, STEP_FAILED on an error, STEP_OK otherwise;
 * *summary (owned) says what, every line's human form goes to lines.
 */
enum step_status webapp_first_login_judge(const char *name, const char *out, size_t len,
					  int dry_run, char **summary, struct strbuf *lines)
{
	struct wf_judgement j;
	struct strbuf sb = STRBUF_INIT;
	const char *p = out, *end = out + len;
	enum step_status st;

	memset(&j, 0, sizeof(j));
	while (out && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *f[4], *q = p;
		size_t fl[4], k = 0;

		while (n && k < 4) {
			const char *tab = k < 3 ? memchr(q, '\t', (size_t)(p + n - q)) : NULL;
			f[k] = q;
			fl[k] = tab ? (size_t)(tab - q) : (size_t)(p + n - q);
			k++;
			if (!tab)
				break;
			q = tab + 1;
		}
		if (k == 4 && fl[0] == 2 && !memcmp(f[0], "SR", 2)) {
			struct strbuf *to = &j.other;
			const char *verb = "";
			if (fl[1] == 7 && !memcmp(f[1], "install", 7)) {
				to = &j.installed;
				verb = dry_run ? "would install" : "installed";
			} else if (fl[1] == 6 && !memcmp(f[1], "remove", 6)) {
				to = &j.removed;
				verb = dry_run ? "would remove" : "removed";
			} else if (fl[1] == 2 && !memcmp(f[1], "ok", 2)) {
				to = &j.current;
				verb = "up to date:";
			} else if (fl[1] == 5 && !memcmp(f[1], "error", 5)) {
				to = &j.errors;
				verb = "error:";
			}
			if (to == &j.errors) {
				if (j.errors.len)
					strbuf_addstr(&j.errors, "; ");
				strbuf_add(&j.errors, f[3], fl[3]);
				strbuf_addf(lines, "%s %.*s\n", verb, (int)fl[3], f[3]);
			} else {
				add_item(to, f[2], fl[2]);
				strbuf_addf(lines, "%s%s%.*s %.*s\n", verb, *verb ? " " : "", (int)fl[2], f[2],
					    (int)fl[3], f[3]);
			}
		} else if (n) {
			strbuf_addf(lines, "| %.*s\n", (int)n, p);
		}
		p += n + 1;
	}
	if (j.errors.len) {
		strbuf_addf(&sb, "first-login reset of %s: %s", name, j.errors.buf);
		st = STEP_FAILED;
	} else if (j.installed.len || j.removed.len) {
		strbuf_addf(&sb, "first-login reset of %s:", name);
		if (j.installed.len)
			strbuf_addf(&sb, " %s %s", dry_run ? "would install" : "installed", j.installed.buf);
		if (j.removed.len)
			strbuf_addf(&sb, "%s %s %s", j.installed.len ? ";" : "",
				    dry_run ? "would remove" : "removed", j.removed.buf);
		if (j.current.len)
			strbuf_addf(&sb, "; up to date: %s", j.current.buf);
		st = STEP_CHANGED;
	} else {
		strbuf_addf(&sb, "first-login reset of %s installed and up to date: %s", name,
			    j.current.len ? j.current.buf : "nothing");
		st = STEP_OK;
	}
	*summary = strbuf_detach(&sb);
	strbuf_release(&j.installed);
	strbuf_release(&j.removed);
	strbuf_release(&j.current);
	strbuf_release(&j.errors);
	strbuf_release(&j.other);
	return st;
}

/* ---- the step ---- */

/* The application's part, from script or the local file (validated at load time). */
static char *part_text(const struct params *p, const struct step_ctx *ctx, char **err)
{
	const char *script = step_param_str(p, "script"), *file = step_param_str(p, "file");
	char *path, *data = NULL;
	size_t len = 0;
	int r;

	if (script && *script)
		return xstrdup(script);
	path = file[0] == '/' || !ctx->base_dir ? xstrdup(file) : xasprintf("%s/%s", ctx->base_dir, file);
	r = read_file(path, 1u << 20, &data, &len);
	if (r < 0) {
		*err = xasprintf("cannot read reset script file '%s': %s", path, strerror(-r));
	} else if (memchr(data, '\0', len)) {
		*err = xasprintf("reset script file '%s' is not text", path);
		free(data);
		data = NULL;
	}
	free(path);
	return data;
}

static void say_lines(struct step_ctx *ctx, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		step_say(ctx, "%.*s", (int)n, p);
		p += n + (nl != NULL);
	}
}

static void wf_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	struct exec_result res;
	struct strbuf lines = STRBUF_INIT;
	const char *name = step_param_str(p, "name");
	char *part = NULL, *err = NULL, *sh = NULL, *summary = NULL;
	int timeout = (int)step_param_int(p, "timeout", 300);
	enum step_status st;

	memset(&res, 0, sizeof(res));
	if (!name || !*name) {
		step_skipped(r, "no web application named ('name' is empty)");
		goto out;
	}
	if (!step_param_str(p, "builtin")) {
		part = part_text(p, ctx, &err);
		if (!part) {
			step_failed(r, "%s", err);
			goto out;
		}
	}
	sh = webapp_first_login_installer(p, part, !ctx->dry_run);
	if (step_sh(ctx, sh, timeout, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	st = webapp_first_login_judge(name, res.out.buf, res.out.len, ctx->dry_run, &summary, &lines);
	say_lines(ctx, lines.buf);
	if (res.err.len) {
		strbuf_reset(&lines);
		for (const char *q = res.err.buf; *q;) {
			const char *nl = strchr(q, '\n');
			size_t n = nl ? (size_t)(nl - q) : strlen(q);
			strbuf_addf(&lines, "| %.*s\n", (int)n, q);
			q += n + (nl != NULL);
		}
		say_lines(ctx, lines.buf);
	}
	if (st != STEP_FAILED && res.status != 0)
		step_failed(r, "the installer exited with status %d%s%s", res.status,
			    res.signal ? ", signal " : "", res.signal ? res.signal : "");
	else if (st == STEP_FAILED)
		step_failed(r, "%s", summary);
	else if (st == STEP_CHANGED)
		step_changed(r, "%s", summary);
	else
		step_ok(r, "%s", summary);
out:
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&lines);
	free(summary);
	free(sh);
	free(err);
	free(part);
}

/* ---- emit: on the machine itself ---- */

/*
 * For `emit`: the same installer, in apply mode, fed to `sh -s` by a
 * here-document (a terminator it does not contain); its "SR" lines are shown
 * and judged in awk in webapp_first_login_judge's words. A `file` part is
 * read now and written into the script.
 */
static int wf_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh, char **err)
{
	const char *name = step_param_str(p, "name");
	struct step_ctx sctx;
	char *part = NULL, *installer, *eof;

	if (!name || !*name) {
		strbuf_addstr(sh, "sr_skipped \"no web application named ('name' is empty)\"\n");
		return 0;
	}
	if (!step_param_str(p, "builtin")) {
		memset(&sctx, 0, sizeof(sctx));
		sctx.base_dir = ctx->base_dir;
		part = part_text(p, &sctx, err);
		if (!part)
			return -1;
	}
	installer = webapp_first_login_installer(p, part, 1);
	eof = shell_heredoc_eof(installer);
	strbuf_addf(sh, "set -- sh -s\n"
			"if command -v timeout >/dev/null 2>&1; then set -- timeout %lld \"$@\"; fi\n"
			"_wf_out=$(\"$@\" <<'%s'\n%s%s\n)\n"
			"_wf_st=$?\n"
			"_wf_name=",
		    step_param_int(p, "timeout", 300), eof, installer, eof);
	shell_quote(sh, name);
	strbuf_addstr(sh,
		"\n"
		"# each line in words, then the summary on the last line\n"
		"_wf_res=$(printf '%s\\n' \"$_wf_out\" | awk -F '\\t' -v name=\"$_wf_name\" '\n"
		"function add(list, what) {\n"
		"\tif (index(\", \" list \", \", \", \" what \", \")) return list\n"
		"\treturn list == \"\" ? what : list \", \" what\n"
		"}\n"
		"$1 == \"SR\" && NF >= 4 {\n"
		"\tt = $4; for (i = 5; i <= NF; i++) t = t \"\\t\" $i\n"
		"\tif ($2 == \"install\") { ins = add(ins, $3); print \"installed \" $3 \" \" t }\n"
		"\telse if ($2 == \"remove\") { rem = add(rem, $3); print \"removed \" $3 \" \" t }\n"
		"\telse if ($2 == \"ok\") { cur = add(cur, $3); print \"up to date: \" $3 \" \" t }\n"
		"\telse if ($2 == \"error\") { err = err (err == \"\" ? \"\" : \"; \") t; print \"error: \" t }\n"
		"\telse print $2 \" \" $3 \" \" t\n"
		"\tnext\n"
		"}\n"
		"NF { print \"| \" $0 }\n"
		"END {\n"
		"\tif (err != \"\") s = \"failed first-login reset of \" name \": \" err\n"
		"\telse if (ins != \"\" || rem != \"\") {\n"
		"\t\ts = \"changed first-login reset of \" name \":\"\n"
		"\t\tif (ins != \"\") s = s \" installed \" ins\n"
		"\t\tif (rem != \"\") s = s (ins != \"\" ? \";\" : \"\") \" removed \" rem\n"
		"\t\tif (cur != \"\") s = s \"; up to date: \" cur\n"
		"\t} else s = \"ok first-login reset of \" name \" installed and up to date: \" (cur != \"\" ? cur : \"nothing\")\n"
		"\tprint s\n"
		"}')\n"
		"_wf_sum=$(printf '%s\\n' \"$_wf_res\" | tail -n 1)\n"
		"printf '%s\\n' \"$_wf_res\" | sed '$d' | while IFS= read -r _wf_l; do\n"
		"\tsr_say \"$_wf_l\"\n"
		"done\n"
		"case $_wf_sum in\n"
		"failed\\ *) sr_failed \"${_wf_sum#failed }\" ;;\n"
		"*) if [ \"$_wf_st\" != 0 ]; then\n"
		"\tsr_failed \"the installer exited with status $_wf_st\"\n"
		"elif [ \"${_wf_sum%% *}\" = changed ]; then\n"
		"\tsr_changed \"${_wf_sum#changed }\"\n"
		"else\n"
		"\tsr_ok \"${_wf_sum#ok }\"\n"
		"fi ;;\n"
		"esac\n");
	free(eof);
	free(installer);
	free(part);
	return 0;
}

const struct step_type step_webapp_first_login = {
	.name = "webapp-first-login",
	.summary = "install a web application's first-boot credential reset (docs/first-login.md)",
	.params = wf_params,
	.validate = wf_validate,
	.apply = wf_apply,
	.emit = wf_emit,
};
