/*
 * The step-type table. Adding a step type is one file in steps/ plus one row
 * here; the build fails when a file is missing from this table.
 */
#include <string.h>

#include "types.h"

extern const struct step_type step_script;

const struct step_type *const step_types[] = {
	&step_script,
	NULL,
};

const struct step_type *step_type_find(const char *name)
{
	for (size_t i = 0; step_types[i]; i++)
		if (!strcmp(step_types[i]->name, name))
			return step_types[i];
	return NULL;
}
