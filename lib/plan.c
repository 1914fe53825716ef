#include "plan.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "types.h"
#include "ytree.h"
#include "banned.h"

#define PLAN_TEXT_WIDTH 72

const char *enabled_name(enum enabled e)
{
	switch (e) {
	case ENABLED_YES: return "yes";
	case ENABLED_NO: return "no";
	case ENABLED_ON_TARGET: return "on-target";
	}
	return "?";
}

static const char *profile_label(const struct profile *p)
{
	return p->name ? p->name : p->source;
}

/* A string on one line: quoted and escaped when needed, long ones cut. */
static void add_short(struct strbuf *sb, const char *s)
{
	size_t lines = 1;
	for (const char *p = s; *p; p++)
		lines += *p == '\n' && p[1];
	size_t len = strlen(s);
	int plain = len && lines == 1 && len <= PLAN_TEXT_WIDTH && s[0] != ' ' && s[len - 1] != ' ';
	for (const char *p = s; plain && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			plain = 0;
	if (plain) {
		strbuf_addstr(sb, s);
		return;
	}
	struct strbuf esc = STRBUF_INIT;
	size_t first = strcspn(s, "\n");
	char *head = xstrndup(s, first > PLAN_TEXT_WIDTH ? PLAN_TEXT_WIDTH : first);
	strbuf_add_escaped(&esc, head);
	strbuf_addf(sb, "\"%s%s\"", esc.buf ? esc.buf : "", first > PLAN_TEXT_WIDTH || lines > 1 ? "..." : "");
	if (lines > 1)
		strbuf_addf(sb, " (%zu lines)", lines);
	free(head);
	strbuf_release(&esc);
}

static void add_pval(struct strbuf *sb, const struct pval *v, int indent)
{
	switch (v->kind) {
	case PV_STRING:
		add_short(sb, v->s);
		break;
	case PV_INT:
	case PV_BOOL:
		strbuf_addstr(sb, v->s);
		break;
	case PV_LIST:
		strbuf_addch(sb, '[');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			add_pval(sb, &v->items[i], indent);
		}
		strbuf_addch(sb, ']');
		break;
	case PV_MAP:
		for (size_t i = 0; i < v->n; i++) {
			strbuf_addch(sb, '\n');
			strbuf_indent(sb, indent + 2);
			strbuf_addf(sb, "%s: ", v->keys[i]);
			add_pval(sb, &v->items[i], indent + 2);
		}
		break;
	}
}

static void add_item(struct strbuf *sb, const struct item *it, const struct params *params,
		     enum enabled en, const struct resolved *r)
{
	const int ind = 8;
	if (it->title) {
		strbuf_indent(sb, ind);
		strbuf_addf(sb, "title: %s\n", it->title);
	}
	if (r->nchain > 1) {
		strbuf_indent(sb, ind);
		strbuf_addf(sb, "from: %s\n", profile_label(it->origin));
	}
	if (it->when_node) {
		strbuf_indent(sb, ind);
		strbuf_addf(sb, "when: %s  -> %s\n", it->when_node->str,
			    en == ENABLED_YES ? "runs" : en == ENABLED_NO ? "skipped" : "decided on the target");
	}
	if (!params->n)
		return;
	strbuf_indent(sb, ind);
	strbuf_addstr(sb, "with:\n");
	for (size_t i = 0; i < params->n; i++) {
		const struct param *p = &params->v[i];
		strbuf_indent(sb, ind + 2);
		strbuf_addf(sb, "%s: ", p->spec->key);
		add_pval(sb, &p->v, ind + 2);
		if (p->is_default)
			strbuf_addstr(sb, "  (default)");
		strbuf_addch(sb, '\n');
	}
}

char *plan_text(const struct resolved *r)
{
	struct strbuf sb = STRBUF_INIT;
	const struct profile *top = r->top;

	strbuf_addf(&sb, "profile %s", profile_label(top));
	if (top->version)
		strbuf_addf(&sb, " %s", top->version);
	strbuf_addf(&sb, "  (%s)\n", top->source);
	if (top->title)
		strbuf_addf(&sb, "  %s\n", top->title);
	if (r->nchain > 1) {
		strbuf_addstr(&sb, "extends: ");
		for (size_t i = 0; i < r->nchain; i++)
			strbuf_addf(&sb, "%s%s", i ? " -> " : "", profile_label(r->chain[i]));
		strbuf_addch(&sb, '\n');
	}
	if (r->vars.n) {
		strbuf_addstr(&sb, "vars:\n");
		for (size_t i = 0; i < r->vars.n; i++) {
			const struct var *v = &r->vars.v[i];
			strbuf_addf(&sb, "  %s = ", v->name);
			add_short(&sb, v->value);
			strbuf_addf(&sb, "  (%s)\n", v->origin);
		}
	}
	strbuf_addf(&sb, "remediate: %zu step%s\n", r->nsteps, r->nsteps == 1 ? "" : "s");
	for (size_t i = 0; i < r->nsteps; i++) {
		const struct rstep *s = &r->steps[i];
		strbuf_addf(&sb, "  [%zu/%zu] %s  (%s)%s%s\n", i + 1, r->nsteps, s->def->it.id,
			    s->def->it.type_name, s->enabled == ENABLED_NO ? "  skipped" : "",
			    s->def->continue_on_error ? "  continue_on_error" : "");
		add_item(&sb, &s->def->it, &s->params, s->enabled, r);
	}
	strbuf_addf(&sb, "verify: %zu check%s\n", r->nchecks, r->nchecks == 1 ? "" : "s");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rcheck *c = &r->checks[i];
		strbuf_addf(&sb, "  [%zu/%zu] %s  (%s, %s%s%s)%s\n", i + 1, r->nchecks, c->def->it.id,
			    c->def->it.type_name, c->def->severity, c->def->ref ? ", ref " : "",
			    c->def->ref ? c->def->ref : "", c->enabled == ENABLED_NO ? "  skipped" : "");
		if (c->waiver)
			strbuf_addf(&sb, "        waived until %s: %s\n", c->waiver->expires,
				    c->waiver->reason);
		add_item(&sb, &c->def->it, &c->params, c->enabled, r);
	}
	return strbuf_detach(&sb);
}

