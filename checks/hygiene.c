/*
 * hygiene: nothing of the build machine itself is left in the image (what
 * the pre-capture cleanup removes). Each item is judged on its own part of
 * the facts; a part that was not collected (or was cut off) makes that item
 * an error:
 *
 *   histories        shell and tool history files with content (empty ones
 *                    are fine)
 *   authorized-keys  authorized_keys (and authorized_keys2) with keys in the
 *                    home of build_user, and of root unless keep_root_keys
 *   host-keys        /etc/ssh/ssh_host_* present: every instance must
 *                    generate its own at first boot
 *   machine-id       /etc/machine-id must be empty, "uninitialized" or absent,
 *                    and /var/lib/dbus/machine-id must hold no id either (it
 *                    is a link to /etc/machine-id, absent, or empty)
 *   cloud-init       state left under /var/lib/cloud: boot-finished, instances
 *
 * Any finding fails the check; otherwise an item that could not be judged
 * makes it an error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "banned.h"

enum item {
	ITEM_HISTORIES,
	ITEM_AUTHORIZED_KEYS,
	ITEM_HOST_KEYS,
	ITEM_MACHINE_ID,
	ITEM_CLOUD_INIT,
	ITEM_COUNT,
};

static const char *const hygiene_items[] = {
	"histories", "authorized-keys", "host-keys", "machine-id", "cloud-init", NULL,
};

/* What to do about each item, for the remediation. */
static const char *const hygiene_fix[] = {
	"remove the history files (and `history -c` in the shell that runs the cleanup)",
	"remove the authorized_keys files listed",
	"remove /etc/ssh/ssh_host_* (each instance generates its own at first boot)",
	"empty /etc/machine-id (`truncate -s 0`) and remove /var/lib/dbus/machine-id "
	"(or link it to /etc/machine-id)",
	"clean the cloud-init state (`cloud-init clean --logs`, or remove /var/lib/cloud/instances "
	"and /var/lib/cloud/instance)",
};

static const struct param_spec hygiene_params[] = {
	{ "items", PK_STRING_LIST, 0, "[histories, authorized-keys, host-keys, machine-id, cloud-init]",
	  "what to look at: histories, authorized-keys, host-keys, machine-id, cloud-init",
	  hygiene_items, 0, 0 },
	{ "build_user", PK_STRING, 0, "\"\"",
	  "the account the image was built with; its authorized_keys must not ship", NULL, 0, 0 },
	{ "keep_root_keys", PK_BOOL, 0, "false",
	  "root's authorized_keys may ship (they are checked otherwise)", NULL, 0, 0 },
	PARAM_END,
};

static int item_index(const char *name)
{
	for (int i = 0; hygiene_items[i]; i++)
		if (!strcmp(hygiene_items[i], name))
			return i;
	return -1;
}

static void hygiene_validate(const struct params *p, const struct type_ctx *ctx)
{
	const struct param *items = params_get(p, "items");
	const struct param *user = params_get(p, "build_user");
	const struct param *keep = params_get(p, "keep_root_keys");
	int seen[ITEM_COUNT] = { 0 };

	if (items && !items->v.n)
		diag_error(ctx->d, items->v.pos, "'items' of %s names nothing to check", ctx->owner);
	for (size_t i = 0; items && i < items->v.n; i++) {
		const struct pval *it = &items->v.items[i];
		int k = item_index(it->s);
		if (k < 0)
			diag_error(ctx->d, it->pos,
				   "'%s' in 'items' of %s is not one of histories, authorized-keys, "
				   "host-keys, machine-id, cloud-init",
				   it->s, ctx->owner);
		else if (seen[k]++)
			diag_error(ctx->d, it->pos, "'%s' is listed twice in 'items' of %s", it->s,
				   ctx->owner);
	}
	if (user && keep && keep->v.i && !strcmp(user->v.s, "root"))
		diag_error(ctx->d, keep->is_default ? user->v.pos : keep->v.pos,
			   "%s: 'build_user' is root, so root's keys cannot be kept ('keep_root_keys')",
			   ctx->owner);
}

/* ---- the judgement ---- */

struct judgement {
	struct check_result *r;
	struct strbuf findings; /* "; "-separated, for the summary */
	struct strbuf unknown;  /* what could not be judged */
	struct strbuf clean;    /* the items that passed */
	int failed[ITEM_COUNT];
};

