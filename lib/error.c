#include "error.h"

#include <stdlib.h>

#include "banned.h"

int error_set(struct error *e, int code, const char *fmt, ...)
{
	va_list ap;
	if (!e)
		return code;
	free(e->msg);
	va_start(ap, fmt);
	e->msg = xvasprintf(fmt, ap);
	va_end(ap);
	e->code = code;
	return code;
}

void error_prefix(struct error *e, const char *fmt, ...)
{
	va_list ap;
	if (!e || !e->msg)
		return;
	va_start(ap, fmt);
	char *prefix = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", prefix, e->msg);
	free(prefix);
	free(e->msg);
	e->msg = msg;
}

void error_release(struct error *e)
{
	if (!e)
		return;
	free(e->msg);
	e->msg = NULL;
	e->code = 0;
}
