/*
 * Facts: what a target is, parsed on the controller from the raw evidence of
 * a gather transcript (gather.h, docs/gather-format.md).
 *
 * The model is a tree of parts. Every part records the section it was read
 * from in its `src`; a part whose section is absent from the transcript has
 * src.section == NULL ("not collected"), which a check must tell apart from
 * a collected but empty list. Numbers that are not known are -1; tri-state
 * flags are -1 (unknown), 0 or 1. Strings are NULL when not known and are
 * always valid UTF-8 without NUL bytes (invalid bytes become '?').
 *
 * The whole model is described by the table facts_fields[], which the
 * generic release, the JSON writer and reader (docs/facts-json.md) walk.
 *
 * The facts a `when:` condition may name are listed in fact_names[] and
 * read with facts_lookup().
 */
#ifndef SR_FACTS_H
#define SR_FACTS_H

#include <stddef.h>

#include "util.h"

struct gather;
struct gather_section;

struct fact_name {
	const char *name;
	const char *doc;
};

/* Ends with a NULL name. */
extern const struct fact_name fact_names[];

const struct fact_name *fact_name_find(const char *name);

/* A growable array of T: v[0..n). */
#define FACTS_ARRAY(T) struct { T *v; size_t n, alloc; }

struct facts_strs {
	char **v;
	size_t n, alloc;
};

/* Where a part came from. */
struct facts_src {
	char *section;      /* NULL: not collected */
	long long status;   /* exit status in the section's end marker; -1 when missing */
	int complete;       /* the end marker was seen */
	long long skipped;  /* lines that were not understood */
};

/* ---- elements of lists ---- */

struct facts_kv {
	char *key;
	char *value;
};

struct facts_tool {
	char *name;
	char *path;
};

struct facts_list_file { /* lists-age */
	char *path;
	long long mtime;
};

struct facts_package {
	char *name;
	char *version;  /* as the package manager prints it; epoch 0 left out */
	char *arch;
	char *status;   /* dpkg's db:Status-Abbrev ("ii"), "ii" for rpm, NULL for apk */
};

struct facts_update {
	char *name;
	char *version;  /* the version that would be installed */
	char *current;  /* the installed version, NULL when new or not printed */
	char *arch;
	char *origin;   /* apt origin(s) or the repository */
	int security;
};

struct facts_advisory { /* security-updates */
	char *id;       /* RHSA-2024:0001, openSUSE-SLE-15.5-2024-1 */
	char *severity;
	char *package;  /* the package name for yum/dnf, NULL for zypper patches */
	char *summary;  /* zypper patches */
};

struct facts_component_pkg {
	char *name;
	char *version;
	char *update;   /* the pending version, NULL when none */
	int security;   /* that update is a security update */
};

struct facts_component {
	char *name;     /* openssl, kernel, ... (facts_components[]) */
	int installed;
	int update;     /* an update is pending for one of its packages */
	int security;   /* a security update is pending for one of them */
	FACTS_ARRAY(struct facts_component_pkg) packages;
};

struct facts_process {
	long long pid;
	long long uid;
	char *user;     /* from accounts; NULL when unknown */
	char *comm;
	char *exe;      /* without " (deleted)"; NULL when unreadable */
	int deleted;    /* the executable was deleted */
	int in_tmp;     /* the executable lives in /tmp, /var/tmp or /dev/shm */
};

struct facts_service {
	char *name;          /* without ".service", SysV script name without S/K and number */
	char *systemd_state; /* enabled, disabled, static, masked, generated... NULL: no unit */
	char *sysv_runlevels; /* runlevels 2-5 with an S link, "" for none; NULL: no SysV data */
	int enabled;         /* started at boot: systemd enabled or an S link in 2-5 */
};

struct facts_socket {
	char *proto;    /* tcp or udp */
	char *address;  /* 0.0.0.0, ::, 127.0.0.1, *, fe80::1%eth0 */
	long long port;
	char *process;  /* NULL when not known */
	long long pid;
};

