#include "cond.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

enum tok_kind { T_END, T_NAME, T_STR, T_EQ, T_NE, T_LP, T_RP, T_LB, T_RB, T_COMMA,
		T_AND, T_OR, T_NOT, T_IN, T_ERR };

struct lexer {
	const char *src;
	size_t pos;
	enum tok_kind kind;
	size_t off;   /* start of the current token */
	char *text;   /* T_NAME, T_STR */
	char *err;
	size_t err_off;
	int depth;
};

static int is_ident(char c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && ((c >= '0' && c <= '9') || c == '.' || c == '-'));
}

static void SR_PRINTF(3, 4) set_err(struct lexer *lx, size_t off, const char *fmt, ...)
{
	va_list ap;
	if (lx->err)
		return;
	va_start(ap, fmt);
	lx->err = xvasprintf(fmt, ap);
	va_end(ap);
	lx->err_off = off;
}

static void next(struct lexer *lx)
{
	const char *s = lx->src;
	size_t p = lx->pos;

	free(lx->text);
	lx->text = NULL;
	while (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r')
		p++;
	lx->off = p;
	char c = s[p];
	if (!c) {
		lx->kind = T_END;
	} else if (c == '=' && s[p + 1] == '=') {
		lx->kind = T_EQ, p += 2;
	} else if (c == '!' && s[p + 1] == '=') {
		lx->kind = T_NE, p += 2;
	} else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ',') {
		lx->kind = c == '(' ? T_LP : c == ')' ? T_RP : c == '[' ? T_LB : c == ']' ? T_RB : T_COMMA;
		p++;
	} else if (c == '"' || c == '\'') {
		size_t start = ++p;
		while (s[p] && s[p] != c)
			p++;
		if (!s[p]) {
			lx->kind = T_ERR;
			set_err(lx, lx->off, "unterminated string");
		} else {
			lx->kind = T_STR;
			lx->text = xstrndup(s + start, p - start);
			p++;
		}
	} else if (is_ident(c, 1) || (c >= '0' && c <= '9')) {
		size_t start = p;
		int number = !is_ident(c, 1);
		while (s[p] && (is_ident(s[p], 0) || (number && s[p] == '.')))
			p++;
		char *w = xstrndup(s + start, p - start);
		if (number) {
			lx->kind = T_STR;
		} else if (!strcmp(w, "and")) {
			lx->kind = T_AND;
		} else if (!strcmp(w, "or")) {
			lx->kind = T_OR;
		} else if (!strcmp(w, "not")) {
			lx->kind = T_NOT;
		} else if (!strcmp(w, "in")) {
			lx->kind = T_IN;
		} else {
			lx->kind = T_NAME;
		}
		if (lx->kind == T_STR || lx->kind == T_NAME)
			lx->text = w;
		else
			free(w);
	} else {
		char bad[2] = { c, 0 };
		lx->kind = T_ERR;
		if (c == '=')
			set_err(lx, p, "unexpected '=' (use '==' to compare)");
		else if (c == '&' || c == '|')
			set_err(lx, p, "unexpected '%s' (use 'and' / 'or')", bad);
		else
			set_err(lx, p, "unexpected character '%s'", bad);
		p++;
	}
	lx->pos = p;
}

static struct cond *node(enum cond_op op, size_t off)
{
	struct cond *c = xcalloc(1, sizeof(*c));
	c->op = op;
	c->off = off;
	return c;
}

void cond_free(struct cond *c)
{
	if (!c)
		return;
	cond_free(c->a);
	cond_free(c->b);
	for (size_t i = 0; i < c->n; i++)
		cond_free(c->items[i]);
	free(c->items);
	free(c->s);
	free(c);
}

static const char *tok_desc(const struct lexer *lx)
{
	switch (lx->kind) {
	case T_END: return "end of expression";
	case T_NAME: return "a name";
	case T_STR: return "a value";
	case T_LP: return "'('";
	case T_RP: return "')'";
	case T_LB: return "'['";
	case T_RB: return "']'";
	case T_COMMA: return "','";
	case T_EQ: return "'=='";
	case T_NE: return "'!='";
	case T_AND: return "'and'";
	case T_OR: return "'or'";
	case T_NOT: return "'not'";
	case T_IN: return "'in'";
	case T_ERR: return "an invalid character";
	}
	return "?";
}

static struct cond *parse_or(struct lexer *lx);

static struct cond *parse_operand(struct lexer *lx)
{
	struct cond *c = NULL;

