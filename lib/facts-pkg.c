/*
 * Packages: the package manager, installed packages, pending updates (with
 * security ones marked), the age of the package lists, whether a reboot is
 * pending, and the important components of the review standard.
 */
#include "facts.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

/*
 * Clause 1.3 of the review standard, "important components", as package
 * names (fnmatch patterns) per family. A component is installed when one of
 * its packages is; it has a pending (security) update when one of them has.
 */
#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

const struct facts_component_def facts_components[] = {
	/* boot and kernel layers */
	{ "grub", L("grub-common", "grub2-common", "grub-pc", "grub-pc-bin", "grub-efi*", "grub2", "grub-cloud-*"),
	  L("grub2", "grub2-common", "grub2-pc", "grub2-pc-modules", "grub2-efi*", "grub2-tools*"),
	  L("grub2", "grub2-i386-pc", "grub2-x86_64-efi", "grub2-arm64-efi"), L("grub", "grub-bios", "grub-efi") },
	{ "kernel", L("linux-image-*"),
	  L("kernel", "kernel-core", "kernel-modules", "kernel-uek", "kernel-uek-core", "kernel-default"),
	  L("kernel-default", "kernel-default-base", "kernel-azure", "kernel-kvmsmall"), L("linux-lts", "linux-virt") },
	{ "initramfs", L("initramfs-tools", "initramfs-tools-core", "dracut", "dracut-core"),
	  L("dracut"), L("dracut", "mkinitrd"), L("mkinitfs") },
	{ "sysvinit", L("sysvinit-core", "sysvinit-utils", "sysv-rc"), L("initscripts", "sysvinit-tools", "chkconfig"),
	  L("sysvinit-tools", "insserv-compat"), L("openrc") },
	{ "systemd", L("systemd", "libsystemd0", "systemd-sysv"), L("systemd", "systemd-libs"),
	  L("systemd", "libsystemd0"), NONE },
	/* operation dependencies */
	{ "glibc", L("libc6", "libc-bin"), L("glibc", "glibc-common"), L("glibc"), L("musl") },
	{ "openssl", L("openssl", "libssl3", "libssl3t64", "libssl1.1", "libssl1.0.0", "libssl1.0.2"),
	  L("openssl", "openssl-libs", "openssl11", "openssl11-libs", "openssl3", "openssl3-libs"),
	  L("openssl", "openssl-1_*", "openssl-3", "libopenssl1_*", "libopenssl3"),
	  L("openssl", "libssl3", "libcrypto3", "libssl1.1", "libcrypto1.1") },
	{ "gnutls", L("libgnutls30", "libgnutls30t64", "libgnutls28", "libgnutls26", "gnutls-bin"),
	  L("gnutls"), L("libgnutls30", "gnutls"), L("gnutls") },
	{ "openjdk", L("openjdk-*"), L("java-*-openjdk*"), L("java-*-openjdk*"), L("openjdk*") },
	{ "libxml2", L("libxml2"), L("libxml2"), L("libxml2-2", "libxml2"), L("libxml2") },
	{ "libgd", L("libgd3", "libgd2*"), L("gd"), L("libgd3", "gd"), L("gd", "libgd") },
	{ "libpng", L("libpng16-16", "libpng16-16t64", "libpng12-0"), L("libpng", "libpng15", "libpng12"),
	  L("libpng16-16"), L("libpng") },
	{ "zlib", L("zlib1g"), L("zlib"), L("libz1", "zlib"), L("zlib") },
	{ "python", L("python3", "python3.*", "libpython3*", "python2", "python2.*", "libpython2*", "python"),
	  L("python3", "python3-libs", "python3.*", "python", "python-libs", "python2", "python2-libs", "python3?", "python3??"),
	  L("python3", "python3*-base", "libpython3*", "python", "python-base"), L("python3", "python2") },
	{ "krb5", L("libkrb5-3", "libkrb5support0", "libgssapi-krb5-2", "krb5-user"),
	  L("krb5-libs", "krb5-workstation"), L("krb5", "krb5-client"), L("krb5-libs", "krb5") },
	{ "cups", L("cups", "libcups2", "libcups2t64"), L("cups", "cups-libs"), L("cups", "libcups2"),
	  L("cups", "cups-libs") },
	{ "fuse", L("fuse", "fuse3", "libfuse2", "libfuse2t64", "libfuse3-3"), L("fuse", "fuse-libs", "fuse3", "fuse3-libs"),
	  L("fuse", "libfuse2", "fuse3", "libfuse3-3"), L("fuse", "fuse3") },
	{ "dbus", L("dbus", "libdbus-1-3", "dbus-daemon", "dbus-bin"), L("dbus", "dbus-libs", "dbus-daemon", "dbus-common"),
	  L("dbus-1", "libdbus-1-3"), L("dbus", "dbus-libs") },
	/* user-space programs */
	{ "openssh", L("openssh-server", "openssh-client", "openssh-sftp-server"),
	  L("openssh", "openssh-server", "openssh-clients"), L("openssh", "openssh-server", "openssh-clients"),
	  L("openssh", "openssh-server", "openssh-client*") },
	{ "sshfs", L("sshfs"), L("fuse-sshfs", "sshfs"), L("sshfs"), L("sshfs") },
	{ "bash", L("bash"), L("bash"), L("bash"), L("bash") },
	{ "zsh", L("zsh"), L("zsh"), L("zsh"), L("zsh") },
	{ "dash", L("dash"), L("dash"), L("dash"), L("dash") },
	{ "wget", L("wget"), L("wget", "wget2*"), L("wget"), L("wget") },
	{ "curl", L("curl", "libcurl4", "libcurl4t64", "libcurl3-gnutls", "libcurl3t64-gnutls"),
	  L("curl", "curl-minimal", "libcurl", "libcurl-minimal"), L("curl", "libcurl4"), L("curl", "libcurl") },
	{ "tar", L("tar"), L("tar"), L("tar"), L("tar") },
	{ "gzip", L("gzip"), L("gzip"), L("gzip"), L("gzip") },
	{ "sudo", L("sudo", "sudo-ldap"), L("sudo"), L("sudo"), L("sudo") },
	{ "ppp", L("ppp"), L("ppp"), L("ppp"), L("ppp") },
	{ "rsync", L("rsync"), L("rsync"), L("rsync"), L("rsync") },
	{ "exim", L("exim4", "exim4-*"), L("exim"), L("exim"), L("exim") },
	{ "apt", L("apt", "libapt-pkg*"), NONE, NONE, NONE },
	{ "dpkg", L("dpkg"), NONE, NONE, NONE },
	{ "rpm", NONE, L("rpm", "rpm-libs"), L("rpm", "rpm-ndb"), NONE },
	{ "yum", NONE, L("yum"), NONE, NONE },
	{ "dnf", NONE, L("dnf", "libdnf", "python3-dnf"), L("dnf"), NONE },
	{ NULL, NULL, NULL, NULL, NULL },
};

