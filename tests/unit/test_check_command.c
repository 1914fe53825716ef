/*
 * Unit tests of the `command` check type (checks/command.c) and of the way
 * its commands travel in the gather round trip: the check-ID sections of a
 * transcript become facts.checks (lib/facts.c, JSON included), the
 * controller's sr_checks prefix quotes every command (lib/collect.c), and
 * dash and busybox sh hand the commands to sr_check byte for byte.
 * tests/e2e/gather-checks.sh runs the whole gather script with them.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "collect.h"
#include "facts.h"
#include "gather.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"
#include "ytree.h"

extern const struct check_type check_command;

#define TN "C0mmandN0nce"
#define M "@@SRG " TN " "
#define CHECK(id, status, body) M "begin check-" id "\n" body M "end check-" id " " #status "\n"

static struct facts *facts_of(const char *body)
{
	char *t = xasprintf(M "gather 1\n%s" M "done\n", body);
	struct facts *f = test_facts_from_text(t);
	free(t);
	return f;
}

/* ---- judging ---- */

static const char multi[] =
	CHECK("uid0", 0, "root\nsysadm\ndaemon\n")
	CHECK("fails", 1, "")
	CHECK("empty", 0, "")
	CHECK("one-line", 0, "abc\n")
	CHECK("blank-line", 0, "\n")
	CHECK("missing-cmd", 127, "")
	CHECK("slow", 124, "partial\n")
	CHECK("ctl", 0, "a\x1b[31mb\tc\n")
	CHECK("many", 0, "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n")
	CHECK("cut", 0, "kept\n" M "truncated\n")
	CHECK("x-1b2c3d4e", 2, M "id x_y.z\nfrom the id marker\n")
	M "begin check-unended\nhalf\n";

struct row {
	const char *id;   /* the check's id; NULL: none in the env */
	const char *with; /* parameters as YAML */
	enum check_status status;
	const char *summary;
	const char *evidence; /* all evidence lines, each followed by \n */
};

