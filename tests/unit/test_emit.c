/*
 * Unit tests of lib/emit.c: `when` conditions translated into sh tests (run
 * under /bin/sh with fixed sr_fact answers and compared with cond_eval on the
 * same values, hostile string literals included), refusals of facts the
 * script cannot compute, and the script's and user-data's assembly from a
 * resolved profile made by hand (a disabled step is left out, a type without
 * an emit hook or a failing hook is named, secrets are never embedded and
 * cloud-init refuses them).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cond.h"
#include "emit.h"
#include "profile.h"
#include "ssh.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "vars.h"

/* lib/emit.c: not in emit.h */
int emit_cond_sh(const struct cond *c, const struct vars *vs, const char *step_id,
		 struct strbuf *out, char **err);

/* The facts the stub sr_fact answers, and the variables of every row. */
static const char *const stub_facts[][2] = {
	{ "os.id", "ubuntu" },
	{ "os.id_like", "debian" },
	{ "os.family", "debian" },
	{ "os.version_id", "22.04" },
	{ "os.arch", "x86_64" },
	{ "pkg.manager", "apt" },
	{ "cloud_init.present", "true" },
	{ NULL, NULL },
};

#define CANARY "/tmp/sr-test-emit-canary"

static const char *const test_vars[][2] = {
	{ "flavour", "debian" },
	{ "empty", "" },
	{ "yes", "true" },
	{ "list", "apt, dnf\tyum" },
	{ "quote", "it's \"x\"" },
	{ "subst", "$(touch " CANARY ")" },
	{ "tick", "`touch " CANARY "`" },
	{ "dollar", "${HOME}$1" },
	{ NULL, NULL },
};

static void set_vars(struct vars *vs)
{
	struct srcpos pos;
	memset(&pos, 0, sizeof(pos));
	vars_init(vs);
	for (size_t i = 0; test_vars[i][0]; i++)
		vars_set(vs, test_vars[i][0], test_vars[i][1], pos, "test");
}

static const char *lookup(const char *name, void *arg)
{
	const struct vars *vs = arg;
	if (!strncmp(name, "vars.", 5)) {
		const struct var *v = vars_get(vs, name + 5);
		return v ? v->value : NULL;
	}
	for (size_t i = 0; stub_facts[i][0]; i++)
		if (!strcmp(stub_facts[i][0], name))
			return stub_facts[i][1];
	return NULL;
}

/* ---- a hand-made resolved profile ---- */

static int hook_ok(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh, char **err)
{
	(void)p;
	(void)err;
	strbuf_addf(sh, "    sr_changed 'did step %zu of %zu'\n", ctx->index, ctx->total);
	return 0;
}

static int hook_fail(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
		     char **err)
{
	(void)p;
	(void)ctx;
	(void)sh;
	*err = xstrdup("needs the controller's files");
	return -1;
}

static const struct step_type type_ok = { "fake-ok", "a test type", NULL, NULL, NULL, NULL, hook_ok };
static const struct step_type type_fail = { "fake-fail", "a test type", NULL, NULL, NULL, NULL,
					    hook_fail };
static const struct step_type type_none = { "fake-none", "a test type", NULL, NULL, NULL, NULL, NULL };

static const struct param_spec secret_spec[] = {
	{ "token_env", PK_STRING, 0, NULL, "a secret", NULL, 0, 0 },
	PARAM_END,
};

struct fixture {
	struct profile top;
	const struct profile *chain[1];
	struct step defs[4];
	struct rstep steps[4];
	struct param secret;
	struct resolved r;
};

static void fixture_init(struct fixture *fx, size_t n, const struct step_type *const *types,
			 const enum enabled *enabled)
{
	static char first[] = "first", second[] = "second", third[] = "third", fourth[] = "fourth";
	static char name[] = "unit-profile", version[] = "7";
	char *ids[] = { first, second, third, fourth };
	memset(fx, 0, sizeof(*fx));
	fx->top.name = name;
	fx->top.version = version;
	fx->chain[0] = &fx->top;
	for (size_t i = 0; i < n; i++) {
		fx->defs[i].it.id = ids[i];
		fx->defs[i].it.type_name = (char *)types[i]->name;
		fx->defs[i].it.origin = &fx->top;
		fx->defs[i].type = types[i];
		fx->steps[i].def = &fx->defs[i];
		fx->steps[i].enabled = enabled[i];
	}
	fx->r.top = &fx->top;
	fx->r.chain = fx->chain;
	fx->r.nchain = 1;
	vars_init(&fx->r.vars);
	fx->r.steps = fx->steps;
	fx->r.nsteps = n;
}

