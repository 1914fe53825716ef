#include "eol.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundled.h"
#include "date.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* Generated from data/eol/NAME.json by scripts/embed.c; sorted by name. */
extern const struct bundled_file eol_data[];

/* A cached file is read into memory whole; the largest product is ~15 KiB. */
#define EOL_MAX_FILE (16u << 20)

/* ---- the database ---- */

static void cycle_release(struct eol_cycle *c)
{
	free(c->cycle);
	free(c->codename);
	free(c->release_date);
	free(c->latest);
}

static void product_release(struct eol_product *p)
{
	for (size_t i = 0; i < p->n; i++)
		cycle_release(&p->cycles[i]);
	free(p->cycles);
	free(p->name);
	free(p->origin);
	memset(p, 0, sizeof(*p));
}

void eol_db_init(struct eol_db *db)
{
	memset(db, 0, sizeof(*db));
}

void eol_db_release(struct eol_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		product_release(&db->v[i]);
	free(db->v);
	memset(db, 0, sizeof(*db));
}

const struct eol_product *eol_db_find(const struct eol_db *db, const char *name)
{
	for (size_t i = 0; i < db->n; i++)
		if (!strcmp(db->v[i].name, name))
			return &db->v[i];
	return NULL;
}

/* Product names are file names: lowercase letters, digits, '-', '_' and '.', not first. */
static int valid_name(const char *s, size_t n)
{
	if (!n || n > 64 || s[0] == '.' || s[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

static struct eol_value value_of(const cJSON *o, const char *key)
{
	struct eol_value v = { EOLV_ABSENT, -1, "" };
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!j || cJSON_IsNull(j))
		return v;
	if (cJSON_IsTrue(j)) {
		v.kind = EOLV_TRUE;
	} else if (cJSON_IsFalse(j)) {
		v.kind = EOLV_FALSE;
	} else if (cJSON_IsString(j) && strlen(j->valuestring) == 10 &&
		   date_parse(j->valuestring, &v.day) == 0) {
		v.kind = EOLV_DATE;
		memcpy(v.date, j->valuestring, 11);
	} else {
		v.kind = EOLV_BAD;
		v.day = -1;
	}
	return v;
}

static char *string_of(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(j) ? xstrdup(j->valuestring) : NULL;
}

int eol_db_add_json(struct eol_db *db, const char *name, const char *text, size_t len,
		    const char *origin, char **err)
{
	struct eol_product p = { 0 };
	cJSON *root = NULL;
	const cJSON *el;
	size_t idx = 0;
	int ret = -1;

	if (!valid_name(name, strlen(name))) {
		*err = xasprintf("'%s' is not a product name", name);
		goto out;
	}
	root = cJSON_ParseWithLength(text, len);
	if (!root) {
		*err = xasprintf("%s: not valid JSON", origin);
		goto out;
	}
	if (!cJSON_IsArray(root)) {
		*err = xasprintf("%s: not an array of release cycles", origin);
		goto out;
	}
	p.name = xstrdup(name);
	p.origin = xstrdup(origin);
	cJSON_ArrayForEach(el, root) {
		const cJSON *cy = cJSON_GetObjectItemCaseSensitive(el, "cycle");
		if (!cJSON_IsObject(el) || !cJSON_IsString(cy) || !*cy->valuestring) {
			*err = xasprintf("%s: element %zu has no \"cycle\" string", origin, idx);
			goto out;
		}
		ALLOC_GROW(p.cycles, p.n + 1, p.alloc);
		struct eol_cycle *c = &p.cycles[p.n++];
		c->cycle = xstrdup(cy->valuestring);
		c->codename = string_of(el, "codename");
		c->release_date = string_of(el, "releaseDate");
		c->latest = string_of(el, "latest");
		c->eol = value_of(el, "eol");
		c->support = value_of(el, "support");
		c->extended = value_of(el, "extendedSupport");
		c->lts = value_of(el, "lts");
		idx++;
	}
	for (size_t i = 0; i < db->n; i++)
		if (!strcmp(db->v[i].name, name)) {
			product_release(&db->v[i]);
			db->v[i] = p; /* ownership moves to db */
			memset(&p, 0, sizeof(p));
			ret = 0;
			goto out;
		}
	ALLOC_GROW(db->v, db->n + 1, db->alloc);
	db->v[db->n++] = p; /* ownership moves to db */
	memset(&p, 0, sizeof(p));
	ret = 0;
out:
	cJSON_Delete(root);
	product_release(&p);
	return ret;
}

const char *eol_bundled(const char *name, size_t *len)
{
	for (const struct bundled_file *f = eol_data; f->name; f++)
		if (!strcmp(f->name, name)) {
			*len = f->len;
			return f->data;
		}
	*len = 0;
	return NULL;
}

const char *eol_bundled_name(size_t i)
{
	size_t n = 0;
	while (eol_data[n].name)
		n++;
	return i < n ? eol_data[i].name : NULL;
}

static long bundled_day(void)
{
	long d = 0;
	date_parse(EOL_BUNDLED_DATE, &d);
	return d;
}

/*
 * Read cache_dir/NAME.json into db when it exists and is not older than the
 * bundled snapshot. 1 when it was read, 0 when there is none (or it is
 * stale), -1 and *err on a bad file.
 */
static int add_cached(struct eol_db *db, const char *cache_dir, const char *name, char **err)
{
	char *path = xasprintf("%s/%s.json", cache_dir, name);
	char *data = NULL;
	size_t len = 0;
	struct stat st;
	int ret = 0, e;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT && errno != ENOTDIR) {
			*err = xasprintf("cannot read '%s': %s", path, strerror(errno));
			ret = -1;
		}
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (long)(st.st_mtime / 86400) < bundled_day())
		goto out;
	e = read_file(path, EOL_MAX_FILE, &data, &len);
	if (e < 0) {
		*err = xasprintf("cannot read '%s': %s", path, strerror(-e));
		ret = -1;
		goto out;
	}
	ret = eol_db_add_json(db, name, data, len, path, err) < 0 ? -1 : 1;
out:
	free(data);
	free(path);
	return ret;
}

