/*
 * Unit tests of lib/eol.c: cycle matching (a table over the bundled data and
 * a synthetic product), the date-or-boolean fields, judging as of the days
 * around an end date, the verdict texts, loading (bundled, cached files that
 * win or are stale, malformed input), the maps from OS ids and program names
 * to products, and the bundled data against data/eol/SOURCES.md.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "date.h"
#include "eol.h"
#include "util.h"

static long day_of(const char *s)
{
	long d = -1;
	if (date_parse(s, &d) < 0)
		fail_msg("bad date in test: %s", s);
	return d;
}

static struct eol_db *bundled_db(void)
{
	static struct eol_db db;
	static int loaded;
	char *err = NULL;
	if (!loaded) {
		eol_db_init(&db);
		if (eol_db_load(&db, NULL, &err) < 0)
			fail_msg("eol_db_load: %s", err);
		loaded = 1;
	}
	return &db;
}

/* ---- cycle matching ---- */

static void test_cycle_match(void **state)
{
	(void)state;
	static const struct {
		const char *cycle, *version;
		int want;
	} rows[] = {
		{ "7", "7", 2 },     { "7", "7.9", 1 },        { "7", "7.9.2009", 1 },
		{ "7", "70", 0 },    { "7", "7-1", 0 },        { "7.4", "7", 0 },
		{ "7.4", "7.40", 0 }, { "7.4", "7.4.33", 1 },  { "22.04", "22.04", 2 },
		{ "22.04", "22.04.4", 1 }, { "", "7", 0 },     { "7", "", 0 },
		{ "1.2", "1.20.1", 0 }, { "1.20", "1.20.1", 1 }, { "7", "7.", 1 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (eol_cycle_match(rows[i].cycle, rows[i].version) != rows[i].want)
			fail_msg("eol_cycle_match(\"%s\", \"%s\") != %d", rows[i].cycle, rows[i].version,
				 rows[i].want);
}

static void test_cycle_find_bundled(void **state)
{
	(void)state;
	static const struct {
		const char *product, *version, *cycle; /* cycle NULL: none */
	} rows[] = {
		{ "php", "7.4.33", "7.4" },
		{ "php", "8.3", "8.3" },
		{ "php", "5.3.3", "5.3" },
		{ "debian", "12.5", "12" },
		{ "debian", "12", "12" },
		{ "debian", "8", "8" },
		{ "debian", "3.1", "3.1" },
		{ "debian", "3.1.8", "3.1" },
		{ "debian", "14", NULL },
		{ "debian", "1", NULL },
		{ "debian", "120", NULL },
		{ "postgresql", "12.5", "12" },
		{ "postgresql", "9.6.24", "9.6" },
		{ "centos", "7.9.2009", "7" },
		{ "centos", "6.10", "6" },
		{ "centos", "7", "7" },
		{ "ubuntu", "22.04", "22.04" },
		{ "ubuntu", "22.04.4", "22.04" },
		{ "ubuntu", "22", NULL },
		{ "ubuntu", "22.1", NULL },
		{ "rocky-linux", "9.3", "9" },
		{ "rocky-linux", "9.4", "9" },
		{ "rocky-linux", "9", "9" },
		{ "almalinux", "8.10", "8" },
		{ "rhel", "7.9", "7" },
		{ "oracle-linux", "8.9", "8" },
		{ "alibaba-cloud-linux", "3", "3" },
		{ "alibaba-cloud-linux", "2.1903", "2" },
		{ "opensuse", "15.5", "15.5" },
		{ "opensuse", "42.3", "42.3" },
		{ "opensuse", "15", NULL },
		{ "sles", "15.5", "15.5" },
		{ "sles", "12.5", "12.5" },
		{ "amazon-linux", "2023", "2023" },
		{ "amazon-linux", "2", "2" },
		{ "amazon-linux", "2018.03", "2018.03" },
		{ "amazon-linux", "20", NULL },
		{ "fedora", "40", "40" },
		{ "centos-stream", "9", "9" },
		{ "nginx", "1.20.1", "1.20" },
		{ "nginx", "1.2.9", "1.2" },
		{ "nginx", "1.18.0", "1.18" },
		{ "nginx", "1.17.10", NULL }, /* a mainline line the data leaves out */
		{ "tomcat", "7.0.109", "7" },
		{ "tomcat", "8.5.99", "8.5" },
		{ "tomcat", "10.1.20", "10.1" },
		{ "nodejs", "16.20.2", "16" },
		{ "nodejs", "18.20.3", "18" },
		{ "mariadb", "10.6.18", "10.6" },
		{ "mariadb", "10.11.6", "10.11" },
		{ "mariadb", "10.1.48", "10.1" },
		{ "mysql", "5.5.62", "5.5" },
		{ "mysql", "8.0.36", "8.0" },
		{ "apache-http-server", "2.4.10", "2.4" },
		{ "apache-http-server", "2.2.15", "2.2" },
		{ "eclipse-jetty", "9.4.53", "9.4" },
		{ "eclipse-jetty", "11.0.20", "11" },
		{ "eclipse-jetty", "12.0.5", "12.0" },
		{ "eclipse-temurin", "8.0", "8" },
		{ "eclipse-temurin", "17.0.10", "17" },
		{ "proftpd", "1.3.8", "1.3.8" },
		{ "proftpd", "1.3.5", "1.3.5" },
		{ "redis", "6.2.7", "6.2" },
		{ "redis", "8.10.1", "8.10" },
		{ "redis", "8.1.0", NULL },
	};
	struct eol_db *db = bundled_db();
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct eol_product *p = eol_db_find(db, rows[i].product);
		if (!p)
			fail_msg("no product %s", rows[i].product);
		const struct eol_cycle *c = eol_cycle_find(p, rows[i].version);
		const char *got = c ? c->cycle : NULL;
		if (rows[i].cycle ? !got || strcmp(got, rows[i].cycle) : got != NULL)
			fail_msg("%s %s: cycle %s, want %s", rows[i].product, rows[i].version,
				 got ? got : "(none)", rows[i].cycle ? rows[i].cycle : "(none)");
	}
	assert_null(eol_cycle_find(NULL, "7"));
	assert_null(eol_cycle_find(eol_db_find(db, "php"), NULL));
}

/* The longest prefix wins, whatever the order of the cycles. */
static void test_cycle_find_longest(void **state)
{
	(void)state;
	static const char *const orders[] = {
		"[{\"cycle\":\"7\"},{\"cycle\":\"7.4\"},{\"cycle\":\"7.4.1\"},{\"cycle\":\"10\"}]",
		"[{\"cycle\":\"10\"},{\"cycle\":\"7.4.1\"},{\"cycle\":\"7.4\"},{\"cycle\":\"7\"}]",
	};
	static const struct {
		const char *version, *cycle;
	} rows[] = {
		{ "7.4.10", "7.4" }, { "7.4.1.5", "7.4.1" }, { "7.4.1", "7.4.1" }, { "7.5", "7" },
		{ "7", "7" },        { "10.0", "10" },       { "1", NULL },        { "", NULL },
		{ "1.7", NULL },
	};
	for (size_t o = 0; o < ARRAY_SIZE(orders); o++) {
		struct eol_db db;
		char *err = NULL;
		eol_db_init(&db);
		assert_int_equal(eol_db_add_json(&db, "synthetic", orders[o], strlen(orders[o]), "test",
						 &err),
				 0);
		const struct eol_product *p = eol_db_find(&db, "synthetic");
		for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
			const struct eol_cycle *c = eol_cycle_find(p, rows[i].version);
			const char *got = c ? c->cycle : NULL;
			if (rows[i].cycle ? !got || strcmp(got, rows[i].cycle) : got != NULL)
				fail_msg("order %zu, %s: cycle %s, want %s", o, rows[i].version,
					 got ? got : "(none)", rows[i].cycle ? rows[i].cycle : "(none)");
		}
		eol_db_release(&db);
	}
}

