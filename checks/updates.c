/*
 * updates: no pending updates that the review standard asks to install
 * (clauses 1.1-1 and 1.1-5, "all official security updates must be
 * installed", done as 1.2.1 says; with components: important, the
 * components of clause 1.3 only).
 *
 * Judged from the facts' updates part: the pending updates with their
 * installed and candidate versions, whether each is a security update, and
 * where the security classification came from.
 *
 * - Not collected, cut off or failed listings are an error, never a pass.
 * - Freshness: a refresh in the same gather that succeeded is enough (the
 *   lists' age says little then: package managers keep the server's time of
 *   what they download and leave metadata that did not change alone, so a
 *   quiet repository looks old); without one (--no-refresh) the lists must
 *   be at most max_list_age old; a refresh that failed, or lists of unknown
 *   age, cannot be trusted. Stale evidence can only hide updates: pending
 *   updates in scope still fail (with the staleness in the evidence); when
 *   none are seen, the result is an error.
 * - Security classification: apt's comes with each version (its suite).
 *   dnf, yum and zypper need the security-updates list, complete and
 *   successful, from a distribution known to publish advisories for its
 *   own repositories. CentOS publishes none (its updateinfo list is empty
 *   while updates are pending, or yum's security plugin is missing and the
 *   list fails): there, and wherever the list is unusable, every pending
 *   update is treated as a possible security fix, and the evidence says so.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "banned.h"

static const char *const updates_scopes[] = { "security", "all", NULL };
static const char *const updates_component_sets[] = { "all", "important", NULL };

static const struct param_spec updates_params[] = {
	{ "scope", PK_ENUM, 0, "security",
	  "which pending updates fail the check: security (those the distribution marks as "
	  "security fixes; every one where it marks none, as on CentOS) or all",
	  updates_scopes, 0, 0 },
	{ "components", PK_ENUM, 0, "all",
	  "all packages, or only the important components of the review standard's clause 1.3 "
	  "(kernel, glibc, openssl, openssh, bash, sudo, ...; the facts' components)",
	  updates_component_sets, 0, 0 },
	{ "max_list_age", PK_DURATION, 0, "1d",
	  "when the gather did not refresh the package metadata (--no-refresh), package lists "
	  "older than this, or of unknown age, make the result an error: stale lists hide "
	  "pending fixes (a failed refresh is an error too)",
	  NULL, 0, 366LL * 86400 },
	PARAM_END,
};

/* Distributions whose own repositories carry security advisories (updateinfo, patches). */
static const char *const advisory_publishers[] = {
	"rhel", "rocky", "almalinux", "ol", "alinux", "anolis", "amzn", "fedora",
	"opensuse-leap", "opensuse", "sles", "sled", "sle-micro", "opensuse-leap-micro", NULL,
};

/* Distributions known to publish none. */
static const char *const advisory_silent[] = { "centos", NULL };

struct updates_ctx {
	const struct facts *f;
	const char *manager;     /* "" when not known */
	int security_only;       /* scope: security */
	int important;           /* components: important */
	int classified;          /* security marks can be trusted */
	struct facts_index comp; /* update name -> index in components.list */
	struct facts_index adv;  /* package name -> first advisory */
	size_t *adv_next;        /* next advisory of the same package, or FACTS_NONE */
};

static const char *param_str(const struct params *p, const char *key, const char *def)
{
	const struct param *v = p ? params_get(p, key) : NULL;
	return v && v->v.kind == PV_STRING && v->v.s ? v->v.s : def;
}

static long long param_ll(const struct params *p, const char *key, long long def)
{
	const struct param *v = p ? params_get(p, key) : NULL;
	return v && v->v.kind == PV_INT ? v->v.i : def;
}

static int in_list(const char *const *l, const char *s)
{
	for (; s && *l; l++)
		if (!strcmp(*l, s))
			return 1;
	return 0;
}

static int is_rpm_manager(const char *m)
{
	return !strcmp(m, "dnf") || !strcmp(m, "yum") || !strcmp(m, "zypper");
}

