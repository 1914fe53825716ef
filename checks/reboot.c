/*
 * reboot: no reboot is pending, so that what was verified is what the image
 * boots (clause 1.1-5: installed security updates, a new kernel above all,
 * only take effect after a reboot; the remediation reboots when one is due).
 *
 * A reboot is pending when
 * - a newer kernel than the running one is installed (of the running
 *   kernel's flavour; versions compared as the distribution's package
 *   manager compares them: facts_vercmp_os), or the running kernel is not
 *   installed any more (a reboot would start another one);
 * - Debian: the running kernel's package was upgraded in place since boot
 *   (same release, newer build: `uname -v` names the build it was started
 *   from, "Debian 6.1.76-1");
 * - /var/run/reboot-required exists (Debian, Ubuntu), or
 *   `needs-restarting -r` says so (exit status 1; RHEL family).
 *
 * A target with no installed kernel at all (kernels collected and empty;
 * no kernel package among the facts' components) is a container or boots a
 * kernel supplied from outside, such as the project's chroot testbed. It
 * passes, with evidence saying so: a reboot there cannot start a different
 * kernel, so no kernel update can be waiting for one, and the other signals
 * are still judged. Calling it an error would make such a target unable to
 * ever pass, with nothing its owner could do. When the package list
 * disagrees (kernel packages installed but no kernel found), the kernels
 * listing is not trusted: error.
 *
 * Evidence that is missing (uname, kernels, the reboot section not
 * collected or cut off) is an error unless a pending reboot was already
 * seen.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "facts.h"
#include "strbuf.h"
#include "types.h"
#include "util.h"
#include "banned.h"

static const struct param_spec reboot_params[] = {
	PARAM_END,
};

/* What was found: the first reason names the result. */
struct reboot_state {
	char *pending;  /* first reason a reboot is pending (owned) */
	char *unknown;  /* first reason it cannot be judged (owned) */
};

/* A reason a reboot is pending; shown as evidence too unless the evidence already says it. */
static void pending(struct reboot_state *st, struct check_result *r, char *msg, int show)
{
	if (show)
		check_evidence(r, "%s", msg);
	if (!st->pending)
		st->pending = msg;
	else
		free(msg);
}

static void unknown(struct reboot_state *st, struct check_result *r, char *msg)
{
	check_evidence(r, "%s", msg);
	if (!st->unknown)
		st->unknown = msg;
	else
		free(msg);
}

/* 1 when the components list an installed kernel package, 0 when not, -1 when not known. */
static int kernel_package_installed(const struct facts *f)
{
	const struct facts_component *c;
	if (!f->components.src.section || !(c = facts_component_find(f, "kernel")))
		return -1;
	for (size_t i = 0; i < c->packages.n; i++)
		if (c->packages.v[i].version)
			return 1;
	return 0;
}

/*
 * Debian prints the build a kernel was started from in `uname -v`
 * ("#1 SMP Debian 3.16.78-1 (2019-12-04)", "... Debian 6.1.76-1 (...)"):
 * compare it with the installed package of the running release.
 */
static void debian_build(const struct facts *f, const char *run, struct reboot_state *st,
			 struct check_result *r)
{
	const char *v = f->uname.version, *p;
	const struct facts_package *pk = NULL;
	char *built = NULL, *name;

	if (!v || !f->os.family || strcmp(f->os.family, "debian") || !(p = strstr(v, " Debian ")))
		return;
	p += strlen(" Debian ");
	size_t n = strcspn(p, " ");
	if (!n)
		return;
	built = xstrndup(p, n);
	name = xasprintf("linux-image-%s", run);
	pk = facts_package_find(f, name);
	if (!pk) {
		free(name);
		name = xasprintf("linux-image-%s-unsigned", run);
		pk = facts_package_find(f, name);
	}
	if (pk && pk->version) {
		check_evidence(r, "%s %s installed, the running kernel is build %s", name, pk->version,
			       built);
		if (facts_vercmp(pk->version, built) > 0)
			pending(st, r, xasprintf("%s was upgraded to %s since boot", name, pk->version),
				0);
	}
	free(name);
	free(built);
}

