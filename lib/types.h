/*
 * Step types (remediation) and check types (verification). Each type lives in
 * its own file under steps/ or checks/ and exports one const struct; the
 * tables in steps/table.c and checks/table.c list them. The struct carries the
 * parameter schema, so lint, plan and the docs derive from it.
 */
#ifndef SR_TYPES_H
#define SR_TYPES_H

#include "diag.h"
#include "schema.h"

/* What a type's validate function may look at besides the parameters. */
struct type_ctx {
	const char *owner;    /* "step 'x' (script)" for messages */
	struct srcpos at;     /* the step's or check's position */
	const char *base_dir; /* directory of the profile file; NULL when bundled */
	struct diags *d;
};

struct step_ctx;
struct step_result;
struct emit_ctx;
struct strbuf;

struct step_type {
	const char *name;
	const char *summary;
	const char *doc; /* Markdown paragraphs for the reference (docs/profiles.md); may be NULL */
	const struct param_spec *params; /* ends with PARAM_END */
	/* rules across parameters that the schema cannot say; may be NULL */
	void (*validate)(const struct params *p, const struct type_ctx *ctx);
	/*
	 * Inspect, then act (or in a dry run, say what it would do): set r to
	 * ok, changed, skipped or failed (lib/step.h). NULL: not runnable yet.
	 */
	void (*apply)(const struct params *p, struct step_ctx *ctx, struct step_result *r);
	/*
	 * For `emit` (lib/emit.h): append to sh the body of a POSIX shell
	 * function that performs the step on the machine itself. 0, or -1 with
	 * *err (owned) saying why it cannot be done without the controller.
	 * NULL: the type cannot be emitted.
	 */
	int (*emit)(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
		    char **err);
};

struct check_result;
struct check_env;

struct check_type {
	const char *name;
	const char *summary;
	const char *doc; /* as for step types */
	const struct param_spec *params;
	void (*validate)(const struct params *p, const struct type_ctx *ctx);
	/*
	 * Judge the facts: set r to pass, fail or error with evidence and a
	 * remediation hint. A pure function: no I/O, no globals.
	 */
	void (*eval)(const struct params *p, const struct check_env *env, struct check_result *r);
};

/* NULL-terminated tables, in steps/table.c and checks/table.c. */
extern const struct step_type *const step_types[];
extern const struct check_type *const check_types[];

const struct step_type *step_type_find(const char *name);
const struct check_type *check_type_find(const char *name);

#endif
