/*
 * Parameter schemas of step and check types, and the typed values that a
 * `with:` mapping is turned into once it validates. The schema is data: lint,
 * plan, --help style listings and the generated docs all read it.
 */
#ifndef SR_SCHEMA_H
#define SR_SCHEMA_H

#include <stddef.h>

#include "diag.h"

struct ynode;
struct vars;

enum param_kind {
	PK_STRING,      /* any string */
	PK_INT,         /* integer, optionally bounded by min/max */
	PK_BOOL,        /* true or false */
	PK_DURATION,    /* seconds, or a number with s, m, h: "90s", "5m", "1h30m" */
	PK_ENUM,        /* one of choices */
	PK_REGEX,       /* a POSIX extended regular expression */
	PK_STRING_LIST, /* list of strings (a single string is not accepted) */
	PK_INT_LIST,    /* list of integers, each within min/max */
	PK_STRING_MAP,  /* mapping of names to strings */
};

struct param_spec {
	const char *key;
	enum param_kind kind;
	int required;
	const char *def; /* default as it would be written in YAML, or NULL */
	const char *doc;
	const char *const *choices; /* PK_ENUM: NULL-terminated */
	long long min, max;         /* bounds when min < max */
};

/* A NULL key ends a param_spec array. */
#define PARAM_END { NULL, PK_STRING, 0, NULL, NULL, NULL, 0, 0 }

enum pval_kind { PV_STRING, PV_INT, PV_BOOL, PV_LIST, PV_MAP };

struct pval {
	enum pval_kind kind;
	struct srcpos pos;
	char *s;        /* PV_STRING; also the text form of PV_INT and PV_BOOL */
	long long i;    /* PV_INT (durations in seconds), PV_BOOL (0/1) */
	size_t n;
	char **keys;    /* PV_MAP */
	struct srcpos *key_pos; /* PV_MAP: where each key was written */
	struct pval *items; /* PV_LIST, PV_MAP */
};

struct param {
	const struct param_spec *spec;
	struct pval v;
	int is_default;
};

struct params {
	struct param *v;
	size_t n;
};

const char *param_kind_name(enum param_kind k);

/*
 * Validate `with` (a mapping node or NULL) against specs, substituting ${var}
 * references from vars in every string; owner names the step or check type in
 * messages, at is where a missing `with` is reported. Errors go to d; on success (no new error) *out holds one param per
 * spec that has a value, in spec order.
 */
int params_from_yaml(const struct param_spec *specs, const struct ynode *with,
		     struct srcpos at, const struct vars *vars, const char *owner, struct params *out,
		     struct diags *d);
void params_release(struct params *p);
const struct param *params_get(const struct params *p, const char *key);
void pval_release(struct pval *v);

/* Parse "90", "90s", "5m", "1h30m", "2d" into seconds; 0 on success. */
int parse_duration(const char *s, long long *out);

#endif
