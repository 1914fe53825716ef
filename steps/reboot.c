/*
 * reboot: restart the target and wait until it is back with a new boot.
 *
 * By default only when the target needs it (a newer kernel than the running
 * one, /var/run/reboot-required, `needs-restarting -r`), so that a second
 * run changes nothing; `always: true` reboots every time. The new boot is
 * confirmed by /proc/sys/kernel/random/boot_id (step_reboot).
 */
#include <stdlib.h>

#include "facts.h"
#include "step.h"
#include "types.h"
#include "banned.h"

static const struct param_spec reboot_params[] = {
	{ "always", PK_BOOL, 0, "false",
	  "reboot even when nothing on the target asks for it (a second run reboots again)", NULL, 0,
	  0 },
	{ "timeout", PK_DURATION, 0, "10m",
	  "how long the target may take to go down and come back with a new boot", NULL, 30, 86400 },
	PARAM_END,
};

static void reboot_apply(const struct params *p, struct step_ctx *ctx, struct step_result *r)
{
	struct error e = ERROR_INIT;
	char *why = step_reboot_reason(ctx->f);
	int always = step_param_bool(p, "always");
	int timeout = (int)step_param_int(p, "timeout", 600);

	if (!why && !always) {
		step_ok(r, "no reboot needed: the newest kernel runs and nothing asks for a reboot");
		goto out;
	}
	if (ctx->dry_run) {
		step_changed(r, "would reboot: %s", why ? why : "always");
		goto out;
	}
	ctx->left_running = xstrdup("a reboot of the target, if it had begun");
	if (step_reboot_target(ctx, timeout, &e) < 0) {
		step_failed_error(r, &e);
		goto out;
	}
	step_changed(r, "rebooted (%s) and back with a new boot", why ? why : "always");
out:
	error_release(&e);
	free(why);
}

const struct step_type step_reboot = {
	.name = "reboot",
	.summary = "reboot the target when it needs it (or always) and wait for a new boot",
	.params = reboot_params,
	.apply = reboot_apply,
};