#undef L
#undef NONE

/* ---- small helpers ---- */

static int has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	return n >= pl && !memcmp(s, prefix, pl);
}

static int mem_contains(const char *s, size_t n, const char *needle)
{
	size_t nl = strlen(needle);
	for (size_t i = 0; i + nl <= n; i++)
		if (!memcmp(s + i, needle, nl))
			return 1;
	return 0;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Lookups while parsing: packages by name and by name and arch, updates by name. */
struct pkg_ctx {
	struct facts *f;
	struct facts_index pkgs;      /* name -> first package; "name\tarch" -> package */
	struct facts_strs keys;       /* the "name\tarch" keys */
	struct facts_index ups;       /* name -> first update */
	size_t *up_next;              /* the next update of the same name, or FACTS_NONE */
};

static void ctx_release(struct pkg_ctx *cx)
{
	facts_index_release(&cx->pkgs);
	facts_index_release(&cx->ups);
	facts_strs_release(&cx->keys);
	free(cx->up_next);
	cx->up_next = NULL;
}

static void index_packages(struct pkg_ctx *cx)
{
	const struct facts_packages *ps = &cx->f->packages;
	struct strbuf key = STRBUF_INIT;

	for (size_t i = 0; i < ps->list.n; i++) {
		const struct facts_package *pk = &ps->list.v[i];
		facts_index_put(&cx->pkgs, pk->name, i);
		if (!pk->arch)
			continue;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s\t%s", pk->name, pk->arch);
		if (facts_index_get(&cx->pkgs, key.buf, key.len) != FACTS_NONE ||
		    facts_strs_push(&cx->keys, key.buf, key.len) < 0)
			continue;
		facts_index_put(&cx->pkgs, cx->keys.v[cx->keys.n - 1], i);
	}
	strbuf_release(&key);
}

/* Build the index of updates by name (once the list is complete). */
static void index_updates(struct pkg_ctx *cx)
{
	const struct facts_updates *u = &cx->f->updates;
	size_t *tail = xmalloc((u->list.n + 1) * sizeof(*tail));

	cx->up_next = xmalloc((u->list.n + 1) * sizeof(*cx->up_next));
	for (size_t i = 0; i < u->list.n; i++) {
		size_t first = facts_index_put(&cx->ups, u->list.v[i].name, i);
		cx->up_next[i] = FACTS_NONE;
		if (first != i) {
			cx->up_next[tail[first]] = i;
		}
		tail[first] = i;
	}
	free(tail);
}

/* Mark every update called name[0..n) as a security update; 0 when there is none. */
static int mark_security(struct pkg_ctx *cx, const char *name, size_t n)
{
	struct facts_updates *u = &cx->f->updates;
	size_t i = facts_index_get(&cx->ups, name, n);
	if (i == FACTS_NONE)
		return 0;
	if (u->list.v[i].security)
		return 1; /* all of that name were marked together */
	for (; i != FACTS_NONE; i = cx->up_next[i])
		u->list.v[i].security = 1;
	return 1;
}

/* ---- pkg-tools ---- */

static const char *tool_path(const struct facts *f, const char *name)
{
	for (size_t i = 0; i < f->tools.list.n; i++)
		if (!strcmp(f->tools.list.v[i].name, name))
			return f->tools.list.v[i].path;
	return NULL;
}

static void parse_tools(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "pkg-tools");
	const char *p, *end, *line, *a, *b;
	size_t ll, an, bn;

	facts_src_set(&f->tools.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		if (!facts_split(line, ll, '\t', &a, &an, &b, &bn) || !an) {
			if (ll)
				f->tools.src.skipped++;
			continue;
		}
		if (!FACTS_GROW(f->tools.list)) {
			f->tools.src.skipped++;
			continue;
		}
		f->tools.list.v[f->tools.list.n++] = (struct facts_tool){
			facts_strndup(a, an), facts_strndup(b, bn),
		};
	}
}

/* The update tool, chosen as scripts/gather.sh chooses it. */
static void pick_manager(struct facts *f)
{
	const char *m = NULL;

	if (!f->tools.src.section)
		return;
	if (tool_path(f, "dpkg")) {
		if (tool_path(f, "apt-get"))
			m = "apt";
	} else if (tool_path(f, "rpm")) {
		if (tool_path(f, "zypper"))
			m = "zypper";
		else if (tool_path(f, "dnf"))
			m = "dnf";
		else if (tool_path(f, "yum"))
			m = "yum";
	} else if (tool_path(f, "apk")) {
		m = "apk";
	}
	if (m)
		f->packages.manager = xstrdup(m);
}

