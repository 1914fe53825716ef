/*
 * sshprobe: drive the SSH transport (lib/ssh.c) directly from end-to-end
 * tests, for what no subcommand exposes on its own yet: arbitrary commands
 * with a capture cap and a timeout, SFTP, reconnecting.
 *
 *   sshprobe [options] TARGET ACTION...
 *     -i KEY  -k KNOWN_HOSTS  -s (sudo)  -P VAR (sudo password from VAR)
 *     -c CAP (bytes kept per stream)  -t SECONDS (command timeout)
 *   actions, run in order on one connection:
 *     exec CMD              print stdout (raw), then "status N" or "signal S",
 *                           "stdout-truncated TOTAL" when over the cap; the
 *                           command's stderr goes to sshprobe's stderr
 *     upload LOCAL REMOTE MODE   (mode in octal)
 *     download REMOTE LOCAL
 *     reconnect
 *     channels              print how many channels were opened
 * Exit status: 0, or 3 with the error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "ssh.h"
#include "target.h"
#include "util.h"

static void on_notice(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "notice: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct ssh_opts o;
	struct error e = ERROR_INIT;
	struct ssh_conn *c = NULL;
	size_t cap = 0;
	int timeout = 0, opt, ret = 0;

	memset(&o, 0, sizeof(o));
	o.hostkey = HOSTKEY_STRICT;
	o.connect_timeout = 10;
	o.keepalive = 15;
	o.auth.no_agent = 1;
	o.notice = on_notice;
	while ((opt = getopt(argc, argv, "+i:k:sP:c:t:")) != -1) {
		switch (opt) {
		case 'i': o.auth.identity_file = optarg; break;
		case 'k': o.known_hosts = optarg; break;
		case 's': o.sudo = 1; break;
		case 'P': o.sudo = 1; o.sudo_password = getenv(optarg); break;
		case 'c': cap = strtoul(optarg, NULL, 10); break;
		case 't': timeout = (int)strtol(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (optind >= argc || target_parse(argv[optind], &o.target, &e) < 0) {
		fprintf(stderr, "usage: sshprobe [options] TARGET ACTION...\n");
		return 2;
	}
	if (!o.target.user)
		o.target.user = xstrdup("root");
	if (!o.known_hosts)
		o.known_hosts = "/dev/null";
	if (ssh_connect(&o, &c, &e) < 0)
		goto fail;
	for (int i = optind + 1; i < argc; i++) {
		if (!strcmp(argv[i], "exec") && i + 1 < argc) {
			struct exec_result r;
			struct exec_opts xo = { NULL, 0, timeout, cap, 0, NULL, NULL };
			if (ssh_exec(c, argv[++i], &xo, &r, &e) < 0)
				goto fail;
			fwrite(r.out.buf ? r.out.buf : "", 1, r.out.len, stdout);
			fwrite(r.err.buf ? r.err.buf : "", 1, r.err.len, stderr);
			if (r.out_truncated)
				printf("stdout-truncated %zu\n", r.out_total);
			if (r.signal)
				printf("signal %s\n", r.signal);
			else
				printf("status %d\n", r.status);
			fflush(stdout);
			exec_result_release(&r);
		} else if (!strcmp(argv[i], "upload") && i + 3 < argc) {
			char *data = NULL;
			size_t len = 0;
			if (read_file(argv[i + 1], 1u << 30, &data, &len) < 0) {
				fprintf(stderr, "cannot read %s\n", argv[i + 1]);
				return 2;
			}
			int r = ssh_upload(c, data, len, argv[i + 2], (int)strtol(argv[i + 3], NULL, 8), &e);
			free(data);
			if (r < 0)
				goto fail;
			i += 3;
		} else if (!strcmp(argv[i], "download") && i + 2 < argc) {
			char *data = NULL;
			size_t len = 0;
			if (ssh_download(c, argv[i + 1], 1u << 30, &data, &len, &e) < 0)
				goto fail;
			FILE *f = fopen(argv[i + 2], "wb");
			if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
				fprintf(stderr, "cannot write %s\n", argv[i + 2]);
				return 2;
			}
			free(data);
			i += 2;
		} else if (!strcmp(argv[i], "reconnect")) {
			if (ssh_reconnect(c, 30, &e) < 0)
				goto fail;
		} else if (!strcmp(argv[i], "channels")) {
			printf("channels %u\n", ssh_channels_opened(c));
		} else {
			fprintf(stderr, "sshprobe: unknown action '%s'\n", argv[i]);
			return 2;
		}
	}
	goto out;
fail:
	fprintf(stderr, "sshprobe: %s\n", e.msg);
	ret = 3;
out:
	ssh_close(c);
	target_release(&o.target);
	error_release(&e);
	return ret;
}
