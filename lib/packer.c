/* Packer's manifest (lib/packer.h). */
#include "packer.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/* a manifest grows by one entry per build; this is far beyond any real one */
#define MANIFEST_MAX ((size_t)64 << 20)

/* " (near line L)" for position at in text: where bad JSON went wrong */
static void where(struct strbuf *sb, const char *text, size_t len, const char *at)
{
	size_t line = 1;
	if (!at || at < text || at > text + len)
		return;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	strbuf_addf(sb, " (near line %zu)", line);
}

/* Reports show these strings: nothing in them may act on a terminal. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* The string member key of build number idx, or NULL after setting e. */
static const char *member(const cJSON *build, size_t idx, const char *key, const char *path,
			  struct error *e)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(build, key);
	if (!cJSON_IsString(j)) {
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s': builds[%zu] has no \"%s\" string", path,
			  idx, key);
		return NULL;
	}
	if (has_control(j->valuestring)) {
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s': builds[%zu].%s holds control characters",
			  path, idx, key);
		return NULL;
	}
	return j->valuestring;
}

int packer_manifest_parse(const char *json, size_t len, const char *path, const char *name,
			  struct packer_build *out, struct error *e)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *root = NULL;
	const cJSON *builds, *last, *el, *pick = NULL;
	const char *end = NULL, *pick_name = NULL;
	size_t idx = 0, nlast = 0;
	int ret = SR_ERR_USAGE;

	if (!len) {
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s' is empty", path);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		where(&sb, json, len, end);
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s' is not valid JSON%s", path, sb.buf);
		goto out;
	}
	builds = cJSON_GetObjectItemCaseSensitive(root, "builds");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(builds)) {
		error_set(e, SR_ERR_USAGE,
			  "'%s' is not a Packer manifest: it has no \"builds\" array", path);
		goto out;
	}
	if (!cJSON_GetArraySize(builds)) {
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s' has no builds", path);
		goto out;
	}
	last = cJSON_GetObjectItemCaseSensitive(root, "last_run_uuid");
	if (!cJSON_IsString(last) || !*last->valuestring) {
		error_set(e, SR_ERR_USAGE, "Packer manifest '%s' has no \"last_run_uuid\"", path);
		goto out;
	}
	/* the builds of the last run; their names are listed in messages */
	cJSON_ArrayForEach(el, builds) {
		const cJSON *uuid = cJSON_GetObjectItemCaseSensitive(el, "packer_run_uuid");
		const char *bname;
		if (!cJSON_IsObject(el) || !cJSON_IsString(uuid)) {
			error_set(e, SR_ERR_USAGE,
				  "Packer manifest '%s': builds[%zu] has no \"packer_run_uuid\" string",
				  path, idx);
			goto out;
		}
		if (strcmp(uuid->valuestring, last->valuestring)) {
			idx++;
			continue;
		}
		if (!(bname = member(el, idx, "name", path, e)) ||
		    !member(el, idx, "builder_type", path, e) ||
		    !member(el, idx, "artifact_id", path, e))
			goto out;
		strbuf_addf(&sb, "%s'%s'", nlast ? ", " : "", bname);
		nlast++;
		if (!name || !strcmp(name, bname)) {
			pick = el;
			pick_name = bname;
		}
		idx++;
	}
	if (!nlast) {
		error_set(e, SR_ERR_USAGE,
			  "Packer manifest '%s' has no build of its last run (last_run_uuid '%s')", path,
			  last->valuestring);
		goto out;
	}
	if (name && !pick) {
		error_set(e, SR_ERR_USAGE,
			  "Packer manifest '%s' has no build named '%s' in its last run; it has %s", path,
			  name, sb.buf);
		goto out;
	}
	if (!name && nlast > 1) {
		error_set(e, SR_ERR_USAGE,
			  "Packer manifest '%s' has %zu builds of its last run (%s): name one with "
			  "--packer-build",
			  path, nlast, sb.buf);
		goto out;
	}
	out->name = xstrdup(pick_name);
	out->builder_type = xstrdup(cJSON_GetObjectItemCaseSensitive(pick, "builder_type")->valuestring);
	out->artifact_id = xstrdup(cJSON_GetObjectItemCaseSensitive(pick, "artifact_id")->valuestring);
	out->packer_run_uuid = xstrdup(last->valuestring);
	out->manifest = xstrdup(path);
	ret = 0;
out:
	cJSON_Delete(root);
	strbuf_release(&sb);
	return ret;
}

int packer_manifest_read(const char *path, const char *name, struct packer_build *out,
			 struct error *e)
{
	char *data = NULL;
	size_t len = 0;
	int r = read_file(path, MANIFEST_MAX, &data, &len);

	if (r < 0)
		return error_set(e, SR_ERR_USAGE, "cannot read Packer manifest '%s': %s", path,
				 strerror(-r));
	r = packer_manifest_parse(data, len, path, name, out, e);
	free(data);
	return r;
}

int packer_pick(const char *path, const char *name, struct packer_build **out, struct error *e)
{
	struct packer_build *b;
	int r;

	*out = NULL;
	if (!path && !name)
		return 0;
	if (!path)
		return error_set(e, SR_ERR_USAGE,
				 "--packer-build '%s' needs --packer-manifest FILE to pick it from", name);
	b = xcalloc(1, sizeof(*b));
	r = packer_manifest_read(path, name, b, e);
	if (r < 0) {
		free(b);
		return r;
	}
	*out = b;
	return 0;
}

void packer_build_release(struct packer_build *b)
{
	if (!b)
		return;
	free(b->name);
	free(b->builder_type);
	free(b->artifact_id);
	free(b->packer_run_uuid);
	free(b->manifest);
	memset(b, 0, sizeof(*b));
}

void packer_build_free(struct packer_build *b)
{
	packer_build_release(b);
	free(b);
}
