/* Helpers for step types: output, remote commands, uploads, reconnection. */
#include "step.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
