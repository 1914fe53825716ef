/*
 * Shell quoting of values that reach remote commands, proven by a real
 * /bin/sh: each hostile value must come back byte for byte; and terminal
 * sanitising of what a target prints.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ssh.h"
#include "strbuf.h"

static const char *const hostile[] = {
	"plain",
	"",
	"with space",
	"it's",
	"'",
	"''",
	"\"double\"",
	"$(touch /tmp/shelfready-pwned)",
	"`id`",
	"${HOME}",
	"a;b&&c||d|e",
	"new\nline",
	"back\\slash",
	"*?[glob]",
	"-n",
	"tab\there",
	"~root",
	"!bang",
};

static void test_quote_roundtrip(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct strbuf cmd = STRBUF_INIT, out = STRBUF_INIT;
		strbuf_addstr(&cmd, "printf '%s' ");
		shell_quote(&cmd, hostile[i]);
		FILE *p = popen(cmd.buf, "r");
		assert_non_null(p);
		char buf[256];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
			strbuf_add(&out, buf, n);
		int rc = pclose(p);
		if (rc != 0 || out.len != strlen(hostile[i]) ||
		    memcmp(out.buf ? out.buf : "", hostile[i], out.len)) {
			print_error("value %zu came back as '%s' (status %d) through: %s\n", i,
				    out.buf ? out.buf : "", rc, cmd.buf);
			failed++;
		}
		strbuf_release(&cmd);
		strbuf_release(&out);
	}
	assert_int_equal(failed, 0);
	FILE *f = fopen("/tmp/shelfready-pwned", "r");
	if (f) {
		fclose(f);
		remove("/tmp/shelfready-pwned");
		fail_msg("a quoted value was executed");
	}
}

struct san_row {
	const char *in;
	size_t len;
	const char *out;
};

static void test_term_sanitize(void **state)
{
	(void)state;
	static const struct san_row rows[] = {
		{ "plain text", 10, "plain text" },
		{ "\033[31mred\033[0m", 12, "^[[31mred^[[0m" },
		{ "bell\a", 5, "bell^G" },
		{ "tab\tkept", 8, "tab\tkept" },
		{ "cr\rover", 7, "cr^Mover" },
		{ "del\177", 4, "del^?" },
		{ "nul\0after", 9, "nul^@after" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct strbuf sb = STRBUF_INIT;
		term_sanitize(&sb, rows[i].in, rows[i].len);
		if (strcmp(sb.buf ? sb.buf : "", rows[i].out))
			fail_msg("row %zu: got '%s', expected '%s'", i, sb.buf, rows[i].out);
		strbuf_release(&sb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_roundtrip),
		cmocka_unit_test(test_term_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
