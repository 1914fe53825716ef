/*
 * service: a service's state (started, stopped, restarted, reloaded) and
 * whether it starts at boot (enabled).
 *
 * With systemd as PID 1 (/run/systemd/system exists) it uses systemctl;
 * otherwise the SysV scripts: /etc/init.d/NAME start|stop|restart|reload
 * and status, enabled with update-rc.d, chkconfig, or by hand with rc links
 * in runlevels 2-5. Whether it starts at boot comes from the facts'
 * services list, whether it runs from a status probe on the target.
 *
 * started and stopped are states: nothing is done when the service is in
 * them. restarted and reloaded are actions: they always act and report
 * changed (a stopped service is started).
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

static const char *const svc_states[] = { "started", "stopped", "restarted", "reloaded", NULL };

static const struct param_spec service_params[] = {
	{ "name", PK_STRING, 1, NULL, "the service: a systemd unit (\".service\" may be left out) or "
				      "an /etc/init.d script", NULL, 0, 0 },
	{ "state", PK_ENUM, 0, NULL,
	  "started or stopped (states), restarted or reloaded (actions, always done)", svc_states,
	  0, 0 },
	{ "enabled", PK_BOOL, 0, NULL, "whether it starts at boot", NULL, 0, 0 },
	{ "timeout", PK_DURATION, 0, "5m", "time limit of the start, stop or reload", NULL, 1,
	  86400 },
	PARAM_END,
};

enum svc_run { SVC_NONE, SVC_START, SVC_STOP, SVC_RESTART, SVC_RELOAD };

struct svc_plan {
	int enable;        /* -1 leave, 0 disable, 1 enable */
	enum svc_run run;
};

/* Letters, digits and _ . @ : + -, not starting with '-' or '.'. */
static int svc_valid_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 200 || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '@' || c == ':' || c == '+' || c == '-'))
			return 0;
	}
	return 1;
}

static void service_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *name = params_get(p, "name");

	if (name && (!svc_valid_name(name->v.s) || !strcmp(name->v.s, ".service")))
		diag_error(ctx->d, name->v.pos,
			   "'name' of %s is not a valid service name: '%s' (letters, digits, _ . @ : + -)",
			   ctx->owner, name->v.s);
	if (!params_get(p, "state") && !params_get(p, "enabled"))
		diag_error(ctx->d, ctx->at, "%s needs 'state' or 'enabled' (or both)", ctx->owner);
}

/*
 * What to do. want_enabled: -1 (not asked), 0, 1; is_enabled 0/1;
 * unit_state: systemd's unit file state or NULL; active: 1, 0, -1 unknown.
 * 0 and *out, or -1 with *why when it cannot be done.
 */
static int svc_plan_make(const char *state, int want_enabled, int is_enabled, const char *unit_state,
		  int active, struct svc_plan *out, const char **why)
{
	int masked = unit_state && !strncmp(unit_state, "masked", 6);

	out->enable = -1;
	out->run = SVC_NONE;
	if (want_enabled >= 0 && want_enabled != is_enabled) {
		if (want_enabled && masked) {
			*why = "it is masked: unmask it first";
			return -1;
		}
		if (want_enabled && unit_state &&
		    (!strcmp(unit_state, "static") || !strcmp(unit_state, "indirect"))) {
			*why = "its unit is static (or indirect): it has no [Install] section to enable";
			return -1;
		}
		out->enable = want_enabled;
	}
	if (!state)
		return 0;
	if (strcmp(state, "stopped") && masked) {
		*why = "it is masked: it cannot be started";
		return -1;
	}
	if (active < 0 && (!strcmp(state, "started") || !strcmp(state, "stopped"))) {
		*why = "its status is unknown: its init script gives no usable status";
		return -1;
	}
	if (!strcmp(state, "started"))
		out->run = active ? SVC_NONE : SVC_START;
	else if (!strcmp(state, "stopped"))
		out->run = active ? SVC_STOP : SVC_NONE;
	else if (!strcmp(state, "restarted"))
		out->run = active ? SVC_RESTART : SVC_START;
	else if (!strcmp(state, "reloaded"))
		out->run = active ? SVC_RELOAD : SVC_START;
	return 0;
}

