/*
 * Unit tests of checks/hygiene.c: every recorded transcript (each with the
 * build user its image was made with), then inline transcripts for the edge
 * cases: empty history files, empty, uninitialized and absent machine ids,
 * a dbus id of its own, empty authorized_keys, keep_root_keys, a build user
 * that is gone, a clean cloud-init, items restricted, parts not collected or
 * cut off; and the load-time rules on the parameters. Each row gives the
 * status, the summary and every line of evidence, exactly.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "schema.h"
#include "strbuf.h"
#include "types.h"
#include "vars.h"
#include "ytree.h"

extern const struct check_type check_hygiene;

#define MAX_EVIDENCE 24

struct row {
	const char *name;
	const char *transcript; /* under tests/data/transcripts, or NULL */
	const char *text;       /* an inline transcript, or NULL */
	const char *with;       /* YAML of `with`, or NULL */
	enum check_status status;
	const char *summary;
	const char *evidence[MAX_EVIDENCE]; /* every line, in order */
	const char *remedy;     /* the remediation exactly; NULL: none (pass) or not compared */
};

/* ---- evidence lines that recur ---- */

#define HOST_KEYS_6                                                                           \
	"/etc/ssh/ssh_host_ecdsa_key: present", "/etc/ssh/ssh_host_ecdsa_key.pub: present",   \
		"/etc/ssh/ssh_host_ed25519_key: present",                                     \
		"/etc/ssh/ssh_host_ed25519_key.pub: present",                                 \
		"/etc/ssh/ssh_host_rsa_key: present", "/etc/ssh/ssh_host_rsa_key.pub: present"
#define ID_SET "/etc/machine-id: set (an id of 32 characters)"
#define DBUS_SAME "/var/lib/dbus/machine-id: set, the same id (a link to /etc/machine-id or a copy)"
#define CI_DONE_1                                                                       \
	"cloud-init: status done", "/var/lib/cloud/instance/boot-finished: present", \
		"/var/lib/cloud/instances: 1 entry"
#define CI_CLEAN_ABSENT                                                                \
	"/var/lib/cloud/instance/boot-finished: absent", "/var/lib/cloud/instances: 0 entries"

#define FIX_START "run the pre-capture `cleanup` step last, or by hand: "
#define FIX_HIST "remove the history files (and `history -c` in the shell that runs the cleanup)"
#define FIX_KEYS "remove the authorized_keys files listed"
#define FIX_HOST "remove /etc/ssh/ssh_host_* (each instance generates its own at first boot)"
#define FIX_MID                                                                             \
	"empty /etc/machine-id (`truncate -s 0`) and remove /var/lib/dbus/machine-id (or link " \
	"it to /etc/machine-id)"
#define FIX_CI                                                                                  \
	"clean the cloud-init state (`cloud-init clean --logs`, or remove /var/lib/cloud/instances " \
	"and /var/lib/cloud/instance)"
#define FIX_AGAIN "gather the facts again: the evidence is missing or cut off"

/* ---- inline transcripts ---- */

#define HDR "@@SRG T3stN0nce gather 1\n"
#define DONE "@@SRG T3stN0nce done\n"
#define SEC(name, body) "@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " 0\n"
#define SEC_ST(name, body, st) \
	"@@SRG T3stN0nce begin " name "\n" body "@@SRG T3stN0nce end " name " " st "\n"

#define ACCOUNTS                                                                    \
	SEC("accounts", "@@SRG T3stN0nce file /etc/passwd\n"                        \
			"root:x:0:0:root:/root:/bin/bash\n"                         \
			"operator:x:11:0:operator:/root:/sbin/nologin\n"            \
			"packer:x:1000:1000::/home/packer/:/bin/bash\n"             \
			"web:x:1001:1001::/srv/web:/bin/bash\n")