/* ---- packages ---- */

/* An rpm version without a "0:" or "(none):" epoch. */
static void strip_zero_epoch(const char **v, size_t *n)
{
	if (has_prefix(*v, *n, "0:")) {
		*v += 2;
		*n -= 2;
	} else if (has_prefix(*v, *n, "(none):")) {
		*v += 7;
		*n -= 7;
	}
}

/* "name-1.2.3-r4" (apk): the name ends at the '-' before the version. */
static int split_apk(const char *s, size_t n, size_t *name_len)
{
	size_t dashes = 0;
	for (size_t i = n; i-- > 0;) {
		if (s[i] == '-' && ++dashes == 2) {
			if (i == 0 || i + 1 >= n || !is_digit(s[i + 1]))
				return 0;
			*name_len = i;
			return 1;
		}
	}
	return 0;
}

static void add_package(struct facts *f, const char *name, size_t nn, const char *ver, size_t vn,
			const char *arch, size_t an, const char *status, size_t sn)
{
	if (!FACTS_GROW(f->packages.list)) {
		f->packages.src.skipped++;
		return;
	}
	f->packages.list.v[f->packages.list.n++] = (struct facts_package){
		facts_strndup(name, nn),
		facts_strndup(ver, vn),
		arch ? facts_strndup(arch, an) : NULL,
		status ? facts_strndup(status, sn) : NULL,
	};
}

static void parse_packages(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "packages");
	const char *p, *end, *line, *fl[5];
	size_t ll, fn[5], n;

	facts_src_set(&f->packages.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		if (!ll)
			continue;
		n = facts_cut(line, ll, '\t', fl, fn, 5);
		if (n == 1) {
			size_t nl;
			facts_trim(&fl[0], &fn[0]);
			if (!split_apk(fl[0], fn[0], &nl)) {
				f->packages.src.skipped++;
				continue;
			}
			add_package(f, fl[0], nl, fl[0] + nl + 1, fn[0] - nl - 1, NULL, 0, NULL, 0);
			continue;
		}
		if (n < 3 || !fn[0] || !fn[1]) {
			f->packages.src.skipped++;
			continue;
		}
		if (facts_eq(fl[0], fn[0], "gpg-pubkey"))
			continue;
		const char *st = n >= 4 ? fl[3] : NULL;
		size_t stn = n >= 4 ? fn[3] : 0;
		if (st) {
			facts_trim(&st, &stn);
			/* dpkg: not-installed (n) and config-files (c) are not installed */
			if (stn >= 2 && (st[1] == 'n' || st[1] == 'c'))
				continue;
		}
		strip_zero_epoch(&fl[1], &fn[1]);
		add_package(f, fl[0], fn[0], fl[1], fn[1], fl[2], fn[2], st, stn);
	}
}

static const struct facts_package *find_pkg(const struct pkg_ctx *cx, const char *name,
					   const char *arch)
{
	const struct facts_packages *ps = &cx->f->packages;
	size_t i = FACTS_NONE;
	if (arch) {
		char *key = xasprintf("%s\t%s", name, arch);
		i = facts_index_get(&cx->pkgs, key, strlen(key));
		free(key);
	}
	if (i == FACTS_NONE)
		i = facts_index_get(&cx->pkgs, name, strlen(name));
	return i == FACTS_NONE ? NULL : &ps->list.v[i];
}

/* ---- refresh, lists-age ---- */

static void parse_lists(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "lists-age");
	const char *p, *end, *line, *a, *b;
	size_t ll, an, bn;

	facts_src_set(&f->refresh.src, gather_find(g, "refresh"));
	facts_src_set(&f->lists.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		long long t;
		if (!facts_split(line, ll, '\t', &a, &an, &b, &bn) || (t = facts_num(b, bn)) < 0) {
			if (ll)
				f->lists.src.skipped++;
			continue;
		}
		if (!FACTS_GROW(f->lists.files)) {
			f->lists.src.skipped++;
			continue;
		}
		f->lists.files.v[f->lists.files.n++] = (struct facts_list_file){ facts_strndup(a, an), t };
		if (t > f->lists.newest)
			f->lists.newest = t;
	}
	if (f->lists.newest >= 0 && f->meta.time >= 0)
		f->lists.age = f->meta.time > f->lists.newest ? f->meta.time - f->lists.newest : 0;
}

/* ---- updates ---- */

static struct facts_update *add_update(struct facts *f, const char *name, size_t nn)
{
	struct facts_updates *u = &f->updates;
	if (!FACTS_GROW(u->list)) {
		u->src.skipped++;
		return NULL;
	}
	struct facts_update *up = &u->list.v[u->list.n++];
	*up = (struct facts_update){ facts_strndup(name, nn), NULL, NULL, NULL, NULL, 0 };
	return up;
}

/*
 * The installed version an update replaces: with several versions installed
 * (kernels), the newest of them, not the first listed.
 */
static void set_current(const struct pkg_ctx *cx, struct facts_update *up)
{
	const struct facts_package *pk = find_pkg(cx, up->name, up->arch);
	const struct facts_packages *ps = &cx->f->packages;

	if (up->current || !pk)
		return;
	for (size_t i = (size_t)(pk - ps->list.v) + 1; i < ps->list.n; i++) {
		const struct facts_package *q = &ps->list.v[i];
		if (!q->name || strcmp(q->name, pk->name) || !q->version ||
		    (up->arch && q->arch && strcmp(q->arch, up->arch)))
			continue;
		if (facts_vercmp_os(cx->f, q->version, pk->version) > 0)
			pk = q;
	}
	up->current = xstrdup(pk->version);
}

