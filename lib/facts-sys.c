/*
 * The running system: processes, services, listening sockets, accounts,
 * cron, ld.so.preload, sshd, authorized keys, histories, host keys,
 * machine-id, cloud-init, package sources, third-party programs and the
 * first-login reset of web applications.
 */
#include "facts.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

static int has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t pl = strlen(prefix);
	return n >= pl && !memcmp(s, prefix, pl);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), sl = strlen(suffix);
	return n >= sl && !memcmp(s + n - sl, suffix, sl);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *dup_or_null(const char *s, size_t n)
{
	return n ? facts_strndup(s, n) : NULL;
}

/* Iterate over the lines of a byte range. */
#define EACH_LINE(data, len, line, ll)                                                   \
	for (const char *p_ = (data), *end_ = (data) + (len);                            \
	     gather_next_line(&p_, end_, &(line), &(ll));)

/* ---- processes ---- */

static void parse_processes(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "processes");
	struct facts_processes *ps = &f->processes;
	const char *line, *c[3];
	size_t ll, cl[3];

	facts_src_set(&ps->src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll) {
		long long pid, uid;
		if (facts_cut(line, ll, '\t', c, cl, 3) < 3 || (pid = facts_num(c[0], cl[0])) < 0 ||
		    (uid = facts_num(c[1], cl[1])) < 0) {
			if (ll)
				ps->src.skipped++;
			continue;
		}
		/* comm and exe: exe after the last tab */
		const char *rest = c[2], *tab = NULL;
		size_t rn = cl[2];
		for (size_t i = 0; i < rn; i++)
			if (rest[i] == '\t')
				tab = rest + i;
		const char *comm = rest, *exe = tab ? tab + 1 : rest + rn;
		size_t commn = tab ? (size_t)(tab - rest) : rn, exen = (size_t)(rest + rn - exe);
		int deleted = 0;
		static const char del[] = " (deleted)";
		if (exen >= sizeof(del) - 1 && !memcmp(exe + exen - (sizeof(del) - 1), del, sizeof(del) - 1)) {
			deleted = 1;
			exen -= sizeof(del) - 1;
		}
		if (!FACTS_GROW(ps->list)) {
			ps->src.skipped++;
			continue;
		}
		ps->list.v[ps->list.n++] = (struct facts_process){
			pid, uid, NULL, facts_strndup(comm, commn), dup_or_null(exe, exen), deleted,
			has_prefix(exe, exen, "/tmp/") || has_prefix(exe, exen, "/var/tmp/") ||
				has_prefix(exe, exen, "/dev/shm/"),
		};
	}
}

/* ---- services ---- */

/* The service called name[0..n), added when new; NULL when the list is full. */
static struct facts_service *service(struct facts *f, struct facts_index *ix, const char *name,
				     size_t n)
{
	struct facts_services *ss = &f->services;
	size_t i = facts_index_get(ix, name, n);
	if (i != FACTS_NONE)
		return &ss->list.v[i];
	if (!FACTS_GROW(ss->list)) {
		ss->src.skipped++;
		return NULL;
	}
	struct facts_service *sv = &ss->list.v[ss->list.n++];
	*sv = (struct facts_service){ facts_strndup(name, n), NULL, NULL, 0 };
	facts_index_put(ix, sv->name, ss->list.n - 1);
	return sv;
}

/* The runlevel of /etc/rcN.d or /etc/rc.d/rcN.d, or 0. */
static char runlevel_of(const char *path)
{
	size_t n = strlen(path);
	if (n < 6 || strcmp(path + n - 2, ".d") || !is_digit(path[n - 3]) || path[n - 4] != 'c' ||
	    path[n - 5] != 'r' || path[n - 6] != '/')
		return 0;
	return path[n - 3];
}

static void add_runlevel(struct facts_service *sv, char level)
{
	struct strbuf sb = STRBUF_INIT;
	const char *old = sv->sysv_runlevels ? sv->sysv_runlevels : "";
	int put = 0;
	if (strchr(old, level))
		return;
	/* keep the digits sorted */
	for (const char *p = old; *p; p++) {
		if (!put && level < *p) {
			strbuf_addch(&sb, level);
			put = 1;
		}
		strbuf_addch(&sb, *p);
	}
	if (!put)
		strbuf_addch(&sb, level);
	free(sv->sysv_runlevels);
	sv->sysv_runlevels = strbuf_detach(&sb);
}

static void parse_services(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "services");
	struct facts_services *ss = &f->services;
	struct gather_files it;
	struct gather_file file;
	const char *line, *w[3];
	size_t ll, wl[3];
	int sysv = 0, units = 0, presets = 0;
	struct facts_index ix;

	facts_src_set(&ss->src, s);
	if (!s)
		return;
	facts_index_init(&ix);
	gather_files_init(&it, g, s);
	EACH_LINE(it.head, it.head_len, line, ll) {
		size_t n = facts_words(line, ll, w, wl, 3);
		if (!n)
			continue;
		if (n < 2 || wl[0] <= 8 || memcmp(w[0] + wl[0] - 8, ".service", 8)) {
			ss->src.skipped++;
			continue;
		}
		if (n >= 3)
			presets = 1;
		struct facts_service *sv = service(f, &ix, w[0], wl[0] - 8);
		if (!sv)
			continue;
		free(sv->systemd_state);
		sv->systemd_state = facts_strndup(w[1], wl[1]);
		units++;
	}
	while (gather_files_next(&it, &file)) {
		char level = runlevel_of(file.path);
		int initd = !strcmp(file.path, "/etc/init.d") || !strcmp(file.path, "/etc/rc.d/init.d");
		if (!level && !initd)
			continue;
		EACH_LINE(file.data, file.len, line, ll) {
			if (!ll)
				continue;
			if (initd) {
				if (facts_eq(line, ll, "README") || facts_eq(line, ll, "functions") ||
				    facts_eq(line, ll, "skeleton") || line[0] == '.')
					continue;
				struct facts_service *sv = service(f, &ix, line, ll);
				if (!sv)
					continue;
				if (!sv->sysv_runlevels)
					sv->sysv_runlevels = xstrdup("");
				sysv = 1;
				continue;
			}
			if (line[0] != 'S' && line[0] != 'K')
				continue;
			size_t i = 1;
			while (i < ll && is_digit(line[i]))
				i++;
			if (i == ll)
				continue;
			struct facts_service *sv = service(f, &ix, line + i, ll - i);
			if (!sv)
				continue;
			if (!sv->sysv_runlevels)
				sv->sysv_runlevels = xstrdup("");
			if (line[0] == 'S' && level >= '2' && level <= '5')
				add_runlevel(sv, level);
			sysv = 1;
		}
	}
	gather_files_release(&it);
	facts_index_release(&ix);

	for (size_t i = 0; i < ss->list.n; i++) {
		struct facts_service *sv = &ss->list.v[i];
		const char *st = sv->systemd_state;
		int links = sv->sysv_runlevels && *sv->sysv_runlevels;
		if (!st || !strcmp(st, "generated") || !strcmp(st, "transient"))
			sv->enabled = links;
		else if (!strcmp(st, "enabled") || !strcmp(st, "enabled-runtime"))
			sv->enabled = 1;
		else if (!strncmp(st, "masked", 6))
			sv->enabled = 0;
		else
			/*
			 * A native unit that is not enabled wins over SysV links,
			 * except with an old systemd (no preset column, before
			 * the "generated" state), which lists the services of SysV
			 * scripts as plain units.
			 */
			sv->enabled = !presets && links;
	}

	/* the init system: PID 1 when known, else what the section shows */
	for (size_t i = 0; i < f->processes.list.n; i++) {
		const struct facts_process *pr = &f->processes.list.v[i];
		if (pr->pid == 1 && pr->comm &&
		    (!strcmp(pr->comm, "systemd") || !strcmp(pr->comm, "init"))) {
			ss->init = xstrdup(pr->comm[0] == 's' ? "systemd" : "sysvinit");
			return;
		}
	}
	if (units && s->status == 0)
		ss->init = xstrdup("systemd");
	else if (sysv)
		ss->init = xstrdup("sysvinit");
}

