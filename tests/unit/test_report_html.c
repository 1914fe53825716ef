/*
 * Unit tests of the HTML report (lib/report-html.c): a report built by hand
 * from a profile held in memory and results chosen per check, so that
 * hostile text from the target reaches every place the report shows it.
 * tests/tools/check-html.py checks the files the binary writes.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "profile.h"
#include "util.h"
#include "verify.h"

static const char profile_yaml[] =
	"name: html-test\n"
	"title: \"Report <b>test</b> & 'quotes'\"\n"
	"version: \"1.0\"\n"
	"verify:\n"
	"  - id: c-pass-10\n"
	"    type: command\n"
	"    title: passes, clause 1.10\n"
	"    severity: low\n"
	"    ref: \"1.10\"\n"
	"    with: { command: \"true\" }\n"
	"  - id: c-pass-2\n"
	"    type: command\n"
	"    title: passes, clause 1.2\n"
	"    severity: low\n"
	"    ref: \"1.2\"\n"
	"    with: { command: \"true\" }\n"
	"  - id: c-skip\n"
	"    type: command\n"
	"    title: does not apply, no clause\n"
	"    with: { command: \"true\" }\n"
	"  - id: c-waived\n"
	"    type: command\n"
	"    title: waived by the vendor\n"
	"    severity: medium\n"
	"    ref: \"2\"\n"
	"    with: { command: \"false\" }\n"
	"  - id: c-error\n"
	"    type: command\n"
	"    title: cannot be judged\n"
	"    severity: high\n"
	"    ref: \"1.2\"\n"
	"    with: { command: \"false\" }\n"
	"  - id: c-fail\n"
	"    type: command\n"
	"    title: \"fails <script>alert(1)</script>\"\n"
	"    severity: critical\n"
	"    ref: \"1.2\"\n"
	"    with: { command: \"false\" }\n"
	"waivers:\n"
	"  - check: c-waived\n"
	"    reason: \"the vendor's <i>accepted</i> risk\"\n"
	"    expires: \"2027-01-31\"\n";

/* What each check said, set as is: the report alone must make it safe. */
static const struct item_spec {
	const char *id;
	enum check_status raw;
	const char *summary;
	const char *evidence[4];
	const char *remedy;
} specs[] = {
	{ "c-pass-10", CHECK_PASS, "all good", { "seen: ok" }, NULL },
	{ "c-pass-2", CHECK_PASS, "fine", { NULL }, NULL },
	{ "c-skip", CHECK_SKIPPED, "not applicable here: os.family == \"suse\"", { NULL }, NULL },
	{ "c-waived", CHECK_FAIL, "agent missing", { "no agent process" }, "install the agent" },
	{ "c-error", CHECK_ERROR, "facts missing \x1b[2J\x07", { "ps: no output" }, NULL },
	{ "c-fail", CHECK_FAIL, "bad process <svg onload=alert(1)>",
	  { "<script>alert(\"x\")</script>", "' onmouseover='steal()", "tty \x1b]0;owned\x07 \x7f",
	    "bytes \xff\xfe and \xe2\x80\xae reversed" },
	  "kill it & remove \"it\"" },
};

struct fixture {
	struct loader *l;
	struct resolved *r;
	struct verify_report v;
};

static const struct rcheck *find_check(const struct resolved *r, const char *id)
{
	for (size_t i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].def->it.id, id))
			return &r->checks[i];
	fail_msg("no check '%s' in the test profile", id);
	return NULL;
}

/* The report verify_run would give, with the results of specs[]. */
static void build(struct fixture *fx, const struct facts *f, const char *target)
{
	struct loader_opts o = { TEST_TODAY, NULL };
	struct diags d;

	diags_init(&d);
	memset(fx, 0, sizeof(*fx));
	fx->l = loader_new(&o);
	if (loader_resolve_buffer(fx->l, "html-test.yaml", profile_yaml, strlen(profile_yaml),
				  &fx->r, &d) < 0) {
		char *text = test_diags_text(&d);
		fail_msg("the test profile does not load:\n%s", text);
	}
	diags_release(&d);

	struct verify_report *v = &fx->v;
	v->r = fx->r;
	v->f = f;
	v->target = xstrdup(target);
	memcpy(v->today, TEST_TODAY, sizeof(v->today));
	v->items = xcalloc(ARRAY_SIZE(specs), sizeof(*v->items));
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		const struct item_spec *s = &specs[i];
		struct verify_item *it = &v->items[v->n++];
		it->rc = find_check(fx->r, s->id);
		check_result_init(&it->res);
		it->res.status = it->raw = s->raw;
		it->res.summary = xstrdup(s->summary);
		for (size_t e = 0; e < ARRAY_SIZE(s->evidence) && s->evidence[e]; e++) {
			ALLOC_GROW(it->res.evidence, it->res.nevidence + 1, it->res.alloc);
			it->res.evidence[it->res.nevidence++] = xstrdup(s->evidence[e]);
		}
		it->res.remediation = s->remedy ? xstrdup(s->remedy) : NULL;
		if (it->rc->waiver && (s->raw == CHECK_FAIL || s->raw == CHECK_ERROR))
			it->res.status = CHECK_WAIVED;
		v->counts[it->res.status]++;
	}
}

