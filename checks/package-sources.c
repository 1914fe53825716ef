/*
 * package-sources: the package repositories of the target are official
 * channels of its distribution (clause 2.1-4: "download software through
 * official channels").
 *
 * Which channels are official is data, not code: data/official-sources.json,
 * compiled into the binary. Its shape:
 *
 *	{
 *	  "schema": "shelfready.official-sources/1",
 *	  "distributions": [
 *	    { "ids": ["debian"], "name": "Debian",
 *	      "sources": ["deb.debian.org", "ftp.*.debian.org", "mirrors.aliyun.com/debian", ...] },
 *	    ...
 *	  ],
 *	  "groups": [
 *	    { "name": "epel", "title": "EPEL (...)", "sources": ["dl.fedoraproject.org/pub/epel", ...] }
 *	  ]
 *	}
 *
 * A distribution is chosen by os-release ID among "ids", else by the first
 * word of ID_LIKE that has an entry. A group is a set of channels that are
 * not the distribution's own content (EPEL): their repositories are not
 * official, but a profile may accept a group by naming it in extra_official.
 *
 * Every entry of "sources" (and of extra_official) is a pattern:
 * - HOST: any URL on that host (port and user ignored, case ignored). A
 *   leading "*." stands for one or more labels ("*.archive.ubuntu.com" is
 *   cn.archive.ubuntu.com and us-east-1.ec2.archive.ubuntu.com, not
 *   archive.ubuntu.com); "*" inside a label matches within the label
 *   ("ftp.*.debian.org", "mirrorcache-*.opensuse.org").
 * - HOST/PATH: URLs on HOST whose path (with its query) starts with /PATH,
 *   ending there or at a "/" or "?" ("mirrors.aliyun.com/debian" is not
 *   mirrors.aliyun.com/debian-security); a final "*" makes it a plain prefix
 *   ("mirrors.fedoraproject.org/metalink?repo=epel-*"). A URL whose path has
 *   dot segments or %-escapes matches no pattern with a path.
 * - anything with a ":" is a URL prefix, matched the same way
 *   ("plugin:/susecloud", "https://repo.vendor.example/stable").
 * - a single word (no ".", "/" or ":"): a group, in extra_official only.
 *
 * EPEL is a group, not official: it is the Fedora Project's, not the
 * distribution's; its packages get neither the distribution's review nor
 * its security support. A profile that relies on it says so with
 * `extra_official: [epel]`.
 *
 * Repositories on the target are URLs in apt lines, deb822 URIs, .repo
 * baseurl/mirrorlist/metalink and apk lines (facts: sources.repos). apt's
 * "mirror+" and "tor+" transports are looked through. A local repository
 * (file:, cdrom:, a path) is not an official channel; a "mirror+file:" list
 * cannot be judged (the gather does not read the file it names).
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundled.h"
#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "banned.h"

#define SOURCES_SCHEMA "shelfready.official-sources/1"

/* The compiled-in copy of data/official-sources.json (Makefile). */
extern const struct bundled_file embedded_official_sources[];

static const struct param_spec package_sources_params[] = {
	{ "extra_official", PK_STRING_LIST, 0, NULL,
	  "more official channels: host patterns (repo.vendor.example, mirrors.example.com/vendor, "
	  "*.cdn.example.com), URL prefixes, or a group of data/official-sources.json such as epel",
	  NULL, 0, 0 },
	{ "allow_disabled", PK_BOOL, 0, "true", "disabled repositories are not judged", NULL, 0, 0 },
	PARAM_END,
};

/* ---- the data ---- */

static cJSON *load_data(char **err)
{
	const struct bundled_file *b = embedded_official_sources;
	cJSON *root;
	const cJSON *schema;

	while (b->name && strcmp(b->name, "official-sources"))
		b++;
	if (!b->name) {
		*err = xstrdup("no list of official sources is compiled in");
		return NULL;
	}
	root = cJSON_ParseWithLength(b->data, b->len);
	schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (!root || !cJSON_IsString(schema) || strcmp(schema->valuestring, SOURCES_SCHEMA)) {
		*err = xstrdup("the compiled-in list of official sources is not a " SOURCES_SCHEMA
			       " document");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static int has_word(const cJSON *arr, const char *w, size_t n)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strlen(it->valuestring) == n && !memcmp(it->valuestring, w, n))
			return 1;
	return 0;
}