/* ---- listening ---- */

static void add_socket(struct facts *f, const char *proto, size_t pn, const char *addr,
		       size_t an, const char *proc, size_t prn, long long pid)
{
	struct facts_listening *ls = &f->listening;
	const char *colon = NULL;
	long long port;

	for (size_t i = 0; i < an; i++)
		if (addr[i] == ':')
			colon = addr + i;
	if (!colon || (port = facts_num(colon + 1, (size_t)(addr + an - colon - 1))) < 0) {
		ls->src.skipped++;
		return;
	}
	an = (size_t)(colon - addr);
	if (an >= 2 && addr[0] == '[' && addr[an - 1] == ']') {
		addr++;
		an -= 2;
	}
	/* tcp6 and udp6 are tcp and udp with an IPv6 address */
	if (pn == 4 && proto[3] == '6')
		pn = 3;
	if (!FACTS_GROW(ls->list)) {
		ls->src.skipped++;
		return;
	}
	ls->list.v[ls->list.n++] = (struct facts_socket){
		facts_strndup(proto, pn), facts_strndup(addr, an), port, dup_or_null(proc, prn), pid,
	};
}

/* ss: 'users:(("sshd",pid=123,fd=3),...)': the first process. */
static void ss_users(const char *s, size_t n, const char **name, size_t *nn, long long *pid)
{
	const char *q1 = memchr(s, '"', n), *q2, *pp;
	*name = NULL;
	*nn = 0;
	*pid = -1;
	if (!q1)
		return;
	q2 = memchr(q1 + 1, '"', (size_t)(s + n - q1 - 1));
	if (!q2)
		return;
	*name = q1 + 1;
	*nn = (size_t)(q2 - q1 - 1);
	pp = q2;
	while (pp + 4 < s + n && memcmp(pp, "pid=", 4))
		pp++;
	if (pp + 4 < s + n) {
		size_t d = 0;
		pp += 4;
		while (pp + d < s + n && is_digit(pp[d]))
			d++;
		*pid = facts_num(pp, d);
	}
}

static int is_proto(const char *s, size_t n)
{
	return facts_eq(s, n, "tcp") || facts_eq(s, n, "udp") || facts_eq(s, n, "tcp6") ||
	       facts_eq(s, n, "udp6");
}

static void parse_ss_netstat(struct facts *f, const char *data, size_t len)
{
	const char *line, *w[8];
	size_t ll, wl[8];

	EACH_LINE(data, len, line, ll) {
		size_t n = facts_words(line, ll, w, wl, 8);
		if (!n || !is_proto(w[0], wl[0]))
			continue;
		if (n >= 5 && !is_digit(w[1][0])) {
			/* ss: netid state recv-q send-q local peer [process] */
			const char *name = NULL;
			size_t nn = 0;
			long long pid = -1;
			if (n >= 7) {
				const char *ps = w[6];
				ss_users(ps, (size_t)(line + ll - ps), &name, &nn, &pid);
			}
			f->listening.tool = f->listening.tool ? f->listening.tool : xstrdup("ss");
			add_socket(f, w[0], wl[0], w[4], wl[4], name, nn, pid);
		} else if (n >= 5) {
			/* netstat: proto recv-q send-q local foreign [state] pid/program */
			size_t pi = n >= 7 && facts_eq(w[5], wl[5], "LISTEN") ? 6 : 5;
			const char *name = NULL, *slash;
			size_t nn = 0;
			long long pid = -1;
			if (pi < n && (slash = memchr(w[pi], '/', wl[pi]))) {
				pid = facts_num(w[pi], (size_t)(slash - w[pi]));
				name = slash + 1;
				nn = (size_t)(line + ll - name);
				facts_trim(&name, &nn);
			}
			f->listening.tool = f->listening.tool ? f->listening.tool : xstrdup("netstat");
			add_socket(f, w[0], wl[0], w[3], wl[3], name, nn, pid);
		} else {
			f->listening.src.skipped++;
		}
	}
}

