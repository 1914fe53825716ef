/*
 * The HTML report: one self-contained file for people who review an image,
 * on screen or on paper. It holds no script and refers to nothing outside
 * itself, so that it opens offline and in viewers that block both. It is
 * written as polyglot markup (every element closed, attributes quoted, only
 * numeric character references) so that any XML parser can check it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "packer.h"
#include "strbuf.h"
#include "verify.h"
#include "version.h"
#include "banned.h"

/*
 * How each status is shown. The word carries the meaning; the colour and
 * the border style are second cues, so that a black-and-white print loses
 * nothing. The class names are check_status_name() with a prefix.
 */
static const struct {
	const char *label;
	const char *heading;
} shown[] = {
	[CHECK_PASS] = { "PASS", "Passed" },
	[CHECK_FAIL] = { "FAIL", "Failed" },
	[CHECK_ERROR] = { "ERROR", "Could not be judged" },
	[CHECK_SKIPPED] = { "SKIP", "Skipped (not applicable)" },
	[CHECK_WAIVED] = { "WAIVED", "Waived" },
};

/* The summary lists the counts in the order the checks follow. */
static const enum check_status count_order[] = {
	CHECK_FAIL, CHECK_ERROR, CHECK_WAIVED, CHECK_PASS, CHECK_SKIPPED,
};

/* Light colours only, so that neither screen nor print needs a dark page. */
static const char css[] =
	":root{color-scheme:light}\n"
	"body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff;"
	"max-width:62rem;margin:0 auto;padding:1.5rem}\n"
	"h1{font-size:1.5rem;margin:0 0 1rem}\n"
	"h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #999}\n"
	"h3{font-size:1.05rem;margin:1.25rem 0 .5rem;color:#333}\n"
	"h4{font-size:1rem;margin:0 0 .3rem}\n"
	"code,.evidence{font-family:ui-monospace,monospace;font-size:.9em}\n"
	"a{color:inherit}\n"
	".verdict{font-size:1.15rem;padding:.5rem .75rem;border:3px solid}\n"
	".verdict.ok{color:#1e6b2e;border-color:#1e6b2e;background:#e9f5ec}\n"
	".verdict.bad{color:#a1141e;border-color:#a1141e;border-style:double;background:#fdecee}\n"
	"table.counts{border-collapse:collapse;margin:.75rem 0}\n"
	"table.counts th,table.counts td{border:1px solid #bbb;padding:.2rem .75rem;"
	"text-align:left}\n"
	"table.counts td{text-align:right;font-variant-numeric:tabular-nums}\n"
	"dl.about{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}\n"
	"dl.about dt{font-weight:bold}\n"
	"dl.about dd{margin:0;overflow-wrap:anywhere}\n"
	".check{border:1px solid #ccc;border-left:.5rem solid var(--c);padding:.6rem .8rem;"
	"margin:0 0 .75rem;background:#fff}\n"
	".badge{display:inline-block;min-width:4.5em;text-align:center;font-weight:bold;"
	"letter-spacing:.05em;color:var(--c);background:var(--bg);border:2px solid var(--c);"
	"border-radius:3px;padding:0 .3em;margin-right:.4em}\n"
	".st-fail{--c:#a1141e;--bg:#fdecee}\n"
	".st-error{--c:#8a5300;--bg:#fff3d6}\n"
	".st-waived{--c:#0b5d73;--bg:#e4f3f7}\n"
	".st-pass{--c:#1e6b2e;--bg:#e9f5ec}\n"
	".st-skipped{--c:#5c5c5c;--bg:#f0f0f0}\n"
	/* the border tells the statuses apart where colour is lost */
	".check.st-error{border-left-style:double}\n"
	".check.st-waived{border-left-style:dashed}\n"
	".check.st-skipped{border-left-style:dotted}\n"
	".meta{color:#444;margin:0 0 .4rem}\n"
	".summary{margin:.2rem 0}\n"
	".label{font-weight:bold;margin:.4rem 0 .1rem}\n"
	"ul.evidence{margin:0;padding-left:1.25rem}\n"
	"ul.evidence li{white-space:pre-wrap;overflow-wrap:anywhere}\n"
	".fix,.waiver{margin:.4rem 0 0;padding:.3rem .5rem;border-left:3px solid #888}\n"
	".waiver{border-left-style:dashed}\n"
	"footer{margin-top:2rem;color:#555;font-size:.85em}\n"
	"@page{margin:15mm}\n"
	"@media print{\n"
	"body{font-size:10pt;max-width:none;padding:0;color:#000}\n"
	"*{background:transparent!important}\n"
	".check{break-inside:avoid;page-break-inside:avoid}\n"
	"h2,h3,h4{break-after:avoid;page-break-after:avoid}\n"
	"a{text-decoration:none}\n"
	"}\n";

