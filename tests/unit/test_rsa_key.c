/*
 * Unit tests of lib/rsa-key.c: which keys load (PEM PKCS#1 and PKCS#8,
 * encrypted ones with their passphrase, OpenSSH's format unencrypted) and
 * which are refused with a reason (OpenSSH's format encrypted or damaged,
 * not RSA, a wrong or missing passphrase, not a key); the blob carries the
 * same e and n as ssh-keygen's public key; signatures verify with SHA-512
 * and SHA-256 and not with the other digest. Keys are made with ssh-keygen
 * in a scratch directory.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "rsa-key.h"
#include "strbuf.h"
#include "util.h"

static char dir[] = "/tmp/sr-test-rsa-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	/* PKCS#1 PEM (as Packer writes), PKCS#8, encrypted PKCS#1, OpenSSH format, ed25519 PKCS#8 */
	if (test_in_dir(dir, "(ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -f pkcs1 && "
		   "cp pkcs1 pkcs8 && ssh-keygen -q -p -m PKCS8 -N '' -f pkcs8 && "
		   "cp pkcs1 enc && ssh-keygen -q -p -m PEM -N 'pass phrase' -f enc && "
		   "ssh-keygen -q -t rsa -b 2048 -N '' -f openssh && "
		   "cp openssh openssh_enc && ssh-keygen -q -p -N 'pass phrase' -f openssh_enc && "
		   "ssh-keygen -q -t ed25519 -N '' -f ed_openssh && "
		   "openssl genpkey -algorithm ed25519 -out ed) >/dev/null 2>&1"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return test_rm_rf(dir);
}

static char *file_text(const char *name, size_t *len)
{
	char *path = xasprintf("%s/%s", dir, name), *data = NULL;
	assert_int_equal(read_file(path, 1u << 20, &data, len), 0);
	free(path);
	return data;
}

struct load_row {
	const char *file, *passphrase;
	const char *why; /* NULL: loads; else a part of the reason */
};

static void test_key_load(void **state)
{
	(void)state;
	static const struct load_row rows[] = {
		{ "pkcs1", NULL, NULL },
		{ "pkcs8", NULL, NULL },
		{ "enc", "pass phrase", NULL },
		{ "pkcs1", "an unneeded passphrase", NULL },
		{ "enc", NULL, "not an unencrypted PEM private key" },
		{ "enc", "wrong", "not a PEM private key OpenSSL reads with that passphrase" },
		{ "openssh", NULL, NULL },
		{ "openssh", "an unneeded passphrase", NULL },
		{ "openssh_enc", "pass phrase", "an encrypted key in OpenSSH's format" },
		{ "ed_openssh", NULL, "not an RSA key" },
		{ "ed", NULL, "not an RSA key" },
		{ "pkcs1.pub", NULL, "not an unencrypted PEM private key" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		size_t len = 0;
		char *pem = file_text(rows[i].file, &len), *why = NULL;
		struct rsa_key *k = NULL;
		int r = rsa_key_load(pem, len, rows[i].passphrase, &k, &why);
		if (!rows[i].why && (r || !k))
			fail_msg("row %zu (%s): refused: %s", i, rows[i].file, why);
		if (rows[i].why && (!r || k || !why || !strstr(why, rows[i].why)))
			fail_msg("row %zu (%s): want a refusal with '%s', got %d '%s'", i, rows[i].file,
				 rows[i].why, r, why ? why : "");
		rsa_key_free(k);
		free(why);
		free(pem);
	}
}

static void blob_matches(const char *name)
{
	size_t len, blen, plen;
	char *pem = file_text(name, &len), *why = NULL, *pubname = xasprintf("%s.pub", name);
	struct rsa_key *k = NULL;
	if (rsa_key_load(pem, len, NULL, &k, &why))
		fail_msg("%s: %s", name, why);
	unsigned char *blob = rsa_key_blob(k, "rsa-sha2-512", &blen);
	unsigned char *pub = test_pub_blob(dir, pubname, &plen);
	free(pubname);
	assert_non_null(blob);
	/* string "rsa-sha2-512", then exactly the e and n that follow "ssh-rsa" in the .pub */
	assert_memory_equal(blob, "\0\0\0\x0crsa-sha2-512", 16);
	assert_memory_equal(pub, "\0\0\0\x07ssh-rsa", 11);
	assert_int_equal(blen - 16, plen - 11);
	assert_memory_equal(blob + 16, pub + 11, plen - 11);
	free(blob);
	free(pub);
	rsa_key_free(k);
	free(pem);
}

static void test_blob(void **state)
{
	(void)state;
	/* both formats: the numbers must be the key's */
	blob_matches("pkcs1");
	blob_matches("openssh");
}

/* damaged OpenSSH-format keys: refused with a reason, never a crash */
static void test_openssh_damaged(void **state)
{
	(void)state;
	size_t len;
	char *text = file_text("openssh", &len);
	char *body = strchr(text, '\n') + 1;
	size_t blen = (size_t)(strstr(text, "-----END") - body);
	/* cut the body short at every 64-character line, and flip bytes in it */
	for (size_t cut = 0; cut < blen; cut += 65) {
		char *t = xasprintf("-----BEGIN OPENSSH PRIVATE KEY-----\n%.*s\n-----END OPENSSH "
				    "PRIVATE KEY-----\n",
				    (int)cut, body);
		struct rsa_key *k = NULL;
		char *why = NULL;
		if (rsa_key_load(t, strlen(t), NULL, &k, &why) == 0)
			fail_msg("a key cut at %zu bytes loaded", cut);
		assert_non_null(why);
		free(why);
		free(t);
	}
	for (size_t at = 40; at < blen; at += 97) {
		char *t = xstrdup(text);
		char *c = t + (body - text) + at;
		if (*c == '\n')
			continue;
		*c = *c == 'A' ? 'B' : 'A';
		struct rsa_key *k = NULL;
		char *why = NULL;
		/* a changed byte may still make a (wrong) key; it must not crash */
		if (rsa_key_load(t, strlen(t), NULL, &k, &why) == 0)
			rsa_key_free(k);
		free(why);
		free(t);
	}
	free(text);
}


static void test_sign(void **state)
{
	(void)state;
	static const unsigned char data[] = "session id and the userauth request";
	size_t len, siglen;
	unsigned char *sig = NULL;
	char *pem = file_text("enc", &len), *why = NULL;
	struct rsa_key *k = NULL;

	assert_int_equal(test_in_dir(dir, "ssh-keygen -e -m PKCS8 -f pkcs1.pub >pub.pem"), 0);
	assert_int_equal(rsa_key_load(pem, len, "pass phrase", &k, &why), 0);
	assert_int_equal(rsa_key_sign(k, "rsa-sha2-512", data, sizeof(data), &sig, &siglen), 0);
	assert_int_equal(siglen, 256); /* a 2048-bit key */
	assert_true(test_sig_verifies(dir, "pub.pem", "sha512", data, sizeof(data), sig, siglen));
	assert_false(test_sig_verifies(dir, "pub.pem", "sha256", data, sizeof(data), sig, siglen));
	assert_false(test_sig_verifies(dir, "pub.pem", "sha512", data, sizeof(data) - 1, sig, siglen));
	free(sig);
	assert_int_equal(rsa_key_sign(k, "rsa-sha2-256", data, sizeof(data), &sig, &siglen), 0);
	assert_true(test_sig_verifies(dir, "pub.pem", "sha256", data, sizeof(data), sig, siglen));
	assert_false(test_sig_verifies(dir, "pub.pem", "sha512", data, sizeof(data), sig, siglen));
	free(sig);
	/* ssh-rsa is SHA-1: not this module's */
	assert_int_equal(rsa_key_sign(k, "ssh-rsa", data, sizeof(data), &sig, &siglen), -1);
	assert_null(sig);
	rsa_key_free(k);
	free(pem);

	/* a key read from OpenSSH's format signs so that its public key verifies (CRT numbers right) */
	pem = file_text("openssh", &len);
	assert_int_equal(test_in_dir(dir, "ssh-keygen -e -m PKCS8 -f openssh.pub >openssh-pub.pem"), 0);
	assert_int_equal(rsa_key_load(pem, len, NULL, &k, &why), 0);
	assert_int_equal(rsa_key_sign(k, "rsa-sha2-512", data, sizeof(data), &sig, &siglen), 0);
	assert_true(test_sig_verifies(dir, "openssh-pub.pem", "sha512", data, sizeof(data), sig, siglen));
	assert_false(test_sig_verifies(dir, "pub.pem", "sha512", data, sizeof(data), sig, siglen));
	free(sig);
	rsa_key_free(k);
	free(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_load),
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_openssh_damaged),
		cmocka_unit_test(test_sign),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
