#include "ytree.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "strbuf.h"
#include "banned.h"

struct anchor {
	char *name;
	struct ynode *node;
};

/* a power of two well above YTREE_MAX_ANCHORS keeps probe chains short */
#define ANCHOR_SLOTS 32768u

/* A key that is not a string: its pair is dropped once reported. */
static struct ynode skip_key;

/* Lines whose indentation contains a tab, and the column of that tab. */
struct tabmark {
	int line;
	int col;
	int in_block; /* the line lies inside a block scalar */
};

struct builder {
	struct ydoc *doc;
	struct diags *d;
	struct ynode **stack;
	size_t depth, cap;
	/* each open node's pending key (mappings) */
	struct ynode **pending;
	size_t pcap;
	struct anchor *anchors; /* ANCHOR_SLOTS entries, allocated on first use */
	size_t nanchors;
	/* the source, for the exact position of characters inside scalars */
	const char *data;
	size_t len;
	size_t *line_start; /* byte offset of each line (0-based index) */
	size_t nlines;
	size_t cur_char, cur_byte; /* see byte_at() */
	size_t bom;                /* length of a UTF-8 byte-order mark at the start */
	/* anchors of open collections, registered when they end */
	char **open_anchor;
	size_t oacap;
	int failed;
	int docs;
};

static struct srcpos pos_of(const struct builder *b, yaml_mark_t m)
{
	struct srcpos p = { b->doc->file, (int)m.line + 1, (int)m.column + 1 };
	return p;
}

static struct ynode *node_new(struct builder *b, enum ynode_kind kind, yaml_mark_t m)
{
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->pos = pos_of(b, m);
	n->weight = 1;
	ALLOC_GROW(b->doc->all, b->doc->nall + 1, b->doc->capall);
	b->doc->all[b->doc->nall++] = n;
	return n;
}

static void node_free(struct ynode *n)
{
	free(n->str);
	free(n->src);
	free(n->keys);
	free(n->vals);
	free(n);
}

void ydoc_free(struct ydoc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->nall; i++)
		node_free(doc->all[i]);
	free(doc->all);
	free(doc->file);
	free(doc);
}

const char *ynode_kind_name(const struct ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case YNODE_SCALAR:
		return ynode_is_null(n) ? "null" : "a string";
	case YNODE_SEQ:
		return "a list";
	case YNODE_MAP:
		return "a mapping";
	}
	return "?";
}

int ynode_is_null(const struct ynode *n)
{
	if (n->kind != YNODE_SCALAR || n->style != YSTYLE_PLAIN || n->str_tag)
		return 0;
	return !strcmp(n->str, "") || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
	       !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
}

struct ynode *ynode_map_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i]->str, key))
			return map->vals[i];
	return NULL;
}

/* Length of the UTF-8 sequence that starts with byte c (1 for stray bytes). */
static size_t utf8_len(unsigned char c)
{
	return c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
}

static size_t utf8_chars(const char *s, size_t n)
{
	size_t chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	return chars;
}