/*
 * The code point of the UTF-8 sequence at s and its length, or 0 when the
 * bytes are not UTF-8 (cut short, overlong, a surrogate, beyond U+10FFFF).
 * The terminating NUL is not a continuation byte, so no read goes past it.
 */
static size_t utf8_char(const unsigned char *s, unsigned long *cp)
{
	size_t n;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2, c = s[0] & 0x1fu, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3, c = s[0] & 0x0fu, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4, c = s[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Characters a reader should see as codes rather than have act: C1
 * controls, the bidirectional overrides and isolates that can reorder
 * evidence on screen, and the two that XML does not allow.
 */
static int shown_as_code(unsigned long c)
{
	return (c >= 0x80 && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
	       (c >= 0x2066 && c <= 0x2069) || c == 0xfffe || c == 0xffff;
}

/*
 * Text for element content and attribute values alike: markup escaped,
 * control characters and bytes that are not UTF-8 shown as \xNN (as the
 * JUnit report does), so that hostile output from the target stays inert
 * and the file stays well-formed.
 */
static void html_text(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (p && *p) {
		unsigned long c;
		size_t n = utf8_char(p, &c);
		if (!n) {
			strbuf_addf(sb, "\\x%02x", *p++);
			continue;
		}
		switch (c) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&#39;"); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				strbuf_addf(sb, "\\x%02lx", c);
			else if (shown_as_code(c))
				strbuf_addf(sb, "\\u%04lx", c);
			else
				strbuf_add(sb, p, n);
		}
		p += n;
	}
}

/* open, then s escaped, then close: the shape of most lines below */
static void elem(struct strbuf *sb, const char *open, const char *s, const char *close)
{
	strbuf_addstr(sb, open);
	html_text(sb, s);
	strbuf_addstr(sb, close);
}

/* "name version", or the source when the profile has no name */
static void profile_label(struct strbuf *sb, const struct profile *p)
{
	html_text(sb, p->name ? p->name : p->source);
	if (p->version) {
		strbuf_addch(sb, ' ');
		html_text(sb, p->version);
	}
}

static void head(struct strbuf *sb, const struct verify_report *v)
{
	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
		"<meta name=\"generator\" content=\"shelfready " SHELFREADY_VERSION "\"/>\n"
		"<title>");
	strbuf_addstr(sb, verify_compliant(v) ? "COMPLIANT" : "NOT COMPLIANT");
	strbuf_addstr(sb, ": ");
	profile_label(sb, v->r->top);
	elem(sb, " on ", v->target, "</title>\n");
	strbuf_addf(sb, "<style>\n%s</style>\n</head>\n", css);
}

/* when the target's clock says the facts were gathered, in UTC */
static void facts_time(struct strbuf *sb, const struct verify_report *v)
{
	struct tm tm;
	char buf[64];
	time_t t;

	if (!v->f || v->f->meta.time < 0)
		return;
	t = (time_t)v->f->meta.time;
	/* a hostile clock can be out of range: then the date is left out */
	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm))
		return;
	strbuf_addf(sb, "<dt>Facts gathered</dt><dd>%s (target clock)</dd>\n", buf);
}

