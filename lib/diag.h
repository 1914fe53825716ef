/*
 * Diagnostics: positioned error and warning messages collected while loading
 * and validating profiles, so that every problem in a file is reported, not
 * only the first. The engine never prints them; the command line does.
 */
#ifndef SR_DIAG_H
#define SR_DIAG_H

#include <stddef.h>

#include "util.h"

/* A position in a source file; line and col are 1-based, 0 when unknown. */
struct srcpos {
	const char *file; /* not owned: points into a struct diags file list or a profile */
	int line;
	int col;
};

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag {
	enum diag_level level;
	char *file;
	int line;
	int col;
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n, cap;
	size_t errors;
	size_t warnings;
};

void diags_init(struct diags *d);
void diags_release(struct diags *d);

void diag_error(struct diags *d, struct srcpos pos, const char *fmt, ...) SR_PRINTF(3, 4);
void diag_warning(struct diags *d, struct srcpos pos, const char *fmt, ...) SR_PRINTF(3, 4);

/* Order by file (in first-seen order), then line, then column; stable. */
void diags_sort(struct diags *d);

/* "path:line:col: error: message" (position parts omitted when unknown). */
char *diag_format(const struct diag *dg);

#endif