static void release(struct fixture *fx)
{
	verify_report_release(&fx->v);
	resolved_free(fx->r);
	loader_free(fx->l);
}

/*
 * Every element closed, in the order opened, with no markup smuggled into
 * text: the shape an XML parser needs, checked without one. Attribute
 * values never hold '>' because the report escapes it.
 */
static void assert_balanced(const char *html)
{
	const char *open[64];
	size_t len[64], depth = 0;
	const char *p = html;

	assert_true(str_starts_with(p, "<!DOCTYPE html>\n"));
	p += strlen("<!DOCTYPE html>\n");
	while ((p = strchr(p, '<'))) {
		int closing = p[1] == '/';
		const char *name = p + 1 + closing;
		size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
		const char *end = strchr(name, '>');
		if (!n || !end)
			fail_msg("not a tag at: %.40s", p);
		if (closing) {
			if (!depth)
				fail_msg("</%.*s> closes nothing", (int)n, name);
			if (len[depth - 1] != n || strncmp(open[depth - 1], name, n))
				fail_msg("</%.*s> closes <%.*s>", (int)n, name, (int)len[depth - 1],
					 open[depth - 1]);
			depth--;
		} else if (end[-1] != '/') {
			assert_true(depth < ARRAY_SIZE(open));
			open[depth] = name;
			len[depth++] = n;
		}
		p = end + 1;
	}
	if (depth)
		fail_msg("<%.*s> is never closed", (int)len[depth - 1], open[depth - 1]);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void assert_has(const char *html, const char *needle)
{
	if (!strstr(html, needle))
		fail_msg("the report lacks '%s'", needle);
}

/* what a self-contained report may never hold, whatever the input */
static void assert_self_contained(const char *html)
{
	static const char *const banned[] = {
		"http://", "https://", "src=", "url(", "@import", "<script", "<link", "<img",
		"<svg", "<iframe", "<details",
	};
	for (size_t i = 0; i < ARRAY_SIZE(banned); i++)
		if (strstr(html, banned[i]))
			fail_msg("the report holds '%s'", banned[i]);
}

static void test_escaping(void **state)
{
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "root@evil\"<b>'host");
	char *html = report_html(&fx.v);

	assert_self_contained(html);
	assert_balanced(html);
	assert_has(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
	assert_has(html, "&#39; onmouseover=&#39;steal()");
	assert_has(html, "bad process &lt;svg onload=alert(1)&gt;");
	assert_has(html, "fails &lt;script&gt;alert(1)&lt;/script&gt;");
	assert_has(html, "kill it &amp; remove &quot;it&quot;");
	assert_has(html, "root@evil&quot;&lt;b&gt;&#39;host");
	assert_has(html, "Report &lt;b&gt;test&lt;/b&gt; &amp; &#39;quotes&#39;");
	/* control characters, bytes that are not UTF-8 and bidi overrides as codes */
	assert_has(html, "facts missing \\x1b[2J\\x07");
	assert_has(html, "tty \\x1b]0;owned\\x07 \\x7f");
	assert_has(html, "bytes \\xff\\xfe and \\u202e reversed");
	for (const char *p = html; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == 0xff)
			fail_msg("raw byte 0x%02x at offset %zu", c, (size_t)(p - html));
	}
	assert_null(strstr(html, "\xe2\x80\xae"));
	free(html);
	release(&fx);
}

static void test_summary(void **state)
{
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "10.0.0.5");
	char *html = report_html(&fx.v);

	assert_has(html, "<title>NOT COMPLIANT: html-test 1.0 on 10.0.0.5</title>");
	assert_has(html, "<strong>NOT COMPLIANT</strong>: 1 failed, 1 could not be judged.");
	assert_has(html, "<td id=\"count-fail\">1</td>");
	assert_has(html, "<td id=\"count-error\">1</td>");
	assert_has(html, "<td id=\"count-waived\">1</td>");
	assert_has(html, "<td id=\"count-pass\">2</td>");
	assert_has(html, "<td id=\"count-skipped\">1</td>");
	assert_has(html, "<td id=\"count-total\">6</td>");
	/* links go only to sections that exist, and only within the file */
	assert_has(html, "<a href=\"#status-fail\">fail</a>");
	assert_has(html, "id=\"status-fail\"");
	assert_has(html, "<dt>Judged on</dt><dd>" TEST_TODAY "</dd>");
	assert_has(html, "<dt>Target</dt><dd>10.0.0.5</dd>");
	free(html);
	release(&fx);
}