static int hexval(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* /proc/net address "0100007F:0035" (little-endian words) as "127.0.0.1:53". */
static int proc_addr(const char *s, size_t n, struct strbuf *out)
{
	const char *colon = memchr(s, ':', n);
	unsigned char b[16];
	char text[64];
	size_t hl;
	long port = 0;

	if (!colon)
		return -1;
	hl = (size_t)(colon - s);
	if ((hl != 8 && hl != 32) || n - hl - 1 != 4)
		return -1;
	for (size_t i = 0; i < hl / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		/* each 32-bit word is printed in host (little-endian) order */
		size_t word = i / 4, byte = 3 - i % 4;
		b[word * 4 + byte] = (unsigned char)(hi * 16 + lo);
	}
	for (size_t i = 0; i < 4; i++) {
		int v = hexval(colon[1 + i]);
		if (v < 0)
			return -1;
		port = port * 16 + v;
	}
	if (!inet_ntop(hl == 8 ? AF_INET : AF_INET6, b, text, sizeof(text)))
		return -1;
	strbuf_addf(out, "%s:%ld", text, port);
	return 0;
}

static void parse_proc_net(struct facts *f, const struct gather *g, const struct gather_section *s)
{
	struct gather_files it;
	struct gather_file file;
	const char *line, *w[4];
	size_t ll, wl[4];
	struct strbuf addr = STRBUF_INIT;

	gather_files_init(&it, g, s);
	while (gather_files_next(&it, &file)) {
		const char *base = strrchr(file.path, '/');
		base = base ? base + 1 : file.path;
		if (!is_proto(base, strlen(base)))
			continue;
		int udp = base[0] == 'u';
		f->listening.tool = f->listening.tool ? f->listening.tool : xstrdup("proc");
		EACH_LINE(file.data, file.len, line, ll) {
			size_t n = facts_words(line, ll, w, wl, 4);
			if (n < 4 || !wl[0] || w[0][wl[0] - 1] != ':')
				continue;
			if (udp ? !facts_eq(w[3], wl[3], "07") : !facts_eq(w[3], wl[3], "0A"))
				continue;
			strbuf_reset(&addr);
			if (proc_addr(w[1], wl[1], &addr) < 0) {
				f->listening.src.skipped++;
				continue;
			}
			add_socket(f, base, strlen(base), addr.buf, addr.len, NULL, 0, -1);
		}
	}
	gather_files_release(&it);
	strbuf_release(&addr);
}

static void parse_listening(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "listening");
	struct gather_files it;

	facts_src_set(&f->listening.src, s);
	if (!s)
		return;
	gather_files_init(&it, g, s);
	parse_ss_netstat(f, it.head, it.head_len);
	gather_files_release(&it);
	parse_proc_net(f, g, s);
}

/* ---- accounts ---- */

static void parse_passwd(struct facts *f, const char *data, size_t len)
{
	struct facts_accounts *as = &f->accounts;
	const char *line, *c[7];
	size_t ll, cl[7];

	EACH_LINE(data, len, line, ll) {
		long long uid, gid;
		if (!ll || line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		if (facts_cut(line, ll, ':', c, cl, 7) < 7 || !cl[0] ||
		    (uid = facts_num(c[2], cl[2])) < 0 || (gid = facts_num(c[3], cl[3])) < 0) {
			as->src.skipped++;
			continue;
		}
		const char *pw = !cl[1] ? "empty" :
				 facts_eq(c[1], cl[1], "x") ? "unknown" :
				 (c[1][0] == '!' || c[1][0] == '*') ? "locked" : "set";
		if (!FACTS_GROW(as->list)) {
			as->src.skipped++;
			continue;
		}
		as->list.v[as->list.n++] = (struct facts_account){
			facts_strndup(c[0], cl[0]), uid, gid, facts_strndup(c[5], cl[5]),
			facts_strndup(c[6], cl[6]), xstrdup(pw), -1, -1, -1,
		};
	}
}

static void parse_shadow(struct facts *f, const char *data, size_t len)
{
	struct facts_accounts *as = &f->accounts;
	const char *line, *c[5];
	size_t ll, cl[5];

	struct facts_index ix;

	as->shadow = 1;
	facts_index_init(&ix);
	for (size_t i = 0; i < as->list.n; i++)
		facts_index_put(&ix, as->list.v[i].name, i);
	EACH_LINE(data, len, line, ll) {
		if (!ll)
			continue;
		if (facts_cut(line, ll, '\t', c, cl, 5) < 5 ||
		    !(facts_eq(c[1], cl[1], "locked") || facts_eq(c[1], cl[1], "empty") ||
		      facts_eq(c[1], cl[1], "set"))) {
			as->src.skipped++;
			continue;
		}
		/* the first account of that name, as login looks it up */
		size_t i = facts_index_get(&ix, c[0], cl[0]);
		if (i == FACTS_NONE)
			continue;
		struct facts_account *a = &as->list.v[i];
		/* a password in /etc/passwd itself (not "x") wins */
		if (!strcmp(a->password, "unknown")) {
			free(a->password);
			a->password = facts_strndup(c[1], cl[1]);
		}
		a->lastchg = facts_num(c[2], cl[2]);
		a->max = facts_num(c[3], cl[3]);
		a->expire = facts_num(c[4], cl[4]);
	}
	facts_index_release(&ix);
}

static void parse_accounts(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "accounts");
	struct gather_files it;
	struct gather_file file;

	facts_src_set(&f->accounts.src, s);
	if (!s)
		return;
	gather_files_init(&it, g, s);
	while (gather_files_next(&it, &file))
		if (!strcmp(file.path, "/etc/passwd"))
			parse_passwd(f, file.data, file.len);
	gather_files_release(&it);
	gather_files_init(&it, g, s);
	while (gather_files_next(&it, &file))
		if (!strcmp(file.path, "/etc/shadow"))
			parse_shadow(f, file.data, file.len);
	gather_files_release(&it);
}

/* ---- files of lines: cron, sources ---- */

static struct facts_file_lines *add_file(struct facts_file_lines **v, size_t *n, size_t *alloc,
					 const char *path, int listing)
{
	if (*n >= FACTS_MAX_ITEMS)
		return NULL;
	ALLOC_GROW(*v, *n + 1, *alloc);
	struct facts_file_lines *fl = &(*v)[(*n)++];
	*fl = (struct facts_file_lines){ facts_strndup(path, strlen(path)), listing, { NULL, 0, 0 } };
	return fl;
}

static int is_comment_or_blank(const char *line, size_t ll)
{
	facts_trim(&line, &ll);
	return !ll || line[0] == '#';
}

/* A cron environment line: NAME=value. */
static int is_env_line(const char *line, size_t ll)
{
	size_t i = 0;
	facts_trim(&line, &ll);
	while (i < ll && (line[i] == '_' || is_digit(line[i]) || (line[i] >= 'A' && line[i] <= 'Z') ||
			  (line[i] >= 'a' && line[i] <= 'z')))
		i++;
	if (!i || is_digit(line[0]))
		return 0;
	while (i < ll && (line[i] == ' ' || line[i] == '\t'))
		i++;
	return i < ll && line[i] == '=';
}

