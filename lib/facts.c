#include "facts.h"

#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "util.h"
#include "banned.h"

const struct fact_name fact_names[] = {
	{ "os.id", "os-release ID, such as debian, ubuntu, centos, rocky, alinux, opensuse-leap" },
	{ "os.id_like", "os-release ID_LIKE, space separated (use with 'in')" },
	{ "os.family", "debian, rhel, suse, alpine or unknown" },
	{ "os.name", "os-release PRETTY_NAME" },
	{ "os.version", "os-release VERSION, such as \"12 (bookworm)\"" },
	{ "os.version_id", "os-release VERSION_ID, such as 12 or 22.04" },
	{ "os.codename", "release code name, such as bookworm" },
	{ "os.arch", "machine architecture, such as x86_64 or aarch64" },
	{ "os.kernel", "running kernel release" },
	{ "os.kernel_newest", "newest installed kernel release" },
	{ "pkg.manager", "apt, dnf, yum, zypper or apk" },
	{ "init.system", "systemd or sysvinit" },
	{ "reboot.required", "true when a reboot is pending (flag file, needs-restarting, newer kernel)" },
	{ "cloud_init.present", "true when cloud-init is installed" },
	{ "cloud_init.status", "cloud-init status, such as done or running" },
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

/* ---- the description of the model ---- */

/* Every FACTS_ARRAY has this layout, whatever its element type. */
struct facts_anyarray {
	void *v;
	size_t n, alloc;
};

_Static_assert(offsetof(struct facts_strs, n) == offsetof(struct facts_anyarray, n),
	       "arrays share a layout");
_Static_assert(sizeof(struct facts_strs) == sizeof(struct facts_anyarray), "arrays share a layout");

#define F_STR(st, m) { #m, FACTS_STR, offsetof(st, m), NULL, 0 }
#define F_INT(st, m) { #m, FACTS_INT, offsetof(st, m), NULL, 0 }
#define F_BOOL(st, m) { #m, FACTS_BOOL, offsetof(st, m), NULL, 0 }
#define F_TRI(st, m) { #m, FACTS_TRI, offsetof(st, m), NULL, 0 }
#define F_STRS(st, m) { #m, FACTS_STRS, offsetof(st, m), NULL, 0 }
#define F_SRC(st, m) { #m, FACTS_SRC, offsetof(st, m), NULL, 0 }
#define F_LIST(st, m, elt, sub) { #m, FACTS_LIST, offsetof(st, m), sub, sizeof(elt) }
#define F_OBJ(st, m, sub) { #m, FACTS_OBJ, offsetof(st, m), sub, 0 }
#define F_END { NULL, FACTS_STR, 0, NULL, 0 }

static const struct facts_field tool_fields[] = {
	F_STR(struct facts_tool, name), F_STR(struct facts_tool, path), F_END,
};
static const struct facts_field list_file_fields[] = {
	F_STR(struct facts_list_file, path), F_INT(struct facts_list_file, mtime), F_END,
};
static const struct facts_field package_fields[] = {
	F_STR(struct facts_package, name), F_STR(struct facts_package, version),
	F_STR(struct facts_package, arch), F_STR(struct facts_package, status), F_END,
};
static const struct facts_field update_fields[] = {
	F_STR(struct facts_update, name), F_STR(struct facts_update, version),
	F_STR(struct facts_update, current), F_STR(struct facts_update, arch),
	F_STR(struct facts_update, origin), F_BOOL(struct facts_update, security), F_END,
};
static const struct facts_field advisory_fields[] = {
	F_STR(struct facts_advisory, id), F_STR(struct facts_advisory, severity),
	F_STR(struct facts_advisory, package), F_STR(struct facts_advisory, summary), F_END,
};
static const struct facts_field component_pkg_fields[] = {
	F_STR(struct facts_component_pkg, name), F_STR(struct facts_component_pkg, version),
	F_STR(struct facts_component_pkg, update), F_BOOL(struct facts_component_pkg, security),
	F_END,
};
static const struct facts_field component_fields[] = {
	F_STR(struct facts_component, name), F_BOOL(struct facts_component, installed),
	F_BOOL(struct facts_component, update), F_BOOL(struct facts_component, security),
	F_LIST(struct facts_component, packages, struct facts_component_pkg, component_pkg_fields),
	F_END,
};
static const struct facts_field process_fields[] = {
	F_INT(struct facts_process, pid), F_INT(struct facts_process, uid),
	F_STR(struct facts_process, user), F_STR(struct facts_process, comm),
	F_STR(struct facts_process, exe), F_BOOL(struct facts_process, deleted),
	F_BOOL(struct facts_process, in_tmp), F_END,
};
static const struct facts_field service_fields[] = {
	F_STR(struct facts_service, name), F_STR(struct facts_service, systemd_state),
	F_STR(struct facts_service, sysv_runlevels), F_BOOL(struct facts_service, enabled), F_END,
};
static const struct facts_field socket_fields[] = {
	F_STR(struct facts_socket, proto), F_STR(struct facts_socket, address),
	F_INT(struct facts_socket, port), F_STR(struct facts_socket, process),
	F_INT(struct facts_socket, pid), F_END,
};
static const struct facts_field account_fields[] = {
	F_STR(struct facts_account, name), F_INT(struct facts_account, uid),
	F_INT(struct facts_account, gid), F_STR(struct facts_account, home),
	F_STR(struct facts_account, shell), F_STR(struct facts_account, password),
	F_INT(struct facts_account, lastchg), F_INT(struct facts_account, max),
	F_INT(struct facts_account, expire), F_END,
};
static const struct facts_field file_lines_fields[] = {
	F_STR(struct facts_file_lines, path), F_BOOL(struct facts_file_lines, listing),
	F_STRS(struct facts_file_lines, lines), F_END,
};
static const struct facts_field cron_entry_fields[] = {
	F_STR(struct facts_cron_entry, file), F_STR(struct facts_cron_entry, line), F_END,
};
static const struct facts_field sshd_option_fields[] = {
	F_STR(struct facts_sshd_option, key), F_STRS(struct facts_sshd_option, values), F_END,
};
static const struct facts_field keyfile_fields[] = {
	F_STR(struct facts_keyfile, path), F_INT(struct facts_keyfile, uid),
	F_STR(struct facts_keyfile, mode), F_INT(struct facts_keyfile, count),
	F_STRS(struct facts_keyfile, types), F_END,
};
static const struct facts_field history_fields[] = {
	F_STR(struct facts_history, path), F_INT(struct facts_history, size), F_END,
};
static const struct facts_field repo_fields[] = {
	F_STR(struct facts_repo, file), F_STR(struct facts_repo, kind),
	F_STR(struct facts_repo, id), F_STR(struct facts_repo, types),
	F_STR(struct facts_repo, uris), F_STR(struct facts_repo, mirrorlist),
	F_STR(struct facts_repo, suites), F_STR(struct facts_repo, components),
	F_BOOL(struct facts_repo, enabled), F_END,
};
static const struct facts_field program_fields[] = {
	F_STR(struct facts_program, name), F_STR(struct facts_program, path),
	F_STR(struct facts_program, version_text), F_STR(struct facts_program, version), F_END,
};
static const struct facts_field fl_file_fields[] = {
	F_BOOL(struct facts_fl_file, present), F_STR(struct facts_fl_file, path),
	F_STR(struct facts_fl_file, type), F_INT(struct facts_fl_file, uid),
	F_STR(struct facts_fl_file, mode), F_STR(struct facts_fl_file, target), F_END,
};
const struct facts_field facts_webapp_fields[] = {
	F_STR(struct facts_webapp, name),
	F_OBJ(struct facts_webapp, reset, fl_file_fields),
	F_OBJ(struct facts_webapp, hook, fl_file_fields),
	F_OBJ(struct facts_webapp, unit, fl_file_fields),
	F_OBJ(struct facts_webapp, wants, fl_file_fields),
	F_OBJ(struct facts_webapp, done, fl_file_fields),
	F_OBJ(struct facts_webapp, credentials, fl_file_fields),
	F_STRS(struct facts_webapp, conditions), F_STRS(struct facts_webapp, exec), F_END,
};
static const struct facts_field check_fields[] = {
	F_STR(struct facts_check, id), F_INT(struct facts_check, status),
	F_STR(struct facts_check, output), F_BOOL(struct facts_check, truncated), F_END,
};

static const struct facts_field meta_fields[] = {
	F_SRC(struct facts_meta, src), F_INT(struct facts_meta, time), F_INT(struct facts_meta, uid),
	F_STR(struct facts_meta, user), F_STR(struct facts_meta, shell),
	F_STR(struct facts_meta, hostname), F_STR(struct facts_meta, path), F_END,
};
static const struct facts_field os_fields[] = {
	F_SRC(struct facts_os, src), F_STR(struct facts_os, id), F_STR(struct facts_os, id_like),
	F_STR(struct facts_os, name), F_STR(struct facts_os, version),
	F_STR(struct facts_os, version_id), F_STR(struct facts_os, codename),
	F_STR(struct facts_os, family), F_END,
};
static const struct facts_field uname_fields[] = {
	F_SRC(struct facts_uname, src), F_STR(struct facts_uname, sysname),
	F_STR(struct facts_uname, release), F_STR(struct facts_uname, machine),
	F_STR(struct facts_uname, version), F_END,
};
static const struct facts_field boot_fields[] = {
	F_SRC(struct facts_boot, src), F_STR(struct facts_boot, boot_id),
	F_INT(struct facts_boot, uptime), F_END,
};
static const struct facts_field kernels_fields[] = {
	F_SRC(struct facts_kernels, src), F_STRS(struct facts_kernels, installed),
	F_STR(struct facts_kernels, newest), F_END,
};
static const struct facts_field tools_fields[] = {
	F_SRC(struct facts_tools, src), F_LIST(struct facts_tools, list, struct facts_tool, tool_fields),
	F_END,
};
static const struct facts_field packages_fields[] = {
	F_SRC(struct facts_packages, src), F_STR(struct facts_packages, manager),
	F_LIST(struct facts_packages, list, struct facts_package, package_fields), F_END,
};
static const struct facts_field refresh_fields[] = {
	F_SRC(struct facts_refresh, src), F_END,
};
static const struct facts_field lists_fields[] = {
	F_SRC(struct facts_lists, src),
	F_LIST(struct facts_lists, files, struct facts_list_file, list_file_fields),
	F_INT(struct facts_lists, newest), F_INT(struct facts_lists, age), F_END,
};
static const struct facts_field updates_fields[] = {
	F_SRC(struct facts_updates, src), F_SRC(struct facts_updates, security_src),
	F_LIST(struct facts_updates, list, struct facts_update, update_fields),
	F_LIST(struct facts_updates, advisories, struct facts_advisory, advisory_fields),
	F_INT(struct facts_updates, count), F_INT(struct facts_updates, security_count), F_END,
};
static const struct facts_field reboot_fields[] = {
	F_SRC(struct facts_reboot, src), F_TRI(struct facts_reboot, required_file),
	F_STRS(struct facts_reboot, packages), F_INT(struct facts_reboot, needs_restarting),
	F_TRI(struct facts_reboot, kernel_pending), F_TRI(struct facts_reboot, required), F_END,
};
static const struct facts_field components_fields[] = {
	F_SRC(struct facts_components, src),
	F_LIST(struct facts_components, list, struct facts_component, component_fields), F_END,
};
static const struct facts_field processes_fields[] = {
	F_SRC(struct facts_processes, src),
	F_LIST(struct facts_processes, list, struct facts_process, process_fields), F_END,
};
static const struct facts_field services_fields[] = {
	F_SRC(struct facts_services, src), F_STR(struct facts_services, init),
	F_LIST(struct facts_services, list, struct facts_service, service_fields), F_END,
};
static const struct facts_field listening_fields[] = {
	F_SRC(struct facts_listening, src), F_STR(struct facts_listening, tool),
	F_LIST(struct facts_listening, list, struct facts_socket, socket_fields), F_END,
};
static const struct facts_field accounts_fields[] = {
	F_SRC(struct facts_accounts, src), F_BOOL(struct facts_accounts, shadow),
	F_LIST(struct facts_accounts, list, struct facts_account, account_fields), F_END,
};
static const struct facts_field cron_fields[] = {
	F_SRC(struct facts_cron, src),
	F_LIST(struct facts_cron, files, struct facts_file_lines, file_lines_fields),
	F_LIST(struct facts_cron, entries, struct facts_cron_entry, cron_entry_fields), F_END,
};
static const struct facts_field preload_fields[] = {
	F_SRC(struct facts_preload, src), F_BOOL(struct facts_preload, present),
	F_STRS(struct facts_preload, entries), F_END,
};
static const struct facts_field sshd_fields[] = {
	F_SRC(struct facts_sshd, src), F_BOOL(struct facts_sshd, effective),
	F_LIST(struct facts_sshd, options, struct facts_sshd_option, sshd_option_fields), F_END,
};
static const struct facts_field keys_fields[] = {
	F_SRC(struct facts_keys, src),
	F_LIST(struct facts_keys, list, struct facts_keyfile, keyfile_fields), F_END,
};
static const struct facts_field histories_fields[] = {
	F_SRC(struct facts_histories, src),
	F_LIST(struct facts_histories, list, struct facts_history, history_fields), F_END,
};
static const struct facts_field host_keys_fields[] = {
	F_SRC(struct facts_host_keys, src), F_STRS(struct facts_host_keys, paths), F_END,
};
static const struct facts_field machine_id_fields[] = {
	F_SRC(struct facts_machine_id, src), F_STR(struct facts_machine_id, etc),
	F_STR(struct facts_machine_id, dbus), F_STR(struct facts_machine_id, etc_state),
	F_STR(struct facts_machine_id, dbus_state), F_END,
};
static const struct facts_field cloud_init_fields[] = {
	F_SRC(struct facts_cloud_init, src), F_BOOL(struct facts_cloud_init, present),
	F_STR(struct facts_cloud_init, status), F_TRI(struct facts_cloud_init, boot_finished),
	F_INT(struct facts_cloud_init, instances), F_END,
};
static const struct facts_field sources_fields[] = {
	F_SRC(struct facts_sources, src),
	F_LIST(struct facts_sources, files, struct facts_file_lines, file_lines_fields),
	F_LIST(struct facts_sources, repos, struct facts_repo, repo_fields), F_END,
};
static const struct facts_field third_party_fields[] = {
	F_SRC(struct facts_third_party, src),
	F_LIST(struct facts_third_party, list, struct facts_program, program_fields), F_END,
};
static const struct facts_field first_login_fields[] = {
	F_SRC(struct facts_first_login, src), F_STRS(struct facts_first_login, unreadable),
	F_STRS(struct facts_first_login, ignored),
	F_LIST(struct facts_first_login, apps, struct facts_webapp, facts_webapp_fields), F_END,
};

const struct facts_field facts_fields[] = {
	F_OBJ(struct facts, meta, meta_fields),
	F_OBJ(struct facts, os, os_fields),
	F_OBJ(struct facts, uname, uname_fields),
	F_OBJ(struct facts, boot, boot_fields),
	F_OBJ(struct facts, kernels, kernels_fields),
	F_OBJ(struct facts, tools, tools_fields),
	F_OBJ(struct facts, packages, packages_fields),
	F_OBJ(struct facts, refresh, refresh_fields),
	F_OBJ(struct facts, lists, lists_fields),
	F_OBJ(struct facts, updates, updates_fields),
	F_OBJ(struct facts, reboot, reboot_fields),
	F_OBJ(struct facts, components, components_fields),
	F_OBJ(struct facts, processes, processes_fields),
	F_OBJ(struct facts, services, services_fields),
	F_OBJ(struct facts, listening, listening_fields),
	F_OBJ(struct facts, accounts, accounts_fields),
	F_OBJ(struct facts, cron, cron_fields),
	F_OBJ(struct facts, ld_so_preload, preload_fields),
	F_OBJ(struct facts, sshd, sshd_fields),
	F_OBJ(struct facts, authorized_keys, keys_fields),
	F_OBJ(struct facts, histories, histories_fields),
	F_OBJ(struct facts, host_keys, host_keys_fields),
	F_OBJ(struct facts, machine_id, machine_id_fields),
	F_OBJ(struct facts, cloud_init, cloud_init_fields),
	F_OBJ(struct facts, sources, sources_fields),
	F_OBJ(struct facts, third_party, third_party_fields),
	F_OBJ(struct facts, first_login, first_login_fields),
	F_LIST(struct facts, checks, struct facts_check, check_fields),
	F_STRS(struct facts, warnings),
	F_END,
};

static void src_init(struct facts_src *src)
{
	src->section = NULL;
	src->status = -1;
	src->complete = 0;
	src->skipped = 0;
}

void facts_obj_init(const struct facts_field *fields, void *obj)
{
	for (const struct facts_field *fd = fields; fd->key; fd++) {
		char *p = (char *)obj + fd->off;
		switch (fd->type) {
		case FACTS_STR: {
			char *null = NULL;
			memcpy(p, &null, sizeof(null));
			break;
		}
		case FACTS_INT: {
			long long v = -1;
			memcpy(p, &v, sizeof(v));
			break;
		}
		case FACTS_BOOL:
		case FACTS_TRI: {
			int v = fd->type == FACTS_TRI ? -1 : 0;
			memcpy(p, &v, sizeof(v));
			break;
		}
		case FACTS_STRS:
		case FACTS_LIST: {
			struct facts_anyarray a = { NULL, 0, 0 };
			memcpy(p, &a, sizeof(a));
			break;
		}
		case FACTS_SRC: {
			struct facts_src s;
			src_init(&s);
			memcpy(p, &s, sizeof(s));
			break;
		}
		case FACTS_OBJ:
			facts_obj_init(fd->sub, p);
			break;
		}
	}
}

void facts_obj_release(const struct facts_field *fields, void *obj)
{
	if (!obj)
		return;
	for (const struct facts_field *fd = fields; fd->key; fd++) {
		char *p = (char *)obj + fd->off;
		switch (fd->type) {
		case FACTS_STR: {
			char *s;
			memcpy(&s, p, sizeof(s));
			free(s);
			break;
		}
		case FACTS_INT:
		case FACTS_BOOL:
		case FACTS_TRI:
			break;
		case FACTS_STRS:
			facts_strs_release((struct facts_strs *)(void *)p);
			break;
		case FACTS_SRC: {
			struct facts_src *s = (struct facts_src *)(void *)p;
			free(s->section);
			break;
		}
		case FACTS_LIST: {
			struct facts_anyarray a;
			memcpy(&a, p, sizeof(a));
			for (size_t i = 0; i < a.n; i++)
				facts_obj_release(fd->sub, (char *)a.v + i * fd->elsize);
			free(a.v);
			break;
		}
		case FACTS_OBJ:
			facts_obj_release(fd->sub, p);
			break;
		}
	}
	facts_obj_init(fields, obj);
}

void facts_init(struct facts *f)
{
	memset(f, 0, sizeof(*f));
	facts_obj_init(facts_fields, f);
}

void facts_release(struct facts *f)
{
	if (!f)
		return;
	facts_obj_release(facts_fields, f);
}

struct facts *facts_new(void)
{
	struct facts *f = xmalloc(sizeof(*f));
	facts_init(f);
	return f;
}

void facts_free(struct facts *f)
{
	if (!f)
		return;
	facts_release(f);
	free(f);
}

/* ---- helpers for the parsers ---- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

char *facts_strndup(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		if (u[i] && u[i] < 0x80) {
			out[i] = s[i];
			i++;
			continue;
		}
		size_t l = utf8_len(u + i, n - i);
		if (!l) {
			out[i++] = '?';
			continue;
		}
		memcpy(out + i, s + i, l);
		i += l;
	}
	out[n] = '\0';
	return out;
}

int facts_strs_push(struct facts_strs *l, const char *s, size_t n)
{
	if (!FACTS_GROW(*l))
		return -1;
	l->v[l->n++] = facts_strndup(s, n);
	return 0;
}

int facts_strs_has(const struct facts_strs *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return 1;
	return 0;
}

void facts_strs_release(struct facts_strs *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->alloc = 0;
}

void facts_index_init(struct facts_index *ix)
{
	ix->keys = NULL;
	ix->values = NULL;
	ix->n = ix->cap = 0;
}

void facts_index_release(struct facts_index *ix)
{
	if (!ix)
		return;
	free(ix->keys);
	free(ix->values);
	facts_index_init(ix);
}

/* FNV-1a */
static size_t hash(const char *s, size_t len)
{
	size_t h = (size_t)14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= (size_t)1099511628211ULL;
	}
	return h;
}

