/*
 * server-guard: install Alibaba Cloud Server Guard ("Aegis", AliYunDun) so
 * that it runs and starts at boot (clause 1.1-3 of the review standard).
 *
 * Inspect first, with the judgement of the server-guard check
 * (lib/server-guard.c): when the facts show AliYunDun and AliYunDunUpdate
 * running from /usr/local/aegis and started at boot, there is nothing to do
 * and nothing is downloaded. Otherwise:
 *
 *  1. the installer is downloaded on the controller (lib/http.c: TLS
 *     verified, time limits, retries, at most INSTALLER_MAX bytes);
 *  2. its SHA-256 must equal the pinned `sha256`, or the step fails before
 *     anything reaches the target (`insecure_skip_sha256: true` skips the
 *     comparison, warned about at load time and on every run);
 *  3. it is uploaded by SFTP into a new private directory (mode 0700,
 *     the file 0700), run with `args`, and removed with its directory;
 *  4. the step confirms the result with a read-only probe that prints the
 *     processes and services sections of the gather script, judged again
 *     with the check's rules.
 *
 * A dry run downloads and verifies the installer too (read-only for the
 * target, and it proves the URL and the digest) and uploads nothing.
 *
 * The install code: `install_code_env` names an environment variable of the
 * controller (never an argument of shelfready, which `ps` shows); its value
 * is redacted from all output. It travels to the target inside the script
 * on the exec channel's stdin, where it is assigned to a shell variable and
 * put in place of `{install_code}` in the installer's arguments. On the
 * target it is therefore in the installer's command line while it runs, as
 * Alibaba's installer takes it (`-k=CODE`); nowhere else.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "check.h"
#include "collect.h"
#include "emit.h"
#include "facts.h"
#include "http.h"
#include "profile.h"
#include "server-guard.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "banned.h"

#define PLACEHOLDER "{install_code}"
/* the installer is small: a download over this is not it */
#define INSTALLER_MAX ((size_t)64 << 20)
#define UPLOAD_PREFIX "/tmp/shelfready-server-guard."
/* how long the daemons may take to show up after the installer returned */
#define CONFIRM_WAIT 10
#define PROBE_TIMEOUT 120

static const struct param_spec server_guard_params[] = {
	{ "url", PK_STRING, 1, NULL,
	  "the installer's URL (http or https; at most 64 MiB), downloaded on the controller", NULL,
	  0, 0 },
	{ "sha256", PK_STRING, 0, NULL,
	  "the installer's pinned SHA-256 (64 hex digits); required unless insecure_skip_sha256",
	  NULL, 0, 0 },
	{ "insecure_skip_sha256", PK_BOOL, 0, "false",
	  "run the installer without checking its digest (warned about on every use)", NULL, 0, 0 },
	{ "args", PK_STRING_LIST, 0, NULL,
	  "arguments of the installer, each shell-quoted; " PLACEHOLDER
	  " in one is replaced on the target by the install code",
	  NULL, 0, 0 },
	{ "install_code_env", PK_STRING, 0, NULL,
	  "environment variable of the controller holding the install code (a secret: redacted "
	  "everywhere, sent on stdin, in the installer's arguments on the target only)",
	  NULL, 0, 0 },
	{ "ca_file", PK_STRING, 0, NULL,
	  "trust the CAs of this PEM file (relative to the profile) instead of the system store; "
	  "empty: the system store",
	  NULL, 0, 0 },
	{ "timeout", PK_DURATION, 0, "10m",
	  "time limit of each download attempt and of the installer's run", NULL, 1, 86400 },
	{ "retries", PK_INT, 0, "2",
	  "more download attempts after a transient failure (network, time limit, HTTP 5xx)", NULL,
	  0, 10 },
	PARAM_END,
};

/* ---- load time ---- */

static int is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f') ||
		      (s[n] >= 'A' && s[n] <= 'F')))
			return 0;
	return n == 64;
}

/* "http" or "https" with a host, no blanks or control characters; its scheme length, else 0. */
static size_t url_scheme(const char *url)
{
	size_t n = !strncasecmp(url, "https://", 8) ? 8 : !strncasecmp(url, "http://", 7) ? 7 : 0;
	if (!n || !url[n] || url[n] == '/')
		return 0;
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return 0;
	return n;
}

