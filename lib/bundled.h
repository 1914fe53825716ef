/* Profiles compiled into the binary; the table is generated from profiles/. */
#ifndef SR_BUNDLED_H
#define SR_BUNDLED_H

#include <stddef.h>

struct bundled_file {
	const char *name; /* file name without .yaml */
	const char *data;
	size_t len;
};

/* Sorted by name, ends with a NULL name. */
extern const struct bundled_file bundled_profiles[];

#endif
