/*
 * script: upload a local file or inline text to the target and run it.
 * This file holds the schema and its load-time rules; running it comes with
 * the SSH transport.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "types.h"
#include "vars.h"
#include "banned.h"

static const struct param_spec script_params[] = {
	{ "inline", PK_STRING, 0, NULL, "script text to run; exactly one of inline and file", NULL, 0, 0 },
	{ "file", PK_STRING, 0, NULL,
	  "local script file, relative to the profile; exactly one of inline and file", NULL, 0, 0 },
	{ "interpreter", PK_STRING, 0, "/bin/sh", "program the script is fed to on the target", NULL, 0, 0 },
	{ "args", PK_STRING_LIST, 0, NULL, "arguments passed to the script, each shell-quoted", NULL, 0, 0 },
	{ "env", PK_STRING_MAP, 0, NULL, "environment variables set for the script", NULL, 0, 0 },
	{ "valid_exit_codes", PK_INT_LIST, 0, "[0]", "exit codes that count as success", NULL, 0, 255 },
	{ "retries", PK_INT, 0, "0", "how many times to retry after a failure", NULL, 0, 100 },
	{ "retry_delay", PK_DURATION, 0, "10s", "pause between attempts", NULL, 0, 3600 },
	{ "timeout", PK_DURATION, 0, "30m", "time limit of one attempt", NULL, 1, 86400 },
	{ "expect_disconnect", PK_BOOL, 0, "false",
	  "the script may drop the connection (a reboot, an sshd restart): not a failure", NULL, 0, 0 },
	PARAM_END,
};

static void script_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *in = params_get(p, "inline");
	const struct param *file = params_get(p, "file");
	const struct param *env = params_get(p, "env");

	if (!in == !file) {
		diag_error(ctx->d, in ? in->v.pos : ctx->at, "%s needs exactly one of 'inline' and 'file'",
			   ctx->owner);
	} else if (file) {
		if (!ctx->base_dir) {
			diag_error(ctx->d, file->v.pos, "%s: a bundled profile cannot refer to a local file",
				   ctx->owner);
		} else {
			char *path = file->v.s[0] == '/' ? xstrdup(file->v.s)
							 : xasprintf("%s/%s", ctx->base_dir, file->v.s);
			struct stat st;
			if (stat(path, &st) < 0)
				diag_error(ctx->d, file->v.pos, "script file '%s' not found", file->v.s);
			else if (!S_ISREG(st.st_mode))
				diag_error(ctx->d, file->v.pos, "script file '%s' is not a regular file",
					   file->v.s);
			free(path);
		}
	}
	for (size_t i = 0; env && i < env->v.n; i++)
		if (!vars_valid_name(env->v.keys[i]))
			diag_error(ctx->d, env->v.key_pos[i],
				   "'%s' in 'env' of %s is not a valid environment variable name", env->v.keys[i],
				   ctx->owner);
}

const struct step_type step_script = {
	.name = "script",
	.summary = "upload a local file or inline text to the target and run it",
	.params = script_params,
	.validate = script_validate,
};