static unsigned long hex_value(const char *s, size_t n)
{
	unsigned long v = 0;
	for (size_t i = 0; i < n && s[i]; i++) {
		char c = s[i];
		v = v * 16 + (unsigned long)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return v;
}

/* Bytes of the value that one escape or character of quoted source yields; *units: source bytes. */
static size_t decoded_unit(const char *src, char quote, size_t *units)
{
	unsigned char c = (unsigned char)src[0];
	if (quote == '\'' && c == '\'' && src[1] == '\'') {
		*units = 2;
		return 1;
	}
	if (quote != '"' || c != '\\' || !src[1]) {
		*units = utf8_len(c);
		return *units;
	}
	size_t hex = 0;
	switch (src[1]) {
	case 'x': hex = 2; break;
	case 'u': hex = 4; break;
	case 'U': hex = 8; break;
	case 'N': case '_': *units = 2; return 2;
	case 'L': case 'P': *units = 2; return 3;
	default: *units = 2; return 1;
	}
	unsigned long cp = hex_value(src + 2, hex);
	*units = 2 + hex;
	return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

struct srcpos ynode_pos_at(const struct ynode *n, size_t off)
{
	struct srcpos p = n->pos;
	if (n->kind != YNODE_SCALAR || !n->src || off > n->len)
		return p;
	if (!n->quote) {
		p.col = n->src_col + (int)utf8_chars(n->str, off);
		return p;
	}
	size_t dec = 0, i = 0, chars = 0, units;
	while (dec < off && n->src[i]) {
		dec += decoded_unit(n->src + i, n->quote, &units);
		chars += utf8_chars(n->src + i, units);
		i += units;
	}
	p.col = n->src_col + (int)chars;
	return p;
}

const char *ytree_lib_version(void)
{
	return yaml_get_version_string();
}

static size_t weight_add(size_t a, size_t b)
{
	return a > YTREE_MAX_WEIGHT || b > YTREE_MAX_WEIGHT ? YTREE_MAX_WEIGHT + 1 : a + b;
}

static void coll_push(struct ynode *parent, struct ynode *key, struct ynode *val)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		parent->vals = xrealloc(parent->vals, cap * sizeof(*parent->vals));
		if (parent->kind == YNODE_MAP)
			parent->keys = xrealloc(parent->keys, cap * sizeof(*parent->keys));
		parent->cap = cap;
	}
	if (parent->kind == YNODE_MAP)
		parent->keys[parent->n] = key;
	parent->vals[parent->n++] = val;
	parent->weight = weight_add(parent->weight, val->weight);
}

static unsigned long anchor_hash(const char *name)
{
	unsigned long h = 2166136261u;
	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 16777619u;
	return h;
}

/* Open addressing over ANCHOR_SLOTS; a redefined anchor replaces the old one. */
static struct anchor *anchor_slot(struct builder *b, const char *name)
{
	if (!b->anchors)
		b->anchors = xcalloc(ANCHOR_SLOTS, sizeof(*b->anchors));
	for (unsigned long i = anchor_hash(name) % ANCHOR_SLOTS;; i = (i + 1) % ANCHOR_SLOTS)
		if (!b->anchors[i].name || !strcmp(b->anchors[i].name, name))
			return &b->anchors[i];
}

static struct ynode *find_anchor(struct builder *b, const char *name)
{
	return anchor_slot(b, name)->node;
}

static void add_anchor(struct builder *b, char *name, struct ynode *node)
{
	struct anchor *a = anchor_slot(b, name);
	if (a->name) {
		free(name);
		a->node = node;
		return;
	}
	if (b->nanchors >= YTREE_MAX_ANCHORS) {
		diag_error(b->d, node->pos, "too many anchors (more than %d)", YTREE_MAX_ANCHORS);
		b->failed = 1;
		free(name);
		return;
	}
	a->name = name;
	a->node = node;
	b->nanchors++;
}

static int is_merge_key(const struct ynode *k)
{
	return k->kind == YNODE_SCALAR && k->style == YSTYLE_PLAIN && !strcmp(k->str, "<<");
}

/* Apply YAML merge keys: explicit keys win over merged ones. */
static void apply_merges(struct builder *b, struct ynode *map)
{
	size_t n = map->n, w = 0;
	struct ynode **mk = map->keys, **mv = map->vals;
	struct ynode **srcs = NULL;
	size_t nsrc = 0, csrc = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_merge_key(mk[i])) {
			mk[w] = mk[i];
			mv[w] = mv[i];
			w++;
			continue;
		}
		struct ynode *v = mv[i];
		if (v->kind == YNODE_MAP) {
			ALLOC_GROW(srcs, nsrc + 1, csrc);
			srcs[nsrc++] = v;
		} else if (v->kind == YNODE_SEQ) {
			for (size_t j = 0; j < v->n; j++) {
				if (v->vals[j]->kind != YNODE_MAP) {
					diag_error(b->d, v->vals[j]->pos,
						   "merge key '<<' needs mappings, found %s",
						   ynode_kind_name(v->vals[j]));
					continue;
				}
				ALLOC_GROW(srcs, nsrc + 1, csrc);
				srcs[nsrc++] = v->vals[j];
			}
		} else {
			diag_error(b->d, v->pos, "merge key '<<' needs a mapping or a list of mappings, found %s",
				   ynode_kind_name(v));
		}
	}
	map->n = w;
	for (size_t s = 0; s < nsrc; s++) {
		for (size_t j = 0; j < srcs[s]->n; j++) {
			if (ynode_map_get(map, srcs[s]->keys[j]->str))
				continue;
			coll_push(map, srcs[s]->keys[j], srcs[s]->vals[j]);
		}
	}
	free(srcs);
}

