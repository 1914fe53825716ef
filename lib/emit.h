/*
 * `emit`: a profile's remediation as one standalone POSIX shell script (for
 * images built without SSH access) or as cloud-init user-data that runs it
 * at first boot. The script runs as root on the machine itself, performs
 * each enabled step the way `run` would (inspect first, act only when
 * needed, say ok / changed / skipped / failed), then runs the gather script
 * and prints the facts transcript on standard output, which `shelfready
 * verify --facts` judges. Progress goes to standard error as
 * "[n/N step-id] ..." lines.
 *
 * A step type that can be emitted has an emit hook (lib/types.h). It appends
 * the BODY of a shell function (no "name() {" and no closing brace) that
 * performs the step; the runtime below is defined before it:
 *
 *   sr_say TEXT...            "[n/N id] TEXT" on standard error
 *   sr_run CMD [ARG...]       run CMD with each output line shown as "[n/N id] | line"; its status
 *   sr_ok SUMMARY             end the step: ok (nothing to do)         (these four return 0
 *   sr_changed SUMMARY        end the step: changed                     from the function:
 *   sr_skipped SUMMARY        end the step: skipped                     write `sr_ok "..."; return`)
 *   sr_failed SUMMARY         end the step: failed
 *   sr_secret VAR             the value of environment variable VAR, which must be set (a
 *                             parameter ending in _env names it); never printed
 *
 * Values from the profile reach the script only through shell_quote (lib/ssh.h).
 * A function that returns without calling one of the four counts as failed.
 */
#ifndef SR_EMIT_H
#define SR_EMIT_H

#include <stddef.h>

#include "strbuf.h"

struct resolved;
struct rstep;

enum emit_format { EMIT_SH, EMIT_CLOUD_INIT };

struct emit_ctx {
	const struct resolved *r;
	const struct rstep *rs;
	size_t index, total;  /* [index/total id] */
	const char *base_dir; /* the directory of the profile defining the step; NULL: bundled */
	enum emit_format format;
};

/*
 * The whole script (owned) for r's enabled steps, or NULL with *err (owned)
 * naming the step that cannot be emitted and why.
 */
char *emit_script(const struct resolved *r, enum emit_format format, char **err);
/*
 * #cloud-config user-data (owned) that installs and runs the script at first
 * boot. When an enabled step needs a secret, secrets_file must name the file
 * on the instance the script reads it from (and deletes); otherwise it must
 * be NULL. NULL with *err (owned) when it cannot be written.
 */
char *emit_cloud_init(const struct resolved *r, const char *secrets_file, char **err);

#endif
