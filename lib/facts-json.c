/*
 * Facts as JSON (docs/facts-json.md), both ways, by walking the model's
 * description (facts_fields[]): every field the model holds is written, so
 * that facts_from_json(facts_to_json(f)) is f again.
 */
#include "facts.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define MAX_EXACT 9007199254740991LL /* 2^53 - 1: integers a double holds exactly */

static cJSON *must(cJSON *j)
{
	if (!j) {
		fprintf(stderr, "shelfready: out of memory building JSON\n");
		abort();
	}
	return j;
}

static void add(cJSON *obj, const char *key, cJSON *item)
{
	if (!cJSON_AddItemToObject(obj, key, must(item))) {
		fprintf(stderr, "shelfready: out of memory building JSON\n");
		abort();
	}
}

static void append(cJSON *arr, cJSON *item)
{
	if (!cJSON_AddItemToArray(arr, must(item))) {
		fprintf(stderr, "shelfready: out of memory building JSON\n");
		abort();
	}
}

static cJSON *str_json(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *int_json(long long v)
{
	return v < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)v);
}

static cJSON *strs_json(const struct facts_strs *l)
{
	cJSON *a = must(cJSON_CreateArray());
	for (size_t i = 0; i < l->n; i++)
		append(a, cJSON_CreateString(l->v[i]));
	return a;
}

static cJSON *obj_json(const struct facts_field *fields, const void *obj);

static cJSON *field_json(const struct facts_field *fd, const void *obj)
{
	const char *p = (const char *)obj + fd->off;

	switch (fd->type) {
	case FACTS_STR: {
		const char *s;
		memcpy(&s, p, sizeof(s));
		return str_json(s);
	}
	case FACTS_INT: {
		long long v;
		memcpy(&v, p, sizeof(v));
		return int_json(v);
	}
	case FACTS_BOOL: {
		int v;
		memcpy(&v, p, sizeof(v));
		return cJSON_CreateBool(v != 0);
	}
	case FACTS_TRI: {
		int v;
		memcpy(&v, p, sizeof(v));
		return v < 0 ? cJSON_CreateNull() : cJSON_CreateBool(v != 0);
	}
	case FACTS_STRS:
		return strs_json((const struct facts_strs *)(const void *)p);
	case FACTS_SRC: {
		const struct facts_src *s = (const struct facts_src *)(const void *)p;
		if (!s->section)
			return cJSON_CreateNull();
		cJSON *o = must(cJSON_CreateObject());
		add(o, "section", cJSON_CreateString(s->section));
		add(o, "status", int_json(s->status));
		add(o, "complete", cJSON_CreateBool(s->complete != 0));
		add(o, "skipped", int_json(s->skipped));
		return o;
	}
	case FACTS_LIST: {
		struct { const char *v; size_t n, alloc; } a;
		memcpy(&a, p, sizeof(a));
		cJSON *arr = must(cJSON_CreateArray());
		for (size_t i = 0; i < a.n; i++)
			append(arr, obj_json(fd->sub, a.v + i * fd->elsize));
		return arr;
	}
	case FACTS_OBJ:
		return obj_json(fd->sub, p);
	}
	return cJSON_CreateNull();
}

static cJSON *obj_json(const struct facts_field *fields, const void *obj)
{
	cJSON *o = must(cJSON_CreateObject());
	for (const struct facts_field *fd = fields; fd->key; fd++)
		add(o, fd->key, field_json(fd, obj));
	return o;
}

char *facts_to_json(const struct facts *f)
{
	cJSON *root = must(cJSON_CreateObject());
	char *text, *out;

	add(root, "schema", cJSON_CreateString(FACTS_JSON_SCHEMA));
	for (const struct facts_field *fd = facts_fields; fd->key; fd++)
		add(root, fd->key, field_json(fd, f));
	text = cJSON_Print(root);
	cJSON_Delete(root);
	if (!text) {
		fprintf(stderr, "shelfready: out of memory printing JSON\n");
		abort();
	}
	out = xstrdup(text);
	cJSON_free(text);
	return out;
}