/*
 * apt-get -s: "Inst NAME [CURRENT] (NEW ORIGIN[, ORIGIN...] [ARCH])".
 * Security updates come from an origin such as Debian-Security:12/stable-security
 * or Ubuntu:22.04/jammy-security.
 */
static int parse_inst(struct facts *f, const char *line, size_t ll)
{
	const char *p = line + 5, *end = line + ll, *q;
	struct facts_update *up;

	q = p;
	while (q < end && *q != ' ')
		q++;
	if (q == p)
		return -1;
	up = add_update(f, p, (size_t)(q - p));
	if (!up)
		return 0;
	p = q;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (!q)
			return 0;
		up->current = facts_strndup(p + 1, (size_t)(q - p - 1));
		p = q + 1;
		while (p < end && *p == ' ')
			p++;
	}
	if (p >= end || *p != '(')
		return 0;
	p++;
	const char *close = p;
	int depth = 0;
	/* the parenthesised part ends at the ')' that closes it */
	while (close < end) {
		if (*close == '[')
			depth++;
		else if (*close == ']' && depth)
			depth--;
		else if (*close == ')' && !depth)
			break;
		close++;
	}
	q = memchr(p, ' ', (size_t)(close - p));
	if (!q) {
		up->version = facts_strndup(p, (size_t)(close - p));
		return 0;
	}
	up->version = facts_strndup(p, (size_t)(q - p));
	p = q + 1;
	const char *origin_end = close;
	const char *lb = NULL;
	for (const char *r = p; r < close; r++)
		if (*r == '[')
			lb = r;
	if (lb) {
		const char *rb = memchr(lb, ']', (size_t)(close - lb));
		if (rb) {
			up->arch = facts_strndup(lb + 1, (size_t)(rb - lb - 1));
			origin_end = lb;
		}
	}
	size_t on = (size_t)(origin_end - p);
	facts_trim(&p, &on);
	if (on)
		up->origin = facts_strndup(p, on);
	up->security = mem_contains(p, on, "-security") || mem_contains(p, on, "Security");
	return 0;
}

/* One package of apt-cache policy, while it is being read. */
struct policy {
	struct strbuf name, installed, candidate, origin;
	int in_table;
	int cand_version; /* the version lines being read are the candidate's */
	int security;
};

/* A suite that carries security updates: "bookworm-security/main", or
 * "buster/updates/main" from a security archive (Debian 10 and older). */
static int security_suite(const char *url, size_t un, const char *suite, size_t sn)
{
	const char *slash = memchr(suite, '/', sn);
	size_t base = slash ? (size_t)(slash - suite) : sn;
	if (base >= 9 && !memcmp(suite + base - 9, "-security", 9))
		return 1;
	return slash && has_prefix(slash, sn - base, "/updates") && mem_contains(url, un, "security");
}

static void policy_flush(const struct pkg_ctx *cx, struct policy *pl)
{
	struct facts *f = cx->f;
	const char *inst = pl->installed.buf, *cand = pl->candidate.buf;

	if (pl->name.len && inst && cand && strcmp(inst, "(none)") && strcmp(cand, "(none)") &&
	    strcmp(inst, cand) && facts_vercmp(cand, inst) > 0) {
		const char *colon = memchr(pl->name.buf, ':', pl->name.len);
		size_t nn = colon ? (size_t)(colon - pl->name.buf) : pl->name.len;
		struct facts_update *up = add_update(f, pl->name.buf, nn);
		const struct facts_package *pk;
		if (!up)
			goto reset;
		up->version = facts_strndup(cand, pl->candidate.len);
		up->current = facts_strndup(inst, pl->installed.len);
		if (colon)
			up->arch = facts_strndup(colon + 1, pl->name.len - nn - 1);
		else if ((pk = find_pkg(cx, up->name, NULL)) && pk->arch)
			up->arch = xstrdup(pk->arch);
		if (pl->origin.len)
			up->origin = facts_strndup(pl->origin.buf, pl->origin.len);
		up->security = pl->security;
	}
reset:
	strbuf_reset(&pl->name);
	strbuf_release(&pl->installed);
	strbuf_release(&pl->candidate);
	strbuf_reset(&pl->origin);
	pl->in_table = pl->cand_version = pl->security = 0;
}

static int field_value(const char *line, size_t ll, const char *key, struct strbuf *out)
{
	const char *t = line;
	size_t tn = ll, kl = strlen(key);
	facts_trim(&t, &tn);
	if (!has_prefix(t, tn, key) || tn < kl + 1 || t[kl] != ':')
		return 0;
	t += kl + 1;
	tn -= kl + 1;
	facts_trim(&t, &tn);
	strbuf_release(out);
	strbuf_add(out, t, tn);
	return 1;
}

/*
 * apt-cache policy NAME...: "NAME:", "  Installed: V", "  Candidate: V",
 * "  Version table:", then versions (" *** V PRIO" for the installed one,
 * "     V PRIO" for others), each followed by its sources
 * ("        500 URL SUITE/COMPONENT ARCH Packages").
 */
