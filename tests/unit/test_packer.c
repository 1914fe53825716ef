/*
 * Packer's manifest (lib/packer.c): which build of which run is picked from
 * the fixtures in tests/data/packer/, every way a manifest can be wrong, and
 * the artifact as each report shows it.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "packer.h"
#include "profile.h"
#include "util.h"
#include "verify.h"

struct row {
	const char *file; /* under tests/data/packer/ */
	const char *name; /* --packer-build, or NULL */
	/* picked: */
	const char *build, *type, *artifact, *uuid;
	/* or refused, with this in the message: */
	const char *error;
};

static const struct row rows[] = {
	{ "one-build.json", NULL, "testbed", "null", "Null", "208083b7-b08b-d4c4-bed2-c55cdcc7692b" },
	{ "one-build.json", "testbed", "testbed", "null", "Null",
	  "208083b7-b08b-d4c4-bed2-c55cdcc7692b" },
	/* an earlier run's build of the same name is not the artifact */
	{ "two-runs.json", NULL, "vendor", "amazon-ebs",
	  "us-east-1:ami-0fedcba9876543210,eu-west-1:ami-0aaaabbbbccccdddd",
	  "66666666-7777-8888-9999-000000000000" },
	{ "two-builds.json", "aws", "aws", "amazon-ebs", "us-east-1:ami-0fedcba9876543210",
	  "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
	{ "two-builds.json", "alibaba", "alibaba", "alicloud-ecs",
	  "cn-hangzhou:m-bp1abcdefghijklmnopq", "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" },
	/* the manifest appends: the later entry of a name wins */
	{ "repeated.json", "vm", "vm", "qemu", "VM-again", "r1" },
	{ "markup.json", NULL, "a<b>&\"c'", "null", "<script>x</script>", "r1" },
	{ "two-builds.json", NULL, .error = "Packer manifest '@/two-builds.json' has 2 builds of its "
					    "last run ('alibaba', 'aws'): name one with --packer-build" },
	{ "two-builds.json", "gcp", .error = "Packer manifest '@/two-builds.json' has no build named "
					     "'gcp' in its last run; it has 'alibaba', 'aws'" },
	{ "two-runs.json", "other", .error = "has no build named 'other' in its last run; it has "
					     "'vendor'" },
	{ "stale.json", NULL, .error = "Packer manifest '@/stale.json' has no build of its last run "
				       "(last_run_uuid 'new-run')" },
	{ "no-builds.json", NULL, .error = "Packer manifest '@/no-builds.json' has no builds" },
	{ "not-manifest.json", NULL, .error = "'@/not-manifest.json' is not a Packer manifest: it has "
					      "no \"builds\" array" },
	{ "bad.json", NULL, .error = "Packer manifest '@/bad.json' is not valid JSON (near "
				     "line 3)" },
	{ "empty.json", NULL, .error = "Packer manifest '@/empty.json' is empty" },
	{ "no-last-run-uuid.json", NULL, .error = "has no \"last_run_uuid\"" },
	{ "no-artifact-id.json", NULL, .error = "builds[0] has no \"artifact_id\" string" },
	{ "no-run-uuid.json", NULL, .error = "builds[0] has no \"packer_run_uuid\" string" },
	{ "control.json", NULL, .error = "builds[0].artifact_id holds control characters" },
	{ "missing.json", NULL, .error = "cannot read Packer manifest '@/missing.json': No such file "
					 "or directory" },
};

/* s with "@" replaced by the fixture directory (owned) */
static char *expand(const char *s)
{
	const char *at = strchr(s, '@');
	if (!at)
		return xstrdup(s);
	return xasprintf("%.*s%s/packer%s", (int)(at - s), s, test_data_dir(), at + 1);
}

static int same(const char *want, const char *got)
{
	return got && !strcmp(want, got);
}

static void test_manifest_table(void **state)
{
	int failed = 0;
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *r = &rows[i];
		char *path = xasprintf("%s/packer/%s", test_data_dir(), r->file);
		struct packer_build b = PACKER_BUILD_INIT;
		struct error e = ERROR_INIT;
		int ret = packer_manifest_read(path, r->name, &b, &e);
		int ok;
		if (r->error) {
			char *want = expand(r->error);
			ok = ret == SR_ERR_USAGE && e.msg && strstr(e.msg, want) && !b.name &&
			     !b.manifest;
			free(want);
		} else {
			ok = ret == 0 && same(r->build, b.name) && same(r->type, b.builder_type) &&
			     same(r->artifact, b.artifact_id) && same(r->uuid, b.packer_run_uuid) &&
			     same(path, b.manifest);
		}
		if (!ok) {
			print_error("row %zu (%s, %s): ret %d, build %s %s %s %s, error %s\n", i, r->file,
				    r->name ? r->name : "-", ret, b.name ? b.name : "-",
				    b.builder_type ? b.builder_type : "-",
				    b.artifact_id ? b.artifact_id : "-",
				    b.packer_run_uuid ? b.packer_run_uuid : "-", e.msg ? e.msg : "-");
			failed++;
		}
		packer_build_release(&b);
		error_release(&e);
		free(path);
	}
	assert_int_equal(failed, 0);
}

