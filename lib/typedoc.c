/* Rendering the type tables as documentation. */
#include "typedoc.h"

#include <string.h>

#include "types.h"
#include "util.h"
#include "banned.h"

/* A duration in seconds as the shortest of "90s", "5m", "1h", "1d". */
static void add_duration(struct strbuf *sb, long long s)
{
	if (s && s % 86400 == 0)
		strbuf_addf(sb, "%lldd", s / 86400);
	else if (s && s % 3600 == 0)
		strbuf_addf(sb, "%lldh", s / 3600);
	else if (s && s % 60 == 0)
		strbuf_addf(sb, "%lldm", s / 60);
	else
		strbuf_addf(sb, "%llds", s);
}

/* "integer 0-100", "duration 1s-1d", "choice: security, all", "list of strings". */
static void add_kind(struct strbuf *sb, const struct param_spec *p)
{
	strbuf_addstr(sb, param_kind_name(p->kind));
	if (p->kind == PK_ENUM && p->choices) {
		strbuf_addstr(sb, ": ");
		for (size_t i = 0; p->choices[i]; i++)
			strbuf_addf(sb, "%s%s", i ? ", " : "", p->choices[i]);
	}
	if (p->min < p->max) {
		strbuf_addch(sb, ' ');
		if (p->kind == PK_DURATION) {
			add_duration(sb, p->min);
			strbuf_addch(sb, '-');
			add_duration(sb, p->max);
		} else {
			strbuf_addf(sb, "%lld-%lld", p->min, p->max);
		}
	}
}

/* Markdown table cells must not hold a raw '|'. */
static void md_cell(struct strbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			strbuf_addstr(sb, "\\|");
		else if (*s == '\n')
			strbuf_addch(sb, ' ');
		else
			strbuf_addch(sb, *s);
	}
}

static void md_type(struct strbuf *sb, const char *name, const char *summary, const char *doc,
		    const struct param_spec *params)
{
	struct strbuf kind = STRBUF_INIT;

	strbuf_addf(sb, "### %s\n\n", name);
	/* the summary is written for the terminal, lowercase; a sentence here */
	if (summary && *summary) {
		char first[2] = { (char)(*summary >= 'a' && *summary <= 'z' ? *summary - 32 : *summary), 0 };
		strbuf_addstr(sb, first);
		md_cell(sb, summary + 1);
	}
	strbuf_addstr(sb, ".\n\n");
	if (doc)
		strbuf_addf(sb, "%s\n\n", doc);
	if (!params || !params[0].key) {
		strbuf_addstr(sb, "No parameters.\n\n");
		return;
	}
	strbuf_addstr(sb, "| parameter | kind | default | meaning |\n| --- | --- | --- | --- |\n");
	for (const struct param_spec *p = params; p->key; p++) {
		strbuf_reset(&kind);
		add_kind(&kind, p);
		strbuf_addf(sb, "| `%s` | %s | ", p->key, kind.buf);
		if (p->required)
			strbuf_addstr(sb, "required");
		else if (p->def) {
			strbuf_addch(sb, '`');
			md_cell(sb, p->def);
			strbuf_addch(sb, '`');
		}
		strbuf_addstr(sb, " | ");
		md_cell(sb, p->doc);
		strbuf_addstr(sb, " |\n");
	}
	strbuf_addch(sb, '\n');
	strbuf_release(&kind);
}

void typedoc_markdown(struct strbuf *sb)
{
	strbuf_addstr(sb, "## Step types\n\n"
			  "Steps run in order under `remediate`; each inspects the target first and\n"
			  "reports ok when there is nothing to do, so a second run changes nothing.\n"
			  "Parameters ending in `_env` name environment variables of the controller\n"
			  "holding secrets: `run` refuses to start when one is unset, and masks the\n"
			  "values in everything it shows.\n\n");
	for (size_t i = 0; step_types[i]; i++)
		md_type(sb, step_types[i]->name, step_types[i]->summary, step_types[i]->doc,
			step_types[i]->params);
	strbuf_addstr(sb, "## Check types\n\n"
			  "Checks under `verify` judge the gathered facts in C: pass, fail, or error\n"
			  "when the evidence is missing or stale (never pass), with the evidence they\n"
			  "saw and a remediation hint.\n\n");
	for (size_t i = 0; check_types[i]; i++)
		md_type(sb, check_types[i]->name, check_types[i]->summary, check_types[i]->doc,
			check_types[i]->params);
}

