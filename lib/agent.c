/* Signing through an SSH agent (lib/agent.h). */
#include "agent.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"
#include "banned.h"

#define AGENTC_SIGN_REQUEST 13
#define AGENT_SIGN_RESPONSE 14
#define AGENT_FAILURE 5
#define AGENT_RSA_SHA2_256 2
#define AGENT_RSA_SHA2_512 4
#define AGENT_MAX_ANSWER (256u << 10)

static void put_u32(struct strbuf *sb, size_t v)
{
	strbuf_addch(sb, (char)(v >> 24));
	strbuf_addch(sb, (char)(v >> 16));
	strbuf_addch(sb, (char)(v >> 8));
	strbuf_addch(sb, (char)v);
}

static void put_string(struct strbuf *sb, const unsigned char *s, size_t n)
{
	put_u32(sb, n);
	strbuf_add(sb, (const char *)s, n);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The string at *p (of *n bytes left): its start and length; -1 when it overruns. */
static int get_string(const unsigned char **p, size_t *n, const unsigned char **s, size_t *len)
{
	if (*n < 4 || get_u32(*p) > *n - 4)
		return -1;
	*len = get_u32(*p);
	*s = *p + 4;
	*p += 4 + *len;
	*n -= 4 + *len;
	return 0;
}

/* Write or read exactly n bytes; -1 on an error, a timeout or an early end. */
static int io_all(int fd, void *buf, size_t n, int writing)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = writing ? write(fd, p, n) : read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int agent_sign(const char *sock_path, const unsigned char *key_blob, size_t blob_len,
	       const unsigned char *data, size_t n, const char *alg, int timeout_ms,
	       unsigned char **sig, size_t *siglen, char **why)
{
	struct sockaddr_un sa;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct strbuf req = STRBUF_INIT;
	unsigned char head[4], *ans = NULL;
	const unsigned char *p, *blob, *name, *s;
	size_t left, bl, nl, sl, alen;
	unsigned flags;
	int fd = -1, ret = -1;

	*sig = NULL;
	*siglen = 0;
	*why = NULL;
	if (!strcmp(alg, "rsa-sha2-512")) {
		flags = AGENT_RSA_SHA2_512;
	} else if (!strcmp(alg, "rsa-sha2-256")) {
		flags = AGENT_RSA_SHA2_256;
	} else {
		*why = xasprintf("the agent is not asked for %s signatures", alg);
		goto out;
	}
	if (!sock_path || strlen(sock_path) >= sizeof(sa.sun_path)) {
		*why = xstrdup("no usable agent socket");
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		*why = xasprintf("cannot reach the agent: %s", strerror(errno));
		goto out;
	}
	/* uint32 length, byte SSH_AGENTC_SIGN_REQUEST, string key blob, string data, uint32 flags */
	put_u32(&req, 1 + 4 + blob_len + 4 + n + 4);
	strbuf_addch(&req, AGENTC_SIGN_REQUEST);
	put_string(&req, key_blob, blob_len);
	put_string(&req, data, n);
	put_u32(&req, flags);
	if (io_all(fd, req.buf, req.len, 1) < 0 || io_all(fd, head, 4, 0) < 0) {
		*why = xstrdup("the agent did not answer");
		goto out;
	}
	left = get_u32(head);
	if (!left || left > AGENT_MAX_ANSWER) {
		*why = xstrdup("the agent's answer has a bad length");
		goto out;
	}
	ans = xmalloc(left);
	if (io_all(fd, ans, left, 0) < 0) {
		*why = xstrdup("the agent's answer is cut short");
		goto out;
	}
	if (ans[0] != AGENT_SIGN_RESPONSE) {
		*why = xstrdup(ans[0] == AGENT_FAILURE ? "the agent refused to sign"
						       : "the agent answered something else than a signature");
		goto out;
	}
	/* byte SSH_AGENT_SIGN_RESPONSE, string signature = string algorithm, string bytes */
	p = ans + 1;
	left--;
	if (get_string(&p, &left, &blob, &bl) < 0) {
		*why = xstrdup("the agent's signature is malformed");
		goto out;
	}
	p = blob;
	left = bl;
	alen = strlen(alg);
	if (get_string(&p, &left, &name, &nl) < 0 || get_string(&p, &left, &s, &sl) < 0 || !sl) {
		*why = xstrdup("the agent's signature is malformed");
		goto out;
	}
	if (nl != alen || memcmp(name, alg, alen)) {
		*why = xasprintf("the agent signed with another algorithm than %s", alg);
		goto out;
	}
	*sig = xmalloc(sl);
	memcpy(*sig, s, sl);
	*siglen = sl;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(ans);
	strbuf_release(&req);
	return ret;
}