/* ---- date-or-boolean fields ---- */

static const char fields_json[] =
	"[{\"cycle\":\"a\",\"eol\":\"2025-01-31\",\"support\":true,"
	"\"extendedSupport\":\"2027-12-31\",\"lts\":\"2024-10-01\",\"codename\":\"Ay\","
	"\"releaseDate\":\"2020-01-01\",\"latest\":\"a.9\"},"
	"{\"cycle\":\"b\",\"eol\":false,\"support\":false,\"extendedSupport\":false,\"lts\":true},"
	"{\"cycle\":\"c\",\"eol\":true,\"support\":\"2010-05-01\"},"
	"{\"cycle\":\"d\",\"eol\":\"2025-02-30\"},"
	"{\"cycle\":\"e\",\"support\":\"2030-01-01\"},"
	"{\"cycle\":\"f\",\"eol\":\"soon\",\"extendedSupport\":null,\"lts\":null},"
	"{\"cycle\":\"g\",\"eol\":\"2024-01-01\",\"extendedSupport\":\"later\"},"
	"{\"cycle\":\"h\",\"eol\":\"2024-01-01\",\"extendedSupport\":true},"
	"{\"cycle\":\"i\",\"eol\":17,\"lts\":\"2024-1-1\"},"
	"{\"cycle\":\"j\",\"eol\":true,\"extendedSupport\":\"2026-06-30\"}]";

static const struct eol_product *fields_product(struct eol_db *db)
{
	char *err = NULL;
	eol_db_init(db);
	if (eol_db_add_json(db, "fields", fields_json, strlen(fields_json), "test", &err) < 0)
		fail_msg("fields: %s", err);
	const struct eol_product *p = eol_db_find(db, "fields");
	assert_non_null(p);
	assert_int_equal(p->n, 10);
	return p;
}