/* What commands call: nothing asked, a name alone, a manifest. */
static void test_pick(void **state)
{
	struct packer_build *b = (struct packer_build *)1;
	struct error e = ERROR_INIT;
	(void)state;

	assert_int_equal(packer_pick(NULL, NULL, &b, &e), 0);
	assert_null(b);
	assert_int_equal(packer_pick(NULL, "aws", &b, &e), SR_ERR_USAGE);
	assert_null(b);
	assert_string_equal(e.msg, "--packer-build 'aws' needs --packer-manifest FILE to pick it from");
	char *path = xasprintf("%s/packer/two-builds.json", test_data_dir());
	assert_int_equal(packer_pick(path, NULL, &b, &e), SR_ERR_USAGE);
	assert_null(b);
	assert_int_equal(packer_pick(path, "aws", &b, &e), 0);
	assert_non_null(b);
	assert_string_equal(b->artifact_id, "us-east-1:ami-0fedcba9876543210");
	packer_build_free(b);
	packer_build_free(NULL);
	packer_build_release(NULL);
	free(path);
	error_release(&e);
}

/* ---- the artifact in the reports ---- */

static const char profile_yaml[] = "name: packer-test\nversion: \"1\"\n";

struct fixture {
	struct loader *l;
	struct resolved *r;
	struct verify_report v;
	struct packer_build b;
};

static void report_setup(struct fixture *fx, const char *manifest, const char *name)
{
	struct loader_opts o = { TEST_TODAY, NULL };
	struct diags d;
	struct error e = ERROR_INIT;
	char *path = xasprintf("%s/packer/%s", test_data_dir(), manifest);

	memset(fx, 0, sizeof(*fx));
	diags_init(&d);
	fx->l = loader_new(&o);
	if (loader_resolve_buffer(fx->l, "packer-test.yaml", profile_yaml, strlen(profile_yaml),
				  &fx->r, &d) < 0)
		fail_msg("the test profile does not load:\n%s", test_diags_text(&d));
	diags_release(&d);
	verify_run(fx->r, NULL, TEST_TODAY, "facts from output/facts.json", NULL, &fx->v);
	if (packer_manifest_read(path, name, &fx->b, &e) < 0)
		fail_msg("%s", e.msg);
	fx->v.artifact = &fx->b;
	free(path);
}

static void report_teardown(struct fixture *fx)
{
	verify_report_release(&fx->v);
	packer_build_release(&fx->b);
	resolved_free(fx->r);
	loader_free(fx->l);
}

static void assert_has(const char *report, const char *needle)
{
	if (!strstr(report, needle))
		fail_msg("the report lacks '%s':\n%s", needle, report);
}

/* The text of a manifest in memory: no file needed, and the path is only a name. */
static void test_parse_buffer(void **state)
{
	static const char json[] = "{\"builds\":[{\"name\":\"n\",\"builder_type\":\"qemu\","
				   "\"artifact_id\":\"\",\"packer_run_uuid\":\"u\"}],"
				   "\"last_run_uuid\":\"u\"}";
	struct packer_build b = PACKER_BUILD_INIT;
	struct error e = ERROR_INIT;
	(void)state;

	/* an empty artifact id is what some builders record */
	assert_int_equal(packer_manifest_parse(json, strlen(json), "m.json", NULL, &b, &e), 0);
	assert_string_equal(b.artifact_id, "");
	assert_string_equal(b.manifest, "m.json");
	{
		struct fixture fx;
		report_setup(&fx, "one-build.json", NULL);
		fx.v.artifact = &b;
		char *text = report_text(&fx.v, 0);
		assert_has(text, "artifact (no id) of Packer build 'n' (qemu), run u, from m.json\n");
		free(text);
		report_teardown(&fx);
	}
	packer_build_release(&b);
	/* a length that cuts the text short is bad JSON, not a read past it */
	assert_int_equal(packer_manifest_parse(json, 20, "m.json", NULL, &b, &e), SR_ERR_USAGE);
	assert_non_null(strstr(e.msg, "is not valid JSON"));
	assert_int_equal(packer_manifest_parse("[1]", 3, "m.json", NULL, &b, &e), SR_ERR_USAGE);
	assert_non_null(strstr(e.msg, "is not a Packer manifest"));
	assert_null(b.name);
	error_release(&e);
}