/* Run text with /bin/sh; its standard output (owned) and exit status. */
static char *run_sh(const char *text, int *status)
{
	char path[] = "/tmp/sr-test-emit-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char *cmd = xasprintf("/bin/sh %s 2>&1", path);
	FILE *p = popen(cmd, "r");
	struct strbuf out = STRBUF_INIT;
	char buf[4096];
	size_t n;
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		strbuf_add(&out, buf, n);
	int st = pclose(p);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	unlink(path);
	free(cmd);
	if (!out.buf)
		strbuf_addstr(&out, "");
	return strbuf_detach(&out);
}

/* The runtime of a real script (between its markers), for the tests to run. */
static char *runtime_text(void)
{
	static const struct step_type *const types[] = { &type_ok };
	static const enum enabled en[] = { ENABLED_YES };
	struct fixture fx;
	char *err = NULL;

	fixture_init(&fx, 1, types, en);
	char *script = emit_script(&fx.r, EMIT_SH, &err);
	assert_non_null(script);
	char *a = strstr(script, "# ---- runtime ----");
	char *b = strstr(script, "# the gather script");
	assert_non_null(a);
	assert_non_null(b);
	char *rt = xasprintf("SR_TOTAL=1\nSR_SECRET_VARS=''\nSR_NAME=t\n%.*s", (int)(b - a), a);
	free(script);
	vars_release(&fx.r.vars);
	return rt;
}

/* ---- conditions ---- */

struct cond_row {
	const char *expr;
	const char *err; /* a part of the expected message, or NULL */
};

static const struct cond_row cond_rows[] = {
	{ "os.family == \"debian\"", NULL },
	{ "os.family != \"debian\"", NULL },
	{ "os.family == \"rhel\"", NULL },
	{ "os.id in [\"debian\", \"ubuntu\"]", NULL },
	{ "os.id not in [\"debian\", \"ubuntu\"]", NULL },
	{ "os.id in []", NULL },
	{ "os.id not in []", NULL },
	{ "pkg.manager in vars.list", NULL },
	{ "\"dnf\" in vars.list", NULL },
	{ "\"yum\" not in vars.list", NULL },
	{ "\"zypper\" in vars.list", NULL },
	{ "\"debian\" in os.id_like", NULL },
	{ "\"deb\" in os.id_like", NULL },
	{ "cloud_init.present", NULL },
	{ "not cloud_init.present", NULL },
	{ "vars.yes", NULL },
	{ "vars.flavour", NULL },
	{ "true", NULL },
	{ "false", NULL },
	{ "os.version_id == \"22.04\" and os.arch == \"x86_64\"", NULL },
	{ "os.version_id == 22.04", NULL },
	{ "os.family == \"rhel\" or pkg.manager == \"apt\"", NULL },
	{ "os.family == \"rhel\" or pkg.manager == \"dnf\"", NULL },
	{ "not (os.family == \"rhel\" or os.id == \"ubuntu\")", NULL },
	{ "(os.family == \"debian\") == (pkg.manager == \"apt\")", NULL },
	{ "(os.family == \"debian\") != true", NULL },
	{ "os.family == vars.flavour and vars.flavour == \"debian\"", NULL },
	{ "vars.flavour == \"rhel\" and os.family == \"debian\"", NULL },
	{ "vars.empty == \"\" or os.id == \"x\"", NULL },
	{ "vars.empty == os.id", NULL },
	{ "os.family in [vars.flavour, \"suse\"]", NULL },
	/* hostile literals: quotes, command substitution, backticks, expansions */
	{ "os.id == \"it's\"", NULL },
	{ "os.id != 'say \"x\" \\'", NULL },
	{ "os.id != vars.quote", NULL },
	{ "os.id == vars.subst or os.id == vars.tick or os.id == vars.dollar", NULL },
	{ "os.id != \"$(touch " CANARY ")\" and os.id != \"`touch " CANARY "`\"", NULL },
	{ "os.id in [\"'\", '\"', \"$(touch " CANARY ")\", vars.tick, \"ubuntu\"]", NULL },
	{ "vars.subst in os.id_like", NULL },
	{ "os.id in vars.subst", NULL },
	/* what the script cannot do */
	{ "os.kernel == \"6.1\"", "uses fact 'os.kernel', which the standalone script cannot compute" },
	{ "os.family == \"debian\" and reboot.required", "uses fact 'reboot.required'" },
	{ "vars.missing == \"x\" and os.id == \"y\"", "'vars.missing', which is not defined" },
	{ NULL, NULL },
};

