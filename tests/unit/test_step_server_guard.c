/*
 * Unit tests of steps/server-guard.c: the parameters as lint sees them (every
 * message exactly, with its position), the SHA-256 of known vectors, the
 * install script run by a local shell against a stand-in installer that
 * prints its arguments (hostile arguments and install codes included), the
 * probe run on this machine and framed, and the decisions apply makes from
 * the facts alone: already installed (nothing downloaded, no connection),
 * the install code's variable missing, a download that fails (refused
 * before anything touches the target, which here has no connection at all).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "collect.h"
#include "facts.h"
#include "profile.h"
#include "schema.h"
#include "server-guard.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

extern const struct step_type step_server_guard;

#define SHA_OK "08c7aac3cbb6d34d2486ee2e208d9437fea4c2b029443d4e08ab055e6a014bcd"
#define URL_OK "https://example.com/aegis/AliAqsInstall_64"

/* A scratch directory for one test run (removed at the end). */
static char scratch[64];

static int setup(void **state)
{
	(void)state;
	snprintf(scratch, sizeof(scratch), "/tmp/sr-test-sg.XXXXXX");
	if (!mkdtemp(scratch))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char *cmd = xasprintf("rm -rf '%s'", scratch);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text, unsigned mode)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* ---- parameters ---- */

/* Type and validate `with` as lint does; the diagnostics, one per line. */
static char *params_diags(const char *with, const char *base_dir, struct params *out)
{
	struct ydoc *doc = NULL;
	struct diags d;
	struct vars vars;
	struct params p = { NULL, 0 };
	struct srcpos at = { "p.yaml", 3, 5 };
	const char *owner = "step 'sg' (server-guard)";
	char *text;

	diags_init(&d);
	vars_init(&vars);
	if (ytree_parse("w.yaml", with, strlen(with), &doc, &d) == 0 &&
	    params_from_yaml(step_server_guard.params, doc->root, at, &vars, owner, &p, &d) == 0) {
		struct type_ctx ctx = { owner, at, base_dir, &d };
		step_server_guard.validate(&p, &ctx);
	}
	diags_sort(&d);
	text = test_diags_text(&d);
	if (out && !d.errors)
		*out = p;
	else
		params_release(&p);
	ydoc_free(doc);
	vars_release(&vars);
	diags_release(&d);
	return text;
}

struct prow {
	const char *name;
	const char *with;    /* YAML; "@CA@" is replaced by a CA file in the scratch directory */
	const char *diags;   /* every message, exactly; "" for none */
};

#define OWNER "step 'sg' (server-guard)"
#define SHA "sha256: " SHA_OK "\n"
#define URL "url: " URL_OK "\n"

