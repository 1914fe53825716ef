/*
 * Profile variables: declared in a profile's `vars`, overridden by --var and
 * --var-file, referenced as ${name} in strings. Values are data: they are
 * substituted into parameters, never evaluated, and are shell-quoted when they
 * reach a remote command.
 */
#ifndef SR_VARS_H
#define SR_VARS_H

#include <stddef.h>

#include "diag.h"

struct strbuf;
struct ynode;

struct var {
	char *name;
	char *value;
	struct srcpos pos; /* where the value was set; file not owned */
	char *origin;      /* "profile NAME", "--var", "--var-file PATH" */
};

struct vars {
	struct var *v;
	size_t n, cap;
};

void vars_init(struct vars *vs);
void vars_release(struct vars *vs);
const struct var *vars_get(const struct vars *vs, const char *name);
/* Set or replace name; strings are copied. */
void vars_set(struct vars *vs, const char *name, const char *value, struct srcpos pos,
	      const char *origin);
/* Variable names: a letter or underscore, then letters, digits, underscores. */
int vars_valid_name(const char *name);

/*
 * Append s to out with every ${name} replaced by its value ($${ is a literal
 * "${"). Each undefined or malformed reference is reported in d at its
 * position within node. Returns 0, or -1 when something was reported.
 */
int vars_expand(const struct vars *vs, const char *s, const struct ynode *node,
		struct strbuf *out, struct diags *d);

#endif
