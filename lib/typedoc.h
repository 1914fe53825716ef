/*
 * The reference of step and check types, rendered from the type tables
 * (steps/table.c, checks/table.c) and their parameter schemas, so that the
 * documentation cannot drift from what lint accepts: Markdown for
 * docs/profiles.md, roff for the man page, plain text for the terminal.
 */
#ifndef SR_TYPEDOC_H
#define SR_TYPEDOC_H

#include "strbuf.h"

/* "## Step types" and "## Check types", every type with its parameter table. */
void typedoc_markdown(struct strbuf *sb);
/* The same as man page sections (.SH STEP TYPES, .SH CHECK TYPES). */
void typedoc_roff(struct strbuf *sb);
/* One type (a step or check type name) as plain text; -1 when there is none. */
int typedoc_text(struct strbuf *sb, const char *name);
/* Every type, one line each: kind, name, summary. */
void typedoc_list(struct strbuf *sb);

/* Text for roff: backslashes, leading dots and quotes escaped. */
void roff_text(struct strbuf *sb, const char *s);

#endif
