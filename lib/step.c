/* Helpers for step types: output, remote commands, uploads, reconnection. */
#include "step.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "facts.h"
#include "profile.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define SECRET_MASK "********"

const char *step_status_name(enum step_status s)
{
	static const char *const names[] = { "ok", "changed", "skipped", "failed" };
	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

/* ---- secrets ---- */

void secrets_init(struct secrets *s)
{
	memset(s, 0, sizeof(*s));
}

void secrets_release(struct secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		/* do not leave it in freed memory either */
		memset(s->v[i], 0, strlen(s->v[i]));
		free(s->v[i]);
	}
	free(s->v);
	secrets_init(s);
}

void secrets_add(struct secrets *s, const char *value)
{
	if (!value || strlen(value) < 4)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], value))
			return;
	s->v = xgrow(s->v, &s->alloc, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = xstrdup(value);
}

void secrets_redact(const struct secrets *s, struct strbuf *sb)
{
	for (size_t i = 0; s && i < s->n && sb->buf; i++) {
		size_t sl = strlen(s->v[i]);
		const char *hit;
		struct strbuf out = STRBUF_INIT;
		const char *p = sb->buf, *end = sb->buf + sb->len;

		if (!mem_find(p, sb->len, s->v[i], sl))
			continue;
		while ((hit = mem_find(p, (size_t)(end - p), s->v[i], sl))) {
			strbuf_add(&out, p, (size_t)(hit - p));
			strbuf_addstr(&out, SECRET_MASK);
			p = hit + sl;
		}
		strbuf_add(&out, p, (size_t)(end - p));
		strbuf_release(sb);
		*sb = out;
	}
}

/* ---- results ---- */

void step_result_release(struct step_result *r)
{
	if (!r)
		return;
	free(r->summary);
	memset(r, 0, sizeof(*r));
}

static void result_set(struct step_result *r, enum step_status st, const char *fmt, va_list ap)
{
	free(r->summary);
	r->status = st;
	r->summary = xvasprintf(fmt, ap);
}

#define RESULT_FN(name, st)                                          \
	void name(struct step_result *r, const char *fmt, ...)       \
	{                                                            \
		va_list ap;                                          \
		va_start(ap, fmt);                                   \
		result_set(r, st, fmt, ap);                          \
		va_end(ap);                                          \
	}
RESULT_FN(step_ok, STEP_OK)
RESULT_FN(step_changed, STEP_CHANGED)
RESULT_FN(step_skipped, STEP_SKIPPED)
RESULT_FN(step_failed, STEP_FAILED)

void step_failed_error(struct step_result *r, const struct error *e)
{
	step_failed(r, "%s", e->msg ? e->msg : "failed");
	r->err = e->code;
}

/* ---- output ---- */

static void emit(struct step_ctx *ctx, const char *sep, const char *text, size_t len)
{
	struct strbuf line = STRBUF_INIT, clean = STRBUF_INIT;

	strbuf_add(&line, text, len);
	secrets_redact(ctx->secrets, &line);
	term_sanitize(&clean, line.buf ? line.buf : "", line.len);
	fprintf(ctx->out, "[%zu/%zu %s]%s%s\n", ctx->index, ctx->total, ctx->rs->def->it.id, sep,
		clean.buf ? clean.buf : "");
	fflush(ctx->out);
	strbuf_release(&clean);
	strbuf_release(&line);
}

void step_say(struct step_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	emit(ctx, " ", text, strlen(text));
	free(text);
}

static void on_line(void *arg, int stream, const char *line, size_t len)
{
	(void)stream;
	emit(arg, " | ", line, len);
}

/* ---- remote actions ---- */

int step_sh(struct step_ctx *ctx, const char *script, int timeout, int quiet,
	    struct exec_result *res, struct error *e)
{
	struct exec_opts o;
	int ret;

	memset(&o, 0, sizeof(o));
	o.input = script;
	o.input_len = strlen(script);
	o.timeout = timeout;
	o.cancel = ctx->cancel;
	if (!quiet) {
		o.on_line = on_line;
		o.arg = ctx;
	}
	ret = ssh_exec(ctx->c, "sh -s", &o, res, e);
	if (ret && e->msg) {
		/* the message may quote what the target printed */
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, e->msg);
		secrets_redact(ctx->secrets, &sb);
		error_set(e, e->code, "%s", sb.buf);
		strbuf_release(&sb);
	}
	return ret;
}

int step_upload(struct step_ctx *ctx, const char *data, size_t len, const char *path, int mode,
		struct error *e)
{
	struct exec_result res;
	struct strbuf sh = STRBUF_INIT;
	char *tmp = NULL, token[17];
	int ret;

	memset(&res, 0, sizeof(res));
	if (!ssh_uses_sudo(ctx->c)) {
		ret = ssh_upload(ctx->c, data, len, path, mode, e);
		goto out;
	}
	/* SFTP runs as the connecting user: upload beside its files, then install as root */
	random_token(token, sizeof(token));
	tmp = xasprintf("/tmp/.shelfready-upload-%s", token);
	ret = ssh_upload(ctx->c, data, len, tmp, 0600, e);
	if (ret)
		goto out;
	strbuf_addstr(&sh, "set -e\nsrc=");
	shell_quote(&sh, tmp);
	strbuf_addstr(&sh, "\ndst=");
	shell_quote(&sh, path);
	strbuf_addf(&sh, "\ncp \"$src\" \"$dst.shelfready-new\"\nrm -f \"$src\"\n"
			 "chown 0:0 \"$dst.shelfready-new\"\nchmod %o \"$dst.shelfready-new\"\n"
			 "mv -f \"$dst.shelfready-new\" \"$dst\"\n",
		    (unsigned)mode);
	ret = step_sh(ctx, sh.buf, 60, 1, &res, e);
	if (!ret && res.status != 0)
		ret = error_set(e, SR_ERR_REMOTE, "cannot install '%s' as root: %s", path,
				res.err.buf ? res.err.buf : "failed");
out:
	exec_result_release(&res);
	strbuf_release(&sh);
	free(tmp);
	return ret;
}