static size_t slot(const struct facts_index *ix, const char *key, size_t len)
{
	size_t mask = ix->cap - 1, i = hash(key, len) & mask;
	while (ix->keys[i] && (strlen(ix->keys[i]) != len || memcmp(ix->keys[i], key, len)))
		i = (i + 1) & mask;
	return i;
}

size_t facts_index_get(const struct facts_index *ix, const char *key, size_t len)
{
	if (!ix->cap)
		return FACTS_NONE;
	size_t i = slot(ix, key, len);
	return ix->keys[i] ? ix->values[i] : FACTS_NONE;
}

size_t facts_index_put(struct facts_index *ix, const char *key, size_t value)
{
	size_t len = strlen(key), i;

	if (2 * (ix->n + 1) > ix->cap) {
		struct facts_index bigger;
		bigger.cap = ix->cap ? 2 * ix->cap : 64;
		bigger.n = ix->n;
		bigger.keys = xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.values = xcalloc(bigger.cap, sizeof(*bigger.values));
		for (size_t k = 0; k < ix->cap; k++) {
			if (!ix->keys[k])
				continue;
			size_t j = slot(&bigger, ix->keys[k], strlen(ix->keys[k]));
			bigger.keys[j] = ix->keys[k];
			bigger.values[j] = ix->values[k];
		}
		facts_index_release(ix);
		*ix = bigger;
	}
	i = slot(ix, key, len);
	if (ix->keys[i])
		return ix->values[i];
	ix->keys[i] = key;
	ix->values[i] = value;
	ix->n++;
	return value;
}