static const struct row rows[] = {
	{ "fails", "{command: x}", CHECK_FAIL, "exit status 1, expected 0",
	  "exit status 1\noutput: (none)\n" },
	{ "fails", "{command: x, exit_code: 1}", CHECK_PASS, "exit status 1",
	  "exit status 1\noutput: (none)\n" },
	{ "empty", "{command: x}", CHECK_PASS, "exit status 0", "exit status 0\noutput: (none)\n" },
	/* regular expressions see lines: ^ and $ match at each one */
	{ "uid0", "{command: x, stdout_matches: '^daemon$'}", CHECK_PASS,
	  "exit status 0, output matches /^daemon$/",
	  "exit status 0\nmatching line: daemon\noutput: root\noutput: sysadm\noutput: daemon\n" },
	{ "uid0", "{command: x, stdout_matches: '^nobody$'}", CHECK_FAIL,
	  "output does not match /^nobody$/",
	  "exit status 0\noutput: root\noutput: sysadm\noutput: daemon\n" },
	{ "uid0", "{command: x, stdout_not_matches: '^sys'}", CHECK_FAIL, "output matches /^sys/",
	  "exit status 0\nmatching line: sysadm\noutput: root\noutput: sysadm\noutput: daemon\n" },
	{ "uid0", "{command: x, stdout_not_matches: 'admin$'}", CHECK_PASS,
	  "exit status 0, output does not match /admin$/",
	  "exit status 0\noutput: root\noutput: sysadm\noutput: daemon\n" },
	{ "uid0", "{command: x, exit_code: 3, stdout_matches: 'nobody', stdout_not_matches: 'root'}",
	  CHECK_FAIL, "exit status 0, expected 3; output does not match /nobody/; output matches /root/",
	  "exit status 0\nmatching line: root\noutput: root\noutput: sysadm\noutput: daemon\n" },
	{ "uid0", "{command: x, stdout_matches: 'sys', stdout_not_matches: 'nobody'}", CHECK_PASS,
	  "exit status 0, output matches /sys/, output does not match /nobody/",
	  "exit status 0\nmatching line: sysadm\noutput: root\noutput: sysadm\noutput: daemon\n" },
	/* no output: nothing matches "."; the last newline is not an empty line */
	{ "empty", "{command: x, stdout_not_matches: '.'}", CHECK_PASS,
	  "exit status 0, output does not match /./", "exit status 0\noutput: (none)\n" },
	{ "one-line", "{command: x, stdout_matches: '^$'}", CHECK_FAIL, "output does not match /^$/",
	  "exit status 0\noutput: abc\n" },
	{ "blank-line", "{command: x, stdout_matches: '^$'}", CHECK_PASS,
	  "exit status 0, output matches /^$/", "exit status 0\nmatching line: \noutput: (none)\n" },
	{ "missing-cmd", "{command: x}", CHECK_FAIL, "exit status 127, expected 0",
	  "exit status 127 (command not found)\noutput: (none)\n" },
	{ "slow", "{command: x}", CHECK_FAIL, "exit status 124, expected 0",
	  "exit status 124 (what timeout returns for a command still running after 120 s)\n"
	  "output: partial\n" },
	/* control characters from the target are escaped */
	{ "ctl", "{command: x}", CHECK_PASS, "exit status 0", "exit status 0\noutput: a\\x1b[31mb\\x09c\n" },
	/* at most ten lines are shown */
	{ "many", "{command: x, stdout_not_matches: '^15$'}", CHECK_FAIL, "output matches /^15$/",
	  "exit status 0\nmatching line: 15\noutput: 1\noutput: 2\noutput: 3\noutput: 4\noutput: 5\n"
	  "output: 6\noutput: 7\noutput: 8\noutput: 9\noutput: 10\noutput: ... 5 more lines\n" },
	/* output the target dropped: a match in what is kept counts, no match cannot pass */
	{ "cut", "{command: x, stdout_matches: kept}", CHECK_PASS, "exit status 0, output matches /kept/",
	  "exit status 0\nmatching line: kept\noutput: kept\noutput: cut at 256 KiB on the target\n" },
	{ "cut", "{command: x, stdout_not_matches: kept}", CHECK_FAIL, "output matches /kept/",
	  "exit status 0\nmatching line: kept\noutput: kept\noutput: cut at 256 KiB on the target\n" },
	{ "cut", "{command: x, stdout_not_matches: secret}", CHECK_ERROR,
	  "the output was cut at 256 KiB on the target: cannot tell whether the rest matches",
	  "exit status 0\noutput: kept\noutput: cut at 256 KiB on the target\n" },
	{ "cut", "{command: x, exit_code: 1, stdout_not_matches: secret}", CHECK_FAIL,
	  "exit status 0, expected 1",
	  "exit status 0\noutput: kept\noutput: cut at 256 KiB on the target\n" },
	/* an id that is not a section name travels in the section */
	{ "x_y.z", "{command: x, exit_code: 2, stdout_matches: marker}", CHECK_PASS,
	  "exit status 2, output matches /marker/",
	  "exit status 2\nmatching line: from the id marker\noutput: from the id marker\n" },
	{ "x-1b2c3d4e", "{command: x}", CHECK_ERROR,
	  "the command did not run: gather facts with this profile", "" },
	{ "unended", "{command: x}", CHECK_ERROR, "the command did not finish", "output: half\n" },
	/* no section for it: not collected */
	{ "not-there", "{command: x}", CHECK_ERROR,
	  "the command did not run: gather facts with this profile", "" },
	{ NULL, "{command: x}", CHECK_ERROR, "the command did not run: gather facts with this profile",
	  "" },
};