/* ---- reading ---- */

struct reader {
	struct strbuf path; /* where we are, for messages: "os.id", "processes.list[3].pid" */
	char *err;
};

static void path_truncate(struct strbuf *sb, size_t n)
{
	if (sb->buf && n <= sb->len) {
		sb->len = n;
		sb->buf[n] = '\0';
	}
}

static int SR_PRINTF(2, 3) fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb = STRBUF_INIT;

	if (r->err)
		return -1;
	va_start(ap, fmt);
	strbuf_addf(&sb, "facts: '%s' ", r->path.buf ? r->path.buf : "");
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	r->err = strbuf_detach(&sb);
	return -1;
}

static int read_int(struct reader *r, const cJSON *j, long long *out)
{
	if (cJSON_IsNull(j)) {
		*out = -1;
		return 0;
	}
	if (!cJSON_IsNumber(j))
		return fail(r, "is not a number");
	double d = j->valuedouble;
	if (!(d >= -1 && d <= (double)MAX_EXACT) || d != (double)(long long)d)
		return fail(r, "is not a non-negative integer");
	*out = (long long)d;
	return 0;
}

static int read_str(struct reader *r, const cJSON *j, char **out)
{
	if (cJSON_IsNull(j)) {
		*out = NULL;
		return 0;
	}
	if (!cJSON_IsString(j) || !j->valuestring)
		return fail(r, "is not a string");
	*out = facts_strndup(j->valuestring, strlen(j->valuestring));
	return 0;
}

static int read_obj(struct reader *r, const struct facts_field *fields, void *obj, const cJSON *j);

static int read_field(struct reader *r, const struct facts_field *fd, void *obj, const cJSON *j)
{
	char *p = (char *)obj + fd->off;

	switch (fd->type) {
	case FACTS_STR: {
		char *s = NULL, *old;
		if (read_str(r, j, &s) < 0)
			return -1;
		memcpy(&old, p, sizeof(old));
		free(old);
		memcpy(p, &s, sizeof(s));
		return 0;
	}
	case FACTS_INT: {
		long long v;
		if (read_int(r, j, &v) < 0)
			return -1;
		memcpy(p, &v, sizeof(v));
		return 0;
	}
	case FACTS_BOOL:
	case FACTS_TRI: {
		int v;
		if (fd->type == FACTS_TRI && cJSON_IsNull(j))
			v = -1;
		else if (cJSON_IsBool(j))
			v = cJSON_IsTrue(j) ? 1 : 0;
		else
			return fail(r, "is not %s", fd->type == FACTS_TRI ? "true, false or null" :
									  "true or false");
		memcpy(p, &v, sizeof(v));
		return 0;
	}
	case FACTS_STRS: {
		struct facts_strs *l = (struct facts_strs *)(void *)p;
		const cJSON *it;
		if (!cJSON_IsArray(j))
			return fail(r, "is not an array");
		facts_strs_release(l);
		cJSON_ArrayForEach(it, j) {
			if (!cJSON_IsString(it) || !it->valuestring)
				return fail(r, "holds something that is not a string");
			facts_strs_push(l, it->valuestring, strlen(it->valuestring));
		}
		return 0;
	}
	case FACTS_SRC: {
		struct facts_src *s = (struct facts_src *)(void *)p;
		const cJSON *sec, *st, *co, *sk;
		facts_src_set(s, NULL);
		if (cJSON_IsNull(j))
			return 0;
		if (!cJSON_IsObject(j))
			return fail(r, "is not an object or null");
		sec = cJSON_GetObjectItemCaseSensitive(j, "section");
		st = cJSON_GetObjectItemCaseSensitive(j, "status");
		co = cJSON_GetObjectItemCaseSensitive(j, "complete");
		sk = cJSON_GetObjectItemCaseSensitive(j, "skipped");
		if (!cJSON_IsString(sec) || !sec->valuestring)
			return fail(r, "has no section name");
		if ((st && read_int(r, st, &s->status) < 0) || (sk && read_int(r, sk, &s->skipped) < 0))
			return -1;
		if (s->skipped < 0)
			s->skipped = 0;
		if (co && !cJSON_IsBool(co))
			return fail(r, "has a 'complete' that is not true or false");
		s->complete = co && cJSON_IsTrue(co);
		s->section = facts_strndup(sec->valuestring, strlen(sec->valuestring));
		return 0;
	}
	case FACTS_LIST: {
		struct { char *v; size_t n, alloc; } a;
		const cJSON *it;
		size_t base = r->path.len, i = 0;
		if (!cJSON_IsArray(j))
			return fail(r, "is not an array");
		memcpy(&a, p, sizeof(a));
		cJSON_ArrayForEach(it, j) {
			if (a.n == a.alloc) {
				a.alloc = a.alloc ? 2 * a.alloc : 4;
				a.v = xrealloc(a.v, a.alloc * fd->elsize);
			}
			char *elem = a.v + a.n * fd->elsize;
			memset(elem, 0, fd->elsize);
			facts_obj_init(fd->sub, elem);
			a.n++;
			memcpy(p, &a, sizeof(a)); /* owned by obj from here on */
			strbuf_addf(&r->path, "[%zu]", i++);
			int ret = read_obj(r, fd->sub, elem, it);
			path_truncate(&r->path, base);
			if (ret < 0)
				return -1;
		}
		return 0;
	}
	case FACTS_OBJ:
		return read_obj(r, fd->sub, p, j);
	}
	return 0;
}

