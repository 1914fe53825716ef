/*
 * The gather transcript: framed sections of raw evidence printed by the
 * remote script (docs/gather-format.md). This module only frames: it finds
 * the header, the sections with their statuses, the file sub-headers inside
 * them, and whether the script got to the end. The facts parsers (facts*.c)
 * read the sections.
 *
 * Input is bytes: not NUL-terminated, may hold NULs, CRLF line ends, lines
 * of any length and garbage. A marker line counts only with the nonce of the
 * header line, so evidence that happens to contain "@@SRG" cannot end a
 * section early.
 */
#ifndef SR_GATHER_H
#define SR_GATHER_H

#include <stddef.h>

#include "strbuf.h"

#define GATHER_FORMAT_VERSION 1
#define GATHER_MARK "@@SRG"
/* Bounds: anything beyond them is not a transcript this script printed. */
#define GATHER_MAX_BYTES ((size_t)64 << 20)
#define GATHER_MAX_SECTIONS 512
#define GATHER_MAX_NAME 64
#define GATHER_MIN_NONCE 8
#define GATHER_MAX_NONCE 64

/* Parse errors (negative return values of gather_parse). */
#define GATHER_ERR_SIZE (-2)     /* larger than GATHER_MAX_BYTES */
#define GATHER_ERR_HEADER (-3)   /* first line is not a header */
#define GATHER_ERR_VERSION (-4)  /* header of an unsupported format version */
#define GATHER_ERR_NONCE (-5)    /* the header's nonce is not the expected one */
#define GATHER_ERR_SECTIONS (-6) /* more than GATHER_MAX_SECTIONS sections */

struct gather_section {
	char *name;
	int status;      /* from the end marker; -1 when it is missing */
	int complete;    /* the end marker was seen */
	const char *data; /* content bytes (points into the transcript's copy) */
	size_t len;
};

struct gather {
	char *buf;       /* owned copy of the input */
	size_t len;
	char nonce[GATHER_MAX_NONCE + 1];
	int version;
	struct gather_section *sections;
	size_t nr, alloc;
	int done;        /* the done marker was seen */
	size_t stray;    /* lines outside sections and markers not understood */
	size_t duplicates; /* sections seen again (their content is ignored) */
};

void gather_init(struct gather *g);
void gather_release(struct gather *g);

/*
 * Frame data (len bytes). When expected_nonce is not NULL the header must
 * carry it. 0 on success; otherwise a GATHER_ERR_* code and, when err is not
 * NULL, a message (owned by the caller). g must be initialised and empty; it is
 * assigned only on success.
 */
int gather_parse(struct gather *g, const char *data, size_t len, const char *expected_nonce,
		 char **err);

/* The section called name, or NULL when the transcript has none. */
const struct gather_section *gather_find(const struct gather *g, const char *name);

/* A transcript is complete when done was seen and every section was ended. */
int gather_complete(const struct gather *g);

/*
 * Lines of a byte range, without their "\n" and a trailing "\r". Returns 1
 * and the next line, or 0 at the end. A last line without "\n" counts.
 */
int gather_next_line(const char **p, const char *end, const char **line, size_t *len);

/* Is line the marker "@@SRG <nonce> <verb> ..." of g? *rest is what follows the verb. */
int gather_is_marker(const struct gather *g, const char *line, size_t len, const char *verb,
		     const char **rest, size_t *rest_len);

/*
 * Iterate over the files of a section (`@@SRG <nonce> file <path>` headers):
 *
 *	struct gather_files it;
 *	struct gather_file file;
 *	gather_files_init(&it, g, s);
 *	while (gather_files_next(&it, &file))
 *		... file.path, file.data, file.len ...
 *	gather_files_release(&it);
 *
 * The bytes before the first header are in it.head, it.head_len after init.
 */
struct gather_file {
	const char *path; /* valid until the next call */
	const char *data;
	size_t len;
};

struct gather_files {
	const struct gather *g;
	const char *p, *end;
	const char *head;
	size_t head_len;
	struct strbuf path;
};

void gather_files_init(struct gather_files *it, const struct gather *g,
		       const struct gather_section *s);
int gather_files_next(struct gather_files *it, struct gather_file *file);
void gather_files_release(struct gather_files *it);

#endif
