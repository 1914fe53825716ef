#include "diag.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

void diags_init(struct diags *d)
{
	memset(d, 0, sizeof(*d));
}

void diags_release(struct diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	diags_init(d);
}

static void diag_vadd(struct diags *d, enum diag_level level, struct srcpos pos,
		      const char *fmt, va_list ap)
{
	ALLOC_GROW(d->v, d->n + 1, d->cap);
	struct diag *dg = &d->v[d->n++];
	dg->level = level;
	dg->file = pos.file ? xstrdup(pos.file) : NULL;
	dg->line = pos.line;
	dg->col = pos.col;
	/* messages quote what files contain: never pass control characters on */
	char *raw = xvasprintf(fmt, ap);
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	free(raw);
	dg->msg = strbuf_detach(&sb);
	if (level == DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void diag_error(struct diags *d, struct srcpos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, DIAG_ERROR, pos, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diags *d, struct srcpos pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_vadd(d, DIAG_WARNING, pos, fmt, ap);
	va_end(ap);
}

struct diag_key {
	struct diag dg;
	size_t file_rank;
	size_t seq;
};

static int diag_key_cmp(const void *pa, const void *pb)
{
	const struct diag_key *a = pa, *b = pb;
	if (a->file_rank != b->file_rank)
		return a->file_rank < b->file_rank ? -1 : 1;
	if (a->dg.line != b->dg.line)
		return a->dg.line < b->dg.line ? -1 : 1;
	if (a->dg.col != b->dg.col)
		return a->dg.col < b->dg.col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diags_sort(struct diags *d)
{
	if (d->n < 2)
		return;
	struct diag_key *k = xcalloc(d->n, sizeof(*k));
	for (size_t i = 0; i < d->n; i++) {
		k[i].dg = d->v[i];
		k[i].seq = i;
		k[i].file_rank = i;
		for (size_t j = 0; j < i; j++) {
			const char *a = d->v[i].file ? d->v[i].file : "";
			const char *b = d->v[j].file ? d->v[j].file : "";
			if (!strcmp(a, b)) {
				k[i].file_rank = k[j].file_rank;
				break;
			}
		}
	}
	qsort(k, d->n, sizeof(*k), diag_key_cmp);
	for (size_t i = 0; i < d->n; i++)
		d->v[i] = k[i].dg;
	free(k);
}

char *diag_format(const struct diag *dg)
{
	struct strbuf sb = STRBUF_INIT;
	if (dg->file) {
		strbuf_addstr(&sb, dg->file);
		if (dg->line > 0)
			strbuf_addf(&sb, ":%d:%d", dg->line, dg->col > 0 ? dg->col : 1);
		strbuf_addstr(&sb, ": ");
	}
	strbuf_addstr(&sb, dg->level == DIAG_ERROR ? "error: " : "warning: ");
	strbuf_addstr(&sb, dg->msg);
	return strbuf_detach(&sb);
}