static void add_to(struct strbuf *sb, const char *sep, const char *what)
{
	if (sb->len)
		strbuf_addstr(sb, sep);
	strbuf_addstr(sb, what);
}

static void finding(struct judgement *j, enum item it, const char *fmt, ...) SR_PRINTF(3, 4);
static void finding(struct judgement *j, enum item it, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *what = xvasprintf(fmt, ap);
	va_end(ap);
	add_to(&j->findings, "; ", what);
	free(what);
	j->failed[it] = 1;
}

/* The part is there and whole; otherwise says why not and returns 0. */
static int usable(struct judgement *j, const struct facts_src *src, const char *part)
{
	char *what;
	if (!src->section) {
		check_evidence(j->r, "%s: not collected", part);
		what = xasprintf("%s were not collected", part);
	} else if (!src->complete) {
		check_evidence(j->r, "%s: section '%s' did not end", part, src->section);
		what = xasprintf("%s are incomplete", part);
	} else {
		return 1;
	}
	add_to(&j->unknown, "; ", what);
	free(what);
	return 0;
}

static void judge_histories(const struct facts *f, struct judgement *j)
{
	const struct facts_histories *hs = &f->histories;
	size_t full = 0, unknown = 0;

	if (!usable(j, &hs->src, "histories"))
		return;
	for (size_t i = 0; i < hs->list.n; i++) {
		const struct facts_history *h = &hs->list.v[i];
		const char *path = h->path ? h->path : "?";
		if (h->size > 0) {
			check_evidence(j->r, "%s: %lld bytes", path, h->size);
			full++;
		} else if (h->size == 0) {
			check_evidence(j->r, "%s: empty (fine)", path);
		} else {
			check_evidence(j->r, "%s: size unknown", path);
			unknown++;
		}
	}
	if (!hs->list.n)
		check_evidence(j->r, "histories: none");
	if (full)
		finding(j, ITEM_HISTORIES, "%zu history file%s with content", full, full > 1 ? "s" : "");
	if (unknown) {
		add_to(&j->unknown, "; ", "the size of a history file is unknown");
		return;
	}
	if (!full)
		add_to(&j->clean, ", ", "histories");
}

/* path is HOME/.ssh/authorized_keys or HOME/.ssh/authorized_keys2. */
static int in_home(const char *path, const char *home)
{
	size_t n = strlen(home);
	while (n > 0 && home[n - 1] == '/')
		n--;
	if (strncmp(path, home, n) || strncmp(path + n, "/.ssh/", 6))
		return 0;
	path += n + 6;
	return !strcmp(path, "authorized_keys") || !strcmp(path, "authorized_keys2");
}

/* Judge the keys of one account; 0 when they could not be judged. */
static int judge_user_keys(const struct facts *f, struct judgement *j, const char *user,
			   const char *why)
{
	const struct facts_account *a = NULL;
	size_t files = 0;
	int ok = 1;
	char *label = strcmp(user, why) ? xasprintf("%s (%s)", user, why) : xstrdup(user);

	for (size_t i = 0; i < f->accounts.list.n; i++)
		if (f->accounts.list.v[i].name && !strcmp(f->accounts.list.v[i].name, user)) {
			a = &f->accounts.list.v[i];
			break;
		}
	if (!a) {
		check_evidence(j->r, "%s: no such account", label);
		goto out;
	}
	if (!a->home) {
		check_evidence(j->r, "%s: home directory unknown", label);
		ok = 0;
		goto out;
	}
	for (size_t i = 0; i < f->authorized_keys.list.n; i++) {
		const struct facts_keyfile *kf = &f->authorized_keys.list.v[i];
		if (!kf->path || !in_home(kf->path, a->home))
			continue;
		files++;
		if (kf->count > 0) {
			struct strbuf types = STRBUF_INIT;
			for (size_t t = 0; t < kf->types.n; t++)
				add_to(&types, ", ", kf->types.v[t]);
			check_evidence(j->r, "%s: %lld key%s (%s), %s", kf->path, kf->count,
				       kf->count > 1 ? "s" : "", types.len ? types.buf : "types unknown",
				       why);
			strbuf_release(&types);
			finding(j, ITEM_AUTHORIZED_KEYS, "%s has %lld key%s", kf->path, kf->count,
				kf->count > 1 ? "s" : "");
		} else if (kf->count == 0) {
			check_evidence(j->r, "%s: no keys (fine), %s", kf->path, why);
		} else {
			check_evidence(j->r, "%s: number of keys unknown, %s", kf->path, why);
			ok = 0;
		}
	}
	if (!files) {
		size_t n = strlen(a->home);
		while (n > 0 && a->home[n - 1] == '/')
			n--;
		check_evidence(j->r, "%s: no authorized_keys in %.*s/.ssh", label, (int)n, a->home);
	}
out:
	free(label);
	return ok;
}