/* The entry of distribution ID (n bytes), or NULL. */
static const cJSON *dist_by_id(const cJSON *root, const char *id, size_t n)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(root, "distributions"))
		if (has_word(cJSON_GetObjectItemCaseSensitive(d, "ids"), id, n))
			return d;
	return NULL;
}

/* The entry for the target: by ID, else by the first word of ID_LIKE that has one. */
static const cJSON *find_dist(const cJSON *root, const struct facts_os *os)
{
	const cJSON *d = os->id ? dist_by_id(root, os->id, strlen(os->id)) : NULL;
	const char *p = os->id_like;

	while (!d && p && *p) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n)
			d = dist_by_id(root, p, n);
		p += n;
	}
	return d;
}

static const cJSON *find_group(const cJSON *root, const char *name)
{
	const cJSON *g;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(root, "groups")) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "name");
		if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
			return g;
	}
	return NULL;
}

static const char *str_of(const cJSON *obj, const char *key, const char *def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(v) ? v->valuestring : def;
}

/* ---- patterns ---- */

static int is_group_name(const char *pat)
{
	return *pat && !strpbrk(pat, ".:/");
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* s[0..sn) matches p[0..pn) where '*' is any run of characters; case ignored. */
static int glob(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < pn && lower(p[pi]) == lower(s[si])) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return 0;
		}
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

/* Label by label, "*" within a label; a leading "*." is one or more labels. */
static int host_match(const char *p, size_t pn, const char *h, size_t hn)
{
	if (pn >= 2 && p[0] == '*' && p[1] == '.') {
		/* the host's last labels match the rest, and at least one label is left over */
		size_t labels = 1, dots = 0, start = hn;
		for (size_t i = 2; i < pn; i++)
			labels += p[i] == '.';
		while (start > 0) {
			if (h[start - 1] == '.' && ++dots == labels)
				break;
			start--;
		}
		return dots == labels && start >= 2 && host_match(p + 2, pn - 2, h + start, hn - start);
	}
	while (pn || hn) {
		const char *pd = memchr(p, '.', pn), *hd = memchr(h, '.', hn);
		size_t pl = pd ? (size_t)(pd - p) : pn, hl = hd ? (size_t)(hd - h) : hn;
		if (!hl || !glob(p, pl, h, hl) || !pd != !hd)
			return 0;
		if (!pd)
			return 1;
		p += pl + 1;
		pn -= pl + 1;
		h += hl + 1;
		hn -= hl + 1;
	}
	return 1;
}

/* s starts with prefix p (pn bytes) at a boundary: end, '/', '?'; or p ends with '/' or '*'. */
static int prefix_match(const char *p, size_t pn, const char *s)
{
	if (pn && p[pn - 1] == '*')
		return !strncmp(s, p, pn - 1);
	if (strncmp(s, p, pn))
		return 0;
	return (pn && p[pn - 1] == '/') || s[pn] == '\0' || s[pn] == '/' || s[pn] == '?';
}

/* Is pat a pattern this check understands? */
static int pattern_ok(const char *pat)
{
	size_t hn = strcspn(pat, "/");

	if (!*pat || strpbrk(pat, " \t\r\n"))
		return 0;
	if (strchr(pat, ':'))
		return 1;
	if (!hn || pat[0] == '.' || pat[hn - 1] == '.')
		return 0;
	for (size_t i = 0; i < hn; i++) {
		char c = lower(pat[i]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == '*' || c == '_'))
			return 0;
		if (c == '.' && pat[i + 1] == '.')
			return 0;
	}
	return 1;
}

