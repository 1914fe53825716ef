/*
 * The command table: every subcommand is one file in cmd/ exporting one
 * const struct cmd_entry, listed in cmd/main.c. Help texts and option parsing
 * derive from these entries.
 */
#ifndef SR_CMD_H
#define SR_CMD_H

#include <stddef.h>

struct diags;
struct loader;

/* Exit codes: documented and stable. */
enum {
	EXIT_COMPLIANT = 0,
	EXIT_NONCOMPLIANT = 1,
	EXIT_USAGE = 2, /* usage or profile error */
	EXIT_CONNECT = 3,
	EXIT_STEP_FAILED = 4,
};

struct cmd_opt {
	const char *name; /* long name, without -- */
	char short_name;  /* 0 for none */
	const char *arg;  /* the argument's name, or NULL for a flag */
	unsigned flags;
	const char *help;
};

#define OPT_REPEAT 1u   /* may be given more than once */
#define OPT_REQUIRED 2u /* must be given */
#define OPT_END { NULL, 0, NULL, 0, NULL }

struct cmd_args;

struct cmd_entry {
	const char *name;
	const char *summary;
	const char *usage; /* the positional arguments, e.g. "PROFILE..." */
	const char *description;
	const struct cmd_opt *opts; /* ends with OPT_END */
	int min_args;
	int max_args; /* -1: no limit */
	int (*run)(const struct cmd_args *a);
};

struct cmd_args {
	const struct cmd_entry *cmd;
	int argc;     /* positional arguments */
	char **argv;
	/* one value per option occurrence, in order */
	const struct cmd_opt **opt;
	const char **val;
	size_t n;
};

/* The last value of an option (or "" for a flag), NULL when absent. */
const char *arg_get(const struct cmd_args *a, const char *name);
/* Every value of a repeatable option, in order; returns the count. */
size_t arg_all(const struct cmd_args *a, const char *name, const char **vals, size_t max);

/* Parse argv (after the command name) against cmd's options; 0 or EXIT_USAGE. */
int args_parse(const struct cmd_entry *cmd, int argc, char **argv, struct cmd_args *out);
void args_release(struct cmd_args *a);
void cmd_usage(const struct cmd_entry *cmd, int to_stderr);

/* Shared by commands that load profiles. */
struct loader *loader_from_args(const struct cmd_args *a, struct diags *d);
/*
 * The directory of refreshed end-of-life data (owned): --eol-cache when the
 * command has it, else $XDG_CACHE_HOME/shelfready/eol, else
 * ~/.cache/shelfready/eol; NULL when none can be named.
 */
char *eol_cache_dir(const struct cmd_args *a);
/* ---- reports, shared by verify and run ---- */

#define MAX_REPORTS 16
/* --report FORMAT[=PATH] values understood by reports_parse */
#define REPORT_FORMATS "text (default, to standard output), json, junit or html; =PATH writes it to a file"

struct verify_report;
struct resolved;
struct collect_check;

struct report_req {
	const char *format; /* "text", "json", "junit", "html" */
	char *path;         /* NULL: standard output */
};

/* The --report options (text when none); 0 or EXIT_USAGE after a message. */
int reports_parse(const struct cmd_args *a, struct report_req *out, size_t *n);
void reports_release(struct report_req *r, size_t n);
/* Write every report of v; text is coloured on a terminal unless NO_COLOR. 0 or -1. */
int reports_write(const struct cmd_args *a, const struct verify_report *v,
		  const struct report_req *r, size_t n);
/* Write text to path (NULL: standard output); 0, or -1 after a message. */
int write_output(const struct cmd_args *a, const char *path, const char *text);
/* The commands of the profile's enabled `command` checks (owned array; *n of them). */
struct collect_check *command_checks(const struct resolved *r, size_t *n);

/* Print diagnostics to stderr, coloured on a terminal unless NO_COLOR is set. */
void print_diags(const struct diags *d);

/* Options of every command that connects to a target. */
#define CONNECT_OPTS                                                                               \
	{ "identity", 'i', "FILE", 0, "private key file (OpenSSH format: ed25519, ecdsa, rsa)" },  \
	{ "key-env", 0, "VAR", 0, "private key as PEM text in environment variable VAR" },         \
	{ "key-passphrase-env", 0, "VAR", 0, "the key's passphrase, from environment variable VAR" }, \
	{ "password-env", 0, "VAR", 0, "login password (also keyboard-interactive) from VAR" },      \
	{ "no-agent", 0, NULL, 0, "do not use ssh-agent" },                                         \
	{ "known-hosts", 0, "FILE", 0, "known hosts file (default ~/.ssh/known_hosts)" },           \
	{ "host-key", 0, "POLICY", 0, "strict (default), accept-new, fingerprint:SHA256:..., off" }, \
	{ "jump", 'J', "[USER@]HOST[:PORT]", 0, "connect through this bastion (same credentials)" }, \
	{ "connect-timeout", 0, "SECONDS", 0, "give up on a connection attempt after this (default 10)" }, \
	{ "wait", 0, "SECONDS", 0, "keep retrying until SSH answers, up to this long (default 0)" }, \
	{ "keepalive", 0, "SECONDS", 0, "SSH keepalive interval (default 15; 0 turns it off)" },  \
	{ "sudo", 0, NULL, 0, "run commands on the target through sudo" },                          \
	{ "sudo-password-env", 0, "VAR", 0, "sudo password from environment variable VAR (implies --sudo)" }

struct ssh_opts;

/* Connection settings from the CONNECT_OPTS and a TARGET argument. */
struct conn_setup {
	struct ssh_opts *o;
	char *known_hosts;
};

/* 0, or EXIT_USAGE after printing what is wrong. */
int conn_setup(const struct cmd_args *a, const char *target, struct conn_setup *cs);
void conn_setup_release(struct conn_setup *cs);
/* Exit code for an engine error code. */
int exit_code_for(int err);

extern const struct cmd_entry *const cmd_table[];

#endif
