/*
 * The step-type table. Adding a step type is one file in steps/ plus one row
 * here; the build fails when a file is missing from this table.
 */
#include <string.h>

#include "types.h"

extern const struct step_type step_wait_ready;
extern const struct step_type step_os_update;
extern const struct step_type step_reboot;
extern const struct step_type step_package;
extern const struct step_type step_service;
extern const struct step_type step_file_line;
extern const struct step_type step_script;
extern const struct step_type step_server_guard;
extern const struct step_type step_expire_password;
extern const struct step_type step_webapp_first_login;
extern const struct step_type step_cleanup;

/* In the order a profile usually runs them (the order of the documentation). */
const struct step_type *const step_types[] = {
	&step_wait_ready,
	&step_os_update,
	&step_reboot,
	&step_package,
	&step_service,
	&step_file_line,
	&step_script,
	&step_server_guard,
	&step_expire_password,
	&step_webapp_first_login,
	&step_cleanup,
	NULL,
};

const struct step_type *step_type_find(const char *name)
{
	for (size_t i = 0; step_types[i]; i++)
		if (!strcmp(step_types[i]->name, name))
			return step_types[i];
	return NULL;
}