/* A repository URL, taken apart. */
struct url {
	const char *text;  /* without apt's mirror+ and tor+ */
	char *host;        /* lowercase; NULL for a local repository */
	const char *path;  /* after the host: path and query, "" when none */
	int mirror_file;   /* apt's mirror+file: a mirror list on the target */
};

static void url_parse(struct url *u, const char *raw)
{
	const char *s = raw, *sep, *h, *end, *at;
	int mirror = 0;

	for (;;) {
		if (!strncmp(s, "mirror+", 7)) {
			s += 7;
			mirror = 1;
		} else if (!strncmp(s, "tor+", 4)) {
			s += 4;
		} else {
			break;
		}
	}
	u->text = s;
	u->host = NULL;
	u->path = "";
	u->mirror_file = mirror && !strncmp(s, "file:", 5);
	sep = strstr(s, "://");
	if (!sep || strcspn(s, "/") < (size_t)(sep - s) || !strncmp(s, "file:", 5))
		return; /* a path, file:, cdrom:[...], plugin:... */
	h = sep + 3;
	end = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(end - h));
	while (at) { /* the last '@' ends the user part */
		h = at + 1;
		at = memchr(h, '@', (size_t)(end - h));
	}
	const char *hend = end;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (rb) {
			h++;
			hend = rb;
		}
	} else {
		const char *colon = memchr(h, ':', (size_t)(end - h));
		if (colon)
			hend = colon;
	}
	if (hend == h)
		return;
	u->host = xstrndup(h, (size_t)(hend - h));
	for (char *p = u->host; *p; p++)
		*p = lower(*p);
	u->path = end;
}

/*
 * A path that a server may resolve elsewhere than it reads: dot segments
 * ("/debian/../docker-ce") or escapes ("%2e"). Such a URL matches no pattern
 * with a path.
 */
static int path_tricky(const char *path)
{
	return strstr(path, "/.") || strchr(path, '%') || strchr(path, '\\');
}

static int url_matches(const struct url *u, const char *pat)
{
	if (strchr(pat, ':'))
		return !path_tricky(u->text) && prefix_match(pat, strlen(pat), u->text);
	if (!u->host)
		return 0;
	size_t hn = strcspn(pat, "/");
	if (!host_match(pat, hn, u->host, strlen(u->host)))
		return 0;
	return !pat[hn] || (!path_tricky(u->path) && prefix_match(pat + hn, strlen(pat + hn), u->path));
}

/* The first string of array sources that u matches, or NULL. */
static const char *match_any(const struct url *u, const cJSON *sources)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, sources)
		if (cJSON_IsString(it) && url_matches(u, it->valuestring))
			return it->valuestring;
	return NULL;
}

/* ---- judging ---- */

/* What the repositories are judged against. */
struct official {
	cJSON *root;
	const cJSON *dist;       /* NULL: no list for this distribution */
	const char *dist_name;
	const struct pval *extra; /* extra_official, NULL when not given */
};

enum verdict { V_OFFICIAL, V_THIRD_PARTY, V_LOCAL, V_UNKNOWN };

/*
 * Judge one URL; *why gets the pattern or list that made it official, or the
 * group a third-party URL belongs to (NULL when none).
 */
static enum verdict judge_url(const struct official *o, const struct url *u, const char **why,
			      const char **group)
{
	const cJSON *g;

	*why = *group = NULL;
	if (o->dist && match_any(u, cJSON_GetObjectItemCaseSensitive(o->dist, "sources"))) {
		*why = o->dist_name;
		return V_OFFICIAL;
	}
	for (size_t i = 0; o->extra && i < o->extra->n; i++) {
		const char *pat = o->extra->items[i].s;
		if (is_group_name(pat)) {
			g = find_group(o->root, pat);
			if (g && match_any(u, cJSON_GetObjectItemCaseSensitive(g, "sources"))) {
				*why = pat;
				return V_OFFICIAL;
			}
		} else if (url_matches(u, pat)) {
			*why = pat;
			return V_OFFICIAL;
		}
	}
	if (u->mirror_file)
		return V_UNKNOWN;
	cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(o->root, "groups"))
		if (match_any(u, cJSON_GetObjectItemCaseSensitive(g, "sources"))) {
			*group = str_of(g, "name", NULL);
			break;
		}
	return u->host ? V_THIRD_PARTY : V_LOCAL;
}

