/*
 * Errors that cross the engine's boundaries: a negative code saying what
 * kind of failure it was (the command line maps kinds to exit codes) and one
 * message, made once where a library's error becomes text.
 */
#ifndef SR_ERROR_H
#define SR_ERROR_H

#include "util.h"

enum {
	SR_OK = 0,
	SR_ERR = -1,          /* anything else */
	SR_ERR_USAGE = -2,    /* bad options or input */
	SR_ERR_CONNECT = -3,  /* could not reach the target or lost it */
	SR_ERR_AUTH = -4,     /* authentication refused */
	SR_ERR_HOSTKEY = -5,  /* host key unknown, changed or not the pinned one */
	SR_ERR_TIMEOUT = -6,  /* a command ran out of time */
	SR_ERR_REMOTE = -7,   /* the target did something unexpected */
	SR_ERR_IO = -8,       /* local files */
	SR_ERR_INTERRUPTED = -9, /* the user asked to stop (Ctrl-C) */
};

struct error {
	int code;
	char *msg;
};

#define ERROR_INIT { 0, NULL }

/* Set e (replacing an earlier message) and return code. */
int error_set(struct error *e, int code, const char *fmt, ...) SR_PRINTF(3, 4);
/* Prefix the message: "what: <old message>". */
void error_prefix(struct error *e, const char *fmt, ...) SR_PRINTF(2, 3);
void error_release(struct error *e);

#endif