static void parse_apt_policy(const struct pkg_ctx *cx, const struct gather_section *s)
{
	struct facts *f = cx->f;
	const char *p = s->data, *end = s->data + s->len, *line, *w[5];
	size_t ll, wl[5];
	struct policy pl = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0, 0, 0 };

	while (gather_next_line(&p, end, &line, &ll)) {
		if (!ll)
			continue;
		if (line[0] != ' ') {
			policy_flush(cx, &pl);
			if (line[ll - 1] == ':' && ll > 1 && !memchr(line, ' ', ll))
				strbuf_add(&pl.name, line, ll - 1);
			else
				f->updates.src.skipped++;
			continue;
		}
		if (!pl.name.len)
			continue;
		if (!pl.in_table) {
			if (field_value(line, ll, "Installed", &pl.installed) ||
			    field_value(line, ll, "Candidate", &pl.candidate))
				continue;
			const char *t = line;
			size_t tn = ll;
			facts_trim(&t, &tn);
			if (facts_eq(t, tn, "Version table:"))
				pl.in_table = 1;
			continue;
		}
		size_t lead = 0;
		while (lead < ll && line[lead] == ' ')
			lead++;
		size_t n = facts_words(line, ll, w, wl, 5);
		if (has_prefix(line, ll, " *** ") || lead <= 6) {
			/* a version line */
			size_t vi = facts_eq(w[0], wl[0], "***") ? 1 : 0;
			pl.cand_version = vi < n && pl.candidate.buf && facts_eq(w[vi], wl[vi], pl.candidate.buf);
			continue;
		}
		if (!pl.cand_version || n < 3)
			continue;
		/* a source of the candidate: PRIO URL SUITE/COMPONENT ARCH Packages */
		if (pl.origin.len > FACTS_MAX_JOINED)
			continue;
		if (pl.origin.len)
			strbuf_addstr(&pl.origin, ", ");
		strbuf_add(&pl.origin, w[2], wl[2]);
		if (security_suite(w[1], wl[1], w[2], wl[2]))
			pl.security = 1;
	}
	policy_flush(cx, &pl);
	strbuf_release(&pl.name);
	strbuf_release(&pl.origin);
}

static void parse_apt_updates(const struct pkg_ctx *cx, const struct gather_section *s)
{
	struct facts *f = cx->f;
	const char *p = s->data, *end = s->data + s->len, *line;
	size_t ll;
	int inst = 0;

	/* apt-get -s dist-upgrade (older scripts) or apt-cache policy */
	while (gather_next_line(&p, end, &line, &ll)) {
		if (has_prefix(line, ll, "Inst ")) {
			inst = 1;
			if (parse_inst(f, line, ll) < 0)
				f->updates.src.skipped++;
		}
	}
	if (!inst)
		parse_apt_policy(cx, s);
}

/* "name.arch" split at the last dot. */
static int split_name_arch(const char *s, size_t n, size_t *name_len)
{
	for (size_t i = n; i-- > 0;) {
		if (s[i] == '.') {
			if (!i || i + 1 == n)
				return 0;
			*name_len = i;
			return 1;
		}
	}
	return 0;
}

/*
 * yum/dnf check-update: "name.arch  version  repo", a long name may wrap
 * the rest onto the next line; "Obsoleting Packages" ends the list.
 */
static void parse_yum_updates(struct pkg_ctx *cx, const struct gather_section *s, int security)
{
	struct facts *f = cx->f;
	const char *p = s->data, *end = s->data + s->len, *line, *w[8];
	const char *acc[3];
	size_t ll, wl[8], accl[3], nacc = 0;
	struct facts_updates *u = &f->updates;

	while (gather_next_line(&p, end, &line, &ll)) {
		size_t n = facts_words(line, ll, w, wl, 8);
		if (has_prefix(line, ll, "Obsoleting Packages"))
			break;
		if (!n) {
			nacc = 0;
			continue;
		}
		if (n > 3 || (n == 3 && nacc)) {
			nacc = 0;
		}
		if (nacc + n > 3) {
			nacc = 0;
			u->src.skipped += !security;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			acc[nacc] = w[i];
			accl[nacc++] = wl[i];
		}
		if (nacc < 3)
			continue;
		nacc = 0;
		size_t nl;
		if (!split_name_arch(acc[0], accl[0], &nl) || !accl[1] || !is_digit(acc[1][0])) {
			if (!security)
				u->src.skipped++;
			continue;
		}
		if (security) {
			/* yum --security check-update: mark the listed packages */
			if (!mark_security(cx, acc[0], nl))
				u->security_src.skipped++;
			continue;
		}
		struct facts_update *up = add_update(f, acc[0], nl);
		if (!up)
			continue;
		up->arch = facts_strndup(acc[0] + nl + 1, accl[0] - nl - 1);
		up->version = facts_strndup(acc[1], accl[1]);
		up->origin = facts_strndup(acc[2], accl[2]);
	}
}

/* The name of an rpm NEVRA "name-[epoch:]version-release.arch". */
static int nevra_name(const char *s, size_t n, size_t *name_len)
{
	size_t nl, dashes = 0;
	if (!split_name_arch(s, n, &nl))
		nl = n;
	for (size_t i = nl; i-- > 0;) {
		if (s[i] == '-' && ++dashes == 2) {
			*name_len = i;
			return i > 0;
		}
	}
	return 0;
}

