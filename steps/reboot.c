/*
 * reboot: restart the target and wait until it is back with a new boot.
 *
 * By default only when the target needs it (a newer kernel than the running
 * one, /var/run/reboot-required, `needs-restarting -r`), so that a second
 * run changes nothing; `always: true` reboots every time. The new boot is
 * confirmed by /proc/sys/kernel/random/boot_id (step_reboot).
 */
#include <stdlib.h>

#include "emit.h"
#include "facts.h"
#include "step.h"
#include "strbuf.h"
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

/*
 * For `emit`: sets _sr_why to why this machine needs a reboot, empty when
 * nothing says so; the reasons and their order are step_reboot_reason()'s
 * (a newer kernel of the running flavour in /boot or /lib/modules,
 * /var/run/reboot-required, `needs-restarting -r`). Exported for
 * steps/os-update.c, which declares it the same way.
 */
extern const char reboot_reason_sh[];
const char reboot_reason_sh[] =
	"_sr_why=\n"
	"_sr_run=$(uname -r)\n"
	"# the newest installed kernel of the running one's flavour (from the first '-' and a letter)\n"
	"_sr_new=$(for _sr_k in /boot/vmlinuz-* /boot/vmlinux-* /lib/modules/*; do\n"
	"        [ -e \"$_sr_k\" ] && printf '%s\\n' \"${_sr_k##*/}\"\n"
	"    done | sed 's/^vmlinu[xz]-//' | awk -v run=\"$_sr_run\" '\n"
	"    function flavour(r) { return match(r, /-[A-Za-z]/) ? substr(r, RSTART) : \"\" }\n"
	"    flavour($0) == flavour(run) { print }' | sort -V 2>/dev/null | tail -n 1)\n"
	"if [ -n \"$_sr_new\" ] && [ \"$_sr_new\" != \"$_sr_run\" ] &&\n"
	"    [ \"$(printf '%s\\n%s\\n' \"$_sr_run\" \"$_sr_new\" | sort -V 2>/dev/null | tail -n 1)\" = \"$_sr_new\" ]; then\n"
	"    _sr_why=\"kernel $_sr_new is installed, $_sr_run is running\"\n"
	"elif [ -e /var/run/reboot-required ]; then\n"
	"    _sr_why='/var/run/reboot-required exists'\n"
	"elif command -v needs-restarting >/dev/null 2>&1; then\n"
	"    needs-restarting -r >/dev/null 2>&1 </dev/null\n"
	"    [ $? = 1 ] && _sr_why='needs-restarting -r says so'\n"
	"fi\n";

/*
 * The emitted script runs on the machine itself and cannot reboot in the
 * middle of itself: the step sets SR_REBOOT_NEEDED=1 (and SR_REBOOT_WHY)
 * and reports changed; the framework reboots at the end of the script,
 * after the facts are printed.
 */
static int reboot_emit(const struct params *p, const struct emit_ctx *ctx, struct strbuf *sh,
		       char **err)
{
	(void)ctx;
	(void)err;
	strbuf_addstr(sh, reboot_reason_sh);
	if (step_param_bool(p, "always"))
		strbuf_addstr(sh, "[ -n \"$_sr_why\" ] || _sr_why=always\n");
	strbuf_addstr(sh,
		"if [ -z \"$_sr_why\" ]; then\n"
		"    sr_ok 'no reboot needed: the newest kernel runs and nothing asks for a reboot'\n"
		"    return\n"
		"fi\n"
		"SR_REBOOT_NEEDED=1\n"
		"SR_REBOOT_WHY=$_sr_why\n"
		"sr_say \"a reboot is needed ($_sr_why): the machine reboots when the script ends\"\n"
		"sr_changed \"reboot needed ($_sr_why): rebooting at the end of the script\"\n"
		"return\n");
	return 0;
}

const struct step_type step_reboot = {
	.name = "reboot",
	.summary = "reboot the target when it needs it (or always) and wait for a new boot",
	.params = reboot_params,
	.apply = reboot_apply,
	.emit = reboot_emit,
};
