#include "target.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static int parse_port(const char *s, int *port)
{
	long v = 0;
	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

int target_parse(const char *s, struct target *out, struct error *e)
{
	struct target t = TARGET_INIT;
	char *buf = NULL;
	int ret = SR_ERR_USAGE;
	const char *in = s;

	if (!strncmp(in, "ssh://", 6))
		in += 6;
	buf = xstrdup(in);
	size_t len = strlen(buf);
	if (str_starts_with(s, "ssh://") && len && buf[len - 1] == '/')
		buf[--len] = '\0';

	char *host = buf;
	char *at = strrchr(buf, '@');
	if (at) {
		*at = '\0';
		if (!*buf) {
			error_set(e, ret, "invalid target '%s': empty user name", s);
			goto out;
		}
		t.user = xstrdup(buf);
		host = at + 1;
	}
	char *port = NULL;
	if (*host == '[') {
		char *close = strchr(host, ']');
		if (!close) {
			error_set(e, ret, "invalid target '%s': missing ']'", s);
			goto out;
		}
		*close = '\0';
		host++;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1]) {
			error_set(e, ret, "invalid target '%s': unexpected text after ']'", s);
			goto out;
		}
	} else {
		char *colon = strchr(host, ':');
		/* a bare IPv6 address has several colons and no port */
		if (colon && !strchr(colon + 1, ':')) {
			*colon = '\0';
			port = colon + 1;
		}
	}
	if (!*host) {
		error_set(e, ret, "invalid target '%s': empty host name", s);
		goto out;
	}
	for (const char *p = host; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == '/' || *p == '@') {
			error_set(e, ret, "invalid target '%s': bad character in host name", s);
			goto out;
		}
	}
	if (port && parse_port(port, &t.port) < 0) {
		error_set(e, ret, "invalid target '%s': port must be a number from 1 to 65535", s);
		goto out;
	}
	t.host = xstrdup(host);
	*out = t;
	t.user = NULL;
	ret = 0;
out:
	free(t.user);
	free(buf);
	return ret;
}

void target_release(struct target *t)
{
	if (!t)
		return;
	free(t->user);
	free(t->host);
	t->user = t->host = NULL;
	t->port = 22;
}

char *target_display(const struct target *t)
{
	int v6 = t->host && strchr(t->host, ':');
	return xasprintf("%s%s%s%s%s:%d", t->user ? t->user : "", t->user ? "@" : "", v6 ? "[" : "",
			 t->host ? t->host : "?", v6 ? "]" : "", t->port);
}
