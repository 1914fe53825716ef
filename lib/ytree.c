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
	struct anchor *anchors;
	size_t nanchors, canchors;
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
	if (n->kind != YNODE_SCALAR || n->style != YSTYLE_PLAIN)
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

struct srcpos ynode_pos_at(const struct ynode *n, size_t off)
{
	struct srcpos p = n->pos;
	if (n->kind != YNODE_SCALAR || memchr(n->str, '\n', n->len) || off > n->len)
		return p;
	if (n->style == YSTYLE_PLAIN)
		p.col += (int)off;
	else if (n->style == YSTYLE_QUOTED && !memchr(n->str, '\\', n->len) &&
		 !memchr(n->str, '\'', n->len))
		p.col += (int)off + 1;
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

static struct ynode *find_anchor(struct builder *b, const char *name)
{
	for (size_t i = b->nanchors; i-- > 0;)
		if (!strcmp(b->anchors[i].name, name))
			return b->anchors[i].node;
	return NULL;
}

static void add_anchor(struct builder *b, char *name, struct ynode *node)
{
	if (b->nanchors >= YTREE_MAX_ANCHORS) {
		diag_error(b->d, node->pos, "too many anchors (more than %d)", YTREE_MAX_ANCHORS);
		b->failed = 1;
		free(name);
		return;
	}
	ALLOC_GROW(b->anchors, b->nanchors + 1, b->canchors);
	b->anchors[b->nanchors].name = name;
	b->anchors[b->nanchors].node = node;
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
			/* keep the pairing: use a placeholder key */
			struct ynode *ph = xcalloc(1, sizeof(*ph));
			ph->kind = YNODE_SCALAR;
			ph->pos = node->pos;
			ph->str = xstrdup("?");
			ph->weight = 1;
			ALLOC_GROW(b->doc->all, b->doc->nall + 1, b->doc->capall);
			b->doc->all[b->doc->nall++] = ph;
			node = ph;
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
		pos.line = 0;
		diag_error(b->d, pos, "yaml: %s at byte %zu", p->problem ? p->problem : "cannot read input",
			   p->problem_offset);
		return;
	}
	if (p->context)
		diag_error(b->d, pos, "yaml: %s %s", p->problem ? p->problem : "syntax error", p->context);
	else
		diag_error(b->d, pos, "yaml: %s", p->problem ? p->problem : "syntax error");
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
			node->style = YSTYLE_QUOTED;
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
	for (size_t i = 0; i < b.nanchors; i++)
		free(b.anchors[i].name);
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