static void test_fields(void **state)
{
	(void)state;
	static const struct {
		const char *cycle;
		enum eol_value_kind eol, support, extended, lts;
		const char *eol_text, *lts_text;
	} rows[] = {
		{ "a", EOLV_DATE, EOLV_TRUE, EOLV_DATE, EOLV_DATE, "2025-01-31", "2024-10-01" },
		{ "b", EOLV_FALSE, EOLV_FALSE, EOLV_FALSE, EOLV_TRUE, "false", "true" },
		{ "c", EOLV_TRUE, EOLV_DATE, EOLV_ABSENT, EOLV_ABSENT, "true", "absent" },
		{ "d", EOLV_BAD, EOLV_ABSENT, EOLV_ABSENT, EOLV_ABSENT, "invalid", "absent" },
		{ "e", EOLV_ABSENT, EOLV_DATE, EOLV_ABSENT, EOLV_ABSENT, "absent", "absent" },
		{ "f", EOLV_BAD, EOLV_ABSENT, EOLV_ABSENT, EOLV_ABSENT, "invalid", "absent" },
		{ "g", EOLV_DATE, EOLV_ABSENT, EOLV_BAD, EOLV_ABSENT, "2024-01-01", "absent" },
		{ "h", EOLV_DATE, EOLV_ABSENT, EOLV_TRUE, EOLV_ABSENT, "2024-01-01", "absent" },
		{ "i", EOLV_BAD, EOLV_ABSENT, EOLV_ABSENT, EOLV_BAD, "invalid", "invalid" },
		{ "j", EOLV_TRUE, EOLV_ABSENT, EOLV_DATE, EOLV_ABSENT, "true", "absent" },
	};
	struct eol_db db;
	const struct eol_product *p = fields_product(&db);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct eol_cycle *c = &p->cycles[i];
		assert_string_equal(c->cycle, rows[i].cycle);
		if (c->eol.kind != rows[i].eol || c->support.kind != rows[i].support ||
		    c->extended.kind != rows[i].extended || c->lts.kind != rows[i].lts)
			fail_msg("cycle %s: kinds %d %d %d %d", c->cycle, c->eol.kind, c->support.kind,
				 c->extended.kind, c->lts.kind);
		assert_string_equal(eol_value_text(&c->eol), rows[i].eol_text);
		assert_string_equal(eol_value_text(&c->lts), rows[i].lts_text);
		if (c->eol.kind == EOLV_DATE)
			assert_int_equal(c->eol.day, day_of(c->eol.date));
		else
			assert_int_equal(c->eol.day, -1);
	}
	assert_string_equal(p->cycles[0].codename, "Ay");
	assert_string_equal(p->cycles[0].release_date, "2020-01-01");
	assert_string_equal(p->cycles[0].latest, "a.9");
	assert_null(p->cycles[1].codename);
	assert_null(p->cycles[1].latest);
	eol_db_release(&db);
}

/* ---- judging ---- */

static void test_judge(void **state)
{
	(void)state;
	static const struct {
		const char *cycle, *day;
		int ext;
		enum eol_status want;
		const char *field;
		int by_extended, extended_left;
	} rows[] = {
		/* a: eol 2025-01-31, extendedSupport 2027-12-31 */
		{ "a", "2025-01-30", 0, EOL_MAINTAINED, "eol", 0, 0 },
		{ "a", "2025-01-31", 0, EOL_MAINTAINED, "eol", 0, 0 }, /* the eol day is still supported */
		{ "a", "2025-02-01", 0, EOL_ENDED, "eol", 0, 1 },
		{ "a", "2025-02-01", 1, EOL_MAINTAINED, "extendedSupport", 1, 0 },
		{ "a", "2027-12-31", 1, EOL_MAINTAINED, "extendedSupport", 1, 0 },
		{ "a", "2028-01-01", 1, EOL_ENDED, "eol", 0, 0 },
		{ "a", "2028-01-01", 0, EOL_ENDED, "eol", 0, 0 },
		{ "a", "2025-01-31", 1, EOL_MAINTAINED, "eol", 0, 0 },
		/* b: eol false: no end announced */
		{ "b", "2099-12-31", 0, EOL_MAINTAINED, "eol", 0, 0 },
		/* c: eol true; support dates do not matter */
		{ "c", "1999-01-01", 0, EOL_ENDED, "eol", 0, 0 },
		{ "c", "1999-01-01", 1, EOL_ENDED, "eol", 0, 0 },
		/* d, e, f, i: eol not a date or a boolean, or absent */
		{ "d", "2020-01-01", 0, EOL_UNKNOWN, "eol", 0, 0 },
		{ "e", "2020-01-01", 1, EOL_UNKNOWN, "eol", 0, 0 },
		{ "f", "2020-01-01", 0, EOL_UNKNOWN, "eol", 0, 0 },
		{ "i", "2020-01-01", 0, EOL_UNKNOWN, "eol", 0, 0 },
		/* g: a malformed extendedSupport matters only when it counts */
		{ "g", "2023-12-31", 1, EOL_MAINTAINED, "eol", 0, 0 },
		{ "g", "2024-01-02", 0, EOL_ENDED, "eol", 0, 0 },
		{ "g", "2024-01-02", 1, EOL_UNKNOWN, "extendedSupport", 0, 0 },
		/* h: extendedSupport true */
		{ "h", "2030-01-01", 0, EOL_ENDED, "eol", 0, 1 },
		{ "h", "2030-01-01", 1, EOL_MAINTAINED, "extendedSupport", 1, 0 },
		/* j: eol true, extended support by date */
		{ "j", "2026-06-30", 1, EOL_MAINTAINED, "extendedSupport", 1, 0 },
		{ "j", "2026-07-01", 1, EOL_ENDED, "eol", 0, 0 },
	};
	struct eol_db db;
	const struct eol_product *p = fields_product(&db);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct eol_cycle *c = eol_cycle_find(p, rows[i].cycle);
		struct eol_verdict v;
		assert_non_null(c);
		enum eol_status st = eol_judge(c, day_of(rows[i].day), rows[i].ext, &v);
		if (st != rows[i].want || v.status != st || strcmp(v.field, rows[i].field) ||
		    v.by_extended != rows[i].by_extended || v.extended_left != rows[i].extended_left)
			fail_msg("row %zu (%s on %s, ext %d): %s by %s, by_extended %d, left %d", i,
				 rows[i].cycle, rows[i].day, rows[i].ext, eol_status_name(st), v.field,
				 v.by_extended, v.extended_left);
	}
	eol_db_release(&db);
}

