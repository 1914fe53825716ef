/* RSA keys for rsa-sha2 user authentication, with libcrypto (lib/rsa-key.h). */
#include "rsa-key.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
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

/* ---- OpenSSH's own format ---- */

/* A bounded reader of SSH wire data. */
struct wire {
	const unsigned char *p;
	size_t n;
};

static int get_u32(struct wire *w, uint32_t *v)
{
	if (w->n < 4)
		return -1;
	*v = (uint32_t)w->p[0] << 24 | (uint32_t)w->p[1] << 16 | (uint32_t)w->p[2] << 8 | w->p[3];
	w->p += 4;
	w->n -= 4;
	return 0;
}

static int get_string(struct wire *w, struct wire *s)
{
	uint32_t len;
	if (get_u32(w, &len) < 0 || len > w->n)
		return -1;
	s->p = w->p;
	s->n = len;
	w->p += len;
	w->n -= len;
	return 0;
}

static int is(const struct wire *s, const char *text)
{
	return s->n == strlen(text) && !memcmp(s->p, text, s->n);
}

/* A positive mpint as a BIGNUM (NULL when malformed or negative). */
static BIGNUM *get_bn(struct wire *w)
{
	struct wire s;
	if (get_string(w, &s) < 0 || (s.n && (s.p[0] & 0x80)) || s.n > 2048)
		return NULL;
	return BN_bin2bn(s.p, (int)s.n, NULL);
}

#define OPENSSH_BEGIN "-----BEGIN OPENSSH PRIVATE KEY-----"
#define OPENSSH_END "-----END OPENSSH PRIVATE KEY-----"
#define OPENSSH_MAGIC "openssh-key-v1"

/* The base64 body between the OpenSSH armour lines, decoded (malloc'ed), or NULL. */
static unsigned char *openssh_body(const char *pem, size_t len, size_t *n)
{
	const char *b = mem_find(pem, len, OPENSSH_BEGIN, sizeof(OPENSSH_BEGIN) - 1), *e;
	unsigned char *text, *bin;
	size_t tn = 0;
	int r;

	if (!b)
		return NULL;
	b += sizeof(OPENSSH_BEGIN) - 1;
	e = mem_find(b, len - (size_t)(b - pem), OPENSSH_END, sizeof(OPENSSH_END) - 1);
	if (!e || e - b > 65536)
		return NULL;
	text = xmalloc((size_t)(e - b) + 1);
	for (const char *p = b; p < e; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ' && *p != '\t')
			text[tn++] = (unsigned char)*p;
	bin = xmalloc(tn / 4 * 3 + 3);
	r = tn % 4 == 0 && tn ? EVP_DecodeBlock(bin, text, (int)tn) : -1;
	if (r < 0) {
		free(text);
		free(bin);
		return NULL;
	}
	/* EVP_DecodeBlock counts the padding as bytes */
	*n = (size_t)r - (text[tn - 1] == '=') - (text[tn - 2] == '=');
	memset(text, 0, tn);
	free(text);
	return bin;
}

/*
 * An RSA key in OpenSSH's own format ("openssh-key-v1"), unencrypted: the
 * numbers of its private section made into an EVP_PKEY. 0, or -1 with *why.
 * Encrypted ones need bcrypt_pbkdf, which no library here offers.
 */
static int openssh_rsa(const char *pem, size_t len, EVP_PKEY **out, char **why)
{
	size_t n = 0;
	unsigned char *bin = openssh_body(pem, len, &n);
	struct wire w = { bin, n }, cipher, kdf, kdfopts, pub, priv, type;
	BIGNUM *rn = NULL, *re = NULL, *rd = NULL, *iqmp = NULL, *p = NULL, *q = NULL;
	BIGNUM *dmp1 = NULL, *dmq1 = NULL, *t = NULL;
	BN_CTX *bctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	uint32_t nkeys, check1, check2;
	int ret = -1;

	*out = NULL;
	if (!bin || n < sizeof(OPENSSH_MAGIC) || memcmp(bin, OPENSSH_MAGIC, sizeof(OPENSSH_MAGIC))) {
		*why = xstrdup("not a key in OpenSSH's format");
		goto out;
	}
	w.p += sizeof(OPENSSH_MAGIC);
	w.n -= sizeof(OPENSSH_MAGIC);
	if (get_string(&w, &cipher) < 0 || get_string(&w, &kdf) < 0 || get_string(&w, &kdfopts) < 0 ||
	    get_u32(&w, &nkeys) < 0 || nkeys != 1 || get_string(&w, &pub) < 0 ||
	    get_string(&w, &priv) < 0) {
		*why = xstrdup("a damaged key in OpenSSH's format");
		goto out;
	}
	if (!is(&cipher, "none")) {
		*why = xstrdup("an encrypted key in OpenSSH's format, which only OpenSSH's own "
			       "tools decrypt");
		goto out;
	}
	if (get_u32(&priv, &check1) < 0 || get_u32(&priv, &check2) < 0 || check1 != check2 ||
	    get_string(&priv, &type) < 0) {
		*why = xstrdup("a damaged key in OpenSSH's format");
		goto out;
	}
	if (!is(&type, "ssh-rsa")) {
		*why = xstrdup("not an RSA key");
		goto out;
	}
	/* n, e, d, iqmp, p, q, as OpenSSH writes them */
	if (!(rn = get_bn(&priv)) || !(re = get_bn(&priv)) || !(rd = get_bn(&priv)) ||
	    !(iqmp = get_bn(&priv)) || !(p = get_bn(&priv)) || !(q = get_bn(&priv)) ||
	    BN_is_zero(p) || BN_is_zero(q) || BN_is_zero(rn)) {
		*why = xstrdup("a damaged RSA key in OpenSSH's format");
		goto out;
	}
	/* the CRT exponents OpenSSL wants: d mod (p-1), d mod (q-1) */
	if (!(bctx = BN_CTX_new()) || !(t = BN_new()) || !(dmp1 = BN_new()) || !(dmq1 = BN_new()) ||
	    !BN_sub(t, p, BN_value_one()) || !BN_mod(dmp1, rd, t, bctx) ||
	    !BN_sub(t, q, BN_value_one()) || !BN_mod(dmq1, rd, t, bctx)) {
		*why = ssl_error("cannot make the RSA key");
		goto out;
	}
	if (!(bld = OSSL_PARAM_BLD_new()) || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, rn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, re) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, rd) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    !(pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) || EVP_PKEY_fromdata_init(pctx) != 1 ||
	    EVP_PKEY_fromdata(pctx, out, EVP_PKEY_KEYPAIR, params) != 1) {
		*why = ssl_error("cannot make the RSA key");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		ERR_clear_error();
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_CTX_free(bctx);
	BN_clear_free(rd);
	BN_clear_free(iqmp);
	BN_clear_free(p);
	BN_clear_free(q);
	BN_clear_free(dmp1);
	BN_clear_free(dmq1);
	BN_clear_free(t);
	BN_free(rn);
	BN_free(re);
	if (bin) {
		memset(bin, 0, n);
		free(bin);
	}
	return ret;
}

/* ---- loading ---- */

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
	if (mem_find(pem, len, OPENSSH_BEGIN, sizeof(OPENSSH_BEGIN) - 1)) {
		if (openssh_rsa(pem, len, &pk, why) < 0)
			goto out;
		goto loaded;
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
loaded:
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
