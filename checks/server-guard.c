/*
 * server-guard: Alibaba Cloud Server Guard ("Aegis") is installed, running
 * and started at boot (clauses 1.1-3 and 1.2.2 of the review standard).
 *
 * Running: AliYunDun and AliYunDunUpdate (plus AliYunDunMonitor on newer
 * versions, reported when present) run from under /usr/local/aegis. A process
 * is matched by the name of its executable, or by its comm (truncated by the
 * kernel to 15 characters) when the executable is unreadable; one of those
 * names running from elsewhere is reported and not counted.
 *
 * At boot: aegis.service enabled in systemd, or /etc/init.d/aegis with S
 * links in each of the runlevels 2-5 (what Alibaba's installer makes; the
 * default runlevel is not part of the facts, so all four are required).
 *
 * International-site, gateway-class and security-class products are exempt
 * (clause 1.1-3): the parameter `exempt` makes the check pass.
 *
 * The judgement itself lives in lib/server-guard.c: the server-guard step
 * decides with it whether to install, and confirms its installation by it.
 */
#include "check.h"
#include "server-guard.h"
#include "types.h"
#include "banned.h"

static const struct param_spec server_guard_params[] = {
	{ "exempt", PK_BOOL, 0, "false",
	  "the product is exempt from Server Guard (clause 1.1-3: international-site, gateway-class "
	  "and security-class products); the check then passes",
	  NULL, 0, 0 },
	PARAM_END,
};

static void server_guard_eval(const struct params *p, const struct check_env *env,
			      struct check_result *r)
{
	const struct param *exempt = params_get(p, "exempt");

	if (exempt && exempt->v.i) {
		check_evidence(r, "parameter 'exempt' is true: international-site, gateway-class and "
				  "security-class products need no Server Guard (clause 1.1-3)");
		check_pass(r, "server guard not required: the product is exempt");
		return;
	}
	/* the judgement the server-guard step shares (lib/server-guard.c) */
	server_guard_judge(env->f, r, NULL);
}

const struct check_type check_server_guard = {
	.name = "server-guard",
	.summary = "Server Guard (AliYunDun, AliYunDunUpdate) runs and starts at boot",
	.params = server_guard_params,
	.validate = NULL,
	.eval = server_guard_eval,
};