/* "FILE: deb URL SUITES COMPONENTS" or "FILE [ID]: baseurl URL". */
static void describe(struct strbuf *sb, const struct facts_repo *r, const char *what,
		     const char *url)
{
	strbuf_addstr(sb, r->file ? r->file : "?");
	if (r->id)
		strbuf_addf(sb, " [%s]", r->id);
	strbuf_addstr(sb, ": ");
	if (r->kind && (!strcmp(r->kind, "apt") || !strcmp(r->kind, "deb822"))) {
		strbuf_addf(sb, "%s %s", r->types ? r->types : "deb", url);
		if (r->suites)
			strbuf_addf(sb, " %s", r->suites);
		if (r->components)
			strbuf_addf(sb, " %s", r->components);
	} else if (r->kind && strcmp(r->kind, "apk")) {
		strbuf_addf(sb, "%s %s", what, url);
	} else {
		strbuf_addstr(sb, url);
	}
}

static int seen_evidence(const struct check_result *r, const char *line)
{
	for (size_t i = 0; i < r->nevidence; i++)
		if (!strcmp(r->evidence[i], line))
			return 1;
	return 0;
}

struct tally {
	size_t judged, disabled, third, unknown;
	struct strbuf official; /* evidence for a pass: one line per URL */
	struct facts_strs seen;
};

static void judge_words(const struct official *o, const struct facts_repo *repo, const char *words,
			const char *what, int *bad, int *unknown, struct tally *t,
			struct check_result *r)
{
	const char *p = words;

	while (p && *p) {
		size_t n;
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (!n)
			break;
		char *raw = xstrndup(p, n);
		struct url u;
		const char *why, *group;
		struct strbuf sb = STRBUF_INIT;
		p += n;

		url_parse(&u, raw);
		enum verdict v = judge_url(o, &u, &why, &group);
		if (v == V_OFFICIAL) {
			if (!facts_strs_has(&t->seen, raw)) {
				facts_strs_push(&t->seen, raw, strlen(raw));
				strbuf_addf(&t->official, "official (%s): %s\n", why, raw);
			}
		} else {
			if (v == V_UNKNOWN) {
				*unknown = 1;
				strbuf_addstr(&sb, "cannot tell (a mirror list in a file the gather does not read): ");
			} else {
				*bad = 1;
				strbuf_addstr(&sb, v == V_LOCAL ? "local repository, not an official channel: "
								: "not an official channel: ");
			}
			describe(&sb, repo, what, raw);
			if (group)
				strbuf_addf(&sb, " (%s: to accept it, add '%s' to extra_official)", group, group);
			if (!seen_evidence(r, sb.buf))
				check_evidence(r, "%s", sb.buf);
		}
		strbuf_release(&sb);
		free(u.host);
		free(raw);
	}
}

static void package_sources_eval(const struct params *p, const struct check_env *env,
				 struct check_result *r)
{
	const struct facts *f = env->f;
	const struct param *extra = params_get(p, "extra_official");
	const struct param *ad = params_get(p, "allow_disabled");
	int allow_disabled = ad ? ad->v.i != 0 : 1;
	struct official o = { NULL, NULL, NULL, extra ? &extra->v : NULL };
	struct tally t = { 0, 0, 0, 0, STRBUF_INIT, { NULL, 0, 0 } };
	char *err = NULL;