static void about(struct strbuf *sb, const struct verify_report *v)
{
	const struct resolved *r = v->r;
	const struct profile *top = r->top;

	strbuf_addstr(sb, "<dl class=\"about\">\n<dt>Profile</dt><dd>");
	profile_label(sb, top);
	if (top->title)
		elem(sb, " (", top->title, ")");
	strbuf_addstr(sb, "</dd>\n");
	if (r->nchain > 1) {
		strbuf_addstr(sb, "<dt>Extends</dt><dd>");
		/* the chain ends with the top profile itself */
		for (size_t i = 0; i + 1 < r->nchain; i++) {
			if (i)
				strbuf_addstr(sb, ", ");
			profile_label(sb, r->chain[i]);
		}
		strbuf_addstr(sb, "</dd>\n");
	}
	elem(sb, "<dt>Target</dt><dd>", v->target, "</dd>\n");
	if (v->artifact) {
		elem(sb, "<dt>Artifact</dt><dd><code>", v->artifact->artifact_id, "</code>");
		elem(sb, " of Packer build <code>", v->artifact->name, "</code>");
		elem(sb, " (", v->artifact->builder_type, ")");
		elem(sb, ", run ", v->artifact->packer_run_uuid, "");
		elem(sb, ", from ", v->artifact->manifest, "</dd>\n");
	}
	if (v->f && v->f->meta.hostname)
		elem(sb, "<dt>Hostname</dt><dd>", v->f->meta.hostname, "</dd>\n");
	if (v->f && v->f->os.name)
		elem(sb, "<dt>System</dt><dd>", v->f->os.name, "</dd>\n");
	facts_time(sb, v);
	elem(sb, "<dt>Judged on</dt><dd>", v->today, "</dd>\n");
	strbuf_addstr(sb, "<dt>Tool</dt><dd>shelfready " SHELFREADY_VERSION "</dd>\n</dl>\n");
}

static void summary(struct strbuf *sb, const struct verify_report *v)
{
	strbuf_addstr(sb, "<section id=\"summary\">\n<h2>Summary</h2>\n");
	if (verify_compliant(v))
		strbuf_addstr(sb, "<p class=\"verdict ok\"><strong>COMPLIANT</strong>: "
			"no check failed and every check could be judged.</p>\n");
	else
		strbuf_addf(sb, "<p class=\"verdict bad\"><strong>NOT COMPLIANT</strong>: "
			    "%zu failed, %zu could not be judged.</p>\n",
			    v->counts[CHECK_FAIL], v->counts[CHECK_ERROR]);
	strbuf_addstr(sb, "<table class=\"counts\">\n<tbody>\n");
	for (size_t i = 0; i < ARRAY_SIZE(count_order); i++) {
		enum check_status s = count_order[i];
		const char *name = check_status_name(s);
		strbuf_addf(sb, "<tr class=\"st-%s\"><th scope=\"row\">", name);
		/* a link only where there is a section to go to */
		if (v->counts[s])
			strbuf_addf(sb, "<a href=\"#status-%s\">%s</a>", name, name);
		else
			strbuf_addstr(sb, name);
		strbuf_addf(sb, "</th><td id=\"count-%s\">%zu</td></tr>\n", name, v->counts[s]);
	}
	strbuf_addf(sb, "<tr><th scope=\"row\">total</th><td id=\"count-total\">%zu</td></tr>\n",
		    v->n);
	strbuf_addstr(sb, "</tbody>\n</table>\n");
	about(sb, v);
	strbuf_addstr(sb, "</section>\n");
}

