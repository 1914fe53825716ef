/*
 * Unit tests of lib/facts-json.c: the JSON shape (docs/facts-json.md),
 * lossless round trips (facts -> JSON -> facts -> JSON gives the same text)
 * on inline facts and on every recorded transcript, and the errors of
 * facts_from_json on bad documents.
 */
#include "helpers.h"

#include <cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "gather.h"
#include "strbuf.h"
#include "util.h"

#define TN "js0nN0nce"
#define M "@@SRG " TN " "
#define SEC(name, body) M "begin " name "\n" body M "end " name " 0\n"
#define SECS(name, status, body) M "begin " name "\n" body M "end " name " " #status "\n"
#define FILE_(path) M "file " path "\n"

static struct facts *facts_of_bytes(const char *data, size_t len)
{
	struct gather g;
	struct facts *f = NULL;
	gather_init(&g);
	if (gather_parse(&g, data, len, NULL, NULL) == 0)
		facts_from_gather(&g, &f);
	gather_release(&g);
	return f;
}

static struct facts *facts_of(const char *body)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, M "gather 1\n%s" M "done\n", body);
	struct facts *f = facts_of_bytes(sb.buf, sb.len);
	strbuf_release(&sb);
	return f;
}

/* facts -> JSON -> facts -> JSON: the two texts must be the same. */
static void assert_round_trip(const char *what, const struct facts *f)
{
	char *j1 = facts_to_json(f), *j2, *err = NULL;
	struct facts *back = NULL;

	if (facts_from_json(j1, strlen(j1), &back, &err) < 0) {
		print_error("%s: the JSON does not read back: %s\n", what, err);
		fail();
	}
	j2 = facts_to_json(back);
	if (strcmp(j1, j2)) {
		size_t i = 0;
		while (j1[i] && j1[i] == j2[i])
			i++;
		print_error("%s: round trip differs at byte %zu:\n%.200s\n---\n%.200s\n", what, i,
			    j1 + (i > 80 ? i - 80 : 0), j2 + (i > 80 ? i - 80 : 0));
		fail();
	}
	/* and the JSON is valid for any JSON reader */
	cJSON *root = cJSON_Parse(j1);
	assert_non_null(root);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "schema")->valuestring, FACTS_JSON_SCHEMA);
	cJSON_Delete(root);
	facts_free(back);
	free(j1);
	free(j2);
}