static void test_cond_translation(void **state)
{
	(void)state;
	struct vars vs;
	struct strbuf prog = STRBUF_INIT;
	char *rt = runtime_text();
	size_t n = 0;

	set_vars(&vs);
	unlink(CANARY);
	strbuf_addstr(&prog, rt);
	/* the stub overrides the runtime's sr_fact */
	strbuf_addstr(&prog, "sr_fact() {\n    case $1 in\n");
	for (size_t i = 0; stub_facts[i][0]; i++) {
		strbuf_addf(&prog, "    %s) printf '%%s' ", stub_facts[i][0]);
		shell_quote(&prog, stub_facts[i][1]);
		strbuf_addstr(&prog, " ;;\n");
	}
	strbuf_addstr(&prog, "    *) echo \"unexpected fact $1\"; exit 9 ;;\n    esac\n}\n");
	struct strbuf expect = STRBUF_INIT;
	for (const struct cond_row *row = cond_rows; row->expr; row++) {
		struct cond *c = NULL;
		char *err = NULL;
		size_t off = 0;
		struct strbuf sh = STRBUF_INIT;

		if (cond_parse(row->expr, &c, &err, &off) < 0)
			fail_msg("cannot parse '%s': %s", row->expr, err);
		int r = emit_cond_sh(c, &vs, "s", &sh, &err);
		if (row->err) {
			if (r == 0 || !err || !strstr(err, row->err))
				fail_msg("'%s': expected an error with '%s', got %s", row->expr, row->err,
					 err ? err : sh.buf);
			assert_null(strstr(err, "(null)"));
		} else {
			if (r < 0)
				fail_msg("'%s': %s", row->expr, err);
			enum tri t = cond_eval(c, lookup, &vs);
			assert_int_not_equal(t, TRI_UNKNOWN);
			strbuf_addf(&prog, "if %s\nthen echo '%zu T'; else echo '%zu F'; fi\n", sh.buf, n, n);
			strbuf_addf(&expect, "%zu %c\n", n, t == TRI_TRUE ? 'T' : 'F');
			n++;
		}
		free(err);
		strbuf_release(&sh);
		cond_free(c);
	}
	int status;
	char *out = run_sh(prog.buf, &status);
	if (status != 0 || strcmp(out, expect.buf)) {
		/* show the rows that differ */
		print_error("expected:\n%s\ngot (exit %d):\n%s\nprogram:\n%s\n", expect.buf, status, out,
			    strstr(prog.buf, "sr_fact() {"));
		fail();
	}
	struct stat st;
	assert_int_not_equal(stat(CANARY, &st), 0);
	free(out);
	free(rt);
	strbuf_release(&prog);
	strbuf_release(&expect);
	vars_release(&vs);
}

/* Variables alone decide: no test in the script at all. */
static void test_cond_folds_vars(void **state)
{
	(void)state;
	static const struct {
		const char *expr, *sh;
	} rows[] = {
		{ "vars.flavour == \"debian\"", "true" },
		{ "vars.flavour == \"rhel\" and os.id == \"x\"", "false" },
		{ "vars.yes or os.kernel == \"x\"", "true" },
		{ "vars.flavour in [\"debian\"] and os.id == \"x\"", "{ true && [ \"$(sr_fact os.id)\" = 'x' ]; }" },
		{ "os.id in [\"a\", vars.quote]",
		  "{ [ \"$(sr_fact os.id)\" = 'a' ] || [ \"$(sr_fact os.id)\" = 'it'\\''s \"x\"' ]; }" },
		{ "not os.id in vars.list", "! { sr_in \"$(sr_fact os.id)\" 'apt, dnf\tyum'; }" },
		{ "os.id not in vars.list", "! sr_in \"$(sr_fact os.id)\" 'apt, dnf\tyum'" },
		{ NULL, NULL },
	};
	struct vars vs;
	set_vars(&vs);
	for (size_t i = 0; rows[i].expr; i++) {
		struct cond *c = NULL;
		char *err = NULL;
		size_t off;
		struct strbuf sh = STRBUF_INIT;
		assert_int_equal(cond_parse(rows[i].expr, &c, &err, &off), 0);
		if (emit_cond_sh(c, &vs, "s", &sh, &err) < 0)
			fail_msg("'%s': %s", rows[i].expr, err);
		if (strcmp(sh.buf, rows[i].sh))
			fail_msg("'%s': expected\n%s\ngot\n%s", rows[i].expr, rows[i].sh, sh.buf);
		strbuf_release(&sh);
		cond_free(c);
	}
	vars_release(&vs);
}

