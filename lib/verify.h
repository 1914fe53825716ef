/*
 * Verification: every check of a resolved profile judged against one set of
 * facts, in C, with no further contact with the target.
 */
#ifndef SR_VERIFY_H
#define SR_VERIFY_H

#include <stddef.h>

#include "check.h"
#include "profile.h"

struct facts;

struct verify_item {
	const struct rcheck *rc;
	struct check_result res;
	enum check_status raw; /* the status before a waiver applied */
};

struct verify_report {
	const struct resolved *r;
	const struct facts *f;
	struct verify_item *items;
	size_t n;
	size_t counts[CHECK_WAIVED + 1]; /* by status */
	char *target;                    /* where the facts came from */
	char today[11];                  /* YYYY-MM-DD the checks were judged on */
};

/*
 * Judge every check of r against f as of today (YYYY-MM-DD). target names
 * the facts' origin in reports; eol_cache is a directory of refreshed
 * end-of-life data (`shelfready eol update`), or NULL for the bundled data
 * alone. Always fills out; 0 on success.
 */
int verify_run(const struct resolved *r, const struct facts *f, const char *today,
	       const char *target, const char *eol_cache, struct verify_report *out);
void verify_report_release(struct verify_report *v);
/* No check failed or errored (waived and skipped ones do not count). */
int verify_compliant(const struct verify_report *v);

/* Reports, each a string owned by the caller. color: ANSI colours (text). */
char *report_text(const struct verify_report *v, int color);
char *report_json(const struct verify_report *v);
/* JUnit XML: one testcase per check; waived and skipped checks are <skipped>. */
char *report_junit(const struct verify_report *v);
/*
 * One self-contained HTML file (no external assets, no scripts): summary,
 * then every check grouped by clause, failures first, readable printed.
 */
char *report_html(const struct verify_report *v);

#define REPORT_JSON_SCHEMA "shelfready.report/1"

#endif