static void parse_cron(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "cron");
	struct facts_cron *cr = &f->cron;
	struct gather_files it;
	struct gather_file file;
	const char *line;
	size_t ll, stored = 0;

	facts_src_set(&cr->src, s);
	if (!s)
		return;
	gather_files_init(&it, g, s);
	while (gather_files_next(&it, &file)) {
		int listing = !strcmp(file.path, "/etc/cron.hourly") || !strcmp(file.path, "/etc/cron.daily") ||
			      !strcmp(file.path, "/etc/cron.weekly") ||
			      !strcmp(file.path, "/etc/cron.monthly");
		struct facts_file_lines *fl = add_file(&cr->files.v, &cr->files.n, &cr->files.alloc,
						       file.path, listing);
		if (!fl) {
			cr->src.skipped++;
			continue;
		}
		EACH_LINE(file.data, file.len, line, ll) {
			if (stored >= FACTS_MAX_ITEMS) {
				cr->src.skipped++;
				continue;
			}
			stored++;
			facts_strs_push(&fl->lines, line, ll);
			if (listing ? (!ll || line[0] == '.') :
				      (is_comment_or_blank(line, ll) || is_env_line(line, ll)))
				continue;
			if (!FACTS_GROW(cr->entries))
				continue;
			const char *t = line;
			size_t tn = ll;
			facts_trim(&t, &tn);
			cr->entries.v[cr->entries.n++] = (struct facts_cron_entry){
				xstrdup(fl->path), facts_strndup(t, tn),
			};
		}
	}
	gather_files_release(&it);
}

/* ---- ld.so.preload ---- */

static void parse_preload(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "ld-so-preload");
	struct facts_preload *pl = &f->ld_so_preload;
	const char *line;
	size_t ll;

	facts_src_set(&pl->src, s);
	if (!s)
		return;
	pl->present = s->status == 0;
	EACH_LINE(s->data, s->len, line, ll) {
		size_t i = 0;
		while (i < ll && line[i] != '#') {
			while (i < ll && (line[i] == ' ' || line[i] == '\t' || line[i] == ':'))
				i++;
			size_t start = i;
			while (i < ll && line[i] != ' ' && line[i] != '\t' && line[i] != ':' && line[i] != '#')
				i++;
			if (i > start)
				facts_strs_push(&pl->entries, line + start, i - start);
		}
	}
}

/* ---- sshd ---- */

struct sshd_ctx {
	struct facts *f;
	const struct gather *g;
	const struct gather_section *s;
	struct facts_index keys; /* option -> position */
	size_t values;           /* values stored, all options together */
	size_t includes;         /* included files read */
};

#define MAX_SSHD_INCLUDES 256

static void sshd_add(struct sshd_ctx *cx, const char *key, size_t kn, const char *val, size_t vn)
{
	struct facts_sshd *sd = &cx->f->sshd;
	size_t i;

	if (cx->values >= FACTS_MAX_ITEMS) {
		sd->src.skipped++;
		return;
	}
	char *k = facts_strndup(key, kn);
	for (char *q = k; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	i = facts_index_get(&cx->keys, k, kn);
	if (i == FACTS_NONE) {
		if (!FACTS_GROW(sd->options)) {
			free(k);
			sd->src.skipped++;
			return;
		}
		i = sd->options.n++;
		sd->options.v[i] = (struct facts_sshd_option){ k, { NULL, 0, 0 } };
		facts_index_put(&cx->keys, k, i);
	} else {
		free(k);
	}
	if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
		val++;
		vn -= 2;
	}
	facts_strs_push(&sd->options.v[i].values, val, vn);
	cx->values++;
}

/* "key value" or "key=value": 0 and the parts, -1 for a blank or comment line. */
static int sshd_line(const char *line, size_t ll, const char **k, size_t *kn, const char **v,
		     size_t *vn)
{
	size_t i = 0;
	facts_trim(&line, &ll);
	if (!ll || line[0] == '#')
		return -1;
	while (i < ll && line[i] != ' ' && line[i] != '\t' && line[i] != '=')
		i++;
	*k = line;
	*kn = i;
	while (i < ll && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < ll && line[i] == '=')
		i++;
	*v = line + i;
	*vn = ll - i;
	facts_trim(v, vn);
	return *kn ? 0 : -1;
}

static void sshd_config(struct sshd_ctx *cx, const char *data, size_t len, int depth);

/* Include PATTERN...: the section's files that match, in order. */
static void sshd_include(struct sshd_ctx *cx, const char *pats, size_t pn, int depth)
{
	const char *w[16];
	size_t wl[16], n = facts_words(pats, pn, w, wl, 16);
	struct gather_files it;
	struct gather_file file;

	for (size_t i = 0; i < n; i++) {
		char *pat = w[i][0] == '/' ? facts_strndup(w[i], wl[i]) :
					     xasprintf("/etc/ssh/%.*s", (int)wl[i], w[i]);
		gather_files_init(&it, cx->g, cx->s);
		while (cx->includes < MAX_SSHD_INCLUDES && gather_files_next(&it, &file)) {
			if (fnmatch(pat, file.path, FNM_PATHNAME))
				continue;
			cx->includes++;
			/* the file's bytes stay valid: they point into the transcript */
			sshd_config(cx, file.data, file.len, depth + 1);
		}
		gather_files_release(&it);
		free(pat);
	}
}

static void sshd_config(struct sshd_ctx *cx, const char *data, size_t len, int depth)
{
	const char *line, *k, *v;
	size_t ll, kn, vn;

	if (depth > 4)
		return;
	EACH_LINE(data, len, line, ll) {
		if (sshd_line(line, ll, &k, &kn, &v, &vn) < 0)
			continue;
		if (kn == 5 && !strncmp(k, "Match", 5))
			break; /* conditional blocks end the global settings */
		if (kn == 7 && !strncmp(k, "Include", 7)) {
			sshd_include(cx, v, vn, depth);
			continue;
		}
		sshd_add(cx, k, kn, v, vn);
	}
}

static void parse_sshd(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "sshd");
	struct facts_sshd *sd = &f->sshd;
	struct sshd_ctx cx = { f, g, s, { NULL, NULL, 0, 0 }, 0, 0 };
	const char *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&sd->src, s);
	if (!s)
		return;
	sd->effective = s->status == 0;
	if (sd->effective) {
		EACH_LINE(s->data, s->len, line, ll) {
			if (sshd_line(line, ll, &k, &kn, &v, &vn) < 0) {
				if (ll)
					sd->src.skipped++;
				continue;
			}
			sshd_add(&cx, k, kn, v, vn);
		}
	} else {
		struct gather_files it;
		gather_files_init(&it, g, s);
		sshd_config(&cx, it.head, it.head_len, 0);
		gather_files_release(&it);
	}
	facts_index_release(&cx.keys);
}

