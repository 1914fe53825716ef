/*
 * The operating system: os-release and its fallbacks, uname, boot, kernels.
 */
#include "facts.h"

#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

static const char *const rhel_ids[] = {
	"rhel", "centos", "rocky", "almalinux", "alinux", "anolis", "ol", "amzn", "fedora",
	"circle", "eurolinux", "virtuozzo", "cloudlinux", "navy", "miracle", "tencentos", "opencloudos",
	NULL,
};
static const char *const debian_ids[] = { "debian", "ubuntu", "raspbian", "linuxmint", "kali", "devuan", NULL };

static int in_list(const char *const *l, const char *s, size_t n)
{
	for (; *l; l++)
		if (facts_eq(s, n, *l))
			return 1;
	return 0;
}

/* The family of one ID word, or NULL. */
static const char *family_of_word(const char *s, size_t n)
{
	if (in_list(rhel_ids, s, n))
		return "rhel";
	if (in_list(debian_ids, s, n))
		return "debian";
	if ((n >= 8 && !memcmp(s, "opensuse", 8)) || facts_eq(s, n, "sles") ||
	    facts_eq(s, n, "sled") || facts_eq(s, n, "suse") || facts_eq(s, n, "sle-micro") ||
	    facts_eq(s, n, "sl-micro"))
		return "suse";
	if (facts_eq(s, n, "alpine"))
		return "alpine";
	return NULL;
}

static const char *family_of(const char *id, const char *id_like)
{
	const char *fam = id ? family_of_word(id, strlen(id)) : NULL;
	const char *p = id_like;

	while (!fam && p && *p) {
		size_t n;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n)
			fam = family_of_word(p, n);
		p += n;
	}
	return fam ? fam : "unknown";
}

/* Unquote an os-release value (shell-like: "..." with \ escapes, '...'). */
static char *unquote(const char *v, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	char *out;

	facts_trim(&v, &n);
	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		char q = v[0];
		for (size_t i = 1; i + 1 < n; i++) {
			if (q == '"' && v[i] == '\\' && i + 2 < n &&
			    strchr("\"\\$`", v[i + 1]))
				i++;
			strbuf_addch(&sb, v[i]);
		}
	} else {
		strbuf_add(&sb, v, n);
	}
	out = facts_strndup(sb.buf ? sb.buf : "", sb.len);
	strbuf_release(&sb);
	return out;
}

/* The value of KEY in a KEY=value file, or NULL. The last assignment wins. */
static char *kv_get(const struct gather_section *s, const char *key)
{
	const char *p = s->data, *end = s->data + s->len, *line, *k, *v;
	size_t ll, kn, vn;
	char *val = NULL;

	while (gather_next_line(&p, end, &line, &ll)) {
		facts_trim(&line, &ll);
		if (!ll || line[0] == '#' || !facts_split(line, ll, '=', &k, &kn, &v, &vn))
			continue;
		facts_trim(&k, &kn);
		if (facts_eq(k, kn, key)) {
			free(val);
			val = unquote(v, vn);
		}
	}
	if (val && !*val) {
		free(val);
		val = NULL;
	}
	return val;
}

static int has_key(const struct gather_section *s, const char *key)
{
	char *v = kv_get(s, key);
	int r = v != NULL;
	free(v);
	return r;
}

static int usable(const struct gather_section *s)
{
	if (!s || !s->len)
		return 0;
	for (size_t i = 0; i < s->len; i++)
		if (s->data[i] != ' ' && s->data[i] != '\n' && s->data[i] != '\r' && s->data[i] != '\t')
			return 1;
	return 0;
}

/* The first non-blank line of a section, trimmed, with /etc/issue escapes removed. */
static char *first_line(const struct gather_section *s)
{
	const char *p = s->data, *end = s->data + s->len, *line;
	size_t ll;

	while (gather_next_line(&p, end, &line, &ll)) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < ll; i++) {
			if (line[i] == '\\' && i + 1 < ll) {
				i++;
				continue;
			}
			strbuf_addch(&sb, line[i]);
		}
		const char *t = sb.buf ? sb.buf : "";
		size_t tn = sb.len;
		facts_trim(&t, &tn);
		if (tn) {
			char *r = facts_strndup(t, tn);
			strbuf_release(&sb);
			return r;
		}
		strbuf_release(&sb);
	}
	return NULL;
}