static const char rich[] =
	SEC("meta", "time=1700000000\nuid=0\nuser=r\xc3\xa9mi\nshell=/bin/sh\nhostname=h\"q\\\n")
	SEC("os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"tab\there \x1b[31mred\x01 \xff bad\"\n")
	SEC("uname", "Linux\n6.1.0-18-amd64\nx86_64\n#1\n")
	SEC("kernels", "/boot/vmlinuz-6.1.0-18-amd64\n/boot/vmlinuz-6.1.0-20-amd64\n")
	SEC("pkg-tools", "apt-get\t/usr/bin/apt-get\ndpkg\t/usr/bin/dpkg\n")
	SEC("packages", "openssl\t3.0.11-1~deb12u2\tamd64\tii \n")
	SEC("updates", "Inst openssl [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])\n")
	SEC("reboot", "reboot_required_file=no\npkg=a\n")
	SEC("processes", "1\t0\tsystemd\t/x (deleted)\n")
	SEC("services", "ssh.service enabled enabled\n" FILE_("/etc/rc2.d") "S01x\n")
	SEC("listening", "tcp LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\n")
	SEC("accounts", FILE_("/etc/passwd") "root:x:0:0::/root:/bin/sh\n" FILE_("/etc/shadow") "root\tset\t1\t\t\n")
	SEC("cron", FILE_("/etc/crontab") "* * * * * root x\n" FILE_("/etc/cron.daily") "a\n")
	SECS("ld-so-preload", 0, "/lib/x.so\n")
	SEC("sshd", "port 22\nhostkey a\nhostkey b\n")
	SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t1\tssh-ed25519\n")
	SEC("histories", "/root/.bash_history\t10\n")
	SEC("host-keys", "/etc/ssh/ssh_host_rsa_key\n")
	SEC("machine-id", "etc=EMPTY\ndbus=ABSENT\n")
	SECS("cloud-init", 0, "status: done\nboot_finished=yes\ninstances=1\n")
	SEC("sources", FILE_("/etc/apt/sources.list") "deb http://x/ y main\n")
	SEC("third-party", "php\t/usr/bin/php\tPHP 8.2.7 (cli)\n")
	SECS("first-login", 1, "unreadable\t/root\n"
	     "/usr/local/libexec/shelfready/first-login-wp\tfile\t0\t700\t\n"
	     "/usr/local/libexec/shelfready/first-login-X\tfile\t0\t700\t\n"
	     "/etc/systemd/system/shelfready-first-login-wp.service\tfile\t0\t644\t\n"
	     "/etc/systemd/system/multi-user.target.wants/shelfready-first-login-wp.service\tlink\t0\t777\t/etc/systemd/system/shelfready-first-login-wp.service\n"
	     "/var/lib/shelfready/first-login/wp.done\tfile\t\t\t\n"
	     FILE_("/etc/systemd/system/shelfready-first-login-wp.service")
	     "ConditionPathExists=!/var/lib/shelfready/first-login/wp.done\nExecStart=/usr/local/libexec/shelfready/first-login-wp\n")
	M "begin unterminated\n";

static void test_round_trip_inline(void **state)
{
	(void)state;
	struct facts *f = facts_of(rich);
	assert_non_null(f);
	assert_round_trip("rich", f);
	facts_free(f);

	f = facts_of("");
	assert_round_trip("empty", f);
	facts_free(f);

	struct facts empty;
	facts_init(&empty);
	assert_round_trip("initialised", &empty);
	facts_release(&empty);
}

/* The shape: a few exact renderings, documented in docs/facts-json.md. */
static void test_shape(void **state)
{
	(void)state;
	struct facts *f = facts_of(SECS("machine-id", 0, "etc=EMPTY\ndbus=ABSENT\n") SEC("histories", "/root/.x\t\n"));
	char *j = facts_to_json(f);
	cJSON *root = cJSON_Parse(j);
	char *part = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "machine_id"));
	assert_string_equal(part, "{\"src\":{\"section\":\"machine-id\",\"status\":0,\"complete\":true,\"skipped\":0},"
				  "\"etc\":\"\",\"dbus\":null,\"etc_state\":\"empty\",\"dbus_state\":\"absent\"}");
	cJSON_free(part);
	part = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "histories"));
	assert_string_equal(part, "{\"src\":{\"section\":\"histories\",\"status\":0,\"complete\":true,\"skipped\":0},"
				  "\"list\":[{\"path\":\"/root/.x\",\"size\":null}]}");
	cJSON_free(part);
	part = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "sshd"));
	assert_string_equal(part, "{\"src\":null,\"effective\":false,\"options\":[]}");
	cJSON_free(part);
	/* the top level: schema first, then every part of facts_fields in order */
	const cJSON *it = root->child;
	assert_string_equal(it->string, "schema");
	for (const struct facts_field *fd = facts_fields; fd->key; fd++) {
		it = it->next;
		assert_non_null(it);
		assert_string_equal(it->string, fd->key);
	}
	assert_null(it->next);
	cJSON_Delete(root);
	free(j);
	facts_free(f);

	/* the first-login files of an application: every kind, present or not */
	f = facts_of(SEC("first-login", "/var/lib/shelfready/first-login/a.done\tfile\t0\t644\t\n"));
	j = facts_to_json(f);
	root = cJSON_Parse(j);
	part = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(root, "first_login"));
#define ABSENT "{\"present\":false,\"path\":null,\"type\":null,\"uid\":null,\"mode\":null,\"target\":null}"
	assert_string_equal(part, "{\"src\":{\"section\":\"first-login\",\"status\":0,\"complete\":true,\"skipped\":0},"
				  "\"unreadable\":[],\"ignored\":[],\"apps\":[{\"name\":\"a\",\"reset\":" ABSENT
				  ",\"hook\":" ABSENT ",\"unit\":" ABSENT ",\"wants\":" ABSENT ",\"done\":"
				  "{\"present\":true,\"path\":\"/var/lib/shelfready/first-login/a.done\",\"type\":\"file\","
				  "\"uid\":0,\"mode\":\"644\",\"target\":null},\"credentials\":" ABSENT
				  ",\"conditions\":[],\"exec\":[]}]}");
#undef ABSENT
	cJSON_free(part);
	cJSON_Delete(root);
	free(j);
	facts_free(f);
}

/* Control characters, quotes and non-ASCII come out as valid JSON and UTF-8. */
static void test_strings(void **state)
{
	(void)state;
	struct facts *f = facts_of(rich);
	char *j = facts_to_json(f);
	assert_non_null(strstr(j, "\"name\":\t\"tab\\there \\u001b[31mred\\u0001 ? bad\""));
	assert_non_null(strstr(j, "\"user\":\t\"r\xc3\xa9mi\""));
	assert_non_null(strstr(j, "\"hostname\":\t\"h\\\"q\\\\\""));
	free(j);
	facts_free(f);
}