/* ---- authorized keys, histories, host keys ---- */

static void parse_keys(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "authorized-keys");
	struct facts_keys *ks = &f->authorized_keys;
	const char *line, *c[5];
	size_t ll, cl[5];

	facts_src_set(&ks->src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll) {
		if (!ll)
			continue;
		if (facts_cut(line, ll, '\t', c, cl, 5) < 5 || !cl[0]) {
			ks->src.skipped++;
			continue;
		}
		if (!FACTS_GROW(ks->list)) {
			ks->src.skipped++;
			continue;
		}
		struct facts_keyfile *kf = &ks->list.v[ks->list.n++];
		*kf = (struct facts_keyfile){
			facts_strndup(c[0], cl[0]), facts_num(c[1], cl[1]), dup_or_null(c[2], cl[2]),
			facts_num(c[3], cl[3]), { NULL, 0, 0 },
		};
		const char *t[32];
		size_t tl[32], n = facts_cut(c[4], cl[4], ',', t, tl, 32);
		for (size_t i = 0; i < n; i++)
			if (tl[i])
				facts_strs_push(&kf->types, t[i], tl[i]);
	}
}

static void parse_histories(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "histories");
	struct facts_histories *hs = &f->histories;
	const char *line, *a, *b;
	size_t ll, an, bn;

	facts_src_set(&hs->src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll) {
		if (!ll)
			continue;
		if (!facts_split(line, ll, '\t', &a, &an, &b, &bn) || !an) {
			hs->src.skipped++;
			continue;
		}
		if (!FACTS_GROW(hs->list)) {
			hs->src.skipped++;
			continue;
		}
		hs->list.v[hs->list.n++] = (struct facts_history){ facts_strndup(a, an), facts_num(b, bn) };
	}
}

static void parse_host_keys(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "host-keys");
	const char *line;
	size_t ll;

	facts_src_set(&f->host_keys.src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll)
		if (ll)
			facts_strs_push(&f->host_keys.paths, line, ll);
}

/* ---- machine-id, cloud-init ---- */

static void machine_id_value(const char *v, size_t vn, char **val, char **state)
{
	free(*val);
	free(*state);
	*val = NULL;
	if (facts_eq(v, vn, "ABSENT")) {
		*state = xstrdup("absent");
	} else if (facts_eq(v, vn, "EMPTY") || !vn) {
		*val = xstrdup("");
		*state = xstrdup("empty");
	} else {
		*val = facts_strndup(v, vn);
		*state = xstrdup(facts_eq(v, vn, "uninitialized") ? "uninitialized" : "set");
	}
}

static void parse_machine_id(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "machine-id");
	struct facts_machine_id *m = &f->machine_id;
	const char *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&m->src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll) {
		if (!facts_split(line, ll, '=', &k, &kn, &v, &vn)) {
			if (ll)
				m->src.skipped++;
			continue;
		}
		facts_trim(&v, &vn);
		if (facts_eq(k, kn, "etc"))
			machine_id_value(v, vn, &m->etc, &m->etc_state);
		else if (facts_eq(k, kn, "dbus"))
			machine_id_value(v, vn, &m->dbus, &m->dbus_state);
		else
			m->src.skipped++;
	}
}

static void parse_cloud_init(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "cloud-init");
	struct facts_cloud_init *ci = &f->cloud_init;
	const char *line, *k, *v;
	size_t ll, kn, vn;

	facts_src_set(&ci->src, s);
	if (!s)
		return;
	ci->present = s->status >= 0 && s->status != 127;
	EACH_LINE(s->data, s->len, line, ll) {
		if (facts_split(line, ll, '=', &k, &kn, &v, &vn)) {
			if (facts_eq(k, kn, "boot_finished")) {
				ci->boot_finished = facts_eq(v, vn, "yes") ? 1 : facts_eq(v, vn, "no") ? 0 : -1;
				continue;
			}
			if (facts_eq(k, kn, "instances")) {
				ci->instances = facts_num(v, vn);
				continue;
			}
		}
		if (facts_split(line, ll, ':', &k, &kn, &v, &vn) && facts_eq(k, kn, "status") &&
		    !ci->status) {
			facts_trim(&v, &vn);
			ci->status = dup_or_null(v, vn);
		}
	}
}

/* ---- package sources ---- */

static void apt_line(struct facts *f, const char *path, const char *line, size_t ll)
{
	const char *w[32];
	size_t wl[32], n, i = 1;
	struct strbuf comps = STRBUF_INIT;

	facts_trim(&line, &ll);
	n = facts_words(line, ll, w, wl, 32);
	if (n < 2 || !(facts_eq(w[0], wl[0], "deb") || facts_eq(w[0], wl[0], "deb-src"))) {
		f->sources.src.skipped++;
		return;
	}
	if (w[1][0] == '[') {
		/* options up to the word that ends with ']' */
		while (i < n && w[i][wl[i] - 1] != ']')
			i++;
		i++;
	}
	if (i + 1 >= n) {
		f->sources.src.skipped++;
		return;
	}
	for (size_t k = i + 2; k < n; k++) {
		if (comps.len)
			strbuf_addch(&comps, ' ');
		strbuf_add(&comps, w[k], wl[k]);
	}
	if (!FACTS_GROW(f->sources.repos)) {
		f->sources.src.skipped++;
		strbuf_release(&comps);
		return;
	}
	f->sources.repos.v[f->sources.repos.n++] = (struct facts_repo){
		xstrdup(path), xstrdup("apt"), NULL, facts_strndup(w[0], wl[0]),
		facts_strndup(w[i], wl[i]), NULL, facts_strndup(w[i + 1], wl[i + 1]),
		comps.len ? facts_strndup(comps.buf, comps.len) : NULL, 1,
	};
	strbuf_release(&comps);
}

/* A repository being read from a deb822 stanza or an ini section. */
struct repo_acc {
	int open;
	struct facts_repo r;
};

