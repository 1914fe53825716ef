/*
 * shelfready emit -p PROFILE --format sh|cloud-init [-o FILE]: the profile's
 * remediation as a standalone POSIX shell script, or as cloud-init user-data
 * that runs it at first boot (lib/emit.h, docs/emit.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "emit.h"
#include "profile.h"
#include "banned.h"

static const struct cmd_opt emit_opts[] = {
	{ "profile", 'p', "PROFILE", OPT_REQUIRED, "profile path or name" },
	{ "format", 0, "sh|cloud-init", OPT_REQUIRED,
	  "sh: one POSIX shell script; cloud-init: #cloud-config user-data that runs it at first boot" },
	{ "var", 0, "KEY=VALUE", OPT_REPEAT, "set a variable declared in the profile's vars" },
	{ "var-file", 0, "FILE", OPT_REPEAT, "read variables from a YAML mapping" },
	{ "output", 'o', "FILE", 0, "write to FILE (a script: mode 0700) instead of standard output" },
	{ "secrets-file", 0, "PATH", 0,
	  "cloud-init: the root-only file on the instance (NAME=VALUE lines) that the script reads "
	  "the steps' secrets from, and deletes" },
	OPT_END,
};

/* Write text to path with mode, replacing it atomically; 0, or -1 after a message. */
static int write_file_mode(const char *path, const char *text, unsigned mode)
{
	int r = write_file_atomic(path, text, strlen(text), mode);
	if (r < 0)
		fprintf(stderr, "shelfready emit: cannot write %s: %s\n", path, strerror(-r));
	return r < 0 ? -1 : 0;
}

static int emit_run(const struct cmd_args *a)
{
	const char *format = arg_get(a, "format"), *out = arg_get(a, "output");
	struct diags d;
	struct resolved *r = NULL;
	struct loader *l;
	char *text = NULL, *err = NULL;
	int sh, status = EXIT_USAGE;

	sh = !strcmp(format, "sh");
	if (!sh && strcmp(format, "cloud-init")) {
		fprintf(stderr, "shelfready emit: unknown format '%s' (sh or cloud-init)\n", format);
		return EXIT_USAGE;
	}
	if (sh && arg_get(a, "secrets-file")) {
		fprintf(stderr, "shelfready emit: --secrets-file is for --format cloud-init; the sh script "
				"takes --secrets-file FILE when it runs\n");
		return EXIT_USAGE;
	}
	diags_init(&d);
	l = loader_from_args(a, &d);
	if (l && d.errors == 0)
		loader_resolve(l, arg_get(a, "profile"), &r, &d);
	diags_sort(&d);
	print_diags(&d);
	if (!r)
		goto out;
	text = sh ? emit_script(r, EMIT_SH, &err)
		  : emit_cloud_init(r, arg_get(a, "secrets-file"), &err);
	if (!text) {
		fprintf(stderr, "shelfready emit: %s\n", err ? err : "cannot emit the profile");
		goto out;
	}
	if (out ? write_file_mode(out, text, sh ? 0700 : 0644) : write_output(a, NULL, text))
		goto out;
	status = EXIT_COMPLIANT;
out:
	free(text);
	free(err);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	return status;
}

const struct cmd_entry cmd_emit = {
	.name = "emit",
	.summary = "the profile's remediation as a standalone script or cloud-init user-data",
	.usage = "",
	.description =
		"Write the profile's remediation as one POSIX shell script (--format sh) that\n"
		"runs as root on the machine itself, performs the enabled steps in order, then\n"
		"gathers the facts and prints them on standard output for 'shelfready verify\n"
		"--facts'; or as #cloud-config user-data (--format cloud-init) that installs the\n"
		"script and runs it at first boot. Nothing connects. Secrets the steps need are\n"
		"read when the script runs: from its environment, or from a root-only file\n"
		"(the script's --secrets-file; for cloud-init, this command's --secrets-file).\n"
		"Exit 2 when the profile does not validate or a step cannot be emitted (its\n"
		"condition uses a fact the script cannot compute, cloud-init and a secret\n"
		"without --secrets-file).",
	.opts = emit_opts,
	.min_args = 0,
	.max_args = 0,
	.run = emit_run,
};