/* Every key of the model is described in docs/facts-json.md. */
static void check_documented(const char *doc, const struct facts_field *fields, const char *prefix,
			     int *missing)
{
	for (const struct facts_field *fd = fields; fd->key; fd++) {
		char *path = *prefix ? xasprintf("%s.%s", prefix, fd->key) : xstrdup(fd->key);
		char *quoted = xasprintf("`%s`", path);
		if (!strstr(doc, quoted)) {
			print_error("docs/facts-json.md does not describe %s\n", quoted);
			(*missing)++;
		}
		if (fd->type == FACTS_OBJ || fd->type == FACTS_LIST) {
			char *sub = fd->type == FACTS_LIST ? xasprintf("%s[]", path) : xstrdup(path);
			check_documented(doc, fd->sub, sub, missing);
			free(sub);
		}
		free(quoted);
		free(path);
	}
}

static void test_documented(void **state)
{
	(void)state;
	char *doc = NULL;
	size_t len = 0;
	int missing = 0;
	assert_int_equal(read_file("docs/facts-json.md", 1 << 20, &doc, &len), 0);
	assert_non_null(strstr(doc, FACTS_JSON_SCHEMA));
	check_documented(doc, facts_fields, "", &missing);
	assert_int_equal(missing, 0);
	free(doc);
}

/* ---- reading: errors and tolerance ---- */

#define SCHEMA "\"schema\":\"shelfready.facts/1\""

struct read_row {
	const char *in;
	const char *err; /* NULL: must succeed */
};

static const struct read_row read_rows[] = {
	{ "{" SCHEMA "}", NULL },
	{ "{" SCHEMA ",\"future\":[1,2],\"os\":{\"new_field\":1}}", NULL },
	{ "{" SCHEMA ",\"os\":{\"id\":null,\"src\":null}}", NULL },
	{ "{" SCHEMA ",\"meta\":{\"time\":-1}}", NULL },
	{ "{" SCHEMA ",\"meta\":{\"time\":9007199254740991}}", NULL },
	{ "", "facts: invalid JSON near byte 0" },
	{ "{", "facts: invalid JSON near byte 0" },
	{ "{\"schema\":", "facts: invalid JSON near byte 9" },
	{ "{" SCHEMA "} x", "facts: invalid JSON near byte 32" },
	{ "[]", "facts: not a shelfready facts document (no \"schema\")" },
	{ "{}", "facts: not a shelfready facts document (no \"schema\")" },
	{ "{\"schema\":2}", "facts: not a shelfready facts document (no \"schema\")" },
	{ "{\"schema\":\"shelfready.facts/2\"}", "facts: unsupported schema \"shelfready.facts/2\" (expected \"shelfready.facts/1\")" },
	{ "{\"schema\":\"\\u001b\"}", "facts: unsupported schema \"\\x1b\" (expected \"shelfready.facts/1\")" },
	{ "{" SCHEMA ",\"os\":[]}", "facts: 'os' is not an object" },
	{ "{" SCHEMA ",\"os\":{\"id\":1}}", "facts: 'os.id' is not a string" },
	{ "{" SCHEMA ",\"meta\":{\"time\":\"1\"}}", "facts: 'meta.time' is not a number" },
	{ "{" SCHEMA ",\"meta\":{\"time\":1.5}}", "facts: 'meta.time' is not a non-negative integer" },
	{ "{" SCHEMA ",\"meta\":{\"time\":-2}}", "facts: 'meta.time' is not a non-negative integer" },
	{ "{" SCHEMA ",\"meta\":{\"time\":9007199254740993}}", "facts: 'meta.time' is not a non-negative integer" },
	{ "{" SCHEMA ",\"meta\":{\"time\":1e400}}", "facts: 'meta.time' is not a non-negative integer" },
	{ "{" SCHEMA ",\"sshd\":{\"effective\":null}}", "facts: 'sshd.effective' is not true or false" },
	{ "{" SCHEMA ",\"reboot\":{\"required\":1}}", "facts: 'reboot.required' is not true, false or null" },
	{ "{" SCHEMA ",\"kernels\":{\"installed\":\"x\"}}", "facts: 'kernels.installed' is not an array" },
	{ "{" SCHEMA ",\"kernels\":{\"installed\":[\"a\",1]}}", "facts: 'kernels.installed' holds something that is not a string" },
	{ "{" SCHEMA ",\"os\":{\"src\":1}}", "facts: 'os.src' is not an object or null" },
	{ "{" SCHEMA ",\"os\":{\"src\":{}}}", "facts: 'os.src' has no section name" },
	{ "{" SCHEMA ",\"os\":{\"src\":{\"section\":\"x\",\"status\":\"0\"}}}", "facts: 'os.src' is not a number" },
	{ "{" SCHEMA ",\"os\":{\"src\":{\"section\":\"x\",\"complete\":1}}}", "facts: 'os.src' has a 'complete' that is not true or false" },
	{ "{" SCHEMA ",\"processes\":{\"list\":{}}}", "facts: 'processes.list' is not an array" },
	{ "{" SCHEMA ",\"processes\":{\"list\":[{\"pid\":1},2]}}", "facts: 'processes.list[1]' is not an object" },
	{ "{" SCHEMA ",\"processes\":{\"list\":[{\"pid\":1},{\"comm\":[]}]}}", "facts: 'processes.list[1].comm' is not a string" },
	{ "{" SCHEMA ",\"components\":{\"list\":[{\"packages\":[{\"security\":\"yes\"}]}]}}",
	  "facts: 'components.list[0].packages[0].security' is not true or false" },
	{ "{" SCHEMA ",\"warnings\":[null]}", "facts: 'warnings' holds something that is not a string" },
};