/* "2d3h", "29m", "45s": a duration for people. */
static char *age_text(long long s)
{
	if (s >= 86400)
		return s % 86400 >= 3600 ? xasprintf("%lldd%lldh", s / 86400, s % 86400 / 3600)
					 : xasprintf("%lldd", s / 86400);
	if (s >= 3600)
		return s % 3600 >= 60 ? xasprintf("%lldh%lldm", s / 3600, s % 3600 / 60)
				      : xasprintf("%lldh", s / 3600);
	if (s >= 60)
		return xasprintf("%lldm", s / 60);
	return xasprintf("%llds", s);
}

static const char *refresh_command(const char *m)
{
	if (!strcmp(m, "apt"))
		return "apt-get update";
	if (!strcmp(m, "dnf"))
		return "dnf makecache --refresh";
	if (!strcmp(m, "yum"))
		return "yum makecache";
	if (!strcmp(m, "zypper"))
		return "zypper refresh";
	if (!strcmp(m, "apk"))
		return "apk update";
	return "the package manager's refresh";
}

/*
 * Is the package metadata fresh? Adds evidence either way; 0 when it is,
 * -1 with *why (owned) when the listing cannot be trusted.
 */
static int check_fresh(const struct updates_ctx *cx, long long max_age, struct check_result *r,
		       char **why)
{
	const struct facts *f = cx->f;
	const struct facts_src *rs = &f->refresh.src;
	char *age = NULL, *max = age_text(max_age), *msg = NULL;
	int ret = -1;

	if (rs->section) {
		if (!rs->complete)
			msg = xstrdup("the package metadata refresh did not finish");
		else if (rs->status != 0)
			msg = xasprintf("the package metadata refresh failed (status %lld)", rs->status);
		if (msg) {
			check_evidence(r, "%s", msg);
			goto out;
		}
		check_evidence(r, "package metadata refreshed by this gather");
		ret = 0;
		goto out;
	}
	if (!f->lists.src.section) {
		msg = xstrdup("the age of the package lists is not known (not refreshed, lists-age not "
			      "collected)");
	} else if (f->lists.newest < 0) {
		msg = xstrdup("the age of the package lists is not known (not refreshed, no list "
			      "files with a time)");
	} else if (f->lists.age < 0) {
		msg = xstrdup("the age of the package lists is not known (not refreshed, the target's "
			      "clock is not known)");
	} else {
		age = age_text(f->lists.age);
		if (f->lists.age > max_age)
			msg = xasprintf("the package lists are %s old, more than the %s allowed", age,
					max);
	}
	if (msg) {
		check_evidence(r, "%s: pending fixes may be missing", msg);
		goto out;
	}
	check_evidence(r, "package lists %s old (not refreshed by this gather; at most %s allowed)",
		       age, max);
	ret = 0;
out:
	free(age);
	free(max);
	if (ret < 0)
		*why = msg;
	else
		free(msg);
	return ret;
}

/*
 * Can the security marks be trusted? 1, or 0 with evidence saying why every
 * pending update is treated as a possible security fix.
 */
static int classification(const struct updates_ctx *cx, struct check_result *r)
{
	const struct facts *f = cx->f;
	const struct facts_updates *u = &f->updates;
	const struct facts_src *ss = &u->security_src;
	const char *id = f->os.id;
	static const char tail[] = "every pending update is treated as a possible security fix";

	if (!strcmp(cx->manager, "apt"))
		return 1; /* marked from each candidate's suite */
	if (!is_rpm_manager(cx->manager)) {
		check_evidence(r, "%s marks no security updates: %s", cx->manager, tail);
		return 0;
	}
	if (!ss->section) {
		check_evidence(r, "security-updates was not collected: %s", tail);
		return 0;
	}
	if (!ss->complete) {
		check_evidence(r, "security-updates did not finish: %s", tail);
		return 0;
	}
	if (u->security_count < 0) {
		check_evidence(r, "security-updates failed (status %lld): %s", ss->status, tail);
		return 0;
	}
	if (ss->skipped > 0) {
		check_evidence(r, "%lld lines of security-updates were not understood: %s", ss->skipped,
			       tail);
		return 0;
	}
	if (in_list(advisory_silent, id)) {
		check_evidence(r, "%s publishes no security advisories for its updates: %s", id, tail);
		return 0;
	}
	if (!in_list(advisory_publishers, id)) {
		check_evidence(r, "%s is not known to publish security advisories: %s",
			       id ? id : "the distribution", tail);
		return 0;
	}
	return 1;
}