static void judge_keys(const struct facts *f, struct judgement *j, const char *build_user,
		       int keep_root)
{
	int ok = 1;

	if (!usable(j, &f->authorized_keys.src, "authorized keys") ||
	    !usable(j, &f->accounts.src, "accounts"))
		return;
	if (!*build_user)
		check_evidence(j->r, "build_user: not set");
	else
		ok &= judge_user_keys(f, j, build_user, "the build user");
	if (strcmp(build_user, "root")) {
		if (keep_root)
			check_evidence(j->r, "root: authorized_keys kept (keep_root_keys)");
		else
			ok &= judge_user_keys(f, j, "root", "root");
	}
	if (!ok)
		add_to(&j->unknown, "; ", "the number of keys in an authorized_keys file is unknown");
	else if (!j->failed[ITEM_AUTHORIZED_KEYS])
		add_to(&j->clean, ", ", "authorized-keys");
}

static void judge_host_keys(const struct facts *f, struct judgement *j)
{
	const struct facts_host_keys *hk = &f->host_keys;

	if (!usable(j, &hk->src, "host keys"))
		return;
	for (size_t i = 0; i < hk->paths.n; i++)
		check_evidence(j->r, "%s: present", hk->paths.v[i]);
	if (hk->paths.n) {
		finding(j, ITEM_HOST_KEYS, "%zu ssh host key file%s", hk->paths.n,
			hk->paths.n > 1 ? "s" : "");
		return;
	}
	check_evidence(j->r, "/etc/ssh/ssh_host_*: none");
	add_to(&j->clean, ", ", "host-keys");
}

static void judge_machine_id(const struct facts *f, struct judgement *j)
{
	const struct facts_machine_id *m = &f->machine_id;
	const char *es = m->etc_state, *ds = m->dbus_state;

	if (!usable(j, &m->src, "machine ids"))
		return;
	if (!es || !ds) {
		check_evidence(j->r, "machine ids: %s not reported",
			       !es && !ds ? "/etc/machine-id and /var/lib/dbus/machine-id"
			       : !es      ? "/etc/machine-id"
					  : "/var/lib/dbus/machine-id");
		add_to(&j->unknown, "; ", "the state of a machine id is unknown");
		return;
	}
	/* The ids are not printed: machine-id(5) asks to keep them confidential. */
	int etc_set = !strcmp(es, "set"), dbus_set = !strcmp(ds, "set");
	int same = etc_set && dbus_set && m->etc && m->dbus && !strcmp(m->etc, m->dbus);
	if (etc_set)
		check_evidence(j->r, "/etc/machine-id: set (an id of %zu characters)",
			       m->etc ? strlen(m->etc) : 0);
	else
		check_evidence(j->r, "/etc/machine-id: %s (fine)", es);
	if (same)
		check_evidence(j->r, "/var/lib/dbus/machine-id: set, the same id (a link to "
				     "/etc/machine-id or a copy)");
	else if (dbus_set)
		check_evidence(j->r, "/var/lib/dbus/machine-id: set (an id of %zu characters%s)",
			       m->dbus ? strlen(m->dbus) : 0,
			       etc_set ? ", not the one of /etc/machine-id" : "");
	else
		check_evidence(j->r, "/var/lib/dbus/machine-id: %s (fine)", ds);
	if (etc_set)
		finding(j, ITEM_MACHINE_ID, "/etc/machine-id is set");
	if (dbus_set && !same)
		finding(j, ITEM_MACHINE_ID, "/var/lib/dbus/machine-id is set");
	if (!etc_set && !dbus_set)
		add_to(&j->clean, ", ", "machine-id");
}

