/*
 * Reading profile files into the model, finding what they extend, merging
 * the chain and validating everything, with every problem reported at its
 * file:line:col.
 */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundled.h"
#include "date.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "ytree.h"
#include "banned.h"

#define PROFILE_MAX_BYTES (4u << 20)
#define EXTENDS_MAX_DEPTH 32
#define WAIVER_WARN_DAYS 30

struct loader {
	char *today;
	long today_days;
	char *config_dir;
	struct profile **files;
	size_t nfiles, cfiles;
	struct vars overrides;
	struct ydoc **var_docs; /* kept for the positions of --var-file values */
	size_t nvar_docs, cvar_docs;
};

static const char *const severities[] = { "info", "low", "medium", "high", "critical", NULL };

/* ---- small readers over mapping nodes ---- */

static struct srcpos nopos(void)
{
	struct srcpos p = { NULL, 0, 0 };
	return p;
}

static void check_keys(const struct ynode *map, const char *const *allowed, const char *where,
		       struct diags *d)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i]->str;
		size_t j;
		for (j = 0; allowed[j]; j++)
			if (!strcmp(allowed[j], k))
				break;
		if (allowed[j])
			continue;
		const char *hint = str_suggest(k, allowed);
		if (hint)
			diag_error(d, map->keys[i]->pos, "unknown key '%s' in %s (did you mean '%s'?)", k,
				   where, hint);
		else
			diag_error(d, map->keys[i]->pos, "unknown key '%s' in %s", k, where);
	}
}

static const struct ynode *map_key(const struct ynode *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->keys[i]->str, key))
			return map->keys[i];
	return NULL;
}

/* A string field: NULL when absent or wrong (reported). */
static char *get_str(const struct ynode *map, const char *key, int required, const char *where,
		     struct diags *d)
{
	const struct ynode *n = ynode_map_get(map, key);
	if (!n) {
		if (required)
			diag_error(d, map->pos, "missing required key '%s' in %s", key, where);
		return NULL;
	}
	if (ynode_is_null(n) || (required && n->kind == YNODE_SCALAR && !n->str[strspn(n->str, " \t\r\n")])) {
		if (required)
			diag_error(d, map_key(map, key)->pos, "'%s' in %s is empty", key, where);
		return NULL;
	}
	if (n->kind != YNODE_SCALAR) {
		diag_error(d, n->pos, "'%s' in %s must be a string, found %s", key, where,
			   ynode_kind_name(n));
		return NULL;
	}
	return xstrdup(n->str);
}

/* A list field; NULL when absent, null or wrong (reported). */
static const struct ynode *get_list(const struct ynode *map, const char *key, const char *where,
				    struct diags *d)
{
	const struct ynode *n = ynode_map_get(map, key);
	if (!n || ynode_is_null(n))
		return NULL;
	if (n->kind != YNODE_SEQ) {
		diag_error(d, n->pos, "'%s' in %s must be a list, found %s", key, where,
			   ynode_kind_name(n));
		return NULL;
	}
	return n;
}

static int valid_id(const char *s)
{
	size_t len = strlen(s);
	if (!len || len > 64)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			 (i > 0 && (c == '-' || c == '_' || c == '.'));
		if (!ok)
			return 0;
	}
	return 1;
}

/* ---- one file ---- */

static void item_release(struct item *it)
{
	free(it->id);
	free(it->type_name);
	free(it->title);
	free(it->description);
	cond_free(it->when);
}

static void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->title);
	free(p->version);
	free(p->description);
	free(p->source);
	free(p->ident);
	free(p->base_dir);
	for (size_t i = 0; i < p->nextends; i++)
		free(p->extends[i].ref);
	free(p->extends);
	vars_release(&p->vars);
	for (size_t i = 0; i < p->nsteps; i++)
		item_release(&p->steps[i].it);
	free(p->steps);
	for (size_t i = 0; i < p->nchecks; i++) {
		item_release(&p->checks[i].it);
		free(p->checks[i].severity);
		free(p->checks[i].ref);
	}
	free(p->checks);
	for (size_t i = 0; i < p->nwaivers; i++) {
		free(p->waivers[i].check);
		free(p->waivers[i].reason);
		free(p->waivers[i].expires);
	}
	free(p->waivers);
	ydoc_free(p->doc);
	free(p);
}

static void parse_extends(struct profile *p, const struct ynode *root, struct diags *d)
{
	const struct ynode *n = ynode_map_get(root, "extends");
	if (!n || ynode_is_null(n))
		return;
	if (n->kind == YNODE_MAP) {
		diag_error(d, n->pos, "'extends' must be a profile name or a list of them, found a mapping");
		return;
	}
	size_t count = n->kind == YNODE_SEQ ? n->n : 1;
	p->extends = xcalloc(count, sizeof(*p->extends));
	for (size_t i = 0; i < count; i++) {
		const struct ynode *e = n->kind == YNODE_SEQ ? n->vals[i] : n;
		if (e->kind != YNODE_SCALAR || ynode_is_null(e)) {
			diag_error(d, e->pos, "each entry of 'extends' must be a profile name, found %s",
				   ynode_kind_name(e));
			continue;
		}
		p->extends[p->nextends].ref = xstrdup(e->str);
		p->extends[p->nextends].pos = e->pos;
		p->nextends++;
	}
}