static void repo_flush(struct facts *f, struct repo_acc *acc)
{
	if (!acc->open)
		return;
	if ((acc->r.uris || acc->r.mirrorlist || acc->r.id) && FACTS_GROW(f->sources.repos)) {
		f->sources.repos.v[f->sources.repos.n++] = acc->r;
	} else {
		free(acc->r.file);
		free(acc->r.kind);
		free(acc->r.id);
		free(acc->r.types);
		free(acc->r.uris);
		free(acc->r.mirrorlist);
		free(acc->r.suites);
		free(acc->r.components);
	}
	acc->open = 0;
}

static void repo_open(struct repo_acc *acc, const char *path, const char *kind, const char *id,
		      size_t idn)
{
	acc->open = 1;
	acc->r = (struct facts_repo){ xstrdup(path), xstrdup(kind), id ? facts_strndup(id, idn) : NULL,
				      NULL, NULL, NULL, NULL, NULL, 1 };
}

/* Append the words of v to *dst (space separated); 1 once *dst is full. */
static int set_words(char **dst, const char *v, size_t vn)
{
	const char *w[64];
	size_t wl[64], n = facts_words(v, vn, w, wl, 64);
	struct strbuf sb = STRBUF_INIT;
	if (*dst)
		strbuf_addstr(&sb, *dst);
	for (size_t i = 0; i < n && sb.len < FACTS_MAX_JOINED; i++) {
		char *word = facts_strndup(w[i], wl[i]); /* same length, valid UTF-8 */
		if (sb.len)
			strbuf_addch(&sb, ' ');
		strbuf_add(&sb, word, wl[i]);
		free(word);
	}
	free(*dst);
	*dst = sb.len ? strbuf_detach(&sb) : NULL;
	strbuf_release(&sb);
	return *dst && strlen(*dst) >= FACTS_MAX_JOINED;
}

static int is_false(const char *v, size_t vn)
{
	return facts_eq(v, vn, "0") || facts_eq(v, vn, "no") || facts_eq(v, vn, "false") ||
	       facts_eq(v, vn, "No") || facts_eq(v, vn, "False") || facts_eq(v, vn, "off");
}

static int key_is(const char *k, size_t kn, const char *want)
{
	if (strlen(want) != kn)
		return 0;
	for (size_t i = 0; i < kn; i++) {
		char c = k[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != want[i])
			return 0;
	}
	return 1;
}

static void deb822(struct facts *f, const char *path, const char *data, size_t len)
{
	struct repo_acc acc = { 0 };
	const char *line, *k, *v;
	size_t ll, kn, vn;
	char **last = NULL;

	EACH_LINE(data, len, line, ll) {
		const char *t = line;
		size_t tn = ll;
		facts_trim(&t, &tn);
		if (!tn) {
			repo_flush(f, &acc);
			last = NULL;
			continue;
		}
		if (line[0] == '#')
			continue;
		if (line[0] == ' ' || line[0] == '\t') {
			/* a continuation: only lists of words continue usefully */
			if (last && set_words(last, line, ll))
				last = NULL; /* full: later lines are dropped */
			continue;
		}
		if (!facts_split(line, ll, ':', &k, &kn, &v, &vn)) {
			f->sources.src.skipped++;
			continue;
		}
		if (!acc.open)
			repo_open(&acc, path, "deb822", NULL, 0);
		facts_trim(&v, &vn);
		last = NULL;
		if (key_is(k, kn, "types"))
			set_words(last = &acc.r.types, v, vn);
		else if (key_is(k, kn, "uris"))
			set_words(last = &acc.r.uris, v, vn);
		else if (key_is(k, kn, "suites"))
			set_words(last = &acc.r.suites, v, vn);
		else if (key_is(k, kn, "components"))
			set_words(last = &acc.r.components, v, vn);
		else if (key_is(k, kn, "enabled"))
			acc.r.enabled = !is_false(v, vn);
	}
	repo_flush(f, &acc);
}

static void ini_repos(struct facts *f, const char *path, const char *kind, const char *data,
		      size_t len)
{
	struct repo_acc acc = { 0 };
	const char *line, *k, *v;
	size_t ll, kn, vn;
	char **last = NULL;

	EACH_LINE(data, len, line, ll) {
		if (is_comment_or_blank(line, ll) || line[0] == ';') {
			continue;
		}
		if ((line[0] == ' ' || line[0] == '\t') && last) {
			/* baseurl continuation lines */
			if (set_words(last, line, ll))
				last = NULL; /* full: later lines are dropped */
			continue;
		}
		const char *t = line;
		size_t tn = ll;
		facts_trim(&t, &tn);
		if (t[0] == '[') {
			const char *rb = memchr(t, ']', tn);
			repo_flush(f, &acc);
			last = NULL;
			if (rb)
				repo_open(&acc, path, kind, t + 1, (size_t)(rb - t - 1));
			else
				f->sources.src.skipped++;
			continue;
		}
		if (!acc.open || !facts_split(t, tn, '=', &k, &kn, &v, &vn)) {
			f->sources.src.skipped++;
			continue;
		}
		facts_trim(&k, &kn);
		facts_trim(&v, &vn);
		last = NULL;
		if (key_is(k, kn, "baseurl"))
			set_words(last = &acc.r.uris, v, vn);
		else if (key_is(k, kn, "mirrorlist") || key_is(k, kn, "metalink"))
			set_words(&acc.r.mirrorlist, v, vn);
		else if (key_is(k, kn, "enabled"))
			acc.r.enabled = !is_false(v, vn);
		else if (key_is(k, kn, "type"))
			set_words(&acc.r.types, v, vn);
	}
	repo_flush(f, &acc);
}

static void apk_repos(struct facts *f, const char *path, const char *data, size_t len)
{
	const char *line, *w[2];
	size_t ll, wl[2];

	EACH_LINE(data, len, line, ll) {
		if (is_comment_or_blank(line, ll))
			continue;
		size_t n = facts_words(line, ll, w, wl, 2);
		size_t u = n == 2 && w[0][0] == '@' ? 1 : 0;
		if (!FACTS_GROW(f->sources.repos)) {
			f->sources.src.skipped++;
			continue;
		}
		f->sources.repos.v[f->sources.repos.n++] = (struct facts_repo){
			xstrdup(path), xstrdup("apk"), u ? facts_strndup(w[0], wl[0]) : NULL, NULL,
			facts_strndup(w[u], wl[u]), NULL, NULL, NULL, 1,
		};
	}
}