void facts_src_set(struct facts_src *src, const struct gather_section *s)
{
	free(src->section);
	src_init(src);
	if (!s)
		return;
	src->section = facts_strndup(s->name, strlen(s->name));
	src->status = s->status;
	src->complete = s->complete;
}

long long facts_num(const char *s, size_t n)
{
	long long v = 0;
	if (!n || n > 16)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 9007199254740991LL ? v : -1;
}

int facts_split(const char *s, size_t n, char c, const char **a, size_t *an, const char **b,
		size_t *bn)
{
	const char *m = n ? memchr(s, c, n) : NULL;
	if (!m)
		return 0;
	*a = s;
	*an = (size_t)(m - s);
	*b = m + 1;
	*bn = n - *an - 1;
	return 1;
}

void facts_trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
		(*n)--;
}

/* Split line into at most max fields separated by c; returns the count. */
size_t facts_cut(const char *line, size_t ll, char c, const char **f, size_t *fl, size_t max)
{
	size_t n = 0;
	const char *p = line, *end = line + ll;
	while (n < max) {
		const char *m = n + 1 < max ? memchr(p, c, (size_t)(end - p)) : NULL;
		f[n] = p;
		fl[n] = m ? (size_t)(m - p) : (size_t)(end - p);
		n++;
		if (!m)
			break;
		p = m + 1;
	}
	return n;
}