static void parse_vars(struct profile *p, const struct ynode *root, struct diags *d)
{
	const struct ynode *n = ynode_map_get(root, "vars");
	if (!n || ynode_is_null(n))
		return;
	if (n->kind != YNODE_MAP) {
		diag_error(d, n->pos, "'vars' must be a mapping of names to values, found %s",
			   ynode_kind_name(n));
		return;
	}
	char *origin = xasprintf("profile %s", p->name ? p->name : p->source);
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *k = n->keys[i], *v = n->vals[i];
		if (!vars_valid_name(k->str)) {
			diag_error(d, k->pos, "invalid variable name '%s' (letters, digits and '_')", k->str);
			continue;
		}
		if (v->kind != YNODE_SCALAR) {
			diag_error(d, v->pos, "variable '%s' must be a string, found %s", k->str,
				   ynode_kind_name(v));
			continue;
		}
		if (vars_get(&p->vars, k->str))
			continue; /* a duplicate key, reported by the parser: the first one counts */
		vars_set(&p->vars, k->str, ynode_is_null(v) ? "" : v->str, v->pos, origin);
	}
	free(origin);
}

static void parse_when(struct item *it, const struct ynode *map, const char *where, struct diags *d)
{
	const struct ynode *n = ynode_map_get(map, "when");
	char *err = NULL;
	size_t off = 0;

	if (!n)
		return;
	if (n->kind != YNODE_SCALAR || ynode_is_null(n)) {
		diag_error(d, n->pos, "'when' in %s must be a condition string, found %s", where,
			   ynode_kind_name(n));
		return;
	}
	it->when_node = n;
	if (cond_parse(n->str, &it->when, &err, &off) < 0) {
		diag_error(d, ynode_pos_at(n, off), "invalid condition in %s: %s", where, err);
		free(err);
	}
}

/* Fields shared by steps and checks; returns a name for messages (owned). */
static char *parse_item(struct item *it, const struct ynode *map, const char *kind, size_t index,
			const char *const *keys, struct diags *d)
{
	char *where = xasprintf("%s %zu", kind, index + 1);
	it->node = map;
	it->id = get_str(map, "id", 1, where, d);
	if (it->id) {
		free(where);
		where = xasprintf("%s '%s'", kind, it->id);
		if (!valid_id(it->id))
			diag_error(d, ynode_map_get(map, "id")->pos,
				   "invalid %s id '%s' (lowercase letters, digits, '-', '_' and '.', at most 64)",
				   kind, it->id);
	}
	check_keys(map, keys, where, d);
	it->type_name = get_str(map, "type", 1, where, d);
	it->title = get_str(map, "title", 0, where, d);
	it->description = get_str(map, "description", 0, where, d);
	it->with = ynode_map_get(map, "with");
	if (it->with && ynode_is_null(it->with))
		it->with = NULL;
	if (it->with && it->with->kind != YNODE_MAP) {
		diag_error(d, it->with->pos, "'with' in %s must be a mapping of parameters, found %s", where,
			   ynode_kind_name(it->with));
		it->with = NULL;
		it->with_bad = 1;
	}
	parse_when(it, map, where, d);
	return where;
}

static void dup_id(const struct item *a, const struct item *b, const char *kind, struct diags *d)
{
	const struct ynode *n = ynode_map_get(b->node, "id");
	const struct ynode *first = ynode_map_get(a->node, "id");
	diag_error(d, n->pos, "duplicate %s id '%s' (first used at line %d)", kind, b->id,
		   first->pos.line);
}

static const char *const step_keys[] = { "id", "type", "title", "description", "with", "when",
					 "continue_on_error", NULL };
static const char *const check_keys_allowed[] = { "id", "type", "title", "description", "severity",
						  "ref", "with", "when", NULL };

static void unknown_type(const struct ynode *map, const char *kind, const char *name, int other,
			 const char *const *names, struct diags *d)
{
	const struct ynode *n = ynode_map_get(map, "type");
	const char *hint = str_suggest(name, names);
	if (other)
		diag_error(d, n->pos, "'%s' is a %s type, not a %s type (put it under '%s')", name,
			   !strcmp(kind, "step") ? "check" : "step", kind,
			   !strcmp(kind, "step") ? "verify" : "remediate");
	else if (hint)
		diag_error(d, n->pos, "unknown %s type '%s' (did you mean '%s'?)", kind, name, hint);
	else
		diag_error(d, n->pos, "unknown %s type '%s'", kind, name);
}

static const char **type_names(int steps)
{
	size_t n = 0;
	if (steps)
		while (step_types[n])
			n++;
	else
		while (check_types[n])
			n++;
	const char **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = steps ? step_types[i]->name : check_types[i]->name;
	return v;
}