static void parse_sources(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "sources");
	struct facts_sources *src = &f->sources;
	struct gather_files it;
	struct gather_file file;
	const char *line;
	size_t ll, stored = 0;

	facts_src_set(&src->src, s);
	if (!s)
		return;
	gather_files_init(&it, g, s);
	while (gather_files_next(&it, &file)) {
		struct facts_file_lines *fl = add_file(&src->files.v, &src->files.n, &src->files.alloc,
						       file.path, 0);
		if (!fl) {
			src->src.skipped++;
			continue;
		}
		EACH_LINE(file.data, file.len, line, ll) {
			if (is_comment_or_blank(line, ll))
				continue;
			if (stored++ >= FACTS_MAX_ITEMS)
				src->src.skipped++;
			else
				facts_strs_push(&fl->lines, line, ll);
		}
		if (has_suffix(file.path, ".sources")) {
			deb822(f, fl->path, file.data, file.len);
		} else if (has_suffix(file.path, ".list") || !strcmp(file.path, "/etc/apt/sources.list")) {
			EACH_LINE(file.data, file.len, line, ll)
				if (!is_comment_or_blank(line, ll))
					apt_line(f, fl->path, line, ll);
		} else if (has_suffix(file.path, ".repo")) {
			ini_repos(f, fl->path, strstr(file.path, "/zypp/") ? "zypper" : "yum", file.data,
				  file.len);
		} else if (has_suffix(file.path, "/apk/repositories")) {
			apk_repos(f, fl->path, file.data, file.len);
		}
	}
	gather_files_release(&it);
}

/* ---- third-party programs ---- */

/* The first dotted number in s (7.4.33 in "PHP 7.4.33 (cli)"), else NULL. */
static char *dotted_version(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (!is_digit(*p) || (p > s && (is_digit(p[-1]) || p[-1] == '.')))
			continue;
		size_t n = 0;
		int dots = 0;
		while (is_digit(p[n]) || (p[n] == '.' && is_digit(p[n + 1]))) {
			dots += p[n] == '.';
			n++;
		}
		if (dots)
			return facts_strndup(p, n);
	}
	return NULL;
}

static void parse_third_party(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "third-party");
	struct facts_third_party *tp = &f->third_party;
	const char *line, *c[3];
	size_t ll, cl[3];

	facts_src_set(&tp->src, s);
	if (!s)
		return;
	EACH_LINE(s->data, s->len, line, ll) {
		if (!ll)
			continue;
		size_t n = facts_cut(line, ll, '\t', c, cl, 3);
		if (n < 2 || !cl[0]) {
			tp->src.skipped++;
			continue;
		}
		char *text = n == 3 ? facts_strndup(c[2], cl[2]) : NULL;
		const char *t = text ? text : "";
		size_t tn = strlen(t);
		facts_trim(&t, &tn);
		char *trimmed = tn ? facts_strndup(t, tn) : NULL;
		free(text);
		if (!FACTS_GROW(tp->list)) {
			free(trimmed);
			tp->src.skipped++;
			continue;
		}
		tp->list.v[tp->list.n++] = (struct facts_program){
			facts_strndup(c[0], cl[0]), dup_or_null(c[1], cl[1]), trimmed,
			trimmed ? dotted_version(trimmed) : NULL,
		};
	}
}

/* ---- web applications' first-login reset (docs/first-login.md) ---- */

static const struct fl_place {
	const char *dir;    /* ends with '/' */
	const char *prefix; /* of the file name, before NAME */
	const char *suffix; /* after NAME */
	size_t off;         /* the file in struct facts_webapp */
} fl_places[FACTS_FL_KINDS] = {
	[FACTS_FL_RESET] = { "/usr/local/libexec/shelfready/", "first-login-", "",
			     offsetof(struct facts_webapp, reset) },
	[FACTS_FL_HOOK] = { "/var/lib/cloud/scripts/per-instance/", "shelfready-first-login-", "",
			    offsetof(struct facts_webapp, hook) },
	[FACTS_FL_UNIT] = { "/etc/systemd/system/", "shelfready-first-login-", ".service",
			    offsetof(struct facts_webapp, unit) },
	[FACTS_FL_WANTS] = { "/etc/systemd/system/multi-user.target.wants/", "shelfready-first-login-",
			     ".service", offsetof(struct facts_webapp, wants) },
	[FACTS_FL_DONE] = { "/var/lib/shelfready/first-login/", "", ".done",
			    offsetof(struct facts_webapp, done) },
	[FACTS_FL_CREDENTIALS] = { "/root/.shelfready/first-login/", "", ".credentials",
				   offsetof(struct facts_webapp, credentials) },
};

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '-';
}

int facts_webapp_name_valid(const char *s, size_t n)
{
	if (!n || !((s[0] >= 'a' && s[0] <= 'z') || is_digit(s[0])))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!is_name_char(s[i]))
			return 0;
	return 1;
}

char *facts_fl_path(enum facts_fl_kind k, const char *name)
{
	const struct fl_place *pl = &fl_places[k];
	return xasprintf("%s%s%s%s", pl->dir, pl->prefix, name, pl->suffix);
}

const struct facts_fl_file *facts_webapp_file(const struct facts_webapp *app, enum facts_fl_kind k)
{
	return (const struct facts_fl_file *)(const void *)((const char *)app + fl_places[k].off);
}

static struct facts_fl_file *fl_file(struct facts_webapp *app, enum facts_fl_kind k)
{
	return (struct facts_fl_file *)(void *)((char *)app + fl_places[k].off);
}

/*
 * Which file of which application path[0..n) is: 1 with *kind and the name,
 * 0 when it is in one of the places but its name gives no valid application
 * name, -1 when it is in none of them.
 */
static int fl_classify(const char *path, size_t n, enum facts_fl_kind *kind, const char **name,
		       size_t *nn)
{
	int in_place = 0;
	for (int k = 0; k < FACTS_FL_KINDS; k++) {
		const struct fl_place *pl = &fl_places[k];
		size_t dl = strlen(pl->dir), pl_ = strlen(pl->prefix), sl = strlen(pl->suffix);
		if (!has_prefix(path, n, pl->dir) || memchr(path + dl, '/', n - dl))
			continue;
		const char *base = path + dl;
		size_t bn = n - dl;
		if (bn < pl_ + sl || memcmp(base, pl->prefix, pl_) ||
		    memcmp(base + bn - sl, pl->suffix, sl))
			continue;
		in_place = 1;
		if (!facts_webapp_name_valid(base + pl_, bn - pl_ - sl))
			continue;
		*kind = (enum facts_fl_kind)k;
		*name = base + pl_;
		*nn = bn - pl_ - sl;
		return 1;
	}
	return in_place ? 0 : -1;
}