/*
 * The remote script. Without a plan, it probes and prints "init", "load",
 * "enabled", "active" and "script" lines; with want 0 or 1 it first waits up
 * to wait seconds for active to become want (a daemon may take a moment to
 * start or exit). With a plan, it acts on it (its output is for people).
 */
static char *svc_script(const char *name, const struct svc_plan *plan, int want, int wait)
{
	static const char *const verbs[] = { "", "start", "stop", "restart", "reload" };
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "n=");
	shell_quote(&sb, name);
	strbuf_addstr(&sb,
		"\nu=$n.service\n"
		"sd=0\n"
		"[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1 && sd=1\n"
		"s=\n"
		"for x in /etc/init.d/\"$n\" /etc/rc.d/init.d/\"$n\"; do [ -f \"$x\" ] && { s=$x; break; }; done\n"
		"links() {\n"
		"  c=0\n"
		"  for d in /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d \\\n"
		"      /etc/rc.d/rc2.d /etc/rc.d/rc3.d /etc/rc.d/rc4.d /etc/rc.d/rc5.d; do\n"
		"    [ -d \"$d\" ] && [ ! -L \"$d\" ] || continue\n"
		"    for l in \"$d\"/S*; do\n"
		"      b=${l##*/S}; b=${b#\"${b%%[!0-9]*}\"}\n"
		"      [ \"$b\" = \"$n\" ] && c=$((c + 1))\n"
		"    done\n"
		"  done\n"
		"  echo $c\n"
		"}\n"
		"probe() {\n"
		"  if [ $sd = 1 ]; then\n"
		"    init=systemd\n"
		"    load=$(systemctl show -p LoadState \"$u\" 2>/dev/null </dev/null); load=${load#LoadState=}\n"
		"    en=$(systemctl is-enabled \"$u\" 2>/dev/null </dev/null); en=${en:-unknown}\n"
		"    if systemctl is-active --quiet \"$u\" </dev/null; then act=1; else act=0; fi\n"
		"  else\n"
		"    init=sysv\n"
		"    if [ -n \"$s\" ]; then load=loaded; else load=not-found; fi\n"
		"    en=$(links)\n"
		"    act=?\n"
		"    if [ -n \"$s\" ]; then\n"
		"      \"$s\" status </dev/null >/dev/null 2>&1\n"
		"      rc=$?\n"
		"      case $rc in 0) act=1 ;; 1 | 2 | 3) act=0 ;; *) act=\"?$rc\" ;; esac\n"
		"    fi\n"
		"  fi\n"
		"}\n"
		"show() { printf 'init %s\\nload %s\\nenabled %s\\nactive %s\\nscript %s\\n' \"$init\" \"$load\" \"$en\" \"$act\" \"$s\"; }\n"
		"probe\n");
	if (!plan) {
		if (want >= 0)
			strbuf_addf(&sb,
				"i=0\n"
				"while [ \"$act\" != %d ] && [ $i -lt %d ]; do sleep 1; i=$((i + 1)); probe; done\n",
				want, wait);
		strbuf_addstr(&sb, "show\nexit 0\n");
		return strbuf_detach(&sb);
	}
	strbuf_addstr(&sb,
		"[ \"$load\" = not-found ] && { echo \"no service '$n' on the target\" >&2; exit 3; }\n"
		"st=0\n");
	if (plan->enable >= 0) {
		const char *on = plan->enable ? "enable" : "disable";
		strbuf_addf(&sb,
			"if [ $sd = 1 ]; then\n"
			"  systemctl %s \"$u\" </dev/null || st=1\n"
			"elif [ -z \"$s\" ]; then\n"
			"  echo \"no /etc/init.d/$n\" >&2; st=1\n"
			"elif command -v update-rc.d >/dev/null 2>&1; then\n",
			on);
		if (plan->enable)
			strbuf_addstr(&sb,
				"  [ \"$(links)\" != 0 ] || update-rc.d \"$n\" defaults </dev/null || st=1\n"
				"  update-rc.d \"$n\" enable </dev/null || st=1\n");
		else
			strbuf_addstr(&sb, "  update-rc.d \"$n\" disable </dev/null || st=1\n");
		strbuf_addf(&sb,
			"elif command -v chkconfig >/dev/null 2>&1; then\n"
			"  chkconfig --list \"$n\" >/dev/null 2>&1 </dev/null || chkconfig --add \"$n\" </dev/null\n"
			"  chkconfig \"$n\" %s </dev/null || st=1\n"
			"else\n"
			"  for d in /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d \\\n"
			"      /etc/rc.d/rc2.d /etc/rc.d/rc3.d /etc/rc.d/rc4.d /etc/rc.d/rc5.d; do\n"
			"    [ -d \"$d\" ] && [ ! -L \"$d\" ] || continue\n"
			"    have=0\n"
			"    for l in \"$d\"/S* \"$d\"/K*; do\n"
			"      b=${l##*/[SK]}; num=${b%%%%[!0-9]*}; b=${b#\"$num\"}\n"
			"      [ \"$b\" = \"$n\" ] || continue\n",
			plan->enable ? "on" : "off");
		if (plan->enable)
			strbuf_addstr(&sb,
				"      case ${l##*/} in S*) have=1 ;; K*) rm -f \"$l\" || st=1 ;; esac\n"
				"    done\n"
				"    [ $have = 1 ] || ln -s \"../init.d/$n\" \"$d/S20$n\" || st=1\n"
				"  done\n"
				"fi\n");
		else
			strbuf_addstr(&sb,
				"      case ${l##*/} in S*) mv -f \"$l\" \"$d/K01$n\" || st=1 ;; esac\n"
				"    done\n"
				"  done\n"
				"fi\n");
		strbuf_addstr(&sb, "[ $st = 0 ] || { echo \"cannot change whether '$n' starts at boot\" >&2; exit 4; }\n");
	}
	if (plan->run != SVC_NONE) {
		const char *verb = verbs[plan->run];
		strbuf_addf(&sb, "v=%s\n", verb);
		strbuf_addstr(&sb,
			"if [ $sd = 1 ]; then\n"
			"  systemctl \"$v\" \"$u\" </dev/null || st=1\n"
			"elif [ -z \"$s\" ]; then\n"
			"  echo \"no /etc/init.d/$n\" >&2; st=1\n"
			"elif [ \"$v\" = reload ]; then\n"
			"  \"$s\" reload </dev/null || \"$s\" force-reload </dev/null || st=1\n"
			"else\n"
			"  \"$s\" \"$v\" </dev/null || st=1\n"
			"fi\n"
			"[ $st = 0 ] || { echo \"'$v' of '$n' failed\" >&2; exit 4; }\n");
	}
	strbuf_addstr(&sb, "exit 0\n");
	return strbuf_detach(&sb);
}

