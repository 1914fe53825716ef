/* The JUnit XML report: one testcase per check, for CI dashboards. */
#include <stdlib.h>
#include <string.h>

#include "packer.h"
#include "strbuf.h"
#include "verify.h"
#include "banned.h"

/* Text for XML 1.0: markup escaped, characters XML cannot hold shown as \xNN. */
static void xml_text(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				strbuf_addf(sb, "\\x%02x", c);
			else
				strbuf_addch(sb, (char)c);
		}
	}
}

static void details(struct strbuf *sb, const struct check_result *r)
{
	for (size_t e = 0; e < r->nevidence; e++) {
		xml_text(sb, r->evidence[e]);
		strbuf_addch(sb, '\n');
	}
	if (r->remediation) {
		strbuf_addstr(sb, "fix: ");
		xml_text(sb, r->remediation);
		strbuf_addch(sb, '\n');
	}
}

char *report_junit(const struct verify_report *v)
{
	struct strbuf sb = STRBUF_INIT;
	const struct profile *top = v->r->top;
	const char *suite = top->name ? top->name : top->source;
	size_t skipped = v->counts[CHECK_SKIPPED] + v->counts[CHECK_WAIVED];

	strbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(&sb, "<testsuites name=\"shelfready\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
		    v->n, v->counts[CHECK_FAIL], v->counts[CHECK_ERROR], skipped);
	strbuf_addstr(&sb, "  <testsuite name=\"");
	xml_text(&sb, suite);
	strbuf_addf(&sb, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" hostname=\"",
		    v->n, v->counts[CHECK_FAIL], v->counts[CHECK_ERROR], skipped);
	xml_text(&sb, v->target);
	strbuf_addf(&sb, "\" timestamp=\"%sT00:00:00\">\n", v->today);
	if (v->artifact) {
		const struct packer_build *a = v->artifact;
		const char *props[][2] = { { "artifact_id", a->artifact_id },
					   { "packer_run_uuid", a->packer_run_uuid },
					   { "build_name", a->name },
					   { "builder_type", a->builder_type },
					   { "manifest", a->manifest } };
		strbuf_addstr(&sb, "    <properties>\n");
		for (size_t i = 0; i < ARRAY_SIZE(props); i++) {
			strbuf_addf(&sb, "      <property name=\"packer.%s\" value=\"", props[i][0]);
			xml_text(&sb, props[i][1]);
			strbuf_addstr(&sb, "\"/>\n");
		}
		strbuf_addstr(&sb, "    </properties>\n");
	}
	for (size_t i = 0; i < v->n; i++) {
		const struct verify_item *it = &v->items[i];
		const struct check *c = it->rc->def;
		strbuf_addstr(&sb, "    <testcase classname=\"");
		xml_text(&sb, suite);
		if (c->ref) {
			strbuf_addstr(&sb, ".clause-");
			xml_text(&sb, c->ref);
		}
		strbuf_addstr(&sb, "\" name=\"");
		xml_text(&sb, c->it.id);
		if (c->it.title) {
			strbuf_addstr(&sb, ": ");
			xml_text(&sb, c->it.title);
		}
		strbuf_addstr(&sb, "\">\n");
		const char *el = NULL;
		switch (it->res.status) {
		case CHECK_FAIL: el = "failure"; break;
		case CHECK_ERROR: el = "error"; break;
		case CHECK_SKIPPED:
		case CHECK_WAIVED: el = "skipped"; break;
		case CHECK_PASS: break;
		}
		if (el) {
			strbuf_addf(&sb, "      <%s message=\"", el);
			if (it->res.status == CHECK_WAIVED) {
				strbuf_addf(&sb, "waived until %s (was %s): ", it->rc->waiver->expires,
					    check_status_name(it->raw));
				xml_text(&sb, it->rc->waiver->reason);
			} else {
				xml_text(&sb, it->res.summary);
			}
			strbuf_addf(&sb, "\" type=\"%s\">", check_status_name(it->res.status));
			details(&sb, &it->res);
			strbuf_addf(&sb, "</%s>\n", el);
		} else {
			strbuf_addstr(&sb, "      <system-out>");
			xml_text(&sb, it->res.summary);
			strbuf_addch(&sb, '\n');
			details(&sb, &it->res);
			strbuf_addstr(&sb, "</system-out>\n");
		}
		strbuf_addstr(&sb, "    </testcase>\n");
	}
	strbuf_addstr(&sb, "  </testsuite>\n</testsuites>\n");
	return strbuf_detach(&sb);
}
