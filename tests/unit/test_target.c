/* Target syntax: [user@]host[:port], ssh://user@host:port, IPv6 in brackets. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "target.h"

struct row {
	const char *in;
	const char *user; /* NULL: none given */
	const char *host; /* NULL: rejected */
	int port;
};

static const struct row rows[] = {
	{ "host", NULL, "host", 22 },
	{ "root@host", "root", "host", 22 },
	{ "root@host:2222", "root", "host", 2222 },
	{ "host:1", NULL, "host", 1 },
	{ "host:65535", NULL, "host", 65535 },
	{ "ssh://ec2-user@10.0.0.5:2200", "ec2-user", "10.0.0.5", 2200 },
	{ "ssh://ec2-user@10.0.0.5/", "ec2-user", "10.0.0.5", 22 },
	{ "ssh://host", NULL, "host", 22 },
	{ "[::1]", NULL, "::1", 22 },
	{ "[::1]:2222", NULL, "::1", 2222 },
	{ "admin@[fe80::1%eth0]:22", "admin", "fe80::1%eth0", 22 },
	{ "::1", NULL, "::1", 22 },
	{ "2001:db8::5", NULL, "2001:db8::5", 22 },
	{ "us@er@host", "us@er", "host", 22 }, /* the last @ separates */
	{ "", NULL, NULL, 0 },
	{ "@host", NULL, NULL, 0 },
	{ "root@", NULL, NULL, 0 },
	{ "host:0", NULL, NULL, 0 },
	{ "host:65536", NULL, NULL, 0 },
	{ "host:22x", NULL, NULL, 0 },
	{ "host:", NULL, NULL, 0 },
	{ "[::1", NULL, NULL, 0 },
	{ "[::1]x", NULL, NULL, 0 },
	{ "ho st", NULL, NULL, 0 },
	{ "host/path", NULL, NULL, 0 },
};

static void test_parse_table(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct target t = TARGET_INIT;
		struct error e = ERROR_INIT;
		int ret = target_parse(r->in, &t, &e);
		int ok;
		if (!r->host)
			ok = ret == SR_ERR_USAGE && e.msg && strstr(e.msg, "invalid target");
		else
			ok = ret == 0 && !strcmp(t.host, r->host) && t.port == r->port &&
			     (r->user ? t.user && !strcmp(t.user, r->user) : !t.user);
		if (!ok) {
			print_error("row %zu '%s': ret %d host %s port %d user %s err %s\n", i, r->in, ret,
				    t.host ? t.host : "-", t.port, t.user ? t.user : "-", e.msg ? e.msg : "-");
			failed++;
		}
		target_release(&t);
		error_release(&e);
	}
	assert_int_equal(failed, 0);
}

static void test_display(void **state)
{
	(void)state;
	struct target t = TARGET_INIT;
	struct error e = ERROR_INIT;
	assert_int_equal(target_parse("root@[::1]:2222", &t, &e), 0);
	char *d = target_display(&t);
	assert_string_equal(d, "root@[::1]:2222");
	free(d);
	target_release(&t);
	assert_int_equal(target_parse("host", &t, &e), 0);
	d = target_display(&t);
	assert_string_equal(d, "host:22");
	free(d);
	target_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
