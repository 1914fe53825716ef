/*
 * The check-type table. Adding a check type is one file in checks/ plus one
 * row here; the build fails when a file is missing from this table.
 */
#include <string.h>

#include "types.h"

extern const struct check_type check_command;

const struct check_type *const check_types[] = {
	&check_command,
	NULL,
};

const struct check_type *check_type_find(const char *name)
{
	for (size_t i = 0; check_types[i]; i++)
		if (!strcmp(check_types[i]->name, name))
			return check_types[i];
	return NULL;
}
