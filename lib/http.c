/*
 * HTTP(S) GET over libcurl; libcurl's errors become text here, once.
 *
 * libcurl is loaded when the first client is made, not linked: its library
 * and the two dozen it pulls in (TLS, Kerberos, LDAP, IDN ...) cost every
 * command about 5 ms of start-up, and only `eol update` and the server-guard
 * step fetch anything.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "strbuf.h"
#include "util.h"
#include "banned.h"

struct http_client {
	CURL *h;
	struct http_opts o;
};

/* What one request collects while it runs. */
struct transfer {
	struct strbuf body;
	size_t max;
	int too_big;
	char *etag, *last_modified;
};

/* The libcurl functions this file calls, found in the loaded library. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *h);
	void (*easy_reset)(CURL *h);
	CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
	CURLcode (*easy_perform)(CURL *h);
	CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
	curl_version_info_data *(*version_info)(CURLversion age);
} cu;

static int global_ready;

#define CURL_SONAME "libcurl.so.4"

/* dlsym hands back an object pointer; POSIX guarantees it converts */
#define LOAD(field, name)                                                                  \
	do {                                                                               \
		void *sym_ = dlsym(lib, name);                                             \
		if (!sym_) {                                                               \
			ret = error_set(e, SR_ERR, "cannot load libcurl: %s has no %s",     \
					CURL_SONAME, name);                                 \
			goto out;                                                          \
		}                                                                          \
		memcpy(&cu.field, &sym_, sizeof(sym_));                                    \
	} while (0)

/* Load libcurl and initialise it, once; not thread-safe by libcurl's rules. */
static int curl_load(struct error *e)
{
	void *lib = NULL;
	int ret = 0;

	if (global_ready)
		return 0;
	lib = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		const char *why = dlerror();
		ret = error_set(e, SR_ERR, "cannot load libcurl: %s", why ? why : CURL_SONAME);
		goto out;
	}
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_reset, "curl_easy_reset");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(version_info, "curl_version_info");
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ret = error_set(e, SR_ERR, "cannot start libcurl");
		goto out;
	}
	global_ready = 1;
	lib = NULL; /* stays loaded for the life of the process */
out:
	if (lib)
		dlclose(lib);
	return ret;
}

void http_library_version(struct strbuf *sb)
{
	struct error e = ERROR_INIT;
	const curl_version_info_data *v;

	if (curl_load(&e) < 0) {
		strbuf_addf(sb, "(%s)", e.msg);
		error_release(&e);
		return;
	}
	v = cu.version_info(CURLVERSION_NOW);
	strbuf_addf(sb, "%s%s%s", v->version, v->ssl_version ? " " : "",
		    v->ssl_version ? v->ssl_version : "");
}

struct http_client *http_client_new(const struct http_opts *o, struct error *e)
{
	struct http_client *c;

	if (curl_load(e) < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->h = cu.easy_init();
	if (!c->h) {
		free(c);
		error_set(e, SR_ERR, "cannot start libcurl: no handle");
		return NULL;
	}
	if (o)
		c->o = *o;
	if (!c->o.connect_timeout_ms)
		c->o.connect_timeout_ms = 10000;
	if (!c->o.timeout_ms)
		c->o.timeout_ms = 60000;
	if (!c->o.stall_s)
		c->o.stall_s = 15;
	if (!c->o.max_bytes)
		c->o.max_bytes = 64u << 20;
	if (!c->o.retry_delay_ms)
		c->o.retry_delay_ms = 1000;
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	cu.easy_cleanup(c->h);
	free(c);
}

void http_response_release(struct http_response *r)
{
	if (!r)
		return;
	free(r->body);
	free(r->etag);
	free(r->last_modified);
	memset(r, 0, sizeof(*r));
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	if (t->body.len + len > t->max) {
		t->too_big = 1;
		return 0; /* libcurl stops with CURLE_WRITE_ERROR */
	}
	strbuf_add(&t->body, data, len);
	return len;
}

/* The value of header name in line (len bytes, CRLF included), trimmed; NULL when not it. */
static char *header_value(const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) || line[nl] != ':')
		return NULL;
	const char *v = line + nl + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
	struct transfer *t = arg;
	size_t len = size * n;
	char *v;

	/* a new status line (after a redirect or a 100): forget the previous response's headers */
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) {
		free(t->etag);
		free(t->last_modified);
		t->etag = t->last_modified = NULL;
	} else if ((v = header_value(data, len, "ETag"))) {
		free(t->etag);
		t->etag = v;
	} else if ((v = header_value(data, len, "Last-Modified"))) {
		free(t->last_modified);
		t->last_modified = v;
	}
	return len;
}

/* url without user:password@, for messages (owned). */
static char *url_display(const char *url)
{
	const char *auth = strstr(url, "://");
	if (!auth)
		return xstrdup(url);
	auth += 3;
	const char *at = strchr(auth, '@'), *slash = strchr(auth, '/');
	if (!at || (slash && slash < at))
		return xstrdup(url);
	return xasprintf("%.*s%s", (int)(auth - url), url, at + 1);
}