static const struct prow prows[] = {
	{ "minimal: url and sha256", URL SHA, "" },
	{ "upper-case hex digits", URL "sha256: " "08C7AAC3CBB6D34D2486EE2E208D9437FEA4C2B029443D4E08AB055E6A014BCD\n",
	  "" },
	{ "everything", URL SHA "args: ['-k={install_code}', --quiet]\ninstall_code_env: SG_CODE\n"
	  "ca_file: '@CA@'\ntimeout: 90s\nretries: 0\n", "" },
	{ "an http URL with a pinned digest", "url: http://mirror.example/i\n" SHA, "" },
	{ "sha256 too short", URL "sha256: 08c7aac3\n",
	  "w.yaml:2:9: error: " OWNER ": 'sha256' must be 64 hex digits, found '08c7aac3'\n" },
	{ "sha256 not hex",
	  URL "sha256: 08c7aac3cbb6d34d2486ee2e208d9437fea4c2b029443d4e08ab055e6a014bcg\n",
	  "w.yaml:2:9: error: " OWNER ": 'sha256' must be 64 hex digits, found "
	  "'08c7aac3cbb6d34d2486ee2e208d9437fea4c2b029443d4e08ab055e6a014bcg'\n" },
	{ "no sha256, no skip", URL,
	  "p.yaml:3:5: error: " OWNER " needs 'sha256' (the installer's pinned SHA-256), or "
	  "'insecure_skip_sha256: true'\n" },
	{ "skip: a loud warning, no error", URL "insecure_skip_sha256: true\n",
	  "w.yaml:2:23: warning: " OWNER ": INSECURE: insecure_skip_sha256 is true: the installer "
	  "runs as root without its SHA-256 being checked\n" },
	{ "skip false still needs sha256", URL "insecure_skip_sha256: false\n",
	  "p.yaml:3:5: error: " OWNER " needs 'sha256' (the installer's pinned SHA-256), or "
	  "'insecure_skip_sha256: true'\n" },
	{ "skip and sha256 contradict", URL SHA "insecure_skip_sha256: true\n",
	  "w.yaml:3:23: error: " OWNER ": 'sha256' and 'insecure_skip_sha256: true' contradict each "
	  "other\n" },
	{ "skip over plain http", "url: http://mirror.example/i\ninsecure_skip_sha256: true\n",
	  "w.yaml:1:6: error: " OWNER ": an http:// installer must have its 'sha256' pinned: anyone "
	  "on the path could replace it\n"
	  "w.yaml:2:23: warning: " OWNER ": INSECURE: insecure_skip_sha256 is true: the installer "
	  "runs as root without its SHA-256 being checked\n" },
	{ "ftp", "url: ftp://mirror.example/i\n" SHA,
	  "w.yaml:1:6: error: " OWNER ": 'url' must be an http:// or https:// URL with a host, "
	  "found 'ftp://mirror.example/i'\n" },
	{ "no host", "url: https:///i\n" SHA,
	  "w.yaml:1:6: error: " OWNER ": 'url' must be an http:// or https:// URL with a host, "
	  "found 'https:///i'\n" },
	{ "a blank in the URL", "url: 'https://mirror.example/a b'\n" SHA,
	  "w.yaml:1:6: error: " OWNER ": 'url' must be an http:// or https:// URL with a host, "
	  "found 'https://mirror.example/a b'\n" },
	{ "no url", SHA, "w.yaml:1:1: error: missing required parameter 'url' for " OWNER "\n" },
	{ "the placeholder without install_code_env", URL SHA "args: [--x, '-k={install_code}']\n",
	  "w.yaml:3:13: error: " OWNER ": {install_code} needs 'install_code_env' (the environment "
	  "variable holding the install code)\n" },
	{ "install_code_env without the placeholder", URL SHA "args: [--x]\ninstall_code_env: SG_CODE\n",
	  "w.yaml:4:19: error: " OWNER ": 'install_code_env' is set, but no argument in 'args' has "
	  "{install_code}\n" },
	{ "install_code_env is not a variable name", URL SHA
	  "args: ['-k={install_code}']\ninstall_code_env: 'SG-CODE'\n",
	  "w.yaml:4:19: error: " OWNER ": 'install_code_env' must name an environment variable, "
	  "found 'SG-CODE'\n" },
	{ "ca_file missing", URL SHA "ca_file: /nonexistent/ca.pem\n",
	  "w.yaml:3:10: error: CA file '/nonexistent/ca.pem' not found\n" },
	{ "ca_file a directory", URL SHA "ca_file: /\n",
	  "w.yaml:3:10: error: CA file '/' is not a regular file\n" },
	{ "ca_file empty: the system's CAs", URL SHA "ca_file: ''\n", "" },
	{ "ca_file relative in a bundled profile", URL SHA "ca_file: ca.pem\n",
	  "w.yaml:3:10: error: " OWNER ": a bundled profile cannot refer to a local file by a "
	  "relative path\n" },
	{ "timeout 0", URL SHA "timeout: 0\n", NULL },
	{ "retries over 10", URL SHA "retries: 11\n", NULL },
};