struct facts_account {
	char *name;
	long long uid, gid;
	char *home;
	char *shell;
	char *password; /* locked, empty, set or unknown */
	long long lastchg; /* days since 1970-01-01; 0 forces a change at next login */
	long long max;     /* maximum password age in days */
	long long expire;  /* account expiry, days since 1970-01-01 */
};

struct facts_file_lines {
	char *path;
	int listing;    /* a directory: lines are the names of its files */
	struct facts_strs lines;
};

struct facts_cron_entry {
	char *file;
	char *line;
};

struct facts_sshd_option {
	char *key;      /* lowercase */
	struct facts_strs values;
};

struct facts_keyfile {
	char *path;
	long long uid;
	char *mode;
	long long count;
	struct facts_strs types;
};

struct facts_history {
	char *path;
	long long size;
};

struct facts_repo {
	char *file;
	char *kind;     /* apt, deb822, yum, zypper, apk */
	char *id;       /* [section] of .repo files; NULL for apt */
	char *types;    /* deb, deb-src (space separated) */
	char *uris;     /* space separated: URIs, baseurl */
	char *mirrorlist; /* mirrorlist or metalink */
	char *suites;
	char *components;
	int enabled;
};

struct facts_check { /* a section check-KEY: the command of a `command` check */
	char *id;           /* the check's id */
	long long status;   /* the command's exit status; -1 when the section did not end */
	char *output;       /* its stdout, without the last newline */
	int truncated;      /* output past FACTS_CHECK_OUTPUT_MAX was dropped */
};

/* Output the gather script keeps of one check command (and the parser stores). */
#define FACTS_CHECK_OUTPUT_MAX (256u << 10)

struct facts_program {
	char *name;
	char *path;
	char *version_text; /* first line of its version output, as printed */
	char *version;      /* the first dotted number in it, such as 7.4.33 */
};

/* One file of a web application's first-login reset (docs/first-login.md). */
struct facts_fl_file {
	int present;
	char *path;
	char *type;     /* file, link, dir or other; NULL when not reported */
	long long uid;  /* owner */
	char *mode;     /* permission bits in octal, as printed (700) */
	char *target;   /* a link's target; NULL otherwise */
};

struct facts_webapp { /* the first-login reset of web application `name` */
	char *name;
	struct facts_fl_file reset;       /* /usr/local/libexec/shelfready/first-login-NAME */
	struct facts_fl_file hook;        /* cloud-init per-instance script */
	struct facts_fl_file unit;        /* systemd oneshot unit */
	struct facts_fl_file wants;       /* its link in multi-user.target.wants */
	struct facts_fl_file done;        /* the done marker */
	struct facts_fl_file credentials; /* the credentials the reset wrote */
	struct facts_strs conditions;     /* ConditionPathExists= values of the unit */
	struct facts_strs exec;           /* ExecStart= programs of the unit (no arguments) */
};

/* ---- parts ---- */

struct facts_meta {
	struct facts_src src;
	long long time;   /* target clock, epoch seconds */
	long long uid;
	char *user, *shell, *hostname, *path;
};

struct facts_os {
	struct facts_src src; /* os-release or the fallback used */
	char *id, *id_like, *name, *version, *version_id, *codename, *family;
};

struct facts_uname {
	struct facts_src src;
	char *sysname, *release, *machine, *version;
};

struct facts_boot {
	struct facts_src src;
	char *boot_id;
	long long uptime; /* seconds */
};

struct facts_kernels {
	struct facts_src src;
	struct facts_strs installed; /* releases, such as 6.1.0-18-amd64, newest first */
	char *newest;
};

struct facts_tools {
	struct facts_src src;
	FACTS_ARRAY(struct facts_tool) list;
};

struct facts_packages {
	struct facts_src src;
	char *manager;    /* apt, dnf, yum, zypper, apk */
	FACTS_ARRAY(struct facts_package) list;
};

struct facts_refresh {
	struct facts_src src;
};

struct facts_lists {
	struct facts_src src;
	FACTS_ARRAY(struct facts_list_file) files;
	long long newest; /* epoch seconds */
	long long age;    /* meta.time - newest, seconds */
};

