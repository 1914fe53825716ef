/*
 * SSH transport on libssh2. Sessions run in non-blocking mode: every libssh2
 * call that would block returns LIBSSH2_ERROR_EAGAIN and we poll the socket
 * in the direction libssh2 asks for, with a deadline. That gives connect,
 * command and keepalive timing without threads; the one thread is the pump
 * that carries a jump host's direct-tcpip channel to a socket pair.
 */
#include "ssh.h"

#include <errno.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "error.h"
#include "rsa-key.h"
#include "banned.h"

#define EXEC_DEFAULT_CAP (1u << 20)
#define IO_CHUNK 32768

struct pump {
	LIBSSH2_SESSION *session; /* the jump host's */
	LIBSSH2_CHANNEL *chan;
	int sock;                 /* to the jump host */
	int fd;                   /* our end of the socket pair */
	pthread_t thread;
	volatile int stop;
	int keepalive;
};

struct ssh_conn {
	const struct ssh_opts *o;
	LIBSSH2_SESSION *s;
	int sock;
	struct pump *pump; /* non-NULL with a jump host */
	char *auth_method;
	char *display;
	unsigned channels;
};

static void notice(const struct ssh_opts *o, const char *fmt, ...) SR_PRINTF(2, 3);
static void notice(const struct ssh_opts *o, const char *fmt, ...)
{
	va_list ap;
	if (!o->notice)
		return;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	o->notice(o->notice_arg, msg);
	free(msg);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libssh2's last error as text, made once here. */
static const char *ssh_errmsg(LIBSSH2_SESSION *s)
{
	char *msg = NULL;
	int len = 0;
	if (!s)
		return "no session";
	libssh2_session_last_error(s, &msg, &len, 0);
	return msg && *msg ? msg : "unknown libssh2 error";
}

static int is_disconnect(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND ||
	       rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	       rc == LIBSSH2_ERROR_BANNER_RECV || rc == LIBSSH2_ERROR_BANNER_SEND;
}

/*
 * Ask the kernel to acknowledge what arrives next at once. sshd leaves Nagle
 * on for non-interactive sessions, so a small reply written behind an
 * unacknowledged one (the channel confirmation behind the host-keys notice
 * OpenSSH sends after authentication) waits for our ACK, and a delayed ACK
 * costs 40 ms. The flag does not stick: set it before every wait.
 */
static void quick_ack(int sock)
{
#ifdef TCP_QUICKACK
	int one = 1;
	setsockopt(sock, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
	(void)sock;
#endif
}

/*
 * Wait until the session's socket is ready in the direction libssh2 wants,
 * or a keepalive is due (sent here). 0 to call libssh2 again; -1 once the
 * deadline (ms since an arbitrary start; 0: none) has passed.
 */
static int wait_socket(LIBSSH2_SESSION *s, int sock, long long deadline, int keepalive)
{
	int dirs = libssh2_session_block_directions(s);
	struct pollfd p = { sock, 0, 0 };
	long long wait = 1000;

	if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (!p.events)
		p.events = POLLIN;
	if (keepalive) {
		int next = 0;
		libssh2_keepalive_send(s, &next);
		if (next > 0 && next * 1000LL < wait)
			wait = next * 1000LL;
	}
	if (deadline) {
		long long left = deadline - now_ms();
		if (left <= 0)
			return -1;
		if (left < wait)
			wait = left;
	}
	quick_ack(sock);
	if (poll(&p, 1, (int)wait) < 0 && errno != EINTR)
		return -1;
	return deadline && now_ms() >= deadline ? -1 : 0;
}

/* ---- TCP ---- */

static int tcp_connect(const char *host, int port, int timeout_s, int *out, struct error *e)
{
	struct addrinfo hints, *res = NULL;
	char portstr[8];
	int fd = -1, ret = SR_ERR_CONNECT, saved = 0;
	long long deadline = now_ms() + (long long)timeout_s * 1000;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(portstr, sizeof(portstr), "%d", port);
	int gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai) {
		error_set(e, ret, "cannot resolve '%s': %s", host, gai_strerror(gai));
		goto out;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			struct pollfd p = { fd, POLLOUT, 0 };
			long long left = deadline - now_ms();
			int r = left > 0 ? poll(&p, 1, (int)left) : 0;
			if (r == 1) {
				int err = 0;
				socklen_t len = sizeof(err);
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (!err)
					break;
				saved = err;
			} else {
				saved = ETIMEDOUT;
			}
		} else {
			saved = errno;
		}
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		if (saved == ETIMEDOUT)
			error_set(e, ret, "cannot connect to %s port %d: no answer within %d s", host, port,
				  timeout_s);
		else
			error_set(e, ret, "cannot connect to %s port %d: %s", host, port, strerror(saved));
		goto out;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	/* SSH packets are small and answered: do not let Nagle hold them back */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	*out = fd;
	ret = 0;
out:
	if (res)
		freeaddrinfo(res);
	return ret;
}

/* ---- host keys ---- */

static void base64(struct strbuf *sb, const unsigned char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		strbuf_addch(sb, tab[(v >> 18) & 63]);
		strbuf_addch(sb, tab[(v >> 12) & 63]);
		if (i + 1 < n)
			strbuf_addch(sb, tab[(v >> 6) & 63]);
		if (i + 2 < n)
			strbuf_addch(sb, tab[v & 63]);
	}
}

static const char *hostkey_type_name(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
	case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
	}
	return "unknown";
}