/* Attach a finished node to the open collection, or make it the root. */
static void attach(struct builder *b, struct ynode *node)
{
	if (b->depth == 0) {
		b->doc->root = node;
		return;
	}
	struct ynode *parent = b->stack[b->depth - 1];
	if (parent->kind == YNODE_SEQ) {
		coll_push(parent, NULL, node);
		return;
	}
	struct ynode *key = b->pending[b->depth - 1];
	if (!key) {
		if (node->kind != YNODE_SCALAR) {
			diag_error(b->d, node->pos, "mapping keys must be strings, found %s",
				   ynode_kind_name(node));
			node = &skip_key;
		} else if (!is_merge_key(node)) {
			for (size_t i = 0; i < parent->n; i++) {
				if (!strcmp(parent->keys[i]->str, node->str)) {
					diag_error(b->d, node->pos,
						   "duplicate key '%s' (first defined at line %d, column %d)",
						   node->str, parent->keys[i]->pos.line,
						   parent->keys[i]->pos.col);
					break;
				}
			}
		}
		b->pending[b->depth - 1] = node;
		return;
	}
	b->pending[b->depth - 1] = NULL;
	if (key != &skip_key)
		coll_push(parent, key, node);
}

static void open_coll(struct builder *b, struct ynode *node, const yaml_char_t *anchor)
{
	if (b->depth >= YTREE_MAX_DEPTH) {
		diag_error(b->d, node->pos, "nesting deeper than %d levels", YTREE_MAX_DEPTH);
		b->failed = 1;
		return;
	}
	ALLOC_GROW(b->stack, b->depth + 1, b->cap);
	ALLOC_GROW(b->pending, b->depth + 1, b->pcap);
	ALLOC_GROW(b->open_anchor, b->depth + 1, b->oacap);
	node->depth = (int)b->depth;
	b->stack[b->depth] = node;
	b->pending[b->depth] = NULL;
	b->open_anchor[b->depth] = anchor ? xstrdup((const char *)anchor) : NULL;
	b->depth++;
}

static void close_coll(struct builder *b)
{
	struct ynode *node = b->stack[--b->depth];
	char *anchor = b->open_anchor[b->depth];
	if (node->kind == YNODE_MAP)
		apply_merges(b, node);
	attach(b, node);
	/* registered only now, so an alias can never point into its own anchor */
	if (anchor)
		add_anchor(b, anchor, node);
}

static void scan_tabs(const char *data, size_t len, struct tabmark **out, size_t *nout)
{
	struct tabmark *v = NULL;
	size_t n = 0, cap = 0;
	int line = 1;
	size_t i = 0;

	while (i < len) {
		size_t start = i;
		int tabcol = 0;
		while (i < len && (data[i] == ' ' || data[i] == '\t')) {
			if (data[i] == '\t' && !tabcol)
				tabcol = (int)(i - start) + 1;
			i++;
		}
		int content = i < len && data[i] != '\n' && data[i] != '\r' && data[i] != '#';
		if (tabcol && content) {
			ALLOC_GROW(v, n + 1, cap);
			v[n].line = line;
			v[n].col = tabcol;
			v[n].in_block = 0;
			n++;
		}
		while (i < len && data[i] != '\n')
			i++;
		if (i < len)
			i++;
		line++;
	}
	*out = v;
	*nout = n;
}

static void mark_block(struct tabmark *tabs, size_t ntabs, yaml_mark_t start, yaml_mark_t end)
{
	for (size_t i = 0; i < ntabs; i++)
		if (tabs[i].line > (int)start.line + 1 && tabs[i].line <= (int)end.line + 1)
			tabs[i].in_block = 1;
}

static void report_tab(struct builder *b, const struct tabmark *t)
{
	struct srcpos p = { b->doc->file, t->line, t->col };
	diag_error(b->d, p, "tab character in indentation (YAML indents with spaces only)");
}