struct facts_updates {
	struct facts_src src;
	struct facts_src security_src; /* security-updates (not apt) */
	FACTS_ARRAY(struct facts_update) list;
	FACTS_ARRAY(struct facts_advisory) advisories;
	long long count;
	long long security_count; /* updates marked security */
};

struct facts_reboot {
	struct facts_src src;
	int required_file;        /* /var/run/reboot-required */
	struct facts_strs packages;
	long long needs_restarting; /* exit status of needs-restarting -r */
	int kernel_pending;       /* a newer kernel than the running one is installed */
	int required;             /* any of the above */
};

struct facts_components {
	struct facts_src src;
	FACTS_ARRAY(struct facts_component) list;
};

struct facts_processes {
	struct facts_src src;
	FACTS_ARRAY(struct facts_process) list;
};

struct facts_services {
	struct facts_src src;
	char *init;       /* systemd or sysvinit */
	FACTS_ARRAY(struct facts_service) list;
};

struct facts_listening {
	struct facts_src src;
	char *tool;       /* ss, netstat or proc */
	FACTS_ARRAY(struct facts_socket) list;
};

struct facts_accounts {
	struct facts_src src;
	int shadow;       /* the shadow data was readable */
	FACTS_ARRAY(struct facts_account) list;
};

struct facts_cron {
	struct facts_src src;
	FACTS_ARRAY(struct facts_file_lines) files;
	FACTS_ARRAY(struct facts_cron_entry) entries;
};

struct facts_preload {
	struct facts_src src;
	int present;
	struct facts_strs entries;
};

struct facts_sshd {
	struct facts_src src;
	int effective;    /* from sshd -T; 0: sshd_config read as a fallback */
	FACTS_ARRAY(struct facts_sshd_option) options;
};

struct facts_keys {
	struct facts_src src;
	FACTS_ARRAY(struct facts_keyfile) list;
};

struct facts_histories {
	struct facts_src src;
	FACTS_ARRAY(struct facts_history) list;
};

struct facts_host_keys {
	struct facts_src src;
	struct facts_strs paths;
};

struct facts_machine_id {
	struct facts_src src;
	char *etc, *dbus;             /* contents, NULL when absent */
	char *etc_state, *dbus_state; /* absent, empty, uninitialized, set */
};

struct facts_cloud_init {
	struct facts_src src;
	int present;
	char *status;     /* done, running, error, disabled, not started... */
	int boot_finished;
	long long instances;
};

struct facts_sources {
	struct facts_src src;
	FACTS_ARRAY(struct facts_file_lines) files; /* active lines only */
	FACTS_ARRAY(struct facts_repo) repos;
};

struct facts_third_party {
	struct facts_src src;
	FACTS_ARRAY(struct facts_program) list;
};

struct facts_first_login {
	struct facts_src src;
	struct facts_strs unreadable; /* directories that could not be listed */
	struct facts_strs ignored;    /* entries whose name gives no valid application name */
	FACTS_ARRAY(struct facts_webapp) apps;
};

struct facts {
	struct facts_meta meta;
	struct facts_os os;
	struct facts_uname uname;
	struct facts_boot boot;
	struct facts_kernels kernels;
	struct facts_tools tools;
	struct facts_packages packages;
	struct facts_refresh refresh;
	struct facts_lists lists;
	struct facts_updates updates;
	struct facts_reboot reboot;
	struct facts_components components;
	struct facts_processes processes;
	struct facts_services services;
	struct facts_listening listening;
	struct facts_accounts accounts;
	struct facts_cron cron;
	struct facts_preload ld_so_preload;
	struct facts_sshd sshd;
	struct facts_keys authorized_keys;
	struct facts_histories histories;
	struct facts_host_keys host_keys;
	struct facts_machine_id machine_id;
	struct facts_cloud_init cloud_init;
	struct facts_sources sources;
	struct facts_third_party third_party;
	struct facts_first_login first_login;
	FACTS_ARRAY(struct facts_check) checks; /* sections check-*, in transcript order */
	struct facts_strs warnings; /* framing problems: incomplete sections, no done */
};