static void kernels(const struct facts *f, struct reboot_state *st, struct check_result *r)
{
	const struct facts_kernels *k = &f->kernels;
	const char *run = f->uname.release;

	if (!f->uname.src.section || !run) {
		unknown(st, r, xstrdup("the running kernel is not known (uname was not collected)"));
		return;
	}
	check_evidence(r, "running kernel %s", run);
	if (!k->src.section) {
		unknown(st, r, xstrdup("the installed kernels were not collected"));
		return;
	}
	if (!k->src.complete) {
		unknown(st, r, xstrdup("the list of installed kernels was cut off"));
		return;
	}
	if (!k->installed.n) {
		if (kernel_package_installed(f) == 1) {
			unknown(st, r, xstrdup("kernel packages are installed but no kernel was found in "
					       "/boot or /lib/modules"));
			return;
		}
		check_evidence(r, "no kernel is installed (a container, or a kernel supplied from "
				  "outside): a reboot starts the same kernel");
		return;
	}
	const char *newest = k->newest ? k->newest : k->installed.v[0];
	check_evidence(r, "newest installed kernel %s", newest);
	if (strcmp(newest, run)) {
		if (facts_vercmp_os(f, newest, run) > 0)
			pending(st, r, xasprintf("newer kernel %s installed (running %s)", newest, run),
				0);
		else if (!facts_strs_has(&k->installed, run))
			pending(st, r, xasprintf("the running kernel %s is not installed any more: a "
						 "reboot would start %s", run, newest), 0);
	}
	debian_build(f, run, st, r);
}

static void flags(const struct facts *f, struct reboot_state *st, struct check_result *r)
{
	const struct facts_reboot *rb = &f->reboot;

	if (!rb->src.section) {
		unknown(st, r, xstrdup("reboot flags were not collected"));
		return;
	}
	if (!rb->src.complete) {
		unknown(st, r, xstrdup("the reboot section was cut off"));
		return;
	}
	if (rb->required_file == 1)
		pending(st, r, xstrdup("/var/run/reboot-required exists"), 1);
	else if (rb->required_file == 0)
		check_evidence(r, "/var/run/reboot-required absent");
	else
		unknown(st, r, xstrdup("whether /var/run/reboot-required exists is not known"));
	if (rb->packages.n) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < rb->packages.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", rb->packages.v[i]);
		check_evidence(r, "reboot-required.pkgs: %s", sb.buf);
		strbuf_release(&sb);
	}
	if (rb->needs_restarting == 1)
		pending(st, r, xstrdup("needs-restarting -r: a reboot is needed (status 1)"), 1);
	else if (rb->needs_restarting == 0)
		check_evidence(r, "needs-restarting -r: no reboot needed (status 0)");
	else if (rb->needs_restarting > 1)
		/* EL6's needs-restarting has no -r (usage error 2): judged from the kernels */
		check_evidence(r, "needs-restarting -r could not tell (status %lld)",
			       rb->needs_restarting);
}

static void reboot_eval(const struct params *p, const struct check_env *env,
			struct check_result *r)
{
	struct reboot_state st = { NULL, NULL };

	(void)p;
	kernels(env->f, &st, r);
	flags(env->f, &st, r);
	if (st.pending) {
		check_fail(r, "reboot pending: %s", st.pending);
		check_remedy(r, "reboot the target (the reboot step does it and reconnects), then "
				"verify again");
	} else if (st.unknown) {
		check_error(r, "whether a reboot is pending is not known: %s", st.unknown);
		check_remedy(r, "gather the facts again: uname, kernels and reboot are needed");
	} else {
		check_pass(r, "no reboot pending");
	}
	free(st.pending);
	free(st.unknown);
}

const struct check_type check_reboot = {
	.name = "reboot",
	.summary = "no reboot pending: the newest installed kernel runs and nothing asks for a reboot",
	.params = reboot_params,
	.validate = NULL,
	.eval = reboot_eval,
};
