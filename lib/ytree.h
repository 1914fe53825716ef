/*
 * A YAML document as a tree of positioned nodes. This module is the only
 * user of libyaml: it turns libyaml events into nodes that remember their
 * file:line:col, resolves anchors, aliases and merge keys itself, and reports
 * what libyaml lets through (duplicate keys, tabs in indentation, undefined
 * aliases, several documents) as diagnostics.
 */
#ifndef SR_YTREE_H
#define SR_YTREE_H

#include <stddef.h>

#include "diag.h"

enum ynode_kind { YNODE_SCALAR, YNODE_SEQ, YNODE_MAP };

enum ynode_style {
	YSTYLE_PLAIN,
	YSTYLE_QUOTED, /* single or double quoted */
	YSTYLE_BLOCK,  /* literal | or folded > */
};

struct ynode {
	enum ynode_kind kind;
	enum ynode_style style;
	struct srcpos pos;
	char *str; /* scalars: the value, NUL-terminated */
	size_t len;
	/* sequences: items in vals; mappings: keys[i] -> vals[i] */
	size_t n, cap;
	struct ynode **keys;
	struct ynode **vals;
	size_t weight; /* nodes reachable through aliases, saturating */
	int depth;
	int str_tag;   /* a plain scalar tagged !!str: a string, never null */
	/*
	 * Single-line scalars keep their source text (between the quotes for
	 * quoted ones) so that a position inside the value maps to its column.
	 */
	char *src;
	char quote; /* 0 (plain), '\'' or '"' */
	int src_col; /* column of src's first character */
};

struct ydoc {
	char *file;
	struct ynode *root; /* NULL for an empty document */
	struct ynode **all; /* every node, for freeing */
	size_t nall, capall;
};

/* Limits that keep hostile input cheap. */
#define YTREE_MAX_DEPTH 64
#define YTREE_MAX_WEIGHT 200000
#define YTREE_MAX_ANCHORS 10000

/*
 * Parse data (len bytes) read from file. Problems are added to d. Returns 0 and
 * a document (whose root may be NULL when empty) unless the YAML could not be
 * parsed at all; errors that leave a usable tree (duplicate keys, undefined
 * aliases, tabs libyaml accepted) are reported in d and the tree is returned,
 * so that later checks still find every other problem.
 */
int ytree_parse(const char *file, const char *data, size_t len, struct ydoc **out,
		struct diags *d);
void ydoc_free(struct ydoc *doc);

/* "a string", "a list", "a mapping" */
const char *ynode_kind_name(const struct ynode *n);
/* A plain scalar that YAML reads as null: empty, ~, null. */
int ynode_is_null(const struct ynode *n);
struct ynode *ynode_map_get(const struct ynode *map, const char *key);
/*
 * The position of byte off of a scalar's value: exact for single-line plain
 * and quoted scalars (escapes included), the scalar's own position for
 * multi-line and block scalars.
 */
struct srcpos ynode_pos_at(const struct ynode *n, size_t off);

const char *ytree_lib_version(void);

#endif