/* dnf/yum updateinfo: "ID  Severity/Sec.  NEVRA". */
static void parse_updateinfo(struct pkg_ctx *cx, const struct gather_section *s)
{
	struct facts *f = cx->f;
	const char *p = s->data, *end = s->data + s->len, *line, *w[4];
	size_t ll, wl[4];
	struct facts_updates *u = &f->updates;
	int plain = 0;

	while (gather_next_line(&p, end, &line, &ll)) {
		size_t n = facts_words(line, ll, w, wl, 4), nl;
		if (n != 3)
			continue;
		if (!mem_contains(w[1], wl[1], "/Sec")) {
			if (split_name_arch(w[0], wl[0], &nl) && wl[1] && is_digit(w[1][0]))
				plain = 1;
			continue;
		}
		if (!nevra_name(w[2], wl[2], &nl)) {
			u->security_src.skipped++;
			continue;
		}
		mark_security(cx, w[2], nl);
		if (!FACTS_GROW(u->advisories)) {
			u->security_src.skipped++;
			continue;
		}
		size_t sevl = (size_t)((const char *)memchr(w[1], '/', wl[1]) - w[1]);
		u->advisories.v[u->advisories.n++] = (struct facts_advisory){
			facts_strndup(w[0], wl[0]),
			sevl ? facts_strndup(w[1], sevl) : NULL,
			facts_strndup(w[2], nl),
			NULL,
		};
	}
	/* without the security plugin: yum --security check-update lines */
	if (plain)
		parse_yum_updates(cx, s, 1);
}

/* A zypper table: the column index of each wanted header, -1 when absent. */
struct ztable {
	int ncols;
	int col[8];
};

static size_t split_cells(const char *line, size_t ll, const char **c, size_t *cl, size_t max)
{
	size_t n = facts_cut(line, ll, '|', c, cl, max);
	for (size_t i = 0; i < n; i++)
		facts_trim(&c[i], &cl[i]);
	return n;
}

static int is_rule(const char *line, size_t ll)
{
	if (!ll)
		return 0;
	for (size_t i = 0; i < ll; i++)
		if (line[i] != '-' && line[i] != '+' && line[i] != ' ' && line[i] != '=')
			return 0;
	return 1;
}

/*
 * Walk the rows of a zypper table, calling fn with the cells of the wanted
 * headers (NULL for a missing column).
 */
static void zypper_rows(struct facts *f, const struct gather_section *s, const char *const *want,
			size_t nwant, long long *skipped,
			void (*fn)(struct facts *f, const char **v, const size_t *vl))
{
	const char *p = s->data, *end = s->data + s->len, *line, *c[16];
	size_t ll, cl[16];
	struct ztable t = { 0, { 0 } };
	int have_header = 0;

	while (gather_next_line(&p, end, &line, &ll)) {
		if (!memchr(line, '|', ll)) {
			continue;
		}
		if (is_rule(line, ll))
			continue;
		size_t n = split_cells(line, ll, c, cl, 16);
		int header = 0;
		for (size_t i = 0; i < n; i++)
			if (facts_eq(c[i], cl[i], want[0]))
				header = 1;
		if (header) {
			have_header = 1;
			t.ncols = (int)n;
			for (size_t k = 0; k < nwant; k++) {
				t.col[k] = -1;
				for (size_t i = 0; i < n; i++)
					if (facts_eq(c[i], cl[i], want[k]))
						t.col[k] = (int)i;
			}
			continue;
		}
		if (!have_header || t.col[0] < 0 || (int)n != t.ncols) {
			(*skipped)++;
			continue;
		}
		const char *v[8];
		size_t vl[8];
		for (size_t k = 0; k < nwant; k++) {
			int i = t.col[k];
			v[k] = i >= 0 && i < (int)n ? c[i] : NULL;
			vl[k] = i >= 0 && i < (int)n ? cl[i] : 0;
		}
		fn(f, v, vl);
	}
}

static const char *const zypper_update_cols[] = {
	"Name", "Available Version", "Current Version", "Arch", "Repository",
};

static void zypper_update_row(struct facts *f, const char **v, const size_t *vl)
{
	if (!vl[0])
		return;
	struct facts_update *up = add_update(f, v[0], vl[0]);
	if (!up)
		return;
	up->version = v[1] && vl[1] ? facts_strndup(v[1], vl[1]) : NULL;
	up->current = v[2] && vl[2] ? facts_strndup(v[2], vl[2]) : NULL;
	up->arch = v[3] && vl[3] ? facts_strndup(v[3], vl[3]) : NULL;
	up->origin = v[4] && vl[4] ? facts_strndup(v[4], vl[4]) : NULL;
}

static const char *const zypper_patch_cols[] = {
	"Name", "Category", "Severity", "Status", "Summary",
};

static void zypper_patch_row(struct facts *f, const char **v, const size_t *vl)
{
	struct facts_updates *u = &f->updates;
	if (!vl[0] || (v[1] && !facts_eq(v[1], vl[1], "security")))
		return;
	if (v[3] && vl[3] && !facts_eq(v[3], vl[3], "needed") && !facts_eq(v[3], vl[3], "applicable"))
		return;
	if (!FACTS_GROW(u->advisories)) {
		u->security_src.skipped++;
		return;
	}
	u->advisories.v[u->advisories.n++] = (struct facts_advisory){
		facts_strndup(v[0], vl[0]),
		v[2] && vl[2] ? facts_strndup(v[2], vl[2]) : NULL,
		NULL,
		v[4] && vl[4] ? facts_strndup(v[4], vl[4]) : NULL,
	};
}

/* Letters and digits of s, lowercased, without a "lib" prefix. */
static char *squash(const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	if (has_prefix(s, n, "lib")) {
		s += 3;
		n -= 3;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || is_digit(c))
			strbuf_addch(&sb, c);
	}
	return strbuf_detach(&sb);
}

struct squashed {
	char *name;
	size_t update;
};

static int cmp_squashed(const void *a, const void *b)
{
	return strcmp(((const struct squashed *)a)->name, ((const struct squashed *)b)->name);
}

/*
 * zypper patches name no packages: "Security update for openssl-1_1, curl
 * and the Linux Kernel". Mark the updates whose name (without "lib", only
 * letters and digits) starts with one of the named ones. Best effort, with
 * a bounded amount of work.
 */
