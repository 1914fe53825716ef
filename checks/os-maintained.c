/*
 * os-maintained: the OS release is still maintained on the day the check
 * runs (standard clause 1.1-4: no release whose maintenance has been
 * discontinued, such as Debian 6 or CentOS 4). The release (os-release ID and
 * VERSION_ID) is looked up in the end-of-life data (lib/eol.h) and judged as
 * of env->today: maintained through its `eol` day, and through its
 * `extendedSupport` day (Debian LTS, Ubuntu ESM) when allow_extended is set.
 * Debian's LTS counts without it: it is free and comes from the regular
 * security archive (free_extended below), unlike Ubuntu's paid ESM.
 * A release the data does not know is an error, never a pass. The data is
 * the bundled snapshot, or a newer copy refreshed into env->eol_cache.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eol.h"
#include "facts.h"
#include "types.h"
#include "banned.h"

static const struct param_spec os_maintained_params[] = {
	{ "allow_extended", PK_BOOL, 0, "false",
	  "count LTS/extended support (Debian LTS, Ubuntu ESM: `extendedSupport` in the data) as maintained",
	  NULL, 0, 0 },
	PARAM_END,
};

/*
 * Products whose extended support is free and comes from the same security
 * archive as regular support: it counts without allow_extended. Debian LTS
 * is delivered through the normal <codename>-security suite at no cost;
 * Ubuntu ESM, by contrast, needs a subscription.
 */
static const char *const free_extended[] = { "debian", NULL };

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static int param_bool(const struct params *p, const char *key)
{
	const struct param *v = params_get(p, key);
	return v && v->v.kind == PV_BOOL && v->v.i;
}

static void os_maintained_eval(const struct params *p, const struct check_env *env,
			       struct check_result *r)
{
	const struct facts_os *os = &env->f->os;
	int allow_extended = param_bool(p, "allow_extended");
	struct eol_db db;
	char *err = NULL, *why = NULL, *dates = NULL, *others = NULL, *origin = NULL;
	const struct eol_product *prod;
	const struct eol_cycle *c;
	struct eol_verdict v;
	const char *product;
	char today[16];

	eol_db_init(&db);
	eol_day_text(env->today, today, sizeof(today));
	if (!os->src.section) {
		check_error(r, "the os release was not collected");
		check_remedy(r, "gather facts again: the os-release section is missing");
		goto out;
	}
	if (!os->src.complete) {
		check_error(r, "the section '%s' did not end", os->src.section);
		check_remedy(r, "gather facts again");
		goto out;
	}
	check_evidence(r, "os: %s (id %s, version_id %s, from %s)", os->name ? os->name : "?",
		       os->id ? os->id : "unknown", os->version_id ? os->version_id : "unknown",
		       os->src.section);
	product = eol_os_product(os->id, os->name);
	if (!product) {
		check_error(r, "no end-of-life data for os '%s'", os->id ? os->id : "unknown");
		check_remedy(r, "judge the release's support by hand and waive this check with the reason");
		goto out;
	}
	if (!os->version_id) {
		check_error(r, "the os release has no version");
		check_remedy(r, "judge the release's support by hand and waive this check with the reason");
		goto out;
	}
	if (eol_db_load_product(&db, product, env->eol_cache, &err) < 0) {
		check_error(r, "%s", err);
		goto out;
	}
	prod = eol_db_find(&db, product);
	origin = eol_origin_text(prod, env->today);
	check_evidence(r, "data: %s", origin);
	c = eol_cycle_find(prod, os->version_id);
	if (!c) {
		check_error(r, "no release cycle of '%s' matches version '%s'", product,
			    os->version_id);
		others = eol_cycle_names(prod, 12);
		check_evidence(r, "cycles in the data: %s", others);
		check_remedy(r, "refresh the end-of-life data (a release newer than the data), "
				"or judge the release by hand and waive this check with the reason");
		goto out;
	}
	dates = eol_cycle_text(c);
	check_evidence(r, "product %s, cycle %s%s%s: %s", product, c->cycle,
		       c->codename ? " " : "", c->codename ? c->codename : "", dates);
	if (!allow_extended && in_list(free_extended, product)) {
		allow_extended = 1;
		check_evidence(r, "judged as of %s; extended support counts: yes (%s's LTS is free and "
				  "served from the regular security archive)",
			       today, product);
	} else {
		check_evidence(r, "judged as of %s; extended support counts: %s", today,
			       allow_extended ? "yes (allow_extended)" : "no");
	}
	eol_judge(c, env->today, allow_extended, &v);
	why = eol_verdict_text(&v, env->today);
	check_evidence(r, "%s", why);
	switch (v.status) {
	case EOL_MAINTAINED:
		if (v.value.kind == EOLV_DATE)
			check_pass(r, "%s %s is maintained until %s%s", product, c->cycle, v.value.date,
				   v.by_extended ? " (extended support)" : "");
		else
			check_pass(r, "%s %s is maintained%s, no end announced", product, c->cycle,
				   v.by_extended ? " (extended support)" : "");
		break;
	case EOL_ENDED:
		if (v.value.kind == EOLV_DATE)
			check_fail(r, "%s %s is no longer maintained: end of life %s", product, c->cycle,
				   v.value.date);
		else
			check_fail(r, "%s %s is no longer maintained", product, c->cycle);
		others = eol_maintained_cycles(prod, env->today, allow_extended, 4);
		if (*others)
			check_remedy(r, "rebuild the image on a maintained release of %s (%s)%s",
				     product, others,
				     v.extended_left ? ", or set allow_extended: true if its "
						       "extended support is acceptable"
						     : "");
		else
			check_remedy(r, "no release of %s is maintained any more: rebuild the image on a "
					"maintained distribution", product);
		break;
	case EOL_UNKNOWN:
		check_error(r, "the end-of-life data cannot tell whether %s %s is maintained", product,
			    c->cycle);
		check_remedy(r, "refresh the end-of-life data, or judge the release by hand and waive "
				"this check with the reason");
		break;
	}
out:
	free(origin);
	free(others);
	free(dates);
	free(why);
	free(err);
	eol_db_release(&db);
}

const struct check_type check_os_maintained = {
	.name = "os-maintained",
	.summary = "the OS release is still maintained (end-of-life data, as of today)",
	.params = os_maintained_params,
	.validate = NULL,
	.eval = os_maintained_eval,
};
