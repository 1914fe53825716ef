#include "schema.h"

#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "vars.h"
#include "ytree.h"
#include "banned.h"

const char *param_kind_name(enum param_kind k)
{
	switch (k) {
	case PK_STRING: return "string";
	case PK_INT: return "integer";
	case PK_BOOL: return "boolean";
	case PK_DURATION: return "duration";
	case PK_ENUM: return "choice";
	case PK_REGEX: return "regex";
	case PK_STRING_LIST: return "list of strings";
	case PK_INT_LIST: return "list of integers";
	case PK_STRING_MAP: return "mapping of strings";
	}
	return "?";
}

void pval_release(struct pval *v)
{
	if (!v)
		return;
	free(v->s);
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		pval_release(&v->items[i]);
	}
	free(v->keys);
	free(v->key_pos);
	free(v->items);
	memset(v, 0, sizeof(*v));
}

void params_release(struct params *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		pval_release(&p->v[i].v);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const struct param *params_get(const struct params *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].spec->key, key))
			return &p->v[i];
	return NULL;
}

static int parse_ll(const char *s, long long *out)
{
	char *end;
	/* strtoll would also take leading blanks and '+': integers are digits */
	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

int parse_duration(const char *s, long long *out)
{
	long long total = 0;
	const char *p = s;

	if (!*s)
		return -1;
	if (!parse_ll(s, out))
		return *out < 0 ? -1 : 0;
	while (*p) {
		if (*p < '0' || *p > '9')
			return -1;
		long long v = 0;
		while (*p >= '0' && *p <= '9') {
			if (v > LLONG_MAX / 10 - 10)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		long long unit;
		switch (*p++) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (v > (LLONG_MAX - total) / unit)
			return -1;
		total += v * unit;
	}
	*out = total;
	return 0;
}

struct typer {
	const struct param_spec *spec;
	const char *owner;
	const struct vars *vars;
	struct diags *d;
};

/* The scalar's text with ${var} references substituted, or NULL on error. */
static char *expand(const struct typer *t, const struct ynode *n)
{
	struct strbuf sb = STRBUF_INIT;
	if (vars_expand(t->vars, n->str, n, &sb, t->d) < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}

/* "a string", "an integer", ... */
static const char *article(const char *noun)
{
	return strchr("aeiou", noun[0]) ? "an" : "a";
}

static int wrong_kind(const struct typer *t, const struct ynode *n)
{
	const char *kind = param_kind_name(t->spec->kind);
	diag_error(t->d, n->pos, "parameter '%s' of %s expects %s %s, found %s", t->spec->key,
		   t->owner, article(kind), kind, ynode_kind_name(n));
	return -1;
}

static int check_bounds(const struct typer *t, const struct ynode *n, const char *text, long long v)
{
	const struct param_spec *sp = t->spec;
	if (sp->min < sp->max && (v < sp->min || v > sp->max)) {
		if (sp->kind == PK_DURATION)
			diag_error(t->d, n->pos,
				   "parameter '%s' of %s must be between %lld and %lld seconds, found '%s' (%lld s)",
				   sp->key, t->owner, sp->min, sp->max, text, v);
		else
			diag_error(t->d, n->pos, "parameter '%s' of %s must be between %lld and %lld, found %lld",
				   sp->key, t->owner, sp->min, sp->max, v);
		return -1;
	}
	return 0;
}

static int type_int(const struct typer *t, const struct ynode *n, const char *text, struct pval *out)
{
	long long v;
	if (parse_ll(text, &v) < 0) {
		diag_error(t->d, n->pos, "parameter '%s' of %s expects an integer, found '%s'",
			   t->spec->key, t->owner, text);
		return -1;
	}
	if (check_bounds(t, n, text, v) < 0)
		return -1;
	out->kind = PV_INT;
	out->i = v;
	return 0;
}

/* Type one scalar according to the spec's (element) kind. */
static int type_scalar(const struct typer *t, const struct ynode *n, enum param_kind kind,
		       struct pval *out)
{
	int ret = -1;
	char *text = NULL;

	if (n->kind != YNODE_SCALAR || ynode_is_null(n)) {
		wrong_kind(t, n);
		goto out;
	}
	text = expand(t, n);
	if (!text)
		goto out;
	out->pos = n->pos;
	switch (kind) {
	case PK_STRING:
		out->kind = PV_STRING;
		break;
	case PK_INT:
	case PK_INT_LIST:
		if (type_int(t, n, text, out) < 0)
			goto out;
		break;
	case PK_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			diag_error(t->d, n->pos, "parameter '%s' of %s expects true or false, found '%s'",
				   t->spec->key, t->owner, text);
			goto out;
		}
		out->kind = PV_BOOL;
		out->i = !strcmp(text, "true");
		break;
	case PK_DURATION:
		if (parse_duration(text, &out->i) < 0) {
			diag_error(t->d, n->pos,
				   "parameter '%s' of %s expects a duration such as 30s, 5m or 1h, found '%s'",
				   t->spec->key, t->owner, text);
			goto out;
		}
		if (check_bounds(t, n, text, out->i) < 0)
			goto out;
		out->kind = PV_INT;
		break;
	case PK_ENUM: {
		const char *const *c = t->spec->choices;
		size_t i;
		for (i = 0; c[i]; i++)
			if (!strcmp(c[i], text))
				break;
		if (!c[i]) {
			struct strbuf sb = STRBUF_INIT;
			for (i = 0; c[i]; i++)
				strbuf_addf(&sb, "%s%s", i ? ", " : "", c[i]);
			diag_error(t->d, n->pos, "parameter '%s' of %s must be one of %s, found '%s'",
				   t->spec->key, t->owner, sb.buf, text);
			strbuf_release(&sb);
			goto out;
		}
		out->kind = PV_STRING;
		break;
	}
	case PK_REGEX: {
		regex_t re;
		int rc = regcomp(&re, text, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &re, msg, sizeof(msg));
			diag_error(t->d, n->pos, "parameter '%s' of %s is not a valid regular expression: %s",
				   t->spec->key, t->owner, msg);
			goto out;
		}
		regfree(&re);
		out->kind = PV_STRING;
		break;
	}
	default:
		wrong_kind(t, n);
		goto out;
	}
	out->s = text;
	text = NULL;
	ret = 0;
out:
	free(text);
	return ret;
}

static int type_value(const struct typer *t, const struct ynode *n, struct pval *out)
{
	int ret = 0;
	enum param_kind kind = t->spec->kind;

	memset(out, 0, sizeof(*out));
	out->pos = n->pos;
	if (kind != PK_STRING_LIST && kind != PK_INT_LIST && kind != PK_STRING_MAP)
		return type_scalar(t, n, kind, out);

	if ((kind == PK_STRING_MAP) != (n->kind == YNODE_MAP) ||
	    (kind != PK_STRING_MAP && n->kind != YNODE_SEQ))
		return wrong_kind(t, n);
	out->kind = kind == PK_STRING_MAP ? PV_MAP : PV_LIST;
	out->items = xcalloc(n->n ? n->n : 1, sizeof(*out->items));
	if (kind == PK_STRING_MAP) {
		out->keys = xcalloc(n->n ? n->n : 1, sizeof(*out->keys));
		out->key_pos = xcalloc(n->n ? n->n : 1, sizeof(*out->key_pos));
	}
	for (size_t i = 0; i < n->n; i++) {
		enum param_kind ek = kind == PK_INT_LIST ? PK_INT_LIST : PK_STRING;
		const struct ynode *item = n->vals[i];
		if (item->kind != YNODE_SCALAR || ynode_is_null(item)) {
			diag_error(t->d, item->pos, "parameter '%s' of %s expects %s %s, found %s in it",
				   t->spec->key, t->owner, article(param_kind_name(kind)),
				   param_kind_name(kind), ynode_kind_name(item));
			ret = -1;
			continue;
		}
		if (type_scalar(t, item, ek, &out->items[out->n]) < 0) {
			ret = -1;
			continue;
		}
		if (kind == PK_STRING_MAP) {
			out->keys[out->n] = xstrdup(n->keys[i]->str);
			out->key_pos[out->n] = n->keys[i]->pos;
		}
		out->n++;
	}
	if (ret < 0)
		pval_release(out);
	return ret;
}

static int type_default(const struct typer *t, struct pval *out)
{
	/* defaults are written by us in the type tables: parse them the same way */
	struct diags tmp;
	struct ydoc *doc = NULL;
	int ret = -1;

	diags_init(&tmp);
	if (ytree_parse("<default>", t->spec->def, strlen(t->spec->def), &doc, &tmp) < 0 ||
	    !doc->root)
		goto out;
	struct typer dt = *t;
	dt.d = &tmp;
	ret = type_value(&dt, doc->root, out);
	if (!ret)
		out->pos = (struct srcpos){ NULL, 0, 0 };
out:
	if (ret < 0)
		diag_error(t->d, (struct srcpos){ NULL, 0, 0 },
			   "internal: bad default '%s' for parameter '%s' of %s", t->spec->def,
			   t->spec->key, t->owner);
	ydoc_free(doc);
	diags_release(&tmp);
	return ret;
}

int params_from_yaml(const struct param_spec *specs, const struct ynode *with,
		     struct srcpos at, const struct vars *vars, const char *owner, struct params *out,
		     struct diags *d)
{
	size_t errors = d->errors;
	size_t nspecs = 0;
	struct params res = { NULL, 0 };

	while (specs[nspecs].key)
		nspecs++;
	if (with && ynode_is_null(with))
		with = NULL;
	if (with && with->kind != YNODE_MAP) {
		diag_error(d, with->pos, "'with' of %s must be a mapping, found %s", owner,
			   ynode_kind_name(with));
		return -1;
	}
	/* unknown keys first, in file order */
	if (with) {
		const char **names = xcalloc(nspecs + 1, sizeof(*names));
		for (size_t i = 0; i < nspecs; i++)
			names[i] = specs[i].key;
		for (size_t i = 0; i < with->n; i++) {
			const char *k = with->keys[i]->str;
			size_t j;
			for (j = 0; j < nspecs; j++)
				if (!strcmp(specs[j].key, k))
					break;
			if (j < nspecs)
				continue;
			const char *hint = str_suggest(k, names);
			if (hint)
				diag_error(d, with->keys[i]->pos,
					   "unknown parameter '%s' for %s (did you mean '%s'?)", k, owner, hint);
			else
				diag_error(d, with->keys[i]->pos, "unknown parameter '%s' for %s", k, owner);
		}
		free(names);
	}
	res.v = xcalloc(nspecs ? nspecs : 1, sizeof(*res.v));
	for (size_t i = 0; i < nspecs; i++) {
		struct typer t = { &specs[i], owner, vars, d };
		const struct ynode *n = with ? ynode_map_get(with, specs[i].key) : NULL;
		struct param *p = &res.v[res.n];
		p->spec = &specs[i];
		if (n && !ynode_is_null(n)) {
			if (type_value(&t, n, &p->v) == 0)
				res.n++;
			continue;
		}
		if (specs[i].required) {
			diag_error(d, n ? n->pos : with ? with->pos : at, "missing required parameter '%s' for %s",
				   specs[i].key, owner);
			continue;
		}
		if (specs[i].def && type_default(&t, &p->v) == 0) {
			p->is_default = 1;
			res.n++;
		}
	}
	if (d->errors > errors) {
		params_release(&res);
		return -1;
	}
	*out = res;
	return 0;
}