static void report_parser_error(struct builder *b, yaml_parser_t *p, struct tabmark *tabs,
				size_t ntabs)
{
	yaml_mark_t m = p->problem_mark;
	/* libyaml's message for a tab in indentation is obscure: say what it is */
	for (size_t i = 0; i < ntabs; i++) {
		if (tabs[i].line == (int)m.line + 1 ||
		    (p->context && tabs[i].line == (int)p->context_mark.line + 1)) {
			report_tab(b, &tabs[i]);
			tabs[i].in_block = 1; /* reported */
			return;
		}
	}
	struct srcpos pos = pos_of(b, m);
	if (p->error == YAML_READER_ERROR) {
		/* libyaml gives a byte offset: find its line and column */
		size_t off = p->problem_offset < b->len ? p->problem_offset : b->len;
		size_t line = 0;
		while (line + 1 < b->nlines && b->line_start[line + 1] <= off)
			line++;
		pos.line = (int)line + 1;
		pos.col = (int)utf8_chars(b->data + b->line_start[line], off - b->line_start[line]) + 1;
		diag_error(b->d, pos, "yaml: %s (byte %zu)", p->problem ? p->problem : "cannot read input",
			   p->problem_offset);
		return;
	}
	if (p->context)
		diag_error(b->d, pos, "yaml: %s %s", p->problem ? p->problem : "syntax error", p->context);
	else
		diag_error(b->d, pos, "yaml: %s", p->problem ? p->problem : "syntax error");
}

/*
 * Byte offset of character index ci in the source. Events arrive in source
 * order, so a cursor that only moves forward keeps this linear overall.
 */
static size_t byte_at(struct builder *b, size_t ci)
{
	if (ci < b->cur_char || b->cur_byte < b->bom) {
		/* libyaml's character index does not count a byte-order mark */
		b->cur_char = 0;
		b->cur_byte = b->bom;
	}
	while (b->cur_char < ci && b->cur_byte < b->len) {
		b->cur_byte += utf8_len((unsigned char)b->data[b->cur_byte]);
		b->cur_char++;
	}
	return b->cur_byte < b->len ? b->cur_byte : b->len;
}

/*
 * Remember the source of a single-line scalar and move its position from
 * any anchor or tag in front of it to its first character (or opening quote).
 */
static void scalar_source(struct builder *b, struct ynode *n, const yaml_event_t *ev)
{
	yaml_mark_t sm = ev->start_mark, em = ev->end_mark;
	if (sm.line != em.line || n->style == YSTYLE_BLOCK)
		return;
	const char *sp = b->data + byte_at(b, sm.index);
	const char *ep = b->data + byte_at(b, em.index);
	if (ep < sp)
		return;
	if (n->style == YSTYLE_PLAIN) {
		if ((size_t)(ep - sp) < n->len || memcmp(ep - n->len, n->str, n->len))
			return;
		n->src = xstrndup(ep - n->len, n->len);
		n->src_col = (int)em.column - (int)utf8_chars(n->str, n->len) + 1;
		n->pos.col = n->src_col;
		return;
	}
	char q = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ? '\'' : '"';
	const char *open = memchr(sp, q, (size_t)(ep - sp));
	if (!open || ep - open < 2 || ep[-1] != q)
		return;
	n->quote = q;
	n->src = xstrndup(open + 1, (size_t)(ep - 1 - (open + 1)));
	n->pos.col = (int)sm.column + (int)utf8_chars(sp, (size_t)(open - sp)) + 1;
	n->src_col = n->pos.col + 1;
}

