/*
 * file-line: make sure a line is in a file (or is not), or replace the line
 * that matches a regular expression.
 *
 * The edit is computed here, on the controller, from the file's bytes as
 * read on the target: `line` and `regexp` never reach a shell or sed, so
 * any content (quotes, slashes, backslashes, $(...), UTF-8, a last line
 * without a newline) is data. The regular expression is POSIX extended,
 * compiled at load time and matched here with the same regcomp. The new
 * content travels by SFTP to a temporary file beside the original, which
 * gets the original's owner and mode and is renamed over it: a reader sees
 * the old file or the new one. A backup of the old one is kept first.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "facts.h"
#include "profile.h"
#include "ssh.h"
#include "step.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

/* The largest file it edits: the capture limit of a command's output. */
#define FL_MAX_SIZE (1u << 20)

static const char *const fl_states[] = { "present", "absent", NULL };
static const char *const fl_inserts[] = { "end", "start", NULL };

static const struct param_spec file_line_params[] = {
	{ "path", PK_STRING, 1, NULL, "absolute path of the file on the target", NULL, 0, 0 },
	{ "line", PK_STRING, 0, NULL,
	  "the line (without a newline); required with state present", NULL, 0, 0 },
	{ "regexp", PK_REGEX, 0, NULL,
	  "POSIX extended regular expression: with present, the first matching line is replaced by "
	  "'line' and later matching lines are removed; with absent, every matching line is removed",
	  NULL, 0, 0 },
	{ "state", PK_ENUM, 0, "present", "present or absent", fl_states, 0, 0 },
	{ "insert", PK_ENUM, 0, "end",
	  "where a missing line goes: end or start of the file", fl_inserts, 0, 0 },
	{ "create", PK_BOOL, 0, "false", "create the file when it does not exist", NULL, 0, 0 },
	{ "backup", PK_BOOL, 0, "true",
	  "keep a copy of the old file as FILE.shelfready-YYYYmmddHHMMSS before changing it", NULL, 0,
	  0 },
	{ "owner", PK_STRING, 0, NULL,
	  "USER, USER:GROUP or :GROUP (names or numbers); default: kept, or the connecting user for "
	  "a new file", NULL, 0, 0 },
	{ "mode", PK_STRING, 0, NULL,
	  "permissions in octal such as \"0644\"; default: kept, or 0644 for a new file", NULL, 0, 0 },
	PARAM_END,
};

struct fl_edit {
	const char *line;  /* the wanted line; NULL: none (absent with a regexp) */
	const regex_t *re; /* NULL: lines equal to line */
	int absent;
	int at_start;      /* a missing line goes at the start */
};

struct fl_outcome {
	size_t replaced;   /* lines replaced by line */
	size_t removed;    /* lines removed */
	int inserted;      /* line was added */
	size_t first;      /* 1-based number of the first line changed; 0: none */
	char *old;         /* the text of that line (owned); NULL when inserted */
};

static void fl_outcome_release(struct fl_outcome *oc)
{
	if (!oc)
		return;
	free(oc->old);
	memset(oc, 0, sizeof(*oc));
}

static int line_matches(const char *s, size_t n, const struct fl_edit *ed, struct strbuf *tmp)
{
	if (!ed->re)
		return ed->line && strlen(ed->line) == n && !memcmp(s, ed->line, n);
	strbuf_reset(tmp);
	strbuf_add(tmp, s, n);
	return regexec(ed->re, tmp->buf ? tmp->buf : "", 0, NULL, 0) == 0;
}

static void note_first(struct fl_outcome *oc, size_t lineno, const char *s, size_t n)
{
	if (oc->first)
		return;
	oc->first = lineno;
	oc->old = xstrndup(s, n);
}

/*
 * Apply ed to the text data[0..len) (no NUL bytes): the new text in out, and
 * what changed in oc. 1 when the text changed, 0 when it did not.
 */
static int fl_edit_apply(const char *data, size_t len, const struct fl_edit *ed, struct strbuf *out,
		  struct fl_outcome *oc)
{
	struct strbuf tmp = STRBUF_INIT;
	const char *p = data, *end = data + len;
	size_t lineno = 0;
	int matched = 0, equal = 0;