static void test_params(void **state)
{
	(void)state;
	int failed = 0;
	char *ca = xasprintf("%s/ca.pem", scratch);
	write_text(ca, "-----BEGIN CERTIFICATE-----\n", 0644);
	for (size_t i = 0; i < ARRAY_SIZE(prows); i++) {
		struct strbuf with = STRBUF_INIT;
		const char *w = prows[i].with, *at;
		while ((at = strstr(w, "@CA@"))) {
			strbuf_add(&with, w, (size_t)(at - w));
			strbuf_addstr(&with, ca);
			w = at + 4;
		}
		strbuf_addstr(&with, w);
		char *got = params_diags(with.buf, NULL, NULL);
		/* NULL: the schema refuses it (its message is the schema's business) */
		int ok = prows[i].diags ? !strcmp(got, prows[i].diags) : strstr(got, "error:") != NULL;
		if (!ok) {
			print_error("row '%s': got\n%s", prows[i].name, got);
			failed++;
		}
		free(got);
		strbuf_release(&with);
	}
	free(ca);
	assert_int_equal(failed, 0);
}

static void test_params_relative_ca(void **state)
{
	(void)state;
	char *ca = xasprintf("%s/ca.pem", scratch);
	write_text(ca, "-----BEGIN CERTIFICATE-----\n", 0644);
	char *got = params_diags(URL SHA "ca_file: ca.pem\n", scratch, NULL);
	assert_string_equal(got, "");
	free(got);
	got = params_diags(URL SHA "ca_file: other.pem\n", scratch, NULL);
	assert_string_equal(got, "w.yaml:3:10: error: CA file 'other.pem' not found\n");
	free(got);
	free(ca);
}

static void test_defaults(void **state)
{
	(void)state;
	struct params p = { NULL, 0 };
	char *got = params_diags(URL SHA, NULL, &p);
	assert_string_equal(got, "");
	assert_int_equal(step_param_bool(&p, "insecure_skip_sha256"), 0);
	assert_int_equal(step_param_int(&p, "timeout", -1), 600);
	assert_int_equal(step_param_int(&p, "retries", -1), 2);
	assert_null(params_get(&p, "args"));
	assert_null(params_get(&p, "ca_file"));
	free(got);
	params_release(&p);
}

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(step_type_find("server-guard"), &step_server_guard);
	assert_non_null(step_server_guard.apply);
	assert_non_null(step_server_guard.validate);
	/* the install code is a secret by the *_env convention of run_secrets */
	int found = 0;
	for (const struct param_spec *s = step_server_guard.params; s->key; s++)
		found |= !strcmp(s->key, "install_code_env");
	assert_true(found);
}

/* ---- the digest ---- */

static void test_sha256(void **state)
{
	(void)state;
	static const struct {
		const char *in, *hex;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char hex[65];
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		assert_int_equal(step_server_guard_sha256(v[i].in, strlen(v[i].in), hex), 0);
		assert_string_equal(hex, v[i].hex);
	}
	/* a million 'a': the long NIST vector */
	char *big = xmalloc(1000000);
	memset(big, 'a', 1000000);
	assert_int_equal(step_server_guard_sha256(big, 1000000, hex), 0);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(big);
}

/* ---- the install script, run by a local shell ---- */

