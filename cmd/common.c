/* Option parsing derived from the command table, and helpers shared by commands. */
#include "cmd.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "date.h"
#include "diag.h"
#include "error.h"
#include "profile.h"
#include "ssh.h"
#include "strbuf.h"
#include "target.h"
#include "types.h"
#include "verify.h"
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

char *eol_cache_dir(const struct cmd_args *a)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *dir = arg_get(a, "eol-cache");

	if (dir && *dir)
		return xstrdup(dir);
	if (xdg && *xdg)
		return xasprintf("%s/shelfready/eol", xdg);
	if (home && *home)
		return xasprintf("%s/.cache/shelfready/eol", home);
	return NULL;
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

static void print_notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "shelfready: %s\n", msg);
}

static int seconds_arg(const struct cmd_args *a, const char *name, int def, int *out)
{
	const char *v = arg_get(a, name);
	char *end;
	if (!v) {
		*out = def;
		return 0;
	}
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < 0 || n > 86400) {
		fprintf(stderr, "shelfready %s: --%s expects seconds (0 to 86400), found '%s'\n",
			a->cmd->name, name, v);
		return EXIT_USAGE;
	}
	*out = (int)n;
	return 0;
}

/* A secret named by an environment variable; never taken from argv. */
static int secret_env(const struct cmd_args *a, const char *opt, const char **out)
{
	const char *var = arg_get(a, opt);
	*out = NULL;
	if (!var)
		return 0;
	const char *v = getenv(var);
	if (!v) {
		fprintf(stderr, "shelfready %s: --%s names '%s', which is not set in the environment\n",
			a->cmd->name, opt, var);
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static char *local_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("USER");
	return xstrdup(pw ? pw->pw_name : u && *u ? u : "root");
}

int conn_setup(const struct cmd_args *a, const char *target, struct conn_setup *cs)
{
	struct error e = ERROR_INIT;
	struct ssh_opts *o = xcalloc(1, sizeof(*o));
	const char *policy = arg_get(a, "host-key");
	const char *home = getenv("HOME");
	int ret = EXIT_USAGE;

	memset(cs, 0, sizeof(*cs));
	cs->o = o;
	o->target.port = 22;
	o->jump.port = 22;
	if (target_parse(target, &o->target, &e) < 0)
		goto bad;
	if (!o->target.user)
		o->target.user = local_user();
	if (arg_get(a, "jump")) {
		if (target_parse(arg_get(a, "jump"), &o->jump, &e) < 0) {
			error_prefix(&e, "--jump");
			goto bad;
		}
		if (!o->jump.user)
			o->jump.user = xstrdup(o->target.user);
	}
	if (!policy || !strcmp(policy, "strict"))
		o->hostkey = HOSTKEY_STRICT;
	else if (!strcmp(policy, "accept-new"))
		o->hostkey = HOSTKEY_ACCEPT_NEW;
	else if (!strcmp(policy, "off"))
		o->hostkey = HOSTKEY_OFF;
	else if (str_starts_with(policy, "fingerprint:SHA256:") && strlen(policy) > 19) {
		o->hostkey = HOSTKEY_PIN;
		o->pin = policy + strlen("fingerprint:");
	} else {
		fprintf(stderr,
			"shelfready %s: --host-key expects strict, accept-new, fingerprint:SHA256:... or off, found '%s'\n",
			a->cmd->name, policy);
		return EXIT_USAGE;
	}
	if (arg_get(a, "known-hosts"))
		cs->known_hosts = xstrdup(arg_get(a, "known-hosts"));
	else
		cs->known_hosts = xasprintf("%s/.ssh/known_hosts", home && *home ? home : ".");
	o->known_hosts = cs->known_hosts;
	o->auth.identity_file = arg_get(a, "identity");
	o->auth.no_agent = arg_get(a, "no-agent") != NULL;
	if (secret_env(a, "key-env", &o->auth.key_pem) || secret_env(a, "key-passphrase-env", &o->auth.passphrase) ||
	    secret_env(a, "password-env", &o->auth.password) ||
	    secret_env(a, "sudo-password-env", &o->sudo_password))
		return EXIT_USAGE;
	if (o->auth.key_pem) {
		o->auth.key_pem_len = strlen(o->auth.key_pem);
		if (!strstr(o->auth.key_pem, "PRIVATE KEY-----")) {
			fprintf(stderr, "shelfready %s: --key-env names '%s', which does not hold a private key in PEM form\n",
				a->cmd->name, arg_get(a, "key-env"));
			return EXIT_USAGE;
		}
	}
	o->sudo = arg_get(a, "sudo") != NULL || o->sudo_password != NULL;
	if (seconds_arg(a, "connect-timeout", 10, &o->connect_timeout) ||
	    seconds_arg(a, "wait", 0, &o->wait) || seconds_arg(a, "keepalive", 15, &o->keepalive))
		return EXIT_USAGE;
	if (o->connect_timeout == 0)
		o->connect_timeout = 10;
	o->notice = print_notice;
	return 0;
bad:
	fprintf(stderr, "shelfready %s: %s\n", a->cmd->name, e.msg);
	error_release(&e);
	return ret;
}

void conn_setup_release(struct conn_setup *cs)
{
	if (!cs || !cs->o)
		return;
	target_release(&cs->o->target);
	target_release(&cs->o->jump);
	free(cs->o);
	free(cs->known_hosts);
	memset(cs, 0, sizeof(*cs));
}

int exit_code_for(int err)
{
	if (err == 0)
		return EXIT_COMPLIANT;
	if (err == SR_ERR_USAGE)
		return EXIT_USAGE;
	/* could not get at the target: connection, auth, host key, a lost or stuck session */
	return EXIT_CONNECT;
}

/* ---- reports ---- */

int reports_parse(const struct cmd_args *a, struct report_req *out, size_t *n)
{
	static const char *const formats[] = { "text", "json", "junit", "html", NULL };
	const char *vals[MAX_REPORTS];
	size_t k = arg_all(a, "report", vals, MAX_REPORTS);

	*n = 0;
	if (!k)
		vals[k++] = "text";
	for (size_t i = 0; i < k; i++) {
		const char *eq = strchr(vals[i], '=');
		size_t len = eq ? (size_t)(eq - vals[i]) : strlen(vals[i]);
		const char *known = NULL;
		for (size_t f = 0; formats[f]; f++)
			if (strlen(formats[f]) == len && !strncmp(vals[i], formats[f], len))
				known = formats[f];
		if (!known) {
			fprintf(stderr, "shelfready %s: unknown report format in '%s' (text, json, junit or html)\n",
				a->cmd->name, vals[i]);
			reports_release(out, *n);
			*n = 0;
			return EXIT_USAGE;
		}
		out[*n].format = known;
		out[*n].path = eq && eq[1] ? xstrdup(eq + 1) : NULL;
		(*n)++;
	}
	return 0;
}

void reports_release(struct report_req *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		r[i].path = NULL;
	}
}