static int handle_event(struct builder *b, yaml_event_t *ev, struct tabmark *tabs, size_t ntabs)
{
	struct ynode *node;

	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++b->docs == 2) {
			diag_error(b->d, pos_of(b, ev->start_mark),
				   "more than one YAML document in the file");
			b->failed = 1;
			return -1;
		}
		break;
	case YAML_SCALAR_EVENT: {
		node = node_new(b, YNODE_SCALAR, ev->start_mark);
		const char *v = (const char *)ev->data.scalar.value;
		size_t len = ev->data.scalar.length;
		if (memchr(v, '\0', len)) {
			diag_error(b->d, node->pos, "NUL character in a string");
			len = strlen(v);
		}
		node->str = xstrndup(v, len);
		node->len = len;
		/* continuation lines of a multi-line scalar may hold tabs as content */
		mark_block(tabs, ntabs, ev->start_mark, ev->end_mark);
		switch (ev->data.scalar.style) {
		case YAML_SINGLE_QUOTED_SCALAR_STYLE:
		case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
			node->style = YSTYLE_QUOTED;
			break;
		case YAML_LITERAL_SCALAR_STYLE:
		case YAML_FOLDED_SCALAR_STYLE:
			node->style = YSTYLE_BLOCK;
			break;
		default:
			node->style = YSTYLE_PLAIN;
		}
		/* an explicit tag such as !!str makes a plain scalar a string */
		if (ev->data.scalar.tag && node->style == YSTYLE_PLAIN &&
		    !strcmp((const char *)ev->data.scalar.tag, YAML_STR_TAG))
			node->str_tag = 1;
		scalar_source(b, node, ev);
		attach(b, node);
		if (ev->data.scalar.anchor)
			add_anchor(b, xstrdup((const char *)ev->data.scalar.anchor), node);
		break;
	}
	case YAML_SEQUENCE_START_EVENT:
		node = node_new(b, YNODE_SEQ, ev->start_mark);
		open_coll(b, node, ev->data.sequence_start.anchor);
		break;
	case YAML_MAPPING_START_EVENT:
		node = node_new(b, YNODE_MAP, ev->start_mark);
		open_coll(b, node, ev->data.mapping_start.anchor);
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		close_coll(b);
		break;
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		struct ynode *target = find_anchor(b, name);
		if (!target) {
			diag_error(b->d, pos_of(b, ev->start_mark), "undefined alias '*%s'", name);
			/* keep going with a null in its place */
			node = node_new(b, YNODE_SCALAR, ev->start_mark);
			node->str = xstrdup("");
			attach(b, node);
			break;
		}
		attach(b, target);
		break;
	}
	default:
		break;
	}
	if (b->failed)
		return -1;
	if (b->depth && b->stack[b->depth - 1]->weight > YTREE_MAX_WEIGHT) {
		diag_error(b->d, b->stack[b->depth - 1]->pos,
			   "aliases expand to more than %d nodes", YTREE_MAX_WEIGHT);
		b->failed = 1;
		return -1;
	}
	return 0;
}

int ytree_parse(const char *file, const char *data, size_t len, struct ydoc **out,
		struct diags *d)
{
	int ret = 0;
	yaml_parser_t parser;
	struct builder b;
	struct tabmark *tabs = NULL;
	size_t ntabs = 0;
	int done = 0;

	memset(&b, 0, sizeof(b));
	b.doc = xcalloc(1, sizeof(*b.doc));
	b.doc->file = xstrdup(file);
	b.d = d;
	*out = NULL;

	scan_tabs(data, len, &tabs, &ntabs);
	b.data = data;
	b.len = len;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		b.bom = 3;
	{
		size_t cap = 0;
		ALLOC_GROW(b.line_start, 1, cap);
		b.line_start[b.nlines++] = 0;
		for (size_t i = 0; i < len; i++)
			if (data[i] == '\n') {
				ALLOC_GROW(b.line_start, b.nlines + 1, cap);
				b.line_start[b.nlines++] = i + 1;
			}
	}
	if (!yaml_parser_initialize(&parser)) {
		diag_error(d, (struct srcpos){ b.doc->file, 0, 0 }, "yaml: cannot initialise parser");
		ret = -1;
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(&b, &parser, tabs, ntabs);
			b.failed = 1;
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		int r = handle_event(&b, &ev, tabs, ntabs);
		yaml_event_delete(&ev);
		if (r < 0)
			break;
	}
	yaml_parser_delete(&parser);
	if (!b.failed)
		for (size_t i = 0; i < ntabs; i++)
			if (!tabs[i].in_block)
				report_tab(&b, &tabs[i]);
	/* after a syntax error the tree is incomplete; other errors keep it */
	if (b.failed) {
		ret = -1;
		goto out;
	}
	*out = b.doc;
	b.doc = NULL;
out:
	for (size_t i = 0; b.anchors && i < ANCHOR_SLOTS; i++)
		free(b.anchors[i].name);
	free(b.line_start);
	for (size_t i = 0; i < b.depth; i++)
		free(b.open_anchor[i]);
	free(b.anchors);
	free(b.open_anchor);
	free(b.stack);
	free(b.pending);
	free(tabs);
	ydoc_free(b.doc);
	return ret;
}