static int knownhost_keybit(int type)
{
	switch (type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
	}
	return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

/* "[host]:port" or "host" as known_hosts writes it. */
static char *known_name(const struct target *t)
{
	if (t->port == 22)
		return xstrdup(t->host);
	return xasprintf("[%s]:%d", t->host, t->port);
}

/*
 * Load known_hosts line by line, so that one line libssh2 cannot read (a
 * certificate authority, a key type it lacks) does not hide the others.
 * Also collects the key types listed for name in plain (unhashed) entries.
 */
static LIBSSH2_KNOWNHOSTS *load_known_hosts(LIBSSH2_SESSION *s, const char *path, const char *name,
					    struct strbuf *types)
{
	LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(s);
	char *data = NULL;
	size_t len = 0;

	if (!kh || !path || read_file(path, 16u << 20, &data, &len) < 0)
		return kh;
	char *line = data;
	while (line && *line) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (nl)
			*nl = '\0'; /* libssh2 reads the key up to a NUL, not up to n */
		if (n && n < 16384 && line[0] != '#' && line[0] != '@') {
			libssh2_knownhost_readline(kh, line, n, LIBSSH2_KNOWNHOST_FILE_OPENSSH);
			/* hostnames field, then the key type */
			size_t hl = strcspn(line, " \t");
			if (hl < n && line[0] != '|') {
				char *hosts = xstrndup(line, hl);
				char *type_start = line + hl + strspn(line + hl, " \t");
				size_t tl = strcspn(type_start, " \t\n");
				for (char *h = hosts; h && *h;) {
					char *comma = strchr(h, ',');
					if (comma)
						*comma = '\0';
					if (!strcmp(h, name)) {
						strbuf_addf(types, "%s%.*s", types->len ? "," : "", (int)tl, type_start);
						break;
					}
					h = comma ? comma + 1 : NULL;
				}
				free(hosts);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(data);
	return kh;
}

static int mkdir_parent(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int r = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		struct stat st;
		if (stat(dir, &st) < 0)
			r = mkdir(dir, 0700);
	}
	free(dir);
	return r;
}

static int record_host_key(LIBSSH2_KNOWNHOSTS *kh, const char *path, const char *name,
			   const char *key, size_t keylen, int type, struct error *e)
{
	struct libssh2_knownhost *entry = NULL;
	char line[16384];
	size_t outlen = 0;

	if (libssh2_knownhost_addc(kh, name, NULL, key, keylen, NULL, 0,
				   LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
					   knownhost_keybit(type),
				   &entry) < 0 ||
	    libssh2_knownhost_writeline(kh, entry, line, sizeof(line), &outlen,
					LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
		return error_set(e, SR_ERR_HOSTKEY, "cannot record the host key of %s", name);
	mkdir_parent(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return error_set(e, SR_ERR_HOSTKEY, "cannot record the host key in '%s': %s", path,
				 strerror(errno));
	ssize_t w = write(fd, line, outlen);
	close(fd);
	if (w != (ssize_t)outlen)
		return error_set(e, SR_ERR_HOSTKEY, "cannot record the host key in '%s'", path);
	return 0;
}

static int verify_host_key(LIBSSH2_SESSION *s, const struct ssh_opts *o, const struct target *t,
			   struct error *e)
{
	size_t keylen = 0;
	int type = 0, ret = SR_ERR_HOSTKEY;
	const char *key = libssh2_session_hostkey(s, &keylen, &type);
	const unsigned char *hash =
		(const unsigned char *)libssh2_hostkey_hash(s, LIBSSH2_HOSTKEY_HASH_SHA256);
	struct strbuf fp = STRBUF_INIT, types = STRBUF_INIT;
	char *name = known_name(t);
	LIBSSH2_KNOWNHOSTS *kh = NULL;

	if (!key || !hash) {
		error_set(e, ret, "%s offered no usable host key", name);
		goto out;
	}
	strbuf_addstr(&fp, "SHA256:");
	base64(&fp, hash, 32);

	switch (o->hostkey) {
	case HOSTKEY_OFF:
		notice(o, "WARNING: host key checking is off: accepting %s key %s of %s without "
			  "verification; anyone on the path can impersonate this host",
		       hostkey_type_name(type), fp.buf, name);
		ret = 0;
		goto out;
	case HOSTKEY_PIN: {
		const char *pin = o->pin ? o->pin : "";
		size_t pl = strlen(pin);
		while (pl && pin[pl - 1] == '=')
			pl--;
		if (pl == fp.len && !strncmp(pin, fp.buf, pl)) {
			ret = 0;
			goto out;
		}
		error_set(e, ret, "host key of %s is %s %s, not the pinned %s", name, hostkey_type_name(type),
			  fp.buf, pin);
		goto out;
	}
	default:
		break;
	}
	kh = load_known_hosts(s, o->known_hosts, name, &types);
	if (!kh) {
		error_set(e, ret, "cannot check host keys: %s", ssh_errmsg(s));
		goto out;
	}
	struct libssh2_knownhost *found = NULL;
	int r = libssh2_knownhost_checkp(kh, t->host, t->port, key, keylen,
					 LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
						 knownhost_keybit(type),
					 &found);
	if (r == LIBSSH2_KNOWNHOST_CHECK_MATCH) {
		ret = 0;
	} else if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) {
		error_set(e, ret,
			  "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for %s: it offered %s %s, which "
			  "does not match %s. Someone could be eavesdropping (a man-in-the-middle attack), "
			  "or the host key was replaced; refusing to connect. If the change is expected, "
			  "remove the old entry (ssh-keygen -R '%s' -f '%s')",
			  name, hostkey_type_name(type), fp.buf, o->known_hosts, name, o->known_hosts);
	} else if (r == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND && o->hostkey == HOSTKEY_ACCEPT_NEW) {
		ret = record_host_key(kh, o->known_hosts, name, key, keylen, type, e);
		if (!ret)
			notice(o, "recorded the %s host key %s of %s in %s", hostkey_type_name(type), fp.buf,
			       name, o->known_hosts);
	} else if (r == LIBSSH2_KNOWNHOST_CHECK_NOTFOUND) {
		error_set(e, ret,
			  "unknown host key for %s: %s %s is not in %s. Check the fingerprint, then "
			  "run with --host-key accept-new to record it, or pin it with "
			  "--host-key fingerprint:%s",
			  name, hostkey_type_name(type), fp.buf, o->known_hosts, fp.buf);
	} else {
		error_set(e, ret, "cannot check the host key of %s: %s", name, ssh_errmsg(s));
	}
out:
	if (kh)
		libssh2_knownhost_free(kh);
	strbuf_release(&fp);
	strbuf_release(&types);
	free(name);
	return ret;
}

/*
 * Set a method preference, keeping only what this libssh2 supports: 1.10
 * drops unknown names itself with an overlapping memcpy.
 */
static void set_pref(LIBSSH2_SESSION *s, int method, const char *wanted)
{
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(s, method, &algs);
	struct strbuf pref = STRBUF_INIT;
	char *list = xstrdup(wanted);

	for (char *name = list, *next; name && *name; name = next) {
		next = strchr(name, ',');
		if (next)
			*next++ = '\0';
		for (int i = 0; i < n; i++)
			if (!strcmp(algs[i], name)) {
				strbuf_addf(&pref, "%s%s", pref.len ? "," : "", name);
				break;
			}
	}
	if (pref.len)
		libssh2_session_method_pref(s, method, pref.buf);
	if (n > 0)
		libssh2_free(s, (void *)algs);
	strbuf_release(&pref);
	free(list);
}

/* Prefer the host key types known_hosts lists for this host, as OpenSSH does. */
static void prefer_known_types(LIBSSH2_SESSION *s, const struct ssh_opts *o, const struct target *t)
{
	static const char *const all[] = { "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
					   "ecdsa-sha2-nistp521", "rsa-sha2-512", "rsa-sha2-256",
					   "ssh-rsa", NULL };
	struct strbuf types = STRBUF_INIT, pref = STRBUF_INIT;
	char *name = known_name(t);

	if (o->hostkey == HOSTKEY_STRICT || o->hostkey == HOSTKEY_ACCEPT_NEW) {
		static const struct {
			int bit;
			const char *name;
		} kt[] = {
			{ LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519" },
			{ LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256" },
			{ LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384" },
			{ LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521" },
			{ LIBSSH2_KNOWNHOST_KEY_SSHRSA, "ssh-rsa" },
		};
		LIBSSH2_KNOWNHOSTS *kh = load_known_hosts(s, o->known_hosts, name, &types);
		/*
		 * Hashed entries hide the host name from load_known_hosts: ask
		 * libssh2, with a dummy key, whether the host has a key of each
		 * type (a mismatch means it has one).
		 */
		for (size_t i = 0; kh && i < ARRAY_SIZE(kt); i++) {
			int r = libssh2_knownhost_checkp(kh, t->host, t->port, "x", 1,
							 LIBSSH2_KNOWNHOST_TYPE_PLAIN |
								 LIBSSH2_KNOWNHOST_KEYENC_RAW | kt[i].bit,
							 NULL);
			if (r == LIBSSH2_KNOWNHOST_CHECK_MISMATCH || r == LIBSSH2_KNOWNHOST_CHECK_MATCH)
				strbuf_addf(&types, "%s%s", types.len ? "," : "", kt[i].name);
		}
		if (kh)
			libssh2_knownhost_free(kh);
	}
	/* with no type known (or a pin, or off): OpenSSH's order, ed25519 first */
	/* known types first (ssh-rsa keys also verify rsa-sha2-*), then the rest */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; all[i]; i++) {
			const char *match = str_starts_with(all[i], "rsa-sha2") ? "ssh-rsa" : all[i];
			int known = types.len && strstr(types.buf, match) != NULL;
			if (known == (pass == 0))
				strbuf_addf(&pref, "%s%s", pref.len ? "," : "", all[i]);
		}
	}
	set_pref(s, LIBSSH2_METHOD_HOSTKEY, pref.buf);
	strbuf_release(&types);
	strbuf_release(&pref);
	free(name);
}

/* ---- authentication ---- */

struct kbdint_ctx {
	const char *password;
	int answered;
};

static void kbdint_cb(const char *name, int name_len, const char *instruction, int instruction_len,
		      int num_prompts, const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
		      LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	struct ssh_conn *c = *abstract;
	(void)name;
	(void)name_len;
	(void)instruction;
	(void)instruction_len;
	(void)prompts;
	for (int i = 0; i < num_prompts; i++) {
		/* answer every prompt with the password (libssh2 frees the text) */
		const char *pw = c->o->auth.password ? c->o->auth.password : "";
		size_t n = strlen(pw);
		responses[i].text = malloc(n + 1);
		if (!responses[i].text) {
			responses[i].length = 0;
			continue;
		}
		memcpy(responses[i].text, pw, n + 1);
		responses[i].length = (unsigned)n;
	}
}

/* Run an auth call to completion in non-blocking mode; returns its result. */
#define NB_CALL(rc, s, sock, deadline, call)                                    \
	do {                                                                    \
		while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN)                 \
			if (wait_socket((s), (sock), (deadline), 0) < 0)        \
				break;                                          \
	} while (0)

static int try_agent_rsa_sha2(struct ssh_conn *c, const char *user, const unsigned char *blob,
			      size_t blob_len);

/* 1 when a key of the agent logged in (*sha2 set when by try_agent_rsa_sha2), else 0. */
static int try_agent(struct ssh_conn *c, const char *user, long long deadline, struct strbuf *tried,
		     int *sha2)
{
	LIBSSH2_AGENT *agent = libssh2_agent_init(c->s);
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int ok = 0, rc;

	*sha2 = 0;
	if (!agent)
		return 0;
	libssh2_session_set_blocking(c->s, 1);
	if (libssh2_agent_connect(agent) == 0 && libssh2_agent_list_identities(agent) == 0) {
		strbuf_addf(tried, "%sssh-agent", tried->len ? ", " : "");
		while (!ok && libssh2_agent_get_identity(agent, &id, prev) == 0) {
			ok = *sha2 = try_agent_rsa_sha2(c, user, id->blob, id->blob_len);
			if (!ok) {
				rc = libssh2_agent_userauth(agent, user, id);
				ok = rc == 0;
			}
			prev = id;
		}
		libssh2_agent_disconnect(agent);
	}
	libssh2_agent_free(agent);
	libssh2_session_set_blocking(c->s, 0);
	(void)deadline;
	return ok;
}

/* The methods the server accepts, asked once it matters (owned by the caller). */
static char *auth_methods(struct ssh_conn *c, const char *user, long long deadline)
{
	const char *list;
	while (!(list = libssh2_userauth_list(c->s, user, (unsigned)strlen(user))) &&
	       libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, 0) < 0)
			break;
	return xstrdup(list ? list : "unknown");
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/*
 * Whether a private key (PEM text) is an RSA key, to explain a refusal: the
 * old PEM header says so; an OpenSSH key names its type in the unencrypted
 * public part near the start of its base64 body.
 */
static int key_is_rsa(const char *pem, size_t len)
{
	static const char openssh[] = "-----BEGIN OPENSSH PRIVATE KEY-----";
	unsigned char bin[192];
	size_t n = 0;
	unsigned acc = 0;
	int bits = 0;

	if (mem_find(pem, len, "BEGIN RSA PRIVATE KEY", 21))
		return 1;
	const char *p = mem_find(pem, len, openssh, sizeof(openssh) - 1);
	if (!p)
		return 0;
	for (p += sizeof(openssh) - 1; p < pem + len && n < sizeof(bin); p++) {
		int v = b64val(*p);
		if (v < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bin[n++] = (unsigned char)(acc >> bits);
		}
	}
	return mem_find((const char *)bin, n, "ssh-rsa", 7) != NULL;
}

/* ---- rsa-sha2 for RSA keys, where libssh2 cannot ---- */

/*
 * libssh2 before 1.11 signs RSA keys with ssh-rsa (SHA-1) only, which
 * OpenSSH 8.8 and later refuse by default. For an RSA key lib/rsa-key.c can
 * read (PEM, PKCS#1 as Packer's build.SSHPrivateKey and the key pairs of
 * cloud consoles are, or PKCS#8; or OpenSSH's format, unencrypted),
 * shelfready signs with rsa-sha2-512 itself, through libssh2's
 * sign-callback API.
 * libssh2 1.10 takes the algorithm name of the request from the type field
 * of the key blob it is given, so that blob starts with "rsa-sha2-512"
 * where RFC 8332 has "ssh-rsa": OpenSSH 7.2 and later read that name as an
 * RSA key and check the signature as rsa-sha2-512. A server that does not
 * is offered the library's own ssh-rsa next.
 */
#define RSA_SHA2_ALG "rsa-sha2-512"

static int rsa_sign_cb(LIBSSH2_SESSION *s, unsigned char **sig, size_t *sig_len,
		       const unsigned char *data, size_t data_len, void **abstract)
{
	(void)s;
	/* the signature is freed by libssh2 with the default allocator: malloc's */
	return rsa_key_sign(*abstract, RSA_SHA2_ALG, data, data_len, sig, sig_len) ? -1 : 0;
}

/*
 * Authenticate with an RSA key's text by rsa-sha2-512: 1 done, 0 not
 * (*unreadable set when the key cannot be read, an encrypted OpenSSH-format
 * one).
 */
static int try_rsa_sha2(struct ssh_conn *c, const char *user, const char *pem, size_t len,
			const char *passphrase, long long deadline, int *unreadable)
{
	struct rsa_key *k = NULL;
	unsigned char *blob = NULL;
	size_t blen = 0;
	char *why = NULL;
	void *abstract;
	int rc, ok = 0;

	if (libssh2_version(0x010b00))
		return 0; /* the library signs with rsa-sha2 itself */
	if (rsa_key_load(pem, len, passphrase, &k, &why) < 0) {
		*unreadable = 1;
		goto out;
	}
	blob = rsa_key_blob(k, RSA_SHA2_ALG, &blen);
	if (!blob)
		goto out;
	abstract = k;
	NB_CALL(rc, c->s, c->sock, deadline,
		libssh2_userauth_publickey(c->s, user, blob, blen, rsa_sign_cb, &abstract));
	ok = rc == 0;
out:
	free(why);
	free(blob);
	rsa_key_free(k);
	return ok;
}

/* For an agent's RSA key: the agent's blob and socket, for agent_sign_cb. */
struct agent_key {
	const unsigned char *blob;
	size_t len;
	const char *sock;
};

static int agent_sign_cb(LIBSSH2_SESSION *s, unsigned char **sig, size_t *sig_len,
			 const unsigned char *data, size_t data_len, void **abstract)
{
	const struct agent_key *k = *abstract;
	char *why = NULL;
	int r;

	(void)s;
	r = agent_sign(k->sock, k->blob, k->len, data, data_len, RSA_SHA2_ALG, 30000, sig, sig_len,
		       &why);
	free(why);
	return r ? -1 : 0;
}

/*
 * An RSA key held by the agent, signed by the agent with rsa-sha2-512 (it
 * is asked for that by name) where libssh2 would ask it for ssh-rsa: 1 when
 * it logged in. The session is in blocking mode here, as for the agent.
 */
static int try_agent_rsa_sha2(struct ssh_conn *c, const char *user, const unsigned char *blob,
			      size_t blob_len)
{
	static const char ssh_rsa[] = "\0\0\0\7ssh-rsa";
	struct agent_key k = { blob, blob_len, getenv("SSH_AUTH_SOCK") };
	struct strbuf sb = STRBUF_INIT;
	void *abstract = &k;
	int ok;

	if (libssh2_version(0x010b00) || blob_len < 11 || memcmp(blob, ssh_rsa, 11) || !k.sock)
		return 0;
	/* the same key under the algorithm's name: see the top of this section */
	strbuf_add(&sb, "\0\0\0\14" RSA_SHA2_ALG, 16);
	strbuf_add(&sb, (const char *)blob + 11, blob_len - 11);
	ok = libssh2_userauth_publickey(c->s, user, (const unsigned char *)sb.buf, sb.len,
					agent_sign_cb, &abstract) == 0;
	strbuf_release(&sb);
	return ok;
}

/* A key file: 1 when it is an RSA key and rsa-sha2 authenticated with it. */
static int try_rsa_sha2_file(struct ssh_conn *c, const char *user, const char *path,
			     const char *passphrase, long long deadline, int *unreadable)
{
	char *data = NULL;
	size_t len = 0;
	int ok = 0;

	if (read_file(path, 1u << 20, &data, &len) < 0)
		return 0;
	if (key_is_rsa(data, len))
		ok = try_rsa_sha2(c, user, data, len, passphrase, deadline, unreadable);
	/* private key material: not left in freed memory */
	memset(data, 0, len);
	free(data);
	return ok;
}

static int authenticate(struct ssh_conn *c, const struct target *t, struct error *e)
{
	const struct ssh_auth *a = &c->o->auth;
	const char *user = t->user;
	unsigned ulen = (unsigned)strlen(user);
	long long deadline = now_ms() + (long long)c->o->connect_timeout * 1000 + 30000;
	struct strbuf tried = STRBUF_INIT;
	char *methods = NULL;
	int rc, ret = SR_ERR_AUTH, rsa_unreadable = 0, sha2 = 0;

	/*
	 * Asking the server for its methods first would cost a round trip on
	 * every connection: try what we were given, and ask only to explain a
	 * failure.
	 */
	if (!a->no_agent && getenv("SSH_AUTH_SOCK") && try_agent(c, user, deadline, &tried, &sha2)) {
		c->auth_method = xstrdup(sha2 ? "publickey (ssh-agent, " RSA_SHA2_ALG ")"
					      : "publickey (ssh-agent)");
		goto ok;
	}
	if (a->identity_file) {
		strbuf_addf(&tried, "%skey file %s", tried.len ? ", " : "", a->identity_file);
		if (try_rsa_sha2_file(c, user, a->identity_file, a->passphrase, deadline,
				      &rsa_unreadable)) {
			c->auth_method = xasprintf("publickey (%s, " RSA_SHA2_ALG ")", a->identity_file);
			goto ok;
		}
		NB_CALL(rc, c->s, c->sock, deadline,
			libssh2_userauth_publickey_fromfile_ex(c->s, user, ulen, NULL, a->identity_file,
							       a->passphrase));
		if (rc == 0) {
			c->auth_method = xasprintf("publickey (%s)", a->identity_file);
			goto ok;
		}
		if (rc == LIBSSH2_ERROR_FILE) {
			error_set(e, ret, "cannot use the key file '%s': %s%s", a->identity_file, ssh_errmsg(c->s),
				  a->passphrase ? "" : " (if it has a passphrase, pass it with --key-passphrase-env)");
			goto out;
		}
	}
	if (!a->identity_file && !a->key_pem) {
		/* OpenSSH's default identities */
		static const char *const defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa", NULL };
		const char *home = getenv("HOME");
		for (size_t i = 0; home && defaults[i]; i++) {
			char *path = xasprintf("%s/.ssh/%s", home, defaults[i]);
			if (access(path, R_OK) == 0) {
				strbuf_addf(&tried, "%skey file %s", tried.len ? ", " : "", path);
				if (try_rsa_sha2_file(c, user, path, a->passphrase, deadline,
						      &rsa_unreadable)) {
					c->auth_method = xasprintf("publickey (%s, " RSA_SHA2_ALG ")", path);
					free(path);
					goto ok;
				}
				NB_CALL(rc, c->s, c->sock, deadline,
					libssh2_userauth_publickey_fromfile_ex(c->s, user, ulen, NULL, path,
									       a->passphrase));
				if (rc == 0) {
					c->auth_method = xasprintf("publickey (%s)", path);
					free(path);
					goto ok;
				}
			}
			free(path);
		}
	}
	if (a->key_pem) {
		strbuf_addf(&tried, "%skey from the environment", tried.len ? ", " : "");
		if (key_is_rsa(a->key_pem, a->key_pem_len)) {
			if (try_rsa_sha2(c, user, a->key_pem, a->key_pem_len, a->passphrase, deadline,
					 &rsa_unreadable)) {
				c->auth_method =
					xstrdup("publickey (key from the environment, " RSA_SHA2_ALG ")");
				goto ok;
			}
		}
		NB_CALL(rc, c->s, c->sock, deadline,
			libssh2_userauth_publickey_frommemory(c->s, user, ulen, NULL, 0, a->key_pem,
							      a->key_pem_len, a->passphrase));
		if (rc == 0) {
			c->auth_method = xstrdup("publickey (key from the environment)");
			goto ok;
		}
		if (rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED) {
			error_set(e, ret, "cannot use the private key from the environment: %s", ssh_errmsg(c->s));
			goto out;
		}
	}
	if (a->password) {
		strbuf_addf(&tried, "%spassword", tried.len ? ", " : "");
		NB_CALL(rc, c->s, c->sock, deadline,
			libssh2_userauth_password_ex(c->s, user, ulen, a->password,
						     (unsigned)strlen(a->password), NULL));
		if (rc == 0) {
			c->auth_method = xstrdup("password");
			goto ok;
		}
		/*
		 * Keyboard-interactive only for servers that take no plain
		 * password: a wrong password must not count as two failures.
		 */
		methods = auth_methods(c, user, deadline);
		if (!strstr(methods, "password") && strstr(methods, "keyboard-interactive")) {
			strbuf_addf(&tried, ", keyboard-interactive");
			NB_CALL(rc, c->s, c->sock, deadline,
				libssh2_userauth_keyboard_interactive_ex(c->s, user, ulen, kbdint_cb));
			if (rc == 0) {
				c->auth_method = xstrdup("keyboard-interactive");
				goto ok;
			}
		}
	}
	if (libssh2_session_last_errno(c->s) && is_disconnect(libssh2_session_last_errno(c->s))) {
		error_set(e, SR_ERR_CONNECT, "connection to %s lost during authentication: %s", c->display,
			  ssh_errmsg(c->s));
		goto out;
	}
	if (!methods)
		methods = auth_methods(c, user, deadline);
	error_set(e, ret, "authentication as '%s' to %s failed (server accepts: %s; tried: %s)%s", user,
		  c->display, methods, tried.len ? tried.buf : "nothing: give -i, --key-env or --password-env",
		  rsa_unreadable && !libssh2_version(0x010b00)
			  ? "; note: this libssh2 signs RSA keys with SHA-1 (ssh-rsa), which OpenSSH 8.8 "
			    "and later refuse by default; shelfready signs with rsa-sha2 itself for RSA "
			    "keys in PEM form and for unencrypted ones in OpenSSH's format, not for an "
			    "encrypted OpenSSH-format key: convert the key to PEM with 'ssh-keygen -p -m "
			    "PEM -f KEY', load it into ssh-agent, or use an ed25519 or ECDSA key"
			  : "");
	goto out;
ok:
	ret = 0;
out:
	free(methods);
	strbuf_release(&tried);
	return ret;
}

/* ---- sessions ---- */

/*
 * Free a session or channel. In non-blocking mode libssh2 may answer EAGAIN
 * (a channel still to be closed) and free nothing: retry within a bound, then
 * finish in blocking mode with a short timeout so nothing is leaked.
 */
static void session_free_all(LIBSSH2_SESSION *s, int sock)
{
	long long deadline = now_ms() + 1000;
	while (libssh2_session_free(s) == LIBSSH2_ERROR_EAGAIN) {
		if (wait_socket(s, sock, deadline, 0) < 0) {
			libssh2_session_set_timeout(s, 1000);
			libssh2_session_set_blocking(s, 1);
			libssh2_session_free(s);
			return;
		}
	}
}

static void channel_free_all(LIBSSH2_SESSION *s, int sock, LIBSSH2_CHANNEL *ch)
{
	long long deadline = now_ms() + 1000;
	while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN) {
		if (wait_socket(s, sock, deadline, 0) < 0) {
			libssh2_session_set_timeout(s, 1000);
			libssh2_session_set_blocking(s, 1);
			libssh2_channel_free(ch);
			libssh2_session_set_blocking(s, 0);
			return;
		}
	}
}

static int session_open(struct ssh_conn *c, int sock, const struct target *t, LIBSSH2_SESSION **out,
			struct error *e)
{
	LIBSSH2_SESSION *s = libssh2_session_init_ex(NULL, NULL, NULL, c);
	long long deadline = now_ms() + (long long)c->o->connect_timeout * 1000;
	int rc;

	if (!s)
		return error_set(e, SR_ERR_CONNECT, "cannot create an SSH session");
	libssh2_session_set_blocking(s, 0);
	/* fast, modern key exchange first (libssh2 otherwise starts with group exchange) */
	set_pref(s, LIBSSH2_METHOD_KEX,
		 "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,"
		 "ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group16-sha512,"
		 "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256,"
		 "diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha1,"
		 "diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1");
	prefer_known_types(s, c->o, t);
	while ((rc = libssh2_session_handshake(s, sock)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(s, sock, deadline, 0) < 0)
			break;
	if (rc) {
		char *d = target_display(t);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			error_set(e, SR_ERR_CONNECT, "%s did not complete the SSH handshake within %d s", d,
				  c->o->connect_timeout);
		else
			error_set(e, SR_ERR_CONNECT, "SSH handshake with %s failed: %s", d, ssh_errmsg(s));
		free(d);
		session_free_all(s, sock);
		return SR_ERR_CONNECT;
	}
	*out = s;
	return 0;
}

static void session_end(LIBSSH2_SESSION *s, int sock, const char *why)
{
	if (!s)
		return;
	/* best effort, bounded: do not hang on a dead peer */
	long long deadline = now_ms() + 1000;
	while (libssh2_session_disconnect(s, why) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(s, sock, deadline, 0) < 0)
			break;
	session_free_all(s, sock);
}

static void *pump_run(void *arg)
{
	struct pump *p = arg;
	char up[IO_CHUNK], down[IO_CHUNK];
	size_t uplen = 0, downlen = 0, downoff = 0;
	int local_eof = 0, progress = 0;

	while (!p->stop) {
		struct pollfd fds[2] = { { p->fd, 0, 0 }, { p->sock, POLLIN, 0 } };
		if (!local_eof && uplen == 0)
			fds[0].events |= POLLIN;
		if (downlen > downoff)
			fds[0].events |= POLLOUT;
		if (libssh2_session_block_directions(p->session) & LIBSSH2_SESSION_BLOCK_OUTBOUND)
			fds[1].events |= POLLOUT;
		int next = 0;
		if (p->keepalive)
			libssh2_keepalive_send(p->session, &next);
		/* libssh2 may hold data it read already: only sleep when nothing moved */
		if (poll(fds, 2, progress ? 0 : 200) < 0 && errno != EINTR)
			break;
		progress = 0;
		/* local -> channel */
		if (!local_eof && uplen == 0 && (fds[0].revents & (POLLIN | POLLHUP))) {
			ssize_t n = read(p->fd, up, sizeof(up));
			if (n > 0) {
				uplen = (size_t)n;
				progress = 1;
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				local_eof = 1;
				libssh2_channel_send_eof(p->chan);
			}
		}
		while (uplen) {
			ssize_t w = libssh2_channel_write(p->chan, up, uplen);
			if (w == LIBSSH2_ERROR_EAGAIN)
				break;
			if (w < 0)
				goto done;
			memmove(up, up + w, uplen - (size_t)w);
			uplen -= (size_t)w;
			progress = 1;
		}
		/* channel -> local */
		if (downlen == downoff) {
			downlen = downoff = 0;
			ssize_t n = libssh2_channel_read(p->chan, down, sizeof(down));
			if (n > 0) {
				downlen = (size_t)n;
				progress = 1;
			} else if (n == 0 && libssh2_channel_eof(p->chan))
				goto done;
			else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
				goto done;
		}
		while (downlen > downoff) {
			ssize_t w = write(p->fd, down + downoff, downlen - downoff);
			if (w < 0) {
				if (errno == EAGAIN || errno == EINTR)
					break;
				goto done;
			}
			downoff += (size_t)w;
			progress = 1;
		}
	}
done:
	shutdown(p->fd, SHUT_RDWR);
	return NULL;
}

static void pump_stop(struct pump *p)
{
	if (!p)
		return;
	p->stop = 1;
	pthread_join(p->thread, NULL);
	channel_free_all(p->session, p->sock, p->chan);
	close(p->fd);
	session_end(p->session, p->sock, "done");
	close(p->sock);
	free(p);
}

/* Connect to the jump host and open a direct-tcpip channel to the target. */
static int jump_open(struct ssh_conn *c, int *sock_out, struct error *e)
{
	const struct ssh_opts *o = c->o;
	struct pump *p = xcalloc(1, sizeof(*p));
	int sv[2] = { -1, -1 }, ret, jsock = -1;
	char *jdisp = target_display(&o->jump);

	p->sock = -1;
	p->fd = -1;
	ret = tcp_connect(o->jump.host, o->jump.port, o->connect_timeout, &jsock, e);
	if (!ret) {
		p->sock = jsock;
		ret = session_open(c, jsock, &o->jump, &p->session, e);
	}
	if (!ret)
		ret = verify_host_key(p->session, o, &o->jump, e);
	if (ret) {
		error_prefix(e, "jump host %s", jdisp);
		goto fail;
	}
	{
		/* authenticate on the jump host with the same options */
		LIBSSH2_SESSION *saved = c->s;
		int saved_sock = c->sock;
		char *saved_disp = c->display;
		c->s = p->session;
		c->sock = jsock;
		c->display = jdisp;
		ret = authenticate(c, &o->jump, e);
		free(c->auth_method);
		c->auth_method = NULL;
		c->s = saved;
		c->sock = saved_sock;
		c->display = saved_disp;
		if (ret) {
			error_prefix(e, "jump host %s", jdisp);
			goto fail;
		}
	}
	long long deadline = now_ms() + (long long)o->connect_timeout * 1000;
	while (!(p->chan = libssh2_channel_direct_tcpip_ex(p->session, o->target.host, o->target.port,
							    "127.0.0.1", 22)) &&
	       libssh2_session_last_errno(p->session) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(p->session, jsock, deadline, 0) < 0)
			break;
	if (!p->chan) {
		ret = error_set(e, SR_ERR_CONNECT, "jump host %s cannot reach %s port %d: %s", jdisp,
				o->target.host, o->target.port, ssh_errmsg(p->session));
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = error_set(e, SR_ERR_CONNECT, "socketpair: %s", strerror(errno));
		goto fail;
	}
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	p->fd = sv[1];
	p->keepalive = o->keepalive;
	if (o->keepalive)
		libssh2_keepalive_config(p->session, 1, (unsigned)o->keepalive);
	if (pthread_create(&p->thread, NULL, pump_run, p) != 0) {
		ret = error_set(e, SR_ERR_CONNECT, "cannot start the jump host relay");
		goto fail;
	}
	c->pump = p;
	*sock_out = sv[0];
	free(jdisp);
	return 0;
fail:
	if (sv[0] >= 0)
		close(sv[0]);
	if (sv[1] >= 0)
		close(sv[1]);
	if (p->chan)
		channel_free_all(p->session, jsock, p->chan);
	if (p->session)
		session_end(p->session, jsock, "failed");
	if (jsock >= 0)
		close(jsock);
	free(p);
	free(jdisp);
	return ret;
}

static void disconnect(struct ssh_conn *c)
{
	if (c->s)
		session_end(c->s, c->sock, "shelfready done");
	c->s = NULL;
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	pump_stop(c->pump);
	c->pump = NULL;
	free(c->auth_method);
	c->auth_method = NULL;
}

static int connect_once(struct ssh_conn *c, struct error *e)
{
	const struct ssh_opts *o = c->o;
	int ret, sock = -1;

	if (o->jump.host)
		ret = jump_open(c, &sock, e);
	else
		ret = tcp_connect(o->target.host, o->target.port, o->connect_timeout, &sock, e);
	if (ret)
		return ret;
	c->sock = sock;
	ret = session_open(c, sock, &o->target, &c->s, e);
	if (ret)
		goto fail;
	ret = verify_host_key(c->s, o, &o->target, e);
	if (ret)
		goto fail;
	ret = authenticate(c, &o->target, e);
	if (ret)
		goto fail;
	if (o->keepalive)
		libssh2_keepalive_config(c->s, 1, (unsigned)o->keepalive);
	return 0;
fail:
	disconnect(c);
	return ret;
}

/* Retry refused or silent connections with backoff until wait seconds pass. */
static int connect_retry(struct ssh_conn *c, int wait, struct error *e)
{
	long long deadline = now_ms() + (long long)wait * 1000;
	long long delay = 250;
	int attempts = 0;

	for (;;) {
		int ret = connect_once(c, e);
		attempts++;
		long long left = deadline - now_ms();
		if (ret != SR_ERR_CONNECT || left <= 0) {
			if (ret && attempts > 1)
				error_prefix(e, "gave up after %d attempts in %d s", attempts, wait);
			return ret;
		}
		if (delay > left)
			delay = left; /* one last attempt at the deadline */
		struct timespec ts = { (time_t)(delay / 1000), (long)(delay % 1000) * 1000000L };
		nanosleep(&ts, NULL);
		delay = delay * 2 > 5000 ? 5000 : delay * 2;
	}
}

static int lib_init(struct error *e)
{
	static int done;
	if (done)
		return 0;
	if (libssh2_init(0) != 0)
		return error_set(e, SR_ERR_CONNECT, "cannot initialise libssh2");
	done = 1;
	return 0;
}

int ssh_connect(const struct ssh_opts *o, struct ssh_conn **out, struct error *e)
{
	struct ssh_conn *c;
	int ret = lib_init(e);

	if (ret)
		return ret;
	if (!o->target.user || !o->target.host)
		return error_set(e, SR_ERR_USAGE, "no user or host to connect to");
	c = xcalloc(1, sizeof(*c));
	c->o = o;
	c->sock = -1;
	c->display = target_display(&o->target);
	ret = connect_retry(c, o->wait, e);
	if (ret) {
		ssh_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

int ssh_reconnect(struct ssh_conn *c, int wait, struct error *e)
{
	disconnect(c);
	return connect_retry(c, wait, e);
}

void ssh_close(struct ssh_conn *c)
{
	if (!c)
		return;
	disconnect(c);
	free(c->display);
	free(c);
}

const char *ssh_auth_method(const struct ssh_conn *c)
{
	return c->auth_method ? c->auth_method : "";
}

int ssh_uses_sudo(const struct ssh_conn *c)
{
	return c->o->sudo;
}

unsigned ssh_channels_opened(const struct ssh_conn *c)
{
	return c->channels;
}

/* ---- exec ---- */

char *shell_heredoc_eof(const char *text)
{
	char *eof = xstrdup("SHELFREADY_EOF");
	for (unsigned n = 1; strstr(text, eof); n++) {
		free(eof);
		eof = xasprintf("SHELFREADY_EOF_%u", n);
	}
	return eof;
}

void shell_quote(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

void term_sanitize(struct strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '\t' || (ch >= 0x20 && ch != 0x7f))
			strbuf_addch(sb, (char)ch);
		else if (ch == 0x7f)
			strbuf_addstr(sb, "^?");
		else {
			strbuf_addch(sb, '^');
			strbuf_addch(sb, (char)(ch + '@'));
		}
	}
}

void exec_result_release(struct exec_result *r)
{
	if (!r)
		return;
	free(r->signal);
	strbuf_release(&r->out);
	strbuf_release(&r->err);
	memset(r, 0, sizeof(*r));
}

/* The command as sent: through sudo when asked; the password only ever on stdin. */
static char *wrap_command(const struct ssh_conn *c, const char *command, int no_sudo, int *pw_line)
{
	struct strbuf sb = STRBUF_INIT;
	*pw_line = 0;
	if (!c->o->sudo || no_sudo)
		return xstrdup(command);
	if (!c->o->sudo_password) {
		strbuf_addstr(&sb, "exec sudo -n -- sh -c ");
		shell_quote(&sb, command);
		return strbuf_detach(&sb);
	}
	/*
	 * The first stdin line is the password. Without one needed (NOPASSWD),
	 * it is dropped; otherwise sudo -S reads it and the command the rest.
	 */
	*pw_line = 1;
	strbuf_addstr(&sb, "IFS= read -r p || exit 1; if sudo -n true 2>/dev/null; then unset p; "
			   "exec sudo -n -- sh -c ");
	shell_quote(&sb, command);
	/* check the password alone first: sudo -S would read the command's input as retries */
	strbuf_addstr(&sb, "; fi; printf '%s\\n' \"$p\" | sudo -k -S -p '' -v || { unset p; exit 1; }; "
			   "{ printf '%s\\n' \"$p\"; unset p; exec cat; } | sudo -k -S -p '' -- sh -c ");
	shell_quote(&sb, command);
	return strbuf_detach(&sb);
}

struct stream {
	struct strbuf *buf;
	size_t cap;
	int *truncated;
	size_t *total;
	struct strbuf line;
	int id;
};

static void stream_feed(struct stream *st, const struct exec_opts *o, const char *data, size_t n)
{
	*st->total += n;
	size_t room = st->buf->len < st->cap ? st->cap - st->buf->len : 0;
	if (n > room)
		*st->truncated = 1;
	strbuf_add(st->buf, data, n < room ? n : room);
	if (!o->on_line)
		return;
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			o->on_line(o->arg, st->id, st->line.buf ? st->line.buf : "", st->line.len);
			strbuf_reset(&st->line);
		} else if (st->line.len < 65536) {
			strbuf_addch(&st->line, data[i]);
		}
	}
}

static void stream_flush(struct stream *st, const struct exec_opts *o)
{
	if (o->on_line && st->line.len)
		o->on_line(o->arg, st->id, st->line.buf, st->line.len);
	strbuf_release(&st->line);
}

static int lost(struct ssh_conn *c, const char *command, int rc, struct error *e)
{
	(void)rc;
	return error_set(e, SR_ERR_CONNECT, "connection to %s lost while running '%.60s%s': %s", c->display,
			 command, strlen(command) > 60 ? "..." : "", ssh_errmsg(c->s));
}

int ssh_exec(struct ssh_conn *c, const char *command, const struct exec_opts *o,
	     struct exec_result *r, struct error *e)
{
	LIBSSH2_CHANNEL *ch = NULL;
	struct exec_result res;
	long long deadline = o->timeout ? now_ms() + (long long)o->timeout * 1000 : 0;
	long long open_deadline = now_ms() + (long long)c->o->connect_timeout * 1000;
	int pw_line = 0, rc, ret = 0;
	char *wire = NULL;
	struct strbuf input = STRBUF_INIT;
	size_t sent = 0;
	char buf[IO_CHUNK];

	memset(&res, 0, sizeof(res));
	res.status = -1;
	struct stream out = { &res.out, o->cap ? o->cap : EXEC_DEFAULT_CAP, &res.out_truncated,
			      &res.out_total, STRBUF_INIT, EXEC_STDOUT };
	struct stream err = { &res.err, o->cap ? o->cap : EXEC_DEFAULT_CAP, &res.err_truncated,
			      &res.err_total, STRBUF_INIT, EXEC_STDERR };
	if (!c->s)
		return error_set(e, SR_ERR_CONNECT, "not connected to %s", c->display);

	wire = wrap_command(c, command, o->no_sudo, &pw_line);
	if (pw_line) {
		strbuf_addstr(&input, c->o->sudo_password);
		strbuf_addch(&input, '\n');
	}
	if (o->input)
		strbuf_add(&input, o->input, o->input_len);

	while (!(ch = libssh2_channel_open_session(c->s)) &&
	       libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, open_deadline, c->o->keepalive) < 0)
			break;
	if (!ch) {
		rc = libssh2_session_last_errno(c->s);
		ret = is_disconnect(rc) || rc == LIBSSH2_ERROR_EAGAIN
			      ? lost(c, command, rc, e)
			      : error_set(e, SR_ERR_REMOTE, "cannot open a channel on %s: %s", c->display,
					  ssh_errmsg(c->s));
		goto out;
	}
	c->channels++;
	while ((rc = libssh2_channel_exec(ch, wire)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, open_deadline, c->o->keepalive) < 0)
			break;
	if (rc) {
		ret = is_disconnect(rc) || rc == LIBSSH2_ERROR_EAGAIN
			      ? lost(c, command, rc, e)
			      : error_set(e, SR_ERR_REMOTE, "%s refused to run the command: %s", c->display,
					  ssh_errmsg(c->s));
		goto out;
	}
	int eof_sent = input.len == 0;
	if (eof_sent)
		while (libssh2_channel_send_eof(ch) == LIBSSH2_ERROR_EAGAIN)
			if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0)
				break;
	for (;;) {
		int progress = 0;
		if (!eof_sent) {
			ssize_t w = libssh2_channel_write(ch, input.buf + sent, input.len - sent);
			if (w > 0) {
				sent += (size_t)w;
				progress = 1;
			} else if (w < 0 && w != LIBSSH2_ERROR_EAGAIN) {
				/* the command may exit without reading its input: not an error */
				sent = input.len;
			}
			if (sent == input.len) {
				rc = libssh2_channel_send_eof(ch);
				if (rc != LIBSSH2_ERROR_EAGAIN)
					eof_sent = 1;
			}
		}
		ssize_t n = libssh2_channel_read(ch, buf, sizeof(buf));
		if (n > 0) {
			stream_feed(&out, o, buf, (size_t)n);
			progress = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			ret = lost(c, command, (int)n, e);
			goto out;
		}
		n = libssh2_channel_read_stderr(ch, buf, sizeof(buf));
		if (n > 0) {
			stream_feed(&err, o, buf, (size_t)n);
			progress = 1;
		} else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			ret = lost(c, command, (int)n, e);
			goto out;
		}
		if (libssh2_channel_eof(ch))
			break;
		if (o->cancel && *o->cancel) {
			ret = error_set(e, SR_ERR_INTERRUPTED, "'%.60s%s' on %s: interrupted", command,
					strlen(command) > 60 ? "..." : "", c->display);
			goto out;
		}
		if (progress)
			continue;
		if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0) {
			ret = error_set(e, SR_ERR_TIMEOUT, "'%.60s%s' on %s did not finish within %d s", command,
					strlen(command) > 60 ? "..." : "", c->display, o->timeout);
			goto out;
		}
	}
	stream_flush(&out, o);
	stream_flush(&err, o);
	long long close_deadline = now_ms() + 5000;
	while ((rc = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, close_deadline, 0) < 0)
			break;
	while ((rc = libssh2_channel_wait_closed(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, close_deadline, 0) < 0)
			break;
	char *sig = NULL;
	size_t siglen = 0;
	libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL, NULL);
	if (sig) {
		res.signal = xstrndup(sig, siglen);
		libssh2_free(c->s, sig);
	} else {
		res.status = libssh2_channel_get_exit_status(ch);
	}
	if (pw_line && res.status == 1 && res.err.buf &&
	    (strstr(res.err.buf, "incorrect password") || strstr(res.err.buf, "Sorry, try again"))) {
		ret = error_set(e, SR_ERR_AUTH, "sudo on %s refused the password from --sudo-password-env",
				c->display);
		goto out;
	}
	if (!pw_line && c->o->sudo && !o->no_sudo && res.status == 1 && res.err.buf &&
	    strstr(res.err.buf, "sudo: a password is required")) {
		ret = error_set(e, SR_ERR_AUTH,
				"sudo on %s needs a password: pass it with --sudo-password-env VAR", c->display);
		goto out;
	}
	*r = res;
	memset(&res, 0, sizeof(res));
out:
	stream_flush(&out, o);
	stream_flush(&err, o);
	if (ch)
		channel_free_all(c->s, c->sock, ch);
	exec_result_release(&res);
	/* the password was in this buffer: clear it */
	if (input.buf)
		memset(input.buf, 0, input.len);
	strbuf_release(&input);
	free(wire);
	return ret;
}

