#include "check.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "banned.h"

const char *check_status_name(enum check_status s)
{
	switch (s) {
	case CHECK_PASS: return "pass";
	case CHECK_FAIL: return "fail";
	case CHECK_ERROR: return "error";
	case CHECK_SKIPPED: return "skipped";
	case CHECK_WAIVED: return "waived";
	}
	return "?";
}

void check_result_init(struct check_result *r)
{
	memset(r, 0, sizeof(*r));
	r->status = CHECK_ERROR;
}

void check_result_release(struct check_result *r)
{
	if (!r)
		return;
	free(r->summary);
	for (size_t i = 0; i < r->nevidence; i++)
		free(r->evidence[i]);
	free(r->evidence);
	free(r->remediation);
	memset(r, 0, sizeof(*r));
}

/* Facts hold raw bytes from the target: keep them printable. */
static char *clean(const char *fmt, va_list ap)
{
	char *raw = xvasprintf(fmt, ap);
	struct strbuf sb = STRBUF_INIT;
	for (const char *p = raw; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(&sb, "\\x%02x", c);
		else
			strbuf_addch(&sb, (char)c);
	}
	free(raw);
	return strbuf_detach(&sb);
}

void check_evidence(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *line = clean(fmt, ap);
	va_end(ap);
	ALLOC_GROW(r->evidence, r->nevidence + 1, r->alloc);
	r->evidence[r->nevidence++] = line;
}

static void set(struct check_result *r, enum check_status s, const char *fmt, va_list ap)
{
	free(r->summary);
	r->summary = clean(fmt, ap);
	r->status = s;
}

void check_pass(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(r, CHECK_PASS, fmt, ap);
	va_end(ap);
}

void check_fail(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(r, CHECK_FAIL, fmt, ap);
	va_end(ap);
}

void check_error(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set(r, CHECK_ERROR, fmt, ap);
	va_end(ap);
}

void check_remedy(struct check_result *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(r->remediation);
	r->remediation = clean(fmt, ap);
	va_end(ap);
}
