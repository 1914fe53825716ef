#include "gather.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "banned.h"

void gather_init(struct gather *g)
{
	memset(g, 0, sizeof(*g));
}

void gather_release(struct gather *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nr; i++)
		free(g->sections[i].name);
	free(g->sections);
	free(g->buf);
	gather_init(g);
}

int gather_next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *s = *p;
	if (!s || s >= end)
		return 0;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	const char *stop = nl ? nl : end;
	*p = nl ? nl + 1 : end;
	if (stop > s && stop[-1] == '\r')
		stop--;
	*line = s;
	*len = (size_t)(stop - s);
	return 1;
}

static int is_nonce_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Is s[0..n) a section name? */
static int valid_name(const char *s, size_t n)
{
	if (!n || n > GATHER_MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(s[i]))
			return 0;
	return 1;
}

int gather_is_marker(const struct gather *g, const char *line, size_t len, const char *verb,
		     const char **rest, size_t *rest_len)
{
	size_t ml = strlen(GATHER_MARK), nl = strlen(g->nonce), vl = strlen(verb);
	size_t need = ml + 1 + nl + 1 + vl;

	if (!nl || len < need || memcmp(line, GATHER_MARK, ml) || line[ml] != ' ' ||
	    memcmp(line + ml + 1, g->nonce, nl) || line[ml + 1 + nl] != ' ' ||
	    memcmp(line + ml + 2 + nl, verb, vl))
		return 0;
	if (len == need) {
		*rest = line + len;
		*rest_len = 0;
		return 1;
	}
	if (line[need] != ' ')
		return 0;
	*rest = line + need + 1;
	*rest_len = len - need - 1;
	return 1;
}

