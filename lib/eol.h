/*
 * End-of-life data: for each product, the release cycles of endoflife.date's
 * v0 API (one JSON array per product, data/eol/SOURCES.md). The data is
 * compiled into the binary from data/eol/NAME.json; newer files cached in a
 * directory (refreshed from the live API) replace the bundled ones.
 *
 * Judging a cycle is a pure function of the data and the day given: a cycle
 * is maintained through its `eol` day (endoflife.date's own rule: end of life
 * is the day after), and, when extended support counts, through its
 * `extendedSupport` day. `support` (end of active support) and `lts` (LTS, or
 * the day a cycle became LTS) never move the end: they are shown, not judged.
 */
#ifndef SR_EOL_H
#define SR_EOL_H

#include <stddef.h>

#include "error.h"

/* The day of the bundled snapshot; keep it in step with data/eol/SOURCES.md. */
#define EOL_BUNDLED_DATE "2026-08-22"
/* The origin of a product read from the bundled data. */
#define EOL_ORIGIN_BUNDLED "bundled"

/* A field that may be a date or a boolean (eol, support, extendedSupport, lts). */
enum eol_value_kind {
	EOLV_ABSENT, /* not in the data (or null) */
	EOLV_FALSE,
	EOLV_TRUE,
	EOLV_DATE,
	EOLV_BAD,    /* neither a boolean nor a YYYY-MM-DD date */
};

struct eol_value {
	enum eol_value_kind kind;
	long day;      /* EOLV_DATE: days since 1970-01-01; else -1 */
	char date[11]; /* EOLV_DATE: YYYY-MM-DD; else "" */
};

struct eol_cycle {
	char *cycle;        /* "12", "22.04", "8.5" */
	char *codename;     /* NULL when absent, as are the next two */
	char *release_date;
	char *latest;
	struct eol_value eol;      /* date: last day of (security) support; false: no end announced; true: ended */
	struct eol_value support;  /* end of active support; true: still active */
	struct eol_value extended; /* extendedSupport: end of extended support (Debian LTS, Ubuntu ESM) */
	struct eol_value lts;      /* true, or the day from which the cycle is LTS */
};

struct eol_product {
	char *name;   /* debian, rocky-linux, ... (the file name without .json) */
	char *origin; /* EOL_ORIGIN_BUNDLED, or the path of the cached file */
	struct eol_cycle *cycles; /* in the order of the data, usually newest first */
	size_t n, alloc;
};

struct eol_db {
	struct eol_product *v;
	size_t n, alloc;
};

void eol_db_init(struct eol_db *db);
/* Free what db holds; db may be NULL. */
void eol_db_release(struct eol_db *db);

/*
 * Every bundled product, then every cache_dir/NAME.json (cache_dir may be
 * NULL) replacing the bundled product NAME. A cached file older than the
 * bundled snapshot (modified before EOL_BUNDLED_DATE) is left out; a missing
 * directory is no error. 0, or -1 and *err (owned) naming the bad file.
 */
int eol_db_load(struct eol_db *db, const char *cache_dir, char **err);
/*
 * One product, as eol_db_load would have it; nothing happens when db holds
 * it already. -1 and *err when there is no data for it or it is malformed.
 */
int eol_db_load_product(struct eol_db *db, const char *name, const char *cache_dir, char **err);
/*
 * Parse text (endoflife.date API v0: an array of cycle objects) as product
 * name, replacing a product of that name. origin is recorded for evidence.
 * 0, or -1 and *err (owned).
 */
int eol_db_add_json(struct eol_db *db, const char *name, const char *text, size_t len,
		    const char *origin, char **err);
const struct eol_product *eol_db_find(const struct eol_db *db, const char *name);

/* The bundled JSON of product name (*len bytes), or NULL. */
const char *eol_bundled(const char *name, size_t *len);
/* The i-th bundled product name (in file name order), or NULL past the end. */
const char *eol_bundled_name(size_t i);

/*
 * The cycle of p for version: the cycle equal to it, else the longest cycle
 * that is a prefix of it ending at a dot ("7.4.33" -> "7.4", "12.5" -> "12",
 * "7.9.2009" -> "7"); NULL when none.
 */
const struct eol_cycle *eol_cycle_find(const struct eol_product *p, const char *version);
/* How cycle matches version: 2 equal, 1 a prefix ending at a dot, 0 not at all. */
int eol_cycle_match(const char *cycle, const char *version);

enum eol_status {
	EOL_UNKNOWN,    /* the data cannot tell */
	EOL_MAINTAINED,
	EOL_ENDED,      /* not maintained */
};