static int read_obj(struct reader *r, const struct facts_field *fields, void *obj, const cJSON *j)
{
	size_t base = r->path.len;

	if (!cJSON_IsObject(j))
		return fail(r, "is not an object");
	for (const struct facts_field *fd = fields; fd->key; fd++) {
		const cJSON *item = cJSON_GetObjectItemCaseSensitive(j, fd->key);
		if (!item)
			continue; /* absent: not known */
		if (base)
			strbuf_addch(&r->path, '.');
		strbuf_addstr(&r->path, fd->key);
		int ret = read_field(r, fd, obj, item);
		path_truncate(&r->path, base);
		if (ret < 0)
			return -1;
	}
	return 0;
}

int facts_from_json(const char *text, size_t len, struct facts **out, char **err)
{
	struct reader r = { STRBUF_INIT, NULL };
	struct facts *f = NULL;
	const char *end = NULL;
	const cJSON *schema;
	cJSON *root;
	int ret = -1;

	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		r.err = xasprintf("facts: invalid JSON near byte %zu", at);
		goto out;
	}
	while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end && end < text + len) {
		r.err = xasprintf("facts: invalid JSON near byte %zu", (size_t)(end - text));
		goto out;
	}
	schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (!cJSON_IsObject(root) || !cJSON_IsString(schema) || !schema->valuestring) {
		r.err = xstrdup("facts: not a shelfready facts document (no \"schema\")");
		goto out;
	}
	if (strcmp(schema->valuestring, FACTS_JSON_SCHEMA)) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_add_escaped(&sb, schema->valuestring);
		r.err = xasprintf("facts: unsupported schema \"%s\" (expected \"%s\")", sb.buf,
				  FACTS_JSON_SCHEMA);
		strbuf_release(&sb);
		goto out;
	}
	f = facts_new();
	if (read_obj(&r, facts_fields, f, root) < 0)
		goto out;
	*out = f;
	f = NULL;
	ret = 0;
out:
	if (ret < 0 && err)
		*err = r.err ? r.err : xstrdup("facts: cannot read the facts document");
	else
		free(r.err);
	strbuf_release(&r.path);
	facts_free(f);
	cJSON_Delete(root);
	return ret;
}
