/* RSA keys for rsa-sha2 user authentication, with libcrypto (lib/rsa-key.h). */
#include "rsa-key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util.h"
#include "banned.h"

struct rsa_key {
	EVP_PKEY *pk;
};

/* The passphrase for PEM_read_bio_PrivateKey; none: fail rather than prompt. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pass = u;
	size_t n;

	(void)rwflag;
	if (!pass || size <= 0)
		return -1;
	n = strlen(pass);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, pass, n);
	return (int)n;
}

/* OpenSSL's last error as text, and the queue emptied. */
static char *ssl_error(const char *what)
{
	unsigned long code = ERR_peek_last_error();
	char buf[256] = "";

	if (code)
		ERR_error_string_n(code, buf, sizeof(buf));
	ERR_clear_error();
	return xasprintf("%s%s%s", what, *buf ? ": " : "", buf);
}

int rsa_key_load(const char *pem, size_t len, const char *passphrase, struct rsa_key **out,
		 char **why)
{
	BIO *bio = NULL;
	EVP_PKEY *pk = NULL;
	int ret = -1;

	*out = NULL;
	*why = NULL;
	if (len > (size_t)INT32_MAX) {
		*why = xstrdup("the key is too large");
		goto out;
	}
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		*why = ssl_error("cannot read the key");
		goto out;
	}
	pk = PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)passphrase);
	if (!pk) {
		*why = ssl_error(passphrase ? "not a PEM private key OpenSSL reads with that passphrase"
					    : "not an unencrypted PEM private key OpenSSL reads");
		goto out;
	}
	if (!EVP_PKEY_is_a(pk, "RSA")) {
		*why = xstrdup("not an RSA key");
		goto out;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->pk = pk;
	pk = NULL;
	ret = 0;
out:
	EVP_PKEY_free(pk);
	BIO_free(bio);
	return ret;
}

static void put_u32(unsigned char *p, size_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

unsigned char *rsa_key_blob(const struct rsa_key *k, const char *alg, size_t *len)
{
	BIGNUM *n = NULL, *e = NULL;
	unsigned char *blob = NULL;
	size_t alen = strlen(alg), off = 0;
	int nl, el;

	*len = 0;
	if (!EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_E, &e)) {
		ERR_clear_error();
		goto out;
	}
	/* BN_bn2mpi writes SSH's mpint: a 4-byte length, a leading 0 byte when the top bit is set */
	el = BN_bn2mpi(e, NULL);
	nl = BN_bn2mpi(n, NULL);
	if (el <= 0 || nl <= 0)
		goto out;
	blob = xmalloc(4 + alen + (size_t)el + (size_t)nl);
	put_u32(blob, alen);
	memcpy(blob + 4, alg, alen);
	off = 4 + alen;
	off += (size_t)BN_bn2mpi(e, blob + off);
	off += (size_t)BN_bn2mpi(n, blob + off);
	*len = off;
out:
	BN_free(n);
	BN_free(e);
	return blob;
}

int rsa_key_sign(const struct rsa_key *k, const char *alg, const unsigned char *data, size_t n,
		 unsigned char **sig, size_t *siglen)
{
	const EVP_MD *md = !strcmp(alg, "rsa-sha2-512")	  ? EVP_sha512()
			   : !strcmp(alg, "rsa-sha2-256") ? EVP_sha256()
							  : NULL;
	EVP_MD_CTX *ctx = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int ret = -1;

	*sig = NULL;
	*siglen = 0;
	if (!md || !(ctx = EVP_MD_CTX_new()))
		goto out;
	/* RSA keys sign with PKCS#1 v1.5 padding unless told otherwise, as RFC 8332 wants */
	if (EVP_DigestSignInit(ctx, NULL, md, NULL, k->pk) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, data, n) != 1)
		goto out;
	buf = xmalloc(len);
	if (EVP_DigestSign(ctx, buf, &len, data, n) != 1)
		goto out;
	*sig = buf;
	*siglen = len;
	buf = NULL;
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	free(buf);
	EVP_MD_CTX_free(ctx);
	return ret;
}

void rsa_key_free(struct rsa_key *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}