static void test_read_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(read_rows); i++) {
		const struct read_row *r = &read_rows[i];
		struct facts *f = NULL;
		char *err = NULL;
		int ret = facts_from_json(r->in, strlen(r->in), &f, &err);
		if (r->err) {
			if (ret == 0 || !err || strcmp(err, r->err)) {
				print_error("'%s': ret %d err '%s', want '%s'\n", r->in, ret, err ? err : "(none)", r->err);
				fail();
			}
			assert_null(f);
		} else {
			if (ret < 0) {
				print_error("'%s': %s\n", r->in, err);
				fail();
			}
			assert_non_null(f);
			assert_null(err);
			assert_round_trip(r->in, f);
		}
		free(err);
		facts_free(f);
	}
}

static void test_read_defaults(void **state)
{
	(void)state;
	static const char in[] = "{" SCHEMA ",\"os\":{\"id\":\"debian\",\"src\":{\"section\":\"os-release\"}},"
				 "\"processes\":{\"list\":[{\"pid\":5,\"comm\":\"x\\u0000y\"}]},"
				 "\"meta\":{\"user\":\"\\ud83d\\ude00 \\u00e9\"}}";
	struct facts *f = NULL;
	char *err = NULL;
	assert_int_equal(facts_from_json(in, strlen(in), &f, &err), 0);
	assert_string_equal(f->os.id, "debian");
	assert_string_equal(f->os.src.section, "os-release");
	assert_int_equal(f->os.src.status, -1);
	assert_false(f->os.src.complete);
	assert_null(f->os.family);
	assert_null(f->uname.src.section);
	assert_int_equal(f->processes.list.n, 1);
	assert_int_equal(f->processes.list.v[0].pid, 5);
	assert_int_equal(f->processes.list.v[0].uid, -1);
	assert_string_equal(f->processes.list.v[0].comm, "x");
	assert_null(f->processes.list.v[0].exe);
	assert_string_equal(f->meta.user, "\xf0\x9f\x98\x80 \xc3\xa9");
	assert_int_equal(f->reboot.required, -1);
	assert_string_equal(facts_lookup(f, "os.id"), "debian");
	facts_free(f);
	/* a length shorter than the text: only that much is read */
	assert_int_equal(facts_from_json(in, 5, &f, &err), -1);
	assert_non_null(err);
	free(err);
	/* err may be NULL */
	assert_int_equal(facts_from_json("x", 1, &f, NULL), -1);
}

/* ---- the recorded transcripts ---- */

static void test_transcripts_round_trip(void **state)
{
	(void)state;
	char *dir = xasprintf("%s/transcripts", test_data_dir());
	DIR *d = opendir(dir);
	int n = 0;
	if (!d) {
		print_message("no %s: skipped\n", dir);
		free(dir);
		skip();
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".txt"))
			continue;
		char *path = xasprintf("%s/%s", dir, e->d_name), *buf = NULL;
		size_t len = 0;
		assert_int_equal(read_file(path, GATHER_MAX_BYTES, &buf, &len), 0);
		struct facts *f = facts_of_bytes(buf, len);
		if (!f) {
			print_error("%s does not frame\n", path);
			fail();
		}
		assert_round_trip(path, f);
		n++;
		facts_free(f);
		free(buf);
		free(path);
	}
	closedir(d);
	free(dir);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_inline),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_documented),
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_read_defaults),
		cmocka_unit_test(test_transcripts_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
