/* A growable, always NUL-terminated byte buffer. */
#ifndef SR_STRBUF_H
#define SR_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util.h"

struct strbuf {
	char *buf;
	size_t len;
	size_t cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
/* Hand the buffer to the caller (never NULL) and reset sb. */
char *strbuf_detach(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) SR_PRINTF(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap) SR_PRINTF(2, 0);
/* Append n spaces. */
void strbuf_indent(struct strbuf *sb, int n);
/* Append s with C-style escapes for control characters, quotes and backslashes. */
void strbuf_add_escaped(struct strbuf *sb, const char *s);

#endif