/* Run the script of args with code; the installer's arguments, one "[arg]" per line. */
static char *run_install(const char *const *args, const char *code, int installer_exit,
			 int *status, int *dir_left)
{
	char *dir = xasprintf("%s/target", scratch), *inst = xasprintf("%s/installer", dir);
	char *script_path = xasprintf("%s/script.sh", scratch), *out_path = xasprintf("%s/out", scratch);
	char *installer = xasprintf("#!/bin/sh\nfor a in \"$@\"; do printf '[%%s]\\n' \"$a\"; done\n"
				    "if read -r line; then printf 'stdin: %%s\\n' \"$line\"; fi\n"
				    "printf 'cwd: %%s\\n' \"$(pwd)\"\nexit %d\n",
				    installer_exit);
	char *script, *cmd, *out = NULL;
	size_t len;
	struct stat st;

	assert_int_equal(mkdir(dir, 0700), 0);
	write_text(inst, installer, 0700);
	script = step_server_guard_install_script(dir, args, code);
	/* the script arrives on the shell's stdin, as on the exec channel */
	write_text(script_path, script, 0600);
	cmd = xasprintf("sh -s <'%s' >'%s' 2>&1", script_path, out_path);
	int rc = system(cmd);
	*status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
	assert_int_equal(read_file(out_path, 1 << 20, &out, &len), 0);
	*dir_left = stat(dir, &st) == 0;
	if (code) {
		/* the code is in the script once: in the assignment */
		const char *first = strstr(script, "sr_install_code=");
		assert_non_null(first);
		struct strbuf q = STRBUF_INIT;
		shell_quote(&q, code);
		assert_non_null(strstr(first, q.buf));
		assert_null(strstr(strstr(first, q.buf) + q.len, q.buf));
		strbuf_release(&q);
	}
	free(cmd);
	free(script);
	free(installer);
	free(out_path);
	free(script_path);
	free(inst);
	free(dir);
	return out;
}

static void test_install_script(void **state)
{
	(void)state;
	const char *code = "c0de'\"$(touch /tmp/sr-pwned)`id` \\n;x";
	const char *const args[] = {
		"-k={install_code}",
		"{install_code}",
		"pre{install_code}mid{install_code}",
		"$(touch /tmp/sr-pwned)",
		"it's \"quoted\" \\ `x`",
		"",
		"{install_code",
		"two words",
		NULL,
	};
	int status, left;
	char *out = run_install(args, code, 0, &status, &left);
	char *want = xasprintf("[-k=%s]\n[%s]\n[pre%smid%s]\n[$(touch /tmp/sr-pwned)]\n"
			       "[it's \"quoted\" \\ `x`]\n[]\n[{install_code]\n[two words]\n"
			       "cwd: %s/target\n",
			       code, code, code, code, scratch);
	assert_string_equal(out, want);
	assert_int_equal(status, 0);
	assert_false(left); /* the directory is removed */
	assert_int_equal(access("/tmp/sr-pwned", F_OK), -1);
	free(want);
	free(out);
}

static void test_install_script_no_code(void **state)
{
	(void)state;
	const char *const args[] = { "--literal={install_code}", NULL };
	int status, left;
	/* without a code nothing is substituted, and the installer's status is the script's */
	char *out = run_install(args, NULL, 7, &status, &left);
	char *want = xasprintf("[--literal={install_code}]\ncwd: %s/target\n", scratch);
	assert_string_equal(out, want);
	assert_int_equal(status, 7);
	assert_false(left);
	free(want);
	free(out);
	out = run_install(NULL, NULL, 0, &status, &left);
	want = xasprintf("cwd: %s/target\n", scratch);
	assert_string_equal(out, want);
	free(want);
	free(out);
}

/* ---- the probe, run on this machine ---- */

