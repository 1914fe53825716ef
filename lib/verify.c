#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cond.h"
#include "date.h"
#include "facts.h"
#include "types.h"
#include "ytree.h"
#include "banned.h"

struct lookup_ctx {
	const struct resolved *r;
	const struct facts *f;
};

/* Conditions see vars.NAME from the profile and everything else from the facts. */
static const char *lookup(const char *name, void *arg)
{
	const struct lookup_ctx *c = arg;
	if (str_starts_with(name, "vars.")) {
		const struct var *v = vars_get(&c->r->vars, name + 5);
		return v ? v->value : NULL;
	}
	return facts_lookup(c->f, name);
}

enum tri item_applies(const struct item *it, const struct resolved *r, const struct facts *f)
{
	struct lookup_ctx lc = { r, f };
	return it->when ? cond_eval(it->when, lookup, &lc) : TRI_TRUE;
}

static void judge(const struct resolved *r, const struct rcheck *rc, const struct facts *f,
		  const struct check_env *base, struct verify_item *it)
{
	const struct check *c = rc->def;
	struct check_env env = *base;

	check_result_init(&it->res);
	if (c->it.when) {
		enum tri t = item_applies(&c->it, r, f);
		if (t == TRI_FALSE) {
			it->res.status = CHECK_SKIPPED;
			it->res.summary = xasprintf("not applicable here: %s", c->it.when_node->str);
			goto out;
		}
		if (t == TRI_UNKNOWN) {
			check_error(&it->res, "cannot tell whether it applies: the facts do not decide '%s'",
				    c->it.when_node->str);
			goto out;
		}
	}
	if (!c->type || !c->type->eval) {
		check_error(&it->res, "check type '%s' cannot be judged by this version", c->it.type_name);
		goto out;
	}
	env.check_id = c->it.id;
	c->type->eval(&rc->params, &env, &it->res);
	if (!it->res.summary)
		check_error(&it->res, "check type '%s' gave no verdict", c->it.type_name);
out:
	it->raw = it->res.status;
	if (rc->waiver && (it->res.status == CHECK_FAIL || it->res.status == CHECK_ERROR))
		it->res.status = CHECK_WAIVED;
}

int verify_run(const struct resolved *r, const struct facts *f, const char *today,
	       const char *target, const char *eol_cache, struct verify_report *out)
{
	struct check_env env;
	long days = 0;

	memset(out, 0, sizeof(*out));
	out->r = r;
	out->f = f;
	out->target = xstrdup(target ? target : "");
	snprintf(out->today, sizeof(out->today), "%s", today);
	date_parse(today, &days);
	memset(&env, 0, sizeof(env));
	env.f = f;
	env.vars = &r->vars;
	env.today = days;
	env.now = (long long)time(NULL);
	env.eol_cache = eol_cache;
	out->items = xcalloc(r->nchecks ? r->nchecks : 1, sizeof(*out->items));
	for (size_t i = 0; i < r->nchecks; i++) {
		struct verify_item *it = &out->items[out->n++];
		it->rc = &r->checks[i];
		judge(r, it->rc, f, &env, it);
		out->counts[it->res.status]++;
	}
	return 0;
}

void verify_report_release(struct verify_report *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		check_result_release(&v->items[i].res);
	free(v->items);
	free(v->target);
	memset(v, 0, sizeof(*v));
}

int verify_compliant(const struct verify_report *v)
{
	return v->counts[CHECK_FAIL] == 0 && v->counts[CHECK_ERROR] == 0;
}