/* The application called name[0..n), added when new; NULL when the list is full. */
static struct facts_webapp *webapp(struct facts *f, struct facts_index *ix, const char *name,
				   size_t n)
{
	struct facts_first_login *fl = &f->first_login;
	size_t i = facts_index_get(ix, name, n);
	if (i != FACTS_NONE)
		return &fl->apps.v[i];
	if (!FACTS_GROW(fl->apps))
		return NULL;
	struct facts_webapp *app = &fl->apps.v[fl->apps.n++];
	memset(app, 0, sizeof(*app));
	facts_obj_init(facts_webapp_fields, app);
	app->name = facts_strndup(name, n);
	facts_index_put(ix, app->name, fl->apps.n - 1);
	return app;
}

/* Octal permission bits as ls shows them in mode strings: 1 to 4 digits. */
static int is_octal_mode(const char *s, size_t n)
{
	if (!n || n > 4)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '7')
			return 0;
	return 1;
}

static void fl_entry(struct facts *f, struct facts_index *ix, const char *line, size_t ll)
{
	struct facts_first_login *fl = &f->first_login;
	const char *c[5], *name;
	size_t cl[5], nn;
	enum facts_fl_kind k;
	size_t n = facts_cut(line, ll, '\t', c, cl, 5);

	if (n == 2 && facts_eq(c[0], cl[0], "unreadable") && cl[1]) {
		if (facts_strs_push(&fl->unreadable, c[1], cl[1]) < 0)
			fl->src.skipped++;
		return;
	}
	int where = n >= 4 ? fl_classify(c[0], cl[0], &k, &name, &nn) : -1;
	if (where == 0) {
		if (facts_strs_push(&fl->ignored, c[0], cl[0]) < 0)
			fl->src.skipped++;
		return;
	}
	struct facts_webapp *app = where > 0 ? webapp(f, ix, name, nn) : NULL;
	struct facts_fl_file *file = app ? fl_file(app, k) : NULL;
	if (!file || file->present) {
		fl->src.skipped++;
		return;
	}
	static const char *const types[] = { "file", "link", "dir", "other" };
	file->present = 1;
	file->path = facts_strndup(c[0], cl[0]);
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (facts_eq(c[1], cl[1], types[i]))
			file->type = xstrdup(types[i]);
	file->uid = facts_num(c[2], cl[2]);
	file->mode = is_octal_mode(c[3], cl[3]) ? facts_strndup(c[3], cl[3]) : NULL;
	file->target = n == 5 && file->type && !strcmp(file->type, "link") ? dup_or_null(c[4], cl[4])
									       : NULL;
}

/*
 * The lines of a unit file the script keeps: ConditionPathExists= and
 * ExecStart=. The unit must have been listed before its contents.
 */
static void fl_unit(struct facts *f, const struct facts_index *ix, const struct gather_file *file)
{
	struct facts_first_login *fl = &f->first_login;
	const char *name, *line, *key, *val;
	size_t nn, ll, kn, vn, i;
	enum facts_fl_kind k;
	struct facts_webapp *app = NULL;

	if (fl_classify(file->path, strlen(file->path), &k, &name, &nn) > 0 && k == FACTS_FL_UNIT &&
	    (i = facts_index_get(ix, name, nn)) != FACTS_NONE && fl->apps.v[i].unit.present)
		app = &fl->apps.v[i];
	EACH_LINE(file->data, file->len, line, ll) {
		if (!ll)
			continue;
		if (!app || !facts_split(line, ll, '=', &key, &kn, &val, &vn)) {
			fl->src.skipped++;
			continue;
		}
		facts_trim(&key, &kn);
		facts_trim(&val, &vn);
		struct facts_strs *to = facts_eq(key, kn, "ConditionPathExists") ? &app->conditions
					: facts_eq(key, kn, "ExecStart")	 ? &app->exec
										 : NULL;
		if (!to || facts_strs_push(to, val, vn) < 0)
			fl->src.skipped++;
	}
}

static void parse_first_login(struct facts *f, const struct gather *g)
{
	const struct gather_section *s = gather_find(g, "first-login");
	struct facts_index ix;
	struct gather_files it;
	struct gather_file file;
	const char *line;
	size_t ll;

	facts_src_set(&f->first_login.src, s);
	if (!s)
		return;
	facts_index_init(&ix);
	gather_files_init(&it, g, s);
	EACH_LINE(it.head, it.head_len, line, ll)
		if (ll)
			fl_entry(f, &ix, line, ll);
	while (gather_files_next(&it, &file))
		fl_unit(f, &ix, &file);
	gather_files_release(&it);
	facts_index_release(&ix);
}

void facts_parse_sys(struct facts *f, const struct gather *g)
{
	parse_processes(f, g);
	parse_services(f, g);
	parse_listening(f, g);
	parse_accounts(f, g);
	parse_cron(f, g);
	parse_preload(f, g);
	parse_sshd(f, g);
	parse_keys(f, g);
	parse_histories(f, g);
	parse_host_keys(f, g);
	parse_machine_id(f, g);
	parse_cloud_init(f, g);
	parse_sources(f, g);
	parse_third_party(f, g);
	parse_first_login(f, g);
}

void facts_finish(struct facts *f)
{
	struct facts_index ix;
	struct facts_strs keys = { NULL, 0, 0 };
	char num[32];

	/* users of processes: the first account of each uid */
	facts_index_init(&ix);
	for (size_t k = 0; k < f->accounts.list.n; k++) {
		snprintf(num, sizeof(num), "%lld", f->accounts.list.v[k].uid);
		if (facts_index_get(&ix, num, strlen(num)) != FACTS_NONE ||
		    facts_strs_push(&keys, num, strlen(num)) < 0)
			continue;
		facts_index_put(&ix, keys.v[keys.n - 1], k);
	}
	for (size_t i = 0; i < f->processes.list.n; i++) {
		struct facts_process *pr = &f->processes.list.v[i];
		if (pr->user)
			continue;
		snprintf(num, sizeof(num), "%lld", pr->uid);
		size_t k = facts_index_get(&ix, num, strlen(num));
		if (k != FACTS_NONE)
			pr->user = xstrdup(f->accounts.list.v[k].name);
	}
	facts_index_release(&ix);
	facts_strs_release(&keys);
}