static void server_guard_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *url = params_get(p, "url"), *sha = params_get(p, "sha256");
	const struct param *skip = params_get(p, "insecure_skip_sha256");
	const struct param *args = params_get(p, "args"), *env = params_get(p, "install_code_env");
	const struct param *ca = params_get(p, "ca_file");
	int uses_code = 0;

	if (url && !url_scheme(url->v.s))
		diag_error(ctx->d, url->v.pos,
			   "%s: 'url' must be an http:// or https:// URL with a host, found '%s'",
			   ctx->owner, url->v.s);
	if (skip && skip->v.i) {
		if (sha)
			diag_error(ctx->d, skip->v.pos,
				   "%s: 'sha256' and 'insecure_skip_sha256: true' contradict each other",
				   ctx->owner);
		else
			diag_warning(ctx->d, skip->v.pos,
				     "%s: INSECURE: insecure_skip_sha256 is true: the installer runs as root "
				     "without its SHA-256 being checked",
				     ctx->owner);
		if (url && url_scheme(url->v.s) == 7)
			diag_error(ctx->d, url->v.pos,
				   "%s: an http:// installer must have its 'sha256' pinned: anyone on the "
				   "path could replace it",
				   ctx->owner);
	} else if (!sha) {
		diag_error(ctx->d, ctx->at,
			   "%s needs 'sha256' (the installer's pinned SHA-256), or "
			   "'insecure_skip_sha256: true'",
			   ctx->owner);
	}
	if (sha && !is_hex64(sha->v.s))
		diag_error(ctx->d, sha->v.pos, "%s: 'sha256' must be 64 hex digits, found '%s'",
			   ctx->owner, sha->v.s);
	for (size_t i = 0; args && i < args->v.n; i++)
		uses_code |= strstr(args->v.items[i].s, PLACEHOLDER) != NULL;
	if (env && !vars_valid_name(env->v.s))
		diag_error(ctx->d, env->v.pos,
			   "%s: 'install_code_env' must name an environment variable, found '%s'",
			   ctx->owner, env->v.s);
	else if (env && !uses_code)
		diag_error(ctx->d, env->v.pos,
			   "%s: 'install_code_env' is set, but no argument in 'args' has " PLACEHOLDER,
			   ctx->owner);
	for (size_t i = 0; args && i < args->v.n; i++)
		if (!env && strstr(args->v.items[i].s, PLACEHOLDER))
			diag_error(ctx->d, args->v.items[i].pos,
				   "%s: " PLACEHOLDER " needs 'install_code_env' (the environment "
				   "variable holding the install code)",
				   ctx->owner);
	/* empty: the system's CAs, so that a variable can leave it unset */
	if (ca && *ca->v.s) {
		struct stat st;
		if (ca->v.s[0] != '/' && !ctx->base_dir) {
			diag_error(ctx->d, ca->v.pos,
				   "%s: a bundled profile cannot refer to a local file by a relative path",
				   ctx->owner);
		} else {
			char *path = ca->v.s[0] == '/' ? xstrdup(ca->v.s)
						       : xasprintf("%s/%s", ctx->base_dir, ca->v.s);
			if (stat(path, &st) < 0)
				diag_error(ctx->d, ca->v.pos, "CA file '%s' not found", ca->v.s);
			else if (!S_ISREG(st.st_mode))
				diag_error(ctx->d, ca->v.pos, "CA file '%s' is not a regular file", ca->v.s);
			free(path);
		}
	}
}

/* ---- pure parts ---- */

