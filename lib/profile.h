/*
 * Profiles: the model of one profile file, and a resolved profile (after
 * extends, variables and conditions). A loader owns every file it read; a
 * resolved profile borrows from them and owns only what resolution made.
 */
#ifndef SR_PROFILE_H
#define SR_PROFILE_H

#include <stddef.h>

#include "cond.h"
#include "diag.h"
#include "schema.h"
#include "vars.h"

struct ynode;
struct ydoc;
struct step_type;
struct check_type;

/* What steps and checks have in common, as written in one file. */
struct item {
	char *id;
	char *type_name;
	char *title;
	char *description;
	const struct ynode *node; /* the item's mapping */
	const struct ynode *with; /* NULL when absent */
	int with_bad;             /* `with` was not a mapping (reported) */
	const struct ynode *when_node;
	struct cond *when;        /* NULL when absent */
	const struct profile *origin;
};

struct step {
	struct item it;
	const struct step_type *type; /* NULL when unknown (reported) */
	int continue_on_error;        /* a failure does not stop the run */
};

struct check {
	struct item it;
	const struct check_type *type;
	char *severity;
	char *ref;
};

struct waiver {
	char *check;
	char *reason;
	char *expires; /* YYYY-MM-DD */
	long days_left;
	struct srcpos pos, check_pos, expires_pos;
	const struct profile *origin;
};

struct extends_ref {
	char *ref;
	struct srcpos pos;
};

struct profile {
	char *name, *title, *version, *description;
	char *source;   /* path as shown in messages, or bundled:NAME.yaml */
	char *ident;    /* real path, or bundled:NAME: equal idents are one profile */
	char *base_dir; /* NULL when bundled */
	int bundled;
	struct ydoc *doc;
	struct extends_ref *extends;
	size_t nextends;
	struct vars vars;
	struct step *steps;
	size_t nsteps;
	struct check *checks;
	size_t nchecks;
	struct waiver *waivers;
	size_t nwaivers;
};

/* Whether a step or check runs, as far as variables alone can tell. */
enum enabled { ENABLED_YES, ENABLED_NO, ENABLED_ON_TARGET };

struct rstep {
	const struct step *def;
	struct params params;
	enum enabled enabled;
};

struct rcheck {
	const struct check *def;
	struct params params;
	enum enabled enabled;
	const struct waiver *waiver; /* NULL when not waived */
};

struct resolved {
	const struct profile *top;
	const struct profile **chain; /* extends order: bases first, top last */
	size_t nchain;
	struct vars vars;             /* merged, with overrides applied */
	struct rstep *steps;
	size_t nsteps;
	struct rcheck *checks;
	size_t nchecks;
	const struct waiver **waivers;
	size_t nwaivers;
	/* definitions a later profile replaced: validated, never run */
	const struct step **replaced_steps;
	size_t nreplaced_steps;
	const struct check **replaced_checks;
	size_t nreplaced_checks;
};

struct loader_opts {
	const char *today;      /* YYYY-MM-DD, for waiver expiry */
	const char *config_dir; /* $XDG_CONFIG_HOME/shelfready/profiles, or NULL */
};

struct loader;

struct loader *loader_new(const struct loader_opts *opts);
void loader_free(struct loader *l);

/* --var KEY=VALUE; an error for a malformed assignment. */
int loader_add_var(struct loader *l, const char *assignment, struct diags *d);
/* --var-file FILE: a YAML mapping of names to strings. */
int loader_add_var_file(struct loader *l, const char *path, struct diags *d);

/*
 * Load the profile named by ref (a path, then a name in config_dir, then a
 * bundled name), everything it extends, and validate all of it. Every
 * problem goes to d. Returns 0 and *out (owned by the caller, valid while l
 * lives) when no error was found; otherwise -1.
 */
int loader_resolve(struct loader *l, const char *ref, struct resolved **out, struct diags *d);
/*
 * The same for a profile held in memory (standard input, a fuzzer): source
 * names it in messages; what it extends is looked up from the current
 * directory, then among the bundled profiles.
 */
int loader_resolve_buffer(struct loader *l, const char *source, const char *data, size_t len,
			  struct resolved **out, struct diags *d);
void resolved_free(struct resolved *r);

/* Bundled profile names, NULL-terminated, sorted. */
const char *const *bundled_profile_names(void);

#endif
