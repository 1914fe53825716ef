/* shelfready plan -p PROFILE: the resolved profile, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "plan.h"
#include "profile.h"
#include "banned.h"

static const struct cmd_opt plan_opts[] = {
	{ "profile", 'p', "PROFILE", OPT_REQUIRED, "profile path or name" },
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "format", 0, "text|json", 0, "output format (default text)" },
	{ "as-of", 0, "DATE", 0, "judge waiver expiry as of DATE (YYYY-MM-DD) instead of today" },
	OPT_END,
};

static int plan_run(const struct cmd_args *a)
{
	const char *format = arg_get(a, "format");
	struct diags d;
	struct resolved *r = NULL;
	struct loader *l;
	int status = EXIT_USAGE;

	if (!format)
		format = "text";
	if (strcmp(format, "text") && strcmp(format, "json")) {
		fprintf(stderr, "shelfready plan: unknown format '%s' (text or json)\n", format);
		return EXIT_USAGE;
	}
	diags_init(&d);
	l = loader_from_args(a, &d);
	if (l && d.errors == 0)
		loader_resolve(l, arg_get(a, "profile"), &r, &d);
	diags_sort(&d);
	print_diags(&d);
	if (r) {
		char *out = !strcmp(format, "json") ? plan_json(r) : plan_text(r);
		fputs(out, stdout);
		if (!strcmp(format, "json"))
			putchar('\n');
		free(out);
		status = EXIT_COMPLIANT;
	}
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	return status;
}

const struct cmd_entry cmd_plan = {
	.name = "plan",
	.summary = "show what would run: the profile resolved (extends, vars, when)",
	.usage = "",
	.description =
		"Resolve a profile (extends, variables, conditions that depend on variables\n"
		"alone) and print its steps and checks with their parameters, defaults filled in.\n"
		"Conditions over facts are shown as decided on the target. Nothing connects.",
	.opts = plan_opts,
	.min_args = 0,
	.max_args = 0,
	.run = plan_run,
};