int step_server_guard_sha256(const void *data, size_t len, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	for (unsigned int i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

/* One argument as shell words: quoted pieces, the placeholder as "$sr_install_code". */
static void add_arg(struct strbuf *sb, const char *arg, int has_code)
{
	const char *p = arg, *hit;
	size_t pl = strlen(PLACEHOLDER);
	int any = 0;

	while (has_code && (hit = strstr(p, PLACEHOLDER))) {
		if (hit > p) {
			char *piece = xstrndup(p, (size_t)(hit - p));
			shell_quote(sb, piece);
			free(piece);
		}
		strbuf_addstr(sb, "\"$sr_install_code\"");
		p = hit + pl;
		any = 1;
	}
	if (*p || !any)
		shell_quote(sb, p);
}

char *step_server_guard_install_script(const char *dir, const char *const *args,
				       const char *install_code)
{
	struct strbuf sb = STRBUF_INIT;

	/* the installer gets the usual umask; the directory was made private */
	strbuf_addstr(&sb, "umask 022\nd=");
	shell_quote(&sb, dir);
	strbuf_addstr(&sb, "\ncleanup() { cd / && rm -rf \"$d\"; }\n"
			   "trap 'cleanup; exit 129' HUP\ntrap 'cleanup; exit 130' INT\n"
			   "trap 'cleanup; exit 143' TERM\n");
	if (install_code) {
		strbuf_addstr(&sb, "sr_install_code=");
		shell_quote(&sb, install_code);
		strbuf_addch(&sb, '\n');
	}
	strbuf_addstr(&sb, "cd \"$d\" || { cleanup; exit 125; }\n\"$d/installer\"");
	for (size_t i = 0; args && args[i]; i++) {
		strbuf_addch(&sb, ' ');
		add_arg(&sb, args[i], install_code != NULL);
	}
	/* stdin: the rest of this script, which the installer must not eat */
	strbuf_addstr(&sb, " </dev/null\nst=$?\ncleanup\nexit $st\n");
	return strbuf_detach(&sb);
}

char *step_server_guard_probe_script(const char *nonce)
{
	static const char call[] = "\nmain </dev/null 2>/dev/null\n";
	size_t len, cl = strlen(call);
	const char *gather = collect_script(&len);
	struct strbuf sb = STRBUF_INIT;

	/* the gather script ends by calling main: keep its functions, call two sections */
	if (!gather || len < cl || memcmp(gather + len - cl, call, cl))
		return NULL;
	strbuf_addstr(&sb, "set -- ");
	shell_quote(&sb, nonce);
	strbuf_addstr(&sb, " --no-refresh\n");
	strbuf_add(&sb, gather, len - cl + 1);
	strbuf_addstr(&sb, "sr_probe() {\n"
			   "    printf '@@SRG %s gather 1\\n' \"$NONCE\"\n"
			   "    sec_processes\n"
			   "    sec_services\n"
			   "    printf '@@SRG %s done\\n' \"$NONCE\"\n"
			   "}\n"
			   "sr_probe </dev/null 2>/dev/null\n");
	return strbuf_detach(&sb);
}

/* ---- on the target ---- */

/* url without user:password@, for messages (owned). */
static char *url_shown(const char *url)
{
	const char *host = strstr(url, "://");
	if (!host)
		return xstrdup(url);
	host += 3;
	size_t n = strcspn(host, "/?#");
	const char *at = memchr(host, '@', n);
	if (!at)
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(host - url), url, at + 1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(int s, const volatile sig_atomic_t *cancel)
{
	for (int i = 0; i < s * 10 && !(cancel && *cancel); i++) {
		struct timespec ts = { 0, 100000000L };
		nanosleep(&ts, NULL);
	}
}

/*
 * Fail with e's message; with its kind only when the connection failed (or
 * Ctrl-C), which the command line reports as such. Anything else is this
 * step's failure: exit 4.
 */
static void failed_with(struct step_result *r, const struct error *e)
{
	switch (e->code) {
	case SR_ERR_CONNECT:
	case SR_ERR_AUTH:
	case SR_ERR_HOSTKEY:
	case SR_ERR_INTERRUPTED:
		step_failed_error(r, e);
		break;
	default:
		step_failed(r, "%s", e->msg ? e->msg : "failed");
	}
}

/* Judge the target now, with a probe of its processes and services: 0 and r, st filled. */
static int probe(struct step_ctx *ctx, struct check_result *r, struct server_guard_state *st,
		 struct error *e)
{
	char nonce[COLLECT_NONCE_SIZE], *sh;
	struct exec_result res;
	struct facts *f = NULL;
	int ret;

	memset(&res, 0, sizeof(res));
	random_token(nonce, sizeof(nonce));
	sh = step_server_guard_probe_script(nonce);
	if (!sh)
		return error_set(e, SR_ERR, "the compiled-in gather script cannot be cut down to a probe");
	ret = step_sh(ctx, sh, PROBE_TIMEOUT, 1, &res, e);
	if (!ret && res.status != 0)
		ret = error_set(e, SR_ERR_REMOTE, "the probe of processes and services failed (exit %d)",
				res.status);
	if (!ret)
		ret = collect_parse(res.out.buf ? res.out.buf : "", res.out.len, nonce, &f, e);
	if (!ret)
		server_guard_judge(f, r, st);
	facts_free(f);
	exec_result_release(&res);
	free(sh);
	return ret;
}

/* What starts it at boot: "/etc/init.d/aegis (S links in runlevels 2-5)". */
static char *starter_text(const struct server_guard_state *st)
{
	return xasprintf("%s (%s)", st->starter ? st->starter : "?", st->boot ? st->boot : "?");
}

/* The findings of a judgement without the "server guard: " of the check's summary. */
static const char *findings(const struct check_result *r)
{
	const char *s = r->summary ? r->summary : "";
	return str_starts_with(s, "server guard: ") ? s + strlen("server guard: ") : s;
}

/* The installer, downloaded and verified: 0 and *data, *len; else r failed. */
static int fetch(const struct params *p, struct step_ctx *ctx, char **data, size_t *len,
		 char hex[65], struct step_result *r)
{
	const char *url = step_param_str(p, "url"), *sha = step_param_str(p, "sha256");
	const char *ca = step_param_str(p, "ca_file");
	long long timeout = step_param_int(p, "timeout", 600);
	struct http_opts o;
	struct http_client *hc = NULL;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct error e = ERROR_INIT;
	char *shown = url_shown(url), *ca_path = NULL;
	double t0 = now_s();
	int ret = -1;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = (timeout < 10 ? timeout : 10) * 1000;
	o.timeout_ms = timeout * 1000;
	o.stall_s = timeout < 30 ? (long)timeout : 30;
	o.max_bytes = INSTALLER_MAX;
	o.retries = (int)step_param_int(p, "retries", 2);
	if (ca && *ca)
		ca_path = ca[0] == '/' || !ctx->base_dir ? xstrdup(ca)
							  : xasprintf("%s/%s", ctx->base_dir, ca);
	o.ca_file = ca_path;
	hc = http_client_new(&o, &e);
	if (!hc) {
		step_failed(r, "%s; nothing was uploaded", e.msg);
		goto out;
	}
	step_say(ctx, "downloading the installer from %s", shown);
	/* a download failure is the step's, not the SSH connection's: no error kind */
	if (http_get(hc, url, NULL, &resp, &e) < 0) {
		step_failed(r, "%s; nothing was uploaded", e.msg);
		goto out;
	}
	if (resp.status != 200) {
		step_failed(r, "cannot fetch '%s': the server answered HTTP %ld; nothing was uploaded",
			    shown, resp.status);
		goto out;
	}
	if (!resp.len) {
		step_failed(r, "the installer from '%s' is empty; nothing was uploaded", shown);
		goto out;
	}
	if (step_server_guard_sha256(resp.body, resp.len, hex) < 0) {
		step_failed(r, "cannot compute the installer's SHA-256 (libcrypto failed)");
		goto out;
	}
	if (sha && strcasecmp(sha, hex)) {
		char *want = xstrdup(sha);
		for (char *c = want; *c; c++)
			if (*c >= 'A' && *c <= 'F')
				*c = (char)(*c - 'A' + 'a');
		step_failed(r, "sha256 mismatch: expected %s, got %s (%zu bytes from %s); refused: "
			       "nothing was uploaded",
			    want, hex, resp.len, shown);
		free(want);
		goto out;
	}
	step_say(ctx, "downloaded %zu bytes in %.1f s; sha256 %s %s", resp.len, now_s() - t0, hex,
		 sha ? "matches the pinned digest" : "(not checked)");
	*len = resp.len;
	*data = resp.body;
	resp.body = NULL;
	ret = 0;
out:
	http_response_release(&resp);
	http_client_free(hc);
	error_release(&e);
	free(ca_path);
	free(shown);
	return ret;
}

/* A new private directory on the target (owned), or NULL with r failed. */
static char *make_dir(struct step_ctx *ctx, struct step_result *r)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	char *dir = NULL;

	memset(&res, 0, sizeof(res));
	if (step_sh(ctx, "umask 077\nmktemp -d " UPLOAD_PREFIX "XXXXXXXX\n", 60, 1, &res, &e) < 0) {
		failed_with(r, &e);
		goto out;
	}
	size_t n = res.out.len;
	while (n && (res.out.buf[n - 1] == '\n' || res.out.buf[n - 1] == '\r'))
		n--;
	if (res.status != 0 || !n || memchr(res.out.buf, '\n', n) ||
	    strncmp(res.out.buf, UPLOAD_PREFIX, strlen(UPLOAD_PREFIX))) {
		step_failed(r, "cannot make a private directory for the installer on the target: %s",
			    res.err.len ? res.err.buf : "mktemp failed");
		goto out;
	}
	dir = xstrndup(res.out.buf, n);
out:
	exec_result_release(&res);
	error_release(&e);
	return dir;
}

static void remove_dir(struct step_ctx *ctx, const char *dir)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	struct strbuf sh = STRBUF_INIT;

	memset(&res, 0, sizeof(res));
	strbuf_addstr(&sh, "rm -rf ");
	shell_quote(&sh, dir);
	strbuf_addch(&sh, '\n');
	if (step_sh(ctx, sh.buf, 60, 1, &res, &e) < 0 || res.status != 0)
		step_say(ctx, "could not remove %s from the target", dir);
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&sh);
}