struct eol_verdict {
	enum eol_status status;
	const char *field;      /* the field that decided: "eol" or "extendedSupport" */
	struct eol_value value; /* its value */
	int by_extended;        /* maintained only because extended support counts */
	int extended_left;      /* ended, but extended support (not counted) runs on */
	struct eol_value eol, extended; /* the cycle's eol and extendedSupport */
};

/*
 * Judge c as of today (days since 1970-01-01): maintained while today is on
 * or before the eol day (or eol is false); when allow_extended, also while
 * today is on or before the extendedSupport day (or it is true). eol absent
 * or malformed, or a malformed extendedSupport that would matter: unknown.
 */
enum eol_status eol_judge(const struct eol_cycle *c, long today, int allow_extended,
			  struct eol_verdict *v);
/* "maintained", "not maintained" or "unknown". */
const char *eol_status_name(enum eol_status s);
/*
 * The dates that decided, in words (owned): "eol 2024-06-30 passed 881 days
 * before 2026-11-28", "eol 2027-04-01 not reached on 2026-11-28: 124 days
 * left", "eol 2026-07-11 passed 140 days before 2026-11-28, extendedSupport
 * 2028-06-30 not reached: 580 days left".
 */
char *eol_verdict_text(const struct eol_verdict *v, long today);
/* The cycle's dates (owned): "eol 2024-06-30, support 2020-08-06, lts false". */
char *eol_cycle_text(const struct eol_cycle *c);
/* A value as written in the data: a date, "true", "false", "absent", "invalid". */
const char *eol_value_text(const struct eol_value *v);

/*
 * The cycles of p maintained on today, newest first in data order, joined
 * with ", " (owned); at most max of them, "" when none.
 */
char *eol_maintained_cycles(const struct eol_product *p, long today, int allow_extended,
			    size_t max);

/* The first max cycle names of p, newest first in data order, joined with ", " (owned). */
char *eol_cycle_names(const struct eol_product *p, size_t max);
/*
 * Where p's data came from, for evidence (owned): "bundled endoflife.date
 * snapshot of 2026-08-22 (98 days before 2026-11-28)", or the cached file.
 */
char *eol_origin_text(const struct eol_product *p, long today);

/* YYYY-MM-DD of a day since 1970-01-01 into buf (at least 11 bytes). */
void eol_day_text(long day, char *buf, size_t size);

/*
 * The end-of-life product of an OS (os-release ID; name is PRETTY_NAME or
 * NAME, which tells CentOS Stream from CentOS Linux), or NULL.
 */
const char *eol_os_product(const char *id, const char *name);
/*
 * The end-of-life product of a third-party program as facts name it (php,
 * mysqld, httpd, node, java, tomcat, ...; version_text tells MariaDB's mysqld
 * from MySQL's), or NULL.
 */
const char *eol_program_product(const char *name, const char *version_text);
/*
 * The version to look up in product's cycles (owned): version itself, except
 * Java's 1.x numbering ("1.8.0" -> "8.0").
 */
char *eol_program_version(const char *product, const char *version);

/* ---- refreshing the cache from the live API (lib/eol-update.c) ---- */

#define EOL_DEFAULT_BASE_URL "https://endoflife.date/api"

struct http_opts;

enum eol_update_state {
	EOLU_UPDATED,   /* new data written */
	EOLU_UNCHANGED, /* the server said 304: the cached copy is current */
	EOLU_ABSENT,    /* the live API has no such product (404): the bundled data stays */
	EOLU_FAILED,    /* nothing written: msg says why */
};

struct eol_update_item {
	const char *product;
	enum eol_update_state state;
	size_t cycles;   /* EOLU_UPDATED: cycles in the new data */
	const char *msg; /* EOLU_FAILED: the error; else NULL */
	int attempts;
};

/*
 * Fetch base_url/NAME.json for each of the n products (all bundled ones when
 * n is 0) into cache_dir (made when missing), as a conditional GET when the
 * cache holds an ETag or Last-Modified from an earlier fetch (NAME.meta).
 * Data is checked as eol_db_add_json would read it before it replaces the
 * cached file, atomically; a failed product leaves its cached files as they
 * were. report (may be NULL) hears of each product in turn. 0 when none
 * failed, else the first failure's code, with e naming how many failed.
 */
int eol_update(const char *base_url, const char *cache_dir, const char *const *products, size_t n,
	       const struct http_opts *ho,
	       void (*report)(void *arg, const struct eol_update_item *it), void *arg,
	       struct error *e);

#endif