void roff_text(struct strbuf *sb, const char *s)
{
	int bol = 1;
	for (; s && *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			strbuf_addstr(sb, "\\&");
		if (*s == '\\')
			strbuf_addstr(sb, "\\e");
		else if (*s == '-')
			strbuf_addstr(sb, "\\-");
		else
			strbuf_addch(sb, *s);
		bol = *s == '\n';
	}
}

static void roff_type(struct strbuf *sb, const char *name, const char *summary,
		      const struct param_spec *params)
{
	struct strbuf kind = STRBUF_INIT;

	strbuf_addstr(sb, ".TP\n.B ");
	roff_text(sb, name);
	strbuf_addch(sb, '\n');
	roff_text(sb, summary);
	strbuf_addstr(sb, ".\n");
	for (const struct param_spec *p = params; p && p->key; p++) {
		strbuf_reset(&kind);
		add_kind(&kind, p);
		strbuf_addstr(sb, ".br\n\\fI");
		roff_text(sb, p->key);
		strbuf_addstr(sb, "\\fR (");
		roff_text(sb, kind.buf);
		if (p->required)
			strbuf_addstr(sb, ", required");
		else if (p->def) {
			strbuf_addstr(sb, ", default ");
			roff_text(sb, p->def);
		}
		strbuf_addstr(sb, "): ");
		roff_text(sb, p->doc);
		strbuf_addch(sb, '\n');
	}
	strbuf_release(&kind);
}

void typedoc_roff(struct strbuf *sb)
{
	strbuf_addstr(sb, ".SH STEP TYPES\n");
	for (size_t i = 0; step_types[i]; i++)
		roff_type(sb, step_types[i]->name, step_types[i]->summary, step_types[i]->params);
	strbuf_addstr(sb, ".SH CHECK TYPES\n");
	for (size_t i = 0; check_types[i]; i++)
		roff_type(sb, check_types[i]->name, check_types[i]->summary, check_types[i]->params);
}

static void text_type(struct strbuf *sb, const char *what, const char *name, const char *summary,
		      const struct param_spec *params)
{
	struct strbuf kind = STRBUF_INIT;

	strbuf_addf(sb, "%s type %s: %s\n", what, name, summary);
	if (!params || !params[0].key)
		strbuf_addstr(sb, "\nno parameters\n");
	else
		strbuf_addstr(sb, "\nparameters:\n");
	for (const struct param_spec *p = params; p && p->key; p++) {
		strbuf_reset(&kind);
		add_kind(&kind, p);
		strbuf_addf(sb, "  %-20s %s", p->key, kind.buf);
		if (p->required)
			strbuf_addstr(sb, ", required");
		else if (p->def)
			strbuf_addf(sb, ", default %s", p->def);
		strbuf_addf(sb, "\n  %-20s %s\n", "", p->doc);
	}
	strbuf_release(&kind);
}

int typedoc_text(struct strbuf *sb, const char *name)
{
	const struct step_type *st = step_type_find(name);
	const struct check_type *ct = check_type_find(name);

	if (!st && !ct)
		return -1;
	if (st)
		text_type(sb, "step", st->name, st->summary, st->params);
	if (st && ct)
		strbuf_addch(sb, '\n');
	if (ct)
		text_type(sb, "check", ct->name, ct->summary, ct->params);
	return 0;
}

void typedoc_list(struct strbuf *sb)
{
	for (size_t i = 0; step_types[i]; i++)
		strbuf_addf(sb, "step   %-24s %s\n", step_types[i]->name, step_types[i]->summary);
	for (size_t i = 0; check_types[i]; i++)
		strbuf_addf(sb, "check  %-24s %s\n", check_types[i]->name, check_types[i]->summary);
}