/* ---- the description of the model ---- */

enum facts_type {
	FACTS_STR,   /* char * */
	FACTS_INT,   /* long long, -1 unknown */
	FACTS_BOOL,  /* int 0 or 1 */
	FACTS_TRI,   /* int -1, 0 or 1 */
	FACTS_STRS,  /* struct facts_strs */
	FACTS_SRC,   /* struct facts_src */
	FACTS_LIST,  /* FACTS_ARRAY of a struct described by sub */
	FACTS_OBJ,   /* a struct described by sub */
};

struct facts_field {
	const char *key;
	enum facts_type type;
	size_t off;
	const struct facts_field *sub; /* FACTS_LIST, FACTS_OBJ; ends with a NULL key */
	size_t elsize;                 /* FACTS_LIST: size of an element */
};

/* The parts of struct facts, in JSON order; ends with a NULL key. */
extern const struct facts_field facts_fields[];
/* The fields of struct facts_webapp (first_login.apps[]). */
extern const struct facts_field facts_webapp_fields[];

/* Set every field described by fields in obj to its "unknown" value. */
void facts_obj_init(const struct facts_field *fields, void *obj);
/* Free what obj owns (not obj itself). */
void facts_obj_release(const struct facts_field *fields, void *obj);

/* ---- the model ---- */

void facts_init(struct facts *f);
void facts_release(struct facts *f);
struct facts *facts_new(void);
void facts_free(struct facts *f);

/*
 * Parse every section of g into *out (a new model, to facts_free). Parsing
 * never fails on content: lines that are not understood are counted in the
 * part's src.skipped. Returns 0.
 */
int facts_from_gather(const struct gather *g, struct facts **out);

/* The section parsers facts_from_gather calls, in this order. */
void facts_parse_meta(struct facts *f, const struct gather *g);
void facts_parse_os(struct facts *f, const struct gather *g);      /* facts-os.c */
void facts_parse_pkg(struct facts *f, const struct gather *g);     /* facts-pkg.c */
void facts_parse_sys(struct facts *f, const struct gather *g);     /* facts-sys.c */
void facts_parse_checks(struct facts *f, const struct gather *g);
/* Cross-references once all parts are read: users of processes, reboot. */
void facts_finish(struct facts *f);

/*
 * The value of a fact from fact_names[] ("os.family"), or NULL when it is
 * not known (not collected, or an unknown name). Valid while f lives.
 */
const char *facts_lookup(const struct facts *f, const char *name);
/* facts_lookup with the signature of cond_eval's lookup; arg is the facts. */
const char *facts_cond_lookup(const char *name, void *arg);

/* Queries for checks. */
const struct facts_package *facts_package_find(const struct facts *f, const char *name);
const struct facts_component *facts_component_find(const struct facts *f, const char *name);
const struct facts_account *facts_account_find(const struct facts *f, const char *name);
const struct facts_service *facts_service_find(const struct facts *f, const char *name);
/* The output of the command of check id, or NULL when it did not run. */
const struct facts_check *facts_check_find(const struct facts *f, const char *id);
/* The first value of an sshd option (lowercase key), or NULL. */
const char *facts_sshd_get(const struct facts *f, const char *key);

/* ---- web applications' first-login reset (docs/first-login.md) ---- */

enum facts_fl_kind {
	FACTS_FL_RESET,
	FACTS_FL_HOOK,
	FACTS_FL_UNIT,
	FACTS_FL_WANTS,
	FACTS_FL_DONE,
	FACTS_FL_CREDENTIALS,
	FACTS_FL_KINDS,
};

/* Is s[0..n) a web application name: [a-z0-9][a-z0-9_-]*? */
int facts_webapp_name_valid(const char *s, size_t n);
/* The path of the file of kind k for application name (owned). */
char *facts_fl_path(enum facts_fl_kind k, const char *name);
/* The file of kind k of app. */
const struct facts_fl_file *facts_webapp_file(const struct facts_webapp *app, enum facts_fl_kind k);
/* The application called name, or NULL. */
const struct facts_webapp *facts_webapp_find(const struct facts *f, const char *name);

