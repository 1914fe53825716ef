/* The remediation loop of `run`. */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "types.h"
#include "verify.h"
#include "ytree.h"
#include "banned.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void run_report_release(struct run_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->n; i++)
		free(rep->steps[i].summary);
	free(rep->steps);
	free(rep->left_running);
	memset(rep, 0, sizeof(*rep));
}

/* The value of controller variable name for step rs, into s; -1 and *err when unset. */
static int secret_of(const struct rstep *rs, const char *key, const char *name, struct secrets *s,
		     char **err)
{
	const char *val = getenv(name);
	if (!val || !*val) {
		*err = xasprintf("step '%s' needs the environment variable '%s' (%s): it is not set",
				 rs->def->it.id, name, key);
		return -1;
	}
	secrets_add(s, val);
	return 0;
}

int run_secrets(const struct resolved *r, struct secrets *s, char **err)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct rstep *rs = &r->steps[i];
		if (rs->enabled == ENABLED_NO)
			continue;
		for (size_t k = 0; k < rs->params.n; k++) {
			const struct param *p = &rs->params.v[k];
			if (!str_ends_with(p->spec->key, "_env"))
				continue;
			if (p->v.kind == PV_STRING && secret_of(rs, p->spec->key, p->v.s, s, err) < 0)
				return -1;
			for (size_t j = 0; p->v.kind == PV_LIST && j < p->v.n; j++)
				if (secret_of(rs, p->spec->key, p->v.items[j].s, s, err) < 0)
					return -1;
		}
	}
	return 0;
}

/* Gather facts into *f (replacing what it held); the command checks travel with them. */
static int gather(struct ssh_conn *c, const struct run_opts *o, struct facts **f, struct error *e)
{
	struct collect_opts co = { o->no_refresh, o->gather_timeout, NULL, NULL, o->checks,
				   o->nchecks };
	struct facts *nf = NULL;
	int ret = collect_facts(c, &co, &nf, NULL, NULL, e);
	if (ret)
		return ret;
	facts_free(*f);
	*f = nf;
	return 0;
}

/* Why a step does not run here, or NULL when it does (*unknown when the facts cannot tell). */
static const char *not_applicable(const struct resolved *r, const struct rstep *rs,
				  const struct facts *f, int *unknown)
{
	*unknown = 0;
	if (rs->enabled == ENABLED_NO)
		return "disabled by the profile's variables";
	switch (item_applies(&rs->def->it, r, f)) {
	case TRI_FALSE:
		return "not applicable here";
	case TRI_UNKNOWN:
		*unknown = 1;
		return "cannot tell whether it applies: the facts do not decide";
	default:
		return NULL;
	}
}

static void one_step(const struct resolved *r, struct ssh_conn *c, const struct run_opts *o,
		     size_t i, const struct facts *f, struct run_step *rsr, struct step_ctx *ctx,
		     struct step_result *res)
{
	const struct rstep *rs = &r->steps[i];
	const struct step *def = rs->def;
	const char *why;
	int unknown;

	memset(ctx, 0, sizeof(*ctx));
	ctx->c = c;
	ctx->f = f;
	ctx->r = r;
	ctx->rs = rs;
	ctx->dry_run = o->dry_run;
	ctx->index = i + 1;
	ctx->total = r->nsteps;
	ctx->base_dir = def->it.origin ? def->it.origin->base_dir : NULL;
	ctx->cancel = o->cancel;
	ctx->reconnect_wait = o->reconnect_wait;
	ctx->secrets = o->secrets;
	ctx->out = o->out;

	step_say(ctx, "%s%s%s%s", def->it.type_name, def->it.title ? ": " : "",
		 def->it.title ? def->it.title : "", o->dry_run ? " (dry run)" : "");
	why = not_applicable(r, rs, f, &unknown);
	if (why && unknown)
		step_failed(res, "%s '%s'", why, def->it.when_node ? def->it.when_node->str : "");
	else if (why)
		step_skipped(res, "%s%s%s", why, def->it.when_node ? ": " : "",
			     def->it.when_node ? def->it.when_node->str : "");
	else if (!def->type || !def->type->apply)
		step_failed(res, "step type '%s' cannot run in this version", def->it.type_name);
	else
		def->type->apply(&rs->params, ctx, res);
	rsr->ran = 1;
	rsr->status = res->status;
	rsr->summary = xstrdup(res->summary ? res->summary : "");
}

int run_steps(const struct resolved *r, struct ssh_conn *c, const struct run_opts *o,
	      struct run_report *rep, struct facts **facts, struct error *e)
{
	double t0 = now_s();
	int ret, stale = 0;

	memset(rep, 0, sizeof(*rep));
	rep->steps = xcalloc(r->nsteps ? r->nsteps : 1, sizeof(*rep->steps));
	rep->n = r->nsteps;
	for (size_t i = 0; i < r->nsteps; i++)
		rep->steps[i].rs = &r->steps[i];

	ret = gather(c, o, facts, e);
	if (ret)
		goto out;
	for (size_t i = 0; i < r->nsteps; i++) {
		struct run_step *rsr = &rep->steps[i];
		struct step_ctx ctx;
		struct step_result res;
		double s0 = now_s();

		if (o->cancel && *o->cancel) {
			rep->interrupted = 1;
			ret = error_set(e, SR_ERR_INTERRUPTED, "interrupted before step '%s'",
					r->steps[i].def->it.id);
			goto out;
		}
		if (stale) {
			ret = gather(c, o, facts, e);
			if (ret)
				goto out;
			stale = 0;
		}
		memset(&res, 0, sizeof(res));
		one_step(r, c, o, i, *facts, rsr, &ctx, &res);
		rsr->seconds = now_s() - s0;
		rep->counts[rsr->status]++;
		stale |= ctx.facts_stale || rsr->status == STEP_CHANGED;
		step_say(&ctx, "%s (%.1f s)%s%s", step_status_name(rsr->status), rsr->seconds,
			 rsr->summary[0] ? ": " : "", rsr->summary);
		if (res.err == SR_ERR_INTERRUPTED || (o->cancel && *o->cancel)) {
			rep->interrupted = 1;
			rep->left_running = ctx.left_running;
			ctx.left_running = NULL;
			ret = error_set(e, SR_ERR_INTERRUPTED, "interrupted in step '%s'",
					r->steps[i].def->it.id);
		} else if (rsr->status == STEP_FAILED && !r->steps[i].def->continue_on_error) {
			rep->stopped = 1;
			rep->err = res.err;
			ret = error_set(e, res.err && res.err != SR_ERR_REMOTE ? res.err : SR_ERR_REMOTE,
					"step '%s' failed: %s", r->steps[i].def->it.id, rsr->summary);
		}
		free(ctx.left_running);
		step_result_release(&res);
		if (ret)
			goto out;
	}
	/* the facts to verify: gathered again, with the command checks, when anything changed */
	if (stale && !o->dry_run)
		ret = gather(c, o, facts, e);
out:
	rep->seconds = now_s() - t0;
	return ret;
}