static void parse_steps(struct profile *p, const struct ynode *root, struct diags *d)
{
	const struct ynode *list = get_list(root, "remediate", "profile", d);
	if (!list)
		return;
	const char **names = type_names(1);
	p->steps = xcalloc(list->n ? list->n : 1, sizeof(*p->steps));
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *m = list->vals[i];
		if (m->kind != YNODE_MAP) {
			diag_error(d, m->pos, "each step under 'remediate' must be a mapping, found %s",
				   ynode_kind_name(m));
			continue;
		}
		struct step *s = &p->steps[p->nsteps++];
		s->it.origin = p;
		free(parse_item(&s->it, m, "step", i, step_keys, d));
		char *coe = get_str(m, "continue_on_error", 0, "step", d);
		if (coe && strcmp(coe, "true") && strcmp(coe, "false"))
			diag_error(d, ynode_map_get(m, "continue_on_error")->pos,
				   "'continue_on_error' must be true or false, found '%s'", coe);
		s->continue_on_error = coe && !strcmp(coe, "true");
		free(coe);
		if (s->it.type_name) {
			s->type = step_type_find(s->it.type_name);
			if (!s->type)
				unknown_type(m, "step", s->it.type_name,
					     check_type_find(s->it.type_name) != NULL, names, d);
		}
		for (size_t j = 0; s->it.id && j + 1 < p->nsteps; j++)
			if (p->steps[j].it.id && !strcmp(p->steps[j].it.id, s->it.id)) {
				dup_id(&p->steps[j].it, &s->it, "step", d);
				break;
			}
	}
	free(names);
}

static void parse_checks(struct profile *p, const struct ynode *root, struct diags *d)
{
	const struct ynode *list = get_list(root, "verify", "profile", d);
	if (!list)
		return;
	const char **names = type_names(0);
	p->checks = xcalloc(list->n ? list->n : 1, sizeof(*p->checks));
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *m = list->vals[i];
		if (m->kind != YNODE_MAP) {
			diag_error(d, m->pos, "each check under 'verify' must be a mapping, found %s",
				   ynode_kind_name(m));
			continue;
		}
		struct check *c = &p->checks[p->nchecks++];
		c->it.origin = p;
		char *where = parse_item(&c->it, m, "check", i, check_keys_allowed, d);
		if (c->it.type_name) {
			c->type = check_type_find(c->it.type_name);
			if (!c->type)
				unknown_type(m, "check", c->it.type_name,
					     step_type_find(c->it.type_name) != NULL, names, d);
		}
		const struct ynode *tn = ynode_map_get(m, "title");
		if (!tn || tn->kind == YNODE_SCALAR) {
			if (c->it.title && !c->it.title[strspn(c->it.title, " \t\r\n")]) {
				free(c->it.title);
				c->it.title = NULL;
			}
			if (!c->it.title)
				free(get_str(m, "title", 1, where, d));
		}
		c->ref = get_str(m, "ref", 0, where, d);
		c->severity = get_str(m, "severity", 0, where, d);
		if (c->severity) {
			size_t k;
			for (k = 0; severities[k]; k++)
				if (!strcmp(severities[k], c->severity))
					break;
			if (!severities[k]) {
				const char *hint = str_suggest(c->severity, severities);
				diag_error(d, ynode_map_get(m, "severity")->pos,
					   "severity of %s must be info, low, medium, high or critical, found '%s'%s%s%s",
					   where, c->severity, hint ? " (did you mean '" : "",
					   hint ? hint : "", hint ? "'?)" : "");
			}
		} else {
			c->severity = xstrdup("medium");
		}
		free(where);
		for (size_t j = 0; c->it.id && j + 1 < p->nchecks; j++)
			if (p->checks[j].it.id && !strcmp(p->checks[j].it.id, c->it.id)) {
				dup_id(&p->checks[j].it, &c->it, "check", d);
				break;
			}
	}
	free(names);
}

