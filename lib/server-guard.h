/*
 * Alibaba Cloud Server Guard ("Aegis", AliYunDun) judged from facts: the one
 * judgement that the server-guard check (checks/server-guard.c) reports and
 * that the server-guard step (steps/server-guard.c) acts on, before it
 * installs and again to confirm the installation.
 *
 * Running: AliYunDun and AliYunDunUpdate (plus AliYunDunMonitor on newer
 * versions, reported when present) run from under /usr/local/aegis. At boot:
 * aegis.service enabled, or /etc/init.d/aegis with S links in each of the
 * runlevels 2-5.
 */
#ifndef SR_SERVER_GUARD_H
#define SR_SERVER_GUARD_H

#include <stddef.h>

struct check_result;
struct facts;

/* What a judgement found besides the check result. */
struct server_guard_state {
	char *running;       /* the programs found running, ", "-separated; "" for none (owned) */
	const char *boot;    /* how it starts at boot ("S links in runlevels 2-5"); NULL: it does not */
	const char *starter; /* what starts it: "/etc/init.d/aegis" or "aegis.service"; NULL */
};

#define SERVER_GUARD_STATE_INIT { NULL, NULL, NULL }

void server_guard_state_release(struct server_guard_state *st);

/*
 * Judge f: r gets every line of evidence in order, the status (pass; fail
 * when something is missing; error when the evidence cannot tell), the
 * summary and, unless it passed, the remedy. A pure function of f. When st
 * is not NULL it is filled in too (release it).
 */
void server_guard_judge(const struct facts *f, struct check_result *r,
			struct server_guard_state *st);

/* ---- the step's pure parts (steps/server-guard.c), exposed for its unit tests ---- */

/* The SHA-256 of data in hex: 64 lowercase digits and a NUL; 0, or -1 when libcrypto fails. */
int step_server_guard_sha256(const void *data, size_t len, char hex[65]);

/*
 * The POSIX sh script that runs the uploaded installer dir/installer with
 * args (NULL-terminated), each shell-quoted, "{install_code}" in an argument
 * replaced on the target by install_code (NULL: none), then removes dir. The
 * install code appears once, shell-quoted, in a variable assignment: the
 * script travels on the exec channel's stdin.
 */
char *step_server_guard_install_script(const char *dir, const char *const *args,
				       const char *install_code);

/*
 * The read-only probe that prints the processes and services sections of
 * the gather transcript (scripts/gather.sh, framed with nonce), to be parsed
 * with collect_parse(). NULL when the compiled-in gather script cannot be
 * cut down to those sections.
 */
char *step_server_guard_probe_script(const char *nonce);

#endif
