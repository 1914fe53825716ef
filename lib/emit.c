/*
 * `emit` (lib/emit.h): a resolved profile as one standalone POSIX shell
 * script, or as cloud-init user-data that installs and runs that script at
 * first boot.
 *
 * The script is: a header comment, a runtime (the sr_* functions the step
 * types' emit hooks call, and sr_fact for `when` conditions), one function
 * per enabled step, one function per condition that the facts decide, and a
 * main part that runs the steps in order as lib/run.c does, then runs the
 * gather script (scripts/gather.sh, with the profile's `command` checks put
 * before it as collect_script_with_checks does) and prints its transcript on
 * standard output. Everything else goes to standard error.
 */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect.h"
#include "cond.h"
#include "profile.h"
#include "ssh.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"
#include "version.h"
#include "ytree.h"
#include "banned.h"

/*
 * Not in emit.h: the translation of a `when` condition into a shell command
 * list whose exit status is its truth, exported for tests/unit/test_emit.c.
 * vars.NAME becomes the value of NAME in vs (shell-quoted); a fact becomes
 * "$(sr_fact NAME)" when the runtime can compute it. 0, or -1 and *err.
 */
int emit_cond_sh(const struct cond *c, const struct vars *vs, const char *step_id,
		 struct strbuf *out, char **err);

/* Facts the runtime's sr_fact computes on the machine itself. */
static const char *const sh_facts[] = {
	"os.id", "os.id_like", "os.family", "os.version_id", "os.arch", "pkg.manager",
	"cloud_init.present", NULL,
};

static int sh_fact_known(const char *name)
{
	for (size_t i = 0; sh_facts[i]; i++)
		if (!strcmp(sh_facts[i], name))
			return 1;
	return 0;
}

static int cond_bool(const struct cond *c, const struct vars *vs, const char *id,
		     struct strbuf *out, char **err);

