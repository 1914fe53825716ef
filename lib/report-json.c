/* The JSON report (docs/report-json.md). */
#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "packer.h"
#include "verify.h"
#include "version.h"
#include "banned.h"

static void str_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

char *report_json(const struct verify_report *v)
{
	cJSON *root = cJSON_CreateObject();
	const struct profile *top = v->r->top;

	cJSON_AddStringToObject(root, "schema", REPORT_JSON_SCHEMA);
	cJSON *tool = cJSON_AddObjectToObject(root, "tool");
	cJSON_AddStringToObject(tool, "name", "shelfready");
	cJSON_AddStringToObject(tool, "version", SHELFREADY_VERSION);
	cJSON *prof = cJSON_AddObjectToObject(root, "profile");
	str_or_null(prof, "name", top->name);
	str_or_null(prof, "version", top->version);
	str_or_null(prof, "title", top->title);
	cJSON_AddStringToObject(prof, "source", top->source);
	cJSON *target = cJSON_AddObjectToObject(root, "target");
	cJSON_AddStringToObject(target, "name", v->target);
	str_or_null(target, "os", v->f ? v->f->os.name : NULL);
	str_or_null(target, "hostname", v->f ? v->f->meta.hostname : NULL);
	if (v->f && v->f->meta.time >= 0)
		cJSON_AddNumberToObject(target, "facts_time", (double)v->f->meta.time);
	else
		cJSON_AddNullToObject(target, "facts_time");
	if (v->artifact) {
		cJSON *art = cJSON_AddObjectToObject(root, "artifact");
		cJSON_AddStringToObject(art, "artifact_id", v->artifact->artifact_id);
		cJSON_AddStringToObject(art, "packer_run_uuid", v->artifact->packer_run_uuid);
		cJSON_AddStringToObject(art, "build_name", v->artifact->name);
		cJSON_AddStringToObject(art, "builder_type", v->artifact->builder_type);
		cJSON_AddStringToObject(art, "manifest", v->artifact->manifest);
	} else {
		cJSON_AddNullToObject(root, "artifact");
	}
	cJSON_AddStringToObject(root, "date", v->today);
	cJSON_AddBoolToObject(root, "compliant", verify_compliant(v));
	cJSON *counts = cJSON_AddObjectToObject(root, "counts");
	for (int s = CHECK_PASS; s <= CHECK_WAIVED; s++)
		cJSON_AddNumberToObject(counts, check_status_name((enum check_status)s), (double)v->counts[s]);
	cJSON *checks = cJSON_AddArrayToObject(root, "checks");
	for (size_t i = 0; i < v->n; i++) {
		const struct verify_item *it = &v->items[i];
		const struct check *c = it->rc->def;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", c->it.id);
		cJSON_AddStringToObject(o, "type", c->it.type_name);
		str_or_null(o, "title", c->it.title);
		cJSON_AddStringToObject(o, "severity", c->severity);
		str_or_null(o, "ref", c->ref);
		cJSON_AddStringToObject(o, "status", check_status_name(it->res.status));
		cJSON_AddStringToObject(o, "raw_status", check_status_name(it->raw));
		str_or_null(o, "summary", it->res.summary);
		cJSON *ev = cJSON_AddArrayToObject(o, "evidence");
		for (size_t e = 0; e < it->res.nevidence; e++)
			cJSON_AddItemToArray(ev, cJSON_CreateString(it->res.evidence[e]));
		str_or_null(o, "remediation", it->res.remediation);
		if (it->rc->waiver) {
			cJSON *w = cJSON_AddObjectToObject(o, "waiver");
			cJSON_AddStringToObject(w, "reason", it->rc->waiver->reason);
			cJSON_AddStringToObject(w, "expires", it->rc->waiver->expires);
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