/* Index the components' pending packages and the advisories by package name. */
static void index_build(struct updates_ctx *cx)
{
	const struct facts *f = cx->f;
	const struct facts_updates *u = &f->updates;

	for (size_t i = 0; i < f->components.list.n; i++) {
		const struct facts_component *c = &f->components.list.v[i];
		if (!c->name)
			continue;
		for (size_t j = 0; j < c->packages.n; j++)
			if (c->packages.v[j].name && c->packages.v[j].update)
				facts_index_put(&cx->comp, c->packages.v[j].name, i);
	}
	size_t *tail = xmalloc((u->advisories.n + 1) * sizeof(*tail));
	cx->adv_next = xmalloc((u->advisories.n + 1) * sizeof(*cx->adv_next));
	for (size_t i = 0; i < u->advisories.n; i++) {
		cx->adv_next[i] = FACTS_NONE;
		if (!u->advisories.v[i].package || !u->advisories.v[i].id)
			continue;
		size_t first = facts_index_put(&cx->adv, u->advisories.v[i].package, i);
		if (first != i)
			cx->adv_next[tail[first]] = i;
		tail[first] = i;
	}
	free(tail);
}

static const char *component_of(const struct updates_ctx *cx, const struct facts_update *up)
{
	size_t i = up->name ? facts_index_get(&cx->comp, up->name, strlen(up->name)) : FACTS_NONE;
	return i == FACTS_NONE ? NULL : cx->f->components.list.v[i].name;
}

/* "[comp: ]name current -> version (origin)[ [security: IDS]]" */
static void update_line(const struct updates_ctx *cx, const struct facts_update *up,
			const char *comp, struct check_result *r)
{
	const struct facts_updates *u = &cx->f->updates;
	struct strbuf sb = STRBUF_INIT;

	if (comp)
		strbuf_addf(&sb, "%s: ", comp);
	strbuf_addf(&sb, "%s %s -> %s", up->name ? up->name : "?", up->current ? up->current : "(new)",
		    up->version ? up->version : "?");
	if (up->origin)
		strbuf_addf(&sb, " (%s)", up->origin);
	if (up->security) {
		size_t i = up->name ? facts_index_get(&cx->adv, up->name, strlen(up->name)) : FACTS_NONE;
		strbuf_addstr(&sb, " [security");
		for (const char *sep = ": "; i != FACTS_NONE; i = cx->adv_next[i], sep = ", ")
			strbuf_addf(&sb, "%s%s", sep, u->advisories.v[i].id);
		strbuf_addch(&sb, ']');
	}
	check_evidence(r, "%s", sb.buf);
	strbuf_release(&sb);
}

static void remedy_install(const struct updates_ctx *cx, struct check_result *r)
{
	const char *m = cx->manager;
	int sec = cx->security_only && cx->classified;

	if (!strcmp(m, "apt"))
		check_remedy(r, "apt-get update && apt-get upgrade (apt-get dist-upgrade for the updates "
				"it keeps back, such as new kernel packages)");
	else if (!strcmp(m, "dnf") || !strcmp(m, "yum"))
		check_remedy(r, "%s update%s", m, sec ? " --security" : "");
	else if (!strcmp(m, "zypper"))
		check_remedy(r, "%s", sec ? "zypper patch --category security"
					  : "zypper patch && zypper update");
	else if (!strcmp(m, "apk"))
		check_remedy(r, "apk update && apk upgrade");
	else
		check_remedy(r, "install the pending updates with the distribution's package manager");
}

static void updates_eval(const struct params *p, const struct check_env *env,
			 struct check_result *r)
{
	struct updates_ctx cx = { 0 };
	const struct facts *f = env->f;
	const struct facts_updates *u = &f->updates;
	const char *where;
	char *stale = NULL;
	size_t n = 0, nsec = 0, other = 0;
	int fresh, rpm_style;

	cx.f = f;
	cx.manager = f->packages.manager ? f->packages.manager : "";
	cx.security_only = !strcmp(param_str(p, "scope", "security"), "security");
	cx.important = !strcmp(param_str(p, "components", "all"), "important");
	facts_index_init(&cx.comp);
	facts_index_init(&cx.adv);

