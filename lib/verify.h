/*
 * Verification: every check of a resolved profile judged against one set of
 * facts, in C, with no further contact with the target.
 */
#ifndef SR_VERIFY_H
#define SR_VERIFY_H

#include <stddef.h>

#include "check.h"
#include "cond.h"
#include "profile.h"

struct facts;
struct packer_build;

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
	/* the Packer artifact judged (--packer-manifest), or NULL; not owned, set after verify_run */
	const struct packer_build *artifact;
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
/*
 * Whether a step or check applies to the facts, by its `when` (vars.NAME
 * from the profile, everything else from the facts); TRI_TRUE without one.
 */
enum tri item_applies(const struct item *it, const struct resolved *r, const struct facts *f);
/* No check failed or errored (waived and skipped ones do not count). */
int verify_compliant(const struct verify_report *v);

/*
 * The checks in the order every report lists them, what needs action first:
 * failed, errors, waived, passed, skipped; within a status by clause (1.2
 * before 1.10; checks without one last), then by id. An array of v->n
 * pointers into v->items, owned by the caller (free it, not the items).
 */
const struct verify_item **report_order(const struct verify_report *v);

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
