/* shelfready facts TARGET: what the target is, gathered in one round trip, as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "collect.h"
#include "error.h"
#include "facts.h"
#include "ssh.h"
#include "strbuf.h"
#include "banned.h"

static const struct cmd_opt facts_opts[] = {
	CONNECT_OPTS,
	{ "no-refresh", 0, NULL, 0, "do not refresh package metadata first (the facts say how old it is)" },
	{ "raw", 0, NULL, 0, "print the raw gather transcript instead of JSON" },
	{ "transcript", 0, "FILE", 0, "parse a transcript saved with --raw instead of connecting" },
	{ "output", 'o', "FILE", 0, "write to FILE instead of standard output" },
	{ "timeout", 0, "SECONDS", 0, "time limit for gathering (default 600)" },
	{ "verbose", 'v', NULL, 0, "say how it connected and what it cost on standard error" },
	OPT_END,
};

static long long ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void show_stderr(void *arg, const char *line, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	(void)arg;
	term_sanitize(&sb, line, len);
	fprintf(stderr, "target: %s\n", sb.buf ? sb.buf : "");
	strbuf_release(&sb);
}

static int write_out(const char *path, const char *data, size_t len)
{
	FILE *f = path ? fopen(path, "w") : stdout;
	if (!f) {
		perror(path);
		return -1;
	}
	size_t w = fwrite(data, 1, len, f);
	int bad = w != len || (path ? fclose(f) : fflush(f)) != 0;
	if (bad)
		fprintf(stderr, "shelfready facts: cannot write %s\n", path ? path : "standard output");
	return bad ? -1 : 0;
}

/* The facts of a transcript saved with --raw, as JSON (owned), or NULL after a message. */
static char *parse_transcript(const char *path)
{
	struct facts *f = NULL;
	struct error e = ERROR_INIT;
	char *data = NULL, *json = NULL;
	size_t len = 0;
	int r = read_file(path, 256u << 20, &data, &len);

	if (r < 0) {
		fprintf(stderr, "shelfready facts: cannot read '%s': %s\n", path, strerror(-r));
		goto out;
	}
	if (collect_parse(data, len, NULL, &f, &e) < 0) {
		fprintf(stderr, "shelfready facts: '%s': %s\n", path, e.msg);
		goto out;
	}
	json = facts_to_json(f);
out:
	facts_free(f);
	error_release(&e);
	free(data);
	return json;
}

static int facts_run(const struct cmd_args *a)
{
	struct conn_setup cs;
	struct ssh_conn *c = NULL;
	struct error e = ERROR_INIT;
	struct facts *f = NULL;
	char *transcript = NULL, *json = NULL;
	size_t len = 0;
	int status, timeout = 0;
	long long t0 = ms_now(), t1, t2;

	memset(&cs, 0, sizeof(cs));
	if (!!arg_get(a, "transcript") == (a->argc == 1)) {
		fprintf(stderr, "shelfready facts: give either a TARGET or --transcript FILE\n");
		return EXIT_USAGE;
	}
	if (arg_get(a, "transcript")) {
		json = parse_transcript(arg_get(a, "transcript"));
		status = EXIT_USAGE;
		if (json)
			goto print;
		goto out;
	}
	status = conn_setup(a, a->argv[0], &cs);
	if (status)
		goto out;
	if (arg_get(a, "timeout")) {
		char *end;
		long v = strtol(arg_get(a, "timeout"), &end, 10);
		if (*end || v <= 0 || v > 86400) {
			fprintf(stderr, "shelfready facts: --timeout expects seconds, found '%s'\n",
				arg_get(a, "timeout"));
			status = EXIT_USAGE;
			goto out;
		}
		timeout = (int)v;
	}
	int err = ssh_connect(cs.o, &c, &e);
	if (err)
		goto fail;
	t1 = ms_now();
	struct collect_opts co = { arg_get(a, "no-refresh") != NULL, timeout, show_stderr, NULL };
	err = collect_facts(c, &co, &f, &transcript, &len, &e);
	if (err)
		goto fail;
	t2 = ms_now();
	if (arg_get(a, "verbose"))
		fprintf(stderr,
			"shelfready: connected to %s%s%s as %s by %s in %lld ms; gathered %zu bytes in %lld ms "
			"over %u channel%s\n",
			cs.o->target.host, cs.o->jump.host ? " through jump host " : "",
			cs.o->jump.host ? cs.o->jump.host : "", cs.o->target.user, ssh_auth_method(c), t1 - t0,
			len, t2 - t1, ssh_channels_opened(c), ssh_channels_opened(c) == 1 ? "" : "s");
	if (arg_get(a, "raw")) {
		status = write_out(arg_get(a, "output"), transcript, len) ? EXIT_USAGE : EXIT_COMPLIANT;
		goto out;
	}
	json = facts_to_json(f);
print:;
	struct strbuf sb = STRBUF_INIT;
	strbuf_addf(&sb, "%s\n", json);
	status = write_out(arg_get(a, "output"), sb.buf, sb.len) ? EXIT_USAGE : EXIT_COMPLIANT;
	strbuf_release(&sb);
	goto out;
fail:
	fprintf(stderr, "shelfready facts: %s\n", e.msg);
	status = exit_code_for(e.code);
out:
	facts_free(f);
	free(json);
	free(transcript);
	ssh_close(c);
	conn_setup_release(&cs);
	error_release(&e);
	return status;
}

const struct cmd_entry cmd_facts = {
	.name = "facts",
	.summary = "gather facts about a target in one round trip and print them as JSON",
	.usage = "TARGET | --transcript FILE",
	.description =
		"Connect to TARGET ([user@]host[:port], ssh://user@host:port, [IPv6]:port), run\n"
		"the embedded gather script on ONE exec channel, and print what it found as JSON\n"
		"(docs/facts-json.md). The JSON can be saved and judged later with verify --facts.\n"
		"Authentication is tried in this order: ssh-agent, the key file (-i, or\n"
		"~/.ssh/id_ed25519, id_ecdsa, id_rsa when neither -i nor --key-env is given), the\n"
		"key from --key-env, the password from --password-env, keyboard-interactive.\n"
		"Secrets are read from environment variables, never from the command line.",
	.opts = facts_opts,
	.min_args = 0,
	.max_args = 1,
	.run = facts_run,
};