static int add_bundled(struct eol_db *db, const char *name, char **err)
{
	size_t len;
	const char *text = eol_bundled(name, &len);
	if (!text) {
		*err = xasprintf("no end-of-life data for '%s'", name);
		return -1;
	}
	return eol_db_add_json(db, name, text, len, EOL_ORIGIN_BUNDLED, err);
}

int eol_db_load_product(struct eol_db *db, const char *name, const char *cache_dir, char **err)
{
	if (eol_db_find(db, name))
		return 0;
	if (!valid_name(name, strlen(name))) {
		*err = xasprintf("no end-of-life data for '%s'", name);
		return -1;
	}
	if (cache_dir) {
		int r = add_cached(db, cache_dir, name, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	return add_bundled(db, name, err);
}

int eol_db_load(struct eol_db *db, const char *cache_dir, char **err)
{
	DIR *dir;
	struct dirent *de;
	int ret = 0;

	for (const struct bundled_file *f = eol_data; f->name; f++)
		if (eol_db_add_json(db, f->name, f->data, f->len, EOL_ORIGIN_BUNDLED, err) < 0)
			return -1;
	if (!cache_dir)
		return 0;
	dir = opendir(cache_dir);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		*err = xasprintf("cannot read '%s': %s", cache_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir))) {
		size_t n = strlen(de->d_name);
		if (n <= 5 || strcmp(de->d_name + n - 5, ".json") || !valid_name(de->d_name, n - 5))
			continue;
		char *name = xstrndup(de->d_name, n - 5);
		int r = add_cached(db, cache_dir, name, err);
		free(name);
		if (r < 0) {
			ret = -1;
			break;
		}
	}
	closedir(dir);
	return ret;
}

/* ---- cycles ---- */

int eol_cycle_match(const char *cycle, const char *version)
{
	size_t n = strlen(cycle);
	if (!n)
		return 0;
	if (!strcmp(cycle, version))
		return 2;
	return !strncmp(cycle, version, n) && version[n] == '.';
}

const struct eol_cycle *eol_cycle_find(const struct eol_product *p, const char *version)
{
	const struct eol_cycle *best = NULL;
	size_t best_len = 0;

	if (!p || !version)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		int m = eol_cycle_match(p->cycles[i].cycle, version);
		if (m == 2)
			return &p->cycles[i];
		size_t len = strlen(p->cycles[i].cycle);
		if (m == 1 && len > best_len) {
			best = &p->cycles[i];
			best_len = len;
		}
	}
	return best;
}

/* ---- judging ---- */

const char *eol_status_name(enum eol_status s)
{
	switch (s) {
	case EOL_MAINTAINED: return "maintained";
	case EOL_ENDED: return "not maintained";
	case EOL_UNKNOWN: break;
	}
	return "unknown";
}

