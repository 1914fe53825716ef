/* The text report: failures first with evidence and fix, grouped by clause. */
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "packer.h"
#include "strbuf.h"
#include "verify.h"
#include "version.h"
#include "banned.h"

#define EVIDENCE_SHOWN 20

/* how each status is shown */
static const struct {
	const char *label;
	const char *color;
} shown[] = {
	[CHECK_PASS] = { "PASS", "\033[32m" },     [CHECK_FAIL] = { "FAIL", "\033[1;31m" },
	[CHECK_ERROR] = { "ERROR", "\033[1;33m" }, [CHECK_SKIPPED] = { "SKIP", "\033[2m" },
	[CHECK_WAIVED] = { "WAIVED", "\033[36m" },
};

/* Where each status comes in a report: what needs action first. */
static const int status_rank[] = {
	[CHECK_FAIL] = 0, [CHECK_ERROR] = 1, [CHECK_WAIVED] = 2, [CHECK_PASS] = 3,
	[CHECK_SKIPPED] = 4,
};

/* Clause references compare number by number: 1.2 < 1.10. */
static int ref_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? -1 : b ? 1 : 0;
	while (*a && *b) {
		if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
			char *ea, *eb;
			long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
			if (x != y)
				return x < y ? -1 : 1;
			a = ea;
			b = eb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct verify_item *a = *(const struct verify_item *const *)pa;
	const struct verify_item *b = *(const struct verify_item *const *)pb;
	int c = status_rank[a->res.status] - status_rank[b->res.status];
	if (!c)
		c = ref_cmp(a->rc->def->ref, b->rc->def->ref);
	return c ? c : strcmp(a->rc->def->it.id, b->rc->def->it.id);
}

/* The text report sets the order; the other reports share it (verify.h). */
const struct verify_item **report_order(const struct verify_report *v)
{
	const struct verify_item **sorted = xcalloc(v->n ? v->n : 1, sizeof(*sorted));
	for (size_t i = 0; i < v->n; i++)
		sorted[i] = &v->items[i];
	qsort(sorted, v->n, sizeof(*sorted), item_cmp);
	return sorted;
}

char *report_text(const struct verify_report *v, int color)
{
	struct strbuf sb = STRBUF_INIT;
	const struct profile *top = v->r->top;
	const char *off = color ? "\033[0m" : "";
	const struct verify_item **sorted = report_order(v);

	strbuf_addf(&sb, "shelfready %s: profile %s%s%s on %s", SHELFREADY_VERSION,
		    top->name ? top->name : top->source, top->version ? " " : "",
		    top->version ? top->version : "", v->target);
	if (v->f && v->f->os.name)
		strbuf_addf(&sb, " (%s)", v->f->os.name);
	strbuf_addf(&sb, ", judged %s\n", v->today);
	if (v->artifact)
		strbuf_addf(&sb, "artifact %s of Packer build '%s' (%s), run %s, from %s\n",
			    *v->artifact->artifact_id ? v->artifact->artifact_id : "(no id)",
			    v->artifact->name, v->artifact->builder_type,
			    v->artifact->packer_run_uuid, v->artifact->manifest);
	strbuf_addf(&sb, "%s%s%s: %zu failed, %zu errors, %zu passed, %zu waived, %zu skipped\n",
		    color ? (verify_compliant(v) ? "\033[1;32m" : "\033[1;31m") : "",
		    verify_compliant(v) ? "COMPLIANT" : "NOT COMPLIANT", off, v->counts[CHECK_FAIL],
		    v->counts[CHECK_ERROR], v->counts[CHECK_PASS], v->counts[CHECK_WAIVED],
		    v->counts[CHECK_SKIPPED]);
	for (size_t i = 0; i < v->n; i++) {
		const struct verify_item *it = sorted[i];
		const struct check *c = it->rc->def;
		enum check_status st = it->res.status;
		int detail = st != CHECK_PASS && st != CHECK_SKIPPED;
		/* a blank line between the groups of one status */
		if (!i || sorted[i - 1]->res.status != st)
			strbuf_addch(&sb, '\n');
		strbuf_addf(&sb, "%s%-6s%s [%s] %s: %s (%s)\n", color ? shown[st].color : "",
			    shown[st].label, off, c->ref ? c->ref : "-", c->it.id,
			    c->it.title ? c->it.title : "", c->severity);
		strbuf_addf(&sb, "       %s\n", it->res.summary ? it->res.summary : "");
		if (st == CHECK_WAIVED)
			strbuf_addf(&sb, "       waived until %s (was %s): %s\n", it->rc->waiver->expires,
				    check_status_name(it->raw), it->rc->waiver->reason);
		if (!detail)
			continue;
		for (size_t e = 0; e < it->res.nevidence && e < EVIDENCE_SHOWN; e++)
			strbuf_addf(&sb, "       - %s\n", it->res.evidence[e]);
		if (it->res.nevidence > EVIDENCE_SHOWN)
			strbuf_addf(&sb, "       ... and %zu more (the JSON report has them all)\n",
				    it->res.nevidence - EVIDENCE_SHOWN);
		if (it->res.remediation)
			strbuf_addf(&sb, "       fix: %s\n", it->res.remediation);
	}
	free(sorted);
	return strbuf_detach(&sb);
}