/* ---- SFTP ---- */

static const char *sftp_errmsg(LIBSSH2_SFTP *sftp, LIBSSH2_SESSION *s)
{
	static const char *const names[] = {
		"ok", "end of file", "no such file", "permission denied", "failure", "bad message",
		"no connection", "connection lost", "operation unsupported", "invalid handle",
		"no such path", "file already exists", "write protected", "no media",
	};
	if (sftp && libssh2_session_last_errno(s) == LIBSSH2_ERROR_SFTP_PROTOCOL) {
		unsigned long code = libssh2_sftp_last_error(sftp);
		if (code < ARRAY_SIZE(names))
			return names[code];
	}
	return ssh_errmsg(s);
}

static int sftp_start(struct ssh_conn *c, LIBSSH2_SFTP **out, long long deadline, struct error *e)
{
	LIBSSH2_SFTP *sftp;
	if (!c->s)
		return error_set(e, SR_ERR_CONNECT, "not connected to %s", c->display);
	while (!(sftp = libssh2_sftp_init(c->s)) &&
	       libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0)
			break;
	if (!sftp)
		return error_set(e, is_disconnect(libssh2_session_last_errno(c->s)) ? SR_ERR_CONNECT : SR_ERR_REMOTE,
				 "cannot start SFTP on %s: %s", c->display, ssh_errmsg(c->s));
	c->channels++;
	*out = sftp;
	return 0;
}