/* Upload and run the installer; 0 when it exited 0, else r failed. */
static int install(const struct params *p, struct step_ctx *ctx, const char *data, size_t len,
		   const char *code, struct step_result *r)
{
	const struct param *args = params_get(p, "args");
	int timeout = (int)step_param_int(p, "timeout", 600);
	const char **argv = NULL;
	char *dir = NULL, *path = NULL, *sh = NULL;
	struct exec_result res;
	struct error e = ERROR_INIT;
	int ret = -1, rc;

	memset(&res, 0, sizeof(res));
	dir = make_dir(ctx, r);
	if (!dir)
		goto out;
	path = xasprintf("%s/installer", dir);
	if (step_upload(ctx, data, len, path, 0700, &e) < 0) {
		failed_with(r, &e);
		remove_dir(ctx, dir);
		goto out;
	}
	argv = xcalloc((args ? args->v.n : 0) + 1, sizeof(*argv));
	for (size_t i = 0; args && i < args->v.n; i++)
		argv[i] = args->v.items[i].s;
	sh = step_server_guard_install_script(dir, argv, code);
	step_say(ctx, "running the installer (%zu bytes, uploaded to %s)", len, path);
	ctx->facts_stale = 1;
	rc = step_sh(ctx, sh, timeout, 0, &res, &e);
	if (rc == SR_ERR_INTERRUPTED) {
		ctx->left_running = xasprintf("the Server Guard installer (%s), unless it ended", path);
		failed_with(r, &e);
		goto out;
	}
	if (rc < 0) {
		failed_with(r, &e);
		goto out;
	}
	if (res.status != 0) {
		if (res.signal)
			step_failed(r, "the installer was killed by signal %s", res.signal);
		else if (res.status == 126)
			step_failed(r, "the installer could not be executed (exit 126: is /tmp mounted "
				       "noexec?)");
		else
			step_failed(r, "the installer exited with status %d", res.status);
		goto out;
	}
	ret = 0;
out:
	exec_result_release(&res);
	error_release(&e);
	free(argv);
	free(sh);
	free(path);
	free(dir);
	return ret;
}