static int transient(CURLcode rc, long status)
{
	switch (rc) {
	case CURLE_OK:
		return status >= 500 || status == 429;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return 1;
	default:
		return 0;
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0)
		;
}

/* One request; 0 with *status, or a libcurl code turned into e. */
static int attempt(struct http_client *c, const char *url, const struct http_cond *cond,
		   struct transfer *t, long *status, CURLcode *rc_out, struct error *e)
{
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	char *shown = NULL;
	CURL *h = c->h;
	CURLcode rc;
	int ret = 0;

	cu.easy_reset(h); /* keeps the connection cache */
	if (cond && cond->etag) {
		char *hdr = xasprintf("If-None-Match: %s", cond->etag);
		hdrs = cu.slist_append(hdrs, hdr);
		free(hdr);
	}
	if (cond && cond->last_modified) {
		char *hdr = xasprintf("If-Modified-Since: %s", cond->last_modified);
		hdrs = cu.slist_append(hdrs, hdr);
		free(hdr);
	}
	rc = cu.easy_setopt(h, CURLOPT_URL, url);
	if (rc == CURLE_OK)
		rc = cu.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (rc == CURLE_OK)
		rc = cu.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (rc != CURLE_OK) {
		shown = url_display(url);
		ret = error_set(e, SR_ERR_USAGE, "cannot fetch '%s': %s", shown, cu.easy_strerror(rc));
		goto out;
	}
	cu.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	cu.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	cu.easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
	cu.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	cu.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->o.ca_file)
		cu.easy_setopt(h, CURLOPT_CAINFO, c->o.ca_file);
	cu.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->o.connect_timeout_ms);
	cu.easy_setopt(h, CURLOPT_TIMEOUT_MS, c->o.timeout_ms);
	cu.easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	cu.easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->o.stall_s);
	cu.easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	cu.easy_setopt(h, CURLOPT_USERAGENT, "shelfready/" SHELFREADY_VERSION);
	cu.easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	cu.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(h, CURLOPT_WRITEDATA, t);
	cu.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	cu.easy_setopt(h, CURLOPT_HEADERDATA, t);

	rc = cu.easy_perform(h);
	*rc_out = rc;
	*status = 0;
	cu.easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	if (rc == CURLE_OK)
		goto out;
	shown = url_display(url);
	if (t->too_big)
		ret = error_set(e, SR_ERR_IO, "cannot fetch '%s': the answer is over %zu bytes", shown,
				c->o.max_bytes);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		ret = error_set(e, SR_ERR_TIMEOUT, "cannot fetch '%s': %s", shown,
				*errbuf ? errbuf : cu.easy_strerror(rc));
	else
		ret = error_set(e, SR_ERR_CONNECT, "cannot fetch '%s': %s", shown,
				*errbuf ? errbuf : cu.easy_strerror(rc));
out:
	/* the handle must not keep pointers to what is freed here */
	cu.easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	cu.easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
	cu.slist_free_all(hdrs);
	free(shown);
	return ret;
}

int http_get(struct http_client *c, const char *url, const struct http_cond *cond,
	     struct http_response *resp, struct error *e)
{
	struct transfer t;
	long status = 0, delay = c->o.retry_delay_ms;
	CURLcode rc = CURLE_OK;
	int ret, tries = 0;

	memset(resp, 0, sizeof(*resp));
	memset(&t, 0, sizeof(t));
	strbuf_init(&t.body);
	t.max = c->o.max_bytes;
	for (;;) {
		strbuf_reset(&t.body);
		t.too_big = 0;
		tries++;
		ret = attempt(c, url, cond, &t, &status, &rc, e);
		if (ret == SR_ERR_USAGE || t.too_big || tries > c->o.retries || !transient(rc, status))
			break;
		sleep_ms(delay);
		delay *= 2;
	}
	if (ret) {
		if (tries > 1) {
			char *m = xasprintf("%s (%d attempts)", e->msg, tries);
			error_set(e, e->code, "%s", m);
			free(m);
		}
		goto out;
	}
	if (status >= 400 && status != 404) {
		char *shown = url_display(url);
		ret = error_set(e, SR_ERR_CONNECT,
				"cannot fetch '%s': the server answered HTTP %ld (%d attempt%s)", shown,
				status, tries, tries == 1 ? "" : "s");
		free(shown);
		goto out;
	}
	resp->status = status;
	resp->len = t.body.len;
	resp->body = strbuf_detach(&t.body);
	resp->etag = t.etag;
	resp->last_modified = t.last_modified;
	resp->attempts = tries;
	t.etag = t.last_modified = NULL;
out:
	strbuf_release(&t.body);
	free(t.etag);
	free(t.last_modified);
	return ret;
}
