/*
 * The SSH transport: the only module that calls libssh2. It connects
 * (directly or through a jump host), verifies the host key, authenticates,
 * runs commands on exec channels with streaming, timeouts and capped
 * capture, transfers files by SFTP, and reconnects. libssh2's errors become
 * text here, once.
 */
#ifndef SR_SSH_H
#define SR_SSH_H

#include <signal.h>
#include <stddef.h>

#include "strbuf.h"
#include "target.h"

struct error;

enum hostkey_policy {
	HOSTKEY_STRICT,     /* the key must be in known_hosts */
	HOSTKEY_ACCEPT_NEW, /* record an unknown key; refuse a changed one */
	HOSTKEY_PIN,        /* the key's SHA256 fingerprint must equal pin */
	HOSTKEY_OFF,        /* accept anything (warned loudly) */
};

/*
 * Secrets are borrowed pointers to memory the caller owns (read from the
 * environment or files, never from argv).
 */
struct ssh_auth {
	const char *identity_file; /* -i; NULL: the default ~/.ssh/id_* files */
	const char *passphrase;    /* for the key */
	const char *key_pem;       /* private key as text (--key-env) */
	size_t key_pem_len;
	const char *password;      /* --password-env: password and keyboard-interactive */
	int no_agent;
};

struct ssh_opts {
	struct target target;      /* user must be set */
	struct target jump;        /* host NULL: no jump host */
	struct ssh_auth auth;
	enum hostkey_policy hostkey;
	const char *pin;           /* "SHA256:..." for HOSTKEY_PIN */
	const char *known_hosts;   /* file; used by strict and accept-new */
	int connect_timeout;       /* seconds, per attempt */
	int wait;                  /* keep retrying refused/silent connections for this long */
	int keepalive;             /* seconds between keepalives; 0: off */
	int sudo;                  /* run commands through sudo */
	const char *sudo_password; /* secret; NULL: sudo -n */
	/* messages for the user (warnings, a recorded host key); may be NULL */
	void (*notice)(void *arg, const char *msg);
	void *notice_arg;
};

struct ssh_conn;

/* Both return 0 or a negative SR_ERR_* code with e set. */
int ssh_connect(const struct ssh_opts *o, struct ssh_conn **out, struct error *e);
/* Drop the current connection (if any) and connect again, waiting up to wait seconds. */
int ssh_reconnect(struct ssh_conn *c, int wait, struct error *e);
void ssh_close(struct ssh_conn *c);

/* How the client authenticated ("publickey (agent)", "password", ...). */
const char *ssh_auth_method(const struct ssh_conn *c);
/* Whether commands run through sudo (--sudo). */
int ssh_uses_sudo(const struct ssh_conn *c);
/* Channels opened on this connection so far (exec and SFTP). */
unsigned ssh_channels_opened(const struct ssh_conn *c);

enum { EXEC_STDOUT = 1, EXEC_STDERR = 2 };

struct exec_opts {
	const char *input; /* sent on stdin, then EOF; may be NULL */
	size_t input_len;
	int timeout;       /* seconds; 0: none */
	size_t cap;        /* bytes kept per stream; 0: 1 MiB */
	int no_sudo;       /* run as the connecting user even with --sudo */
	/* each complete line as it arrives (raw bytes, without the newline) */
	void (*on_line)(void *arg, int stream, const char *line, size_t len);
	void *arg;
	/* when it becomes non-zero (a signal handler's flag), stop: SR_ERR_INTERRUPTED */
	const volatile sig_atomic_t *cancel;
};

struct exec_result {
	int status;           /* exit status, -1 when killed by a signal or unknown */
	char *signal;         /* "KILL", ... or NULL */
	struct strbuf out, err;
	int out_truncated, err_truncated;
	size_t out_total, err_total; /* bytes received, including dropped ones */
};

void exec_result_release(struct exec_result *r);

/*
 * Run command on a new exec channel (through sudo when the connection has
 * --sudo, unless o->no_sudo). A non-zero exit status is not an error; a
 * lost connection, a timeout or a sudo refusal is.
 */
int ssh_exec(struct ssh_conn *c, const char *command, const struct exec_opts *o,
	     struct exec_result *r, struct error *e);

/* SFTP: write to a temporary name, set the mode, rename into place. */
int ssh_upload(struct ssh_conn *c, const char *data, size_t len, const char *path, int mode,
	       struct error *e);
int ssh_download(struct ssh_conn *c, const char *path, size_t max, char **data, size_t *len,
		 struct error *e);

/*
 * A here-document terminator that occurs nowhere in text (owned):
 * SHELFREADY_EOF, else SHELFREADY_EOF_1, _2 ... (the same text always gets
 * the same one, so generated scripts compare byte for byte).
 */
char *shell_heredoc_eof(const char *text);
/* Append s to sb quoted for a POSIX shell. */
void shell_quote(struct strbuf *sb, const char *s);
/* Append n bytes to sb with control characters shown as ^X (for terminals). */
void term_sanitize(struct strbuf *sb, const char *s, size_t n);

#endif