	switch (lx->kind) {
	case T_NAME:
		if (!strcmp(lx->text, "true") || !strcmp(lx->text, "false"))
			c = node(COND_STR, lx->off);
		else
			c = node(COND_NAME, lx->off);
		c->s = lx->text;
		lx->text = NULL;
		next(lx);
		return c;
	case T_STR:
		c = node(COND_STR, lx->off);
		c->s = lx->text;
		lx->text = NULL;
		next(lx);
		return c;
	case T_LP: {
		size_t open = lx->off;
		if (++lx->depth > 32) {
			set_err(lx, lx->off, "expression nested too deeply");
			return NULL;
		}
		next(lx);
		c = parse_or(lx);
		lx->depth--;
		if (!c)
			return NULL;
		if (lx->kind != T_RP) {
			if (lx->kind == T_END)
				set_err(lx, open, "unclosed '('");
			else
				set_err(lx, lx->off, "expected ')', found %s", tok_desc(lx));
			cond_free(c);
			return NULL;
		}
		next(lx);
		return c;
	}
	case T_ERR:
		return NULL;
	default:
		set_err(lx, lx->off, "expected a name, a string or '(', found %s", tok_desc(lx));
		return NULL;
	}
}

static struct cond *parse_list(struct lexer *lx)
{
	struct cond *l = node(COND_LIST, lx->off);
	size_t cap = 0;

	next(lx); /* [ */
	if (lx->kind == T_RB) {
		next(lx);
		return l;
	}
	for (;;) {
		if (lx->kind != T_STR && !(lx->kind == T_NAME)) {
			set_err(lx, lx->off, "expected a value in the list, found %s", tok_desc(lx));
			cond_free(l);
			return NULL;
		}
		struct cond *item = parse_operand(lx);
		ALLOC_GROW(l->items, l->n + 1, cap);
		l->items[l->n++] = item;
		if (lx->kind == T_COMMA) {
			next(lx);
			continue;
		}
		if (lx->kind == T_RB) {
			next(lx);
			return l;
		}
		set_err(lx, lx->off, "expected ',' or ']' in the list, found %s", tok_desc(lx));
		cond_free(l);
		return NULL;
	}
}

static struct cond *parse_compare(struct lexer *lx)
{
	struct cond *left = parse_operand(lx);
	if (!left)
		return NULL;

	enum cond_op op;
	size_t off = lx->off;
	if (lx->kind == T_EQ || lx->kind == T_NE) {
		op = lx->kind == T_EQ ? COND_EQ : COND_NE;
		next(lx);
		struct cond *right = parse_operand(lx);
		if (!right) {
			cond_free(left);
			return NULL;
		}
		struct cond *c = node(op, off);
		c->a = left;
		c->b = right;
		return c;
	}
	if (lx->kind == T_NOT || lx->kind == T_IN) {
		op = COND_IN;
		if (lx->kind == T_NOT) {
			next(lx);
			if (lx->kind != T_IN) {
				set_err(lx, lx->off, "expected 'in' after 'not', found %s", tok_desc(lx));
				cond_free(left);
				return NULL;
			}
			op = COND_NOT_IN;
		}
		next(lx);
		struct cond *right = NULL;
		if (lx->kind == T_LB)
			right = parse_list(lx);
		else if (lx->kind == T_NAME)
			right = parse_operand(lx);
		else
			set_err(lx, lx->off, "expected a list or a name after 'in', found %s", tok_desc(lx));
		if (!right) {
			cond_free(left);
			return NULL;
		}
		struct cond *c = node(op, off);
		c->a = left;
		c->b = right;
		return c;
	}
	return left;
}

static struct cond *parse_unary(struct lexer *lx)
{
	if (lx->kind == T_NOT) {
		size_t off = lx->off;
		if (++lx->depth > 32) {
			set_err(lx, off, "expression nested too deeply");
			return NULL;
		}
		next(lx);
		struct cond *a = parse_unary(lx);
		lx->depth--;
		if (!a)
			return NULL;
		struct cond *c = node(COND_NOT, off);
		c->a = a;
		return c;
	}
	return parse_compare(lx);
}

static struct cond *parse_binary(struct lexer *lx, enum tok_kind tk, enum cond_op op,
				 struct cond *(*sub)(struct lexer *))
{
	struct cond *left = sub(lx);
	while (left && lx->kind == tk) {
		size_t off = lx->off;
		next(lx);
		struct cond *right = sub(lx);
		if (!right) {
			cond_free(left);
			return NULL;
		}
		struct cond *c = node(op, off);
		c->a = left;
		c->b = right;
		left = c;
	}
	return left;
}

static struct cond *parse_and(struct lexer *lx)
{
	return parse_binary(lx, T_AND, COND_AND, parse_unary);
}

static struct cond *parse_or(struct lexer *lx)
{
	return parse_binary(lx, T_OR, COND_OR, parse_and);
}

