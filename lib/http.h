/*
 * HTTP(S) downloads on the controller, the only module that calls libcurl:
 * end-of-life data refreshes and (later) installers fetched before upload.
 *
 * TLS peers are always verified (the system store, or ca_file); only http and
 * https are spoken, redirects included; every request has a connect timeout,
 * a total timeout and a stall limit, so a server that accepts and then says
 * nothing cannot hang the tool. Bodies are kept in memory up to a cap.
 */
#ifndef SR_HTTP_H
#define SR_HTTP_H

#include <stddef.h>

#include "error.h"

struct strbuf;

struct http_opts {
	long connect_timeout_ms; /* 0: 10 s */
	long timeout_ms;         /* the whole transfer; 0: 60 s */
	long stall_s;            /* abort when under 1 byte/s for this long; 0: 15 s */
	size_t max_bytes;        /* the body's cap; 0: 64 MiB */
	int retries;             /* more attempts after a transient failure (connect, timeout, 5xx, 429) */
	long retry_delay_ms;     /* before the first retry, doubling; 0: 1 s */
	const char *ca_file;     /* trust these CAs instead of the system store; NULL: system */
};

struct http_client;

/* Append libcurl's version and TLS library, or why it cannot be loaded. */
void http_library_version(struct strbuf *sb);

/*
 * A client reusing its connection between requests; NULL with e set when
 * libcurl cannot be loaded or started.
 */
struct http_client *http_client_new(const struct http_opts *o, struct error *e);
void http_client_free(struct http_client *c);

/* Conditions of a conditional GET, as the server sent them last time. */
struct http_cond {
	const char *etag;          /* If-None-Match; NULL: none */
	const char *last_modified; /* If-Modified-Since; NULL: none */
};

struct http_response {
	long status;         /* the final HTTP status (200, 304, 404 ...) */
	char *body;          /* NUL-terminated; "" for 304 */
	size_t len;
	char *etag;          /* of the final response, NULL when absent */
	char *last_modified; /* ditto */
	int attempts;        /* how many requests were made */
};

#define HTTP_RESPONSE_INIT { 0, NULL, 0, NULL, NULL, 0 }

/*
 * GET url (cond may be NULL). 0 when the server answered with a final status
 * below 400 (or 404, which callers tell apart by status), else a negative
 * SR_ERR_* with e saying what failed: SR_ERR_CONNECT for the network, TLS and
 * HTTP errors, SR_ERR_TIMEOUT for time limits, SR_ERR_IO for a body over the
 * cap. *resp is filled on 0 and released on failure.
 */
int http_get(struct http_client *c, const char *url, const struct http_cond *cond,
	     struct http_response *resp, struct error *e);
void http_response_release(struct http_response *r);

#endif