static void server_guard_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	const char *code_env = step_param_str(p, "install_code_env"), *code = NULL;
	struct server_guard_state st = SERVER_GUARD_STATE_INIT;
	struct check_result cr;
	struct error e = ERROR_INIT;
	char hex[65], *data = NULL, *text = NULL;
	size_t len = 0;

	check_result_init(&cr);
	if (step_param_bool(p, "insecure_skip_sha256"))
		step_say(ctx, "WARNING: INSECURE: insecure_skip_sha256 is true: the installer's SHA-256 "
			      "is NOT checked; a changed installer would run as root on this target "
			      "unnoticed");

	/* 1. inspect: the facts, or a probe when they cannot tell */
	server_guard_judge(ctx->f, &cr, &st);
	if (cr.status == CHECK_ERROR) {
		step_say(ctx, "the facts cannot tell (%s); probing the target", cr.summary);
		check_result_release(&cr);
		check_result_init(&cr);
		server_guard_state_release(&st);
		if (probe(ctx, &cr, &st, &e) < 0) {
			failed_with(r, &e);
			goto out;
		}
		if (cr.status == CHECK_ERROR) {
			step_failed(r, "cannot tell whether Server Guard is installed: %s", cr.summary);
			goto out;
		}
	}
	if (cr.status == CHECK_PASS) {
		text = starter_text(&st);
		step_ok(r, "already installed and running: %s; started at boot by %s", st.running, text);
		goto out;
	}
	step_say(ctx, "Server Guard is needed: %s", findings(&cr));

	if (code_env) {
		code = getenv(code_env);
		if (!code || !*code) {
			step_failed(r, "the environment variable '%s' (install_code_env) is not set",
				    code_env);
			goto out;
		}
		/* shorter values are not redacted (lib/step.h): refuse rather than show it */
		if (strlen(code) < 4) {
			step_failed(r, "the install code in '%s' has fewer than 4 characters: it could "
				       "not be kept out of the output",
				    code_env);
			goto out;
		}
		if (ctx->secrets)
			secrets_add(ctx->secrets, code);
	}

	/* 2. download and verify, on the controller */
	if (fetch(p, ctx, &data, &len, hex, r) < 0)
		goto out;
	if (ctx->dry_run) {
		step_changed(r, "would install Server Guard: its installer (%zu bytes, sha256 %s%s) was "
				"downloaded on the controller; nothing was uploaded (dry run)",
			     len, hex, step_param_str(p, "sha256") ? " verified" : ", not checked");
		goto out;
	}

	/* 3. upload, run, remove */
	if (install(p, ctx, data, len, code, r) < 0)
		goto out;

	/* 4. confirm, giving the daemons a moment to start */
	for (double t0 = now_s();;) {
		check_result_release(&cr);
		check_result_init(&cr);
		server_guard_state_release(&st);
		if (probe(ctx, &cr, &st, &e) < 0) {
			failed_with(r, &e);
			goto out;
		}
		if (cr.status == CHECK_PASS || now_s() - t0 >= CONFIRM_WAIT ||
		    (ctx->cancel && *ctx->cancel))
			break;
		sleep_s(1, ctx->cancel);
	}
	if (cr.status != CHECK_PASS) {
		for (size_t i = 0; i < cr.nevidence; i++)
			step_say(ctx, "%s", cr.evidence[i]);
		step_failed(r, "the installer exited 0, but %s", cr.summary);
		goto out;
	}
	text = starter_text(&st);
	step_changed(r, "installed: %s running; started at boot by %s", st.running, text);