/* The runtime's own sr_fact agrees with how shelfready reads an os-release. */
static void test_runtime_sr_in(void **state)
{
	(void)state;
	char *rt = runtime_text();
	char *prog = xasprintf("%s\n"
			       "sr_in b 'a, b' && echo 1\n"
			       "sr_in c 'a,,b' || echo 2\n"
			       "sr_in '*' 'a b' || echo 3\n"
			       "sr_in x \"$(printf 'y\\r\\nx\\r')\" && echo 4\n"
			       "sr_in '' 'a' || echo 5\n"
			       "sr_fact no.such || echo 6\n"
			       "case $(sr_fact cloud_init.present) in true|false) echo 7 ;; esac\n"
			       "sr_family_of ubuntu; echo; sr_family_of opensuse-leap; echo; sr_family_of x || echo 8\n",
			       rt);
	int status;
	char *out = run_sh(prog, &status);
	assert_int_equal(status, 0);
	assert_string_equal(out, "1\n2\n3\n4\n5\n6\n7\ndebian\nsuse\n8\n");
	free(out);
	free(prog);
	free(rt);
}

/* sr_load_secrets: the file's owner and mode, its lines, and its removal */
static void test_runtime_load_secrets(void **state)
{
	(void)state;
	char dir[] = "/tmp/sr-test-secrets-XXXXXX";
	if (geteuid() != 0)
		skip(); /* the file must be root's */
	assert_non_null(mkdtemp(dir));
	char *rt = runtime_text();
	char *f = xasprintf("%s/s.env", dir);
	struct row {
		const char *text;
		unsigned mode;
		const char *want; /* the output, "%F" standing for the file */
	} rows[] = {
		{ "# a comment\n\nTOKEN=abc def\nOTHER=\"quoted\"\r\n", 0600,
		  "loaded\n[abc def] [quoted]\n" },
		{ "TOKEN='x=y'", 0400, "loaded\n[x=y] []\n" },
		{ "TOKEN=x\n", 0644,
		  "t: secrets file %F must be root's and readable by root alone (mode 0600 or 0400), "
		  "not -rw-r--r--:0\nrefused\n" },
		{ "TOKEN=x\nNOPE=1\n", 0600,
		  "t: %F:2: 'NOPE' is not a secret the steps use (they use: TOKEN OTHER)\nrefused\n" },
		{ "TOKEN=x\nexport OTHER\n", 0600, "t: %F:2: not NAME=VALUE\nrefused\n" },
		{ "$(id)=1\n", 0600,
		  "t: %F:1: '$(id)' is not a secret the steps use (they use: TOKEN OTHER)\nrefused\n" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		assert_int_equal(write_file_atomic(f, rows[i].text, strlen(rows[i].text), rows[i].mode), 0);
		chmod(f, rows[i].mode);
		char *prog = xasprintf("%s\nSR_SECRET_VARS='TOKEN OTHER' SR_SECRETS_REMOVE=0\n"
				       "if sr_load_secrets '%s'; then echo loaded; "
				       "sh -c 'printf \"[%%s] [%%s]\\n\" \"$TOKEN\" \"${OTHER-}\"'; "
				       "else echo refused; fi\n",
				       rt, f);
		int status;
		char *out = run_sh(prog, &status);
		struct strbuf want = STRBUF_INIT;
		for (const char *w = rows[i].want; *w; w++) {
			if (w[0] == '%' && w[1] == 'F') {
				strbuf_addstr(&want, f);
				w++;
			} else {
				strbuf_addch(&want, *w);
			}
		}
		if (strcmp(out, want.buf))
			fail_msg("row %zu: got\n%s\nwant\n%s", i, out, want.buf);
		strbuf_release(&want);
		free(out);
		free(prog);
	}
	/* a symbolic link is not taken, however good its target */
	char *link = xasprintf("%s/link.env", dir);
	assert_int_equal(write_file_atomic(f, "TOKEN=x\n", 8, 0600), 0);
	assert_int_equal(symlink(f, link), 0);
	char *prog = xasprintf("%s\nSR_SECRET_VARS=TOKEN SR_SECRETS_REMOVE=0\nsr_load_secrets '%s' || "
			       "echo refused\n",
			       rt, link);
	int status;
	char *out = run_sh(prog, &status);
	assert_non_null(strstr(out, ": not a regular file\nrefused\n"));
	free(out);
	free(prog);
	/* removed once read */
	prog = xasprintf("%s\nSR_SECRET_VARS=TOKEN SR_SECRETS_REMOVE=1\nsr_load_secrets '%s' && "
			 "echo \"$TOKEN\"\n",
			 rt, f);
	out = run_sh(prog, &status);
	assert_string_equal(out, "x\n");
	assert_int_equal(access(f, F_OK), -1);
	free(out);
	free(prog);
	unlink(link);
	rmdir(dir);
	free(link);
	free(f);
	free(rt);
}

/* every step type of the table can be emitted: profiles are never refused for their types */
static void test_every_type_has_a_hook(void **state)
{
	(void)state;
	size_t n = 0;
	for (const struct step_type *const *t = step_types; *t; t++, n++)
		if (!(*t)->emit)
			fail_msg("step type '%s' has no emit hook", (*t)->name);
	assert_true(n >= 11);
}

/* ---- the script ---- */

static void test_script_assembly(void **state)
{
	(void)state;
	static const struct step_type *const types[] = { &type_ok, &type_none, &type_ok };
	static const enum enabled en[] = { ENABLED_YES, ENABLED_NO, ENABLED_YES };
	struct fixture fx;
	char *err = NULL;

	fixture_init(&fx, 3, types, en);
	fx.defs[2].continue_on_error = 1;
	char *s = emit_script(&fx.r, EMIT_SH, &err);
	assert_non_null(s);
	assert_null(err);
	assert_true(!strncmp(s, "#!/bin/sh\n", 10));
	assert_non_null(strstr(s, "profile unit-profile 7, generated by shelfready"));
	assert_non_null(strstr(s, "shelfready verify -p unit-profile --facts facts.txt"));
	assert_non_null(strstr(s, "\nset -u\n"));
	assert_non_null(strstr(s, "sr_step_1() {\n    sr_changed 'did step 1 of 3'\n}\n"));
	/* the disabled step: no function, a comment, and a skipped result as run says */
	assert_null(strstr(s, "sr_step_2"));
	assert_non_null(strstr(s, "# Left out, disabled by the profile's variables:\n#   [2] second\n"));
	assert_non_null(strstr(s, "    sr_begin 2 'second' 'fake-none'\n    sr_skipped"));
	assert_non_null(strstr(s, "sr_step_3 </dev/null >&2\n    sr_end || :\n"));
	assert_non_null(strstr(s, "sr_step_1 </dev/null >&2\n    sr_end || sr_stop\n"));
	/* the gather follows, whole */
	assert_non_null(strstr(s, "<<'SR_GATHER_EOF'\n"));
	assert_non_null(strstr(s, "\nSR_GATHER_EOF\n}\n"));
	assert_non_null(strstr(s, "printf '@@SRG %s done\\n' \"$NONCE\""));
	/* it parses */
	char *prog = xasprintf("set -n\n%s", s);
	int status;
	char *out = run_sh(prog, &status);
	assert_int_equal(status, 0);
	free(out);
	free(prog);
	free(s);

	/* cloud-init wraps the same script */
	s = emit_cloud_init(&fx.r, NULL, &err);
	assert_non_null(s);
	assert_true(!strncmp(s, "#cloud-config\n", 14));
	assert_non_null(strstr(s, "  - path: /var/lib/shelfready/remediate.sh\n    owner: root:root\n"
				  "    permissions: '0700'\n    content: |\n      #!/bin/sh\n"));
	assert_non_null(strstr(s, "\nruncmd:\n"));
	assert_null(strstr(s, "chpasswd"));
	free(s);
	vars_release(&fx.r.vars);
}

static void test_script_refusals(void **state)
{
	(void)state;
	static const struct step_type *const t1[] = { &type_ok, &type_none };
	static const struct step_type *const t2[] = { &type_fail };
	static const enum enabled en[] = { ENABLED_YES, ENABLED_YES };
	static const enum enabled off[] = { ENABLED_YES, ENABLED_NO };
	struct fixture fx;
	char *err = NULL;

	fixture_init(&fx, 2, t1, en);
	assert_null(emit_script(&fx.r, EMIT_SH, &err));
	assert_string_equal(err, "step 'second': type 'fake-none' cannot be emitted as a standalone "
				 "script (it needs the controller)");
	free(err);
	assert_null(emit_cloud_init(&fx.r, NULL, &err));
	assert_non_null(strstr(err, "type 'fake-none'"));
	free(err);
	/* disabled, it is left out and nothing is refused */
	fixture_init(&fx, 2, t1, off);
	char *s = emit_script(&fx.r, EMIT_SH, &err);
	assert_non_null(s);
	free(s);

	fixture_init(&fx, 1, t2, en);
	assert_null(emit_script(&fx.r, EMIT_SH, &err));
	assert_string_equal(err, "step 'first' (fake-fail) cannot be emitted: needs the controller's files");
	free(err);
}

static void test_secrets(void **state)
{
	(void)state;
	static const struct step_type *const types[] = { &type_ok };
	static const enum enabled en[] = { ENABLED_YES };
	struct fixture fx;
	char *err = NULL;

	fixture_init(&fx, 1, types, en);
	fx.secret.spec = &secret_spec[0];
	fx.secret.v.kind = PV_STRING;
	static char token[] = "SR_TOKEN", bad[] = "X;rm";
	fx.secret.v.s = token;
	fx.steps[0].params.v = &fx.secret;
	fx.steps[0].params.n = 1;
	char *s = emit_script(&fx.r, EMIT_SH, &err);
	assert_non_null(s);
	assert_non_null(strstr(s, "\nSR_SECRET_VARS='SR_TOKEN'\n"));
	assert_non_null(strstr(s, "    sr_need SR_TOKEN 'first' token_env\n"));
	free(s);
	assert_null(emit_cloud_init(&fx.r, NULL, &err));
	assert_string_equal(err, "step 'first' (fake-ok) needs the secret environment variable "
				 "'SR_TOKEN' (token_env): cloud-init runs the script at first boot, "
				 "without your environment, and user-data is no place for a secret. Give "
				 "--secrets-file PATH, a file that you put on the instance (NAME=VALUE "
				 "lines, root's, mode 0600) and that the script reads and deletes before "
				 "its first step; or use --format sh");
	free(err);
	/* with a secrets file: the runcmd reads it, the script deletes it, so does the runcmd */
	s = emit_cloud_init(&fx.r, "/run/shelfready/secrets.env", &err);
	assert_non_null(s);
	assert_non_null(strstr(s, "      SR_UNDER_CLOUD_INIT=1 sh ./remediate.sh --secrets-file "
				  "/run/shelfready/secrets.env --remove-secrets-file >facts.txt "
				  "2>remediate.log;\n      echo $? >exit-status;\n"
				  "      rm -f -- /run/shelfready/secrets.env\n"));
	assert_non_null(strstr(s, "# The secrets its steps need are read from /run/shelfready/secrets.env"));
	free(s);
	static const char *const bad_paths[] = { "secrets.env", "/run/it's", "/run/a b", "/run/../x",
						 "/run/x/", "/run/$(id)" };
	for (size_t i = 0; i < ARRAY_SIZE(bad_paths); i++) {
		assert_null(emit_cloud_init(&fx.r, bad_paths[i], &err));
		assert_non_null(strstr(err, "give an absolute path on the instance"));
		free(err);
	}
	/* no step needs one: a secrets file is a mistake */
	fx.steps[0].params.n = 0;
	assert_null(emit_cloud_init(&fx.r, "/run/secrets.env", &err));
	assert_string_equal(err, "--secrets-file: no enabled step of the profile needs a secret");
	free(err);
	fx.steps[0].params.n = 1;
	/* not a variable name: refused rather than put in an eval */
	fx.secret.v.s = bad;
	assert_null(emit_script(&fx.r, EMIT_SH, &err));
	assert_non_null(strstr(err, "'X;rm' in 'token_env' is not an environment variable name"));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cond_translation),
		cmocka_unit_test(test_cond_folds_vars),
		cmocka_unit_test(test_runtime_sr_in),
		cmocka_unit_test(test_runtime_load_secrets),
		cmocka_unit_test(test_every_type_has_a_hook),
		cmocka_unit_test(test_script_assembly),
		cmocka_unit_test(test_script_refusals),
		cmocka_unit_test(test_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