/* The first run of digits and dots in s (such as 7.9.2009), or NULL. */
static char *version_in(const char *s)
{
	const char *p = s;
	while (*p && !(*p >= '0' && *p <= '9'))
		p++;
	if (!*p)
		return NULL;
	size_t n = strspn(p, "0123456789.");
	while (n && p[n - 1] == '.')
		n--;
	return facts_strndup(p, n);
}

static char *lower_dup(const char *s)
{
	char *r = xstrdup(s);
	for (char *p = r; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return r;
}

static int contains_ci(const char *hay, const char *needle)
{
	char *h = lower_dup(hay);
	int r = strstr(h, needle) != NULL;
	free(h);
	return r;
}

/* An os-release ID guessed from a release line such as "Rocky Linux release 8.9". */
static const char *id_from_name(const char *name)
{
	static const struct { const char *needle, *id; } map[] = {
		{ "red hat", "rhel" }, { "centos", "centos" }, { "rocky", "rocky" },
		{ "almalinux", "almalinux" }, { "alibaba cloud linux", "alinux" },
		{ "aliyun linux", "alinux" }, { "anolis", "anolis" }, { "oracle", "ol" },
		{ "amazon linux", "amzn" }, { "fedora", "fedora" }, { "opensuse", "opensuse" },
		{ "suse linux enterprise server", "sles" }, { "suse linux enterprise desktop", "sled" },
		{ "ubuntu", "ubuntu" }, { "debian", "debian" }, { "raspbian", "raspbian" },
		{ "alpine", "alpine" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (contains_ci(name, map[i].needle))
			return map[i].id;
	return NULL;
}

static void set_id(struct facts_os *os, const char *id)
{
	free(os->id);
	os->id = id ? xstrdup(id) : NULL;
}

/* /etc/redhat-release, /etc/system-release, /etc/issue: one line naming the release. */
static void from_release_line(struct facts_os *os, const struct gather_section *s)
{
	char *line = first_line(s);
	if (!line)
		return;
	const char *rel = strstr(line, " release ");
	set_id(os, id_from_name(line));
	os->version_id = version_in(rel ? rel : line);
	if (rel) {
		const char *v = rel + strlen(" release ");
		os->version = facts_strndup(v, strlen(v));
	} else if (os->version_id) {
		os->version = xstrdup(os->version_id);
	}
	os->name = line;
}

static void from_suse_release(struct facts_os *os, const struct gather_section *s)
{
	char *version = kv_get(s, "VERSION"), *patch = kv_get(s, "PATCHLEVEL");
	char *line = first_line(s);

	set_id(os, line && contains_ci(line, "opensuse") ? "opensuse" :
		   line && contains_ci(line, "desktop") ? "sled" : "sles");
	if (version)
		os->version_id = patch && strcmp(patch, "0") ? xasprintf("%s.%s", version, patch) :
							       xstrdup(version);
	os->version = version ? xstrdup(os->version_id) : NULL;
	os->codename = kv_get(s, "CODENAME");
	os->name = line;
	free(version);
	free(patch);
}

static void from_lsb_release(struct facts_os *os, const struct gather_section *s)
{
	char *id = kv_get(s, "DISTRIB_ID");
	if (id) {
		char *l = lower_dup(id);
		set_id(os, l);
		free(l);
	}
	os->version_id = kv_get(s, "DISTRIB_RELEASE");
	os->version = os->version_id ? xstrdup(os->version_id) : NULL;
	os->codename = kv_get(s, "DISTRIB_CODENAME");
	os->name = kv_get(s, "DISTRIB_DESCRIPTION");
	free(id);
}

static void from_debian_version(struct facts_os *os, const struct gather_section *s)
{
	char *line = first_line(s);
	set_id(os, "debian");
	if (line && line[0] >= '0' && line[0] <= '9') {
		os->version = xstrdup(line);
		os->version_id = facts_strndup(line, strcspn(line, "."));
	} else if (line) {
		os->codename = facts_strndup(line, strcspn(line, "/"));
	}
	os->name = line ? xasprintf("Debian GNU/Linux %s", line) : NULL;
	free(line);
}

static void from_alpine_release(struct facts_os *os, const struct gather_section *s)
{
	char *line = first_line(s);
	set_id(os, "alpine");
	os->version_id = line;
	os->version = line ? xstrdup(line) : NULL;
	os->name = line ? xasprintf("Alpine Linux v%s", line) : NULL;
}

/* The release code name inside a VERSION such as "8 (jessie)" (Debian family). */
static char *codename_in(const char *version)
{
	const char *o = strchr(version, '('), *c = o ? strchr(o, ')') : NULL;
	if (!c || c - o < 2)
		return NULL;
	char *r = lower_dup(o + 1);
	r[c - o - 1] = '\0';
	if (strchr(r, ' ')) {
		/* "Jammy Jellyfish": the first word is the code name */
		*strchr(r, ' ') = '\0';
	}
	return r;
}

static void parse_release(struct facts *f, const struct gather *g)
{
	struct facts_os *os = &f->os;
	const struct gather_section *s = gather_find(g, "os-release");
	const struct gather_section *lsb = gather_find(g, "lsb-release");
	const struct gather_section *deb = gather_find(g, "debian-version");

	if (usable(s)) {
		facts_src_set(&os->src, s);
		os->id = kv_get(s, "ID");
		if (!os->id)
			os->id = xstrdup("linux");
		os->id_like = kv_get(s, "ID_LIKE");
		os->name = kv_get(s, "PRETTY_NAME");
		if (!os->name)
			os->name = kv_get(s, "NAME");
		os->version = kv_get(s, "VERSION");
		os->version_id = kv_get(s, "VERSION_ID");
		os->codename = kv_get(s, "VERSION_CODENAME");
		if (!os->codename)
			os->codename = kv_get(s, "UBUNTU_CODENAME");
	} else if (usable(s = gather_find(g, "redhat-release"))) {
		facts_src_set(&os->src, s);
		from_release_line(os, s);
	} else if (usable(s = gather_find(g, "suse-release"))) {
		facts_src_set(&os->src, s);
		from_suse_release(os, s);
	} else if (usable(lsb) && has_key(lsb, "DISTRIB_ID")) {
		s = lsb;
		facts_src_set(&os->src, s);
		from_lsb_release(os, s);
	} else if (usable(s = deb)) {
		facts_src_set(&os->src, s);
		from_debian_version(os, s);
	} else if (usable(s = gather_find(g, "alpine-release"))) {
		facts_src_set(&os->src, s);
		from_alpine_release(os, s);
	} else if (usable(s = gather_find(g, "issue"))) {
		facts_src_set(&os->src, s);
		from_release_line(os, s);
	} else {
		return;
	}
	os->family = xstrdup(family_of(os->id, os->id_like));
	if (!os->codename && lsb && usable(lsb))
		os->codename = kv_get(lsb, "DISTRIB_CODENAME");
	if (!os->codename && os->version && !strcmp(os->family, "debian"))
		os->codename = codename_in(os->version);
}

static void parse_uname(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "uname");
	char **fields[] = { &f->uname.sysname, &f->uname.release, &f->uname.machine,
			    &f->uname.version };
	const char *p, *end, *line;
	size_t ll, i = 0;

	facts_src_set(&f->uname.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		if (i >= ARRAY_SIZE(fields)) {
			f->uname.src.skipped++;
			continue;
		}
		facts_trim(&line, &ll);
		*fields[i++] = ll ? facts_strndup(line, ll) : NULL;
	}
}

static void parse_boot(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "boot");
	const char *p, *end, *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&f->boot.src, s);
	if (!s)
		return;
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		if (!facts_split(line, ll, '=', &k, &kn, &v, &vn)) {
			if (ll)
				f->boot.src.skipped++;
			continue;
		}
		facts_trim(&v, &vn);
		if (facts_eq(k, kn, "boot_id")) {
			if (vn && !f->boot.boot_id)
				f->boot.boot_id = facts_strndup(v, vn);
		} else if (facts_eq(k, kn, "uptime")) {
			const char *a, *b;
			size_t an, bn;
			if (facts_split(v, vn, '.', &a, &an, &b, &bn))
				f->boot.uptime = facts_num(a, an);
			else
				f->boot.uptime = facts_num(v, vn);
		} else {
			f->boot.src.skipped++;
		}
	}
}