/* Parse a small non-negative decimal number; -1 when s is not one. */
static int parse_small(const char *s, size_t n)
{
	int v = 0;
	if (!n || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void set_err(char **err, const char *msg)
{
	if (err)
		*err = xstrdup(msg);
}

/* "@@SRG <nonce> gather <version>": the nonce into g, the version into *version. */
static int parse_header(struct gather *g, const char *line, size_t len, int *version)
{
	size_t ml = strlen(GATHER_MARK), i, n = 0;

	if (len <= ml || memcmp(line, GATHER_MARK, ml) || line[ml] != ' ')
		return GATHER_ERR_HEADER;
	i = ml + 1;
	while (i + n < len && is_nonce_char(line[i + n]))
		n++;
	if (n < GATHER_MIN_NONCE || n > GATHER_MAX_NONCE || i + n >= len || line[i + n] != ' ')
		return GATHER_ERR_HEADER;
	memcpy(g->nonce, line + i, n);
	g->nonce[n] = '\0';
	i += n + 1;
	if (len - i < 7 || memcmp(line + i, "gather ", 7)) {
		g->nonce[0] = '\0';
		return GATHER_ERR_HEADER;
	}
	i += 7;
	*version = parse_small(line + i, len - i);
	if (*version < 0) {
		g->nonce[0] = '\0';
		return GATHER_ERR_HEADER;
	}
	return 0;
}

struct framer {
	struct gather *g;
	long cur;     /* index of the open section, -1 for none */
	int skipping; /* inside a duplicate section */
};

static void close_open(struct framer *fr, const char *at)
{
	if (fr->cur >= 0) {
		struct gather_section *s = &fr->g->sections[fr->cur];
		s->len = (size_t)(at - s->data);
	}
	fr->cur = -1;
	fr->skipping = 0;
}

static int has_section(const struct gather *g, const char *name, size_t n)
{
	for (size_t i = 0; i < g->nr; i++)
		if (strlen(g->sections[i].name) == n && !memcmp(g->sections[i].name, name, n))
			return 1;
	return 0;
}

int gather_parse(struct gather *g, const char *data, size_t len, const char *expected_nonce,
		 char **err)
{
	int ret = 0, version = -1;
	struct gather tmp;
	struct framer fr;
	const char *p, *end, *line, *rest;
	size_t ll, rl;

	gather_init(&tmp);
	if (len > GATHER_MAX_BYTES) {
		ret = GATHER_ERR_SIZE;
		set_err(err, "transcript is larger than 64 MiB");
		goto out;
	}
	tmp.buf = xmalloc(len + 1);
	if (len)
		memcpy(tmp.buf, data, len);
	tmp.buf[len] = '\0';
	tmp.len = len;
	p = tmp.buf;
	end = tmp.buf + len;

	if (!gather_next_line(&p, end, &line, &ll) || parse_header(&tmp, line, ll, &version) < 0) {
		ret = GATHER_ERR_HEADER;
		set_err(err, "transcript does not start with a gather header");
		goto out;
	}
	if (version != GATHER_FORMAT_VERSION) {
		ret = GATHER_ERR_VERSION;
		if (err)
			*err = xasprintf("unsupported transcript format version %d (expected %d)",
					 version, GATHER_FORMAT_VERSION);
		goto out;
	}
	if (expected_nonce && strcmp(expected_nonce, tmp.nonce)) {
		ret = GATHER_ERR_NONCE;
		set_err(err, "transcript nonce does not match the one sent");
		goto out;
	}
	tmp.version = version;

	fr.g = &tmp;
	fr.cur = -1;
	fr.skipping = 0;
	for (;;) {
		const char *start = p;
		if (!gather_next_line(&p, end, &line, &ll))
			break;
		if (gather_is_marker(&tmp, line, ll, "begin", &rest, &rl) && valid_name(rest, rl)) {
			close_open(&fr, start);
			if (has_section(&tmp, rest, rl)) {
				tmp.duplicates++;
				fr.skipping = 1;
				continue;
			}
			if (tmp.nr >= GATHER_MAX_SECTIONS) {
				ret = GATHER_ERR_SECTIONS;
				if (err)
					*err = xasprintf("transcript has more than %d sections",
							 GATHER_MAX_SECTIONS);
				goto out;
			}
			ALLOC_GROW(tmp.sections, tmp.nr + 1, tmp.alloc);
			struct gather_section *s = &tmp.sections[tmp.nr];
			s->name = xstrndup(rest, rl);
			s->status = -1;
			s->complete = 0;
			s->data = p;
			s->len = (size_t)(end - p);
			fr.cur = (long)tmp.nr++;
		} else if (gather_is_marker(&tmp, line, ll, "end", &rest, &rl)) {
			const char *sp = memchr(rest, ' ', rl);
			size_t nl = sp ? (size_t)(sp - rest) : rl;
			if (fr.skipping) {
				fr.skipping = 0;
				continue;
			}
			if (fr.cur < 0) {
				tmp.stray++;
				continue;
			}
			struct gather_section *s = &tmp.sections[fr.cur];
			if (strlen(s->name) != nl || memcmp(s->name, rest, nl)) {
				/* the end of another section: the open one never ended */
				tmp.stray++;
				close_open(&fr, start);
				continue;
			}
			close_open(&fr, start);
			s->complete = 1;
			s->status = sp ? parse_small(sp + 1, rl - nl - 1) : -1;
		} else if (gather_is_marker(&tmp, line, ll, "done", &rest, &rl)) {
			close_open(&fr, start);
			tmp.done = 1;
		} else if (fr.cur < 0 && !fr.skipping) {
			tmp.stray++;
		}
	}
	close_open(&fr, end);

	*g = tmp;
	gather_init(&tmp);
out:
	gather_release(&tmp);
	return ret;
}

const struct gather_section *gather_find(const struct gather *g, const char *name)
{
	for (size_t i = 0; i < g->nr; i++)
		if (!strcmp(g->sections[i].name, name))
			return &g->sections[i];
	return NULL;
}

int gather_complete(const struct gather *g)
{
	if (!g->done)
		return 0;
	for (size_t i = 0; i < g->nr; i++)
		if (!g->sections[i].complete)
			return 0;
	return 1;
}

/* The next file header at or after it->p: its start, and the path. */
static const char *find_header(struct gather_files *it, const char *from, const char **path,
			       size_t *path_len, const char **after)
{
	const char *p = from, *line;
	size_t ll;

	for (;;) {
		const char *start = p;
		if (!gather_next_line(&p, it->end, &line, &ll))
			return NULL;
		if (gather_is_marker(it->g, line, ll, "file", path, path_len)) {
			*after = p;
			return start;
		}
	}
}

void gather_files_init(struct gather_files *it, const struct gather *g,
		       const struct gather_section *s)
{
	const char *path, *after, *h;
	size_t pl;

	it->g = g;
	it->p = s ? s->data : NULL;
	it->end = s ? s->data + s->len : NULL;
	strbuf_init(&it->path);
	it->head = it->p;
	it->head_len = 0;
	if (!s)
		return;
	h = find_header(it, it->p, &path, &pl, &after);
	it->head_len = (size_t)((h ? h : it->end) - it->p);
	it->p = h ? h : it->end;
}

int gather_files_next(struct gather_files *it, struct gather_file *file)
{
	const char *path, *after, *h, *path2, *after2;
	size_t pl, pl2;

	if (!it->p || it->p >= it->end)
		return 0;
	h = find_header(it, it->p, &path, &pl, &after);
	if (!h) {
		it->p = it->end;
		return 0;
	}
	const char *next = find_header(it, after, &path2, &pl2, &after2);
	if (!next)
		next = it->end;
	strbuf_reset(&it->path);
	strbuf_add(&it->path, path, pl);
	file->path = it->path.buf;
	file->data = after;
	file->len = (size_t)(next - after);
	it->p = next;
	return 1;
}

void gather_files_release(struct gather_files *it)
{
	if (!it)
		return;
	strbuf_release(&it->path);
	it->p = it->end = NULL;
}