out:
	free(data);
	free(text);
	check_result_release(&cr);
	server_guard_state_release(&st);
	error_release(&e);
}

/* ---- emit: on the machine itself ---- */

/*
 * Inspect as lib/server-guard.c judges (AliYunDun and AliYunDunUpdate
 * running, aegis.service enabled or /etc/init.d/aegis with S links in
 * runlevels 2-5); sets _sg_run and _sg_boot to 1 or 0.
 */
static const char sg_probe_sh[] =
	"_sg_probe() {\n"
	"\t_sg_run=1\n"
	"\tfor _sg_p in AliYunDun AliYunDunUpdate; do\n"
	"\t\t# shellcheck disable=SC2009 # pgrep is not in every base system; ps is POSIX\n"
	"\t\tps -e -o comm= 2>/dev/null | grep -qx \"$_sg_p\" || _sg_run=0\n"
	"\tdone\n"
	"\t_sg_boot=0\n"
	"\tif command -v systemctl >/dev/null 2>&1 &&\n"
	"\t\t[ \"$(systemctl is-enabled aegis.service 2>/dev/null)\" = enabled ]; then\n"
	"\t\t_sg_boot=1\n"
	"\telif [ -x /etc/init.d/aegis ]; then\n"
	"\t\t_sg_boot=1\n"
	"\t\tfor _sg_l in 2 3 4 5; do\n"
	"\t\t\tls /etc/rc\"$_sg_l\".d/S*aegis /etc/rc.d/rc\"$_sg_l\".d/S*aegis >/dev/null 2>&1 || _sg_boot=0\n"
	"\t\tdone\n"
	"\tfi\n"
	"}\n";