/* Newest first; equal versions keep their order. */
static void sort_versions(const struct facts *f, struct facts_strs *l)
{
	for (size_t i = 1; i < l->n; i++) {
		char *x = l->v[i];
		size_t j = i;
		while (j > 0 && facts_vercmp_os(f, l->v[j - 1], x) < 0) {
			l->v[j] = l->v[j - 1];
			j--;
		}
		l->v[j] = x;
	}
}

#define MAX_KERNELS 1024
#define MAX_RELEASE 256

static void add_release(struct facts_strs *l, struct facts_index *ix, const char *r, size_t n,
			long long *skipped)
{
	if (!n || !(r[0] >= '0' && r[0] <= '9'))
		return;
	if (n > MAX_RELEASE || l->n >= MAX_KERNELS) {
		(*skipped)++;
		return;
	}
	char *s = facts_strndup(r, n);
	if (strstr(s, "rescue") || facts_index_get(ix, s, n) != FACTS_NONE) {
		free(s);
		return;
	}
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = s;
	facts_index_put(ix, s, l->n - 1);
}

/*
 * Kernel releases from /boot/vmlinu[xz]-RELEASE; /lib/modules/RELEASE only
 * when /boot names none (containers, Alpine's /boot/vmlinuz-virt), as
 * modules directories outlive removed kernels.
 */