/* The real data, on the days around its end dates. */
static void test_judge_bundled(void **state)
{
	(void)state;
	static const struct {
		const char *product, *version, *day;
		int ext;
		enum eol_status want;
	} rows[] = {
		{ "centos", "7", "2024-06-30", 0, EOL_MAINTAINED },
		{ "centos", "7", "2024-07-01", 0, EOL_ENDED },
		{ "centos", "7", "2026-11-28", 1, EOL_ENDED }, /* no extendedSupport in the data */
		{ "centos", "6.10", "2026-11-28", 0, EOL_ENDED },
		{ "debian", "8", "2026-11-28", 1, EOL_ENDED },
		{ "debian", "12", "2026-07-11", 0, EOL_MAINTAINED },
		{ "debian", "12", "2026-07-12", 0, EOL_ENDED },
		{ "debian", "12", "2026-11-28", 1, EOL_MAINTAINED }, /* LTS until 2028-06-30 */
		{ "debian", "12", "2028-07-01", 1, EOL_ENDED },
		{ "ubuntu", "22.04", "2027-04-01", 0, EOL_MAINTAINED },
		{ "ubuntu", "22.04", "2027-04-02", 0, EOL_ENDED },
		{ "ubuntu", "22.04", "2027-04-02", 1, EOL_MAINTAINED }, /* ESM until 2032-04-09 */
		{ "rocky-linux", "9.4", "2026-11-28", 0, EOL_MAINTAINED },
		{ "alibaba-cloud-linux", "3", "2026-11-28", 0, EOL_MAINTAINED },
		{ "alibaba-cloud-linux", "2.1903", "2026-03-31", 1, EOL_MAINTAINED },
		{ "alibaba-cloud-linux", "2.1903", "2026-04-01", 1, EOL_ENDED },
		{ "opensuse", "15.5", "2026-11-28", 1, EOL_ENDED },
		{ "oracle-linux", "10", "2026-11-28", 0, EOL_MAINTAINED }, /* eol false */
		{ "nodejs", "16.20.2", "2026-11-28", 0, EOL_ENDED },
		{ "nodejs", "16.20.2", "2026-11-28", 1, EOL_MAINTAINED }, /* extendedSupport true */
		{ "nodejs", "3.3.1", "2000-01-01", 1, EOL_ENDED },        /* eol true */
		{ "tomcat", "8.5.99", "2024-03-31", 0, EOL_MAINTAINED },
		{ "tomcat", "8.5.99", "2024-04-01", 0, EOL_ENDED },
		{ "apache-http-server", "2.4.10", "2026-11-28", 0, EOL_MAINTAINED },
		{ "php", "7.4.33", "2022-11-28", 0, EOL_MAINTAINED },
		{ "php", "7.4.33", "2022-11-29", 0, EOL_ENDED },
	};
	struct eol_db *db = bundled_db();
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct eol_cycle *c =
			eol_cycle_find(eol_db_find(db, rows[i].product), rows[i].version);
		struct eol_verdict v;
		if (!c)
			fail_msg("no cycle for %s %s", rows[i].product, rows[i].version);
		if (eol_judge(c, day_of(rows[i].day), rows[i].ext, &v) != rows[i].want)
			fail_msg("%s %s on %s (ext %d): %s", rows[i].product, rows[i].version,
				 rows[i].day, rows[i].ext, eol_status_name(v.status));
	}
}