static cJSON *json_pval(const struct pval *v)
{
	cJSON *o;
	switch (v->kind) {
	case PV_STRING:
		return cJSON_CreateString(v->s);
	case PV_INT:
		return cJSON_CreateNumber((double)v->i);
	case PV_BOOL:
		return cJSON_CreateBool(v->i != 0);
	case PV_LIST:
		o = cJSON_CreateArray();
		for (size_t i = 0; i < v->n; i++)
			cJSON_AddItemToArray(o, json_pval(&v->items[i]));
		return o;
	case PV_MAP:
		o = cJSON_CreateObject();
		for (size_t i = 0; i < v->n; i++)
			cJSON_AddItemToObject(o, v->keys[i], json_pval(&v->items[i]));
		return o;
	}
	return cJSON_CreateNull();
}

static void json_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *json_item(const struct item *it, const struct params *params, enum enabled en,
			size_t index)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "index", (double)index);
	json_str(o, "id", it->id);
	json_str(o, "type", it->type_name);
	json_str(o, "title", it->title);
	json_str(o, "description", it->description);
	json_str(o, "from", profile_label(it->origin));
	json_str(o, "when", it->when_node ? it->when_node->str : NULL);
	json_str(o, "enabled", enabled_name(en));
	cJSON *p = cJSON_AddObjectToObject(o, "with");
	cJSON *defs = cJSON_AddArrayToObject(o, "defaults");
	for (size_t i = 0; i < params->n; i++) {
		cJSON_AddItemToObject(p, params->v[i].spec->key, json_pval(&params->v[i].v));
		if (params->v[i].is_default)
			cJSON_AddItemToArray(defs, cJSON_CreateString(params->v[i].spec->key));
	}
	return o;
}

char *plan_json(const struct resolved *r)
{
	cJSON *root = cJSON_CreateObject();
	const struct profile *top = r->top;

	cJSON_AddStringToObject(root, "schema", PLAN_JSON_SCHEMA);
	cJSON *prof = cJSON_AddObjectToObject(root, "profile");
	json_str(prof, "name", top->name);
	json_str(prof, "title", top->title);
	json_str(prof, "version", top->version);
	json_str(prof, "source", top->source);
	cJSON *chain = cJSON_AddArrayToObject(root, "extends_chain");
	for (size_t i = 0; i < r->nchain; i++)
		cJSON_AddItemToArray(chain, cJSON_CreateString(profile_label(r->chain[i])));
	cJSON *vars = cJSON_AddArrayToObject(root, "vars");
	for (size_t i = 0; i < r->vars.n; i++) {
		cJSON *v = cJSON_CreateObject();
		cJSON_AddStringToObject(v, "name", r->vars.v[i].name);
		cJSON_AddStringToObject(v, "value", r->vars.v[i].value);
		cJSON_AddStringToObject(v, "origin", r->vars.v[i].origin);
		cJSON_AddItemToArray(vars, v);
	}
	cJSON *steps = cJSON_AddArrayToObject(root, "steps");
	for (size_t i = 0; i < r->nsteps; i++) {
		cJSON *o = json_item(&r->steps[i].def->it, &r->steps[i].params, r->steps[i].enabled,
				     i + 1);
		cJSON_AddBoolToObject(o, "continue_on_error", r->steps[i].def->continue_on_error);
		cJSON_AddItemToArray(steps, o);
	}
	cJSON *checks = cJSON_AddArrayToObject(root, "checks");
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct rcheck *c = &r->checks[i];
		cJSON *o = json_item(&c->def->it, &c->params, c->enabled, i + 1);
		json_str(o, "severity", c->def->severity);
		json_str(o, "ref", c->def->ref);
		if (c->waiver) {
			cJSON *w = cJSON_AddObjectToObject(o, "waiver");
			cJSON_AddStringToObject(w, "reason", c->waiver->reason);
			cJSON_AddStringToObject(w, "expires", c->waiver->expires);
			cJSON_AddStringToObject(w, "from", profile_label(c->waiver->origin));
		} else {
			cJSON_AddNullToObject(o, "waiver");
		}
		cJSON_AddItemToArray(checks, o);
	}
	char *text = cJSON_Print(root);
	cJSON_Delete(root);
	char *out = xstrdup(text ? text : "null");
	cJSON_free(text);
	return out;
}