static void parse_waivers(struct loader *l, struct profile *p, const struct ynode *root,
			  struct diags *d)
{
	static const char *const keys[] = { "check", "reason", "expires", NULL };
	const struct ynode *list = get_list(root, "waivers", "profile", d);
	if (!list)
		return;
	p->waivers = xcalloc(list->n ? list->n : 1, sizeof(*p->waivers));
	for (size_t i = 0; i < list->n; i++) {
		const struct ynode *m = list->vals[i];
		if (m->kind != YNODE_MAP) {
			diag_error(d, m->pos, "each waiver must be a mapping, found %s", ynode_kind_name(m));
			continue;
		}
		struct waiver *w = &p->waivers[p->nwaivers++];
		char *where = xasprintf("waiver %zu", i + 1);
		w->origin = p;
		w->pos = m->pos;
		w->check = get_str(m, "check", 1, where, d);
		if (w->check) {
			free(where);
			where = xasprintf("waiver for '%s'", w->check);
			w->check_pos = ynode_map_get(m, "check")->pos;
		}
		check_keys(m, keys, where, d);
		w->reason = get_str(m, "reason", 1, where, d);
		w->expires = get_str(m, "expires", 1, where, d);
		if (w->expires) {
			long days;
			w->expires_pos = ynode_map_get(m, "expires")->pos;
			if (date_parse(w->expires, &days) < 0) {
				diag_error(d, w->expires_pos,
					   "'expires' in %s must be a real date written YYYY-MM-DD, found '%s'",
					   where, w->expires);
			} else {
				w->days_left = days - l->today_days;
				if (w->days_left < 0)
					diag_error(d, w->expires_pos, "%s expired on %s", where, w->expires);
				else if (w->days_left == 0)
					diag_warning(d, w->expires_pos, "%s expires today (%s)", where, w->expires);
				else if (w->days_left <= WAIVER_WARN_DAYS)
					diag_warning(d, w->expires_pos, "%s expires in %ld day%s (%s)", where,
						     w->days_left, w->days_left == 1 ? "" : "s", w->expires);
			}
		}
		for (size_t j = 0; w->check && j + 1 < p->nwaivers; j++)
			if (p->waivers[j].check && !strcmp(p->waivers[j].check, w->check)) {
				diag_error(d, w->check_pos, "second waiver for check '%s' (first at line %d)",
					   w->check, p->waivers[j].check_pos.line);
				break;
			}
		free(where);
	}
}

static int valid_profile_name(const char *s)
{
	return valid_id(s);
}

static struct profile *profile_parse(struct loader *l, const char *source, const char *ident,
				     const char *base_dir, int bundled, const char *data, size_t len,
				     struct diags *d)
{
	static const char *const keys[] = { "name", "title", "version", "description", "extends",
					    "vars", "remediate", "verify", "waivers", NULL };
	struct profile *p = xcalloc(1, sizeof(*p));
	p->source = xstrdup(source);
	p->ident = xstrdup(ident);
	p->base_dir = base_dir ? xstrdup(base_dir) : NULL;
	p->bundled = bundled;
	vars_init(&p->vars);

	if (ytree_parse(source, data, len, &p->doc, d) < 0)
		return p;
	const struct ynode *root = p->doc->root;
	struct srcpos first = { p->doc->file, 1, 1 };
	if (!root || ynode_is_null(root)) {
		diag_error(d, first, "empty profile (a profile is a mapping with at least 'name')");
		return p;
	}
	if (root->kind != YNODE_MAP) {
		diag_error(d, root->pos, "a profile must be a mapping (name, remediate, verify, ...), found %s",
			   ynode_kind_name(root));
		return p;
	}
	check_keys(root, keys, "profile", d);
	p->name = get_str(root, "name", 1, "profile", d);
	if (p->name && !valid_profile_name(p->name))
		diag_error(d, ynode_map_get(root, "name")->pos,
			   "invalid profile name '%s' (lowercase letters, digits, '-', '_' and '.', at most 64)", p->name);
	p->title = get_str(root, "title", 0, "profile", d);
	p->version = get_str(root, "version", 0, "profile", d);
	p->description = get_str(root, "description", 0, "profile", d);
	parse_extends(p, root, d);
	parse_vars(p, root, d);
	parse_steps(p, root, d);
	parse_checks(p, root, d);
	parse_waivers(l, p, root, d);
	return p;
}

/* ---- finding profiles ---- */

static struct profile *find_loaded(struct loader *l, const char *ident)
{
	for (size_t i = 0; i < l->nfiles; i++)
		if (!strcmp(l->files[i]->ident, ident))
			return l->files[i];
	return NULL;
}

static struct profile *remember(struct loader *l, struct profile *p)
{
	ALLOC_GROW(l->files, l->nfiles + 1, l->cfiles);
	l->files[l->nfiles++] = p;
	return p;
}

