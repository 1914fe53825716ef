#include "facts.h"

#include <string.h>

const struct fact_name fact_names[] = {
	{ "os.id", "os-release ID, such as debian, ubuntu, centos, rocky, alinux, opensuse-leap" },
	{ "os.id_like", "os-release ID_LIKE, space separated (use with 'in')" },
	{ "os.family", "debian, rhel, suse, alpine or unknown" },
	{ "os.name", "os-release PRETTY_NAME" },
	{ "os.version_id", "os-release VERSION_ID, such as 12 or 22.04" },
	{ "os.codename", "release code name, such as bookworm" },
	{ "os.arch", "machine architecture, such as x86_64 or aarch64" },
	{ "os.kernel", "running kernel release" },
	{ "pkg.manager", "apt, dnf, yum, zypper or apk" },
	{ "init.system", "systemd or sysvinit" },
	{ "cloud_init.present", "true when cloud-init is installed" },
	{ "target.user", "the user shelfready connected as" },
	{ NULL, NULL },
};

const struct fact_name *fact_name_find(const char *name)
{
	for (const struct fact_name *f = fact_names; f->name; f++)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}