static void test_waiver(void **state)
{
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "t");
	char *html = report_html(&fx.v);
	const char *w = strstr(html, "id=\"check-c-waived\"");

	assert_non_null(w);
	assert_has(w, "<span class=\"badge\">WAIVED</span>");
	assert_has(w, "until <span class=\"expires\">2027-01-31</span>");
	assert_has(w, "would otherwise be <strong class=\"raw\">FAIL</strong>");
	assert_has(w, "<span class=\"reason\">the vendor&#39;s &lt;i&gt;accepted&lt;/i&gt; risk"
		      "</span>");
	/* the evidence and the fix of a waived check stay in the report */
	assert_has(w, "<li>no agent process</li>");
	assert_has(w, "<strong>Fix:</strong> install the agent");
	free(html);
	release(&fx);
}

/* Failed, errors, waived, passed, skipped; within each by clause, 1.2 before 1.10. */
static void test_order(void **state)
{
	static const char *const order[] = {
		"id=\"status-fail\"", "id=\"check-c-fail\"",     "id=\"status-error\"",
		"id=\"check-c-error\"", "id=\"status-waived\"",  "id=\"check-c-waived\"",
		"id=\"status-pass\"", "id=\"check-c-pass-2\"",   "id=\"check-c-pass-10\"",
		"id=\"status-skipped\"", "id=\"check-c-skip\"",
	};
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "t");
	char *html = report_html(&fx.v);
	const char *prev = html;

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		const char *at = strstr(html, order[i]);
		if (!at || at < prev)
			fail_msg("'%s' is missing or out of order", order[i]);
		prev = at;
	}
	/* the shared order is the text report's too */
	char *text = report_text(&fx.v, 0);
	const char *f = strstr(text, "c-fail"), *e = strstr(text, "c-error");
	const char *p2 = strstr(text, "c-pass-2"), *p10 = strstr(text, "c-pass-10");
	assert_true(f && e && p2 && p10 && f < e && e < p2 && p2 < p10);
	free(text);
	free(html);
	release(&fx);
}

/* One section per clause within a status; every check once; the page skeleton once. */
static void test_structure(void **state)
{
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "t");
	char *html = report_html(&fx.v);

	assert_balanced(html);
	assert_has(html, "<meta charset=\"utf-8\"/>");
	assert_int_equal(count(html, "<article "), ARRAY_SIZE(specs));
	assert_int_equal(count(html, "</article>"), ARRAY_SIZE(specs));
	/* fail 1.2, error 1.2, waived 2, pass 1.2 and 1.10, skipped without one */
	assert_int_equal(count(html, "<section class=\"clause\">"), 6);
	assert_int_equal(count(html, "<section class=\"group "), 5);
	assert_int_equal(count(html, "<h3>No clause</h3>"), 1);
	assert_int_equal(count(html, "<h3>Clause 1.2</h3>"), 3);
	static const char *const once[] = { "<html ", "<head>", "<body>", "<main>", "<style>",
					    "</style>", "</main>", "</body>", "</html>" };
	for (size_t i = 0; i < ARRAY_SIZE(once); i++)
		if (count(html, once[i]) != 1)
			fail_msg("'%s' appears %zu times", once[i], count(html, once[i]));
	/* printed: nothing hidden, a check kept on one page */
	assert_has(html, "@media print");
	assert_has(html, "break-inside:avoid");
	free(html);
	release(&fx);
}

/* With facts: what the target said about itself, escaped like the rest. */
static void test_facts(void **state)
{
	struct fixture fx;
	(void)state;
	struct facts *f = test_facts_from_transcript("debian-12");
	build(&fx, f, "root@testbed:2222");
	char *html = report_html(&fx.v);

	assert_self_contained(html);
	assert_balanced(html);
	assert_has(html, "<dt>System</dt><dd>Debian GNU/Linux 12 (bookworm)</dd>");
	assert_has(html, "<dt>Hostname</dt><dd>");
	assert_has(html, " UTC (target clock)</dd>");
	free(html);
	release(&fx);
	facts_free(f);
}

/* A profile with nothing to judge is compliant and still a whole page. */
static void test_empty(void **state)
{
	struct fixture fx;
	(void)state;
	build(&fx, NULL, "t");
	for (size_t i = 0; i < fx.v.n; i++)
		check_result_release(&fx.v.items[i].res);
	fx.v.n = 0;
	memset(fx.v.counts, 0, sizeof(fx.v.counts));
	char *html = report_html(&fx.v);

	assert_balanced(html);
	assert_self_contained(html);
	assert_has(html, "<strong>COMPLIANT</strong>");
	assert_has(html, "<td id=\"count-total\">0</td>");
	assert_null(strstr(html, "<article"));
	assert_null(strstr(html, "href="));
	free(html);
	release(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),  cmocka_unit_test(test_summary),
		cmocka_unit_test(test_waiver),    cmocka_unit_test(test_order),
		cmocka_unit_test(test_structure), cmocka_unit_test(test_facts),
		cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