const char *eol_value_text(const struct eol_value *v)
{
	switch (v->kind) {
	case EOLV_ABSENT: return "absent";
	case EOLV_FALSE: return "false";
	case EOLV_TRUE: return "true";
	case EOLV_DATE: return v->date;
	case EOLV_BAD: break;
	}
	return "invalid";
}

enum eol_status eol_judge(const struct eol_cycle *c, long today, int allow_extended,
			  struct eol_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->field = "eol";
	v->value = c->eol;
	v->eol = c->eol;
	v->extended = c->extended;
	switch (c->eol.kind) {
	case EOLV_DATE:
		if (today <= c->eol.day)
			return v->status = EOL_MAINTAINED;
		break;
	case EOLV_FALSE:
		return v->status = EOL_MAINTAINED;
	case EOLV_TRUE:
		break;
	case EOLV_ABSENT:
	case EOLV_BAD:
		return v->status = EOL_UNKNOWN;
	}
	/* The eol day has passed (or eol is true): what of extended support? */
	switch (c->extended.kind) {
	case EOLV_DATE:
		v->extended_left = today <= c->extended.day;
		break;
	case EOLV_TRUE:
		v->extended_left = 1;
		break;
	case EOLV_BAD:
		if (allow_extended) {
			v->field = "extendedSupport";
			v->value = c->extended;
			return v->status = EOL_UNKNOWN;
		}
		break;
	case EOLV_ABSENT:
	case EOLV_FALSE:
		break;
	}
	if (allow_extended && v->extended_left) {
		v->field = "extendedSupport";
		v->value = c->extended;
		v->by_extended = 1;
		v->extended_left = 0;
		return v->status = EOL_MAINTAINED;
	}
	return v->status = EOL_ENDED;
}

void eol_day_text(long day, char *buf, size_t size)
{
	/* civil_from_days (Howard Hinnant), the inverse of date_parse */
	long z = day + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp + (mp < 10 ? 3 : -9);
	snprintf(buf, size, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* "eol 2024-06-30 passed 881 days before 2026-11-28", "eol true: ended, no date given" */
static void add_ended(struct strbuf *sb, const char *field, const struct eol_value *x, long today,
		      const char *t)
{
	if (x->kind == EOLV_DATE)
		strbuf_addf(sb, "%s %s passed %ld days before %s", field, x->date, today - x->day, t);
	else
		strbuf_addf(sb, "%s true: ended, no date given", field);
}

char *eol_verdict_text(const struct eol_verdict *v, long today)
{
	struct strbuf sb = STRBUF_INIT;
	char t[16];
	const struct eol_value *x = &v->value;

	eol_day_text(today, t, sizeof(t));
	switch (v->status) {
	case EOL_UNKNOWN:
		if (x->kind == EOLV_ABSENT)
			strbuf_addf(&sb, "%s is not in the data", v->field);
		else
			strbuf_addf(&sb, "%s is neither a date nor a boolean", v->field);
		break;
	case EOL_MAINTAINED:
		if (v->by_extended) {
			add_ended(&sb, "eol", &v->eol, today, t);
			if (x->kind == EOLV_DATE)
				strbuf_addf(&sb, ", extendedSupport %s not reached: %ld days left", x->date,
					    x->day - today);
			else
				strbuf_addstr(&sb, ", extendedSupport true: no end announced");
		} else if (x->kind == EOLV_DATE) {
			strbuf_addf(&sb, "eol %s not reached on %s: %ld days left", x->date, t,
				    x->day - today);
		} else {
			strbuf_addstr(&sb, "eol false: no end announced");
		}
		break;
	case EOL_ENDED:
		add_ended(&sb, "eol", x, today, t);
		if (v->extended_left && v->extended.kind == EOLV_DATE)
			strbuf_addf(&sb, "; extendedSupport %s does not count (allow_extended is off)",
				    v->extended.date);
		else if (v->extended_left)
			strbuf_addstr(&sb, "; extendedSupport true (no end announced) does not count "
					   "(allow_extended is off)");
		else if (v->extended.kind == EOLV_DATE)
			strbuf_addf(&sb, ", extendedSupport %s passed too", v->extended.date);
		break;
	}
	return strbuf_detach(&sb);
}

char *eol_cycle_text(const struct eol_cycle *c)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "eol %s", eol_value_text(&c->eol));
	if (c->support.kind != EOLV_ABSENT)
		strbuf_addf(&sb, ", support %s", eol_value_text(&c->support));
	if (c->extended.kind != EOLV_ABSENT)
		strbuf_addf(&sb, ", extendedSupport %s", eol_value_text(&c->extended));
	if (c->lts.kind != EOLV_ABSENT)
		strbuf_addf(&sb, ", lts %s", eol_value_text(&c->lts));
	if (c->latest)
		strbuf_addf(&sb, ", latest %s", c->latest);
	return strbuf_detach(&sb);
}