static void test_eval(void **state)
{
	(void)state;
	struct facts *f = facts_of(multi);
	int bad = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct params p = { NULL, 0 };
		struct check_env env = { f, NULL, 0, 0, rows[i].id };
		struct check_result r;
		struct strbuf ev = STRBUF_INIT;

		test_check_params_ok(&check_command, "c", rows[i].with, &p);
		check_result_init(&r);
		check_command.eval(&p, &env, &r);
		for (size_t k = 0; k < r.nevidence; k++)
			strbuf_addf(&ev, "%s\n", r.evidence[k]);
		if (r.status != rows[i].status || strcmp(r.summary, rows[i].summary) ||
		    strcmp(ev.buf ? ev.buf : "", rows[i].evidence) ||
		    (r.status != CHECK_PASS && !r.remediation) || (r.status == CHECK_PASS && r.remediation)) {
			print_error("%s %s: got %s \"%s\" with evidence:\n%s(remediation: %s)\n"
				    "expected %s \"%s\" with evidence:\n%s\n",
				    rows[i].id ? rows[i].id : "(no id)", rows[i].with,
				    check_status_name(r.status), r.summary, ev.buf ? ev.buf : "",
				    r.remediation ? r.remediation : "(none)",
				    check_status_name(rows[i].status), rows[i].summary, rows[i].evidence);
			bad++;
		}
		strbuf_release(&ev);
		check_result_release(&r);
		params_release(&p);
	}
	facts_free(f);
	assert_int_equal(bad, 0);
}

static void test_remediation(void **state)
{
	(void)state;
	struct facts *f = facts_of(multi);
	struct params p = { NULL, 0 };
	struct check_env env = { f, NULL, 0, 0, "uid0" };
	struct check_result r;

	test_check_params_ok(&check_command, "c", "{command: x, exit_code: 0, stdout_matches: root, stdout_not_matches: sys}", &p);
	check_result_init(&r);
	check_command.eval(&p, &env, &r);
	assert_int_equal(r.status, CHECK_FAIL);
	assert_string_equal(r.remediation, "make the command exit with 0, printing output that matches "
					   "/root/, printing nothing that matches /sys/");
	check_result_release(&r);
	params_release(&p);
	facts_free(f);
}

/* Long lines are cut in evidence. */
static void test_long_line(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, M "begin check-long\n");
	for (int i = 0; i < 300; i++)
		strbuf_addch(&sb, 'a' + i % 26);
	strbuf_addstr(&sb, "\n" M "end check-long 0\n");
	struct facts *f = facts_of(sb.buf);
	struct params p = { NULL, 0 };
	struct check_env env = { f, NULL, 0, 0, "long" };
	struct check_result r;

	test_check_params_ok(&check_command, "c", "{command: x}", &p);
	check_result_init(&r);
	check_command.eval(&p, &env, &r);
	assert_int_equal(r.nevidence, 2);
	assert_int_equal(strlen(r.evidence[1]), strlen("output: ") + 200 + 3);
	assert_string_equal(r.evidence[1] + strlen(r.evidence[1]) - 3, "...");
	check_result_release(&r);
	params_release(&p);
	facts_free(f);
	strbuf_release(&sb);
}

/* ---- the facts ---- */

static void test_facts(void **state)
{
	(void)state;
	struct facts *f = facts_of(multi);
	const struct facts_check *c;

	assert_int_equal(f->checks.n, 12);
	c = facts_check_find(f, "uid0");
	assert_non_null(c);
	assert_int_equal(c->status, 0);
	assert_string_equal(c->output, "root\nsysadm\ndaemon");
	assert_false(c->truncated);
	c = facts_check_find(f, "blank-line");
	assert_string_equal(c->output, "");
	c = facts_check_find(f, "cut");
	assert_string_equal(c->output, "kept");
	assert_true(c->truncated);
	c = facts_check_find(f, "x_y.z");
	assert_int_equal(c->status, 2);
	assert_string_equal(c->output, "from the id marker");
	assert_null(facts_check_find(f, "x-1b2c3d4e"));
	c = facts_check_find(f, "unended");
	assert_int_equal(c->status, -1);
	assert_null(facts_check_find(f, NULL));

	/* JSON: written, read back the same */
	char *j = facts_to_json(f), *j2, *err = NULL;
	struct facts *back = NULL;
	assert_non_null(strstr(j, "\"checks\":\t[{\n\t\t\t\"id\":\t\"uid0\",\n\t\t\t\"status\":\t0,\n"
				  "\t\t\t\"output\":\t\"root\\nsysadm\\ndaemon\",\n\t\t\t\"truncated\":\tfalse\n"));
	assert_int_equal(facts_from_json(j, strlen(j), &back, &err), 0);
	j2 = facts_to_json(back);
	assert_string_equal(j, j2);
	assert_string_equal(facts_check_find(back, "x_y.z")->output, "from the id marker");
	assert_int_equal(facts_check_find(back, "unended")->status, -1);
	free(j);
	free(j2);
	facts_free(back);
	facts_free(f);

	/* without check sections the list is empty; other sections are not checks */
	f = facts_of(M "begin checks\nx\n" M "end checks 0\n" M "begin check-\nx\n" M "end check- 0\n");
	assert_int_equal(f->checks.n, 0);
	facts_free(f);

	/* CR, NUL and invalid UTF-8 bytes in output */
	static const char odd[] = M "begin check-odd\nx\r\ny\0z\xff\n" M "end check-odd 0\n";
	char *t = xmalloc(sizeof(M "gather 1\n") - 1 + sizeof(odd) - 1 + sizeof(M "done\n"));
	size_t n = 0;
	memcpy(t, M "gather 1\n", sizeof(M "gather 1\n") - 1);
	n += sizeof(M "gather 1\n") - 1;
	memcpy(t + n, odd, sizeof(odd) - 1);
	n += sizeof(odd) - 1;
	memcpy(t + n, M "done\n", sizeof(M "done\n"));
	n += sizeof(M "done\n") - 1;
	struct gather g;
	gather_init(&g);
	assert_int_equal(gather_parse(&g, t, n, TN, NULL), 0);
	facts_from_gather(&g, &f);
	assert_string_equal(facts_check_find(f, "odd")->output, "x\r\ny?z?");
	gather_release(&g);
	facts_free(f);
	free(t);
}

