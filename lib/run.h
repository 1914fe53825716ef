/*
 * `run`: the remediation steps of a resolved profile, in order, against one
 * connected target, between two fact gatherings. Verification of the final
 * facts is lib/verify.h's business; this module only remediates.
 */
#ifndef SR_RUN_H
#define SR_RUN_H

#include <signal.h>
#include <stdio.h>

#include "collect.h"
#include "error.h"
#include "profile.h"
#include "step.h"

struct facts;

struct run_opts {
	int dry_run;
	int no_refresh;                       /* gather without refreshing package lists */
	int gather_timeout;                   /* seconds; 0: the default */
	int reconnect_wait;                   /* seconds to wait for the target after a drop */
	const struct collect_check *checks;   /* command checks, for the final gathering */
	size_t nchecks;
	const volatile sig_atomic_t *cancel;  /* Ctrl-C */
	struct secrets *secrets;
	FILE *out;                            /* progress */
};

struct run_step {
	const struct rstep *rs;
	enum step_status status;
	int ran;         /* 0: not reached (an earlier step stopped the run) */
	char *summary;   /* owned */
	double seconds;
};

struct run_report {
	struct run_step *steps;
	size_t n;
	size_t counts[STEP_FAILED + 1];
	int stopped;         /* a failed step stopped the run */
	int interrupted;     /* Ctrl-C */
	int err;             /* the SR_ERR_* kind that stopped it, when the connection's */
	char *left_running;  /* what the interrupted step left running on the target (owned) */
	double seconds;
};

void run_report_release(struct run_report *rep);

/*
 * Secrets reach steps by name: a parameter whose key ends in "_env" names an
 * environment variable of the controller (an install code, a password), or
 * lists several.
 * Check, before anything connects, that every such variable of every step
 * that may run is set and not empty, and add its value to s. 0, or -1 with
 * *err (owned) naming the step and the variable.
 */
int run_secrets(const struct resolved *r, struct secrets *s, char **err);

/*
 * Gather facts, run every step whose vars and `when` allow it (gathering
 * again after a step that changed the target, before the next one needs the
 * facts), then, when anything changed, gather the final facts into *facts
 * (owned; in a dry run, and when nothing changed, the first facts). 0 when every step ran (failed steps with continue_on_error
 * included), SR_ERR_REMOTE when a failed step stopped the run,
 * SR_ERR_INTERRUPTED on Ctrl-C, or the connection's error; rep is filled in
 * every case and *facts whenever facts were gathered.
 */
int run_steps(const struct resolved *r, struct ssh_conn *c, const struct run_opts *o,
	      struct run_report *rep, struct facts **facts, struct error *e);

#endif
