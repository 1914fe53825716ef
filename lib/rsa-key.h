/*
 * RSA private keys for SSH user authentication with rsa-sha2-256/512
 * signatures (RFC 8332), loaded and used with OpenSSL's libcrypto, for
 * lib/ssh.c: libssh2 before 1.11 signs RSA keys with ssh-rsa (SHA-1) only,
 * which OpenSSH 8.8 and later refuse by default. OpenSSL's errors become
 * text here, once.
 */
#ifndef SR_RSA_KEY_H
#define SR_RSA_KEY_H

#include <stddef.h>

struct rsa_key;

/*
 * Load an RSA private key from its text: PEM (PKCS#1 "RSA PRIVATE KEY" or
 * PKCS#8, encrypted with passphrase or not; passphrase may be NULL), or
 * OpenSSH's own format ("OPENSSH PRIVATE KEY") when it is not encrypted.
 * 0 with *out, or -1 with *why (owned): not a key that can be read so (an
 * encrypted OpenSSH-format key among them), not RSA, or a wrong or missing
 * passphrase. Never prompts.
 */
int rsa_key_load(const char *pem, size_t len, const char *passphrase, struct rsa_key **out,
		 char **why);

/*
 * The public key blob as SSH writes it, string alg, mpint e, mpint n
 * (malloc'ed, *len bytes). alg is the type name it starts with.
 */
unsigned char *rsa_key_blob(const struct rsa_key *k, const char *alg, size_t *len);

/*
 * The PKCS#1 v1.5 signature of data with SHA-512 (alg "rsa-sha2-512") or
 * SHA-256 ("rsa-sha2-256"): 0 with *sig (malloc'ed, *siglen bytes), or -1.
 */
int rsa_key_sign(const struct rsa_key *k, const char *alg, const unsigned char *data, size_t n,
		 unsigned char **sig, size_t *siglen);

void rsa_key_free(struct rsa_key *k);

#endif