/* ---- the controller's side ---- */

static void test_keys(void **state)
{
	(void)state;
	char key[COLLECT_KEY_SIZE], key2[COLLECT_KEY_SIZE];
	char id64[65];

	collect_check_key("no-extra-uid0", key);
	assert_string_equal(key, "no-extra-uid0");
	collect_check_key("a_b.c", key);
	assert_int_equal(strlen(key), strlen("a-b-c-") + 8);
	assert_memory_equal(key, "a-b-c-", 6);
	collect_check_key("ssh.x11_off", key2); /* the example of docs/gather-format.md */
	assert_string_equal(key2, "ssh-x11-off-9c58c9a7");
	collect_check_key("a.b_c", key2);
	assert_string_not_equal(key, key2);
	memset(id64, 'a', 64);
	id64[64] = '\0';
	collect_check_key(id64, key);
	assert_int_equal(strlen(key), COLLECT_KEY_SIZE - 1);
	id64[58] = '\0'; /* 58 characters: still the id itself */
	collect_check_key(id64, key);
	assert_string_equal(key, id64);
}

static const struct collect_check hostile[] = {
	{ "quotes", "echo \"it's\" 'single' \"double\" 'a'\\''b'" },
	{ "subst", "echo $(echo sub) `echo back` ${HOME+home} $((1+2))" },
	{ "newlines", "printf 'a\\nb\\n'\necho second line\nexit 3" },
	{ "inject", "'; echo injected; '" },
	{ "lone-quote", "'" },
	{ "backslash", "echo \\\\ \\" },
	{ "odd.id_x", "printf '\\t\\r' # tab\tand CR\r and UTF-8 \xc3\xa9" },
	{ "empty", "" },
	{ "braces", "} ; sr_checks() { :; }; {" },
};