static void mark_from_summaries(struct facts *f)
{
	struct facts_updates *u = &f->updates;
	struct squashed *sq = xmalloc((u->list.n + 1) * sizeof(*sq));
	size_t budget = (size_t)1 << 22;

	for (size_t i = 0; i < u->list.n; i++)
		sq[i] = (struct squashed){ squash(u->list.v[i].name, strlen(u->list.v[i].name)), i };
	qsort(sq, u->list.n, sizeof(*sq), cmp_squashed);
	for (size_t a = 0; a < u->advisories.n && budget; a++) {
		const char *summary = u->advisories.v[a].summary, *for_;
		if (!summary || !(for_ = strstr(summary, " for ")))
			continue;
		struct strbuf list = STRBUF_INIT;
		strbuf_addstr(&list, for_ + 5);
		for (char *q = list.buf; *q; q++)
			if (*q == ',')
				*q = ' ';
		const char *w[32];
		size_t wl[32], n = facts_words(list.buf, list.len, w, wl, 32);
		for (size_t i = 0; i < n && budget; i++) {
			if (facts_eq(w[i], wl[i], "and") || facts_eq(w[i], wl[i], "the") ||
			    facts_eq(w[i], wl[i], "Linux"))
				continue;
			char *name = squash(w[i], wl[i]);
			size_t nl = strlen(name), lo = 0, hi = u->list.n;
			while (nl >= 3 && lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (strcmp(sq[mid].name, name) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			for (size_t k = lo; nl >= 3 && k < u->list.n && budget; k++, budget--) {
				if (strncmp(sq[k].name, name, nl))
					break;
				u->list.v[sq[k].update].security = 1;
			}
			free(name);
		}
		strbuf_release(&list);
	}
	for (size_t i = 0; i < u->list.n; i++)
		free(sq[i].name);
	free(sq);
}

/* apk -s upgrade: "(1/2) Upgrading busybox (1.36.1-r15 -> 1.36.1-r19)". */
static void parse_apk_updates(struct facts *f, const struct gather_section *s)
{
	const char *p = s->data, *end = s->data + s->len, *line, *w[8];
	size_t ll, wl[8];

	while (gather_next_line(&p, end, &line, &ll)) {
		size_t n = facts_words(line, ll, w, wl, 8);
		if (n < 6 || !facts_eq(w[1], wl[1], "Upgrading") || w[3][0] != '(' ||
		    !facts_eq(w[4], wl[4], "->"))
			continue;
		struct facts_update *up = add_update(f, w[2], wl[2]);
		if (!up)
			continue;
		up->current = facts_strndup(w[3] + 1, wl[3] - 1);
		size_t vn = wl[5];
		if (vn && w[5][vn - 1] == ')')
			vn--;
		up->version = facts_strndup(w[5], vn);
	}
}

static void parse_updates(struct pkg_ctx *cx, const struct gather *g)
{
	struct facts *f = cx->f;
	const struct gather_section *s = gather_find(g, "updates");
	const struct gather_section *sec = gather_find(g, "security-updates");
	struct facts_updates *u = &f->updates;
	const char *m = f->packages.manager ? f->packages.manager : "";

	facts_src_set(&u->src, s);
	facts_src_set(&u->security_src, sec);
	if (!s)
		return;
	if (!strcmp(m, "apt")) {
		parse_apt_updates(cx, s);
		index_updates(cx);
	} else if (!strcmp(m, "dnf") || !strcmp(m, "yum")) {
		parse_yum_updates(cx, s, 0);
		index_updates(cx);
		if (sec)
			parse_updateinfo(cx, sec);
	} else if (!strcmp(m, "zypper")) {
		zypper_rows(f, s, zypper_update_cols, ARRAY_SIZE(zypper_update_cols), &u->src.skipped,
			    zypper_update_row);
		index_updates(cx);
		if (sec) {
			zypper_rows(f, sec, zypper_patch_cols, ARRAY_SIZE(zypper_patch_cols),
				    &u->security_src.skipped, zypper_patch_row);
			mark_from_summaries(f);
		}
	} else if (!strcmp(m, "apk")) {
		parse_apk_updates(f, s);
		index_updates(cx);
	} else {
		index_updates(cx);
	}
	for (size_t i = 0; i < u->list.n; i++)
		set_current(cx, &u->list.v[i]);
	u->count = (long long)u->list.n;
	/*
	 * apt marks security updates in its own output; the others need a
	 * security list that ran to its end and succeeded (yum --security
	 * check-update exits 100 when it lists updates).
	 */
	if (!strcmp(m, "apt") || ((!strcmp(m, "dnf") || !strcmp(m, "yum") || !strcmp(m, "zypper")) &&
				  sec && sec->complete && (sec->status == 0 || sec->status == 100))) {
		u->security_count = 0;
		for (size_t i = 0; i < u->list.n; i++)
			u->security_count += u->list.v[i].security;
	}
}

/* ---- reboot ---- */

/* The flavour of a kernel release: from the first '-' followed by a letter. */
static const char *flavour(const char *r)
{
	for (const char *p = r; *p; p++)
		if (*p == '-' && ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z')))
			return p;
	return "";
}

static void kernel_pending(struct facts *f)
{
	const char *run = f->uname.release;
	const char *best = NULL;

	if (!run || !f->kernels.src.section || !f->kernels.installed.n)
		return;
	for (size_t i = 0; i < f->kernels.installed.n; i++) {
		const char *k = f->kernels.installed.v[i];
		if (strcmp(flavour(k), flavour(run)))
			continue;
		if (!best || facts_vercmp_os(f, k, best) > 0)
			best = k;
	}
	if (!best)
		return;
	if (strcmp(best, f->kernels.newest ? f->kernels.newest : "")) {
		free(f->kernels.newest);
		f->kernels.newest = xstrdup(best);
	}
	f->reboot.kernel_pending = facts_vercmp_os(f, best, run) > 0;
}

static void parse_reboot(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "reboot");
	struct facts_reboot *r = &f->reboot;
	const char *p, *end, *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&r->src, s);
	kernel_pending(f);
	if (s) {
		p = s->data;
		end = s->data + s->len;
		while (gather_next_line(&p, end, &line, &ll)) {
			if (!facts_split(line, ll, '=', &k, &kn, &v, &vn)) {
				if (ll)
					r->src.skipped++;
				continue;
			}
			facts_trim(&v, &vn);
			if (facts_eq(k, kn, "reboot_required_file"))
				r->required_file = facts_eq(v, vn, "yes") ? 1 : facts_eq(v, vn, "no") ? 0 : -1;
			else if (facts_eq(k, kn, "pkg") && vn)
				facts_strs_push(&r->packages, v, vn);
			else if (facts_eq(k, kn, "needs_restarting"))
				r->needs_restarting = facts_num(v, vn);
			else
				r->src.skipped++;
		}
	}
	if (r->required_file == 1 || r->needs_restarting == 1 || r->kernel_pending == 1)
		r->required = 1;
	else if (s)
		r->required = 0;
	else
		r->required = r->kernel_pending;
}

/* ---- components ---- */

static const char *const *patterns(const struct facts_component_def *d, const char *fam, int which)
{
	static const char *const none[] = { NULL };
	const char *const *l[] = { d->debian, d->rhel, d->suse, d->alpine };
	static const char *const fams[] = { "debian", "rhel", "suse", "alpine" };

	if (fam) {
		for (size_t i = 0; i < ARRAY_SIZE(fams); i++)
			if (!strcmp(fam, fams[i]))
				return which == (int)i ? l[i] : none;
	}
	return l[which];
}

static int matches(const struct facts_component_def *d, const char *fam, const char *name)
{
	for (int w = 0; w < 4; w++)
		for (const char *const *p = patterns(d, fam, w); *p; p++) {
			char c = (*p)[0];
			/* most patterns start with a plain letter: a cheap first test */
			if (c != '*' && c != '?' && c != '[' && c != '\\' && c != name[0])
				continue;
			if (!fnmatch(*p, name, 0))
				return 1;
		}
	return 0;
}

static const struct facts_update *find_update(const struct pkg_ctx *cx, const char *name)
{
	size_t i = cx->up_next ? facts_index_get(&cx->ups, name, strlen(name)) : FACTS_NONE;
	return i == FACTS_NONE ? NULL : &cx->f->updates.list.v[i];
}

/* Packages listed per component: enough for every real one (kernels included). */
#define MAX_COMPONENT_PACKAGES 256

static void add_component_pkg(struct facts_component *c, const char *name, const char *version,
			      const struct facts_update *up)
{
	if (c->packages.n >= MAX_COMPONENT_PACKAGES)
		return;
	/* several versions of one package may be installed (kernels) */
	for (size_t i = 0; i < c->packages.n; i++) {
		const struct facts_component_pkg *cp = &c->packages.v[i];
		if (!strcmp(cp->name, name) &&
		    (!version || (cp->version && !strcmp(cp->version, version))))
			return;
	}
	ALLOC_GROW(c->packages.v, c->packages.n + 1, c->packages.alloc);
	c->packages.v[c->packages.n++] = (struct facts_component_pkg){
		xstrdup(name), version ? xstrdup(version) : NULL,
		up && up->version ? xstrdup(up->version) : NULL, up ? up->security : 0,
	};
	if (version)
		c->installed = 1;
	if (up) {
		c->update = 1;
		c->security |= up->security;
	}
}

static void build_components(const struct pkg_ctx *cx)
{
	struct facts *f = cx->f;
	const char *fam = f->os.family && strcmp(f->os.family, "unknown") ? f->os.family : NULL;
	struct facts_components *cs = &f->components;

	if (!f->packages.src.section)
		return;
	facts_src_set(&cs->src, NULL);
	cs->src.section = xstrdup("packages");
	cs->src.status = f->packages.src.status;
	cs->src.complete = f->packages.src.complete;
	for (const struct facts_component_def *d = facts_components; d->name; d++) {
		ALLOC_GROW(cs->list.v, cs->list.n + 1, cs->list.alloc);
		struct facts_component *c = &cs->list.v[cs->list.n++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup(d->name);
		for (size_t i = 0; i < f->packages.list.n; i++) {
			const struct facts_package *pk = &f->packages.list.v[i];
			if (matches(d, fam, pk->name))
				add_component_pkg(c, pk->name, pk->version, find_update(cx, pk->name));
		}
		/* updates that install a new package of the component (a new kernel) */
		for (size_t i = 0; i < f->updates.list.n; i++) {
			const struct facts_update *up = &f->updates.list.v[i];
			if (matches(d, fam, up->name))
				add_component_pkg(c, up->name, NULL, up);
		}
	}
}

void facts_parse_pkg(struct facts *f, const struct gather *g)
{
	struct pkg_ctx cx = { f, { NULL, NULL, 0, 0 }, { NULL, 0, 0 }, { NULL, NULL, 0, 0 }, NULL };

	parse_tools(f, g);
	pick_manager(f);
	parse_packages(f, g);
	index_packages(&cx);
	parse_lists(f, g);
	parse_updates(&cx, g);
	parse_reboot(f, g);
	build_components(&cx);
	ctx_release(&cx);
}