	memset(oc, 0, sizeof(*oc));
	strbuf_reset(out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int has_nl = nl != NULL;

		lineno++;
		if (ed->line && strlen(ed->line) == n && !memcmp(p, ed->line, n))
			equal = 1;
		if (!line_matches(p, n, ed, &tmp)) {
			strbuf_add(out, p, n + (size_t)has_nl);
		} else if (ed->absent || matched) {
			/* absent: every match goes; present: later matches go */
			note_first(oc, lineno, p, n);
			oc->removed++;
		} else {
			/* the first match becomes line, keeping its own line end */
			matched = 1;
			if (strlen(ed->line) != n || memcmp(p, ed->line, n)) {
				note_first(oc, lineno, p, n);
				oc->replaced++;
			}
			strbuf_addstr(out, ed->line);
			if (has_nl)
				strbuf_addch(out, '\n');
		}
		p += n + (size_t)has_nl;
	}
	if (!ed->absent && !matched && !equal) {
		oc->inserted = 1;
		if (ed->at_start) {
			struct strbuf sb = STRBUF_INIT;
			strbuf_addstr(&sb, ed->line);
			strbuf_addch(&sb, '\n');
			strbuf_add(&sb, out->buf ? out->buf : "", out->len);
			strbuf_release(out);
			*out = sb;
			oc->first = 1;
		} else {
			if (out->len && out->buf[out->len - 1] != '\n')
				strbuf_addch(out, '\n');
			strbuf_addstr(out, ed->line);
			strbuf_addch(out, '\n');
			oc->first = lineno + 1;
		}
	}
	strbuf_release(&tmp);
	return oc->inserted || oc->replaced || oc->removed;
}

/* Permission bits of an `ls -l` mode string such as "-rwsr-x--T", or -1. */
static int fl_perm_mode(const char *perm)
{
	static const char rwx[] = "rwxrwxrwx";
	int mode = 0;

	if (!perm || strlen(perm) < 10)
		return -1;
	for (int i = 0; i < 9; i++) {
		char c = perm[1 + i];
		int bit = 1 << (8 - i);
		int exec = (i % 3) == 2;
		if (c == rwx[i]) {
			mode |= bit;
		} else if (exec && (c == 's' || c == 't')) {
			mode |= bit | (i == 2 ? 04000 : i == 5 ? 02000 : 01000);
		} else if (exec && (c == 'S' || c == 'T')) {
			if ((i == 8) != (c == 'T'))
				return -1;
			mode |= i == 2 ? 04000 : i == 5 ? 02000 : 01000;
		} else if (c != '-') {
			return -1;
		}
		if (exec && i != 8 && (c == 't' || c == 'T'))
			return -1;
		if (i == 8 && (c == 's' || c == 'S'))
			return -1;
	}
	return mode;
}

static int valid_name(const char *s, size_t n)
{
	if (!n || n > 32 || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-' || (c == '$' && i == n - 1)))
			return 0;
	}
	return 1;
}

/* USER, USER:GROUP or :GROUP, each a name or a number. */
static int fl_valid_owner(const char *s)
{
	const char *colon = strchr(s, ':');
	if (!colon)
		return valid_name(s, strlen(s));
	if (colon != s && !valid_name(s, (size_t)(colon - s)))
		return 0;
	return valid_name(colon + 1, strlen(colon + 1));
}

/* Three or four octal digits, at most 07777. */
static int fl_valid_mode(const char *s, unsigned *mode)
{
	size_t n = strlen(s);
	unsigned v = 0;
	if (n < 3 || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return 0;
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	*mode = v;
	return 1;
}

static int part_matches(const char *want, size_t n, const char *name, long long id)
{
	char num[32];
	if (!n)
		return 1;
	if (name && strlen(name) == n && !memcmp(want, name, n))
		return 1;
	snprintf(num, sizeof(num), "%lld", id);
	return id >= 0 && strlen(num) == n && !memcmp(want, num, n);
}

/* Whether a file of user/group (names, may be NULL) and uid/gid is owned as want says. */
static int fl_owner_matches(const char *want, const char *user, const char *group, long long uid,
		     long long gid)
{
	const char *colon = strchr(want, ':');
	size_t un = colon ? (size_t)(colon - want) : strlen(want);
	if (!part_matches(want, un, user, uid))
		return 0;
	return !colon || part_matches(colon + 1, strlen(colon + 1), group, gid);
}

static void file_line_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *path = params_get(p, "path"), *line = params_get(p, "line");
	const struct param *re = params_get(p, "regexp"), *owner = params_get(p, "owner");
	const struct param *mode = params_get(p, "mode");
	const char *state = step_param_str(p, "state");
	int absent = state && !strcmp(state, "absent");
	unsigned m;

	if (path && (path->v.s[0] != '/' || strchr(path->v.s, '\n') || strlen(path->v.s) < 2 ||
		     path->v.s[strlen(path->v.s) - 1] == '/'))
		diag_error(ctx->d, path->v.pos,
			   "'path' of %s must be the absolute path of a file, found '%s'", ctx->owner,
			   path->v.s);
	if (line && strchr(line->v.s, '\n'))
		diag_error(ctx->d, line->v.pos, "'line' of %s must be one line: it contains a newline",
			   ctx->owner);
	if (!absent && !line)
		diag_error(ctx->d, ctx->at, "%s needs 'line' with state present", ctx->owner);
	if (absent && !line && !re)
		diag_error(ctx->d, ctx->at, "%s needs 'line' or 'regexp' with state absent",
			   ctx->owner);
	if (re && !re->v.s[0])
		diag_error(ctx->d, re->v.pos, "'regexp' of %s must not be empty: it matches every line",
			   ctx->owner);
	if (owner && !fl_valid_owner(owner->v.s))
		diag_error(ctx->d, owner->v.pos,
			   "'owner' of %s must be USER, USER:GROUP or :GROUP, found '%s'", ctx->owner,
			   owner->v.s);
	if (mode && !fl_valid_mode(mode->v.s, &m))
		diag_error(ctx->d, mode->v.pos,
			   "'mode' of %s must be octal permissions such as \"0644\", found '%s'", ctx->owner,
			   mode->v.s);
}