static void parse_kernels(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "kernels");
	struct facts_strs boot = { NULL, 0, 0 }, mods = { NULL, 0, 0 };
	struct facts_index bix, mix;
	const char *p, *end, *line;
	size_t ll;
	long long *skipped = &f->kernels.src.skipped;

	facts_src_set(&f->kernels.src, s);
	if (!s)
		return;
	facts_index_init(&bix);
	facts_index_init(&mix);
	p = s->data;
	end = s->data + s->len;
	while (gather_next_line(&p, end, &line, &ll)) {
		const char *base = line;
		size_t bn = ll;
		for (size_t i = 0; i < ll; i++) {
			if (line[i] == '/') {
				base = line + i + 1;
				bn = ll - i - 1;
			}
		}
		if (bn > 8 && (!memcmp(base, "vmlinuz-", 8) || !memcmp(base, "vmlinux-", 8))) {
			/* SUSE also installs a compressed /boot/vmlinux-RELEASE.gz */
			static const char *const sfx[] = { ".gz", ".xz", ".zst", ".bz2" };
			for (size_t k = 0; k < ARRAY_SIZE(sfx); k++) {
				size_t sl = strlen(sfx[k]);
				if (bn > 8 + sl && !memcmp(base + bn - sl, sfx[k], sl)) {
					bn -= sl;
					break;
				}
			}
			add_release(&boot, &bix, base + 8, bn - 8, skipped);
		}
		else if (ll > 12 && !memcmp(line, "/lib/modules/", 13))
			add_release(&mods, &mix, base, bn, skipped);
		else if (ll > 16 && !memcmp(line, "/usr/lib/modules/", 17))
			add_release(&mods, &mix, base, bn, skipped);
		else if (ll)
			f->kernels.src.skipped++;
	}
	facts_index_release(&bix);
	facts_index_release(&mix);
	if (boot.n) {
		f->kernels.installed = boot;
		facts_strs_release(&mods);
	} else {
		f->kernels.installed = mods;
		facts_strs_release(&boot);
	}
	sort_versions(f, &f->kernels.installed);
	if (f->kernels.installed.n)
		f->kernels.newest = xstrdup(f->kernels.installed.v[0]);
}

void facts_parse_os(struct facts *f, const struct gather *g)
{
	parse_release(f, g);
	parse_uname(f, g);
	parse_boot(f, g);
	parse_kernels(f, g);
}
