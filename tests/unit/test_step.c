/*
 * The step helpers that need no target: masking secrets, and finding the
 * secrets a profile's steps need before anything connects.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "run.h"
#include "step.h"
#include "strbuf.h"
#include "util.h"

static char *redact(const struct secrets *s, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, text);
	secrets_redact(s, &sb);
	return strbuf_detach(&sb);
}

static void test_redact(void **state)
{
	static const struct {
		const char *in, *out;
	} rows[] = {
		{ "code=hunter22 done", "code=******** done" },
		{ "hunter22hunter22", "****************" },
		{ "hunter2", "hunter2" },                 /* a prefix is not the secret */
		{ "x hunter22 and pa55word!", "x ******** and ********" },
		{ "", "" },
		{ "nothing here", "nothing here" },
	};
	struct secrets s;
	(void)state;

	secrets_init(&s);
	secrets_add(&s, "hunter22");
	secrets_add(&s, "pa55word!");
	secrets_add(&s, "hunter22");   /* once is enough */
	secrets_add(&s, "abc");        /* too short to be worth masking */
	secrets_add(&s, NULL);
	assert_int_equal(s.n, 2);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = redact(&s, rows[i].in);
		if (strcmp(got, rows[i].out))
			fail_msg("redact '%s': got '%s', want '%s'", rows[i].in, got, rows[i].out);
		free(got);
	}
	secrets_release(&s);
	secrets_release(NULL);
}

static void test_redact_binary(void **state)
{
	struct secrets s;
	struct strbuf sb = STRBUF_INIT;
	(void)state;

	secrets_init(&s);
	secrets_add(&s, "TOPSECRET");
	strbuf_add(&sb, "a\0TOPSECRET\0b", 13);
	secrets_redact(&s, &sb);
	assert_int_equal(sb.len, 12);
	assert_memory_equal(sb.buf, "a\0********\0b", 12);
	strbuf_release(&sb);
	secrets_release(&s);
}

static void test_run_secrets(void **state)
{
	struct loader *l = NULL;
	struct resolved *r = NULL;
	struct diags d;
	struct secrets s;
	char *err = NULL;
	(void)state;

	diags_init(&d);
	secrets_init(&s);
	assert_int_equal(test_load("tests/data/valid/steps-secret-env.yaml", NULL, &l, &r, &d), 0);
	unsetenv("SR_UNIT_TOKEN");
	setenv("SR_UNIT_OTHER", "other-value", 1);
	assert_int_equal(run_secrets(r, &s, &err), -1);
	assert_string_equal(err, "step 'uses-token' needs the environment variable 'SR_UNIT_TOKEN' "
				 "(secret_env): it is not set");
	free(err);
	err = NULL;
	setenv("SR_UNIT_TOKEN", "token-value", 1);
	secrets_release(&s);
	assert_int_equal(run_secrets(r, &s, &err), 0);
	/* the disabled step's variable is not needed, and not collected */
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0], "token-value");
	assert_string_equal(s.v[1], "other-value");
	secrets_release(&s);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_redact_binary),
		cmocka_unit_test(test_run_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