#define NO_KEYS SEC("authorized-keys", "")
#define NO_HIST SEC("histories", "")
#define NO_HOST_KEYS SEC("host-keys", "")
#define ID_EMPTY SEC("machine-id", "etc=EMPTY\ndbus=ABSENT\n")
#define CI_CLEAN SEC_ST("cloud-init", "status: done\nboot_finished=no\ninstances=0\n", "0")
/* everything clean: each row below changes one part */
#define CLEAN(keys, hist, host, mid, ci) HDR ACCOUNTS keys hist host mid ci DONE

#define CLEAN_EVIDENCE_AFTER_KEYS \
	"/etc/ssh/ssh_host_*: none", "/etc/machine-id: empty (fine)", \
		"/var/lib/dbus/machine-id: absent (fine)", "cloud-init: status done", CI_CLEAN_ABSENT

static const struct row rows[] = {
	/* ---- recorded transcripts ---- */
	{ "alinux-3: root's key, host keys, two cloud-init instances; machine-id emptied",
	  "alinux-3", NULL, NULL, CHECK_FAIL,
	  "not clean for capture: /root/.ssh/authorized_keys has 1 key; 6 ssh host key files; "
	  "cloud-init state left (boot-finished, 2 instances)",
	  { "histories: none", "build_user: not set", "/root/.ssh/authorized_keys: 1 key (ssh-rsa), root",
	    HOST_KEYS_6, "/etc/machine-id: empty (fine)", "/var/lib/dbus/machine-id: absent (fine)",
	    "cloud-init: status done", "/var/lib/cloud/instance/boot-finished: present",
	    "/var/lib/cloud/instances: 2 entries" },
	  FIX_START FIX_KEYS "; " FIX_HOST "; " FIX_CI },
	{ "centos-6: histories, keys; host keys already gone; /etc/machine-id absent, dbus id set",
	  "centos-6", NULL, "build_user: centos", CHECK_FAIL,
	  "not clean for capture: 2 history files with content; /home/centos/.ssh/authorized_keys "
	  "has 1 key; /root/.ssh/authorized_keys has 1 key; /var/lib/dbus/machine-id is set; "
	  "cloud-init state left (boot-finished, 1 instance)",
	  { "/root/.bash_history: 7342 bytes", "/root/.mysql_history: 2208 bytes",
	    "/home/centos/.ssh/authorized_keys: 1 key (ssh-rsa), the build user",
	    "/root/.ssh/authorized_keys: 1 key (ssh-rsa), root", "/etc/ssh/ssh_host_*: none",
	    "/etc/machine-id: absent (fine)", "/var/lib/dbus/machine-id: set (an id of 32 characters)",
	    "cloud-init: installed, status not reported",
	    "/var/lib/cloud/instance/boot-finished: present", "/var/lib/cloud/instances: 1 entry" },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_MID "; " FIX_CI },
	{ "centos-7: built as root; root's two keys, the same id in etc and dbus", "centos-7", NULL,
	  "build_user: ''", CHECK_FAIL,
	  "not clean for capture: 3 history files with content; /root/.ssh/authorized_keys has 2 "
	  "keys; 6 ssh host key files; /etc/machine-id is set; cloud-init state left (boot-finished, "
	  "1 instance)",
	  { "/root/.bash_history: 12873 bytes", "/root/.viminfo: 6120 bytes",
	    "/root/.mysql_history: 433 bytes", "build_user: not set",
	    "/root/.ssh/authorized_keys: 2 keys (ssh-rsa), root", HOST_KEYS_6, ID_SET, DBUS_SAME,
	    CI_DONE_1 },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_HOST "; " FIX_MID "; " FIX_CI },
	{ "debian-12 (testbed): builder's and root's keys, host keys, id set; no cloud-init",
	  "debian-12", NULL, "build_user: builder", CHECK_FAIL,
	  "not clean for capture: /home/builder/.ssh/authorized_keys has 1 key; "
	  "/root/.ssh/authorized_keys has 1 key; 6 ssh host key files; /etc/machine-id is set",
	  { "histories: none", "/home/builder/.ssh/authorized_keys: 1 key (ssh-ed25519), the build user",
	    "/root/.ssh/authorized_keys: 1 key (ssh-ed25519), root", HOST_KEYS_6, ID_SET,
	    "/var/lib/dbus/machine-id: absent (fine)", "cloud-init: not installed", CI_CLEAN_ABSENT },
	  FIX_START FIX_KEYS "; " FIX_HOST "; " FIX_MID },
	{ "debian-8: three histories, dsa host keys too, different etc and dbus ids", "debian-8", NULL,
	  "build_user: admin", CHECK_FAIL,
	  "not clean for capture: 3 history files with content; /home/admin/.ssh/authorized_keys has "
	  "1 key; /root/.ssh/authorized_keys has 1 key; 8 ssh host key files; /etc/machine-id is set; "
	  "/var/lib/dbus/machine-id is set; cloud-init state left (boot-finished, 1 instance)",
	  { "/root/.bash_history: 20471 bytes", "/root/.mysql_history: 3312 bytes",
	    "/home/admin/.bash_history: 118 bytes",
	    "/home/admin/.ssh/authorized_keys: 1 key (ssh-rsa), the build user",
	    "/root/.ssh/authorized_keys: 1 key (ssh-rsa), root", "/etc/ssh/ssh_host_dsa_key: present",
	    "/etc/ssh/ssh_host_dsa_key.pub: present", HOST_KEYS_6, ID_SET,
	    "/var/lib/dbus/machine-id: set (an id of 32 characters, not the one of /etc/machine-id)",
	    "cloud-init: installed, status not reported",
	    "/var/lib/cloud/instance/boot-finished: present", "/var/lib/cloud/instances: 1 entry" },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_HOST "; " FIX_MID "; " FIX_CI },
	{ "opensuse-leap-15: suse's key; root's kept", "opensuse-leap-15", NULL,
	  "build_user: suse\nkeep_root_keys: true", CHECK_FAIL,
	  "not clean for capture: 1 history file with content; /home/suse/.ssh/authorized_keys has 1 "
	  "key; 6 ssh host key files; /etc/machine-id is set; cloud-init state left (boot-finished, 1 "
	  "instance)",
	  { "/root/.bash_history: 905 bytes",
	    "/home/suse/.ssh/authorized_keys: 1 key (ssh-ed25519), the build user",
	    "root: authorized_keys kept (keep_root_keys)", HOST_KEYS_6, ID_SET, DBUS_SAME, CI_DONE_1 },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_HOST "; " FIX_MID "; " FIX_CI },
	{ "rocky-9: rocky's and root's keys (sysadm's are another check's business)", "rocky-9", NULL,
	  "build_user: rocky", CHECK_FAIL,
	  "not clean for capture: 3 history files with content; /home/rocky/.ssh/authorized_keys has "
	  "1 key; /root/.ssh/authorized_keys has 1 key; 6 ssh host key files; /etc/machine-id is set; "
	  "cloud-init state left (boot-finished, 1 instance)",
	  { "/root/.bash_history: 4431 bytes", "/root/.mysql_history: 1208 bytes",
	    "/home/rocky/.bash_history: 377 bytes",
	    "/home/rocky/.ssh/authorized_keys: 1 key (ssh-ed25519), the build user",
	    "/root/.ssh/authorized_keys: 1 key (ssh-ed25519), root", HOST_KEYS_6, ID_SET, DBUS_SAME,
	    CI_DONE_1 },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_HOST "; " FIX_MID "; " FIX_CI },
	{ "ubuntu-22.04: six histories (one under /srv/app), ubuntu's two key types", "ubuntu-22.04",
	  NULL, "build_user: ubuntu", CHECK_FAIL,
	  "not clean for capture: 6 history files with content; /home/ubuntu/.ssh/authorized_keys has "
	  "2 keys; /root/.ssh/authorized_keys has 1 key; 6 ssh host key files; /etc/machine-id is "
	  "set; cloud-init state left (boot-finished, 1 instance)",
	  { "/root/.bash_history: 2817 bytes", "/root/.viminfo: 9104 bytes", "/root/.lesshst: 20 bytes",
	    "/home/ubuntu/.bash_history: 1544 bytes", "/home/ubuntu/.python_history: 311 bytes",
	    "/srv/app/.node_repl_history: 87 bytes",
	    "/home/ubuntu/.ssh/authorized_keys: 2 keys (ssh-ed25519, ssh-rsa), the build user",
	    "/root/.ssh/authorized_keys: 1 key (ssh-ed25519), root", HOST_KEYS_6, ID_SET, DBUS_SAME,
	    CI_DONE_1 },
	  FIX_START FIX_HIST "; " FIX_KEYS "; " FIX_HOST "; " FIX_MID "; " FIX_CI },

	/* ---- items restricted, on the transcripts ---- */
	{ "alinux-3, histories and machine-id only: clean", "alinux-3", NULL,
	  "items: [histories, machine-id]", CHECK_PASS, "clean for capture: histories, machine-id",
	  { "histories: none", "/etc/machine-id: empty (fine)", "/var/lib/dbus/machine-id: absent (fine)" },
	  NULL },
	{ "centos-6, host-keys only: removed by its own cleanup", "centos-6", NULL, "items: [host-keys]",
	  CHECK_PASS, "clean for capture: host-keys", { "/etc/ssh/ssh_host_*: none" }, NULL },
	{ "debian-12, cloud-init only: not installed, nothing left", "debian-12", NULL,
	  "items: [cloud-init]", CHECK_PASS, "clean for capture: cloud-init",
	  { "cloud-init: not installed", CI_CLEAN_ABSENT }, NULL },
	{ "ubuntu-22.04, deploy's keys with root's kept", "ubuntu-22.04", NULL,
	  "items: [authorized-keys]\nbuild_user: deploy\nkeep_root_keys: true", CHECK_FAIL,
	  "not clean for capture: /home/deploy/.ssh/authorized_keys has 1 key",
	  { "/home/deploy/.ssh/authorized_keys: 1 key (ssh-rsa), the build user",
	    "root: authorized_keys kept (keep_root_keys)" },
	  FIX_START FIX_KEYS },

	/* ---- inline: all clean ---- */
	{ "all clean", NULL, CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "build_user: packer", CHECK_PASS,
	  "clean for capture: histories, authorized-keys, host-keys, machine-id, cloud-init",
	  { "histories: none", "packer (the build user): no authorized_keys in /home/packer/.ssh",
	    "root: no authorized_keys in /root/.ssh", CLEAN_EVIDENCE_AFTER_KEYS },
	  NULL },

	/* ---- histories ---- */
	{ "an empty history file passes", NULL,
	  CLEAN(NO_KEYS, SEC("histories", "/root/.bash_history\t0\n"), NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [histories]", CHECK_PASS, "clean for capture: histories",
	  { "/root/.bash_history: empty (fine)" }, NULL },
	{ "one empty, one not", NULL,
	  CLEAN(NO_KEYS, SEC("histories", "/root/.bash_history\t0\n/home/packer/.bash_history\t12\n"),
		NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [histories]", CHECK_FAIL, "not clean for capture: 1 history file with content",
	  { "/root/.bash_history: empty (fine)", "/home/packer/.bash_history: 12 bytes" },
	  FIX_START FIX_HIST },
	{ "a history file of unknown size is an error", NULL,
	  CLEAN(NO_KEYS, SEC("histories", "/root/.bash_history\t?\n"), NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [histories]", CHECK_ERROR,
	  "cleanliness cannot be judged: the size of a history file is unknown",
	  { "/root/.bash_history: size unknown" }, FIX_AGAIN },

	/* ---- machine-id ---- */
	{ "empty /etc/machine-id passes", NULL, CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [machine-id]", CHECK_PASS, "clean for capture: machine-id",
	  { "/etc/machine-id: empty (fine)", "/var/lib/dbus/machine-id: absent (fine)" }, NULL },
	{ "uninitialized /etc/machine-id, empty dbus one: pass", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, SEC("machine-id", "etc=uninitialized\ndbus=EMPTY\n"),
		CI_CLEAN),
	  "items: [machine-id]", CHECK_PASS, "clean for capture: machine-id",
	  { "/etc/machine-id: uninitialized (fine)", "/var/lib/dbus/machine-id: empty (fine)" }, NULL },
	{ "both absent (dbus a dangling link, or none): pass", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, SEC("machine-id", "etc=ABSENT\ndbus=ABSENT\n"), CI_CLEAN),
	  "items: [machine-id]", CHECK_PASS, "clean for capture: machine-id",
	  { "/etc/machine-id: absent (fine)", "/var/lib/dbus/machine-id: absent (fine)" }, NULL },
	{ "/etc/machine-id emptied but a dbus copy of its own left", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS,
		SEC("machine-id", "etc=EMPTY\ndbus=4b7e2c90d1a35f68e0c3b9a17d2f5e84\n"), CI_CLEAN),
	  "items: [machine-id]", CHECK_FAIL, "not clean for capture: /var/lib/dbus/machine-id is set",
	  { "/etc/machine-id: empty (fine)", "/var/lib/dbus/machine-id: set (an id of 32 characters)" },
	  FIX_START FIX_MID },
	{ "a machine-id line missing is an error", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, SEC("machine-id", "etc=EMPTY\n"), CI_CLEAN),
	  "items: [machine-id]", CHECK_ERROR,
	  "cleanliness cannot be judged: the state of a machine id is unknown",
	  { "machine ids: /var/lib/dbus/machine-id not reported" }, FIX_AGAIN },

	/* ---- authorized keys ---- */
	{ "empty authorized_keys files pass; homes with a trailing slash", NULL,
	  CLEAN(SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t0\t\n"
				       "/home/packer/.ssh/authorized_keys2\t1000\t600\t0\t\n"),
		NO_HIST, NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]\nbuild_user: packer", CHECK_PASS, "clean for capture: authorized-keys",
	  { "/home/packer/.ssh/authorized_keys2: no keys (fine), the build user",
	    "/root/.ssh/authorized_keys: no keys (fine), root" },
	  NULL },
	{ "authorized_keys2 counts; other users' keys are not this item's business", NULL,
	  CLEAN(SEC("authorized-keys", "/home/packer/.ssh/authorized_keys2\t1000\t600\t2\tssh-ed25519\n"
				       "/srv/web/.ssh/authorized_keys\t1001\t600\t1\tssh-rsa\n"),
		NO_HIST, NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]\nbuild_user: packer", CHECK_FAIL,
	  "not clean for capture: /home/packer/.ssh/authorized_keys2 has 2 keys",
	  { "/home/packer/.ssh/authorized_keys2: 2 keys (ssh-ed25519), the build user",
	    "root: no authorized_keys in /root/.ssh" },
	  FIX_START FIX_KEYS },
	{ "root's keys fail by default (operator shares /root: listed once)", NULL,
	  CLEAN(SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t1\tssh-rsa\n"), NO_HIST,
		NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]", CHECK_FAIL,
	  "not clean for capture: /root/.ssh/authorized_keys has 1 key",
	  { "build_user: not set", "/root/.ssh/authorized_keys: 1 key (ssh-rsa), root" },
	  FIX_START FIX_KEYS },
	{ "root's keys kept", NULL,
	  CLEAN(SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t1\tssh-rsa\n"), NO_HIST,
		NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]\nkeep_root_keys: true", CHECK_PASS,
	  "clean for capture: authorized-keys",
	  { "build_user: not set", "root: authorized_keys kept (keep_root_keys)" }, NULL },
	{ "build_user root: root's keys checked", NULL,
	  CLEAN(SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t1\tssh-ed25519\n"), NO_HIST,
		NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]\nbuild_user: root", CHECK_FAIL,
	  "not clean for capture: /root/.ssh/authorized_keys has 1 key",
	  { "/root/.ssh/authorized_keys: 1 key (ssh-ed25519), the build user" }, FIX_START FIX_KEYS },
	{ "a build user already removed", NULL, CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]\nbuild_user: ec2-user", CHECK_PASS,
	  "clean for capture: authorized-keys",
	  { "ec2-user (the build user): no such account", "root: no authorized_keys in /root/.ssh" },
	  NULL },
	{ "a key count that is unknown is an error", NULL,
	  CLEAN(SEC("authorized-keys", "/root/.ssh/authorized_keys\t0\t600\t?\t\n"), NO_HIST,
		NO_HOST_KEYS, ID_EMPTY, CI_CLEAN),
	  "items: [authorized-keys]", CHECK_ERROR,
	  "cleanliness cannot be judged: the number of keys in an authorized_keys file is unknown",
	  { "build_user: not set", "/root/.ssh/authorized_keys: number of keys unknown, root" },
	  FIX_AGAIN },
	{ "accounts not collected: authorized-keys is an error", NULL,
	  HDR NO_KEYS NO_HIST NO_HOST_KEYS ID_EMPTY CI_CLEAN DONE, "items: [authorized-keys]",
	  CHECK_ERROR, "cleanliness cannot be judged: accounts were not collected",
	  { "accounts: not collected" }, FIX_AGAIN },

	/* ---- host keys ---- */
	{ "host keys present fail", NULL,
	  CLEAN(NO_KEYS, NO_HIST,
		SEC("host-keys", "/etc/ssh/ssh_host_ed25519_key\n/etc/ssh/ssh_host_ed25519_key.pub\n"),
		ID_EMPTY, CI_CLEAN),
	  "items: [host-keys]", CHECK_FAIL, "not clean for capture: 2 ssh host key files",
	  { "/etc/ssh/ssh_host_ed25519_key: present", "/etc/ssh/ssh_host_ed25519_key.pub: present" },
	  FIX_START FIX_HOST },

	/* ---- cloud-init ---- */
	{ "cloud-init boot-finished without instances", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY,
		SEC_ST("cloud-init", "status: running\nboot_finished=yes\ninstances=0\n", "0")),
	  "items: [cloud-init]", CHECK_FAIL, "not clean for capture: cloud-init state left (boot-finished)",
	  { "cloud-init: status running", "/var/lib/cloud/instance/boot-finished: present",
	    "/var/lib/cloud/instances: 0 entries" },
	  FIX_START FIX_CI },
	{ "cloud-init instances left after boot-finished was removed", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY,
		SEC_ST("cloud-init", "boot_finished=no\ninstances=3\n", "2")),
	  "items: [cloud-init]", CHECK_FAIL, "not clean for capture: cloud-init state left (3 instances)",
	  { "cloud-init: installed, status not reported", "/var/lib/cloud/instance/boot-finished: absent",
	    "/var/lib/cloud/instances: 3 entries" },
	  FIX_START FIX_CI },
	{ "cloud-init state lines missing: error", NULL,
	  CLEAN(NO_KEYS, NO_HIST, NO_HOST_KEYS, ID_EMPTY, SEC_ST("cloud-init", "status: done\n", "0")),
	  "items: [cloud-init]", CHECK_ERROR, "cleanliness cannot be judged: the cloud-init state is unknown",
	  { "cloud-init: status done", "/var/lib/cloud: boot-finished not reported" }, FIX_AGAIN },

	/* ---- not collected, cut off ---- */
	{ "nothing collected: an error for every item", NULL, HDR DONE, NULL, CHECK_ERROR,
	  "cleanliness cannot be judged: histories were not collected; authorized keys were not "
	  "collected; host keys were not collected; machine ids were not collected; cloud-init facts "
	  "were not collected",
	  { "histories: not collected", "authorized keys: not collected", "host keys: not collected",
	    "machine ids: not collected", "cloud-init facts: not collected" },
	  FIX_AGAIN },
	{ "a finding wins over an item not collected", NULL,
	  HDR ACCOUNTS SEC("host-keys", "/etc/ssh/ssh_host_rsa_key\n") DONE, "items: [host-keys, histories]",
	  CHECK_FAIL, "not clean for capture: 1 ssh host key file (also: histories were not collected)",
	  { "histories: not collected", "/etc/ssh/ssh_host_rsa_key: present" }, FIX_START FIX_HOST },
	{ "a host-keys section cut off is an error", NULL,
	  HDR ACCOUNTS "@@SRG T3stN0nce begin host-keys\n", "items: [host-keys]", CHECK_ERROR,
	  "cleanliness cannot be judged: host keys are incomplete",
	  { "host keys: section 'host-keys' did not end" }, FIX_AGAIN },
	{ "items not asked for are not looked at", NULL, HDR ID_EMPTY DONE, "items: [machine-id]",
	  CHECK_PASS, "clean for capture: machine-id",
	  { "/etc/machine-id: empty (fine)", "/var/lib/dbus/machine-id: absent (fine)" }, NULL },
};