char *eol_maintained_cycles(const struct eol_product *p, long today, int allow_extended,
			    size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 0;

	for (size_t i = 0; p && i < p->n && n < max; i++) {
		struct eol_verdict v;
		if (eol_judge(&p->cycles[i], today, allow_extended, &v) != EOL_MAINTAINED)
			continue;
		strbuf_addf(&sb, "%s%s", n ? ", " : "", p->cycles[i].cycle);
		n++;
	}
	return strbuf_detach(&sb);
}

char *eol_cycle_names(const struct eol_product *p, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; p && i < p->n && i < max; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", p->cycles[i].cycle);
	if (p && p->n > max)
		strbuf_addstr(&sb, ", ...");
	return strbuf_detach(&sb);
}

char *eol_origin_text(const struct eol_product *p, long today)
{
	char t[16];
	long snap = 0;

	if (strcmp(p->origin, EOL_ORIGIN_BUNDLED) || date_parse(EOL_BUNDLED_DATE, &snap) < 0)
		return xstrdup(p->origin);
	eol_day_text(today, t, sizeof(t));
	if (today >= snap)
		return xasprintf("bundled endoflife.date snapshot of %s (%ld days before %s)",
				 EOL_BUNDLED_DATE, today - snap, t);
	return xasprintf("bundled endoflife.date snapshot of %s", EOL_BUNDLED_DATE);
}

/* ---- products of operating systems and programs ---- */

static const struct {
	const char *id, *product;
} os_products[] = {
	{ "debian", "debian" },
	{ "ubuntu", "ubuntu" },
	{ "centos", "centos" },
	{ "centos-stream", "centos-stream" },
	{ "rhel", "rhel" },
	{ "rocky", "rocky-linux" },
	{ "almalinux", "almalinux" },
	{ "alinux", "alibaba-cloud-linux" },
	{ "opensuse-leap", "opensuse" },
	{ "opensuse", "opensuse" }, /* Leap 42 and older: ID=opensuse */
	{ "sles", "sles" },
	{ "amzn", "amazon-linux" },
	{ "ol", "oracle-linux" },
	{ "fedora", "fedora" },
};

const char *eol_os_product(const char *id, const char *name)
{
	if (!id)
		return NULL;
	/* CentOS Stream's os-release says ID="centos" too */
	if (!strcmp(id, "centos") && name && strstr(name, "Stream"))
		return "centos-stream";
	for (size_t i = 0; i < ARRAY_SIZE(os_products); i++)
		if (!strcmp(id, os_products[i].id))
			return os_products[i].product;
	return NULL;
}

static const struct {
	const char *name, *product;
} program_products[] = {
	{ "php", "php" },
	{ "php-fpm", "php" },
	{ "mysqld", "mysql" }, /* or MariaDB's, by its version text */
	{ "mariadbd", "mariadb" },
	{ "nginx", "nginx" },
	{ "httpd", "apache-http-server" },
	{ "apache2", "apache-http-server" },
	{ "node", "nodejs" },
	{ "java", "eclipse-temurin" }, /* the generic OpenJDK lifecycle (SOURCES.md) */
	{ "redis-server", "redis" },
	{ "postgres", "postgresql" },
	{ "proftpd", "proftpd" },
	{ "tomcat", "tomcat" },
	{ "jetty", "eclipse-jetty" },
};

static int contains_nocase(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20))
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

const char *eol_program_product(const char *name, const char *version_text)
{
	if (!name)
		return NULL;
	if (!strcmp(name, "mysqld") && version_text && contains_nocase(version_text, "mariadb"))
		return "mariadb";
	for (size_t i = 0; i < ARRAY_SIZE(program_products); i++)
		if (!strcmp(name, program_products[i].name))
			return program_products[i].product;
	return NULL;
}

char *eol_program_version(const char *product, const char *version)
{
	if (!version)
		return NULL;
	/* Java 8 and older call themselves 1.8, 1.7: the cycle is the second number */
	if (!strcmp(product, "eclipse-temurin") && !strncmp(version, "1.", 2) && version[2] >= '0' &&
	    version[2] <= '9')
		return xstrdup(version + 2);
	return xstrdup(version);
}