int step_reconnect(struct step_ctx *ctx, struct error *e)
{
	return ssh_reconnect(ctx->c, ctx->reconnect_wait, e);
}

/* ---- parameters ---- */

const char *step_param_str(const struct params *p, const char *key)
{
	const struct param *v = params_get(p, key);
	return v && v->v.kind == PV_STRING ? v->v.s : NULL;
}

long long step_param_int(const struct params *p, const char *key, long long dflt)
{
	const struct param *v = params_get(p, key);
	return v && (v->v.kind == PV_INT || v->v.kind == PV_BOOL) ? v->v.i : dflt;
}

int step_param_bool(const struct params *p, const char *key)
{
	const struct param *v = params_get(p, key);
	return v && v->v.kind == PV_BOOL && v->v.i;
}

/* ---- reboot ---- */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The target's boot_id into *id (owned); a failed command is SR_ERR_REMOTE. */
static int read_boot_id(struct step_ctx *ctx, int timeout, char **id, struct error *e)
{
	struct exec_result res;
	int ret;

	memset(&res, 0, sizeof(res));
	ret = step_sh(ctx, "cat /proc/sys/kernel/random/boot_id\n", timeout, 1, &res, e);
	if (!ret && (res.status != 0 || !res.out.buf || res.out.len < 8))
		ret = error_set(e, SR_ERR_REMOTE, "cannot read the boot_id of the target (exit %d)",
				res.status);
	if (!ret)
		*id = xstrndup(res.out.buf, strcspn(res.out.buf, " \r\n"));
	exec_result_release(&res);
	return ret;
}

/* Wait s seconds in small slices; SR_ERR_INTERRUPTED on Ctrl-C. */
static int reboot_pause(struct step_ctx *ctx, double s, struct error *e)
{
	for (double t = 0; t < s; t += 0.1) {
		struct timespec ts = { 0, 100000000L };
		if (ctx->cancel && *ctx->cancel)
			return error_set(e, SR_ERR_INTERRUPTED, "interrupted while waiting for the reboot");
		nanosleep(&ts, NULL);
	}
	return 0;
}

static const char reboot_script[] =
	"if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then\n"
	"    systemctl reboot && exit 0\n"
	"fi\n"
	"reboot && exit 0\n"
	"shutdown -r now\n";

int step_reboot_target(struct step_ctx *ctx, int timeout, struct error *e)
{
	struct exec_result res;
	char *before = NULL, *now = NULL;
	double t0 = mono_s(), deadline = t0 + (timeout > 0 ? timeout : 600);
	int saved_wait = ctx->reconnect_wait, dropped = 0, ret;

	memset(&res, 0, sizeof(res));
	ret = read_boot_id(ctx, 30, &before, e);
	if (ret)
		goto out;
	step_say(ctx, "rebooting the target (boot_id %s)", before);
	ctx->facts_stale = 1;
	ret = step_sh(ctx, reboot_script, 30, 1, &res, e);
	if (ret == SR_ERR_CONNECT || ret == SR_ERR_TIMEOUT) {
		dropped = 1; /* it went down under the command */
	} else if (ret) {
		goto out;
	} else if (res.status != 0) {
		ret = error_set(e, SR_ERR_REMOTE, "the reboot command failed (exit %d): %.200s",
				res.status, res.err.buf ? res.err.buf : "");
		goto out;
	}
	for (;;) {
		double left = deadline - mono_s();
		if (left < 1) {
			ret = error_set(e, SR_ERR_TIMEOUT, "the target did not come back with a new boot "
							   "within %d s",
					timeout);
			goto out;
		}
		if (dropped) {
			step_say(ctx, "the target went down; waiting for it to come back");
			ctx->reconnect_wait = (int)left;
			ret = step_reconnect(ctx, e);
			ctx->reconnect_wait = saved_wait;
			if (ret)
				goto out;
			dropped = 0;
		}
		free(now);
		now = NULL;
		ret = read_boot_id(ctx, 10, &now, e);
		if (ret == SR_ERR_CONNECT || ret == SR_ERR_TIMEOUT) {
			dropped = 1;
			continue;
		}
		if (ret)
			goto out;
		if (strcmp(now, before)) {
			step_say(ctx, "the target is back after %.1f s with a new boot (boot_id %s)",
				 mono_s() - t0, now);
			ret = 0;
			goto out;
		}
		/* not down yet */
		ret = reboot_pause(ctx, 1, e);
		if (ret)
			goto out;
	}
out:
	ctx->reconnect_wait = saved_wait;
	exec_result_release(&res);
	free(before);
	free(now);
	return ret;
}

char *step_reboot_reason(const struct facts *f)
{
	const struct facts_reboot *rb = &f->reboot;

	if (rb->kernel_pending == 1)
		return xasprintf("kernel %s is installed, %s is running",
				 f->kernels.newest ? f->kernels.newest : "?",
				 f->uname.release ? f->uname.release : "?");
	if (rb->required_file == 1)
		return xstrdup("/var/run/reboot-required exists");
	if (rb->needs_restarting == 1)
		return xstrdup("needs-restarting -r says so");
	return NULL;
}
