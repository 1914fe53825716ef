/*
 * Results of checks. A check type's eval is a pure function of the facts (and
 * its parameters): it says pass, fail or error, with evidence (exactly what
 * was seen: the package, its version and the fixed one; the process, its
 * path and user) and a remediation hint. Missing or stale evidence is an
 * error, never a pass. Skipped and waived are decided by the engine.
 */
#ifndef SR_CHECK_H
#define SR_CHECK_H

#include <stddef.h>

#include "util.h"

struct facts;
struct vars;

enum check_status {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_ERROR,   /* could not be judged: evidence missing, stale or unreadable */
	CHECK_SKIPPED, /* its `when:` is false on this target */
	CHECK_WAIVED,  /* failed or errored, but a valid waiver covers it */
};

const char *check_status_name(enum check_status s);

struct check_result {
	enum check_status status;
	char *summary;     /* one line: what was found */
	char **evidence;   /* one line each, in the order found */
	size_t nevidence, alloc;
	char *remediation; /* how to fix it; NULL when it passed */
};

void check_result_init(struct check_result *r);
void check_result_release(struct check_result *r);

/* Add one line of evidence (control characters from the target escaped). */
void check_evidence(struct check_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
/* Set the status and the summary line; each replaces an earlier one. */
void check_pass(struct check_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void check_fail(struct check_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void check_error(struct check_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void check_remedy(struct check_result *r, const char *fmt, ...) SR_PRINTF(2, 3);

/* What a check may look at besides its parameters. */
struct check_env {
	const struct facts *f;
	const struct vars *vars; /* the resolved profile's variables */
	long today;              /* days since 1970-01-01, for end-of-life dates */
	long long now;           /* seconds since 1970, for the age of evidence */
	const char *check_id;    /* the id of the check being judged */
	const char *eol_cache;   /* directory of refreshed end-of-life data, or NULL */
};

#endif