/*
 * The installer is downloaded on the machine with curl (else wget), its
 * SHA-256 checked with sha256sum before it runs (a mismatch removes it and
 * fails the step), and run with `args`, {install_code} taken from the
 * machine's environment (sr_secret) when the script runs. A `ca_file` is a
 * public certificate: its content is embedded in the script and given to
 * curl or wget.
 */
static int server_guard_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			     char **err)
{
	const char *url = step_param_str(p, "url"), *sha = step_param_str(p, "sha256");
	const char *code_env = step_param_str(p, "install_code_env"), *ca = step_param_str(p, "ca_file");
	const struct param *args = params_get(p, "args");
	long long timeout = step_param_int(p, "timeout", 600), retries = step_param_int(p, "retries", 2);
	int https = !strncasecmp(url, "https://", 8);
	char *ca_text = NULL, *shown = url_shown(url);

	if (ca && *ca) {
		char *path = ca[0] == '/' || !ctx->base_dir ? xstrdup(ca)
							    : xasprintf("%s/%s", ctx->base_dir, ca);
		size_t len = 0;
		int r = read_file(path, 1u << 20, &ca_text, &len);
		if (r < 0)
			*err = xasprintf("cannot read CA file '%s': %s", path, strerror(-r));
		else if (memchr(ca_text, '\0', len) || !strstr(ca_text, "-----BEGIN CERTIFICATE-----"))
			*err = xasprintf("CA file '%s' is not a PEM certificate", path);
		free(path);
		if (*err) {
			free(ca_text);
			free(shown);
			return -1;
		}
	}
	strbuf_addstr(sh, sg_probe_sh);
	strbuf_addstr(sh, "_sg_probe\n"
			  "if [ \"$_sg_run\" = 1 ] && [ \"$_sg_boot\" = 1 ]; then\n"
			  "\tsr_ok \"already installed and running; started at boot\"\n\treturn\nfi\n");
	if (!sha)
		strbuf_addstr(sh, "sr_say \"WARNING: INSECURE: insecure_skip_sha256 is true: the "
				  "installer's SHA-256 is NOT checked; a changed installer would run "
				  "as root unnoticed\"\n");
	if (code_env)
		strbuf_addf(sh, "sr_install_code=$(sr_secret %s) || {\n"
				"\tsr_failed \"the environment variable %s (install_code_env) is not set\"\n"
				"\treturn\n}\n",
			    code_env, code_env);
	strbuf_addstr(sh, "_sg_d=$(umask 077 && mktemp -d " UPLOAD_PREFIX "XXXXXXXX) || {\n"
			  "\tsr_failed \"cannot make a private temporary directory\"\n\treturn\n}\n");
	if (ca_text) {
		char *eof = shell_heredoc_eof(ca_text);
		strbuf_addf(sh, "cat >\"$_sg_d/ca.pem\" <<'%s'\n%s%s%s\n", eof, ca_text,
			    ca_text[0] && ca_text[strlen(ca_text) - 1] != '\n' ? "\n" : "", eof);
		free(eof);
	}
	strbuf_addstr(sh, "_sg_url=");
	shell_quote(sh, url);
	strbuf_addstr(sh, "\n_sg_shown=");
	shell_quote(sh, shown);
	strbuf_addf(sh, "\nsr_say \"downloading the installer from $_sg_shown\"\n"
			"if command -v curl >/dev/null 2>&1; then\n"
			"\tset -- curl --fail --silent --show-error --location --proto '%s' --proto-redir '%s' "
			"--connect-timeout 60 --max-time %lld --retry %lld",
		    https ? "=https" : "=http,https", https ? "=https" : "=http,https", timeout, retries);
	if (ca_text)
		strbuf_addstr(sh, " --cacert \"$_sg_d/ca.pem\"");
	strbuf_addf(sh, " -o \"$_sg_d/installer\"\n"
			"elif command -v wget >/dev/null 2>&1; then\n"
			"\tset -- wget -q --timeout=%lld --tries=%lld%s -O \"$_sg_d/installer\"\n"
			"else\n"
			"\trm -rf \"$_sg_d\"\n\tsr_failed \"neither curl nor wget is installed\"\n\treturn\nfi\n"
			"if ! sr_run \"$@\" \"$_sg_url\" </dev/null; then\n"
			"\trm -rf \"$_sg_d\"\n\tsr_failed \"cannot download the installer from $_sg_shown\"\n"
			"\treturn\nfi\n",
		    timeout, retries + 1, ca_text ? " --ca-certificate=\"$_sg_d/ca.pem\"" : "");
	if (sha) {
		strbuf_addstr(sh, "_sg_want=");
		for (const char *c = sha; *c; c++)
			strbuf_addch(sh, (*c >= 'A' && *c <= 'F') ? (char)(*c - 'A' + 'a') : *c);
		strbuf_addstr(sh,
			"\n_sg_got=$(sha256sum <\"$_sg_d/installer\" | cut -d' ' -f1)\n"
			"if [ \"$_sg_got\" != \"$_sg_want\" ]; then\n"
			"\trm -rf \"$_sg_d\"\n"
			"\tsr_failed \"the installer's SHA-256 is ${_sg_got:-unknown}, not the pinned "
			"$_sg_want: refused, not run\"\n"
			"\treturn\nfi\n");
	}
	strbuf_addstr(sh, "chmod 0700 \"$_sg_d/installer\"\n");
	for (size_t i = 0; args && i < args->v.n; i++)
		if (strpbrk(args->v.items[i].s, "$`'\"\\")) {
			strbuf_addstr(sh, "# shellcheck disable=SC2016 # profile data, single-quoted\n");
			break;
		}
	strbuf_addstr(sh, "set -- \"$_sg_d/installer\"");
	for (size_t i = 0; args && i < args->v.n; i++) {
		strbuf_addch(sh, ' ');
		add_arg(sh, args->v.items[i].s, code_env != NULL);
	}
	strbuf_addf(sh, "\nif command -v timeout >/dev/null 2>&1; then set -- timeout %lld \"$@\"; fi\n"
			"sr_say \"running the installer\"\n"
			"(cd \"$_sg_d\" && umask 022 && sr_run \"$@\" </dev/null)\n"
			"_sg_st=$?\n"
			"rm -rf \"$_sg_d\"\n",
		    timeout);
	if (code_env)
		strbuf_addstr(sh, "sr_install_code=\n");
	strbuf_addf(sh, "if [ \"$_sg_st\" != 0 ]; then\n"
			"\tsr_failed \"the installer exited with status $_sg_st\"\n\treturn\nfi\n"
			"_sg_i=0\n"
			"while _sg_probe; [ \"$_sg_run$_sg_boot\" != 11 ] && [ \"$_sg_i\" -lt %d ]; do\n"
			"\tsleep 1\n\t_sg_i=$((_sg_i + 1))\ndone\n"
			"if [ \"$_sg_run\" != 1 ]; then\n"
			"\tsr_failed \"the installer exited 0, but AliYunDun and AliYunDunUpdate are not both running\"\n"
			"\treturn\nfi\n"
			"if [ \"$_sg_boot\" != 1 ]; then\n"
			"\tsr_failed \"the installer exited 0, but aegis is not started at boot\"\n"
			"\treturn\nfi\n"
			"sr_changed \"installed: AliYunDun and AliYunDunUpdate running; started at boot\"\n",
		    CONFIRM_WAIT);
	free(ca_text);
	free(shown);
	return 0;
}

const struct step_type step_server_guard = {
	.name = "server-guard",
	.summary = "download Server Guard's installer, verify its SHA-256, upload, run and confirm it",
	.params = server_guard_params,
	.validate = server_guard_validate,
	.apply = server_guard_apply,
	.emit = server_guard_emit,
};