static void check_item(struct strbuf *sb, const struct verify_item *it)
{
	const struct check *c = it->rc->def;
	const struct check_result *res = &it->res;
	enum check_status s = res->status;

	strbuf_addf(sb, "<article class=\"check st-%s\" id=\"check-", check_status_name(s));
	html_text(sb, c->it.id);
	strbuf_addf(sb, "\">\n<h4><span class=\"badge\">%s</span> ", shown[s].label);
	elem(sb, "<code>", c->it.id, "</code>");
	if (c->it.title)
		elem(sb, " ", c->it.title, "");
	elem(sb, "</h4>\n<p class=\"meta\">severity <strong>", c->severity, "</strong>");
	if (c->ref)
		elem(sb, " &#183; clause ", c->ref, "");
	elem(sb, " &#183; type ", c->it.type_name, "</p>\n");
	if (c->it.description)
		elem(sb, "<p class=\"description\">", c->it.description, "</p>\n");
	elem(sb, "<p class=\"summary\">", res->summary, "</p>\n");
	if (s == CHECK_WAIVED && it->rc->waiver) {
		const struct waiver *w = it->rc->waiver;
		elem(sb, "<p class=\"waiver\"><strong>Waived</strong> until "
		     "<span class=\"expires\">", w->expires, "");
		strbuf_addf(sb, "</span>; it would otherwise be <strong class=\"raw\">%s</strong>. "
			    "Reason: <span class=\"reason\">", shown[it->raw].label);
		html_text(sb, w->reason);
		strbuf_addstr(sb, "</span></p>\n");
	}
	if (res->nevidence) {
		strbuf_addstr(sb, "<p class=\"label\">Evidence</p>\n<ul class=\"evidence\">\n");
		for (size_t e = 0; e < res->nevidence; e++)
			elem(sb, "<li>", res->evidence[e], "</li>\n");
		strbuf_addstr(sb, "</ul>\n");
	}
	if (res->remediation)
		elem(sb, "<p class=\"fix\"><strong>Fix:</strong> ", res->remediation, "</p>\n");
	strbuf_addstr(sb, "</article>\n");
}

static int same_ref(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

/*
 * The checks in report order: a section per status, and in it a section
 * per clause, opened whenever the status or the clause changes.
 */
static void checks(struct strbuf *sb, const struct verify_report *v)
{
	const struct verify_item **sorted = report_order(v);

	for (size_t i = 0; i < v->n; i++) {
		const struct verify_item *it = sorted[i], *prev = i ? sorted[i - 1] : NULL;
		enum check_status s = it->res.status;
		const char *ref = it->rc->def->ref;
		int new_group = !prev || prev->res.status != s;
		int new_clause = new_group || !same_ref(prev->rc->def->ref, ref);

		if (prev && new_clause)
			strbuf_addstr(sb, "</section>\n");
		if (prev && new_group)
			strbuf_addstr(sb, "</section>\n");
		if (new_group) {
			const char *name = check_status_name(s);
			strbuf_addf(sb, "<section class=\"group st-%s\" id=\"status-%s\">\n"
				    "<h2>%s (%zu)</h2>\n",
				    name, name, shown[s].heading, v->counts[s]);
		}
		if (new_clause) {
			strbuf_addstr(sb, "<section class=\"clause\">\n");
			if (ref)
				elem(sb, "<h3>Clause ", ref, "</h3>\n");
			else
				strbuf_addstr(sb, "<h3>No clause</h3>\n");
		}
		check_item(sb, it);
	}
	if (v->n)
		strbuf_addstr(sb, "</section>\n</section>\n");
	free(sorted);
}

char *report_html(const struct verify_report *v)
{
	struct strbuf sb = STRBUF_INIT;

	head(&sb, v);
	strbuf_addstr(&sb, "<body>\n<header>\n<h1>shelfready report: ");
	profile_label(&sb, v->r->top);
	elem(&sb, " on ", v->target, "</h1>\n</header>\n<main>\n");
	summary(&sb, v);
	checks(&sb, v);
	elem(&sb, "</main>\n<footer>\n<p>Written by shelfready " SHELFREADY_VERSION " on ",
	     v->today, ". Checks are listed failed first, then could not be judged, waived, "
	     "passed and skipped; within each, by clause of the standard.</p>\n"
	     "</footer>\n</body>\n</html>\n");
	return strbuf_detach(&sb);
}