/* ---- running a row ---- */

static int row_matches(const void *arg, const struct check_result *r)
{
	const struct row *row = arg;
	size_t n = 0;
	while (n < MAX_EVIDENCE && row->evidence[n])
		n++;
	if (r->status != row->status || !r->summary || strcmp(r->summary, row->summary) ||
	    r->nevidence != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(r->evidence[i], row->evidence[i]))
			return 0;
	if (row->status == CHECK_PASS)
		return !r->remediation;
	return r->remediation && row->remedy && !strcmp(r->remediation, row->remedy);
}

static void test_rows(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *row = &rows[i];
		failed += !test_check_row(&check_hygiene, row->name, row->with, row->transcript, row->text,
					  NULL, row_matches, row);
	}
	assert_int_equal(failed, 0);
}

/* ---- parameters ---- */

static void test_registered(void **state)
{
	(void)state;
	assert_ptr_equal(check_type_find("hygiene"), &check_hygiene);
	assert_non_null(check_hygiene.eval);
	assert_non_null(check_hygiene.validate);
}

static void test_defaults(void **state)
{
	(void)state;
	struct params p = { NULL, 0 };
	struct diags d;
	diags_init(&d);
	assert_int_equal(test_check_params(&check_hygiene, "h", NULL, &p, &d), 0);
	const struct param *items = params_get(&p, "items");
	assert_non_null(items);
	assert_true(items->is_default);
	assert_int_equal(items->v.n, 5);
	assert_string_equal(items->v.items[0].s, "histories");
	assert_string_equal(items->v.items[4].s, "cloud-init");
	assert_string_equal(params_get(&p, "build_user")->v.s, "");
	assert_int_equal(params_get(&p, "keep_root_keys")->v.i, 0);
	params_release(&p);
	diags_release(&d);
}

