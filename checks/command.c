/*
 * command: run a command on the target and judge its exit code and output.
 * Its commands travel in the single fact-gathering round trip. This file holds
 * the schema; evaluation comes with verification.
 */
#include "types.h"

static const struct param_spec command_params[] = {
	{ "command", PK_STRING, 1, NULL, "shell command run on the target by /bin/sh", NULL, 0, 0 },
	{ "exit_code", PK_INT, 0, "0", "exit code that passes", NULL, 0, 255 },
	{ "stdout_matches", PK_REGEX, 0, NULL,
	  "extended regular expression the output must match", NULL, 0, 0 },
	{ "stdout_not_matches", PK_REGEX, 0, NULL,
	  "extended regular expression the output must not match", NULL, 0, 0 },
	PARAM_END,
};

const struct check_type check_command = {
	.name = "command",
	.summary = "run a command on the target and judge its exit code and output",
	.params = command_params,
	.validate = NULL,
};