/* ---- on the target ---- */

/* What reading the file found. */
struct fl_file {
	int exists;
	int dir_exists;    /* absent: its directory exists */
	char *path;        /* the file itself, symbolic links resolved */
	int mode;          /* permission bits */
	long long uid, gid;
	char *user, *group;
	char *data;
	size_t len;
};

static void fl_file_release(struct fl_file *f)
{
	free(f->path);
	free(f->user);
	free(f->group);
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* The n-th (0-based) blank-separated word of s as a new string, or NULL. */
static char *word(const char *s, int n)
{
	const char *w[5];
	size_t wl[5];
	size_t k = facts_words(s, strlen(s), w, wl, 5);
	return (size_t)n < k ? xstrndup(w[n], wl[n]) : NULL;
}

static const char *first_line(const struct strbuf *sb, char *buf, size_t size)
{
	const char *s = sb->buf ? sb->buf : "";
	size_t n = strcspn(s, "\n");
	if (!n)
		return "no message";
	snprintf(buf, size, "%.*s", (int)n, s);
	return buf;
}

/*
 * The header is NUL-separated: "file", the resolved path, `ls -lnd` and
 * `ls -ld` of it, then the content; or "absent", the path, "dir"/"nodir".
 */
static int fl_read(struct step_ctx *ctx, const char *path, struct fl_file *out, struct step_result *r)
{
	struct strbuf sh = STRBUF_INIT;
	struct exec_result res;
	struct error e = ERROR_INIT;
	const char *field[4];
	char msg[256];
	size_t nf = 0, off = 0;
	int ret = -1;

	memset(&res, 0, sizeof(res));
	memset(out, 0, sizeof(*out));
	strbuf_addstr(&sh, "f=");
	shell_quote(&sh, path);
	strbuf_addstr(&sh,
		      "\nif [ -L \"$f\" ]; then\n"
		      "  r=$(readlink -f -- \"$f\" 2>/dev/null)\n"
		      "  [ -n \"$r\" ] || { echo \"cannot resolve the symbolic link\" >&2; exit 3; }\n"
		      "  f=$r\n"
		      "fi\n"
		      "if [ ! -e \"$f\" ]; then\n"
		      "  d=${f%/*}\n"
		      "  if [ -d \"${d:-/}\" ]; then k=dir; else k=nodir; fi\n"
		      "  printf 'absent\\000%s\\000%s\\000' \"$f\" \"$k\"\n"
		      "  exit 0\n"
		      "fi\n"
		      "[ -f \"$f\" ] || { echo \"it is not a regular file\" >&2; exit 3; }\n"
		      "[ -r \"$f\" ] || { echo \"it is not readable: permission denied\" >&2; exit 3; }\n"
		      "ln=$(ls -lnd -- \"$f\") && ll=$(ls -ld -- \"$f\") || exit 3\n"
		      "printf 'file\\000%s\\000%s\\000%s\\000' \"$f\" \"$ln\" \"$ll\"\n"
		      "exec cat -- \"$f\" </dev/null\n");
	if (step_sh(ctx, sh.buf, 120, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	if (res.status != 0) {
		step_failed(r, "cannot read '%s': %s", path, first_line(&res.err, msg, sizeof(msg)));
		goto out;
	}
	if (res.out_truncated) {
		step_failed(r, "'%s' is larger than %u bytes: too large to edit line by line", path,
			    FL_MAX_SIZE);
		goto out;
	}
	while (nf < 4 && off < res.out.len) {
		const char *z = memchr(res.out.buf + off, '\0', res.out.len - off);
		if (!z)
			break;
		field[nf++] = res.out.buf + off;
		off = (size_t)(z - res.out.buf) + 1;
		if (nf == 3 && !strcmp(field[0], "absent"))
			break;
	}
	if (nf == 3 && !strcmp(field[0], "absent")) {
		out->path = xstrdup(field[1]);
		out->dir_exists = !strcmp(field[2], "dir");
		ret = 0;
		goto out;
	}
	if (nf != 4 || strcmp(field[0], "file")) {
		step_failed(r, "cannot read '%s': unexpected output from the target", path);
		goto out;
	}
	char *perm = word(field[2], 0), *uid = word(field[2], 2), *gid = word(field[2], 3);
	out->exists = 1;
	out->path = xstrdup(field[1]);
	out->mode = fl_perm_mode(perm);
	out->uid = uid ? facts_num(uid, strlen(uid)) : -1;
	out->gid = gid ? facts_num(gid, strlen(gid)) : -1;
	out->user = word(field[3], 2);
	out->group = word(field[3], 3);
	free(perm);
	free(uid);
	free(gid);
	if (out->mode < 0 || out->uid < 0 || out->gid < 0) {
		step_failed(r, "cannot read '%s': cannot make out its owner and mode", path);
		goto out;
	}
	out->len = res.out.len - off;
	if (memchr(res.out.buf + off, '\0', out->len)) {
		step_failed(r, "'%s' is not a text file (it contains NUL bytes)", path);
		goto out;
	}
	out->data = xmalloc(out->len + 1);
	memcpy(out->data, res.out.buf + off, out->len);
	out->data[out->len] = '\0';
	ret = 0;
out:
	if (ret)
		fl_file_release(out);
	exec_result_release(&res);
	error_release(&e);
	strbuf_release(&sh);
	return ret;
}

/* A short, quoted rendering of a line for messages. */
static void add_shown(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s);
	strbuf_addch(sb, '\'');
	if (n > 60) {
		size_t cut = 57;
		while (cut && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
		strbuf_add(sb, s, cut);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_addstr(sb, s);
	}
	strbuf_addch(sb, '\'');
}

static void describe(struct strbuf *sb, const struct fl_outcome *oc, const char *line)
{
	if (oc->replaced) {
		strbuf_addf(sb, "replace line %zu ", oc->first);
		add_shown(sb, oc->old ? oc->old : "");
		strbuf_addstr(sb, " with ");
		add_shown(sb, line);
		if (oc->removed)
			strbuf_addf(sb, ", remove %zu more matching line%s", oc->removed,
				    oc->removed == 1 ? "" : "s");
	} else if (oc->inserted) {
		strbuf_addstr(sb, "add ");
		add_shown(sb, line);
		strbuf_addf(sb, " at line %zu", oc->first);
	} else if (oc->removed) {
		strbuf_addf(sb, "remove %zu line%s", oc->removed, oc->removed == 1 ? "" : "s");
		if (oc->first) {
			strbuf_addf(sb, " (line %zu: ", oc->first);
			add_shown(sb, oc->old ? oc->old : "");
			strbuf_addch(sb, ')');
		}
	}
}

/* The remote part of a change: backup, owner and mode, rename into place. */
static char *finish_script(const char *path, const char *stage, int backup, const char *owner,
			   unsigned mode)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "f=");
	shell_quote(&sb, path);
	strbuf_addstr(&sb, "\ns=");
	if (stage)
		shell_quote(&sb, stage);
	strbuf_addstr(&sb, "\no=");
	if (owner)
		shell_quote(&sb, owner);
	strbuf_addf(&sb, "\nm=%04o\nb=\n", mode);
	strbuf_addstr(&sb, "[ -n \"$s\" ] && trap 'rm -f -- \"$s\"' EXIT\n");
	if (backup)
		strbuf_addstr(&sb,
			      "if [ -n \"$s\" ] && [ -e \"$f\" ]; then\n"
			      "  t=$(date +%Y%m%d%H%M%S) || exit 3\n"
			      "  b=$f.shelfready-$t i=1\n"
			      "  while [ -e \"$b\" ]; do b=$f.shelfready-$t-$i; i=$((i + 1)); done\n"
			      "  cp -p -- \"$f\" \"$b\" </dev/null || { echo \"cannot back up to $b\" >&2; exit 3; }\n"
			      "fi\n");
	strbuf_addstr(&sb,
		      "t=${s:-$f}\n"
		      "if [ -n \"$o\" ]; then chown -- \"$o\" \"$t\" || exit 3; fi\n"
		      "chmod -- \"$m\" \"$t\" || exit 3\n"
		      "if [ -n \"$s\" ]; then mv -f -- \"$s\" \"$f\" || exit 3; fi\n"
		      "if command -v restorecon >/dev/null 2>&1; then restorecon -- \"$f\" >/dev/null 2>&1; fi\n"
		      "[ -z \"$b\" ] || printf '%s\\n' \"$b\"\n"
		      "exit 0\n");
	return strbuf_detach(&sb);
}

/* Upload content beside path (a new name) and put it in place; *backup the copy kept (owned). */
static int fl_write(struct step_ctx *ctx, const char *path, const struct strbuf *content,
		    int backup, const char *owner, unsigned mode, char **backup_path,
		    struct step_result *r)
{
	struct exec_result res;
	struct error e = ERROR_INIT;
	const char *slash = strrchr(path, '/');
	char token[13], msg[256], *stage = NULL, *sh = NULL;
	int ret = -1;

	memset(&res, 0, sizeof(res));
	if (content) {
		random_token(token, sizeof(token));
		stage = xasprintf("%.*s/.%s.shelfready-%s", (int)(slash - path), path, slash + 1, token);
		if (step_upload(ctx, content->buf ? content->buf : "", content->len, stage, 0600, &e)) {
			step_failed(r, "cannot write '%s': %s", path, e.msg);
			r->err = e.code;
			goto out;
		}
	}
	sh = finish_script(path, stage, backup, owner, mode);
	if (step_sh(ctx, sh, 120, 1, &res, &e)) {
		step_failed_error(r, &e);
		goto out;
	}
	if (res.status != 0) {
		step_failed(r, "cannot update '%s': %s", path, first_line(&res.err, msg, sizeof(msg)));
		goto out;
	}
	if (res.out.len) {
		size_t n = strcspn(res.out.buf, "\n");
		*backup_path = xstrndup(res.out.buf, n);
	}
	ret = 0;
out:
	exec_result_release(&res);
	error_release(&e);
	free(stage);
	free(sh);
	return ret;
}

static void file_line_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	const char *path = step_param_str(p, "path"), *line = step_param_str(p, "line");
	const char *re_text = step_param_str(p, "regexp"), *owner = step_param_str(p, "owner");
	const char *mode_text = step_param_str(p, "mode"), *state = step_param_str(p, "state");
	const char *insert = step_param_str(p, "insert");
	int absent = state && !strcmp(state, "absent"), create = step_param_bool(p, "create");
	int backup = step_param_bool(p, "backup"), have_re = 0, changed;
	struct fl_file f;
	struct fl_outcome oc;
	struct fl_edit ed;
	struct strbuf out = STRBUF_INIT, what = STRBUF_INIT;
	regex_t re;
	unsigned want_mode = 0644;
	char *bak = NULL;

	memset(&f, 0, sizeof(f));
	memset(&oc, 0, sizeof(oc));
	if (mode_text)
		fl_valid_mode(mode_text, &want_mode);
	if (re_text) {
		if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB)) {
			step_failed(r, "'regexp' does not compile: /%s/", re_text);
			goto out;
		}
		have_re = 1;
	}
	ed = (struct fl_edit){ line, have_re ? &re : NULL, absent, insert && !strcmp(insert, "start") };
	if (fl_read(ctx, path, &f, r) < 0)
		goto out;

	if (!f.exists) {
		if (absent) {
			step_ok(r, "'%s' does not exist: nothing to remove", path);
			goto out;
		}
		if (!create) {
			step_failed(r, "'%s' does not exist (set 'create: true' to create it)", path);
			goto out;
		}
		if (!f.dir_exists) {
			step_failed(r, "cannot create '%s': its directory does not exist", f.path);
			goto out;
		}
		strbuf_addstr(&out, line);
		strbuf_addch(&out, '\n');
		if (ctx->dry_run) {
			strbuf_addf(&what, "would create '%s' (mode %04o) holding ", f.path, want_mode);
			add_shown(&what, line);
			step_changed(r, "%s", what.buf);
			goto out;
		}
		if (fl_write(ctx, f.path, &out, 0, owner, want_mode, &bak, r) < 0)
			goto out;
		step_changed(r, "created '%s' (mode %04o)", f.path, want_mode);
		goto out;
	}

	changed = fl_edit_apply(f.data, f.len, &ed, &out, &oc);
	int mode_differs = mode_text && (unsigned)f.mode != want_mode;
	int owner_differs = owner && !fl_owner_matches(owner, f.user, f.group, f.uid, f.gid);
	if (!changed && !mode_differs && !owner_differs) {
		step_ok(r, "'%s' is as wanted", f.path);
		goto out;
	}
	if (changed)
		describe(&what, &oc, line ? line : "");
	if (mode_differs)
		strbuf_addf(&what, "%smode %04o -> %04o", what.len ? "; " : "", (unsigned)f.mode,
			    want_mode);
	if (owner_differs)
		strbuf_addf(&what, "%sowner %s:%s -> %s", what.len ? "; " : "",
			    f.user ? f.user : "?", f.group ? f.group : "?", owner);
	if (ctx->dry_run) {
		step_changed(r, "would change '%s': %s", f.path, what.buf);
		goto out;
	}
	{
		/* keep the file's owner and mode unless told otherwise */
		char *keep_owner = owner ? xstrdup(owner) : xasprintf("%lld:%lld", f.uid, f.gid);
		int w = fl_write(ctx, f.path, changed ? &out : NULL, changed && backup, keep_owner,
				 mode_text ? want_mode : (unsigned)f.mode, &bak, r);
		free(keep_owner);
		if (w < 0)
			goto out;
	}
	if (bak)
		step_changed(r, "changed '%s': %s (backup '%s')", f.path, what.buf, bak);
	else
		step_changed(r, "changed '%s': %s", f.path, what.buf);