static int is_regular(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static struct profile *load_path(struct loader *l, const char *path, struct srcpos at,
				 struct diags *d)
{
	char real[PATH_MAX];
	char *data = NULL;
	size_t len = 0;

	if (!realpath(path, real)) {
		diag_error(d, at, "cannot open profile '%s': %s", path, strerror(errno));
		return NULL;
	}
	struct profile *p = find_loaded(l, real);
	if (p)
		return p;
	int r = read_file(path, PROFILE_MAX_BYTES, &data, &len);
	if (r < 0) {
		diag_error(d, at, "cannot read profile '%s': %s", path,
			   r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
		return NULL;
	}
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	p = profile_parse(l, path, real, dir, 0, data, len, d);
	free(dir);
	free(data);
	return remember(l, p);
}

static const struct bundled_file *bundled_find(const char *name)
{
	for (const struct bundled_file *b = bundled_profiles; b->name; b++)
		if (!strcmp(b->name, name))
			return b;
	return NULL;
}

const char *const *bundled_profile_names(void)
{
	static const char *names[64];
	size_t n = 0;
	for (const struct bundled_file *b = bundled_profiles; b->name && n + 1 < ARRAY_SIZE(names); b++)
		names[n++] = b->name;
	names[n] = NULL;
	return names;
}

static struct profile *load_bundled(struct loader *l, const struct bundled_file *b,
				    struct diags *d)
{
	char *ident = xasprintf("bundled:%s", b->name);
	struct profile *p = find_loaded(l, ident);
	if (!p) {
		char *source = xasprintf("bundled:%s.yaml", b->name);
		p = remember(l, profile_parse(l, source, ident, NULL, 1, b->data, b->len, d));
		free(source);
	}
	free(ident);
	return p;
}

static char *strip_yaml_suffix(const char *ref)
{
	size_t n = strlen(ref);
	if (str_ends_with(ref, ".yaml"))
		n -= 5;
	else if (str_ends_with(ref, ".yml"))
		n -= 4;
	return xstrndup(ref, n);
}

/*
 * A profile file at path, unless it is the extending profile itself: a file
 * may extend the bundled or configured profile of the same name, so that
 * match is set aside in *self and the search goes on.
 */
static struct profile *try_path(struct loader *l, const char *path, const struct profile *from,
				struct profile **self, struct srcpos at, struct diags *d)
{
	char real[PATH_MAX];
	if (!is_regular(path))
		return NULL;
	if (from && realpath(path, real) && !strcmp(real, from->ident)) {
		*self = find_loaded(l, from->ident);
		return NULL;
	}
	return load_path(l, path, at, d);
}

/*
 * ref from the command line (from == NULL) or from from's extends: a path
 * (relative to from's directory), then a name in config_dir, then a bundled
 * name. A bundled profile only extends bundled ones.
 */
static struct profile *find_profile(struct loader *l, const char *ref, const struct profile *from,
				    struct srcpos at, struct diags *d)
{
	static const char *const suffixes[] = { "", ".yaml", ".yml", NULL };
	struct profile *p = NULL, *self = NULL;
	char *base = strip_yaml_suffix(ref);
	int has_slash = strchr(ref, '/') != NULL;

	if (!*ref) {
		diag_error(d, at, "empty profile name");
		goto out;
	}
	if (!from || !from->bundled) {
		for (size_t i = 0; suffixes[i] && !p; i++) {
			char *path;
			if (from && ref[0] != '/')
				path = xasprintf("%s/%s%s", from->base_dir, ref, suffixes[i]);
			else
				path = xasprintf("%s%s", ref, suffixes[i]);
			p = try_path(l, path, from, &self, at, d);
			free(path);
			if (p)
				goto out;
		}
		if (l->config_dir && !has_slash) {
			for (size_t i = 1; suffixes[i]; i++) {
				char *path = xasprintf("%s/%s%s", l->config_dir, base, suffixes[i]);
				p = try_path(l, path, from, &self, at, d);
				free(path);
				if (p)
					goto out;
			}
		}
	}
	const struct bundled_file *b = has_slash ? NULL : bundled_find(base);
	if (b) {
		p = load_bundled(l, b, d);
		goto out;
	}
	if (self) {
		p = self; /* it extends only itself: the cycle is reported */
		goto out;
	}
	const char *hint = has_slash ? NULL : str_suggest(base, bundled_profile_names());
	if (hint)
		diag_error(d, at, "profile '%s' not found (did you mean the bundled '%s'?)", ref, hint);
	else if (has_slash)
		diag_error(d, at, "profile '%s' not found", ref);
	else
		diag_error(d, at, "profile '%s' not found as a file%s or among the bundled profiles", ref,
			   from ? " next to the profile" : "");
out:
	free(base);
	return p;
}

/* ---- extends ---- */

struct walk {
	struct loader *l;
	const struct profile **stack;
	size_t nstack, cstack;
	const struct profile **order;
	size_t norder, corder;
	struct diags *d;
};

static int in_list(const struct profile *const *v, size_t n, const struct profile *p)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return (int)i;
	return -1;
}

static void walk_extends(struct walk *w, const struct profile *p)
{
	ALLOC_GROW(w->stack, w->nstack + 1, w->cstack);
	w->stack[w->nstack++] = p;
	for (size_t i = 0; i < p->nextends; i++) {
		const struct extends_ref *e = &p->extends[i];
		struct profile *q = find_profile(w->l, e->ref, p, e->pos, w->d);
		if (!q)
			continue;
		int at = in_list(w->stack, w->nstack, q);
		if (at >= 0) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t k = (size_t)at; k < w->nstack; k++)
				strbuf_addf(&sb, "%s -> ", w->stack[k]->source);
			strbuf_addstr(&sb, q->source);
			diag_error(w->d, e->pos, "extends cycle: %s", sb.buf);
			strbuf_release(&sb);
			continue;
		}
		if (in_list(w->order, w->norder, q) >= 0)
			continue;
		if (w->nstack >= EXTENDS_MAX_DEPTH) {
			diag_error(w->d, e->pos, "extends chain deeper than %d profiles", EXTENDS_MAX_DEPTH);
			continue;
		}
		walk_extends(w, q);
	}
	w->nstack--;
	ALLOC_GROW(w->order, w->norder + 1, w->corder);
	w->order[w->norder++] = p;
}

/* ---- resolution ---- */

