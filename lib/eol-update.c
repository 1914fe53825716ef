/*
 * `shelfready eol update`: refresh the end-of-life cache from the live API.
 *
 * The cache directory holds NAME.json (the API's answer, as served) and
 * NAME.meta (a small JSON record of where and when it came from, with the
 * ETag and Last-Modified to make the next request conditional). eol_db_load
 * reads only the .json files, so a half-made cache can never be mistaken for
 * data: each file is replaced atomically, and only after it has been read
 * back the way the checks will read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cJSON.h>

#include "eol.h"
#include "http.h"
#include "util.h"
#include "banned.h"

#define EOL_META_MAX (64u << 10)

struct meta {
	char *etag, *last_modified;
};

static void meta_release(struct meta *m)
{
	free(m->etag);
	free(m->last_modified);
	m->etag = m->last_modified = NULL;
}

static char *json_str(const cJSON *o, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(j) && j->valuestring ? xstrdup(j->valuestring) : NULL;
}

/* The conditions of the last fetch, when both NAME.json and NAME.meta are there. */
static void meta_read(const char *dir, const char *name, struct meta *m)
{
	char *json = xasprintf("%s/%s.json", dir, name), *path = xasprintf("%s/%s.meta", dir, name);
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	cJSON *root = NULL;

	memset(m, 0, sizeof(*m));
	if (stat(json, &st) < 0 || read_file(path, EOL_META_MAX, &text, &len) < 0)
		goto out;
	root = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(root))
		goto out;
	m->etag = json_str(root, "etag");
	m->last_modified = json_str(root, "last_modified");
out:
	cJSON_Delete(root);
	free(text);
	free(path);
	free(json);
}

static int meta_write(const char *dir, const char *name, const char *url,
		      const struct http_response *resp, int changed)
{
	char *path = xasprintf("%s/%s.meta", dir, name), *text;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	cJSON *root = cJSON_CreateObject();
	int ret;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(root, "url", url);
	cJSON_AddStringToObject(root, "checked", now);
	cJSON_AddBoolToObject(root, "changed", changed);
	if (resp->etag)
		cJSON_AddStringToObject(root, "etag", resp->etag);
	if (resp->last_modified)
		cJSON_AddStringToObject(root, "last_modified", resp->last_modified);
	text = cJSON_Print(root);
	ret = text ? write_file_atomic(path, text, strlen(text), 0644) : -ENOMEM;
	cJSON_free(text);
	cJSON_Delete(root);
	free(path);
	return ret;
}

/* Mark NAME.json as confirmed current today, so it keeps winning over the bundled copy. */
static int touch(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s.json", dir, name);
	int ret = utimensat(AT_FDCWD, path, NULL, 0) < 0 ? -errno : 0;
	free(path);
	return ret;
}

/* One product; 0, or -1 with *msg (owned) and *code. */
static int update_one(struct http_client *hc, const char *base, const char *dir,
		      const char *name, struct eol_update_item *it, char **msg, int *code)
{
	char *url = xasprintf("%s/%s.json", base, name), *path = NULL, *err = NULL;
	struct http_response resp = HTTP_RESPONSE_INIT;
	struct error e = ERROR_INIT;
	struct http_cond cond;
	struct meta m;
	struct eol_db check;
	int ret = -1, r;

	eol_db_init(&check);
	meta_read(dir, name, &m);
	cond.etag = m.etag;
	cond.last_modified = m.last_modified;
	r = http_get(hc, url, &cond, &resp, &e);
	it->attempts = resp.attempts;
	if (r < 0) {
		*msg = xstrdup(e.msg);
		*code = r;
		goto out;
	}
	if (resp.status == 404) {
		it->state = EOLU_ABSENT;
		ret = 0;
		goto out;
	}
	if (resp.status == 304) {
		if ((r = touch(dir, name)) < 0 || (r = meta_write(dir, name, url, &resp, 0)) < 0) {
			*msg = xasprintf("cannot update the cache in '%s': %s", dir, strerror(-r));
			*code = SR_ERR_IO;
			goto out;
		}
		it->state = EOLU_UNCHANGED;
		ret = 0;
		goto out;
	}
	if (resp.status != 200) {
		*msg = xasprintf("'%s' answered HTTP %ld, expected 200 or 304", url, resp.status);
		*code = SR_ERR_REMOTE;
		goto out;
	}
	/* read it the way the checks will, before it can replace anything */
	if (eol_db_add_json(&check, name, resp.body, resp.len, url, &err) < 0) {
		*msg = xasprintf("rejected: %s", err);
		*code = SR_ERR_REMOTE;
		goto out;
	}
	if (!check.n || !check.v[0].n) {
		*msg = xasprintf("rejected: '%s' lists no release cycles", url);
		*code = SR_ERR_REMOTE;
		goto out;
	}
	path = xasprintf("%s/%s.json", dir, name);
	if ((r = write_file_atomic(path, resp.body, resp.len, 0644)) < 0 ||
	    (r = meta_write(dir, name, url, &resp, 1)) < 0) {
		*msg = xasprintf("cannot write the cache in '%s': %s", dir, strerror(-r));
		*code = SR_ERR_IO;
		goto out;
	}
	it->state = EOLU_UPDATED;
	it->cycles = check.v[0].n;
	ret = 0;
out:
	eol_db_release(&check);
	meta_release(&m);
	http_response_release(&resp);
	error_release(&e);
	free(err);
	free(path);
	free(url);
	return ret;
}

int eol_update(const char *base_url, const char *cache_dir, const char *const *products, size_t n,
	       const struct http_opts *ho,
	       void (*report)(void *arg, const struct eol_update_item *it), void *arg,
	       struct error *e)
{
	struct http_client *hc = NULL;
	char *base = xstrdup(base_url ? base_url : EOL_DEFAULT_BASE_URL);
	size_t failed = 0, total = 0, len = strlen(base);
	int ret = 0, first = 0, r;

	while (len && base[len - 1] == '/')
		base[--len] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!eol_bundled(products[i], &(size_t){ 0 })) {
			ret = error_set(e, SR_ERR_USAGE, "unknown end-of-life product '%s'",
					products[i]);
			goto out;
		}
	}
	if ((r = mkdir_p(cache_dir, 0755)) < 0) {
		ret = error_set(e, SR_ERR_IO, "cannot make the cache directory '%s': %s", cache_dir,
				strerror(-r));
		goto out;
	}
	hc = http_client_new(ho, e);
	if (!hc) {
		ret = SR_ERR;
		goto out;
	}
	for (size_t i = 0; n ? i < n : eol_bundled_name(i) != NULL; i++) {
		const char *name = n ? products[i] : eol_bundled_name(i);
		struct eol_update_item it = { name, EOLU_FAILED, 0, NULL, 0 };
		char *msg = NULL;
		int code = 0;

		total++;
		if (update_one(hc, base, cache_dir, name, &it, &msg, &code) < 0) {
			it.msg = msg;
			if (!failed++)
				first = code;
		}
		if (report)
			report(arg, &it);
		free(msg);
	}
	if (failed)
		ret = error_set(e, first, "%zu of %zu products could not be refreshed; their cached "
					  "or bundled data stays in use",
				failed, total);
out:
	http_client_free(hc);
	free(base);
	return ret;
}
