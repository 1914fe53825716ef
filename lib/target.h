/* Where to connect: [user@]host[:port], ssh://user@host:port, [IPv6]:port. */
#ifndef SR_TARGET_H
#define SR_TARGET_H

struct error;

struct target {
	char *user; /* NULL when not given */
	char *host; /* without brackets */
	int port;   /* 22 when not given */
};

#define TARGET_INIT { NULL, NULL, 22 }

int target_parse(const char *s, struct target *out, struct error *e);
void target_release(struct target *t);
/* "user@host:port" for messages, IPv6 in brackets (owned by the caller). */
char *target_display(const struct target *t);

#endif