static void test_reports(void **state)
{
	struct fixture fx;
	(void)state;
	report_setup(&fx, "two-builds.json", "aws");
	char *path = xasprintf("%s/packer/two-builds.json", test_data_dir());
	char *want = xasprintf("artifact us-east-1:ami-0fedcba9876543210 of Packer build 'aws' "
			       "(amazon-ebs), run aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, from %s\n",
			       path);

	char *text = report_text(&fx.v, 0);
	assert_has(text, want);
	char *json = report_json(&fx.v);
	assert_has(json, "\"artifact\":\t{\n\t\t\"artifact_id\":\t\"us-east-1:ami-0fedcba9876543210\","
			 "\n\t\t\"packer_run_uuid\":\t\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\","
			 "\n\t\t\"build_name\":\t\"aws\",\n\t\t\"builder_type\":\t\"amazon-ebs\",");
	assert_has(json, "\"manifest\":\t\"");
	char *junit = report_junit(&fx.v);
	assert_has(junit, "    <properties>\n"
			  "      <property name=\"packer.artifact_id\" "
			  "value=\"us-east-1:ami-0fedcba9876543210\"/>\n"
			  "      <property name=\"packer.packer_run_uuid\" "
			  "value=\"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee\"/>\n"
			  "      <property name=\"packer.build_name\" value=\"aws\"/>\n"
			  "      <property name=\"packer.builder_type\" value=\"amazon-ebs\"/>\n");
	char *html = report_html(&fx.v);
	assert_has(html, "<dt>Artifact</dt><dd><code>us-east-1:ami-0fedcba9876543210</code> of "
			 "Packer build <code>aws</code> (amazon-ebs), "
			 "run aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee, from ");
	free(text);
	free(json);
	free(junit);
	free(html);
	free(want);
	free(path);
	report_teardown(&fx);
}

/* Markup in a manifest stays text in XML and HTML. */
static void test_reports_escape(void **state)
{
	struct fixture fx;
	(void)state;
	report_setup(&fx, "markup.json", NULL);
	char *junit = report_junit(&fx.v);
	char *html = report_html(&fx.v);
	assert_has(junit, "value=\"&lt;script&gt;x&lt;/script&gt;\"");
	assert_has(junit, "value=\"a&lt;b&gt;&amp;&quot;c&apos;\"");
	assert_has(html, "<code>&lt;script&gt;x&lt;/script&gt;</code>");
	assert_has(html, "<code>a&lt;b&gt;&amp;&quot;c&#39;</code>");
	assert_null(strstr(html, "<script"));
	free(junit);
	free(html);
	report_teardown(&fx);
}

/* Without a manifest: "artifact": null, and no artifact line anywhere. */
static void test_reports_without(void **state)
{
	struct fixture fx;
	(void)state;
	report_setup(&fx, "one-build.json", NULL);
	fx.v.artifact = NULL;
	char *text = report_text(&fx.v, 0);
	char *json = report_json(&fx.v);
	char *junit = report_junit(&fx.v);
	char *html = report_html(&fx.v);
	assert_null(strstr(text, "artifact"));
	assert_has(json, "\"artifact\":\tnull");
	assert_null(strstr(junit, "<properties>"));
	assert_null(strstr(html, "Artifact"));
	free(text);
	free(json);
	free(junit);
	free(html);
	report_teardown(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_table), cmocka_unit_test(test_pick),
		cmocka_unit_test(test_parse_buffer),   cmocka_unit_test(test_reports),
		cmocka_unit_test(test_reports_escape), cmocka_unit_test(test_reports_without),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