int cond_parse(const char *src, struct cond **out, char **err, size_t *err_off)
{
	struct lexer lx;
	memset(&lx, 0, sizeof(lx));
	lx.src = src;
	next(&lx);

	struct cond *c = NULL;
	if (lx.kind == T_END)
		set_err(&lx, 0, "empty condition");
	else
		c = parse_or(&lx);
	if (c && lx.kind == T_RP) {
		set_err(&lx, lx.off, "unmatched ')'");
		cond_free(c);
		c = NULL;
	} else if (c && lx.kind != T_END) {
		if (lx.text)
			set_err(&lx, lx.off, "unexpected '%s' (missing 'and' or 'or'?)", lx.text);
		else
			set_err(&lx, lx.off, "unexpected %s (missing 'and' or 'or'?)", tok_desc(&lx));
		cond_free(c);
		c = NULL;
	}
	free(lx.text);
	if (!c) {
		if (!lx.err)
			set_err(&lx, lx.off, "invalid condition");
		*err = lx.err;
		*err_off = lx.err_off;
		return -1;
	}
	*out = c;
	return 0;
}

void cond_names(const struct cond *c, void (*fn)(const char *name, size_t off, void *arg),
		void *arg)
{
	if (!c)
		return;
	if (c->op == COND_NAME)
		fn(c->s, c->off, arg);
	cond_names(c->a, fn, arg);
	cond_names(c->b, fn, arg);
	for (size_t i = 0; i < c->n; i++)
		cond_names(c->items[i], fn, arg);
}

/* A value: a string, or NULL when unknown; a sub-expression is "true" or "false". */
static const char *value_of(const struct cond *c, const char *(*lookup)(const char *, void *),
			    void *arg)
{
	if (c->op == COND_STR)
		return c->s;
	if (c->op == COND_NAME)
		return lookup(c->s, arg);
	if (c->op == COND_LIST)
		return NULL;
	switch (cond_eval(c, lookup, arg)) {
	case TRI_TRUE: return "true";
	case TRI_FALSE: return "false";
	default: return NULL;
	}
}

static int in_words(const char *needle, const char *words)
{
	size_t n = strlen(needle);
	const char *p = words;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\n' || *p == '\r')
			p++;
		size_t len = strcspn(p, " \t,\r\n");
		if (len && len == n && !memcmp(p, needle, n))
			return 1;
		p += len;
	}
	return 0;
}

static enum tri tri_not(enum tri t)
{
	return t == TRI_UNKNOWN ? t : t == TRI_TRUE ? TRI_FALSE : TRI_TRUE;
}

enum tri cond_eval(const struct cond *c, const char *(*lookup)(const char *name, void *arg),
		   void *arg)
{
	enum tri a, b;
	const char *l, *r;

	switch (c->op) {
	case COND_OR:
		a = cond_eval(c->a, lookup, arg);
		if (a == TRI_TRUE)
			return a;
		b = cond_eval(c->b, lookup, arg);
		return b == TRI_TRUE ? b : (a == TRI_UNKNOWN || b == TRI_UNKNOWN) ? TRI_UNKNOWN : TRI_FALSE;
	case COND_AND:
		a = cond_eval(c->a, lookup, arg);
		if (a == TRI_FALSE)
			return a;
		b = cond_eval(c->b, lookup, arg);
		return b == TRI_FALSE ? b : (a == TRI_UNKNOWN || b == TRI_UNKNOWN) ? TRI_UNKNOWN : TRI_TRUE;
	case COND_NOT:
		return tri_not(cond_eval(c->a, lookup, arg));
	case COND_EQ:
	case COND_NE:
		l = value_of(c->a, lookup, arg);
		r = value_of(c->b, lookup, arg);
		if (!l || !r)
			return TRI_UNKNOWN;
		return (!strcmp(l, r)) == (c->op == COND_EQ) ? TRI_TRUE : TRI_FALSE;
	case COND_IN:
	case COND_NOT_IN: {
		enum tri found = TRI_FALSE;
		l = value_of(c->a, lookup, arg);
		if (!l)
			return TRI_UNKNOWN;
		if (c->b->op == COND_LIST) {
			for (size_t i = 0; i < c->b->n && found != TRI_TRUE; i++) {
				r = value_of(c->b->items[i], lookup, arg);
				if (!r)
					found = TRI_UNKNOWN;
				else if (!strcmp(l, r))
					found = TRI_TRUE;
			}
		} else {
			r = value_of(c->b, lookup, arg);
			found = !r ? TRI_UNKNOWN : in_words(l, r) ? TRI_TRUE : TRI_FALSE;
		}
		return c->op == COND_IN ? found : tri_not(found);
	}
	case COND_NAME:
		l = lookup(c->s, arg);
		return !l ? TRI_UNKNOWN : !strcmp(l, "true") ? TRI_TRUE : TRI_FALSE;
	case COND_STR:
		return !strcmp(c->s, "true") ? TRI_TRUE : TRI_FALSE;
	case COND_LIST:
		return TRI_UNKNOWN;
	}
	return TRI_UNKNOWN;
}