static void test_prefix(void **state)
{
	(void)state;
	size_t len = 0, slen = 0;
	char *err = NULL;
	const char *script = collect_script(&slen);
	char *text;

	/* without checks: the script alone */
	text = collect_script_with_checks(NULL, 0, &len, &err);
	assert_non_null(text);
	assert_int_equal(len, slen);
	assert_memory_equal(text, script, slen);
	free(text);

	static const struct collect_check two[] = { { "a-1", "test -e /x" }, { "b_2", "echo 'q'" } };
	text = collect_script_with_checks(two, 2, &len, &err);
	assert_non_null(text);
	char *want = xasprintf("sr_checks() {\nsr_check 'a-1' 'test -e /x'\n"
			       "sr_check 'b-2-%.8s' 'echo '\\''q'\\''' 'b_2'\n}\n",
			       strstr(text, "b-2-") + 4);
	assert_int_equal(len, strlen(want) + slen);
	assert_memory_equal(text, want, strlen(want));
	assert_memory_equal(text + strlen(want), script, slen);
	free(want);
	free(text);

	/* refused: a bad id, no command, too many, a shared section name */
	static const struct collect_check bad_id[] = { { "Bad id", "true" } };
	assert_null(collect_script_with_checks(bad_id, 1, &len, &err));
	assert_string_equal(err, "cannot send the command of check 'Bad id': invalid check id");
	free(err);
	static const struct collect_check no_cmd[] = { { "a", NULL } };
	assert_null(collect_script_with_checks(no_cmd, 1, &len, &err));
	assert_string_equal(err, "cannot send the command of check 'a': no command");
	free(err);
	struct collect_check many[COLLECT_MAX_CHECKS + 1];
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct collect_check){ "a", "true" };
	assert_null(collect_script_with_checks(many, ARRAY_SIZE(many), &len, &err));
	assert_string_equal(err, "129 command checks; at most 128 can be run with one gather");
	free(err);
	static const struct collect_check dup[] = { { "same", "true" }, { "same", "false" } };
	assert_null(collect_script_with_checks(dup, 2, &len, &err));
	assert_string_equal(err, "checks 'same' and 'same' would print the same section check-same");
	free(err);
}

/*
 * The prefix under real shells: a stub sr_check prints its arguments
 * NUL-separated; they must be the commands, byte for byte.
 */
static int run_shell(const char *shell, const char *prefix, size_t plen, struct strbuf *out)
{
	char path[] = "/tmp/sr-test-prefix-XXXXXX";
	int fd = mkstemp(path);
	static const char stub[] = "sr_check() { printf '%s\\000%s\\000%s\\000' \"$1\" \"$2\" \"${3-}\"; }\n";
	assert_true(fd >= 0);
	assert_int_equal(write(fd, stub, sizeof(stub) - 1), (ssize_t)(sizeof(stub) - 1));
	assert_int_equal(write(fd, prefix, plen), (ssize_t)plen);
	assert_int_equal(write(fd, "sr_checks\n", 10), 10);
	close(fd);
	char *cmd = xasprintf("%s %s </dev/null 2>/dev/null", shell, path);
	FILE *p = popen(cmd, "r");
	char buf[4096];
	size_t n;
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(out, buf, n);
	int st = pclose(p);
	unlink(path);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_shells(void **state)
{
	(void)state;
	static const char *const shells[] = { "dash", "busybox sh", "bash --posix", "sh" };
	size_t len = 0, slen = 0;
	char *err = NULL;
	char *text = collect_script_with_checks(hostile, ARRAY_SIZE(hostile), &len, &err);
	int ran = 0;

	collect_script(&slen);
	assert_non_null(text);
	for (size_t s = 0; s < ARRAY_SIZE(shells); s++) {
		struct strbuf out = STRBUF_INIT;
		int st = run_shell(shells[s], text, len - slen, &out);
		if (st == 127) { /* not installed */
			print_message("%s: not installed, skipped\n", shells[s]);
			strbuf_release(&out);
			continue;
		}
		ran++;
		assert_int_equal(st, 0);
		const char *p = out.buf ? out.buf : "", *end = p + out.len;
		for (size_t i = 0; i < ARRAY_SIZE(hostile); i++) {
			char key[COLLECT_KEY_SIZE];
			collect_check_key(hostile[i].id, key);
			const char *want[3] = { key, hostile[i].command,
						strcmp(key, hostile[i].id) ? hostile[i].id : "" };
			for (int k = 0; k < 3; k++) {
				size_t l = strlen(want[k]);
				if ((size_t)(end - p) < l + 1 || memcmp(p, want[k], l) || p[l]) {
					print_error("%s: argument %d of check %s is not passed intact\n",
						    shells[s], k + 1, hostile[i].id);
					fail();
				}
				p += l + 1;
			}
		}
		assert_true(p == end);
		strbuf_release(&out);
	}
	assert_true(ran > 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval),
		cmocka_unit_test(test_remediation),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_shells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