/* ---- on the target ---- */

struct svc_probe {
	char *init, *load, *enabled, *active, *script;
};

static void svc_probe_release(struct svc_probe *pr)
{
	free(pr->init);
	free(pr->load);
	free(pr->enabled);
	free(pr->active);
	free(pr->script);
	memset(pr, 0, sizeof(*pr));
}

static void parse_probe(const struct strbuf *out, struct svc_probe *pr)
{
	const char *s = out->buf ? out->buf : "";
	memset(pr, 0, sizeof(*pr));
	while (*s) {
		size_t n = strcspn(s, "\n");
		const char *sp = memchr(s, ' ', n);
		if (sp) {
			size_t kl = (size_t)(sp - s);
			char *v = xstrndup(sp + 1, n - kl - 1);
			char **slot = kl == 4 && !strncmp(s, "init", 4)      ? &pr->init
				      : kl == 4 && !strncmp(s, "load", 4)    ? &pr->load
				      : kl == 7 && !strncmp(s, "enabled", 7) ? &pr->enabled
				      : kl == 6 && !strncmp(s, "active", 6)  ? &pr->active
				      : kl == 6 && !strncmp(s, "script", 6)  ? &pr->script
									     : NULL;
			if (slot) {
				free(*slot);
				*slot = v;
			} else {
				free(v);
			}
		}
		s += n + (s[n] == '\n');
	}
}

static int probe_active(const struct svc_probe *pr)
{
	if (!pr->active)
		return -1;
	return !strcmp(pr->active, "1") ? 1 : !strcmp(pr->active, "0") ? 0 : -1;
}

