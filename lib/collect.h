/*
 * Collecting evidence from a target: scripts/gather.sh (compiled in) runs on
 * the stdin of ONE exec channel and prints a framed transcript
 * (docs/gather-format.md) that the parsers turn into facts. The commands of
 * `command` checks go along in the same script (a function sr_checks put
 * before it), so that more checks never mean more round trips.
 */
#ifndef SR_COLLECT_H
#define SR_COLLECT_H

#include <stddef.h>

struct ssh_conn;
struct error;

/* The command of a `command` check, run in the same round trip as the gather. */
struct collect_check {
	const char *id;      /* the check's id: [a-z0-9][a-z0-9._-]*, at most 64 */
	const char *command; /* run on the target by sh -c */
};

/* At most this many commands travel with one gather. */
#define COLLECT_MAX_CHECKS 128

struct collect_opts {
	int no_refresh; /* skip the package metadata refresh */
	int timeout;    /* seconds for the whole gather; 0: a default */
	/* lines of the script's stderr, as they arrive; may be NULL */
	void (*on_stderr)(void *arg, const char *line, size_t len);
	void *arg;
	/* commands of `command` checks, each printed as a section check-ID */
	const struct collect_check *checks;
	size_t nchecks;
};

#define COLLECT_NONCE_SIZE 17

/*
 * The transcript (owned by the caller) of one run of the gather script, and
 * the nonce its framing must carry.
 */
int collect_transcript(struct ssh_conn *c, const struct collect_opts *o, char **out, size_t *len,
		       char nonce[COLLECT_NONCE_SIZE], struct error *e);

struct facts;

/*
 * The facts of a transcript (a saved one: nonce NULL accepts any). 0, or
 * SR_ERR_REMOTE when it does not frame or is incomplete.
 */
int collect_parse(const char *data, size_t len, const char *nonce, struct facts **out,
		  struct error *e);

/*
 * Gather and parse: *out gets the facts; when raw is not NULL it gets the
 * transcript too (both owned by the caller).
 */
int collect_facts(struct ssh_conn *c, const struct collect_opts *o, struct facts **out, char **raw,
		  size_t *raw_len, struct error *e);

/* The embedded gather script. */
const char *collect_script(size_t *len);

/*
 * The text sent on the exec channel: the definition of sr_checks (one
 * `sr_check KEY 'COMMAND' ['ID']` per check; none without checks) followed
 * by the gather script. Owned by the caller; NULL and *err (owned) when the
 * checks cannot be sent (too many, a bad id).
 */
char *collect_script_with_checks(const struct collect_check *checks, size_t n, size_t *len,
				 char **err);

/*
 * The KEY of check id: its section is check-KEY. The id itself when it is
 * made of [a-z0-9-] and fits a section name; otherwise its characters
 * outside that set become '-', cut to fit, and a hash of the id is appended
 * (the id then travels in the section). buf holds COLLECT_KEY_SIZE bytes.
 */
#define COLLECT_KEY_SIZE 59
void collect_check_key(const char *id, char buf[COLLECT_KEY_SIZE]);

#endif
