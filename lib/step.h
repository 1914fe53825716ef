/*
 * Remediation steps: what a step type's apply function gets to work with,
 * and the helpers it uses to act on the target. Every remote action goes
 * through these, so that output is prefixed, sanitised and redacted in one
 * place and a Ctrl-C reaches every command.
 *
 * A step inspects before it acts and says what it did: STEP_OK (nothing to
 * do), STEP_CHANGED, STEP_SKIPPED (does not apply here) or STEP_FAILED. In a
 * dry run (ctx->dry_run) it must not change the target: it inspects (from
 * the facts, or with read-only commands) and reports STEP_CHANGED with what
 * it would change.
 */
#ifndef SR_STEP_H
#define SR_STEP_H

#include <signal.h>
#include <stdio.h>

#include "error.h"
#include "schema.h"
#include "ssh.h"

struct facts;
struct resolved;
struct rstep;

enum step_status { STEP_OK, STEP_CHANGED, STEP_SKIPPED, STEP_FAILED };

/* "ok", "changed", "skipped", "failed" */
const char *step_status_name(enum step_status s);

/* Values never to be shown: every line a step prints passes through them. */
struct secrets {
	char **v;
	size_t n, alloc;
};

void secrets_init(struct secrets *s);
void secrets_release(struct secrets *s);
/* Remember value (copied); values shorter than 4 bytes are not worth hiding and ignored. */
void secrets_add(struct secrets *s, const char *value);
/* Replace every occurrence of a secret in sb with "********". */
void secrets_redact(const struct secrets *s, struct strbuf *sb);

struct step_ctx {
	struct ssh_conn *c;
	const struct facts *f;       /* gathered before this step */
	const struct resolved *r;    /* the profile: vars */
	const struct rstep *rs;      /* this step */
	int dry_run;
	size_t index, total;         /* [index/total id] */
	const char *base_dir;        /* the directory of the profile defining the step; NULL: bundled */
	const volatile sig_atomic_t *cancel; /* Ctrl-C */
	int reconnect_wait;          /* seconds to wait for the target after it dropped */
	struct secrets *secrets;
	FILE *out;                   /* progress and streamed output */

	/* set by the step */
	int facts_stale;             /* the target changed: gather again before the next step */
	char *left_running;          /* owned: what keeps running on the target if stopped now */
};

struct step_result {
	enum step_status status;
	char *summary; /* what it did, would do, or why it failed (owned) */
	int err;       /* STEP_FAILED: the SR_ERR_* kind when the failure was the connection's */
};

void step_result_release(struct step_result *r);
void step_ok(struct step_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void step_changed(struct step_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void step_skipped(struct step_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
void step_failed(struct step_result *r, const char *fmt, ...) SR_PRINTF(2, 3);
/* STEP_FAILED with e's message and kind. */
void step_failed_error(struct step_result *r, const struct error *e);

/* Print "[i/N id] text" (sanitised and redacted) on ctx->out. */
void step_say(struct step_ctx *ctx, const char *fmt, ...) SR_PRINTF(2, 3);

/*
 * Run script (POSIX sh, sent on stdin to `sh -s`, through sudo when the
 * connection has --sudo) on a new exec channel; each output line is shown as
 * "[i/N id] | line" unless quiet. A non-zero exit is not an error (look at
 * res->status); a lost connection, a timeout (seconds, 0: none) or Ctrl-C is.
 * Secrets belong in script (stdin), never in a command line.
 */
int step_sh(struct step_ctx *ctx, const char *script, int timeout, int quiet,
	    struct exec_result *res, struct error *e);

/*
 * Put data at path on the target with mode: by SFTP, to a temporary name and
 * renamed into place; with --sudo, uploaded beside the user's files first and
 * installed by root.
 */
int step_upload(struct step_ctx *ctx, const char *data, size_t len, const char *path, int mode,
		struct error *e);

/* Connect again after the target dropped us, waiting up to ctx->reconnect_wait. */
int step_reconnect(struct step_ctx *ctx, struct error *e);

/* The string value of a parameter, or NULL. */
const char *step_param_str(const struct params *p, const char *key);
/* An integer or duration parameter (the schema's default applied), or dflt. */
long long step_param_int(const struct params *p, const char *key, long long dflt);
int step_param_bool(const struct params *p, const char *key);

/*
 * Reboot the target and wait until it is back with a new boot: read
 * /proc/sys/kernel/random/boot_id, ask for a reboot (systemctl reboot where
 * systemd is PID 1, else reboot, else shutdown -r now), wait for the
 * connection to drop, reconnect (as step_reconnect does, within timeout
 * seconds in all) and confirm a boot_id other than the first. Progress is
 * said on ctx->out; ctx->facts_stale is set once the reboot was asked for.
 * 0, or SR_ERR_REMOTE (the reboot command failed), SR_ERR_TIMEOUT (no new
 * boot within timeout), SR_ERR_INTERRUPTED (Ctrl-C) or the connection's
 * error, with e set. For any step that needs a reboot (os-update, reboot;
 * not named step_reboot: that is the reboot step type's struct, by the
 * steps/ naming rule).
 */
int step_reboot_target(struct step_ctx *ctx, int timeout, struct error *e);
/*
 * Why the target of facts f needs a reboot (owned): a newer kernel than the
 * running one, /var/run/reboot-required, `needs-restarting -r`; NULL when
 * nothing says so.
 */
char *step_reboot_reason(const struct facts *f);

#endif