	if (!u->src.section) {
		check_error(r, "pending updates were not collected");
		check_remedy(r, "gather the facts again: the updates section is missing");
		goto out;
	}
	if (!u->src.complete) {
		check_error(r, "the list of pending updates was cut off");
		check_remedy(r, "gather the facts again: the updates section did not end");
		goto out;
	}
	if (!*cx.manager) {
		check_error(r, "pending updates cannot be judged: the package manager is not known");
		check_remedy(r, "gather the facts again: no apt, dnf, yum, zypper or apk was found");
		goto out;
	}
	rpm_style = !strcmp(cx.manager, "dnf") || !strcmp(cx.manager, "yum");
	if (u->src.status != 0 && !(rpm_style && u->src.status == 100)) {
		check_error(r, "listing pending updates failed (status %lld)", u->src.status);
		check_remedy(r, "make '%s' work on the target, then verify again", cx.manager);
		goto out;
	}
	if (rpm_style && u->src.status == 100 && !u->list.n && !u->src.skipped) {
		check_error(r, "%s says updates are pending (status 100) but listed none", cx.manager);
		check_remedy(r, "run '%s check-update' on the target and report its output", cx.manager);
		goto out;
	}
	if (cx.important && !f->components.src.section && u->list.n) {
		check_error(r, "the important components are not known: packages were not collected");
		check_remedy(r, "gather the facts again: the packages section is missing");
		goto out;
	}

	fresh = check_fresh(&cx, param_ll(p, "max_list_age", 86400), r, &stale);
	if (u->src.skipped > 0)
		check_evidence(r, "%lld lines of the pending updates were not understood",
			       u->src.skipped);
	cx.classified = u->list.n ? classification(&cx, r) : 1;
	index_build(&cx);

	for (size_t i = 0; i < u->list.n; i++) {
		const struct facts_update *up = &u->list.v[i];
		const char *comp = cx.important ? component_of(&cx, up) : NULL;
		if ((cx.important && !comp) || (cx.security_only && cx.classified && !up->security)) {
			other++;
			continue;
		}
		update_line(&cx, up, comp, r);
		n++;
		nsec += up->security != 0;
	}
	if (other) {
		static const char *const what[3][2] = {
			{ "not security updates", "not a security update" },
			{ "not of important components", "not of an important component" },
			{ "not security updates of important components",
			  "not a security update of an important component" },
		};
		int w = !cx.important ? 0 : cx.security_only && cx.classified ? 2 : 1;
		check_evidence(r, "%zu more pending update%s %s", other, other == 1 ? " is" : "s are",
			       what[w][other == 1]);
	}

	where = cx.important ? " of important components" : "";
	if (n) {
		if (!cx.security_only && cx.classified)
			check_fail(r, "%zu pending update%s%s (%zu security)", n, n == 1 ? "" : "s", where,
				   nsec);
		else if (!cx.security_only)
			check_fail(r, "%zu pending update%s%s (no security classification)", n,
				   n == 1 ? "" : "s", where);
		else if (cx.classified)
			check_fail(r, "%zu pending security update%s%s", n, n == 1 ? "" : "s", where);
		else
			check_fail(r, "%zu pending update%s%s, each possibly a security fix (no security "
				      "classification)", n, n == 1 ? "" : "s", where);
		remedy_install(&cx, r);
	} else if (fresh < 0) {
		check_error(r, "pending updates cannot be judged: %s", stale);
		check_remedy(r, "refresh the package metadata (%s) or gather without --no-refresh, then "
				"verify again", refresh_command(cx.manager));
	} else if (u->src.skipped > 0) {
		check_error(r, "pending updates cannot be judged: %lld lines of the listing were not "
			       "understood", u->src.skipped);
		check_remedy(r, "run the listing on the target and report the lines shelfready did not "
				"understand");
	} else {
		check_pass(r, "no pending %supdates%s", cx.security_only ? "security " : "", where);
	}
out:
	free(stale);
	free(cx.adv_next);
	facts_index_release(&cx.comp);
	facts_index_release(&cx.adv);
}

const struct check_type check_updates = {
	.name = "updates",
	.summary = "no pending (security) updates: all official security updates are installed",
	.params = updates_params,
	.validate = NULL,
	.eval = updates_eval,
};