void resolved_free(struct resolved *r)
{
	if (!r)
		return;
	free(r->chain);
	vars_release(&r->vars);
	for (size_t i = 0; i < r->nsteps; i++)
		params_release(&r->steps[i].params);
	free(r->steps);
	for (size_t i = 0; i < r->nchecks; i++)
		params_release(&r->checks[i].params);
	free(r->checks);
	free(r->waivers);
	free(r->replaced_steps);
	free(r->replaced_checks);
	free(r);
}

static void merge(struct resolved *r)
{
	size_t cs = 0, cc = 0, cw = 0, crs = 0, crc = 0;

	for (size_t k = 0; k < r->nchain; k++) {
		const struct profile *p = r->chain[k];
		for (size_t i = 0; i < p->vars.n; i++) {
			const struct var *v = &p->vars.v[i];
			vars_set(&r->vars, v->name, v->value, v->pos, v->origin);
		}
		for (size_t i = 0; i < p->nsteps; i++) {
			const struct step *s = &p->steps[i];
			size_t j;
			if (!s->it.id)
				continue;
			for (j = 0; j < r->nsteps; j++)
				if (!strcmp(r->steps[j].def->it.id, s->it.id))
					break;
			if (j == r->nsteps) {
				ALLOC_GROW(r->steps, r->nsteps + 1, cs);
				memset(&r->steps[r->nsteps++], 0, sizeof(*r->steps));
			}
			if (r->steps[j].def) {
				ALLOC_GROW(r->replaced_steps, r->nreplaced_steps + 1, crs);
				r->replaced_steps[r->nreplaced_steps++] = r->steps[j].def;
			}
			r->steps[j].def = s; /* a later profile overrides in place */
		}
		for (size_t i = 0; i < p->nchecks; i++) {
			const struct check *c = &p->checks[i];
			size_t j;
			if (!c->it.id)
				continue;
			for (j = 0; j < r->nchecks; j++)
				if (!strcmp(r->checks[j].def->it.id, c->it.id))
					break;
			if (j == r->nchecks) {
				ALLOC_GROW(r->checks, r->nchecks + 1, cc);
				memset(&r->checks[r->nchecks++], 0, sizeof(*r->checks));
			}
			if (r->checks[j].def) {
				ALLOC_GROW(r->replaced_checks, r->nreplaced_checks + 1, crc);
				r->replaced_checks[r->nreplaced_checks++] = r->checks[j].def;
			}
			r->checks[j].def = c;
		}
		for (size_t i = 0; i < p->nwaivers; i++) {
			const struct waiver *w = &p->waivers[i];
			size_t j;
			if (!w->check)
				continue;
			for (j = 0; j < r->nwaivers; j++)
				if (!strcmp(r->waivers[j]->check, w->check))
					break;
			if (j == r->nwaivers) {
				ALLOC_GROW(r->waivers, r->nwaivers + 1, cw);
				r->nwaivers++;
			}
			r->waivers[j] = w;
		}
	}
}

static void apply_overrides(struct loader *l, struct resolved *r, struct diags *d)
{
	const char **names = xcalloc(r->vars.n + 1, sizeof(*names));
	for (size_t i = 0; i < r->vars.n; i++)
		names[i] = r->vars.v[i].name;
	for (size_t i = 0; i < l->overrides.n; i++) {
		const struct var *o = &l->overrides.v[i];
		if (!vars_get(&r->vars, o->name)) {
			const char *hint = str_suggest(o->name, names);
			diag_error(d, o->pos, "%s sets '%s', which the profile does not declare in 'vars'%s%s%s",
				   o->origin, o->name, hint ? " (did you mean '" : "", hint ? hint : "",
				   hint ? "'?)" : "");
			continue;
		}
		vars_set(&r->vars, o->name, o->value, o->pos, o->origin);
	}
	free(names);
}

struct cond_ctx {
	const struct resolved *r;
	const struct ynode *node;
	const char *where;
	struct diags *d;
};

static void check_cond_name(const char *name, size_t off, void *arg)
{
	struct cond_ctx *c = arg;
	struct srcpos pos = ynode_pos_at(c->node, off);

	if (str_starts_with(name, "vars.")) {
		const char *v = name + 5;
		if (vars_get(&c->r->vars, v))
			return;
		const char **names = xcalloc(c->r->vars.n + 1, sizeof(*names));
		for (size_t i = 0; i < c->r->vars.n; i++)
			names[i] = c->r->vars.v[i].name;
		const char *hint = str_suggest(v, names);
		if (hint)
			diag_error(c->d, pos, "undefined variable '%s' in the condition of %s (did you mean 'vars.%s'?)",
				   v, c->where, hint);
		else
			diag_error(c->d, pos, "undefined variable '%s' in the condition of %s", v, c->where);
		free(names);
		return;
	}
	if (fact_name_find(name))
		return;
	const char *cands[64];
	size_t n = 0;
	for (const struct fact_name *f = fact_names; f->name && n + 1 < ARRAY_SIZE(cands); f++)
		cands[n++] = f->name;
	cands[n] = NULL;
	const char *hint = str_suggest(name, cands);
	if (!hint && vars_get(&c->r->vars, name))
		diag_error(c->d, pos, "unknown name '%s' in the condition of %s (variables are written vars.%s)",
			   name, c->where, name);
	else if (hint)
		diag_error(c->d, pos, "unknown fact '%s' in the condition of %s (did you mean '%s'?)", name,
			   c->where, hint);
	else
		diag_error(c->d, pos, "unknown fact '%s' in the condition of %s", name, c->where);
}

