/* shelfready profiles: the bundled profiles and their checks. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "diag.h"
#include "profile.h"
#include "types.h"
#include "banned.h"

static const struct cmd_opt profiles_opts[] = {
	{ "checks", 'c', NULL, 0, "list each profile's checks too" },
	OPT_END,
};

static int profiles_run(const struct cmd_args *a)
{
	const char *const *names = bundled_profile_names();
	int status = EXIT_COMPLIANT;
	int with_checks = arg_get(a, "checks") != NULL;

	for (size_t i = 0; names[i]; i++) {
		struct loader_opts lo = { NULL, NULL };
		struct loader *l = loader_new(&lo);
		struct resolved *r = NULL;
		struct diags d;
		diags_init(&d);
		if (loader_resolve(l, names[i], &r, &d) < 0) {
			diags_sort(&d);
			print_diags(&d);
			status = EXIT_USAGE;
		} else {
			printf("%-24s %-8s %s\n", names[i], r->top->version ? r->top->version : "",
			       r->top->title ? r->top->title : "");
			printf("%-24s %zu steps, %zu checks\n", "", r->nsteps, r->nchecks);
			for (size_t k = 0; with_checks && k < r->nchecks; k++) {
				const struct check *c = r->checks[k].def;
				printf("    %-32s %-8s %-10s %s\n", c->it.id, c->severity,
				       c->ref ? c->ref : "-", c->it.title ? c->it.title : "");
			}
		}
		resolved_free(r);
		loader_free(l);
		diags_release(&d);
	}
	return status;
}

const struct cmd_entry cmd_profiles = {
	.name = "profiles",
	.summary = "list the bundled profiles",
	.usage = "",
	.description =
		"List the profiles compiled into this binary, with their version, title and\n"
		"number of steps and checks. Use them by name: shelfready plan -p NAME.",
	.opts = profiles_opts,
	.min_args = 0,
	.max_args = 0,
	.run = profiles_run,
};
