/* Option parsing derived from the command table, and helpers shared by commands. */
#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "diag.h"
#include "profile.h"
#include "strbuf.h"
#include "banned.h"

static const struct cmd_opt help_opt = { "help", 'h', NULL, 0, "show this help" };

const char *arg_get(const struct cmd_args *a, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->opt[i]->name, name))
			v = a->val[i] ? a->val[i] : "";
	return v;
}

size_t arg_all(const struct cmd_args *a, const char *name, const char **vals, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->opt[i]->name, name) && n < max)
			vals[n++] = a->val[i];
	return n;
}

void args_release(struct cmd_args *a)
{
	free(a->opt);
	free(a->val);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

void cmd_usage(const struct cmd_entry *cmd, int to_stderr)
{
	FILE *f = to_stderr ? stderr : stdout;
	struct strbuf sb = STRBUF_INIT;

	fprintf(f, "usage: shelfready %s [options]%s%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage);
	if (to_stderr) {
		fprintf(f, "Run 'shelfready %s --help' for details.\n", cmd->name);
		return;
	}
	fprintf(f, "\n%s\n\noptions:\n", cmd->description);
	for (const struct cmd_opt *o = cmd->opts;; o++) {
		const struct cmd_opt *opt = o->name ? o : &help_opt;
		strbuf_reset(&sb);
		strbuf_addf(&sb, "  %c%c%s--%s", opt->short_name ? '-' : ' ',
			    opt->short_name ? opt->short_name : ' ', opt->short_name ? ", " : "  ",
			    opt->name);
		if (opt->arg)
			strbuf_addf(&sb, " %s", opt->arg);
		fprintf(f, "%-30s %s%s%s\n", sb.buf, opt->help,
			opt->flags & OPT_REQUIRED ? " (required)" : "",
			opt->flags & OPT_REPEAT ? " (repeatable)" : "");
		if (!o->name)
			break;
	}
	strbuf_release(&sb);
}

static const struct cmd_opt *find_long(const struct cmd_entry *cmd, const char *name, size_t len)
{
	for (const struct cmd_opt *o = cmd->opts; o->name; o++)
		if (strlen(o->name) == len && !strncmp(o->name, name, len))
			return o;
	if (len == 4 && !strncmp(name, "help", 4))
		return &help_opt;
	return NULL;
}

static const struct cmd_opt *find_short(const struct cmd_entry *cmd, char c)
{
	for (const struct cmd_opt *o = cmd->opts; o->name; o++)
		if (o->short_name == c)
			return o;
	return c == 'h' ? &help_opt : NULL;
}

static void unknown_option(const struct cmd_entry *cmd, const char *arg, size_t len)
{
	const char *names[64];
	size_t n = 0;
	char *word = xstrndup(arg, len);
	for (const struct cmd_opt *o = cmd->opts; o->name && n + 2 < ARRAY_SIZE(names); o++)
		names[n++] = o->name;
	names[n++] = "help";
	names[n] = NULL;
	const char *hint = str_suggest(word, names);
	if (hint)
		fprintf(stderr, "shelfready %s: unknown option '--%s' (did you mean '--%s'?)\n", cmd->name,
			word, hint);
	else
		fprintf(stderr, "shelfready %s: unknown option '--%s'\n", cmd->name, word);
	free(word);
}

static void push(struct cmd_args *a, size_t *cap, const struct cmd_opt *o, const char *v)
{
	size_t c = *cap;
	ALLOC_GROW(a->opt, a->n + 1, c);
	c = *cap;
	ALLOC_GROW(a->val, a->n + 1, c);
	*cap = c;
	a->opt[a->n] = o;
	a->val[a->n] = v;
	a->n++;
}

int args_parse(const struct cmd_entry *cmd, int argc, char **argv, struct cmd_args *out)
{
	struct cmd_args a;
	size_t cap = 0;
	int only_args = 0;

	memset(&a, 0, sizeof(a));
	a.cmd = cmd;
	a.argv = xcalloc((size_t)argc + 1, sizeof(*a.argv));
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		const struct cmd_opt *o;
		const char *val = NULL;

		if (only_args || s[0] != '-' || !s[1]) {
			a.argv[a.argc++] = argv[i];
			continue;
		}
		if (!strcmp(s, "--")) {
			only_args = 1;
			continue;
		}
		if (s[1] == '-') {
			const char *name = s + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			o = find_long(cmd, name, len);
			if (!o) {
				unknown_option(cmd, name, len);
				goto usage;
			}
			if (eq && !o->arg) {
				fprintf(stderr, "shelfready %s: option '--%s' takes no value\n", cmd->name, o->name);
				goto usage;
			}
			val = eq ? eq + 1 : NULL;
		} else {
			o = find_short(cmd, s[1]);
			if (!o) {
				fprintf(stderr, "shelfready %s: unknown option '-%c'\n", cmd->name, s[1]);
				goto usage;
			}
			if (s[2] && !o->arg) {
				fprintf(stderr, "shelfready %s: option '-%c' takes no value\n", cmd->name, s[1]);
				goto usage;
			}
			val = s[2] ? s + 2 : NULL;
		}
		if (o == &help_opt) {
			cmd_usage(cmd, 0);
			args_release(&a);
			return -1;
		}
		if (o->arg && !val) {
			if (i + 1 >= argc) {
				fprintf(stderr, "shelfready %s: option '--%s' needs a value (%s)\n", cmd->name,
					o->name, o->arg);
				goto usage;
			}
			val = argv[++i];
		}
		if (!(o->flags & OPT_REPEAT) && arg_get(&a, o->name)) {
			fprintf(stderr, "shelfready %s: option '--%s' given twice\n", cmd->name, o->name);
			goto usage;
		}
		push(&a, &cap, o, val);
	}
	for (const struct cmd_opt *o = cmd->opts; o->name; o++)
		if ((o->flags & OPT_REQUIRED) && !arg_get(&a, o->name)) {
			fprintf(stderr, "shelfready %s: option '--%s' is required\n", cmd->name, o->name);
			goto usage;
		}
	if (a.argc < cmd->min_args || (cmd->max_args >= 0 && a.argc > cmd->max_args)) {
		fprintf(stderr, "shelfready %s: %s\n", cmd->name,
			a.argc < cmd->min_args ? "missing arguments" : "too many arguments");
		goto usage;
	}
	*out = a;
	return 0;
usage:
	cmd_usage(cmd, 1);
	args_release(&a);
	return EXIT_USAGE;
}

struct loader *loader_from_args(const struct cmd_args *a, struct diags *d)
{
	struct loader_opts lo = { NULL, NULL };
	const char *vals[256];
	char *config = NULL;
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		config = xasprintf("%s/shelfready/profiles", xdg);
	else if (home && *home)
		config = xasprintf("%s/.config/shelfready/profiles", home);
	lo.config_dir = config;
	lo.today = arg_get(a, "as-of");
	if (lo.today) {
		long days;
		if (date_parse(lo.today, &days) < 0) {
			diag_error(d, (struct srcpos){ NULL, 0, 0 }, "--as-of expects a date YYYY-MM-DD, found '%s'",
				   lo.today);
			free(config);
			return NULL;
		}
	}
	struct loader *l = loader_new(&lo);
	free(config);
	size_t n = arg_all(a, "var-file", vals, ARRAY_SIZE(vals));
	for (size_t i = 0; i < n; i++)
		loader_add_var_file(l, vals[i], d);
	n = arg_all(a, "var", vals, ARRAY_SIZE(vals));
	for (size_t i = 0; i < n; i++)
		loader_add_var(l, vals[i], d);
	return l;
}

void print_diags(const struct diags *d)
{
	const char *nc = getenv("NO_COLOR");
	int color = isatty(STDERR_FILENO) && !(nc && *nc);

	for (size_t i = 0; i < d->n; i++) {
		char *line = diag_format(&d->v[i]);
		if (color) {
			const char *tag = d->v[i].level == DIAG_ERROR ? "error:" : "warning:";
			const char *col = d->v[i].level == DIAG_ERROR ? "\033[1;31m" : "\033[1;35m";
			char *at = strstr(line, tag);
			if (at)
				fprintf(stderr, "%.*s%s%s\033[0m%s\n", (int)(at - line), line, col, tag,
					at + strlen(tag));
			else
				fprintf(stderr, "%s\n", line);
		} else {
			fprintf(stderr, "%s\n", line);
		}
		free(line);
	}
}