out:
	if (have_re)
		regfree(&re);
	fl_outcome_release(&oc);
	fl_file_release(&f);
	strbuf_release(&out);
	strbuf_release(&what);
	free(bak);
}

/* ---- emit: the same edit, on the machine itself ---- */

/*
 * The edit of fl_edit_apply in awk (LC_ALL=C, bytes as here): the file on
 * standard input, the result into the file SR_FL_OUT, what changed on
 * standard output ("" when nothing). `line` and `regexp` are data: they
 * come from the environment (SR_FL_LINE, SR_FL_RE), never from the program.
 * SR_FL_NONL=1: the last line has no newline. The lines the regexp matches
 * are numbered in the file SR_FL_MATCHES by `grep -n -E` (POSIX ERE, as
 * regcomp here): awk's own matching differs between awks (mawk has no
 * interval expressions).
 */
static const char fl_awk[] =
	"BEGIN {\n"
	"\tL = ENVIRON[\"SR_FL_LINE\"] \"\"; R = ENVIRON[\"SR_FL_RE\"] \"\"\n"
	"\thasl = ENVIRON[\"SR_FL_HASLINE\"] == 1; absent = ENVIRON[\"SR_FL_ABSENT\"] == 1\n"
	"\tstart = ENVIRON[\"SR_FL_START\"] == 1; nonl = ENVIRON[\"SR_FL_NONL\"] == 1\n"
	"\tout = ENVIRON[\"SR_FL_OUT\"]; n = 0; first = 0; mf = ENVIRON[\"SR_FL_MATCHES\"]\n"
	"\tif (R != \"\") while ((getline x < mf) > 0) mt[x + 0] = 1\n"
	"}\n"
	"{\n"
	"\ts = $0 \"\"\n"
	"\tif (hasl && s == L) equal = 1\n"
	"\tif (R != \"\") m = (NR in mt); else m = (hasl && s == L)\n"
	"\tif (!m) { o[++n] = s; k[n] = NR; next }\n"
	"\tif (absent || matched) { removed++; if (!first) first = NR; next }\n"
	"\tmatched = 1\n"
	"\tif (s != L) { replaced++; if (!first) first = NR }\n"
	"\to[++n] = L; k[n] = NR\n"
	"}\n"
	"END {\n"
	"\tins = !absent && !matched && !equal\n"
	"\tif (ins && start) printf(\"%s\\n\", L) > out\n"
	"\tfor (i = 1; i <= n; i++) {\n"
	"\t\teol = (nonl && k[i] == NR && !(ins && !start)) ? \"\" : \"\\n\"\n"
	"\t\tprintf(\"%s%s\", o[i], eol) > out\n"
	"\t}\n"
	"\tif (ins && !start) printf(\"%s\\n\", L) > out\n"
	"\tw = \"\"\n"
	"\tif (replaced) w = \"replaced line \" first\n"
	"\tif (removed) w = w (w == \"\" ? \"\" : \", \") \"removed \" removed \" line\" (removed == 1 ? \"\" : \"s\")\n"
	"\tif (ins) w = w (w == \"\" ? \"\" : \", \") \"added the line at the \" (start ? \"start\" : \"end\")\n"
	"\tprint w\n"
	"}\n";