/* Conditions decided by variables alone; facts wait for the target. */
static const char *lookup_vars_only(const char *name, void *arg)
{
	const struct resolved *r = arg;
	if (!str_starts_with(name, "vars."))
		return NULL;
	const struct var *v = vars_get(&r->vars, name + 5);
	return v ? v->value : NULL;
}

static enum enabled resolve_when(const struct resolved *r, const struct item *it, const char *where,
				 struct diags *d)
{
	if (!it->when)
		return ENABLED_YES;
	struct cond_ctx c = { r, it->when_node, where, d };
	cond_names(it->when, check_cond_name, &c);
	switch (cond_eval(it->when, lookup_vars_only, (void *)r)) {
	case TRI_TRUE: return ENABLED_YES;
	case TRI_FALSE: return ENABLED_NO;
	default: return ENABLED_ON_TARGET;
	}
}

/*
 * Type an item's parameters and run its type's own rules; out may be NULL to
 * validate only (a definition that a later profile replaced). The rules on
 * values are not applied to an item the profile's variables switch off
 * (en == ENABLED_NO): its values usually come from variables left empty
 * while it is off (an installer URL nobody gave); the schema still is.
 */
static void resolve_params(const struct resolved *r, const struct item *it, const char *kind,
			   const char *type_name, const struct param_spec *specs,
			   void (*validate)(const struct params *, const struct type_ctx *),
			   enum enabled en, struct params *out, struct diags *d)
{
	struct params tmp = { NULL, 0 };
	char *owner = xasprintf("%s '%s' (%s)", kind, it->id, type_name);
	struct type_ctx ctx = { owner, it->node->pos, it->origin->base_dir, d };

	if (!it->with_bad && params_from_yaml(specs, it->with, it->node->pos, &r->vars, owner,
					      out ? out : &tmp, d) == 0 && validate && en != ENABLED_NO)
		validate(out ? out : &tmp, &ctx);
	params_release(&tmp);
	free(owner);
}

static enum enabled resolve_item(const struct resolved *r, const struct item *it, const char *kind,
				 struct diags *d)
{
	char *where = xasprintf("%s '%s'", kind, it->id);
	enum enabled en = resolve_when(r, it, where, d);
	free(where);
	return en;
}

static void resolve_items(struct resolved *r, struct diags *d)
{
	for (size_t i = 0; i < r->nsteps; i++) {
		struct rstep *rs = &r->steps[i];
		const struct step *s = rs->def;
		rs->enabled = resolve_item(r, &s->it, "step", d);
		if (s->type)
			resolve_params(r, &s->it, "step", s->type->name, s->type->params, s->type->validate,
				       rs->enabled, &rs->params, d);
	}
	for (size_t i = 0; i < r->nchecks; i++) {
		struct rcheck *rc = &r->checks[i];
		const struct check *c = rc->def;
		rc->enabled = resolve_item(r, &c->it, "check", d);
		if (c->type)
			resolve_params(r, &c->it, "check", c->type->name, c->type->params, c->type->validate,
				       rc->enabled, &rc->params, d);
	}
	/* what a later profile replaced is still part of its file: report its errors too */
	for (size_t i = 0; i < r->nreplaced_steps; i++) {
		const struct step *s = r->replaced_steps[i];
		enum enabled en = resolve_item(r, &s->it, "step", d);
		if (s->type)
			resolve_params(r, &s->it, "step", s->type->name, s->type->params, s->type->validate,
				       en, NULL, d);
	}
	for (size_t i = 0; i < r->nreplaced_checks; i++) {
		const struct check *c = r->replaced_checks[i];
		enum enabled en = resolve_item(r, &c->it, "check", d);
		if (c->type)
			resolve_params(r, &c->it, "check", c->type->name, c->type->params, c->type->validate,
				       en, NULL, d);
	}
}

static void resolve_waivers(struct resolved *r, struct diags *d)
{
	const char **ids = xcalloc(r->nchecks + 1, sizeof(*ids));
	for (size_t i = 0; i < r->nchecks; i++)
		ids[i] = r->checks[i].def->it.id;
	for (size_t i = 0; i < r->nwaivers; i++) {
		const struct waiver *w = r->waivers[i];
		size_t j;
		for (j = 0; j < r->nchecks; j++)
			if (!strcmp(ids[j], w->check))
				break;
		if (j < r->nchecks) {
			if (w->days_left >= 0)
				r->checks[j].waiver = w;
			continue;
		}
		const char *hint = str_suggest(w->check, ids);
		if (hint)
			diag_error(d, w->check_pos, "waiver names unknown check '%s' (did you mean '%s'?)",
				   w->check, hint);
		else
			diag_error(d, w->check_pos, "waiver names unknown check '%s'", w->check);
	}
	free(ids);
}

