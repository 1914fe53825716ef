/*
 * The check-type table. Adding a check type is one file in checks/ plus one
 * row here; the build fails when a file is missing from this table.
 */
#include <string.h>

#include "types.h"

extern const struct check_type check_command;
extern const struct check_type check_malware;
extern const struct check_type check_package_sources;
extern const struct check_type check_updates;
extern const struct check_type check_reboot;
extern const struct check_type check_os_maintained;
extern const struct check_type check_third_party_maintained;
extern const struct check_type check_server_guard;
extern const struct check_type check_hygiene;
extern const struct check_type check_webapp_first_login;

const struct check_type *const check_types[] = {
	&check_command,
	&check_package_sources,
	&check_os_maintained,
	&check_third_party_maintained,
	&check_server_guard,
	&check_hygiene,
	&check_updates,
	&check_reboot,
	&check_malware,
	&check_webapp_first_login,
	NULL,
};

const struct check_type *check_type_find(const char *name)
{
	for (size_t i = 0; check_types[i]; i++)
		if (!strcmp(check_types[i]->name, name))
			return check_types[i];
	return NULL;
}
