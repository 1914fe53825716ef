#include "collect.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundled.h"
#include "error.h"
#include "facts.h"
#include "gather.h"
#include "ssh.h"
#include "strbuf.h"
#include "banned.h"

#define COLLECT_DEFAULT_TIMEOUT 600
#define COLLECT_CAP (64u << 20)

extern const struct bundled_file embedded_scripts[];

const char *collect_script(size_t *len)
{
	for (const struct bundled_file *f = embedded_scripts; f->name; f++)
		if (!strcmp(f->name, "gather")) {
			*len = f->len;
			return f->data;
		}
	*len = 0;
	return NULL;
}

static int key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

void collect_check_key(const char *id, char buf[COLLECT_KEY_SIZE])
{
	size_t len = strlen(id), i;
	int plain = len > 0 && len < COLLECT_KEY_SIZE;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (i = 0; plain && i < len; i++)
		plain = key_char(id[i]);
	if (plain) {
		memcpy(buf, id, len + 1);
		return;
	}
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)id[i];
		h *= 16777619u;
	}
	/* room for "-" and 8 hex digits */
	for (i = 0; i < len && i < COLLECT_KEY_SIZE - 10; i++)
		buf[i] = key_char(id[i]) ? id[i] : '-';
	snprintf(buf + i, COLLECT_KEY_SIZE - i, "-%08" PRIx32, h);
}

static int valid_id(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > 64)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '-' || c == '_' || c == '.'))))
			return 0;
	}
	return 1;
}

char *collect_script_with_checks(const struct collect_check *checks, size_t n, size_t *len,
				 char **err)
{
	size_t script_len;
	const char *script = collect_script(&script_len);
	struct strbuf sb = STRBUF_INIT;
	char (*keys)[COLLECT_KEY_SIZE] = NULL;

	*err = NULL;
	if (!script) {
		*err = xstrdup("no gather script compiled in");
		return NULL;
	}
	if (n > COLLECT_MAX_CHECKS) {
		*err = xasprintf("%zu command checks; at most %d can be run with one gather", n,
				 COLLECT_MAX_CHECKS);
		return NULL;
	}
	if (n) {
		keys = xcalloc(n, sizeof(*keys));
		/* a function the script calls before its done marker (docs/gather-format.md) */
		strbuf_addstr(&sb, "sr_checks() {\n");
	}
	for (size_t i = 0; i < n; i++) {
		if (!checks[i].id || !valid_id(checks[i].id) || !checks[i].command) {
			*err = xasprintf("cannot send the command of check '%s': %s",
					 checks[i].id ? checks[i].id : "(null)",
					 checks[i].command ? "invalid check id" : "no command");
			goto fail;
		}
		collect_check_key(checks[i].id, keys[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(keys[i], keys[j])) {
				*err = xasprintf("checks '%s' and '%s' would print the same section check-%s",
						 checks[j].id, checks[i].id, keys[i]);
				goto fail;
			}
		strbuf_addstr(&sb, "sr_check ");
		shell_quote(&sb, keys[i]);
		strbuf_addch(&sb, ' ');
		shell_quote(&sb, checks[i].command);
		if (strcmp(keys[i], checks[i].id)) {
			strbuf_addch(&sb, ' ');
			shell_quote(&sb, checks[i].id);
		}
		strbuf_addch(&sb, '\n');
	}
	if (n)
		strbuf_addstr(&sb, "}\n");
	strbuf_add(&sb, script, script_len);
	free(keys);
	*len = sb.len;
	return strbuf_detach(&sb);
fail:
	free(keys);
	strbuf_release(&sb);
	return NULL;
}

static void forward_line(void *arg, int stream, const char *line, size_t len)
{
	const struct collect_opts *o = arg;
	if (stream == EXEC_STDERR && o->on_stderr)
		o->on_stderr(o->arg, line, len);
}

int collect_transcript(struct ssh_conn *c, const struct collect_opts *o, char **out, size_t *len,
		       char nonce[COLLECT_NONCE_SIZE], struct error *e)
{
	size_t script_len;
	char *script, *err = NULL;
	struct exec_result r;
	struct strbuf cmd = STRBUF_INIT;
	int ret;

	script = collect_script_with_checks(o->checks, o->checks ? o->nchecks : 0, &script_len, &err);
	if (!script) {
		ret = error_set(e, SR_ERR, "%s", err);
		free(err);
		return ret;
	}
	random_token(nonce, COLLECT_NONCE_SIZE);
	strbuf_addf(&cmd, "sh -s -- %s%s", nonce, o->no_refresh ? " --no-refresh" : "");
	struct exec_opts xo = { script, script_len, o->timeout ? o->timeout : COLLECT_DEFAULT_TIMEOUT,
				COLLECT_CAP, 0, forward_line, (void *)o };
	memset(&r, 0, sizeof(r));
	ret = ssh_exec(c, cmd.buf, &xo, &r, e);
	if (ret)
		goto out;
	if (r.out_truncated) {
		ret = error_set(e, SR_ERR_REMOTE, "the gather output was larger than %u MiB; truncated",
				COLLECT_CAP >> 20);
		goto out;
	}
	if (r.status != 0) {
		ret = error_set(e, SR_ERR_REMOTE, "the gather script failed on the target (%s %d)%s%.200s",
				r.signal ? "signal" : "exit status", r.signal ? 0 : r.status,
				r.err.len ? ": " : "", r.err.len ? r.err.buf : "");
		goto out;
	}
	*len = r.out.len;
	*out = strbuf_detach(&r.out);
out:
	exec_result_release(&r);
	strbuf_release(&cmd);
	free(script);
	return ret;
}

int collect_parse(const char *data, size_t len, const char *nonce, struct facts **out,
		  struct error *e)
{
	struct gather g;
	char *err = NULL;
	int ret = 0;

	gather_init(&g);
	if (gather_parse(&g, data, len, nonce, &err) != 0) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot read what the gather script printed: %s",
				err ? err : "bad framing");
		goto out;
	}
	if (!gather_complete(&g)) {
		ret = error_set(e, SR_ERR_REMOTE, "the gather transcript is incomplete");
		goto out;
	}
	facts_from_gather(&g, out);
out:
	gather_release(&g);
	free(err);
	return ret;
}

int collect_facts(struct ssh_conn *c, const struct collect_opts *o, struct facts **out, char **raw,
		  size_t *raw_len, struct error *e)
{
	char nonce[COLLECT_NONCE_SIZE];
	char *data = NULL;
	size_t len = 0;
	int ret;

	ret = collect_transcript(c, o, &data, &len, nonce, e);
	if (!ret)
		ret = collect_parse(data, len, nonce, out, e);
	if (!ret && raw) {
		*raw = data;
		*raw_len = len;
		data = NULL;
	}
	free(data);
	return ret;
}