static void sftp_stop(struct ssh_conn *c, LIBSSH2_SFTP *sftp)
{
	long long deadline = now_ms() + 5000;
	while (libssh2_sftp_shutdown(sftp) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, 0) < 0)
			break;
}

static void sftp_close(struct ssh_conn *c, LIBSSH2_SFTP_HANDLE *h)
{
	long long deadline = now_ms() + 5000;
	while (libssh2_sftp_close_handle(h) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, 0) < 0)
			break;
}

int ssh_upload(struct ssh_conn *c, const char *data, size_t len, const char *path, int mode,
	       struct error *e)
{
	LIBSSH2_SFTP *sftp = NULL;
	LIBSSH2_SFTP_HANDLE *h = NULL;
	long long deadline = now_ms() + 300000;
	char *tmp = NULL;
	int rc, ret;

	ret = sftp_start(c, &sftp, deadline, e);
	if (ret)
		return ret;
	const char *slash = strrchr(path, '/');
	tmp = xasprintf("%.*s.%s.shelfready-%ld", slash ? (int)(slash - path + 1) : 0, path,
			slash ? slash + 1 : path, (long)getpid());
	while (!(h = libssh2_sftp_open_ex(sftp, tmp, (unsigned)strlen(tmp),
					  LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC,
					  0600, LIBSSH2_SFTP_OPENFILE)) &&
	       libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0)
			break;
	if (!h) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot create '%s' on %s: %s", tmp, c->display,
				sftp_errmsg(sftp, c->s));
		goto out;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = libssh2_sftp_write(h, data + off, len - off);
		if (w == LIBSSH2_ERROR_EAGAIN) {
			if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0) {
				ret = error_set(e, SR_ERR_TIMEOUT, "upload of '%s' timed out", path);
				goto out;
			}
			continue;
		}
		if (w < 0) {
			ret = error_set(e, SR_ERR_REMOTE, "cannot write '%s' on %s: %s", tmp, c->display,
					sftp_errmsg(sftp, c->s));
			goto out;
		}
		off += (size_t)w;
	}
	LIBSSH2_SFTP_ATTRIBUTES attrs;
	memset(&attrs, 0, sizeof(attrs));
	attrs.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	attrs.permissions = (unsigned long)mode;
	while ((rc = libssh2_sftp_fsetstat(h, &attrs)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, 0) < 0)
			break;
	if (rc) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot set the mode of '%s' on %s: %s", tmp, c->display,
				sftp_errmsg(sftp, c->s));
		goto out;
	}
	sftp_close(c, h);
	h = NULL;
	/* SFTP v3 (OpenSSH) will not rename over an existing file: remove it first */
	while ((rc = libssh2_sftp_rename_ex(sftp, tmp, (unsigned)strlen(tmp), path, (unsigned)strlen(path),
					    LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
						    LIBSSH2_SFTP_RENAME_NATIVE)) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, 0) < 0)
			break;
	if (rc) {
		while (libssh2_sftp_unlink_ex(sftp, path, (unsigned)strlen(path)) == LIBSSH2_ERROR_EAGAIN)
			if (wait_socket(c->s, c->sock, deadline, 0) < 0)
				break;
		while ((rc = libssh2_sftp_rename_ex(sftp, tmp, (unsigned)strlen(tmp), path,
						    (unsigned)strlen(path), 0)) == LIBSSH2_ERROR_EAGAIN)
			if (wait_socket(c->s, c->sock, deadline, 0) < 0)
				break;
	}
	if (rc) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot rename '%s' to '%s' on %s: %s", tmp, path, c->display,
				sftp_errmsg(sftp, c->s));
		while (libssh2_sftp_unlink_ex(sftp, tmp, (unsigned)strlen(tmp)) == LIBSSH2_ERROR_EAGAIN)
			if (wait_socket(c->s, c->sock, deadline, 0) < 0)
				break;
		goto out;
	}
	ret = 0;