static const struct {
	const char *with;
	const char *diags; /* every message, exactly */
} refused[] = {
	{ "items: [histories, logs]",
	  "w.yaml:1:20: error: 'logs' in 'items' of check 'h' (hygiene) is not one of histories, "
	  "authorized-keys, host-keys, machine-id, cloud-init\n" },
	{ "items: [host-keys, host-keys]",
	  "w.yaml:1:20: error: 'host-keys' is listed twice in 'items' of check 'h' (hygiene)\n" },
	{ "items: []", "w.yaml:1:8: error: 'items' of check 'h' (hygiene) names nothing to check\n" },
	{ "build_user: root\nkeep_root_keys: true",
	  "w.yaml:2:17: error: check 'h' (hygiene): 'build_user' is root, so root's keys cannot be "
	  "kept ('keep_root_keys')\n" },
	{ "items: histories",
	  "w.yaml:1:8: error: parameter 'items' of check 'h' (hygiene) expects a list of strings, "
	  "found a string\n" },
	{ "keep_root_keys: yes",
	  "w.yaml:1:17: error: parameter 'keep_root_keys' of check 'h' (hygiene) expects true or "
	  "false, found 'yes'\n" },
};

static void test_refused(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		struct params p = { NULL, 0 };
		struct diags d;
		diags_init(&d);
		int ret = test_check_params(&check_hygiene, "h", refused[i].with, &p, &d);
		char *text = test_diags_text(&d);
		if (ret == 0 || strcmp(text, refused[i].diags)) {
			print_error("'%s': got %d:\n%s", refused[i].with, ret, text);
			failed++;
		}
		if (ret == 0)
			params_release(&p);
		free(text);
		diags_release(&d);
	}
	assert_int_equal(failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