static void test_verdict_text(void **state)
{
	(void)state;
	static const struct {
		const char *cycle, *day;
		int ext;
		const char *text;
	} rows[] = {
		{ "a", "2025-01-01", 0, "eol 2025-01-31 not reached on 2025-01-01: 30 days left" },
		{ "a", "2025-01-31", 0, "eol 2025-01-31 not reached on 2025-01-31: 0 days left" },
		{ "a", "2025-02-10", 0,
		  "eol 2025-01-31 passed 10 days before 2025-02-10; extendedSupport 2027-12-31 does not "
		  "count (allow_extended is off)" },
		{ "a", "2025-02-10", 1,
		  "eol 2025-01-31 passed 10 days before 2025-02-10, extendedSupport 2027-12-31 not "
		  "reached: 1054 days left" },
		{ "a", "2028-01-01", 1,
		  "eol 2025-01-31 passed 1065 days before 2028-01-01, extendedSupport 2027-12-31 passed "
		  "too" },
		{ "b", "2025-01-01", 0, "eol false: no end announced" },
		{ "c", "2025-01-01", 0, "eol true: ended, no date given" },
		{ "d", "2025-01-01", 0, "eol is neither a date nor a boolean" },
		{ "e", "2025-01-01", 0, "eol is not in the data" },
		{ "g", "2025-01-01", 1, "extendedSupport is neither a date nor a boolean" },
		{ "h", "2025-01-01", 0,
		  "eol 2024-01-01 passed 366 days before 2025-01-01; extendedSupport true (no end "
		  "announced) does not count (allow_extended is off)" },
		{ "h", "2025-01-01", 1,
		  "eol 2024-01-01 passed 366 days before 2025-01-01, extendedSupport true: no end "
		  "announced" },
		{ "j", "2026-01-01", 1,
		  "eol true: ended, no date given, extendedSupport 2026-06-30 not reached: 180 days left" },
	};
	struct eol_db db;
	const struct eol_product *p = fields_product(&db);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct eol_verdict v;
		long day = day_of(rows[i].day);
		eol_judge(eol_cycle_find(p, rows[i].cycle), day, rows[i].ext, &v);
		char *t = eol_verdict_text(&v, day);
		if (strcmp(t, rows[i].text))
			fail_msg("row %zu: \"%s\"\n  want \"%s\"", i, t, rows[i].text);
		free(t);
	}
	char *t = eol_cycle_text(&p->cycles[0]);
	assert_string_equal(t, "eol 2025-01-31, support true, extendedSupport 2027-12-31, lts "
			       "2024-10-01, latest a.9");
	free(t);
	t = eol_cycle_text(&p->cycles[4]);
	assert_string_equal(t, "eol absent, support 2030-01-01");
	free(t);
	eol_db_release(&db);

	struct eol_db *b = bundled_db();
	const struct eol_product *deb = eol_db_find(b, "debian");
	t = eol_cycle_text(eol_cycle_find(deb, "12"));
	assert_string_equal(t, "eol 2026-07-11, extendedSupport 2028-06-30, lts false, latest 12.15");
	free(t);
	assert_string_equal(eol_status_name(EOL_MAINTAINED), "maintained");
	assert_string_equal(eol_status_name(EOL_ENDED), "not maintained");
	assert_string_equal(eol_status_name(EOL_UNKNOWN), "unknown");
}

static void test_maintained_cycles(void **state)
{
	(void)state;
	static const struct {
		const char *product, *day;
		int ext;
		size_t max;
		const char *want;
	} rows[] = {
		{ "nodejs", "2026-11-28", 0, 4, "26, 24, 22" },
		{ "tomcat", "2026-11-28", 0, 4, "11.0, 10.1, 9.0" },
		{ "centos", "2026-11-28", 1, 4, "" },
		{ "debian", "2026-11-28", 0, 4, "13" },
		{ "debian", "2026-11-28", 1, 4, "13, 12" },
		{ "ubuntu", "2026-11-28", 0, 2, "26.04, 24.04" },
	};
	struct eol_db *db = bundled_db();
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		char *got = eol_maintained_cycles(eol_db_find(db, rows[i].product),
						  day_of(rows[i].day), rows[i].ext, rows[i].max);
		if (strcmp(got, rows[i].want))
			fail_msg("%s: \"%s\", want \"%s\"", rows[i].product, got, rows[i].want);
		free(got);
	}
	char *names = eol_cycle_names(eol_db_find(db, "centos"), 12);
	assert_string_equal(names, "8, 7, 6, 5");
	free(names);
	names = eol_cycle_names(eol_db_find(db, "debian"), 3);
	assert_string_equal(names, "13, 12, 11, ...");
	free(names);
}