static int resolve_top(struct loader *l, struct profile *top, struct resolved **out,
		       struct diags *d, size_t errors)
{
	struct resolved *r = NULL;
	struct walk w;
	int ret = -1;

	memset(&w, 0, sizeof(w));
	w.l = l;
	w.d = d;
	*out = NULL;
	if (!top)
		goto out;
	walk_extends(&w, top);

	r = xcalloc(1, sizeof(*r));
	vars_init(&r->vars);
	r->top = top;
	r->chain = w.order;
	r->nchain = w.norder;
	w.order = NULL;
	merge(r);
	apply_overrides(l, r, d);
	resolve_items(r, d);
	resolve_waivers(r, d);
	if (d->errors > errors)
		goto out;
	*out = r;
	r = NULL;
	ret = 0;
out:
	resolved_free(r);
	free(w.stack);
	free(w.order);
	return ret;
}

int loader_resolve(struct loader *l, const char *ref, struct resolved **out, struct diags *d)
{
	size_t errors = d->errors;
	return resolve_top(l, find_profile(l, ref, NULL, nopos(), d), out, d, errors);
}

int loader_resolve_buffer(struct loader *l, const char *source, const char *data, size_t len,
			  struct resolved **out, struct diags *d)
{
	size_t errors = d->errors;
	char *ident = xasprintf("buffer:%s", source);
	struct profile *p = find_loaded(l, ident);
	if (!p)
		p = remember(l, profile_parse(l, source, ident, ".", 0, data, len, d));
	free(ident);
	return resolve_top(l, p, out, d, errors);
}

/* ---- the loader ---- */

struct loader *loader_new(const struct loader_opts *opts)
{
	struct loader *l = xcalloc(1, sizeof(*l));
	char today[16];

	if (opts->today)
		l->today = xstrdup(opts->today);
	else {
		date_today(today, sizeof(today));
		l->today = xstrdup(today);
	}
	if (date_parse(l->today, &l->today_days) < 0)
		l->today_days = 0;
	l->config_dir = opts->config_dir ? xstrdup(opts->config_dir) : NULL;
	vars_init(&l->overrides);
	return l;
}

void loader_free(struct loader *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nfiles; i++)
		profile_free(l->files[i]);
	free(l->files);
	for (size_t i = 0; i < l->nvar_docs; i++)
		ydoc_free(l->var_docs[i]);
	free(l->var_docs);
	vars_release(&l->overrides);
	free(l->today);
	free(l->config_dir);
	free(l);
}

int loader_add_var(struct loader *l, const char *assignment, struct diags *d)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		diag_error(d, nopos(), "--var expects KEY=VALUE, found '%s'", assignment);
		return -1;
	}
	char *name = xstrndup(assignment, (size_t)(eq - assignment));
	int ret = 0;
	if (!vars_valid_name(name)) {
		diag_error(d, nopos(), "--var: invalid variable name '%s'", name);
		ret = -1;
	} else {
		vars_set(&l->overrides, name, eq + 1, nopos(), "--var");
	}
	free(name);
	return ret;
}

int loader_add_var_file(struct loader *l, const char *path, struct diags *d)
{
	char *data = NULL;
	size_t len = 0;
	struct ydoc *doc = NULL;
	int ret = -1;
	size_t errors = d->errors;

	int r = read_file(path, PROFILE_MAX_BYTES, &data, &len);
	if (r < 0) {
		diag_error(d, nopos(), "cannot read variable file '%s': %s", path,
			   r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
		goto out;
	}
	if (ytree_parse(path, data, len, &doc, d) < 0)
		goto out;
	ALLOC_GROW(l->var_docs, l->nvar_docs + 1, l->cvar_docs);
	l->var_docs[l->nvar_docs++] = doc;
	const struct ynode *root = doc->root;
	if (!root || root->kind != YNODE_MAP) {
		struct srcpos p = root ? root->pos : (struct srcpos){ doc->file, 1, 1 };
		diag_error(d, p, "a variable file must be a mapping of names to values, found %s",
			   root ? ynode_kind_name(root) : "nothing");
		goto out;
	}
	char *origin = xasprintf("--var-file %s", path);
	for (size_t i = 0; i < root->n; i++) {
		const struct ynode *k = root->keys[i], *v = root->vals[i];
		if (!vars_valid_name(k->str))
			diag_error(d, k->pos, "invalid variable name '%s'", k->str);
		else if (v->kind != YNODE_SCALAR)
			diag_error(d, v->pos, "variable '%s' must be a string, found %s", k->str,
				   ynode_kind_name(v));
		else
			vars_set(&l->overrides, k->str, ynode_is_null(v) ? "" : v->str, v->pos, origin);
	}
	free(origin);
	if (d->errors == errors)
		ret = 0;
out:
	free(data);
	return ret;
}