/* Whitespace-separated words; returns the count (at most max). */
size_t facts_words(const char *line, size_t ll, const char **w, size_t *wl, size_t max)
{
	size_t n = 0, i = 0;
	while (i < ll && n < max) {
		while (i < ll && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= ll)
			break;
		size_t start = i;
		while (i < ll && line[i] != ' ' && line[i] != '\t')
			i++;
		w[n] = line + start;
		wl[n] = i - start;
		n++;
	}
	return n;
}

int facts_eq(const char *s, size_t n, const char *t)
{
	return strlen(t) == n && !memcmp(s, t, n);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* dpkg's order of non-digit characters: ~ first, then end, letters, others. */
static int order(char c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

static int verrevcmp(const char *a, const char *b)
{
	while (*a || *b) {
		int first_diff = 0;
		while ((*a && !is_digit(*a)) || (*b && !is_digit(*b))) {
			int ac = order(*a), bc = order(*b);
			if (ac != bc)
				return ac - bc;
			a++;
			b++;
		}
		while (*a == '0')
			a++;
		while (*b == '0')
			b++;
		while (is_digit(*a) && is_digit(*b)) {
			if (!first_diff)
				first_diff = *a - *b;
			a++;
			b++;
		}
		if (is_digit(*a))
			return 1;
		if (is_digit(*b))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
}

/* Split "epoch:upstream-revision"; parts point into buf (a copy of v). */
static void split_version(char *buf, long *epoch, char **up, char **rev)
{
	char *colon = strchr(buf, ':'), *dash;
	*epoch = 0;
	*up = buf;
	if (colon) {
		long e = 0;
		int ok = colon > buf;
		for (char *p = buf; p < colon && ok; p++) {
			if (!is_digit(*p) || e > 100000)
				ok = 0;
			else
				e = e * 10 + (*p - '0');
		}
		if (ok) {
			*epoch = e;
			*up = colon + 1;
		}
	}
	dash = strrchr(*up, '-');
	if (dash) {
		*dash = '\0';
		*rev = dash + 1;
	} else {
		*rev = NULL;
	}
}

int facts_vercmp(const char *a, const char *b)
{
	char *ba = xstrdup(a), *bb = xstrdup(b), *ua, *ub, *ra, *rb;
	long ea, eb;
	int r;

	split_version(ba, &ea, &ua, &ra);
	split_version(bb, &eb, &ub, &rb);
	if (ea != eb)
		r = ea < eb ? -1 : 1;
	else if ((r = verrevcmp(ua, ub)) == 0)
		r = verrevcmp(ra ? ra : "", rb ? rb : "");
	free(ba);
	free(bb);
	return r < 0 ? -1 : r > 0;
}

static int is_alnum(char c)
{
	return is_digit(c) || is_alpha(c);
}

/* rpm's rpmvercmp(): segments of digits or letters, digits newer than letters. */
static int rpmvercmp(const char *a, const char *b)
{
	const char *one = a, *two = b;

	if (!strcmp(a, b))
		return 0;
	while (*one || *two) {
		while (*one && !is_alnum(*one) && *one != '~' && *one != '^')
			one++;
		while (*two && !is_alnum(*two) && *two != '~' && *two != '^')
			two++;
		if (*one == '~' || *two == '~') {
			if (*one != '~')
				return 1;
			if (*two != '~')
				return -1;
			one++;
			two++;
			continue;
		}
		if (*one == '^' || *two == '^') {
			if (!*one)
				return -1;
			if (!*two)
				return 1;
			if (*one != '^')
				return 1;
			if (*two != '^')
				return -1;
			one++;
			two++;
			continue;
		}
		if (!*one || !*two)
			break;
		const char *s1 = one, *s2 = two;
		int isnum = is_digit(*s1);
		if (isnum) {
			while (is_digit(*s1))
				s1++;
			while (is_digit(*s2))
				s2++;
		} else {
			while (is_alpha(*s1))
				s1++;
			while (is_alpha(*s2))
				s2++;
		}
		if (two == s2)
			return isnum ? 1 : -1; /* a number is newer than letters */
		if (isnum) {
			while (*one == '0' && one < s1 - 1)
				one++;
			while (*two == '0' && two < s2 - 1)
				two++;
			if (s1 - one != s2 - two)
				return s1 - one > s2 - two ? 1 : -1;
		}
		size_t l1 = (size_t)(s1 - one), l2 = (size_t)(s2 - two);
		int rc = memcmp(one, two, l1 < l2 ? l1 : l2);
		if (rc)
			return rc < 0 ? -1 : 1;
		if (l1 != l2)
			return l1 < l2 ? -1 : 1;
		one = s1;
		two = s2;
	}
	if (!*one && !*two)
		return 0;
	return *one ? 1 : -1;
}

int facts_rpmvercmp(const char *a, const char *b)
{
	char *ba = xstrdup(a), *bb = xstrdup(b), *ua, *ub, *ra, *rb;
	long ea, eb;
	int r;

	split_version(ba, &ea, &ua, &ra);
	split_version(bb, &eb, &ub, &rb);
	if (ea != eb)
		r = ea < eb ? -1 : 1;
	else if ((r = rpmvercmp(ua, ub)) == 0)
		r = rpmvercmp(ra ? ra : "", rb ? rb : "");
	free(ba);
	free(bb);
	return r;
}

int facts_vercmp_os(const struct facts *f, const char *a, const char *b)
{
	const char *fam = f->os.family ? f->os.family : "";
	if (!strcmp(fam, "rhel") || !strcmp(fam, "suse"))
		return facts_rpmvercmp(a, b);
	return facts_vercmp(a, b);
}

/* ---- parsing a transcript ---- */

void facts_parse_meta(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "meta");
	const char *p, *end, *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&f->meta.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		if (!facts_split(line, ll, '=', &k, &kn, &v, &vn)) {
			if (ll)
				f->meta.src.skipped++;
			continue;
		}
		char **dst = NULL;
		if (facts_eq(k, kn, "time")) {
			f->meta.time = facts_num(v, vn);
		} else if (facts_eq(k, kn, "uid")) {
			f->meta.uid = facts_num(v, vn);
		} else if (facts_eq(k, kn, "user")) {
			dst = &f->meta.user;
		} else if (facts_eq(k, kn, "shell")) {
			dst = &f->meta.shell;
		} else if (facts_eq(k, kn, "hostname")) {
			dst = &f->meta.hostname;
		} else if (facts_eq(k, kn, "path")) {
			dst = &f->meta.path;
		}
		if (dst && !*dst)
			*dst = facts_strndup(v, vn);
	}
}

/*
 * Sections check-KEY, one per `command` check (docs/gather-format.md): the
 * check's id is KEY, or the text of an "@@SRG <nonce> id ID" first line;
 * an "@@SRG <nonce> truncated" last line says the script dropped output.
 */
void facts_parse_checks(struct facts *f, const struct gather *g)
{
	for (size_t i = 0; i < g->nr; i++) {
		const struct gather_section *s = &g->sections[i];
		const char *p = s->data, *end = s->data + s->len, *line, *rest, *id, *out, *out_end;
		size_t ll, rl, idn;
		int truncated = 0;

		if (!str_starts_with(s->name, "check-") || !s->name[6])
			continue;
		id = s->name + 6;
		idn = strlen(id);
		out = p;
		if (gather_next_line(&p, end, &line, &ll) &&
		    gather_is_marker(g, line, ll, "id", &rest, &rl) && rl) {
			id = rest;
			idn = rl;
			out = p;
		}
		out_end = end;
		/* the last line: the truncation marker */
		if (out_end > out) {
			const char *ls = out_end - 1; /* the last line's "\n" (or its last byte) */
			while (ls > out && ls[-1] != '\n')
				ls--;
			const char *q = ls;
			if (gather_next_line(&q, out_end, &line, &ll) &&
			    gather_is_marker(g, line, ll, "truncated", &rest, &rl)) {
				truncated = 1;
				out_end = ls;
			}
		}
		if (out_end > out && out_end[-1] == '\n')
			out_end--;
		if ((size_t)(out_end - out) > FACTS_CHECK_OUTPUT_MAX) {
			out_end = out + FACTS_CHECK_OUTPUT_MAX;
			truncated = 1;
		}
		if (!FACTS_GROW(f->checks))
			continue;
		f->checks.v[f->checks.n++] = (struct facts_check){
			facts_strndup(id, idn), s->complete ? s->status : -1,
			facts_strndup(out, (size_t)(out_end - out)), truncated,
		};
	}
}

static void warn_framing(struct facts *f, const struct gather *g)
{
	for (size_t i = 0; i < g->nr; i++) {
		if (!g->sections[i].complete) {
			char *w = xasprintf("section '%s' did not end", g->sections[i].name);
			facts_strs_push(&f->warnings, w, strlen(w));
			free(w);
		}
	}
	if (!g->done) {
		const char *w = "the transcript did not reach its end";
		facts_strs_push(&f->warnings, w, strlen(w));
	}
}

int facts_from_gather(const struct gather *g, struct facts **out)
{
	struct facts *f = facts_new();

	warn_framing(f, g);
	facts_parse_meta(f, g);
	facts_parse_os(f, g);
	facts_parse_pkg(f, g);
	facts_parse_sys(f, g);
	facts_parse_checks(f, g);
	facts_finish(f);
	*out = f;
	return 0;
}

/* ---- lookups ---- */

static const char *tri_str(int v)
{
	return v < 0 ? NULL : v ? "true" : "false";
}

const char *facts_lookup(const struct facts *f, const char *name)
{
	const struct facts_os *os = &f->os;
	int have_os = os->src.section != NULL;

	if (!strcmp(name, "os.id"))
		return os->id;
	if (!strcmp(name, "os.id_like"))
		return os->id_like ? os->id_like : have_os ? "" : NULL;
	if (!strcmp(name, "os.family"))
		return os->family;
	if (!strcmp(name, "os.name"))
		return os->name;
	if (!strcmp(name, "os.version"))
		return os->version;
	if (!strcmp(name, "os.version_id"))
		return os->version_id;
	if (!strcmp(name, "os.codename"))
		return os->codename;
	if (!strcmp(name, "os.arch"))
		return f->uname.machine;
	if (!strcmp(name, "os.kernel"))
		return f->uname.release;
	if (!strcmp(name, "os.kernel_newest"))
		return f->kernels.newest;
	if (!strcmp(name, "pkg.manager"))
		return f->packages.manager;
	if (!strcmp(name, "init.system"))
		return f->services.init;
	if (!strcmp(name, "reboot.required"))
		return tri_str(f->reboot.src.section ? f->reboot.required : -1);
	if (!strcmp(name, "cloud_init.present"))
		return f->cloud_init.src.section ? tri_str(f->cloud_init.present) : NULL;
	if (!strcmp(name, "cloud_init.status"))
		return f->cloud_init.status;
	if (!strcmp(name, "target.user"))
		return f->meta.user;
	return NULL;
}

const char *facts_cond_lookup(const char *name, void *arg)
{
	return facts_lookup(arg, name);
}

/* The element of list (a FACTS_ARRAY of structs with a `name`) called name, or NULL. */
#define FIND_BY_NAME(list, key)                                                  \
	do {                                                                     \
		for (size_t i_ = 0; i_ < (list).n; i_++)                         \
			if ((list).v[i_].name && !strcmp((list).v[i_].name, (key))) \
				return &(list).v[i_];                            \
		return NULL;                                                     \
	} while (0)

const struct facts_package *facts_package_find(const struct facts *f, const char *name)
{
	FIND_BY_NAME(f->packages.list, name);
}

const struct facts_component *facts_component_find(const struct facts *f, const char *name)
{
	FIND_BY_NAME(f->components.list, name);
}

const struct facts_account *facts_account_find(const struct facts *f, const char *name)
{
	FIND_BY_NAME(f->accounts.list, name);
}

const struct facts_service *facts_service_find(const struct facts *f, const char *name)
{
	FIND_BY_NAME(f->services.list, name);
}

const struct facts_webapp *facts_webapp_find(const struct facts *f, const char *name)
{
	FIND_BY_NAME(f->first_login.apps, name);
}

const struct facts_check *facts_check_find(const struct facts *f, const char *id)
{
	if (!id)
		return NULL;
	for (size_t i = 0; i < f->checks.n; i++)
		if (f->checks.v[i].id && !strcmp(f->checks.v[i].id, id))
			return &f->checks.v[i];
	return NULL;
}

const char *facts_sshd_get(const struct facts *f, const char *key)
{
	for (size_t i = 0; i < f->sshd.options.n; i++)
		if (!strcmp(f->sshd.options.v[i].key, key) && f->sshd.options.v[i].values.n)
			return f->sshd.options.v[i].values.v[0];
	return NULL;
}
