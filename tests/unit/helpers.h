/* Helpers shared by the unit tests. Tests run from the repository root. */
#ifndef SR_TEST_HELPERS_H
#define SR_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diag.h"
#include "profile.h"

/* Waiver expiry in tests is judged as of this day, so fixtures never go stale. */
#define TEST_TODAY "2026-06-15"

/* Directory of the test data: $SR_TEST_DATA or tests/data. */
const char *test_data_dir(void);

/*
 * Load ref (a path or bundled name) with today = TEST_TODAY, no config dir,
 * and the given --var assignments (NULL-terminated, may be NULL). Returns
 * loader_resolve's result; *l must be freed with loader_free.
 */
int test_load(const char *ref, const char *const *vars, struct loader **l, struct resolved **r,
	      struct diags *d);

struct facts;

/*
 * Facts from a recorded transcript (a path, or a name under
 * tests/data/transcripts/ such as "debian-12"); fails the test when the file
 * cannot be read or framed. Free with facts_free.
 */
struct facts *test_facts_from_transcript(const char *name);
/* Facts from transcript text held in memory (nonce taken from its header). */
struct facts *test_facts_from_text(const char *text);

struct check_type;
struct check_result;
struct params;

struct step_type;
/*
 * A step's `with` text typed and validated as the loader does it, the step
 * named id, local files relative to base_dir (NULL: a bundled profile);
 * messages say "w.yaml:LINE:COL". 0 and *out, or -1 with messages in d.
 */
int test_step_params(const struct step_type *t, const char *id, const char *base_dir,
		     const char *with, struct params *out, struct diags *d);
/*
 * A row of a step type's parameter table: `with` is valid (error NULL), or
 * the first message about it is error. 1 when it holds, else 0 after
 * printing what was got.
 */
int test_step_param_row(const struct step_type *t, const char *id, const char *with,
			const char *error);
/*
 * The parameters of check type t from a YAML `with:` mapping (NULL: none),
 * typed and then validated by the type, as lint does; messages name the check
 * "check 'ID' (TYPE)". 0 and *out, or -1 with the problems in d.
 */
int test_check_params(const struct check_type *t, const char *id, const char *with,
		      struct params *out, struct diags *d);
/* The same, failing the test (with the messages) on any error or warning. */
void test_check_params_ok(const struct check_type *t, const char *id, const char *with,
			  struct params *out);
/* A check result as C-like text (status, summary, evidence, remedy), for failure messages. */
char *test_result_text(const struct check_result *r);
/*
 * One row of a check type's table: facts from transcript (a name or path)
 * or else from text, the parameters `with` (which must be valid), judged
 * as of today (YYYY-MM-DD, or NULL for day 0); matches(row, result) says
 * whether the row holds, and when not, what was got is printed under the
 * row's name. 1 when it holds, else 0.
 */
int test_check_row(const struct check_type *t, const char *name, const char *with,
		   const char *transcript, const char *text, const char *today,
		   int (*matches)(const void *row, const struct check_result *r), const void *row);

/* All diagnostics, one formatted per line, for failure messages (owned). */
char *test_diags_text(const struct diags *d);

/* Remove a scratch directory and all below it: 0, or -1 when rm failed. */
int test_rm_rf(const char *dir);

/* Run cmd (shell text) in directory dir; system()'s status. */
int test_in_dir(const char *dir, const char *cmd);

/* The decoded key blob of the OpenSSH public key file dir/name (malloc'ed, *n bytes). */
unsigned char *test_pub_blob(const char *dir, const char *name, size_t *n);

/*
 * Whether sig is a signature of data by the public key in the PEM file
 * dir/name, with digest "sha256" or "sha512" (PKCS#1 v1.5).
 */
int test_sig_verifies(const char *dir, const char *name, const char *digest,
		      const unsigned char *data, size_t n, const unsigned char *sig, size_t siglen);

#endif