/* A shell word whose expansion is the value of operand c. */
static int cond_word(const struct cond *c, const struct vars *vs, const char *id,
		     struct strbuf *out, char **err)
{
	switch (c->op) {
	case COND_STR:
		shell_quote(out, c->s);
		return 0;
	case COND_NAME:
		if (!strncmp(c->s, "vars.", 5)) {
			const struct var *v = vars_get(vs, c->s + 5);
			if (!v) {
				*err = xasprintf("condition of step '%s' uses '%s', which is not defined",
						 id, c->s);
				return -1;
			}
			shell_quote(out, v->value);
			return 0;
		}
		if (!sh_fact_known(c->s)) {
			*err = xasprintf("condition of step '%s' uses fact '%s', which the standalone "
					 "script cannot compute (it can: os.id, os.id_like, os.family, "
					 "os.version_id, os.arch, pkg.manager, cloud_init.present)",
					 id, c->s);
			return -1;
		}
		strbuf_addf(out, "\"$(sr_fact %s)\"", c->s);
		return 0;
	case COND_LIST:
		*err = xasprintf("condition of step '%s': a list is not a value here", id);
		return -1;
	default:
		/* a sub-expression used as a value: "true" or "false" */
		strbuf_addstr(out, "\"$(if ");
		if (cond_bool(c, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, "; then echo true; else echo false; fi)\"");
		return 0;
	}
}

/* The value of a variable; facts are not known when the script is written. */
static const char *vars_only(const char *name, void *arg)
{
	const struct var *v = strncmp(name, "vars.", 5) ? NULL : vars_get(arg, name + 5);
	return v ? v->value : NULL;
}

static int cond_bool(const struct cond *c, const struct vars *vs, const char *id,
		     struct strbuf *out, char **err)
{
	/* what the variables alone decide is decided here: no constant tests in the script */
	if (c->op != COND_LIST) {
		enum tri t = cond_eval(c, vars_only, (void *)vs);
		if (t != TRI_UNKNOWN) {
			strbuf_addstr(out, t == TRI_TRUE ? "true" : "false");
			return 0;
		}
	}
	switch (c->op) {
	case COND_OR:
	case COND_AND:
		strbuf_addstr(out, "{ ");
		if (cond_bool(c->a, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, c->op == COND_OR ? " || " : " && ");
		if (cond_bool(c->b, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, "; }");
		return 0;
	case COND_NOT:
		strbuf_addstr(out, "! { ");
		if (cond_bool(c->a, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, "; }");
		return 0;
	case COND_EQ:
	case COND_NE:
		strbuf_addstr(out, "[ ");
		if (cond_word(c->a, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, c->op == COND_EQ ? " = " : " != ");
		if (cond_word(c->b, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, " ]");
		return 0;
	case COND_IN:
	case COND_NOT_IN:
		if (c->op == COND_NOT_IN)
			strbuf_addstr(out, "! ");
		if (c->b->op == COND_LIST) {
			if (!c->b->n) {
				strbuf_addstr(out, "false");
				return 0;
			}
			strbuf_addstr(out, "{ ");
			for (size_t i = 0; i < c->b->n; i++) {
				strbuf_addstr(out, i ? " || [ " : "[ ");
				if (cond_word(c->a, vs, id, out, err) < 0)
					return -1;
				strbuf_addstr(out, " = ");
				if (cond_word(c->b->items[i], vs, id, out, err) < 0)
					return -1;
				strbuf_addstr(out, " ]");
			}
			strbuf_addstr(out, "; }");
			return 0;
		}
		strbuf_addstr(out, "sr_in ");
		if (cond_word(c->a, vs, id, out, err) < 0)
			return -1;
		strbuf_addch(out, ' ');
		return cond_word(c->b, vs, id, out, err);
	case COND_NAME:
		strbuf_addstr(out, "[ ");
		if (cond_word(c, vs, id, out, err) < 0)
			return -1;
		strbuf_addstr(out, " = true ]");
		return 0;
	case COND_STR:
		strbuf_addstr(out, strcmp(c->s, "true") ? "false" : "true");
		return 0;
	case COND_LIST:
	default:
		*err = xasprintf("condition of step '%s': a list cannot be true or false", id);
		return -1;
	}
}

int emit_cond_sh(const struct cond *c, const struct vars *vs, const char *step_id,
		 struct strbuf *out, char **err)
{
	*err = NULL;
	return cond_bool(c, vs, step_id, out, err);
}

/* ---- the script ---- */

/* The runtime: defined before the step functions (see lib/emit.h). */
static const char runtime[] =
	"# ---- runtime ----\n"
	"\n"
	"SR_TAB=$(printf '\\t')\n"
	"SR_CR=$(printf '\\r')\n"
	"SR_NL='\n'\n"
	"SR_N=0 SR_ID='' SR_STATUS='' SR_SUMMARY='' SR_T0=0\n"
	"SR_CHANGED=0 SR_OK=0 SR_SKIPPED=0 SR_FAILED=0 SR_DONE=0\n"
	"# a step that needs a reboot sets these: the script reboots when it ends\n"
	"SR_REBOOT_NEEDED=0 SR_REBOOT_WHY=''\n"
	"\n"
	"# sr_say TEXT...: \"[n/N id] TEXT\" on standard error\n"
	"sr_say() {\n"
	"    printf '[%s/%s %s] %s\\n' \"$SR_N\" \"$SR_TOTAL\" \"$SR_ID\" \"$*\" >&2\n"
	"}\n"
	"\n"
	"# sr_redact: replace the values of the secret variables in _sr_l\n"
	"sr_redact() {\n"
	"    for _sr_v in $SR_SECRET_VARS; do\n"
	"        eval \"_sr_s=\\${$_sr_v-}\"\n"
	"        [ -n \"$_sr_s\" ] || continue\n"
	"        _sr_o=\n"
	"        while :; do\n"
	"            case $_sr_l in\n"
	"            *\"$_sr_s\"*)\n"
	"                _sr_o=$_sr_o${_sr_l%%\"$_sr_s\"*}'********'\n"
	"                _sr_l=${_sr_l#*\"$_sr_s\"}\n"
	"                ;;\n"
	"            *) break ;;\n"
	"            esac\n"
	"        done\n"
	"        _sr_l=$_sr_o$_sr_l\n"
	"    done\n"
	"}\n"
	"\n"
	"sr_prefix() {\n"
	"    while IFS= read -r _sr_l || [ -n \"$_sr_l\" ]; do\n"
	"        sr_redact\n"
	"        printf '[%s/%s %s] | %s\\n' \"$SR_N\" \"$SR_TOTAL\" \"$SR_ID\" \"$_sr_l\"\n"
	"    done\n"
	"}\n"
	"\n"
	"# sr_run CMD [ARG...]: run CMD, each line of its output shown as\n"
	"# \"[n/N id] | line\" on standard error; returns its status\n"
	"sr_run() {\n"
	"    _sr_st=$({ { \"$@\" 2>&1 3>&-; echo \"$?\" >&3; } | sr_prefix >&2; } 3>&1)\n"
	"    return \"${_sr_st:-1}\"\n"
	"}\n"
	"\n"
	"# the end of a step: sr_ok, sr_changed, sr_skipped, sr_failed SUMMARY\n"
	"sr_ok() { SR_STATUS=ok SR_SUMMARY=$*; }\n"
	"sr_changed() { SR_STATUS=changed SR_SUMMARY=$*; }\n"
	"sr_skipped() { SR_STATUS=skipped SR_SUMMARY=$*; }\n"
	"sr_failed() { SR_STATUS=failed SR_SUMMARY=$*; }\n"
	"\n"
	"# sr_secret VAR: the value of environment variable VAR, which must be set\n"
	"sr_secret() {\n"
	"    case $1 in\n"
	"    '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*)\n"
	"        sr_say \"sr_secret: '$1' is not a variable name\"\n"
	"        return 1\n"
	"        ;;\n"
	"    esac\n"
	"    eval \"_sr_s=\\${$1-}\"\n"
	"    if [ -z \"$_sr_s\" ]; then\n"
	"        sr_say \"the environment variable $1 is not set\"\n"
	"        return 1\n"
	"    fi\n"
	"    printf '%s' \"$_sr_s\"\n"
	"}\n"
	"\n"
	"# sr_in VALUE WORDS: whether VALUE is one of WORDS (split on blanks and commas)\n"
	"sr_in() {\n"
	"    _sr_ifs=$IFS\n"
	"    IFS=\" $SR_TAB$SR_CR$SR_NL,\"\n"
	"    set -f\n"
	"    _sr_r=1\n"
	"    for _sr_w in $2; do\n"
	"        [ \"$_sr_w\" = \"$1\" ] && _sr_r=0\n"
	"    done\n"
	"    set +f\n"
	"    IFS=$_sr_ifs\n"
	"    return \"$_sr_r\"\n"
	"}\n"
	"\n"
	"# sr_osrel KEY: the value of KEY in os-release (false when there is none)\n"
	"sr_osrel() {\n"
	"    _sr_f=/etc/os-release\n"
	"    [ -r \"$_sr_f\" ] || _sr_f=/usr/lib/os-release\n"
	"    [ -r \"$_sr_f\" ] || return 1\n"
	"    _sr_r=\n"
	"    while IFS= read -r _sr_l || [ -n \"$_sr_l\" ]; do\n"
	"        case $_sr_l in \"$1=\"*) _sr_r=${_sr_l#*=} ;; esac\n"
	"    done <\"$_sr_f\"\n"
	"    case $_sr_r in\n"
	"    \\\"*\\\") _sr_r=${_sr_r#?} _sr_r=${_sr_r%?} ;;\n"
	"    \\'*\\') _sr_r=${_sr_r#?} _sr_r=${_sr_r%?} ;;\n"
	"    esac\n"
	"    printf '%s' \"$_sr_r\"\n"
	"}\n"
	"\n"
	"# the os.family of one ID word (as shelfready decides it)\n"
	"sr_family_of() {\n"
	"    case $1 in\n"
	"    rhel | centos | rocky | almalinux | alinux | anolis | ol | amzn | fedora | circle | \\\n"
	"        eurolinux | virtuozzo | cloudlinux | navy | miracle | tencentos | opencloudos)\n"
	"        printf rhel ;;\n"
	"    debian | ubuntu | raspbian | linuxmint | kali | devuan) printf debian ;;\n"
	"    opensuse* | sles | sled | suse | sle-micro | sl-micro) printf suse ;;\n"
	"    alpine) printf alpine ;;\n"
	"    *) return 1 ;;\n"
	"    esac\n"
	"}\n"
	"\n"
	"# sr_fact NAME: the fact NAME of this machine, as the gather would find it\n"
	"sr_fact() {\n"
	"    case $1 in\n"
	"    os.id)\n"
	"        if _sr_id=$(sr_osrel ID); then\n"
	"            printf '%s' \"${_sr_id:-linux}\"\n"
	"        elif [ -e /etc/alpine-release ]; then\n"
	"            printf alpine\n"
	"        elif [ -e /etc/debian_version ]; then\n"
	"            printf debian\n"
	"        fi\n"
	"        ;;\n"
	"    os.id_like) sr_osrel ID_LIKE ;;\n"
	"    os.version_id) sr_osrel VERSION_ID ;;\n"
	"    os.arch) uname -m ;;\n"
	"    os.family)\n"
	"        sr_family_of \"$(sr_fact os.id)\" && return 0\n"
	"        set -f\n"
	"        for _sr_w in $(sr_osrel ID_LIKE); do\n"
	"            sr_family_of \"$_sr_w\" && set +f && return 0\n"
	"        done\n"
	"        set +f\n"
	"        printf unknown\n"
	"        ;;\n"
	"    pkg.manager)\n"
	"        if command -v dpkg >/dev/null 2>&1; then\n"
	"            command -v apt-get >/dev/null 2>&1 && printf apt\n"
	"        elif command -v rpm >/dev/null 2>&1; then\n"
	"            if command -v zypper >/dev/null 2>&1; then printf zypper\n"
	"            elif command -v dnf >/dev/null 2>&1; then printf dnf\n"
	"            elif command -v yum >/dev/null 2>&1; then printf yum\n"
	"            fi\n"
	"        elif command -v apk >/dev/null 2>&1; then\n"
	"            printf apk\n"
	"        fi\n"
	"        ;;\n"
	"    cloud_init.present)\n"
	"        if command -v cloud-init >/dev/null 2>&1; then printf true; else printf false; fi\n"
	"        ;;\n"
	"    *) return 1 ;;\n"
	"    esac\n"
	"}\n"
	"\n"
	"# sr_begin N ID TEXT: start step N\n"
	"sr_begin() {\n"
	"    SR_N=$1 SR_ID=$2 SR_STATUS='' SR_SUMMARY=''\n"
	"    SR_T0=$(date +%s)\n"
	"    sr_say \"$3\"\n"
	"}\n"
	"\n"
	"# sr_end: the step's result line; false when it failed\n"
	"sr_end() {\n"
	"    if [ -z \"$SR_STATUS\" ]; then\n"
	"        SR_STATUS=failed SR_SUMMARY=\"the step ended without a result\"\n"
	"    fi\n"
	"    _sr_t=$(($(date +%s) - SR_T0))\n"
	"    SR_DONE=$((SR_DONE + 1))\n"
	"    case $SR_STATUS in\n"
	"    ok) SR_OK=$((SR_OK + 1)) ;;\n"
	"    changed) SR_CHANGED=$((SR_CHANGED + 1)) ;;\n"
	"    skipped) SR_SKIPPED=$((SR_SKIPPED + 1)) ;;\n"
	"    *) SR_STATUS=failed SR_FAILED=$((SR_FAILED + 1)) ;;\n"
	"    esac\n"
	"    sr_say \"$SR_STATUS ($_sr_t s)${SR_SUMMARY:+: $SR_SUMMARY}\"\n"
	"    [ \"$SR_STATUS\" != failed ]\n"
	"}\n"
	"\n"
	"sr_summary() {\n"
	"    _sr_t=$(($(date +%s) - SR_START))\n"
	"    _sr_x=\n"
	"    [ \"$SR_DONE\" -lt \"$SR_TOTAL\" ] && _sr_x=\", $((SR_TOTAL - SR_DONE)) not run\"\n"
	"    _sr_s=s\n"
	"    [ \"$SR_TOTAL\" = 1 ] && _sr_s=\n"
	"    printf '%s: %s step%s in %s s: %s changed, %s ok, %s skipped, %s failed%s\\n' \\\n"
	"        \"$SR_NAME\" \"$SR_TOTAL\" \"$_sr_s\" \"$_sr_t\" \"$SR_CHANGED\" \"$SR_OK\" \\\n"
	"        \"$SR_SKIPPED\" \"$SR_FAILED\" \"$_sr_x\" >&2\n"
	"}\n"
	"\n"
	"# sr_stop: a step failed and does not continue on error\n"
	"sr_stop() {\n"
	"    sr_summary\n"
	"    printf '%s: step %s failed: %s\\n' \"$SR_NAME\" \"$SR_ID\" \"$SR_SUMMARY\" >&2\n"
	"    exit 4\n"
	"}\n"
	"\n"
	"# sr_need VAR STEP KEY: refuse to start when a secret the steps need is not set\n"
	"sr_need() {\n"
	"    eval \"_sr_s=\\${$1-}\"\n"
	"    if [ -z \"$_sr_s\" ]; then\n"
	"        printf \"%s: step '%s' needs the environment variable '%s' (%s): it is not set\\n\" \\\n"
	"            \"$SR_NAME\" \"$2\" \"$1\" \"$3\" >&2\n"
	"        exit 2\n"
	"    fi\n"
	"}\n"
	"\n"
	"# sr_load_secrets FILE: export the NAME=VALUE lines of FILE, root's and\n"
	"# readable by root alone, for the secret variables the steps use; with\n"
	"# SR_SECRETS_REMOVE=1 delete FILE once read. False after a message.\n"
	"sr_load_secrets() {\n"
	"    _sr_f=$1\n"
	"    if [ ! -f \"$_sr_f\" ] || [ -L \"$_sr_f\" ]; then\n"
	"        printf '%s: secrets file %s: not a regular file\\n' \"$SR_NAME\" \"$_sr_f\" >&2\n"
	"        return 1\n"
	"    fi\n"
	"    # the owner and mode, portably\n"
	"    # shellcheck disable=SC2012\n"
	"    _sr_m=$(ls -lnd -- \"$_sr_f\" | awk '{ print $1 \":\" $3 }')\n"
	"    case $_sr_m in\n"
	"    -r[w-]-------*:0) ;;\n"
	"    *)\n"
	"        printf '%s: secrets file %s must be root'\\''s and readable by root alone (mode 0600 or 0400), not %s\\n' \\\n"
	"            \"$SR_NAME\" \"$_sr_f\" \"$_sr_m\" >&2\n"
	"        return 1\n"
	"        ;;\n"
	"    esac\n"
	"    _sr_n=0\n"
	"    while IFS= read -r _sr_l || [ -n \"$_sr_l\" ]; do\n"
	"        _sr_n=$((_sr_n + 1))\n"
	"        _sr_l=${_sr_l%\"$SR_CR\"}\n"
	"        case $_sr_l in '' | '#'*) continue ;; esac\n"
	"        _sr_k=${_sr_l%%=*}\n"
	"        case $_sr_l in\n"
	"        *=*) ;;\n"
	"        *)\n"
	"            printf '%s: %s:%s: not NAME=VALUE\\n' \"$SR_NAME\" \"$_sr_f\" \"$_sr_n\" >&2\n"
	"            return 1\n"
	"            ;;\n"
	"        esac\n"
	"        case $_sr_k in\n"
	"        '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) _sr_ok=0 ;;\n"
	"        *) if sr_in \"$_sr_k\" \"$SR_SECRET_VARS\"; then _sr_ok=1; else _sr_ok=0; fi ;;\n"
	"        esac\n"
	"        if [ \"$_sr_ok\" = 0 ]; then\n"
	"            printf \"%s: %s:%s: '%s' is not a secret the steps use (they use: %s)\\n\" \\\n"
	"                \"$SR_NAME\" \"$_sr_f\" \"$_sr_n\" \"$_sr_k\" \"${SR_SECRET_VARS:-none}\" >&2\n"
	"            return 1\n"
	"        fi\n"
	"        _sr_v=${_sr_l#*=}\n"
	"        case $_sr_v in\n"
	"        \\\"*\\\") _sr_v=${_sr_v#?} _sr_v=${_sr_v%?} ;;\n"
	"        \\'*\\') _sr_v=${_sr_v#?} _sr_v=${_sr_v%?} ;;\n"
	"        esac\n"
	"        export \"$_sr_k=$_sr_v\"\n"
	"    done <\"$_sr_f\"\n"
	"    if [ \"$SR_SECRETS_REMOVE\" = 1 ] && ! rm -f -- \"$_sr_f\"; then\n"
	"        printf '%s: cannot remove the secrets file %s\\n' \"$SR_NAME\" \"$_sr_f\" >&2\n"
	"        return 1\n"
	"    fi\n"
	"}\n"
	"\n"
	"# sr_nonce: a random token for the framing of the facts transcript\n"
	"sr_nonce() {\n"
	"    _sr_r=$(od -An -N12 -tx1 /dev/urandom 2>/dev/null | tr -d ' \\n')\n"
	"    case $_sr_r in\n"
	"    ???????????????*) printf '%s' \"$_sr_r\" ;;\n"
	"    *) printf 'sr%s%s' \"$$\" \"$(date +%s)\" ;;\n"
	"    esac\n"
	"}\n";

/* Text for a one-line shell comment: control characters become '?'. */
static void comment_text(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* The secret environment variables a step needs: each (name, key) pair, via fn. */
static int each_secret(const struct rstep *rs,
		       int (*fn)(const struct rstep *rs, const char *key, const char *name, void *arg),
		       void *arg)
{
	for (size_t k = 0; k < rs->params.n; k++) {
		const struct param *p = &rs->params.v[k];
		if (!str_ends_with(p->spec->key, "_env"))
			continue;
		if (p->v.kind == PV_STRING && p->v.s && *p->v.s && fn(rs, p->spec->key, p->v.s, arg))
			return -1;
		for (size_t j = 0; p->v.kind == PV_LIST && j < p->v.n; j++)
			if (fn(rs, p->spec->key, p->v.items[j].s, arg))
				return -1;
	}
	return 0;
}

struct secret_acc {
	struct strbuf *names; /* space-separated */
	struct strbuf *checks;
	char **err;
};

static int add_secret(const struct rstep *rs, const char *key, const char *name, void *arg)
{
	struct secret_acc *a = arg;
	if (!vars_valid_name(name)) {
		*a->err = xasprintf("step '%s': '%s' in '%s' is not an environment variable name",
				    rs->def->it.id, name, key);
		return -1;
	}
	strbuf_addf(a->names, "%s%s", a->names->len ? " " : "", name);
	strbuf_addf(a->checks, "    sr_need %s ", name);
	shell_quote(a->checks, rs->def->it.id);
	strbuf_addf(a->checks, " %s\n", key);
	return 0;
}

/* The first secret a step needs, for cloud-init's message; stops the walk. */
static int first_secret(const struct rstep *rs, const char *key, const char *name, void *arg)
{
	char **msg = arg;
	*msg = xasprintf("step '%s' (%s) needs the secret environment variable '%s' (%s)",
			 rs->def->it.id, rs->def->it.type_name, name, key);
	return 1;
}

/* Whether any line of text is exactly word. */
static int has_line(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, word, n) && (p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The gather with the profile's `command` checks (see collect_script_with_checks). */
static char *gather_text(const struct resolved *r, char **err)
{
	struct collect_check *cc = xcalloc(r->nchecks ? r->nchecks : 1, sizeof(*cc));
	size_t n = 0, len = 0;
	char *text;

	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rcheck *rc = &r->checks[i];
		const struct param *cmd = params_get(&rc->params, "command");
		if (rc->def->type && !strcmp(rc->def->type->name, "command") && cmd &&
		    cmd->v.kind == PV_STRING && rc->enabled != ENABLED_NO) {
			cc[n].id = rc->def->it.id;
			cc[n].command = cmd->v.s;
			n++;
		}
	}
	text = collect_script_with_checks(cc, n, &len, err);
	free(cc);
	if (text && memchr(text, '\0', len)) {
		free(text);
		*err = xstrdup("the gather script holds a NUL byte");
		return NULL;
	}
	return text;
}

static int body_is_empty(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n')
			return 0;
	return 1;
}

char *emit_script(const struct resolved *r, enum emit_format format, char **err)
{
	struct strbuf sb = STRBUF_INIT, fns = STRBUF_INIT, main_sb = STRBUF_INIT;
	struct strbuf secret_names = STRBUF_INIT, secret_checks = STRBUF_INIT, left_out = STRBUF_INIT;
	struct secret_acc acc = { &secret_names, &secret_checks, err };
	const char *pname = r->top && r->top->name ? r->top->name : "profile";
	char *gather = NULL, *delim = NULL;

	*err = NULL;
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct rstep *rs = &r->steps[i];
		const struct step *def = rs->def;
		size_t n = i + 1;

		strbuf_addf(&main_sb, "    sr_begin %zu ", n);
		shell_quote(&main_sb, def->it.id);
		strbuf_addch(&main_sb, ' ');
		{
			char *title = xasprintf("%s%s%s", def->it.type_name, def->it.title ? ": " : "",
						def->it.title ? def->it.title : "");
			shell_quote(&main_sb, title);
			free(title);
		}
		strbuf_addch(&main_sb, '\n');
		if (rs->enabled == ENABLED_NO) {
			strbuf_addf(&left_out, "#   [%zu] ", n);
			comment_text(&left_out, def->it.id);
			strbuf_addch(&left_out, '\n');
			strbuf_addstr(&main_sb, "    sr_skipped \"disabled by the profile's variables\"\n");
		} else {
			struct emit_ctx ctx = { r, rs, n, r->nsteps,
						def->it.origin ? def->it.origin->base_dir : NULL, format };
			struct strbuf body = STRBUF_INIT;
			char *herr = NULL;

			if (!def->type || !def->type->emit) {
				*err = xasprintf("step '%s': type '%s' cannot be emitted as a standalone "
						 "script (it needs the controller)",
						 def->it.id, def->it.type_name);
				goto fail;
			}
			if (def->type->emit(&rs->params, &ctx, &body, &herr) < 0) {
				*err = xasprintf("step '%s' (%s) cannot be emitted: %s", def->it.id,
						 def->it.type_name, herr ? herr : "no reason given");
				free(herr);
				strbuf_release(&body);
				goto fail;
			}
			free(herr);
			if (each_secret(rs, add_secret, &acc) < 0) {
				strbuf_release(&body);
				goto fail;
			}
			strbuf_addf(&fns, "# [%zu/%zu] ", n, r->nsteps);
			comment_text(&fns, def->it.id);
			strbuf_addstr(&fns, " (");
			comment_text(&fns, def->it.type_name);
			strbuf_addf(&fns, ")\nsr_step_%zu() {\n", n);
			if (body_is_empty(body.buf ? body.buf : "", body.len))
				strbuf_addstr(&fns, "    :\n");
			else
				strbuf_add(&fns, body.buf, body.len);
			if (body.len && body.buf[body.len - 1] != '\n')
				strbuf_addch(&fns, '\n');
			strbuf_addstr(&fns, "}\n\n");
			strbuf_release(&body);

			if (rs->enabled == ENABLED_ON_TARGET && def->it.when) {
				strbuf_addf(&fns, "sr_when_%zu() {\n    ", n);
				if (emit_cond_sh(def->it.when, &r->vars, def->it.id, &fns, err) < 0)
					goto fail;
				strbuf_addstr(&fns, "\n}\n\n");
				strbuf_addf(&main_sb, "    if sr_when_%zu; then\n"
						      "        sr_step_%zu </dev/null >&2\n"
						      "    else\n"
						      "        sr_skipped ",
					    n, n);
				{
					char *why = xasprintf("not applicable here: %s",
							      def->it.when_node && def->it.when_node->str
								      ? def->it.when_node->str
								      : "its condition is false");
					shell_quote(&main_sb, why);
					free(why);
				}
				strbuf_addstr(&main_sb, "\n    fi\n");
			} else {
				strbuf_addf(&main_sb, "    sr_step_%zu </dev/null >&2\n", n);
			}
		}
		strbuf_addstr(&main_sb, def->continue_on_error ? "    sr_end || :\n" : "    sr_end || sr_stop\n");
	}

	gather = gather_text(r, err);
	if (!gather)
		goto fail;
	delim = xstrdup("SR_GATHER_EOF");
	for (unsigned k = 1; has_line(gather, delim); k++) {
		free(delim);
		delim = xasprintf("SR_GATHER_EOF_%u", k);
	}

	/* header */
	strbuf_addstr(&sb, "#!/bin/sh\n# The remediation of profile ");
	comment_text(&sb, pname);
	if (r->top && r->top->version) {
		strbuf_addch(&sb, ' ');
		comment_text(&sb, r->top->version);
	}
	strbuf_addstr(&sb, ", generated by shelfready " SHELFREADY_VERSION
			   " (shelfready emit --format sh).\n"
			   "#\n"
			   "# Run it as root on the machine to harden. It performs each step of the profile\n"
			   "# (progress on standard error as \"[n/N step-id] ...\"), then gathers the facts\n"
			   "# and prints them on standard output, for shelfready to judge:\n"
			   "#\n"
			   "#     sh remediate.sh >facts.txt && shelfready verify -p ");
	comment_text(&sb, pname);
	strbuf_addstr(&sb, " --facts facts.txt\n"
			   "#\n"
			   "# Options: --no-refresh (do not refresh the package metadata before gathering),\n"
			   "# --no-reboot (do not reboot at the end when a step says the machine needs it),\n"
			   "# --secrets-file FILE (read the secret variables the steps need from FILE,\n"
			   "# NAME=VALUE lines, root's and mode 0600 or 0400, instead of the environment),\n"
			   "# --remove-secrets-file (delete that file once read, before the first step).\n"
			   "# Exit status: 0 done, 2 usage (not root, a secret variable not set),\n"
			   "# 3 the gather failed, 4 a step failed (a step that does not continue on error\n"
			   "# stops the script before the gather).\n");
	if (left_out.len) {
		strbuf_addstr(&sb, "#\n# Left out, disabled by the profile's variables:\n");
		strbuf_add(&sb, left_out.buf, left_out.len);
	}
	/* not every script calls every function of the runtime */
	strbuf_addstr(&sb, "\n# Some runtime functions go unused; values and commands from the profile\n"
			   "# are single-quoted data.\n"
			   "# shellcheck disable=SC2317,SC2016\n"
			   "set -u\n\nSR_NAME=");
	shell_quote(&sb, pname);
	strbuf_addf(&sb, "\nSR_TOTAL=%zu\nSR_SECRET_VARS=", r->nsteps);
	shell_quote(&sb, secret_names.len ? secret_names.buf : "");
	strbuf_addstr(&sb, "\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}\n"
			   "export PATH\n\n");
	strbuf_addstr(&sb, runtime);
	strbuf_addstr(&sb, "\n# the gather script with the profile's command checks; prints the facts\n"
			   "sr_gather() {\n"
			   "    sh -s -- \"$(sr_nonce)\" \"$@\" <<'");
	strbuf_addstr(&sb, delim);
	strbuf_addstr(&sb, "'\n");
	strbuf_addstr(&sb, gather);
	if (gather[0] && gather[strlen(gather) - 1] != '\n')
		strbuf_addch(&sb, '\n');
	strbuf_addf(&sb, "%s\n}\n\n# ---- the steps ----\n\n", delim);
	strbuf_add(&sb, fns.buf ? fns.buf : "", fns.len);
	strbuf_addstr(&sb, "# ---- main ----\n\n"
			   "sr_usage() {\n"
			   "    printf '%s: %s (usage: sh SCRIPT [--no-refresh] [--no-reboot] [--secrets-file FILE [--remove-secrets-file]])\\n' \\\n"
			   "        \"$SR_NAME\" \"$1\" >&2\n"
			   "    exit 2\n"
			   "}\n\n"
			   "sr_main() {\n"
			   "    SR_REFRESH=1 SR_REBOOT=1 SR_SECRETS_FILE='' SR_SECRETS_REMOVE=0\n"
			   "    while [ $# -gt 0 ]; do\n"
			   "        case $1 in\n"
			   "        --no-refresh) SR_REFRESH=0 ;;\n"
			   "        --no-reboot) SR_REBOOT=0 ;;\n"
			   "        --secrets-file)\n"
			   "            if [ $# -lt 2 ] || [ -z \"$2\" ]; then sr_usage \"--secrets-file needs a file\"; fi\n"
			   "            SR_SECRETS_FILE=$2\n"
			   "            shift\n"
			   "            ;;\n"
			   "        --remove-secrets-file) SR_SECRETS_REMOVE=1 ;;\n"
			   "        *) sr_usage \"unknown option $1\" ;;\n"
			   "        esac\n"
			   "        shift\n"
			   "    done\n"
			   "    if [ \"$SR_SECRETS_REMOVE\" = 1 ] && [ -z \"$SR_SECRETS_FILE\" ]; then\n"
			   "        sr_usage \"--remove-secrets-file goes with --secrets-file\"\n"
			   "    fi\n"
			   "    if [ \"$(id -u)\" != 0 ]; then\n"
			   "        printf '%s: must run as root\\n' \"$SR_NAME\" >&2\n"
			   "        exit 2\n"
			   "    fi\n"
			   "    if [ -n \"$SR_SECRETS_FILE\" ]; then\n"
			   "        sr_load_secrets \"$SR_SECRETS_FILE\" || exit 2\n"
			   "    fi\n");
	strbuf_add(&sb, secret_checks.buf ? secret_checks.buf : "", secret_checks.len);
	strbuf_addstr(&sb, "    SR_START=$(date +%s)\n");
	strbuf_add(&sb, main_sb.buf ? main_sb.buf : "", main_sb.len);
	strbuf_addstr(&sb, "    sr_summary\n"
			   "    if [ \"$SR_REFRESH\" = 1 ]; then\n"
			   "        sr_gather\n"
			   "    else\n"
			   "        sr_gather --no-refresh\n"
			   "    fi\n"
			   "    _sr_st=$?\n"
			   "    if [ \"$_sr_st\" != 0 ]; then\n"
			   "        printf '%s: the gather failed (exit status %s)\\n' \"$SR_NAME\" \"$_sr_st\" >&2\n"
			   "        exit 3\n"
			   "    fi\n"
			   "    _sr_st=0\n"
			   "    [ \"$SR_FAILED\" = 0 ] || _sr_st=4\n"
			   "    if [ \"$SR_REBOOT_NEEDED\" = 1 ]; then\n"
			   "        if [ \"$SR_REBOOT\" = 1 ]; then\n"
			   "            printf '%s: rebooting (%s)\\n' \"$SR_NAME\" \"$SR_REBOOT_WHY\" >&2\n"
			   "            systemctl reboot 2>/dev/null || shutdown -r now 2>/dev/null || reboot\n"
			   "        else\n"
			   "            printf '%s: a reboot is needed (%s); not rebooting (--no-reboot)\\n' \\\n"
			   "                \"$SR_NAME\" \"$SR_REBOOT_WHY\" >&2\n"
			   "        fi\n"
			   "    fi\n"
			   "    exit \"$_sr_st\"\n"
			   "}\n\n"
			   "sr_main \"$@\"\n");
	free(gather);
	free(delim);
	strbuf_release(&fns);
	strbuf_release(&main_sb);
	strbuf_release(&secret_names);
	strbuf_release(&secret_checks);
	strbuf_release(&left_out);
	return strbuf_detach(&sb);
fail:
	free(gather);
	free(delim);
	strbuf_release(&sb);
	strbuf_release(&fns);
	strbuf_release(&main_sb);
	strbuf_release(&secret_names);
	strbuf_release(&secret_checks);
	strbuf_release(&left_out);
	return NULL;
}

/* ---- cloud-init ---- */

#define CI_DIR "/var/lib/shelfready"

/* Whether s can be a YAML literal block scalar as it is: printable UTF-8-ish text. */
static int block_safe(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\t' || *p == '\n')
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p >= 0x80) {
			/* a well-formed UTF-8 sequence, not C1 controls or a BOM */
			size_t n = (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : 9;
			if (n == 9)
				return 0;
			for (size_t i = 1; i <= n; i++)
				if ((p[i] & 0xc0) != 0x80)
					return 0;
			if (*p == 0xc2 && p[1] < 0xa0)
				return 0;
			if (*p == 0xef && p[1] == 0xbb && p[2] == 0xbf)
				return 0;
			p += n;
		}
	}
	return 1;
}

static void base64(struct strbuf *sb, const char *s, size_t n, int indent)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		if (col == 0)
			strbuf_indent(sb, indent);
		strbuf_addch(sb, tbl[(v >> 18) & 63]);
		strbuf_addch(sb, tbl[(v >> 12) & 63]);
		strbuf_addch(sb, i + 1 < n ? tbl[(v >> 6) & 63] : '=');
		strbuf_addch(sb, i + 2 < n ? tbl[v & 63] : '=');
		col += 4;
		if (col >= 76) {
			strbuf_addch(sb, '\n');
			col = 0;
		}
	}
	if (col)
		strbuf_addch(sb, '\n');
}

/* A path the runcmd can carry as it is: absolute, of [A-Za-z0-9/._-], no "..". */
static int plain_path(const char *s)
{
	if (s[0] != '/' || strstr(s, "/../") || str_ends_with(s, "/..") || str_ends_with(s, "/"))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '/' || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

char *emit_cloud_init(const struct resolved *r, const char *secrets_file, char **err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *pname = r->top && r->top->name ? r->top->name : "profile";
	int expire = 0, no_pwauth = 0;
	char *script, *needs = NULL;

	*err = NULL;
	if (secrets_file && !plain_path(secrets_file)) {
		*err = xasprintf("--secrets-file '%s': give an absolute path on the instance, of letters, "
				 "digits and / . _ -",
				 secrets_file);
		return NULL;
	}
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct rstep *rs = &r->steps[i];
		if (rs->enabled == ENABLED_NO)
			continue;
		if (!needs)
			each_secret(rs, first_secret, &needs);
		if (rs->def->type && !strcmp(rs->def->type->name, "expire-password")) {
			const struct param *p = params_get(&rs->params, "disable_password_login");
			expire = 1;
			if (p && p->v.kind == PV_BOOL && p->v.i)
				no_pwauth = 1;
		}
	}
	if (needs && !secrets_file) {
		*err = xasprintf("%s: cloud-init runs the script at first boot, without your "
				 "environment, and user-data is no place for a secret. Give --secrets-file "
				 "PATH, a file that you put on the instance (NAME=VALUE lines, root's, mode "
				 "0600) and that the script reads and deletes before its first step; or use "
				 "--format sh",
				 needs);
		free(needs);
		return NULL;
	}
	if (!needs && secrets_file) {
		*err = xstrdup("--secrets-file: no enabled step of the profile needs a secret");
		return NULL;
	}
	free(needs);
	script = emit_script(r, EMIT_CLOUD_INIT, err);
	if (!script)
		return NULL;

	strbuf_addstr(&sb, "#cloud-config\n# The remediation of profile ");
	comment_text(&sb, pname);
	if (r->top && r->top->version) {
		strbuf_addch(&sb, ' ');
		comment_text(&sb, r->top->version);
	}
	strbuf_addstr(&sb, " at first boot, generated by shelfready " SHELFREADY_VERSION
			   "\n# (shelfready emit --format cloud-init). The script's progress goes to\n"
			   "# " CI_DIR "/remediate.log, the facts to " CI_DIR "/facts.txt and its\n"
			   "# exit status to " CI_DIR "/exit-status; judge the facts with\n"
			   "#     shelfready verify -p ");
	comment_text(&sb, pname);
	strbuf_addstr(&sb, " --facts facts.txt\n");
	if (secrets_file)
		strbuf_addf(&sb, "# The secrets its steps need are read from %s, which you put on\n"
				 "# the instance (NAME=VALUE lines, root's, mode 0600); it is deleted once read.\n",
			    secrets_file);
	if (expire) {
		strbuf_addstr(&sb, "# The profile expires passwords: so does cloud-init for any password it sets");
		strbuf_addstr(&sb, no_pwauth ? ",\n# and it leaves password login over SSH off.\n" : ".\n");
		strbuf_addstr(&sb, "chpasswd:\n  expire: true\n");
		if (no_pwauth)
			strbuf_addstr(&sb, "ssh_pwauth: false\n");
	}
	strbuf_addstr(&sb, "write_files:\n"
			   "  - path: " CI_DIR "/remediate.sh\n"
			   "    owner: root:root\n"
			   "    permissions: '0700'\n");
	if (block_safe(script)) {
		strbuf_addstr(&sb, "    content: |\n");
		for (const char *p = script; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			if (n)
				strbuf_indent(&sb, 6);
			strbuf_add(&sb, p, n);
			strbuf_addch(&sb, '\n');
			p += n + (nl ? 1 : 0);
		}
	} else {
		strbuf_addstr(&sb, "    encoding: b64\n    content: |\n");
		base64(&sb, script, strlen(script), 6);
	}
	strbuf_addstr(&sb, "runcmd:\n"
			   "  - - sh\n"
			   "    - -c\n"
			   "    - >-\n"
			   "      cd " CI_DIR " &&\n"
			   "      SR_UNDER_CLOUD_INIT=1 sh ./remediate.sh");
	if (secrets_file)
		strbuf_addf(&sb, " --secrets-file %s --remove-secrets-file", secrets_file);
	strbuf_addstr(&sb, " >facts.txt 2>remediate.log;\n"
			   "      echo $? >exit-status");
	/* whatever became of the script, the secret does not stay for the image */
	if (secrets_file)
		strbuf_addf(&sb, ";\n      rm -f -- %s", secrets_file);
	strbuf_addch(&sb, '\n');
	free(script);
	return strbuf_detach(&sb);
}