int write_output(const struct cmd_args *a, const char *path, const char *text)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	if (!f || fputs(text, f) < 0 || (path ? fclose(f) : fflush(f)) != 0) {
		fprintf(stderr, "shelfready %s: cannot write %s\n", a->cmd->name,
			path ? path : "standard output");
		return -1;
	}
	return 0;
}

int reports_write(const struct cmd_args *a, const struct verify_report *v,
		  const struct report_req *r, size_t n)
{
	int color = isatty(STDOUT_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const char *fmt = r[i].format;
		char *text = !strcmp(fmt, "json")    ? report_json(v)
			     : !strcmp(fmt, "junit") ? report_junit(v)
			     : !strcmp(fmt, "html")  ? report_html(v)
						     : report_text(v, color && !r[i].path);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, text);
		if (!strcmp(fmt, "json"))
			strbuf_addch(&sb, '\n');
		if (write_output(a, r[i].path, sb.buf))
			ret = -1;
		strbuf_release(&sb);
		free(text);
	}
	return ret;
}

extern const struct check_type check_command;

struct collect_check *command_checks(const struct resolved *r, size_t *n)
{
	struct collect_check *cc = xcalloc(r->nchecks ? r->nchecks : 1, sizeof(*cc));

	*n = 0;
	for (size_t i = 0; i < r->nchecks; i++) {
		const struct param *cmd = params_get(&r->checks[i].params, "command");
		if (r->checks[i].def->type == &check_command && cmd &&
		    r->checks[i].enabled != ENABLED_NO) {
			cc[*n].id = r->checks[i].def->it.id;
			cc[*n].command = cmd->v.s;
			(*n)++;
		}
	}
	return cc;
}
