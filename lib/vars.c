#include "vars.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "ytree.h"
#include "banned.h"

void vars_init(struct vars *vs)
{
	memset(vs, 0, sizeof(*vs));
}

void vars_release(struct vars *vs)
{
	if (!vs)
		return;
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
		free(vs->v[i].origin);
	}
	free(vs->v);
	vars_init(vs);
}

const struct var *vars_get(const struct vars *vs, const char *name)
{
	for (size_t i = 0; i < vs->n; i++)
		if (!strcmp(vs->v[i].name, name))
			return &vs->v[i];
	return NULL;
}

void vars_set(struct vars *vs, const char *name, const char *value, struct srcpos pos,
	      const char *origin)
{
	struct var *v = (struct var *)vars_get(vs, name);
	if (v) {
		free(v->value);
		free(v->origin);
	} else {
		ALLOC_GROW(vs->v, vs->n + 1, vs->cap);
		v = &vs->v[vs->n++];
		v->name = xstrdup(name);
	}
	v->value = xstrdup(value);
	v->pos = pos;
	v->origin = xstrdup(origin);
}

static int is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

int vars_valid_name(const char *name)
{
	if (!is_name_start(*name))
		return 0;
	for (name++; *name; name++)
		if (!is_name_char(*name))
			return 0;
	return 1;
}

int vars_expand(const struct vars *vs, const char *s, const struct ynode *node,
		struct strbuf *out, struct diags *d)
{
	int ret = 0;
	const char *p = s;

	while (*p) {
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			strbuf_addstr(out, "${");
			p += 3;
			continue;
		}
		if (p[0] != '$' || p[1] != '{') {
			strbuf_addch(out, *p++);
			continue;
		}
		const char *start = p + 2;
		const char *end = strchr(start, '}');
		size_t off = (size_t)(p - s);
		if (!end) {
			diag_error(d, ynode_pos_at(node, off), "unterminated '${' (write '$${' for a literal)");
			ret = -1;
			break;
		}
		char *name = xstrndup(start, (size_t)(end - start));
		const struct var *v = vars_valid_name(name) ? vars_get(vs, name) : NULL;
		if (!vars_valid_name(name)) {
			diag_error(d, ynode_pos_at(node, off), "invalid variable reference '${%s}'", name);
			ret = -1;
		} else if (!v) {
			const char **cands = xcalloc(vs->n + 1, sizeof(*cands));
			for (size_t i = 0; i < vs->n; i++)
				cands[i] = vs->v[i].name;
			const char *hint = str_suggest(name, cands);
			if (hint)
				diag_error(d, ynode_pos_at(node, off),
					   "undefined variable '%s' (did you mean '%s'?)", name, hint);
			else
				diag_error(d, ynode_pos_at(node, off), "undefined variable '%s'", name);
			free(cands);
			ret = -1;
		} else {
			strbuf_addstr(out, v->value);
		}
		free(name);
		p = end + 1;
	}
	return ret;
}