static void test_day_text(void **state)
{
	(void)state;
	char buf[16];
	long end = day_of("2100-12-31");
	for (long d = 0; d <= end; d++) {
		long back = -1;
		eol_day_text(d, buf, sizeof(buf));
		if (date_parse(buf, &back) < 0 || back != d)
			fail_msg("day %ld -> %s -> %ld", d, buf, back);
	}
	eol_day_text(day_of("2026-11-28"), buf, sizeof(buf));
	assert_string_equal(buf, "2026-11-28");
	eol_day_text(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01");
}

/* ---- loading ---- */

/* Every bundled file is loaded, and data/eol/SOURCES.md lists each with its number of cycles. */
static void test_bundled_matches_sources(void **state)
{
	(void)state;
	struct eol_db *db = bundled_db();
	char *md = NULL;
	size_t len = 0, listed = 0, n = 0;

	if (read_file("data/eol/SOURCES.md", 1 << 20, &md, &len) < 0)
		fail_msg("cannot read data/eol/SOURCES.md");
	assert_non_null(strstr(md, EOL_BUNDLED_DATE));
	while (eol_bundled_name(n))
		n++;
	assert_int_equal(db->n, n);
	assert_int_equal(n, 31);
	for (size_t i = 0; i < n; i++) {
		const char *name = eol_bundled_name(i);
		const struct eol_product *p = eol_db_find(db, name);
		assert_non_null(p);
		assert_string_equal(p->origin, EOL_ORIGIN_BUNDLED);
		char *row = xasprintf("| `%s.json` | %zu |", name, p->n);
		if (strstr(md, row))
			listed++;
		else if (strcmp(name, "alibaba-cloud-linux"))
			fail_msg("SOURCES.md has no row \"%s\"", row);
		free(row);
		for (size_t k = 0; k < p->n; k++)
			if (p->cycles[k].eol.kind == EOLV_ABSENT || p->cycles[k].eol.kind == EOLV_BAD)
				fail_msg("%s %s: eol is %s", name, p->cycles[k].cycle,
					 eol_value_text(&p->cycles[k].eol));
	}
	assert_int_equal(listed, n - 1); /* alibaba-cloud-linux was added by hand */
	assert_null(eol_bundled_name(n));
	size_t blen = 0;
	assert_non_null(eol_bundled("debian", &blen));
	assert_true(blen > 100);
	assert_null(eol_bundled("no-such-product", &blen));
	assert_int_equal(blen, 0);
	free(md);
}

static void test_add_json_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name, *json, *err;
	} rows[] = {
		{ "x", "[{\"cycle\":\"1\"", "test: not valid JSON" },
		{ "x", "{\"cycle\":\"1\"}", "test: not an array of release cycles" },
		{ "x", "[{\"cycle\":\"1\"},{\"eol\":false}]", "test: element 1 has no \"cycle\" string" },
		{ "x", "[{\"cycle\":1}]", "test: element 0 has no \"cycle\" string" },
		{ "x", "[{\"cycle\":\"\"}]", "test: element 0 has no \"cycle\" string" },
		{ "x", "[\"1\"]", "test: element 0 has no \"cycle\" string" },
		{ "../etc/passwd", "[]", "'../etc/passwd' is not a product name" },
		{ "Debian", "[]", "'Debian' is not a product name" },
		{ "", "[]", "'' is not a product name" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct eol_db db;
		char *err = NULL;
		eol_db_init(&db);
		assert_int_equal(eol_db_add_json(&db, rows[i].name, rows[i].json, strlen(rows[i].json),
						 "test", &err),
				 -1);
		assert_non_null(err);
		if (strcmp(err, rows[i].err))
			fail_msg("row %zu: \"%s\", want \"%s\"", i, err, rows[i].err);
		assert_int_equal(db.n, 0);
		free(err);
		eol_db_release(&db);
	}
	/* an empty array is a product without cycles; adding again replaces it */
	struct eol_db db;
	char *err = NULL;
	eol_db_init(&db);
	assert_int_equal(eol_db_add_json(&db, "x", "[]", 2, "first", &err), 0);
	assert_int_equal(eol_db_find(&db, "x")->n, 0);
	assert_int_equal(eol_db_add_json(&db, "x", "[{\"cycle\":\"1\"}]", 15, "second", &err), 0);
	assert_int_equal(db.n, 1);
	assert_int_equal(eol_db_find(&db, "x")->n, 1);
	assert_string_equal(eol_db_find(&db, "x")->origin, "second");
	/* a failed replacement leaves the product as it was */
	assert_int_equal(eol_db_add_json(&db, "x", "[", 1, "third", &err), -1);
	free(err);
	assert_string_equal(eol_db_find(&db, "x")->origin, "second");
	eol_db_release(&db);
	eol_db_release(NULL);
}

static void write_file(const char *dir, const char *name, const char *text, const char *mday)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	struct timeval tv[2] = { { day_of(mday) * 86400 + 3600, 0 }, { day_of(mday) * 86400 + 3600, 0 } };
	assert_int_equal(utimes(path, tv), 0);
	free(path);
}

static void remove_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	unlink(path);
	free(path);
}