/* ---- the important components of the review standard (clause 1.3) ---- */

struct facts_component_def {
	const char *name;
	/* package names per family, fnmatch patterns, NULL-terminated lists */
	const char *const *debian, *const *rhel, *const *suse, *const *alpine;
};

/* Ends with a NULL name. */
extern const struct facts_component_def facts_components[];

/* ---- helpers shared by the parsers ---- */

/*
 * Bounds, so that a hostile transcript (64 MiB at most) costs bounded memory
 * and time: lists hold at most FACTS_MAX_ITEMS elements (the rest is counted
 * in src.skipped), strings built from many lines stop growing at
 * FACTS_MAX_JOINED bytes.
 */
#define FACTS_MAX_ITEMS 65536
#define FACTS_MAX_JOINED 65536

/* Make room for one more element of a FACTS_ARRAY; 0 when it is full. */
#define FACTS_GROW(list) \
	((list).n < FACTS_MAX_ITEMS ? (ALLOC_GROW((list).v, (list).n + 1, (list).alloc), 1) : 0)

/* A map from strings (not copied: they must outlive it) to indexes. */
struct facts_index {
	const char **keys;
	size_t *values;
	size_t n, cap;
};

#define FACTS_NONE ((size_t)-1)

void facts_index_init(struct facts_index *ix);
void facts_index_release(struct facts_index *ix);
/* The value of key, or FACTS_NONE. */
size_t facts_index_get(const struct facts_index *ix, const char *key, size_t len);
/* Add key with value unless it is there; the value it has. */
size_t facts_index_put(struct facts_index *ix, const char *key, size_t value);


/* Copy n bytes as valid UTF-8 without NULs (bad bytes become '?'). */
char *facts_strndup(const char *s, size_t n);
/* Append a copy of s[0..n); -1 (nothing appended) when l is full. */
int facts_strs_push(struct facts_strs *l, const char *s, size_t n);
int facts_strs_has(const struct facts_strs *l, const char *s);
void facts_strs_release(struct facts_strs *l);
/* Set src from section s (NULL: not collected). */
void facts_src_set(struct facts_src *src, const struct gather_section *s);
/* A non-negative decimal integer of at most 2^53-1 in s[0..n), else -1. */
long long facts_num(const char *s, size_t n);
/* Compare two versions the way dpkg does (epochs, ~, digits by value). */
int facts_vercmp(const char *a, const char *b);
/* Compare two versions the way rpm does (epochs; digit segments newer than letters). */
int facts_rpmvercmp(const char *a, const char *b);
/* rpm's comparison on rhel and suse, dpkg's elsewhere (kernel releases). */
int facts_vercmp_os(const struct facts *f, const char *a, const char *b);
/* Split s[0..n) at the first c into a (an bytes) and b (bn bytes); 0 when no c. */
int facts_split(const char *s, size_t n, char c, const char **a, size_t *an, const char **b,
		size_t *bn);
/* s[0..n) without leading and trailing blanks. */
void facts_trim(const char **s, size_t *n);
/* Split line at each c into at most max fields (the last takes the rest); the count. */
size_t facts_cut(const char *line, size_t ll, char c, const char **f, size_t *fl, size_t max);
/* The first max blank-separated words of line; the count. */
size_t facts_words(const char *line, size_t ll, const char **w, size_t *wl, size_t max);
/* Is s[0..n) equal to the string t? */
int facts_eq(const char *s, size_t n, const char *t);

/* ---- JSON (facts-json.c, docs/facts-json.md) ---- */

#define FACTS_JSON_SCHEMA "shelfready.facts/1"

/* The model as JSON text (owned by the caller). */
char *facts_to_json(const struct facts *f);
/* Read facts_to_json's output back. 0 and *out, or -1 and *err (owned). */
int facts_from_json(const char *text, size_t len, struct facts **out, char **err);

#endif
