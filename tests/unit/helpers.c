#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <string.h>

#include "check.h"
#include "date.h"
#include "facts.h"
#include "gather.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

const char *test_data_dir(void)
{
	const char *d = getenv("SR_TEST_DATA");
	return d && *d ? d : "tests/data";
}

int test_load(const char *ref, const char *const *vars, struct loader **l, struct resolved **r,
	      struct diags *d)
{
	struct loader_opts o = { TEST_TODAY, NULL };
	*r = NULL;
	*l = loader_new(&o);
	for (size_t i = 0; vars && vars[i]; i++)
		if (loader_add_var(*l, vars[i], d) < 0)
			return -1;
	return loader_resolve(*l, ref, r, d);
}

char *test_diags_text(const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < d->n; i++) {
		char *line = diag_format(&d->v[i]);
		strbuf_addf(&sb, "%s\n", line);
		free(line);
	}
	return strbuf_detach(&sb);
}

struct facts *test_facts_from_text(const char *text)
{
	struct gather g;
	struct facts *f = NULL;
	char *err = NULL;

	gather_init(&g);
	if (gather_parse(&g, text, strlen(text), NULL, &err) != 0)
		fail_msg("transcript does not frame: %s", err ? err : "?");
	facts_from_gather(&g, &f);
	gather_release(&g);
	return f;
}

struct facts *test_facts_from_transcript(const char *name)
{
	char *path = strchr(name, '/') ? xstrdup(name)
				       : xasprintf("%s/transcripts/%s.txt", test_data_dir(), name);
	char *data = NULL;
	size_t len = 0;
	if (read_file(path, 64u << 20, &data, &len) < 0)
		fail_msg("cannot read transcript %s", path);
	struct facts *f = test_facts_from_text(data);
	free(data);
	free(path);
	return f;
}

/* Type with against specs and run validate, as the loader does for an item. */
static int type_params(const char *owner, const struct param_spec *specs,
		       void (*validate)(const struct params *, const struct type_ctx *),
		       const char *base_dir, const char *with, struct params *out, struct diags *d)
{
	struct ydoc *doc = NULL;
	struct vars vars;
	struct params p = { NULL, 0 };
	struct srcpos at = { "p.yaml", 1, 1 };
	size_t errors = d->errors;
	int ret = -1;

	vars_init(&vars);
	if (with && ytree_parse("w.yaml", with, strlen(with), &doc, d) < 0)
		goto out;
	if (params_from_yaml(specs, doc ? doc->root : NULL, at, &vars, owner, &p, d) < 0)
		goto out;
	if (validate) {
		struct type_ctx ctx = { owner, at, base_dir, d };
		validate(&p, &ctx);
	}
	if (d->errors > errors) {
		params_release(&p);
		goto out;
	}
	*out = p;
	ret = 0;
out:
	ydoc_free(doc);
	vars_release(&vars);
	return ret;
}

int test_check_params(const struct check_type *t, const char *id, const char *with,
		      struct params *out, struct diags *d)
{
	char *owner = xasprintf("check '%s' (%s)", id, t->name);
	int ret = type_params(owner, t->params, t->validate, NULL, with, out, d);
	free(owner);
	return ret;
}

int test_step_params(const struct step_type *t, const char *id, const char *base_dir,
		     const char *with, struct params *out, struct diags *d)
{
	char *owner = xasprintf("step '%s' (%s)", id, t->name);
	int ret = type_params(owner, t->params, t->validate, base_dir, with, out, d);
	free(owner);
	return ret;
}

int test_step_param_row(const struct step_type *t, const char *id, const char *with,
			const char *error)
{
	struct diags d;
	struct params p = { NULL, 0 };
	int rc, ok;

	diags_init(&d);
	rc = test_step_params(t, id, NULL, with, &p, &d);
	char *got = d.n ? diag_format(&d.v[0]) : xstrdup("(valid)");
	const char *want = error ? error : "(valid)";
	ok = (rc == 0) == (error == NULL) && !strcmp(got, want);
	if (!ok)
		print_error("with %s\n  want: %s\n  got:  %s\n", with, want, got);
	free(got);
	params_release(&p);
	diags_release(&d);
	return ok;
}

void test_check_params_ok(const struct check_type *t, const char *id, const char *with,
			  struct params *out)
{
	struct diags d;
	diags_init(&d);
	/* valid parameters give no message at all, not even a warning */
	if (test_check_params(t, id, with, out, &d) < 0 || d.n) {
		char *text = test_diags_text(&d);
		fail_msg("with '%s': %s", with ? with : "", text);
	}
	diags_release(&d);
}

char *test_result_text(const struct check_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "  %s: \"%s\"\n", check_status_name(r->status), r->summary ? r->summary : "(null)");
	for (size_t i = 0; i < r->nevidence; i++)
		strbuf_addf(&sb, "    \"%s\",\n", r->evidence[i]);
	strbuf_addf(&sb, "  remedy: \"%s\"\n", r->remediation ? r->remediation : "(null)");
	return strbuf_detach(&sb);
}

int test_check_row(const struct check_type *t, const char *name, const char *with,
		   const char *transcript, const char *text, const char *today,
		   int (*matches)(const void *row, const struct check_result *r), const void *row)
{
	struct facts *f = transcript ? test_facts_from_transcript(transcript)
				     : test_facts_from_text(text);
	struct params p = { NULL, 0 };
	struct check_result r;
	long day = 0;
	int ok;

	if (today && date_parse(today, &day) < 0)
		fail_msg("row '%s': bad day '%s'", name, today);
	struct check_env env = { .f = f, .today = day };
	test_check_params_ok(t, "c", with, &p);
	check_result_init(&r);
	t->eval(&p, &env, &r);
	ok = matches(row, &r);
	if (!ok) {
		char *got = test_result_text(&r);
		print_error("row '%s' (%s): got\n%s", name, t->name, got);
		free(got);
	}
	check_result_release(&r);
	params_release(&p);
	facts_free(f);
	return ok;
}

int test_in_dir(const char *dir, const char *cmd)
{
	char *full = xasprintf("cd '%s' && %s", dir, cmd);
	int rc = system(full);
	free(full);
	return rc;
}

int test_rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc ? -1 : 0;
}

unsigned char *test_pub_blob(const char *dir, const char *name, size_t *n)
{
	char *path = xasprintf("%s/%s", dir, name), *line = NULL;
	size_t len = 0;
	assert_int_equal(read_file(path, 65536, &line, &len), 0);
	char *b64 = strchr(line, ' ');
	assert_non_null(b64);
	b64++;
	assert_non_null(strchr(b64, ' '));
	*strchr(b64, ' ') = '\0';
	size_t bl = strlen(b64);
	unsigned char *out = xmalloc(bl);
	int r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)bl);
	assert_true(r > 0 && bl >= 2);
	/* EVP_DecodeBlock counts the '=' padding as zero bytes */
	*n = (size_t)r - (b64[bl - 1] == '=') - (b64[bl - 2] == '=');
	free(line);
	free(path);
	return out;
}

int test_sig_verifies(const char *dir, const char *name, const char *digest,
		      const unsigned char *data, size_t n, const unsigned char *sig, size_t siglen)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	EVP_PKEY *pk = PEM_read_PUBKEY(fp, NULL, NULL, NULL);
	fclose(fp);
	assert_non_null(pk);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = EVP_DigestVerifyInit(ctx, NULL, EVP_get_digestbyname(digest), NULL, pk) == 1 &&
		 EVP_DigestVerify(ctx, sig, siglen, data, n) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pk);
	free(path);
	return ok;
}