static void test_cache_dir(void **state)
{
	(void)state;
	char dir[] = "/tmp/sr-eol-XXXXXX";
	struct eol_db db;
	char *err = NULL;

	assert_non_null(mkdtemp(dir));
	/* newer than the snapshot: wins */
	write_file(dir, "debian.json", "[{\"cycle\":\"12\",\"eol\":\"2030-01-01\"}]", "2026-11-01");
	/* the snapshot's own day: wins */
	write_file(dir, "centos.json", "[{\"cycle\":\"7\",\"eol\":\"2024-06-30\"}]", EOL_BUNDLED_DATE);
	/* older than the snapshot: left out */
	write_file(dir, "ubuntu.json", "[{\"cycle\":\"22.04\",\"eol\":\"2020-01-01\"}]", "2026-08-21");
	/* a product the bundle does not have */
	write_file(dir, "newprod.json", "[{\"cycle\":\"1\",\"eol\":false}]", "2026-11-01");
	/* not product files */
	write_file(dir, "Bad Name.json", "[", "2026-11-01");
	write_file(dir, "notes.txt", "[", "2026-11-01");
	write_file(dir, ".json", "[", "2026-11-01");

	eol_db_init(&db);
	if (eol_db_load(&db, dir, &err) < 0)
		fail_msg("eol_db_load: %s", err);
	assert_int_equal(db.n, 32);
	const struct eol_product *deb = eol_db_find(&db, "debian");
	char *want = xasprintf("%s/debian.json", dir);
	assert_string_equal(deb->origin, want);
	free(want);
	assert_int_equal(deb->n, 1);
	assert_string_equal(eol_cycle_find(deb, "12")->eol.date, "2030-01-01");
	assert_int_equal(eol_db_find(&db, "centos")->n, 1);
	assert_string_equal(eol_db_find(&db, "ubuntu")->origin, EOL_ORIGIN_BUNDLED);
	assert_int_equal(eol_db_find(&db, "ubuntu")->n, 44);
	assert_non_null(eol_db_find(&db, "newprod"));
	eol_db_release(&db);

	/* one product at a time, the same way */
	eol_db_init(&db);
	assert_int_equal(eol_db_load_product(&db, "debian", dir, &err), 0);
	assert_int_equal(eol_db_load_product(&db, "debian", dir, &err), 0); /* already there */
	assert_int_equal(eol_db_load_product(&db, "ubuntu", dir, &err), 0);
	assert_int_equal(eol_db_load_product(&db, "php", dir, &err), 0);
	assert_int_equal(eol_db_load_product(&db, "php", NULL, &err), 0);
	assert_int_equal(db.n, 3);
	assert_int_equal(eol_db_find(&db, "debian")->n, 1);
	assert_string_equal(eol_db_find(&db, "ubuntu")->origin, EOL_ORIGIN_BUNDLED);
	assert_int_equal(eol_db_load_product(&db, "nope", dir, &err), -1);
	assert_string_equal(err, "no end-of-life data for 'nope'");
	free(err);
	err = NULL;
	assert_int_equal(eol_db_load_product(&db, "../x", dir, &err), -1);
	assert_string_equal(err, "no end-of-life data for '../x'");
	free(err);
	err = NULL;
	eol_db_release(&db);

	/* a broken cached file is an error that names it */
	write_file(dir, "redis.json", "[{\"cycle\":", "2026-11-01");
	eol_db_init(&db);
	assert_int_equal(eol_db_load(&db, dir, &err), -1);
	want = xasprintf("%s/redis.json: not valid JSON", dir);
	assert_string_equal(err, want);
	free(want);
	free(err);
	err = NULL;
	eol_db_release(&db);
	eol_db_init(&db);
	assert_int_equal(eol_db_load_product(&db, "redis", dir, &err), -1);
	free(err);
	err = NULL;
	eol_db_release(&db);

	static const char *const files[] = { "debian.json", "centos.json", "ubuntu.json",
					     "newprod.json", "Bad Name.json", "notes.txt",
					     ".json", "redis.json" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		remove_file(dir, files[i]);
	assert_int_equal(rmdir(dir), 0);

	/* a missing directory: the bundled data alone */
	eol_db_init(&db);
	assert_int_equal(eol_db_load(&db, dir, &err), 0);
	assert_int_equal(db.n, 31);
	eol_db_release(&db);
}

/* ---- products of operating systems and programs ---- */

static void test_os_products(void **state)
{
	(void)state;
	static const struct {
		const char *id, *name, *product;
	} rows[] = {
		{ "debian", "Debian GNU/Linux 12 (bookworm)", "debian" },
		{ "ubuntu", "Ubuntu 22.04.4 LTS", "ubuntu" },
		{ "centos", "CentOS Linux 7 (Core)", "centos" },
		{ "centos", "CentOS release 6.10 (Final)", "centos" },
		{ "centos", "CentOS Stream 9", "centos-stream" },
		{ "centos", NULL, "centos" },
		{ "centos-stream", NULL, "centos-stream" },
		{ "rhel", "Red Hat Enterprise Linux 9.3 (Plow)", "rhel" },
		{ "rocky", "Rocky Linux 9.4 (Blue Onyx)", "rocky-linux" },
		{ "almalinux", NULL, "almalinux" },
		{ "alinux", "Alibaba Cloud Linux 3 (Soaring Falcon)", "alibaba-cloud-linux" },
		{ "opensuse-leap", "openSUSE Leap 15.5", "opensuse" },
		{ "opensuse", "openSUSE Leap 42.3", "opensuse" },
		{ "sles", NULL, "sles" },
		{ "amzn", "Amazon Linux 2023", "amazon-linux" },
		{ "ol", "Oracle Linux Server 8.9", "oracle-linux" },
		{ "fedora", NULL, "fedora" },
		{ "anolis", NULL, NULL },              /* not in endoflife.date */
		{ "opensuse-tumbleweed", NULL, NULL }, /* rolling: no cycles */
		{ "linuxmint", NULL, NULL },           /* a derivative is not its parent */
		{ "linux", NULL, NULL },
		{ NULL, NULL, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *got = eol_os_product(rows[i].id, rows[i].name);
		size_t len;
		if (rows[i].product ? !got || strcmp(got, rows[i].product) : got != NULL)
			fail_msg("%s: %s, want %s", rows[i].id ? rows[i].id : "(null)",
				 got ? got : "(none)", rows[i].product ? rows[i].product : "(none)");
		if (got && !eol_bundled(got, &len))
			fail_msg("%s: no bundled data for %s", rows[i].id, got);
	}
}

static void test_program_products(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text, *product;
	} rows[] = {
		{ "php", "PHP 7.4.33 (cli)", "php" },
		{ "php-fpm", "PHP 7.4.33 (fpm-fcgi)", "php" },
		{ "mysqld", "/usr/sbin/mysqld  Ver 5.5.62-0+deb8u1 for debian-linux-gnu", "mysql" },
		{ "mysqld", "/usr/sbin/mysqld  Ver 10.6.18-MariaDB for Linux", "mariadb" },
		{ "mysqld", NULL, "mysql" },
		{ "mariadbd", "/usr/sbin/mariadbd  Ver 10.6.18-MariaDB", "mariadb" },
		{ "nginx", "nginx version: nginx/1.20.1", "nginx" },
		{ "httpd", "Server version: Apache/2.4.51", "apache-http-server" },
		{ "apache2", "Server version: Apache/2.4.10 (Debian)", "apache-http-server" },
		{ "node", "v16.20.2", "nodejs" },
		{ "java", "openjdk version \"1.8.0_402\"", "eclipse-temurin" },
		{ "redis-server", "Redis server v=6.2.7", "redis" },
		{ "postgres", "postgres (PostgreSQL) 16.3", "postgresql" },
		{ "proftpd", "ProFTPD Version 1.3.8b", "proftpd" },
		{ "tomcat", "Apache Tomcat Version 8.5.99", "tomcat" },
		{ "jetty", "jetty-9.4.53.v20231009", "eclipse-jetty" },
		{ "perl", "perl 5", NULL },
		{ NULL, NULL, NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const char *got = eol_program_product(rows[i].name, rows[i].text);
		size_t len;
		if (rows[i].product ? !got || strcmp(got, rows[i].product) : got != NULL)
			fail_msg("%s: %s, want %s", rows[i].name ? rows[i].name : "(null)",
				 got ? got : "(none)", rows[i].product ? rows[i].product : "(none)");
		if (got && !eol_bundled(got, &len))
			fail_msg("%s: no bundled data for %s", rows[i].name, got);
	}
	static const struct {
		const char *product, *version, *want;
	} versions[] = {
		{ "eclipse-temurin", "1.8.0", "8.0" },
		{ "eclipse-temurin", "1.7.0", "7.0" },
		{ "eclipse-temurin", "11.0.22", "11.0.22" },
		{ "eclipse-temurin", "1.", "1." },
		{ "php", "1.2", "1.2" },
		{ "nodejs", "16.20.2", "16.20.2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		char *got = eol_program_version(versions[i].product, versions[i].version);
		assert_string_equal(got, versions[i].want);
		free(got);
	}
	assert_null(eol_program_version("php", NULL));
}

static void test_origin_text(void **state)
{
	(void)state;
	struct eol_db *db = bundled_db();
	char *t = eol_origin_text(eol_db_find(db, "debian"), day_of("2026-11-28"));
	assert_string_equal(t, "bundled endoflife.date snapshot of 2026-08-22 (98 days before "
			       "2026-11-28)");
	free(t);
	t = eol_origin_text(eol_db_find(db, "debian"), day_of("2026-01-01"));
	assert_string_equal(t, "bundled endoflife.date snapshot of 2026-08-22");
	free(t);
	struct eol_product p = { .name = (char *)"x", .origin = (char *)"/cache/x.json" };
	t = eol_origin_text(&p, day_of("2026-11-28"));
	assert_string_equal(t, "/cache/x.json");
	free(t);
}

static int teardown_db(void **state)
{
	(void)state;
	eol_db_release(bundled_db());
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cycle_match),
		cmocka_unit_test(test_cycle_find_bundled),
		cmocka_unit_test(test_cycle_find_longest),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_judge_bundled),
		cmocka_unit_test(test_verdict_text),
		cmocka_unit_test(test_maintained_cycles),
		cmocka_unit_test(test_day_text),
		cmocka_unit_test(test_bundled_matches_sources),
		cmocka_unit_test(test_add_json_errors),
		cmocka_unit_test(test_cache_dir),
		cmocka_unit_test(test_os_products),
		cmocka_unit_test(test_program_products),
		cmocka_unit_test(test_origin_text),
	};
	return cmocka_run_group_tests(tests, NULL, teardown_db);
}
