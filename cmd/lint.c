/* shelfready lint PROFILE...: validate profiles; no connection is made. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "profile.h"
#include "banned.h"

static const struct cmd_opt lint_opts[] = {
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "as-of", 0, "DATE", 0, "judge waiver expiry as of DATE (YYYY-MM-DD) instead of today" },
	{ "quiet", 'q', NULL, 0, "print nothing for profiles without problems" },
	OPT_END,
};

/* A path or a name; "-" reads the profile from standard input. */
static void lint_one(struct loader *l, const char *ref, struct resolved **r, struct diags *d)
{
	char *data = NULL;
	size_t len = 0;

	if (strcmp(ref, "-")) {
		loader_resolve(l, ref, r, d);
		return;
	}
	int rc = read_file("/dev/stdin", 4u << 20, &data, &len);
	if (rc < 0)
		diag_error(d, (struct srcpos){ NULL, 0, 0 }, "cannot read standard input: %s", strerror(-rc));
	else
		loader_resolve_buffer(l, "<stdin>", data, len, r, d);
	free(data);
}

static int lint_run(const struct cmd_args *a)
{
	int status = EXIT_COMPLIANT;

	for (int i = 0; i < a->argc; i++) {
		struct diags d;
		struct resolved *r = NULL;
		diags_init(&d);
		struct loader *l = loader_from_args(a, &d);
		if (l && d.errors == 0)
			lint_one(l, a->argv[i], &r, &d);
		diags_sort(&d);
		print_diags(&d);
		if (d.errors) {
			status = EXIT_USAGE;
			fprintf(stderr, "%s: %zu error%s\n", a->argv[i], d.errors, d.errors == 1 ? "" : "s");
		} else if (!arg_get(a, "quiet")) {
			printf("%s: ok (%zu steps, %zu checks%s)\n", a->argv[i], r->nsteps, r->nchecks,
			       d.warnings ? ", with warnings" : "");
		}
		resolved_free(r);
		loader_free(l);
		diags_release(&d);
	}
	return status;
}

const struct cmd_entry cmd_lint = {
	.name = "lint",
	.summary = "validate profiles; no connection is made",
	.usage = "PROFILE...",
	.description =
		"Load each profile (a path, a name in $XDG_CONFIG_HOME/shelfready/profiles, or a\n"
		"bundled name; - for standard input) with everything it extends, and report every problem found as\n"
		"path:line:col: error: message. Exits 2 when any profile has an error, 0 otherwise.",
	.opts = lint_opts,
	.min_args = 1,
	.max_args = -1,
	.run = lint_run,
};
