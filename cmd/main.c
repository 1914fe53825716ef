/* shelfready: entry point, the command table and top-level help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "strbuf.h"
#include "version.h"
#include "banned.h"

extern const struct cmd_entry cmd_lint;
extern const struct cmd_entry cmd_plan;
extern const struct cmd_entry cmd_profiles;
extern const struct cmd_entry cmd_verify;
extern const struct cmd_entry cmd_facts;
extern const struct cmd_entry cmd_eol;
extern const struct cmd_entry cmd_run;
extern const struct cmd_entry cmd_doc;
extern const struct cmd_entry cmd_emit;

const struct cmd_entry *const cmd_table[] = {
	&cmd_lint,
	&cmd_plan,
	&cmd_facts,
	&cmd_profiles,
	&cmd_run,
	&cmd_verify,
	&cmd_eol,
	&cmd_doc,
	&cmd_emit,
	NULL,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: shelfready [--version] [--help] COMMAND [options] [ARGS]\n\n");
	fprintf(f, "Harden a cloud build VM over SSH and prove, before it is captured into an\n"
		   "image, that the image passes a marketplace security review.\n\ncommands:\n");
	for (size_t i = 0; cmd_table[i]; i++)
		fprintf(f, "  %-10s %s\n", cmd_table[i]->name, cmd_table[i]->summary);
	fprintf(f, "\nexit codes: 0 compliant, 1 not compliant, 2 usage or profile error,\n"
		   "3 connection or authentication failure, 4 a remediation step failed\n"
		   "\nRun 'shelfready COMMAND --help' for a command's options.\n");
}

static const struct cmd_entry *find_cmd(const char *name)
{
	for (size_t i = 0; cmd_table[i]; i++)
		if (!strcmp(cmd_table[i]->name, name))
			return cmd_table[i];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		struct strbuf sb = STRBUF_INIT;
		version_libraries(&sb);
		printf("shelfready %s\n%s", SHELFREADY_VERSION, sb.buf);
		strbuf_release(&sb);
		return 0;
	}
	const struct cmd_entry *cmd = find_cmd(argv[1]);
	if (!cmd) {
		const char *names[32];
		size_t n = 0;
		for (; cmd_table[n] && n + 1 < 32; n++)
			names[n] = cmd_table[n]->name;
		names[n] = NULL;
		const char *hint = str_suggest(argv[1], names);
		fprintf(stderr, "shelfready: unknown command '%s'", argv[1]);
		if (hint)
			fprintf(stderr, " (did you mean '%s'?)", hint);
		fprintf(stderr, "\nRun 'shelfready --help' for the list of commands.\n");
		return EXIT_USAGE;
	}
	struct cmd_args a;
	int r = args_parse(cmd, argc - 2, argv + 2, &a);
	if (r < 0)
		return 0; /* --help was printed */
	if (r > 0)
		return r;
	r = cmd->run(&a);
	args_release(&a);
	if (fflush(stdout) != 0) {
		perror("shelfready: write error");
		return EXIT_USAGE;
	}
	return r;
}