static void judge_cloud_init(const struct facts *f, struct judgement *j)
{
	const struct facts_cloud_init *ci = &f->cloud_init;

	if (!usable(j, &ci->src, "cloud-init facts"))
		return;
	if (!ci->present)
		check_evidence(j->r, "cloud-init: not installed");
	else if (ci->status)
		check_evidence(j->r, "cloud-init: status %s", ci->status);
	else
		check_evidence(j->r, "cloud-init: installed, status not reported");
	if (ci->boot_finished < 0 || ci->instances < 0) {
		check_evidence(j->r, "/var/lib/cloud: %s not reported",
			       ci->boot_finished < 0 ? "boot-finished" : "instances");
		add_to(&j->unknown, "; ", "the cloud-init state is unknown");
		return;
	}
	check_evidence(j->r, "/var/lib/cloud/instance/boot-finished: %s",
		       ci->boot_finished ? "present" : "absent");
	check_evidence(j->r, "/var/lib/cloud/instances: %lld entr%s", ci->instances,
		       ci->instances == 1 ? "y" : "ies");
	if (ci->boot_finished && ci->instances > 0)
		finding(j, ITEM_CLOUD_INIT, "cloud-init state left (boot-finished, %lld instance%s)",
			ci->instances, ci->instances > 1 ? "s" : "");
	else if (ci->boot_finished)
		finding(j, ITEM_CLOUD_INIT, "cloud-init state left (boot-finished)");
	else if (ci->instances > 0)
		finding(j, ITEM_CLOUD_INIT, "cloud-init state left (%lld instance%s)", ci->instances,
			ci->instances > 1 ? "s" : "");
	else
		add_to(&j->clean, ", ", "cloud-init");
}

static void hygiene_eval(const struct params *p, const struct check_env *env,
			 struct check_result *r)
{
	const struct param *items = params_get(p, "items");
	const struct param *user = params_get(p, "build_user");
	const struct param *keep = params_get(p, "keep_root_keys");
	const struct facts *f = env->f;
	struct judgement j = { r, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, { 0 } };
	int want[ITEM_COUNT];

	for (int i = 0; i < ITEM_COUNT; i++)
		want[i] = !items;
	for (size_t i = 0; items && i < items->v.n; i++) {
		int k = item_index(items->v.items[i].s);
		if (k >= 0)
			want[k] = 1;
	}

	if (want[ITEM_HISTORIES])
		judge_histories(f, &j);
	if (want[ITEM_AUTHORIZED_KEYS])
		judge_keys(f, &j, user && user->v.s ? user->v.s : "", keep && keep->v.i);
	if (want[ITEM_HOST_KEYS])
		judge_host_keys(f, &j);
	if (want[ITEM_MACHINE_ID])
		judge_machine_id(f, &j);
	if (want[ITEM_CLOUD_INIT])
		judge_cloud_init(f, &j);

	if (j.findings.len) {
		struct strbuf fix = STRBUF_INIT;
		if (j.unknown.len)
			check_fail(r, "not clean for capture: %s (also: %s)", j.findings.buf, j.unknown.buf);
		else
			check_fail(r, "not clean for capture: %s", j.findings.buf);
		for (int i = 0; i < ITEM_COUNT; i++)
			if (j.failed[i])
				add_to(&fix, "; ", hygiene_fix[i]);
		check_remedy(r, "run the pre-capture `cleanup` step last, or by hand: %s", fix.buf);
		strbuf_release(&fix);
	} else if (j.unknown.len) {
		check_error(r, "cleanliness cannot be judged: %s", j.unknown.buf);
		check_remedy(r, "gather the facts again: the evidence is missing or cut off");
	} else {
		check_pass(r, "clean for capture: %s", j.clean.len ? j.clean.buf : "nothing to check");
	}
	strbuf_release(&j.findings);
	strbuf_release(&j.unknown);
	strbuf_release(&j.clean);
}

const struct check_type check_hygiene = {
	.name = "hygiene",
	.summary = "no history, build keys, host keys, machine id or cloud-init state ships",
	.params = hygiene_params,
	.validate = hygiene_validate,
	.eval = hygiene_eval,
};