	if (!f->sources.src.section) {
		check_error(r, "the package sources were not collected");
		check_remedy(r, "gather the facts again with this version of shelfready");
		return;
	}
	if (!f->sources.src.complete) {
		check_error(r, "the list of package sources was cut off");
		check_remedy(r, "gather the facts again");
		return;
	}
	o.root = load_data(&err);
	if (!o.root) {
		check_error(r, "%s", err);
		free(err);
		return;
	}
	if (!f->os.src.section) {
		check_error(r, "the distribution was not collected: cannot tell which channels are official");
		check_remedy(r, "gather the facts again");
		goto out;
	}
	o.dist = find_dist(o.root, &f->os);
	o.dist_name = o.dist ? str_of(o.dist, "name", "?") : NULL;
	if (!o.dist && !o.extra) {
		check_error(r, "no list of official package sources for '%s'", f->os.id ? f->os.id : "?");
		check_remedy(r, "name the official mirrors of this distribution in extra_official");
		goto out;
	}

	for (size_t i = 0; i < f->sources.repos.n; i++) {
		const struct facts_repo *repo = &f->sources.repos.v[i];
		int bad = 0, unknown = 0;
		if (!repo->uris && !repo->mirrorlist)
			continue; /* nothing to download from */
		if (!repo->enabled && allow_disabled) {
			t.disabled++;
			continue;
		}
		t.judged++;
		judge_words(&o, repo, repo->uris, "baseurl", &bad, &unknown, &t, r);
		judge_words(&o, repo, repo->mirrorlist, "mirrorlist", &bad, &unknown, &t, r);
		t.third += bad;
		t.unknown += unknown && !bad;
	}

	struct strbuf note = STRBUF_INIT;
	if (t.disabled)
		strbuf_addf(&note, " (%zu disabled, not judged)", t.disabled);
	if (t.third) {
		check_fail(r, "%zu of %zu repositories are not official channels of %s%s", t.third,
			   t.judged, o.dist_name ? o.dist_name : f->os.id ? f->os.id : "the distribution",
			   note.buf ? note.buf : "");
		check_remedy(r, "remove or disable these repositories and install their software from the "
				"distribution; when a vendor documents a repository as the official channel "
				"of its software, add it to extra_official");
	} else if (t.unknown) {
		check_error(r, "cannot tell where %zu of %zu repositories download from%s", t.unknown,
			    t.judged, note.buf ? note.buf : "");
		check_remedy(r, "name the mirrors in the repository definition instead of a mirror list file");
	} else {
		const char *line = t.official.buf, *nl;
		while (line && (nl = strchr(line, '\n'))) {
			check_evidence(r, "%.*s", (int)(nl - line), line);
			line = nl + 1;
		}
		if (t.judged)
			check_pass(r, "all %zu repositories are official channels%s%s%s", t.judged,
				   o.dist_name ? " of " : "", o.dist_name ? o.dist_name : "",
				   note.buf ? note.buf : "");
		else
			check_pass(r, "no package repository is enabled%s", note.buf ? note.buf : "");
	}
	strbuf_release(&note);
out:
	strbuf_release(&t.official);
	facts_strs_release(&t.seen);
	cJSON_Delete(o.root);
}

static void package_sources_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *extra = params_get(p, "extra_official");
	char *err = NULL;
	cJSON *root;

	if (!extra)
		return;
	root = load_data(&err);
	for (size_t i = 0; i < extra->v.n; i++) {
		const struct pval *v = &extra->v.items[i];
		if (is_group_name(v->s)) {
			if (root && !find_group(root, v->s))
				diag_error(ctx->d, v->pos,
					   "'%s' in 'extra_official' of %s is not a host name nor a group of "
					   "official sources (write the host with its domain)",
					   v->s, ctx->owner);
		} else if (!pattern_ok(v->s)) {
			diag_error(ctx->d, v->pos,
				   "'%s' in 'extra_official' of %s is not a host pattern (HOST or HOST/PATH, "
				   "such as repo.vendor.example or mirrors.example.com/vendor)",
				   v->s, ctx->owner);
		}
	}
	free(err);
	cJSON_Delete(root);
}

const struct check_type check_package_sources = {
	.name = "package-sources",
	.summary = "package repositories are official channels of the distribution (clause 2.1-4)",
	.params = package_sources_params,
	.validate = package_sources_validate,
	.eval = package_sources_eval,
};