/* Enabled at boot according to the probe: systemd's is-enabled word, or SysV S links. */
static int probe_enabled(const struct svc_probe *pr)
{
	const char *e = pr->enabled ? pr->enabled : "";
	if (pr->init && !strcmp(pr->init, "systemd"))
		return !strcmp(e, "enabled") || !strcmp(e, "enabled-runtime") || !strcmp(e, "alias");
	return e[0] && strcmp(e, "0") && e[0] >= '0' && e[0] <= '9';
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

static int run_script(struct step_ctx *ctx, const char *sh, int timeout, int quiet,
		      struct svc_probe *pr, struct step_result *r)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	char msg[512];
	int ret = -1;

	memset(&res, 0, sizeof(res));
	if (step_sh(ctx, sh, timeout, quiet, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	if (res.status != 0) {
		/* the last message is the summary; the streamed output showed the rest */
		const char *s = res.err.buf ? res.err.buf : "";
		const char *last = s;
		for (const char *q = s; *q; q++)
			if (q[0] == '\n' && q[1])
				last = q + 1;
		struct strbuf tail = STRBUF_INIT;
		strbuf_addstr(&tail, last);
		step_failed(r, "%s", first_line(&tail, msg, sizeof(msg)));
		strbuf_release(&tail);
		goto out;
	}
	parse_probe(&res.out, pr);
	ret = 0;
out:
	exec_result_release(&res);
	error_release(&e);
	return ret;
}

static const char *run_word(enum svc_run run, int past)
{
	static const char *const now[] = { "", "start", "stop", "restart", "reload" };
	static const char *const done[] = { "", "started", "stopped", "restarted", "reloaded" };
	return past ? done[run] : now[run];
}

/* "stop 'x' and disable it at boot", "enabled 'x' at boot", ... */
static void describe(struct strbuf *sb, const char *name, const struct svc_plan *plan, int past)
{
	const char *en = plan->enable < 0 ? NULL
			 : plan->enable ? (past ? "enabled" : "enable")
					: (past ? "disabled" : "disable");
	if (plan->run != SVC_NONE) {
		strbuf_addf(sb, "%s '%s'", run_word(plan->run, past), name);
		if (en)
			strbuf_addf(sb, " and %s it at boot", en);
	} else if (en) {
		strbuf_addf(sb, "%s '%s' at boot", en, name);
	}
}

static void service_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	const char *given = step_param_str(p, "name"), *state = step_param_str(p, "state");
	const struct param *en = params_get(p, "enabled");
	int want_enabled = en ? step_param_bool(p, "enabled") : -1;
	int timeout = (int)step_param_int(p, "timeout", 300);
	const struct facts_service *sv;
	struct svc_probe pr, after;
	struct svc_plan plan;
	struct strbuf what = STRBUF_INIT;
	const char *why = NULL, *unit_state = NULL;
	char *name, *sh = NULL;
	int is_enabled, active;

	memset(&pr, 0, sizeof(pr));
	memset(&after, 0, sizeof(after));
	name = str_ends_with(given, ".service") ? xstrndup(given, strlen(given) - 8) : xstrdup(given);
	sh = svc_script(name, NULL, -1, 0);
	if (run_script(ctx, sh, 60, 1, &pr, r) < 0)
		goto out;
	if (!pr.load || strcmp(pr.load, "loaded")) {
		if (pr.load && !strcmp(pr.load, "masked")) {
			unit_state = "masked";
		} else {
			step_failed(r, "no service '%s' on the target (%s)", name,
				    pr.init && !strcmp(pr.init, "systemd") ? "systemd knows no such unit"
									  : "no /etc/init.d script");
			goto out;
		}
	}
	/* whether it starts at boot: the facts, as the checks see it; else the probe */
	sv = facts_service_find(ctx->f, name);
	if (sv) {
		is_enabled = sv->enabled;
		if (!unit_state && pr.init && !strcmp(pr.init, "systemd"))
			unit_state = sv->systemd_state;
	} else {
		is_enabled = probe_enabled(&pr);
		if (!unit_state && pr.init && !strcmp(pr.init, "systemd"))
			unit_state = pr.enabled;
	}
	active = probe_active(&pr);
	if (svc_plan_make(state, want_enabled, is_enabled, unit_state, active, &plan, &why) < 0) {
		step_failed(r, "cannot make '%s' %s%s%s: %s", name, state ? state : "",
			    state && want_enabled >= 0 ? " and " : "",
			    want_enabled < 0 ? "" : want_enabled ? "enabled" : "disabled", why);
		goto out;
	}
	if (plan.enable < 0 && plan.run == SVC_NONE) {
		step_ok(r, "'%s' is %s%s%s (%s)", name, state ? state : "",
			state && want_enabled >= 0 ? " and " : "",
			want_enabled < 0 ? "" : want_enabled ? "enabled at boot" : "disabled at boot",
			pr.init ? pr.init : "?");
		goto out;
	}
	describe(&what, name, &plan, 0);
	if (ctx->dry_run) {
		step_changed(r, "would %s (%s)", what.buf, pr.init ? pr.init : "?");
		goto out;
	}
	free(sh);
	sh = svc_script(name, &plan, -1, 0);
	if (run_script(ctx, sh, timeout, 0, &after, r) < 0)
		goto out;
	svc_probe_release(&after);
	free(sh);
	sh = svc_script(name, NULL,
			plan.run == SVC_STOP ? 0 : plan.run != SVC_NONE ? 1 : -1, 10);
	if (run_script(ctx, sh, 60, 1, &after, r) < 0)
		goto out;
	if (plan.enable >= 0 && probe_enabled(&after) != plan.enable) {
		step_failed(r, "'%s' is still %s at boot after trying to %s it", name,
			    plan.enable ? "disabled" : "enabled", plan.enable ? "enable" : "disable");
		goto out;
	}
	if ((plan.run == SVC_START || plan.run == SVC_RESTART || plan.run == SVC_RELOAD) &&
	    probe_active(&after) != 1) {
		step_failed(r, "'%s' is not running after '%s'", name, run_word(plan.run, 0));
		goto out;
	}
	if (plan.run == SVC_STOP && probe_active(&after) != 0) {
		step_failed(r, "'%s' still runs after 'stop'", name);
		goto out;
	}
	strbuf_reset(&what);
	describe(&what, name, &plan, 1);
	step_changed(r, "%s (%s)", what.buf, after.init ? after.init : "?");
out:
	svc_probe_release(&pr);
	svc_probe_release(&after);
	strbuf_release(&what);
	free(name);
	free(sh);
}

/* ---- emit ---- */

/* One plan's action, its verification and its summary, for the emitted body. */
static void emit_plan(struct strbuf *sh, const char *name, const struct svc_plan *plan)
{
	struct strbuf what = STRBUF_INIT;
	char *act = svc_script(name, plan, -1, 0);
	char *check = svc_script(name, NULL, plan->run == SVC_STOP ? 0 : plan->run != SVC_NONE ? 1 : -1,
				 10);

	strbuf_addf(sh, "%d:%d)\n    sr_run sh -c ", plan->enable, (int)plan->run);
	shell_quote(sh, act);
	strbuf_addstr(sh, " sh || { sr_failed \"$(_sv_fail)\"; return; }\n    _sv_probe ");
	shell_quote(sh, check);
	strbuf_addch(sh, '\n');
	if (plan->enable >= 0)
		strbuf_addf(sh, "    if [ \"$_sv_en\" != %d ]; then\n"
				"        sr_failed \"'$_sv_n' is still %s at boot after trying to %s it\"\n"
				"        return\n"
				"    fi\n",
			    plan->enable, plan->enable ? "disabled" : "enabled",
			    plan->enable ? "enable" : "disable");
	if (plan->run == SVC_STOP)
		strbuf_addstr(sh, "    if [ \"$_sv_act\" != 0 ]; then\n"
				  "        sr_failed \"'$_sv_n' still runs after 'stop'\"\n"
				  "        return\n"
				  "    fi\n");
	else if (plan->run != SVC_NONE)
		strbuf_addf(sh, "    if [ \"$_sv_act\" != 1 ]; then\n"
				"        sr_failed \"'$_sv_n' is not running after '%s'\"\n"
				"        return\n"
				"    fi\n",
			    run_word(plan->run, 0));
	describe(&what, name, plan, 1);
	strbuf_addstr(sh, "    _sv_done=");
	shell_quote(sh, what.buf);
	strbuf_addstr(sh, "\n    ;;\n");
	strbuf_release(&what);
	free(act);
	free(check);
}

/*
 * The probe and plan of service_apply, in sh: whether the service starts at
 * boot comes from the probe (there are no facts), as service_apply does for
 * a service the facts do not list. Each plan the probe can lead to is built
 * here with svc_script() and chosen at run time.
 */
static const char service_emit_decide[] =
	"# _sv_probe SCRIPT: run the probe, set _sv_init _sv_load _sv_en (0/1) _sv_word _sv_act (1/0/?)\n"
	"_sv_probe() {\n"
	"    _sv_out=$(sh -c \"$1\" sh 2>/dev/null </dev/null)\n"
	"    _sv_init=$(printf '%s\\n' \"$_sv_out\" | sed -n 's/^init //p')\n"
	"    _sv_load=$(printf '%s\\n' \"$_sv_out\" | sed -n 's/^load //p')\n"
	"    _sv_word=$(printf '%s\\n' \"$_sv_out\" | sed -n 's/^enabled //p')\n"
	"    _sv_act=$(printf '%s\\n' \"$_sv_out\" | sed -n 's/^active //p')\n"
	"    case $_sv_act in 0 | 1) ;; *) _sv_act='?' ;; esac\n"
	"    _sv_en=0\n"
	"    if [ \"$_sv_init\" = systemd ]; then\n"
	"        case $_sv_word in enabled | enabled-runtime | alias) _sv_en=1 ;; esac\n"
	"    else\n"
	"        case $_sv_word in '' | 0 | *[!0-9]*) ;; *) _sv_en=1 ;; esac\n"
	"    fi\n"
	"}\n"
	"_sv_fail() { echo \"the change of '$_sv_n' failed (see its output above)\"; }\n"
	"_sv_probe \"$_sv_look\"\n"
	"_sv_unit=\n"
	"if [ \"$_sv_load\" = masked ]; then\n"
	"    _sv_unit=masked\n"
	"elif [ \"$_sv_load\" != loaded ]; then\n"
	"    if [ \"$_sv_init\" = systemd ]; then\n"
	"        sr_failed \"no service '$_sv_n' here (systemd knows no such unit)\"\n"
	"    else\n"
	"        sr_failed \"no service '$_sv_n' here (no /etc/init.d script)\"\n"
	"    fi\n"
	"    return\n"
	"elif [ \"$_sv_init\" = systemd ]; then\n"
	"    _sv_unit=$_sv_word\n"
	"fi\n"
	"_sv_why='' _sv_enable=-1 _sv_run=0\n"
	"if [ \"$_sv_want\" != -1 ] && [ \"$_sv_want\" != \"$_sv_en\" ]; then\n"
	"    if [ \"$_sv_want\" = 1 ]; then\n"
	"        case $_sv_unit in\n"
	"        masked*) _sv_why='it is masked: unmask it first' ;;\n"
	"        static | indirect) _sv_why='its unit is static (or indirect): it has no [Install] section to enable' ;;\n"
	"        esac\n"
	"    fi\n"
	"    _sv_enable=$_sv_want\n"
	"fi\n"
	"if [ -z \"$_sv_why\" ] && [ -n \"$_sv_state\" ]; then\n"
	"    case $_sv_state:$_sv_unit in\n"
	"    stopped:*) ;;\n"
	"    *:masked*) _sv_why='it is masked: it cannot be started' ;;\n"
	"    esac\n"
	"fi\n"
	"if [ -z \"$_sv_why\" ]; then\n"
	"    case $_sv_state:$_sv_act in\n"
	"    started:\\? | stopped:\\?) _sv_why='its status is unknown: its init script gives no usable status' ;;\n"
	"    started:0 | restarted:0 | reloaded:0) _sv_run=1 ;;\n"
	"    stopped:1) _sv_run=2 ;;\n"
	"    restarted:*) _sv_run=3 ;;\n"
	"    reloaded:*) _sv_run=4 ;;\n"
	"    esac\n"
	"fi\n"
	"if [ -n \"$_sv_why\" ]; then\n"
	"    sr_failed \"cannot make '$_sv_n' $_sv_goal: $_sv_why\"\n"
	"    return\n"
	"fi\n"
	"if [ \"$_sv_enable\" = -1 ] && [ \"$_sv_run\" = 0 ]; then\n"
	"    sr_ok \"'$_sv_n' is $_sv_goal ($_sv_init)\"\n"
	"    return\n"
	"fi\n"
	"case $_sv_enable:$_sv_run in\n";

static int service_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			char **err)
{
	const char *given = step_param_str(p, "name"), *state = step_param_str(p, "state");
	const struct param *en = params_get(p, "enabled");
	int want = en ? step_param_bool(p, "enabled") : -1;
	/* the runs each state can lead to (svc_plan_make) */
	enum svc_run runs[2] = { SVC_NONE, SVC_NONE };
	struct strbuf goal = STRBUF_INIT;
	char *name, *look;

	(void)ctx;
	(void)err;
	name = str_ends_with(given, ".service") ? xstrndup(given, strlen(given) - 8) : xstrdup(given);
	if (state && !strcmp(state, "started"))
		runs[1] = SVC_START;
	else if (state && !strcmp(state, "stopped"))
		runs[1] = SVC_STOP;
	else if (state && !strcmp(state, "restarted"))
		runs[0] = SVC_RESTART, runs[1] = SVC_START;
	else if (state && !strcmp(state, "reloaded"))
		runs[0] = SVC_RELOAD, runs[1] = SVC_START;
	strbuf_addf(&goal, "%s%s%s", state ? state : "", state && want >= 0 ? " and " : "",
		    want < 0 ? "" : want ? "enabled at boot" : "disabled at boot");
	look = svc_script(name, NULL, -1, 0);
	strbuf_addstr(sh, "_sv_n=");
	shell_quote(sh, name);
	strbuf_addstr(sh, "\n_sv_state=");
	shell_quote(sh, state ? state : "");
	strbuf_addf(sh, "\n_sv_want=%d\n_sv_goal=", want);
	shell_quote(sh, goal.buf);
	strbuf_addstr(sh, "\n_sv_look=");
	shell_quote(sh, look);
	strbuf_addch(sh, '\n');
	strbuf_addstr(sh, service_emit_decide);
	for (int e = -1; e <= 1; e++) {
		if (e >= 0 && e != want)
			continue;
		for (size_t i = 0; i < 2; i++) {
			struct svc_plan plan = { e, runs[i] };
			if (i == 1 && runs[1] == runs[0])
				continue;
			if (plan.enable < 0 && plan.run == SVC_NONE)
				continue;
			emit_plan(sh, name, &plan);
		}
	}
	strbuf_addstr(sh, "*)\n    sr_failed \"cannot make '$_sv_n' $_sv_goal: no plan for $_sv_enable:$_sv_run\"\n"
			  "    return ;;\n"
			  "esac\n"
			  "sr_changed \"$_sv_done ($_sv_init)\"\n"
			  "return\n");
	strbuf_release(&goal);
	free(look);
	free(name);
	return 0;
}

const struct step_type step_service = {
	.name = "service",
	.summary = "start, stop, restart or reload a service; enable or disable it at boot",
	.doc =
		"A service's state and whether it starts at boot. With systemd as PID 1 it uses "
		"`systemctl`; otherwise the SysV script `/etc/init.d/NAME` (`start`, `stop`, "
		"`restart`, `reload` or `force-reload`, `status`), enabled with `update-rc.d`, "
		"`chkconfig`, or rc links in runlevels 2-5 made by hand. Whether it starts at "
		"boot comes from the facts, whether it runs from a status probe; after acting, "
		"both are checked again. `started` and `stopped` are states (nothing to do when "
		"the service is in them); `restarted` and `reloaded` are actions that always run "
		"and report `changed` (a stopped service is started). A masked unit cannot be "
		"started or enabled, a static one cannot be enabled; a SysV script without a "
		"usable `status` cannot be judged started or stopped.\n\n"
		"One of `state` and `enabled` is required.",
	.params = service_params,
	.validate = service_validate,
	.apply = service_apply,
	.emit = service_emit,
};