static int file_line_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
			  char **err)
{
	const char *path = step_param_str(p, "path"), *line = step_param_str(p, "line");
	const char *re_text = step_param_str(p, "regexp"), *owner = step_param_str(p, "owner");
	const char *mode_text = step_param_str(p, "mode"), *state = step_param_str(p, "state");
	const char *insert = step_param_str(p, "insert");
	int absent = state && !strcmp(state, "absent"), create = step_param_bool(p, "create");
	int backup = step_param_bool(p, "backup");
	unsigned want_mode = 0644;

	(void)ctx;
	if (re_text && strchr(re_text, '\n')) {
		*err = xstrdup("'regexp' holds a newline: grep would take it as several patterns");
		return -1;
	}
	if (mode_text)
		fl_valid_mode(mode_text, &want_mode);
	strbuf_addstr(sh, "# shellcheck disable=SC2016,SC2089,SC2090 # profile data, single-quoted\n"
			  "_fl_f=");
	shell_quote(sh, path);
	strbuf_addstr(sh, "\n# shellcheck disable=SC2016,SC2089,SC2090 # profile data, single-quoted\n"
			  "_fl_line=");
	shell_quote(sh, line ? line : "");
	strbuf_addstr(sh, "\n# shellcheck disable=SC2016,SC2089,SC2090 # profile data, single-quoted\n"
			  "_fl_re=");
	shell_quote(sh, re_text ? re_text : "");
	strbuf_addstr(sh, "\n_fl_o=");
	shell_quote(sh, owner ? owner : "");
	strbuf_addf(sh, "\n_fl_m=%s\n", mode_text ? mode_text : "");
	strbuf_addstr(sh,
		"if [ -L \"$_fl_f\" ]; then\n"
		"\t_fl_r=$(readlink -f -- \"$_fl_f\" 2>/dev/null)\n"
		"\tif [ -z \"$_fl_r\" ]; then\n"
		"\t\tsr_failed \"cannot read '$_fl_f': cannot resolve the symbolic link\"\n"
		"\t\treturn\n\tfi\n"
		"\t_fl_f=$_fl_r\n"
		"fi\n"
		"_fl_dir=${_fl_f%/*}\n"
		"if [ ! -e \"$_fl_f\" ]; then\n");
	if (absent) {
		strbuf_addstr(sh, "\tsr_ok \"'$_fl_f' does not exist: nothing to remove\"\n\treturn\nfi\n");
	} else if (!create) {
		strbuf_addstr(sh, "\tsr_failed \"'$_fl_f' does not exist (set 'create: true' to create it)\"\n"
				  "\treturn\nfi\n");
	} else {
		strbuf_addf(sh,
			"\tif [ ! -d \"${_fl_dir:-/}\" ]; then\n"
			"\t\tsr_failed \"cannot create '$_fl_f': its directory does not exist\"\n"
			"\t\treturn\n\tfi\n"
			"\t_fl_s=$(umask 077 && mktemp \"$_fl_dir/.shelfready-XXXXXXXX\") || {\n"
			"\t\tsr_failed \"cannot create '$_fl_f'\"\n\t\treturn\n\t}\n"
			"\tif printf '%%s\\n' \"$_fl_line\" >\"$_fl_s\" &&\n"
			"\t\t{ [ -z \"$_fl_o\" ] || chown -- \"$_fl_o\" \"$_fl_s\"; } &&\n"
			"\t\tchmod %04o \"$_fl_s\" && mv -f -- \"$_fl_s\" \"$_fl_f\"; then\n"
			"\t\tif command -v restorecon >/dev/null 2>&1; then restorecon -- \"$_fl_f\" >/dev/null 2>&1; fi\n"
			"\t\tsr_changed \"created '$_fl_f' (mode %04o)\"\n"
			"\telse\n"
			"\t\trm -f -- \"$_fl_s\"\n"
			"\t\tsr_failed \"cannot create '$_fl_f'\"\n"
			"\tfi\n"
			"\treturn\n"
			"fi\n",
			want_mode, want_mode);
	}
	strbuf_addf(sh,
		"if [ ! -f \"$_fl_f\" ]; then sr_failed \"cannot read '$_fl_f': it is not a regular file\"; return; fi\n"
		"if [ ! -r \"$_fl_f\" ]; then sr_failed \"cannot read '$_fl_f': permission denied\"; return; fi\n"
		"_fl_n=$(wc -c <\"$_fl_f\") || { sr_failed \"cannot read '$_fl_f'\"; return; }\n"
		"if [ \"$_fl_n\" -gt %u ]; then\n"
		"\tsr_failed \"'$_fl_f' is larger than %u bytes: too large to edit line by line\"\n"
		"\treturn\nfi\n"
		"if [ \"$(tr -d '\\000' <\"$_fl_f\" | wc -c)\" -ne \"$_fl_n\" ]; then\n"
		"\tsr_failed \"'$_fl_f' is not a text file (it contains NUL bytes)\"\n"
		"\treturn\nfi\n"
		"_fl_nonl=0\n"
		"if [ \"$_fl_n\" -gt 0 ] && [ \"$(tail -c 1 \"$_fl_f\" | wc -l)\" -eq 0 ]; then _fl_nonl=1; fi\n"
		"_fl_s=$(umask 077 && mktemp \"$_fl_dir/.shelfready-XXXXXXXX\") || {\n"
		"\tsr_failed \"cannot write beside '$_fl_f'\"\n\treturn\n}\n"
		/* a copy keeps owner and mode; its content is replaced */
		"if ! cp -p -- \"$_fl_f\" \"$_fl_s\" || ! : >\"$_fl_s\"; then\n"
		"\trm -f -- \"$_fl_s\"\n\tsr_failed \"cannot write beside '$_fl_f'\"\n\treturn\nfi\n"
		"_fl_mt=$_fl_s.matches\n"
		"if [ -n \"$_fl_re\" ]; then\n"
		"\tLC_ALL=C grep -n -E -e \"$_fl_re\" <\"$_fl_f\" >\"$_fl_mt.all\"\n"
		"\tif [ $? -gt 1 ] || ! cut -d: -f1 <\"$_fl_mt.all\" >\"$_fl_mt\"; then\n"
		"\t\trm -f -- \"$_fl_s\" \"$_fl_mt\" \"$_fl_mt.all\"\n"
		"\t\tsr_failed \"cannot match 'regexp' in '$_fl_f'\"\n\t\treturn\n\tfi\n"
		"fi\n"
		"_fl_what=$(SR_FL_LINE=$_fl_line SR_FL_RE=$_fl_re SR_FL_HASLINE=%d SR_FL_ABSENT=%d \\\n"
		"\tSR_FL_START=%d SR_FL_NONL=$_fl_nonl SR_FL_OUT=$_fl_s SR_FL_MATCHES=$_fl_mt \\\n"
		"\tLC_ALL=C awk '\n%s' <\"$_fl_f\")\n"
		"_fl_st=$?\n"
		"rm -f -- \"$_fl_mt\" \"$_fl_mt.all\"\n"
		"if [ \"$_fl_st\" != 0 ]; then\n"
		"\trm -f -- \"$_fl_s\"\n\tsr_failed \"cannot edit '$_fl_f'\"\n\treturn\nfi\n",
		FL_MAX_SIZE, FL_MAX_SIZE, line != NULL, absent, insert && !strcmp(insert, "start"),
		fl_awk);
	strbuf_addstr(sh,
		"_fl_md=\n"
		"if [ -n \"$_fl_m\" ] && [ -z \"$(find \"$_fl_f\" -prune -perm \"$_fl_m\" 2>/dev/null)\" ]; then\n"
		"\t_fl_md=\"mode -> $_fl_m\"\n"
		"fi\n"
		"_fl_od=\n"
		"if [ -n \"$_fl_o\" ]; then\n"
		"\t_fl_u=${_fl_o%%:*} _fl_g=\n"
		"\tcase $_fl_o in *:*) _fl_g=${_fl_o#*:} ;; esac\n"
		"\tset -- \"$_fl_f\" -prune\n"
		"\t[ -z \"$_fl_u\" ] || set -- \"$@\" -user \"$_fl_u\"\n"
		"\t[ -z \"$_fl_g\" ] || set -- \"$@\" -group \"$_fl_g\"\n"
		"\tif [ -z \"$(find \"$@\" 2>/dev/null)\" ]; then _fl_od=\"owner -> $_fl_o\"; fi\n"
		"fi\n"
		"if [ -z \"$_fl_what$_fl_md$_fl_od\" ]; then\n"
		"\trm -f -- \"$_fl_s\"\n\tsr_ok \"'$_fl_f' is as wanted\"\n\treturn\nfi\n"
		"_fl_b=\n"
		"if [ -n \"$_fl_what\" ]; then\n");
	if (backup)
		strbuf_addstr(sh,
			"\t_fl_t=$(date +%Y%m%d%H%M%S)\n"
			"\t_fl_b=$_fl_f.shelfready-$_fl_t _fl_i=1\n"
			"\twhile [ -e \"$_fl_b\" ]; do _fl_b=$_fl_f.shelfready-$_fl_t-$_fl_i; _fl_i=$((_fl_i + 1)); done\n"
			"\tif ! cp -p -- \"$_fl_f\" \"$_fl_b\"; then\n"
			"\t\trm -f -- \"$_fl_s\"\n\t\tsr_failed \"cannot back up '$_fl_f' to '$_fl_b'\"\n\t\treturn\n\tfi\n");
	strbuf_addstr(sh,
		"\t_fl_t=$_fl_s\n"
		"else\n"
		"\trm -f -- \"$_fl_s\"\n"
		"\t_fl_t=$_fl_f\n"
		"fi\n"
		"if { [ -z \"$_fl_o\" ] || chown -- \"$_fl_o\" \"$_fl_t\"; } &&\n"
		"\t{ [ -z \"$_fl_m\" ] || chmod -- \"$_fl_m\" \"$_fl_t\"; } &&\n"
		"\t{ [ \"$_fl_t\" = \"$_fl_f\" ] || mv -f -- \"$_fl_s\" \"$_fl_f\"; }; then\n"
		"\tif command -v restorecon >/dev/null 2>&1; then restorecon -- \"$_fl_f\" >/dev/null 2>&1; fi\n"
		"else\n"
		"\t[ \"$_fl_t\" = \"$_fl_f\" ] || rm -f -- \"$_fl_s\"\n"
		"\tsr_failed \"cannot update '$_fl_f'\"\n\treturn\nfi\n"
		"_fl_sum=$_fl_what\n"
		"for _fl_x in \"$_fl_md\" \"$_fl_od\"; do\n"
		"\t[ -z \"$_fl_x\" ] || _fl_sum=${_fl_sum:+$_fl_sum; }$_fl_x\n"
		"done\n"
		"[ -z \"$_fl_b\" ] || _fl_sum=\"$_fl_sum (backup '$_fl_b')\"\n"
		"sr_changed \"changed '$_fl_f': $_fl_sum\"\n");
	return 0;
}

const struct step_type step_file_line = {
	.name = "file-line",
	.summary = "make sure a line is in a file (or is not), or replace the line matching a regexp",
	.doc =
		"Make sure a line is in a file, replace the line that matches a regular "
		"expression, or remove lines. The edit is computed by shelfready from the file's "
		"bytes, so `line` and `regexp` are data whatever they hold (quotes, `$(...)`, "
		"slashes, UTF-8); a last line without a newline gets one before an appended line. "
		"The new file goes to a temporary name beside the old one, gets its owner and "
		"mode, and is renamed over it (a symbolic link is followed). A file larger than 1 "
		"MiB, or with NUL bytes, is refused.",
	.params = file_line_params,
	.validate = file_line_validate,
	.apply = file_line_apply,
	.emit = file_line_emit,
};
