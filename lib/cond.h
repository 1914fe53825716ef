/*
 * `when:` conditions. Grammar:
 *   expr    := or
 *   or      := and { "or" and }
 *   and     := unary { "and" unary }
 *   unary   := "not" unary | compare
 *   compare := operand [ ("==" | "!=") operand | ["not"] "in" (list | name) ]
 *   operand := name | string | number | "true" | "false" | "(" expr ")"
 *   list    := "[" [ operand { "," operand } ] "]"
 *   name    := fact names such as os.family, or vars.NAME
 * Values are strings; a bare name is true when its value is "true". Right of
 * `in`, a name's value is split on whitespace and commas.
 */
#ifndef SR_COND_H
#define SR_COND_H

#include <stddef.h>

enum cond_op {
	COND_OR, COND_AND, COND_NOT, COND_EQ, COND_NE, COND_IN, COND_NOT_IN,
	COND_NAME, COND_STR, COND_LIST,
};

struct cond {
	enum cond_op op;
	struct cond *a, *b; /* operands */
	char *s;            /* COND_NAME, COND_STR */
	size_t off;         /* byte offset in the source, for messages */
	struct cond **items;
	size_t n;
};

/* 0 and *out on success; otherwise -1, *err (owned by the caller) and *err_off. */
int cond_parse(const char *src, struct cond **out, char **err, size_t *err_off);
void cond_free(struct cond *c);

/* Call fn for every name in c (to check that it is known). */
void cond_names(const struct cond *c, void (*fn)(const char *name, size_t off, void *arg),
		void *arg);

enum tri { TRI_FALSE, TRI_TRUE, TRI_UNKNOWN };

/*
 * Evaluate with a lookup that returns a name's value or NULL when it is not
 * known yet (facts before a target is reached): the result is then UNKNOWN
 * unless the known parts decide it.
 */
enum tri cond_eval(const struct cond *c, const char *(*lookup)(const char *name, void *arg),
		   void *arg);

#endif