static void test_probe(void **state)
{
	(void)state;
	const char *nonce = "pr0beN0nce1234";
	char *script = step_server_guard_probe_script(nonce);
	char *script_path = xasprintf("%s/probe.sh", scratch), *out_path = xasprintf("%s/probe.out", scratch);
	char *cmd, *out = NULL;
	size_t len;
	struct facts *f = NULL;
	struct error e = ERROR_INIT;
	struct check_result r;

	assert_non_null(script);
	write_text(script_path, script, 0600);
	cmd = xasprintf("sh -s <'%s' >'%s'", script_path, out_path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(read_file(out_path, 64u << 20, &out, &len), 0);
	assert_int_equal(collect_parse(out, len, nonce, &f, &e), 0);
	/* the two sections the judgement needs, complete; nothing else */
	assert_non_null(f->processes.src.section);
	assert_true(f->processes.src.complete);
	assert_true(f->processes.list.n > 0);
	assert_non_null(f->services.src.section);
	assert_true(f->services.src.complete);
	assert_null(f->os.src.section);
	assert_null(f->packages.src.section);
	assert_null(f->updates.src.section);
	/* judged, whatever this machine runs: pass or fail, never "cannot tell" */
	check_result_init(&r);
	server_guard_judge(f, &r, NULL);
	assert_true(r.status == CHECK_PASS || r.status == CHECK_FAIL);
	check_result_release(&r);
	/* a transcript with another nonce is not taken */
	facts_free(f);
	f = NULL;
	assert_int_not_equal(collect_parse(out, len, "0therN0nce999", &f, &e), 0);
	error_release(&e);
	facts_free(f);
	free(out);
	free(cmd);
	free(out_path);
	free(script_path);
	free(script);
}

/* ---- apply, decided from the facts ---- */

struct applied {
	enum step_status status;
	char *summary;
	char *output;
	int facts_stale;
};

/* Apply the step of a one-step profile `with` on facts f (no connection at all). */
static void apply_on(const char *with, const struct facts *f, int dry_run, struct applied *a)
{
	char *path = xasprintf("%s/p.yaml", scratch);
	char *yaml = xasprintf("name: t\nremediate:\n  - id: sg\n    type: server-guard\n"
			       "    with: {%s}\n",
			       with);
	struct loader *l = NULL;
	struct resolved *r = NULL;
	struct diags d;
	struct secrets secrets;
	struct step_ctx ctx;
	struct step_result res;
	FILE *out = tmpfile();
	char *text = NULL;
	size_t len = 0;

	assert_non_null(out);
	write_text(path, yaml, 0644);
	diags_init(&d);
	if (test_load(path, NULL, &l, &r, &d) < 0 || !r) {
		char *msgs = test_diags_text(&d);
		fail_msg("profile does not load: %s", msgs);
	}
	secrets_init(&secrets);
	memset(&ctx, 0, sizeof(ctx));
	memset(&res, 0, sizeof(res));
	ctx.c = NULL;
	ctx.f = f;
	ctx.r = r;
	ctx.rs = &r->steps[0];
	ctx.dry_run = dry_run;
	ctx.index = 1;
	ctx.total = 1;
	ctx.base_dir = scratch;
	ctx.secrets = &secrets;
	ctx.out = out;
	step_server_guard.apply(&r->steps[0].params, &ctx, &res);
	fflush(out);
	rewind(out);
	text = xmalloc(1 << 16);
	len = fread(text, 1, (1 << 16) - 1, out);
	text[len] = '\0';
	a->status = res.status;
	a->summary = xstrdup(res.summary ? res.summary : "");
	a->output = text;
	a->facts_stale = ctx.facts_stale;
	free(ctx.left_running);
	step_result_release(&res);
	secrets_release(&secrets);
	fclose(out);
	resolved_free(r);
	loader_free(l);
	diags_release(&d);
	free(yaml);
	free(path);
}

static void applied_release(struct applied *a)
{
	free(a->summary);
	free(a->output);
}

/* Port 9 (discard) on loopback: nothing listens, any download fails at once. */
#define DEAD_URL "https://127.0.0.1:9/AliAqsInstall_64"
#define WITH_DEAD "url: '" DEAD_URL "', sha256: " SHA_OK ", retries: 0, timeout: 5s"

static void test_apply_installed(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("alinux-3");
	struct applied a;

	for (int dry = 0; dry <= 1; dry++) {
		apply_on(WITH_DEAD, f, dry, &a);
		assert_int_equal(a.status, STEP_OK);
		assert_string_equal(a.summary,
				    "already installed and running: AliYunDun, AliYunDunUpdate, "
				    "AliYunDunMonitor; started at boot by /etc/init.d/aegis (S links in "
				    "runlevels 2-5)");
		/* nothing was downloaded: the dead URL was never tried */
		assert_null(strstr(a.output, "downloading"));
		assert_false(a.facts_stale);
		applied_release(&a);
	}
	facts_free(f);

	f = test_facts_from_text(
		"@@SRG T3stN0nce gather 1\n"
		"@@SRG T3stN0nce begin processes\n"
		"1249\t0\tAliYunDun\t/usr/local/aegis/aegis_client/aegis_12_05/AliYunDun\n"
		"1211\t0\tAliYunDunUpdate\t/usr/local/aegis/aegis_update/AliYunDunUpdate\n"
		"@@SRG T3stN0nce end processes 0\n"
		"@@SRG T3stN0nce begin services\naegis.service enabled enabled\n"
		"@@SRG T3stN0nce end services 0\n"
		"@@SRG T3stN0nce done\n");
	apply_on(WITH_DEAD, f, 0, &a);
	assert_int_equal(a.status, STEP_OK);
	assert_string_equal(a.summary, "already installed and running: AliYunDun, AliYunDunUpdate; "
				       "started at boot by aegis.service (aegis.service is enabled)");
	applied_release(&a);
	facts_free(f);
}

static void test_apply_download_fails(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("debian-12");
	struct applied a;

	for (int dry = 0; dry <= 1; dry++) {
		apply_on(WITH_DEAD, f, dry, &a);
		assert_int_equal(a.status, STEP_FAILED);
		assert_true(str_starts_with(a.summary, "cannot fetch '" DEAD_URL "': "));
		assert_true(str_ends_with(a.summary, "; nothing was uploaded"));
		assert_non_null(strstr(a.output, "Server Guard is needed: AliYunDun is not running; "
						 "AliYunDunUpdate is not running; aegis is not started "
						 "at boot"));
		assert_non_null(strstr(a.output, "downloading the installer from " DEAD_URL));
		assert_false(a.facts_stale); /* the target was not touched */
		applied_release(&a);
	}
	facts_free(f);
}

static void test_apply_insecure_warns(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("debian-12");
	struct applied a;

	apply_on("url: '" DEAD_URL "', insecure_skip_sha256: true, retries: 0", f, 1, &a);
	assert_int_equal(a.status, STEP_FAILED);
	assert_non_null(strstr(a.output, "WARNING: INSECURE: insecure_skip_sha256 is true"));
	applied_release(&a);
	facts_free(f);
}

static void test_apply_code_env_missing(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("debian-12");
	struct applied a;

	unsetenv("SR_TEST_SG_CODE_UNSET");
	apply_on(WITH_DEAD ", args: ['-k={install_code}'], install_code_env: SR_TEST_SG_CODE_UNSET",
		 f, 0, &a);
	assert_int_equal(a.status, STEP_FAILED);
	assert_string_equal(a.summary, "the environment variable 'SR_TEST_SG_CODE_UNSET' "
				       "(install_code_env) is not set");
	/* refused before any download */
	assert_null(strstr(a.output, "downloading"));
	applied_release(&a);
	facts_free(f);
}

static void test_apply_code_too_short(void **state)
{
	(void)state;
	struct facts *f = test_facts_from_transcript("debian-12");
	struct applied a;

	setenv("SR_TEST_SG_CODE_SHORT", "abc", 1);
	apply_on(WITH_DEAD ", args: ['-k={install_code}'], install_code_env: SR_TEST_SG_CODE_SHORT",
		 f, 0, &a);
	unsetenv("SR_TEST_SG_CODE_SHORT");
	assert_int_equal(a.status, STEP_FAILED);
	assert_string_equal(a.summary, "the install code in 'SR_TEST_SG_CODE_SHORT' has fewer than 4 "
				       "characters: it could not be kept out of the output");
	assert_null(strstr(a.output, "downloading"));
	applied_release(&a);
	facts_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_params_relative_ca),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_install_script),
		cmocka_unit_test(test_install_script_no_code),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_apply_installed),
		cmocka_unit_test(test_apply_download_fails),
		cmocka_unit_test(test_apply_insecure_warns),
		cmocka_unit_test(test_apply_code_env_missing),
		cmocka_unit_test(test_apply_code_too_short),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