out:
	if (h)
		sftp_close(c, h);
	sftp_stop(c, sftp);
	free(tmp);
	return ret;
}

int ssh_download(struct ssh_conn *c, const char *path, size_t max, char **data, size_t *len,
		 struct error *e)
{
	LIBSSH2_SFTP *sftp = NULL;
	LIBSSH2_SFTP_HANDLE *h = NULL;
	long long deadline = now_ms() + 300000;
	struct strbuf sb = STRBUF_INIT;
	char buf[IO_CHUNK];
	int ret = sftp_start(c, &sftp, deadline, e);

	if (ret)
		return ret;
	while (!(h = libssh2_sftp_open_ex(sftp, path, (unsigned)strlen(path), LIBSSH2_FXF_READ, 0,
					  LIBSSH2_SFTP_OPENFILE)) &&
	       libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
		if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0)
			break;
	if (!h) {
		ret = error_set(e, SR_ERR_REMOTE, "cannot open '%s' on %s: %s", path, c->display,
				sftp_errmsg(sftp, c->s));
		goto out;
	}
	for (;;) {
		ssize_t n = libssh2_sftp_read(h, buf, sizeof(buf));
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (wait_socket(c->s, c->sock, deadline, c->o->keepalive) < 0) {
				ret = error_set(e, SR_ERR_TIMEOUT, "download of '%s' timed out", path);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			ret = error_set(e, SR_ERR_REMOTE, "cannot read '%s' on %s: %s", path, c->display,
					sftp_errmsg(sftp, c->s));
			goto out;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > max) {
			ret = error_set(e, SR_ERR_REMOTE, "'%s' on %s is larger than %zu bytes", path, c->display,
					max);
			goto out;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	*len = sb.len;
	*data = strbuf_detach(&sb);
	ret = 0;
out:
	if (h)
		sftp_close(c, h);
	sftp_stop(c, sftp);
	strbuf_release(&sb);
	return ret;
}
