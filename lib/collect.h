/*
 * Collecting evidence from a target: scripts/gather.sh (compiled in) runs on
 * the stdin of ONE exec channel and prints a framed transcript
 * (docs/gather-format.md) that the parsers turn into facts.
 */
#ifndef SR_COLLECT_H
#define SR_COLLECT_H

#include <stddef.h>

struct ssh_conn;
struct error;

struct collect_opts {
	int no_refresh; /* skip the package metadata refresh */
	int timeout;    /* seconds for the whole gather; 0: a default */
	/* lines of the script's stderr, as they arrive; may be NULL */
	void (*on_stderr)(void *arg, const char *line, size_t len);
	void *arg;
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
 * Gather and parse: *out gets the facts; when raw is not NULL it gets the
 * transcript too (both owned by the caller).
 */
int collect_facts(struct ssh_conn *c, const struct collect_opts *o, struct facts **out, char **raw,
		  size_t *raw_len, struct error *e);

/* The embedded gather script. */
const char *collect_script(size_t *len);

#endif
